# UK TV Guide: the root configuration, applied unchanged locally (tflocal + emulator) and to AWS.
# Local and AWS differ only in variables (environments/*.tfvars) and backend configuration.

locals {
  tags = merge(var.tags, {
    Project     = "uk-tv-guide"
    Stack       = var.name_prefix
    Environment = var.environment
    ManagedBy   = "terraform"
  })
  artifacts = abspath(startswith(var.artifacts_dir, "/") ? var.artifacts_dir : "${path.root}/${var.artifacts_dir}")
  site_dir  = abspath(startswith(var.site_dir, "/") ? var.site_dir : "${path.root}/${var.site_dir}")
  # The site's own origin first: the gateways' error responses carry the first allowed origin.
  cors_allowed_origins = distinct(concat([module.website.site_origin], var.cors_allowed_origins))

  # Settings every function reads; each is set explicitly (see libs/tvguide/settings.py).
  function_environment = {
    TABLE_NAME                      = module.data_plane.table_name
    TITLE_STREAM_NAME               = module.data_plane.title_stream_name
    WATCHMODE_BASE_URL              = var.watchmode_base_url
    WATCHMODE_SECRET_ARN            = module.data_plane.watchmode_secret_arn
    WATCHMODE_RATE_LIMIT_PER_MINUTE = tostring(var.watchmode_rate_limit_per_minute)
    WATCHMODE_PACE_FRACTION         = tostring(var.watchmode_pace_fraction)
    REGIONS                         = join(",", var.regions)
    INGESTION_MAX_PAGES_PER_SOURCE  = tostring(var.ingestion_max_pages_per_source)
    ENRICHMENT_STALE_DAYS           = tostring(var.enrichment_stale_days)
    ENRICHMENT_WORKERS              = "4"
    JOB_TIMEOUT_MINUTES             = tostring(var.job_timeout_minutes)
    INGESTION_REFRESH_HOURS         = tostring(var.ingestion_refresh_hours)
    # The monthly Watchmode credit budget (0: none); every caller shares the rate limit (one bucket).
    WATCHMODE_MONTHLY_CREDIT_BUDGET  = tostring(var.watchmode_monthly_credit_budget)
    INGESTION_SOURCES_PER_INVOCATION = tostring(var.ingestion_sources_per_invocation)
  }
}

locals {
  # What every service module shares (its `shared` variable).
  shared = {
    name_prefix = var.name_prefix
    # What every service's functions read and write: the built zips, the table, the Watchmode key and the
    # dead-letter queue of asynchronous invocations.
    artifacts             = local.artifacts
    table_arn             = module.data_plane.table_arn
    watchmode_secret_arn  = module.data_plane.watchmode_secret_arn
    async_dead_letter_arn = module.data_plane.dlq_arns["async"]
    layer_arn             = aws_lambda_layer_version.shared.arn
    # Named through the objects, so every function is created after every zip is uploaded.
    artifact_bucket    = one(distinct([for o in aws_s3_object.artifact : o.bucket]))
    architecture       = var.lambda_architecture
    environment        = local.function_environment
    log_retention_days = var.log_retention_days
    log_level          = var.log_level
    alarm_actions      = [aws_sns_topic.alarms.arn]
    tags               = local.tags
    # On AWS the deploy role may only create roles that carry the bootstrap's product boundary.
    permissions_boundary = var.permissions_boundary_arn
    # Every function a job passes through reads and updates job records and locks, and nothing else
    # through this statement: the items' partition keys must start with JOB# or JOBLOCK#.
    job_tracking = {
      sid       = "TrackJobs"
      actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
      resources = [module.data_plane.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["JOB#*", "JOBLOCK#*"]
      }]
    }
    # Every function that calls Watchmode shares the rate limit and the month's credits through two kinds
    # of item (libs/tvguide/watchmode_budget.py), and nothing else through this statement.
    watchmode_budget = {
      sid       = "ShareWatchmodeBudget"
      actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
      resources = [module.data_plane.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["WATCHMODE#RATE", "WATCHMODE#CREDITS"]
      }]
    }
  }
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name_prefix}-alarms"
  kms_master_key_id = "alias/aws/sns"
}

