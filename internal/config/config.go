// Package config reads cutover's configuration from the environment: the
// same variables drive the Lambda function, `cutover send` and the
// Terraform module. Loading is defaults, parse, validate, with every problem
// reported at once.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cutover-dev/cutover/internal/action/cloudfront"
	"github.com/cutover-dev/cutover/internal/secret"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// The environment variables cutover reads. They are the contract shared by
// the docs, the Terraform module and the tests.
const (
	EnvSlackWebhookURL       = "CUTOVER_SLACK_WEBHOOK_URL"
	EnvSlackWebhookURLSecret = "CUTOVER_SLACK_WEBHOOK_URL_SECRET"
	EnvEvents                = "CUTOVER_EVENTS"
	EnvRecordsTable          = "CUTOVER_RECORDS_TABLE"
	EnvRecordsFile           = "CUTOVER_RECORDS_FILE"
	EnvRecordsTTL            = "CUTOVER_RECORDS_TTL"
	EnvEnrich                = "CUTOVER_ENRICH"
	EnvEnrichTimeout         = "CUTOVER_ENRICH_TIMEOUT"
	EnvFailureQueueURL       = "CUTOVER_FAILURE_QUEUE_URL"
	EnvLogLevel              = "CUTOVER_LOG_LEVEL"
)

// DefaultEvents are the events that notify when CUTOVER_EVENTS is unset:
// everything that needs a human inside the rollback window, plus the
// notification CodeDeploy sends when a trigger is saved.
var DefaultEvents = []string{
	codedeploy.DeploymentFailure, codedeploy.DeploymentStop, codedeploy.DeploymentRollback,
	codedeploy.DeploymentReady, codedeploy.InstanceSuccess, codedeploy.InstanceFailure,
	codedeploy.TriggerTest,
}

// Config is cutover's validated configuration.
type Config struct {
	// SlackWebhookURL is the incoming webhook, when given in plain text
	// (for local use).
	SlackWebhookURL secret.Value
	// SlackWebhookSecret references the webhook in Secrets Manager (ARN) or
	// SSM Parameter Store (name or ARN); it is read once at start.
	SlackWebhookSecret string
	// Events are the event kinds that notify.
	Events map[string]bool
	// CloudFront configures the invalidation action.
	CloudFront cloudfront.Config
	// RecordsTable is the DynamoDB table of delivery records, if any.
	RecordsTable string
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
}

// Slack reports whether a Slack destination is configured.
func (c *Config) Slack() bool { return !c.SlackWebhookURL.IsZero() || c.SlackWebhookSecret != "" }

// EventNames returns the notifying kinds in a stable order.
func (c *Config) EventNames() []string {
	var out []string
	for _, k := range codedeploy.Names {
		if c.Events[k] {
			out = append(out, string(k))
		}
	}
	return out
}

// Load reads the configuration from env (os.Getenv in production). It
// reports every problem it finds, joined.
func Load(env func(string) string) (*Config, error) {
	c := &Config{
		Enrich:        true,
		EnrichTimeout: 2 * time.Second,
		RecordsTTL:    14 * 24 * time.Hour,
		LogLevel:      slog.LevelInfo,
	}
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}

	if v := strings.TrimSpace(env(EnvSlackWebhookURL)); v != "" {
		if err := CheckWebhookURL(v); err != nil {
			bad(EnvSlackWebhookURL, "%v", err)
		}
		c.SlackWebhookURL = secret.New(v)
	}
	c.SlackWebhookSecret = strings.TrimSpace(env(EnvSlackWebhookURLSecret))
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

	c.Events = map[string]bool{}
	if v := strings.TrimSpace(env(EnvEvents)); v != "" {
		for _, name := range cloudfront.SplitList(v) {
			k, ok := parseEventName(name)
			if !ok {
				bad(EnvEvents, "unknown event %q (known: %s)", name, kindNames())
				continue
			}
			c.Events[k] = true
		}
	} else {
		for _, k := range DefaultEvents {
			c.Events[k] = true
		}
	}

	cf, err := cloudfront.ParseConfig(env)
	if err != nil {
		errs = append(errs, err)
	}
	c.CloudFront = cf

	c.RecordsTable = strings.TrimSpace(env(EnvRecordsTable))
	c.RecordsFile = strings.TrimSpace(env(EnvRecordsFile))
	if v := strings.TrimSpace(env(EnvRecordsTTL)); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Hour {
			bad(EnvRecordsTTL, "%q is not a duration of at least 1h (e.g. 336h)", v)
		} else {
			c.RecordsTTL = d
		}
	}
	if v := strings.TrimSpace(env(EnvEnrich)); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad(EnvEnrich, "%q is not true or false", v)
		}
		c.Enrich = b
	}
	if v := strings.TrimSpace(env(EnvEnrichTimeout)); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 10*time.Second {
			bad(EnvEnrichTimeout, "%q is not a duration between 0 and 10s", v)
		} else {
			c.EnrichTimeout = d
		}
	}
	c.FailureQueueURL = strings.TrimSpace(env(EnvFailureQueueURL))

	// Lambda's advanced logging controls set AWS_LAMBDA_LOG_LEVEL; our own
	// variable wins for the CLI.
	for _, name := range []string{EnvLogLevel, "AWS_LAMBDA_LOG_LEVEL"} {
		if v := strings.TrimSpace(env(name)); v != "" {
			lvl, err := ParseLevel(v)
			if err != nil {
				bad(name, "%v", err)
			}
			c.LogLevel = lvl
			break
		}
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("config: %w", errors.Join(errs...))
	}
	return c, nil
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
		return fmt.Errorf("scheme %q is not https", u.Scheme)
	}
	return nil
}

// parseEventName returns the event name matching s case-insensitively.
func parseEventName(s string) (string, bool) {
	for _, n := range codedeploy.Names {
		if strings.EqualFold(n, strings.TrimSpace(s)) {
			return n, true
		}
	}
	return "", false
}

func kindNames() string {
	names := make([]string, 0, len(codedeploy.Names))
	for _, k := range codedeploy.Names {
		names = append(names, string(k))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
