variable "shared" {
  description = "What every function of the stack shares, built once in the root module (local.shared): passed on whole to the lambda-function module (its `stack`, where the shape is typed), plus the name prefix, the functions' environment and the shared IAM statements (job_tracking, watchmode_budget)."
  type        = any
}

variable "table_stream_arn" {
  description = "The table's stream: availability changes reach the notifier through it."
  type        = string
}

variable "dlq_arn" {
  description = "Where a batch of changes that failed every retry is recorded (the mapping's on-failure destination)."
  type        = string
}

variable "alert_sender_email" {
  description = "Verified SES sender of alert emails (verification is requested when set); empty: in-app alerts only."
  type        = string
}

variable "site_url" {
  description = "The site's address, linked from alert emails."
  type        = string
}

variable "web_push" {
  description = "Web Push: the VAPID keys' secret, the push services pushes may go to, and the VAPID contact."
  type = object({
    secret_arn      = string
    service_origins = list(string)
    contact         = string
  })
}

variable "digest_schedule" {
  description = "When the digest function runs (EventBridge expression): daily; each viewer's digest goes out on the week's first run (Monday), and one not sent is retried the next day."
  type        = string
  default     = "cron(0 8 * * ? *)"
}
