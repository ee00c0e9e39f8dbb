# The Slack app destination (type slack-app): a bot token and signing secret by reference, read access to
# exactly those, the keys carried to the function as written, and validation matching the Go rules
# (internal/config/slackapp.go).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  lambda_zip_path = "tests/fixtures/bootstrap.zip"
  destinations = [
    {
      name                  = "ops"
      type                  = "slack-app"
      channel               = "C0DEPLOYS"
      token_secret          = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-bot-AbCdEf"
      signing_secret_secret = "/cutover/slack-signing-secret"
      allowed_users         = ["U0ALICE", "W0BOB"]
      allowed_groups        = ["S0ONCALL"]
      mention               = ["@here"]
    },
  ]
}

run "slack_app_keys_reach_the_function" {
  assert {
    condition = jsondecode(aws_lambda_function.this.environment[0].variables["CUTOVER_DESTINATIONS"])[0] == {
      name                  = "ops", type = "slack-app", channel = "C0DEPLOYS",
      token_secret          = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-bot-AbCdEf",
      signing_secret_secret = "/cutover/slack-signing-secret",
      allowed_users         = ["U0ALICE", "W0BOB"], allowed_groups = ["S0ONCALL"], mention = ["@here"]
    }
    error_message = "the entry carries exactly the keys that were set"
  }
  assert {
    condition = toset(one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "ReadDestinationSecrets"]).Resource) == toset([
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-bot-AbCdEf",
    ])
    error_message = "GetSecretValue on the bot token's secret"
  }
  assert {
    condition = toset(one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "ReadDestinationParameters"]).Resource) == toset([
      "arn:aws:ssm:us-east-1:123456789012:parameter/cutover/slack-signing-secret",
    ])
    error_message = "GetParameter on the signing secret's parameter"
  }
}

run "slack_app_channel_by_name_without_buttons" {
  command = plan
  variables {
    destinations = [{ name = "ops", type = "slack-app", channel = "#deploys", token_secret = "/cutover/slack-bot" }]
  }
}

run "slack_app_without_token" {
  command = plan
  variables {
    destinations = [{ name = "ops", type = "slack-app", channel = "C0DEPLOYS" }]
  }
  expect_failures = [var.destinations]
}

run "slack_app_token_instead_of_a_reference" {
  command = plan
  variables {
    destinations = [{ name = "ops", type = "slack-app", channel = "C0DEPLOYS", token_secret = "xoxb-1234-5678-abcdefghijkl" }]
  }
  expect_failures = [var.destinations]
}

run "slack_app_without_channel" {
  command = plan
  variables {
    destinations = [{ name = "ops", type = "slack-app", token_secret = "/cutover/slack-bot" }]
  }
  expect_failures = [var.destinations]
}

run "slack_app_bad_channel" {
  command = plan
  variables {
    destinations = [{ name = "ops", type = "slack-app", channel = "Deploys Channel", token_secret = "/cutover/slack-bot" }]
  }
  expect_failures = [var.destinations]
}

run "slack_app_with_a_webhook_url" {
  command = plan
  variables {
    destinations = [{ name = "ops", type = "slack-app", channel = "C0DEPLOYS", token_secret = "/cutover/slack-bot", url_secret = "/cutover/hook" }]
  }
  expect_failures = [var.destinations]
}

run "slack_app_bad_allowed_user" {
  command = plan
  variables {
    destinations = [{ name = "ops", type = "slack-app", channel = "C0DEPLOYS", token_secret = "/cutover/slack-bot", allowed_users = ["alice"] }]
  }
  expect_failures = [var.destinations]
}

run "slack_app_bad_allowed_group" {
  command = plan
  variables {
    destinations = [{ name = "ops", type = "slack-app", channel = "C0DEPLOYS", token_secret = "/cutover/slack-bot", allowed_groups = ["U0ALICE"] }]
  }
  expect_failures = [var.destinations]
}

run "slack_app_keys_on_a_webhook_destination" {
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", channel = "C0DEPLOYS" }]
  }
  expect_failures = [var.destinations]
}

run "signing_secret_still_refused_on_teams" {
  command = plan
  variables {
    destinations = [{ name = "a", type = "teams", url_secret = "/cutover/x", signing_secret_secret = "/cutover/y" }]
  }
  expect_failures = [var.destinations]
}
