package testrig_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"

	"github.com/cutover-dev/cutover/internal/testrig"
)

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// createECSGroup creates an ECS blue/green application and deployment group
// shaped like the one cutover's Terraform module makes.
func createECSGroup(ctx context.Context, t *testing.T, cd *codedeploy.Client, app, group string) {
	t.Helper()
	if _, err := cd.CreateApplication(ctx, &codedeploy.CreateApplicationInput{
		ApplicationName: aws.String(app),
		ComputePlatform: cdtypes.ComputePlatformEcs,
	}); err != nil {
		t.Fatalf("CreateApplication: %v", err)
	}
	_, err := cd.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{
		ApplicationName:      aws.String(app),
		DeploymentGroupName:  aws.String(group),
		ServiceRoleArn:       aws.String("arn:aws:iam::123456789012:role/codedeploy"),
		DeploymentConfigName: aws.String("CodeDeployDefault.ECSAllAtOnce"),
		DeploymentStyle: &cdtypes.DeploymentStyle{
			DeploymentOption: cdtypes.DeploymentOptionWithTrafficControl,
			DeploymentType:   cdtypes.DeploymentTypeBlueGreen,
		},
		BlueGreenDeploymentConfiguration: &cdtypes.BlueGreenDeploymentConfiguration{
			DeploymentReadyOption: &cdtypes.DeploymentReadyOption{ActionOnTimeout: cdtypes.DeploymentReadyActionContinueDeployment},
			TerminateBlueInstancesOnDeploymentSuccess: &cdtypes.BlueInstanceTerminationOption{
				Action:                       cdtypes.InstanceActionTerminate,
				TerminationWaitTimeInMinutes: 60,
			},
		},
		EcsServices: []cdtypes.ECSService{{ClusterName: aws.String("prod"), ServiceName: aws.String("web")}},
		LoadBalancerInfo: &cdtypes.LoadBalancerInfo{TargetGroupPairInfoList: []cdtypes.TargetGroupPairInfo{{
			ProdTrafficRoute: &cdtypes.TrafficRoute{ListenerArns: []string{"arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/1/2"}},
			TargetGroups:     []cdtypes.TargetGroupInfo{{Name: aws.String("blue")}, {Name: aws.String("green")}},
		}}},
		TriggerConfigurations: []cdtypes.TriggerConfig{{
			TriggerName:      aws.String("cutover"),
			TriggerTargetArn: aws.String("arn:aws:sns:us-east-1:123456789012:cutover"),
			TriggerEvents:    []cdtypes.TriggerEventType{cdtypes.TriggerEventTypeDeploymentStart, cdtypes.TriggerEventTypeInstanceSuccess},
		}},
		AutoRollbackConfiguration: &cdtypes.AutoRollbackConfiguration{
			Enabled: true,
			Events:  []cdtypes.AutoRollbackEvent{cdtypes.AutoRollbackEventDeploymentFailure},
		},
	})
	if err != nil {
		t.Fatalf("CreateDeploymentGroup: %v", err)
	}
}

// TestMoto starts one moto and runs the checks against it in turn; moto
// takes seconds to start on a busy machine.
func TestMoto(t *testing.T) {
	t.Parallel()
	m := testrig.StartMoto(t)
	t.Run("CodeDeploy", func(t *testing.T) { testMotoCodeDeploy(t, m) })
	t.Run("CodeDeployDeployment", func(t *testing.T) { testMotoCodeDeployDeployment(t, m) })
	t.Run("CloudFront", func(t *testing.T) { testMotoCloudFront(t, m) })
}

