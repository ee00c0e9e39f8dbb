# The function role: every statement scoped to the resources it needs.
# Policies are built with jsonencode() in the module, so these runs decode the exact JSON sent to IAM.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  lambda_zip_path          = "tests/fixtures/bootstrap.zip"
  slack_webhook_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"
}

run "assume_role_lambda_only" {
  assert {
    condition     = jsondecode(aws_iam_role.lambda.assume_role_policy).Statement[0].Principal == { Service = "lambda.amazonaws.com" }
    error_message = "only Lambda may assume the role"
  }
  assert {
    condition     = aws_iam_role.lambda.name == "cutover-lambda" && aws_iam_role.lambda.permissions_boundary == null
    error_message = "role name, no boundary by default"
  }
}

run "default_statements_scoped" {
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s.Sid] == [
      "WriteOwnLogs", "ReadSlackWebhookSecret", "ReadCodeDeployDeployments", "DescribeEcsTaskSets",
      "DescribeTaskDefinitions", "SendToOwnQueues", "UseRecordsTable",
    ]
    error_message = "default statements (no CloudFront, no KMS, no SSM)"
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement :
      s.Effect == "Allow" && alltrue([for r in s.Resource : r == "*" ? s.Sid == "DescribeTaskDefinitions" : strcontains(r, ":123456789012:")])
    ])
    error_message = "only ecs:DescribeTaskDefinition may use \"*\"; every other resource is an ARN of this account"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "DescribeTaskDefinitions"]).Action == [
      "ecs:DescribeTaskDefinition",
    ]
    error_message = "the \"*\" statement holds nothing but ecs:DescribeTaskDefinition"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "WriteOwnLogs"]) == {
      Sid      = "WriteOwnLogs"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/cutover", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/cutover:*"]
    }
    error_message = "logs only on the function's own log group"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "ReadSlackWebhookSecret"]) == {
      Sid      = "ReadSlackWebhookSecret"
      Effect   = "Allow"
      Action   = ["secretsmanager:GetSecretValue"]
      Resource = ["arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"]
    }
    error_message = "GetSecretValue only on the given secret"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "SendToOwnQueues"]).Resource == [
      "arn:aws:sqs:us-east-1:123456789012:cutover-invoke-failures",
    ]
    error_message = "SendMessage only on the failure queue without CloudFront"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "UseRecordsTable"]) == {
      Sid      = "UseRecordsTable"
      Effect   = "Allow"
      Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
      Resource = ["arn:aws:dynamodb:us-east-1:123456789012:table/cutover-records"]
    }
    error_message = "item-level DynamoDB actions on the records table only"
  }
}

run "actions_are_exactly_what_the_code_calls" {
  variables {
    cloudfront_distribution_ids = ["E2QWRUHAPOMQZL"]
  }
  assert {
    condition = toset(flatten([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s.Action])) == toset([
      "logs:CreateLogStream", "logs:PutLogEvents",
      "secretsmanager:GetSecretValue",
      "cloudfront:CreateInvalidation", "cloudfront:GetInvalidation",
      "sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
      "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
      "codedeploy:GetDeployment", "codedeploy:GetDeploymentGroup",
      "codedeploy:ListDeploymentTargets", "codedeploy:BatchGetDeploymentTargets",
      "ecs:DescribeTaskSets", "ecs:DescribeTaskDefinition",
    ])
    error_message = "the role grants exactly the API calls the function makes (nothing unused such as GetApplicationRevision, DescribeServices or ConditionCheckItem)"
  }
}

run "codedeploy_and_ecs_unscoped_stay_in_account_and_region" {
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "ReadCodeDeployDeployments"]) == {
      Sid    = "ReadCodeDeployDeployments"
      Effect = "Allow"
      Action = [
        "codedeploy:GetDeployment", "codedeploy:GetDeploymentGroup",
        "codedeploy:ListDeploymentTargets", "codedeploy:BatchGetDeploymentTargets",
      ]
      Resource = [
        "arn:aws:codedeploy:us-east-1:123456789012:application:*",
        "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:*",
      ]
    }
    error_message = "without application names: this account's CodeDeploy applications and groups in this region"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "DescribeEcsTaskSets"]) == {
      Sid      = "DescribeEcsTaskSets"
      Effect   = "Allow"
      Action   = ["ecs:DescribeTaskSets"]
      Resource = ["arn:aws:ecs:us-east-1:123456789012:service/*", "arn:aws:ecs:us-east-1:123456789012:task-set/*"]
    }
    error_message = "without service ARNs: this account's ECS services and task sets in this region"
  }
}

run "codedeploy_and_ecs_scoped" {
  variables {
    codedeploy_application_names = ["web", "api"]
    ecs_service_arns             = ["arn:aws:ecs:us-east-1:123456789012:service/prod/web"]
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "ReadCodeDeployDeployments"]).Resource == [
      "arn:aws:codedeploy:us-east-1:123456789012:application:web",
      "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:web/*",
      "arn:aws:codedeploy:us-east-1:123456789012:application:api",
      "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:api/*",
    ]
    error_message = "CodeDeploy reads scoped to the named applications and their groups"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "DescribeEcsTaskSets"]).Resource == [
      "arn:aws:ecs:us-east-1:123456789012:service/prod/web",
      "arn:aws:ecs:us-east-1:123456789012:task-set/prod/web/*",
    ]
    error_message = "ECS reads scoped to the given services and their task sets"
  }
}

