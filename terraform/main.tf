data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  # Every event a CodeDeploy trigger can carry (TriggerTest is not one: CodeDeploy sends it on its own).
  codedeploy_trigger_events = [
    "DeploymentStart", "DeploymentSuccess", "DeploymentFailure", "DeploymentStop", "DeploymentRollback", "DeploymentReady",
    "InstanceStart", "InstanceSuccess", "InstanceFailure", "InstanceReady",
  ]
  # notify_events unset: the default set. With codedeploy_hook the AfterAllowTraffic hook is the traffic
  # switch (it notifies and invalidates), so InstanceSuccess, the trigger's view of the same moment, is left
  # out: with both, every switch would notify and invalidate twice. Listing it in notify_events (or in a
  # destination's events) brings it back.
  notify_events_default = ["DeploymentFailure", "DeploymentStop", "DeploymentRollback", "DeploymentReady", "InstanceSuccess", "InstanceFailure", "TriggerTest"]
  notify_events = var.notify_events != null ? var.notify_events : [
    for e in local.notify_events_default : e if !(var.codedeploy_hook && e == "InstanceSuccess")
  ]
  # Events the CloudFront action needs whether or not they notify: InstanceSuccess is the traffic switch
  # (in the trigger unless codedeploy_hook makes AfterAllowTraffic the switch); with invalidate_on_rollback
  # and a distribution, DeploymentFailure and DeploymentRollback invalidate again. Every other event only
  # notifies, so it is in the trigger only when it is in notify_events or a destination's events.
  action_trigger_events = concat(
    var.codedeploy_hook ? [] : ["InstanceSuccess"],
    local.cloudfront_enabled && var.invalidate_on_rollback ? ["DeploymentFailure", "DeploymentRollback"] : [],
  )
  # With codedeploy_hook, an entry without events (the default set) does not pull InstanceSuccess into the trigger.
  destination_trigger_events = distinct(flatten([
    for i, d in var.destinations : [for e in flatten(local.destination_event_matches[i]) : e if d.events != null || !var.codedeploy_hook || e != "InstanceSuccess"]
  ]))
  trigger_events = sort(distinct(concat(
    local.action_trigger_events,
    [for e in concat(local.notify_events, local.destination_trigger_events) : e if contains(local.codedeploy_trigger_events, e)],
  )))

  ##############################################################################
  # Destinations (CUTOVER_DESTINATIONS): references and routing rules only
  ##############################################################################
  # The JSON the function reads: the entries as given, without unset keys.
  destinations_json = jsonencode([for d in var.destinations : { for k, v in d : k => v if v != null }])
  # Decided from inputs only (plan-time known): the parameter's count depends on it.
  destinations_in_parameter = length(var.destinations) > 0 && coalesce(var.destinations_in_parameter, length(var.destinations) >= 5)
  # Every event some destination notifies, read the way the function reads an entry's events
  # (config.eventsMatching): an entry without events gets the quiet default set (config.DefaultEvents);
  # an entry equal to an event name once trimmed, ignoring case (strings.EqualFold, which RE2's (?i)
  # folds alike), is that event; any other entry is a path.Match pattern over the known names, trimmed
  # and case-sensitive: * and ? (never /), [classes] with ranges and ^, \ escapes; a malformed pattern
  # matches nothing. Terraform has no glob function, so each pattern becomes a regular expression
  # token by token: a literal that is no ASCII letter can match no event name, so it becomes "!"; a
  # class becomes the set of ASCII letters it holds, found from code points (printable ASCII by its
  # place in destination_ascii, control characters below it, anything else above "z").
  # variables.tf checks the destinations with the same expression; tests/destinations.tftest.hcl
  # compares both with Go's results.
  # app.Sources().EventNames(), in its order: internal/app tests that they agree.
  destination_event_names = [
    "DeploymentStart", "DeploymentSuccess", "DeploymentFailure", "DeploymentStop", "DeploymentRollback", "DeploymentReady",
    "InstanceStart", "InstanceSuccess", "InstanceFailure", "InstanceReady", "TriggerTest", "Unknown",
    "SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED", "SERVICE_DEPLOYMENT_FAILED",
    "HOOK_IN_PROGRESS", "HOOK_AWAITING_ACTION", "HOOK_SUCCEEDED", "HOOK_FAILED", "HOOK_TIMED_OUT",
    "RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
    "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "ROLLBACK_TRAFFIC_SHIFT",
    "BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic",
  ]
  # config.DefaultEvents, in its order (internal/app tests it).
  destination_default_events = [
    "DeploymentFailure", "DeploymentStop", "DeploymentRollback", "DeploymentReady", "InstanceSuccess", "InstanceFailure", "TriggerTest",
    "POST_PRODUCTION_TRAFFIC_SHIFT", "ROLLBACK_TRAFFIC_SHIFT", "AfterAllowTraffic",
    "SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED", "SERVICE_DEPLOYMENT_FAILED", "HOOK_AWAITING_ACTION", "HOOK_FAILED", "HOOK_TIMED_OUT",
  ]
  destination_ascii = regexall("[\\s\\S]", " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~")
  # For each destination, for each entry of its events, the known events it names.
  destination_event_matches = [for d in var.destinations : [
    for e in(d.events != null ? d.events : local.destination_default_events) : [for p in [trimspace(e)] : (
      anytrue([for n in local.destination_event_names : can(regex("^(?i)${n}$", p))]) ? [for n in local.destination_event_names : n if can(regex("^(?i)${n}$", p))] : [
        for t in [regexall("\\\\[\\s\\S]|\\[(?:\\^(?:(?:\\\\[\\s\\S]|[^\\\\\\]-])(?:-(?:\\\\[\\s\\S]|[^\\\\\\]-]))?)+|(?:\\\\[\\s\\S]|[^\\\\\\]^-])(?:-(?:\\\\[\\s\\S]|[^\\\\\\]-]))?(?:(?:\\\\[\\s\\S]|[^\\\\\\]-])(?:-(?:\\\\[\\s\\S]|[^\\\\\\]-]))?)*)\\]|[\\s\\S]", p)] : [
          for r in [contains(t, "[") || contains(t, "\\") ? "!" : join("", [for x in t : (
            x == "*" ? ".*" : x == "?" ? "." : !startswith(x, "[") ? (can(regex("^\\\\?[A-Za-z_]$", x)) ? trimprefix(x, "\\") : "!") : [
              for rs in [[
                for m in regexall("(\\\\[\\s\\S]|[^\\\\\\]-])(?:-(\\\\[\\s\\S]|[^\\\\\\]-]))?", trimprefix(trimsuffix(trimprefix(x, "["), "]"), "^")) : [
                  for ch in [trimprefix(m[0], "\\"), trimprefix(coalesce(m[1], m[0]), "\\")] :
                  contains(local.destination_ascii, ch) ? index(local.destination_ascii, ch) + 32 : can(regex("^[\\x00-\\x1f]$", ch)) ? 0 : 200
                ]
                ]] : [
                for s in [join("", [
                  for i, ch in local.destination_ascii : ch if i >= 33 && i <= 90 && !(i >= 59 && i <= 64 && i != 63) && anytrue([for r in rs : r[0] <= i + 32 && i + 32 <= r[1]]) != startswith(x, "[^")
                ])] : s == "" ? "!" : "[${s}]"
              ][0]
            ][0]
          )])] : [for n in local.destination_event_names : n if can(regex("^${r}$", n))]
        ][0]
      ][0]
    )][0]
  ]]
  destination_events = distinct(flatten(local.destination_event_matches))
  destination_refs   = distinct(flatten([for d in var.destinations : compact([d.url_secret, d.signing_secret_secret, d.token_secret])]))
  # One grant per referenced secret or parameter, nothing wider.
  destination_secret_arns = [for r in local.destination_refs : r if startswith(r, "arn:") && strcontains(r, ":secretsmanager:")]
  destination_parameter_arns = [
    for r in local.destination_refs : (
      startswith(r, "arn:") ? r : "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${trimprefix(r, "/")}"
    ) if !(startswith(r, "arn:") && strcontains(r, ":secretsmanager:"))
  ]

  ##############################################################################
  # Slack webhook: the function only ever gets a reference (secret ARN or parameter name)
  ##############################################################################
  # The URL itself is sensitive; whether it was given is not.
  create_webhook_secret = nonsensitive(var.slack_webhook_url != null)
  webhook_source_count = length(compact([
    var.slack_webhook_secret_arn != null ? "secret" : "",
    var.slack_webhook_ssm_parameter_name != null ? "parameter" : "",
    local.create_webhook_secret ? "url" : "",
  ]))
  webhook_secret_arn = local.create_webhook_secret ? aws_secretsmanager_secret.slack_webhook[0].arn : var.slack_webhook_secret_arn
  webhook_parameter_arn = var.slack_webhook_ssm_parameter_name == null ? null : (
    startswith(var.slack_webhook_ssm_parameter_name, "arn:")
    ? var.slack_webhook_ssm_parameter_name
    : "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${trimprefix(var.slack_webhook_ssm_parameter_name, "/")}"
  )
  webhook_reference = local.webhook_secret_arn != null ? local.webhook_secret_arn : var.slack_webhook_ssm_parameter_name

  ##############################################################################
  # CloudFront
  ##############################################################################
  all_distribution_ids = sort(distinct(concat(
    var.cloudfront_distribution_ids,
    flatten([for r in var.cloudfront_routes : r.distribution_ids]),
  )))
  # From list lengths only (known at plan time even when IDs come from resources created in the same apply);
  # every route carries at least one distribution (validated).
  cloudfront_enabled = length(var.cloudfront_distribution_ids) > 0 || length(var.cloudfront_routes) > 0
  distribution_arns  = [for id in local.all_distribution_ids : "arn:${local.partition}:cloudfront::${local.account_id}:distribution/${id}"]

  ##############################################################################
  # Enrichment scopes
  ##############################################################################
  codedeploy_arn_prefix = "arn:${local.partition}:codedeploy:${local.region}:${local.account_id}"
  codedeploy_resources = length(var.codedeploy_application_names) > 0 ? flatten([
    for app in var.codedeploy_application_names : [
      "${local.codedeploy_arn_prefix}:application:${app}",
      "${local.codedeploy_arn_prefix}:deploymentgroup:${app}/*",
    ]
    ]) : [
    "${local.codedeploy_arn_prefix}:application:*",
    "${local.codedeploy_arn_prefix}:deploymentgroup:*",
  ]

  ecs_arn_prefix = "arn:${local.partition}:ecs:${local.region}:${local.account_id}"
  # ecs:DescribeTaskSets names the service in the request and returns its task sets
  # (arn:...:task-set/CLUSTER/SERVICE/ID): both the service and its task-set ARNs are listed so
  # whichever one IAM authorizes against matches.
  ecs_resources = length(var.ecs_service_arns) > 0 ? concat(
    var.ecs_service_arns,
    [for arn in var.ecs_service_arns : "${replace(arn, ":service/", ":task-set/")}/*"],
    ) : [
    "${local.ecs_arn_prefix}:service/*",
    "${local.ecs_arn_prefix}:task-set/*",
  ]

  ##############################################################################
  # Function package
  ##############################################################################
  package_from_s3 = var.lambda_s3_bucket != null || var.lambda_s3_key != null
  source_code_hash = var.lambda_zip_hash != null ? var.lambda_zip_hash : (
    var.lambda_zip_path != null ? filebase64sha256(var.lambda_zip_path) : null
  )

  ##############################################################################
  # Environment: THE contract with the Go code. Only references, never secrets.
  # Each entry: whether it is set (decided from inputs only, so the keys are known at plan time
  # even when values come from resources created in the same apply) and its value.
  ##############################################################################
  contract_environment = {
    CUTOVER_SLACK_WEBHOOK_URL_SECRET    = { set = local.webhook_source_count > 0, value = local.webhook_reference }
    CUTOVER_DESTINATIONS                = { set = length(var.destinations) > 0 && !local.destinations_in_parameter, value = local.destinations_json }
    CUTOVER_DESTINATIONS_PARAMETER      = { set = local.destinations_in_parameter, value = one(aws_ssm_parameter.destinations[*].name) }
    CUTOVER_EVENTS                      = { set = true, value = join(",", distinct(concat(local.notify_events, local.hook_events, local.ecs_native_events))) }
    CUTOVER_ENRICH                      = { set = true, value = tostring(var.enrich) }
    CUTOVER_ENRICH_TIMEOUT              = { set = true, value = "${var.enrich_timeout_seconds}s" }
    CUTOVER_CLOUDFRONT_DISTRIBUTION_IDS = { set = length(var.cloudfront_distribution_ids) > 0, value = join(",", var.cloudfront_distribution_ids) }
    CUTOVER_CLOUDFRONT_ROUTES           = { set = length(var.cloudfront_routes) > 0, value = jsonencode(var.cloudfront_routes) }
    CUTOVER_INVALIDATION_PATHS          = { set = local.cloudfront_enabled, value = join(",", var.invalidation_paths) }
    CUTOVER_INVALIDATE_ON_ROLLBACK      = { set = local.cloudfront_enabled, value = tostring(var.invalidate_on_rollback) }
    CUTOVER_FOLLOWUP_QUEUE_URL          = { set = local.cloudfront_enabled, value = one(aws_sqs_queue.followup[*].url) }
    CUTOVER_RECORDS_TABLE               = { set = var.create_records_table, value = one(aws_dynamodb_table.records[*].name) }
    CUTOVER_RECORDS_TTL                 = { set = var.create_records_table, value = "${var.records_ttl_hours}h" }
    CUTOVER_HOOK_ON_ERROR               = { set = local.hook_mode || var.hook_on_error != "continue", value = var.hook_on_error }
    CUTOVER_FAILURE_QUEUE_URL           = { set = var.ecs_hook, value = aws_sqs_queue.failure.url }
    CUTOVER_ACCOUNTS                    = { set = length(var.spoke_accounts) > 0, value = local.accounts_json }
  }
  # Go runtime settings for a short-lived process (var.go_runtime_tuning); extra_environment_variables override them.
  go_runtime_environment = var.go_runtime_tuning ? {
    GOGC       = "400"
    GOMEMLIMIT = "${floor(var.memory_size / 2)}MiB"
  } : {}
  environment = merge(
    local.go_runtime_environment,
    var.extra_environment_variables,
    { for k, v in local.contract_environment : k => v.value if v.set },
    { for k, v in local.checks_environment : k => v.value if v.set }, # checks.tf
  )

  topic_arn = var.create_topic ? aws_sns_topic.this[0].arn : var.sns_topic_arn
}

