package hook

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cutover-dev/cutover/internal/deploy"
)

// ECSInvocation is what ECS sends a Lambda lifecycle hook.
type ECSInvocation struct {
	// ExecutionID identifies this run of the hook; an IN_PROGRESS answer
	// gets the same ID on the next call.
	ExecutionID string `json:"executionId"`
	// LifecycleStage is the stage, e.g. POST_PRODUCTION_TRAFFIC_SHIFT.
	LifecycleStage string `json:"lifecycleStage"`
	// ResourceARN is the service-deployment ARN.
	ResourceARN string `json:"resourceArn"`
	// ExecutionDetails names the service, the target revision and the
	// traffic weights.
	ExecutionDetails ECSExecutionDetails `json:"executionDetails"`
	// HookDetails are the hook's configured details, or those the last
	// IN_PROGRESS answer returned.
	HookDetails json.RawMessage `json:"hookDetails,omitempty"`
}

// ECSExecutionDetails describe the deployment a hook runs for.
type ECSExecutionDetails struct {
	// ServiceARN is the service's ARN.
	ServiceARN string `json:"serviceArn"`
	// TargetServiceRevisionARN is the revision being deployed (green); it
	// stays green during a rollback.
	TargetServiceRevisionARN string `json:"targetServiceRevisionArn"`
	// TestTrafficWeights maps revision ARNs to percent of test traffic.
	TestTrafficWeights map[string]float64 `json:"testTrafficWeights"`
	// ProductionTrafficWeights maps revision ARNs to percent of production
	// traffic.
	ProductionTrafficWeights map[string]float64 `json:"productionTrafficWeights"`
}

func (e *ECSInvocation) validate() error {
	if err := field("executionId", e.ExecutionID); err != nil {
		return err
	}
	if err := field("lifecycleStage", e.LifecycleStage); err != nil {
		return err
	}
	if err := field("resourceArn", e.ResourceARN); err != nil {
		return err
	}
	if len(e.HookDetails) > 0 && e.HookDetails[0] != '{' && string(e.HookDetails) != "null" {
		return fmt.Errorf("field hookDetails: an object belongs there")
	}
	return nil
}

// RollingBack reports whether the invocation is a rollback's production
// traffic shift: PRODUCTION_TRAFFIC_SHIFT with the target revision at 0%
// of production traffic.
func (e *ECSInvocation) RollingBack() bool {
	if e.LifecycleStage != StageProductionTrafficShift {
		return false
	}
	w, ok := e.ExecutionDetails.ProductionTrafficWeights[e.ExecutionDetails.TargetServiceRevisionARN]
	return ok && w == 0
}

// Name is the event name: the stage, or ROLLBACK_TRAFFIC_SHIFT for a
// rollback's production traffic shift.
func (e *ECSInvocation) Name() string {
	if e.RollingBack() {
		return EventRollbackTrafficShift
	}
	return e.LifecycleStage
}

// Event decodes the invocation into a deploy.Event: Name as Name says,
// phase traffic-switched at POST_PRODUCTION_TRAFFIC_SHIFT, rolling-back
// for the rollback's traffic shift, started at the other known stages
// (unknown for a stage this version does not know); DeploymentID the
// service-deployment ARN; Execution the executionId; cluster, service,
// region and account from the ARNs.
func (e *ECSInvocation) Event() deploy.Event {
	ev := deploy.Event{
		Name:         e.Name(),
		Platform:     deploy.ECSNative,
		Source:       SourceECS,
		ID:           "ecs-hook:" + e.ExecutionID,
		DeploymentID: e.ResourceARN,
		Execution:    e.ExecutionID,
		Status:       e.LifecycleStage,
		RawStatus:    e.LifecycleStage,
	}
	switch {
	case e.LifecycleStage == StagePostProductionTrafficShift:
		ev.Phase = deploy.TrafficSwitched
	case e.RollingBack():
		ev.Phase = deploy.RollingBack
	case slices.Contains(ECSStages, e.LifecycleStage):
		ev.Phase = deploy.Started
	default:
		ev.Phase = deploy.Unknown
	}
	// arn:PARTITION:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID
	// and arn:PARTITION:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE.
	for _, a := range []struct{ arn, kind string }{
		{e.ResourceARN, "service-deployment"}, {e.ExecutionDetails.ServiceARN, "service"},
	} {
		region, account, cluster, service, ok := ecsARN(a.arn, a.kind)
		if !ok {
			continue
		}
		ev.Region, ev.AccountID, ev.Cluster, ev.Service = region, account, cluster, service
		break
	}
	return ev
}

// ecsARN splits an ECS service or service-deployment ARN.
func ecsARN(arn, kind string) (region, account, cluster, service string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "ecs" {
		return "", "", "", "", false
	}
	res := strings.Split(parts[5], "/")
	if len(res) < 3 || res[0] != kind || res[1] == "" || res[2] == "" {
		return "", "", "", "", false
	}
	return parts[3], parts[4], res[1], res[2], true
}
