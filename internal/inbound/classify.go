// Package inbound is cutover's one router for what arrives: the Lambda
// handler, `cutover send`, `replay`, `render` and `serve` all hand it the
// raw payload. It classifies the payload (Classify: a deployment
// notification in any envelope, an SQS batch whose records are routed one
// by one, a CloudFront follow-up, a lifecycle hook, or something unknown)
// into typed values, and runs each kind (Router.Handle): notifications go
// to delivery, follow-ups are checked and then notified once, lifecycle
// hooks run the hook pipeline (deliver, check, answer; hook.go). The same input gets the same decision on every path.
package inbound

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cutover-dev/cutover/internal/action/cloudfront"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/hook"
	"github.com/cutover-dev/cutover/internal/interact"
	"github.com/cutover-dev/cutover/internal/source"
)

// Kind is what a payload is.
type Kind string

// Kinds of payload.
const (
	// KindNotification is a deployment notification that source.Registry
	// decodes: SNS (Lambda event or HTTP/S body), EventBridge, a bare
	// message, a Lambda failure-destination record.
	KindNotification Kind = "notification"
	// KindBatch is an SQS batch (the follow-up queue, or a queue
	// subscribed to the topic): each record is routed on its own.
	KindBatch Kind = "sqs-batch"
	// KindFollowUp is a CloudFront invalidation completion check.
	KindFollowUp Kind = "follow-up"
	// KindHook is a CodeDeploy or ECS lifecycle-hook invocation.
	KindHook Kind = "lifecycle-hook"
	// KindUnknown is anything else: nothing in it can be delivered.
	KindUnknown Kind = "unknown"
	// KindHTTP is a Lambda function URL request (a Slack button click
	// at POST /slack/actions); the router answers it with an HTTP
	// response.
	KindHTTP Kind = "http"
	// KindInteraction is the function's asynchronous self-invocation
	// carrying a click to act on after it was answered.
	KindInteraction Kind = "interaction"
)

// Payload is a classified input.
type Payload struct {
	// Kind is what the input is.
	Kind Kind
	// Events are the decoded events (KindNotification).
	Events []deploy.Event
	// Rejected are the parts that cannot be decoded (KindNotification
	// beside its events, KindUnknown).
	Rejected []Rejection
	// FollowUp is the decoded follow-up (KindFollowUp).
	FollowUp *cloudfront.FollowUp
	// Hook is the lifecycle-hook invocation (KindHook).
	Hook *Hook
	// Records are the records of an SQS batch, each classified on its own
	// (KindBatch).
	Records []Record
	// HTTP is the function URL request (KindHTTP).
	HTTP *events.LambdaFunctionURLRequest
	// Interaction is the click a self-invocation carries (KindInteraction).
	Interaction *interact.Request
}

// Record is one record of an SQS batch.
type Record struct {
	// MessageID is the SQS message ID, the batch item identifier.
	MessageID string
	// Payload is the record's body, classified.
	Payload Payload
}

// Rejection is one part of an input that cannot be delivered: retrying the
// same bytes cannot help, so it is logged and dropped.
type Rejection struct {
	// MessageID is the SNS or SQS message ID of the part, when known.
	MessageID string
	// Err says why: a *source.DecodeError, source.ErrSubscriptionConfirmation,
	// or a follow-up's decode error (retry.Permanent).
	Err error
}

// Error is Err's message.
func (r Rejection) Error() string { return r.Err.Error() }

// Unwrap returns Err.
func (r Rejection) Unwrap() error { return r.Err }

// Permanent marks a rejection as not worth retrying.
func (r Rejection) Permanent() bool { return true }

// maxDepth bounds how deeply Classify looks into envelopes for a hook or a
// follow-up (a failure record's requestPayload, an SQS record's body).
const maxDepth = 2

// Classify classifies data with the decoders of reg (nil: none, so every
// notification is rejected). It never fails: what cannot be decoded is in the Payload's
// Rejected. It is pure: the same bytes always give the same Payload.
func Classify(reg *source.Registry, data []byte) Payload {
	if reg == nil {
		reg = source.New()
	}
	if req, ok := functionURL(data); ok {
		return Payload{Kind: KindHTTP, HTTP: req}
	}
	return classify(reg, data, 0)
}

// maxFunctionURL bounds a function URL request Classify reads: Lambda's
// 6 MB invocation payload limit.
const maxFunctionURL = 6 << 20

// functionURL returns data as a Lambda function URL request (payload
// version 2.0: rawPath, requestContext.http.method), if it is one. It is
// read even when larger than source.MaxInput, so that an oversized body
// still gets an HTTP answer.
func functionURL(data []byte) (*events.LambdaFunctionURLRequest, bool) {
	d := bytes.TrimSpace(data)
	if len(d) > maxFunctionURL || len(d) == 0 || d[0] != '{' || !bytes.Contains(d, []byte(`"rawPath"`)) {
		return nil, false
	}
	var probe struct {
		RawPath        *string `json:"rawPath"`
		RequestContext *struct {
			HTTP *struct {
				Method string `json:"method"`
			} `json:"http"`
		} `json:"requestContext"`
		RequestPayload json.RawMessage `json:"requestPayload"`
	}
	if json.Unmarshal(d, &probe) != nil || probe.RawPath == nil || probe.RequestContext == nil ||
		probe.RequestContext.HTTP == nil || probe.RequestContext.HTTP.Method == "" || len(probe.RequestPayload) > 0 {
		return nil, false
	}
	var req events.LambdaFunctionURLRequest
	if json.Unmarshal(d, &req) != nil {
		return nil, false
	}
	return &req, true
}

