# The consumer service: stores title events from Kinesis in the table.

module "function" {
  source = "../lambda-function"
  stack  = var.shared

  name            = "${var.shared.name_prefix}-consumer"
  description     = "Upserts title events into the table and maintains the availability index."
  handler         = "tvguide_consumer.handler.lambda_handler"
  artifact_path   = "${var.shared.artifacts}/consumer.zip"
  timeout_seconds = 120
  # Only the settings this service reads (tvguide_consumer): the table, staleness, its DLQ, the worker.
  environment = merge(
    { for k, v in var.shared.environment : k => v if contains(["TABLE_NAME", "ENRICHMENT_STALE_DAYS"], k) },
    { DLQ_URL = var.dlq_url, ENRICHMENT_FUNCTION_NAME = var.enrichment_function.name },
  )
  metrics_service = "consumer"
  metric_alarms = {
    # A search shard DynamoDB refused as too large: the batch's titles were stored, but these names are not
    # searchable until the index has room.
    search_shard_full = {
      name        = "${var.shared.name_prefix}-search-shard-full"
      metric      = "SearchShardFull"
      description = "A search shard is at DynamoDB's item size limit: some titles' names are not searchable."
    }
  }

  stream_source = {
    event_source_arn           = var.title_stream_arn
    batch_size                 = var.batch_size
    maximum_retry_attempts     = var.maximum_retry_attempts
    maximum_record_age_seconds = var.maximum_record_age_seconds
    on_failure_arn             = var.dlq_arn
    # Title events are keyed by title id, and Lambda keeps a partition key's records in order whatever the
    # factor; every write the consumer shares across titles (feed versions, search shards, job counters) is
    # an atomic update. So a shard's batches run side by side: a new source's thousands of titles are
    # stored several batches at a time instead of one after another. (The local emulator runs one.)
    parallelization_factor = var.parallelization_factor
  }

  policy_statements = concat([var.shared.job_tracking], [
    {
      sid       = "ReadTitleStream"
      actions   = ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards"]
      resources = [var.title_stream_arn]
    },
    {
      # Titles (and their changes), availability rows, feed entries and heads, news, search shards: the
      # items it writes, by partition key, and nothing else in the table.
      sid       = "WriteTitlesAndAvailability"
      actions   = ["dynamodb:BatchGetItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["TITLE#*", "SOURCE#*", "FEED#*", "FEEDHEAD#*", "NEWS#*", "SEARCHSHARD#*", "SEARCHINDEX"]
      }]
    },
    {
      sid       = "DeadLetter"
      actions   = ["sqs:SendMessage"]
      resources = [var.dlq_arn]
    },
    {
      sid       = "NudgeEnrichmentWorker"
      actions   = ["lambda:InvokeFunction"]
      resources = [var.enrichment_function.arn]
    },
  ])
}

# The feed-rebuild job: while the feed index is older than the code (or missing: a stack that predates
# it), mirrors every availability row into it, a few thousand rows per invocation, continuing in a fresh
# invocation of itself; then records the version it built, and its hourly runs do nothing.
module "feed_rebuild" {
  source = "../lambda-function"
  stack  = var.shared

  name            = "${var.shared.name_prefix}-feed-rebuild"
  description     = "Rebuilds the viewers' feed index from the availability rows when it is out of date."
  handler         = "tvguide_consumer.feed_rebuild_handler.lambda_handler"
  artifact_path   = "${var.shared.artifacts}/consumer.zip"
  timeout_seconds = 600
  environment     = { for k, v in var.shared.environment : k => v if contains(["TABLE_NAME", "JOB_TIMEOUT_MINUTES"], k) }

  async_dead_letter_arn  = var.shared.async_dead_letter_arn
  invoked_asynchronously = true
  invokes_itself         = true

  schedule = {
    expression  = "rate(1 hour)"
    description = "Rebuild the feed index if it is older than the code (otherwise nothing happens)."
  }

  policy_statements = concat([var.shared.job_tracking], [
    {
      sid       = "ReadSourcesRowsAndIndexVersion"
      actions   = ["dynamodb:Query", "dynamodb:GetItem"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["REF#SOURCE", "SOURCE#*", "FEEDINDEX"]
      }]
    },
    {
      sid       = "WriteFeedAndIndexVersion"
      actions   = ["dynamodb:PutItem"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["FEED#*", "FEEDINDEX"]
      }]
    },
    {
      # The version of each feed it rewrote (readers rebuild the feed's head), and titles' names in the
      # search shards with their versions.
      sid       = "TellFeedHeadsAndSearch"
      actions   = ["dynamodb:UpdateItem"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["FEEDHEAD#*", "SEARCHSHARD#*", "SEARCHINDEX"]
      }]
    },
  ])
}

moved {
  from = aws_cloudwatch_metric_alarm.search_shard_full
  to   = module.function.aws_cloudwatch_metric_alarm.counted["search_shard_full"]
}
