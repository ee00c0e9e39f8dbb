# Go runtime settings for a short-lived function (go_runtime_tuning): on by default, sized from
# memory_size, overridable through extra_environment_variables, and off on request.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  lambda_zip_path          = "tests/fixtures/bootstrap.zip"
  slack_webhook_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"
}

run "tuned_by_default_from_memory_size" {
  command = plan

  variables {
    memory_size = 1024
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["GOGC"] == "400" && aws_lambda_function.this.environment[0].variables["GOMEMLIMIT"] == "512MiB"
    error_message = "GOGC=400 and GOMEMLIMIT at half of memory_size (512MiB of 1024 MB)"
  }
}

run "extra_environment_variables_take_precedence" {
  command = plan

  variables {
    extra_environment_variables = { GOGC = "200", TZ = "Europe/Paris" }
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["GOGC"] == "200" && aws_lambda_function.this.environment[0].variables["GOMEMLIMIT"] == "64MiB" && aws_lambda_function.this.environment[0].variables["TZ"] == "Europe/Paris"
    error_message = "a GOGC of the user's own wins; GOMEMLIMIT stays the module's"
  }
}

run "off_leaves_go_defaults" {
  command = plan

  variables {
    go_runtime_tuning = false
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "GOGC") && !contains(keys(aws_lambda_function.this.environment[0].variables), "GOMEMLIMIT")
    error_message = "go_runtime_tuning = false sets neither GOGC nor GOMEMLIMIT"
  }
}
