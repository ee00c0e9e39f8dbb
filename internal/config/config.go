// Package config reads cutover's configuration from the environment: the
// same variables drive the Lambda function, the CLI and the Terraform
// module. Every variable's name is defined here (see Vars). Loading is
// defaults, parse, validate, with every problem reported at once.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cutover-dev/cutover/internal/accounts"
	"github.com/cutover-dev/cutover/internal/action/cloudfront"
	"github.com/cutover-dev/cutover/internal/check"
	"github.com/cutover-dev/cutover/internal/secret"
	"github.com/cutover-dev/cutover/internal/source"
)

// DefaultEvents are the events that notify when CUTOVER_EVENTS is unset:
// everything that needs a human inside the rollback window, plus the
// notification CodeDeploy sends when a trigger is saved. Load keeps those
// the sources know.
var DefaultEvents = []string{
	"DeploymentFailure", "DeploymentStop", "DeploymentRollback",
	"DeploymentReady", "InstanceSuccess", "InstanceFailure",
	"TriggerTest",
	// Lifecycle hooks (internal/hook): the traffic switch and the rollback.
	"POST_PRODUCTION_TRAFFIC_SHIFT", "ROLLBACK_TRAFFIC_SHIFT", "AfterAllowTraffic",
	// ECS-native blue/green: start and rollback (both IN_PROGRESS; the
	// reason tells them apart), failure, completion (the bake time, the
	// rollback window, is over: ECS sends no event at the switch itself),
	// and hooks that wait for a person, failed or timed out.
	"SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED", "SERVICE_DEPLOYMENT_FAILED",
	"HOOK_AWAITING_ACTION", "HOOK_FAILED", "HOOK_TIMED_OUT",
}

// Config is cutover's validated configuration.
type Config struct {
	// SlackWebhookURL is the incoming webhook, when given in plain text
	// (for local use).
	SlackWebhookURL secret.Value
	// SlackWebhookSecret references the webhook in Secrets Manager (ARN) or
	// SSM Parameter Store (name or ARN); it is read once at start.
	SlackWebhookSecret string
	// Events are the event kinds that notify the Slack webhook above
	// (CUTOVER_EVENTS); each of Destinations has its own.
	Events map[string]bool
	// Destinations are the destinations of CUTOVER_DESTINATIONS, each with
	// its route; they are set by app.Build (SetDestinations) when they
	// come from DestinationsParameter.
	Destinations []Destination
	// DestinationsParameter is the SSM parameter holding the same JSON as
	// CUTOVER_DESTINATIONS, read at start.
	DestinationsParameter string
	// Checks are the checks of CUTOVER_CHECKS; app.Build sets them when
	// they come from ChecksParameter.
	Checks []check.Spec
	// ChecksParameter is the SSM parameter holding the same JSON as
	// CUTOVER_CHECKS, read at start.
	ChecksParameter string
	// CloudFront configures the invalidation action.
	CloudFront cloudfront.Config
	// RecordsTable is the DynamoDB table of delivery records, if any.
	RecordsTable string
	// SlackAPIURL is the Slack Web API base URL of slack-app destinations.
	SlackAPIURL string
	// RecordsFile is the local delivery-records database used when no
	// table is set (CLI); empty disables it.
	RecordsFile string
	// RecordsTTL is how long delivery records are kept.
	RecordsTTL time.Duration
	// Enrich turns on the CodeDeploy/ECS lookups that add the rollback
	// window and what is serving to messages.
	Enrich bool
	// EnrichTimeout bounds the lookups.
	EnrichTimeout time.Duration
	// FailureQueueURL is the function's on-failure SQS queue, read by
	// `cutover replay`.
	FailureQueueURL string
	// LogLevel is the minimum level logged.
	LogLevel slog.Level
	// Hooks configures lifecycle-hook mode (hooks.go).
	Hooks Hooks
	// Accounts are the connected (spoke) accounts of CUTOVER_ACCOUNTS, by
	// ID; nil when it is unset.
	Accounts map[string]accounts.Account

	// known are the event names the sources produce, in their order.
	known []string
	// types are the destination type names, sorted.
	types []string
}

// Slack reports whether the Slack webhook of CUTOVER_SLACK_WEBHOOK_URL
// (or _SECRET) is configured.
func (c *Config) Slack() bool { return !c.SlackWebhookURL.IsZero() || c.SlackWebhookSecret != "" }

// HasDestinations reports whether any chat destination is configured:
// the Slack webhook, CUTOVER_DESTINATIONS or its parameter.
func (c *Config) HasDestinations() bool {
	return c.Slack() || len(c.Destinations) > 0 || c.DestinationsParameter != ""
}

