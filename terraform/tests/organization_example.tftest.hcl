# examples/organization plans and applies (mocked): one hub, two spokes, wired to each other.

mock_provider "aws" {
  alias  = "hub"
  source = "./tests/mocks"

  mock_resource "aws_cloudwatch_event_bus" {
    defaults = {
      arn = "arn:aws:events:us-east-1:123456789012:event-bus/cutover-hub"
    }
  }
}

mock_provider "aws" {
  alias  = "team_a"
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "team_b"
  source = "./tests/mocks"
}

run "organization_example" {
  providers = {
    aws.hub    = aws.hub
    aws.team_a = aws.team_a
    aws.team_b = aws.team_b
  }

  module {
    source = "./examples/organization"
  }

  variables {
    lambda_zip_path = "tests/fixtures/bootstrap.zip"
    hub_account_id  = "111122223333"
    spokes = {
      team_a = {
        account_id        = "222233334444"
        external_id       = "111122223333-team-a"
        deployment_groups = [{ application = "shop", deployment_group = "shop-prod" }]
        ecs_services      = [{ cluster = "prod", service = "shop" }]
      }
      team_b = {
        account_id        = "333344445555"
        external_id       = "111122223333-team-b"
        deployment_groups = []
        ecs_services      = []
      }
    }
  }

  assert {
    condition     = output.hub_event_bus_arn == "arn:aws:events:us-east-1:123456789012:event-bus/cutover-hub"
    error_message = "the hub creates its bus"
  }
  assert {
    condition     = output.spoke_trigger_topics.team_a != null && output.spoke_trigger_topics.team_b != null && output.spoke_roles.team_a != null
    error_message = "both spokes have a trigger topic and the role the hub assumes"
  }
}
