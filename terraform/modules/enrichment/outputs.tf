output "function" {
  description = "The service's function (its name, ARNs, role and log group: the lambda-function module's outputs)."
  value       = module.function
}

output "backfill_function_name" {
  value = module.backfill.function_name
}

output "backfill_function_arn" {
  value = module.backfill.function_arn
}
