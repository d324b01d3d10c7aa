# A REST API (API Gateway v1) in front of one Lambda function (proxy integration):
# - listed public top-level routes without auth; everything else ({proxy+}) behind the Cognito authorizer;
# - OPTIONS everywhere without auth, answered by the function (CORS preflight);
# - the gateway's own errors (401, 403, 404, 429, 5xx) as JSON with CORS headers;
# - a deployment re-created whenever anything the API is made of changes; a throttled stage with access logs.

locals {
  public = { for r in var.public_routes : r.path => r }
  # A route with a parameter is served at <path>/{<parameter>} (its methods are there, not on <path>).
  parameterised = { for r in var.public_routes : r.path => r if r.parameter != null }
  public_methods = merge([
    for r in var.public_routes : { for m in concat(r.methods, ["OPTIONS"]) : "${r.path} ${m}" => { path = r.path, method = m } }
  ]...)
  cors_headers = {
    # The request's own origin: a gateway response cannot test it against the allowed list, and these
    # bodies carry no data (just the error's message) and allow no credentials, so echoing it exposes
    # nothing, while a site on any allowed origin can read its 401s, 403s and 429s.
    "gatewayresponse.header.Access-Control-Allow-Origin"  = "method.request.header.Origin"
    "gatewayresponse.header.Vary"                         = "'Origin'"
    "gatewayresponse.header.Access-Control-Allow-Headers" = "'Content-Type,Authorization'"
    "gatewayresponse.header.Access-Control-Allow-Methods" = "'GET,PUT,POST,OPTIONS'"
  }
  gateway_responses = {
    DEFAULT_4XX                    = null
    DEFAULT_5XX                    = null
    UNAUTHORIZED                   = "401"
    ACCESS_DENIED                  = "403"
    MISSING_AUTHENTICATION_TOKEN   = "404"
    THROTTLED                      = "429"
    INTEGRATION_FAILURE            = "502"
    INTEGRATION_TIMEOUT            = "504"
    BAD_REQUEST_BODY               = "400"
    BAD_REQUEST_PARAMETERS         = "400"
    REQUEST_TOO_LARGE              = "413"
    AUTHORIZER_CONFIGURATION_ERROR = "500"
  }
}

resource "aws_api_gateway_rest_api" "this" {
  name        = var.name
  description = var.description

  lifecycle {
    create_before_destroy = true
  }

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  tags = var.tags
}

resource "aws_api_gateway_authorizer" "cognito" {
  name            = "${var.name}-cognito"
  rest_api_id     = aws_api_gateway_rest_api.this.id
  type            = "COGNITO_USER_POOLS"
  provider_arns   = [var.user_pool_arn]
  identity_source = "method.request.header.Authorization"
}

# --- public routes -----------------------------------------------------------------------------------------

resource "aws_api_gateway_resource" "public" {
  for_each    = local.public
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = each.key
}

resource "aws_api_gateway_resource" "public_parameter" {
  for_each    = local.parameterised
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.public[each.key].id
  path_part   = "{${each.value.parameter}}"
}

