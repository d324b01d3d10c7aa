output "function_name" {
  value = module.function.function_name
}

output "function_arn" {
  value = module.function.function_arn
}

output "log_group_name" {
  value = module.function.log_group_name
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
