output "function_name" {
  value = module.function.function_name
}

output "function_arn" {
  value = module.function.function_arn
}

output "log_group_name" {
  value = module.function.log_group_name
}
