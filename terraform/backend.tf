# Remote state on AWS: the bucket, key and region come from `terraform init -backend-config=...` (see the
# bootstrap's `backend_config` output and .github/workflows/deploy.yml); locking uses S3's native lock file.
# Local stacks replace this backend with a local one through a generated, git-ignored
# zz_local_backend_override.tf (tools/local_cloud.py), so the configuration itself is the same everywhere.
terraform {
  backend "s3" {}
}
