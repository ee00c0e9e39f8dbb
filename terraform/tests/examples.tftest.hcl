# The examples plan and apply (mocked) with the module wired in as documented.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "complete_example" {
  module {
    source = "./examples/complete"
  }

  variables {
    lambda_zip_path = "tests/fixtures/bootstrap.zip"
  }

  assert {
    condition = (
      length(aws_codedeploy_deployment_group.this.trigger_configuration) == 1 &&
      one(aws_codedeploy_deployment_group.this.trigger_configuration).trigger_target_arn == module.cutover.sns_topic_arn &&
      one(aws_codedeploy_deployment_group.this.trigger_configuration).trigger_events == toset(module.cutover.trigger_events)
    )
    error_message = "the deployment group publishes cutover's trigger events to its topic"
  }
  assert {
    condition = (
      aws_codedeploy_deployment_group.this.deployment_style[0].deployment_type == "BLUE_GREEN" &&
      aws_codedeploy_deployment_group.this.deployment_style[0].deployment_option == "WITH_TRAFFIC_CONTROL" &&
      aws_codedeploy_deployment_group.this.blue_green_deployment_config[0].terminate_blue_instances_on_deployment_success[0].action == "TERMINATE" &&
      aws_codedeploy_deployment_group.this.blue_green_deployment_config[0].terminate_blue_instances_on_deployment_success[0].termination_wait_time_in_minutes == 60
    )
    error_message = "ECS blue/green with traffic control and a 60-minute rollback window"
  }
  assert {
    condition     = aws_ecs_service.this.deployment_controller[0].type == "CODE_DEPLOY"
    error_message = "the service is deployed by CodeDeploy"
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.codedeploy_sns_publish.policy).Statement[0].Action == ["sns:Publish"]
    error_message = "the CodeDeploy role may publish to the topic"
  }
  assert {
    condition     = aws_cloudfront_distribution.this.wait_for_deployment == false
    error_message = "the example does not wait for CloudFront"
  }
  assert {
    condition     = output.cutover_function_name == "cutover-demo-cutover"
    error_message = "cutover is named after the example"
  }
  assert {
    condition     = length(local.destinations) == 0 && length(aws_ssm_parameter.oncall_webhook_url) == 0 && length(aws_ssm_parameter.oncall_webhook_signing_secret) == 0
    error_message = "without oncall_webhook there is one destination, Slack, and no webhook parameters"
  }
}

# The example with its second destination: a signed webhook for failures next to Slack.
run "complete_example_two_destinations" {
  module {
    source = "./examples/complete"
  }

  variables {
    lambda_zip_path = "tests/fixtures/bootstrap.zip"
    oncall_webhook = {
      url            = "https://oncall.example.com/hooks/cutover/Zm9vYmFyLXNlY3JldC1wYXRo"
      signing_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwdGVzdGluZzEyMw=="
    }
  }

  assert {
    condition = jsonencode(local.destinations) == jsonencode([{
      name                  = "oncall"
      type                  = "webhook"
      url_secret            = "/cutover-demo/oncall-webhook/url"
      signing_secret_secret = "/cutover-demo/oncall-webhook/signing-secret"
      events                = ["DeploymentFailure", "DeploymentStop", "DeploymentRollback", "InstanceFailure"]
    }])
    error_message = "the module gets one more destination, oncall: a webhook for failures, by parameter name"
  }
  assert {
    condition     = !contains([for d in local.destinations : d.name], "slack") && module.cutover.slack_webhook_secret_arn == aws_secretsmanager_secret.slack_webhook.arn
    error_message = "Slack stays the legacy input (the destination named slack, records key slack)"
  }
  assert {
    condition = (
      aws_ssm_parameter.oncall_webhook_url[0].type == "SecureString" &&
      aws_ssm_parameter.oncall_webhook_signing_secret[0].type == "SecureString" &&
      nonsensitive(aws_ssm_parameter.oncall_webhook_url[0].value == var.oncall_webhook.url) &&
      nonsensitive(aws_ssm_parameter.oncall_webhook_signing_secret[0].value == var.oncall_webhook.signing_secret)
    )
    error_message = "the URL and the signing secret are stored as SecureString parameters"
  }
  assert {
    condition     = alltrue([for d in local.destinations : !strcontains(d.url_secret, "://") && !strcontains(d.signing_secret_secret, "whsec_")])
    error_message = "the destinations hold references, never the URL or the secret"
  }
  assert {
    condition     = join(",", module.cutover.trigger_events) == "DeploymentFailure,DeploymentReady,DeploymentRollback,DeploymentStop,InstanceFailure,InstanceSuccess"
    error_message = "the trigger carries the traffic switch and the webhook's events, which are in notify_events already: it does not change"
  }
  assert {
    condition = alltrue([for v in [
      output.cloudfront_domain_name, output.alb_dns_name, output.slack_webhook_secret_arn, output.codedeploy_application_name,
      output.codedeploy_deployment_group_name, output.cutover_function_name, output.cutover_sns_topic_arn, output.cutover_failure_queue_url,
    ] : !strcontains(v, "oncall.example.com") && !strcontains(v, "whsec_")])
    error_message = "no output holds the webhook URL or the signing secret"
  }
}

