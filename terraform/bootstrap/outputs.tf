output "deploy_role_arn" {
  description = "Repository variable AWS_DEPLOY_ROLE_ARN (in the deploy environment)."
  value       = aws_iam_role.deploy.arn
}

output "plan_role_arn" {
  description = "Repository variable AWS_PLAN_ROLE_ARN."
  value       = aws_iam_role.plan.arn
}

output "state_bucket" {
  description = "Repository variable TF_STATE_BUCKET."
  value       = aws_s3_bucket.state.bucket
}

output "backend_config" {
  description = "Arguments for `terraform init` of the product stack."
  value = [
    "-backend-config=bucket=${aws_s3_bucket.state.bucket}",
    "-backend-config=key=${local.p}/terraform.tfstate",
    "-backend-config=region=${var.aws_region}",
    "-backend-config=use_lockfile=true",
    "-backend-config=encrypt=true",
  ]
}

output "permissions_boundary_arn" {
  description = "Set permissions_boundary_arn in terraform/environments/<env>.tfvars to this: the deploy role may only create roles that carry it."
  value       = aws_iam_policy.product_boundary.arn
}
