variable "region" {
  description = "AWS region of the existing CodeDeploy application."
  type        = string
  default     = "us-east-1"
}

variable "lambda_zip_path" {
  description = "Path to the cutover package built by `make package` at the repository root."
  type        = string
  default     = "../../../dist/cutover-lambda-arm64.zip"
}

variable "codedeploy_application_name" {
  description = "Existing CodeDeploy application (compute platform ECS)."
  type        = string
}

variable "codedeploy_deployment_group_name" {
  description = "Existing blue/green deployment group of that application."
  type        = string
}

variable "codedeploy_service_role_name" {
  description = "Name of the existing CodeDeploy service role of the deployment group (gets sns:Publish on the cutover topic)."
  type        = string
}

variable "slack_webhook_ssm_parameter_name" {
  description = "SSM SecureString parameter holding the Slack webhook URL, created outside Terraform: aws ssm put-parameter --type SecureString --name /cutover/slack-webhook-url --value 'https://hooks.slack.com/services/...'"
  type        = string
  default     = "/cutover/slack-webhook-url"
}
