package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// routesEnv configures three destinations with different filters; none
// of their secrets exists, and routes must not need them.
var routesEnv = map[string]string{
	"CUTOVER_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/SECRETLEGACY",
	"CUTOVER_DESTINATIONS": `[
		{"name":"team-web","type":"slack","url_secret":"/cutover/team-web","applications":["web-*"]},
		{"name":"oncall","type":"slack","url":"https://hooks.slack.com/services/T/B/SECRETONCALL","events":["DeploymentFailure","DeploymentRollback"]},
		{"name":"prod-ecs","type":"slack","url_secret":"/cutover/prod","services":["prod-cluster/*"]}
	]`,
}

func TestRoutesExplainsEachDestination(t *testing.T) {
	out, stderr, err := run(t, routesEnv, "", "routes", fixturePath("sns-lambda/instance-success.json"))
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	want := `InstanceSuccess d-7XQ2K9ABC (web-frontend / web-frontend-prod, service prod-cluster/web-frontend, account 111122223333, us-east-1): 3 destinations
  yes  slack (slack): events: InstanceSuccess
  yes  team-web (slack): events: InstanceSuccess; applications: web-frontend matches web-*
  no   oncall (slack): events: InstanceSuccess is not listed
  yes  prod-ecs (slack): events: InstanceSuccess; services: prod-cluster/web-frontend matches prod-cluster/*
`
	if out != want {
		t.Errorf("routes printed\n%s\nwant\n%s", out, want)
	}
	out, _, err = run(t, routesEnv, "", "routes", fixturePath("sns-lambda/deployment-failure.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"no   team-web (slack): applications: application checkout-api matches none of web-*",
		"yes  oncall (slack): events: DeploymentFailure",
		"no   prod-ecs (slack): services: the event names no service",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("routes output lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "SECRET") {
		t.Errorf("routes printed a secret:\n%s", out)
	}
}

func TestRoutesRefusesWhatItCannotExplain(t *testing.T) {
	_, _, err := run(t, routesEnv, `{"hello":"world"}`, "routes")
	if exitCode(err) != 1 {
		t.Errorf("bad input: exit %d (%v)", exitCode(err), err)
	}
	_, _, err = run(t, map[string]string{"CUTOVER_DESTINATIONS_PARAMETER": "/cutover/destinations"}, "", "routes", fixturePath("sns-lambda/instance-success.json"))
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "set CUTOVER_DESTINATIONS to its JSON") {
		t.Errorf("parameter: %v", err)
	}
	out, _, err := run(t, nil, "", "routes", fixturePath("sns-lambda/instance-success.json"))
	if err != nil || !strings.Contains(out, "No destination is configured") || !strings.Contains(out, ": no destination\n") {
		t.Errorf("no destinations: %v\n%s", err, out)
	}
}

// TestSendPrintsEachDestination proves send delivers to the destinations
// the routes select and prints one line per destination.
func TestSendPrintsEachDestination(t *testing.T) {
	fake := &slackFake{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := sendEnv(t, srv.URL)
	delete(env, "CUTOVER_SLACK_WEBHOOK_URL")
	env["CUTOVER_DESTINATIONS"] = `[
		{"name":"team-web","type":"slack","url":"` + srv.URL + `/services/T/B/one","applications":["web-*"]},
		{"name":"oncall","type":"slack","url":"` + srv.URL + `/services/T/B/two","events":["DeploymentFailure"]}
	]`
	out, _, err := run(t, env, "", "send", fixturePath("sns-lambda/deployment-failure.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"DeploymentFailure d-M4QFAIL01: oncall=delivered\n",
		"\n  team-web (slack): not sent: applications: application checkout-api matches none of web-*\n",
		"\n  oncall (slack): delivered\n",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("send output lacks %q:\n%s", w, out)
		}
	}
	if fake.count() != 1 {
		t.Errorf("%d posts, want 1 (oncall only)", fake.count())
	}
}

// TestREADMERoutingExample proves the README's routing example is a valid
// CUTOVER_DESTINATIONS and that `cutover routes` prints what the README
// shows for it.
func TestREADMERoutingExample(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## Several destinations and routing\n")
	if !ok {
		t.Fatal(`README.md has no "## Several destinations and routing" section`)
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	block := func(after string) string {
		_, rest, ok := strings.Cut(sec, after)
		if !ok {
			t.Fatalf("no %q block in the section", after)
		}
		body, _, _ := strings.Cut(rest, "\n```\n")
		return body + "\n"
	}
	env := map[string]string{"CUTOVER_DESTINATIONS": block("```json\n")}
	shown := block("```\n$ cutover routes deployment-failure.json\n")
	var outb, errb bytes.Buffer
	err = Run(context.Background(), []string{"routes", fixturePath("sns-lambda/deployment-failure.json")}, Env{
		Stdin: strings.NewReader(""), Stdout: &outb, Stderr: &errb,
		Getenv: func(k string) string { return env[k] },
		types:  []string{"discord", "googlechat", "slack", "teams", "webhook"},
	})
	if err != nil {
		t.Fatalf("the README example does not load: %v", err)
	}
	out := outb.String()
	if out != shown {
		t.Errorf("README shows\n%s\ncutover routes prints\n%s", shown, out)
	}
}