func classify(reg *source.Registry, data []byte, depth int) Payload {
	// The top level is listed once (source.ReadObject) and shared with
	// the registry; a decision taken from the keys alone first checks
	// that the whole input is JSON, as decoding it into a map did.
	top := object(data)
	if top != nil {
		if depth == 0 {
			if top.Has("cutoverSlackAction") && top.Valid() {
				if req, ok := interact.DecodeDeferred(data); ok {
					return Payload{Kind: KindInteraction, Interaction: &req}
				}
			}
		}
		if h := hookOf(top, data); h != nil {
			return Payload{Kind: KindHook, Hook: h}
		}
		// A hook invocation that failed and went to the failure
		// destination is still a hook.
		if top.Has("requestPayload") && top.Has("requestContext") && depth < maxDepth && top.Valid() {
			inner := top.Raw("requestPayload")
			if in := object(inner); in != nil {
				if h := hookOf(in, inner); h != nil {
					return Payload{Kind: KindHook, Hook: h}
				}
			}
		}
		// A follow-up is read by a struct field "type": only a key that
		// folds to it can make one.
		if top.HasFold("type") && top.Valid() && cloudfront.IsFollowUp(data) {
			fu, err := cloudfront.DecodeFollowUp(data)
			if err != nil {
				return Payload{Kind: KindUnknown, Rejected: []Rejection{{Err: err}}}
			}
			return Payload{Kind: KindFollowUp, FollowUp: &fu}
		}
		if depth == 0 {
			if recs, ok := sqsRecords(top); ok {
				p := Payload{Kind: KindBatch}
				for _, r := range recs {
					rp := classify(reg, []byte(r.Body), depth+1)
					for i := range rp.Rejected {
						if rp.Rejected[i].MessageID == "" {
							rp.Rejected[i].MessageID = r.MessageID
						}
						// The error names the record too (as the source
						// does for SQS records).
						var de *source.DecodeError
						if errors.As(rp.Rejected[i].Err, &de) && de.MessageID == "" {
							de.MessageID, de.SQS = r.MessageID, true
						}
					}
					p.Records = append(p.Records, Record{MessageID: r.MessageID, Payload: rp})
				}
				return p
			}
		}
	}
	events, err := reg.DecodeObject(data, top)
	p := Payload{Kind: KindNotification, Events: events}
	if err != nil {
		for _, e := range unjoin(err) {
			r := Rejection{Err: e}
			var de *source.DecodeError
			if errors.As(e, &de) {
				r.MessageID = de.MessageID
			}
			p.Rejected = append(p.Rejected, r)
		}
	}
	if len(events) == 0 && len(p.Rejected) > 0 {
		p.Kind = KindUnknown
	}
	return p
}

// object returns data's top-level JSON object, its members listed but not
// yet checked (source.Object.Valid), or nil when data is not an object.
func object(data []byte) *source.Object {
	if len(data) > source.MaxInput {
		return nil
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil
	}
	if o := source.ReadObject(data); o != nil {
		return o
	}
	// Members it does not list (escaped keys, many of them): decode.
	if !utf8.Valid(data) {
		return nil
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return nil
	}
	return source.MapObject(data, top)
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// sqsRecord is one record of a Lambda SQS event.
type sqsRecord struct {
	MessageID   string `json:"messageId"`
	EventSource string `json:"eventSource"`
	Body        string `json:"body"`
}

// sqsRecords returns the records of an SQS batch: a Records list, not
// empty, whose records all come from SQS.
func sqsRecords(top *source.Object) ([]sqsRecord, bool) {
	raw := top.Raw("Records")
	if raw == nil || !bytes.Contains(raw, []byte(`"aws:sqs"`)) || !top.Valid() {
		return nil, false
	}
	var recs []sqsRecord
	if json.Unmarshal(raw, &recs) != nil || len(recs) == 0 {
		return nil, false
	}
	for _, r := range recs {
		if r.EventSource != "aws:sqs" {
			return nil, false
		}
	}
	return recs, true
}

// hookOf returns the hook top describes (data is its JSON), or nil: see
// hook.Kind. A hook that cannot be read is still a hook, with Err set.
func hookOf(top *source.Object, data []byte) *Hook {
	// Every hook has one of these keys (see hook.Kind): look no further
	// for the rest.
	if !top.Has("LifecycleEventHookExecutionId") && !top.Has("lifecycleStage") {
		return nil
	}
	if !top.Valid() {
		return nil
	}
	platform := hook.Kind(top.Map())
	if platform == "" {
		return nil
	}
	str := func(k string) string {
		var s string
		if json.Unmarshal(top.Raw(k), &s) != nil {
			// Not a string: show the raw JSON, bounded.
			return source.Snippet(top.Raw(k), maxHookField)
		}
		return s
	}
	h := &Hook{Platform: platform, Raw: append(json.RawMessage(nil), data...)}
	if platform == deploy.ECSNative {
		h.DeploymentID, h.ExecutionID, h.Stage = str("resourceArn"), str("executionId"), str("lifecycleStage")
	} else {
		h.DeploymentID, h.ExecutionID = str("DeploymentId"), str("LifecycleEventHookExecutionId")
	}
	h.Invocation, h.Err = hook.Parse(platform, data)
	return h
}

// maxHookField bounds each hook value logged when the hook cannot be read:
// they come from outside.
const maxHookField = 120
