// Package deploy is cutover's source-neutral model of a deployment event:
// what happened (a Phase), to which deployment (identity, platform, region,
// account), when, and where the event came from. Every event source decodes
// into an Event; delivery, messages, actions and enrichment read only this.
package deploy

import "time"

// Platform is what runs the deployment.
type Platform string

// The platforms. CodeDeploy is a CodeDeploy deployment whose compute
// platform the payload does not tell (enrichment may refine it).
const (
	CodeDeploy       Platform = "codedeploy"
	CodeDeployECS    Platform = "codedeploy-ecs"
	CodeDeployLambda Platform = "codedeploy-lambda"
	CodeDeployServer Platform = "codedeploy-server"
	ECSNative        Platform = "ecs-native"
)

// IsCodeDeploy reports whether CodeDeploy runs the deployment.
func (p Platform) IsCodeDeploy() bool {
	return p == CodeDeploy || p == CodeDeployECS || p == CodeDeployLambda || p == CodeDeployServer
}

// Phase is where a deployment (or one of its targets) is.
type Phase string

// The phases, in the order a blue/green deployment goes through them.
const (
	// Started: the deployment (or target) began.
	Started Phase = "started"
	// Ready: the replacement is installed and waits for traffic to be
	// rerouted by hand.
	Ready Phase = "ready"
	// TrafficSwitched: production traffic moved to the new version (for a
	// rollback deployment: back to the original). The rollback window
	// starts here.
	TrafficSwitched Phase = "traffic-switched"
	// Succeeded: the deployment (or target) finished; for a deployment the
	// rollback window has closed.
	Succeeded Phase = "succeeded"
	// Failed: the deployment (or target) failed.
	Failed Phase = "failed"
	// Stopped: a user or an alarm stopped the deployment.
	Stopped Phase = "stopped"
	// RollingBack: a rollback of an earlier deployment started.
	RollingBack Phase = "rolling-back"
	// Test: the source's test notification (e.g. a CodeDeploy trigger was
	// saved); it names no real deployment.
	Test Phase = "test"
	// Unknown: a status this version does not know.
	Unknown Phase = "unknown"
)

// Event is one deployment event, whatever its source.
type Event struct {
	// Name is the source's own name for the event, e.g. CodeDeploy's
	// "InstanceSuccess". CUTOVER_EVENTS and routing filters list names.
	Name string `json:"name"`
	// Phase is what happened, source-neutral.
	Phase Phase `json:"phase"`
	// Platform is what runs the deployment.
	Platform Platform `json:"platform"`
	// Source names the input format, e.g. "codedeploy-trigger".
	Source string `json:"source"`

	// ID identifies this notification for idempotency: the SNS MessageId,
	// else the EventBridge event id, else a key derived from Key.
	ID string `json:"id"`
	// MessageID is the SNS MessageId when the event arrived through SNS.
	MessageID string `json:"messageId,omitempty"`
	// TopicARN is the SNS topic the event was published to, if any.
	TopicARN string `json:"topicArn,omitempty"`
	// Subject is the SNS Subject, if any.
	Subject string `json:"subject,omitempty"`
	// Published is when SNS or EventBridge stamped the event (zero if unknown).
	Published time.Time `json:"published,omitzero"`

	// Region is the AWS region of the deployment.
	Region string `json:"region,omitempty"`
	// AccountID is the AWS account that owns the deployment.
	AccountID string `json:"accountId,omitempty"`
	// TriggerName is the name of the notification rule that sent it (a
	// CodeDeploy trigger name), if any.
	TriggerName string `json:"triggerName,omitempty"`
	// Application is the application name (CodeDeploy application).
	Application string `json:"application,omitempty"`
	// DeploymentGroup is the deployment group name.
	DeploymentGroup string `json:"deploymentGroup,omitempty"`
	// DeploymentID is the deployment ID or ARN, e.g. "d-7XQ2K9ABC", or an
	// ECS service-deployment ARN.
	DeploymentID string `json:"deploymentId,omitempty"`
	// Cluster is the ECS cluster of the service the deployment updates,
	// when the source names it (ECS-native events). CodeDeploy target
	// events name theirs in Target instead.
	Cluster string `json:"cluster,omitempty"`
	// Service is the ECS service the deployment updates, when the source
	// names it (ECS-native events).
	Service string `json:"service,omitempty"`
	// Execution is the lifecycle-hook execution the event comes from
	// (ECS executionId, CodeDeploy LifecycleEventHookExecutionId); empty
	// for notifications. A hook stage can run more than once per
	// deployment (each linear step, a rollback), so it is part of Key.
	Execution string `json:"execution,omitempty"`
	// Stage is the ECS lifecycle stage the event is about, e.g.
	// POST_TEST_TRAFFIC_SHIFT (ECS Hook State Change events); empty
	// otherwise.
	Stage string `json:"stage,omitempty"`

	// Status is the upper-case status, e.g. IN_PROGRESS, SUCCEEDED, FAILED;
	// other values pass through.
	Status string `json:"status,omitempty"`
	// RawStatus is the status exactly as received.
	RawStatus string `json:"rawStatus,omitempty"`

	// CreateTime is when the deployment was created.
	CreateTime time.Time `json:"createTime,omitzero"`
	// CompleteTime is when the deployment ended; zero while it runs.
	CompleteTime time.Time `json:"completeTime,omitzero"`
	// LastUpdated is when a target event's target last changed.
	LastUpdated time.Time `json:"lastUpdated,omitzero"`

	// Overview counts the deployment's targets by state, when sent.
	Overview *Overview `json:"overview,omitempty"`
	// Error is the deployment's error, when it failed or stopped.
	Error *Error `json:"error,omitempty"`
	// Rollback links a rollback deployment to the deployment it rolls back.
	Rollback *Rollback `json:"rollback,omitempty"`
	// Target is the deployment target a target event is about; nil for
	// events about the whole deployment.
	Target *Target `json:"target,omitempty"`
}

