################################################################################
# General
################################################################################

variable "name" {
  description = "Name (and prefix) for every resource this module creates: the function is named exactly this, other resources get a suffix (\"<name>-codedeploy\", \"<name>-invoke-failures\", ...). Use one per environment, e.g. \"cutover-prod\"."
  type        = string
  default     = "cutover"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,40}$", var.name))
    error_message = "name must be 1-40 characters of letters, digits, hyphens and underscores (it becomes the Lambda function name and prefixes queue, table, role and alarm names)."
  }
}

variable "tags" {
  description = "Tags applied to every taggable resource the module creates."
  type        = map(string)
  default     = {}
  nullable    = false
}

################################################################################
# SNS topic (CodeDeploy trigger target)
################################################################################

variable "create_topic" {
  description = "Create the SNS topic CodeDeploy triggers publish to. Set to false and pass sns_topic_arn to subscribe the function to an existing topic (its policy is then yours to manage)."
  type        = bool
  default     = true
  nullable    = false
}

variable "sns_topic_arn" {
  description = "ARN of an existing standard SNS topic to subscribe to. Only with create_topic = false."
  type        = string
  default     = null

  validation {
    condition     = var.sns_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.sns_topic_arn))
    error_message = "sns_topic_arn must be the ARN of a standard (not FIFO) SNS topic: arn:aws:sns:REGION:ACCOUNT:NAME."
  }
}

variable "kms_master_key_id" {
  description = "KMS key (ID, ARN or alias) to encrypt the created SNS topic. null leaves it unencrypted. With a customer managed key, the key policy must let the CodeDeploy service role call kms:GenerateDataKey* and kms:Decrypt."
  type        = string
  default     = null

  validation {
    condition     = var.kms_master_key_id == null || length(try(trimspace(var.kms_master_key_id), "")) > 0
    error_message = "kms_master_key_id must be null or a non-empty key ID, key ARN, alias name or alias ARN."
  }
}

variable "codedeploy_service_role_arns" {
  description = "ARNs of the CodeDeploy service roles that publish to the topic. They are named as principals in the topic policy (next to the account root). Each role also needs sns:Publish in its own policy: see the module output codedeploy_sns_publish_policy_json."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.codedeploy_service_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$", arn))])
    error_message = "Each codedeploy_service_role_arns entry must be an IAM role ARN: arn:aws:iam::ACCOUNT:role/NAME."
  }
}

################################################################################
# Lambda function
################################################################################

variable "lambda_zip_path" {
  description = "Path to the deployment package built by `make package` (dist/cutover-lambda-arm64.zip: a zip holding the arm64 `bootstrap` binary). Exactly one of lambda_zip_path or lambda_s3_bucket + lambda_s3_key."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_zip_path == null || can(regex("\\.zip$", var.lambda_zip_path))
    error_message = "lambda_zip_path must point to a .zip file (build it with `make package`)."
  }
}

variable "lambda_zip_hash" {
  description = "Base64 SHA-256 of the package (source_code_hash). Defaults to filebase64sha256(lambda_zip_path); pass it when the zip is built in a later pipeline step or lives in S3."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_zip_hash == null || can(regex("^[A-Za-z0-9+/]{43}=$", var.lambda_zip_hash))
    error_message = "lambda_zip_hash must be a base64-encoded SHA-256 digest (44 characters ending in '='), e.g. from filebase64sha256() or `openssl dgst -sha256 -binary FILE | base64`."
  }
}

variable "lambda_s3_bucket" {
  description = "S3 bucket holding the deployment package, as an alternative to lambda_zip_path. Must be in the function's region."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_s3_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.lambda_s3_bucket))
    error_message = "lambda_s3_bucket must be a valid S3 bucket name."
  }
}

variable "lambda_s3_key" {
  description = "S3 key of the deployment package (with lambda_s3_bucket)."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_s3_key == null || can(regex("\\.zip$", var.lambda_s3_key))
    error_message = "lambda_s3_key must name a .zip object."
  }
}

variable "lambda_s3_object_version" {
  description = "Object version of the package in S3 (versioned buckets)."
  type        = string
  default     = null
}

variable "memory_size" {
  description = "Function memory in MB. The Go binary needs little; more memory also buys more CPU."
  type        = number
  default     = 128
  nullable    = false

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB between 128 and 10240."
  }
}

variable "go_runtime_tuning" {
  description = "Start the Go runtime tuned for a short-lived function: GOGC=400 (fewer garbage collections while the AWS SDK initialises, about a quarter off a cold start) with GOMEMLIMIT at half of memory_size (the collector works harder as the heap nears it, leaving the other half for the binary, stacks and what Go does not manage). GOGC or GOMEMLIMIT in extra_environment_variables take precedence. false leaves Go's defaults."
  type        = bool
  default     = true
  nullable    = false
}

variable "timeout" {
  description = "Function timeout in seconds. The follow-up queue's visibility timeout is set to 6x this value."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.timeout >= 3 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds between 3 and 900."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency for the function. null leaves it unreserved; 0 stops all invocations (events then age out into the failure queue)."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrent_executions == null || try(var.reserved_concurrent_executions >= 0 && floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions, false)
    error_message = "reserved_concurrent_executions must be null or a whole number >= 0."
  }
}

variable "log_level" {
  description = "Application log level (Lambda advanced logging controls; the function reads AWS_LAMBDA_LOG_LEVEL)."
  type        = string
  default     = "INFO"
  nullable    = false

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.log_level)
    error_message = "log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the function's CloudWatch log group, in days (0 = never expire)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of the values CloudWatch Logs accepts: 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key ARN to encrypt the log group. The key policy must allow the CloudWatch Logs service principal of this region."
  type        = string
  default     = null

  validation {
    condition     = var.log_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be a KMS key ARN: arn:aws:kms:REGION:ACCOUNT:key/ID."
  }
}

variable "role_permissions_boundary_arn" {
  description = "ARN of a permissions boundary policy to attach to the function's IAM role."
  type        = string
  default     = null

  validation {
    condition     = var.role_permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.role_permissions_boundary_arn))
    error_message = "role_permissions_boundary_arn must be an IAM policy ARN."
  }
}

variable "maximum_event_age_in_seconds" {
  description = "How long Lambda keeps retrying an asynchronous event (SNS, EventBridge) before sending it to the failure queue."
  type        = number
  default     = 3600
  nullable    = false

  validation {
    condition     = var.maximum_event_age_in_seconds >= 60 && var.maximum_event_age_in_seconds <= 21600 && floor(var.maximum_event_age_in_seconds) == var.maximum_event_age_in_seconds
    error_message = "maximum_event_age_in_seconds must be a whole number between 60 and 21600."
  }
}