run "no_enrichment_no_read_permissions" {
  variables {
    enrich = false
  }
  assert {
    condition = length([
      for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s
      if contains(["ReadCodeDeployDeployments", "DescribeEcsTaskSets", "DescribeTaskDefinitions"], s.Sid)
    ]) == 0
    error_message = "enrich = false grants no CodeDeploy/ECS reads (and so no \"*\" at all)"
  }
  assert {
    condition     = !strcontains(aws_iam_role_policy.lambda.policy, "\"*\"")
    error_message = "no bare \"*\" resource without enrichment"
  }
}

run "ssm_parameter_name" {
  variables {
    slack_webhook_secret_arn         = null
    slack_webhook_ssm_parameter_name = "/cutover/slack-webhook-url"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "ReadSlackWebhookParameter"]) == {
      Sid      = "ReadSlackWebhookParameter"
      Effect   = "Allow"
      Action   = ["ssm:GetParameter"]
      Resource = ["arn:aws:ssm:us-east-1:123456789012:parameter/cutover/slack-webhook-url"]
    }
    error_message = "GetParameter only on the parameter's ARN computed from name, region and account"
  }
  assert {
    condition     = length([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "ReadSlackWebhookSecret"]) == 0
    error_message = "no Secrets Manager access when an SSM parameter is used"
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables["CUTOVER_SLACK_WEBHOOK_URL_SECRET"] == "/cutover/slack-webhook-url"
    error_message = "the environment carries the parameter name as given"
  }
  assert {
    condition     = output.slack_webhook_secret_arn == null
    error_message = "no secret ARN output with SSM"
  }
}

run "ssm_parameter_name_without_slash_and_arn" {
  variables {
    slack_webhook_secret_arn         = null
    slack_webhook_ssm_parameter_name = "cutover-slack-webhook"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "ReadSlackWebhookParameter"]).Resource == ["arn:aws:ssm:us-east-1:123456789012:parameter/cutover-slack-webhook"]
    error_message = "a name without leading slash maps to parameter/NAME"
  }
}

run "ssm_parameter_arn_passthrough" {
  variables {
    slack_webhook_secret_arn         = null
    slack_webhook_ssm_parameter_name = "arn:aws:ssm:eu-west-1:123456789012:parameter/shared/slack"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "ReadSlackWebhookParameter"]).Resource == ["arn:aws:ssm:eu-west-1:123456789012:parameter/shared/slack"]
    error_message = "a parameter ARN is used as is"
  }
}

run "kms_decrypt_only_via_secrets_services" {
  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "DecryptSlackWebhook"]) == {
      Sid      = "DecryptSlackWebhook"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
      Condition = {
        StringEquals = { "kms:ViaService" = ["secretsmanager.us-east-1.amazonaws.com", "ssm.us-east-1.amazonaws.com"] }
      }
    }
    error_message = "kms:Decrypt only on the given key and only through Secrets Manager/SSM"
  }
}

run "sqs_customer_managed_key" {
  variables {
    sqs_kms_key_arn             = "arn:aws:kms:us-east-1:123456789012:key/abcd1234-12ab-34cd-56ef-1234567890ab"
    cloudfront_distribution_ids = ["E2QWRUHAPOMQZL"]
  }
  assert {
    condition = (
      aws_sqs_queue.failure.kms_master_key_id == var.sqs_kms_key_arn &&
      aws_sqs_queue.followup[0].kms_master_key_id == var.sqs_kms_key_arn
    )
    error_message = "both queues use the given key instead of SSE-SQS"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "UseQueueKey"]) == {
      Sid      = "UseQueueKey"
      Effect   = "Allow"
      Action   = ["kms:GenerateDataKey", "kms:Decrypt"]
      Resource = ["arn:aws:kms:us-east-1:123456789012:key/abcd1234-12ab-34cd-56ef-1234567890ab"]
    }
    error_message = "the role may use the queue key, and only it"
  }
}

run "permissions_boundary" {
  variables {
    role_permissions_boundary_arn = "arn:aws:iam::123456789012:policy/boundary"
  }
  assert {
    condition     = aws_iam_role.lambda.permissions_boundary == "arn:aws:iam::123456789012:policy/boundary"
    error_message = "boundary passes through"
  }
}

run "topic_policy_names_codedeploy_roles" {
  variables {
    codedeploy_service_role_arns = ["arn:aws:iam::123456789012:role/codedeploy-ecs"]
  }
  assert {
    condition = one([
      for s in jsondecode(aws_sns_topic_policy.this[0].policy).Statement : s if s.Sid == "AllowPublishFromOwnAccount"
    ]).Principal.AWS == ["arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:role/codedeploy-ecs"]
    error_message = "CodeDeploy service roles are principals next to the account root"
  }
  assert {
    condition = one([
      for s in jsondecode(aws_sns_topic_policy.this[0].policy).Statement : s if s.Sid == "AllowPublishFromOwnAccount"
    ]).Condition == { StringEquals = { "AWS:SourceOwner" = "123456789012" } }
    error_message = "the AWS:SourceOwner condition still applies"
  }
}
