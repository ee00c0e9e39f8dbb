package app

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cutover-dev/cutover/internal/check/checktest"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/deploy"
)

// TestBuildChecks: the parameter's JSON and every header secret are read
// once at start; the runner sends the header read from its secret; a
// secret that cannot be read names the check and the header, not a value.
func TestBuildChecks(t *testing.T) {
	app := checktest.NewApp(t)
	reader := &fakeReader{values: map[string]string{
		"/cutover/checks": `[{"name":"ping","type":"http","url":"` + app.URL + `/ping","requests":2,
			"headers":{"Authorization":{"secret":"/cutover/ping-token"}}}]`,
		"/cutover/ping-token": "Bearer SECRETTOKEN",
	}}
	cfg := loadCfg(t, map[string]string{config.EnvChecksParameter: "/cutover/checks"})
	c, err := buildChecks(context.Background(), cfg, aws.Config{Region: "eu-west-1"}, reader, slog.New(slog.DiscardHandler))
	if err != nil || c == nil {
		t.Fatalf("%v %v", c, err)
	}
	if reader.reads["/cutover/checks"] != 1 || reader.reads["/cutover/ping-token"] != 1 {
		t.Errorf("reads %v", reader.reads)
	}
	ev := &deploy.Event{Name: "InstanceSuccess", Phase: deploy.TrafficSwitched, Platform: deploy.CodeDeployECS}
	rep := c.Run(context.Background(), ev)
	if len(rep.Results) != 1 || !rep.Results[0].Passed {
		t.Fatalf("%+v", rep)
	}
	for _, h := range app.Headers() {
		if h.Get("Authorization") != "Bearer SECRETTOKEN" {
			t.Errorf("header %q", h.Get("Authorization"))
		}
	}
	if cfg.Checks[0].Headers[0].Value.Reveal() != "" {
		t.Error("the configuration keeps the secret: only the runner should")
	}

	cfg = loadCfg(t, map[string]string{config.EnvChecks: `[{"name":"ping","type":"http","listener":"production","headers":{"X-Key":{"secret":"/cutover/missing"}}}]`})
	_, err = buildChecks(context.Background(), cfg, aws.Config{}, reader, slog.New(slog.DiscardHandler))
	if err == nil || !strings.HasPrefix(err.Error(), "CUTOVER_CHECKS: check ping: headers: X-Key: secret: read parameter /cutover/missing") {
		t.Errorf("error %v", err)
	}

	none, err := buildChecks(context.Background(), loadCfg(t, nil), aws.Config{}, reader, nil)
	if none != nil || err != nil {
		t.Errorf("no checks: %v %v", none, err)
	}
}