################################################################################
# SNS topic and its policy
################################################################################

resource "aws_sns_topic" "this" {
  count = var.create_topic ? 1 : 0

  name              = "${var.name}-codedeploy"
  kms_master_key_id = var.kms_master_key_id
  tags              = var.tags
}

locals {
  topic_policy = var.create_topic ? jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        # Only principals of this account (and the named CodeDeploy service roles) may publish.
        Sid    = "AllowPublishFromOwnAccount"
        Effect = "Allow"
        Principal = {
          AWS = concat(["arn:${local.partition}:iam::${local.account_id}:root"], var.codedeploy_service_role_arns)
        }
        Action   = ["sns:Publish"]
        Resource = [aws_sns_topic.this[0].arn]
        Condition = {
          StringEquals = { "AWS:SourceOwner" = local.account_id }
        }
      },
      {
        Sid       = "DenyPublishWithoutTLS"
        Effect    = "Deny"
        Principal = { AWS = "*" }
        Action    = ["sns:Publish"]
        Resource  = [aws_sns_topic.this[0].arn]
        Condition = {
          Bool = { "aws:SecureTransport" = "false" }
        }
      },
    ], local.organization_topic_statements) # organization.tf
  }) : null
}

resource "aws_sns_topic_policy" "this" {
  count = var.create_topic ? 1 : 0

  arn    = aws_sns_topic.this[0].arn
  policy = local.topic_policy
}

