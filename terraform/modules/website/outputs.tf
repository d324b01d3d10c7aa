output "bucket" {
  description = "The site's bucket (tools/publish_site.py writes config.js here)."
  value       = aws_s3_bucket.site.bucket
}

output "distribution_id" {
  description = "The CloudFront distribution (invalidated after each publish), or null without the CDN."
  value       = var.enable_cdn ? aws_cloudfront_distribution.site[0].id : null
}

output "site_url" {
  description = "Where viewers open the site."
  value       = local.site_url
}

output "site_origin" {
  description = "The site's origin, allowed by the APIs' CORS and used as the Cognito callback."
  value       = local.site_origin
}

output "content_security_policy" {
  description = "The CSP the CDN sends with every file."
  value       = local.csp
}
