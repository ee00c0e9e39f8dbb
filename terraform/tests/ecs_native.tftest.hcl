# ECS-native blue/green: the optional EventBridge rule on aws.ecs deployment and hook state changes,
# its invoke permission, the ECS-native events in CUTOVER_EVENTS and the scoped read permissions.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  lambda_zip_path          = "tests/fixtures/bootstrap.zip"
  slack_webhook_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"
}

run "off_by_default" {
  command = plan
  assert {
    condition     = length(aws_cloudwatch_event_rule.ecs_native) == 0 && length(aws_lambda_permission.ecs_native) == 0 && length(aws_iam_role_policy.ecs_native) == 0
    error_message = "nothing ECS-native without enable_ecs_native"
  }
  assert {
    condition     = !strcontains(aws_lambda_function.this.environment[0].variables["CUTOVER_EVENTS"], "SERVICE_DEPLOYMENT")
    error_message = "no ECS-native events notify without enable_ecs_native"
  }
  assert {
    condition     = output.ecs_native_rule_arn == null
    error_message = "no rule, no output"
  }
}

run "every_service" {
  variables {
    enable_ecs_native = true
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.ecs_native[0].event_pattern) == {
      source        = ["aws.ecs"]
      "detail-type" = ["ECS Deployment State Change", "ECS Hook State Change"]
    }
    error_message = "unfiltered rule: both detail types of aws.ecs"
  }
  assert {
    condition     = aws_cloudwatch_event_target.ecs_native[0].arn == aws_lambda_function.this.arn
    error_message = "the rule targets the function"
  }
  assert {
    condition = (aws_lambda_permission.ecs_native[0].principal == "events.amazonaws.com" &&
      aws_lambda_permission.ecs_native[0].source_arn == aws_cloudwatch_event_rule.ecs_native[0].arn &&
    aws_lambda_permission.ecs_native[0].action == "lambda:InvokeFunction")
    error_message = "EventBridge may invoke the function from this rule only"
  }
  assert {
    condition = aws_lambda_function.this.environment[0].variables["CUTOVER_EVENTS"] == join(",", [
      "DeploymentFailure", "DeploymentStop", "DeploymentRollback", "DeploymentReady", "InstanceSuccess", "InstanceFailure", "TriggerTest",
      "SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED", "SERVICE_DEPLOYMENT_FAILED", "HOOK_AWAITING_ACTION", "HOOK_FAILED", "HOOK_TIMED_OUT",
    ])
    error_message = "the ECS-native defaults are added to notify_events"
  }
  assert {
    condition = jsondecode(aws_iam_role_policy.ecs_native[0].policy).Statement == [
      { Sid = "ListEcsServiceDeployments", Effect = "Allow", Action = ["ecs:ListServiceDeployments"], Resource = ["arn:aws:ecs:us-east-1:123456789012:service/*"] },
      { Sid = "DescribeEcsServiceDeployments", Effect = "Allow", Action = ["ecs:DescribeServiceDeployments"], Resource = ["arn:aws:ecs:us-east-1:123456789012:service-deployment/*"] },
      { Sid = "DescribeEcsServiceRevisions", Effect = "Allow", Action = ["ecs:DescribeServiceRevisions"], Resource = ["arn:aws:ecs:us-east-1:123456789012:service-revision/*"] },
    ]
    error_message = "read permissions limited to this account and region"
  }
  assert {
    condition     = aws_iam_role_policy.ecs_native[0].role == aws_iam_role.lambda.id
    error_message = "the policy is on the function's role"
  }
}

run "scoped_to_services_and_clusters" {
  variables {
    enable_ecs_native        = true
    ecs_native_service_arns  = ["arn:aws:ecs:us-east-1:123456789012:service/prod/web"]
    ecs_native_cluster_names = ["staging"]
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.ecs_native[0].event_pattern) == {
      source = ["aws.ecs"]
      "$or" = [
        { "detail-type" = ["ECS Deployment State Change"], resources = ["arn:aws:ecs:us-east-1:123456789012:service/prod/web"] },
        { "detail-type" = ["ECS Deployment State Change"], resources = [{ prefix = "arn:aws:ecs:us-east-1:123456789012:service/staging/" }] },
        { "detail-type" = ["ECS Hook State Change"], detail = { serviceArn = ["arn:aws:ecs:us-east-1:123456789012:service/prod/web"] } },
        { "detail-type" = ["ECS Hook State Change"], detail = { clusterArn = ["arn:aws:ecs:us-east-1:123456789012:cluster/staging"] } },
      ]
    }
    error_message = "deployment events filtered on the service ARN (resources), hook events on detail.serviceArn/clusterArn"
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.ecs_native[0].policy).Statement : s.Resource] == [
      ["arn:aws:ecs:us-east-1:123456789012:service/prod/web", "arn:aws:ecs:us-east-1:123456789012:service/staging/*"],
      ["arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/*", "arn:aws:ecs:us-east-1:123456789012:service-deployment/staging/*"],
      ["arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/*", "arn:aws:ecs:us-east-1:123456789012:service-revision/staging/*"],
    ]
    error_message = "each read scoped to the named services and clusters"
  }
}

run "only_hook_failures_and_no_enrichment" {
  variables {
    enable_ecs_native        = true
    enrich                   = false
    ecs_native_notify_events = ["HOOK_FAILED"]
  }
  assert {
    condition     = length(aws_iam_role_policy.ecs_native) == 0 && length(aws_cloudwatch_event_rule.ecs_native) == 1
    error_message = "no read permissions without enrichment; the rule stays"
  }
  assert {
    condition     = endswith(aws_lambda_function.this.environment[0].variables["CUTOVER_EVENTS"], ",TriggerTest,HOOK_FAILED")
    error_message = "only the chosen ECS-native event is added"
  }
}

run "rejects_unknown_event" {
  command = plan
  variables {
    enable_ecs_native        = true
    ecs_native_notify_events = ["SERVICE_DEPLOYMENT_ROLLBACK"]
  }
  expect_failures = [var.ecs_native_notify_events]
}

run "rejects_short_service_arn" {
  command = plan
  variables {
    ecs_native_service_arns = ["arn:aws:ecs:us-east-1:123456789012:service/web"]
  }
  expect_failures = [var.ecs_native_service_arns]
}
