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
    condition     = aws_ssm_parameter.destinations[0].tier == "Intelligent-Tiering"
    error_message = "the parameter is Standard while the JSON fits, Advanced only when it must be (Intelligent-Tiering)"
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
    error_message = "a pattern expands over the known event names, an exact name ignores case, and nothing else gets in"
  }
}

run "event_entries_read_as_the_function_reads_them" {
  # The expected lists are what config.eventsMatching returns for each entry (checked against the Go code):
  # exact names trimmed and ignoring case, patterns case-sensitive with classes, ranges, negation and escapes.
  command = plan
  variables {
    destinations = [{
      name       = "a"
      type       = "slack"
      url_secret = "/cutover/x"
      events     = ["Deployment*", "instancesuccess", " TriggerTest ", "[DI]*Ready", "Instance[^S]*", "Deploy\\ment[R-S]*", "?nknown", "UNKNOWN", "*[^a-z]*t"]
    }]
  }
  assert {
    condition = jsonencode(local.destination_event_matches[0]) == jsonencode([
      ["DeploymentStart", "DeploymentSuccess", "DeploymentFailure", "DeploymentStop", "DeploymentRollback", "DeploymentReady"],
      ["InstanceSuccess"],
      ["TriggerTest"],
      ["DeploymentReady", "InstanceReady"],
      ["InstanceFailure", "InstanceReady"],
      ["DeploymentStart", "DeploymentSuccess", "DeploymentStop", "DeploymentRollback", "DeploymentReady"],
      ["Unknown"],
      ["Unknown"],
      ["DeploymentStart", "InstanceStart", "TriggerTest"],
    ])
    error_message = "each events entry names the events Go's config.eventsMatching gives it"
  }
  assert {
    condition     = contains(output.trigger_events, "InstanceStart") && contains(output.trigger_events, "InstanceFailure")
    error_message = "the trigger carries the events the patterns match (InstanceStart only through *[^a-z]*t)"
  }
}

run "event_pattern_matching_no_event_by_class" {
  # [!-@] holds no letter: the pattern is valid but names no event.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", events = ["[!-@]*"] }]
  }
  expect_failures = [var.destinations]
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

# The Go rules, one case each: every failing entry is refused by the function at start too, every
# passing one accepted (checked by running config.Load and each destination factory on the same JSON).

run "event_pattern_is_case_sensitive" {
  # A pattern is case-sensitive (path.Match); only an exact name ignores case.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", events = ["deployment*"] }]
  }
  expect_failures = [var.destinations]
}

run "event_pattern_malformed" {
  # A malformed pattern matches nothing (path.Match: ErrBadPattern).
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", events = ["Deployment["] }]
  }
  expect_failures = [var.destinations]
}

run "event_pattern_negation_without_range" {
  # [^] is malformed: the ^ negates and no range follows.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", events = ["[^]*"] }]
  }
  expect_failures = [var.destinations]
}

run "event_pattern_escape_at_the_end" {
  # A trailing backslash is malformed.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", events = ["Deployment*\\"] }]
  }
  expect_failures = [var.destinations]
}

run "account_wildcard_patterns" {
  # An account ID, or a pattern of one with * ? or [...].
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", accounts = ["123456789012", "1234*", "12345678901[0-9]", "12345678901?"] }]
  }
}

run "account_too_short" {
  # Without a wildcard an account is 12 digits.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", accounts = ["12345"] }]
  }
  expect_failures = [var.destinations]
}

run "account_too_long" {
  # Without a wildcard an account is 12 digits.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", accounts = ["1234567890123"] }]
  }
  expect_failures = [var.destinations]
}

run "account_letter" {
  # Digits only.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", accounts = ["12345678901a"] }]
  }
  expect_failures = [var.destinations]
}

run "account_malformed_pattern" {
  # An unclosed [ never matches.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", accounts = ["1234567890[1"] }]
  }
  expect_failures = [var.destinations]
}

run "filter_patterns" {
  # Glob patterns with classes and escapes.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", applications = ["web-*", "api-[ab]", "a\\*"], deployment_groups = ["dg-?"], regions = ["eu-*"], services = ["prod/web", "prod/*", "*/[a-z]*"] }]
  }
}

run "application_empty" {
  # An empty pattern never matches.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", applications = [""] }]
  }
  expect_failures = [var.destinations]
}

run "application_spaces_around" {
  # Spaces around a pattern: it never matches.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", applications = [" web"] }]
  }
  expect_failures = [var.destinations]
}

run "application_slash" {
  # Names never contain /.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", applications = ["web/x"] }]
  }
  expect_failures = [var.destinations]
}

run "application_malformed" {
  # An unclosed [ never matches.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", applications = ["web-["] }]
  }
  expect_failures = [var.destinations]
}

run "deployment_group_slash" {
  # Names never contain /.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", deployment_groups = ["dg/x"] }]
  }
  expect_failures = [var.destinations]
}

run "region_spaces_around" {
  # Spaces around a pattern: it never matches.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", regions = ["eu-west-1 "] }]
  }
  expect_failures = [var.destinations]
}

run "region_trailing_escape" {
  # A trailing backslash is malformed.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", regions = ["eu-west-1\\"] }]
  }
  expect_failures = [var.destinations]
}

run "service_two_slashes" {
  # Cluster/service, one /.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", services = ["prod/web/x"] }]
  }
  expect_failures = [var.destinations]
}

run "service_without_cluster_name" {
  # Both parts are needed.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", services = ["/web"] }]
  }
  expect_failures = [var.destinations]
}

