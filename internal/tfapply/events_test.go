package tfapply

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// triggerFixtures holds trigger notifications recorded from CodeDeploy
// (the SNS Message of a trigger).
const triggerFixtures = "../source/codedeploy/testdata/trigger-real"

// deploymentGroup is where CodeDeploy publishes from: the deployment group
// the apply created.
type deploymentGroup struct {
	Region, Account     string
	Application, Group  string
	Cluster, Service    string
	TaskDefinitionARN   string
	TopicARN            string
	TriggerSubscription string // the module's SNS -> Lambda subscription
}

// codeDeployTime matches CodeDeploy's trigger time format, "Thu Oct 13
// 15:58:02 UTC 2022".
var codeDeployTime = regexp.MustCompile(`[A-Z][a-z]{2} [A-Z][a-z]{2} [0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC [0-9]{4}`)

const codeDeployLayout = "Mon Jan 02 15:04:05 UTC 2006"

// triggerMessage returns the recorded trigger notification name (under
// trigger-real) as CodeDeploy would publish it for deploymentID of g: the
// region, account, application, deployment group, deployment ID and the
// ECS instance ID (cluster:service) are g's, and every time in it is moved
// by the same amount so that the latest one is at.
func triggerMessage(t *testing.T, name string, g deploymentGroup, deploymentID string, at time.Time) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(triggerFixtures, name+".json"))
	if err != nil {
		t.Fatalf("trigger fixture: %v", err)
	}
	var latest time.Time
	for _, s := range codeDeployTime.FindAllString(string(raw), -1) {
		if ts, err := time.Parse(codeDeployLayout, s); err == nil && ts.After(latest) {
			latest = ts
		}
	}
	shift := at.UTC().Truncate(time.Second).Sub(latest)
	shifted := codeDeployTime.ReplaceAllStringFunc(string(raw), func(s string) string {
		ts, err := time.Parse(codeDeployLayout, s)
		if err != nil {
			return s
		}
		return ts.Add(shift).Format(codeDeployLayout)
	})

	var msg map[string]any
	if err := json.Unmarshal([]byte(shifted), &msg); err != nil {
		t.Fatalf("trigger fixture %s: %v", name, err)
	}
	msg["region"] = g.Region
	msg["accountId"] = g.Account
	msg["applicationName"] = g.Application
	msg["deploymentGroupName"] = g.Group
	msg["deploymentId"] = deploymentID
	if _, ok := msg["instanceId"]; ok {
		msg["instanceId"] = g.Cluster + ":" + g.Service
	}
	return string(compactJSON(t, msg))
}

// triggerSubject is the Subject CodeDeploy gives a trigger notification,
// e.g. "SUCCEEDED: AWS CodeDeploy d-7XQ2K9ABC in us-east-1 to web".
func triggerSubject(status, deploymentID string, g deploymentGroup) string {
	return status + ": AWS CodeDeploy " + deploymentID + " in " + g.Region + " to " + g.Application
}

// lambdaSNSEvent wraps the SNS envelope an SQS subscriber received (the
// message body with raw delivery off) as the event Lambda passes to a
// function subscribed to the topic: one record, EventSource aws:sns, the
// envelope's fields under Sns with Lambda's spelling (SigningCertUrl,
// UnsubscribeUrl).
func lambdaSNSEvent(t *testing.T, envelope []byte, subscriptionARN string) []byte {
	t.Helper()
	var env map[string]any
	if err := json.Unmarshal(envelope, &env); err != nil {
		t.Fatalf("SNS envelope is not JSON: %v: %.300s", err, envelope)
	}
	rename := map[string]string{"SigningCertURL": "SigningCertUrl", "UnsubscribeURL": "UnsubscribeUrl"}
	sns := map[string]any{"MessageAttributes": map[string]any{}}
	for k, v := range env {
		if n, ok := rename[k]; ok {
			k = n
		}
		sns[k] = v
	}
	return compactJSON(t, map[string]any{"Records": []any{map[string]any{
		"EventSource":          "aws:sns",
		"EventVersion":         "1.0",
		"EventSubscriptionArn": subscriptionARN,
		"Sns":                  sns,
	}}})
}

func compactJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encode JSON: %v", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// slackMessage is the part of a Slack incoming-webhook body the test reads.
type slackMessage struct {
	Text string `json:"text"`
}

// snsFooter finds the SNS MessageId in a message's context line
// ("… · SNS message <id>"), wherever the blocks put it.
var snsFooter = regexp.MustCompile(`SNS message ([0-9A-Za-z-]+)`)

// webhookSecretParts are the pieces of testrig's fake webhook URL that
// must never appear outside the secret: the path of a Slack incoming
// webhook is its credential.
var webhookSecretParts = []string{"/services/T00000000/B00000000", "XXXXXXXXXXXXXXXXXXXXXXXX"}

// containsWebhook reports which part of the webhook s holds, or "".
func containsWebhook(s, webhook string) string {
	for _, p := range append([]string{webhook}, webhookSecretParts...) {
		if strings.Contains(s, p) {
			return p
		}
	}
	return ""
}