################################################################################
# Webhook secret (only when slack_webhook_url is given: for trying the module out)
################################################################################

resource "aws_secretsmanager_secret" "slack_webhook" {
  count = local.create_webhook_secret ? 1 : 0

  name_prefix             = "${var.name}-slack-webhook-url-"
  description             = "Slack incoming webhook URL for ${var.name} (created from the slack_webhook_url input)."
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 7
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "slack_webhook" {
  count = local.create_webhook_secret ? 1 : 0

  secret_id     = aws_secretsmanager_secret.slack_webhook[0].id
  secret_string = var.slack_webhook_url
}

################################################################################
# Queues: failed asynchronous invocations, invalidation follow-ups
################################################################################

# The destinations JSON when it would not fit in the function's environment (4 KB in all). It holds
# references and routing rules, never secrets, so it is a plain String parameter. Intelligent-Tiering:
# Standard (free) while the JSON fits in 4 KB, Advanced (charged, up to 8 KB) only when it does not;
# a parameter made Advanced is never downgraded, so it is not asked for up front.
resource "aws_ssm_parameter" "destinations" {
  count = local.destinations_in_parameter ? 1 : 0

  name        = "/${var.name}/destinations"
  description = "cutover destinations and routing rules (CUTOVER_DESTINATIONS_PARAMETER): references, never secrets."
  type        = "String"
  tier        = "Intelligent-Tiering"
  value       = local.destinations_json
  tags        = var.tags
}

resource "aws_sqs_queue" "failure" {
  name                      = "${var.name}-invoke-failures"
  message_retention_seconds = 1209600 # 14 days, the maximum
  sqs_managed_sse_enabled   = var.sqs_kms_key_arn == null ? true : null
  kms_master_key_id         = var.sqs_kms_key_arn
  tags                      = var.tags
}

resource "aws_sqs_queue" "followup" {
  count = local.cloudfront_enabled ? 1 : 0

  name                       = "${var.name}-followup"
  visibility_timeout_seconds = 6 * var.timeout
  message_retention_seconds  = 86400
  sqs_managed_sse_enabled    = var.sqs_kms_key_arn == null ? true : null
  kms_master_key_id          = var.sqs_kms_key_arn
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.failure.arn
    maxReceiveCount     = var.followup_max_receive_count
  })
  tags = var.tags
}

