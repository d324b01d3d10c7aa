output "table_name" {
  value = module.data_plane.table_name
}

output "title_stream_name" {
  value = module.data_plane.title_stream_name
}

output "watchmode_secret_name" {
  value = module.data_plane.watchmode_secret_name
}

output "dlq_urls" {
  value = module.data_plane.dlq_urls
}

output "alarm_topic_arn" {
  value = aws_sns_topic.alarms.arn
}

output "functions" {
  description = "The product's functions by role."
  value       = { for role, function in local.functions : role => function.function_name }
}

output "log_groups" {
  value = { for role, function in local.functions : role => function.log_group_name }
}

output "preferences_api" {
  description = "The viewer API (the site's window.appConfig.ApiEndpoint is its invoke URL)."
  value = {
    rest_api_id = module.preferences_api.service.api.rest_api_id
    stage       = module.preferences_api.service.api.stage_name
    invoke_url  = module.preferences_api.service.api.invoke_url
  }
}

output "admin_api" {
  description = "The admin API (the site's window.appConfig.AdminApiEndpoint is its invoke URL)."
  value = {
    rest_api_id = module.admin_api.service.api.rest_api_id
    stage       = module.admin_api.service.api.stage_name
    invoke_url  = module.admin_api.service.api.invoke_url
  }
}

output "cognito" {
  value = {
    user_pool_id = module.identity.user_pool_id
    client_id    = module.identity.client_id
    admin_group  = module.identity.admin_group
  }
}

output "cors_allowed_origins" {
  value = local.cors_allowed_origins
}

output "site" {
  description = "The website: bucket, CDN distribution, URL (tools/publish_site.py publishes config.js with these)."
  value = {
    bucket          = module.website.bucket
    distribution_id = module.website.distribution_id
    url             = module.website.site_url
    origin          = module.website.site_origin
  }
}

output "hosted_ui_domain" {
  description = "The Cognito hosted UI's URL, when hosted_ui_domain_prefix is set (the site then signs in there)."
  value       = var.hosted_ui_domain_prefix == "" ? "" : "https://${var.hosted_ui_domain_prefix}.auth.${var.aws_region}.amazoncognito.com"
}
