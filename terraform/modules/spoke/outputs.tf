output "hub_role_arn" {
  description = "ARN of the role the hub assumes in this account: the role_arn of this account's entry in the hub's spoke_accounts. null when create_role is false."
  value       = one(aws_iam_role.hub[*].arn)
}

output "trigger_topic_arn" {
  description = "ARN of the SNS topic to use as trigger_target_arn in this account's deployment groups; null without forward_triggers."
  value       = one(aws_sns_topic.triggers[*].arn)
}

output "codedeploy_sns_publish_policy_json" {
  description = "IAM policy JSON granting sns:Publish on the trigger topic: attach it to the CodeDeploy service role (not needed with AWSCodeDeployRoleForECSLimited and the default topic_name)."
  value = !var.forward_triggers ? null : jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "PublishCodeDeployTriggers"
      Effect   = "Allow"
      Action   = ["sns:Publish"]
      Resource = [aws_sns_topic.triggers[0].arn]
    }]
  })
}

output "forward_rule_arn" {
  description = "ARN of the EventBridge rule forwarding deployment events to the hub; null without forward_events."
  value       = one(aws_cloudwatch_event_rule.forward[*].arn)
}
