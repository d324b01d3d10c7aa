output "service" {
  description = "What the module made: its functions by role (each the lambda-function module's outputs)."
  value       = { functions = { notifier = module.function, notifier_digest = module.digest } }
}
