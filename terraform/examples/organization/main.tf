# One cutover (the hub, in a tooling account) for two workload accounts (the spokes).
# See docs/organization.md.

locals {
  # The role modules/spoke creates in each spoke is "<name>-hub"; its ARN is known before it
  # exists, so the hub and the spokes apply in one run without a cycle.
  spoke_role_name = "cutover-hub"
  spoke_accounts = {
    for key, s in var.spokes : s.account_id => {
      role_arn    = "arn:aws:iam::${s.account_id}:role/${local.spoke_role_name}"
      external_id = s.external_id
    }
  }
}

module "hub" {
  source    = "../.."
  providers = { aws = aws.hub }

  name            = "cutover"
  lambda_zip_path = var.lambda_zip_path

  organization_id = var.organization_id
  spoke_accounts  = local.spoke_accounts

  destinations = [
    # Every deployment of every connected account.
    { name = "all", type = "slack", url_secret = var.slack_webhook_ssm_parameter_name },
    # Team B's own channel: its account only.
    { name = "team-b", type = "slack", url_secret = var.team_b_webhook_ssm_parameter_name, accounts = [var.spokes.team_b.account_id] },
  ]
}

module "team_a" {
  source    = "../../modules/spoke"
  providers = { aws = aws.team_a }

  hub_role_arn      = module.hub.role_arn
  external_id       = var.spokes.team_a.external_id
  hub_event_bus_arn = module.hub.hub_event_bus_arn
  hub_function_arn  = module.hub.function_arn

  deployment_groups = var.spokes.team_a.deployment_groups
  ecs_services      = var.spokes.team_a.ecs_services
  allow_rollback    = true # Roll back now; Finish early (ContinueDeployment) also needs allow_hooks = true
}

module "team_b" {
  source    = "../../modules/spoke"
  providers = { aws = aws.team_b }

  hub_role_arn      = module.hub.role_arn
  external_id       = var.spokes.team_b.external_id
  hub_event_bus_arn = module.hub.hub_event_bus_arn
  hub_function_arn  = module.hub.function_arn

  deployment_groups = var.spokes.team_b.deployment_groups
  ecs_services      = var.spokes.team_b.ecs_services
}

# In each spoke, point the deployment groups' trigger at the spoke's own topic:
#
#   trigger_configuration {
#     trigger_name       = "cutover"
#     trigger_events     = module.hub.trigger_events
#     trigger_target_arn = module.team_a.trigger_topic_arn
#   }