// EventNames returns the notifying events in the order the sources list
// them, then any others sorted.
func (c *Config) EventNames() []string {
	var out, others []string
	for _, k := range c.known {
		if c.Events[k] {
			out = append(out, k)
		}
	}
	for k, on := range c.Events {
		if on && !slices.Contains(c.known, k) {
			others = append(others, k)
		}
	}
	slices.Sort(others)
	return append(out, others...)
}

// Defaults returns the configuration with nothing set: the Default of
// every variable in Vars.
func Defaults() *Config {
	c := &Config{
		Events:        map[string]bool{},
		CloudFront:    cloudfront.Config{OnRollback: true, Paths: cloudfront.DefaultInvalidationPaths(), Names: cloudFrontNames},
		RecordsTTL:    14 * 24 * time.Hour,
		Enrich:        true,
		EnrichTimeout: 2 * time.Second,
		LogLevel:      slog.LevelInfo,
		SlackAPIURL:   DefaultSlackAPIURL,
		Hooks:         DefaultHooks(),
	}
	for _, k := range DefaultEvents {
		c.Events[k] = true
	}
	return c
}

// cloudFrontNames name the CloudFront settings in messages by their
// variables.
var cloudFrontNames = cloudfront.Names{
	DistributionIDs:  EnvCloudFrontDistributionIDs,
	Paths:            EnvInvalidationPaths,
	OnRollback:       EnvInvalidateOnRollback,
	Routes:           EnvCloudFrontRoutes,
	FollowUpQueueURL: EnvFollowUpQueueURL,
}

// Load reads the configuration from env (os.Getenv in production) in three
// steps: Defaults, then parse (each variable that is set replaces its
// default; a value that cannot be read is a problem), then Validate (the
// values together, and the CloudFront rules). Event names are checked
// against the names the sources' decoders produce (none when sources is
// nil), destination types against types (app.Destinations().Names()). It
// reports every problem of both steps at once, joined, and returns the
// configuration read so far even then.
func Load(env func(string) string, sources *source.Registry, types []string) (*Config, error) {
	c := Defaults()
	if sources != nil {
		c.known = sources.EventNames()
	}
	c.types = slices.Sorted(slices.Values(types))
	errs := c.parse(env)
	if err := c.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("config: %w", errors.Join(errs...))
	}
	c.CloudFront = c.CloudFront.Normalized()
	return c, nil
}

// parse reads every variable that is set into c and returns the values it
// could not read, one error each, naming the variable.
func (c *Config) parse(env func(string) string) []error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	get := func(name string) string { return strings.TrimSpace(env(name)) }

	if v := get(EnvSlackWebhookURL); v != "" {
		c.SlackWebhookURL = secret.New(v)
	}
	c.SlackWebhookSecret = get(EnvSlackWebhookURLSecret)

	if v := get(EnvEvents); v != "" {
		c.Events = map[string]bool{}
		for _, name := range SplitList(v) {
			k, ok := c.eventName(name)
			if !ok {
				bad(EnvEvents, "unknown event %q (known: %s)", name, c.knownNames())
				continue
			}
			c.Events[k] = true
		}
		if len(SplitList(v)) == 0 {
			bad(EnvEvents, "lists no event: leave it unset for the default set")
		}
	} else {
		// The defaults a source registry does not produce cannot happen.
		maps.DeleteFunc(c.Events, func(k string, _ bool) bool { return !slices.Contains(c.known, k) })
	}

	c.DestinationsParameter = get(EnvDestinationsParameter)
	if v := get(EnvDestinations); v != "" {
		if c.DestinationsParameter != "" {
			bad(EnvDestinationsParameter, "set either it or %s, not both", EnvDestinations)
		}
		dsts, derrs := c.parseDestinations(v)
		for _, err := range derrs {
			bad(EnvDestinations, "%v", err)
		}
		c.Destinations = dsts
	}

	errs = append(errs, c.parseChecksEnv(get)...)

	cf := &c.CloudFront
	cf.DistributionIDs = SplitList(env(EnvCloudFrontDistributionIDs))
	if paths := SplitList(env(EnvInvalidationPaths)); len(paths) > 0 {
		cf.Paths = paths
	}
	switch v := get(EnvInvalidateOnRollback); {
	case v == "" || strings.EqualFold(v, "true"):
		cf.OnRollback = true
	case strings.EqualFold(v, "false"):
		cf.OnRollback = false
	default:
		bad(EnvInvalidateOnRollback, "%q is neither \"true\" nor \"false\"", clip(v))
	}
	if v := get(EnvCloudFrontRoutes); v != "" {
		routes, err := parseRoutes(v)
		if err != nil {
			bad(EnvCloudFrontRoutes, "%v", err)
		}
		cf.Routes = routes
	}
	cf.FollowUpQueueURL = get(EnvFollowUpQueueURL)

	c.loadSlackAPI(get, bad)
	c.RecordsTable = get(EnvRecordsTable)
	c.RecordsFile = get(EnvRecordsFile)
	if v := get(EnvRecordsTTL); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Hour {
			bad(EnvRecordsTTL, "%q is not a duration of at least 1h (e.g. 336h)", v)
		} else {
			c.RecordsTTL = d
		}
	}
	if v := get(EnvEnrich); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad(EnvEnrich, "%q is not true or false", v)
		}
		c.Enrich = b
	}
	if v := get(EnvEnrichTimeout); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 10*time.Second {
			bad(EnvEnrichTimeout, "%q is not a duration between 0 and 10s", v)
		} else {
			c.EnrichTimeout = d
		}
	}
	c.FailureQueueURL = get(EnvFailureQueueURL)
	c.parseHooks(get, bad)
	if v := get(EnvAccounts); v != "" {
		accs, aerrs := ParseAccounts(v)
		for _, err := range aerrs {
			bad(EnvAccounts, "%v", err)
		}
		c.Accounts = accs
	}

	// Lambda's advanced logging controls set AWS_LAMBDA_LOG_LEVEL; our own
	// variable wins for the CLI.
	for _, name := range []string{EnvLogLevel, EnvLambdaLogLevel} {
		if v := get(name); v != "" {
			lvl, err := ParseLevel(v)
			if err != nil {
				bad(name, "%v", err)
			}
			c.LogLevel = lvl
			break
		}
	}
	return errs
}

