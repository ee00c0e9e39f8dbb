# Default wiring: Secrets Manager webhook reference, no CloudFront, everything else at defaults.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  lambda_zip_path          = "tests/fixtures/bootstrap.zip"
  slack_webhook_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"
}

run "function_runtime_and_packaging" {
  assert {
    condition     = aws_lambda_function.this.runtime == "provided.al2023"
    error_message = "runtime must be provided.al2023"
  }
  assert {
    condition     = aws_lambda_function.this.architectures == tolist(["arm64"])
    error_message = "architectures must be [arm64]"
  }
  assert {
    condition     = aws_lambda_function.this.handler == "bootstrap"
    error_message = "handler must be bootstrap"
  }
  assert {
    condition     = aws_lambda_function.this.function_name == "cutover"
    error_message = "function name must default to cutover"
  }
  assert {
    condition     = aws_lambda_function.this.filename == "tests/fixtures/bootstrap.zip"
    error_message = "filename must be lambda_zip_path"
  }
  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixtures/bootstrap.zip")
    error_message = "source_code_hash must default to filebase64sha256(lambda_zip_path)"
  }
  assert {
    condition     = aws_lambda_function.this.memory_size == 128 && aws_lambda_function.this.timeout == 30
    error_message = "memory 128 MB and timeout 30 s are the defaults"
  }
  assert {
    condition     = aws_lambda_function.this.role == aws_iam_role.lambda.arn
    error_message = "the function must run with the module's role"
  }
}

run "logging" {
  assert {
    condition     = aws_lambda_function.this.logging_config[0].log_format == "JSON"
    error_message = "log_format must be JSON"
  }
  assert {
    condition     = aws_lambda_function.this.logging_config[0].application_log_level == "INFO"
    error_message = "application_log_level must default to INFO"
  }
  assert {
    condition     = aws_lambda_function.this.logging_config[0].system_log_level == "WARN"
    error_message = "system_log_level must be WARN"
  }
  assert {
    condition     = aws_lambda_function.this.logging_config[0].log_group == "/aws/lambda/cutover"
    error_message = "the function must log to the module's log group"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/cutover" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "log group /aws/lambda/cutover with 30 days retention by default"
  }
}

run "environment_contract_minimal" {
  assert {
    condition = aws_lambda_function.this.environment[0].variables == tomap({
      CUTOVER_SLACK_WEBHOOK_URL_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"
      CUTOVER_EVENTS                   = "DeploymentFailure,DeploymentStop,DeploymentRollback,DeploymentReady,InstanceSuccess,InstanceFailure,TriggerTest"
      CUTOVER_ENRICH                   = "true"
      CUTOVER_ENRICH_TIMEOUT           = "2s"
      CUTOVER_RECORDS_TABLE            = "cutover-records"
      CUTOVER_RECORDS_TTL              = "336h"
      GOGC                             = "400"
      GOMEMLIMIT                       = "64MiB"
    })
    error_message = "without CloudFront the environment holds exactly the secret reference, events, enrichment flag and timeout, records table and its TTL, and the Go runtime settings"
  }
  assert {
    condition     = length(aws_sqs_queue.followup) == 0 && length(aws_lambda_event_source_mapping.followup) == 0
    error_message = "no follow-up queue or event source mapping without CloudFront"
  }
}

run "asynchronous_invocation_and_failure_queue" {
  assert {
    condition     = aws_lambda_function_event_invoke_config.this.maximum_retry_attempts == 2
    error_message = "maximum_retry_attempts must be 2"
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.this.maximum_event_age_in_seconds == 3600
    error_message = "maximum_event_age_in_seconds must default to 3600"
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.this.destination_config[0].on_failure[0].destination == aws_sqs_queue.failure.arn
    error_message = "failed events must go to the failure queue"
  }
  assert {
    condition     = aws_sqs_queue.failure.message_retention_seconds == 1209600
    error_message = "failure queue keeps messages 14 days"
  }
  assert {
    condition     = aws_sqs_queue.failure.sqs_managed_sse_enabled == true
    error_message = "failure queue must be encrypted (SSE-SQS by default)"
  }
}

