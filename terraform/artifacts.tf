# The built zips (`make build`: the layer and one per service), uploaded once per change to a private bucket
# the functions and the layer read their code from. Functions created from S3 objects are created side by
# side; from local files, the provider uploads them one at a time.

resource "aws_s3_bucket" "artifacts" {
  # checkov:skip=CKV_AWS_18:Holds only build output that `make build` recreates; access logs would need a log bucket for no gain.
  # checkov:skip=CKV_AWS_144:Rebuildable build output: the build is its replica.
  # checkov:skip=CKV_AWS_145:Build output of public source: SSE-S3 encryption at rest is enough; a CMK would add cost only.
  # checkov:skip=CKV2_AWS_62:Nothing reacts to uploads; Terraform updates the functions itself.
  # checkov:skip=CKV2_AWS_61:Each deploy overwrites the objects; old versions are few and small.
  # checkov:skip=CKV_AWS_21:Each deploy replaces the zips from the commit it builds; versions add nothing.
  bucket        = "${var.name_prefix}-artifacts"
  force_destroy = true # only build output lives here
  tags          = local.tags
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_object" "artifact" {
  for_each    = toset(concat(["layer.zip"], [for f in fileset(local.artifacts, "*.zip") : f if f != "layer.zip"]))
  bucket      = aws_s3_bucket.artifacts.id
  key         = each.value
  source      = "${local.artifacts}/${each.value}"
  source_hash = filemd5("${local.artifacts}/${each.value}")
  tags        = local.tags

  depends_on = [aws_s3_bucket_public_access_block.artifacts, aws_s3_bucket_server_side_encryption_configuration.artifacts]
}
