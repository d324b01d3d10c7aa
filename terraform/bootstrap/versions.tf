terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge(var.tags, { Project = "uk-tv-guide", Stack = "${var.name_prefix}-bootstrap", ManagedBy = "terraform" })
  }
}
