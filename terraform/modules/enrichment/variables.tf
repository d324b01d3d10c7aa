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

variable "dlq_arn" {
  description = "Dead-letter queue: poison records and the mapping's on-failure destination."
  type        = string
}

variable "batch_size" {
  description = "Records per invocation; with the pacer, ~100 keeps gaps between batches small."
  type        = number
  default     = 100
}

variable "maximum_retry_attempts" {
  type    = number
  default = 5
}

variable "maximum_record_age_seconds" {
  type    = number
  default = 3600
}

variable "table_stream_arn" {
  type = string
}

variable "watchmode_secret_arn" {
  type = string
}

variable "reserved_concurrency" {
  description = "Reserve to keep Watchmode pacing predictable (the pacer assumes one busy container)."
  type        = number
  default     = -1
}

variable "async_dead_letter_arn" {
  description = "Queue for backfill invocations that failed every retry."
  type        = string
}
