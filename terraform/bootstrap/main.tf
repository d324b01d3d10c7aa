# Applied once by an operator with admin credentials: remote state, GitHub OIDC, and two roles for the
# pipeline — a deploy role for the protected environment and a read-only plan role for pull requests.
# ARNs are built from names (not resource references) so the policies are fully known at plan time.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
  region    = var.aws_region
  oidc_host = "token.actions.githubusercontent.com"
  oidc_arn  = "arn:${local.partition}:iam::${local.account}:oidc-provider/${local.oidc_host}"
  repo      = "${var.github_owner}/${var.github_repository}"
  bucket    = "arn:${local.partition}:s3:::${var.state_bucket_name}"
  p         = var.name_prefix
  arn       = "arn:${local.partition}"
  # The product's roles must carry this boundary (terraform/environments/*.tfvars: permissions_boundary_arn).
  boundary_arn = "arn:${local.partition}:iam::${local.account}:policy/${var.name_prefix}-product-boundary"
  protected_roles = [
    "arn:${local.partition}:iam::${local.account}:role/${var.name_prefix}-github-deploy",
    "arn:${local.partition}:iam::${local.account}:role/${var.name_prefix}-github-plan",
    "arn:${local.partition}:iam::${local.account}:role/${var.name_prefix}-apigateway-cloudwatch",
  ]
}

# --- the ceiling of every product role -----------------------------------------------------------------

