package tfapply

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	cfaction "github.com/cutover-dev/cutover/internal/action/cloudfront"
	"github.com/cutover-dev/cutover/internal/config"
	cd "github.com/cutover-dev/cutover/internal/source/codedeploy"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// Timeouts of the Terraform commands. They bound a hung provider; the test
// takes about 3.5 minutes in all (see TestCompleteExampleOnMoto).
// Each is further cut to what is left before the test binary's deadline
// (go test -timeout), so that Terraform is interrupted, and stops its
// provider, before the test binary is killed.
const (
	initTimeout    = time.Minute
	applyTimeout   = 5 * time.Minute
	destroyTimeout = 3 * time.Minute
)

// invalidationPaths is what the complete example invalidates.
var invalidationPaths = []string{"/*"}

// The example's second destination: a signed webhook that receives
// failures only, its URL and signing secret in SSM SecureString parameters
// named after the example (var.name keeps its default).
const (
	oncallName            = "oncall"
	oncallURLParameter    = "/cutover-demo/oncall-webhook/url"
	oncallSecretParameter = "/cutover-demo/oncall-webhook/signing-secret"
)

// TestCompleteExampleOnMoto applies terraform/examples/complete (an ECS
// blue/green service behind an ALB and CloudFront, a CodeDeploy deployment
// group whose trigger publishes to cutover's topic, and the cutover module)
// with the real hashicorp/aws provider against moto, runs the real
// bootstrap with the configuration Terraform gave the function, and
// destroys everything again. See the package documentation for the steps.
//
// Where the time goes on moto (2 cores; about 3 min 20 s in all on an idle
// machine, 4 min on a busy one): apply about 130 s, nearly all of it the
// provider's own waits on one chain: VPC and subnets about 10 s each, then
// aws_lb 60 s (it polls for "active"), then the CloudFront distribution
// (its origin is the ALB), then the module's follow-up queue about 25 s
// (the module's inputs name the distribution; the provider waits for a
// queue's attributes to settle), then the function. Destroy about 60 s, 45
// of them CloudFront: the provider disables the distribution
// (UpdateDistribution), waits 30 s for it to be deployed, deletes it and
// waits 15 s more until it is gone, as it does on AWS. The bootstrap's
// part takes about a second. Keeping the ALB costs about 60 s; the example
// is applied as users apply it, with no test-only switches.
func TestCompleteExampleOnMoto(t *testing.T) {
	started := time.Now()
	tfBin := requireTerraform(t)
	mirror := requirePluginMirror(t)
	root := testrig.ModuleRoot(t)

	moto := testrig.StartMoto(t)
	chat := testrig.NewFakeChat(t)
	oncall := newSignedReceiver(t)
	bootstrap := testrig.BuildBootstrap(t)
	zipPath := writeLambdaZip(t, bootstrap)
	dir := copyExample(t, root)
	cfg := moto.AWSConfig(t)
	ctx := t.Context()
	smc := secretsmanager.NewFromConfig(cfg)
	// The Slack app: its token and signing secret stored outside
	// Terraform, as docs/slack-app.md says, before the apply.
	slack := newSlackApp(ctx, t, smc)
	tf := newTerraform(t, tfBin, dir, writeCLIConfig(t, mirror), map[string]string{
		"aws_endpoint_url": moto.Endpoint,
		"lambda_zip_path":  zipPath,
		// The second destination, as a user sets it (an HCL object in
		// TF_VAR_oncall_webhook).
		"oncall_webhook": fmt.Sprintf("{url = %q, signing_secret = %q}", oncall.URL(), oncall.Secret()),
		// The third: the Slack app, by the secrets' ARNs.
		"slack_app": slack.tfVar(),
	})

	raw := newRawAWS(cfg)
	cfc := cloudfront.NewFromConfig(cfg)
	cdc := codedeploy.NewFromConfig(cfg)
	ddb := dynamodb.NewFromConfig(cfg)
	ecsc := ecs.NewFromConfig(cfg)
	snsc := sns.NewFromConfig(cfg)
	sqsc := sqs.NewFromConfig(cfg)
	ssmc := ssm.NewFromConfig(cfg)

	var took struct{ init, apply, e2e, destroy time.Duration }
	s := time.Now()
	if _, err := tf.run(ctx, bounded(t, initTimeout), "init", "-input=false"); err != nil {
		t.Fatalf("%v (terraform's output is logged below)", err)
	}
	took.init = time.Since(s)

	// A test that fails between apply and destroy still destroys, while
	// moto (stopped by an earlier cleanup, so later) is up.
	var applyStarted, destroyStarted bool
	t.Cleanup(func() {
		if !applyStarted || destroyStarted {
			return
		}
		if _, err := tf.run(context.Background(), bounded(t, destroyTimeout), "destroy", "-auto-approve", "-input=false", "-refresh=false"); err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		t.Log("cleanup: destroyed what the test had applied")
	})

	var (
		outs         map[string]output
		applyCount   int
		destroyCount int
	)
	if !t.Run("apply", func(t *testing.T) {
		applyStarted = true
		s := time.Now()
		out, err := tf.run(ctx, bounded(t, applyTimeout), "apply", "-auto-approve", "-input=false")
		took.apply = time.Since(s)
		if err != nil {
			t.Fatalf("%v (terraform's output is logged below)", err)
		}
		applyCount = resourceCount(out, "added")
		if _, outs, err = tf.outputs(ctx); err != nil {
			t.Fatal(err)
		}
	}) {
		t.FailNow()
	}

	topicARN := stringOutput(t, outs, "cutover_sns_topic_arn")
	functionName := stringOutput(t, outs, "cutover_function_name")
	failureQueueURL := stringOutput(t, outs, "cutover_failure_queue_url")
	secretARN := stringOutput(t, outs, "slack_webhook_secret_arn")
	cfDomain := stringOutput(t, outs, "cloudfront_domain_name")
	group := deploymentGroup{
		Region:      testrig.Region,
		Application: stringOutput(t, outs, "codedeploy_application_name"),
		Group:       stringOutput(t, outs, "codedeploy_deployment_group_name"),
		TopicARN:    topicARN,
	}
	if parts := strings.Split(topicARN, ":"); len(parts) == 6 {
		group.Account = parts[4]
	} else {
		t.Fatalf("topic ARN %q is not an SNS topic ARN", topicARN)
	}

	// What the function is configured with, and the resources its
	// configuration names.
	var (
		fn         lambdaFunction
		env        map[string]string
		distID     string
		table      string
		followupQ  string
		fnConfigJS []byte
	)
	if !t.Run("configuration", func(t *testing.T) {
		var err error
		fn, fnConfigJS, err = raw.getFunctionConfiguration(ctx, functionName)
		if err != nil {
			t.Fatalf("Lambda GetFunctionConfiguration %s: %v", functionName, err)
		}
		env = fn.Environment.Variables
		if fn.Runtime != "provided.al2023" || fn.Handler != "bootstrap" || !slices.Equal(fn.Architectures, []string{"arm64"}) {
			t.Errorf("function runtime %q handler %q architectures %v, want provided.al2023 bootstrap [arm64]", fn.Runtime, fn.Handler, fn.Architectures)
		}

		// The webhook: a reference to the secret, never a URL.
		if got := env[config.EnvSlackWebhookURLSecret]; got != secretARN || !strings.HasPrefix(got, "arn:aws:secretsmanager:") {
			t.Errorf("%s = %q, want the secret's ARN %q", config.EnvSlackWebhookURLSecret, got, secretARN)
		}
		if v, ok := env[config.EnvSlackWebhookURL]; ok {
			t.Errorf("the function is configured with %s = %q: the URL must stay in the secret", config.EnvSlackWebhookURL, v)
		}
		for k, v := range env {
			if strings.Contains(v, "://") && k != config.EnvFollowUpQueueURL {
				t.Errorf("environment variable %s holds a URL (%q): only the follow-up queue's URL may", k, v)
			}
			if strings.Contains(v, oncall.Secret()) {
				t.Errorf("environment variable %s holds the webhook's signing secret", k)
			}
		}

		// The second destination: parameter names and its routing, the
		// values in SecureString parameters.
		checkOncallDestination(ctx, t, env, ssmc, oncall)
		// The third: the Slack app, by reference.
		slack.checkDestination(t, env)
		if _, err := smc.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(secretARN)}); err != nil {
			t.Errorf("DescribeSecret %s: %v", secretARN, err)
		}

		// CloudFront: the distribution the example created.
		dists, err := cfc.ListDistributions(ctx, &cloudfront.ListDistributionsInput{})
		if err != nil {
			t.Fatalf("ListDistributions: %v", err)
		}
		for _, d := range dists.DistributionList.Items {
			if aws.ToString(d.DomainName) == cfDomain {
				distID = aws.ToString(d.Id)
			}
		}
		if distID == "" {
			t.Fatalf("no CloudFront distribution with domain name %s (the output)", cfDomain)
		}
		if got := env[config.EnvCloudFrontDistributionIDs]; got != distID {
			t.Errorf("%s = %q, want the example's distribution %q", config.EnvCloudFrontDistributionIDs, got, distID)
		}
		if got := env[config.EnvInvalidationPaths]; got != strings.Join(invalidationPaths, ",") {
			t.Errorf("%s = %q, want %q", config.EnvInvalidationPaths, got, strings.Join(invalidationPaths, ","))
		}
		if got := env[config.EnvInvalidateOnRollback]; got != "true" {
			t.Errorf("%s = %q, want true", config.EnvInvalidateOnRollback, got)
		}

		// The records table and the queues.
		table = env[config.EnvRecordsTable]
		desc, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if err != nil {
			t.Fatalf("%s = %q: DescribeTable: %v", config.EnvRecordsTable, table, err)
		}
		var keys []string
		for _, k := range desc.Table.KeySchema {
			keys = append(keys, aws.ToString(k.AttributeName)+"/"+string(k.KeyType))
		}
		if strings.Join(keys, ",") != "pk/HASH,sk/RANGE" {
			t.Errorf("records table key schema %v, want pk/HASH, sk/RANGE", keys)
		}
		followupQ = env[config.EnvFollowUpQueueURL]
		failureARN := queueAttr(ctx, t, sqsc, failureQueueURL, sqstypes.QueueAttributeNameQueueArn)
		if rp := queueAttr(ctx, t, sqsc, followupQ, sqstypes.QueueAttributeNameRedrivePolicy); !strings.Contains(rp, failureARN) {
			t.Errorf("follow-up queue's redrive policy %s does not name the failure queue %s", rp, failureARN)
		}

		// The deployment group publishes to the module's topic.
		dg, err := cdc.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{
			ApplicationName: aws.String(group.Application), DeploymentGroupName: aws.String(group.Group),
		})
		if err != nil {
			t.Fatalf("GetDeploymentGroup: %v", err)
		}
		info := dg.DeploymentGroupInfo
		var trigger *cdtypes.TriggerConfig
		for i := range info.TriggerConfigurations {
			if aws.ToString(info.TriggerConfigurations[i].TriggerTargetArn) == topicARN {
				trigger = &info.TriggerConfigurations[i]
			}
		}
		if trigger == nil {
			t.Errorf("deployment group triggers %+v do not publish to %s", info.TriggerConfigurations, topicARN)
		} else {
			for _, want := range []cdtypes.TriggerEventType{cdtypes.TriggerEventTypeInstanceSuccess, cdtypes.TriggerEventTypeDeploymentFailure} {
				if !slices.Contains(trigger.TriggerEvents, want) {
					t.Errorf("the trigger's events %v lack %s", trigger.TriggerEvents, want)
				}
			}
		}
		if len(info.EcsServices) != 1 {
			t.Fatalf("deployment group ECS services %+v, want one", info.EcsServices)
		}
		group.Cluster = aws.ToString(info.EcsServices[0].ClusterName)
		group.Service = aws.ToString(info.EcsServices[0].ServiceName)
		svcs, err := ecsc.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(group.Cluster), Services: []string{group.Service}})
		if err != nil || len(svcs.Services) != 1 {
			t.Fatalf("DescribeServices %s/%s: %v (%d services)", group.Cluster, group.Service, err, len(svcs.Services))
		}
		group.TaskDefinitionARN = aws.ToString(svcs.Services[0].TaskDefinition)

		// SNS delivers to the function.
		subs, err := snsc.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicARN)})
		if err != nil {
			t.Fatalf("ListSubscriptionsByTopic: %v", err)
		}
		for _, s := range subs.Subscriptions {
			if aws.ToString(s.Protocol) == "lambda" && aws.ToString(s.Endpoint) == fn.FunctionArn {
				group.TriggerSubscription = aws.ToString(s.SubscriptionArn)
			}
		}
		if group.TriggerSubscription == "" {
			t.Fatalf("the topic has no lambda subscription for %s: %+v", fn.FunctionArn, subs.Subscriptions)
		}
	}) {
		t.FailNow()
	}

	// The Slack app's buttons: the function URL and the role's grants.
	t.Run("slack_buttons", func(t *testing.T) {
		checkSlackButtons(ctx, t, cfg, fn, stringOutput(t, outs, "slack_actions_url"), group)
	})

	// The function's environment as Lambda would set it: the configured
	// variables, what Lambda adds (name, timeout, memory; log format and
	// level from logging_config, which moto does not store) and moto's
	// endpoint and dummy credentials in place of the execution role's.
	var rieEnv []string
	for k, v := range env {
		rieEnv = append(rieEnv, k+"="+v)
	}
	sort.Strings(rieEnv)
	rieEnv = append(rieEnv,
		"AWS_LAMBDA_FUNCTION_NAME="+fn.FunctionName,
		"AWS_LAMBDA_FUNCTION_TIMEOUT="+strconv.Itoa(fn.Timeout),
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(fn.MemorySize),
		"AWS_LAMBDA_LOG_FORMAT=JSON",
		"AWS_LAMBDA_LOG_LEVEL=INFO",
	)
	rieEnv = append(rieEnv, moto.Env()...)
	// The Slack app's Web API: the fake's, by the variable meant for tests.
	rieEnv = append(rieEnv, config.EnvSlackAPIURL+"="+slack.fake.APIURL())
	// One function instance for every delivery, as a warm Lambda; its init
	// runs on the first invocation.
	rie := testrig.StartRIE(t, bootstrap, rieEnv)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("function output:\n%s", rie.Output())
		}
	})

	// The two notifications, as Lambda would receive them.
	type delivery struct {
		kind         string
		status       string // Subject prefix
		fixture      string
		deploymentID string
		messageID    string   // SNS MessageId given by moto
		event        []byte   // the Lambda SNS event
		says         []string // what the Slack message's text says
	}
	deliveries := []*delivery{
		// "Roll back before": the rollback window comes from the
		// deployment group's termination wait (60 minutes), read from
		// CodeDeploy by the function's enrichment.
		{kind: cd.InstanceSuccess, status: "SUCCEEDED", fixture: "instance-success", says: []string{"Traffic switched", "Roll back before"}},
		{kind: cd.DeploymentFailure, status: "FAILED", fixture: "deployment-failure", says: []string{"Deployment failed", "ECS_UPDATE_ERROR"}},
	}
	invoke := func(t *testing.T, d *delivery) {
		t.Helper()
		ictx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		res, err := rie.InvokeResult(ictx, d.event)
		if err != nil {
			t.Fatalf("invoke %s: %v", d.kind, err)
		}
		if res.Status != http.StatusOK || res.FunctionError {
			t.Errorf("invoke %s: status %d, function error %v (%s: %s): %s", d.kind, res.Status, res.FunctionError, res.ErrorType, res.ErrorMessage, res.Body)
		}
	}
	invalidations := func(t *testing.T) map[string][]string { // CallerReference -> paths
		t.Helper()
		list, err := cfc.ListInvalidations(ctx, &cloudfront.ListInvalidationsInput{DistributionId: aws.String(distID)})
		if err != nil {
			t.Fatalf("ListInvalidations %s: %v", distID, err)
		}
		refs := map[string][]string{}
		for _, it := range list.InvalidationList.Items {
			inv, err := cfc.GetInvalidation(ctx, &cloudfront.GetInvalidationInput{DistributionId: aws.String(distID), Id: it.Id})
			if err != nil {
				t.Fatalf("GetInvalidation %s: %v", aws.ToString(it.Id), err)
			}
			b := inv.Invalidation.InvalidationBatch
			refs[aws.ToString(b.CallerReference)] = b.Paths.Items
		}
		return refs
	}
	records := func(t *testing.T) []map[string]ddbtypes.AttributeValue {
		t.Helper()
		out, err := ddb.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
		if err != nil {
			t.Fatalf("Scan %s: %v", table, err)
		}
		return out.Items
	}

	followups := func(t *testing.T) int { // messages waiting in the follow-up queue, delayed or not
		t.Helper()
		n := 0
		for _, a := range []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed} {
			v, err := strconv.Atoi(queueAttr(ctx, t, sqsc, followupQ, a))
			if err != nil {
				t.Fatalf("follow-up queue %s: %v", a, err)
			}
			n += v
		}
		return n
	}

	var tapQueue, tapSub string
	e2eOK := t.Run("traffic_switch_and_failure", func(t *testing.T) {
		s := time.Now()
		defer func() { took.e2e += time.Since(s) }()

		// The user stores the webhook URL in the secret, outside Terraform.
		if _, err := smc.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
			SecretId: aws.String(secretARN), SecretString: aws.String(chat.WebhookURL()),
		}); err != nil {
			t.Fatalf("PutSecretValue: %v", err)
		}

		// A queue of the test's own listens to the topic in the function's
		// place.
		q, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("tfapply-tap")})
		if err != nil {
			t.Fatalf("CreateQueue: %v", err)
		}
		tapQueue = aws.ToString(q.QueueUrl)
		sub, err := snsc.Subscribe(ctx, &sns.SubscribeInput{
			TopicArn: aws.String(topicARN), Protocol: aws.String("sqs"),
			Endpoint: aws.String(queueAttr(ctx, t, sqsc, tapQueue, sqstypes.QueueAttributeNameQueueArn)),
		})
		if err != nil {
			t.Fatalf("Subscribe: %v", err)
		}
		tapSub = aws.ToString(sub.SubscriptionArn)

		// CodeDeploy deploys the example's service and publishes its
		// trigger notifications to the topic.
		now := time.Now()
		for _, d := range deliveries {
			d.deploymentID = createDeployment(ctx, t, cdc, group)
			fields := map[string]any{"startTime": now.Add(-10 * time.Minute).Unix()}
			if d.kind == cd.DeploymentFailure {
				fields["status"] = "Failed"
				fields["completeTime"] = now.Unix()
				fields["errorInformation"] = map[string]any{"code": "ECS_UPDATE_ERROR", "message": "CodeDeploy detected that the replacement task set is unhealthy."}
			} else {
				fields["status"] = "InProgress"
				fields["instanceTerminationWaitTimeStarted"] = true
			}
			moto.PatchDeployment(t, d.deploymentID, fields)
			pub, err := snsc.Publish(ctx, &sns.PublishInput{
				TopicArn: aws.String(topicARN),
				Subject:  aws.String(triggerSubject(d.status, d.deploymentID, group)),
				Message:  aws.String(triggerMessage(t, d.fixture, group, d.deploymentID, now)),
			})
			if err != nil {
				t.Fatalf("Publish %s: %v", d.kind, err)
			}
			d.messageID = aws.ToString(pub.MessageId)
		}
		envelopes := receiveEnvelopes(ctx, t, sqsc, tapQueue, len(deliveries))
		for _, d := range deliveries {
			envelope, ok := envelopes[d.messageID]
			if !ok {
				t.Fatalf("the tap queue did not get SNS message %s (%s)", d.messageID, d.kind)
			}
			d.event = lambdaSNSEvent(t, envelope, group.TriggerSubscription)
		}

		// The real bootstrap, configured as Terraform configured the
		// function.
		for _, d := range deliveries {
			invoke(t, d)
		}

		// Slack: one message per event, from the message moto delivered.
		reqs := chat.Requests()
		if len(reqs) != len(deliveries) {
			t.Errorf("fake Slack got %d requests, want %d", len(reqs), len(deliveries))
		}
		refs := invalidations(t)
		for _, d := range deliveries {
			var found []slackMessage
			for _, r := range reqs {
				if strings.Contains(string(r.Body), d.deploymentID) {
					var m slackMessage
					if err := json.Unmarshal(r.Body, &m); err != nil {
						t.Fatalf("Slack body is not JSON: %v: %.300s", err, r.Body)
					}
					found = append(found, m)
					if sub := snsFooter.FindStringSubmatch(string(r.Body)); sub == nil || sub[1] != d.messageID {
						t.Errorf("%s: the message's footer names SNS message %v, want %s", d.kind, sub, d.messageID)
					}
				}
			}
			if len(found) != 1 {
				t.Errorf("%s: %d Slack messages name deployment %s, want 1", d.kind, len(found), d.deploymentID)
				continue
			}
			for _, want := range d.says {
				if !strings.Contains(found[0].Text, want) {
					t.Errorf("%s: Slack text %q does not say %q", d.kind, found[0].Text, want)
				}
			}

			// CloudFront: one invalidation per event, with cutover's
			// idempotent caller reference.
			ref := cfaction.CallerReference(d.deploymentID, d.kind, invalidationPaths)
			if !strings.HasPrefix(ref, "cutover-"+d.deploymentID+"-"+string(d.kind)+"-") {
				t.Errorf("caller reference %q has an unexpected form", ref)
			}
			if paths, ok := refs[ref]; !ok {
				t.Errorf("%s: no invalidation of %s with caller reference %s; got %v", d.kind, distID, ref, refs)
			} else if !slices.Equal(paths, invalidationPaths) {
				t.Errorf("%s: invalidation paths %v, want %v", d.kind, paths, invalidationPaths)
			}
		}
		if len(refs) != len(deliveries) {
			t.Errorf("%d invalidations on %s, want %d: %v", len(refs), distID, len(deliveries), refs)
		}
		for ref := range refs {
			if !strings.HasPrefix(ref, "cutover-") {
				t.Errorf("invalidation caller reference %q does not start with cutover-", ref)
			}
		}

		// The Slack app: one living message per deployment (each
		// deployment here has one event), posted with the bot token the
		// function read from the secret Terraform referenced.
		parents := slack.fake.Parents(slackAppChannel)
		if len(parents) != len(deliveries) {
			t.Errorf("the Slack app's channel holds %d parent messages, want %d (one per deployment)", len(parents), len(deliveries))
		}
		for _, d := range deliveries {
			n := 0
			for _, m := range parents {
				if strings.Contains(m.Text+string(m.Blocks), d.deploymentID) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s: %d Slack app messages name deployment %s, want 1", d.kind, n, d.deploymentID)
			}
		}

		// The signed webhook: the failure only (its events filter the
		// traffic switch out), once, every request's signatures verified
		// by the receiver.
		if rej := oncall.Rejected(); len(rej) > 0 {
			t.Errorf("the webhook receiver rejected %d requests: %q", len(rej), rej)
		}
		accepted := oncall.Accepted()
		if len(accepted) != 1 {
			t.Errorf("the webhook receiver accepted %d signed requests, want 1 (the failure)", len(accepted))
		}
		for _, d := range deliveries {
			want := 0
			if d.kind == cd.DeploymentFailure {
				want = 1
			}
			n := 0
			for _, r := range accepted {
				var doc webhookDocument
				if err := json.Unmarshal(r.Body, &doc); err != nil {
					t.Fatalf("webhook body is not JSON: %v: %.300s", err, r.Body)
				}
				if doc.Event.DeploymentID != d.deploymentID {
					continue
				}
				n++
				if doc.Event.Name != string(d.kind) || !doc.Event.WentWrong || doc.Delivery.Destination != oncallName || doc.Delivery.ID != r.ID {
					t.Errorf("%s: webhook document event %q (went wrong %v), delivery %q to %q; want %s, true, the webhook-id %q, %s",
						d.kind, doc.Event.Name, doc.Event.WentWrong, doc.Delivery.ID, doc.Delivery.Destination, d.kind, r.ID, oncallName)
				}
			}
			if n != want {
				t.Errorf("%s: the webhook got %d requests for deployment %s, want %d", d.kind, n, d.deploymentID, want)
			}
		}

		// DynamoDB: one completed record per event and destination (sk)
		// the event went to: Slack and CloudFront for both, the webhook for
		// the failure only. The event key (pk) names the SNS message or
		// the deployment, whichever the ledger keys events by. Receipts
		// (pk receipt#…, the webhook's webhook-id per deployment) are not
		// delivery records.
		// The Slack app's records (sk slack-app: its deliveries and each
		// deployment's message state) are counted apart.
		var items, slackItems []map[string]ddbtypes.AttributeValue
		for _, it := range records(t) {
			switch pk, sk, _ := itemKey(it); {
			case strings.HasPrefix(pk, "receipt#"):
			case sk == slackAppName:
				slackItems = append(slackItems, it)
			default:
				items = append(items, it)
			}
		}
		for _, d := range deliveries {
			n := 0
			for _, it := range slackItems {
				if pk, _, state := itemKey(it); state == "done" && (strings.Contains(pk, d.messageID) || strings.Contains(pk, d.deploymentID)) {
					n++
				}
			}
			if n == 0 {
				t.Errorf("%s: no done record for %s naming SNS message %s or deployment %s; its records (pk|sk|state): %q",
					d.kind, slackAppName, d.messageID, d.deploymentID, describeItems(slackItems))
			}
		}
		got := describeItems(items)
		wantRecords := 0
		for _, d := range deliveries {
			for _, sk := range []string{"slack", "cloudfront:" + distID, oncallName} {
				want := 1
				if sk == oncallName && d.kind != cd.DeploymentFailure {
					want = 0
				}
				wantRecords += want
				n := 0
				for _, it := range items {
					pk, itSK, state := itemKey(it)
					if itSK == sk && state == "done" && (strings.Contains(pk, d.messageID) || strings.Contains(pk, d.deploymentID)) {
						n++
					}
				}
				if n != want {
					t.Errorf("%s: %d done records for %s naming SNS message %s or deployment %s, want %d; records (pk|sk|state): %q",
						d.kind, n, sk, d.messageID, d.deploymentID, want, got)
				}
			}
		}
		if len(items) != wantRecords {
			t.Errorf("%d records (pk|sk|state) %q, want %d: one per event for Slack and CloudFront, and the failure's for the webhook", len(items), got, wantRecords)
		}

		// The follow-up queue: a delayed completion check per
		// invalidation.
		if pending := followups(t); pending != len(deliveries) {
			t.Errorf("the follow-up queue holds %d messages, want %d (one completion check per invalidation)", pending, len(deliveries))
		}
	})

	if e2eOK {
		t.Run("redelivery_changes_nothing", func(t *testing.T) {
			s := time.Now()
			defer func() { took.e2e += time.Since(s) }()
			before := len(records(t))
			posts, updates := slack.fake.Calls("chat.postMessage"), slack.fake.Calls("chat.update")
			for _, d := range deliveries {
				invoke(t, d)
			}
			if n := chat.Count(); n != len(deliveries) {
				t.Errorf("after redelivery the fake Slack has %d requests, want still %d", n, len(deliveries))
			}
			if p, u := slack.fake.Calls("chat.postMessage"), slack.fake.Calls("chat.update"); p != posts || u != updates {
				t.Errorf("after redelivery the Slack app made %d posts and %d updates, want still %d and %d", p, u, posts, updates)
			}
			if n, rej := len(oncall.Accepted()), oncall.Rejected(); n != 1 || len(rej) > 0 {
				t.Errorf("after redelivery the webhook receiver accepted %d requests and rejected %q, want still 1 and none", n, rej)
			}
			if refs := invalidations(t); len(refs) != len(deliveries) {
				t.Errorf("after redelivery %d invalidations, want still %d (moto itself does not deduplicate caller references)", len(refs), len(deliveries))
			}
			if after := len(records(t)); after != before {
				t.Errorf("after redelivery %d records, want still %d", after, before)
			}
			if n := followups(t); n != len(deliveries) {
				t.Errorf("after redelivery the follow-up queue holds %d messages, want still %d", n, len(deliveries))
			}
		})
	}

	t.Run("webhook_stays_secret", func(t *testing.T) {
		webhook := chat.WebhookURL()
		rawOuts, _, err := tf.outputs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		state, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
		if err != nil {
			t.Fatalf("read state: %v", err)
		}
		for what, s := range map[string]string{
			"terraform output -json":              rawOuts,
			"the state":                           string(state),
			"the function's configuration (moto)": string(fnConfigJS),
			"the function's output (logs)":        rie.Output(),
		} {
			if p := containsWebhook(s, webhook); p != "" {
				t.Errorf("%s holds the webhook URL (%q)", what, p)
			}
		}
		// The second destination's URL and signing secret: in its two
		// SSM parameters (and so in their state), nowhere else.
		for what, s := range map[string]string{
			"terraform output -json":              rawOuts,
			"the function's configuration (moto)": string(fnConfigJS),
			"the function's output (logs)":        rie.Output(),
		} {
			if leak := oncall.leaks(s); leak != "" {
				t.Errorf("%s holds %s of the oncall webhook", what, leak)
			}
		}
		// The Slack app's bot token and signing secret: in Secrets
		// Manager only, where the user put them.
		for what, s := range map[string]string{
			"terraform output -json":              rawOuts,
			"the state":                           string(state),
			"the function's configuration (moto)": string(fnConfigJS),
			"the function's output (logs)":        rie.Output(),
		} {
			if leak := slack.leaks(s); leak != "" {
				t.Errorf("%s holds %s of the Slack app", what, leak)
			}
		}
		leaks, expected := stateLeaks(t, state, oncall)
		if len(leaks) > 0 {
			t.Errorf("in the state, more than the oncall_webhook parameters hold the webhook's secrets: %q", leaks)
		}
		// As the example's README says, the two parameters do (their
		// values come from the sensitive variable): the search finds them.
		if want := []string{"aws_ssm_parameter.oncall_webhook_signing_secret (the signing secret)", "aws_ssm_parameter.oncall_webhook_url (the webhook URL)"}; !slices.Equal(slices.Sorted(slices.Values(expected)), want) {
			t.Errorf("in the state, the webhook's secrets are in %q, want %q", expected, want)
		}
	})

	// The test's own subscription and queue go before the destroy, so that
	// what is left afterwards can be checked against an empty account.
	if tapSub != "" {
		if _, err := snsc.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(tapSub)}); err != nil {
			t.Errorf("Unsubscribe: %v", err)
		}
	}
	if tapQueue != "" {
		if _, err := sqsc.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(tapQueue)}); err != nil {
			t.Errorf("DeleteQueue: %v", err)
		}
	}

	// So are the Slack app's secrets, which the user made outside Terraform.
	slack.deleteSecrets(ctx, t, smc)

	if !t.Run("destroy", func(t *testing.T) {
		// -refresh=false: the apply read every resource back already, and
		// refreshing 47 resources on moto costs seconds the test has not.
		destroyStarted = true
		s := time.Now()
		out, err := tf.run(ctx, bounded(t, destroyTimeout), "destroy", "-auto-approve", "-input=false", "-refresh=false")
		took.destroy = time.Since(s)
		if err != nil {
			t.Fatalf("%v (terraform's output is logged below)", err)
		}
		destroyCount = resourceCount(out, "destroyed")
		if destroyCount != applyCount {
			t.Errorf("destroyed %d resources, applied %d", destroyCount, applyCount)
		}
	}) {
		t.FailNow()
	}

	t.Run("nothing_left", func(t *testing.T) {
		checkNothingLeft(ctx, t, raw, cfg, secretARN)
	})

	t.Logf("summary: init %s, apply %s (%d resources), e2e %s (%d events, each delivered twice), destroy %s (%d resources), total %s",
		took.init.Round(100*time.Millisecond), took.apply.Round(100*time.Millisecond), applyCount,
		took.e2e.Round(100*time.Millisecond), len(deliveries),
		took.destroy.Round(100*time.Millisecond), destroyCount, time.Since(started).Round(100*time.Millisecond))
}