// Validate reports every problem of c's values, joined: a webhook that is
// not an http(s) URL, both webhook settings at once, a secret reference
// that is not one (forgotten, so that it is never echoed), and the
// CloudFront settings (cloudfront.Config.Validate). Messages never repeat
// a webhook.
func (c *Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	if !c.SlackWebhookURL.IsZero() {
		if err := CheckWebhookURL(c.SlackWebhookURL.Reveal()); err != nil {
			bad(EnvSlackWebhookURL, "%v", err)
		}
	}
	if c.SlackWebhookSecret != "" && !c.SlackWebhookURL.IsZero() {
		bad(EnvSlackWebhookURLSecret, "set either it or %s, not both", EnvSlackWebhookURL)
	}
	if ref := c.SlackWebhookSecret; ref != "" {
		if err := secret.CheckRef(ref); err != nil {
			bad(EnvSlackWebhookURLSecret, "%v", err)
			// Never keep (or later echo) a value that may be the secret
			// itself, e.g. the webhook URL pasted here by mistake.
			c.SlackWebhookSecret = ""
		}
	}
	if ref := c.DestinationsParameter; ref != "" {
		if err := secret.CheckRef(ref); err != nil {
			bad(EnvDestinationsParameter, "%v", err)
			c.DestinationsParameter = ""
		}
	}
	if err := c.CloudFront.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// ParseLevel reads a log level: TRACE, DEBUG, INFO, WARN, ERROR or FATAL
// (Lambda's names), case-insensitively.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "TRACE", "DEBUG":
		return slog.LevelDebug, nil
	case "INFO", "":
		return slog.LevelInfo, nil
	case "WARN", "WARNING":
		return slog.LevelWarn, nil
	case "ERROR", "FATAL":
		return slog.LevelError, nil
	}
	return slog.LevelInfo, fmt.Errorf("unknown log level %q", s)
}

// DefaultRecordsFile is where the CLI keeps delivery records when neither
// a table nor a file is configured.
func DefaultRecordsFile() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "cutover", "records.db")
}

// CheckWebhookURL validates a webhook URL without ever echoing it.
func CheckWebhookURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return errors.New("not an absolute URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		// The scheme is not quoted: a value pasted in the wrong place
		// ("xoxb-…:…") would put a secret in the error.
		return errors.New("not an https:// URL (http:// only for local use)")
	}
	return nil
}

// SplitList splits a comma-separated setting, dropping blanks around items
// and empty items.
func SplitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// parseRoutes decodes the routes JSON strictly: unknown fields (e.g. a
// misspelt "distributions") are errors.
func parseRoutes(raw string) ([]cloudfront.Route, error) {
	return decodeStrict[[]cloudfront.Route](raw, `a JSON list of routes like [{"application":"web","distribution_ids":["E2QWRUHAPOMQZL"]}]`)
}

// eventName returns the known event name matching s case-insensitively.
func (c *Config) eventName(s string) (string, bool) {
	for _, n := range c.known {
		if strings.EqualFold(n, strings.TrimSpace(s)) {
			return n, true
		}
	}
	return "", false
}

// knownNames lists the known event names, sorted, for messages.
func (c *Config) knownNames() string {
	names := slices.Clone(c.known)
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// clip shortens s for error messages.
func clip(s string) string {
	const n = 80
	if len(s) <= n {
		return s
	}
	return source.Snippet([]byte(s), n)
}
