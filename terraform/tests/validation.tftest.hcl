# Bad inputs fail at plan time with a clear message.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  lambda_zip_path          = "tests/fixtures/bootstrap.zip"
  slack_webhook_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"
}

run "valid_baseline_plans" {
  command = plan
}

# --- invalidation paths ---------------------------------------------------------

run "path_without_leading_slash" {
  command = plan
  variables {
    invalidation_paths = ["index.html"]
  }
  expect_failures = [var.invalidation_paths]
}

run "path_with_wildcard_in_the_middle" {
  command = plan
  variables {
    invalidation_paths = ["/static/*/app.js"]
  }
  expect_failures = [var.invalidation_paths]
}

run "path_with_comma" {
  command = plan
  variables {
    invalidation_paths = ["/a,/b"]
  }
  expect_failures = [var.invalidation_paths]
}

run "path_with_space" {
  command = plan
  variables {
    invalidation_paths = ["/a b.html"]
  }
  expect_failures = [var.invalidation_paths]
}

run "path_not_url_encoded" {
  command = plan
  variables {
    invalidation_paths = ["/café/*"]
  }
  expect_failures = [var.invalidation_paths]
}

run "url_encoded_paths_are_fine" {
  command = plan
  variables {
    invalidation_paths = ["/a%20b.html", "/caf%C3%A9/*", "/search?q=1&lang=en", "/~user/index.html"]
  }
}

run "empty_paths" {
  command = plan
  variables {
    invalidation_paths = []
  }
  expect_failures = [var.invalidation_paths]
}

run "too_many_wildcard_paths" {
  command = plan
  variables {
    invalidation_paths = [for i in range(16) : "/p${i}/*"]
  }
  expect_failures = [var.invalidation_paths]
}

run "route_with_bad_path" {
  command = plan
  variables {
    cloudfront_routes = [{ application = "web", distribution_ids = ["E2QWRUHAPOMQZL"], paths = ["static/*"] }]
  }
  expect_failures = [var.cloudfront_routes]
}

run "route_without_distributions" {
  command = plan
  variables {
    cloudfront_routes = [{ application = "web", distribution_ids = [] }]
  }
  expect_failures = [var.cloudfront_routes]
}

run "duplicate_routes" {
  command = plan
  variables {
    cloudfront_routes = [
      { application = "web", distribution_ids = ["E2QWRUHAPOMQZL"] },
      { application = "web", distribution_ids = ["E1ABCDEF234567"] },
    ]
  }
  expect_failures = [var.cloudfront_routes]
}

# --- events -----------------------------------------------------------------------

run "unknown_event_name" {
  command = plan
  variables {
    notify_events = ["InstanceSuccess", "DeploymentSucceeded"]
  }
  expect_failures = [var.notify_events]
}

run "empty_events" {
  command = plan
  variables {
    notify_events = []
  }
  expect_failures = [var.notify_events]
}

# --- durations ---------------------------------------------------------------------

run "durations_above_range" {
  command = plan
  variables {
    enrich_timeout_seconds = 10.5
    records_ttl_hours      = 8761
  }
  expect_failures = [var.enrich_timeout_seconds, var.records_ttl_hours]
}

run "records_ttl_fractional_hours" {
  command = plan
  variables {
    records_ttl_hours = 1.5
  }
  expect_failures = [var.records_ttl_hours]
}

run "durations_at_range_bounds" {
  command = plan
  variables {
    enrich_timeout_seconds = 0.1
    records_ttl_hours      = 8760
  }
  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables["CUTOVER_ENRICH_TIMEOUT"] == "0.1s" &&
      aws_lambda_function.this.environment[0].variables["CUTOVER_RECORDS_TTL"] == "8760h"
    )
    error_message = "range bounds are accepted and formatted as Go durations"
  }
}

