# The viewer API: the preferences-api function behind a REST API with the Cognito authorizer.

module "function" {
  source = "../lambda-function"
  stack  = var.shared

  name            = "${var.shared.name_prefix}-preferences-api"
  description     = "Viewer API: sources, genres, preferences, titles, recommendations."
  handler         = "tvguide_preferences_api.handler.lambda_handler"
  artifact_path   = "${var.shared.artifacts}/preferences-api.zip"
  timeout_seconds = 15
  memory_mb       = 512
  # Only the settings this service reads (tvguide_preferences_api): the table, the allowed origins, push,
  # and Watchmode (an import's search for the titles the guide does not know, within the credit budget).
  environment = merge(
    {
      TABLE_NAME           = var.shared.environment["TABLE_NAME"]
      CORS_ALLOWED_ORIGINS = join(",", var.cors_allowed_origins)
      WEB_PUSH_SECRET_ARN  = var.web_push.secret_arn
      PUSH_SERVICE_ORIGINS = join(",", var.web_push.service_origins)
    },
    { for k, v in var.shared.environment : k => v if contains([
      "WATCHMODE_BASE_URL", "WATCHMODE_SECRET_ARN", "WATCHMODE_RATE_LIMIT_PER_MINUTE", "WATCHMODE_PACE_FRACTION",
      "WATCHMODE_MONTHLY_CREDIT_BUDGET",
    ], k) },
  )

  policy_statements = [
    var.shared.watchmode_budget,
    {
      sid       = "ReadWatchmodeKey"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [var.shared.watchmode_secret_arn]
    },
    {
      sid       = "ReadCatalogueAndPreferences"
      actions   = ["dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchGetItem"]
      resources = [var.shared.table_arn, "${var.shared.table_arn}/index/feed_title", "${var.shared.table_arn}/index/feed_rating", "${var.shared.table_arn}/index/feed_year"]
    },
    {
      # Only viewers' own items (keyed USER#): preferences, watchlist entries, alert settings, alerts read,
      # push devices, the calendar link, watchlist imports; the link's lookup item (keyed by its token's
      # hash); households
      # (their partition) and their invites' lookup items (keyed by the token's hash).
      sid       = "WriteViewersItems"
      actions   = ["dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["USER#*", "CALENDAR_FEED#*", "HOUSEHOLD#*", "HOUSEHOLD_INVITE#*"]
      }]
    },
    {
      # The VAPID key pair: read, and put once (its first version) when a site first asks for the public key.
      sid       = "ReadAndMakePushKeys"
      actions   = ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"]
      resources = [var.web_push.secret_arn]
    },
    {
      # The feed heads a page finds out of date, rebuilt for the next reader (see libs/tvguide/feed/heads.py).
      sid       = "RebuildFeedHeads"
      actions   = ["dynamodb:UpdateItem"]
      resources = [var.shared.table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = ["FEEDHEAD#*"]
      }]
    },
  ]
}

module "api" {
  source = "../rest-api"

  name                = "${var.shared.name_prefix}-preferences-api"
  description         = "UK TV Guide viewer API"
  function            = module.function
  user_pool_arn       = var.user_pool_arn
  cors_allowed_origin = var.cors_allowed_origins[0]
  throttle            = var.throttle
  log_retention_days  = var.shared.log_retention_days
  tags                = var.shared.tags

  public_routes = [
    { path = "sources", methods = ["GET"] },
    { path = "genres", methods = ["GET"] },
    # A calendar link's feed: its token (a path parameter) is the key.
    { path = "calendar-feeds", methods = ["GET"], parameter = "token" },
  ]
}
