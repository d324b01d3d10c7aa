variable "name_prefix" {
  description = "Prefix of every physical name (the bucket is <prefix>-site)."
  type        = string
}

variable "site_dir" {
  description = "The built site (build/site from `make build`)."
  type        = string
}

variable "enable_cdn" {
  description = "Serve the site through CloudFront (origin access control, security headers). Without it the bucket is read at bucket_endpoint/<bucket>/index.html (local stacks only)."
  type        = bool
  default     = true
}

variable "cdn_local_host" {
  description = "Local stacks only: the emulator's host:port, whose <label>.cloudfront.<host> serves the distribution. Empty on AWS."
  type        = string
  default     = ""
}

variable "bucket_endpoint" {
  description = "Where the bucket is read when enable_cdn is off (a local emulator's URL)."
  type        = string
  default     = ""
}

variable "require_tls" {
  description = "Deny every request to the bucket that is not over TLS. Off only where the emulator's CDN reads the bucket over plain HTTP."
  type        = bool
  default     = true
}

variable "csp_connect_sources" {
  description = "Origins the site may call (APIs, Cognito), beyond 'self', for the Content-Security-Policy header."
  type        = list(string)
}

variable "csp_image_sources" {
  description = "Origins of posters and logos, beyond 'self' and data:, for the Content-Security-Policy header."
  type        = list(string)
}

variable "price_class" {
  description = "CloudFront price class (PriceClass_100: Europe and North America, the cheapest)."
  type        = string
  default     = "PriceClass_100"
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}

variable "viewer_protocol_policy" {
  description = "redirect-to-https on AWS; allow-all only where the emulator serves the CDN over plain HTTP."
  type        = string
  default     = "redirect-to-https"

  validation {
    condition     = contains(["redirect-to-https", "https-only", "allow-all"], var.viewer_protocol_policy)
    error_message = "viewer_protocol_policy must be redirect-to-https, https-only or allow-all."
  }
}
