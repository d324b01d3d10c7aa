output "service" {
  description = "What the module made: its functions by role (each the lambda-function module's outputs)."
  value       = { functions = { enrichment = module.function, backfill = module.backfill } }
}