variable "maximum_retry_attempts" {
  description = "Retries Lambda makes for a failed asynchronous invocation (it waits about 1 and 2 minutes)."
  type        = number
  default     = 2
  nullable    = false

  validation {
    condition     = contains([0, 1, 2], var.maximum_retry_attempts)
    error_message = "maximum_retry_attempts must be 0, 1 or 2."
  }
}

variable "extra_environment_variables" {
  description = "Additional environment variables for the function (e.g. TZ). Keys starting with CUTOVER_ are reserved for the module's contract and AWS_ for Lambda. Never put secrets here."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.extra_environment_variables) : can(regex("^[A-Za-z][A-Za-z0-9_]*$", k)) && !startswith(upper(k), "CUTOVER_") && !startswith(upper(k), "AWS_")])
    error_message = "extra_environment_variables keys must be valid names ([A-Za-z][A-Za-z0-9_]*) and must not start with CUTOVER_ (module contract) or AWS_ (reserved by Lambda)."
  }
}

################################################################################
# Slack webhook (a reference to where it is stored, never the URL itself)
################################################################################

variable "slack_webhook_secret_arn" {
  description = "Full ARN (with the 6-character suffix) of the Secrets Manager secret whose SecretString is the Slack incoming webhook URL. Exactly one of slack_webhook_secret_arn, slack_webhook_ssm_parameter_name or slack_webhook_url."
  type        = string
  default     = null

  validation {
    condition     = var.slack_webhook_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$", var.slack_webhook_secret_arn))
    error_message = "slack_webhook_secret_arn must be a Secrets Manager secret ARN: arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf."
  }
}

variable "slack_webhook_ssm_parameter_name" {
  description = "Name (e.g. /cutover/slack-webhook-url) or ARN of an SSM SecureString parameter holding the Slack incoming webhook URL, in this region. Exactly one of slack_webhook_secret_arn, slack_webhook_ssm_parameter_name or slack_webhook_url."
  type        = string
  default     = null

  validation {
    condition = var.slack_webhook_ssm_parameter_name == null || can(regex(
      "^(arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/[A-Za-z0-9_.\\-/]+|/?[A-Za-z0-9_.\\-]+(/[A-Za-z0-9_.\\-]+)*)$",
      var.slack_webhook_ssm_parameter_name
    ))
    error_message = "slack_webhook_ssm_parameter_name must be a parameter name (letters, digits, _ . - and / separators) or an SSM parameter ARN."
  }
}

variable "slack_webhook_url" {
  description = "FOR TRYING THE MODULE OUT ONLY: the Slack incoming webhook URL in plain text. The module stores it in a Secrets Manager secret it creates and gives the function only that secret's ARN, but the URL ends up in Terraform state (and in your tfvars). For real use, create the secret outside Terraform and pass slack_webhook_secret_arn."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.slack_webhook_url == null || can(regex("^https://hooks\\.slack(-gov)?\\.com/\\S+$", var.slack_webhook_url))
    error_message = "slack_webhook_url must be a Slack incoming webhook URL (https://hooks.slack.com/...)."
  }
}

################################################################################
# Several destinations and routing (CUTOVER_DESTINATIONS)
################################################################################

