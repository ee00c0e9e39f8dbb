# Lifecycle-hook mode (hooks.tf): the ECS hook role, the CodeDeploy hook
# permissions, the CodeDeployHook_ name, and the hook events and policy in
# the function's environment.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  lambda_zip_path          = "tests/fixtures/bootstrap.zip"
  slack_webhook_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"
}

run "off_by_default" {
  assert {
    condition     = length(aws_iam_role.ecs_hook) == 0 && length(aws_iam_role_policy.codedeploy_hook) == 0 && output.ecs_hook_role_arn == null
    error_message = "no hook resources unless asked for"
  }
  assert {
    condition = (
      !contains(keys(aws_lambda_function.this.environment[0].variables), "CUTOVER_HOOK_ON_ERROR") &&
      !strcontains(aws_lambda_function.this.environment[0].variables["CUTOVER_EVENTS"], "TRAFFIC_SHIFT")
    )
    error_message = "no hook settings in the environment by default"
  }
}

run "ecs_hook_role" {
  variables {
    ecs_hook = true
  }
  assert {
    condition = jsondecode(aws_iam_role.ecs_hook[0].assume_role_policy).Statement == [{
      Sid       = "EcsAssumeRole"
      Effect    = "Allow"
      Principal = { Service = "ecs.amazonaws.com" }
      Action    = ["sts:AssumeRole"]
      Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    }]
    error_message = "only ECS of this account may assume the hook role"
  }
  assert {
    condition = jsondecode(aws_iam_role_policy.ecs_hook[0].policy).Statement == [{
      Sid      = "InvokeCutoverOnly"
      Effect   = "Allow"
      Action   = ["lambda:InvokeFunction"]
      Resource = ["arn:aws:lambda:us-east-1:123456789012:function:cutover", "arn:aws:lambda:us-east-1:123456789012:function:cutover:*"]
    }]
    error_message = "the hook role may invoke this function (and its versions) only"
  }
  assert {
    condition     = aws_iam_role.ecs_hook[0].name == "cutover-ecs-hook" && output.ecs_hook_role_arn == aws_iam_role.ecs_hook[0].arn
    error_message = "the role's ARN is an output"
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables["CUTOVER_EVENTS"] == "DeploymentFailure,DeploymentStop,DeploymentRollback,DeploymentReady,InstanceSuccess,InstanceFailure,TriggerTest,POST_PRODUCTION_TRAFFIC_SHIFT,ROLLBACK_TRAFFIC_SHIFT"
    error_message = "the traffic switch and the rollback notify"
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables["CUTOVER_HOOK_ON_ERROR"] == "continue"
    error_message = "hook mode sets the on-error policy"
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables["CUTOVER_FAILURE_QUEUE_URL"] == aws_sqs_queue.failure.url
    error_message = "an ECS hook keeps what it could not deliver in the failure queue, for replay"
  }
  assert {
    condition     = length(aws_iam_role_policy.codedeploy_hook) == 0
    error_message = "no CodeDeploy permissions for ECS hooks"
  }
}

run "codedeploy_hook_permissions_scoped" {
  variables {
    name                         = "CodeDeployHook_cutover"
    codedeploy_hook              = true
    hook_on_error                = "rollback"
    codedeploy_application_names = ["web", "api"]
  }
  assert {
    condition = jsondecode(aws_iam_role_policy.codedeploy_hook[0].policy).Statement == [{
      Sid    = "AnswerCodeDeployHooks"
      Effect = "Allow"
      Action = [
        "codedeploy:PutLifecycleEventHookExecutionStatus",
        "codedeploy:GetDeployment",
        "codedeploy:ListDeploymentTargets",
        "codedeploy:GetDeploymentTarget",
      ]
      Resource = [
        "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:web/*",
        "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:api/*",
      ]
    }]
    error_message = "the hook permissions are scoped to the applications' deployment groups"
  }
  assert {
    condition     = aws_lambda_function.this.function_name == "CodeDeployHook_cutover" && aws_iam_role_policy.codedeploy_hook[0].role == aws_iam_role.lambda.id
    error_message = "a CodeDeployHook_ function name is accepted, and the permissions go to the function's role"
  }
  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables["CUTOVER_HOOK_ON_ERROR"] == "rollback" &&
      endswith(aws_lambda_function.this.environment[0].variables["CUTOVER_EVENTS"], ",AfterAllowTraffic")
    )
    error_message = "rollback policy and AfterAllowTraffic in the environment"
  }
}

run "codedeploy_hook_all_groups" {
  variables {
    name            = "CodeDeployHook_all"
    codedeploy_hook = true
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.codedeploy_hook[0].policy).Statement[0].Resource == ["arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:*"]
    error_message = "without application names, every deployment group of this account and region"
  }
}

run "codedeploy_hook_name_warns" {
  variables {
    codedeploy_hook = true
  }
  # The check is a warning (AWSCodeDeployRoleForECS invokes any name): the plan succeeds.
  expect_failures = [check.codedeploy_hook_function_name]
}

run "notify_events_accept_hook_events" {
  variables {
    notify_events = ["POST_PRODUCTION_TRAFFIC_SHIFT", "AfterAllowTraffic", "InstanceSuccess"]
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables["CUTOVER_EVENTS"] == "POST_PRODUCTION_TRAFFIC_SHIFT,AfterAllowTraffic,InstanceSuccess"
    error_message = "hook events may be listed"
  }
  assert {
    condition     = length(output.trigger_events) == 1 && output.trigger_events[0] == "InstanceSuccess"
    error_message = "hook events never go into the CodeDeploy trigger"
  }
}

run "hook_on_error_validated" {
  command = plan
  variables {
    hook_on_error = "maybe"
  }
  expect_failures = [var.hook_on_error]
}
