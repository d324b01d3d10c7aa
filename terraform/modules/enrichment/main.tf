# The enrichment service: adds Watchmode details to titles the table's stream says need them, and a
# backfill function (called by the admin screen) that re-requests every title still needing enrichment.

module "function" {
  source = "../lambda-function"

  permissions_boundary = var.shared.permissions_boundary

  name                 = "${var.shared.name_prefix}-enrichment"
  description          = "Fetches title details from Watchmode (paced) and stores them."
  handler              = "tvguide_enrichment.handler.lambda_handler"
  artifact_path        = var.artifact_path
  artifact_bucket      = var.shared.artifact_bucket
  layer_arns           = [var.shared.layer_arn]
  architecture         = var.shared.architecture
  timeout_seconds      = 300
  reserved_concurrency = var.reserved_concurrency
  # Only the settings this function reads: the table, Watchmode and its pacing, the region, the workers.
  environment        = { for k, v in var.shared.environment : k => v if contains(["TABLE_NAME", "WATCHMODE_BASE_URL", "WATCHMODE_SECRET_ARN", "WATCHMODE_RATE_LIMIT_PER_MINUTE", "WATCHMODE_PACE_FRACTION", "REGIONS", "ENRICHMENT_WORKERS", "WATCHMODE_RATE_SHARES", "WATCHMODE_MONTHLY_CREDIT_BUDGET"], k) }
  log_retention_days = var.shared.log_retention_days
  log_level          = var.shared.log_level
  alarm_actions      = var.shared.alarm_actions
  tags               = var.shared.tags

  # Only title records that need enrichment reach the function.
  stream_source = {
    event_source_arn           = var.table_stream_arn
    batch_size                 = var.batch_size
    maximum_retry_attempts     = var.maximum_retry_attempts
    maximum_record_age_seconds = var.maximum_record_age_seconds
    on_failure_arn             = var.dlq_arn
    filter_pattern = jsonencode({
      eventName = ["INSERT", "MODIFY"]
      dynamodb = {
        NewImage = {
          sk                = { S = ["TITLE"] }
          enrichment_status = { S = ["PENDING"] }
        }
      }
    })
  }

  policy_statements = concat([var.shared.job_tracking, var.shared.watchmode_budget], [
    {
      sid       = "ReadTableStream"
      actions   = ["dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"]
      resources = [var.table_stream_arn]
    },
    {
      # How many titles wait for enrichment (a count on the sparse index): does the budget cover them?
      sid       = "CountWaitingTitles"
      actions   = ["dynamodb:Query"]
      resources = ["${var.table_arn}/index/gsi1"]
    },
    {
      sid       = "EnrichTitlesAndAvailability"
      actions   = ["dynamodb:BatchGetItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"]
      resources = [var.table_arn]
    },
    {
      # The feed entries of the rows it enriched (genres and rating), and nothing else.
      sid       = "MirrorRowsInTheFeed"
      actions   = ["dynamodb:PutItem", "dynamodb:DeleteItem"]
      resources = [var.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["FEED#*"]
      }]
    },
    {
      sid       = "ReadWatchmodeKey"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [var.watchmode_secret_arn]
    },
    {
      sid       = "DeadLetter"
      actions   = ["sqs:SendMessage"]
      resources = [var.dlq_arn]
    },
  ])
}

module "backfill" {
  source = "../lambda-function"

  permissions_boundary = var.shared.permissions_boundary

  name            = "${var.shared.name_prefix}-enrichment-backfill"
  description     = "Re-requests enrichment of titles that still need it, within the monthly credit budget."
  handler         = "tvguide_enrichment.handler.backfill_handler"
  artifact_path   = var.artifact_path
  artifact_bucket = var.shared.artifact_bucket
  layer_arns      = [var.shared.layer_arn]
  architecture    = var.shared.architecture
  timeout_seconds = 300
  # Only the settings the enrich job reads: the table, its jobs' time limit and the credit budget.
  environment        = { for k, v in var.shared.environment : k => v if contains(["TABLE_NAME", "JOB_TIMEOUT_MINUTES", "WATCHMODE_MONTHLY_CREDIT_BUDGET"], k) }
  log_retention_days = var.shared.log_retention_days
  log_level          = var.shared.log_level
  alarm_actions      = var.shared.alarm_actions
  tags               = var.shared.tags

  async_dead_letter_arn  = var.async_dead_letter_arn
  invoked_asynchronously = true
  invokes_itself         = true # the enrich job continues chunk by chunk

  # The credit budget's planner: grants deferred titles what is left of the month's budget.
  schedule = {
    expression  = var.plan_schedule
    description = "Grant the best-ranked titles deferred by the credit budget what is left of it."
  }

  policy_statements = concat([var.shared.job_tracking, var.shared.watchmode_budget], [
    {
      sid       = "FindPendingTitles"
      actions   = ["dynamodb:Query"]
      resources = ["${var.table_arn}/index/gsi1"]
    },
    {
      sid       = "RequestEnrichment"
      actions   = ["dynamodb:UpdateItem"]
      resources = [var.table_arn]
    },
  ])
}

# Permanent enrichment failures (spent quota, invalid key, unknown or malformed titles) are counted by the
# function as a metric (EMF, namespace UKTVGuide): too many in an hour is worth a look.
resource "aws_cloudwatch_metric_alarm" "enrichment_failures" {
  alarm_name          = "${var.shared.name_prefix}-enrichment-failures"
  alarm_description   = "More than ${var.failure_alarm_threshold} titles failed enrichment for good in an hour."
  namespace           = "UKTVGuide"
  metric_name         = "EnrichmentFailures"
  dimensions          = { service = "enrichment" }
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = var.failure_alarm_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.shared.alarm_actions
  ok_actions          = var.shared.alarm_actions
  tags                = var.shared.tags
}