variable "destinations" {
  description = <<-EOT
    Chat and webhook destinations with routing rules (CUTOVER_DESTINATIONS); the keys are the ones of the JSON the
    function reads, see the README. Each entry: name (stable: it keys the delivery records), type (slack, teams,
    discord, googlechat, webhook, slack-app), url_secret (Secrets Manager secret ARN, or SSM SecureString parameter name or ARN,
    holding the webhook URL), signing_secret_secret (type webhook: the same kinds of reference, holding the whsec_
    signing secret; type slack-app: the app's signing secret, which verifies button clicks), for type slack-app
    channel, token_secret (the bot token, by reference), allowed_users and allowed_groups (who may press the
    buttons), and optional filters events, applications, deployment_groups, services ("cluster/service"),
    accounts, regions (glob patterns with * ? [...], case-sensitive) and mention (who to ping on failures; slack:
    "@here", "@channel", "@everyone", "user:ID", "group:ID"; discord: no "@channel", numeric IDs; googlechat: no
    "group:"; teams, webhook: none). The rules are the function's, checked here: see the README. An entry without events gets the quiet default set (the default of
    notify_events), whatever notify_events is set to. The module takes references
    only: plain URLs and signing secrets never go into Terraform state or the function's environment. The function
    may read exactly the secrets and parameters referenced here. Can be combined with the slack_webhook_* inputs
    (a destination named "slack"), in which case no entry may be named "slack".
  EOT
  type = list(object({
    name                  = string
    type                  = string
    url_secret            = optional(string)
    signing_secret_secret = optional(string)
    channel               = optional(string)
    token_secret          = optional(string)
    allowed_users         = optional(list(string))
    allowed_groups        = optional(list(string))
    events                = optional(list(string))
    applications          = optional(list(string))
    deployment_groups     = optional(list(string))
    services              = optional(list(string))
    accounts              = optional(list(string))
    regions               = optional(list(string))
    mention               = optional(list(string))
  }))
  default  = []
  nullable = false

  validation {
    condition     = alltrue([for d in var.destinations : can(regex("^[a-z0-9][a-z0-9_-]{0,63}$", d.name))])
    error_message = "Each destination name must be 1-64 characters of lower-case letters, digits, - and _, starting with a letter or digit."
  }
  validation {
    condition     = length(distinct([for d in var.destinations : d.name])) == length(var.destinations)
    error_message = "Destination names must be unique: the name keys the delivery records."
  }
  validation {
    condition     = alltrue([for d in var.destinations : contains(["slack", "teams", "discord", "googlechat", "webhook", "slack-app"], d.type)])
    error_message = "Each destination type must be one of slack, teams, discord, googlechat, webhook, slack-app."
  }
  validation {
    # secret.CheckRef, on the trimmed reference (Terraform refuses spaces outright: the grant is made for the
    # reference as written): an ARN of a Secrets Manager secret or SSM parameter, or an SSM parameter name that
    # is no URL, no URL path without its host, no Slack token and has no token-like segment.
    condition = alltrue(flatten([for d in var.destinations : [
      for ref in compact([d.url_secret, d.signing_secret_secret, d.token_secret]) : (can(regex(
        "^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+|arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/[A-Za-z0-9_.\\-/]+|/?[A-Za-z0-9_.\\-]+(/[A-Za-z0-9_.\\-]+)*)$", ref
        )) && !can(regex("://", ref)) && (startswith(ref, "arn:") || (
        length(ref) <= 2048 && (startswith(ref, "/") || !strcontains(ref, "/")) && !startswith(ref, "xox") &&
        !anytrue([for w in ["/services/", "/api/webhooks/", "/v1/spaces/", "/workflows/", "/webhookb2/"] : startswith(ref, w)]) &&
        !anytrue([for s in split("/", ref) : length(s) >= 24 && can(regex("^[A-Za-z0-9]*([0-9][A-Za-z0-9]*[A-Za-z]|[A-Za-z][A-Za-z0-9]*[0-9])[A-Za-z0-9]*$", s))])
      )))
    ]]))
    error_message = "url_secret, signing_secret_secret and token_secret take a reference (a Secrets Manager secret ARN, or an SSM parameter name or ARN), never the URL or secret itself: a parameter name with a path starts with /, and neither starts like a webhook URL's path (/services/, /api/webhooks/, /v1/spaces/, /workflows/, /webhookb2/) nor holds a token-like segment (24 or more letters and digits)."
  }
  validation {
    condition     = alltrue([for d in var.destinations : d.type == "slack-app" || (d.url_secret != null && d.url_secret != "")])
    error_message = "Each destination needs url_secret: a Secrets Manager secret ARN, or an SSM parameter name or ARN, holding the webhook URL."
  }
  validation {
    # config.checkSlackApp: a bot token by reference, a channel ID or name, no webhook URL.
    condition = alltrue([for d in var.destinations : d.type != "slack-app" || (
      d.token_secret != null && d.token_secret != "" && (d.url_secret == null || d.url_secret == "") &&
      can(regex("^(#?[a-z0-9][a-z0-9._-]{0,79}|[CG][A-Z0-9]{2,20})$", trimspace(coalesce(d.channel, " "))))
    )])
    error_message = "A destination of type slack-app needs channel (a channel ID such as C0123456789, or a name) and token_secret (a reference to the bot token), and takes no url_secret."
  }
  validation {
    condition = alltrue([for d in var.destinations : d.type == "slack-app" || (
      d.channel == null && d.token_secret == null && d.allowed_users == null && d.allowed_groups == null
    )])
    error_message = "channel, token_secret, allowed_users and allowed_groups are keys of type slack-app only."
  }
  validation {
    # config.checkSlackApp: Slack user IDs (U…, W…) and user group IDs (S…).
    condition = alltrue(flatten([for d in var.destinations : concat(
      [for u in(d.allowed_users != null ? d.allowed_users : []) : can(regex("^[UW][A-Z0-9]{2,20}$", u))],
      [for g in(d.allowed_groups != null ? d.allowed_groups : []) : can(regex("^S[A-Z0-9]{2,20}$", g))],
    )]))
    error_message = "allowed_users entries are Slack user IDs (U… or W…) and allowed_groups entries user group IDs (S…)."
  }
  validation {
    condition     = alltrue([for d in var.destinations : d.type != "webhook" || (d.signing_secret_secret != null && d.signing_secret_secret != "")])
    error_message = "A destination of type webhook needs signing_secret_secret: every request is signed."
  }
  validation {
    condition     = alltrue([for d in var.destinations : contains(["webhook", "slack-app"], d.type) || d.signing_secret_secret == null || d.signing_secret_secret == ""])
    error_message = "signing_secret_secret is for types webhook (signs requests) and slack-app (verifies button clicks) only: the function refuses it elsewhere."
  }
  validation {
    # config.eventsMatching: an event name, ignoring case, or a case-sensitive pattern that matches one. The same
    # expression as local.destination_event_matches in main.tf, which explains it (a validation may refer to
    # nothing but its variable before Terraform 1.9).
    condition = alltrue(flatten([
      for ascii in [regexall("[\\s\\S]", " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~")] : [
        for names in [[
          "DeploymentStart", "DeploymentSuccess", "DeploymentFailure", "DeploymentStop", "DeploymentRollback", "DeploymentReady",
          "InstanceStart", "InstanceSuccess", "InstanceFailure", "InstanceReady", "TriggerTest", "Unknown",
          "SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED", "SERVICE_DEPLOYMENT_FAILED",
          "HOOK_IN_PROGRESS", "HOOK_AWAITING_ACTION", "HOOK_SUCCEEDED", "HOOK_FAILED", "HOOK_TIMED_OUT",
          "RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
          "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "ROLLBACK_TRAFFIC_SHIFT",
          "BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic",
          ]] : [for d in var.destinations : [for e in(d.events != null ? d.events : []) : length([for p in [trimspace(e)] : (
            anytrue([for n in names : can(regex("^(?i)${n}$", p))]) ? [for n in names : n if can(regex("^(?i)${n}$", p))] : [
              for t in [regexall("\\\\[\\s\\S]|\\[(?:\\^(?:(?:\\\\[\\s\\S]|[^\\\\\\]-])(?:-(?:\\\\[\\s\\S]|[^\\\\\\]-]))?)+|(?:\\\\[\\s\\S]|[^\\\\\\]^-])(?:-(?:\\\\[\\s\\S]|[^\\\\\\]-]))?(?:(?:\\\\[\\s\\S]|[^\\\\\\]-])(?:-(?:\\\\[\\s\\S]|[^\\\\\\]-]))?)*)\\]|[\\s\\S]", p)] : [
                for r in [contains(t, "[") || contains(t, "\\") ? "!" : join("", [for x in t : (
                  x == "*" ? ".*" : x == "?" ? "." : !startswith(x, "[") ? (can(regex("^\\\\?[A-Za-z_]$", x)) ? trimprefix(x, "\\") : "!") : [
                    for rs in [[
                      for m in regexall("(\\\\[\\s\\S]|[^\\\\\\]-])(?:-(\\\\[\\s\\S]|[^\\\\\\]-]))?", trimprefix(trimsuffix(trimprefix(x, "["), "]"), "^")) : [
                        for ch in [trimprefix(m[0], "\\"), trimprefix(coalesce(m[1], m[0]), "\\")] :
                        contains(ascii, ch) ? index(ascii, ch) + 32 : can(regex("^[\\x00-\\x1f]$", ch)) ? 0 : 200
                      ]
                      ]] : [
                      for s in [join("", [
                        for i, ch in ascii : ch if i >= 33 && i <= 90 && !(i >= 59 && i <= 64 && i != 63) && anytrue([for r in rs : r[0] <= i + 32 && i + 32 <= r[1]]) != startswith(x, "[^")
                      ])] : s == "" ? "!" : "[${s}]"
                    ][0]
                  ][0]
                )])] : [for n in names : n if can(regex("^${r}$", n))]
              ][0]
            ][0]
        )][0]) > 0]]
      ]
    ]))
    error_message = "Destination events must be event names (CodeDeploy: DeploymentStart, DeploymentSuccess, DeploymentFailure, DeploymentStop, DeploymentRollback, DeploymentReady, InstanceStart, InstanceSuccess, InstanceFailure, InstanceReady, TriggerTest, Unknown; ECS-native: SERVICE_DEPLOYMENT_*, HOOK_*; lifecycle hooks: the ECS stages, ROLLBACK_TRAFFIC_SHIFT, the CodeDeploy hooks such as AfterAllowTraffic, see docs/hooks.md; any case) or patterns that match at least one of them (case-sensitive, as Go's path.Match: *, ?, [classes], \\ escapes)."
  }
  validation {
    condition = alltrue([for d in var.destinations : alltrue([
      for f in [d.events, d.applications, d.deployment_groups, d.services, d.accounts, d.regions] : f == null ? true : length(f) > 0
    ])])
    error_message = "A routing filter that is set must list at least one value: an empty filter can never match (leave it unset to match everything)."
  }
  validation {
    # route.CheckPattern, for every filter but events: not empty, no spaces around it, path.Match syntax.
    condition = alltrue(flatten([for d in var.destinations : [
      for f in [d.applications, d.deployment_groups, d.services, d.accounts, d.regions] : [
        for p in(f != null ? f : []) : p != "" && trimspace(p) == p && can(regex("^(?:\\\\[\\s\\S]|\\[(?:\\^(?:(?:\\\\[\\s\\S]|[^\\\\\\]-])(?:-(?:\\\\[\\s\\S]|[^\\\\\\]-]))?)+|(?:\\\\[\\s\\S]|[^\\\\\\]^-])(?:-(?:\\\\[\\s\\S]|[^\\\\\\]-]))?(?:(?:\\\\[\\s\\S]|[^\\\\\\]-])(?:-(?:\\\\[\\s\\S]|[^\\\\\\]-]))?)*)\\]|[^\\\\\\[])*$", p))
      ]
    ]]))
    error_message = "applications, deployment_groups, services, accounts and regions entries are glob patterns (Go's path.Match: *, ?, [classes], \\ escapes), not empty, without spaces around them and without an unclosed [ or a trailing \\."
  }
  validation {
    condition = alltrue(flatten([for d in var.destinations : [
      for p in concat(d.applications != null ? d.applications : [], d.deployment_groups != null ? d.deployment_groups : [], d.regions != null ? d.regions : []) : !strcontains(p, "/")
    ]]))
    error_message = "applications, deployment_groups and regions entries never contain / (no such name does)."
  }
  validation {
    condition     = alltrue(flatten([for d in var.destinations : [for s in(d.services != null ? d.services : []) : can(regex("^[^/]+/[^/]+$", s))]]))
    error_message = "services entries are \"cluster/service\" (glob patterns allowed in either part)."
  }
  validation {
    # route.CheckPattern: digits and * ? [ ] - only; exactly 12 characters unless it holds *, ? or [.
    condition = alltrue(flatten([for d in var.destinations : [
      for a in(d.accounts != null ? d.accounts : []) : can(regex("^[0-9*?\\[\\]-]+$", a)) && (length(a) == 12 || can(regex("[*?\\[]", a)))
    ]]))
    error_message = "accounts entries are 12-digit account IDs, or patterns of one with *, ? or [...] (digits only otherwise)."
  }
  validation {
    condition     = alltrue(flatten([for d in var.destinations : [for m in(d.mention != null ? d.mention : []) : trimspace(m) != ""]]))
    error_message = "mention entries may not be empty."
  }
  validation {
    # teams.Build, webhook.Build: a Workflows webhook cannot @mention reliably; a webhook's receiver decides who to alert.
    condition     = alltrue([for d in var.destinations : !contains(["teams", "webhook"], d.type) || length(d.mention != null ? d.mention : []) == 0])
    error_message = "Destinations of type teams and webhook take no mention."
  }
  validation {
    # slackhook.ParseMentions: exact forms (no trimming); IDs are Slack member, user-group or bot IDs.
    condition = alltrue(flatten([for d in var.destinations : [
      for m in(d.mention != null ? d.mention : []) : !contains(["slack", "slack-app"], d.type) || can(regex("^(@here|@channel|@everyone|(user|group):[A-Z0-9]{2,20})$", m))
    ]]))
    error_message = "Slack mention entries are @here, @channel, @everyone, user:ID (a member ID such as U024BE7LH) or group:ID (a user group ID such as SAZ94GDB8): IDs of 2-20 upper-case letters and digits."
  }
  validation {
    # discord.ParseMentions: trimmed; no @channel; IDs are snowflakes (a positive decimal that fits in 64 bits);
    # at most 100 distinct users and 100 distinct roles.
    condition = alltrue(flatten([for d in var.destinations : d.type != "discord" ? [] : concat(
      [for m in(d.mention != null ? d.mention : []) : can(regex("^(@here|@everyone|(user|group):[1-9][0-9]{0,19})$", trimspace(m))) &&
        try(tonumber(regex("[0-9]+$", trimspace(m))) <= 18446744073709551615, true)
      ],
      [for kind in ["user:", "group:"] : length(distinct([for m in(d.mention != null ? d.mention : []) : trimspace(m) if startswith(trimspace(m), kind)])) <= 100],
    )]))
    error_message = "Discord mention entries are @here, @everyone, user:ID or group:ID (a role), IDs being Discord snowflakes (numbers such as 80351110224678912); Discord has no @channel; at most 100 users and 100 roles."
  }
  validation {
    # googlechat.renderMentions: at most 20 entries; trimmed; @here, @channel and @everyone all mean everyone;
    # a webhook cannot mention a group.
    condition = alltrue([for d in var.destinations : d.type != "googlechat" || (
      length(d.mention != null ? d.mention : []) <= 20 &&
      alltrue([for m in(d.mention != null ? d.mention : []) : can(regex("^(@here|@channel|@everyone|user:[A-Za-z0-9][A-Za-z0-9._@+-]{0,127})$", trimspace(m)))])
    )])
    error_message = "Google Chat mention entries are @here, @channel, @everyone (all three mention everyone) or user:ID (a Google Chat user ID); a webhook cannot mention a group (group:); at most 20 entries."
  }
}

