// Package codedeploy decodes AWS CodeDeploy notifications into one typed,
// documented Event.
//
// It accepts deployment-group trigger messages as CodeDeploy really sends them
// (nested JSON strings, numeric counts, text times, upper-case status) and as
// AWS documents them (nested objects, string counts, epoch-second times,
// mixed-case status), in the envelopes they arrive in: the Lambda SNS event,
// an SNS HTTP/S POST body, a bare trigger message, and EventBridge
// aws.codedeploy state-change events.
package codedeploy

import (
	"strings"
	"time"
)

// Kind names what happened, using CodeDeploy's trigger event names.
type Kind string

// The trigger event kinds. TriggerTest is the notification CodeDeploy sends
// when a trigger is created or updated; Unknown is a message whose status
// this version does not recognise.
const (
	DeploymentStart    Kind = "DeploymentStart"
	DeploymentSuccess  Kind = "DeploymentSuccess"
	DeploymentFailure  Kind = "DeploymentFailure"
	DeploymentStop     Kind = "DeploymentStop"
	DeploymentRollback Kind = "DeploymentRollback"
	DeploymentReady    Kind = "DeploymentReady"
	InstanceStart      Kind = "InstanceStart"
	InstanceSuccess    Kind = "InstanceSuccess"
	InstanceFailure    Kind = "InstanceFailure"
	InstanceReady      Kind = "InstanceReady"
	TriggerTest        Kind = "TriggerTest"
	Unknown            Kind = "Unknown"
)

// Kinds lists every kind in a stable order.
var Kinds = []Kind{
	DeploymentStart, DeploymentSuccess, DeploymentFailure, DeploymentStop,
	DeploymentRollback, DeploymentReady, InstanceStart, InstanceSuccess,
	InstanceFailure, InstanceReady, TriggerTest, Unknown,
}

// ParseKind returns the kind named s, case-insensitively.
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds {
		if strings.EqualFold(string(k), strings.TrimSpace(s)) {
			return k, true
		}
	}
	return "", false
}

// IsInstance reports whether k is an instance (deployment target) event.
func (k Kind) IsInstance() bool { return strings.HasPrefix(string(k), "Instance") }

// Source says which input format an event was decoded from.
type Source string

// The input formats.
const (
	SourceTrigger     Source = "trigger"     // a deployment-group trigger message (via SNS or bare)
	SourceEventBridge Source = "eventbridge" // an aws.codedeploy EventBridge event
)

// Event is one CodeDeploy notification, normalised.
type Event struct {
	// Kind is what happened, as a CodeDeploy trigger event name.
	Kind Kind `json:"kind"`
	// TrafficSwitched is true when this event is the moment production
	// traffic moved to the replacement task set: an InstanceSuccess for an
	// ECS (or Lambda) deployment target. For a rollback deployment it means
	// traffic switched back to the original version.
	TrafficSwitched bool `json:"trafficSwitched"`
	// Source is the input format the event came in.
	Source Source `json:"source"`

	// ID identifies this notification for idempotency: the SNS MessageId,
	// else the EventBridge event id, else a key derived from the deployment,
	// kind and instance.
	ID string `json:"id"`
	// MessageID is the SNS MessageId when the event arrived through SNS.
	MessageID string `json:"messageId,omitempty"`
	// TopicARN is the SNS topic the event was published to, if any.
	TopicARN string `json:"topicArn,omitempty"`
	// Subject is the SNS Subject, e.g. "FAILED: AWS CodeDeploy d-X in us-east-1 to app".
	Subject string `json:"subject,omitempty"`
	// Published is when SNS or EventBridge stamped the event (zero if unknown).
	Published time.Time `json:"published,omitzero"`

	// Region is the AWS region of the deployment.
	Region string `json:"region,omitempty"`
	// AccountID is the AWS account that owns the deployment.
	AccountID string `json:"accountId,omitempty"`
	// TriggerName is the name of the deployment-group trigger that sent it.
	TriggerName string `json:"triggerName,omitempty"`
	// Application is the CodeDeploy application name.
	Application string `json:"application,omitempty"`
	// DeploymentGroup is the deployment group name.
	DeploymentGroup string `json:"deploymentGroup,omitempty"`
	// DeploymentID is the deployment, e.g. "d-7XQ2K9ABC".
	DeploymentID string `json:"deploymentId,omitempty"`

	// Status is the upper-case status: CREATED, IN_PROGRESS, READY,
	// SUCCEEDED, FAILED, STOPPED (deployments) or PENDING, IN_PROGRESS,
	// SUCCEEDED, FAILED, READY, SKIPPED (instances); other values pass through.
	Status string `json:"status,omitempty"`
	// RawStatus is the status exactly as received.
	RawStatus string `json:"rawStatus,omitempty"`

	// CreateTime is when the deployment was created.
	CreateTime time.Time `json:"createTime,omitzero"`
	// CompleteTime is when the deployment ended; zero while it runs.
	CompleteTime time.Time `json:"completeTime,omitzero"`
	// LastUpdated is when an instance event's target last changed.
	LastUpdated time.Time `json:"lastUpdated,omitzero"`

	// Overview counts the deployment's targets by state, when sent.
	Overview *Overview `json:"overview,omitempty"`
	// Error is the deployment's error, when it failed or stopped.
	Error *ErrorInfo `json:"error,omitempty"`
	// Rollback links a rollback deployment to the deployment it rolls back.
	Rollback *Rollback `json:"rollback,omitempty"`
	// Target is the deployment target of an instance event.
	Target *Target `json:"target,omitempty"`
}

