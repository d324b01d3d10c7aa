variable "shared" {
  description = "What every function of the stack shares, built once in the root module (local.shared): passed on whole to the lambda-function module (its `stack`, where the shape is typed), plus the name prefix, the functions' environment and the shared IAM statements (job_tracking, watchmode_budget)."
  type        = any
}

variable "artifact_path" {
  description = "The service's zip from `make build`."
  type        = string
}

variable "table_arn" {
  description = "ARN of the product's DynamoDB table."
  type        = string
}

variable "watchmode_secret_arn" {
  description = "ARN of the secret holding the Watchmode key (read by the functions that call Watchmode)."
  type        = string
}

variable "reserved_concurrency" {
  description = "Reserved concurrency of the worker (-1: none; its lease lets one drain the queue at a time)."
  type        = number
  default     = -1
}

variable "async_dead_letter_arn" {
  description = "Queue for the worker's and the enrich job's asynchronous invocations that failed."
  type        = string
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
