# Several destinations with routing (CUTOVER_DESTINATIONS): references only, one grant per referenced
# secret or parameter, the JSON in the environment or in an SSM parameter, validation matching the Go rules.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  lambda_zip_path = "tests/fixtures/bootstrap.zip"
  destinations = [
    {
      name         = "team-web"
      type         = "slack"
      url_secret   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/team-web-AbCdEf"
      applications = ["web-*"]
      events       = ["InstanceSuccess", "DeploymentFailure", "DeploymentStart"]
    },
    {
      name                  = "platform-hook"
      type                  = "webhook"
      url_secret            = "/cutover/platform-hook-url"
      signing_secret_secret = "arn:aws:ssm:us-east-1:123456789012:parameter/cutover/platform-hook-secret"
      events                = ["DeploymentFailure", "DeploymentStop"]
    },
    {
      name       = "ops-teams"
      type       = "teams"
      url_secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/ops-teams-QwErTy"
      accounts   = ["123456789012"]
      mention    = []
    },
  ]
}

run "destinations_json_in_the_environment" {
  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "CUTOVER_SLACK_WEBHOOK_URL_SECRET")
    error_message = "without slack_webhook_* inputs there is no legacy Slack destination"
  }
  assert {
    condition     = [for d in jsondecode(aws_lambda_function.this.environment[0].variables["CUTOVER_DESTINATIONS"]) : d.name] == ["team-web", "platform-hook", "ops-teams"]
    error_message = "CUTOVER_DESTINATIONS lists the destinations in order"
  }
  assert {
    condition     = jsondecode(aws_lambda_function.this.environment[0].variables["CUTOVER_DESTINATIONS"])[0] == { name = "team-web", type = "slack", url_secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/team-web-AbCdEf", applications = ["web-*"], events = ["InstanceSuccess", "DeploymentFailure", "DeploymentStart"] }
    error_message = "an entry carries exactly the keys that were set"
  }
  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "CUTOVER_DESTINATIONS_PARAMETER") && length(aws_ssm_parameter.destinations) == 0
    error_message = "three destinations fit in the environment: no parameter"
  }
  assert {
    condition     = alltrue([for v in values(aws_lambda_function.this.environment[0].variables) : !strcontains(v, "://")])
    error_message = "no URL in the environment: references only"
  }
}

run "one_grant_per_referenced_secret_and_parameter" {
  assert {
    condition = toset(one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "ReadDestinationSecrets"]).Resource) == toset([
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/team-web-AbCdEf",
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/ops-teams-QwErTy",
    ])
    error_message = "GetSecretValue on the referenced secrets only"
  }
  assert {
    condition = toset(one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "ReadDestinationParameters"]).Resource) == toset([
      "arn:aws:ssm:us-east-1:123456789012:parameter/cutover/platform-hook-url",
      "arn:aws:ssm:us-east-1:123456789012:parameter/cutover/platform-hook-secret",
    ])
    error_message = "GetParameter on the referenced parameters only (names turned into ARNs)"
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : !contains(["ReadDestinationSecrets", "ReadDestinationParameters"], s.Sid) || !contains(s.Resource, "*")])
    error_message = "no wildcard resource for destination secrets"
  }
}

run "trigger_carries_every_event_a_destination_notifies" {
  assert {
    condition     = contains(output.trigger_events, "DeploymentStart") && contains(output.trigger_events, "DeploymentStop") && contains(output.trigger_events, "InstanceSuccess")
    error_message = "events only a destination asks for (DeploymentStart) are in the trigger"
  }
}