variable "destinations_in_parameter" {
  description = "Where the function gets the destinations JSON: false puts it in CUTOVER_DESTINATIONS, true in an SSM String parameter the module creates (CUTOVER_DESTINATIONS_PARAMETER), because Lambda's environment holds 4 KB in all. null (default) chooses the parameter from five destinations on. The JSON holds references and routing rules, never secrets."
  type        = bool
  default     = null
}

variable "kms_key_arn" {
  description = "ARN of the customer managed KMS key that encrypts the webhook secret or SecureString parameter. Grants the function kms:Decrypt on it, only via Secrets Manager / SSM. Also used to encrypt the secret the module creates from slack_webhook_url."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (not an alias): arn:aws:kms:REGION:ACCOUNT:key/ID."
  }
}

################################################################################
# Behaviour (read by the function through CUTOVER_* environment variables)
################################################################################

variable "notify_events" {
  description = "Events that produce a message on the slack_webhook_* destination (CUTOVER_EVENTS): CodeDeploy trigger events, and any other event name the function knows (ECS-native SERVICE_DEPLOYMENT_* and HOOK_*, lifecycle-hook stages) for events that reach the function by a rule of your own. TriggerTest is the test notification CodeDeploy sends when a trigger is created or changed. Null (default): DeploymentFailure, DeploymentStop, DeploymentRollback, DeploymentReady, InstanceSuccess, InstanceFailure, TriggerTest; without InstanceSuccess when codedeploy_hook is on (AfterAllowTraffic is the switch then, docs/hooks.md)."
  type        = list(string)
  default     = null

  validation {
    # app.Sources().EventNames(), in its order: internal/app tests that they agree.
    condition = var.notify_events == null || length(coalesce(var.notify_events, [])) > 0 && alltrue([for e in coalesce(var.notify_events, []) : contains([
      "DeploymentStart", "DeploymentSuccess", "DeploymentFailure", "DeploymentStop", "DeploymentRollback", "DeploymentReady",
      "InstanceStart", "InstanceSuccess", "InstanceFailure", "InstanceReady", "TriggerTest", "Unknown",
      "SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED", "SERVICE_DEPLOYMENT_FAILED",
      "HOOK_IN_PROGRESS", "HOOK_AWAITING_ACTION", "HOOK_SUCCEEDED", "HOOK_FAILED", "HOOK_TIMED_OUT",
      "RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
      "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "ROLLBACK_TRAFFIC_SHIFT",
      "BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic",
    ], e)])
    error_message = "notify_events must be null or a non-empty list of event names the function knows: CodeDeploy trigger events (DeploymentStart, DeploymentSuccess, DeploymentFailure, DeploymentStop, DeploymentRollback, DeploymentReady, InstanceStart, InstanceSuccess, InstanceFailure, InstanceReady, TriggerTest), ECS-native events (SERVICE_DEPLOYMENT_IN_PROGRESS, SERVICE_DEPLOYMENT_COMPLETED, SERVICE_DEPLOYMENT_FAILED, HOOK_*), or a lifecycle-hook event (docs/hooks.md). Names are case-sensitive here."
  }
}