run "service_malformed" {
  # An unclosed [ never matches.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", services = ["prod/[a"] }]
  }
  expect_failures = [var.destinations]
}

run "reference_empty" {
  # Url_secret is required.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "" }]
  }
  expect_failures = [var.destinations]
}

run "reference_url_without_scheme" {
  # A parameter name with a path starts with /.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "hooks.slack.com/services/T0/B0/XYZ" }]
  }
  expect_failures = [var.destinations]
}

run "reference_webhook_path" {
  # The path of a webhook URL is a secret.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/services/T0/B0/XYZ" }]
  }
  expect_failures = [var.destinations]
}

run "reference_slack_token" {
  # A Slack token is a secret.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "xoxb-123-456" }]
  }
  expect_failures = [var.destinations]
}

run "reference_token_segment" {
  # A token-like segment is a secret.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/AbCdEfGhIjKlMnOpQrStUvWx12" }]
  }
  expect_failures = [var.destinations]
}

run "signing_secret_on_slack" {
  # Only type webhook signs requests.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", signing_secret_secret = "/cutover/signing" }]
  }
  expect_failures = [var.destinations]
}

run "webhook_with_empty_signing_secret" {
  # An empty reference is none.
  command = plan
  variables {
    destinations = [{ name = "a", type = "webhook", url_secret = "/cutover/x", signing_secret_secret = "" }]
  }
  expect_failures = [var.destinations]
}

run "teams_mention" {
  # A Workflows webhook cannot @mention.
  command = plan
  variables {
    destinations = [{ name = "a", type = "teams", url_secret = "/cutover/x", mention = ["@here"] }]
  }
  expect_failures = [var.destinations]
}

run "webhook_mention" {
  # A webhook's receiver decides who to alert.
  command = plan
  variables {
    destinations = [{ name = "a", type = "webhook", url_secret = "/cutover/x", signing_secret_secret = "/cutover/signing", mention = ["user:1"] }]
  }
  expect_failures = [var.destinations]
}

run "slack_mentions" {
  # Slack IDs.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", mention = ["@here", "@channel", "@everyone", "user:U024BE7LH", "group:SAZ94GDB8"] }]
  }
}

run "slack_mention_lower_case_id" {
  # Slack IDs are upper-case.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", mention = ["user:u024be7lh"] }]
  }
  expect_failures = [var.destinations]
}

run "slack_mention_spaces" {
  # Slack mentions are not trimmed.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", mention = [" @here"] }]
  }
  expect_failures = [var.destinations]
}

run "slack_mention_short_id" {
  # Slack IDs have at least 2 characters.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", mention = ["user:U"] }]
  }
  expect_failures = [var.destinations]
}

run "slack_mention_empty" {
  # No empty entry.
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", mention = [""] }]
  }
  expect_failures = [var.destinations]
}

run "discord_mentions" {
  # Snowflakes, trimmed entries.
  command = plan
  variables {
    destinations = [{ name = "a", type = "discord", url_secret = "/cutover/x", mention = ["@here", "@everyone", "user:80351110224678912", " group:123 ", "user:18446744073709551615"] }]
  }
}

run "discord_mention_channel" {
  # Discord has no @channel.
  command = plan
  variables {
    destinations = [{ name = "a", type = "discord", url_secret = "/cutover/x", mention = ["@channel"] }]
  }
  expect_failures = [var.destinations]
}

run "discord_mention_slack_id" {
  # A Discord ID is a number.
  command = plan
  variables {
    destinations = [{ name = "a", type = "discord", url_secret = "/cutover/x", mention = ["user:U024BE7LH"] }]
  }
  expect_failures = [var.destinations]
}

run "discord_mention_leading_zero" {
  # A snowflake has no leading zero.
  command = plan
  variables {
    destinations = [{ name = "a", type = "discord", url_secret = "/cutover/x", mention = ["group:0123"] }]
  }
  expect_failures = [var.destinations]
}

run "discord_mention_too_big" {
  # A snowflake fits in 64 bits.
  command = plan
  variables {
    destinations = [{ name = "a", type = "discord", url_secret = "/cutover/x", mention = ["user:18446744073709551616"] }]
  }
  expect_failures = [var.destinations]
}

run "discord_too_many_users" {
  # At most 100 users.
  command = plan
  variables {
    destinations = [{ name = "a", type = "discord", url_secret = "/cutover/x", mention = [for i in range(101) : "user:${1000 + i}"] }]
  }
  expect_failures = [var.destinations]
}

run "discord_many_roles" {
  # 100 roles and 100 users (repeats count once).
  command = plan
  variables {
    destinations = [{ name = "a", type = "discord", url_secret = "/cutover/x", mention = concat([for i in range(100) : "group:${1000 + i}"], [for i in range(100) : "user:${1000 + i}"], ["user:1000"]) }]
  }
}

run "googlechat_mentions" {
  # User IDs, trimmed entries.
  command = plan
  variables {
    destinations = [{ name = "a", type = "googlechat", url_secret = "/cutover/x", mention = ["@channel", " @here", "user:123456789012345678901", "user:a.b@example.com"] }]
  }
}

run "googlechat_mention_group" {
  # A Google Chat webhook cannot mention a group.
  command = plan
  variables {
    destinations = [{ name = "a", type = "googlechat", url_secret = "/cutover/x", mention = ["group:abc"] }]
  }
  expect_failures = [var.destinations]
}

run "googlechat_too_many_mentions" {
  # At most 20 entries.
  command = plan
  variables {
    destinations = [{ name = "a", type = "googlechat", url_secret = "/cutover/x", mention = [for i in range(21) : "@here"] }]
  }
  expect_failures = [var.destinations]
}
