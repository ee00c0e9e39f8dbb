package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/chat/slackapp/slackfake"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// deploymentNotice is a CodeDeploy deployment trigger over SNS (the
// deployment-failure fixture rewritten): status, deployment, the
// deployment it rolls back ("" for none), published minute.
func deploymentNotice(t *testing.T, msgID, status, dep, rollsBack string, minute int) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(readFixture(t, "sns-lambda/deployment-failure.json"), &ev); err != nil {
		t.Fatal(err)
	}
	sns := ev["Records"].([]any)[0].(map[string]any)["Sns"].(map[string]any)
	var msg map[string]any
	if err := json.Unmarshal([]byte(sns["Message"].(string)), &msg); err != nil {
		t.Fatal(err)
	}
	msg["deploymentId"], msg["status"] = dep, status
	if status != "FAILED" {
		delete(msg, "errorInformation")
	}
	msg["rollbackInformation"] = "{}"
	if rollsBack != "" {
		msg["rollbackInformation"] = string(mustJSON(t, map[string]string{
			"RollbackMessage":                "Deployment " + dep + " is triggered to roll back deployment " + rollsBack + ".",
			"RollbackTriggeringDeploymentId": rollsBack,
		}))
	}
	sns["Message"] = string(mustJSON(t, msg))
	sns["MessageId"] = msgID
	sns["Subject"] = status + ": AWS CodeDeploy " + dep + " in eu-west-1 to checkout-api"
	sns["Timestamp"] = time.Date(2026, 11, 26, 11, minute, 0, 0, time.UTC).Format("2006-01-02T15:04:05.000Z")
	return mustJSON(t, ev)
}

// TestLambdaSlackApp runs two deployments through the real bootstrap
// under the emulator with a slack-app destination on a fake Slack Web API
// and the delivery records on moto DynamoDB: a whole deployment (start,
// ready, traffic switched, success) and a failed one with its rollback.
// Each has exactly one parent, updated by every later event, and a thread
// of replies; the rollback joins the failed deployment's thread.
func TestLambdaSlackApp(t *testing.T) {
	moto := testrig.StartMoto(t)
	table := createRecordsTable(t, moto)
	fake := slackfake.New(t, slackfake.Options{})
	dests := `[{"name":"ops","type":"slack-app","channel":"deploys","token":"` + slackfake.Token + `","events":["Deployment*","InstanceSuccess"]}]`
	rig := startLambda(t, moto.Env(),
		config.EnvRecordsTable+"="+table,
		config.EnvDestinations+"="+dests,
		config.EnvSlackAPIURL+"="+fake.APIURL(),
	)

	var switched map[string]any
	if err := json.Unmarshal(snsEvent(t, "instance-success", "lam-a3", "d-LAMBDA0A1"), &switched); err != nil {
		t.Fatal(err)
	}
	sns := switched["Records"].([]any)[0].(map[string]any)["Sns"].(map[string]any)
	sns["Timestamp"] = "2026-11-26T11:52:00.000Z"
	payloads := [][]byte{
		deploymentNotice(t, "lam-a1", "IN_PROGRESS", "d-LAMBDA0A1", "", 40),
		deploymentNotice(t, "lam-a2", "READY", "d-LAMBDA0A1", "", 47),
		mustJSON(t, switched),
		deploymentNotice(t, "lam-a4", "SUCCEEDED", "d-LAMBDA0A1", "", 58),
		deploymentNotice(t, "lam-b1", "IN_PROGRESS", "d-LAMBDA0B1", "", 40),
		deploymentNotice(t, "lam-b2", "FAILED", "d-LAMBDA0B1", "", 50),
		deploymentNotice(t, "lam-c1", "CREATED", "d-LAMBDA0C1", "d-LAMBDA0B1", 51),
		deploymentNotice(t, "lam-c2", "SUCCEEDED", "d-LAMBDA0C1", "d-LAMBDA0B1", 55),
	}
	for i, p := range payloads {
		inv := rig.invoke(t, p)
		if inv.FunctionError {
			t.Fatalf("event %d: %s: %s\n%s", i, inv.ErrorType, inv.ErrorMessage, inv.Output)
		}
		if strings.Contains(inv.Output, slackfake.Token) {
			t.Errorf("event %d: the bot token is in the function's output", i)
		}
	}
	// The redelivery of an event changes nothing.
	if inv := rig.invoke(t, payloads[3]); inv.FunctionError {
		t.Fatalf("redelivery: %s", inv.ErrorMessage)
	}

	parents := fake.Parents("C0DEPLOYS")
	if len(parents) != 2 {
		t.Fatalf("%d parents, want 2 (one per deployment)", len(parents))
	}
	a, b := parents[0], parents[1]
	if a.Updates != 3 || len(fake.Replies("C0DEPLOYS", a.TS)) != 3 {
		t.Errorf("deployment A: %d updates, %d replies; want 3 and 3", a.Updates, len(fake.Replies("C0DEPLOYS", a.TS)))
	}
	for _, want := range []string{"Started", "Replacement ready", "Traffic switched", "*Succeeded*"} {
		if !strings.Contains(string(a.Blocks), want) {
			t.Errorf("deployment A's parent lacks %q: %s", want, a.Blocks)
		}
	}
	replies := fake.Replies("C0DEPLOYS", b.TS)
	broadcast := 0
	for _, r := range replies {
		if r.Broadcast {
			broadcast++
		}
	}
	if b.Updates != 3 || len(replies) != 3 || broadcast != 3 {
		t.Errorf("deployment B: %d updates, %d replies (%d broadcast); want 3, 3 (3)", b.Updates, len(replies), broadcast)
	}
	if !strings.Contains(string(b.Blocks), "Rollback d-LAMBDA0C1: succeeded") {
		t.Errorf("the rollback is not in B's timeline: %s", b.Blocks)
	}
	t.Logf("parents=%d updates=%d,%d replies=%d,%d", len(parents), a.Updates, b.Updates, len(fake.Replies("C0DEPLOYS", a.TS)), len(replies))
}
