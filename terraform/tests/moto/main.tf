# Test-only root configuration: the cutover module applied against a local moto server.
# Used to check that the module's resources apply (not just plan) with the real provider.
#
#   MOTO_IAM_LOAD_MANAGED_POLICIES=true python3 -m moto.server -H 127.0.0.1 -p 5000 &
#   terraform init && terraform apply -auto-approve -var endpoint=http://127.0.0.1:5000 -var lambda_zip_path=...
#
# Everything except CodeDeploy (moto's CodeDeploy needs patching, see the shared test-rig notes):
# the deployment group's trigger is not created here. Measured: apply about 90 s, destroy about 20 s
# (20 resources). A plan after apply is not empty on moto only: moto does not store the function's
# logging_config and returns the follow-up queue's redrive policy re-serialized.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.32"
    }
  }
}

variable "endpoint" {
  description = "moto server URL, e.g. http://127.0.0.1:5000."
  type        = string
}

variable "lambda_zip_path" {
  description = "Any zip file: moto stores the package without running it."
  type        = string
}

variable "region" {
  description = "Region to create the resources in."
  type        = string
  default     = "us-east-1"
}

provider "aws" {
  region     = var.region
  access_key = "test"
  secret_key = "test"

  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {
    cloudfront     = var.endpoint
    cloudwatch     = var.endpoint
    dynamodb       = var.endpoint
    events         = var.endpoint
    iam            = var.endpoint
    lambda         = var.endpoint
    logs           = var.endpoint
    secretsmanager = var.endpoint
    sns            = var.endpoint
    sqs            = var.endpoint
    ssm            = var.endpoint
    sts            = var.endpoint
  }
}

resource "aws_secretsmanager_secret" "slack_webhook" {
  name = "cutover-moto/slack-webhook-url"
}

resource "aws_iam_role" "codedeploy" {
  name = "cutover-moto-codedeploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "codedeploy.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

module "cutover" {
  source = "../.."

  name            = "cutover-moto"
  lambda_zip_path = var.lambda_zip_path

  slack_webhook_secret_arn     = aws_secretsmanager_secret.slack_webhook.arn
  cloudfront_distribution_ids  = ["E2QWRUHAPOMQZL"]
  cloudfront_routes            = [{ application = "web", distribution_ids = ["E1ABCDEF234567"] }]
  codedeploy_application_names = ["web"]
  codedeploy_service_role_arns = [aws_iam_role.codedeploy.arn]
  enable_eventbridge           = true
}

output "function_name" {
  description = "The function."
  value       = module.cutover.function_name
}

output "sns_topic_arn" {
  description = "The topic."
  value       = module.cutover.sns_topic_arn
}

output "followup_queue_url" {
  description = "The follow-up queue."
  value       = module.cutover.followup_queue_url
}

output "records_table_name" {
  description = "The records table."
  value       = module.cutover.records_table_name
}
