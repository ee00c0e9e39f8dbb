// Package ecsnative decodes the EventBridge events of ECS-native
// blue/green deployments (deploymentConfiguration.strategy BLUE_GREEN, no
// CodeDeploy) into deployment events: `ECS Deployment State Change`
// (source aws.ecs: a service deployment started, rolls back, completed or
// failed) and `ECS Hook State Change` (a lifecycle hook of a service
// deployment is running, waits for a person, succeeded, failed or timed
// out). Lifecycle-hook invocations themselves (top-level executionId and
// lifecycleStage) are not events of this source: package inbound routes
// them to the hook path.
//
// ECS sends no event when production traffic shifts: a native deployment
// stays IN_PROGRESS through its bake time and COMPLETED comes after the
// rollback window closed. Without a lifecycle hook a team hears start,
// rollback, failure and completion, not the switch.
package ecsnative

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/source"
)

// The event names (detail.eventName), deploy.Event.Name of the events this
// source decodes.
const (
	DeploymentInProgress = "SERVICE_DEPLOYMENT_IN_PROGRESS"
	DeploymentCompleted  = "SERVICE_DEPLOYMENT_COMPLETED"
	DeploymentFailed     = "SERVICE_DEPLOYMENT_FAILED"
	HookInProgress       = "HOOK_IN_PROGRESS"
	HookAwaitingAction   = "HOOK_AWAITING_ACTION"
	HookSucceeded        = "HOOK_SUCCEEDED"
	HookFailed           = "HOOK_FAILED"
	HookTimedOut         = "HOOK_TIMED_OUT"
)

// Names lists every event name in a stable order.
var Names = []string{
	DeploymentInProgress, DeploymentCompleted, DeploymentFailed,
	HookInProgress, HookAwaitingAction, HookSucceeded, HookFailed, HookTimedOut,
}

// The input formats, as deploy.Event.Source.
const (
	SourceDeployment = "ecs-deployment-event" // ECS Deployment State Change
	SourceHook       = "ecs-hook-event"       // ECS Hook State Change
)

// The EventBridge detail types this source reads.
const (
	DetailDeployment = "ECS Deployment State Change"
	DetailHook       = "ECS Hook State Change"
)

// Decoder is the ECS-native event source.
type Decoder struct{}

var _ source.Decoder = Decoder{}

// EventNames returns Names.
func (Decoder) EventNames() []string { return Names }

// Claims takes aws.ecs EventBridge events of the two detail types, with
// or without their detail (Decode names it when it is missing). Other
// aws.ecs events (task and container-instance state changes, service
// actions) are not deployments: no decoder claims them, so they are
// rejected with the source's own words.
func (Decoder) Claims(m *source.Message) bool {
	if !m.Has("detail-type") {
		return false
	}
	src, ok := m.String("source")
	if !ok || src != "aws.ecs" {
		return false
	}
	dt, ok := m.String("detail-type")
	return ok && (dt == DetailDeployment || dt == DetailHook)
}

// Decode decodes a claimed message.
func (Decoder) Decode(m *source.Message) (deploy.Event, error) {
	if !m.Has("detail") {
		return deploy.Event{}, source.Errorf(m.Body, "field detail: missing; an ECS deployment or hook state change says what happened in its detail")
	}
	return decode(m.Body)
}

// Decode decodes one input, in any envelope, with the ECS-native source
// alone: what tests and tools that read only ECS-native events use.
func Decode(data []byte) ([]deploy.Event, error) {
	return source.New(Decoder{}).Decode(data)
}

// envelope is the EventBridge event around both detail types.
type envelope struct {
	// ID is the EventBridge event ID, the same on every redelivery.
	ID string `json:"id"`
	// DetailType is "ECS Deployment State Change" or "ECS Hook State Change".
	DetailType string `json:"detail-type"`
	// Source is "aws.ecs".
	Source string `json:"source"`
	// Account is the AWS account that owns the service.
	Account string `json:"account"`
	// Time is when EventBridge stamped the event (RFC 3339).
	Time string `json:"time"`
	// Region is the service's region.
	Region string `json:"region"`
	// Resources holds the service ARN (deployment events) or the
	// service-deployment ARN (hook events) first.
	Resources []string `json:"resources"`
	// Detail is the event's own content.
	Detail detail `json:"detail"`
}

