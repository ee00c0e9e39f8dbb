package lambdafn

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/cutover-dev/cutover/internal/app"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// world is moto plus a fake Slack, with the AWS resources cutover uses.
type world struct {
	moto    *testrig.Moto
	cfg     aws.Config
	slack   *testrig.FakeChat
	dist    string
	queue   string
	table   string
	secret  string
	logs    *strings.Builder
	handler *Handler
}

func newWorld(t *testing.T, secretInSSM bool) *world {
	t.Helper()
	ctx := t.Context()
	w := &world{moto: testrig.StartMoto(t), slack: testrig.NewFakeChat(t), logs: &strings.Builder{}}
	w.cfg = w.moto.AWSConfig(t)

	webhook := w.slack.WebhookURL()
	if secretInSSM {
		name := "/cutover/slack-webhook"
		if _, err := ssm.NewFromConfig(w.cfg).PutParameter(ctx, &ssm.PutParameterInput{
			Name: aws.String(name), Value: aws.String(webhook), Type: ssmtypes.ParameterTypeSecureString,
		}); err != nil {
			t.Fatal(err)
		}
		w.secret = name
	} else {
		out, err := secretsmanager.NewFromConfig(w.cfg).CreateSecret(ctx, &secretsmanager.CreateSecretInput{
			Name: aws.String("cutover/slack"), SecretString: aws.String(`{"webhook_url":"` + webhook + `"}`),
		})
		if err != nil {
			t.Fatal(err)
		}
		w.secret = aws.ToString(out.ARN)
	}

	w.dist = w.moto.CreateDistribution(t, "lambdafn-web")

	q, err := sqs.NewFromConfig(w.cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("cutover-followup")})
	if err != nil {
		t.Fatal(err)
	}
	w.queue = aws.ToString(q.QueueUrl)

	w.table = "cutover-records"
	ddb := dynamodb.NewFromConfig(w.cfg)
	if _, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(w.table),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
		},
		KeySchema: []ddbtypes.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeRange},
		},
	}); err != nil {
		t.Fatal(err)
	}

	env := map[string]string{
		config.EnvSlackWebhookURLSecret:       w.secret,
		config.EnvRecordsTable:                w.table,
		"CUTOVER_CLOUDFRONT_DISTRIBUTION_IDS": w.dist,
		"CUTOVER_INVALIDATION_PATHS":          "/index.html,/assets/*",
		"CUTOVER_FOLLOWUP_QUEUE_URL":          w.queue,
		config.EnvEnrich:                      "false",
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, app.Sources(), app.Destinations().Names())
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sys, err := app.Build(ctx, cfg, app.Options{Log: log, Lambda: true, AWS: &w.cfg, FollowUpDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sys.Close)
	w.handler = &Handler{System: sys, Log: log}
	return w
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../source/codedeploy/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func invoke(t *testing.T, h *Handler, payload []byte) (any, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	return h.Invoke(ctx, payload)
}

// TestCutoverEndToEnd runs the traffic switch through the handler with the
// webhook in Secrets Manager, records in DynamoDB and CloudFront on moto:
// one Slack message naming the invalidation, one invalidation, a follow-up
// on the queue that reports completion once; a redelivery sends nothing.
func TestCutoverEndToEnd(t *testing.T) {
	w := newWorld(t, false)
	in := readFixture(t, "sns-lambda/instance-success.json")
	if _, err := invoke(t, w.handler, in); err != nil {
		t.Fatalf("invoke: %v\n%s", err, w.logs)
	}
	reqs := w.slack.Requests()
	if len(reqs) != 1 {
		t.Fatalf("slack got %d requests, want 1", len(reqs))
	}
	body := string(reqs[0].Body)
	if !strings.Contains(body, "Traffic switched") || !strings.Contains(body, w.dist) {
		t.Errorf("message does not report the traffic switch and the invalidation: %s", body)
	}

	cf := cloudfront.NewFromConfig(w.cfg)
	list, err := cf.ListInvalidations(t.Context(), &cloudfront.ListInvalidationsInput{DistributionId: aws.String(w.dist)})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(list.InvalidationList.Items); n != 1 {
		t.Fatalf("%d invalidations, want 1", n)
	}
	inv, err := cf.GetInvalidation(t.Context(), &cloudfront.GetInvalidationInput{DistributionId: aws.String(w.dist), Id: list.InvalidationList.Items[0].Id})
	if err != nil {
		t.Fatal(err)
	}
	paths := inv.Invalidation.InvalidationBatch.Paths.Items
	if strings.Join(paths, ",") != "/assets/*,/index.html" {
		t.Errorf("paths %v", paths)
	}
	if ref := aws.ToString(inv.Invalidation.InvalidationBatch.CallerReference); !strings.HasPrefix(ref, "cutover-d-7XQ2K9ABC-InstanceSuccess-") {
		t.Errorf("caller reference %q", ref)
	}
	if !strings.Contains(body, aws.ToString(list.InvalidationList.Items[0].Id)) {
		t.Errorf("message does not name invalidation %s", aws.ToString(list.InvalidationList.Items[0].Id))
	}

	// SNS redelivers: nothing new anywhere.
	if _, err := invoke(t, w.handler, in); err != nil {
		t.Fatal(err)
	}
	list2, _ := cf.ListInvalidations(t.Context(), &cloudfront.ListInvalidationsInput{DistributionId: aws.String(w.dist)})
	if w.slack.Count() != 1 || len(list2.InvalidationList.Items) != 1 {
		t.Errorf("redelivery: %d slack requests, %d invalidations", w.slack.Count(), len(list2.InvalidationList.Items))
	}

	// The follow-up queue holds the completion check; deliver it as the
	// event source mapping would, twice.
	msgs, err := sqs.NewFromConfig(w.cfg).ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(w.queue), MaxNumberOfMessages: 10, WaitTimeSeconds: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs.Messages) != 1 {
		t.Fatalf("%d follow-up messages, want 1", len(msgs.Messages))
	}
	batch := events.SQSEvent{Records: []events.SQSMessage{{
		MessageId: aws.ToString(msgs.Messages[0].MessageId), EventSource: "aws:sqs", Body: aws.ToString(msgs.Messages[0].Body),
	}}}
	payload, _ := json.Marshal(batch)
	for range 2 {
		out, err := invoke(t, w.handler, payload)
		if err != nil {
			t.Fatal(err)
		}
		if resp, ok := out.(events.SQSEventResponse); !ok || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("follow-up response %#v\n%s", out, w.logs)
		}
	}
	if n := w.slack.Count(); n != 2 {
		t.Fatalf("slack got %d requests, want the cutover and one completion", n)
	}
	done := string(w.slack.Requests()[1].Body)
	if !strings.Contains(done, "CloudFront invalidation completed") || strings.Contains(done, "Traffic switched") {
		t.Errorf("completion message: %s", done)
	}
	if strings.Contains(w.logs.String(), w.slack.WebhookURL()) {
		t.Error("webhook URL appears in the logs")
	}
}

