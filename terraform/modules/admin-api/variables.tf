variable "shared" {
  description = "What every function of the stack shares, built once in the root module (local.shared): passed on whole to the lambda-function module (its `stack`, where the shape is typed), plus the name prefix, the functions' environment and the shared IAM statements (job_tracking, watchmode_budget)."
  type        = any
}

variable "table_name" {
  description = "The product's table (jobs, audit, summary; described for its size)."
  type        = string
}

variable "title_stream_name" {
  description = "The title event stream dead letters are redriven into."
  type        = string
}

variable "title_stream_arn" {
  description = "ARN of the title event stream."
  type        = string
}

variable "product_functions" {
  description = "The product's other functions by role (reference, ingestion, consumer, enrichment, backfill, preferences_api)."
  type        = map(string)
}

variable "dead_letter_queues" {
  description = "The product's dead-letter queues by name, with URL and ARN."
  type        = map(object({ url = string, arn = string }))
}

variable "user_pool_arn" {
  description = "Cognito user pool whose ID tokens the authorizer accepts."
  type        = string
}

variable "admin_group" {
  description = "The Cognito group whose members may use every admin route."
  type        = string
}

variable "job_timeout_minutes" {
  description = "How long a pipeline job may take before it counts as failed."
  type        = number
}

variable "cors_allowed_origins" {
  description = "Origins allowed to call the API from a browser (the site's URL)."
  type        = list(string)
}

variable "throttle" {
  description = "The stage's throttle: steady-state requests per second and burst."
  type        = object({ rate_limit = number, burst_limit = number })
}
