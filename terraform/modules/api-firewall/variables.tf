variable "name_prefix" {
  description = "Prefix of every physical name."
  type        = string
}

variable "stage_arns" {
  description = "The API stages to protect, by a name known at plan time."
  type        = map(string)
}

variable "requests_per_caller_per_minute" {
  description = "Requests one signed-in caller (one token) may make in a minute, across both APIs; past it: 429."
  type        = number

  validation {
    condition     = var.requests_per_caller_per_minute >= 10
    error_message = "AWS WAF's rate-based rules count from 10 requests a window."
  }
}

variable "requests_per_address_per_minute" {
  description = "Requests one IP address may make in a minute, signed in or not (a household shares one)."
  type        = number

  validation {
    condition     = var.requests_per_address_per_minute >= 10
    error_message = "AWS WAF's rate-based rules count from 10 requests a window."
  }
}

variable "allowed_origin" {
  description = "The site's origin, put on the 429 so the site can read it (CORS)."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
}
