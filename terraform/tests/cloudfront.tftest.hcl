# CloudFront: invalidation environment, follow-up queue and its event source mapping, scoped permissions.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  lambda_zip_path             = "tests/fixtures/bootstrap.zip"
  slack_webhook_secret_arn    = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"
  cloudfront_distribution_ids = ["E2QWRUHAPOMQZL", "E1ABCDEF234567"]
  invalidation_paths          = ["/index.html", "/static/*"]
  cloudfront_routes = [
    { application = "web", deployment_group = "web-prod", distribution_ids = ["EWEBPROD123456"], paths = ["/*"] },
    { application = "api", distribution_ids = ["E2QWRUHAPOMQZL", "EAPIDOCS987654"] },
  ]
}

run "environment_with_cloudfront" {
  assert {
    condition = aws_lambda_function.this.environment[0].variables == tomap({
      CUTOVER_SLACK_WEBHOOK_URL_SECRET    = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cutover/slack-webhook-AbCdEf"
      CUTOVER_EVENTS                      = "DeploymentFailure,DeploymentStop,DeploymentRollback,DeploymentReady,InstanceSuccess,InstanceFailure,TriggerTest"
      CUTOVER_ENRICH                      = "true"
      CUTOVER_ENRICH_TIMEOUT              = "2s"
      CUTOVER_RECORDS_TABLE               = "cutover-records"
      CUTOVER_RECORDS_TTL                 = "336h"
      CUTOVER_CLOUDFRONT_DISTRIBUTION_IDS = "E2QWRUHAPOMQZL,E1ABCDEF234567"
      CUTOVER_INVALIDATION_PATHS          = "/index.html,/static/*"
      CUTOVER_INVALIDATE_ON_ROLLBACK      = "true"
      CUTOVER_CLOUDFRONT_ROUTES           = jsonencode(var.cloudfront_routes)
      CUTOVER_FOLLOWUP_QUEUE_URL          = "https://sqs.us-east-1.amazonaws.com/123456789012/cutover-followup"
      GOGC                                = "400"
      GOMEMLIMIT                          = "64MiB"
    })
    error_message = "the full CUTOVER_* contract with CloudFront configured"
  }
  assert {
    condition = jsondecode(aws_lambda_function.this.environment[0].variables["CUTOVER_CLOUDFRONT_ROUTES"]) == [
      { application = "web", deployment_group = "web-prod", distribution_ids = ["EWEBPROD123456"], paths = ["/*"] },
      { application = "api", deployment_group = null, distribution_ids = ["E2QWRUHAPOMQZL", "EAPIDOCS987654"], paths = null },
    ]
    error_message = "CUTOVER_CLOUDFRONT_ROUTES is the routes as JSON (omitted optionals are null)"
  }
}

run "invalidation_permissions_cover_union_of_distributions" {
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "InvalidateDistributions"]) == {
      Sid    = "InvalidateDistributions"
      Effect = "Allow"
      Action = ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"]
      Resource = [
        "arn:aws:cloudfront::123456789012:distribution/E1ABCDEF234567",
        "arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL",
        "arn:aws:cloudfront::123456789012:distribution/EAPIDOCS987654",
        "arn:aws:cloudfront::123456789012:distribution/EWEBPROD123456",
      ]
    }
    error_message = "invalidation rights on exactly the configured distributions (global ids and route ids, deduplicated)"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "SendToOwnQueues"]).Resource == [
      "arn:aws:sqs:us-east-1:123456789012:cutover-invoke-failures",
      "arn:aws:sqs:us-east-1:123456789012:cutover-followup",
    ]
    error_message = "SendMessage on the failure and follow-up queues"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.lambda.policy).Statement : s if s.Sid == "ConsumeFollowups"]) == {
      Sid      = "ConsumeFollowups"
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
      Resource = ["arn:aws:sqs:us-east-1:123456789012:cutover-followup"]
    }
    error_message = "the function consumes only the follow-up queue"
  }
}

