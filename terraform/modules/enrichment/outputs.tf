output "function_name" {
  value = module.function.function_name
}

output "function_arn" {
  value = module.function.function_arn
}

output "log_group_name" {
  value = module.function.log_group_name
}

output "backfill_function_name" {
  value = module.backfill.function_name
}

output "backfill_function_arn" {
  value = module.backfill.function_arn
}