variable "enrich" {
  description = "Let the function call CodeDeploy and ECS read APIs to add details (task definition, traffic weights, creator) to messages (CUTOVER_ENRICH)."
  type        = bool
  default     = true
  nullable    = false
}

variable "enrich_timeout_seconds" {
  description = "Upper bound, in seconds, on the CodeDeploy/ECS lookups for one event (CUTOVER_ENRICH_TIMEOUT, passed as \"<n>s\"); a message whose lookups run out of time is sent with what was found. 0.1-10."
  type        = number
  default     = 2
  nullable    = false

  validation {
    condition     = var.enrich_timeout_seconds >= 0.1 && var.enrich_timeout_seconds <= 10
    error_message = "enrich_timeout_seconds must be between 0.1 and 10 (seconds)."
  }
}

variable "cloudfront_distribution_ids" {
  description = "CloudFront distributions to invalidate when production traffic switches, for every application (CUTOVER_CLOUDFRONT_DISTRIBUTION_IDS). Use cloudfront_routes for per-application distributions."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.cloudfront_distribution_ids : can(regex("^[A-Z0-9]{8,32}$", id))])
    error_message = "Each cloudfront_distribution_ids entry must be a distribution ID such as E2QWRUHAPOMQZL (upper-case letters and digits)."
  }
}

variable "invalidation_paths" {
  description = "Paths to invalidate (CUTOVER_INVALIDATION_PATHS). Each starts with '/', may contain '*' only as its last character, is URL-encoded (printable ASCII, no spaces) and has no commas; at most 3000 file paths and 15 wildcard paths (CloudFront's in-progress limits)."
  type        = list(string)
  default     = ["/*"]
  nullable    = false

  validation {
    # Printable ASCII except space, '*' and ',' (the list separator), then an optional trailing '*'.
    condition     = length(var.invalidation_paths) > 0 && alltrue([for p in var.invalidation_paths : length(p) <= 4000 && can(regex("^/[\\x21-\\x29\\x2B\\x2D-\\x7E]*\\*?$", p))])
    error_message = "invalidation_paths must be a non-empty list of paths that start with '/', contain '*' only at the end, are URL-encoded (printable ASCII, no whitespace), contain no commas and are at most 4000 characters (e.g. \"/*\", \"/index.html\", \"/static/*\")."
  }

  validation {
    condition     = length([for p in distinct(var.invalidation_paths) : p if !endswith(p, "*")]) <= 3000 && length([for p in distinct(var.invalidation_paths) : p if endswith(p, "*")]) <= 15
    error_message = "invalidation_paths may hold at most 3000 file paths and 15 wildcard paths (CloudFront's in-progress limits per distribution)."
  }
}

variable "invalidate_on_rollback" {
  description = "Also invalidate on DeploymentFailure, DeploymentRollback and when a rollback deployment switches traffic back, so the CDN does not keep serving the version that was rolled back (CUTOVER_INVALIDATE_ON_ROLLBACK). DeploymentStop never invalidates. With false, a rollback deployment's traffic switch invalidates nothing either."
  type        = bool
  default     = true
  nullable    = false
}

variable "cloudfront_routes" {
  description = <<-EOT
    Per-application (and optionally per-deployment-group) distributions, so one function can serve many services (CUTOVER_CLOUDFRONT_ROUTES, JSON).
    paths defaults to invalidation_paths when omitted. Example:
    [{ application = "web", deployment_group = "web-prod", distribution_ids = ["E2QWRUHAPOMQZL"], paths = ["/*"] }]
  EOT
  type = list(object({
    application      = string
    deployment_group = optional(string)
    distribution_ids = list(string)
    paths            = optional(list(string))
  }))
  default  = []
  nullable = false

  validation {
    condition = alltrue([for r in var.cloudfront_routes :
      length(trimspace(r.application)) > 0 &&
      (r.deployment_group == null || length(trimspace(coalesce(r.deployment_group, " "))) > 0) &&
      length(r.distribution_ids) > 0 &&
      alltrue([for id in r.distribution_ids : can(regex("^[A-Z0-9]{8,32}$", id))])
    ])
    error_message = "Each cloudfront_routes entry needs a non-empty application, an optional non-empty deployment_group, and at least one valid distribution ID (e.g. E2QWRUHAPOMQZL)."
  }

  validation {
    condition = alltrue([for r in var.cloudfront_routes :
      r.paths == null || (
        length(coalesce(r.paths, [])) > 0 &&
        alltrue([for p in coalesce(r.paths, []) : length(p) <= 4000 && can(regex("^/[\\x21-\\x29\\x2B\\x2D-\\x7E]*\\*?$", p))]) &&
        length([for p in distinct(coalesce(r.paths, [])) : p if endswith(p, "*")]) <= 15
      )
    ])
    error_message = "cloudfront_routes paths, when given, must be non-empty lists (omit paths to use invalidation_paths) of at most 15 wildcard paths that start with '/', contain '*' only at the end, are URL-encoded (no whitespace) and are at most 4000 characters."
  }

  validation {
    condition     = length(distinct([for r in var.cloudfront_routes : "${r.application}/${coalesce(r.deployment_group, "*")}"])) == length(var.cloudfront_routes)
    error_message = "cloudfront_routes must not repeat an application + deployment_group pair: merge the distribution_ids of such routes."
  }
}

