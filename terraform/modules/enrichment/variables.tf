variable "shared" {
  description = "What every function of the stack shares, built once in the root module (local.shared): passed on whole to the lambda-function module (its `stack`, where the shape is typed), plus the name prefix, the functions' environment and the shared IAM statements (job_tracking, watchmode_budget)."
  type        = any
}

variable "reserved_concurrency" {
  description = "Reserved concurrency of the worker (-1: none; its lease lets one drain the queue at a time)."
  type        = number
  default     = -1
}

variable "failure_alarm_threshold" {
  description = "Titles failing enrichment for good in an hour above which the alarm fires."
  type        = number
  default     = 25
}

variable "worker_schedule" {
  description = "How often the queue's worker runs at the latest (EventBridge syntax); nudges start it sooner."
  type        = string
  default     = "rate(1 minute)"
}