run "many_destinations_go_to_a_parameter" {
  variables {
    destinations = [for i in range(5) : {
      name       = "team-${i}"
      type       = "discord"
      url_secret = "/cutover/discord-${i}"
    }]
  }
  assert {
    condition     = length(aws_ssm_parameter.destinations) == 1 && aws_ssm_parameter.destinations[0].type == "String"
    error_message = "five destinations: the JSON goes to a String parameter"
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables["CUTOVER_DESTINATIONS_PARAMETER"] == aws_ssm_parameter.destinations[0].name && !contains(keys(aws_lambda_function.this.environment[0].variables), "CUTOVER_DESTINATIONS")
    error_message = "the function gets the parameter's name, not the JSON"
  }
  assert {
    condition     = length([for d in jsondecode(aws_ssm_parameter.destinations[0].value) : d if startswith(d.name, "team-")]) == 5
    error_message = "the parameter holds the destinations JSON"
  }
  assert {
    condition     = contains(one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "ReadDestinationParameters"]).Resource, aws_ssm_parameter.destinations[0].arn)
    error_message = "the function may read the destinations parameter"
  }
  assert {
    condition     = output.destinations_parameter_name == aws_ssm_parameter.destinations[0].name
    error_message = "the parameter name is an output"
  }
}

run "parameter_forced_off" {
  variables {
    destinations_in_parameter = false
    destinations = [for i in range(6) : {
      name       = "team-${i}"
      type       = "googlechat"
      url_secret = "/cutover/gchat-${i}"
    }]
  }
  assert {
    condition     = length(aws_ssm_parameter.destinations) == 0 && contains(keys(aws_lambda_function.this.environment[0].variables), "CUTOVER_DESTINATIONS")
    error_message = "destinations_in_parameter = false keeps the JSON in the environment"
  }
}

run "legacy_slack_next_to_destinations" {
  variables {
    slack_webhook_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables["CUTOVER_SLACK_WEBHOOK_URL_SECRET"] == "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf" && contains(keys(aws_lambda_function.this.environment[0].variables), "CUTOVER_DESTINATIONS")
    error_message = "the Slack webhook inputs and destinations work together"
  }
}

run "legacy_slack_and_a_destination_named_slack" {
  command = plan
  variables {
    slack_webhook_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"
    destinations             = [{ name = "slack", type = "slack", url_secret = "/cutover/other-slack" }]
  }
  expect_failures = [aws_lambda_function.this]
}

run "no_destination_at_all" {
  command = plan
  variables {
    destinations = []
  }
  expect_failures = [aws_lambda_function.this]
}

run "bad_name" {
  command = plan
  variables {
    destinations = [{ name = "Team Web", type = "slack", url_secret = "/cutover/x" }]
  }
  expect_failures = [var.destinations]
}

run "duplicate_names" {
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x" }, { name = "a", type = "teams", url_secret = "/cutover/y" }]
  }
  expect_failures = [var.destinations]
}

run "unknown_type" {
  command = plan
  variables {
    destinations = [{ name = "a", type = "pagerduty", url_secret = "/cutover/x" }]
  }
  expect_failures = [var.destinations]
}

run "url_instead_of_a_reference" {
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "https://hooks.slack.com/services/T0/B0/XYZ" }]
  }
  expect_failures = [var.destinations]
}

run "webhook_without_signing_secret" {
  command = plan
  variables {
    destinations = [{ name = "a", type = "webhook", url_secret = "/cutover/x" }]
  }
  expect_failures = [var.destinations]
}

run "event_patterns_expand_into_the_trigger" {
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", events = ["Deployment*", "instancesuccess"] }]
  }
  assert {
    condition     = alltrue([for e in ["DeploymentStart", "DeploymentSuccess", "DeploymentReady", "InstanceSuccess"] : contains(output.trigger_events, e)]) && !contains(output.trigger_events, "InstanceStart")
    error_message = "patterns expand over the known event names, case-insensitively, and nothing else"
  }
}

run "pattern_matching_no_event" {
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", events = ["Traffic*"] }]
  }
  expect_failures = [var.destinations]
}

run "unknown_event" {
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", events = ["TrafficSwitched"] }]
  }
  expect_failures = [var.destinations]
}

run "empty_filter_never_matches" {
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", regions = [] }]
  }
  expect_failures = [var.destinations]
}

run "service_without_cluster" {
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", services = ["web-frontend"] }]
  }
  expect_failures = [var.destinations]
}

run "account_not_an_account" {
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", accounts = ["prod"] }]
  }
  expect_failures = [var.destinations]
}

run "bad_mention" {
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", mention = ["<!channel>"] }]
  }
  expect_failures = [var.destinations]
}