// TestSecretFromSSM reads the webhook from an SSM SecureString parameter.
func TestSecretFromSSM(t *testing.T) {
	w := newWorld(t, true)
	if _, err := invoke(t, w.handler, readFixture(t, "sns-lambda/deployment-failure.json")); err != nil {
		t.Fatal(err)
	}
	if w.slack.Count() != 1 {
		t.Fatalf("slack got %d requests", w.slack.Count())
	}

	// A queue subscribed to the topic delivers SNS envelopes in SQS
	// batches; each record stands alone and junk is dropped, not retried.
	batch := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m-1", EventSource: "aws:sqs", Body: string(readFixture(t, "sns-http/instance-success.json"))},
		{MessageId: "m-2", EventSource: "aws:sqs", Body: "not a notification"},
	}}
	payload, _ := json.Marshal(batch)
	out, err := invoke(t, w.handler, payload)
	if err != nil {
		t.Fatal(err)
	}
	if resp, ok := out.(events.SQSEventResponse); !ok || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("batch response %#v", out)
	}
	if w.slack.Count() != 2 || !strings.Contains(string(w.slack.Requests()[1].Body), "Traffic switched") {
		t.Errorf("the SQS-delivered notification was not sent: %d requests", w.slack.Count())
	}
	if !strings.Contains(w.logs.String(), "not a deployment notification") {
		t.Error("the junk record was not logged")
	}

	// A notification from a queue whose delivery fails permanently (a
	// revoked webhook) is reported as failed, so the queue keeps it for
	// replay instead of deleting it.
	w.slack.SetDefault(testrig.Status(404, "channel_not_found"))
	failing := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m-3", EventSource: "aws:sqs", Body: string(readFixture(t, "trigger-real/deployment-stop.json"))},
	}}
	payload, _ = json.Marshal(failing)
	out, err = invoke(t, w.handler, payload)
	if err != nil {
		t.Fatal(err)
	}
	if resp, ok := out.(events.SQSEventResponse); !ok || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "m-3" {
		t.Fatalf("a permanently failed delivery must stay in the queue: %#v", out)
	}
	w.slack.SetDefault(testrig.OK())

	// A records table that does not exist fails init, rather than turning
	// deduplication off on every event.
	cfg, err := config.Load(func(k string) string {
		return map[string]string{config.EnvSlackWebhookURLSecret: w.secret, config.EnvRecordsTable: "no-such-table"}[k]
	}, app.Sources(), app.Destinations().Names())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Build(t.Context(), cfg, app.Options{AWS: &w.cfg}); err == nil || !strings.Contains(err.Error(), "no-such-table does not exist") {
		t.Errorf("init with a missing table: %v", err)
	}
}

