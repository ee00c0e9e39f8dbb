output "hub_function_name" {
  description = "The hub function: `cutover replay --function` takes this name."
  value       = module.hub.function_name
}

output "hub_event_bus_arn" {
  description = "The bus the spokes forward their events to."
  value       = module.hub.hub_event_bus_arn
}

output "spoke_trigger_topics" {
  description = "Per spoke, the topic to use as trigger_target_arn in its deployment groups."
  value = {
    team_a = module.team_a.trigger_topic_arn
    team_b = module.team_b.trigger_topic_arn
  }
}

output "spoke_roles" {
  description = "Per spoke, the role the hub assumes (what CUTOVER_ACCOUNTS lists)."
  value = {
    team_a = module.team_a.hub_role_arn
    team_b = module.team_b.hub_role_arn
  }
}