// Overview counts a deployment's targets by state.
type Overview struct {
	// Pending counts targets not started yet.
	Pending int `json:"pending"`
	// InProgress counts targets being deployed.
	InProgress int `json:"inProgress"`
	// Succeeded counts targets deployed.
	Succeeded int `json:"succeeded"`
	// Failed counts targets that failed.
	Failed int `json:"failed"`
	// Skipped counts targets skipped.
	Skipped int `json:"skipped"`
	// Ready counts targets waiting for a reroute.
	Ready int `json:"ready"`
}

// Error is a deployment's error code and message.
type Error struct {
	// Code is the source's error code, e.g. "ECS_UPDATE_ERROR".
	Code string `json:"code,omitempty"`
	// Message is the human-readable explanation.
	Message string `json:"message,omitempty"`
}

// Rollback describes a rollback relationship.
type Rollback struct {
	// RollsBack is the deployment this (rollback) deployment rolls back.
	RollsBack string `json:"rollsBack,omitempty"`
	// Message is the source's rollback message.
	Message string `json:"message,omitempty"`
}

// Target types.
const (
	TargetECS = "ECS"
	TargetEC2 = "EC2"
)

// Target is the deployment target a target event is about.
type Target struct {
	// ID is the target as sent: "<cluster>:<service>" for ECS,
	// "<function>:<alias>" for Lambda, an instance ID or ARN for EC2.
	ID string `json:"id"`
	// Type is TargetECS, TargetEC2 or "" when it cannot be told from the ID.
	Type string `json:"type,omitempty"`
	// Cluster is the ECS cluster, for ECS-style "<cluster>:<service>" IDs.
	Cluster string `json:"cluster,omitempty"`
	// Service is the ECS service name.
	Service string `json:"service,omitempty"`
	// Lifecycle lists the target's lifecycle steps, when sent.
	Lifecycle []LifecycleStep `json:"lifecycle,omitempty"`
}

// LifecycleStep is one lifecycle step of a deployment target.
type LifecycleStep struct {
	// Name is the step, e.g. "AllowTraffic".
	Name string `json:"name"`
	// Status is e.g. "Succeeded", "Failed", "Skipped".
	Status string `json:"status,omitempty"`
	// Start is when the step started, when known.
	Start time.Time `json:"start,omitzero"`
	// End is when the step finished.
	End time.Time `json:"end,omitzero"`
}

// IsRollback reports whether the event belongs to a deployment that rolls
// another one back.
func (e *Event) IsRollback() bool { return e.Rollback != nil && e.Rollback.RollsBack != "" }

// TrafficSwitched reports whether this event is the moment production
// traffic moved (for a rollback deployment: moved back).
func (e *Event) TrafficSwitched() bool { return e.Phase == TrafficSwitched }

// IsTarget reports whether the event is about one deployment target rather
// than the whole deployment.
func (e *Event) IsTarget() bool { return e.Target != nil }

// Ended reports whether the phase ends the deployment.
func (p Phase) Ended() bool { return p == Succeeded || p == Failed || p == Stopped }

// WentWrong reports whether the phase says the deployment went wrong: it
// failed, was stopped, or a rollback of it started. For these, messages show
// the deployment's error and enrichment looks up the failing step.
func (p Phase) WentWrong() bool { return p == Failed || p == Stopped || p == RollingBack }

// Key is the event's identity without a transport ID: deployment, name and
// target (and the status, for events this version does not know; the hook
// execution, for events from a lifecycle hook). Two
// deliveries of the same event share a Key, whether they came through SNS,
// EventBridge or a redelivery. Delivery records written by earlier versions
// used the same key.
func (e *Event) Key() string {
	k := e.DeploymentID + "/" + e.Name
	if e.Phase == Unknown {
		k += "/" + e.Status
	}
	if e.Target != nil {
		k += "/" + e.Target.ID
	}
	if e.Execution != "" {
		k += "/" + e.Execution
	}
	if e.Platform == ECSNative && e.Phase == RollingBack {
		// ECS-native rollbacks share the event name (IN_PROGRESS) with
		// the deployment's start; only the reason tells them apart.
		k += "/rollback"
	}
	return k
}

// Identity is what delivery records are keyed by: "event:" and the Key when
// the event names a deployment, so that the same event arriving through
// several paths is delivered once; else the transport ID.
func (e *Event) Identity() string {
	if e.DeploymentID != "" {
		return "event:" + e.Key()
	}
	return e.ID
}
