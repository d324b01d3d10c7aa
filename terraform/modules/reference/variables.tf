variable "shared" {
  description = "What every function of the stack shares, built once in the root module (local.shared): passed on whole to the lambda-function module (its `stack`, where the shape is typed), plus the name prefix, the functions' environment and the shared IAM statements (job_tracking, watchmode_budget)."
  type        = any
}

variable "schedule_expression" {
  description = "When the reference data is refreshed (EventBridge syntax)."
  type        = string
  default     = "rate(1 day)"
}

