variable "name_prefix" {
  type = string
}

variable "artifact_path" {
  description = "The service's zip from `make build`."
  type        = string
}

variable "layer_arn" {
  description = "The shared tvguide layer."
  type        = string
}

variable "architecture" {
  type    = string
  default = "x86_64"
}

variable "environment" {
  description = "Settings every function reads (table, Watchmode, regions...)."
  type        = map(string)
}

variable "table_arn" {
  type = string
}

variable "log_retention_days" {
  type = number
}

variable "log_level" {
  type    = string
  default = "INFO"
}

variable "alarm_actions" {
  type    = list(string)
  default = []
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "watchmode_secret_arn" {
  type = string
}

variable "schedule_expression" {
  description = "When the reference data is refreshed (EventBridge syntax)."
  type        = string
  default     = "rate(1 day)"
}

variable "async_dead_letter_arn" {
  description = "Queue for scheduled or admin invocations that failed every retry."
  type        = string
}
