# The reference service: refreshes sources and genres from Watchmode on a schedule.

module "function" {
  source = "../lambda-function"
  stack  = var.shared

  name            = "${var.shared.name_prefix}-reference"
  description     = "Loads streaming sources and genres, and what is leaving them soon, from Watchmode."
  handler         = "tvguide_reference.handler.lambda_handler"
  artifact_path   = "${var.shared.artifacts}/reference.zip"
  timeout_seconds = 120
  # Only the settings this service reads (tvguide_reference): the table, Watchmode, the regions.
  environment = { for k, v in var.shared.environment : k => v if contains(["TABLE_NAME", "WATCHMODE_BASE_URL", "WATCHMODE_SECRET_ARN", "WATCHMODE_RATE_LIMIT_PER_MINUTE", "WATCHMODE_PACE_FRACTION", "REGIONS", "WATCHMODE_MONTHLY_CREDIT_BUDGET"], k) }

  async_dead_letter_arn  = var.shared.async_dead_letter_arn
  invoked_asynchronously = true

  schedule = {
    expression  = var.schedule_expression
    description = "Refresh sources, genres and departures."
  }

  policy_statements = concat([var.shared.job_tracking, var.shared.watchmode_budget], [
    {
      # Sources, genres, each source's departures (and their notices) and releases; nothing else.
      sid       = "ReadWriteReferenceRows"
      actions   = ["dynamodb:Query", "dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["REF#SOURCE", "REF#GENRE", "DEPARTURES", "DEPARTING#*", "RELEASES"]
      }]
    },
    {
      sid       = "ReadWatchmodeKey"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [var.shared.watchmode_secret_arn]
    },
  ])
}
