package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cutover-dev/cutover/internal/cli"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// destinationRecord returns a Lambda on-failure destination record (what
// the failure queue holds) for the fixture's failed deployment, with its
// own SNS MessageId and deployment ID.
func destinationRecord(t *testing.T, msgID, deploymentID string) string {
	t.Helper()
	var rec map[string]any
	if err := json.Unmarshal(readFixture(t, "destination/deployment-failure.json"), &rec); err != nil {
		t.Fatalf("destination fixture: %v", err)
	}
	rec["requestContext"].(map[string]any)["requestId"] = "req-" + msgID
	setSNSRecord(t, rec["requestPayload"].(map[string]any), msgID, deploymentID)
	return string(mustJSON(t, rec))
}

// TestReplayFailureQueue drains a failure queue on moto SQS with `cutover
// replay --queue-url`, run in-process: five events whose Slack delivery
// failed are replayed while Slack still fails (they stay in the queue),
// then once it works (each delivered once, queue empty), then again
// (nothing resent), and once more after the same records arrive in the
// queue a second time (the delivery records stop the duplicates).
//
// setup.Build loads the AWS configuration from the process environment,
// not from cli.Env.Getenv, so the AWS settings are also set with t.Setenv.
func TestReplayFailureQueue(t *testing.T) {
	moto := testrig.StartMoto(t)
	chat := testrig.NewFakeChat(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)

	client := sqs.NewFromConfig(moto.AWSConfig(t))
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("cutover-failures")})
	if err != nil {
		t.Fatalf("create queue: %v", err)
	}
	queueURL := aws.ToString(q.QueueUrl)
	ids := msgIDs("e2e-replay", 5)
	enqueue := func() {
		t.Helper()
		for i, id := range ids {
			body := destinationRecord(t, id, fmt.Sprintf("d-REPLAY%03d", i))
			if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(body)}); err != nil {
				t.Fatalf("send message: %v", err)
			}
		}
	}
	enqueue()

	dir := t.TempDir()
	vars := map[string]string{
		config.EnvSlackWebhookURL: chat.WebhookURL(),
		// The function's own delivery records, as a real replay uses.
		config.EnvRecordsTable:        createRecordsTable(t, moto),
		"AWS_ENDPOINT_URL":            moto.Endpoint,
		"AWS_ENDPOINT_URL_SQS":        moto.Endpoint,
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  testrig.Region,
		"AWS_DEFAULT_REGION":          testrig.Region,
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "no-aws-credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
	for k, v := range vars {
		if strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, v)
		}
	}
	replayWith := func(t *testing.T, extra ...string) (string, error) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		err := cli.Run(ctx, append([]string{"replay", "--queue-url", queueURL}, extra...), cli.Env{
			Stdin:  strings.NewReader(""),
			Stdout: &stdout,
			Stderr: &stderr,
			Getenv: func(k string) string { return vars[k] },
		})
		out := stdout.String() + stderr.String()
		t.Logf("cutover replay (error: %v):\n%s", err, out)
		assertNoWebhookSecret(t, "replay's output", out)
		if err != nil {
			assertNoWebhookSecret(t, "replay's error", err.Error())
		}
		return out, err
	}
	replay := func(t *testing.T) (string, error) { t.Helper(); return replayWith(t) }
	queueDepth := func(t *testing.T) (visible, inFlight int) {
		t.Helper()
		out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl: aws.String(queueURL),
			AttributeNames: []sqstypes.QueueAttributeName{
				sqstypes.QueueAttributeNameApproximateNumberOfMessages,
				sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
			},
		})
		if err != nil {
			t.Fatalf("queue attributes: %v", err)
		}
		visible, _ = strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)])
		inFlight, _ = strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible)])
		return visible, inFlight
	}
	// shown returns the SNS MessageIds of the messages Slack accepted.
	shown := func(t *testing.T, reqs []testrig.Request) map[string]int {
		t.Helper()
		m := map[string]int{}
		for _, r := range reqs {
			msg, id := parseSlack(t, r.Body)
			if !strings.Contains(msg.Text, "Deployment failed") {
				t.Errorf("message text %q does not say the deployment failed", msg.Text)
			}
			m[id]++
		}
		return m
	}

	t.Run("slack_still_failing", func(t *testing.T) {
		chat.SetDefault(testrig.Status(http.StatusNotFound, "channel_not_found"))
		out, err := replay(t)
		var ee *cli.ExitError
		if !errors.As(err, &ee) || ee.Code != 1 {
			t.Errorf("replay returned %v, want an exit error with code 1", err)
		}
		if !strings.Contains(out, "channel_not_found") {
			t.Errorf("replay's output does not say channel_not_found")
		}
		if n := chat.Count(); n != len(ids) {
			t.Errorf("fake Slack got %d requests, want one per event (%d): a 404 is permanent", n, len(ids))
		}
		// What still fails is kept, and visible again at once so the
		// next replay (after the fix) sees it.
		if v, f := queueDepth(t); v != len(ids) || f != 0 {
			t.Errorf("queue holds %d visible + %d in flight messages, want all %d kept and visible", v, f, len(ids))
		}
	})

	t.Run("slack_fixed", func(t *testing.T) {
		chat.Reset()
		if _, err := replay(t); err != nil {
			t.Fatalf("replay: %v", err)
		}
		got := shown(t, chat.Requests())
		for _, id := range ids {
			if got[id] != 1 {
				t.Errorf("event %s delivered %d times, want 1", id, got[id])
			}
		}
		if len(got) != len(ids) {
			t.Errorf("delivered %d distinct events, want %d: %v", len(got), len(ids), got)
		}
		assertQueueEmpty(ctx, t, client, queueURL, queueDepth)
	})

	t.Run("replay_again_sends_nothing", func(t *testing.T) {
		before := chat.Count()
		out, err := replay(t)
		if err != nil {
			t.Fatalf("replay: %v", err)
		}
		if n := chat.Count() - before; n != 0 {
			t.Errorf("replaying an empty queue sent %d messages", n)
		}
		if !strings.Contains(out, "0 replayed") {
			t.Errorf("replay's output does not say 0 replayed")
		}
	})

	t.Run("same_records_again_are_not_resent", func(t *testing.T) {
		enqueue()
		before := chat.Count()
		out, err := replay(t)
		if err != nil {
			t.Fatalf("replay: %v", err)
		}
		if n := chat.Count() - before; n != 0 {
			t.Errorf("replaying already delivered events sent %d messages", n)
		}
		if c := strings.Count(out, "slack=already-delivered"); c != len(ids) {
			t.Errorf("replay reported %d already-delivered events, want %d", c, len(ids))
		}
		assertQueueEmpty(ctx, t, client, queueURL, queueDepth)
	})
	// Messages that can never be delivered (input that is no notification,
	// a lifecycle-hook invocation that cannot be read) are set aside: saved for inspection,
	// kept in the queue unless --drop-poison, and not counted as failing.
	t.Run("poison_is_set_aside", func(t *testing.T) {
		poisonDir := filepath.Join(t.TempDir(), "poison")
		for _, body := range []string{
			"this is not a notification",
			`{"DeploymentId":"d-HOOK0001","LifecycleEventHookExecutionId":""}`,
			destinationRecord(t, "e2e-replay-after-poison", "d-REPLAY900"),
		} {
			if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(body)}); err != nil {
				t.Fatalf("send message: %v", err)
			}
		}
		before := chat.Count()
		out, err := replayWith(t, "--poison-dir", poisonDir)
		if err != nil {
			t.Fatalf("replay with only poison left failing: %v", err)
		}
		if !strings.Contains(out, "1 delivered, 0 still failing, 2 set aside") || strings.Count(out, "POISON") != 2 ||
			!strings.Contains(out, "field LifecycleEventHookExecutionId: empty or missing") || !strings.Contains(out, "not a JSON object") {
			t.Errorf("replay's output does not name the two poison messages and the delivery")
		}
		if n := chat.Count() - before; n != 1 {
			t.Errorf("the good message was sent %d times, want 1", n)
		}
		files, _ := os.ReadDir(poisonDir)
		if len(files) != 2 {
			t.Errorf("%d poison files, want 2", len(files))
		}
		if v, f := queueDepth(t); v != 2 || f != 0 {
			t.Errorf("queue holds %d visible + %d in flight, want the 2 poison messages kept and visible", v, f)
		}
		if _, err := replayWith(t, "--poison-dir", poisonDir, "--drop-poison"); err != nil {
			t.Fatalf("replay --drop-poison: %v", err)
		}
		assertQueueEmpty(ctx, t, client, queueURL, queueDepth)
		if files, _ := os.ReadDir(poisonDir); len(files) != 2 {
			t.Errorf("dropped poison must stay saved: %d files", len(files))
		}
	})
}