run "followup_queue_and_mapping" {
  assert {
    condition = (
      aws_sqs_queue.followup[0].name == "cutover-followup" &&
      aws_sqs_queue.followup[0].visibility_timeout_seconds == 180 &&
      aws_sqs_queue.followup[0].sqs_managed_sse_enabled == true
    )
    error_message = "follow-up queue: encrypted, visibility timeout 6x the function timeout"
  }
  assert {
    condition = jsondecode(aws_sqs_queue.followup[0].redrive_policy) == {
      deadLetterTargetArn = "arn:aws:sqs:us-east-1:123456789012:cutover-invoke-failures"
      maxReceiveCount     = 10
    }
    error_message = "follow-ups that keep failing move to the failure queue"
  }
  assert {
    condition = (
      aws_lambda_event_source_mapping.followup[0].event_source_arn == aws_sqs_queue.followup[0].arn &&
      aws_lambda_event_source_mapping.followup[0].function_name == aws_lambda_function.this.arn &&
      aws_lambda_event_source_mapping.followup[0].batch_size == 10 &&
      aws_lambda_event_source_mapping.followup[0].function_response_types == toset(["ReportBatchItemFailures"])
    )
    error_message = "event source mapping: batch 10, partial batch failures"
  }
  assert {
    condition     = output.followup_queue_url == "https://sqs.us-east-1.amazonaws.com/123456789012/cutover-followup"
    error_message = "followup_queue_url output"
  }
}

run "visibility_timeout_follows_timeout_and_rollback_flag" {
  variables {
    timeout                = 120
    invalidate_on_rollback = false
  }
  assert {
    condition     = aws_sqs_queue.followup[0].visibility_timeout_seconds == 720
    error_message = "visibility timeout must be 6 x timeout"
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables["CUTOVER_INVALIDATE_ON_ROLLBACK"] == "false"
    error_message = "invalidate_on_rollback = false reaches the function"
  }
}

run "routes_only" {
  variables {
    cloudfront_distribution_ids = []
    cloudfront_routes           = [{ application = "web", distribution_ids = ["EWEBPROD123456"] }]
  }
  assert {
    condition = (
      !contains(keys(aws_lambda_function.this.environment[0].variables), "CUTOVER_CLOUDFRONT_DISTRIBUTION_IDS") &&
      aws_lambda_function.this.environment[0].variables["CUTOVER_INVALIDATION_PATHS"] == "/index.html,/static/*" &&
      length(aws_sqs_queue.followup) == 1
    )
    error_message = "routes alone enable invalidation (paths, follow-up queue) without the global id list"
  }
}

run "environment_keys_known_at_plan_time" {
  command = plan

  assert {
    condition = toset(keys(aws_lambda_function.this.environment[0].variables)) == toset([
      "CUTOVER_SLACK_WEBHOOK_URL_SECRET", "CUTOVER_EVENTS", "CUTOVER_ENRICH", "CUTOVER_ENRICH_TIMEOUT",
      "CUTOVER_RECORDS_TABLE", "CUTOVER_RECORDS_TTL",
      "CUTOVER_CLOUDFRONT_DISTRIBUTION_IDS", "CUTOVER_INVALIDATION_PATHS", "CUTOVER_INVALIDATE_ON_ROLLBACK",
      "CUTOVER_CLOUDFRONT_ROUTES", "CUTOVER_FOLLOWUP_QUEUE_URL", "GOGC", "GOMEMLIMIT",
    ])
    error_message = "the plan shows which CUTOVER_* variables are set before the queue and table exist"
  }
}

run "trigger_events_add_what_invalidation_needs" {
  command = plan

  variables {
    notify_events = ["TriggerTest"]
  }
  assert {
    condition     = output.trigger_events == tolist(["DeploymentFailure", "DeploymentRollback", "InstanceSuccess"])
    error_message = "with a distribution and invalidate_on_rollback, the trigger carries the traffic switch and the events that invalidate again, even when they do not notify"
  }
}

run "trigger_events_without_rollback_invalidation" {
  command = plan

  variables {
    notify_events          = ["TriggerTest"]
    invalidate_on_rollback = false
  }
  assert {
    condition     = output.trigger_events == tolist(["InstanceSuccess"])
    error_message = "with invalidate_on_rollback = false only the traffic switch is needed"
  }
}

run "trigger_events_rollback_needs_a_distribution" {
  command = plan

  variables {
    notify_events               = ["InstanceFailure"]
    cloudfront_distribution_ids = []
    cloudfront_routes           = []
  }
  assert {
    condition     = output.trigger_events == tolist(["InstanceFailure", "InstanceSuccess"])
    error_message = "invalidate_on_rollback adds nothing to the trigger without a distribution"
  }
}