################################################################################
# Delivery records
################################################################################

resource "aws_dynamodb_table" "records" {
  count = var.create_records_table ? 1 : 0

  name         = "${var.name}-records"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.records_table_point_in_time_recovery
  }

  # AWS owned keys are not "on"; this uses the AWS managed key aws/dynamodb (no grants needed by the function).
  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}

################################################################################
# IAM role (least privilege; built with jsonencode so tests can assert every statement)
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_iam_role" "lambda" {
  name                 = "${var.name}-lambda"
  description          = "Execution role of the ${var.name} Lambda function."
  permissions_boundary = var.role_permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaAssumeRole"
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = ["sts:AssumeRole"]
    }]
  })
  tags = var.tags
}

locals {
  sqs_send_queue_arns = concat([aws_sqs_queue.failure.arn], aws_sqs_queue.followup[*].arn)

  # Candidate statements with the (input-only, plan-time known) condition under which they apply.
  lambda_policy_candidates = [
    {
      enabled = true
      statement = {
        Sid      = "WriteOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = [aws_cloudwatch_log_group.this.arn, "${aws_cloudwatch_log_group.this.arn}:*"]
      }
    },
    {
      enabled = local.create_webhook_secret || var.slack_webhook_secret_arn != null
      statement = {
        Sid      = "ReadSlackWebhookSecret"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = [local.webhook_secret_arn]
      }
    },
    {
      enabled = var.slack_webhook_ssm_parameter_name != null
      statement = {
        Sid      = "ReadSlackWebhookParameter"
        Effect   = "Allow"
        Action   = ["ssm:GetParameter"]
        Resource = [local.webhook_parameter_arn]
      }
    },
    {
      enabled = length(local.destination_secret_arns) > 0
      statement = {
        Sid      = "ReadDestinationSecrets"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = local.destination_secret_arns
      }
    },
    {
      enabled = length(local.destination_parameter_arns) > 0 || local.destinations_in_parameter
      statement = {
        Sid      = "ReadDestinationParameters"
        Effect   = "Allow"
        Action   = ["ssm:GetParameter"]
        Resource = concat(local.destination_parameter_arns, aws_ssm_parameter.destinations[*].arn)
      }
    },
    {
      enabled = var.kms_key_arn != null
      statement = {
        Sid      = "DecryptSlackWebhook"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [var.kms_key_arn]
        Condition = {
          StringEquals = {
            "kms:ViaService" = ["secretsmanager.${local.region}.amazonaws.com", "ssm.${local.region}.amazonaws.com"]
          }
        }
      }
    },
    {
      enabled = local.cloudfront_enabled
      statement = {
        Sid      = "InvalidateDistributions"
        Effect   = "Allow"
        Action   = ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"]
        Resource = local.distribution_arns
      }
    },
    {
      enabled = local.cloudfront_enabled
      statement = {
        Sid      = "ConsumeFollowups"
        Effect   = "Allow"
        Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
        Resource = aws_sqs_queue.followup[*].arn
      }
    },
    {
      enabled = var.enrich
      statement = {
        Sid    = "ReadCodeDeployDeployments"
        Effect = "Allow"
        Action = [
          "codedeploy:GetDeployment",
          "codedeploy:GetDeploymentGroup",
          "codedeploy:ListDeploymentTargets",
          "codedeploy:BatchGetDeploymentTargets",
        ]
        Resource = local.codedeploy_resources
      }
    },
    {
      enabled = var.enrich
      statement = {
        Sid      = "DescribeEcsTaskSets"
        Effect   = "Allow"
        Action   = ["ecs:DescribeTaskSets"]
        Resource = local.ecs_resources
      }
    },
    {
      # ecs:DescribeTaskDefinition supports no resource-level permissions: IAM only accepts "*" for it.
      # It is read-only and returns task definition metadata (image, CPU, memory), never secret values.
      enabled = var.enrich
      statement = {
        Sid      = "DescribeTaskDefinitions"
        Effect   = "Allow"
        Action   = ["ecs:DescribeTaskDefinition"]
        Resource = ["*"]
      }
    },
    {
      enabled = true
      statement = {
        Sid      = "SendToOwnQueues"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = local.sqs_send_queue_arns
      }
    },
    {
      enabled = var.sqs_kms_key_arn != null
      statement = {
        Sid      = "UseQueueKey"
        Effect   = "Allow"
        Action   = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource = [var.sqs_kms_key_arn]
      }
    },
    {
      enabled = var.create_records_table
      statement = {
        Sid      = "UseRecordsTable"
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
        Resource = aws_dynamodb_table.records[*].arn
      }
    },
  ]
  lambda_policy_statements = [for c in concat(local.lambda_policy_candidates, local.organization_policy_candidates) : c.statement if c.enabled]
}