run "records_table" {
  assert {
    condition     = aws_dynamodb_table.records[0].name == "cutover-records"
    error_message = "table name"
  }
  assert {
    condition     = aws_dynamodb_table.records[0].hash_key == "pk" && aws_dynamodb_table.records[0].range_key == "sk"
    error_message = "keys must be pk (hash) and sk (range)"
  }
  assert {
    condition     = toset([for a in aws_dynamodb_table.records[0].attribute : "${a.name}:${a.type}"]) == toset(["pk:S", "sk:S"])
    error_message = "pk and sk must be strings"
  }
  assert {
    condition     = aws_dynamodb_table.records[0].billing_mode == "PAY_PER_REQUEST"
    error_message = "billing must be on demand"
  }
  assert {
    condition     = aws_dynamodb_table.records[0].ttl[0].attribute_name == "expires_at" && aws_dynamodb_table.records[0].ttl[0].enabled
    error_message = "TTL on expires_at"
  }
  assert {
    condition     = aws_dynamodb_table.records[0].server_side_encryption[0].enabled
    error_message = "SSE must be on"
  }
  assert {
    condition     = aws_dynamodb_table.records[0].point_in_time_recovery[0].enabled
    error_message = "PITR on by default"
  }
}

run "topic_and_policy" {
  assert {
    condition     = aws_sns_topic.this[0].name == "cutover-codedeploy" && aws_sns_topic.this[0].kms_master_key_id == null
    error_message = "topic name, unencrypted unless kms_master_key_id"
  }
  assert {
    condition = one([
      for s in jsondecode(aws_sns_topic_policy.this[0].policy).Statement : s if s.Sid == "AllowPublishFromOwnAccount"
    ]).Condition.StringEquals["AWS:SourceOwner"] == "123456789012"
    error_message = "publishing must be conditioned on AWS:SourceOwner = own account"
  }
  assert {
    condition = one([
      for s in jsondecode(aws_sns_topic_policy.this[0].policy).Statement : s if s.Sid == "AllowPublishFromOwnAccount"
    ]).Principal.AWS == ["arn:aws:iam::123456789012:root"]
    error_message = "only the account root is a principal when no CodeDeploy role is given"
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_sns_topic_policy.this[0].policy).Statement :
      s.Action == ["sns:Publish"] && s.Resource == [aws_sns_topic.this[0].arn]
    ])
    error_message = "the topic policy only concerns sns:Publish on this topic"
  }
  assert {
    condition = one([
      for s in jsondecode(aws_sns_topic_policy.this[0].policy).Statement : s if s.Sid == "DenyPublishWithoutTLS"
    ]).Condition.Bool["aws:SecureTransport"] == "false"
    error_message = "publishing without TLS must be denied"
  }
}

run "sns_subscription_and_permission" {
  assert {
    condition     = aws_sns_topic_subscription.lambda.protocol == "lambda"
    error_message = "protocol lambda"
  }
  assert {
    condition     = aws_sns_topic_subscription.lambda.topic_arn == aws_sns_topic.this[0].arn
    error_message = "subscription on the module's topic"
  }
  assert {
    condition     = aws_sns_topic_subscription.lambda.endpoint == aws_lambda_function.this.arn
    error_message = "subscription endpoint is the function"
  }
  assert {
    condition     = aws_lambda_permission.sns.principal == "sns.amazonaws.com" && aws_lambda_permission.sns.source_arn == aws_sns_topic.this[0].arn
    error_message = "SNS may invoke the function only from the topic"
  }
  assert {
    condition     = aws_lambda_permission.sns.action == "lambda:InvokeFunction" && aws_lambda_permission.sns.function_name == "cutover"
    error_message = "permission action and function"
  }
}

