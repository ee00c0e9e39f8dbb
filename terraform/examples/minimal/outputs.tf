output "sns_topic_arn" {
  description = "Topic to use as trigger_target_arn."
  value       = module.cutover.sns_topic_arn
}

output "trigger_events" {
  description = "Events to put in the trigger."
  value       = module.cutover.trigger_events
}

output "add_trigger_command" {
  description = "AWS CLI command that sets the cutover trigger on the existing deployment group (replaces its trigger list)."
  value = join(" ", [
    "aws deploy update-deployment-group",
    "--region ${var.region}",
    "--application-name '${var.codedeploy_application_name}'",
    "--current-deployment-group-name '${var.codedeploy_deployment_group_name}'",
    "--trigger-configurations '${jsonencode([{
      triggerName      = "cutover"
      triggerTargetArn = module.cutover.sns_topic_arn
      triggerEvents    = module.cutover.trigger_events
    }])}'",
  ])
}

output "function_name" {
  description = "The cutover Lambda function."
  value       = module.cutover.function_name
}
