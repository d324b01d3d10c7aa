# The shared data plane: the single DynamoDB table (with its stream and the sparse index gsi1), the title
# event stream, the Watchmode key secret (its value is set out of band, never by Terraform), and the
# dead-letter queues of the stream consumers, with alarms on DLQ depth and stream lag.

locals {
  feed_orders = { feed_title = "by_title", feed_rating = "by_rating", feed_year = "by_year" }
}

resource "aws_dynamodb_table" "data" {
  # checkov:skip=CKV_AWS_119:Encrypted at rest with the AWS-managed key (aws/dynamodb); a customer-managed key is an option for regulated data, not needed here.
  name             = "${var.name_prefix}-data"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "pk"
  range_key        = "sk"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  deletion_protection_enabled = var.deletion_protection

  # Short-lived items (availability news, alerts, availability changes) carry `purge_at` (epoch seconds);
  # DynamoDB deletes them some time after it, at no cost.
  ttl {
    attribute_name = "purge_at"
    enabled        = true
  }

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }
  attribute {
    name = "gsi1pk"
    type = "S"
  }
  attribute {
    name = "gsi1sk"
    type = "S"
  }

  global_secondary_index {
    name            = "gsi1"
    hash_key        = "gsi1pk"
    range_key       = "gsi1sk"
    projection_type = "ALL"
  }

  # The viewers' feed in each display order (see libs/tvguide/feed.py): partitions FEED#<source>#<genre>,
  # sorted by name, by rating and by year; only the title id and type are kept.
  dynamic "attribute" {
    for_each = local.feed_orders
    content {
      name = attribute.value
      type = "S"
    }
  }

  dynamic "global_secondary_index" {
    for_each = local.feed_orders
    content {
      name               = global_secondary_index.key
      hash_key           = "pk"
      range_key          = global_secondary_index.value
      projection_type    = "INCLUDE"
      non_key_attributes = ["title_id", "type"]
    }
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}

resource "aws_kinesis_stream" "titles" {
  name             = "${var.name_prefix}-titles"
  shard_count      = var.kinesis_shard_count
  retention_period = var.kinesis_retention_hours
  encryption_type  = var.kinesis_encryption ? "KMS" : "NONE"
  kms_key_id       = var.kinesis_encryption ? "alias/aws/kinesis" : null

  stream_mode_details {
    stream_mode = "PROVISIONED"
  }

  tags = var.tags
}

resource "aws_secretsmanager_secret" "watchmode" {
  # checkov:skip=CKV_AWS_149:Encrypted with the AWS-managed key (aws/secretsmanager); IAM grants GetSecretValue on it to the functions that call Watchmode only.
  # checkov:skip=CKV2_AWS_57:A third-party API key: rotated by the operator in Watchmode's dashboard, then put here.
  name                    = "${var.name_prefix}/watchmode-api-key"
  description             = "Watchmode API key as JSON {\"api_key\": \"...\"}; set out of band."
  recovery_window_in_days = var.secret_recovery_window_days
  tags                    = var.tags
}

resource "aws_secretsmanager_secret" "web_push" {
  # checkov:skip=CKV_AWS_149:Encrypted with the AWS-managed key (aws/secretsmanager); IAM grants it to the viewer API (read, put once) and the notifier (read) only.
  # checkov:skip=CKV2_AWS_57:The VAPID key pair: browsers' subscriptions are bound to its public key, so rotating it means every device subscribes again.
  name                    = "${var.name_prefix}/web-push-vapid-keys"
  description             = "The VAPID key pair of Web Push, made by the viewer API the first time a site asks for it (never by Terraform, so never in its state)."
  recovery_window_in_days = var.secret_recovery_window_days
  tags                    = var.tags
}

resource "aws_sqs_queue" "dlq" {
  for_each                  = toset(["consumer", "async"])
  name                      = "${var.name_prefix}-${each.key}-dlq"
  message_retention_seconds = var.dlq_retention_seconds
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  for_each            = aws_sqs_queue.dlq
  alarm_name          = "${each.value.name}-not-empty"
  alarm_description   = "Records that could not be processed are waiting in ${each.value.name}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "iterator_age" {
  alarm_name          = "${aws_kinesis_stream.titles.name}-iterator-age"
  alarm_description   = "The title stream's consumer is falling behind."
  namespace           = "AWS/Kinesis"
  metric_name         = "GetRecords.IteratorAgeMilliseconds"
  dimensions          = { StreamName = aws_kinesis_stream.titles.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  threshold           = var.iterator_age_alarm_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = var.tags
}
