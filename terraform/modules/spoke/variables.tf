variable "name" {
  description = "Prefix of every resource this module creates in the spoke account (role \"<name>-hub\", rule \"<name>-forward\", ...)."
  type        = string
  default     = "cutover"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,40}$", var.name))
    error_message = "name must be 1-40 letters, digits, hyphens and underscores."
  }
}

variable "tags" {
  description = "Tags applied to every taggable resource the module creates."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "hub_role_arn" {
  description = "ARN of the hub function's role (the hub module's output role_arn): the only principal the role created here trusts."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$", var.hub_role_arn))
    error_message = "hub_role_arn must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME), not a user, root or wildcard."
  }
}

variable "external_id" {
  description = "The external ID the hub must present to assume the role (the same value as in the hub's spoke_accounts). Not a secret: it guards against the confused deputy. Use a value unique to this hub and spoke, e.g. the hub account ID and a random suffix."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.external_id) >= 2 && length(var.external_id) <= 1224 && can(regex("^[A-Za-z0-9_+=,.@:/-]+$", var.external_id))
    error_message = "external_id must be 2-1224 letters, digits or +=,.@:/- (what STS accepts)."
  }
}

variable "create_role" {
  description = "Create the role the hub assumes. The role is global: when the module is used once per region, create it in one instance only and set false elsewhere."
  type        = bool
  default     = true
  nullable    = false
}

variable "deployment_groups" {
  description = "CodeDeploy deployment groups ({ application, deployment_group }) the hub may read and, with allow_rollback / allow_hooks, act on. Empty: the hub may read every deployment group of the account and act on none."
  type = list(object({
    application      = string
    deployment_group = string
  }))
  default  = []
  nullable = false

  validation {
    condition = alltrue([
      for g in var.deployment_groups : can(regex("^[A-Za-z0-9_.+-]{1,100}$", g.application)) && can(regex("^[A-Za-z0-9_.+-]{1,100}$", g.deployment_group))
    ])
    error_message = "deployment_groups: application and deployment_group must be CodeDeploy names (letters, digits, _ . + -; no wildcards)."
  }
}

variable "ecs_services" {
  description = "ECS services ({ cluster, service }) the hub may read and, with allow_rollback, roll back (native ECS blue/green). Empty: the hub may read the task sets and deployments of every service of the account and act on none."
  type = list(object({
    cluster = string
    service = string
  }))
  default  = []
  nullable = false

  validation {
    condition = alltrue([
      for s in var.ecs_services : can(regex("^[A-Za-z0-9_-]{1,255}$", s.cluster)) && can(regex("^[A-Za-z0-9_-]{1,255}$", s.service))
    ])
    error_message = "ecs_services: cluster and service must be ECS names (letters, digits, _ and -; no wildcards)."
  }
}

variable "allow_rollback" {
  description = "Let the hub roll back from a message (the Roll back button): codedeploy:StopDeployment on deployment_groups and ecs:StopServiceDeployment on ecs_services, and nothing else. Needs at least one of them."
  type        = bool
  default     = false
  nullable    = false
}

variable "allow_hooks" {
  description = "Let the hub continue deployments and answer CodeDeploy lifecycle hooks (Finish early, reroute): codedeploy:ContinueDeployment and codedeploy:PutLifecycleEventHookExecutionStatus on deployment_groups. Needs deployment_groups."
  type        = bool
  default     = false
  nullable    = false
}

variable "forward_events" {
  description = "Forward this account's CodeDeploy and ECS deployment events (this region) to the hub bus (hub_event_bus_arn)."
  type        = bool
  default     = true
  nullable    = false
}

variable "forward_triggers" {
  description = "Create the trigger topic for this account's deployment groups (this region), subscribed to the hub function (hub_function_arn)."
  type        = bool
  default     = true
  nullable    = false
}

variable "hub_event_bus_arn" {
  description = "ARN of the hub event bus (the hub module's output hub_event_bus_arn): CodeDeploy and ECS deployment events of this account and region are forwarded to it (forward_events)."
  type        = string
  default     = null

  validation {
    condition     = var.hub_event_bus_arn == null || can(regex("^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[A-Za-z0-9._-]{1,256}$", var.hub_event_bus_arn))
    error_message = "hub_event_bus_arn must be an event bus ARN (arn:aws:events:REGION:ACCOUNT:event-bus/NAME)."
  }
}

variable "hub_function_arn" {
  description = "ARN of the hub function (the hub module's output function_arn): the trigger topic created here is subscribed to it (forward_triggers)."
  type        = string
  default     = null

  validation {
    condition     = var.hub_function_arn == null || can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}$", var.hub_function_arn))
    error_message = "hub_function_arn must be a Lambda function ARN without qualifier."
  }
}

variable "topic_name" {
  description = "Name of the SNS topic the deployment groups' triggers publish to (the hub's spoke_topic_name). The default is one the AWSCodeDeployRoleForECSLimited managed policy may publish to (CodeDeployTopic_*)."
  type        = string
  default     = "CodeDeployTopic_cutover"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,256}$", var.topic_name))
    error_message = "topic_name must be a standard SNS topic name."
  }
}

variable "codedeploy_service_role_arns" {
  description = "CodeDeploy service roles of this account that publish to the trigger topic (named as principals in its policy, next to the account root)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.codedeploy_service_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", a))])
    error_message = "codedeploy_service_role_arns must be IAM role ARNs."
  }
}
