# terraform -chdir=terraform/bootstrap apply -var-file=example.tfvars   (with admin credentials, once)
github_owner       = "your-org"
github_repository  = "uk-tv-guide"
deploy_environment = "production"
name_prefix        = "tvguide-prod"
state_bucket_name  = "your-org-tvguide-terraform-state"
