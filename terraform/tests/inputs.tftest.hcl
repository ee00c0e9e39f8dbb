# Existing topic, EventBridge input and alarm actions.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  lambda_zip_path          = "tests/fixtures/bootstrap.zip"
  slack_webhook_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"
}

run "existing_topic" {
  variables {
    create_topic  = false
    sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:platform-deployments"
  }
  assert {
    condition     = length(aws_sns_topic.this) == 0 && length(aws_sns_topic_policy.this) == 0
    error_message = "no topic and no topic policy for an existing topic"
  }
  assert {
    condition = (
      aws_sns_topic_subscription.lambda.topic_arn == "arn:aws:sns:us-east-1:123456789012:platform-deployments" &&
      aws_lambda_permission.sns.source_arn == "arn:aws:sns:us-east-1:123456789012:platform-deployments" &&
      output.sns_topic_arn == "arn:aws:sns:us-east-1:123456789012:platform-deployments"
    )
    error_message = "subscription, permission and output use the existing topic"
  }
}

run "encrypted_topic" {
  variables {
    kms_master_key_id = "alias/sns-codedeploy"
  }
  assert {
    condition     = aws_sns_topic.this[0].kms_master_key_id == "alias/sns-codedeploy"
    error_message = "kms_master_key_id passes through"
  }
}

run "eventbridge_all_applications" {
  variables {
    enable_eventbridge = true
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.codedeploy[0].event_pattern) == {
      source        = ["aws.codedeploy"]
      "detail-type" = ["CodeDeploy Deployment State-change Notification", "CodeDeploy Instance State-change Notification"]
    }
    error_message = "rule matches CodeDeploy deployment and instance state changes"
  }
  assert {
    condition     = aws_cloudwatch_event_target.codedeploy[0].arn == aws_lambda_function.this.arn && aws_cloudwatch_event_target.codedeploy[0].rule == "cutover-codedeploy"
    error_message = "the rule targets the function"
  }
  assert {
    condition = (
      aws_lambda_permission.eventbridge[0].principal == "events.amazonaws.com" &&
      aws_lambda_permission.eventbridge[0].source_arn == aws_cloudwatch_event_rule.codedeploy[0].arn &&
      aws_lambda_permission.eventbridge[0].action == "lambda:InvokeFunction"
    )
    error_message = "EventBridge may invoke the function only from the rule"
  }
  assert {
    condition     = output.eventbridge_rule_arn == "arn:aws:events:us-east-1:123456789012:rule/cutover-codedeploy"
    error_message = "eventbridge_rule_arn output"
  }
}

run "eventbridge_filtered_by_application" {
  variables {
    enable_eventbridge           = true
    codedeploy_application_names = ["web", "api"]
  }
  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.codedeploy[0].event_pattern).detail == { application = ["web", "api"] }
    error_message = "detail.application filters the rule to the named applications"
  }
}

run "alarm_actions" {
  variables {
    alarm_actions = ["arn:aws:sns:us-east-1:123456789012:oncall"]
    ok_actions    = ["arn:aws:sns:us-east-1:123456789012:oncall"]
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.errors[0].alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:oncall"]) &&
      aws_cloudwatch_metric_alarm.failure_queue[0].alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:oncall"]) &&
      aws_cloudwatch_metric_alarm.errors[0].ok_actions == toset(["arn:aws:sns:us-east-1:123456789012:oncall"])
    )
    error_message = "alarm and OK actions pass through"
  }
}
