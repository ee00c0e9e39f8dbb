// Package codedeploy decodes AWS CodeDeploy notifications into deployment
// events: deployment-group trigger messages as CodeDeploy really sends them
// (nested JSON strings, numeric counts, text times, upper-case status) and
// as AWS documents them (nested objects, string counts, epoch-second times,
// mixed-case status), and EventBridge aws.codedeploy state-change events.
// The envelopes around them are the source package's business.
package codedeploy

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/source"
)

// CodeDeploy's trigger event names: deploy.Event.Name of the events this
// source decodes. TriggerTest is the notification CodeDeploy sends when a
// trigger is created or updated; Unknown is a message whose status this
// version does not recognise.
const (
	DeploymentStart    = "DeploymentStart"
	DeploymentSuccess  = "DeploymentSuccess"
	DeploymentFailure  = "DeploymentFailure"
	DeploymentStop     = "DeploymentStop"
	DeploymentRollback = "DeploymentRollback"
	DeploymentReady    = "DeploymentReady"
	InstanceStart      = "InstanceStart"
	InstanceSuccess    = "InstanceSuccess"
	InstanceFailure    = "InstanceFailure"
	InstanceReady      = "InstanceReady"
	TriggerTest        = "TriggerTest"
	Unknown            = "Unknown"
)

// Names lists every event name in a stable order.
var Names = []string{
	DeploymentStart, DeploymentSuccess, DeploymentFailure, DeploymentStop,
	DeploymentRollback, DeploymentReady, InstanceStart, InstanceSuccess,
	InstanceFailure, InstanceReady, TriggerTest, Unknown,
}

// The input formats, as deploy.Event.Source.
const (
	SourceTrigger     = "trigger"     // a deployment-group trigger message (via SNS or bare)
	SourceEventBridge = "eventbridge" // an aws.codedeploy EventBridge event
)

// Decoder is the CodeDeploy event source.
type Decoder struct{}

var _ source.Decoder = Decoder{}

// EventNames returns Names.
func (Decoder) EventNames() []string { return Names }

// Claims takes trigger messages and aws.codedeploy EventBridge events.
func (Decoder) Claims(m *source.Message) bool {
	if isEventBridge(m) {
		src, ok := m.String("source")
		return ok && src == "aws.codedeploy"
	}
	return looksLikeTrigger(m)
}

// Decode decodes a claimed message.
func (Decoder) Decode(m *source.Message) (deploy.Event, error) {
	if isEventBridge(m) {
		return decodeEventBridge(m.Body)
	}
	return decodeTrigger(m.Body, m.Subject)
}

// Decode decodes one input, in any envelope, with the CodeDeploy source
// alone: what tests and tools that read only CodeDeploy use.
func Decode(data []byte) ([]deploy.Event, error) {
	return source.New(Decoder{}).Decode(data)
}

func isEventBridge(m *source.Message) bool {
	return m.Has("detail-type") || (m.Has("source") && m.Has("detail"))
}

func looksLikeTrigger(m *source.Message) bool {
	return m.Has("deploymentId") || m.Has("eventTriggerName") ||
		(m.Has("status") && (m.Has("region") || m.Has("accountId")))
}

// eventBridge is the aws.codedeploy EventBridge event.
type eventBridge struct {
	ID         string   `json:"id"`
	DetailType string   `json:"detail-type"`
	Source     string   `json:"source"`
	Account    string   `json:"account"`
	Time       string   `json:"time"`
	Region     string   `json:"region"`
	Resources  []string `json:"resources"`
	Detail     struct {
		Application     string `json:"application"`
		DeploymentGroup string `json:"deploymentGroup"`
		DeploymentID    string `json:"deploymentId"`
		InstanceGroupID string `json:"instanceGroupId"`
		InstanceID      string `json:"instanceId"`
		Region          string `json:"region"`
		State           string `json:"state"`
	} `json:"detail"`
}

const (
	ebDeployment = "CodeDeploy Deployment State-change Notification"
	ebInstance   = "CodeDeploy Instance State-change Notification"
)

