package interact

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/cutover-dev/cutover/internal/control"
	"github.com/cutover-dev/cutover/internal/deploy"
)

// State is what a platform says about a deployment before an action.
type State struct {
	// Status is the platform's own status word (CodeDeploy "InProgress",
	// ECS "IN_PROGRESS"), shown to the user.
	Status string
	// Ended is true once the deployment succeeded, failed, stopped or
	// rolled back (or a rollback was requested): nothing can be done to it.
	Ended bool
	// Window is true while the rollback window is open (CodeDeploy's
	// termination wait, ECS bake time): Finish early needs it.
	Window bool
}

// Platform performs actions on one kind of deployment.
type Platform interface {
	// State reads the deployment's current state.
	State(ctx context.Context, ref control.Ref) (State, error)
	// Do performs a, which the platform supports (control.Supports).
	Do(ctx context.Context, ref control.Ref, a control.Action) error
}

// ErrUnsupported is returned by Platform.Do for an action the platform
// does not have.
var ErrUnsupported = errors.New("the platform has no such action")

// CodeDeployAPI is the part of the CodeDeploy client the buttons use.
type CodeDeployAPI interface {
	GetDeployment(ctx context.Context, in *codedeploy.GetDeploymentInput, optFns ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentOutput, error)
	StopDeployment(ctx context.Context, in *codedeploy.StopDeploymentInput, optFns ...func(*codedeploy.Options)) (*codedeploy.StopDeploymentOutput, error)
	ContinueDeployment(ctx context.Context, in *codedeploy.ContinueDeploymentInput, optFns ...func(*codedeploy.Options)) (*codedeploy.ContinueDeploymentOutput, error)
}

// CodeDeploy acts on CodeDeploy blue/green deployments: roll back is
// StopDeployment with autoRollbackEnabled, finish early is
// ContinueDeployment with TERMINATION_WAIT.
type CodeDeploy struct {
	// Client is the CodeDeploy client; calls go to the Ref's region.
	Client CodeDeployAPI
}

func cdRegion(ref control.Ref) func(*codedeploy.Options) {
	return func(o *codedeploy.Options) {
		if ref.Region != "" {
			o.Region = ref.Region
		}
	}
}

// State reads the deployment with GetDeployment.
func (c CodeDeploy) State(ctx context.Context, ref control.Ref) (State, error) {
	out, err := c.Client.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(ref.DeploymentID)}, cdRegion(ref))
	if err != nil {
		return State{}, fmt.Errorf("codedeploy: get deployment: %w", err)
	}
	if out.DeploymentInfo == nil {
		return State{}, errors.New("codedeploy: get deployment: no deployment in the answer")
	}
	info := out.DeploymentInfo
	st := State{Status: string(info.Status)}
	switch info.Status {
	case cdtypes.DeploymentStatusSucceeded, cdtypes.DeploymentStatusFailed, cdtypes.DeploymentStatusStopped:
		st.Ended = true
	}
	st.Window = !st.Ended && info.InstanceTerminationWaitTimeStarted
	return st, nil
}

// Do stops the deployment with rollback, or ends its termination wait.
func (c CodeDeploy) Do(ctx context.Context, ref control.Ref, a control.Action) error {
	switch a {
	case control.Rollback:
		_, err := c.Client.StopDeployment(ctx, &codedeploy.StopDeploymentInput{
			DeploymentId: aws.String(ref.DeploymentID), AutoRollbackEnabled: aws.Bool(true)}, cdRegion(ref))
		if err != nil {
			return fmt.Errorf("codedeploy: stop deployment: %w", err)
		}
		return nil
	case control.FinishEarly:
		_, err := c.Client.ContinueDeployment(ctx, &codedeploy.ContinueDeploymentInput{
			DeploymentId: aws.String(ref.DeploymentID), DeploymentWaitType: cdtypes.DeploymentWaitTypeTerminationWait}, cdRegion(ref))
		if err != nil {
			return fmt.Errorf("codedeploy: continue deployment: %w", err)
		}
		return nil
	}
	return ErrUnsupported
}

// ECSAPI is the part of the ECS client the buttons use.
type ECSAPI interface {
	DescribeServiceDeployments(ctx context.Context, in *ecs.DescribeServiceDeploymentsInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServiceDeploymentsOutput, error)
	StopServiceDeployment(ctx context.Context, in *ecs.StopServiceDeploymentInput, optFns ...func(*ecs.Options)) (*ecs.StopServiceDeploymentOutput, error)
}

// ECS acts on ECS-native blue/green deployments: roll back is
// StopServiceDeployment with stopType ROLLBACK. Nothing ends bake time
// early, so there is no finish early.
type ECS struct {
	// Client is the ECS client; calls go to the Ref's region.
	Client ECSAPI
}

func ecsRegion(ref control.Ref) func(*ecs.Options) {
	return func(o *ecs.Options) {
		if ref.Region != "" {
			o.Region = ref.Region
		}
	}
}

// State reads the service deployment with DescribeServiceDeployments.
func (e ECS) State(ctx context.Context, ref control.Ref) (State, error) {
	out, err := e.Client.DescribeServiceDeployments(ctx, &ecs.DescribeServiceDeploymentsInput{
		ServiceDeploymentArns: []string{ref.DeploymentID}}, ecsRegion(ref))
	if err != nil {
		return State{}, fmt.Errorf("ecs: describe service deployments: %w", err)
	}
	if len(out.ServiceDeployments) == 0 {
		reason := "not found"
		if len(out.Failures) > 0 && out.Failures[0].Reason != nil {
			reason = *out.Failures[0].Reason
		}
		return State{}, fmt.Errorf("ecs: service deployment %s: %s", ref.DeploymentID, clip(reason, 200))
	}
	sd := out.ServiceDeployments[0]
	st := State{Status: string(sd.Status)}
	switch sd.Status {
	case ecstypes.ServiceDeploymentStatusPending, ecstypes.ServiceDeploymentStatusInProgress:
	default:
		st.Ended = true
	}
	st.Window = !st.Ended && sd.LifecycleStage == ecstypes.ServiceDeploymentLifecycleStageBakeTime
	return st, nil
}

// Do stops the service deployment with rollback.
func (e ECS) Do(ctx context.Context, ref control.Ref, a control.Action) error {
	if a != control.Rollback {
		return ErrUnsupported
	}
	_, err := e.Client.StopServiceDeployment(ctx, &ecs.StopServiceDeploymentInput{
		ServiceDeploymentArn: aws.String(ref.DeploymentID), StopType: ecstypes.StopServiceDeploymentStopTypeRollback}, ecsRegion(ref))
	if err != nil {
		return fmt.Errorf("ecs: stop service deployment: %w", err)
	}
	return nil
}

// Platforms chooses the Platform for a Ref.
type Platforms struct {
	// CodeDeploy handles every CodeDeploy platform; nil: not configured.
	CodeDeploy Platform
	// ECS handles ECS-native deployments; nil: not configured.
	ECS Platform
}

// For returns the platform of p, or nil.
func (ps Platforms) For(p deploy.Platform) Platform {
	switch {
	case p.IsCodeDeploy():
		return ps.CodeDeploy
	case p == deploy.ECSNative:
		return ps.ECS
	}
	return nil
}
