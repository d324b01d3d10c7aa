variable "shared" {
  description = "What every function of the stack shares; built once in the root module (local.shared)."
  type = object({
    name_prefix          = string
    layer_arn            = string
    artifact_bucket      = string # the bucket holding the zips (an object per artifact)
    architecture         = string
    environment          = map(string)
    log_retention_days   = number
    log_level            = string
    alarm_actions        = list(string)
    tags                 = map(string)
    permissions_boundary = optional(string)
    # An IAM statement (typed where it is used: the lambda-function module's policy_statements).
    job_tracking = any
    # The statement sharing Watchmode's rate limit and credits (typed where it is used, like job_tracking).
    watchmode_budget = any
  })
}

variable "artifact_path" {
  description = "The service's zip from `make build`."
  type        = string
}

variable "table_arn" {
  description = "ARN of the product's DynamoDB table."
  type        = string
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
  description = "Retries of a failing stream batch before it goes to the on-failure queue."
  type        = number
  default     = 5
}

variable "maximum_record_age_seconds" {
  description = "Age after which a stream record is sent to the on-failure queue instead of retried."
  type        = number
  default     = 3600
}

variable "table_stream_arn" {
  description = "ARN of the table's stream (enrichment reads PENDING title records from it)."
  type        = string
}

variable "watchmode_secret_arn" {
  description = "ARN of the secret holding the Watchmode key (read by the functions that call Watchmode)."
  type        = string
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

variable "dlq_url" {
  description = "URL of the same dead-letter queue, for poison records the function sends itself."
  type        = string
}

variable "failure_alarm_threshold" {
  description = "Titles failing enrichment for good in an hour above which the alarm fires."
  type        = number
  default     = 25
}

variable "plan_schedule" {
  description = "When the credit budget's planner runs (EventBridge syntax); it does nothing when no title is deferred."
  type        = string
  default     = "rate(1 hour)"
}
