variable "shared" {
  description = "What every function of the stack shares, built once in the root module (local.shared): passed on whole to the lambda-function module (its `stack`, where the shape is typed), plus the name prefix, the functions' environment and the shared IAM statements (job_tracking, watchmode_budget)."
  type        = any
}

variable "user_pool_arn" {
  description = "Cognito user pool whose ID tokens the authorizer accepts."
  type        = string
}

variable "cors_allowed_origins" {
  description = "Origins allowed to call the API from a browser (the site's URL)."
  type        = list(string)
}

variable "throttle" {
  description = "The stage's throttle: steady-state requests per second and burst."
  type        = object({ rate_limit = number, burst_limit = number })
}

variable "web_push" {
  description = "Web Push: the VAPID keys' secret (made by this API the first time a site asks), and the push services subscriptions may point at."
  type = object({
    secret_arn      = string
    service_origins = list(string)
    contact         = string
  })
}
