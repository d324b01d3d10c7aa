output "user_pool_id" {
  value = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  value = aws_cognito_user_pool.this.arn
}

output "client_id" {
  value = aws_cognito_user_pool_client.site.id
}

output "admin_group" {
  value = aws_cognito_user_group.admins.name
}

output "hosted_ui_domain" {
  value = local.hosted_ui ? aws_cognito_user_pool_domain.hosted_ui[0].domain : null
}
