terraform {
  # 1.5: check blocks. Tests (tests/*.tftest.hcl) need >= 1.7 (mock_provider).
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.32"
    }
  }
}