variable "followup_max_receive_count" {
  description = "How often a follow-up message (\"is the invalidation complete?\") may be received before it moves to the failure queue."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.followup_max_receive_count >= 1 && var.followup_max_receive_count <= 1000 && floor(var.followup_max_receive_count) == var.followup_max_receive_count
    error_message = "followup_max_receive_count must be a whole number between 1 and 1000."
  }
}

variable "sqs_kms_key_arn" {
  description = "Customer managed KMS key ARN for the failure and follow-up queues. null uses SQS-managed encryption (SSE-SQS). With a key, the function role gets kms:GenerateDataKey and kms:Decrypt on it."
  type        = string
  default     = null

  validation {
    condition     = var.sqs_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.sqs_kms_key_arn))
    error_message = "sqs_kms_key_arn must be a KMS key ARN: arn:aws:kms:REGION:ACCOUNT:key/ID."
  }
}

################################################################################
# Delivery records (DynamoDB)
################################################################################

variable "create_records_table" {
  description = "Create the DynamoDB table the function keeps delivery records in: one item per event and destination, so SNS redeliveries, Lambda retries and the same event arriving through both the trigger and EventBridge are delivered once (CUTOVER_RECORDS_TABLE). Without it a retried or redelivered event may notify twice (invalidations stay idempotent through their CloudFront caller reference)."
  type        = bool
  default     = true
  nullable    = false
}

variable "records_ttl_hours" {
  description = "How long delivery records are kept, in whole hours (CUTOVER_RECORDS_TTL, passed as \"<n>h\"; set only with create_records_table). A redelivery or replay of an event older than this is delivered again. Default 336 (14 days), 1-8760."
  type        = number
  default     = 336
  nullable    = false

  validation {
    condition     = var.records_ttl_hours >= 1 && var.records_ttl_hours <= 8760 && floor(var.records_ttl_hours) == var.records_ttl_hours
    error_message = "records_ttl_hours must be a whole number of hours between 1 and 8760 (one year)."
  }
}

variable "records_table_point_in_time_recovery" {
  description = "Enable point-in-time recovery on the records table."
  type        = bool
  default     = true
  nullable    = false
}

################################################################################
# IAM scoping for enrichment
################################################################################

variable "codedeploy_application_names" {
  description = "CodeDeploy applications the function may read (GetDeployment, GetDeploymentGroup, ListDeploymentTargets, BatchGetDeploymentTargets). Empty allows every application of this account and region. Also filters the EventBridge rule."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for n in var.codedeploy_application_names : length(n) >= 1 && length(n) <= 100 && trimspace(n) == n && !can(regex("[*?:]", n))])
    error_message = "codedeploy_application_names entries must be 1-100 characters, without '*', '?', ':' or surrounding whitespace."
  }
}

variable "ecs_service_arns" {
  description = "ECS services (long ARN format arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE) whose task sets the function may describe (ecs:DescribeTaskSets). Empty allows every service of this account and region."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.ecs_service_arns : can(regex("^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:service/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+$", arn))])
    error_message = "Each ecs_service_arns entry must be a long-format ECS service ARN: arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE."
  }
}

################################################################################
# EventBridge (optional second input)
################################################################################

variable "enable_eventbridge" {
  description = "Invoke the function from an EventBridge rule on CodeDeploy deployment and instance state changes: the zero-touch alternative to the SNS trigger (no change to the deployment group), with less detail (EventBridge events carry no error or rollback details). Enabling it next to the trigger is safe when the records table exists: each event is delivered once per destination, whichever copy arrives first, so details may be sparser when the EventBridge copy wins."
  type        = bool
  default     = false
  nullable    = false
}

################################################################################
# ECS-native blue/green (optional)
################################################################################

variable "enable_ecs_native" {
  description = "Invoke the function from an EventBridge rule on ECS deployment and hook state changes (source aws.ecs: ECS-native blue/green, without CodeDeploy), notify ecs_native_notify_events, and, with enrich, let the function read service deployments and revisions (bake-time deadline, revisions, rollback command)."
  type        = bool
  default     = false
  nullable    = false
}

variable "ecs_native_service_arns" {
  description = "ECS services (arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE) whose ECS-native deployments notify and may be read. With ecs_native_cluster_names empty too, every service of this account and region."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.ecs_native_service_arns : can(regex("^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:service/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+$", arn))])
    error_message = "Each ecs_native_service_arns entry must be a long-format ECS service ARN: arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE."
  }
}

variable "ecs_native_cluster_names" {
  description = "ECS clusters (names, in this account and region) whose services' ECS-native deployments notify and may be read, besides ecs_native_service_arns."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.ecs_native_cluster_names : can(regex("^[A-Za-z0-9_-]{1,255}$", c))])
    error_message = "ecs_native_cluster_names entries must be ECS cluster names (letters, digits, '-' and '_', at most 255)."
  }
}

variable "ecs_native_notify_events" {
  description = "ECS-native events that notify when enable_ecs_native is set, added to notify_events (CUTOVER_EVENTS). SERVICE_DEPLOYMENT_IN_PROGRESS is both the start and a rollback (its reason tells them apart)."
  type        = list(string)
  default     = ["SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED", "SERVICE_DEPLOYMENT_FAILED", "HOOK_AWAITING_ACTION", "HOOK_FAILED", "HOOK_TIMED_OUT"]
  nullable    = false

  validation {
    condition = alltrue([for e in var.ecs_native_notify_events : contains([
      "SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED", "SERVICE_DEPLOYMENT_FAILED",
      "HOOK_IN_PROGRESS", "HOOK_AWAITING_ACTION", "HOOK_SUCCEEDED", "HOOK_FAILED", "HOOK_TIMED_OUT",
    ], e)])
    error_message = "ecs_native_notify_events entries must be among: SERVICE_DEPLOYMENT_IN_PROGRESS, SERVICE_DEPLOYMENT_COMPLETED, SERVICE_DEPLOYMENT_FAILED, HOOK_IN_PROGRESS, HOOK_AWAITING_ACTION, HOOK_SUCCEEDED, HOOK_FAILED, HOOK_TIMED_OUT."
  }
}

################################################################################
# Alarms
################################################################################

variable "create_alarms" {
  description = "Create CloudWatch alarms on function errors and on messages in the failure queue."
  type        = bool
  default     = true
  nullable    = false
}

variable "alarm_actions" {
  description = "ARNs (usually SNS topics) to notify when an alarm fires."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.alarm_actions : startswith(a, "arn:")])
    error_message = "alarm_actions entries must be ARNs."
  }
}

variable "ok_actions" {
  description = "ARNs to notify when an alarm returns to OK."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.ok_actions : startswith(a, "arn:")])
    error_message = "ok_actions entries must be ARNs."
  }
}

