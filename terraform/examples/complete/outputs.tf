output "cloudfront_domain_name" {
  description = "Open this to see the service through CloudFront."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "alb_dns_name" {
  description = "The ALB (production listener :80, test listener :8080)."
  value       = aws_lb.this.dns_name
}

output "slack_webhook_secret_arn" {
  description = "Store the webhook URL here: aws secretsmanager put-secret-value --secret-id <this> --secret-string 'https://hooks.slack.com/services/...'"
  value       = aws_secretsmanager_secret.slack_webhook.arn
}

output "codedeploy_application_name" {
  description = "CodeDeploy application."
  value       = aws_codedeploy_app.this.name
}

output "codedeploy_deployment_group_name" {
  description = "CodeDeploy deployment group (blue/green, triggers to cutover)."
  value       = aws_codedeploy_deployment_group.this.deployment_group_name
}

output "cutover_function_name" {
  description = "The cutover Lambda function."
  value       = module.cutover.function_name
}

output "cutover_sns_topic_arn" {
  description = "Topic CodeDeploy triggers publish to."
  value       = module.cutover.sns_topic_arn
}

output "cutover_failure_queue_url" {
  description = "Events cutover could not process after retries."
  value       = module.cutover.failure_queue_url
}

output "slack_actions_url" {
  description = "With slack_app (signing secret and someone allowed): paste into the Slack app's Interactivity Request URL. Not a secret: every request is verified with the app's signing secret. Null otherwise."
  value       = module.cutover.slack_actions_url
}
