package config

import "strings"

// Prefix starts the name of every variable cutover reads (and of every
// variable `cutover replay --function` copies from a deployed function).
const Prefix = "CUTOVER_"

// The environment variables cutover reads: the one list of their names.
// They are the contract shared by the docs (README "Configuration", which
// a test checks against Vars), the Terraform module and the tests.
//
// Tests read a few more variables of their own, which are not
// configuration and stay beside the tests that use them:
// CUTOVER_FAULT_REPORT (internal/e2e) and CUTOVER_TF_PLUGIN_DIR
// (internal/tfapply).
const (
	// EnvSlackWebhookURLSecret references the Slack webhook in Secrets
	// Manager or SSM.
	EnvSlackWebhookURLSecret = "CUTOVER_SLACK_WEBHOOK_URL_SECRET"
	// EnvSlackWebhookURL is the Slack webhook in plain text (local use).
	EnvSlackWebhookURL = "CUTOVER_SLACK_WEBHOOK_URL"
	// EnvDestinations is the JSON list of destinations and their routes.
	EnvDestinations = "CUTOVER_DESTINATIONS"
	// EnvDestinationsParameter is the SSM parameter that holds the same
	// JSON, for lists too long for Lambda's environment.
	EnvDestinationsParameter = "CUTOVER_DESTINATIONS_PARAMETER"
	// EnvEvents lists, comma-separated, the events that notify.
	EnvEvents = "CUTOVER_EVENTS"
	// EnvCloudFrontDistributionIDs lists, comma-separated, the
	// distributions invalidated for every deployment.
	EnvCloudFrontDistributionIDs = "CUTOVER_CLOUDFRONT_DISTRIBUTION_IDS"
	// EnvInvalidationPaths lists, comma-separated, the paths invalidated.
	EnvInvalidationPaths = "CUTOVER_INVALIDATION_PATHS"
	// EnvInvalidateOnRollback is "true" or "false": whether to invalidate
	// again when a deployment fails or rolls back.
	EnvInvalidateOnRollback = "CUTOVER_INVALIDATE_ON_ROLLBACK"
	// EnvCloudFrontRoutes is a JSON list of per-application routes (see
	// cloudfront.Route).
	EnvCloudFrontRoutes = "CUTOVER_CLOUDFRONT_ROUTES"
	// EnvFollowUpQueueURL is the SQS queue for invalidation completion
	// checks.
	EnvFollowUpQueueURL = "CUTOVER_FOLLOWUP_QUEUE_URL"
	// EnvRecordsTable is the DynamoDB table of delivery records.
	EnvRecordsTable = "CUTOVER_RECORDS_TABLE"
	// EnvRecordsFile is the CLI's local delivery-records database.
	EnvRecordsFile = "CUTOVER_RECORDS_FILE"
	// EnvRecordsTTL is how long delivery records are kept.
	EnvRecordsTTL = "CUTOVER_RECORDS_TTL"
	// EnvEnrich turns the CodeDeploy/ECS lookups on or off.
	EnvEnrich = "CUTOVER_ENRICH"
	// EnvEnrichTimeout bounds the lookups.
	EnvEnrichTimeout = "CUTOVER_ENRICH_TIMEOUT"
	// EnvFailureQueueURL is the function's on-failure queue, drained by
	// `cutover replay`.
	EnvFailureQueueURL = "CUTOVER_FAILURE_QUEUE_URL"
	// EnvSNSTopicARNs lists, comma-separated, the SNS topics `cutover
	// serve` accepts.
	EnvSNSTopicARNs = "CUTOVER_SNS_TOPIC_ARNS"
	// EnvAccounts is the JSON map of connected accounts: account ID to
	// the role cutover assumes there (and its external ID).
	EnvAccounts = "CUTOVER_ACCOUNTS"
	// EnvLogLevel is the minimum level logged.
	EnvLogLevel = "CUTOVER_LOG_LEVEL"
	// EnvLambdaLogLevel is set by Lambda's advanced logging controls;
	// EnvLogLevel wins over it.
	EnvLambdaLogLevel = "AWS_LAMBDA_LOG_LEVEL"
)

// Var documents one variable, as the README's configuration table shows
// it.
type Var struct {
	// Name is the variable.
	Name string
	// Also are other variables read for the same setting, in order after
	// Name (the first one set wins).
	Also []string
	// Default is the value used when the variable is unset, exactly as it
	// would be written; "" when there is none.
	Default string
	// DefaultText describes a default that is not a fixed value (it is
	// computed at run time); it is shown instead of Default.
	DefaultText string
	// Meaning says what the variable does (Markdown, one line).
	Meaning string
}

