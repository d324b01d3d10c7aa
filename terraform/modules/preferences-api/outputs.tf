output "service" {
  description = "What the module made: its functions by role, and its REST API (the lambda-function and rest-api modules' outputs)."
  value       = { functions = { preferences_api = module.function }, api = module.api }
}
