output "function" {
  description = "The service's function (its name, ARNs, role and log group: the lambda-function module's outputs)."
  value       = module.function
}
