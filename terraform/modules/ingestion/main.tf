# The ingestion service: fetches the titles viewers' preferences call for and publishes title events.

module "function" {
  source = "../lambda-function"
  stack  = var.shared

  name            = "${var.shared.name_prefix}-ingestion"
  description     = "Lists titles per wanted source on Watchmode and publishes title events to Kinesis."
  handler         = "tvguide_ingestion.handler.lambda_handler"
  artifact_path   = "${var.shared.artifacts}/ingestion.zip"
  timeout_seconds = 900
  memory_mb       = 512
  # Only the settings this service reads (tvguide_ingestion).
  environment = { for k, v in var.shared.environment : k => v if contains([
    "TABLE_NAME", "TITLE_STREAM_NAME", "WATCHMODE_BASE_URL", "WATCHMODE_SECRET_ARN", "WATCHMODE_RATE_LIMIT_PER_MINUTE", "WATCHMODE_PACE_FRACTION", "REGIONS",
    "INGESTION_MAX_PAGES_PER_SOURCE", "INGESTION_REFRESH_HOURS", "JOB_TIMEOUT_MINUTES", "WATCHMODE_MONTHLY_CREDIT_BUDGET",
    "INGESTION_SOURCES_PER_INVOCATION",
  ], k) }
  metrics_service = "ingestion"
  metric_alarms = {
    # A complete crawl that lists far fewer titles than are filed under a source removes nothing (a bad
    # answer must not empty the guide).
    suspicious_crawls = {
      name        = "${var.shared.name_prefix}-suspicious-crawls"
      metric      = "SuspiciousCrawls"
      description = "A crawl listed far fewer titles than are filed under a source; nothing was removed."
    }
    # The hourly schedule ends the jobs that are stuck (past their deadline, or their run was killed).
    stuck_jobs = {
      name        = "${var.shared.name_prefix}-stuck-jobs"
      metric      = "StuckJobs"
      description = "A job passed its deadline or its run stopped without ending it (see the admin screen's jobs)."
    }
  }

  async_dead_letter_arn  = var.shared.async_dead_letter_arn
  invoked_asynchronously = true
  invokes_itself         = true # a titles refresh continues source by source in fresh invocations

  schedule = {
    expression  = var.schedule_expression
    description = "Ingest the titles viewers want: each run crawls the sources due (not refreshed lately, or failing)."
  }

  policy_statements = concat([var.shared.job_tracking, var.shared.watchmode_budget], [
    {
      sid       = "QueryPreferencesReferenceAndAvailability"
      actions   = ["dynamodb:Query"]
      resources = [var.shared.table_arn, "${var.shared.table_arn}/index/gsi1"]
    },
    {
      sid       = "ReadWatchmodeKey"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [var.shared.watchmode_secret_arn]
    },
    {
      # Only its own items and fields: availability rows' missed_crawls (keyed SOURCE#) and the crawl
      # state of each source (the CRAWLS partition).
      sid       = "RecordCrawls"
      actions   = ["dynamodb:UpdateItem"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["SOURCE#*", "CRAWLS"]
      }]
    },
    {
      sid       = "PublishTitleEvents"
      actions   = ["kinesis:PutRecords"]
      resources = [var.title_stream_arn]
    },
  ])
}

# Saved preferences that ask for a source or genre no crawl covers yet are crawled at once, for just that
# new demand: the table's stream, filtered to preference items, drives it. It removes nothing and runs no
# job; a crawl that fails is recorded on the source, and the hourly schedule retries it.
module "demand" {
  source = "../lambda-function"
  stack  = var.shared

  name            = "${var.shared.name_prefix}-ingestion-demand"
  description     = "Crawls at once what newly saved preferences ask for and no crawl covers yet."
  handler         = "tvguide_ingestion.demand_handler.lambda_handler"
  artifact_path   = "${var.shared.artifacts}/ingestion.zip"
  timeout_seconds = 300
  memory_mb       = 512
  environment = { for k, v in var.shared.environment : k => v if contains([
    "TABLE_NAME", "TITLE_STREAM_NAME", "WATCHMODE_BASE_URL", "WATCHMODE_SECRET_ARN", "WATCHMODE_RATE_LIMIT_PER_MINUTE", "WATCHMODE_PACE_FRACTION", "REGIONS",
    "INGESTION_MAX_PAGES_PER_SOURCE", "WATCHMODE_MONTHLY_CREDIT_BUDGET",
  ], k) }

  stream_source = {
    event_source_arn       = var.table_stream_arn
    batch_size             = 100
    maximum_retry_attempts = 2
    on_failure_arn         = var.shared.async_dead_letter_arn
    filter_pattern = jsonencode({
      eventName = ["INSERT", "MODIFY"]
      dynamodb  = { NewImage = { sk = { S = ["PREFERENCES"] } } }
    })
  }

  policy_statements = [
    var.shared.watchmode_budget,
    {
      sid       = "ReadTableStream"
      actions   = ["dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"]
      resources = [var.table_stream_arn]
    },
    {
      sid       = "QueryReferenceAndCrawls"
      actions   = ["dynamodb:Query"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["REF#SOURCE", "CRAWLS"]
      }]
    },
    {
      sid       = "RecordCrawls"
      actions   = ["dynamodb:UpdateItem"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["CRAWLS"]
      }]
    },
    {
      sid       = "ReadWatchmodeKey"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [var.shared.watchmode_secret_arn]
    },
    {
      sid       = "PublishTitleEvents"
      actions   = ["kinesis:PutRecords"]
      resources = [var.title_stream_arn]
    },
    {
      sid       = "RecordStreamFailures"
      actions   = ["sqs:SendMessage"]
      resources = [var.shared.async_dead_letter_arn]
    },
  ]
}

moved {
  from = aws_cloudwatch_metric_alarm.suspicious_crawls
  to   = module.function.aws_cloudwatch_metric_alarm.counted["suspicious_crawls"]
}
