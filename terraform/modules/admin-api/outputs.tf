output "function" {
  description = "The service's function (its name, ARNs, role and log group: the lambda-function module's outputs)."
  value       = module.function
}

output "rest_api_id" {
  value = module.api.rest_api_id
}

output "stage_name" {
  value = module.api.stage_name
}

output "invoke_url" {
  value = module.api.invoke_url
}

output "stage_arn" {
  value = module.api.stage_arn
}