// bounded returns d, or less when the test binary's deadline (go test
// -timeout) comes earlier: what is left of it minus a margin for the
// cleanups.
func bounded(t *testing.T, d time.Duration) time.Duration {
	deadline, ok := t.Deadline()
	if !ok {
		return d
	}
	return max(min(d, time.Until(deadline)-20*time.Second), time.Second)
}

// createDeployment starts a CodeDeploy deployment of g's task definition on
// g's deployment group (moto keeps it "Created"; the test patches its
// status) and returns its ID.
func createDeployment(ctx context.Context, t *testing.T, c *codedeploy.Client, g deploymentGroup) string {
	t.Helper()
	appSpec := fmt.Sprintf(`{"version":0.0,"Resources":[{"TargetService":{"Type":"AWS::ECS::Service","Properties":{"TaskDefinition":%q,"LoadBalancerInfo":{"ContainerName":"web","ContainerPort":80}}}}]}`, g.TaskDefinitionARN)
	out, err := c.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{
		ApplicationName:     aws.String(g.Application),
		DeploymentGroupName: aws.String(g.Group),
		Revision: &cdtypes.RevisionLocation{
			RevisionType:   cdtypes.RevisionLocationTypeAppSpecContent,
			AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(appSpec)},
		},
	})
	if err != nil {
		t.Fatalf("CreateDeployment on %s/%s: %v", g.Application, g.Group, err)
	}
	return aws.ToString(out.DeploymentId)
}

