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

variable "user_pool_arn" {
  description = "Cognito user pool whose ID tokens the authorizer accepts."
  type        = string
}

variable "cors_allowed_origins" {
  description = "Origins allowed to call the API from a browser (the site's URL)."
  type        = list(string)
}

variable "throttle_rate_limit" {
  description = "Steady-state requests per second for the stage."
  type        = number
  default     = 50
}

variable "throttle_burst_limit" {
  description = "Burst requests for the stage."
  type        = number
  default     = 100
}
