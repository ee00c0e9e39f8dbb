terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.32"
    }
  }
}

# One provider per account. Each assumes a role you deploy with in that account (adapt to your
# organization: SSO profiles work as well).
provider "aws" {
  alias  = "hub"
  region = var.region
  assume_role {
    role_arn = "arn:aws:iam::${var.hub_account_id}:role/${var.deploy_role_name}"
  }
}

provider "aws" {
  alias  = "team_a"
  region = var.region
  assume_role {
    role_arn = "arn:aws:iam::${var.spokes.team_a.account_id}:role/${var.deploy_role_name}"
  }
}

provider "aws" {
  alias  = "team_b"
  region = var.region
  assume_role {
    role_arn = "arn:aws:iam::${var.spokes.team_b.account_id}:role/${var.deploy_role_name}"
  }
}
