variable "name" {
  description = "API name (already prefixed)."
  type        = string
}

variable "description" {
  type    = string
  default = ""
}

variable "function_name" {
  description = "The Lambda function serving every route (proxy integration)."
  type        = string
}

variable "function_invoke_arn" {
  type = string
}

variable "user_pool_arn" {
  description = "Cognito user pool whose ID tokens the authorizer accepts."
  type        = string
}

variable "public_routes" {
  description = "Top-level paths served without sign-in, with their methods; every other path needs a token."
  type = list(object({
    path    = string
    methods = list(string)
  }))
  default = []
}

variable "cors_allowed_origin" {
  description = "Origin put on the gateway's own error responses (the function answers CORS for its own)."
  type        = string
}

variable "stage_name" {
  type    = string
  default = "v1"
}

variable "throttle_rate_limit" {
  description = "Steady-state requests per second for the stage."
  type        = number
  default     = 50
}

variable "throttle_burst_limit" {
  type    = number
  default = 100
}

variable "log_retention_days" {
  type = number
}

variable "tags" {
  type    = map(string)
  default = {}
}
