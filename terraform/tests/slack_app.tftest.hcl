# Slack buttons: function URL, its output, and the role's extra statements.

mock_provider "aws" {
  source = "./tests/mocks"
}

override_resource {
  target = aws_lambda_function_url.slack
  values = {
    function_url = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/"
  }
}

variables {
  lambda_zip_path          = "tests/fixtures/bootstrap.zip"
  slack_webhook_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"
  destinations = [{
    name                  = "ops"
    type                  = "slack-app"
    channel               = "C0DEPLOYS"
    token_secret          = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-bot-AbCdEf"
    signing_secret_secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-signing-QwErTy"
    allowed_users         = ["U0ALICE"]
  }]
}

run "off_by_default" {
  command = plan
  variables {
    destinations = []
  }
  assert {
    condition     = length(aws_lambda_function_url.slack) == 0 && length(aws_iam_role_policy.slack_buttons) == 0 && output.slack_actions_url == null
    error_message = "no function URL, no button permissions, no URL output without a slack-app destination with buttons"
  }
}

run "url_and_scoped_permissions" {
  variables {
    slack_buttons                  = true
    slack_button_deployment_groups = ["web/web-prod", "api/api-prod"]
    slack_button_ecs_service_arns  = ["arn:aws:ecs:us-east-1:123456789012:service/prod/web"]
  }
  assert {
    condition     = aws_lambda_function_url.slack[0].authorization_type == "NONE" && aws_lambda_permission.slack_url[0].function_url_auth_type == "NONE"
    error_message = "the function URL has authorization NONE (the Slack signature protects it)"
  }
  assert {
    condition     = output.slack_actions_url == "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/slack/actions"
    error_message = "slack_actions_url is the function URL + /slack/actions"
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.slack_buttons[0].policy).Statement : s.Sid] == [
      "SlackButtonsCodeDeploy", "SlackButtonsSelfInvoke", "SlackButtonsEcs",
    ]
    error_message = "statements for CodeDeploy, the self-invocation and ECS"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.slack_buttons[0].policy).Statement : s if s.Sid == "SlackButtonsCodeDeploy"]).Resource == [
      "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:web/web-prod",
      "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:api/api-prod",
    ]
    error_message = "StopDeployment/ContinueDeployment scoped to the configured deployment groups"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.slack_buttons[0].policy).Statement : s if s.Sid == "SlackButtonsEcs"]).Resource == [
      "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/*",
    ]
    error_message = "StopServiceDeployment scoped to the named services' deployments"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.slack_buttons[0].policy).Statement : s if s.Sid == "SlackButtonsSelfInvoke"]).Resource == ["arn:aws:lambda:us-east-1:123456789012:function:cutover"]
    error_message = "lambda:InvokeFunction on the function itself only"
  }
  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.slack_buttons[0].policy).Statement : [for a in s.Action : !strcontains(a, "*")]
    ]))
    error_message = "no wildcard actions"
  }
  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.slack_buttons[0].policy).Statement : [for r in s.Resource : strcontains(r, ":123456789012:")]
    ]))
    error_message = "every resource is in this account"
  }
  assert {
    condition     = !strcontains(jsonencode(output.slack_actions_url), "secretsmanager") && !strcontains(jsonencode(output.slack_actions_url), "xoxb-")
    error_message = "no secret in the URL output"
  }
}

run "application_scope_and_no_ecs" {
  variables {
    slack_buttons                = true
    codedeploy_application_names = ["web"]
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.slack_buttons[0].policy).Statement : s if s.Sid == "SlackButtonsCodeDeploy"]).Resource == [
      "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:web/*",
    ]
    error_message = "without groups, the groups of codedeploy_application_names"
  }
  assert {
    condition     = length([for s in jsondecode(aws_iam_role_policy.slack_buttons[0].policy).Statement : s if s.Sid == "SlackButtonsEcs"]) == 0
    error_message = "no ECS permission without slack_button_ecs_service_arns"
  }
}

run "rejects_wildcard_groups" {
  command = plan
  variables {
    slack_buttons                  = true
    slack_button_deployment_groups = ["web/*"]
  }
  expect_failures = [var.slack_button_deployment_groups]
}

run "derived_from_the_slack_app_destination" {
  # slack_buttons unset: the slack-app destination has a signing secret and an allowed user, so its
  # messages have buttons and the module answers them; both secrets are readable.
  assert {
    condition     = length(aws_lambda_function_url.slack) == 1 && length(aws_iam_role_policy.slack_buttons) == 1 && output.slack_actions_url == "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/slack/actions"
    error_message = "a slack-app destination with buttons turns slack_buttons on"
  }
  assert {
    condition = toset(one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "ReadDestinationSecrets"]).Resource) == toset([
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-bot-AbCdEf",
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-signing-QwErTy",
    ])
    error_message = "GetSecretValue on both the bot token and the signing secret"
  }
}

run "no_buttons_without_allowed_users" {
  command = plan
  variables {
    destinations = [{
      name                  = "ops", type = "slack-app", channel = "C0DEPLOYS", token_secret = "/cutover/slack-bot",
      signing_secret_secret = "/cutover/slack-signing"
    }]
  }
  assert {
    condition     = length(aws_lambda_function_url.slack) == 0 && output.slack_actions_url == null
    error_message = "nobody may press the buttons (the function shows none): no function URL"
  }
}

run "on_needs_a_slack_app_with_a_signing_secret" {
  command = plan
  variables {
    slack_buttons = true
    destinations  = [{ name = "ops", type = "slack-app", channel = "C0DEPLOYS", token_secret = "/cutover/slack-bot", allowed_users = ["U0ALICE"] }]
  }
  expect_failures = [aws_lambda_function_url.slack]
}

run "off_with_buttons_shown_warns" {
  command = plan
  variables {
    slack_buttons = false
  }
  expect_failures = [check.slack_buttons_reachable]
}
