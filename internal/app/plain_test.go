package app

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/secret"
)

// TestWarnPlainSecrets: in Lambda, a webhook URL or signing secret given
// in plain text gets one warning naming where it is, never the value.
func TestWarnPlainSecrets(t *testing.T) {
	const hook = "https://hooks.example.com/services/T0/B0/PLAINSECRET"
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	warnPlainSecrets(log, &config.Config{
		SlackWebhookURL: secret.New(hook),
		Destinations: []config.Destination{
			{Name: "ops", Type: "teams", URL: secret.New(hook)},
			{Name: "hook", Type: "webhook", URLSecret: "/cutover/hook", SigningSecret: secret.New("whsec_PLAINSECRET")},
			{Name: "safe", Type: "slack", URLSecret: "/cutover/safe"},
		},
	})
	out := buf.String()
	if strings.Count(out, "level=WARN") != 3 || !strings.Contains(out, "destination=ops") || !strings.Contains(out, "destination=hook") ||
		strings.Contains(out, "destination=safe") || !strings.Contains(out, config.EnvSlackWebhookURLSecret) {
		t.Errorf("warnings:\n%s", out)
	}
	if strings.Contains(out, "PLAINSECRET") {
		t.Errorf("a warning holds the secret:\n%s", out)
	}
}
