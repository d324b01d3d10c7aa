variable "shared" {
  description = "What every function of the stack shares, built once in the root module (local.shared): passed on whole to the lambda-function module (its `stack`, where the shape is typed), plus the name prefix, the functions' environment and the shared IAM statements (job_tracking, watchmode_budget)."
  type        = any
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

variable "table_stream_arn" {
  description = "The table's stream: saved preferences reach the new-demand function through it."
  type        = string
}
