# What a newcomer gets from one switch: the ECS hook alone reads ECS-native
# details, the Roll back button may stop the ECS deployments it is shown on,
# notify_events takes every event name the function knows, and with the
# CodeDeploy hook the switch is notified (and invalidated) once.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  lambda_zip_path          = "tests/fixtures/bootstrap.zip"
  slack_webhook_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"
}

run "ecs_hook_alone_grants_the_ecs_native_reads" {
  command = plan
  variables {
    ecs_hook = true
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.ecs_native[0].policy).Statement : s.Action[0]] == [
      "ecs:ListServiceDeployments", "ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions",
    ]
    error_message = "ecs_hook without enable_ecs_native still reads the deployment (bake-time deadline, rollback command, thread)"
  }
  assert {
    condition     = length(aws_cloudwatch_event_rule.ecs_native) == 0
    error_message = "ecs_hook alone creates no EventBridge rule"
  }
}

run "ecs_hook_without_enrich_reads_nothing" {
  command = plan
  variables {
    ecs_hook = true
    enrich   = false
  }
  assert {
    condition     = length(aws_iam_role_policy.ecs_native) == 0
    error_message = "enrich = false grants no lookups"
  }
}

run "ecs_rollback_button_defaults_to_the_ecs_native_scope" {
  command = plan
  variables {
    enable_ecs_native        = true
    ecs_native_cluster_names = ["prod"]
    destinations = [{
      name                  = "ops"
      type                  = "slack-app"
      channel               = "C0DEPLOYS"
      token_secret          = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-bot-AbCdEf"
      signing_secret_secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-signing-QwErTy"
      allowed_users         = ["U0ALICE"]
    }]
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.slack_buttons[0].policy).Statement : s if s.Sid == "SlackButtonsEcs"] == [{
      Sid      = "SlackButtonsEcs"
      Effect   = "Allow"
      Action   = ["ecs:StopServiceDeployment", "ecs:DescribeServiceDeployments"]
      Resource = ["arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/*"]
    }]
    error_message = "without slack_button_ecs_service_arns the button may stop the ECS-native deployments the function hears about"
  }
}

run "no_ecs_button_grant_without_ecs" {
  command = plan
  variables {
    destinations = [{
      name                  = "ops"
      type                  = "slack-app"
      channel               = "C0DEPLOYS"
      token_secret          = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-bot-AbCdEf"
      signing_secret_secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-signing-QwErTy"
      allowed_users         = ["U0ALICE"]
    }]
  }
  assert {
    condition     = length([for s in jsondecode(aws_iam_role_policy.slack_buttons[0].policy).Statement : s if s.Sid == "SlackButtonsEcs"]) == 0
    error_message = "no ECS grant when nothing ECS-native is on"
  }
}

run "notify_events_take_ecs_native_names_for_a_rule_of_your_own" {
  command = plan
  variables {
    notify_events = ["SERVICE_DEPLOYMENT_FAILED", "HOOK_FAILED", "DeploymentFailure"]
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables.CUTOVER_EVENTS == "SERVICE_DEPLOYMENT_FAILED,HOOK_FAILED,DeploymentFailure"
    error_message = "ECS-native names go to CUTOVER_EVENTS as given"
  }
  assert {
    condition     = jsonencode(output.trigger_events) == jsonencode(["DeploymentFailure", "InstanceSuccess"])
    error_message = "only CodeDeploy trigger events go to the trigger"
  }
}

run "codedeploy_hook_notifies_the_switch_once" {
  command = plan
  variables {
    name                        = "CodeDeployHook_cutover"
    codedeploy_hook             = true
    cloudfront_distribution_ids = ["E2EXAMPLE"]
  }
  assert {
    condition     = !contains(split(",", aws_lambda_function.this.environment[0].variables.CUTOVER_EVENTS), "InstanceSuccess") && contains(split(",", aws_lambda_function.this.environment[0].variables.CUTOVER_EVENTS), "AfterAllowTraffic")
    error_message = "with codedeploy_hook the default events leave InstanceSuccess out: AfterAllowTraffic is the switch"
  }
  assert {
    condition     = jsonencode(output.trigger_events) == jsonencode(["DeploymentFailure", "DeploymentReady", "DeploymentRollback", "DeploymentStop", "InstanceFailure"])
    error_message = "the trigger does not carry InstanceSuccess, so neither the message nor the invalidation comes twice"
  }
}

run "codedeploy_hook_default_destination_keeps_instance_success_out" {
  command = plan
  variables {
    name            = "CodeDeployHook_cutover"
    codedeploy_hook = true
    notify_events   = ["DeploymentFailure"]
    destinations    = [{ name = "ops", type = "teams", url_secret = "/cutover/teams-url" }]
  }
  assert {
    condition     = !contains(output.trigger_events, "InstanceSuccess")
    error_message = "an entry without events (the default set) does not pull InstanceSuccess into the trigger under codedeploy_hook"
  }
}

run "codedeploy_hook_explicit_instance_success_comes_back" {
  command = plan
  variables {
    name            = "CodeDeployHook_cutover"
    codedeploy_hook = true
    notify_events   = ["InstanceSuccess", "DeploymentFailure"]
  }
  assert {
    condition     = contains(output.trigger_events, "InstanceSuccess") && startswith(aws_lambda_function.this.environment[0].variables.CUTOVER_EVENTS, "InstanceSuccess,DeploymentFailure")
    error_message = "InstanceSuccess named in notify_events is notified and in the trigger"
  }
}
