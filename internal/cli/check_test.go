package cli

import (
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/check/checktest"
)

// TestCheckCommand runs the configured checks against a fake application
// for a traffic switch: one line per check, non-zero exit when one fails,
// and a check routed elsewhere listed with the reason.
func TestCheckCommand(t *testing.T) {
	app, other := checktest.NewApp(t), checktest.NewApp(t)
	env := map[string]string{
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_EC2_METADATA_DISABLED": "true",
		"CUTOVER_CHECKS": `[
			{"name":"ping","type":"http","url":"` + app.URL + `/api/ping?token=SECRETQUERY","requests":4,"body_contains":"ok",
			 "headers":{"X-Tenant":"SECRETTENANT"}},
			{"name":"billing-only","type":"http","url":"` + other.URL + `/","applications":["billing"]}
		]`,
	}
	out, stderr, err := run(t, env, "", "check", fixturePath("sns-lambda/instance-success.json"))
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "InstanceSuccess d-7XQ2K9ABC") ||
		!strings.HasPrefix(lines[1], "  PASS  ping: GET /api/ping: 4 requests, all 200, p95 ") ||
		lines[2] != "  skip  billing-only: applications: application web-frontend matches none of billing" {
		t.Errorf("printed\n%s", out)
	}
	if app.Requests() != 4 {
		t.Errorf("%d requests", app.Requests())
	}

	app.SetFaults(checktest.Faults{Status: 503, Of: 1, Every: 4})
	out, _, err = run(t, env, "", "check", "--all", fixturePath("sns-lambda/instance-success.json"))
	if exitCode(err) != 1 || !strings.Contains(out, "  FAIL  ping: 1 of 4 requests answered 503 on GET /api/ping (expected 200)") ||
		!strings.Contains(out, "  PASS  billing-only: GET /:") {
		t.Errorf("exit %d (%v), printed\n%s", exitCode(err), err, out)
	}
	if strings.Contains(out+stderr, "SECRET") {
		t.Errorf("printed a secret:\n%s\n%s", out, stderr)
	}

	// An ECS hook at POST_PRODUCTION_TRAFFIC_SHIFT is the traffic switch.
	out, stderr, err = run(t, env, "", "check", "../inbound/testdata/hook-ecs-post-production-traffic-shift.json")
	if exitCode(err) != 1 || !strings.HasPrefix(out, "POST_PRODUCTION_TRAFFIC_SHIFT arn:aws:ecs:us-west-2:123456789012:service-deployment/my-cluster/my-service/") ||
		!strings.Contains(out, "  FAIL  ping: 1 of 4 requests answered 503") {
		t.Errorf("hook: exit %d (%v), printed\n%s\n%s", exitCode(err), err, out, stderr)
	}

	// Not the traffic switch: nothing runs, nothing fails.
	out, _, err = run(t, env, "", "check", fixturePath("sns-lambda/deployment-failure.json"))
	if err != nil || !strings.Contains(out, "  skip  ping: events: none listed, and production traffic did not switch at DeploymentFailure") {
		t.Errorf("%v, printed\n%s", err, out)
	}

	// Input that is not a notification, no configuration.
	if _, _, err := run(t, env, `{"hello":"world"}`, "check"); exitCode(err) != 1 {
		t.Errorf("bad input: exit %d (%v)", exitCode(err), err)
	}
	if _, _, err := run(t, map[string]string{}, "", "check", fixturePath("sns-lambda/instance-success.json")); exitCode(err) != 2 {
		t.Errorf("no checks: exit %d (%v)", exitCode(err), err)
	}
}
