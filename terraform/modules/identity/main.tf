# Identity: the Cognito user pool (email as username), the SecurityAdmins group, and the app client the
# site and scripts use. Optional, by variables: the hosted-UI domain and Google as an identity provider.

locals {
  hosted_ui = var.hosted_ui_domain_prefix != ""
  google    = local.hosted_ui && var.google_client_id != ""
}

resource "aws_cognito_user_pool" "this" {
  name                     = "${var.name_prefix}-users"
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"
  mfa_configuration        = "OPTIONAL"

  software_token_mfa_configuration {
    enabled = true
  }

  admin_create_user_config {
    allow_admin_create_user_only = !var.self_signup_enabled
  }

  password_policy {
    minimum_length                   = 12
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = true
    temporary_password_validity_days = 3
  }

  # A changed email takes effect only once the user has verified it (until then the token keeps the old,
  # verified one): alerts are mailed only to a verified address.
  user_attribute_update_settings {
    attributes_require_verification_before_update = ["email"]
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  schema {
    name                = "email"
    attribute_data_type = "String"
    required            = true
    mutable             = true
    string_attribute_constraints {
      min_length = 3
      max_length = 254
    }
  }

  tags = var.tags
}

resource "aws_cognito_user_group" "admins" {
  name         = "SecurityAdmins"
  description  = "May use the admin screen and admin API."
  user_pool_id = aws_cognito_user_pool.this.id
}

resource "aws_cognito_user_pool_domain" "hosted_ui" {
  count        = local.hosted_ui ? 1 : 0
  domain       = var.hosted_ui_domain_prefix
  user_pool_id = aws_cognito_user_pool.this.id
}

# Google as an identity provider. Its client secret must never be in Terraform's state or plan (the plan role
# and everyone who can read the state would see it), and a resource holding it would copy it there on every
# refresh. So Terraform does not manage the provider: it runs tools/google_identity_provider.py, which puts it
# with the secret from the environment (GOOGLE_CLIENT_SECRET, given to the deploy workflow's apply step only),
# again whenever the pool, the client id or `google_client_secret_version` (bumped on a rotation) changes.
# Turning Google off leaves the provider unused (the client stops listing it); it goes with the pool.
resource "terraform_data" "google" {
  count            = local.google ? 1 : 0
  triggers_replace = [aws_cognito_user_pool.this.id, var.google_client_id, var.google_client_secret_version]

  provisioner "local-exec" {
    command = "python3 ${abspath(path.module)}/../../../tools/google_identity_provider.py"
    environment = {
      USER_POOL_ID     = aws_cognito_user_pool.this.id
      GOOGLE_CLIENT_ID = var.google_client_id
    }
  }
}

# The provider was a Terraform resource until the secret left the state: forget it without deleting it.
removed {
  from = aws_cognito_identity_provider.google

  lifecycle {
    destroy = false
  }
}

resource "aws_cognito_user_pool_client" "site" {
  name         = "${var.name_prefix}-site"
  user_pool_id = aws_cognito_user_pool.this.id

  generate_secret = false
  # What a signed-in user may read and change about themselves through this client: their email (which
  # needs verifying before it takes effect), nothing else; the verified flag is Cognito's to set.
  read_attributes               = ["email", "email_verified"]
  write_attributes              = ["email"]
  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true
  explicit_auth_flows           = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

  access_token_validity  = 60
  id_token_validity      = 60
  refresh_token_validity = 30
  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }

  # Hosted UI (authorization code + PKCE; the client has no secret) only when a domain is configured.
  allowed_oauth_flows_user_pool_client = local.hosted_ui
  allowed_oauth_flows                  = local.hosted_ui ? ["code"] : null
  allowed_oauth_scopes                 = local.hosted_ui ? ["openid", "email", "profile"] : null
  callback_urls                        = local.hosted_ui ? var.callback_urls : null
  logout_urls                          = local.hosted_ui ? var.callback_urls : null
  supported_identity_providers         = local.google ? ["COGNITO", "Google"] : ["COGNITO"]

  depends_on = [terraform_data.google]
}