// detail is the detail of both event types; each sends a part of it.
type detail struct {
	// EventType is INFO or ERROR.
	EventType string `json:"eventType"`
	// EventName is e.g. SERVICE_DEPLOYMENT_IN_PROGRESS or HOOK_SUCCEEDED.
	EventName string `json:"eventName"`
	// DeploymentID is the ECS deployment ID "ecs-svc/<digits>" (deployment
	// events), as DescribeServices lists it, not a service-deployment ARN.
	DeploymentID string `json:"deploymentId"`
	// UpdatedAt is when the deployment or hook changed (RFC 3339, nanoseconds).
	UpdatedAt string `json:"updatedAt"`
	// Reason says why (deployment events), e.g. "ECS deployment circuit
	// breaker: rolling back to deploymentId ecs-svc/1."
	Reason string `json:"reason"`
	// HookID identifies the lifecycle hook (hook events).
	HookID string `json:"hookId"`
	// HookType is AWS_LAMBDA or PAUSE (hook events).
	HookType string `json:"hookType"`
	// ExpiresAt is when a waiting hook times out (hook events).
	ExpiresAt string `json:"expiresAt"`
	// LifecycleStage is the stage the hook runs at, e.g.
	// POST_TEST_TRAFFIC_SHIFT (hook events).
	LifecycleStage string `json:"lifecycleStage"`
	// ClusterArn is the cluster's ARN (hook events; some deployment events).
	ClusterArn string `json:"clusterArn"`
	// ServiceArn is the service's ARN (hook events).
	ServiceArn string `json:"serviceArn"`
	// ServiceDeploymentArn is the service deployment's ARN (hook events).
	ServiceDeploymentArn string `json:"serviceDeploymentArn"`
}

// rollingBack matches the reason of an IN_PROGRESS event that is a
// circuit-breaker (or alarm) rollback: "ECS deployment circuit breaker:
// rolling back to deploymentId ecs-svc/1."
var rollingBack = regexp.MustCompile(`(?i)\brolling back\b`)

// hookPhases maps each hook event name to its phase. A hook's own
// progress is not the deployment's: HOOK_IN_PROGRESS reads as started,
// HOOK_AWAITING_ACTION as ready (a person must continue or roll back, as
// with a CodeDeploy deployment waiting for a reroute), HOOK_SUCCEEDED as
// succeeded, HOOK_FAILED and HOOK_TIMED_OUT as failed (ECS then rolls the
// deployment back, unless the hook's timeout action is CONTINUE). Message
// wording names the hook, so "succeeded" never reads as the deployment's.
var hookPhases = map[string]deploy.Phase{
	HookInProgress:     deploy.Started,
	HookAwaitingAction: deploy.Ready,
	HookSucceeded:      deploy.Succeeded,
	HookFailed:         deploy.Failed,
	HookTimedOut:       deploy.Failed,
}

func decode(data []byte) (deploy.Event, error) {
	var e envelope
	if err := json.Unmarshal(data, &e); err != nil {
		return deploy.Event{}, source.Errorf(data, "malformed ECS EventBridge event: %s", source.JSONProblem(err))
	}
	d := e.Detail
	if strings.TrimSpace(d.EventName) == "" {
		return deploy.Event{}, source.Errorf(data, "field detail.eventName: missing; an %s event names what happened there", e.DetailType)
	}
	ev := deploy.Event{
		Platform:  deploy.ECSNative,
		Name:      strings.TrimSpace(d.EventName),
		ID:        e.ID,
		Region:    e.Region,
		AccountID: e.Account,
		RawStatus: d.EventName,
	}
	if e.Time != "" {
		t, err := time.Parse(time.RFC3339Nano, e.Time)
		if err != nil {
			return deploy.Event{}, source.Errorf(data, "field time: %q is not an RFC 3339 time", source.Snippet([]byte(e.Time), 40))
		}
		ev.Published = t.UTC()
	}
	if d.UpdatedAt != "" {
		t, err := time.Parse(time.RFC3339Nano, d.UpdatedAt)
		if err != nil {
			return deploy.Event{}, source.Errorf(data, "field detail.updatedAt: %q is not an RFC 3339 time", source.Snippet([]byte(d.UpdatedAt), 40))
		}
		ev.LastUpdated = t.UTC()
	}
	var first string
	if len(e.Resources) > 0 {
		first = e.Resources[0]
	}
	switch e.DetailType {
	case DetailDeployment:
		return deploymentEvent(data, ev, d, first)
	case DetailHook:
		return hookEvent(data, ev, d, first)
	}
	return deploy.Event{}, source.Errorf(data, "field detail-type: %q is not an ECS deployment or hook state change", source.Snippet([]byte(e.DetailType), 60))
}