# Someone hears the alarms: an email subscription (confirmed from the email AWS sends) when one is set.
resource "aws_sns_topic_subscription" "alarm_email" {
  count     = var.alarm_email != "" ? 1 : 0
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

module "data_plane" {
  source = "./modules/data-plane"

  name_prefix            = var.name_prefix
  kinesis_encryption     = var.kinesis_encryption
  point_in_time_recovery = var.point_in_time_recovery
  deletion_protection    = var.deletion_protection
  alarm_actions          = [aws_sns_topic.alarms.arn]
  tags                   = local.tags

  secret_recovery_window_days = var.secret_recovery_window_days
}

resource "aws_lambda_layer_version" "shared" {
  layer_name               = "${var.name_prefix}-tvguide"
  description              = "The shared tvguide package and its dependencies."
  s3_bucket                = aws_s3_object.artifact["layer.zip"].bucket
  s3_key                   = aws_s3_object.artifact["layer.zip"].key
  source_code_hash         = filebase64sha256("${local.artifacts}/layer.zip")
  compatible_runtimes      = ["python3.12"]
  compatible_architectures = [var.lambda_architecture]
}

module "reference" {
  source = "./modules/reference"
  shared = local.shared

  schedule_expression = var.reference_schedule
}

module "ingestion" {
  source = "./modules/ingestion"
  shared = local.shared

  title_stream_arn    = module.data_plane.title_stream_arn
  table_stream_arn    = module.data_plane.table_stream_arn
  schedule_expression = var.ingestion_schedule
}

module "consumer" {
  source = "./modules/consumer"
  shared = local.shared

  dlq_url             = module.data_plane.dlq_urls["consumer"]
  title_stream_arn    = module.data_plane.title_stream_arn
  dlq_arn             = module.data_plane.dlq_arns["consumer"]
  enrichment_function = { name = module.enrichment.service.functions.enrichment.function_name, arn = module.enrichment.service.functions.enrichment.function_arn }
}

module "enrichment" {
  source = "./modules/enrichment"
  shared = local.shared

  reserved_concurrency = var.enrichment_reserved_concurrency
  worker_schedule      = var.enrichment_worker_schedule
}

module "notifier" {
  source = "./modules/notifier"
  shared = local.shared

  table_stream_arn   = module.data_plane.table_stream_arn
  dlq_arn            = module.data_plane.dlq_arns["async"]
  alert_sender_email = var.alert_sender_email
  site_url           = module.website.site_url
  web_push           = local.web_push
}

module "identity" {
  source = "./modules/identity"

  name_prefix                  = var.name_prefix
  self_signup_enabled          = var.self_signup_enabled
  callback_urls                = distinct(concat([module.website.site_url], var.site_callback_urls))
  hosted_ui_domain_prefix      = var.hosted_ui_domain_prefix
  google_client_id             = var.google_client_id
  google_client_secret_version = var.google_client_secret_version
  deletion_protection          = var.deletion_protection
  tags                         = local.tags
}

module "preferences_api" {
  source = "./modules/preferences-api"
  shared = local.shared

  user_pool_arn        = module.identity.user_pool_arn
  cors_allowed_origins = local.cors_allowed_origins
  throttle             = local.api_throttle
  web_push             = local.web_push
}

module "admin_api" {
  source = "./modules/admin-api"
  shared = local.shared

  table_name        = module.data_plane.table_name
  title_stream_name = module.data_plane.title_stream_name
  title_stream_arn  = module.data_plane.title_stream_arn
  product_functions = { for role, function in local.product_functions : role => function.function_name }
  dead_letter_queues = {
    for name, url in module.data_plane.dlq_urls : name => { url = url, arn = module.data_plane.dlq_arns[name] }
  }
  user_pool_arn        = module.identity.user_pool_arn
  admin_group          = var.admin_group
  job_timeout_minutes  = var.job_timeout_minutes
  cors_allowed_origins = local.cors_allowed_origins
  throttle             = local.api_throttle
}

module "api_firewall" {
  source = "./modules/api-firewall"

  name_prefix = var.name_prefix
  stage_arns = {
    preferences_api = module.preferences_api.service.api.stage_arn
    admin_api       = module.admin_api.service.api.stage_arn
  }
  requests_per_caller_per_minute  = var.api_requests_per_caller_per_minute
  requests_per_address_per_minute = var.api_requests_per_address_per_minute
  allowed_origin                  = module.website.site_origin
  tags                            = local.tags
}

module "website" {
  source = "./modules/website"

  name_prefix            = var.name_prefix
  site_dir               = local.site_dir
  enable_cdn             = var.site_enable_cdn
  cdn_local_host         = var.site_cdn_local_host
  bucket_endpoint        = var.site_bucket_endpoint
  viewer_protocol_policy = var.site_viewer_protocol_policy
  require_tls            = var.site_bucket_require_tls
  csp_connect_sources = length(var.site_connect_sources) > 0 ? var.site_connect_sources : compact([
    "https://*.execute-api.${var.aws_region}.amazonaws.com",
    "https://cognito-idp.${var.aws_region}.amazonaws.com",
    var.hosted_ui_domain_prefix == "" ? "" : "https://${var.hosted_ui_domain_prefix}.auth.${var.aws_region}.amazoncognito.com",
  ])
  csp_image_sources = var.site_image_sources
  tags              = local.tags
}

locals {
  # Every function the service modules made, by role (each the lambda-function module's outputs); the admin
  # API watches and invokes the others.
  product_functions = merge(
    module.reference.service.functions,
    module.ingestion.service.functions,
    module.notifier.service.functions,
    module.consumer.service.functions,
    module.enrichment.service.functions,
    module.preferences_api.service.functions,
  )
  functions    = merge(local.product_functions, module.admin_api.service.functions)
  api_throttle = { rate_limit = var.api_throttle_rate_limit, burst_limit = var.api_throttle_burst_limit }
  web_push = {
    secret_arn      = module.data_plane.web_push_secret_arn
    service_origins = var.push_service_origins
    contact         = var.push_contact
  }
}