// Vars documents every variable, in the README's order. A test checks
// that the README's configuration table says exactly this, and that each
// Default is what Load uses when the variable is unset.
var Vars = []Var{
	{Name: EnvSlackWebhookURLSecret, Meaning: "Slack incoming webhook, by reference: a Secrets Manager secret ARN, or an SSM SecureString parameter name or ARN. Read once at start. The secret may be the URL itself or JSON with a `webhook_url` (or `url`) key."},
	{Name: EnvSlackWebhookURL, Meaning: "The webhook in plain text, for local use (`cutover send`, `demo`). Never logged."},
	{Name: EnvEvents, Default: strings.Join(DefaultEvents, ","), Meaning: "Comma-separated events that notify the Slack webhook above (each `CUTOVER_DESTINATIONS` entry has its own `events`, with the same default)."},
	{Name: EnvDestinations, Meaning: "JSON list of destinations, each with its routing filters (see [Several destinations and routing](#several-destinations-and-routing)): `[{\"name\":\"team-a\",\"type\":\"slack\",\"url_secret\":\"/cutover/team-a-slack\",\"applications\":[\"shop-*\"]}]`. Keys: `name`, `type` (`slack`, `slack-app`, `teams`, `discord`, `googlechat`, `webhook`), `url_secret` or `url` (all but `slack-app`), `channel`, `token_secret` or `token`, `allowed_users`, `allowed_groups` (`slack-app`, see [docs/slack-app.md](docs/slack-app.md)), `signing_secret_secret` or `signing_secret` (`webhook`; on `slack-app`, the Slack app's signing secret for its buttons), `events`, `applications`, `deployment_groups`, `services`, `accounts`, `regions`, `mention`."},
	{Name: EnvDestinationsParameter, Meaning: "An SSM parameter (String or SecureString; name or ARN) holding the same JSON, read once at start: Lambda's environment holds 4 KB in all. Not with `CUTOVER_DESTINATIONS`."},
	{Name: EnvSlackAPIURL, Default: DefaultSlackAPIURL, Meaning: "Slack Web API base URL of `slack-app` destinations ([docs/slack-app.md](docs/slack-app.md)), for tests and proxies."},
	{Name: EnvCloudFrontDistributionIDs, Meaning: "Comma-separated distributions invalidated for every deployment."},
	{Name: EnvInvalidationPaths, Default: "/*", Meaning: "Comma-separated paths: each starts with `/`, `*` only at the end."},
	{Name: EnvInvalidateOnRollback, Default: "true", Meaning: "Also invalidate when a deployment fails or rolls back (`DeploymentFailure`, `DeploymentRollback`, `SERVICE_DEPLOYMENT_FAILED`, an ECS-native rollback, `HOOK_FAILED`, `HOOK_TIMED_OUT`, `ROLLBACK_TRAFFIC_SHIFT`) and when a rollback deployment switches traffic back. `false`: only a forward traffic switch invalidates."},
	{Name: EnvCloudFrontRoutes, Meaning: "JSON list mapping applications / deployment groups to their own distributions and paths, so one function serves many services: `[{\"application\":\"web\",\"deployment_group\":\"web-prod\",\"distribution_ids\":[\"E2QWRUHAPOMQZL\"],\"paths\":[\"/index.html\",\"/assets/*\"]}]`. The most specific match wins for a distribution."},
	{Name: EnvFollowUpQueueURL, Meaning: "SQS queue for \"invalidation completed\" follow-up messages (delayed checks; no Lambda waits for minutes)."},
	{Name: EnvRecordsTable, Meaning: "DynamoDB table of delivery records (`pk`/`sk` strings, TTL attribute `expires_at`)."},
	{Name: EnvRecordsFile, DefaultText: "the user cache dir", Meaning: "CLI only: local delivery-records database used when no table is set."},
	{Name: EnvRecordsTTL, Default: "336h", Meaning: "How long delivery records are kept."},
	{Name: EnvEnrich, Default: "true", Meaning: "Look up the rollback window and what is serving (CodeDeploy/ECS read APIs)."},
	{Name: EnvEnrichTimeout, Default: "2s", Meaning: "Upper bound on those lookups; the message is never held longer."},
	{Name: EnvChecks, Meaning: "JSON list of checks run when production traffic switches (see [docs/checks.md](docs/checks.md)): `[{\"name\":\"api-ping\",\"type\":\"http\",\"listener\":\"production\",\"path\":\"/api/ping\",\"requests\":20,\"p99_ms\":800}]`. Keys: `name`, `type` (`http`, `alarms`), `url` or `listener` (`production`, `test`) with `path`, `method`, `headers` (a value or `{\"secret\":\"<reference>\"}`), `requests`, `timeout_ms`, `expect_status`, `body_contains`, `p95_ms`, `p99_ms`, `alarm_names`, and the routing filters of `CUTOVER_DESTINATIONS`."},
	{Name: EnvChecksParameter, Meaning: "An SSM parameter (String or SecureString; name or ARN) holding the same JSON, read once at start. Not with `CUTOVER_CHECKS`."},
	{Name: EnvFailureQueueURL, Meaning: "The function's on-failure queue, drained by `cutover replay` (or use `cutover replay --function NAME`). An ECS lifecycle hook keeps there, as a failure record, what it could not deliver."},
	hookVars[0], hookVars[1],
	{Name: EnvSNSTopicARNs, Meaning: "`cutover serve` only: the SNS topics whose (signature-verified) notifications it accepts."},
	{Name: EnvAccounts, Meaning: "JSON map of the other AWS accounts whose deployments this cutover serves (hub and spokes, see [docs/organization.md](docs/organization.md)): account ID to the role it assumes there, `{\"444455556666\":{\"role_arn\":\"arn:aws:iam::444455556666:role/cutover-hub\",\"external_id\":\"…\"}}`. Events from an account neither listed nor the function's own are notified without details and never acted on. Unset: every event uses the function's own credentials."},
	{Name: EnvLogLevel, Also: []string{EnvLambdaLogLevel}, Default: "INFO", Meaning: "`DEBUG`, `INFO`, `WARN`, `ERROR`."},
}
