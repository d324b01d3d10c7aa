variable "aws_region" {
  description = "AWS region of the stack (and of its resources' ARNs)."
  type        = string
  default     = "eu-west-2"
}

variable "github_owner" {
  description = "GitHub organisation or user that owns the repository."
  type        = string
}

variable "github_repository" {
  description = "Repository name (without the owner)."
  type        = string
}

variable "deploy_environment" {
  description = "The protected GitHub environment whose jobs may assume the deploy role (e.g. production)."
  type        = string
  default     = "production"
}

variable "name_prefix" {
  description = "The product stack's name_prefix: the deploy role may only touch resources named with it."
  type        = string
}

variable "state_bucket_name" {
  description = "Globally unique name of the Terraform state bucket."
  type        = string
}

variable "create_oidc_provider" {
  description = "Create GitHub's OIDC identity provider (false when the account already has one)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "manage_api_gateway_logging_role" {
  description = "Set the account's API Gateway CloudWatch role (needed once per account and region for access logs)."
  type        = bool
  default     = true
}
