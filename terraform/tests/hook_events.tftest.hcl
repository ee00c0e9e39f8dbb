# Destination events name every event the function knows (app.Sources().EventNames(): internal/app tests the
# module's copy of the list): the lifecycle-hook events and the ECS-native EventBridge names too, and
# patterns over them (an underscore is a literal like a letter).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  lambda_zip_path = "tests/fixtures/bootstrap.zip"
}

run "destination_events_take_hook_and_ecs_native_names" {
  command = plan
  variables {
    destinations = [{
      name       = "hooks"
      type       = "slack"
      url_secret = "/cutover/x"
      events     = ["POST_PRODUCTION_TRAFFIC_SHIFT", "rollback_traffic_shift", "AfterAllowTraffic", "SERVICE_DEPLOYMENT_*", "HOOK_[FT]*", "*_SCALE_UP"]
    }]
  }
  assert {
    condition = jsonencode(local.destination_event_matches[0]) == jsonencode([
      ["POST_PRODUCTION_TRAFFIC_SHIFT"],
      ["ROLLBACK_TRAFFIC_SHIFT"],
      ["AfterAllowTraffic"],
      ["SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED", "SERVICE_DEPLOYMENT_FAILED"],
      ["HOOK_FAILED", "HOOK_TIMED_OUT"],
      ["PRE_SCALE_UP", "POST_SCALE_UP"],
    ])
    error_message = "each events entry names the events Go's config.eventsMatching gives it"
  }
}

run "destination_without_events_gets_the_function_default" {
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x" }]
  }
  assert {
    condition     = contains(local.destination_event_matches[0][7], "POST_PRODUCTION_TRAFFIC_SHIFT") && length(local.destination_event_matches[0]) == 16
    error_message = "an entry without events gets config.DefaultEvents, the lifecycle-hook and ECS-native names included"
  }
}

run "destination_events_still_refuse_unknown_names" {
  command = plan
  variables {
    destinations = [{ name = "a", type = "slack", url_secret = "/cutover/x", events = ["POST_TRAFFIC_SHIFT"] }]
  }
  expect_failures = [var.destinations]
}