# The recommended path: parameters made outside Terraform, passed by name; nothing secret in state.
run "complete_example_oncall_by_parameter_names" {
  command = plan

  module {
    source = "./examples/complete"
  }

  variables {
    lambda_zip_path = "tests/fixtures/bootstrap.zip"
    oncall_webhook_parameters = {
      url            = "/team/oncall-url"
      signing_secret = "arn:aws:ssm:us-east-1:123456789012:parameter/team/oncall-signing"
    }
  }

  assert {
    condition = jsonencode(local.destinations) == jsonencode([{
      name                  = "oncall"
      type                  = "webhook"
      url_secret            = "/team/oncall-url"
      signing_secret_secret = "arn:aws:ssm:us-east-1:123456789012:parameter/team/oncall-signing"
      events                = ["DeploymentFailure", "DeploymentStop", "DeploymentRollback", "InstanceFailure"]
    }])
    error_message = "the oncall destination names the given parameters"
  }
  assert {
    condition     = length(aws_ssm_parameter.oncall_webhook_url) == 0 && length(aws_ssm_parameter.oncall_webhook_signing_secret) == 0
    error_message = "the example creates no parameter (no value in state)"
  }
}

run "complete_example_rejects_a_short_signing_secret" {
  command = plan

  module {
    source = "./examples/complete"
  }

  variables {
    lambda_zip_path = "tests/fixtures/bootstrap.zip"
    oncall_webhook = {
      url            = "https://oncall.example.com/hooks/cutover/Zm9vYmFyLXNlY3JldC1wYXRo"
      signing_secret = "whsec_c2hvcnQ="
    }
  }

  expect_failures = [var.oncall_webhook]
}

# The example with the Slack app: references only, buttons scoped to the example's deployment group, a function URL.
run "complete_example_slack_app" {
  module {
    source = "./examples/complete"
  }

  override_resource {
    target = module.cutover.aws_lambda_function_url.slack
    values = {
      function_url = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/"
    }
  }

  variables {
    lambda_zip_path = "tests/fixtures/bootstrap.zip"
    slack_app = {
      channel               = "C0123456789"
      token_secret          = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-bot-AbCdEf"
      signing_secret_secret = "/cutover/slack-signing"
      allowed_users         = ["U024BE7LH"]
    }
  }

  assert {
    condition = jsonencode(local.destinations) == jsonencode([{
      name                  = "slack-app"
      type                  = "slack-app"
      channel               = "C0123456789"
      token_secret          = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-bot-AbCdEf"
      signing_secret_secret = "/cutover/slack-signing"
      allowed_users         = ["U024BE7LH"]
      allowed_groups        = null
      mention               = null
    }])
    error_message = "the module gets one destination, slack-app, by reference"
  }
  assert {
    condition     = output.slack_actions_url == "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/slack/actions"
    error_message = "the example outputs the module's slack_actions_url"
  }
}

# Without slack_app: no Slack app destination, no function URL.
run "complete_example_without_slack_app" {
  command = plan

  module {
    source = "./examples/complete"
  }

  variables {
    lambda_zip_path = "tests/fixtures/bootstrap.zip"
  }

  assert {
    condition     = length(local.destinations) == 0 && output.slack_actions_url == null
    error_message = "no slack_app: no destination and no actions URL"
  }
}

run "complete_example_slack_app_refuses_a_token" {
  command = plan

  module {
    source = "./examples/complete"
  }

  variables {
    lambda_zip_path = "tests/fixtures/bootstrap.zip"
    slack_app = {
      channel      = "C0123456789"
      token_secret = "xoxb-1234-5678-abcdef"
    }
  }

  expect_failures = [var.slack_app]
}

run "minimal_example" {
  module {
    source = "./examples/minimal"
  }

  variables {
    lambda_zip_path                  = "tests/fixtures/bootstrap.zip"
    codedeploy_application_name      = "web"
    codedeploy_deployment_group_name = "web-production"
    codedeploy_service_role_name     = "codedeploy-ecs"
  }

  assert {
    condition     = strcontains(output.add_trigger_command, "--application-name 'web' --current-deployment-group-name 'web-production'")
    error_message = "the CLI command names the group"
  }
  assert {
    condition     = strcontains(output.add_trigger_command, "\"triggerTargetArn\":\"arn:aws:sns:us-east-1:123456789012:cutover-codedeploy\"")
    error_message = "the CLI command targets the cutover topic"
  }
  assert {
    condition     = contains(output.trigger_events, "InstanceSuccess")
    error_message = "the trigger includes the cutover moment"
  }
}