data "aws_iam_policy_document" "product_boundary" {
  # checkov:skip=CKV_AWS_111:A permissions boundary is a ceiling, not a grant; every write is scoped to the product's resources.
  # checkov:skip=CKV_AWS_356:Only cloudwatch:GetMetricData takes "*" (it has no resource-level permissions).
  statement {
    sid = "ProductData"
    actions = [
      "dynamodb:*", "kinesis:*", "sqs:*", "logs:*", "secretsmanager:GetSecretValue", "lambda:InvokeFunction",
    ]
    resources = [
      "${local.arn}:dynamodb:${local.region}:${local.account}:table/${local.p}-*",
      "${local.arn}:kinesis:${local.region}:${local.account}:stream/${local.p}-*",
      "${local.arn}:sqs:${local.region}:${local.account}:${local.p}-*",
      "${local.arn}:logs:${local.region}:${local.account}:log-group:/aws/lambda/${local.p}-*",
      "${local.arn}:secretsmanager:${local.region}:${local.account}:secret:${local.p}/*",
      "${local.arn}:lambda:${local.region}:${local.account}:function:${local.p}-*",
    ]
  }
  statement {
    sid       = "UseTheStreamKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["${local.arn}:kms:${local.region}:${local.account}:key/*"]
  }
  statement {
    sid       = "ReadMetrics"
    actions   = ["cloudwatch:GetMetricData"] # no resource-level permissions exist for it
    resources = ["*"]
  }
}

resource "aws_iam_policy" "product_boundary" {
  name        = "${var.name_prefix}-product-boundary"
  description = "Permissions boundary of every role the pipeline creates: product resources only, no IAM."
  policy      = data.aws_iam_policy_document.product_boundary.json
}

# --- remote state --------------------------------------------------------------------------------------

resource "aws_s3_bucket" "state" {
  # checkov:skip=CKV_AWS_18:Only the two pipeline roles reach it (TLS-only policy, versioned); S3 access logs would need a second bucket, not warranted for state.
  # checkov:skip=CKV_AWS_144:Versioning protects the state; cross-region replication is a disaster-recovery option.
  # checkov:skip=CKV2_AWS_62:Nothing consumes state-change notifications.
  bucket = var.state_bucket_name
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    id     = "expire-old-state-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 90
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

data "aws_iam_policy_document" "state_tls_only" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.bucket, "${local.bucket}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = data.aws_iam_policy_document.state_tls_only.json
}

# --- GitHub OIDC ---------------------------------------------------------------------------------------

resource "aws_iam_openid_connect_provider" "github" {
  count          = var.create_oidc_provider ? 1 : 0
  url            = "https://${local.oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
}

data "aws_iam_policy_document" "trust_deploy" {
  statement {
    sid     = "GitHubProtectedEnvironmentOnly"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = ["repo:${local.repo}:environment:${var.deploy_environment}"]
    }
  }
}

data "aws_iam_policy_document" "trust_plan" {
  statement {
    sid     = "GitHubPullRequestsOnly"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = ["repo:${local.repo}:pull_request"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = "${local.p}-github-deploy"
  description          = "Assumed by GitHub Actions in the ${var.deploy_environment} environment to apply the stack."
  assume_role_policy   = data.aws_iam_policy_document.trust_deploy.json
  max_session_duration = 3600
}

resource "aws_iam_role" "plan" {
  name                 = "${local.p}-github-plan"
  description          = "Assumed by GitHub Actions on pull requests to plan (read-only)."
  assume_role_policy   = data.aws_iam_policy_document.trust_plan.json
  max_session_duration = 3600
}

# --- what the pipeline may do ------------------------------------------------------------------------

data "aws_iam_policy_document" "state_access" {
  statement {
    sid       = "ListStateBucket"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket]
  }
  statement {
    sid       = "ReadWriteStateAndLock"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.bucket}/${local.p}/*"]
  }
}

data "aws_iam_policy_document" "plan_state_lock" {
  statement {
    sid       = "ListStateBucket"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket]
  }
  statement {
    sid       = "ReadState"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket}/${local.p}/*"]
  }
  statement {
    sid       = "TakeTheLockFile"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.bucket}/${local.p}/*.tflock"]
  }
}

data "aws_iam_policy_document" "deploy" {
  source_policy_documents = [data.aws_iam_policy_document.state_access.json]

  statement {
    sid = "ProductTable"
    actions = [
      "dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable",
      "dynamodb:DescribeContinuousBackups", "dynamodb:UpdateContinuousBackups", "dynamodb:DescribeTimeToLive",
      "dynamodb:TagResource", "dynamodb:UntagResource", "dynamodb:ListTagsOfResource",
      "dynamodb:DescribeKinesisStreamingDestination",
    ]
    resources = ["${local.arn}:dynamodb:${local.region}:${local.account}:table/${local.p}-*"]
  }
  statement {
    sid = "ProductStreams"
    actions = [
      "kinesis:CreateStream", "kinesis:DeleteStream", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
      "kinesis:IncreaseStreamRetentionPeriod", "kinesis:DecreaseStreamRetentionPeriod", "kinesis:UpdateShardCount",
      "kinesis:StartStreamEncryption", "kinesis:StopStreamEncryption", "kinesis:AddTagsToStream",
      "kinesis:RemoveTagsFromStream", "kinesis:ListTagsForStream", "kinesis:EnableEnhancedMonitoring",
      "kinesis:DisableEnhancedMonitoring",
    ]
    resources = ["${local.arn}:kinesis:${local.region}:${local.account}:stream/${local.p}-*"]
  }
  statement {
    sid = "ProductFunctionsAndLayers"
    actions = [
      "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction", "lambda:GetFunctionConfiguration",
      "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:ListVersionsByFunction",
      "lambda:GetFunctionCodeSigningConfig", "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency",
      "lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy", "lambda:TagResource",
      "lambda:UntagResource", "lambda:ListTags", "lambda:PublishLayerVersion", "lambda:GetLayerVersion",
      "lambda:DeleteLayerVersion", "lambda:GetRuntimeManagementConfig", "lambda:GetFunctionConcurrency",
    ]
    resources = [
      "${local.arn}:lambda:${local.region}:${local.account}:function:${local.p}-*",
      "${local.arn}:lambda:${local.region}:${local.account}:layer:${local.p}-*",
    ]
  }
  statement {
    sid = "ProductEventSourceMappings"
    actions = [
      "lambda:CreateEventSourceMapping", "lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping",
      "lambda:GetEventSourceMapping",
    ]
    resources = ["${local.arn}:lambda:${local.region}:${local.account}:event-source-mapping:*"]
    condition {
      test     = "ArnLike"
      variable = "lambda:FunctionArn"
      values   = ["${local.arn}:lambda:${local.region}:${local.account}:function:${local.p}-*"]
    }
  }
  statement {
    sid = "ReadProductRoles"
    actions = [
      "iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole",
    ]
    resources = ["${local.arn}:iam::${local.account}:role/${local.p}-*"]
  }
  statement {
    # Every role the pipeline creates or changes carries the product boundary: whatever policy it is
    # given, it can never do more than the boundary allows (product resources only, no IAM).
    sid = "ChangeProductRolesWithinTheBoundary"
    actions = [
      "iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary",
    ]
    resources = ["${local.arn}:iam::${local.account}:role/${local.p}-*"]
    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = [local.boundary_arn]
    }
  }
  statement {
    # `<prefix>-*` also matches another stack's names when one prefix starts another's (`tvguide-*` matches
    # `tvguide-dev-github-deploy`): a role is this stack's by its Stack tag, which every product role
    # carries (a bootstrap's own roles carry `<prefix>-bootstrap`), not by its name alone.
    sid = "ManageThisStacksRoles"
    actions = [
      "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:UntagRole",
    ]
    resources = ["${local.arn}:iam::${local.account}:role/${local.p}-*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Stack"
      values   = [local.p]
    }
  }
  statement {
    # Tagging (also while creating a role): a role already tagged must be this stack's, and a request that
    # sets Stack sets it to this stack; so another stack's role can never be re-tagged into this one.
    sid       = "TagThisStacksRoles"
    actions   = ["iam:TagRole"]
    resources = ["${local.arn}:iam::${local.account}:role/${local.p}-*"]
    condition {
      test     = "StringEqualsIfExists"
      variable = "aws:ResourceTag/Stack"
      values   = [local.p]
    }
    condition {
      test     = "StringEqualsIfExists"
      variable = "aws:RequestTag/Stack"
      values   = [local.p]
    }
  }
  statement {
    # The pipeline's own roles (and the account's API Gateway logging role) share the prefix: nothing
    # the pipeline can do reaches them, nor the boundary policy itself.
    sid    = "NeverThePipelinesOwnRolesOrTheBoundary"
    effect = "Deny"
    actions = [
      "iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy",
      "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary",
      "iam:DeleteRolePermissionsBoundary", "iam:TagRole", "iam:UntagRole", "iam:PassRole",
    ]
    resources = local.protected_roles
  }
  statement {
    sid    = "NeverLiftOrEditTheBoundary"
    effect = "Deny"
    actions = [
      "iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion",
      "iam:SetDefaultPolicyVersion", "iam:DeletePolicy", "iam:TagPolicy", "iam:UntagPolicy",
    ]
    resources = [local.boundary_arn, "${local.arn}:iam::${local.account}:role/${local.p}-*"]
  }
  statement {
    sid       = "PassProductRolesToLambdaOnly"
    actions   = ["iam:PassRole"]
    resources = ["${local.arn}:iam::${local.account}:role/${local.p}-*"]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Stack"
      values   = [local.p]
    }
  }
  statement {
    sid = "ProductLogsQueuesTopicsAlarmsRules"
    actions = [
      "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:TagResource",
      "logs:UntagResource", "logs:ListTagsForResource", "logs:ListTagsLogGroup", "logs:DescribeLogGroups",
      "sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:TagQueue",
      "sqs:UntagQueue", "sqs:ListQueueTags",
      "sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:TagResource",
      "sns:UntagResource", "sns:ListTagsForResource",
      "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms",
      "cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource",
      "events:PutRule", "events:DeleteRule", "events:DescribeRule", "events:PutTargets", "events:RemoveTargets",
      "events:ListTargetsByRule", "events:TagResource", "events:UntagResource", "events:ListTagsForResource",
      "secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:DescribeSecret",
      "secretsmanager:GetResourcePolicy", "secretsmanager:TagResource", "secretsmanager:UntagResource",
      "secretsmanager:UpdateSecret",
    ]
    resources = [
      "${local.arn}:logs:${local.region}:${local.account}:log-group:/aws/lambda/${local.p}-*",
      "${local.arn}:logs:${local.region}:${local.account}:log-group:/aws/apigateway/${local.p}-*",
      "${local.arn}:sqs:${local.region}:${local.account}:${local.p}-*",
      "${local.arn}:sns:${local.region}:${local.account}:${local.p}-*",
      "${local.arn}:cloudwatch:${local.region}:${local.account}:alarm:${local.p}-*",
      "${local.arn}:events:${local.region}:${local.account}:rule/${local.p}-*",
      "${local.arn}:secretsmanager:${local.region}:${local.account}:secret:${local.p}/*",
    ]
  }
  statement {
    sid = "ProductBuckets" # the site's files and the functions' zips
    actions = [
      "s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketTagging",
      "s3:PutBucketTagging", "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy",
      "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock", "s3:GetBucketOwnershipControls",
      "s3:PutBucketOwnershipControls", "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration",
      "s3:GetBucketVersioning", "s3:PutBucketVersioning", "s3:GetBucketAcl", "s3:GetBucketCORS",
      "s3:GetBucketWebsite", "s3:GetBucketLogging", "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration",
      "s3:GetBucketRequestPayment", "s3:GetBucketObjectLockConfiguration", "s3:GetAccelerateConfiguration",
      "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetObjectTagging",
      "s3:PutObjectTagging", "s3:GetObjectVersion",
    ]
    resources = [
      "${local.arn}:s3:::${local.p}-site", "${local.arn}:s3:::${local.p}-site/*",
      "${local.arn}:s3:::${local.p}-artifacts", "${local.arn}:s3:::${local.p}-artifacts/*",
    ]
  }
  statement {
    # CloudFront names distributions by generated ids: scope them by the stack's tag (as APIs and pools).
    sid = "TaggedSiteDistribution"
    actions = [
      "cloudfront:GetDistribution", "cloudfront:UpdateDistribution", "cloudfront:DeleteDistribution",
      "cloudfront:TagResource", "cloudfront:UntagResource", "cloudfront:ListTagsForResource",
      "cloudfront:CreateInvalidation",
    ]
    resources = ["${local.arn}:cloudfront::${local.account}:distribution/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Stack"
      values   = [local.p]
    }
  }
  statement {
    sid       = "CreateTaggedSiteDistribution"
    actions   = ["cloudfront:CreateDistribution", "cloudfront:CreateDistributionWithTags", "cloudfront:TagResource"]
    resources = ["${local.arn}:cloudfront::${local.account}:distribution/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Stack"
      values   = [local.p]
    }
  }
  statement {
    # Origin access controls and response-headers policies take neither names in ARNs nor tags, so no
    # condition can narrow them: this account's, of these two types only (and reading the managed cache policy).
    sid = "SiteCdnPolicies"
    actions = [
      "cloudfront:CreateOriginAccessControl", "cloudfront:GetOriginAccessControl",
      "cloudfront:UpdateOriginAccessControl", "cloudfront:DeleteOriginAccessControl",
      "cloudfront:CreateResponseHeadersPolicy", "cloudfront:GetResponseHeadersPolicy",
      "cloudfront:UpdateResponseHeadersPolicy", "cloudfront:DeleteResponseHeadersPolicy",
      "cloudfront:GetCachePolicy",
    ]
    resources = [
      "${local.arn}:cloudfront::${local.account}:origin-access-control/*",
      "${local.arn}:cloudfront::${local.account}:response-headers-policy/*",
      "${local.arn}:cloudfront::${local.account}:cache-policy/*",
    ]
  }
  statement {
    # The APIs' web ACL (modules/api-firewall), by its exact name.
    sid = "ApiFirewall"
    actions = [
      "wafv2:CreateWebACL", "wafv2:UpdateWebACL", "wafv2:DeleteWebACL", "wafv2:GetWebACL",
      "wafv2:TagResource", "wafv2:UntagResource", "wafv2:ListTagsForResource",
      "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL", "wafv2:GetWebACLForResource",
    ]
    resources = ["${local.arn}:wafv2:${local.region}:${local.account}:regional/webacl/${local.p}-apis/*"]
  }
  statement {
    # Putting the web ACL in front of a stage: this stack's API stages only (by their tag).
    sid       = "ProtectThisStacksApiStages"
    actions   = ["apigateway:SetWebACL"]
    resources = ["${local.arn}:apigateway:${local.region}::/restapis/*/stages/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Stack"
      values   = [local.p]
    }
  }
  statement {
    # API Gateway and Cognito name resources by generated ids: scope them by the stack's tag instead.
    sid = "TaggedApisAndUserPools"
    actions = [
      "apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE",
      "cognito-idp:DescribeUserPool", "cognito-idp:UpdateUserPool", "cognito-idp:DeleteUserPool",
      "cognito-idp:CreateGroup", "cognito-idp:GetGroup", "cognito-idp:DeleteGroup", "cognito-idp:UpdateGroup",
      "cognito-idp:CreateUserPoolClient", "cognito-idp:DescribeUserPoolClient",
      "cognito-idp:UpdateUserPoolClient", "cognito-idp:DeleteUserPoolClient", "cognito-idp:GetUserPoolMfaConfig",
      "cognito-idp:SetUserPoolMfaConfig", "cognito-idp:TagResource", "cognito-idp:UntagResource",
      "cognito-idp:ListTagsForResource", "cognito-idp:CreateUserPoolDomain", "cognito-idp:DescribeUserPoolDomain",
      "cognito-idp:DeleteUserPoolDomain", "cognito-idp:CreateIdentityProvider",
      "cognito-idp:DescribeIdentityProvider", "cognito-idp:UpdateIdentityProvider",
      "cognito-idp:DeleteIdentityProvider",
    ]
    resources = [
      "${local.arn}:apigateway:${local.region}::/restapis",
      "${local.arn}:apigateway:${local.region}::/restapis/*",
      "${local.arn}:apigateway:${local.region}::/tags/*",
      "${local.arn}:cognito-idp:${local.region}:${local.account}:userpool/*",
    ]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Stack"
      values   = [local.p]
    }
  }
  statement {
    sid     = "CreateTaggedApisAndUserPools"
    actions = ["apigateway:POST", "cognito-idp:CreateUserPool", "apigateway:PUT"]
    resources = [
      "${local.arn}:apigateway:${local.region}::/restapis",
      "${local.arn}:apigateway:${local.region}::/tags/*",
      "${local.arn}:cognito-idp:${local.region}:${local.account}:userpool/*",
    ]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Stack"
      values   = [local.p]
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "${local.p}-deploy"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}