resource "aws_api_gateway_method" "public" {
  # checkov:skip=CKV_AWS_59:Public by design (contract): reference data and CORS preflight need no sign-in.
  # checkov:skip=CKV2_AWS_53:The function validates every request (Powertools + pydantic) and answers 400 with the reason.
  for_each      = local.public_methods
  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = local.public_resource_ids[each.value.path]
  http_method   = each.value.method
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "public" {
  for_each                = local.public_methods
  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = local.public_resource_ids[each.value.path]
  http_method             = aws_api_gateway_method.public[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.function.invoke_arn
}

locals {
  public_resource_ids = {
    for path, r in local.public : path => (
      r.parameter != null ? aws_api_gateway_resource.public_parameter[path].id : aws_api_gateway_resource.public[path].id
    )
  }
}

# --- everything else: signed in ------------------------------------------------------------------------------

resource "aws_api_gateway_resource" "proxy" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = "{proxy+}"
}

resource "aws_api_gateway_method" "proxy" {
  # checkov:skip=CKV2_AWS_53:The function validates every request (Powertools + pydantic) and answers 400 with the reason.
  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = aws_api_gateway_resource.proxy.id
  http_method   = "ANY"
  authorization = "COGNITO_USER_POOLS"
  authorizer_id = aws_api_gateway_authorizer.cognito.id
}

resource "aws_api_gateway_method" "proxy_options" {
  # checkov:skip=CKV_AWS_59:CORS preflight must work without a token; the function answers it with headers only.
  # checkov:skip=CKV2_AWS_53:The function validates every request (Powertools + pydantic) and answers 400 with the reason.
  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = aws_api_gateway_resource.proxy.id
  http_method   = "OPTIONS"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "proxy" {
  for_each = {
    ANY     = aws_api_gateway_method.proxy.http_method
    OPTIONS = aws_api_gateway_method.proxy_options.http_method
  }
  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_resource.proxy.id
  http_method             = each.value
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.function.invoke_arn
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowApiGateway-${var.name}"
  action        = "lambda:InvokeFunction"
  function_name = var.function.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/*/*"
}

resource "aws_api_gateway_gateway_response" "json_with_cors" {
  for_each            = local.gateway_responses
  rest_api_id         = aws_api_gateway_rest_api.this.id
  response_type       = each.key
  status_code         = each.value
  response_parameters = local.cors_headers
  response_templates = {
    "application/json" = "{\"message\": $context.error.messageString}"
  }
}

# --- deployment and stage ----------------------------------------------------------------------------------

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  # Stages serve a snapshot: re-deploy whenever anything the API is made of changes.
  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_authorizer.cognito,
      aws_api_gateway_resource.public,
      aws_api_gateway_resource.public_parameter,
      aws_api_gateway_method.public,
      aws_api_gateway_integration.public,
      aws_api_gateway_resource.proxy,
      aws_api_gateway_method.proxy,
      aws_api_gateway_method.proxy_options,
      aws_api_gateway_integration.proxy,
      aws_api_gateway_gateway_response.json_with_cors,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "access" {
  # checkov:skip=CKV_AWS_158:Access logs hold no tokens; encrypted at rest by CloudWatch.
  # checkov:skip=CKV_AWS_338:Operational logs; retention is the log_retention_days variable.
  name              = "/aws/apigateway/${var.name}/access"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_api_gateway_stage" "this" {
  # checkov:skip=CKV_AWS_73:Powertools logs and access logs trace requests; X-Ray is optional cost.
  # checkov:skip=CKV_AWS_120:Responses are per signed-in viewer; a shared cache would need per-user keys.
  # checkov:skip=CKV2_AWS_51:Browser clients authenticate with Cognito tokens, not client certificates.
  # checkov:skip=CKV2_AWS_29:The web ACL is associated in modules/api-firewall (root module), which checkov does not follow.
  rest_api_id   = aws_api_gateway_rest_api.this.id
  deployment_id = aws_api_gateway_deployment.this.id
  stage_name    = var.stage_name

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId = "$context.requestId", ip = "$context.identity.sourceIp", time = "$context.requestTime",
      method    = "$context.httpMethod", path = "$context.resourcePath", status = "$context.status",
      latencyMs = "$context.responseLatency", error = "$context.error.message", sub = "$context.authorizer.claims.sub"
    })
  }

  tags = var.tags
}

resource "aws_api_gateway_method_settings" "all" {
  # checkov:skip=CKV_AWS_225:No caching (per-user responses), so there is no cache to encrypt.
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = true
    logging_level          = "ERROR" # execution errors only: no request or response data (tokens) logged
    throttling_rate_limit  = var.throttle.rate_limit
    throttling_burst_limit = var.throttle.burst_limit
  }
}
