# The webhook URL never reaches the function's environment or any output.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  lambda_zip_path             = "tests/fixtures/bootstrap.zip"
  slack_webhook_url           = "https://hooks.slack.com/services/T0000/B0000/SENTINEL-do-not-leak-5f3a"
  cloudfront_distribution_ids = ["E2QWRUHAPOMQZL"]
  enable_eventbridge          = true
}

run "plaintext_url_is_stored_in_a_created_secret" {
  assert {
    condition     = length(aws_secretsmanager_secret.slack_webhook) == 1 && length(aws_secretsmanager_secret_version.slack_webhook) == 1
    error_message = "slack_webhook_url creates a secret and a version"
  }
  assert {
    condition     = nonsensitive(aws_secretsmanager_secret_version.slack_webhook[0].secret_string == "https://hooks.slack.com/services/T0000/B0000/SENTINEL-do-not-leak-5f3a")
    error_message = "the secret holds the URL"
  }
  assert {
    condition     = aws_secretsmanager_secret_version.slack_webhook[0].secret_id == aws_secretsmanager_secret.slack_webhook[0].id
    error_message = "the version belongs to the created secret"
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables["CUTOVER_SLACK_WEBHOOK_URL_SECRET"] == aws_secretsmanager_secret.slack_webhook[0].arn
    error_message = "the function gets the created secret's ARN"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "ReadSlackWebhookSecret"]).Resource == [aws_secretsmanager_secret.slack_webhook[0].arn]
    error_message = "GetSecretValue on the created secret only"
  }
}

run "sentinel_absent_from_environment_and_outputs" {
  assert {
    condition = alltrue([
      for v in values(aws_lambda_function.this.environment[0].variables) :
      !strcontains(v, "SENTINEL-do-not-leak") && !strcontains(v, "hooks.slack.com")
    ])
    error_message = "no environment variable may carry the webhook URL"
  }
  assert {
    condition = !strcontains(jsonencode([
      output.sns_topic_arn, output.trigger_events, output.trigger_configuration, output.codedeploy_sns_publish_policy_json,
      output.function_name, output.function_arn, output.role_arn, output.role_name, output.failure_queue_url,
      output.failure_queue_arn, output.followup_queue_url, output.followup_queue_arn, output.records_table_name,
      output.records_table_arn, output.log_group_name, output.slack_webhook_secret_arn, output.eventbridge_rule_arn,
      output.alarm_arns,
    ]), "SENTINEL-do-not-leak")
    error_message = "no output may carry the webhook URL"
  }
  assert {
    condition     = !strcontains(aws_iam_role_policy.lambda.policy, "SENTINEL") && !strcontains(aws_sns_topic_policy.this[0].policy, "SENTINEL")
    error_message = "no policy may carry the webhook URL"
  }
  assert {
    condition     = output.slack_webhook_secret_arn == aws_secretsmanager_secret.slack_webhook[0].arn
    error_message = "the secret's ARN (never its value) is an output"
  }
}

run "given_secret_arn_creates_no_secret" {
  variables {
    slack_webhook_url        = null
    slack_webhook_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"
  }
  assert {
    condition     = length(aws_secretsmanager_secret.slack_webhook) == 0 && length(aws_secretsmanager_secret_version.slack_webhook) == 0
    error_message = "no secret is created when its ARN is given"
  }
  assert {
    condition     = output.slack_webhook_secret_arn == "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"
    error_message = "slack_webhook_secret_arn output echoes the reference"
  }
}
