package codedeploy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxInput is the largest input Decode accepts. SNS messages are at most
// 256 KiB; the envelope around them adds little.
const MaxInput = 1 << 20

// ErrSubscriptionConfirmation is returned for an SNS HTTP/S
// SubscriptionConfirmation or UnsubscribeConfirmation body: it holds no
// CodeDeploy event.
var ErrSubscriptionConfirmation = errors.New("sns subscription confirmation, not a notification")

// DecodeError says why an input is not a CodeDeploy notification, with the
// first bytes of what was received. Decoding is deterministic, so retrying
// the same input cannot help: a DecodeError is permanent.
type DecodeError struct {
	// MessageID is the SNS MessageId of the rejected message, if known.
	MessageID string
	// Reason says what was wrong.
	Reason string
	// Snippet is the start of the input, valid UTF-8, at most 200 bytes.
	Snippet string
}

// Error says what was wrong, which SNS message it was, and what was
// received.
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("decode: ")
	b.WriteString(e.Reason)
	if e.MessageID != "" {
		b.WriteString(" (sns message ")
		b.WriteString(e.MessageID)
		b.WriteString(")")
	}
	if e.Snippet != "" {
		fmt.Fprintf(&b, ": received %q", e.Snippet)
	}
	return b.String()
}

// Permanent marks a DecodeError as not worth retrying.
func (e *DecodeError) Permanent() bool { return true }

func decodeErr(msgID string, data []byte, format string, args ...any) *DecodeError {
	return &DecodeError{MessageID: msgID, Reason: fmt.Sprintf(format, args...), Snippet: Snippet(data, 200)}
}

// Snippet returns at most n bytes from the start of data as valid UTF-8,
// with invalid bytes replaced and an ellipsis when cut.
func Snippet(data []byte, n int) string {
	cut := len(data) > n
	if cut {
		data = data[:n]
		// Drop a rune split by the cut (at most 3 trailing bytes).
		for i := 1; i <= 3 && i <= len(data); i++ {
			if utf8.RuneStart(data[len(data)-i]) {
				if !utf8.FullRune(data[len(data)-i:]) {
					data = data[:len(data)-i]
				}
				break
			}
		}
	}
	s := strings.ToValidUTF8(string(data), "\uFFFD")
	if cut {
		s += "…"
	}
	return s
}

// Decode decodes one input document into its events. It recognises the
// Lambda SNS event, an SNS HTTP/S body, a Lambda async-invocation destination
// record (what the failure queue holds), an EventBridge aws.codedeploy event
// and a bare trigger message. A Lambda SNS event with several records yields
// the events it could decode together with an error joining a *DecodeError
// for each record it could not.
func Decode(data []byte) ([]Event, error) {
	return decode(data, 0)
}

