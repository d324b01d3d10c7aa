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
