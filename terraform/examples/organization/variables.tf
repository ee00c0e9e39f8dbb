variable "region" {
  description = "Region of the hub and of both spokes in this example."
  type        = string
  default     = "eu-west-1"
}

variable "hub_account_id" {
  description = "The tooling account cutover runs in (the hub)."
  type        = string
}

variable "organization_id" {
  description = "AWS Organizations ID (o-…): any account of the organization may then forward events to the hub. null: only the two spokes."
  type        = string
  default     = null
}

variable "deploy_role_name" {
  description = "Role Terraform assumes in each account to deploy (name only)."
  type        = string
  default     = "OrganizationAccountAccessRole"
}

variable "spokes" {
  description = "The two workload accounts: account ID, external ID the hub presents (unique per hub and spoke; not a secret), and the CodeDeploy groups / ECS services the hub may roll back."
  type = object({
    team_a = object({
      account_id        = string
      external_id       = string
      deployment_groups = list(object({ application = string, deployment_group = string }))
      ecs_services      = list(object({ cluster = string, service = string }))
    })
    team_b = object({
      account_id        = string
      external_id       = string
      deployment_groups = list(object({ application = string, deployment_group = string }))
      ecs_services      = list(object({ cluster = string, service = string }))
    })
  })
}

variable "lambda_zip_path" {
  description = "The function package (make package)."
  type        = string
  default     = "../../../dist/cutover-lambda-arm64.zip"
}

variable "slack_webhook_ssm_parameter_name" {
  description = "SSM SecureString parameter in the hub account holding the Slack webhook for every deployment."
  type        = string
  default     = "/cutover/slack-webhook"
}

variable "team_b_webhook_ssm_parameter_name" {
  description = "SSM SecureString parameter in the hub account holding team B's own Slack webhook (routed by account)."
  type        = string
  default     = "/cutover/team-b-slack-webhook"
}

variable "aws_endpoint_url" {
  description = "TESTING ONLY: endpoint of a local AWS emulator, e.g. http://127.0.0.1:5000 (read by moto_override.tf)."
  type        = string
  default     = null
}
