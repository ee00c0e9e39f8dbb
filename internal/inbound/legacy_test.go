package inbound

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"

	"github.com/cutover-dev/cutover/internal/action/cloudfront"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/hook"
	"github.com/cutover-dev/cutover/internal/interact"
	"github.com/cutover-dev/cutover/internal/source"
)

// The classifier as it was before the top level was listed once and
// shared with the registry (each document decoded into maps, layer by
// layer): the reference FuzzClassifyAsBefore compares Classify with.

func legacyClassify(reg *source.Registry, data []byte, depth int) Payload {
	if top := legacyObject(data); top != nil {
		if depth == 0 {
			if source.Has(top, "cutoverSlackAction") {
				if req, ok := interact.DecodeDeferred(data); ok {
					return Payload{Kind: KindInteraction, Interaction: &req}
				}
			}
		}
		if h := legacyHookOf(top, data); h != nil {
			return Payload{Kind: KindHook, Hook: h}
		}
		// A hook invocation that failed and went to the failure
		// destination is still a hook.
		if source.Has(top, "requestPayload") && source.Has(top, "requestContext") && depth < maxDepth {
			if inner := legacyObject(top["requestPayload"]); inner != nil {
				if h := legacyHookOf(inner, top["requestPayload"]); h != nil {
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
			if recs, ok := legacySQSRecords(top); ok {
				p := Payload{Kind: KindBatch}
				for _, r := range recs {
					rp := legacyClassify(reg, []byte(r.Body), depth+1)
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
func legacyObject(data []byte) map[string]json.RawMessage {
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

// sqsRecords returns the records of an SQS batch: a Records list, not
// empty, whose records all come from SQS.
func legacySQSRecords(top map[string]json.RawMessage) ([]sqsRecord, bool) {
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

// hookOf returns the hook top describes (data is its JSON), or nil: see
// hook.Kind. A hook that cannot be read is still a hook, with Err set.
func legacyHookOf(top map[string]json.RawMessage, data []byte) *Hook {
	platform := hook.Kind(top)
	if platform == "" {
		return nil
	}
	str := func(k string) string {
		var s string
		if json.Unmarshal(top[k], &s) != nil {
			// Not a string: show the raw JSON, bounded.
			return source.Snippet(top[k], maxHookField)
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