################################################################################
# Slack buttons (slack_app.tf, docs/buttons.md)
################################################################################

variable "slack_buttons" {
  description = "Answer the Roll back now / Finish early buttons of slack-app destinations: creates a Lambda function URL (authorization NONE; every request is verified with the Slack app's signing secret) and lets the function stop or continue deployments of the groups below and invoke itself. Set the app's interactivity request URL to the slack_actions_url output. Unset (null): on exactly when a slack-app destination has signing_secret_secret and allowed_users or allowed_groups; true requires such a destination."
  type        = bool
  default     = null
}

variable "slack_button_deployment_groups" {
  description = "CodeDeploy deployment groups (\"APPLICATION/GROUP\") the buttons may stop with rollback or finish early. Empty: every group of codedeploy_application_names, or of this account and region when that is empty too."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for g in var.slack_button_deployment_groups : can(regex("^[A-Za-z0-9_.+@-]{1,100}/[A-Za-z0-9_.+@-]{1,100}$", g))])
    error_message = "slack_button_deployment_groups entries are \"APPLICATION/GROUP\" (no wildcards)."
  }
}

variable "slack_button_ecs_service_arns" {
  description = "ECS services (arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE) whose ECS-native blue/green deployments the Roll back now button may stop (ecs:StopServiceDeployment, stopType ROLLBACK). Empty: with enable_ecs_native or ecs_hook, the services those are scoped to (ecs_native_service_arns and ecs_native_cluster_names, else every service of this account and region); otherwise none."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.slack_button_ecs_service_arns : can(regex("^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:service/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+$", arn))])
    error_message = "Each slack_button_ecs_service_arns entry must be a long-format ECS service ARN: arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE."
  }
}

################################################################################
# Checks at the traffic switch (CUTOVER_CHECKS)
################################################################################

variable "checks" {
  description = <<-EOT
    Checks run when production traffic switches (CUTOVER_CHECKS; see docs/checks.md): the keys are the ones of the
    JSON the function reads. Each entry: name (unique), type ("http" or "alarms"); for http: url, or listener
    ("production" or "test": discovered from the deployment's load balancer) with path; method (default GET),
    headers (map of header name to { secret = "<Secrets Manager ARN or SSM parameter>" } or, for values that are not
    secret, { value = "..." }), requests (default 10, at most 1000), timeout_ms (per request, default 5000),
    expect_status (list, default [200]), body_contains, p95_ms, p99_ms; for alarms: alarm_names (CloudWatch alarms
    that must not be in ALARM); and the routing filters of destinations (events, applications, deployment_groups,
    services, accounts, regions). A check without events runs where production traffic switched. Header secrets
    are references only: the function may read exactly those.
  EOT
  type = list(object({
    name          = string
    type          = string
    url           = optional(string)
    listener      = optional(string)
    path          = optional(string)
    method        = optional(string)
    headers       = optional(map(object({ secret = optional(string), value = optional(string) })))
    requests      = optional(number)
    timeout_ms    = optional(number)
    expect_status = optional(list(number))
    body_contains = optional(string)
    p95_ms        = optional(number)
    p99_ms        = optional(number)
    alarm_names   = optional(list(string))

    events            = optional(list(string))
    applications      = optional(list(string))
    deployment_groups = optional(list(string))
    services          = optional(list(string))
    accounts          = optional(list(string))
    regions           = optional(list(string))
  }))
  default  = []
  nullable = false

  validation {
    condition     = length(distinct([for c in var.checks : c.name])) == length(var.checks)
    error_message = "Each check needs a unique name."
  }
  validation {
    condition     = alltrue([for c in var.checks : can(regex("^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$", c.name))])
    error_message = "A check name uses letters, digits, space, ., - and _ (at most 64)."
  }
  validation {
    condition     = alltrue([for c in var.checks : contains(["http", "alarms"], c.type)])
    error_message = "A check's type is \"http\" or \"alarms\"."
  }
  validation {
    condition = alltrue([for c in var.checks : c.type != "http" || (
      (c.url == null) != (c.listener == null) && (c.listener == null || contains(["production", "test"], coalesce(c.listener, "-")))
    )])
    error_message = "An http check gives either url or listener (\"production\" or \"test\"), not both."
  }
  validation {
    condition     = alltrue([for c in var.checks : c.url == null || can(regex("^https?://[^/@]+(/.*)?$", coalesce(c.url, "-")))])
    error_message = "A check's url is an http(s) URL without credentials: send them in a header by secret reference."
  }
  validation {
    condition     = alltrue([for c in var.checks : c.path == null || (c.listener != null && startswith(coalesce(c.path, "-"), "/"))])
    error_message = "path goes with listener and starts with /."
  }
  validation {
    condition = alltrue([for c in var.checks : c.type != "alarms" || (
      length(coalesce(c.alarm_names, [])) > 0 && length(coalesce(c.alarm_names, [])) <= 100 &&
      alltrue([for k in ["url", "listener", "path", "method", "headers", "requests", "timeout_ms", "expect_status", "body_contains", "p95_ms", "p99_ms"] : lookup(c, k, null) == null])
    )])
    error_message = "An alarms check lists 1 to 100 alarm_names and none of the http keys."
  }
  validation {
    condition     = alltrue([for c in var.checks : c.type != "http" || c.alarm_names == null])
    error_message = "alarm_names belongs to alarms checks."
  }
  validation {
    condition = alltrue(flatten([for c in var.checks : [
      for h in values(coalesce(c.headers, {})) : (h.secret == null) != (h.value == null)
    ]]))
    error_message = "Each header gives either secret (a Secrets Manager ARN or SSM parameter) or value, not both."
  }
  validation {
    condition = alltrue(flatten([for c in var.checks : [
      for h in values(coalesce(c.headers, {})) : h.secret == null || can(regex("^(arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:[0-9]{12}:(secret:|parameter/).+|/?[A-Za-z0-9_.\\-/]+)$", coalesce(h.secret, "-")))
    ]]))
    error_message = "A header's secret is a Secrets Manager secret ARN, or an SSM parameter name or ARN."
  }
  validation {
    # config.credentialHeader: a value would sit in plain text in CUTOVER_CHECKS (or its String parameter) and in state.
    condition = alltrue(flatten([for c in var.checks : [
      for n, h in coalesce(c.headers, {}) : h.value == null || !(
        contains(["authorization", "proxy-authorization", "cookie", "x-api-key", "x-auth-token", "api-key"], lower(n)) ||
        can(regex("^(?i)\\s*(bearer|basic|token) ", coalesce(h.value, "-")))
      )
    ]]))
    error_message = "A header value looks like a credential (an Authorization, Proxy-Authorization, Cookie, X-Api-Key, X-Auth-Token or Api-Key header, or a value starting with Bearer, Basic or Token): values land in plain text in the function's environment and Terraform state. Store it in Secrets Manager or an SSM SecureString and give { secret = \"<ARN or parameter name>\" }."
  }
  validation {
    condition = alltrue([for c in var.checks : (
      (c.requests == null || (coalesce(c.requests, 1) >= 1 && coalesce(c.requests, 1) <= 1000)) &&
      (c.timeout_ms == null || (coalesce(c.timeout_ms, 1) >= 1 && coalesce(c.timeout_ms, 1) <= 60000)) &&
      (c.p95_ms == null || (coalesce(c.p95_ms, 1) >= 1 && coalesce(c.p95_ms, 1) <= 600000)) &&
      (c.p99_ms == null || (coalesce(c.p99_ms, 1) >= 1 && coalesce(c.p99_ms, 1) <= 600000)) &&
      alltrue([for s in coalesce(c.expect_status, [200]) : s >= 100 && s <= 599]) && length(coalesce(c.expect_status, [200])) > 0
    )])
    error_message = "requests is 1 to 1000, timeout_ms 1 to 60000, p95_ms and p99_ms 1 to 600000, expect_status HTTP statuses."
  }
}

variable "checks_in_parameter" {
  description = "Where the function gets the checks JSON: false puts it in CUTOVER_CHECKS, true in an SSM String parameter the module creates (CUTOVER_CHECKS_PARAMETER), because Lambda's environment holds 4 KB in all. null (default) chooses the parameter from five checks on. The JSON holds references, never secrets."
  type        = bool
  default     = null
}

variable "ecs_hook" {
  description = "Lifecycle-hook mode for ECS-native blue/green: create the role ECS assumes to invoke the function (trust ecs.amazonaws.com, lambda:InvokeFunction on this function only; output ecs_hook_role_arn) and notify POST_PRODUCTION_TRAFFIC_SHIFT and ROLLBACK_TRAFFIC_SHIFT. See docs/hooks.md."
  type        = bool
  default     = false
  nullable    = false
}

variable "codedeploy_hook" {
  description = "Lifecycle-hook mode for CodeDeploy ECS AppSpec hooks (AfterAllowTraffic): allow codedeploy:PutLifecycleEventHookExecutionStatus, GetDeployment, ListDeploymentTargets and GetDeploymentTarget on the deployment groups of codedeploy_application_names (all when empty), and notify AfterAllowTraffic. A service role with AWSCodeDeployRoleForECSLimited invokes only functions named CodeDeployHook_*: set name accordingly."
  type        = bool
  default     = false
  nullable    = false
}

variable "hook_on_error" {
  description = "CUTOVER_HOOK_ON_ERROR: how a lifecycle hook answers when cutover itself fails (a destination down, CloudFront throttled, records unavailable): \"continue\" answers SUCCEEDED and keeps the undelivered notification for replay; \"rollback\" answers FAILED. Failing checks always answer FAILED."
  type        = string
  default     = "continue"
  nullable    = false

  validation {
    condition     = contains(["continue", "rollback"], var.hook_on_error)
    error_message = "hook_on_error must be \"continue\" or \"rollback\"."
  }
}

################################################################################
# Organization: this cutover as the hub for other accounts (organization.tf,
# docs/organization.md)
################################################################################

variable "organization_id" {
  description = "AWS Organizations ID (o-…). When set, any principal of the organization may publish to the SNS topic and put events on the hub event bus (aws:PrincipalOrgID); null allows only the accounts of spoke_accounts and publisher_account_ids."
  type        = string
  default     = null

  validation {
    condition     = var.organization_id == null || can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))
    error_message = "organization_id must be an AWS Organizations ID like o-a1b2c3d4e5."
  }
}