func decode(data []byte, depth int) ([]Event, error) {
	if len(data) > MaxInput {
		return nil, decodeErr("", data, "input is %d bytes, more than the %d accepted", len(data), MaxInput)
	}
	if depth > 3 {
		return nil, decodeErr("", data, "envelopes nested too deeply")
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, decodeErr("", data, "empty input")
	}
	if !utf8.Valid(trimmed) {
		return nil, decodeErr("", data, "input is not valid UTF-8")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil {
		return nil, decodeErr("", data, "not a JSON object: %v", err)
	}
	switch {
	case has(top, "Records"):
		return decodeRecords(top["Records"], data, depth)
	case has(top, "requestPayload") && has(top, "requestContext"):
		return decode(top["requestPayload"], depth+1)
	case has(top, "Type") && has(top, "TopicArn"):
		ev, err := decodeSNSHTTP(trimmed)
		if err != nil {
			return nil, err
		}
		return []Event{ev}, nil
	case has(top, "detail-type") || (has(top, "source") && has(top, "detail")):
		ev, err := decodeEventBridge(trimmed, top)
		if err != nil {
			return nil, err
		}
		return []Event{ev}, nil
	case looksLikeTrigger(top):
		ev, err := decodeTrigger(trimmed, top, "")
		if err != nil {
			return nil, err
		}
		ev.ID = "key:" + ev.Key()
		return []Event{ev}, nil
	}
	return nil, decodeErr("", data, "not a CodeDeploy notification (top-level keys: %s)", keyList(top))
}

func has(m map[string]json.RawMessage, k string) bool {
	v, ok := m[k]
	return ok && string(v) != "null"
}

func keyList(m map[string]json.RawMessage) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > 8 {
		keys = append(keys[:8], "…")
	}
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

func looksLikeTrigger(top map[string]json.RawMessage) bool {
	return has(top, "deploymentId") || has(top, "eventTriggerName") ||
		(has(top, "status") && (has(top, "region") || has(top, "accountId")))
}

// lambdaRecord is one record of a Lambda event: SNS or SQS.
type lambdaRecord struct {
	EventSource  string          `json:"EventSource"`
	EventSource2 string          `json:"eventSource"`
	Sns          json.RawMessage `json:"Sns"`
	Body         *string         `json:"body"`
	MessageID    string          `json:"messageId"`
}

func decodeRecords(raw json.RawMessage, whole []byte, depth int) ([]Event, error) {
	var recs []lambdaRecord
	if err := json.Unmarshal(raw, &recs); err != nil {
		return nil, decodeErr("", whole, "Records is not a list of records: %v", err)
	}
	if len(recs) == 0 {
		return nil, decodeErr("", whole, "event has no records")
	}
	var (
		events []Event
		errs   []error
	)
	for i, r := range recs {
		switch {
		case len(r.Sns) > 0 && string(r.Sns) != "null":
			ev, err := decodeSNSLambda(r.Sns)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			events = append(events, ev)
		case r.Body != nil:
			// An SQS record whose body is an SNS envelope or a notification.
			evs, err := decode([]byte(*r.Body), depth+1)
			if err != nil {
				var de *DecodeError
				if errors.As(err, &de) && de.MessageID == "" {
					de.MessageID = r.MessageID
				}
				errs = append(errs, err)
			}
			events = append(events, evs...)
		default:
			errs = append(errs, decodeErr("", whole, "record %d is neither SNS nor SQS (eventSource %q)", i, r.EventSource+r.EventSource2))
		}
	}
	return events, errors.Join(errs...)
}

// snsLambda is the Sns entity of a Lambda SNS event record.
type snsLambda struct {
	Type      string `json:"Type"`
	MessageID string `json:"MessageId"`
	TopicArn  string `json:"TopicArn"`
	Subject   string `json:"Subject"`
	Message   string `json:"Message"`
	Timestamp string `json:"Timestamp"`
}

func decodeSNSLambda(raw json.RawMessage) (Event, error) {
	var s snsLambda
	if err := json.Unmarshal(raw, &s); err != nil {
		return Event{}, decodeErr("", raw, "malformed SNS record: %v", err)
	}
	return decodeSNSMessage(s)
}

func decodeSNSHTTP(data []byte) (Event, error) {
	var s snsLambda
	if err := json.Unmarshal(data, &s); err != nil {
		return Event{}, decodeErr("", data, "malformed SNS HTTP body: %v", err)
	}
	switch s.Type {
	case "Notification":
	case "SubscriptionConfirmation", "UnsubscribeConfirmation":
		return Event{}, ErrSubscriptionConfirmation
	default:
		return Event{}, decodeErr(s.MessageID, data, "SNS message type %q is not a Notification", s.Type)
	}
	return decodeSNSMessage(s)
}

func decodeSNSMessage(s snsLambda) (Event, error) {
	msg := []byte(s.Message)
	if len(bytes.TrimSpace(msg)) == 0 {
		return Event{}, decodeErr(s.MessageID, msg, "SNS message is empty")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(msg, &top); err != nil {
		return Event{}, decodeErr(s.MessageID, msg, "SNS message is not JSON: %v", err)
	}
	var (
		ev  Event
		err error
	)
	switch {
	case has(top, "detail-type"):
		ev, err = decodeEventBridge(msg, top)
	case looksLikeTrigger(top):
		ev, err = decodeTrigger(msg, top, s.Subject)
	default:
		return Event{}, decodeErr(s.MessageID, msg, "SNS message is not a CodeDeploy notification (keys: %s)", keyList(top))
	}
	if err != nil {
		var de *DecodeError
		if errors.As(err, &de) {
			de.MessageID = s.MessageID
		}
		return Event{}, err
	}
	ev.MessageID = s.MessageID
	ev.ID = s.MessageID
	if ev.ID == "" {
		ev.ID = "key:" + ev.Key()
	}
	ev.TopicARN = s.TopicArn
	ev.Subject = s.Subject
	if t, err := time.Parse(time.RFC3339Nano, s.Timestamp); err == nil {
		ev.Published = t.UTC()
	}
	return ev, nil
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

func decodeEventBridge(data []byte, top map[string]json.RawMessage) (Event, error) {
	var e eventBridge
	if err := json.Unmarshal(data, &e); err != nil {
		return Event{}, decodeErr("", data, "malformed EventBridge event: %v", err)
	}
	if e.Source != "aws.codedeploy" {
		return Event{}, decodeErr("", data, "EventBridge event from %q, not aws.codedeploy", e.Source)
	}
	var instance bool
	switch e.DetailType {
	case ebDeployment:
	case ebInstance:
		instance = true
	default:
		return Event{}, decodeErr("", data, "EventBridge detail-type %q is not a CodeDeploy state change", e.DetailType)
	}
	d := e.Detail
	if d.DeploymentID == "" {
		return Event{}, decodeErr("", data, "EventBridge event has no detail.deploymentId")
	}
	state := strings.ToUpper(strings.TrimSpace(d.State))
	ev := Event{
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
	kinds := map[string][2]Kind{
		"START":   {DeploymentStart, InstanceStart},
		"SUCCESS": {DeploymentSuccess, InstanceSuccess},
		"FAILURE": {DeploymentFailure, InstanceFailure},
		"STOP":    {DeploymentStop, Unknown},
		"READY":   {DeploymentReady, InstanceReady},
	}
	statuses := map[string]string{
		"START": "IN_PROGRESS", "SUCCESS": "SUCCEEDED", "FAILURE": "FAILED", "STOP": "STOPPED", "READY": "READY",
	}
	k, ok := kinds[state]
	if !ok {
		ev.Kind = Unknown
		ev.Status = state
	} else {
		ev.Status = statuses[state]
		if instance {
			ev.Kind = k[1]
		} else {
			ev.Kind = k[0]
		}
	}
	if instance {
		if d.InstanceID == "" {
			return Event{}, decodeErr("", data, "EventBridge instance event has no detail.instanceId")
		}
		ev.Target = parseTarget(d.InstanceID)
	}
	ev.TrafficSwitched = isTrafficSwitch(ev)
	if ev.ID == "" {
		ev.ID = "key:" + ev.Key()
	}
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

// isTrafficSwitch reports whether ev is the moment production traffic moved:
// a successful ECS or Lambda deployment target. EC2 instance successes are
// per-instance progress, not a cutover.
func isTrafficSwitch(ev Event) bool {
	return ev.Kind == InstanceSuccess && ev.Target != nil && ev.Target.Type != "EC2"
}

// parseTarget classifies a trigger or EventBridge instance ID.
func parseTarget(id string) *Target {
	t := &Target{ID: id}
	switch {
	case strings.HasPrefix(id, "i-") || strings.HasPrefix(id, "mi-") ||
		strings.HasPrefix(id, "arn:aws:ec2:") || strings.Contains(id, ":instance/"):
		t.Type = "EC2"
	case strings.HasPrefix(id, "arn:"):
		// Some other ARN: keep it as is.
	default:
		if cluster, service, ok := strings.Cut(id, ":"); ok && cluster != "" && service != "" && !strings.Contains(service, ":") {
			t.Type = "ECS"
			t.Cluster, t.Service = cluster, service
		}
	}
	return t
}
