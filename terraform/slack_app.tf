################################################################################
# Slack buttons: "Roll back now" and "Finish early" (see docs/buttons.md)
#
# Clicks arrive at a Lambda function URL with authorization NONE: Slack cannot
# sign AWS requests. Every request is authenticated by the function itself with
# the Slack app's signing secret (v0 HMAC over the raw body, 5-minute window)
# before anything in it is read, and the work runs in an asynchronous
# self-invocation that verifies the original request again.
################################################################################

locals {
  # slack-app destinations whose messages carry buttons: a signing secret and someone allowed to press them
  # (the function's own rule, internal/chat/slackapp ButtonsEnabled).
  slack_button_destinations = [
    for d in var.destinations : d.name if d.type == "slack-app" &&
    d.signing_secret_secret != null && d.signing_secret_secret != "" &&
    length(coalesce(d.allowed_users, [])) + length(coalesce(d.allowed_groups, [])) > 0
  ]
  # slack_buttons unset (null): on exactly when a destination has buttons.
  slack_buttons = var.slack_buttons == null ? length(local.slack_button_destinations) > 0 : var.slack_buttons

  # Deployment groups the buttons may stop or continue: the named groups, else
  # every group of the named applications, else every group of this account and region.
  slack_button_codedeploy_resources = length(var.slack_button_deployment_groups) > 0 ? [
    for g in var.slack_button_deployment_groups : "${local.codedeploy_arn_prefix}:deploymentgroup:${g}"
    ] : length(var.codedeploy_application_names) > 0 ? [
    for app in var.codedeploy_application_names : "${local.codedeploy_arn_prefix}:deploymentgroup:${app}/*"
  ] : ["${local.codedeploy_arn_prefix}:deploymentgroup:*"]

  # ECS-native service deployments of the named services (arn:...:service-deployment/CLUSTER/SERVICE/ID);
  # none named: with ECS-native events or the ECS hook on, the services those are scoped to
  # (ecs_native_service_arns, ecs_native_cluster_names, else every service of this account and region),
  # as the CodeDeploy grant falls back to every group: the button is shown on those messages.
  slack_button_ecs_resources = length(var.slack_button_ecs_service_arns) > 0 ? [
    for arn in var.slack_button_ecs_service_arns : "${replace(arn, ":service/", ":service-deployment/")}/*"
  ] : var.enable_ecs_native || var.ecs_hook ? local.ecs_native_deployment_resources : []

  # The function's own ARN, built from its name (no dependency cycle through the function).
  self_function_arn = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${var.name}"

  slack_button_statements = concat(
    [
      {
        Sid      = "SlackButtonsCodeDeploy"
        Effect   = "Allow"
        Action   = ["codedeploy:GetDeployment", "codedeploy:StopDeployment", "codedeploy:ContinueDeployment"]
        Resource = local.slack_button_codedeploy_resources
      },
      {
        Sid      = "SlackButtonsSelfInvoke"
        Effect   = "Allow"
        Action   = ["lambda:InvokeFunction"]
        Resource = [local.self_function_arn]
      },
    ],
    length(local.slack_button_ecs_resources) > 0 ? [
      {
        Sid      = "SlackButtonsEcs"
        Effect   = "Allow"
        Action   = ["ecs:StopServiceDeployment", "ecs:DescribeServiceDeployments"]
        Resource = local.slack_button_ecs_resources
      },
    ] : [],
  )
}

resource "aws_iam_role_policy" "slack_buttons" {
  count = local.slack_buttons ? 1 : 0
  name  = "${var.name}-slack-buttons"
  role  = aws_iam_role.lambda.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.slack_button_statements
  })
}

resource "aws_lambda_function_url" "slack" {
  count              = local.slack_buttons ? 1 : 0
  function_name      = aws_lambda_function.this.function_name
  authorization_type = "NONE" # protected by the Slack signing secret, verified by the function

  lifecycle {
    precondition {
      condition     = length(local.slack_button_destinations) > 0
      error_message = "slack_buttons is on, but no destination of type slack-app has signing_secret_secret and allowed_users or allowed_groups: the function would refuse every click. Add them to the slack-app destination (docs/slack-app.md), or leave slack_buttons unset."
    }
  }
}

# Buttons shown but nowhere to click them: a slack-app destination has everything for buttons, and
# slack_buttons was turned off, so Slack has no interactivity URL to send clicks to.
check "slack_buttons_reachable" {
  assert {
    condition     = local.slack_buttons || length(local.slack_button_destinations) == 0
    error_message = "slack_buttons = false, but slack-app destinations ${join(", ", local.slack_button_destinations)} have a signing secret and allowed users, so their messages show Roll back now / Finish early buttons that no function URL answers. Leave slack_buttons unset (or true), or remove signing_secret_secret."
  }
}

resource "aws_lambda_permission" "slack_url" {
  count                  = local.slack_buttons ? 1 : 0
  statement_id           = "SlackButtonsFunctionURL"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.this.function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}