resource "aws_iam_role_policy" "lambda" {
  name = "${var.name}-least-privilege"
  role = aws_iam_role.lambda.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.lambda_policy_statements
  })
}

################################################################################
# Lambda function
################################################################################

resource "aws_lambda_function" "this" {
  function_name = var.name
  description   = "cutover: CodeDeploy ECS blue/green notifications to Slack and CloudFront invalidation at traffic switch."
  role          = aws_iam_role.lambda.arn

  runtime       = "provided.al2023"
  architectures = ["arm64"]
  handler       = "bootstrap"

  filename          = var.lambda_zip_path
  s3_bucket         = var.lambda_s3_bucket
  s3_key            = var.lambda_s3_key
  s3_object_version = var.lambda_s3_object_version
  source_code_hash  = local.source_code_hash

  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions

  environment {
    variables = local.environment
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.this.name
    application_log_level = var.log_level
    system_log_level      = "WARN"
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = local.webhook_source_count == 1 || (local.webhook_source_count == 0 && length(var.destinations) > 0)
      error_message = "Set exactly one of slack_webhook_secret_arn, slack_webhook_ssm_parameter_name or slack_webhook_url, or configure destinations."
    }
    precondition {
      condition     = local.webhook_source_count == 0 || !contains([for d in var.destinations : d.name], "slack")
      error_message = "The slack_webhook_* inputs are the destination named \"slack\": no entry of destinations may use that name as well."
    }
    precondition {
      condition     = (var.lambda_zip_path != null) != (var.lambda_s3_bucket != null && var.lambda_s3_key != null) && !(var.lambda_zip_path != null && local.package_from_s3)
      error_message = "Set either lambda_zip_path, or lambda_s3_bucket together with lambda_s3_key (not both)."
    }
    precondition {
      condition     = var.create_topic ? var.sns_topic_arn == null : var.sns_topic_arn != null
      error_message = "With create_topic = true leave sns_topic_arn unset; with create_topic = false set sns_topic_arn."
    }
  }

  # Logs and permissions must exist before the first invocation.
  depends_on = [aws_iam_role_policy.lambda, aws_cloudwatch_log_group.this]
}

