package testrig_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/smithy-go"

	"github.com/cutover-dev/cutover/internal/testrig"
)

// TestMotoHookStatus: moto's patched CodeDeploy records every
// PutLifecycleEventHookExecutionStatus, refuses a second status for the
// same execution as AWS does, fails on demand, and serves the ECS targets a
// test sets.
func TestMotoHookStatus(t *testing.T) {
	m := testrig.StartMoto(t)
	ctx := testCtx(t)
	cd := codedeploy.NewFromConfig(m.AWSConfig(t), func(o *codedeploy.Options) { o.RetryMaxAttempts = 1 })
	createECSGroup(ctx, t, cd, "hookapp", "hookapp-prod")
	out, err := cd.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{
		ApplicationName: aws.String("hookapp"), DeploymentGroupName: aws.String("hookapp-prod"),
		Revision: &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeAppSpecContent,
			AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(`{"version":0.0}`)}},
	})
	if err != nil {
		t.Fatalf("CreateDeployment: %v", err)
	}
	id := aws.ToString(out.DeploymentId)

	m.SetDeploymentTargets(t, id, []map[string]any{{
		"targetId": "prod:web", "targetArn": "arn:aws:ecs:us-east-1:123456789012:service/prod/web",
		"lifecycleEvents": []map[string]any{{"lifecycleEventName": "AfterAllowTraffic", "status": "InProgress"}},
	}})
	ids, err := cd.ListDeploymentTargets(ctx, &codedeploy.ListDeploymentTargetsInput{DeploymentId: aws.String(id)})
	if err != nil || len(ids.TargetIds) != 1 || ids.TargetIds[0] != "prod:web" {
		t.Fatalf("ListDeploymentTargets: %v %v", ids, err)
	}
	tgt, err := cd.GetDeploymentTarget(ctx, &codedeploy.GetDeploymentTargetInput{DeploymentId: aws.String(id), TargetId: aws.String("prod:web")})
	if err != nil || tgt.DeploymentTarget.EcsTarget == nil || tgt.DeploymentTarget.EcsTarget.LifecycleEvents[0].Status != cdtypes.LifecycleEventStatusInProgress {
		t.Fatalf("GetDeploymentTarget: %+v %v", tgt, err)
	}

	put := func(exec string) error {
		_, err := cd.PutLifecycleEventHookExecutionStatus(ctx, &codedeploy.PutLifecycleEventHookExecutionStatusInput{
			DeploymentId: aws.String(id), LifecycleEventHookExecutionId: aws.String(exec), Status: cdtypes.LifecycleEventStatusSucceeded,
		})
		return err
	}
	m.FailHookStatus(t, "ThrottlingException", 400, 1)
	var api smithy.APIError
	if err := put("exec-1"); err == nil || !errors.As(err, &api) || api.ErrorCode() != "ThrottlingException" {
		t.Errorf("fault on demand: %v", err)
	}
	if err := put("exec-1"); err != nil {
		t.Fatalf("first status: %v", err)
	}
	if err := put("exec-1"); err == nil || !errors.As(err, &api) || api.ErrorCode() != "LifecycleEventAlreadyCompletedException" {
		t.Errorf("second status for the same execution: %v", err)
	}
	calls := m.HookStatusCalls(t, id)
	if len(calls) != 2 || calls[0].Status != "Succeeded" || calls[0].ExecutionID != "exec-1" {
		t.Errorf("recorded calls %+v, want the two accepted attempts (the throttled one never reached the model)", calls)
	}
}
