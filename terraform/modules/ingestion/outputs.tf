output "function" {
  description = "The service's function (its name, ARNs, role and log group: the lambda-function module's outputs)."
  value       = module.function
}

output "demand_function_name" {
  value = module.demand.function_name
}

output "demand_log_group_name" {
  value = module.demand.log_group_name
}
