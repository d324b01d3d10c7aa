# The static site: a private bucket holding the built files (build/site, uploaded here with their content
# types and cache headers) and, with enable_cdn, CloudFront in front of it through origin access control,
# with a response-headers policy (CSP, HSTS, nosniff, frame-ancestors 'none', referrer policy).
# config.js is not here: tools/publish_site.py generates it from the stack's outputs after apply.

locals {
  content_types = {
    html = "text/html; charset=utf-8"
    css  = "text/css; charset=utf-8"
    js   = "text/javascript; charset=utf-8"
    svg  = "image/svg+xml"
    png  = "image/png"
    ico  = "image/x-icon"
    json = "application/json"
    map  = "application/json"
    # The app's manifest (installable site)
    webmanifest = "application/manifest+json"
  }
  files = { for f in fileset(var.site_dir, "**") : f => f }
  # index.html and the service worker name the other files, so they are never cached stale (nor the
  # manifest); the rest briefly (not content-hashed; the service worker fetches them past the cache).
  revalidated   = [".html", "sw.js", ".webmanifest"]
  cache_control = { for f in local.files : f => (anytrue([for s in local.revalidated : endswith(f, s)]) ? "no-cache" : "public, max-age=300") }

  cdn_domain = var.enable_cdn ? aws_cloudfront_distribution.site[0].domain_name : ""
  # Locally the emulator serves a distribution at <label>.cloudfront.<host>; on AWS at its own domain.
  site_url = var.enable_cdn ? (
    var.cdn_local_host == "" ? "https://${local.cdn_domain}/" : "http://${split(".", local.cdn_domain)[0]}.cloudfront.${var.cdn_local_host}/"
  ) : "${var.bucket_endpoint}/${aws_s3_bucket.site.bucket}/index.html"
  site_origin = regex("^[a-z]+://[^/]+", local.site_url)

  csp = join("; ", [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src ${join(" ", concat(["'self'", "data:"], var.csp_image_sources))}",
    "connect-src ${join(" ", concat(["'self'"], var.csp_connect_sources))}",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ])
}

resource "aws_s3_bucket" "site" {
  # checkov:skip=CKV_AWS_18:Only CloudFront reads it (origin access control); it holds the public static site, so access logs would need a log bucket for no gain.
  # checkov:skip=CKV_AWS_144:A rebuildable static site: the build and the pipeline are its replicas.
  # checkov:skip=CKV_AWS_145:Public static files: SSE-S3 encryption at rest is enough; a CMK would add cost only.
  # checkov:skip=CKV2_AWS_62:Nothing reacts to changes of the site's files.
  # checkov:skip=CKV2_AWS_61:Versions are kept for rollback; old ones are few and small.
  bucket        = "${var.name_prefix}-site"
  force_destroy = true # only built files live here
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "site" {
  bucket                  = aws_s3_bucket.site.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "site" {
  bucket = aws_s3_bucket.site.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "site" {
  bucket = aws_s3_bucket.site.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "site" {
  bucket = aws_s3_bucket.site.id
  versioning_configuration {
    status = "Enabled"
  }
}

data "aws_iam_policy_document" "site" {
  dynamic "statement" {
    for_each = var.require_tls ? [1] : []
    content {
      sid       = "TlsOnly"
      effect    = "Deny"
      actions   = ["s3:*"]
      resources = [aws_s3_bucket.site.arn, "${aws_s3_bucket.site.arn}/*"]
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

  dynamic "statement" {
    for_each = var.enable_cdn ? [1] : []
    content {
      sid       = "CloudFrontReadsTheSite"
      actions   = ["s3:GetObject"]
      resources = ["${aws_s3_bucket.site.arn}/*"]
      principals {
        type        = "Service"
        identifiers = ["cloudfront.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "AWS:SourceArn"
        values   = [aws_cloudfront_distribution.site[0].arn]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "site" {
  count  = var.require_tls || var.enable_cdn ? 1 : 0
  bucket = aws_s3_bucket.site.id
  policy = data.aws_iam_policy_document.site.json

  depends_on = [aws_s3_bucket_public_access_block.site]
}

resource "aws_s3_object" "file" {
  for_each      = local.files
  bucket        = aws_s3_bucket.site.id
  key           = each.value
  source        = "${var.site_dir}/${each.value}"
  etag          = filemd5("${var.site_dir}/${each.value}")
  content_type  = lookup(local.content_types, reverse(split(".", each.value))[0], "application/octet-stream")
  cache_control = local.cache_control[each.key]
  tags          = var.tags
}

# --- CDN -----------------------------------------------------------------------------------------------

resource "aws_cloudfront_origin_access_control" "site" {
  count                             = var.enable_cdn ? 1 : 0
  name                              = "${var.name_prefix}-site"
  description                       = "CloudFront reads the UK TV Guide site's bucket."
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_response_headers_policy" "site" {
  count   = var.enable_cdn ? 1 : 0
  name    = "${var.name_prefix}-site-security"
  comment = "Security headers of the UK TV Guide site."

  security_headers_config {
    content_security_policy {
      content_security_policy = local.csp
      override                = true
    }
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
  }
}

resource "aws_cloudfront_distribution" "site" {
  # checkov:skip=CKV_AWS_34:viewer_protocol_policy is redirect-to-https unless a local emulator (plain HTTP) sets it.
  # checkov:skip=CKV_AWS_68:WAF on a static site costs more than it protects; the APIs are throttled behind their gateway.
  # checkov:skip=CKV_AWS_86:Access logging needs a log bucket and costs; enable with a logging bucket when traffic warrants.
  # checkov:skip=CKV_AWS_174:The default *.cloudfront.net certificate is used; a custom domain would pin TLSv1.2_2021.
  # checkov:skip=CKV_AWS_310:One origin (the bucket); there is nothing to fail over to.
  # checkov:skip=CKV_AWS_374:The guide is for UK viewers but may be read anywhere; no geo restriction by design.
  # checkov:skip=CKV2_AWS_42:The default *.cloudfront.net certificate is used (no custom domain yet).
  # checkov:skip=CKV2_AWS_47:No WAF (see CKV_AWS_68), so no Log4j rule set to attach.
  count               = var.enable_cdn ? 1 : 0
  enabled             = true
  comment             = "UK TV Guide site (${var.name_prefix})"
  default_root_object = "index.html"
  price_class         = var.price_class
  http_version        = "http2and3"
  is_ipv6_enabled     = true

  origin {
    origin_id                = "site"
    domain_name              = aws_s3_bucket.site.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.site[0].id
  }

  default_cache_behavior {
    target_origin_id           = "site"
    viewer_protocol_policy     = var.viewer_protocol_policy
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = "658327ea-f89d-4fab-a63d-7e88639e58f6" # AWS managed: CachingOptimized
    response_headers_policy_id = aws_cloudfront_response_headers_policy.site[0].id
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }

  tags = var.tags
}
