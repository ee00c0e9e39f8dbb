variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix for the example's resources."
  type        = string
  default     = "cutover-demo"

  validation {
    condition     = can(regex("^[a-z0-9-]{1,20}$", var.name))
    error_message = "name must be 1-20 lower-case letters, digits or hyphens (ALB and target group names are short)."
  }
}

variable "lambda_zip_path" {
  description = "Path to the cutover package built by `make package` at the repository root."
  type        = string
  default     = "../../../dist/cutover-lambda-arm64.zip"
}

variable "vpc_cidr" {
  description = "CIDR of the example VPC."
  type        = string
  default     = "10.42.0.0/16"
}

variable "container_image" {
  description = "Image the example service runs (blue/green deployments later swap the task definition)."
  type        = string
  default     = "public.ecr.aws/nginx/nginx:stable"
}

variable "test_listener_cidr_blocks" {
  description = "Who may reach the test listener (port 8080) that serves the replacement task set before traffic switches."
  type        = list(string)
  default     = ["10.42.0.0/16"]
}

variable "termination_wait_time_in_minutes" {
  description = "How long the original (blue) task set stays up after traffic switched: the rollback window."
  type        = number
  default     = 60
}

variable "alarm_actions" {
  description = "SNS topic ARNs to notify when cutover's alarms fire."
  type        = list(string)
  default     = []
}

variable "oncall_webhook_parameters" {
  description = <<-EOT
    The recommended way to add the oncall webhook (see docs/webhook.md): the names (or ARNs) of two SSM SecureString
    parameters you created outside Terraform, holding its URL and its whsec_ signing secret. Only the names reach
    Terraform and the function; the values never enter state. Null: no oncall webhook by name.
  EOT
  type = object({
    url            = string
    signing_secret = string
  })
  default = null
}

variable "oncall_webhook" {
  description = <<-EOT
    A signed webhook receiver of your own as a second destination, named oncall (see docs/webhook.md): url and
    signing_secret (whsec_ and the base64 of 24 to 64 random bytes: echo "whsec_$(openssl rand -base64 32)"; the
    receiver checks the webhook-signature and X-Signature headers with it). Null: Slack only. Both are stored in SSM
    SecureString parameters whose names alone go to the function, but the values are in Terraform state: for trying
    the example out. Prefer oncall_webhook_parameters; not both.
  EOT
  type = object({
    url            = string
    signing_secret = string
  })
  default   = null
  sensitive = true

  validation {
    condition     = var.oncall_webhook == null || can(regex("^https?://[^/\\s]+\\S*$", var.oncall_webhook.url))
    error_message = "oncall_webhook.url must be an absolute https:// (or http://) URL."
  }
  validation {
    # At least 16 key bytes: 22 base64 characters.
    condition     = var.oncall_webhook == null || can(regex("^whsec_[A-Za-z0-9+/]{22,}={0,2}$", var.oncall_webhook.signing_secret))
    error_message = "oncall_webhook.signing_secret must be whsec_ and the base64 of at least 16 (better 32) random bytes."
  }
}

variable "oncall_webhook_events" {
  description = "The events the oncall webhook receives (its routing filter); Slack keeps the module's notify_events."
  type        = list(string)
  default     = ["DeploymentFailure", "DeploymentStop", "DeploymentRollback", "InstanceFailure"]
  nullable    = false
}

variable "tags" {
  description = "Default tags for every resource."
  type        = map(string)
  default = {
    Project = "cutover-example"
  }
}

# Testing only: lets this example be applied against a local AWS emulator (moto).
# It is used by moto_override.tf, which you create from moto_override.tf.example;
# without that file it has no effect. Leave it null for real AWS.
variable "aws_endpoint_url" {
  description = "TESTING ONLY: endpoint of a local AWS emulator, e.g. http://127.0.0.1:5000 (read by moto_override.tf)."
  type        = string
  default     = null
}

variable "slack_app" {
  description = <<-EOT
    A Slack app as a further destination, named slack-app (see docs/slack-app.md): one message per deployment kept up
    to date, with a thread, and Roll back now / Finish early buttons while the rollback window is open. References
    only: token_secret and signing_secret_secret are the ARNs of Secrets Manager secrets (or names or ARNs of SSM
    SecureString parameters) you created outside Terraform, holding the bot token (xoxb-...) and the app's signing
    secret; their values never reach Terraform. channel is a channel ID (C...) or a name; allowed_users (member IDs)
    and allowed_groups (user group IDs) may press the buttons. With a signing secret and someone allowed, the module
    creates the function URL for clicks (output slack_actions_url) and lets the buttons act on this example's
    deployment group only. Null: no Slack app.
  EOT
  type = object({
    channel               = string
    token_secret          = string
    signing_secret_secret = optional(string)
    allowed_users         = optional(list(string))
    allowed_groups        = optional(list(string))
    mention               = optional(list(string))
  })
  default = null

  validation {
    # A reference, never the value: a bot token pasted here would end up in state and the function's environment.
    condition = var.slack_app == null || alltrue([
      for r in compact([try(var.slack_app.token_secret, null), try(var.slack_app.signing_secret_secret, null)]) :
      can(regex("^(arn:aws[a-z-]*:(secretsmanager|ssm):|/|[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$)", r)) && !startswith(r, "xox")
    ])
    error_message = "slack_app.token_secret and slack_app.signing_secret_secret are references (a Secrets Manager secret ARN, or an SSM parameter name or ARN), never the token or secret itself."
  }
}
