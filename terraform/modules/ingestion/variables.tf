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