// ebStates maps an EventBridge state to the deployment and instance event
// names and the trigger-style status.
var ebStates = map[string]struct{ deployment, instance, status string }{
	"START":   {DeploymentStart, InstanceStart, "IN_PROGRESS"},
	"SUCCESS": {DeploymentSuccess, InstanceSuccess, "SUCCEEDED"},
	"FAILURE": {DeploymentFailure, InstanceFailure, "FAILED"},
	"STOP":    {DeploymentStop, Unknown, "STOPPED"},
	"READY":   {DeploymentReady, InstanceReady, "READY"},
}

func decodeEventBridge(data []byte) (deploy.Event, error) {
	var e eventBridge
	if err := json.Unmarshal(data, &e); err != nil {
		return deploy.Event{}, source.Errorf(data, "malformed EventBridge event: %s", source.JSONProblem(err))
	}
	var instance bool
	switch e.DetailType {
	case ebDeployment:
	case ebInstance:
		instance = true
	default:
		return deploy.Event{}, source.Errorf(data, "EventBridge detail-type %q is not a CodeDeploy state change", e.DetailType)
	}
	d := e.Detail
	if d.DeploymentID == "" {
		return deploy.Event{}, source.Errorf(data, "EventBridge event has no detail.deploymentId")
	}
	state := strings.ToUpper(strings.TrimSpace(d.State))
	ev := deploy.Event{
		Source:          SourceEventBridge,
		ID:              e.ID,
		Region:          firstNonEmpty(d.Region, e.Region),
		AccountID:       e.Account,
		Application:     d.Application,
		DeploymentGroup: d.DeploymentGroup,
		DeploymentID:    d.DeploymentID,
		RawStatus:       d.State,
	}
	if t, err := time.Parse(time.RFC3339Nano, e.Time); err == nil {
		ev.Published = t.UTC()
	}
	if s, ok := ebStates[state]; !ok {
		ev.Name = Unknown
		ev.Status = state
	} else {
		ev.Status = s.status
		ev.Name = s.deployment
		if instance {
			ev.Name = s.instance
		}
	}
	if instance {
		if d.InstanceID == "" {
			return deploy.Event{}, source.Errorf(data, "EventBridge instance event has no detail.instanceId")
		}
		ev.Target = parseTarget(d.InstanceID)
	}
	Classify(&ev)
	return ev, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// phases maps each event name to its phase.
var phases = map[string]deploy.Phase{
	DeploymentStart:    deploy.Started,
	DeploymentSuccess:  deploy.Succeeded,
	DeploymentFailure:  deploy.Failed,
	DeploymentStop:     deploy.Stopped,
	DeploymentRollback: deploy.RollingBack,
	DeploymentReady:    deploy.Ready,
	InstanceStart:      deploy.Started,
	InstanceSuccess:    deploy.Succeeded,
	InstanceFailure:    deploy.Failed,
	InstanceReady:      deploy.Ready,
	TriggerTest:        deploy.Test,
	Unknown:            deploy.Unknown,
}

// Classify sets the event's phase and platform from its name and target. A
// successful ECS or Lambda deployment target is the moment production
// traffic moved; EC2 instance successes are per-instance progress.
func Classify(ev *deploy.Event) {
	ev.Phase = phases[ev.Name]
	ev.Platform = deploy.CodeDeploy
	if t := ev.Target; t != nil {
		switch t.Type {
		case deploy.TargetECS:
			ev.Platform = deploy.CodeDeployECS
		case deploy.TargetEC2:
			ev.Platform = deploy.CodeDeployServer
		}
		if ev.Name == InstanceSuccess && t.Type != deploy.TargetEC2 {
			ev.Phase = deploy.TrafficSwitched
		}
	}
}

// parseTarget classifies a trigger or EventBridge instance ID.
func parseTarget(id string) *deploy.Target {
	t := &deploy.Target{ID: id}
	switch {
	case strings.HasPrefix(id, "i-") || strings.HasPrefix(id, "mi-") ||
		strings.HasPrefix(id, "arn:aws:ec2:") || strings.Contains(id, ":instance/"):
		t.Type = deploy.TargetEC2
	case strings.HasPrefix(id, "arn:"):
		// Some other ARN: keep it as is.
	default:
		if cluster, service, ok := strings.Cut(id, ":"); ok && cluster != "" && service != "" && !strings.Contains(service, ":") {
			t.Type = deploy.TargetECS
			t.Cluster, t.Service = cluster, service
		}
	}
	return t
}
