# Shared mock data for `mock_provider "aws" { source = "./tests/mocks" }`.
# Computed ARNs get realistic values: the provider still validates ARN arguments
# fed from them, and the tests compare policies and wiring against these values.

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/terraform-test"
    user_id    = "AIDAEXAMPLEUSERID0001"
  }
}

mock_data "aws_region" {
  defaults = {
    name        = "us-east-1"
    endpoint    = "ec2.us-east-1.amazonaws.com"
    description = "US East (N. Virginia)"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition          = "aws"
    dns_suffix         = "amazonaws.com"
    reverse_dns_prefix = "com.amazonaws"
  }
}

mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}

mock_resource "aws_sns_topic" {
  defaults = {
    arn = "arn:aws:sns:us-east-1:123456789012:cutover-codedeploy"
  }
}

mock_resource "aws_sns_topic_subscription" {
  defaults = {
    arn = "arn:aws:sns:us-east-1:123456789012:cutover-codedeploy:0f8ee0a5-6c1e-4d3b-9e59-1c4a1c0b7d2e"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn           = "arn:aws:lambda:us-east-1:123456789012:function:cutover"
    qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:cutover:$LATEST"
    invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:cutover/invocations"
    version       = "$LATEST"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:role/cutover-lambda"
  }
}

mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:us-east-1:123456789012:cutover-invoke-failures"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/cutover-invoke-failures"
  }
}

mock_resource "aws_dynamodb_table" {
  defaults = {
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/cutover-records"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/cutover"
  }
}

mock_resource "aws_cloudwatch_event_rule" {
  defaults = {
    arn = "arn:aws:events:us-east-1:123456789012:rule/cutover-codedeploy"
  }
}

mock_resource "aws_cloudwatch_metric_alarm" {
  defaults = {
    arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cutover"
  }
}

mock_resource "aws_secretsmanager_secret" {
  defaults = {
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover-slack-webhook-url-AbCdEf"
  }
}

mock_resource "aws_lambda_event_source_mapping" {
  defaults = {
    arn          = "arn:aws:lambda:us-east-1:123456789012:event-source-mapping:3a1c5f6e-1b2d-4c3e-8f9a-0b1c2d3e4f5a"
    function_arn = "arn:aws:lambda:us-east-1:123456789012:function:cutover"
  }
}

# The two queues share a resource type: give the follow-up queue its own identity.
override_resource {
  target = aws_sqs_queue.followup
  values = {
    arn = "arn:aws:sqs:us-east-1:123456789012:cutover-followup"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/cutover-followup"
  }
}

# ---- Used by the examples (tests/examples.tftest.hcl) --------------------------

mock_data "aws_availability_zones" {
  defaults = {
    names    = ["us-east-1a", "us-east-1b", "us-east-1c"]
    zone_ids = ["use1-az1", "use1-az2", "use1-az4"]
  }
}

mock_data "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:role/codedeploy-ecs"
    id  = "codedeploy-ecs"
  }
}

mock_resource "aws_lb" {
  defaults = {
    arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/cutover-demo/50dc6c495c0c9188"
    dns_name = "cutover-demo-123456789.us-east-1.elb.amazonaws.com"
  }
}

mock_resource "aws_lb_target_group" {
  defaults = {
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cutover-demo-blue/73e2d6bc24d8a067"
  }
}

mock_resource "aws_lb_listener" {
  defaults = {
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/cutover-demo/50dc6c495c0c9188/f2f7dc8efc522ab2"
  }
}

mock_resource "aws_ecs_cluster" {
  defaults = {
    arn = "arn:aws:ecs:us-east-1:123456789012:cluster/cutover-demo"
  }
}

mock_resource "aws_ecs_task_definition" {
  defaults = {
    arn                  = "arn:aws:ecs:us-east-1:123456789012:task-definition/cutover-demo:1"
    arn_without_revision = "arn:aws:ecs:us-east-1:123456789012:task-definition/cutover-demo"
    revision             = 1
  }
}

mock_resource "aws_ecs_service" {
  defaults = {
    id = "arn:aws:ecs:us-east-1:123456789012:service/cutover-demo/cutover-demo"
  }
}

mock_resource "aws_cloudfront_distribution" {
  defaults = {
    id          = "E2QWRUHAPOMQZL"
    arn         = "arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL"
    domain_name = "d111111abcdef8.cloudfront.net"
  }
}

mock_resource "aws_codedeploy_app" {
  defaults = {
    arn = "arn:aws:codedeploy:us-east-1:123456789012:application:cutover-demo"
  }
}

mock_resource "aws_codedeploy_deployment_group" {
  defaults = {
    arn = "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:cutover-demo/cutover-demo-production"
  }
}
