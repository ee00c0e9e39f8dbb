# A spoke: one workload account (and region) connected to a cutover hub. See README.md and
# docs/organization.md.
#
#   - the role the hub assumes: trusts only the hub function's role, with the external ID;
#     read-only lookups, and actions only when allow_rollback / allow_hooks say so, scoped to
#     the named deployment groups and services;
#   - CodeDeploy triggers: a topic in this account (CodeDeploy publishes to a topic of its own
#     account, as AWS documents it), subscribed to the hub function;
#   - EventBridge: a rule on this account's default bus forwarding CodeDeploy and ECS deployment
#     events to the hub bus, through a role EventBridge assumes (cross-account bus targets need one).

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  # Resources in every region of this account (the role is global; regions are the spoke's business).
  codedeploy_prefix = "arn:${local.partition}:codedeploy:*:${local.account_id}"
  ecs_prefix        = "arn:${local.partition}:ecs:*:${local.account_id}"

  group_arns = length(var.deployment_groups) > 0 ? [
    for g in var.deployment_groups : "${local.codedeploy_prefix}:deploymentgroup:${g.application}/${g.deployment_group}"
  ] : ["${local.codedeploy_prefix}:deploymentgroup:*"]
  named_group_arns = [for g in var.deployment_groups : "${local.codedeploy_prefix}:deploymentgroup:${g.application}/${g.deployment_group}"]

  service_paths = length(var.ecs_services) > 0 ? [for s in var.ecs_services : "${s.cluster}/${s.service}"] : ["*"]
  service_read_arns = flatten([
    for p in local.service_paths : [
      "${local.ecs_prefix}:service/${p}",
      "${local.ecs_prefix}:task-set/${p}${p == "*" ? "" : "/*"}",
      "${local.ecs_prefix}:service-deployment/${p}${p == "*" ? "" : "/*"}",
      "${local.ecs_prefix}:service-revision/${p}${p == "*" ? "" : "/*"}",
    ]
  ])
  named_service_deployment_arns = [for s in var.ecs_services : "${local.ecs_prefix}:service-deployment/${s.cluster}/${s.service}/*"]

  role_statements = concat(
    [
      {
        Sid    = "ReadCodeDeployDeployments"
        Effect = "Allow"
        Action = [
          "codedeploy:BatchGetDeploymentTargets", "codedeploy:BatchGetDeployments", "codedeploy:GetDeployment",
          "codedeploy:GetDeploymentGroup", "codedeploy:ListDeploymentTargets", "codedeploy:ListDeployments",
        ]
        Resource = local.group_arns
      },
      {
        Sid    = "ReadEcsServices"
        Effect = "Allow"
        Action = [
          "ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions", "ecs:DescribeServices",
          "ecs:DescribeTaskSets", "ecs:ListServiceDeployments",
        ]
        Resource = local.service_read_arns
      },
      {
        # The action takes no resource.
        Sid      = "DescribeTaskDefinitions"
        Effect   = "Allow"
        Action   = ["ecs:DescribeTaskDefinition"]
        Resource = ["*"]
      },
    ],
    var.allow_rollback && length(local.named_group_arns) > 0 ? [{
      Sid      = "RollBackCodeDeployDeployments"
      Effect   = "Allow"
      Action   = ["codedeploy:StopDeployment"]
      Resource = local.named_group_arns
    }] : [],
    var.allow_rollback && length(local.named_service_deployment_arns) > 0 ? [{
      Sid      = "RollBackEcsServiceDeployments"
      Effect   = "Allow"
      Action   = ["ecs:StopServiceDeployment"]
      Resource = local.named_service_deployment_arns
    }] : [],
    var.allow_hooks && length(local.named_group_arns) > 0 ? [{
      Sid      = "ContinueCodeDeployDeployments"
      Effect   = "Allow"
      Action   = ["codedeploy:ContinueDeployment", "codedeploy:PutLifecycleEventHookExecutionStatus"]
      Resource = local.named_group_arns
    }] : [],
  )
}

################################################################################
# The role the hub assumes
################################################################################

resource "aws_iam_role" "hub" {
  count = var.create_role ? 1 : 0

  name        = "${var.name}-hub"
  description = "Assumed by the cutover hub (${var.hub_role_arn}) to look up and act on this account's deployments."
  # cutover asks for 15-minute sessions; one hour is the shortest maximum IAM allows.
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "TrustCutoverHubOnly"
      Effect    = "Allow"
      Principal = { AWS = var.hub_role_arn }
      Action    = ["sts:AssumeRole"]
      Condition = { StringEquals = { "sts:ExternalId" = var.external_id } }
    }]
  })
  tags = var.tags

  lifecycle {
    precondition {
      condition     = !var.allow_rollback || length(var.deployment_groups) + length(var.ecs_services) > 0
      error_message = "allow_rollback needs deployment_groups or ecs_services: the role may only act on named ones."
    }
    precondition {
      condition     = !var.allow_hooks || length(var.deployment_groups) > 0
      error_message = "allow_hooks needs deployment_groups: the role may only act on named ones."
    }
  }
}

resource "aws_iam_role_policy" "hub" {
  count = var.create_role ? 1 : 0

  name   = "${var.name}-hub-least-privilege"
  role   = aws_iam_role.hub[0].id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.role_statements })
}

################################################################################
# CodeDeploy triggers: a topic in this account, subscribed to the hub function
################################################################################

resource "aws_sns_topic" "triggers" {
  count = var.forward_triggers ? 1 : 0

  name = var.topic_name
  tags = var.tags
}

resource "aws_sns_topic_policy" "triggers" {
  count = var.forward_triggers ? 1 : 0

  arn = aws_sns_topic.triggers[0].arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowPublishFromOwnAccount"
        Effect    = "Allow"
        Principal = { AWS = concat(["arn:${local.partition}:iam::${local.account_id}:root"], var.codedeploy_service_role_arns) }
        Action    = ["sns:Publish"]
        Resource  = [aws_sns_topic.triggers[0].arn]
        Condition = { StringEquals = { "AWS:SourceOwner" = local.account_id } }
      },
      {
        Sid       = "DenyPublishWithoutTLS"
        Effect    = "Deny"
        Principal = { AWS = "*" }
        Action    = ["sns:Publish"]
        Resource  = [aws_sns_topic.triggers[0].arn]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_sns_topic_subscription" "hub" {
  count = var.forward_triggers ? 1 : 0

  lifecycle {
    precondition {
      condition     = var.hub_function_arn != null
      error_message = "forward_triggers needs hub_function_arn (the hub module's output function_arn)."
    }
  }

  topic_arn = aws_sns_topic.triggers[0].arn
  protocol  = "lambda"
  endpoint  = var.hub_function_arn
}

################################################################################
# EventBridge: forward CodeDeploy and ECS deployment events to the hub bus
################################################################################

resource "aws_cloudwatch_event_rule" "forward" {
  count = var.forward_events ? 1 : 0

  name        = "${var.name}-forward"
  description = "CodeDeploy and ECS deployment events, forwarded to the cutover hub."
  event_pattern = jsonencode({
    source = ["aws.codedeploy", "aws.ecs"]
    "detail-type" = [
      "CodeDeploy Deployment State-change Notification",
      "CodeDeploy Instance State-change Notification",
      "ECS Deployment State Change",
      "ECS Hook State Change",
    ]
  })
  tags = var.tags
}

resource "aws_iam_role" "forward" {
  count = var.forward_events ? 1 : 0

  name        = "${var.name}-forward-${local.region}"
  description = "Assumed by EventBridge to put this account's deployment events on the cutover hub bus."
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EventBridgeOnly"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = ["sts:AssumeRole"]
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "forward" {
  count = var.forward_events ? 1 : 0

  name = "${var.name}-put-events-on-hub"
  role = aws_iam_role.forward[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "PutEventsOnHubBus"
      Effect   = "Allow"
      Action   = ["events:PutEvents"]
      Resource = [var.hub_event_bus_arn]
    }]
  })
}

resource "aws_cloudwatch_event_target" "hub" {
  count = var.forward_events ? 1 : 0

  lifecycle {
    precondition {
      condition     = var.hub_event_bus_arn != null
      error_message = "forward_events needs hub_event_bus_arn (the hub module's output hub_event_bus_arn)."
    }
  }

  rule      = aws_cloudwatch_event_rule.forward[0].name
  target_id = "cutover-hub"
  arn       = var.hub_event_bus_arn
  role_arn  = aws_iam_role.forward[0].arn
}
