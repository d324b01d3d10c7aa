# The enrichment service: the queue's worker, which adds Watchmode details to the titles waiting in the
# pending index best rank first (one at a time, by a lease; every minute by its schedule, at once when the
# consumer or the enrich job nudges it, continuing in a fresh invocation while work remains), and the enrich
# job the admin screen starts, which puts failed titles back in the queue.

module "function" {
  source = "../lambda-function"
  stack  = var.shared

  name                 = "${var.shared.name_prefix}-enrichment"
  description          = "Drains the enrichment queue: fetches title details from Watchmode (paced) and stores them."
  handler              = "tvguide_enrichment.handler.lambda_handler"
  artifact_path        = "${var.shared.artifacts}/enrichment.zip"
  timeout_seconds      = 300
  reserved_concurrency = var.reserved_concurrency
  # Only the settings this function reads: the table, Watchmode and its pacing, the region, the workers.
  environment     = { for k, v in var.shared.environment : k => v if contains(["TABLE_NAME", "WATCHMODE_BASE_URL", "WATCHMODE_SECRET_ARN", "WATCHMODE_RATE_LIMIT_PER_MINUTE", "WATCHMODE_PACE_FRACTION", "REGIONS", "ENRICHMENT_WORKERS", "WATCHMODE_MONTHLY_CREDIT_BUDGET"], k) }
  metrics_service = "enrichment"
  metric_alarms = {
    # Permanent failures: spent quota, invalid key, unknown or malformed titles.
    enrichment_failures = {
      name        = "${var.shared.name_prefix}-enrichment-failures"
      metric      = "EnrichmentFailures"
      description = "More than ${var.failure_alarm_threshold} titles failed enrichment for good in an hour."
      threshold   = var.failure_alarm_threshold
    }
  }

  # No retries: a worker that failed leaves the queue as it was, and the next minute's run drains it.
  async_dead_letter_arn  = var.shared.async_dead_letter_arn
  invoked_asynchronously = true
  invokes_itself         = true # continues in a fresh invocation while the queue has work

  schedule = {
    expression  = var.worker_schedule
    description = "Drain the enrichment queue (a nudge starts it sooner; a running worker is left alone)."
  }

  policy_statements = concat([var.shared.job_tracking, var.shared.watchmode_budget], [
    {
      sid       = "ReadTheQueue"
      actions   = ["dynamodb:Query"]
      resources = ["${var.shared.table_arn}/index/gsi1"]
    },
    {
      # Titles' details, their availability rows' genres and rating, the feeds' heads it tells of new
      # entries, and the worker's lease: by partition key, nothing else (no batch writes: none are made).
      sid       = "EnrichTitlesAndAvailability"
      actions   = ["dynamodb:BatchGetItem", "dynamodb:UpdateItem"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["TITLE#*", "SOURCE#*", "FEEDHEAD#*", "WORKER#ENRICHMENT"]
      }]
    },
    {
      # The feed entries of the rows it enriched (genres and rating), and nothing else.
      sid       = "MirrorRowsInTheFeed"
      actions   = ["dynamodb:PutItem", "dynamodb:DeleteItem"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["FEED#*"]
      }]
    },
    {
      sid       = "ReadWatchmodeKey"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [var.shared.watchmode_secret_arn]
    },
  ])
}

module "backfill" {
  source = "../lambda-function"
  stack  = var.shared

  name            = "${var.shared.name_prefix}-enrichment-backfill"
  description     = "Puts titles whose enrichment failed back in the enrichment queue (the enrich job)."
  handler         = "tvguide_enrichment.backfill_handler.lambda_handler"
  artifact_path   = "${var.shared.artifacts}/enrichment.zip"
  timeout_seconds = 300
  # Only the settings the enrich job reads: the table, its jobs' time limit, the worker it nudges.
  environment = merge(
    { for k, v in var.shared.environment : k => v if contains(["TABLE_NAME", "JOB_TIMEOUT_MINUTES"], k) },
    { ENRICHMENT_FUNCTION_NAME = module.function.function_name },
  )

  async_dead_letter_arn  = var.shared.async_dead_letter_arn
  invoked_asynchronously = true
  invokes_itself         = true # the enrich job continues chunk by chunk

  policy_statements = concat([var.shared.job_tracking], [
    {
      sid       = "FindTitlesOutOfTheQueue"
      actions   = ["dynamodb:Query"]
      resources = ["${var.shared.table_arn}/index/gsi1"]
    },
    {
      # Puts a title back in the queue: its title record only.
      sid       = "RequestEnrichment"
      actions   = ["dynamodb:UpdateItem"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["TITLE#*"]
      }]
    },
    {
      sid       = "NudgeEnrichmentWorker"
      actions   = ["lambda:InvokeFunction"]
      resources = [module.function.function_arn]
    },
  ])
}

moved {
  from = aws_cloudwatch_metric_alarm.enrichment_failures
  to   = module.function.aws_cloudwatch_metric_alarm.counted["enrichment_failures"]
}