// Overview counts a deployment's targets by state.
type Overview struct {
	Pending    int `json:"pending"`
	InProgress int `json:"inProgress"`
	Succeeded  int `json:"succeeded"`
	Failed     int `json:"failed"`
	Skipped    int `json:"skipped"`
	Ready      int `json:"ready"`
}

// ErrorInfo is CodeDeploy's error code and message for a deployment.
type ErrorInfo struct {
	// Code is CodeDeploy's error code, e.g. "ECS_UPDATE_ERROR".
	Code string `json:"code,omitempty"`
	// Message is the human-readable explanation.
	Message string `json:"message,omitempty"`
}

// Rollback describes a rollback relationship.
type Rollback struct {
	// RollsBack is the deployment this (rollback) deployment rolls back.
	RollsBack string `json:"rollsBack,omitempty"`
	// Message is CodeDeploy's rollback message.
	Message string `json:"message,omitempty"`
}

// Target is the deployment target an instance event is about.
type Target struct {
	// ID is the target as sent: "<cluster>:<service>" for ECS,
	// "<function>:<alias>" for Lambda, an instance ID or ARN for EC2.
	ID string `json:"id"`
	// Type is "ECS", "EC2" or "" when it cannot be told from the ID.
	Type string `json:"type,omitempty"`
	// Cluster and Service are set for ECS-style "<cluster>:<service>" IDs.
	Cluster string `json:"cluster,omitempty"`
	// Service is the ECS service name.
	Service string `json:"service,omitempty"`
	// Lifecycle lists the target's lifecycle events, when sent.
	Lifecycle []LifecycleEvent `json:"lifecycle,omitempty"`
}

// LifecycleEvent is one lifecycle step of a deployment target.
type LifecycleEvent struct {
	// Name is the lifecycle event, e.g. "AllowTraffic".
	Name string `json:"name"`
	// Status is e.g. "Succeeded", "Failed", "Skipped".
	Status string `json:"status,omitempty"`
	// Start and End bound the step, when known.
	Start time.Time `json:"start,omitzero"`
	// End is when the step finished.
	End time.Time `json:"end,omitzero"`
}

// IsRollback reports whether the event belongs to a deployment that rolls
// another one back.
func (e *Event) IsRollback() bool { return e.Rollback != nil && e.Rollback.RollsBack != "" }

// ConsoleURL is the CodeDeploy console page of the deployment in its region,
// or "" when the event names no deployment.
func (e *Event) ConsoleURL() string {
	if e.DeploymentID == "" {
		return ""
	}
	region := e.Region
	if region == "" {
		region = "us-east-1"
	}
	return "https://" + region + ".console.aws.amazon.com/codesuite/codedeploy/deployments/" +
		e.DeploymentID + "?region=" + region
}

// Key is the event's identity without a transport ID: deployment, kind and
// target (and the status, for kinds this version does not know). Two
// deliveries of the same CodeDeploy event share a Key, whether they came
// as an SNS trigger message, an EventBridge event or a redelivery.
func (e *Event) Key() string {
	k := e.DeploymentID + "/" + string(e.Kind)
	if e.Kind == Unknown {
		k += "/" + e.Status
	}
	if e.Target != nil {
		k += "/" + e.Target.ID
	}
	return k
}

// Identity is what delivery records are keyed by: the Key when the event
// names a deployment, so that the same event arriving through both the SNS
// trigger and EventBridge is delivered once; else the transport ID.
func (e *Event) Identity() string {
	if e.DeploymentID != "" {
		return "event:" + e.Key()
	}
	return e.ID
}
