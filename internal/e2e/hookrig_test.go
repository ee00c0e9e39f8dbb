package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cutover-dev/cutover/internal/testrig"
)

// hookRigOptions say what a hook rig sets up besides moto.
type hookRigOptions struct {
	// CodeDeployApp and CodeDeployGroup name the CodeDeploy application
	// and its ECS blue/green deployment group created on moto; none when
	// CodeDeployApp is empty.
	CodeDeployApp, CodeDeployGroup string
	// ECSFake starts testrig's ECS fake (service deployments, which moto
	// lacks) and points the functions' ECS client at it.
	ECSFake bool
}

// hookRig is what the lifecycle-hook e2e tests share: moto (CodeDeploy,
// DynamoDB records tables, SQS), optionally the ECS fake, and the
// environment the functions it starts get. Each function is the real
// bootstrap under the Lambda emulator with its own fake Slack.
type hookRig struct {
	moto *testrig.Moto
	// ecs is the ECS fake; nil unless hookRigOptions.ECSFake.
	ecs *testrig.ECSFake
	cd  *codedeploy.Client
	ddb *dynamodb.Client
	sqs *sqs.Client
	// appName and groupName are the CodeDeploy application and
	// deployment group (hookRigOptions).
	appName, groupName string
	// env points every AWS SDK call of a function at the rig.
	env []string
}

// newHookRig starts moto (and the ECS fake when asked) and creates the
// CodeDeploy application and deployment group of opts.
func newHookRig(t *testing.T, opts hookRigOptions) *hookRig {
	t.Helper()
	m := testrig.StartMoto(t)
	cfg := m.AWSConfig(t)
	r := &hookRig{
		moto: m, cd: codedeploy.NewFromConfig(cfg), ddb: dynamodb.NewFromConfig(cfg), sqs: sqs.NewFromConfig(cfg),
		appName: opts.CodeDeployApp, groupName: opts.CodeDeployGroup, env: m.Env(),
	}
	if opts.ECSFake {
		r.ecs = testrig.ECSFakeBlueGreen(t)
		r.env = append(r.env, "AWS_ENDPOINT_URL_ECS="+r.ecs.URL)
	}
	if r.appName == "" {
		return r
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := r.cd.CreateApplication(ctx, &codedeploy.CreateApplicationInput{
		ApplicationName: aws.String(r.appName), ComputePlatform: cdtypes.ComputePlatformEcs,
	}); err != nil {
		t.Fatalf("CreateApplication: %v", err)
	}
	if _, err := r.cd.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{
		ApplicationName: aws.String(r.appName), DeploymentGroupName: aws.String(r.groupName),
		ServiceRoleArn:       aws.String("arn:aws:iam::123456789012:role/codedeploy"),
		DeploymentConfigName: aws.String("CodeDeployDefault.ECSAllAtOnce"),
		DeploymentStyle: &cdtypes.DeploymentStyle{
			DeploymentOption: cdtypes.DeploymentOptionWithTrafficControl, DeploymentType: cdtypes.DeploymentTypeBlueGreen,
		},
		EcsServices: []cdtypes.ECSService{{ClusterName: aws.String("prod"), ServiceName: aws.String("web")}},
	}); err != nil {
		t.Fatalf("CreateDeploymentGroup: %v", err)
	}
	return r
}

// table creates a DynamoDB delivery-records table on moto and returns its
// name.
func (r *hookRig) table(t *testing.T, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := r.ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
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
		t.Fatalf("create table %s: %v", name, err)
	}
	return name
}

// queue creates an SQS queue on moto and returns its URL.
func (r *hookRig) queue(t *testing.T, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q, err := r.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	return aws.ToString(q.QueueUrl)
}

// function starts the real bootstrap under the emulator against the rig,
// with a fake Slack of its own and the settings in extra (a later
// setting of the same variable wins).
func (r *hookRig) function(t *testing.T, extra ...string) *lambdaRig {
	t.Helper()
	return startLambda(t, r.env, extra...)
}

// deployment creates a CodeDeploy deployment on moto whose ECS target has
// AfterAllowTraffic in progress, and returns its ID.
func (r *hookRig) deployment(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := r.cd.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{
		ApplicationName: aws.String(r.appName), DeploymentGroupName: aws.String(r.groupName),
		Revision: &cdtypes.RevisionLocation{
			RevisionType: cdtypes.RevisionLocationTypeAppSpecContent,
			AppSpecContent: &cdtypes.AppSpecContent{
				Content: aws.String(`{"version":0.0,"Resources":[{"TargetService":{"Type":"AWS::ECS::Service","Properties":{"TaskDefinition":"arn:aws:ecs:us-east-1:123456789012:task-definition/web:7"}}}]}`),
			},
		},
	})
	if err != nil {
		t.Fatalf("CreateDeployment: %v", err)
	}
	id := aws.ToString(out.DeploymentId)
	r.moto.SetDeploymentTargets(t, id, []map[string]any{{
		"targetId": "prod:web", "targetArn": "arn:aws:ecs:us-east-1:123456789012:service/prod/web",
		"lifecycleEvents": []map[string]any{
			{"lifecycleEventName": "BeforeAllowTraffic", "status": "Succeeded"},
			{"lifecycleEventName": "AllowTraffic", "status": "Succeeded"},
			{"lifecycleEventName": "AfterAllowTraffic", "status": "InProgress"},
		},
	}})
	return id
}

// newMessages returns a function that returns the bodies chat received
// since its previous call.
func newMessages(chat *testrig.FakeChat) func() []string {
	seen := 0
	return func() []string {
		reqs := chat.Requests()
		var out []string
		for _, r := range reqs[seen:] {
			out = append(out, string(r.Body))
		}
		seen = len(reqs)
		return out
	}
}