run "alarms" {
  assert {
    condition     = aws_cloudwatch_metric_alarm.errors[0].metric_name == "Errors" && aws_cloudwatch_metric_alarm.errors[0].namespace == "AWS/Lambda"
    error_message = "errors alarm on AWS/Lambda Errors"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.errors[0].period == 300 &&
      aws_cloudwatch_metric_alarm.errors[0].threshold == 0 &&
      aws_cloudwatch_metric_alarm.errors[0].comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.errors[0].dimensions["FunctionName"] == "cutover"
    )
    error_message = "errors alarm: > 0 over 300 s for this function"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.failure_queue[0].metric_name == "ApproximateNumberOfMessagesVisible" &&
      aws_cloudwatch_metric_alarm.failure_queue[0].namespace == "AWS/SQS" &&
      aws_cloudwatch_metric_alarm.failure_queue[0].threshold == 0 &&
      aws_cloudwatch_metric_alarm.failure_queue[0].comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.failure_queue[0].dimensions["QueueName"] == "cutover-invoke-failures"
    )
    error_message = "failure queue alarm: visible messages > 0"
  }
  assert {
    condition     = length(aws_cloudwatch_event_rule.codedeploy) == 0 && length(aws_lambda_permission.eventbridge) == 0
    error_message = "EventBridge input is off by default"
  }
}

run "outputs" {
  assert {
    condition = output.trigger_events == tolist([
      "DeploymentFailure", "DeploymentReady", "DeploymentRollback", "DeploymentStop",
      "InstanceFailure", "InstanceSuccess",
    ])
    error_message = "trigger_events must be exactly the default notify_events without TriggerTest, sorted (no DeploymentSuccess: it only notifies)"
  }
  assert {
    condition     = output.sns_topic_arn == "arn:aws:sns:us-east-1:123456789012:cutover-codedeploy"
    error_message = "sns_topic_arn output"
  }
  assert {
    condition = (
      output.function_name == "cutover" &&
      output.function_arn == "arn:aws:lambda:us-east-1:123456789012:function:cutover" &&
      output.role_arn == "arn:aws:iam::123456789012:role/cutover-lambda" &&
      output.log_group_name == "/aws/lambda/cutover" &&
      output.records_table_name == "cutover-records" &&
      output.failure_queue_arn == "arn:aws:sqs:us-east-1:123456789012:cutover-invoke-failures" &&
      output.failure_queue_url == "https://sqs.us-east-1.amazonaws.com/123456789012/cutover-invoke-failures" &&
      output.followup_queue_url == null
    )
    error_message = "function, role, log group, table and queue outputs"
  }
  assert {
    condition = output.trigger_configuration == {
      trigger_name       = "cutover"
      trigger_events     = output.trigger_events
      trigger_target_arn = output.sns_topic_arn
    }
    error_message = "trigger_configuration output"
  }
  assert {
    condition     = jsondecode(output.codedeploy_sns_publish_policy_json).Statement[0].Resource == [output.sns_topic_arn]
    error_message = "the CodeDeploy role policy grants sns:Publish on the topic"
  }
}

run "trigger_events_follow_notify_events" {
  variables {
    notify_events = ["DeploymentStart", "InstanceSuccess", "TriggerTest"]
  }
  assert {
    condition     = output.trigger_events == tolist(["DeploymentStart", "InstanceSuccess"])
    error_message = "trigger_events is exactly the notified trigger events (never TriggerTest, not a trigger event) plus InstanceSuccess"
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables["CUTOVER_EVENTS"] == "DeploymentStart,InstanceSuccess,TriggerTest"
    error_message = "CUTOVER_EVENTS is notify_events joined with commas"
  }
}

run "trigger_events_without_instance_success_notifications" {
  variables {
    notify_events = ["DeploymentSuccess", "DeploymentStop", "DeploymentReady"]
  }
  assert {
    condition     = output.trigger_events == tolist(["DeploymentReady", "DeploymentStop", "DeploymentSuccess", "InstanceSuccess"])
    error_message = "DeploymentSuccess/Stop/Ready are in the trigger when notified; InstanceSuccess always is; nothing else is added without CloudFront"
  }
}

