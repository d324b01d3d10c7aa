"""Plan-level checks of the website module: a private bucket, read only by the CDN, with security headers."""

import json

from tests.plan.conftest import of_type


def test_the_site_bucket_is_private_encrypted_versioned_and_read_only_by_cloudfront(resources, prefix):
    bucket = next(b for b in of_type(resources, "aws_s3_bucket") if b["values"]["bucket"] == f"{prefix}-site")
    assert bucket
    block = of_type(resources, "aws_s3_bucket_public_access_block")[0]["values"]
    assert all(
        block[k]
        for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    encryption = of_type(resources, "aws_s3_bucket_server_side_encryption_configuration")[0]["values"]
    assert encryption["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "AES256"
    assert (
        of_type(resources, "aws_s3_bucket_versioning")[0]["values"]["versioning_configuration"][0]["status"]
        == "Enabled"
    )
    policy = json.loads(of_type(resources, "aws_s3_bucket_policy")[0]["values"]["policy"])
    readers = [s for s in policy["Statement"] if s.get("Effect", "Allow") == "Allow"]
    assert len(readers) == 1 and readers[0]["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert readers[0]["Action"] == "s3:GetObject" and "AWS:SourceArn" in json.dumps(readers[0]["Condition"])


def test_the_site_files_carry_their_content_types_and_cache_headers(resources):
    files = {o["values"]["key"]: o["values"] for o in of_type(resources, "aws_s3_object")}
    assert {"index.html", "js/main.js", "css/app.css", "vendor/bootstrap.min.css"} <= files.keys()
    assert "config.js" not in files  # generated after apply by tools/publish_site.py
    assert (
        files["index.html"]["content_type"].startswith("text/html")
        and files["index.html"]["cache_control"] == "no-cache"
    )
    assert files["js/main.js"]["content_type"].startswith("text/javascript")
    assert files["img/placeholder.svg"]["content_type"] == "image/svg+xml"


def test_the_cdn_uses_origin_access_control_and_the_security_headers_policy(resources):
    distribution = of_type(resources, "aws_cloudfront_distribution")[0]["values"]
    assert distribution["default_root_object"] == "index.html"
    assert distribution["origin"][0]["origin_access_control_id"]
    policy = of_type(resources, "aws_cloudfront_response_headers_policy")[0]["values"][
        "security_headers_config"
    ][0]
    csp = policy["content_security_policy"][0]["content_security_policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe" not in csp and "script-src 'self'" in csp
    assert policy["frame_options"][0]["frame_option"] == "DENY"
    assert policy["strict_transport_security"][0]["access_control_max_age_sec"] >= 31536000
    assert policy["referrer_policy"][0]["referrer_policy"] == "strict-origin-when-cross-origin"
    assert policy["content_type_options"]
