################################################################################
# Lifecycle-hook mode (docs/hooks.md)
#
# ecs_hook: the role ECS assumes to invoke this function from an ECS-native
# blue/green service's lifecycle hook (paste ecs_hook_role_arn into the
# service's deploymentConfiguration.lifecycleHooks[].roleArn).
# codedeploy_hook: the function may answer CodeDeploy AppSpec hooks
# (PutLifecycleEventHookExecutionStatus) and find which hook invoked it.
#
# The module sets nothing on aws_ecs_service: ECS-native arguments need
# provider >= 6.5 (the snippet in docs/hooks.md is not applied in CI).
################################################################################

locals {
  hook_mode = var.ecs_hook || var.codedeploy_hook
  # The hook events that notify by default when hook mode is on: the
  # traffic switch and the rollback (ECS), AfterAllowTraffic (CodeDeploy).
  hook_events = concat(
    var.ecs_hook ? ["POST_PRODUCTION_TRAFFIC_SHIFT", "ROLLBACK_TRAFFIC_SHIFT"] : [],
    var.codedeploy_hook ? ["AfterAllowTraffic"] : [],
  )
  # IAM scopes PutLifecycleEventHookExecutionStatus, GetDeployment,
  # ListDeploymentTargets and GetDeploymentTarget to deployment groups.
  codedeploy_hook_resources = length(var.codedeploy_application_names) > 0 ? [
    for app in var.codedeploy_application_names : "${local.codedeploy_arn_prefix}:deploymentgroup:${app}/*"
  ] : ["${local.codedeploy_arn_prefix}:deploymentgroup:*"]
}

resource "aws_iam_role" "ecs_hook" {
  count = var.ecs_hook ? 1 : 0

  name                 = "${var.name}-ecs-hook"
  description          = "Assumed by ECS to invoke the ${var.name} function from a blue/green lifecycle hook."
  permissions_boundary = var.role_permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EcsAssumeRole"
      Effect    = "Allow"
      Principal = { Service = "ecs.amazonaws.com" }
      Action    = ["sts:AssumeRole"]
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "ecs_hook" {
  count = var.ecs_hook ? 1 : 0

  name = "${var.name}-invoke"
  role = aws_iam_role.ecs_hook[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "InvokeCutoverOnly"
      Effect   = "Allow"
      Action   = ["lambda:InvokeFunction"]
      Resource = [aws_lambda_function.this.arn, "${aws_lambda_function.this.arn}:*"]
    }]
  })
}

resource "aws_iam_role_policy" "codedeploy_hook" {
  count = var.codedeploy_hook ? 1 : 0

  name = "${var.name}-codedeploy-hook"
  role = aws_iam_role.lambda.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid    = "AnswerCodeDeployHooks"
      Effect = "Allow"
      Action = [
        "codedeploy:PutLifecycleEventHookExecutionStatus",
        "codedeploy:GetDeployment",
        "codedeploy:ListDeploymentTargets",
        "codedeploy:GetDeploymentTarget",
      ]
      Resource = local.codedeploy_hook_resources
    }]
  })
}

# The managed role AWSCodeDeployRoleForECSLimited invokes only functions
# named CodeDeployHook_*; with AWSCodeDeployRoleForECS any name works, so
# this is a warning, not an error.
check "codedeploy_hook_function_name" {
  assert {
    condition     = !var.codedeploy_hook || startswith(var.name, "CodeDeployHook_")
    error_message = "codedeploy_hook is on but the function name \"${var.name}\" does not start with CodeDeployHook_: a CodeDeploy service role using the managed policy AWSCodeDeployRoleForECSLimited cannot invoke it (AWSCodeDeployRoleForECS can). Set name = \"CodeDeployHook_<something>\" or give the service role lambda:InvokeFunction on this function."
  }
}
