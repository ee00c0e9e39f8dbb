# The hub options (organization.tf): who may publish and put events, the hub bus and its rules,
# CUTOVER_ACCOUNTS and the function's sts:AssumeRole scoped to the listed spoke roles.

mock_provider "aws" {
  source = "./tests/mocks"

  mock_resource "aws_cloudwatch_event_bus" {
    defaults = {
      arn = "arn:aws:events:us-east-1:123456789012:event-bus/cutover-hub"
    }
  }
}

variables {
  lambda_zip_path          = "tests/fixtures/bootstrap.zip"
  slack_webhook_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"
}

run "nothing_without_organization" {
  assert {
    condition     = length(aws_cloudwatch_event_bus.hub) == 0 && length(aws_cloudwatch_event_rule.hub) == 0 && length(aws_lambda_permission.spoke_topics) == 0
    error_message = "no hub resources by default"
  }
  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "CUTOVER_ACCOUNTS")
    error_message = "CUTOVER_ACCOUNTS is unset by default"
  }
  assert {
    condition     = [for s in jsondecode(aws_sns_topic_policy.this[0].policy).Statement : s.Sid] == ["AllowPublishFromOwnAccount", "DenyPublishWithoutTLS"]
    error_message = "the topic policy is unchanged by default"
  }
  assert {
    condition     = !contains([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s.Sid], "AssumeSpokeRoles")
    error_message = "the function assumes no role by default"
  }
}

run "organization_condition" {
  variables {
    organization_id = "o-a1b2c3d4e5"
  }
  assert {
    condition = one([for s in jsondecode(aws_sns_topic_policy.this[0].policy).Statement : s if s.Sid == "AllowPublishFromOrganization"]) == {
      Sid       = "AllowPublishFromOrganization"
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = ["sns:Publish"]
      Resource  = ["arn:aws:sns:us-east-1:123456789012:cutover-codedeploy"]
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
    }
    error_message = "the topic accepts sns:Publish from the organization only (aws:PrincipalOrgID)"
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_sns_topic_policy.this[0].policy).Statement :
      s.Effect == "Deny" || try(s.Principal.AWS, "") != "*" || try(s.Condition.StringEquals["aws:PrincipalOrgID"], "") == "o-a1b2c3d4e5"
    ])
    error_message = "no statement allows everyone without the organization condition"
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_bus_policy.hub[0].policy).Statement == [{
      Sid       = "AllowPutEventsFromOrganization"
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = ["events:PutEvents"]
      Resource  = ["arn:aws:events:us-east-1:123456789012:event-bus/cutover-hub"]
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
    }]
    error_message = "the hub bus accepts events:PutEvents from the organization only"
  }
  assert {
    condition     = aws_cloudwatch_event_bus.hub[0].name == "cutover-hub"
    error_message = "hub bus name"
  }
  assert {
    condition = (
      jsondecode(aws_cloudwatch_event_rule.hub["codedeploy"].event_pattern).source == ["aws.codedeploy"] &&
      jsondecode(aws_cloudwatch_event_rule.hub["ecs"].event_pattern).source == ["aws.ecs"] &&
      aws_cloudwatch_event_rule.hub["codedeploy"].event_bus_name == "cutover-hub" &&
      aws_cloudwatch_event_target.hub["ecs"].arn == "arn:aws:lambda:us-east-1:123456789012:function:cutover"
    )
    error_message = "rules for aws.codedeploy and aws.ecs on the hub bus, targeting the function"
  }
  assert {
    condition     = aws_lambda_permission.hub_bus["codedeploy"].source_arn == aws_cloudwatch_event_rule.hub["codedeploy"].arn
    error_message = "the function may be invoked by the hub rules only"
  }
}

run "listed_accounts_and_assume_role" {
  variables {
    spoke_accounts = {
      "444455556666" = { role_arn = "arn:aws:iam::444455556666:role/cutover-hub", external_id = "org-7f3a9c" }
      "777788889999" = { role_arn = "arn:aws:iam::777788889999:role/cutover-hub", regions = ["eu-west-1", "us-east-1"] }
    }
    publisher_account_ids = ["111122223333"]
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "AssumeSpokeRoles"]) == {
      Sid      = "AssumeSpokeRoles"
      Effect   = "Allow"
      Action   = ["sts:AssumeRole"]
      Resource = ["arn:aws:iam::444455556666:role/cutover-hub", "arn:aws:iam::777788889999:role/cutover-hub"]
    }
    error_message = "sts:AssumeRole on the listed spoke roles only"
  }
  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : [for a in s.Action : !strcontains(a, "*")]
    ]))
    error_message = "no wildcard action in the function's policy"
  }
  assert {
    condition = jsondecode(aws_lambda_function.this.environment[0].variables["CUTOVER_ACCOUNTS"]) == {
      "444455556666" = { role_arn = "arn:aws:iam::444455556666:role/cutover-hub", external_id = "org-7f3a9c" }
      "777788889999" = { role_arn = "arn:aws:iam::777788889999:role/cutover-hub" }
    }
    error_message = "CUTOVER_ACCOUNTS holds each account's role and external ID"
  }
  assert {
    condition = one([for s in jsondecode(aws_sns_topic_policy.this[0].policy).Statement : s if s.Sid == "AllowPublishFromListedAccounts"]).Principal.AWS == [
      "arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root", "arn:aws:iam::777788889999:root",
    ]
    error_message = "the topic accepts the listed accounts"
  }
  assert {
    condition     = !contains([for s in jsondecode(aws_sns_topic_policy.this[0].policy).Statement : s.Sid], "AllowPublishFromOrganization")
    error_message = "no organization statement without organization_id"
  }
  assert {
    condition = (
      aws_lambda_permission.spoke_topics["444455556666-us-east-1"].source_account == "444455556666" &&
      aws_lambda_permission.spoke_topics["444455556666-us-east-1"].source_arn == "arn:aws:sns:us-east-1:444455556666:CodeDeployTopic_cutover" &&
      aws_lambda_permission.spoke_topics["444455556666-us-east-1"].principal == "sns.amazonaws.com" &&
      join(",", sort(keys(aws_lambda_permission.spoke_topics))) == "444455556666-us-east-1,777788889999-eu-west-1,777788889999-us-east-1"
    )
    error_message = "the spokes' trigger topics (by name, in their account) may invoke the function"
  }
  assert {
    condition     = !can(output.hub_event_bus_arn) || !strcontains(jsonencode(output.hub_event_bus_arn), "org-7f3a9c")
    error_message = "no output shows the external ID"
  }
}

run "bad_spoke_accounts" {
  command = plan
  variables {
    spoke_accounts = {
      "4444"         = { role_arn = "arn:aws:iam::4444:role/x" }
      "555566667777" = { role_arn = "arn:aws:iam::999999999999:role/x", external_id = "has spaces" }
    }
    organization_id = "org-1"
  }
  expect_failures = [var.spoke_accounts, var.organization_id]
}
