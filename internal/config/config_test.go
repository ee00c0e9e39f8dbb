package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/hook"
	"github.com/cutover-dev/cutover/internal/source"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
	"github.com/cutover-dev/cutover/internal/source/ecsnative"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// load is Load with the sources cutover runs with.
func load(env func(string) string) (*Config, error) {
	return Load(env, source.New(codedeploy.Decoder{}, ecsnative.Decoder{}, hook.Names{}), testTypes)
}

func TestDefaults(t *testing.T) {
	c, err := load(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	// In the order the sources list them: CodeDeploy, ECS-native, hooks.
	if got := strings.Join(c.EventNames(), ","); got != "DeploymentFailure,DeploymentStop,DeploymentRollback,DeploymentReady,InstanceSuccess,InstanceFailure,TriggerTest,"+
		"SERVICE_DEPLOYMENT_IN_PROGRESS,SERVICE_DEPLOYMENT_COMPLETED,SERVICE_DEPLOYMENT_FAILED,HOOK_AWAITING_ACTION,HOOK_FAILED,HOOK_TIMED_OUT,"+
		"POST_PRODUCTION_TRAFFIC_SHIFT,ROLLBACK_TRAFFIC_SHIFT,AfterAllowTraffic" {
		t.Errorf("default events %s", got)
	}
	if !c.Enrich || c.EnrichTimeout != 2*time.Second || c.RecordsTTL != 336*time.Hour || c.LogLevel != slog.LevelInfo {
		t.Errorf("defaults %+v", c)
	}
	if c.Slack() || c.CloudFront.Enabled() {
		t.Error("nothing configured should mean no destinations")
	}
}

func TestEverything(t *testing.T) {
	c, err := load(envOf(map[string]string{
		EnvSlackWebhookURLSecret:              "arn:aws:secretsmanager:eu-west-1:111122223333:secret:slack-AbCdEf",
		EnvEvents:                             " instancesuccess , DeploymentFailure ",
		EnvRecordsTable:                       "cutover-records",
		EnvRecordsTTL:                         "48h",
		EnvEnrich:                             "false",
		EnvEnrichTimeout:                      "1500ms",
		"AWS_LAMBDA_LOG_LEVEL":                "debug",
		"CUTOVER_CLOUDFRONT_DISTRIBUTION_IDS": "E2QWRUHAPOMQZL",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Events[codedeploy.InstanceSuccess] || !c.Events[codedeploy.DeploymentFailure] || len(c.Events) != 2 {
		t.Errorf("events %v", c.Events)
	}
	if c.RecordsTTL != 48*time.Hour || c.Enrich || c.EnrichTimeout != 1500*time.Millisecond || c.LogLevel != slog.LevelDebug {
		t.Errorf("parsed %+v", c)
	}
	if !c.Slack() || !c.CloudFront.Enabled() {
		t.Error("slack and cloudfront should be on")
	}
}

func TestEveryProblemAtOnce(t *testing.T) {
	_, err := load(envOf(map[string]string{
		EnvSlackWebhookURL:           "ftp://example.com/hook",
		EnvEvents:                    "InstanceSuccess,Bogus",
		EnvRecordsTTL:                "5m",
		EnvEnrich:                    "maybe",
		EnvEnrichTimeout:             "1h",
		EnvLogLevel:                  "LOUD",
		"CUTOVER_INVALIDATION_PATHS": "no-slash",
	}))
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{EnvSlackWebhookURL, "Bogus", EnvRecordsTTL, EnvEnrich, EnvEnrichTimeout, "LOUD", "no-slash"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

func TestSecretReferenceNeverEchoed(t *testing.T) {
	const url = "https://hooks.slack.com/services/T0/B0/SECRETXYZ"
	c, err := load(envOf(map[string]string{EnvSlackWebhookURLSecret: url}))
	if err == nil || !strings.Contains(err.Error(), "looks like a URL") {
		t.Fatalf("a URL in the secret reference must be rejected: %v", err)
	}
	if strings.Contains(err.Error(), "SECRETXYZ") || c.SlackWebhookSecret != "" {
		t.Errorf("the value was kept or echoed: %v", err)
	}
	if _, err := load(envOf(map[string]string{EnvSlackWebhookURL: "https://hooks.slack.com/x", EnvSlackWebhookURLSecret: "/cutover/slack"})); err == nil {
		t.Error("both webhook settings must be rejected")
	}
}

func TestPlainWebhookNotEchoed(t *testing.T) {
	_, err := load(envOf(map[string]string{EnvSlackWebhookURL: "hooks.slack.com/services/SECRETXYZ"}))
	if err == nil || strings.Contains(err.Error(), "SECRETXYZ") {
		t.Errorf("bad plain webhook: %v", err)
	}
}

// FuzzLoad feeds arbitrary values to every variable: Load never panics,
// and never echoes a webhook value.
func FuzzLoad(f *testing.F) {
	f.Add("https://hooks.slack.com/services/T/B/X", "InstanceSuccess", "/*", "336h", "true", `[{"application":"a","distribution_ids":["E2QWRUHAPOMQZL"]}]`)
	f.Add("", "", "", "", "", "")
	f.Add("hooks.slack.com/services/T/B/SECRET", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, hook, events, paths, ttl, enrich, routes string) {
		c, err := load(envOf(map[string]string{
			EnvSlackWebhookURL: hook, EnvSlackWebhookURLSecret: hook, EnvEvents: events, "CUTOVER_INVALIDATION_PATHS": paths,
			EnvRecordsTTL: ttl, EnvEnrich: enrich, "CUTOVER_CLOUDFRONT_ROUTES": routes,
			"CUTOVER_CLOUDFRONT_DISTRIBUTION_IDS": "E2QWRUHAPOMQZL",
		}))
		if c == nil {
			t.Fatal("Load returned no config")
		}
		if err != nil && len(hook) > 12 && strings.Contains(err.Error(), hook) {
			t.Fatalf("error echoes the webhook: %v", err)
		}
	})
}

// TestEventsThatListNothing: CUTOVER_EVENTS set to separators only is an
// error, not an empty set (which once routed every event to the webhook).
func TestEventsThatListNothing(t *testing.T) {
	for _, v := range []string{",", " , ", ",,"} {
		_, err := load(envOf(map[string]string{EnvEvents: v}))
		if err == nil || !strings.Contains(err.Error(), EnvEvents+": lists no event") {
			t.Errorf("CUTOVER_EVENTS=%q: %v", v, err)
		}
	}
}
