################################################################################
# Organization: this cutover as the hub for other accounts (the spokes).
# See docs/organization.md. Nothing here exists unless organization_id or
# spoke_accounts is set.
#
# What flows where:
#   - CodeDeploy triggers: the spoke's deployment groups publish to an SNS topic
#     in the spoke's own account (modules/spoke); the spoke subscribes this
#     function to it. Here: the function's permission for those topics.
#   - EventBridge: the spoke's rules forward aws.codedeploy and aws.ecs events to
#     the hub bus created here; its rules invoke the function.
#   - Lookups and actions: the function assumes the role modules/spoke creates
#     in each spoke (CUTOVER_ACCOUNTS), and no other role.
################################################################################

locals {
  organization_enabled = var.organization_id != null || length(var.spoke_accounts) > 0

  # Accounts allowed to publish to the topic and put events on the hub bus, besides the organization.
  publisher_accounts = sort(distinct(concat(keys(var.spoke_accounts), var.publisher_account_ids)))

  # CUTOVER_ACCOUNTS: account -> role (and external ID). The external ID is not a secret (it is the
  # confused-deputy guard of the trust policy, see docs/organization.md): it is in the function's
  # environment, never in an output, and cutover never logs it.
  accounts_json = jsonencode({
    for id, a in var.spoke_accounts : id => merge(
      { role_arn = a.role_arn },
      a.external_id == null ? {} : { external_id = a.external_id },
    )
  })

  organization_topic_statements = var.create_topic ? concat(
    var.organization_id == null ? [] : [{
      Sid       = "AllowPublishFromOrganization"
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = ["sns:Publish"]
      Resource  = [aws_sns_topic.this[0].arn]
      Condition = { StringEquals = { "aws:PrincipalOrgID" = var.organization_id } }
    }],
    length(local.publisher_accounts) == 0 ? [] : [{
      Sid       = "AllowPublishFromListedAccounts"
      Effect    = "Allow"
      Principal = { AWS = [for id in local.publisher_accounts : "arn:${local.partition}:iam::${id}:root"] }
      Action    = ["sns:Publish"]
      Resource  = [aws_sns_topic.this[0].arn]
    }],
  ) : []

  organization_policy_candidates = [
    {
      enabled = length(var.spoke_accounts) > 0
      statement = {
        Sid      = "AssumeSpokeRoles"
        Effect   = "Allow"
        Action   = ["sts:AssumeRole"]
        Resource = sort([for a in values(var.spoke_accounts) : a.role_arn])
      }
    },
  ]

  # One trigger topic per spoke account and region: "<account>-<region>" => { account, region }.
  spoke_topics = merge([
    for id, a in var.spoke_accounts : {
      for r in coalesce(a.regions, [local.region]) : "${id}-${r}" => { account = id, region = r }
    }
  ]...)

  hub_bus_name = coalesce(var.hub_event_bus_name, "${var.name}-hub")

  # The events the hub bus passes to the function: CodeDeploy state changes and ECS deployment state
  # changes (native blue/green). What this version cannot decode is logged and dropped.
  hub_event_patterns = {
    codedeploy = {
      source = ["aws.codedeploy"]
      "detail-type" = [
        "CodeDeploy Deployment State-change Notification",
        "CodeDeploy Instance State-change Notification",
      ]
    }
    ecs = {
      source        = ["aws.ecs"]
      "detail-type" = ["ECS Deployment State Change", "ECS Hook State Change"]
    }
  }
}

################################################################################
# Hub event bus: accepts events forwarded from the organization or listed accounts
################################################################################

resource "aws_cloudwatch_event_bus" "hub" {
  count = local.organization_enabled ? 1 : 0

  name = local.hub_bus_name
  tags = var.tags
}

resource "aws_cloudwatch_event_bus_policy" "hub" {
  count = local.organization_enabled ? 1 : 0

  event_bus_name = aws_cloudwatch_event_bus.hub[0].name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      var.organization_id == null ? [] : [{
        Sid       = "AllowPutEventsFromOrganization"
        Effect    = "Allow"
        Principal = { AWS = "*" }
        Action    = ["events:PutEvents"]
        Resource  = [aws_cloudwatch_event_bus.hub[0].arn]
        Condition = { StringEquals = { "aws:PrincipalOrgID" = var.organization_id } }
      }],
      length(local.publisher_accounts) == 0 ? [] : [{
        Sid       = "AllowPutEventsFromListedAccounts"
        Effect    = "Allow"
        Principal = { AWS = [for id in local.publisher_accounts : "arn:${local.partition}:iam::${id}:root"] }
        Action    = ["events:PutEvents"]
        Resource  = [aws_cloudwatch_event_bus.hub[0].arn]
      }],
    )
  })
}

resource "aws_cloudwatch_event_rule" "hub" {
  for_each = local.organization_enabled ? local.hub_event_patterns : {}

  name           = "${var.name}-hub-${each.key}"
  description    = "Events forwarded by the spokes (${each.key}) for ${var.name}."
  event_bus_name = aws_cloudwatch_event_bus.hub[0].name
  event_pattern  = jsonencode(each.value)
  tags           = var.tags
}

resource "aws_cloudwatch_event_target" "hub" {
  for_each = aws_cloudwatch_event_rule.hub

  rule           = each.value.name
  event_bus_name = aws_cloudwatch_event_bus.hub[0].name
  target_id      = "cutover-lambda"
  arn            = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "hub_bus" {
  for_each = aws_cloudwatch_event_rule.hub

  statement_id  = "AllowInvokeFromHubRule-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = each.value.arn
}

################################################################################
# CodeDeploy triggers from the spokes: each spoke's own topic (modules/spoke)
# invokes the function. Only topics of that name, in that account.
################################################################################

resource "aws_lambda_permission" "spoke_topics" {
  for_each = local.spoke_topics

  statement_id   = "AllowInvokeFromSpokeTopic-${each.key}"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this.function_name
  principal      = "sns.amazonaws.com"
  source_account = each.value.account
  source_arn     = "arn:${local.partition}:sns:${each.value.region}:${each.value.account}:${var.spoke_topic_name}"
}
