# The notifier service: availability changes (the table's stream, filtered to them) become alerts for the
# viewers who watchlisted the title, and emails through SES for those who opted in.

locals {
  email_enabled = var.alert_sender_email != ""
  # Both functions email, only from the configured sender.
  send_as_sender = local.email_enabled ? [{
    sid       = "SendAlertEmails"
    actions   = ["ses:SendEmail"]
    resources = [aws_ses_email_identity.sender[0].arn]
    conditions = [{
      test     = "StringEquals"
      variable = "ses:FromAddress"
      values   = [var.alert_sender_email]
    }]
  }] : []
}

module "function" {
  source = "../lambda-function"
  stack  = var.shared

  name            = "${var.shared.name_prefix}-notifier"
  description     = "Alerts a title's watchers when it arrives on or leaves one of their sources."
  handler         = "tvguide_notifier.handler.lambda_handler"
  artifact_path   = "${var.shared.artifacts}/notifier.zip"
  timeout_seconds = 60
  environment = merge(
    { for k, v in var.shared.environment : k => v if contains(["TABLE_NAME"], k) },
    { ALERT_SENDER_EMAIL = var.alert_sender_email, SITE_URL = var.site_url },
    {
      WEB_PUSH_SECRET_ARN  = var.web_push.secret_arn
      PUSH_SERVICE_ORIGINS = join(",", var.web_push.service_origins)
      PUSH_CONTACT         = var.web_push.contact
    },
  )

  stream_source = {
    event_source_arn       = var.table_stream_arn
    batch_size             = 50
    maximum_retry_attempts = 5
    on_failure_arn         = var.dlq_arn
    filter_pattern = jsonencode({
      eventName = ["INSERT"]
      dynamodb  = { NewImage = { kind = { S = ["AVAILABILITY_CHANGE"] } } }
    })
  }

  policy_statements = concat([
    {
      sid       = "ReadTableStream"
      actions   = ["dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"]
      resources = [var.table_stream_arn]
    },
    {
      # A title's watchers: one Query on the index.
      sid       = "FindWatchers"
      actions   = ["dynamodb:Query"]
      resources = ["${var.shared.table_arn}/index/gsi1"]
    },
    {
      # Watchers' preferences and alert settings, source names, and alerts (created once, marked emailed).
      sid       = "ReadViewersAndSources"
      actions   = ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["USER#*", "REF#SOURCE"]
      }]
    },
    {
      sid       = "WriteAlerts"
      actions   = ["dynamodb:PutItem", "dynamodb:UpdateItem"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["USER#*"]
      }]
    },
    {
      # The VAPID keys, to sign pushes (the viewer API makes them).
      sid       = "ReadPushKeys"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [var.web_push.secret_arn]
    },
    {
      sid       = "RecordFailedBatches"
      actions   = ["sqs:SendMessage"]
      resources = [var.dlq_arn]
    },
  ], local.send_as_sender)
}

# The weekly digest: one email a week to each viewer who chose it instead of an email per alert. It runs
# daily: a viewer's digest goes out on the week's first run, and a digest not sent is tried again the
# next day (the week is claimed per viewer, so never twice).
module "digest" {
  source = "../lambda-function"
  stack  = var.shared

  name            = "${var.shared.name_prefix}-notifier-digest"
  description     = "Emails each viewer who chose a weekly digest what arrived on their services that week."
  handler         = "tvguide_notifier.digest_handler.lambda_handler"
  artifact_path   = "${var.shared.artifacts}/notifier.zip"
  timeout_seconds = 300
  # Only the settings the digest reads (tvguide_notifier.settings.DigestSettings).
  environment = merge(
    { for k, v in var.shared.environment : k => v if contains(["TABLE_NAME"], k) },
    { ALERT_SENDER_EMAIL = var.alert_sender_email, SITE_URL = var.site_url },
  )

  async_dead_letter_arn  = var.shared.async_dead_letter_arn
  invoked_asynchronously = true
  schedule = {
    expression  = var.digest_schedule
    description = "The weekly digest emails (daily run: each viewer once a week)."
  }

  policy_statements = concat([
    {
      # The viewers who chose a weekly digest: one Query on the index.
      sid       = "FindDigestViewers"
      actions   = ["dynamodb:Query"]
      resources = ["${var.shared.table_arn}/index/gsi1"]
    },
    {
      # Their preferences, their sources' arrivals of the week, those titles, the sources' names.
      sid       = "ReadViewersNewsAndTitles"
      actions   = ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["USER#*", "NEWS#*", "TITLE#*", "REF#SOURCE"]
      }]
    },
    {
      # The week each viewer's digest was sent (on their alert settings).
      sid       = "MarkDigestSent"
      actions   = ["dynamodb:UpdateItem"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["USER#*"]
      }]
    },
  ], local.send_as_sender)
}

# Verification is requested when the identity is created (AWS emails the address a link); until it is
# verified, SES refuses to send and the notifier reports the change failed, so it is retried.
resource "aws_ses_email_identity" "sender" {
  count = local.email_enabled ? 1 : 0
  email = var.alert_sender_email
}
