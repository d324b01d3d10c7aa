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

variable "user_pool_arn" {
  type = string
}

variable "cors_allowed_origins" {
  description = "Origins allowed to call the API from a browser (the site's URL)."
  type        = list(string)
}

variable "throttle_rate_limit" {
  type    = number
  default = 50
}

variable "throttle_burst_limit" {
  type    = number
  default = 100
}
