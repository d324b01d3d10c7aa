variable "name" {
  description = "API name (already prefixed)."
  type        = string
}

variable "description" {
  description = "What this is, in the AWS console."
  type        = string
  default     = ""
}

variable "function" {
  description = "The Lambda function serving every route (proxy integration): its name and invoke ARN."
  type = object({
    function_name = string
    invoke_arn    = string
  })
}

variable "user_pool_arn" {
  description = "Cognito user pool whose ID tokens the authorizer accepts."
  type        = string
}

variable "public_routes" {
  description = "Top-level paths served without sign-in, with their methods (at <path>/{<parameter>} when a parameter is named); every other path needs a token."
  type = list(object({
    path      = string
    methods   = list(string)
    parameter = optional(string)
  }))
  default = []
}

variable "cors_allowed_origin" {
  description = "Origin put on the gateway's own error responses (the function answers CORS for its own)."
  type        = string
}

variable "stage_name" {
  description = "The stage's name (part of the URL)."
  type        = string
  default     = "v1"
}

variable "throttle" {
  description = "The stage's throttle: steady-state requests per second and burst."
  type        = object({ rate_limit = number, burst_limit = number })
}

variable "log_retention_days" {
  description = "Days logs are kept."
  type        = number
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