// TestReplayWithFunction replays with `--function`: the configuration,
// the failure queue and the delivery records come from the deployed
// function, and a local CUTOVER_* setting must not change the replay.
func TestReplayWithFunction(t *testing.T) {
	moto := testrig.StartMoto(t)
	chat := testrig.NewFakeChat(t)
	ctx := t.Context()
	cfg := moto.AWSConfig(t)
	sqsc := sqs.NewFromConfig(cfg)
	q, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("cutover-failures")})
	if err != nil {
		t.Fatal(err)
	}
	queueURL := aws.ToString(q.QueueUrl)
	attrs, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	table := createRecordsTable(t, moto)

	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("cutover"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	lc := lambda.NewFromConfig(cfg)
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("cutover"),
		Runtime:      lambdatypes.RuntimeProvidedal2023,
		Handler:      aws.String("bootstrap"),
		Role:         role.Role.Arn,
		Code:         &lambdatypes.FunctionCode{ZipFile: zipOf(t, "bootstrap", []byte("#!/bin/sh\n"))},
		Environment: &lambdatypes.Environment{Variables: map[string]string{
			config.EnvSlackWebhookURL: chat.WebhookURL(),
			config.EnvRecordsTable:    table,
			config.EnvEnrich:          "false",
		}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{
		FunctionName:      aws.String("cutover"),
		DestinationConfig: &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: aws.String(attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)])}},
	}); err != nil {
		t.Fatal(err)
	}

	ids := msgIDs("e2e-replay-fn", 3)
	for i, id := range ids {
		body := destinationRecord(t, id, fmt.Sprintf("d-REPLAYFN%d", i))
		if _, err := sqsc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": moto.Endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
		"AWS_SESSION_TOKEN": "", "AWS_REGION": testrig.Region, "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
	local := map[string]string{
		// Would stop every DeploymentFailure from notifying, were it used.
		config.EnvEvents: "InstanceSuccess",
	}
	var stdout, stderr bytes.Buffer
	err = cli.Run(ctx, []string{"replay", "--function", "cutover"}, cli.Env{
		Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string {
			if v, ok := local[k]; ok {
				return v
			}
			return os.Getenv(k)
		},
	})
	t.Logf("cutover replay --function (error: %v):\n%s%s", err, stdout.String(), stderr.String())
	if err != nil {
		t.Fatalf("replay --function: %v", err)
	}
	if n := chat.Count(); n != len(ids) {
		t.Errorf("fake Slack got %d messages, want %d", n, len(ids))
	}
	out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10})
	if err != nil || len(out.Messages) != 0 {
		t.Errorf("queue not emptied: %d messages (%v)", len(out.Messages), err)
	}
}

// zipOf returns a zip archive holding one file.
func zipOf(t *testing.T, name string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// assertQueueEmpty checks that the queue holds no message: none visible or
// in flight, and a receive returns nothing.
func assertQueueEmpty(ctx context.Context, t *testing.T, client *sqs.Client, queueURL string, depth func(*testing.T) (int, int)) {
	t.Helper()
	if v, f := depth(t); v != 0 || f != 0 {
		t.Errorf("queue holds %d visible and %d in flight messages, want none", v, f)
	}
	out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	if len(out.Messages) != 0 {
		t.Errorf("a receive returned %d messages from the drained queue", len(out.Messages))
	}
}
