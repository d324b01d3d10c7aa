output "rest_api_id" {
  value = aws_api_gateway_rest_api.this.id
}

output "stage_name" {
  value = aws_api_gateway_stage.this.stage_name
}

output "invoke_url" {
  value = aws_api_gateway_stage.this.invoke_url
}

output "access_log_group_name" {
  value = aws_cloudwatch_log_group.access.name
}

output "stage_arn" {
  description = "The stage's ARN (what a web ACL is associated with)."
  value       = aws_api_gateway_stage.this.arn
}
