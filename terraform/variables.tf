variable "name_prefix" {
  description = "Prefix of every physical name, so several stacks can share an account and region."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix: 3-32 lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "aws_region" {
  description = "AWS region of the stack (and of its resources' ARNs)."
  type        = string
  default     = "eu-west-2"
}

variable "environment" {
  description = "Environment name, used in tags (e.g. local, prod)."
  type        = string
  default     = "local"
}

variable "artifacts_dir" {
  description = "Folder holding the zips built by `make build` (relative to this folder or absolute)."
  type        = string
  default     = "../build/dist"
}

variable "lambda_architecture" {
  description = "x86_64 or arm64; the layer must be built for the same (make build ARCH=...)."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "lambda_architecture must be x86_64 or arm64."
  }
}

variable "log_retention_days" {
  description = "Days logs are kept."
  type        = number
  default     = 30
}

variable "log_level" {
  description = "Powertools log level (DEBUG, INFO, WARNING, ERROR)."
  type        = string
  default     = "INFO"
}

variable "watchmode_base_url" {
  description = "Watchmode API base URL; the local stack points it at the fake server."
  type        = string
  default     = "https://api.watchmode.com/v1/"
}

variable "watchmode_rate_limit_per_minute" {
  description = "The Watchmode plan's rate limit; enrichment paces itself just below it."
  type        = number
  default     = 120
}

variable "watchmode_pace_fraction" {
  description = "Fraction of the rate limit enrichment may use."
  type        = number
  default     = 0.95
}

variable "regions" {
  description = "Watchmode regions the catalogue covers (the first is used for titles)."
  type        = list(string)
  default     = ["GB"]
}

variable "ingestion_max_pages_per_source" {
  description = "Cap on list-titles pages per source per run (250 titles a page)."
  type        = number
  default     = 20
}

variable "enrichment_stale_days" {
  description = "Details older than this are fetched again when the title is next ingested."
  type        = number
  default     = 30
}

variable "enrichment_reserved_concurrency" {
  description = "Reserved concurrency of the enrichment worker. A lease lets one drain the queue at a time; a second slot lets a nudge or the schedule find the lease taken and return instead of being throttled (-1 unreserved)."
  type        = number
  default     = 2
}

variable "watchmode_monthly_credit_budget" {
  description = "Watchmode credits the product may spend in a calendar month (0: no budget). The enrichment worker never spends past it and drains its queue best-ranked titles first (more viewers' feeds, then popularity); what it cannot afford stays queued, in rank order, for next month or a larger budget."
  type        = number
  default     = 0
  validation {
    condition     = var.watchmode_monthly_credit_budget >= 0 && floor(var.watchmode_monthly_credit_budget) == var.watchmode_monthly_credit_budget
    error_message = "A whole number of credits, 0 or more."
  }
}

variable "enrichment_worker_schedule" {
  description = "How often the enrichment queue's worker runs at the latest; the consumer and the enrich job nudge it as soon as titles are queued, and it continues by itself while work remains."
  type        = string
  default     = "rate(1 minute)"
}

variable "ingestion_sources_per_invocation" {
  description = "Sources one ingestion invocation crawls before handing the rest to a fresh invocation of itself (it also hands over after half its time), so any catalogue fits Lambda's limits."
  type        = number
  default     = 10
}

variable "reference_schedule" {
  description = "When the reference data refresh runs (EventBridge rate() or cron())."
  type        = string
  default     = "rate(1 day)"
}

variable "ingestion_schedule" {
  description = "When the titles refresh runs (EventBridge rate() or cron()). Hourly: each run crawls only the sources due, so failed ones are retried within the hour."
  type        = string
  default     = "rate(1 hour)"
}

variable "kinesis_encryption" {
  description = "Encrypt the title stream with the AWS-managed KMS key."
  type        = bool
  default     = true
}