# What `terraform plan` reads to refresh the stack, and nothing more: configuration of the services the
# stack uses (never data: no s3:GetObject beyond the state, no secret values, no table items).
data "aws_iam_policy_document" "plan_read" {
  # checkov:skip=CKV_AWS_356:Read-only configuration actions; the stack's resources are named by generated ids known only from state.
  statement {
    sid = "ReadStackConfiguration"
    actions = [
      "dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTimeToLive",
      "dynamodb:ListTagsOfResource", "dynamodb:DescribeKinesisStreamingDestination",
      "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListTagsForStream",
      "lambda:GetEventSourceMapping",
      "iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
      "iam:GetOpenIDConnectProvider", "iam:GetPolicy", "iam:GetPolicyVersion",
      "logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:ListTagsLogGroup",
      "sqs:GetQueueAttributes", "sqs:ListQueueTags",
      "sns:GetTopicAttributes", "sns:ListTagsForResource",
      "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource",
      "events:DescribeRule", "events:ListTargetsByRule", "events:ListTagsForResource",
      "secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy",
      "cognito-idp:DescribeUserPoolDomain",
      "s3:GetBucketTagging", "s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock",
      "s3:GetBucketOwnershipControls", "s3:GetEncryptionConfiguration", "s3:GetBucketVersioning",
      "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketWebsite", "s3:GetBucketLogging",
      "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "s3:GetBucketRequestPayment",
      "s3:GetBucketObjectLockConfiguration", "s3:GetAccelerateConfiguration", "s3:ListBucket",
      "s3:GetObjectTagging",
      "cloudfront:GetDistribution", "cloudfront:ListTagsForResource", "cloudfront:GetOriginAccessControl",
      "cloudfront:GetResponseHeadersPolicy", "cloudfront:GetCachePolicy",
      "wafv2:GetWebACL", "wafv2:ListTagsForResource", "wafv2:GetWebACLForResource",
      "sts:GetCallerIdentity",
    ]
    # Configuration reads of these services take ids Terraform knows only from state: scoped to the account
    # by the role's trust (pull requests of this repository) rather than by name. None of them returns a
    # secret; the reads that can (below) are scoped to this stack.
    resources = ["*"]
  }
  statement {
    # A function's configuration carries its environment: this stack's functions (and layer) only.
    sid = "ReadThisStacksFunctions"
    actions = [
      "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:ListVersionsByFunction",
      "lambda:GetFunctionCodeSigningConfig", "lambda:GetPolicy", "lambda:ListTags", "lambda:GetLayerVersion",
      "lambda:GetFunctionEventInvokeConfig", "lambda:GetFunctionConcurrency", "lambda:GetRuntimeManagementConfig",
    ]
    resources = [
      "${local.arn}:lambda:${local.region}:${local.account}:function:${local.p}-*",
      "${local.arn}:lambda:${local.region}:${local.account}:layer:${local.p}-*",
    ]
  }
  statement {
    # REST APIs and the account's API Gateway settings; not API keys or usage plans (their values).
    sid     = "ReadRestApis"
    actions = ["apigateway:GET"]
    resources = [
      "${local.arn}:apigateway:${local.region}::/restapis",
      "${local.arn}:apigateway:${local.region}::/restapis/*",
      "${local.arn}:apigateway:${local.region}::/account",
      "${local.arn}:apigateway:${local.region}::/tags/*",
    ]
  }
  statement {
    # A user pool client's description carries its secret: this stack's pool only (by its Stack tag).
    sid = "ReadThisStacksUserPool"
    actions = [
      "cognito-idp:DescribeUserPool", "cognito-idp:DescribeUserPoolClient", "cognito-idp:GetGroup",
      "cognito-idp:GetUserPoolMfaConfig", "cognito-idp:ListTagsForResource",
    ]
    resources = ["${local.arn}:cognito-idp:${local.region}:${local.account}:userpool/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Stack"
      values   = [local.p]
    }
  }
}

