package hook

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cd "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"

	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/retry"
)

// CodeDeployInvocation is what CodeDeploy sends an ECS AppSpec hook
// function. It does not say which hook it is.
type CodeDeployInvocation struct {
	// DeploymentID is the deployment, e.g. "d-7XQ2K9ABC".
	DeploymentID string `json:"DeploymentId"`
	// LifecycleEventHookExecutionID is the opaque execution ID the status
	// is reported for.
	LifecycleEventHookExecutionID string `json:"LifecycleEventHookExecutionId"`
}

func (c *CodeDeployInvocation) validate() error {
	if err := field("DeploymentId", c.DeploymentID); err != nil {
		return err
	}
	return field("LifecycleEventHookExecutionId", c.LifecycleEventHookExecutionID)
}

// Lifecycle is what the CodeDeploy lookups found about a hook invocation.
type Lifecycle struct {
	// Event is the lifecycle event in progress on the deployment's ECS
	// target, e.g. "AfterAllowTraffic"; empty when not found.
	Event string
	// Application and DeploymentGroup name the deployment's group.
	Application, DeploymentGroup string
	// Target is the ECS target ID "cluster:service", when found.
	Target string
	// Region and AccountID come from the target's ARN, when found.
	Region, AccountID string
	// RollsBack is the deployment this one rolls back, if any.
	RollsBack string
}

// Event decodes the invocation into a deploy.Event. name is the hook (the
// lifecycle event found, or the configured fallback); region is the
// function's own (CodeDeploy invokes hooks in its region). AfterAllowTraffic
// is traffic-switched; the other hooks are started.
func (c *CodeDeployInvocation) Event(name string, l Lifecycle, region string) deploy.Event {
	ev := deploy.Event{
		Name:            name,
		Platform:        deploy.CodeDeployECS,
		Source:          SourceCodeDeploy,
		ID:              "codedeploy-hook:" + c.DeploymentID + "/" + c.LifecycleEventHookExecutionID,
		DeploymentID:    c.DeploymentID,
		Execution:       c.LifecycleEventHookExecutionID,
		Application:     l.Application,
		DeploymentGroup: l.DeploymentGroup,
		Region:          region,
		AccountID:       l.AccountID,
		Status:          "IN_PROGRESS",
		RawStatus:       "InProgress",
	}
	if l.Region != "" {
		ev.Region = l.Region
	}
	if l.RollsBack != "" {
		ev.Rollback = &deploy.Rollback{RollsBack: l.RollsBack}
	}
	if l.Target != "" {
		t := &deploy.Target{ID: l.Target, Type: deploy.TargetECS}
		t.Cluster, t.Service, _ = strings.Cut(l.Target, ":")
		ev.Target = t
	}
	switch {
	case name == CodeDeployAfterAllowTraffic:
		ev.Phase = deploy.TrafficSwitched
	default:
		ev.Phase = deploy.Started
	}
	return ev
}

// CodeDeployAPI is the part of the CodeDeploy client hooks use.
type CodeDeployAPI interface {
	GetDeployment(ctx context.Context, in *cd.GetDeploymentInput, opts ...func(*cd.Options)) (*cd.GetDeploymentOutput, error)
	ListDeploymentTargets(ctx context.Context, in *cd.ListDeploymentTargetsInput, opts ...func(*cd.Options)) (*cd.ListDeploymentTargetsOutput, error)
	GetDeploymentTarget(ctx context.Context, in *cd.GetDeploymentTargetInput, opts ...func(*cd.Options)) (*cd.GetDeploymentTargetOutput, error)
	PutLifecycleEventHookExecutionStatus(ctx context.Context, in *cd.PutLifecycleEventHookExecutionStatusInput, opts ...func(*cd.Options)) (*cd.PutLifecycleEventHookExecutionStatusOutput, error)
}

// IAMActions are the IAM actions hook mode calls for CodeDeploy.
var IAMActions = []string{
	"codedeploy:GetDeployment", "codedeploy:ListDeploymentTargets",
	"codedeploy:GetDeploymentTarget", "codedeploy:PutLifecycleEventHookExecutionStatus",
}

