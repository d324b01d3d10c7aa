# One Lambda function with its own role (least privilege), log group (retention) and error alarm.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  log_group_arn = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:/aws/lambda/${var.name}"
  # Known before the function exists, so the function's own policy can name it (continuations).
  function_arn = "arn:${data.aws_partition.current.partition}:lambda:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:function:${var.name}"
}

resource "aws_cloudwatch_log_group" "this" {
  # checkov:skip=CKV_AWS_158:Logs are redacted (no tokens or keys) and encrypted at rest by CloudWatch; a CMK adds cost only.
  # checkov:skip=CKV_AWS_338:Operational logs; retention is the log_retention_days variable, not an audit trail.
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.stack.log_retention_days
  tags              = var.stack.tags
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.stack.permissions_boundary
  tags                 = var.stack.tags
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }

  dynamic "statement" {
    for_each = var.async_dead_letter_arn == null ? [] : [var.async_dead_letter_arn]
    content {
      sid       = "AsyncDeadLetter"
      actions   = ["sqs:SendMessage"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.invokes_itself ? [local.function_arn] : []
    content {
      sid       = "ContinueInANewInvocation"
      actions   = ["lambda:InvokeFunction"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.policy_statements
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.name}-least-privilege"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

resource "aws_lambda_function" "this" {
  # checkov:skip=CKV_AWS_117:Reaches only AWS public endpoints and Watchmode; a VPC would add NAT cost and nothing else.
  # checkov:skip=CKV_AWS_272:Artifacts are built deterministically and deployed only by the OIDC pipeline; no signing profile.
  # checkov:skip=CKV_AWS_173:The environment holds names and URLs only; the Watchmode key lives in Secrets Manager.
  # checkov:skip=CKV_AWS_116:Set for asynchronously invoked functions (async_dead_letter_arn); stream and API functions have none to give.
  function_name = var.name
  description   = var.description
  role          = aws_iam_role.this.arn
  handler       = var.handler
  runtime       = "python3.12"
  architectures = [var.stack.architecture]
  # The code is read from the artifacts bucket, not uploaded from a local file: the provider uploads local
  # files one function at a time (a lock held until each function is active), S3 objects side by side.
  s3_bucket                      = var.stack.artifact_bucket
  s3_key                         = basename(var.artifact_path)
  source_code_hash               = filebase64sha256(var.artifact_path)
  layers                         = [var.stack.layer_arn]
  memory_size                    = var.memory_mb
  timeout                        = var.timeout_seconds
  reserved_concurrent_executions = var.reserved_concurrency

  environment {
    variables = merge(var.environment, {
      POWERTOOLS_SERVICE_NAME = var.name
      POWERTOOLS_LOG_LEVEL    = var.stack.log_level
    })
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  tracing_config {
    mode = "PassThrough"
  }

  dynamic "dead_letter_config" {
    for_each = var.async_dead_letter_arn == null ? [] : [var.async_dead_letter_arn]
    content {
      target_arn = dead_letter_config.value
    }
  }

  tags = var.stack.tags

  depends_on = [aws_iam_role_policy.this]
}

# Asynchronously invoked functions (schedules, admin jobs) are never re-run by Lambda: a failed job is
# recorded on the job and in the dead-letter queue, and re-run by an admin (redrive) if wanted. A retry
# would repeat the whole run and spend its Watchmode credits again.
resource "aws_lambda_function_event_invoke_config" "this" {
  count                        = var.invoked_asynchronously ? 1 : 0
  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = var.async_max_retries
  maximum_event_age_in_seconds = 3600
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "${var.name}-errors"
  alarm_description   = "${var.name} reported errors."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.stack.alarm_actions
  ok_actions          = var.stack.alarm_actions
  tags                = var.stack.tags
}

resource "aws_cloudwatch_event_rule" "schedule" {
  count               = var.schedule == null ? 0 : 1
  name                = "${var.name}-schedule"
  description         = var.schedule.description
  schedule_expression = var.schedule.expression
  tags                = var.stack.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  count = var.schedule == null ? 0 : 1
  rule  = aws_cloudwatch_event_rule.schedule[0].name
  arn   = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "schedule" {
  count         = var.schedule == null ? 0 : 1
  statement_id  = "AllowSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule[0].arn
}

resource "aws_lambda_event_source_mapping" "stream" {
  count                              = var.stream_source == null ? 0 : 1
  event_source_arn                   = var.stream_source.event_source_arn
  function_name                      = aws_lambda_function.this.arn
  starting_position                  = "TRIM_HORIZON"
  batch_size                         = var.stream_source.batch_size
  maximum_batching_window_in_seconds = 1
  parallelization_factor             = var.stream_source.parallelization_factor
  function_response_types            = ["ReportBatchItemFailures"]
  bisect_batch_on_function_error     = true
  maximum_retry_attempts             = var.stream_source.maximum_retry_attempts
  maximum_record_age_in_seconds      = var.stream_source.maximum_record_age_seconds

  dynamic "filter_criteria" {
    for_each = var.stream_source.filter_pattern == null ? [] : [var.stream_source.filter_pattern]
    content {
      filter {
        pattern = filter_criteria.value
      }
    }
  }

  destination_config {
    on_failure {
      destination_arn = var.stream_source.on_failure_arn
    }
  }
}

# A stream mapping that falls behind: records waiting longer than `iterator_age_alarm_seconds` (the newest
# batch's oldest record, as Lambda reports it). The mappings never drop work for its age (a record age of -1),
# so a backlog shows here rather than as lost records.
resource "aws_cloudwatch_metric_alarm" "iterator_age" {
  count               = var.stream_source == null ? 0 : 1
  alarm_name          = "${var.name}-iterator-age"
  alarm_description   = "${var.name} is more than ${var.stream_source.iterator_age_alarm_seconds} s behind its stream."
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  threshold           = var.stream_source.iterator_age_alarm_seconds * 1000
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.stack.alarm_actions
  ok_actions          = var.stack.alarm_actions
  tags                = var.stack.tags
}

# Counts the function keeps itself (EMF metrics): any in an hour (or past the threshold) is worth a look.
resource "aws_cloudwatch_metric_alarm" "counted" {
  for_each            = var.metric_alarms
  alarm_name          = each.value.name
  alarm_description   = each.value.description
  namespace           = "UKTVGuide"
  metric_name         = each.value.metric
  dimensions          = { service = var.metrics_service }
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.stack.alarm_actions
  ok_actions          = var.stack.alarm_actions
  tags                = var.stack.tags
}
