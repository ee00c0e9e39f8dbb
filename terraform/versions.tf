terraform {
  # 1.5: strcontains(), check blocks. Tests (tests/*.tftest.hcl) need >= 1.7 (mock_provider).
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.32.0 added aws_lambda_function.logging_config (JSON logs, log levels).
      version = ">= 5.32"
    }
  }
}
