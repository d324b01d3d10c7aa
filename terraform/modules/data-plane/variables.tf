variable "name_prefix" {
  description = "Prefix of every physical name, so several stacks can share an account."
  type        = string
}

variable "kinesis_shard_count" {
  description = "Shards of the title event stream (one carries ~1,000 records/s)."
  type        = number
  default     = 1
}

variable "kinesis_retention_hours" {
  description = "Hours the title stream keeps records (24 is the cheapest)."
  type        = number
  default     = 24
}

variable "kinesis_encryption" {
  description = "Encrypt the title stream with the AWS-managed key (alias/aws/kinesis)."
  type        = bool
  default     = true
}

variable "point_in_time_recovery" {
  description = "Continuous backups of the table (restore to any second of the last 35 days)."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Refuse to delete the table and the user pool (on for production)."
  type        = bool
  default     = false
}

variable "dlq_retention_seconds" {
  description = "How long dead letters are kept (the maximum, 14 days, by default)."
  type        = number
  default     = 1209600
}

variable "iterator_age_alarm_ms" {
  description = "Alarm when the consumer falls this far behind the title stream."
  type        = number
  default     = 600000
}

variable "alarm_actions" {
  description = "ARNs notified when an alarm fires (the stack's SNS topic)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "secret_recovery_window_days" {
  description = "Days a deleted Watchmode secret can be restored (7-30 on AWS); 0 deletes at once, for local stacks only."
  type        = number
  default     = 30
}