// Lookup finds which hook invoked the function: the lifecycle event
// InProgress on the deployment's ECS target (ListDeploymentTargets,
// GetDeploymentTarget), and the application and group (GetDeployment).
// What it found is returned with the first error, so a partial answer
// still helps; Event is empty when no event is in progress.
func Lookup(ctx context.Context, api CodeDeployAPI, deploymentID string) (Lifecycle, error) {
	var l Lifecycle
	var errs []error
	if out, err := api.GetDeployment(ctx, &cd.GetDeploymentInput{DeploymentId: aws.String(deploymentID)}); err != nil {
		errs = append(errs, fmt.Errorf("codedeploy:GetDeployment: %w", err))
	} else if info := out.DeploymentInfo; info != nil {
		l.Application, l.DeploymentGroup = aws.ToString(info.ApplicationName), aws.ToString(info.DeploymentGroupName)
		if info.RollbackInfo != nil {
			l.RollsBack = aws.ToString(info.RollbackInfo.RollbackDeploymentId)
		}
	}
	ids, err := api.ListDeploymentTargets(ctx, &cd.ListDeploymentTargetsInput{DeploymentId: aws.String(deploymentID)})
	if err != nil {
		errs = append(errs, fmt.Errorf("codedeploy:ListDeploymentTargets: %w", err))
		return l, errors.Join(errs...)
	}
	for _, id := range ids.TargetIds {
		out, err := api.GetDeploymentTarget(ctx, &cd.GetDeploymentTargetInput{DeploymentId: aws.String(deploymentID), TargetId: aws.String(id)})
		if err != nil {
			errs = append(errs, fmt.Errorf("codedeploy:GetDeploymentTarget: %w", err))
			continue
		}
		t := out.DeploymentTarget
		if t == nil || t.EcsTarget == nil {
			continue
		}
		l.Target = aws.ToString(t.EcsTarget.TargetId)
		if region, account, ok := arnRegionAccount(aws.ToString(t.EcsTarget.TargetArn)); ok {
			l.Region, l.AccountID = region, account
		}
		for _, le := range t.EcsTarget.LifecycleEvents {
			if le.Status == cdtypes.LifecycleEventStatusInProgress {
				l.Event = aws.ToString(le.LifecycleEventName)
			}
		}
		if l.Event != "" {
			break
		}
	}
	if l.Event == "" && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("no lifecycle event in progress on the deployment's %d target(s)", len(ids.TargetIds)))
	}
	return l, errors.Join(errs...)
}

func arnRegionAccount(arn string) (region, account string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[3] == "" || !awsx.ValidAccount(parts[4]) {
		return "", "", false
	}
	return parts[3], parts[4], true
}

// CodeDeploy status values of PutLifecycleEventHookExecutionStatus.
const (
	CodeDeploySucceeded = "Succeeded"
	CodeDeployFailed    = "Failed"
)

// Report calls PutLifecycleEventHookExecutionStatus once for the
// invocation (the client's retryer retries throttling and 5xx within its
// budget and ctx). An execution CodeDeploy already has a status for
// (LifecycleEventAlreadyCompletedException) counts as reported: the
// answer must never be sent twice, and it was sent. A denied call or a
// deployment that does not exist is permanent.
func Report(ctx context.Context, api CodeDeployAPI, c *CodeDeployInvocation, status string) error {
	if !slices.Contains([]string{CodeDeploySucceeded, CodeDeployFailed}, status) {
		return retry.Permanent(fmt.Errorf("hook: status %q is neither %s nor %s", status, CodeDeploySucceeded, CodeDeployFailed))
	}
	_, err := api.PutLifecycleEventHookExecutionStatus(ctx, &cd.PutLifecycleEventHookExecutionStatusInput{
		DeploymentId:                  aws.String(c.DeploymentID),
		LifecycleEventHookExecutionId: aws.String(c.LifecycleEventHookExecutionID),
		Status:                        cdtypes.LifecycleEventStatus(status),
	})
	switch {
	case err == nil:
		return nil
	case awsx.Code(err) == "LifecycleEventAlreadyCompletedException":
		return nil
	case awsx.Denied(err) || awsx.NotFound(err, "DeploymentDoesNotExistException", "InvalidLifecycleEventHookExecutionIdException", "LifecycleEventHookExecutionIdRequiredException"):
		return retry.Permanent(fmt.Errorf("codedeploy:PutLifecycleEventHookExecutionStatus: %w", err))
	}
	return fmt.Errorf("codedeploy:PutLifecycleEventHookExecutionStatus: %w", err)
}
