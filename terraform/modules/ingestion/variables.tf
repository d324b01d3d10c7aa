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

variable "title_stream_arn" {
  description = "ARN of the title event stream (Kinesis)."
  type        = string
}

variable "schedule_expression" {
  description = "When titles are ingested (EventBridge syntax)."
  type        = string
  default     = "cron(0 5 * * ? *)"
}

variable "async_dead_letter_arn" {
  description = "Queue for scheduled or admin invocations that failed every retry."
  type        = string
}

variable "table_stream_arn" {
  description = "The table's stream: saved preferences reach the new-demand function through it."
  type        = string
}
