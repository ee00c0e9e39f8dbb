// Package inbound is cutover's one router for what arrives: the Lambda
// handler, `cutover send`, `replay`, `render` and `serve` all hand it the
// raw payload. It classifies the payload (Classify: a deployment
// notification in any envelope, an SQS batch whose records are routed one
// by one, a CloudFront follow-up, a lifecycle hook, or something unknown)
// into typed values, and runs each kind (Router.Handle): notifications go
// to delivery, follow-ups are checked and then notified once, lifecycle
// hooks fail clearly. The same input gets the same decision on every path.
package inbound

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cutover-dev/cutover/internal/action/cloudfront"
	"github.com/cutover-dev/cutover/internal/deploy"
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
	// Hook is the lifecycle hook, as the error it fails with (KindHook).
	Hook *HookError
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
	if top := object(data); top != nil {
		if depth == 0 {
			if source.Has(top, "cutoverSlackAction") {
				if req, ok := interact.DecodeDeferred(data); ok {
					return Payload{Kind: KindInteraction, Interaction: &req}
				}
			}
		}
		if h := hookOf(top); h != nil {
			return Payload{Kind: KindHook, Hook: h}
		}
		// A hook invocation that failed and went to the failure
		// destination is still a hook.
		if source.Has(top, "requestPayload") && source.Has(top, "requestContext") && depth < maxDepth {
			if inner := object(top["requestPayload"]); inner != nil {
				if h := hookOf(inner); h != nil {
					return Payload{Kind: KindHook, Hook: h}
				}
			}
		}
		if cloudfront.IsFollowUp(data) {
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
							de.MessageID = r.MessageID
						}
					}
					p.Records = append(p.Records, Record{MessageID: r.MessageID, Payload: rp})
				}
				return p
			}
		}
	}
	events, err := reg.Decode(data)
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

// object returns data's top-level JSON object, or nil.
func object(data []byte) map[string]json.RawMessage {
	if len(data) > source.MaxInput {
		return nil
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' || !utf8.Valid(data) {
		return nil
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return nil
	}
	return top
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
func sqsRecords(top map[string]json.RawMessage) ([]sqsRecord, bool) {
	raw, ok := top["Records"]
	if !ok || !bytes.Contains(raw, []byte(`"aws:sqs"`)) {
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

// HookError is a lifecycle-hook invocation, as the error it fails with:
// this version of cutover does not run lifecycle hooks.
//
// Its retry class is deliberate: it is NOT permanent. A hook payload is not
// malformed input that retrying cannot fix; it is a deployment waiting for
// an answer, and answering "success" (as dropping it would) or dropping it
// silently would hide a stalled deployment. As a retryable error it fails
// the Lambda invocation: ECS takes a hook function's error as a failed hook
// and rolls the deployment back at once; CodeDeploy's asynchronous
// invocation is retried and then lands in the failure queue, where `cutover
// replay` names it and keeps it; in an SQS batch the record is reported as
// a batch-item failure, and `serve` answers 500. It is never acknowledged.
type HookError struct {
	// Platform is deploy.CodeDeploy or deploy.ECSNative.
	Platform deploy.Platform
	// DeploymentID is the CodeDeploy deployment ID, or the ECS
	// service-deployment ARN (resourceArn).
	DeploymentID string
	// ExecutionID is CodeDeploy's LifecycleEventHookExecutionId or ECS's
	// executionId.
	ExecutionID string
	// Stage is the ECS lifecycleStage (empty for CodeDeploy).
	Stage string
}

// maxHookField bounds each hook value quoted in the error: they come from
// outside.
const maxHookField = 120

// Error names the hook and says cutover does not run hooks yet.
func (e *HookError) Error() string {
	q := func(s string) string { return fmt.Sprintf("%q", source.Snippet([]byte(s), maxHookField)) }
	var what, then string
	if e.Platform == deploy.ECSNative {
		what = fmt.Sprintf("ECS lifecycle hook %s at stage %s (execution %s)", q(e.DeploymentID), q(e.Stage), q(e.ExecutionID))
		then = "the hook fails, so ECS rolls the deployment back"
	} else {
		what = fmt.Sprintf("CodeDeploy lifecycle hook of deployment %s (hook execution %s)", q(e.DeploymentID), q(e.ExecutionID))
		then = "CodeDeploy waits for the hook's status until the hook times out"
	}
	return "lifecycle hook: " + what + ": this version of cutover does not run lifecycle hooks yet " +
		"(hook mode comes with a later release); point the hook at a hook function, not at cutover; " + then
}

// hookOf returns the hook top describes, or nil. A CodeDeploy hook has
// DeploymentId and LifecycleEventHookExecutionId; an ECS hook has
// executionId and lifecycleStage (and resourceArn, executionDetails).
func hookOf(top map[string]json.RawMessage) *HookError {
	str := func(k string) string {
		var s string
		if json.Unmarshal(top[k], &s) != nil {
			// Not a string: show the raw JSON, bounded by Error.
			return string(top[k])
		}
		return s
	}
	switch {
	case source.Has(top, "DeploymentId") && source.Has(top, "LifecycleEventHookExecutionId"):
		return &HookError{Platform: deploy.CodeDeploy, DeploymentID: str("DeploymentId"), ExecutionID: str("LifecycleEventHookExecutionId")}
	case source.Has(top, "executionId") && source.Has(top, "lifecycleStage"):
		return &HookError{Platform: deploy.ECSNative, DeploymentID: str("resourceArn"), ExecutionID: str("executionId"), Stage: str("lifecycleStage")}
	}
	return nil
}
