# Checks at the traffic switch (CUTOVER_CHECKS): the JSON the function reads (references only), the
# parameter for long lists, the grants for alarms, listener discovery and header secrets, validation.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  lambda_zip_path = "tests/fixtures/bootstrap.zip"
  destinations    = [{ name = "team-web", type = "slack", url_secret = "/cutover/team-web" }]
  checks = [
    {
      name     = "api-ping"
      type     = "http"
      listener = "production"
      path     = "/api/ping"
      requests = 20
      p99_ms   = 800
      headers = {
        Authorization = { secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/ping-token-AbCdEf" }
        X-Api-Key     = { secret = "/cutover/api-key" }
        X-Env         = { value = "prod" }
      }
      services = ["prod/*"]
    },
    {
      name        = "alarms"
      type        = "alarms"
      alarm_names = ["web-5xx", "web-latency"]
    },
  ]
}

run "checks_json_in_the_environment" {
  assert {
    condition = jsondecode(aws_lambda_function.this.environment[0].variables["CUTOVER_CHECKS"]) == [
      {
        name = "api-ping", type = "http", listener = "production", path = "/api/ping", requests = 20, p99_ms = 800, services = ["prod/*"],
        headers = {
          Authorization = { secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/ping-token-AbCdEf" }
          X-Api-Key     = { secret = "/cutover/api-key" }
          X-Env         = "prod"
        }
      },
      { name = "alarms", type = "alarms", alarm_names = ["web-5xx", "web-latency"] },
    ]
    error_message = "CUTOVER_CHECKS holds the checks with exactly the keys set, headers as a value or {secret}"
  }
  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "CUTOVER_CHECKS_PARAMETER") && length(aws_ssm_parameter.checks) == 0
    error_message = "two checks fit in the environment: no parameter"
  }
}

run "grants_for_what_the_checks_call" {
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.checks[0].policy).Statement : s if s.Sid == "DescribeCheckAlarms"]).Resource == [
      "arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx",
      "arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-latency",
    ]
    error_message = "cloudwatch:DescribeAlarms on exactly the named alarms"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.checks[0].policy).Statement : s if s.Sid == "DescribeCheckListeners"]) == {
      Sid    = "DescribeCheckListeners", Effect = "Allow", Resource = ["*"],
      Action = ["elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeRules"]
    }
    error_message = "listener discovery: the Elastic Load Balancing Describe* actions (no resource-level permissions)"
  }
  assert {
    condition     = contains(one([for s in jsondecode(aws_iam_role_policy.checks[0].policy).Statement : s if s.Sid == "ReadCheckDeploymentGroups"]).Action, "codedeploy:GetDeploymentGroup")
    error_message = "listener discovery reads the CodeDeploy deployment group"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.checks[0].policy).Statement : s if s.Sid == "ReadCheckServiceRevisions"]).Action == ["ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions"]
    error_message = "listener discovery reads ECS-native service deployments and revisions"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.checks[0].policy).Statement : s if s.Sid == "ReadCheckHeaderSecrets"]).Resource == ["arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/ping-token-AbCdEf"]
    error_message = "exactly the referenced header secret"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.checks[0].policy).Statement : s if s.Sid == "ReadCheckParameters"]).Resource == ["arn:aws:ssm:us-east-1:123456789012:parameter/cutover/api-key"]
    error_message = "exactly the referenced header parameter"
  }
}

run "alarms_only_grant_nothing_else" {
  variables {
    checks = [{ name = "alarms", type = "alarms", alarm_names = ["web-5xx"] }]
  }
  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.checks[0].policy).Statement : s.Sid] == ["DescribeCheckAlarms"]
    error_message = "an alarms check needs DescribeAlarms and nothing else"
  }
}

run "no_checks_no_policy" {
  variables {
    checks = []
  }
  assert {
    condition     = length(aws_iam_role_policy.checks) == 0 && !contains(keys(aws_lambda_function.this.environment[0].variables), "CUTOVER_CHECKS")
    error_message = "without checks: no variable, no grant"
  }
}

run "many_checks_in_a_parameter" {
  variables {
    checks = [for i in range(5) : { name = "ping-${i}", type = "http", url = "https://api.example.com/ping/${i}" }]
  }
  assert {
    condition     = length(aws_ssm_parameter.checks) == 1 && aws_ssm_parameter.checks[0].type == "String" && aws_lambda_function.this.environment[0].variables["CUTOVER_CHECKS_PARAMETER"] == aws_ssm_parameter.checks[0].name
    error_message = "five checks: the JSON goes to a String parameter the function is told about"
  }
  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "CUTOVER_CHECKS") && length(jsondecode(aws_ssm_parameter.checks[0].value)) == 5
    error_message = "the parameter holds the JSON, the environment does not"
  }
  assert {
    condition     = contains(one([for s in jsondecode(aws_iam_role_policy.checks[0].policy).Statement : s if s.Sid == "ReadCheckParameters"]).Resource, aws_ssm_parameter.checks[0].arn)
    error_message = "the function may read the checks parameter"
  }
}

run "url_and_listener" {
  command = plan
  variables {
    checks = [{ name = "x", type = "http", url = "https://api.example.com/", listener = "production" }]
  }
  expect_failures = [var.checks]
}

run "credentials_in_url" {
  command = plan
  variables {
    checks = [{ name = "x", type = "http", url = "https://user:pass@api.example.com/" }]
  }
  expect_failures = [var.checks]
}

run "header_with_secret_and_value" {
  command = plan
  variables {
    checks = [{ name = "x", type = "http", listener = "test", headers = { Authorization = { secret = "/cutover/t", value = "Bearer x" } } }]
  }
  expect_failures = [var.checks]
}

run "alarms_without_names" {
  command = plan
  variables {
    checks = [{ name = "x", type = "alarms", alarm_names = [] }]
  }
  expect_failures = [var.checks]
}

run "alarms_with_http_keys" {
  command = plan
  variables {
    checks = [{ name = "x", type = "alarms", alarm_names = ["a"], requests = 5 }]
  }
  expect_failures = [var.checks]
}

run "bad_bounds" {
  command = plan
  variables {
    checks = [{ name = "x", type = "http", listener = "production", requests = 5000, expect_status = [42] }]
  }
  expect_failures = [var.checks]
}

run "duplicate_names" {
  command = plan
  variables {
    checks = [{ name = "x", type = "alarms", alarm_names = ["a"] }, { name = "x", type = "alarms", alarm_names = ["b"] }]
  }
  expect_failures = [var.checks]
}

run "header_value_that_is_a_credential_header" {
  command = plan
  variables {
    checks = [{ name = "x", type = "http", url = "https://api.example.com/", headers = { "X-API-Key" = { value = "k-123" } } }]
  }
  expect_failures = [var.checks]
}

run "header_value_with_an_auth_scheme" {
  command = plan
  variables {
    checks = [{ name = "x", type = "http", url = "https://api.example.com/", headers = { "X-Upstream" = { value = "Bearer abc" } } }]
  }
  expect_failures = [var.checks]
}

run "header_value_that_is_no_credential" {
  command = plan
  variables {
    checks = [{ name = "x", type = "http", url = "https://api.example.com/", headers = { "X-Env" = { value = "prod" }, Authorization = { secret = "/cutover/t" } } }]
  }
  assert {
    condition     = length(var.checks[0].headers) == 2
    error_message = "a plain non-credential value and a secret reference are accepted"
  }
}
