output "sns_topic_arn" {
  description = "ARN of the SNS topic to use as trigger_target_arn in the deployment group's trigger_configuration."
  value       = local.topic_arn
}

output "trigger_events" {
  description = "Events to put in the deployment group's trigger_configuration, sorted: notify_events (without TriggerTest, which is not a trigger event) plus what the CloudFront action needs: InstanceSuccess (unless codedeploy_hook makes AfterAllowTraffic the switch), DeploymentFailure and DeploymentRollback when invalidate_on_rollback and any distribution is configured."
  value       = local.trigger_events
}

output "trigger_configuration" {
  description = "The whole trigger as an object (trigger_name, trigger_events, trigger_target_arn), for a dynamic \"trigger_configuration\" block."
  value = {
    trigger_name       = var.name
    trigger_events     = local.trigger_events
    trigger_target_arn = local.topic_arn
  }
}

output "codedeploy_sns_publish_policy_json" {
  description = "IAM policy JSON granting sns:Publish on the topic: attach it to the CodeDeploy service role."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "PublishCodeDeployTriggers"
      Effect   = "Allow"
      Action   = ["sns:Publish"]
      Resource = [local.topic_arn]
    }]
  })
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "role_arn" {
  description = "ARN of the function's IAM role."
  value       = aws_iam_role.lambda.arn
}

output "role_name" {
  description = "Name of the function's IAM role (to attach more policies)."
  value       = aws_iam_role.lambda.name
}

output "failure_queue_url" {
  description = "URL of the SQS queue holding events the function failed to process after retries (and follow-ups that kept failing)."
  value       = aws_sqs_queue.failure.url
}

output "failure_queue_arn" {
  description = "ARN of the failure queue."
  value       = aws_sqs_queue.failure.arn
}

output "followup_queue_url" {
  description = "URL of the invalidation follow-up queue; null when no CloudFront distribution is configured."
  value       = local.cloudfront_enabled ? aws_sqs_queue.followup[0].url : null
}

output "followup_queue_arn" {
  description = "ARN of the invalidation follow-up queue; null when no CloudFront distribution is configured."
  value       = local.cloudfront_enabled ? aws_sqs_queue.followup[0].arn : null
}

output "records_table_name" {
  description = "Name of the DynamoDB delivery-records table; null when create_records_table = false."
  value       = var.create_records_table ? aws_dynamodb_table.records[0].name : null
}

output "records_table_arn" {
  description = "ARN of the DynamoDB delivery-records table; null when create_records_table = false."
  value       = var.create_records_table ? aws_dynamodb_table.records[0].arn : null
}

output "log_group_name" {
  description = "Name of the function's CloudWatch log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "slack_webhook_secret_arn" {
  description = "ARN of the Secrets Manager secret the function reads the webhook URL from (given or created); null when an SSM parameter is used. An ARN, never the URL."
  value       = local.webhook_secret_arn
}

output "eventbridge_rule_arn" {
  description = "ARN of the EventBridge rule; null unless enable_eventbridge."
  value       = var.enable_eventbridge ? aws_cloudwatch_event_rule.codedeploy[0].arn : null
}

output "alarm_arns" {
  description = "ARNs of the CloudWatch alarms (errors, failure_queue); empty when create_alarms = false."
  value = var.create_alarms ? {
    errors        = aws_cloudwatch_metric_alarm.errors[0].arn
    failure_queue = aws_cloudwatch_metric_alarm.failure_queue[0].arn
  } : {}
}

output "destinations_parameter_name" {
  description = "Name of the SSM parameter holding the destinations JSON (CUTOVER_DESTINATIONS_PARAMETER), or null when the JSON is in the environment."
  value       = one(aws_ssm_parameter.destinations[*].name)
}

output "slack_actions_url" {
  description = "The Slack app's interactivity request URL (function URL + /slack/actions); null when slack_buttons is off. Not a secret: requests are verified with the app's signing secret."
  value       = local.slack_buttons ? "${trimsuffix(aws_lambda_function_url.slack[0].function_url, "/")}/slack/actions" : null
}

output "ecs_hook_role_arn" {
  description = "With ecs_hook: the role ECS assumes to invoke the function. Put it, with function_arn, into the service's deploymentConfiguration.lifecycleHooks (roleArn, hookTargetArn). null otherwise."
  value       = one(aws_iam_role.ecs_hook[*].arn)
}

output "hub_event_bus_arn" {
  description = "ARN of the hub event bus the spokes forward events to (modules/spoke input hub_event_bus_arn); null when no organization or spoke account is configured."
  value       = one(aws_cloudwatch_event_bus.hub[*].arn)
}
