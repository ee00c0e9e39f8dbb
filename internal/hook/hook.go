// Package hook reads lifecycle-hook invocations and says how to answer
// them: an ECS-native blue/green lifecycle hook ({"executionId",
// "lifecycleStage", "resourceArn", "executionDetails", "hookDetails"}) and
// a CodeDeploy ECS AppSpec hook ({"DeploymentId",
// "LifecycleEventHookExecutionId"}). It decodes them into deploy.Event
// (POST_PRODUCTION_TRAFFIC_SHIFT and AfterAllowTraffic are the traffic
// switch; PRODUCTION_TRAFFIC_SHIFT with the target revision at 0% is the
// rollback, named ROLLBACK_TRAFFIC_SHIFT), finds which CodeDeploy hook
// invoked the function, reports its status with
// PutLifecycleEventHookExecutionStatus, and builds the ECS answer. The
// inbound router runs the pipeline around it.
package hook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/source"
)

// ECS lifecycle stages that invoke a hook, in the order a deployment runs
// them, and the name cutover gives the rollback's production traffic shift.
const (
	StageReconcileService          = "RECONCILE_SERVICE"
	StagePreScaleUp                = "PRE_SCALE_UP"
	StagePostScaleUp               = "POST_SCALE_UP"
	StageTestTrafficShift          = "TEST_TRAFFIC_SHIFT"
	StagePostTestTrafficShift      = "POST_TEST_TRAFFIC_SHIFT"
	StagePreProductionTrafficShift = "PRE_PRODUCTION_TRAFFIC_SHIFT"
	StageProductionTrafficShift    = "PRODUCTION_TRAFFIC_SHIFT"
	// StagePostProductionTrafficShift is the traffic switch: the target
	// revision takes all production traffic.
	StagePostProductionTrafficShift = "POST_PRODUCTION_TRAFFIC_SHIFT"
	// EventRollbackTrafficShift is cutover's name for PRODUCTION_TRAFFIC_SHIFT
	// when the target revision is at 0% of production traffic: ECS reruns
	// that stage to move traffic back during a rollback (there is no
	// rollback stage). CUTOVER_EVENTS and routes filter on this name.
	EventRollbackTrafficShift = "ROLLBACK_TRAFFIC_SHIFT"
)

// ECSStages are the ECS hook stages, in deployment order.
var ECSStages = []string{
	StageReconcileService, StagePreScaleUp, StagePostScaleUp, StageTestTrafficShift,
	StagePostTestTrafficShift, StagePreProductionTrafficShift, StageProductionTrafficShift,
	StagePostProductionTrafficShift,
}

// CodeDeploy ECS AppSpec hooks, in the order a deployment runs them.
const (
	CodeDeployBeforeInstall         = "BeforeInstall"
	CodeDeployAfterInstall          = "AfterInstall"
	CodeDeployAfterAllowTestTraffic = "AfterAllowTestTraffic"
	CodeDeployBeforeAllowTraffic    = "BeforeAllowTraffic"
	// CodeDeployAfterAllowTraffic is the traffic switch.
	CodeDeployAfterAllowTraffic = "AfterAllowTraffic"
)

// CodeDeployHooks are the CodeDeploy ECS hooks, in deployment order.
var CodeDeployHooks = []string{
	CodeDeployBeforeInstall, CodeDeployAfterInstall, CodeDeployAfterAllowTestTraffic,
	CodeDeployBeforeAllowTraffic, CodeDeployAfterAllowTraffic,
}

// Sources of hook events (deploy.Event.Source).
const (
	SourceECS        = "ecs-lifecycle-hook"
	SourceCodeDeploy = "codedeploy-lifecycle-hook"
)

// Names is the event-names-only entry of the source registry: hooks are
// classified by the inbound router, not decoded from notifications, so it
// claims no message, but its names make CUTOVER_EVENTS and destination
// routes accept the hook events.
type Names struct{}

// Claims claims nothing.
func (Names) Claims(*source.Message) bool { return false }

