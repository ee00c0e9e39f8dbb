# The examples plan and apply (mocked) with the module wired in as documented.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "complete_example" {
  module {
    source = "./examples/complete"
  }

  variables {
    lambda_zip_path = "tests/fixtures/bootstrap.zip"
  }

  assert {
    condition = (
      length(aws_codedeploy_deployment_group.this.trigger_configuration) == 1 &&
      one(aws_codedeploy_deployment_group.this.trigger_configuration).trigger_target_arn == module.cutover.sns_topic_arn &&
      one(aws_codedeploy_deployment_group.this.trigger_configuration).trigger_events == toset(module.cutover.trigger_events)
    )
    error_message = "the deployment group publishes cutover's trigger events to its topic"
  }
  assert {
    condition = (
      aws_codedeploy_deployment_group.this.deployment_style[0].deployment_type == "BLUE_GREEN" &&
      aws_codedeploy_deployment_group.this.deployment_style[0].deployment_option == "WITH_TRAFFIC_CONTROL" &&
      aws_codedeploy_deployment_group.this.blue_green_deployment_config[0].terminate_blue_instances_on_deployment_success[0].action == "TERMINATE" &&
      aws_codedeploy_deployment_group.this.blue_green_deployment_config[0].terminate_blue_instances_on_deployment_success[0].termination_wait_time_in_minutes == 60
    )
    error_message = "ECS blue/green with traffic control and a 60-minute rollback window"
  }
  assert {
    condition     = aws_ecs_service.this.deployment_controller[0].type == "CODE_DEPLOY"
    error_message = "the service is deployed by CodeDeploy"
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.codedeploy_sns_publish.policy).Statement[0].Action == ["sns:Publish"]
    error_message = "the CodeDeploy role may publish to the topic"
  }
  assert {
    condition     = aws_cloudfront_distribution.this.wait_for_deployment == false
    error_message = "the example does not wait for CloudFront"
  }
  assert {
    condition     = output.cutover_function_name == "cutover-demo-cutover"
    error_message = "cutover is named after the example"
  }
}

run "minimal_example" {
  module {
    source = "./examples/minimal"
  }

  variables {
    lambda_zip_path                  = "tests/fixtures/bootstrap.zip"
    codedeploy_application_name      = "web"
    codedeploy_deployment_group_name = "web-production"
    codedeploy_service_role_name     = "codedeploy-ecs"
  }

  assert {
    condition     = strcontains(output.add_trigger_command, "--application-name 'web' --current-deployment-group-name 'web-production'")
    error_message = "the CLI command names the group"
  }
  assert {
    condition     = strcontains(output.add_trigger_command, "\"triggerTargetArn\":\"arn:aws:sns:us-east-1:123456789012:cutover-codedeploy\"")
    error_message = "the CLI command targets the cutover topic"
  }
  assert {
    condition     = contains(output.trigger_events, "InstanceSuccess")
    error_message = "the trigger includes the cutover moment"
  }
}
