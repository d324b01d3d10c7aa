# The APIs' firewall: per-caller and per-address rate limits in front of both API stages, so one account (or
# one address) cannot use up the stages' shared throttle and starve the other viewers. AWS WAF counts the
# requests before API Gateway runs the authorizer or a function: a caller past its limit costs nothing more
# and gets a JSON 429 the site can read. (Stage throttling stays: it bounds the total.)

locals {
  too_many = "too_many_requests"
  rules = {
    "per-caller"  = { priority = 1, limit = var.requests_per_caller_per_minute, header = "authorization" }
    "per-address" = { priority = 2, limit = var.requests_per_address_per_minute, header = null }
  }
}

resource "aws_wafv2_web_acl" "this" {
  # checkov:skip=CKV2_AWS_31:Blocked requests are counted in the rules' CloudWatch metrics with sampled requests; full request logs would cost more than they tell here.
  # checkov:skip=CKV_AWS_192:No Java behind these APIs (Python functions): a Log4j rule group would only add cost.
  name        = "${var.name_prefix}-apis"
  description = "Per-caller and per-address rate limits for the viewer and admin APIs."
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  custom_response_body {
    key          = local.too_many
    content_type = "APPLICATION_JSON"
    content      = jsonencode({ message = "Too many requests: wait a minute, then try again." })
  }

  # One signed-in caller (the token it sends: both APIs need one on every signed-in route), and one address,
  # signed in or not (bounds a caller that rotates tokens, and unauthenticated floods).
  dynamic "rule" {
    for_each = local.rules
    content {
      name     = rule.key
      priority = rule.value.priority

      action {
        block {
          custom_response {
            response_code            = 429
            custom_response_body_key = local.too_many
            response_header {
              name  = "Access-Control-Allow-Origin"
              value = var.allowed_origin
            }
            response_header {
              name  = "Retry-After"
              value = "60"
            }
          }
        }
      }

      statement {
        rate_based_statement {
          limit                 = rule.value.limit
          evaluation_window_sec = 60
          aggregate_key_type    = rule.value.header == null ? "IP" : "CUSTOM_KEYS"
          dynamic "custom_key" {
            for_each = rule.value.header == null ? [] : [rule.value.header]
            content {
              header {
                name = custom_key.value
                text_transformation {
                  priority = 0
                  type     = "NONE"
                }
              }
            }
          }
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.name_prefix}-${rule.key}"
        sampled_requests_enabled   = true
      }
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.name_prefix}-apis"
    sampled_requests_enabled   = true
  }

  tags = var.tags
}

resource "aws_wafv2_web_acl_association" "stage" {
  for_each     = var.stage_arns
  resource_arn = each.value
  web_acl_arn  = aws_wafv2_web_acl.this.arn
}