// queueAttr returns one attribute of an SQS queue.
func queueAttr(ctx context.Context, t *testing.T, c *sqs.Client, url string, name sqstypes.QueueAttributeName) string {
	t.Helper()
	out, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{name}})
	if err != nil {
		t.Fatalf("GetQueueAttributes %s %s: %v", url, name, err)
	}
	return out.Attributes[string(name)]
}

// receiveEnvelopes receives (and deletes) n SNS envelopes from an SQS
// subscriber queue and returns them by SNS MessageId.
func receiveEnvelopes(ctx context.Context, t *testing.T, c *sqs.Client, url string, n int) map[string][]byte {
	t.Helper()
	got := map[string][]byte{}
	deadline := time.Now().Add(30 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		for _, m := range out.Messages {
			body := aws.ToString(m.Body)
			var env struct{ Type, MessageId string }
			if err := json.Unmarshal([]byte(body), &env); err != nil || env.Type != "Notification" {
				t.Fatalf("the tap queue got %.300s, want an SNS Notification envelope (%v)", body, err)
			}
			got[env.MessageId] = []byte(body)
			if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("DeleteMessage: %v", err)
			}
		}
	}
	if len(got) < n {
		t.Fatalf("the tap queue got %d SNS messages in 30 s, want %d", len(got), n)
	}
	return got
}

// itemKey returns a delivery record's pk, sk and state ("?" for any that
// is missing or not a string).
func itemKey(it map[string]ddbtypes.AttributeValue) (pk, sk, state string) {
	s := func(k string) string {
		if v, ok := it[k].(*ddbtypes.AttributeValueMemberS); ok {
			return v.Value
		}
		return "?"
	}
	return s("pk"), s("sk"), s("state")
}

// describeItem renders a delivery record's key and state, pk|sk|state.
func describeItem(it map[string]ddbtypes.AttributeValue) string {
	pk, sk, state := itemKey(it)
	return pk + "|" + sk + "|" + state
}

// describeItems renders items with describeItem, sorted.
func describeItems(items []map[string]ddbtypes.AttributeValue) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, describeItem(it))
	}
	sort.Strings(out)
	return out
}
