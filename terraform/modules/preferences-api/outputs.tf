output "function" {
  description = "The service's function (its name, ARNs, role and log group: the lambda-function module's outputs)."
  value       = module.function
}

output "api" {
  description = "The service's REST API (its id, stage, invoke URL, stage ARN and access logs: the rest-api module's outputs)."
  value       = module.api
}