// deploymentEvent finishes an ECS Deployment State Change. DeploymentID
// is detail.deploymentId, the "ecs-svc/<digits>" ID: the event carries no
// service-deployment ARN (enrichment maps one to the other).
func deploymentEvent(data []byte, ev deploy.Event, d detail, resource string) (deploy.Event, error) {
	ev.Source = SourceDeployment
	ev.DeploymentID = strings.TrimSpace(d.DeploymentID)
	if ev.DeploymentID == "" {
		return deploy.Event{}, source.Errorf(data, "field detail.deploymentId: missing; an ECS deployment event names its deployment (ecs-svc/…)")
	}
	svc := firstNonEmpty(d.ServiceArn, resource)
	cluster, service, ok := ServiceOf(svc)
	if !ok {
		return deploy.Event{}, source.Errorf(data, "field resources[0]: %q is not an ECS service ARN (arn:aws:ecs:<region>:<account>:service/<cluster>/<service>)", source.Snippet([]byte(svc), 120))
	}
	ev.Cluster, ev.Service = cluster, service
	if c := clusterOf(d.ClusterArn); c != "" {
		ev.Cluster = c
	}
	reason := strings.TrimSpace(d.Reason)
	switch ev.Name {
	case DeploymentInProgress:
		ev.Status = "IN_PROGRESS"
		ev.Phase = deploy.Started
		if rollingBack.MatchString(reason) {
			ev.Phase = deploy.RollingBack
			ev.Status = "ROLLING_BACK"
			ev.Error = &deploy.Error{Message: reason}
		}
	case DeploymentCompleted:
		ev.Status, ev.Phase = "SUCCEEDED", deploy.Succeeded
	case DeploymentFailed:
		ev.Status, ev.Phase = "FAILED", deploy.Failed
		if reason != "" {
			ev.Error = &deploy.Error{Message: reason}
		}
	default:
		// No destination's events can name it, so nothing would deliver
		// it: say so here, the same on every path.
		return deploy.Event{}, unknownName(data, ev.Name, Names[:3])
	}
	return ev, nil
}

// unknownName is the error for an event name this version does not know:
// routes select events by known names only, so it could never be sent.
func unknownName(data []byte, name string, known []string) *source.DecodeError {
	return source.Errorf(data, "field detail.eventName: %q is not one this version of cutover knows (%s)", source.Snippet([]byte(name), 60), strings.Join(known, ", "))
}

// hookEvent finishes an ECS Hook State Change. DeploymentID is the
// service-deployment ARN (detail.serviceDeploymentArn, else
// resources[0]); Execution is "<hookId>@<updatedAt>", so each hook run
// (a stage runs again at each linear step and on rollback) is its own
// event while a redelivery of the same one is not.
func hookEvent(data []byte, ev deploy.Event, d detail, resource string) (deploy.Event, error) {
	ev.Source = SourceHook
	ev.DeploymentID = firstNonEmpty(strings.TrimSpace(d.ServiceDeploymentArn), resource)
	cluster, service, ok := DeploymentServiceOf(ev.DeploymentID)
	if !ok {
		return deploy.Event{}, source.Errorf(data, "field detail.serviceDeploymentArn: %q is not an ECS service-deployment ARN (arn:aws:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id>)", source.Snippet([]byte(ev.DeploymentID), 120))
	}
	ev.Cluster, ev.Service = cluster, service
	if c, s, ok := ServiceOf(d.ServiceArn); ok {
		ev.Cluster, ev.Service = c, s
	}
	ev.Stage = strings.TrimSpace(d.LifecycleStage)
	ev.Execution = strings.TrimSpace(d.HookID)
	if d.UpdatedAt != "" {
		ev.Execution += "@" + strings.TrimSpace(d.UpdatedAt)
	}
	phase, known := hookPhases[ev.Name]
	if !known {
		return deploy.Event{}, unknownName(data, ev.Name, Names[3:])
	}
	ev.Phase = phase
	ev.Status = strings.TrimPrefix(strings.ToUpper(ev.Name), "HOOK_")
	if phase == deploy.Failed {
		msg := "lifecycle hook " + ev.Status
		if ev.Stage != "" {
			msg += " at " + ev.Stage
		}
		ev.Error = &deploy.Error{Message: msg}
	}
	return ev, nil
}

// ServiceOf returns the cluster and service of an ECS service ARN
// "arn:<partition>:ecs:<region>:<account>:service/<cluster>/<service>".
// The old ARN format without the cluster
// ("…:service/<service>") gives an empty cluster.
func ServiceOf(arn string) (cluster, service string, ok bool) {
	rest, ok := resourceOf(arn, "service/")
	if !ok {
		return "", "", false
	}
	parts := strings.Split(rest, "/")
	switch {
	case len(parts) == 1 && parts[0] != "":
		return "", parts[0], true
	case len(parts) == 2 && parts[0] != "" && parts[1] != "":
		return parts[0], parts[1], true
	}
	return "", "", false
}

// DeploymentServiceOf returns the cluster and service of a
// service-deployment ARN
// "arn:<partition>:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id>".
func DeploymentServiceOf(arn string) (cluster, service string, ok bool) {
	rest, ok := resourceOf(arn, "service-deployment/")
	if !ok {
		return "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// clusterOf is the cluster name of a cluster ARN, or "".
func clusterOf(arn string) string {
	rest, ok := resourceOf(arn, "cluster/")
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return ""
	}
	return rest
}

// resourceOf returns what follows kind in an ECS ARN's resource part.
func resourceOf(arn, kind string) (string, bool) {
	parts := strings.SplitN(strings.TrimSpace(arn), ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "ecs" {
		return "", false
	}
	return strings.CutPrefix(parts[5], kind)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
