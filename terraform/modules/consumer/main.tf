# The consumer service: stores title events from Kinesis in the table.

module "function" {
  source = "../lambda-function"

  name               = "${var.name_prefix}-consumer"
  description        = "Upserts title events into the table and maintains the availability index."
  handler            = "tvguide_consumer.handler.lambda_handler"
  artifact_path      = var.artifact_path
  layer_arns         = [var.layer_arn]
  architecture       = var.architecture
  timeout_seconds    = 120
  environment        = var.environment
  log_retention_days = var.log_retention_days
  log_level          = var.log_level
  alarm_actions      = var.alarm_actions
  tags               = var.tags

  policy_statements = [
    {
      sid       = "ReadTitleStream"
      actions   = ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards"]
      resources = [var.title_stream_arn]
    },
    {
      sid       = "WriteTitlesAndAvailability"
      actions   = ["dynamodb:BatchGetItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
      resources = [var.table_arn]
    },
    {
      sid       = "DeadLetter"
      actions   = ["sqs:SendMessage"]
      resources = [var.dlq_arn]
    },
  ]
}

resource "aws_lambda_event_source_mapping" "titles" {
  event_source_arn                   = var.title_stream_arn
  function_name                      = module.function.function_arn
  starting_position                  = "TRIM_HORIZON"
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = 1
  function_response_types            = ["ReportBatchItemFailures"]
  bisect_batch_on_function_error     = true
  maximum_retry_attempts             = var.maximum_retry_attempts
  maximum_record_age_in_seconds      = var.maximum_record_age_seconds

  destination_config {
    on_failure {
      destination_arn = var.dlq_arn
    }
  }
}
