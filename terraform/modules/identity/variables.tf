variable "name_prefix" {
  description = "Prefix of every physical name, so several stacks can share an account."
  type        = string
}

variable "self_signup_enabled" {
  description = "Let anyone create an account; by default only admins create accounts."
  type        = bool
  default     = false
}

variable "callback_urls" {
  description = "Site URLs the hosted UI may return to (only used with a hosted-UI domain)."
  type        = list(string)
  default     = []
}

variable "hosted_ui_domain_prefix" {
  description = "Creates the Cognito hosted-UI domain (authorization-code flow + PKCE) when set."
  type        = string
  default     = ""
}

variable "google_client_id" {
  description = "Enables Google as a federated identity provider when set (needs the hosted UI)."
  type        = string
  default     = ""
}

variable "google_client_secret_version" {
  description = "Bump it when the Google client secret is rotated: the provider is put again with the new one (the secret itself never enters Terraform)."
  type        = string
  default     = "1"
}

variable "deletion_protection" {
  description = "Refuse to delete the table and the user pool (on for production)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
