output "function_name" {
  value = module.function.function_name
}

output "function_arn" {
  value = module.function.function_arn
}

output "log_group_name" {
  value = module.function.log_group_name
}

output "demand_function_name" {
  value = module.demand.function_name
}

output "demand_log_group_name" {
  value = module.demand.log_group_name
}
