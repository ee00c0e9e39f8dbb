# The spoke's policies: trust only the hub function's role with the external ID, read-only by
# default, actions only with their toggle and scoped to named groups and services, no wildcard
# actions; forwarding to the hub bus and the trigger topic.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "444455556666"
      arn        = "arn:aws:iam::444455556666:user/terraform-test"
      user_id    = "AIDAEXAMPLEUSERID0001"
    }
  }
  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
    }
  }
  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::444455556666:role/cutover-hub"
    }
  }
  mock_resource "aws_sns_topic" {
    defaults = {
      arn = "arn:aws:sns:eu-west-1:444455556666:CodeDeployTopic_cutover"
    }
  }
  mock_resource "aws_cloudwatch_event_rule" {
    defaults = {
      arn = "arn:aws:events:eu-west-1:444455556666:rule/cutover-forward"
    }
  }
}

variables {
  hub_role_arn      = "arn:aws:iam::111122223333:role/cutover-lambda"
  external_id       = "111122223333-7f3a9c"
  hub_event_bus_arn = "arn:aws:events:eu-west-1:111122223333:event-bus/cutover-hub"
  hub_function_arn  = "arn:aws:lambda:eu-west-1:111122223333:function:cutover"
}

run "trust_hub_role_with_external_id" {
  assert {
    condition = jsondecode(aws_iam_role.hub[0].assume_role_policy).Statement == [{
      Sid       = "TrustCutoverHubOnly"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:role/cutover-lambda" }
      Action    = ["sts:AssumeRole"]
      Condition = { StringEquals = { "sts:ExternalId" = "111122223333-7f3a9c" } }
    }]
    error_message = "the role trusts only the hub function's role, with the external ID"
  }
}

run "read_only_by_default" {
  variables {
    forward_events   = false
    forward_triggers = false
  }
  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.hub[0].policy).Statement : s.Sid] == ["ReadCodeDeployDeployments", "ReadEcsServices", "DescribeTaskDefinitions"]
    error_message = "read-only statements only"
  }
  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.hub[0].policy).Statement : [
        for a in s.Action : !strcontains(a, "*") && !contains(["codedeploy:StopDeployment", "codedeploy:ContinueDeployment", "ecs:StopServiceDeployment"], a)
      ]
    ]))
    error_message = "no wildcard action, no action that changes a deployment"
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.hub[0].policy).Statement :
      alltrue([for r in s.Resource : r == "*" ? s.Action == ["ecs:DescribeTaskDefinition"] : strcontains(r, ":444455556666:")])
    ])
    error_message = "every resource is in this account, except ecs:DescribeTaskDefinition (which takes none)"
  }
  assert {
    condition     = length(aws_sns_topic.triggers) == 0 && length(aws_cloudwatch_event_rule.forward) == 0
    error_message = "no forwarding when turned off"
  }
}

run "rollback_scoped_to_named" {
  variables {
    allow_rollback    = true
    deployment_groups = [{ application = "checkout", deployment_group = "checkout-prod" }]
    ecs_services      = [{ cluster = "prod", service = "checkout" }]
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.hub[0].policy).Statement : s if s.Sid == "RollBackCodeDeployDeployments"]) == {
      Sid      = "RollBackCodeDeployDeployments"
      Effect   = "Allow"
      Action   = ["codedeploy:StopDeployment"]
      Resource = ["arn:aws:codedeploy:*:444455556666:deploymentgroup:checkout/checkout-prod"]
    }
    error_message = "StopDeployment on the named deployment group only"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.hub[0].policy).Statement : s if s.Sid == "RollBackEcsServiceDeployments"]) == {
      Sid      = "RollBackEcsServiceDeployments"
      Effect   = "Allow"
      Action   = ["ecs:StopServiceDeployment"]
      Resource = ["arn:aws:ecs:*:444455556666:service-deployment/prod/checkout/*"]
    }
    error_message = "StopServiceDeployment on the named service's deployments only"
  }
  assert {
    condition     = !contains([for s in jsondecode(aws_iam_role_policy.hub[0].policy).Statement : s.Sid], "ContinueCodeDeployDeployments")
    error_message = "no ContinueDeployment without allow_hooks"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.hub[0].policy).Statement : s if s.Sid == "ReadCodeDeployDeployments"]).Resource == ["arn:aws:codedeploy:*:444455556666:deploymentgroup:checkout/checkout-prod"]
    error_message = "reads scoped to the named group"
  }
}

run "hooks_scoped_to_named" {
  variables {
    allow_hooks       = true
    deployment_groups = [{ application = "checkout", deployment_group = "checkout-prod" }]
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.hub[0].policy).Statement : s if s.Sid == "ContinueCodeDeployDeployments"]) == {
      Sid      = "ContinueCodeDeployDeployments"
      Effect   = "Allow"
      Action   = ["codedeploy:ContinueDeployment", "codedeploy:PutLifecycleEventHookExecutionStatus"]
      Resource = ["arn:aws:codedeploy:*:444455556666:deploymentgroup:checkout/checkout-prod"]
    }
    error_message = "ContinueDeployment on the named group only"
  }
  assert {
    condition     = !contains([for s in jsondecode(aws_iam_role_policy.hub[0].policy).Statement : s.Sid], "RollBackCodeDeployDeployments")
    error_message = "no StopDeployment without allow_rollback"
  }
}

run "actions_need_names" {
  command = plan
  variables {
    allow_rollback = true
  }
  expect_failures = [aws_iam_role.hub]
}

run "forwarding_needs_hub" {
  command = plan
  variables {
    hub_event_bus_arn = null
    hub_function_arn  = null
  }
  expect_failures = [aws_cloudwatch_event_target.hub, aws_sns_topic_subscription.hub]
}

run "forwarding" {
  assert {
    condition = (
      aws_cloudwatch_event_target.hub[0].arn == "arn:aws:events:eu-west-1:111122223333:event-bus/cutover-hub" &&
      aws_cloudwatch_event_target.hub[0].role_arn == aws_iam_role.forward[0].arn &&
      jsondecode(aws_cloudwatch_event_rule.forward[0].event_pattern).source == ["aws.codedeploy", "aws.ecs"]
    )
    error_message = "CodeDeploy and ECS events go to the hub bus through the forwarding role"
  }
  assert {
    condition = jsondecode(aws_iam_role_policy.forward[0].policy).Statement == [{
      Sid      = "PutEventsOnHubBus"
      Effect   = "Allow"
      Action   = ["events:PutEvents"]
      Resource = ["arn:aws:events:eu-west-1:111122223333:event-bus/cutover-hub"]
    }]
    error_message = "the forwarding role may put events on the hub bus only"
  }
  assert {
    condition     = jsondecode(aws_iam_role.forward[0].assume_role_policy).Statement[0].Principal == { Service = "events.amazonaws.com" }
    error_message = "only EventBridge assumes the forwarding role"
  }
  assert {
    condition = (
      aws_sns_topic.triggers[0].name == "CodeDeployTopic_cutover" &&
      aws_sns_topic_subscription.hub[0].protocol == "lambda" &&
      aws_sns_topic_subscription.hub[0].endpoint == "arn:aws:lambda:eu-west-1:111122223333:function:cutover"
    )
    error_message = "the trigger topic is subscribed to the hub function"
  }
}

run "bad_inputs" {
  command = plan
  variables {
    hub_role_arn      = "arn:aws:iam::111122223333:root"
    external_id       = "x"
    deployment_groups = [{ application = "*", deployment_group = "prod" }]
  }
  expect_failures = [var.hub_role_arn, var.external_id, var.deployment_groups]
}
