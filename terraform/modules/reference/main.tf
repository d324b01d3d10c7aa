# The reference service: refreshes sources and genres from Watchmode on a schedule.

module "function" {
  source = "../lambda-function"

  name               = "${var.name_prefix}-reference"
  description        = "Loads streaming sources and genres from Watchmode into the table."
  handler            = "tvguide_reference.handler.lambda_handler"
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
      sid       = "ReadWriteReferenceRows"
      actions   = ["dynamodb:Query", "dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
      resources = [var.table_arn]
    },
    {
      sid       = "ReadWatchmodeKey"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [var.watchmode_secret_arn]
    },
  ]
}

resource "aws_cloudwatch_event_rule" "schedule" {
  name                = "${var.name_prefix}-reference-schedule"
  description         = "Refresh sources and genres."
  schedule_expression = var.schedule_expression
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  rule = aws_cloudwatch_event_rule.schedule.name
  arn  = module.function.function_arn
}

resource "aws_lambda_permission" "schedule" {
  statement_id  = "AllowScheduledRefresh"
  action        = "lambda:InvokeFunction"
  function_name = module.function.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule.arn
}