variable "point_in_time_recovery" {
  description = "Continuous backups of the table (restore to any second of the last 35 days)."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Refuse to delete the table and the user pool (on for production)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

variable "cors_allowed_origins" {
  description = "Origins allowed to call the APIs from a browser besides the site's own (added automatically). `*` only for local stacks."
  type        = list(string)
  default     = []

  validation {
    condition     = var.environment == "local" || !contains(var.cors_allowed_origins, "*")
    error_message = "cors_allowed_origins may not be * outside a local stack: name the site's URL."
  }
}

variable "api_throttle_rate_limit" {
  description = "Steady-state requests per second for each API's stage."
  type        = number
  default     = 50
}

variable "api_throttle_burst_limit" {
  description = "Burst requests for each API's stage."
  type        = number
  default     = 100
}

variable "api_requests_per_caller_per_minute" {
  description = "Requests one signed-in caller may make in a minute across both APIs (AWS WAF; past it: 429), so one account cannot use up the stages' shared throttle."
  type        = number
  default     = 300
}

variable "api_requests_per_address_per_minute" {
  description = "Requests one IP address may make in a minute across both APIs, signed in or not (AWS WAF; past it: 429)."
  type        = number
  default     = 1000
}

variable "self_signup_enabled" {
  description = "Let anyone create an account (off: admins create accounts)."
  type        = bool
  default     = false
}

variable "site_callback_urls" {
  description = "Where the Cognito hosted UI may send viewers back (only with hosted_ui_domain_prefix)."
  type        = list(string)
  default     = []
}

variable "hosted_ui_domain_prefix" {
  description = "Cognito hosted-UI domain prefix; set, the site signs in there (authorization code + PKCE)."
  type        = string
  default     = ""
}

variable "google_client_id" {
  description = "Google OAuth client id, to offer Google sign-in in the hosted UI (needs hosted_ui_domain_prefix)."
  type        = string
  default     = ""
}

variable "google_client_secret_version" {
  description = "Bump it when the Google client secret (the GOOGLE_CLIENT_SECRET secret of the deploy workflow) is rotated, so the provider is put again. The secret itself never enters Terraform."
  type        = string
  default     = "1"
}

variable "job_timeout_minutes" {
  description = "How long a titles refresh or enrich job may take, pipeline included, before it counts as failed and its kind may run again."
  type        = number
  default     = 360
}

variable "admin_group" {
  description = "The Cognito group whose members may use the admin API (checked by the admin function)."
  type        = string
  default     = "SecurityAdmins"
}

variable "site_dir" {
  description = "The built site (relative to this folder or absolute), from `make build`."
  type        = string
  default     = "../build/site"
}

variable "site_enable_cdn" {
  description = "Serve the site through CloudFront (always on AWS). Off: read from the bucket's endpoint (local only)."
  type        = bool
  default     = true
}

variable "site_cdn_local_host" {
  description = "Local stacks: the emulator's host:port, which serves a distribution at <label>.cloudfront.<host>. Empty on AWS."
  type        = string
  default     = ""
}

variable "site_bucket_endpoint" {
  description = "Local stacks without the CDN: the emulator's URL the bucket is read under."
  type        = string
  default     = ""
}

variable "site_connect_sources" {
  description = "Origins the site may call, for its CSP header. Empty: this region's API Gateway and Cognito endpoints."
  type        = list(string)
  default     = []
}

variable "site_image_sources" {
  description = "Origins of posters and source logos, for the site's CSP header."
  type        = list(string)
  default     = ["https://cdn.watchmode.com"]
}

variable "site_viewer_protocol_policy" {
  description = "How the CDN treats plain HTTP: redirect-to-https (AWS); allow-all only for the local emulator, which serves HTTP."
  type        = string
  default     = "redirect-to-https"
}

variable "site_bucket_require_tls" {
  description = "Deny non-TLS requests to the site's bucket (AWS); off only for the local emulator, whose CDN reads it over HTTP."
  type        = bool
  default     = true
}

variable "permissions_boundary_arn" {
  description = "The bootstrap's product boundary (its output permissions_boundary_arn), set on every function's role. Required on AWS: the deploy role may create no role without it. Null locally."
  type        = string
  default     = null
}

variable "secret_recovery_window_days" {
  description = "Days a deleted Watchmode secret can be restored (7-30). 0 (immediate deletion) only for local stacks, which are rebuilt often."
  type        = number
  default     = 30

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days is 0 or between 7 and 30."
  }
}

variable "ingestion_refresh_hours" {
  description = "A scheduled run crawls a source again when its last complete crawl is older than this."
  type        = number
  default     = 20
}

variable "push_service_origins" {
  description = "Push services that viewers' push subscriptions may point at (origins; * matches any part): the notifier sends to nothing else."
  type        = list(string)
  default = [
    "https://fcm.googleapis.com",
    "https://updates.push.services.mozilla.com",
    "https://*.push.services.mozilla.com",
    "https://web.push.apple.com",
    "https://*.notify.windows.com",
  ]
}

variable "push_contact" {
  description = "Who push services may contact about our pushes (VAPID `sub`): a mailto: or https: URL."
  type        = string
  default     = "mailto:alerts@uk-tv-guide.invalid"
}

variable "alert_sender_email" {
  description = "Sender of availability alert emails (SES; verification is requested when set, and must be completed before mail goes out). Empty: alerts are in-app only."
  type        = string
  default     = ""
}

variable "alarm_email" {
  description = "Who is told when an alarm fires (an email subscription to the alarms topic, to confirm from AWS's email). Empty: no subscription (subscribe to the `alarm_topic_arn` output some other way)."
  type        = string
  default     = ""
  validation {
    condition     = var.alarm_email == "" || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email is an email address, or empty."
  }
}