// TestSlackDownFailsInvocationButInvalidates proves one failing side never
// blocks the other, and a retry repeats neither what succeeded.
func TestSlackDownFailsInvocationButInvalidates(t *testing.T) {
	w := newWorld(t, false)
	w.slack.SetDefault(testrig.Status(500, "rollup_error"))
	in := readFixture(t, "sns-lambda/instance-success.json")
	if _, err := invoke(t, w.handler, in); err == nil {
		t.Fatal("a failed Slack delivery must fail the invocation")
	}
	cf := cloudfront.NewFromConfig(w.cfg)
	list, _ := cf.ListInvalidations(t.Context(), &cloudfront.ListInvalidationsInput{DistributionId: aws.String(w.dist)})
	if len(list.InvalidationList.Items) != 1 {
		t.Fatalf("the invalidation must not wait for Slack: %d", len(list.InvalidationList.Items))
	}
	failed := w.slack.Count()
	w.slack.SetDefault(testrig.OK())
	if _, err := invoke(t, w.handler, in); err != nil {
		t.Fatalf("retry: %v", err)
	}
	list, _ = cf.ListInvalidations(t.Context(), &cloudfront.ListInvalidationsInput{DistributionId: aws.String(w.dist)})
	if len(list.InvalidationList.Items) != 1 || w.slack.Count() != failed+1 {
		t.Errorf("retry: %d invalidations (want 1), %d new slack requests (want 1)", len(list.InvalidationList.Items), w.slack.Count()-failed)
	}
}

// TestLifecycleHookAnswers: an ECS lifecycle hook is answered through the
// handler's result (the hook's status), whatever else happens; a CodeDeploy
// hook of a deployment that does not exist fails the invocation (its
// status cannot be reported), naming the deployment.
func TestLifecycleHookAnswers(t *testing.T) {
	w := newWorld(t, false)
	ecs := `{"executionId":"f4fcae0f-9bec-41c6-ba87-0eaa0cef8af5","lifecycleStage":"POST_PRODUCTION_TRAFFIC_SHIFT","resourceArn":"arn:aws:ecs:us-west-2:123456789012:service-deployment/my-cluster/my-service/EZe5RNVLH6PPzHXINuP28","executionDetails":{}}`
	out, err := invoke(t, w.handler, []byte(ecs))
	raw, _ := json.Marshal(out)
	if err != nil || string(raw) != `{"hookStatus":"SUCCEEDED"}` {
		t.Errorf("ECS hook: result %s, error %v", raw, err)
	}
	if w.slack.Count() != 1 {
		t.Errorf("the ECS hook made %d chat requests, want 1", w.slack.Count())
	}
	_, err = invoke(t, w.handler, []byte(`{"DeploymentId":"d-7XQ2K9ABC","LifecycleEventHookExecutionId":"eyJlbmNyeXB0ZWREYXRhIjoiaG9vayJ9"}`))
	if err == nil || !strings.Contains(err.Error(), "d-7XQ2K9ABC") {
		t.Errorf("CodeDeploy hook of an unknown deployment: error %v", err)
	}
}
