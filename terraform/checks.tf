################################################################################
# Checks at the traffic switch (CUTOVER_CHECKS, CUTOVER_CHECKS_PARAMETER)
#
# The checks JSON (references only), where it lives, and the role's grants for what the checks
# call: CloudWatch alarms, listener discovery (CodeDeploy / ECS / Elastic Load Balancing) and the
# header secrets. A separate inline policy on the function's role, so the checks grant nothing
# when no check is configured.
################################################################################

locals {
  # The JSON the function reads: the entries as given, without unset keys; a header is a plain
  # value, or {"secret": "<reference>"}.
  checks_json = jsonencode([for c in var.checks : merge(
    { for k, v in c : k => v if v != null && k != "headers" },
    c.headers == null ? {} : { headers = { for n, h in c.headers : n => jsondecode(h.secret != null ? jsonencode({ secret = h.secret }) : jsonencode(h.value)) } },
  )])
  checks_in_parameter = length(var.checks) > 0 && coalesce(var.checks_in_parameter, length(var.checks) >= 5)

  check_alarm_names   = distinct(flatten([for c in var.checks : coalesce(c.alarm_names, []) if c.type == "alarms"]))
  check_uses_listener = anytrue([for c in var.checks : c.type == "http" && c.listener != null])
  check_refs = distinct(flatten([for c in var.checks : [
    for h in values(coalesce(c.headers, {})) : h.secret if h.secret != null
  ]]))
  check_secret_arns = [for r in local.check_refs : r if startswith(r, "arn:") && strcontains(r, ":secretsmanager:")]
  check_parameter_arns = [
    for r in local.check_refs : (
      startswith(r, "arn:") ? r : "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${trimprefix(r, "/")}"
    ) if !(startswith(r, "arn:") && strcontains(r, ":secretsmanager:"))
  ]

  checks_environment = {
    CUTOVER_CHECKS           = { set = length(var.checks) > 0 && !local.checks_in_parameter, value = local.checks_json }
    CUTOVER_CHECKS_PARAMETER = { set = local.checks_in_parameter, value = one(aws_ssm_parameter.checks[*].name) }
  }

  checks_policy_candidates = [
    {
      # cloudwatch:DescribeAlarms is authorized per alarm: exactly the alarms named by the checks.
      enabled = length(local.check_alarm_names) > 0
      statement = {
        Sid      = "DescribeCheckAlarms"
        Effect   = "Allow"
        Action   = ["cloudwatch:DescribeAlarms"]
        Resource = [for n in local.check_alarm_names : "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${n}"]
      }
    },
    {
      # Elastic Load Balancing's Describe* actions support no resource-level permissions: IAM only
      # accepts "*" for them. They are read-only and return listener ports, protocols and DNS names.
      enabled = local.check_uses_listener
      statement = {
        Sid      = "DescribeCheckListeners"
        Effect   = "Allow"
        Action   = ["elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeRules"]
        Resource = ["*"]
      }
    },
    {
      # CodeDeploy: the deployment group's production and test traffic routes.
      enabled = local.check_uses_listener
      statement = {
        Sid      = "ReadCheckDeploymentGroups"
        Effect   = "Allow"
        Action   = ["codedeploy:GetDeployment", "codedeploy:GetDeploymentGroup"]
        Resource = local.codedeploy_resources
      }
    },
    {
      # ECS-native blue/green: the deployment's target revision and its listener rules.
      enabled = local.check_uses_listener
      statement = {
        Sid    = "ReadCheckServiceRevisions"
        Effect = "Allow"
        Action = ["ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions"]
        Resource = [
          "arn:${local.partition}:ecs:${local.region}:${local.account_id}:service-deployment/*",
          "arn:${local.partition}:ecs:${local.region}:${local.account_id}:service-revision/*",
        ]
      }
    },
    {
      enabled = length(local.check_secret_arns) > 0
      statement = {
        Sid      = "ReadCheckHeaderSecrets"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = local.check_secret_arns
      }
    },
    {
      enabled = length(local.check_parameter_arns) > 0 || local.checks_in_parameter
      statement = {
        Sid      = "ReadCheckParameters"
        Effect   = "Allow"
        Action   = ["ssm:GetParameter"]
        Resource = concat(local.check_parameter_arns, aws_ssm_parameter.checks[*].arn)
      }
    },
  ]
  checks_policy_statements = [for c in local.checks_policy_candidates : c.statement if c.enabled]
}

# The checks JSON when it would not fit in the function's environment. It holds references, never
# secrets, so it is a plain String parameter (Intelligent-Tiering, like the destinations').
resource "aws_ssm_parameter" "checks" {
  count = local.checks_in_parameter ? 1 : 0

  name        = "/${var.name}/checks"
  description = "cutover checks at the traffic switch (CUTOVER_CHECKS_PARAMETER): references, never secrets."
  type        = "String"
  tier        = "Intelligent-Tiering"
  value       = local.checks_json
  tags        = var.tags
}

resource "aws_iam_role_policy" "checks" {
  count = length(var.checks) > 0 ? 1 : 0

  name = "${var.name}-checks"
  role = aws_iam_role.lambda.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.checks_policy_statements
  })
}