// Decode is never called (Claims is false).
func (Names) Decode(*source.Message) (deploy.Event, error) {
	return deploy.Event{}, errors.New("hook: lifecycle hooks are not notifications")
}

// EventNames lists the hook events: the ECS stages, the rollback's traffic
// shift, then the CodeDeploy hooks.
func (Names) EventNames() []string {
	out := append([]string(nil), ECSStages...)
	out = append(out, EventRollbackTrafficShift)
	return append(out, CodeDeployHooks...)
}

// Invocation is one lifecycle-hook invocation, as received. Exactly one
// of ECS and CodeDeploy is set.
type Invocation struct {
	// Platform is deploy.ECSNative or deploy.CodeDeployECS.
	Platform deploy.Platform
	// ECS is the ECS-native hook invocation.
	ECS *ECSInvocation
	// CodeDeploy is the CodeDeploy hook invocation.
	CodeDeploy *CodeDeployInvocation
}

// Execution is the hook execution ID (executionId or
// LifecycleEventHookExecutionId).
func (inv *Invocation) Execution() string {
	if inv.ECS != nil {
		return inv.ECS.ExecutionID
	}
	if inv.CodeDeploy != nil {
		return inv.CodeDeploy.LifecycleEventHookExecutionID
	}
	return ""
}

// DeploymentID is the ECS service-deployment ARN or the CodeDeploy
// deployment ID.
func (inv *Invocation) DeploymentID() string {
	if inv.ECS != nil {
		return inv.ECS.ResourceARN
	}
	if inv.CodeDeploy != nil {
		return inv.CodeDeploy.DeploymentID
	}
	return ""
}

// Kind tells a hook invocation from other input by its keys: a CodeDeploy
// hook has DeploymentId and LifecycleEventHookExecutionId; an ECS hook has
// executionId and lifecycleStage. It returns "" for anything else.
func Kind(top map[string]json.RawMessage) deploy.Platform {
	switch {
	case source.Has(top, "DeploymentId") && source.Has(top, "LifecycleEventHookExecutionId"):
		return deploy.CodeDeployECS
	case source.Has(top, "executionId") && source.Has(top, "lifecycleStage"):
		return deploy.ECSNative
	}
	return ""
}

// maxField bounds every identifier a hook carries (an ECS ARN is at most
// 2048 characters; CodeDeploy's execution ID is a few hundred).
const maxField = 4096

// Parse decodes a hook invocation of the given platform (see Kind). The
// error says which field is wrong.
func Parse(platform deploy.Platform, data []byte) (*Invocation, error) {
	if len(data) > source.MaxInput {
		return nil, fmt.Errorf("hook: input is %d bytes, more than the %d accepted", len(data), source.MaxInput)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	switch platform {
	case deploy.ECSNative:
		var e ECSInvocation
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("hook: ECS lifecycle hook: %s", source.JSONProblem(err))
		}
		if err := e.validate(); err != nil {
			return nil, fmt.Errorf("hook: ECS lifecycle hook: %w", err)
		}
		return &Invocation{Platform: deploy.ECSNative, ECS: &e}, nil
	case deploy.CodeDeployECS:
		var c CodeDeployInvocation
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("hook: CodeDeploy lifecycle hook: %s", source.JSONProblem(err))
		}
		if err := c.validate(); err != nil {
			return nil, fmt.Errorf("hook: CodeDeploy lifecycle hook: %w", err)
		}
		return &Invocation{Platform: deploy.CodeDeployECS, CodeDeploy: &c}, nil
	}
	return nil, fmt.Errorf("hook: not a lifecycle hook")
}

// field checks one identifier: present, bounded, printable.
func field(name, v string) error {
	switch {
	case strings.TrimSpace(v) == "":
		return fmt.Errorf("field %s: empty or missing", name)
	case len(v) > maxField:
		return fmt.Errorf("field %s: %d bytes, more than %d", name, len(v), maxField)
	case !utf8.ValidString(v) || strings.ContainsAny(v, "\x00\r\n"):
		return fmt.Errorf("field %s: not a single line of text", name)
	}
	return nil
}
