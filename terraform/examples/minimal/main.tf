# Slack notifications for an existing ECS blue/green deployment group. No CloudFront.

data "aws_iam_role" "codedeploy" {
  name = var.codedeploy_service_role_name
}

module "cutover" {
  source = "../.."

  lambda_zip_path                  = var.lambda_zip_path
  slack_webhook_ssm_parameter_name = var.slack_webhook_ssm_parameter_name

  codedeploy_application_names = [var.codedeploy_application_name]
  codedeploy_service_role_arns = [data.aws_iam_role.codedeploy.arn]
}

# The existing CodeDeploy service role may publish to the cutover topic.
resource "aws_iam_role_policy" "codedeploy_sns_publish" {
  name   = "publish-cutover-triggers"
  role   = data.aws_iam_role.codedeploy.id
  policy = module.cutover.codedeploy_sns_publish_policy_json
}

# Then add the trigger to the deployment group. If the group is managed in Terraform, add there:
#
#   trigger_configuration {
#     trigger_name       = "cutover"
#     trigger_events     = module.cutover.trigger_events
#     trigger_target_arn = module.cutover.sns_topic_arn
#   }
#
# Otherwise run the command in the output below (it REPLACES the group's existing triggers:
# merge them in first if it has any).