resource "aws_lambda_function_event_invoke_config" "this" {
  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = var.maximum_retry_attempts
  maximum_event_age_in_seconds = var.maximum_event_age_in_seconds

  destination_config {
    on_failure {
      destination = aws_sqs_queue.failure.arn
    }
  }

  # Lambda checks that the role may send to the destination.
  depends_on = [aws_iam_role_policy.lambda]
}

resource "aws_lambda_event_source_mapping" "followup" {
  count = local.cloudfront_enabled ? 1 : 0

  event_source_arn                   = aws_sqs_queue.followup[0].arn
  function_name                      = aws_lambda_function.this.arn
  batch_size                         = 10
  maximum_batching_window_in_seconds = 0
  function_response_types            = ["ReportBatchItemFailures"]

  depends_on = [aws_iam_role_policy.lambda]
}

################################################################################
# SNS -> Lambda
################################################################################

resource "aws_lambda_permission" "sns" {
  statement_id  = "AllowInvokeFromCodeDeployTopic"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "sns.amazonaws.com"
  source_arn    = local.topic_arn
}

resource "aws_sns_topic_subscription" "lambda" {
  topic_arn = local.topic_arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.this.arn

  depends_on = [aws_lambda_permission.sns]
}

################################################################################
# EventBridge -> Lambda (optional)
################################################################################