func testMotoCodeDeploy(t *testing.T, m *testrig.Moto) {
	ctx := testCtx(t)
	cd := codedeploy.NewFromConfig(m.AWSConfig(t))
	createECSGroup(ctx, t, cd, "web", "web-prod")

	app, err := cd.GetApplication(ctx, &codedeploy.GetApplicationInput{ApplicationName: aws.String("web")})
	if err != nil {
		t.Fatalf("GetApplication: %v", err)
	}
	if app.Application.CreateTime == nil || app.Application.CreateTime.Before(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("GetApplication createTime = %v, want a recent time", app.Application.CreateTime)
	}
	if _, err := cd.BatchGetApplications(ctx, &codedeploy.BatchGetApplicationsInput{ApplicationNames: []string{"web"}}); err != nil {
		t.Errorf("BatchGetApplications: %v", err)
	}

	dg, err := cd.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{
		ApplicationName: aws.String("web"), DeploymentGroupName: aws.String("web-prod"),
	})
	if err != nil {
		t.Fatalf("GetDeploymentGroup: %v", err)
	}
	info := dg.DeploymentGroupInfo
	if got := aws.ToString(info.DeploymentConfigName); got != "CodeDeployDefault.ECSAllAtOnce" {
		t.Errorf("deploymentConfigName = %q", got)
	}
	if len(info.TriggerConfigurations) != 1 || aws.ToString(info.TriggerConfigurations[0].TriggerTargetArn) != "arn:aws:sns:us-east-1:123456789012:cutover" {
		t.Errorf("triggerConfigurations = %+v", info.TriggerConfigurations)
	}
	if bg := info.BlueGreenDeploymentConfiguration; bg == nil || bg.TerminateBlueInstancesOnDeploymentSuccess == nil ||
		bg.TerminateBlueInstancesOnDeploymentSuccess.TerminationWaitTimeInMinutes != 60 {
		t.Errorf("blueGreenDeploymentConfiguration = %+v", bg)
	}
	if len(info.EcsServices) != 1 || aws.ToString(info.EcsServices[0].ServiceName) != "web" {
		t.Errorf("ecsServices = %+v", info.EcsServices)
	}
	if info.OutdatedInstancesStrategy != cdtypes.OutdatedInstancesStrategyUpdate {
		t.Errorf("outdatedInstancesStrategy = %q, want UPDATE", info.OutdatedInstancesStrategy)
	}

	if _, err := cd.UpdateDeploymentGroup(ctx, &codedeploy.UpdateDeploymentGroupInput{
		ApplicationName:            aws.String("web"),
		CurrentDeploymentGroupName: aws.String("web-prod"),
		NewDeploymentGroupName:     aws.String("web-live"),
		TriggerConfigurations:      []cdtypes.TriggerConfig{},
	}); err != nil {
		t.Fatalf("UpdateDeploymentGroup: %v", err)
	}
	dg, err = cd.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{
		ApplicationName: aws.String("web"), DeploymentGroupName: aws.String("web-live"),
	})
	if err != nil {
		t.Fatalf("GetDeploymentGroup after rename: %v", err)
	}
	if n := len(dg.DeploymentGroupInfo.TriggerConfigurations); n != 0 {
		t.Errorf("triggerConfigurations after update: %d, want 0", n)
	}
	if len(dg.DeploymentGroupInfo.EcsServices) != 1 {
		t.Errorf("ecsServices changed by an update that did not name them: %+v", dg.DeploymentGroupInfo.EcsServices)
	}

	cfg, err := cd.GetDeploymentConfig(ctx, &codedeploy.GetDeploymentConfigInput{DeploymentConfigName: aws.String("CodeDeployDefault.ECSAllAtOnce")})
	if err != nil {
		t.Fatalf("GetDeploymentConfig: %v", err)
	}
	if cfg.DeploymentConfigInfo.ComputePlatform != cdtypes.ComputePlatformEcs {
		t.Errorf("GetDeploymentConfig computePlatform = %q", cfg.DeploymentConfigInfo.ComputePlatform)
	}

	if _, err := cd.DeleteDeploymentGroup(ctx, &codedeploy.DeleteDeploymentGroupInput{
		ApplicationName: aws.String("web"), DeploymentGroupName: aws.String("web-live"),
	}); err != nil {
		t.Fatalf("DeleteDeploymentGroup: %v", err)
	}
	_, err = cd.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{
		ApplicationName: aws.String("web"), DeploymentGroupName: aws.String("web-live"),
	})
	if nf := (*cdtypes.DeploymentGroupDoesNotExistException)(nil); !errors.As(err, &nf) {
		t.Errorf("GetDeploymentGroup after delete: err = %v, want DeploymentGroupDoesNotExistException", err)
	}
	if _, err := cd.DeleteApplication(ctx, &codedeploy.DeleteApplicationInput{ApplicationName: aws.String("web")}); err != nil {
		t.Fatalf("DeleteApplication: %v", err)
	}
	_, err = cd.GetApplication(ctx, &codedeploy.GetApplicationInput{ApplicationName: aws.String("web")})
	if nf := (*cdtypes.ApplicationDoesNotExistException)(nil); !errors.As(err, &nf) {
		t.Errorf("GetApplication after delete: err = %v, want ApplicationDoesNotExistException", err)
	}
}

