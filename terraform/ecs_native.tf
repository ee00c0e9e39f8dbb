################################################################################
# ECS-native blue/green (optional): EventBridge rule on aws.ecs deployment and
# hook state changes, and the read permissions of the ECS-native lookups.
#
# The ECS service side (deployment_configuration with strategy BLUE_GREEN,
# bake_time_in_minutes, lifecycle_hook) needs hashicorp/aws 6.5 or newer (6.4 added it;
# 6.5 fixed its stabilization) and
# is deliberately not declared here: this module keeps working with 5.x.
################################################################################

locals {
  ecs_native_events = var.enable_ecs_native ? var.ecs_native_notify_events : []

  ecs_native_deployment_detail = "ECS Deployment State Change"
  ecs_native_hook_detail       = "ECS Hook State Change"

  # Deployment events name the service in resources[0]; hook events name the
  # service deployment there, and the service and cluster in detail.
  ecs_native_cluster_arns = [for c in var.ecs_native_cluster_names : "${local.ecs_arn_prefix}:cluster/${c}"]
  ecs_native_pattern_branches = compact([
    length(var.ecs_native_service_arns) > 0 ? jsonencode({
      "detail-type" = [local.ecs_native_deployment_detail]
      resources     = var.ecs_native_service_arns
    }) : "",
    length(var.ecs_native_cluster_names) > 0 ? jsonencode({
      "detail-type" = [local.ecs_native_deployment_detail]
      resources     = [for c in var.ecs_native_cluster_names : { prefix = "${local.ecs_arn_prefix}:service/${c}/" }]
    }) : "",
    length(var.ecs_native_service_arns) > 0 ? jsonencode({
      "detail-type" = [local.ecs_native_hook_detail]
      detail        = { serviceArn = var.ecs_native_service_arns }
    }) : "",
    length(var.ecs_native_cluster_names) > 0 ? jsonencode({
      "detail-type" = [local.ecs_native_hook_detail]
      detail        = { clusterArn = local.ecs_native_cluster_arns }
    }) : "",
  ])
  ecs_native_event_pattern = length(local.ecs_native_pattern_branches) == 0 ? jsonencode({
    source        = ["aws.ecs"]
    "detail-type" = [local.ecs_native_deployment_detail, local.ecs_native_hook_detail]
  }) : "{\"source\":[\"aws.ecs\"],\"$or\":[${join(",", local.ecs_native_pattern_branches)}]}"

  # IAM resources of the lookups (Service Authorization Reference resource
  # types): ListServiceDeployments on the service, DescribeServiceDeployments on
  # service-deployment ARNs, DescribeServiceRevisions on service-revision ARNs.
  # Deployment and revision IDs are not known in advance: they are scoped to
  # the service (or cluster) with a trailing wildcard.
  ecs_native_scoped = length(var.ecs_native_service_arns) + length(var.ecs_native_cluster_names) > 0
  ecs_native_service_resources = local.ecs_native_scoped ? concat(
    var.ecs_native_service_arns,
    [for c in var.ecs_native_cluster_names : "${local.ecs_arn_prefix}:service/${c}/*"],
  ) : ["${local.ecs_arn_prefix}:service/*"]
  ecs_native_deployment_resources = local.ecs_native_scoped ? concat(
    [for arn in var.ecs_native_service_arns : "${replace(arn, ":service/", ":service-deployment/")}/*"],
    [for c in var.ecs_native_cluster_names : "${local.ecs_arn_prefix}:service-deployment/${c}/*"],
  ) : ["${local.ecs_arn_prefix}:service-deployment/*"]
  ecs_native_revision_resources = local.ecs_native_scoped ? concat(
    [for arn in var.ecs_native_service_arns : "${replace(arn, ":service/", ":service-revision/")}/*"],
    [for c in var.ecs_native_cluster_names : "${local.ecs_arn_prefix}:service-revision/${c}/*"],
  ) : ["${local.ecs_arn_prefix}:service-revision/*"]
}

resource "aws_cloudwatch_event_rule" "ecs_native" {
  count = var.enable_ecs_native ? 1 : 0

  name          = "${var.name}-ecs-native"
  description   = "ECS-native blue/green deployment and lifecycle-hook state changes for ${var.name}."
  event_pattern = local.ecs_native_event_pattern
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "ecs_native" {
  count = var.enable_ecs_native ? 1 : 0

  rule      = aws_cloudwatch_event_rule.ecs_native[0].name
  target_id = "cutover-lambda"
  arn       = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "ecs_native" {
  count = var.enable_ecs_native ? 1 : 0

  statement_id  = "AllowInvokeFromEcsNativeRule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.ecs_native[0].arn
}

# The ECS-native lookups serve the EventBridge events and the ECS lifecycle hook alike: with ecs_hook alone
# they give the bake-time deadline, the rollback command and the shared thread.
resource "aws_iam_role_policy" "ecs_native" {
  count = (var.enable_ecs_native || var.ecs_hook) && var.enrich ? 1 : 0

  name = "${var.name}-ecs-native-read"
  role = aws_iam_role.lambda.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ListEcsServiceDeployments"
        Effect   = "Allow"
        Action   = ["ecs:ListServiceDeployments"]
        Resource = local.ecs_native_service_resources
      },
      {
        Sid      = "DescribeEcsServiceDeployments"
        Effect   = "Allow"
        Action   = ["ecs:DescribeServiceDeployments"]
        Resource = local.ecs_native_deployment_resources
      },
      {
        Sid      = "DescribeEcsServiceRevisions"
        Effect   = "Allow"
        Action   = ["ecs:DescribeServiceRevisions"]
        Resource = local.ecs_native_revision_resources
      },
    ]
  })
}

output "ecs_native_rule_arn" {
  description = "ARN of the EventBridge rule on ECS-native deployment and hook state changes, or null when enable_ecs_native is false."
  value       = var.enable_ecs_native ? aws_cloudwatch_event_rule.ecs_native[0].arn : null
}