variable "spoke_accounts" {
  description = "The other accounts this cutover serves (CUTOVER_ACCOUNTS): account ID => { role_arn = the role modules/spoke creates there (output hub_role_arn), external_id = the one given to that module, regions = where the spoke deploys (default: this region; its trigger topics there may invoke the function) }. The function may assume these roles and no others; events from other accounts are notified without details and never acted on. The external ID is not a secret (it guards the trust policy against the confused deputy): it goes in the function's environment, never in an output."
  type = map(object({
    role_arn    = string
    external_id = optional(string)
    regions     = optional(list(string))
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for id, a in var.spoke_accounts : can(regex("^[0-9]{12}$", id))])
    error_message = "spoke_accounts keys must be 12-digit AWS account IDs."
  }
  validation {
    condition = alltrue([
      for id, a in var.spoke_accounts :
      can(regex("^arn:aws[a-z-]*:iam::${id}:role/[A-Za-z0-9+=,.@_/-]{1,512}$", a.role_arn))
    ])
    error_message = "spoke_accounts: each role_arn must be an IAM role ARN of its own account (arn:aws:iam::ACCOUNT:role/NAME)."
  }
  validation {
    condition = alltrue([
      for id, a in var.spoke_accounts :
      a.external_id == null || (length(coalesce(a.external_id, "-")) >= 2 && length(coalesce(a.external_id, "-")) <= 1224 && can(regex("^[A-Za-z0-9_+=,.@:/-]+$", a.external_id)))
    ])
    error_message = "spoke_accounts: external_id must be 2-1224 letters, digits or +=,.@:/- (what STS accepts)."
  }
  validation {
    condition = alltrue(flatten([
      for id, a in var.spoke_accounts : [for r in coalesce(a.regions, ["us-east-1"]) : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$", r))]
    ]))
    error_message = "spoke_accounts: regions must be AWS region names like eu-west-1."
  }
}

variable "publisher_account_ids" {
  description = "More accounts (besides spoke_accounts) that may publish to the SNS topic and put events on the hub bus, without being looked up or acted on."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.publisher_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "publisher_account_ids must be 12-digit AWS account IDs."
  }
}

variable "hub_event_bus_name" {
  description = "Name of the hub event bus the spokes forward CodeDeploy and ECS events to (created when organization_id or spoke_accounts is set). null: \"<name>-hub\"."
  type        = string
  default     = null

  validation {
    condition     = var.hub_event_bus_name == null || can(regex("^[A-Za-z0-9._-]{1,256}$", var.hub_event_bus_name))
    error_message = "hub_event_bus_name must be 1-256 letters, digits, '.', '_' or '-' (not \"default\" and not an aws.* name)."
  }
}

variable "spoke_topic_name" {
  description = "Name of the SNS topic modules/spoke creates in each spoke for CodeDeploy triggers (same value as that module's topic_name): the function accepts invocations from topics of this name in the spoke accounts only. The default matches what the AWSCodeDeployRoleForECSLimited managed policy may publish to (CodeDeployTopic_*)."
  type        = string
  default     = "CodeDeployTopic_cutover"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,256}$", var.spoke_topic_name))
    error_message = "spoke_topic_name must be a standard SNS topic name (letters, digits, '-', '_')."
  }
}
