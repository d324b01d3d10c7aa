output "function_name" {
  value = module.function.function_name
}

output "function_arn" {
  value = module.function.function_arn
}

output "log_group_name" {
  value = module.function.log_group_name
}

output "feed_rebuild_function_name" {
  value = module.feed_rebuild.function_name
}