run "durations_upper_timeout_lower_ttl" {
  command = plan
  variables {
    enrich_timeout_seconds = 10
    records_ttl_hours      = 1
  }
  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables["CUTOVER_ENRICH_TIMEOUT"] == "10s" &&
      aws_lambda_function.this.environment[0].variables["CUTOVER_RECORDS_TTL"] == "1h"
    )
    error_message = "the other range bounds are accepted and formatted as Go durations"
  }
}

# --- webhook reference ------------------------------------------------------------

run "both_secret_inputs" {
  command = plan
  variables {
    slack_webhook_ssm_parameter_name = "/cutover/slack-webhook-url"
  }
  expect_failures = [aws_lambda_function.this]
}

run "secret_arn_and_plaintext_url" {
  command = plan
  variables {
    slack_webhook_url = "https://hooks.slack.com/services/T0000/B0000/XXXX"
  }
  expect_failures = [aws_lambda_function.this]
}

run "no_secret_input" {
  command = plan
  variables {
    slack_webhook_secret_arn = null
  }
  expect_failures = [aws_lambda_function.this]
}

run "webhook_url_not_slack" {
  command = plan
  variables {
    slack_webhook_secret_arn = null
    slack_webhook_url        = "http://example.com/hook"
  }
  expect_failures = [var.slack_webhook_url]
}

# --- function settings ------------------------------------------------------------

run "zip_and_s3_together" {
  command = plan
  variables {
    lambda_s3_bucket = "artifacts-123456789012"
    lambda_s3_key    = "cutover.zip"
  }
  expect_failures = [aws_lambda_function.this]
}

run "no_package" {
  command = plan
  variables {
    lambda_zip_path = null
  }
  expect_failures = [aws_lambda_function.this]
}

# --- topic and scoping ------------------------------------------------------------

run "existing_topic_missing_arn" {
  command = plan
  variables {
    create_topic = false
  }
  expect_failures = [aws_lambda_function.this]
}

run "topic_arn_with_create_topic" {
  command = plan
  variables {
    sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:other"
  }
  expect_failures = [aws_lambda_function.this]
}

# --- one run per group of independent variables: every listed variable must fail its own validation

run "bad_function_settings" {
  command = plan
  variables {
    name                         = "cutover prod"
    log_retention_in_days        = 45
    timeout                      = 901
    memory_size                  = 64
    log_level                    = "VERBOSE"
    maximum_event_age_in_seconds = 86400
    lambda_zip_hash              = "not-a-hash"
    extra_environment_variables  = { CUTOVER_EVENTS = "InstanceSuccess" }
    enrich_timeout_seconds       = 0.05
    records_ttl_hours            = 0
  }
  expect_failures = [
    var.name,
    var.log_retention_in_days,
    var.timeout,
    var.memory_size,
    var.log_level,
    var.maximum_event_age_in_seconds,
    var.lambda_zip_hash,
    var.extra_environment_variables,
    var.enrich_timeout_seconds,
    var.records_ttl_hours,
  ]
}

run "bad_references" {
  command = plan
  variables {
    slack_webhook_secret_arn     = "arn:aws:ssm:us-east-1:123456789012:parameter/cutover/slack"
    kms_key_arn                  = "alias/aws/secretsmanager"
    ecs_service_arns             = ["arn:aws:ecs:us-east-1:123456789012:service/web"]
    codedeploy_service_role_arns = ["arn:aws:iam::123456789012:user/deployer"]
    codedeploy_application_names = ["*"]
    cloudfront_distribution_ids  = ["d111111abcdef8.cloudfront.net"]
    create_topic                 = false
    sns_topic_arn                = "arn:aws:sns:us-east-1:123456789012:deploys.fifo"
  }
  expect_failures = [
    var.slack_webhook_secret_arn,
    var.kms_key_arn,
    var.ecs_service_arns,
    var.codedeploy_service_role_arns,
    var.codedeploy_application_names,
    var.cloudfront_distribution_ids,
    var.sns_topic_arn,
  ]
}