run "s3_package" {
  variables {
    lambda_zip_path  = null
    lambda_s3_bucket = "artifacts-123456789012"
    lambda_s3_key    = "cutover/cutover-lambda-arm64.zip"
    lambda_zip_hash  = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
  }
  assert {
    condition = (
      aws_lambda_function.this.filename == null &&
      aws_lambda_function.this.s3_bucket == "artifacts-123456789012" &&
      aws_lambda_function.this.s3_key == "cutover/cutover-lambda-arm64.zip" &&
      aws_lambda_function.this.source_code_hash == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    )
    error_message = "package from S3 with the given hash"
  }
}

run "tuning_inputs" {
  variables {
    name                           = "cutover-prod"
    memory_size                    = 256
    timeout                        = 60
    log_level                      = "DEBUG"
    log_retention_in_days          = 14
    reserved_concurrent_executions = 5
    maximum_event_age_in_seconds   = 600
    enrich                         = false
    enrich_timeout_seconds         = 0.5
    records_ttl_hours              = 720
    tags                           = { Team = "platform" }
    extra_environment_variables    = { TZ = "UTC" }
  }
  assert {
    condition = (
      aws_lambda_function.this.function_name == "cutover-prod" &&
      aws_lambda_function.this.memory_size == 256 &&
      aws_lambda_function.this.timeout == 60 &&
      aws_lambda_function.this.reserved_concurrent_executions == 5 &&
      aws_lambda_function.this.logging_config[0].application_log_level == "DEBUG"
    )
    error_message = "function inputs pass through"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/cutover-prod" && aws_cloudwatch_log_group.this.retention_in_days == 14
    error_message = "log group follows name and retention"
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.this.maximum_event_age_in_seconds == 600
    error_message = "maximum_event_age_in_seconds passes through"
  }
  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables["CUTOVER_ENRICH"] == "false" &&
      aws_lambda_function.this.environment[0].variables["TZ"] == "UTC" &&
      aws_lambda_function.this.environment[0].variables["CUTOVER_RECORDS_TABLE"] == "cutover-prod-records"
    )
    error_message = "enrich flag, extra variables and table name in the environment"
  }
  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables["CUTOVER_ENRICH_TIMEOUT"] == "0.5s" &&
      aws_lambda_function.this.environment[0].variables["CUTOVER_RECORDS_TTL"] == "720h"
    )
    error_message = "enrich_timeout_seconds and records_ttl_hours reach the function as Go durations (\"0.5s\", \"720h\")"
  }
  assert {
    condition = alltrue([
      for tags in [
        aws_lambda_function.this.tags, aws_iam_role.lambda.tags, aws_sns_topic.this[0].tags, aws_sqs_queue.failure.tags,
        aws_dynamodb_table.records[0].tags, aws_cloudwatch_log_group.this.tags, aws_cloudwatch_metric_alarm.errors[0].tags,
        aws_cloudwatch_metric_alarm.failure_queue[0].tags,
      ] : tags["Team"] == "platform"
    ])
    error_message = "tags on every taggable resource"
  }
}

run "no_records_table_no_alarms" {
  variables {
    create_records_table = false
    create_alarms        = false
  }
  assert {
    condition = (
      length(aws_dynamodb_table.records) == 0 &&
      !contains(keys(aws_lambda_function.this.environment[0].variables), "CUTOVER_RECORDS_TABLE") &&
      !contains(keys(aws_lambda_function.this.environment[0].variables), "CUTOVER_RECORDS_TTL")
    )
    error_message = "no table, no CUTOVER_RECORDS_TABLE and no CUTOVER_RECORDS_TTL when create_records_table = false"
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.errors) == 0 && length(aws_cloudwatch_metric_alarm.failure_queue) == 0 && length(output.alarm_arns) == 0
    error_message = "no alarms when create_alarms = false"
  }
  assert {
    condition     = output.records_table_name == null
    error_message = "records_table_name is null without a table"
  }
}
