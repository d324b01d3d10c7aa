# The admin API: the admin-api function behind its own REST API with the same Cognito authorizer as the
# viewer API. The function itself checks membership of the admin group on every route (403 otherwise).
# A separate API keeps the admin surface apart: its own stage, throttling, access logs and URL.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  function_name = "${var.shared.name_prefix}-admin-api"
  arn_base      = "${data.aws_partition.current.partition}:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
  # Every product function, this one included (its name is known before it exists).
  functions = merge(var.product_functions, { admin_api = local.function_name })
  # The functions that run jobs: the admin function may invoke these and nothing else.
  job_function_arns = [
    for role in ["reference", "ingestion", "backfill", "feed_rebuild", "admin_api"] :
    "arn:${data.aws_partition.current.partition}:lambda:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:function:${local.functions[role]}"
  ]
  log_group_arns = [
    for name in values(local.functions) : "arn:${local.arn_base}:log-group:/aws/lambda/${name}:*"
  ]
}

module "function" {
  source = "../lambda-function"
  stack  = var.shared

  name            = local.function_name
  description     = "Admin API: jobs, system health, logs, dead letters, Watchmode credits (admins only)."
  handler         = "tvguide_admin_api.handler.lambda_handler"
  artifact_path   = "${var.shared.artifacts}/admin-api.zip"
  timeout_seconds = 60
  memory_mb       = 512
  # Its own settings only (services/admin-api/tvguide_admin_api/settings.py), plus Watchmode's for the
  # credits route.
  environment = {
    TABLE_NAME                      = var.table_name
    TITLE_STREAM_NAME               = var.title_stream_name
    FUNCTIONS                       = jsonencode(local.functions)
    DLQ_URLS                        = jsonencode({ for name, q in var.dead_letter_queues : name => q.url })
    ADMIN_GROUP                     = var.admin_group
    CORS_ALLOWED_ORIGINS            = join(",", var.cors_allowed_origins)
    JOB_TIMEOUT_MINUTES             = tostring(var.job_timeout_minutes)
    WATCHMODE_BASE_URL              = var.shared.environment["WATCHMODE_BASE_URL"]
    WATCHMODE_SECRET_ARN            = var.shared.watchmode_secret_arn
    WATCHMODE_RATE_LIMIT_PER_MINUTE = var.shared.environment["WATCHMODE_RATE_LIMIT_PER_MINUTE"]
    WATCHMODE_PACE_FRACTION         = var.shared.environment["WATCHMODE_PACE_FRACTION"]
    WATCHMODE_MONTHLY_CREDIT_BUDGET = var.shared.environment["WATCHMODE_MONTHLY_CREDIT_BUDGET"]
  }

  # It runs the summary job when it invokes itself asynchronously.
  async_dead_letter_arn  = var.shared.async_dead_letter_arn
  invoked_asynchronously = true

  policy_statements = [
    {
      # Reads anywhere (the summary counts every item; the screen shows jobs, queue, credits, health).
      sid       = "JobsAuditAndSummary"
      actions   = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:DescribeTable"]
      resources = [var.shared.table_arn, "${var.shared.table_arn}/index/gsi1"]
    },
    {
      # Writes only its own items: jobs and their locks, the audit trail, the summary report, and tokens
      # from the account's Watchmode rate bucket (the status call, which costs no credit, is paced too).
      sid       = "WriteJobsAuditAndSummary"
      actions   = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["JOB#*", "JOBLOCK#*", "AUDIT#*", "REPORT#SUMMARY", "WATCHMODE#RATE"]
      }]
    },
    {
      sid       = "StartJobs"
      actions   = ["lambda:InvokeFunction"]
      resources = local.job_function_arns
    },
    {
      sid       = "ReadProductLogs"
      actions   = ["logs:DescribeLogStreams", "logs:GetLogEvents"]
      resources = local.log_group_arns
    },
    {
      sid       = "DeadLetters"
      actions   = ["sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
      resources = [for q in values(var.dead_letter_queues) : q.arn]
    },
    {
      sid       = "RedriveTitleEvents"
      actions   = ["kinesis:PutRecord", "kinesis:GetShardIterator", "kinesis:GetRecords"]
      resources = [var.title_stream_arn]
    },
    {
      sid       = "ReadWatchmodeKey"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [var.shared.watchmode_secret_arn]
    },
    {
      # GetMetricData has no resource-level permissions: AWS accepts only "*" here. It reads metrics
      # only (no writes), and the function asks only for the product's functions' AWS/Lambda metrics.
      sid       = "ReadFunctionMetrics"
      actions   = ["cloudwatch:GetMetricData"]
      resources = ["*"]
    },
  ]
}

module "api" {
  source = "../rest-api"

  name                = "${var.shared.name_prefix}-admin-api"
  description         = "UK TV Guide admin API (SecurityAdmins only)"
  function            = module.function
  user_pool_arn       = var.user_pool_arn
  cors_allowed_origin = var.cors_allowed_origins[0]
  throttle            = var.throttle
  log_retention_days  = var.shared.log_retention_days
  tags                = var.shared.tags
}