resource "aws_cloudwatch_event_rule" "codedeploy" {
  count = var.enable_eventbridge ? 1 : 0

  name        = "${var.name}-codedeploy"
  description = "CodeDeploy deployment and instance state changes for ${var.name}."
  event_pattern = jsonencode(merge(
    {
      source = ["aws.codedeploy"]
      "detail-type" = [
        "CodeDeploy Deployment State-change Notification",
        "CodeDeploy Instance State-change Notification",
      ]
    },
    length(var.codedeploy_application_names) > 0 ? {
      detail = { application = var.codedeploy_application_names }
    } : {},
  ))
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "codedeploy" {
  count = var.enable_eventbridge ? 1 : 0

  rule      = aws_cloudwatch_event_rule.codedeploy[0].name
  target_id = "cutover-lambda"
  arn       = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "eventbridge" {
  count = var.enable_eventbridge ? 1 : 0

  statement_id  = "AllowInvokeFromCodeDeployRule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.codedeploy[0].arn
}

################################################################################
# Alarms
################################################################################

resource "aws_cloudwatch_metric_alarm" "errors" {
  count = var.create_alarms ? 1 : 0

  alarm_name          = "${var.name}-errors"
  alarm_description   = "The ${var.name} function returned errors: notifications or invalidations may be missing. See log group /aws/lambda/${var.name}."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "failure_queue" {
  count = var.create_alarms ? 1 : 0

  alarm_name          = "${var.name}-failure-queue-not-empty"
  alarm_description   = "Events the ${var.name} function could not process are waiting in ${aws_sqs_queue.failure.name}: inspect and redrive them."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.failure.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}
