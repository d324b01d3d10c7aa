variable "name_prefix" {
  type = string
}

variable "kinesis_shard_count" {
  type    = number
  default = 1
}

variable "kinesis_retention_hours" {
  type    = number
  default = 24
}

variable "kinesis_encryption" {
  description = "Encrypt the title stream with the AWS-managed key (alias/aws/kinesis)."
  type        = bool
  default     = true
}

variable "point_in_time_recovery" {
  type    = bool
  default = true
}

variable "deletion_protection" {
  type    = bool
  default = false
}

variable "dlq_retention_seconds" {
  type    = number
  default = 1209600
}

variable "iterator_age_alarm_ms" {
  description = "Alarm when the consumer falls this far behind the title stream."
  type        = number
  default     = 600000
}

variable "alarm_actions" {
  type    = list(string)
  default = []
}

variable "tags" {
  type    = map(string)
  default = {}
}