resource "aws_iam_role_policy" "plan_read" {
  name   = "plan_read"
  role   = aws_iam_role.plan.id
  policy = data.aws_iam_policy_document.plan_read.json
}

resource "aws_iam_role_policy" "plan_state" {
  name   = "${local.p}-plan-state"
  role   = aws_iam_role.plan.id
  policy = data.aws_iam_policy_document.plan_state_lock.json
}

# --- account-wide: API Gateway may write access logs ---------------------------------------------------

data "aws_iam_policy_document" "apigateway_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "apigateway_logs" {
  count              = var.manage_api_gateway_logging_role ? 1 : 0
  name               = "${local.p}-apigateway-cloudwatch"
  description        = "Lets API Gateway write access logs in this account and region."
  assume_role_policy = data.aws_iam_policy_document.apigateway_assume.json
}

resource "aws_iam_role_policy_attachment" "apigateway_logs" {
  count      = var.manage_api_gateway_logging_role ? 1 : 0
  role       = aws_iam_role.apigateway_logs[0].name
  policy_arn = "${local.arn}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count               = var.manage_api_gateway_logging_role ? 1 : 0
  cloudwatch_role_arn = "${local.arn}:iam::${local.account}:role/${local.p}-apigateway-cloudwatch"
  depends_on          = [aws_iam_role_policy_attachment.apigateway_logs]
}