func testMotoCodeDeployDeployment(t *testing.T, m *testrig.Moto) {
	ctx := testCtx(t)
	cd := codedeploy.NewFromConfig(m.AWSConfig(t))
	createECSGroup(ctx, t, cd, "api", "api-prod")

	created, err := cd.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{
		ApplicationName:     aws.String("api"),
		DeploymentGroupName: aws.String("api-prod"),
		Revision: &cdtypes.RevisionLocation{
			RevisionType: cdtypes.RevisionLocationTypeAppSpecContent,
			AppSpecContent: &cdtypes.AppSpecContent{
				Content: aws.String(`{"version":0.0,"Resources":[{"TargetService":{"Type":"AWS::ECS::Service","Properties":{"TaskDefinition":"arn:aws:ecs:us-east-1:123456789012:task-definition/api:7"}}}]}`),
			},
		},
	})
	if err != nil {
		t.Fatalf("CreateDeployment: %v", err)
	}
	id := aws.ToString(created.DeploymentId)
	if !strings.HasPrefix(id, "d-") || len(id) != 11 {
		t.Errorf("deployment ID %q does not look like an AWS one (d-XXXXXXXXX)", id)
	}

	got, err := cd.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: created.DeploymentId})
	if err != nil {
		t.Fatalf("GetDeployment: %v", err)
	}
	if got.DeploymentInfo.CreateTime == nil || got.DeploymentInfo.Status != cdtypes.DeploymentStatusCreated {
		t.Errorf("GetDeployment = createTime %v status %q", got.DeploymentInfo.CreateTime, got.DeploymentInfo.Status)
	}

	m.PatchDeployment(t, id, map[string]any{
		"status":                             "InProgress",
		"instanceTerminationWaitTimeStarted": true,
		"startTime":                          time.Now().Unix(),
	})
	got, err = cd.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: created.DeploymentId})
	if err != nil {
		t.Fatalf("GetDeployment after patch: %v", err)
	}
	if got.DeploymentInfo.Status != cdtypes.DeploymentStatusInProgress || !got.DeploymentInfo.InstanceTerminationWaitTimeStarted {
		t.Errorf("after patch: status %q, instanceTerminationWaitTimeStarted %v", got.DeploymentInfo.Status, got.DeploymentInfo.InstanceTerminationWaitTimeStarted)
	}
	batch, err := cd.BatchGetDeployments(ctx, &codedeploy.BatchGetDeploymentsInput{DeploymentIds: []string{id}})
	if err != nil || len(batch.DeploymentsInfo) != 1 {
		t.Fatalf("BatchGetDeployments: %v (%d)", err, len(batch.DeploymentsInfo))
	}

	stop, err := cd.StopDeployment(ctx, &codedeploy.StopDeploymentInput{DeploymentId: created.DeploymentId, AutoRollbackEnabled: aws.Bool(true)})
	if err != nil {
		t.Fatalf("StopDeployment: %v", err)
	}
	if stop.Status != cdtypes.StopStatusSucceeded {
		t.Errorf("StopDeployment status = %q", stop.Status)
	}
	got, err = cd.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: created.DeploymentId})
	if err != nil {
		t.Fatalf("GetDeployment after stop: %v", err)
	}
	if got.DeploymentInfo.Status != cdtypes.DeploymentStatusStopped || got.DeploymentInfo.CompleteTime == nil {
		t.Errorf("after stop: status %q, completeTime %v", got.DeploymentInfo.Status, got.DeploymentInfo.CompleteTime)
	}
	if !slices.Contains(got.DeploymentInfo.DeploymentStatusMessages, "testrig: StopDeployment autoRollbackEnabled=true") {
		t.Errorf("deploymentStatusMessages = %q, want the StopDeployment record", got.DeploymentInfo.DeploymentStatusMessages)
	}

	m.Reset(t)
	_, err = cd.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: created.DeploymentId})
	if nf := (*cdtypes.DeploymentDoesNotExistException)(nil); !errors.As(err, &nf) {
		t.Errorf("GetDeployment after reset: err = %v, want DeploymentDoesNotExistException", err)
	}
}

func testMotoCloudFront(t *testing.T, m *testrig.Moto) {
	ctx := testCtx(t)
	cf := cloudfront.NewFromConfig(m.AWSConfig(t))

	distID := aws.String(m.CreateDistribution(t, "testrig"))

	inv, err := cf.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{
		DistributionId: distID,
		InvalidationBatch: &cftypes.InvalidationBatch{
			CallerReference: aws.String("d-7XQ2K9ABC"),
			Paths:           &cftypes.Paths{Quantity: aws.Int32(2), Items: []string{"/index.html", "/assets/*"}},
		},
	})
	if err != nil {
		t.Fatalf("CreateInvalidation: %v", err)
	}
	got, err := cf.GetInvalidation(ctx, &cloudfront.GetInvalidationInput{DistributionId: distID, Id: inv.Invalidation.Id})
	if err != nil {
		t.Fatalf("GetInvalidation: %v", err)
	}
	// moto says COMPLETED, AWS says Completed: compare case-insensitively.
	if !strings.EqualFold(aws.ToString(got.Invalidation.Status), "completed") {
		t.Errorf("invalidation status = %q", aws.ToString(got.Invalidation.Status))
	}
	if paths := got.Invalidation.InvalidationBatch.Paths.Items; !slices.Equal(paths, []string{"/index.html", "/assets/*"}) {
		t.Errorf("invalidation paths = %q", paths)
	}
}

func TestMotoEnv(t *testing.T) {
	m := &testrig.Moto{Endpoint: "http://127.0.0.1:1"}
	env := m.Env()
	for _, want := range []string{
		"AWS_ENDPOINT_URL=http://127.0.0.1:1",
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
	} {
		if !slices.Contains(env, want) {
			t.Errorf("Env() = %q, missing %q", env, want)
		}
	}
}
