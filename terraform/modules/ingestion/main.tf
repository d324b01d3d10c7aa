# The ingestion service: fetches the titles viewers' preferences call for and publishes title events.

module "function" {
  source = "../lambda-function"

  permissions_boundary = var.shared.permissions_boundary

  name               = "${var.shared.name_prefix}-ingestion"
  description        = "Lists titles per wanted source on Watchmode and publishes title events to Kinesis."
  handler            = "tvguide_ingestion.handler.lambda_handler"
  artifact_path      = var.artifact_path
  layer_arns         = [var.shared.layer_arn]
  architecture       = var.shared.architecture
  timeout_seconds    = 900
  memory_mb          = 512
  environment        = var.shared.environment
  log_retention_days = var.shared.log_retention_days
  log_level          = var.shared.log_level
  alarm_actions      = var.shared.alarm_actions
  tags               = var.shared.tags

  async_dead_letter_arn  = var.async_dead_letter_arn
  invoked_asynchronously = true

  schedule = {
    expression  = var.schedule_expression
    description = "Ingest the titles viewers want."
  }

  policy_statements = concat([var.shared.job_tracking], [
    {
      sid       = "QueryPreferencesReferenceAndAvailability"
      actions   = ["dynamodb:Query"]
      resources = [var.table_arn, "${var.table_arn}/index/gsi1"]
    },
    {
      sid       = "ReadWatchmodeKey"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [var.watchmode_secret_arn]
    },
    {
      sid       = "PublishTitleEvents"
      actions   = ["kinesis:PutRecords"]
      resources = [var.title_stream_arn]
    },
  ])
}
