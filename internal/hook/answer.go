package hook

import (
	"encoding/json"
	"fmt"
)

// Status is a hook's answer, in ECS's words.
type Status string

// The answers. CodeDeploy only takes Succeeded or Failed (CodeDeploy).
const (
	Succeeded  Status = "SUCCEEDED"
	Failed     Status = "FAILED"
	InProgress Status = "IN_PROGRESS"
)

// CodeDeploy is the status PutLifecycleEventHookExecutionStatus takes:
// Succeeded, or Failed for anything else (CodeDeploy has no "in progress":
// its hooks stay inside the Lambda timeout).
func (s Status) CodeDeploy() string {
	if s == Succeeded {
		return CodeDeploySucceeded
	}
	return CodeDeployFailed
}

// OnError says how a hook answers when cutover itself fails (a chat
// destination down, CloudFront throttled, delivery records unavailable, a
// check that panicked, input it cannot read): CUTOVER_HOOK_ON_ERROR.
type OnError string

// The policies.
const (
	// Continue answers SUCCEEDED: cutover's faults never fail a
	// deployment (the default). The fault is logged and the undelivered
	// notification stays where `cutover replay` finds it.
	Continue OnError = "continue"
	// Rollback answers FAILED, so ECS or CodeDeploy rolls back.
	Rollback OnError = "rollback"
)

// ParseOnError reads a CUTOVER_HOOK_ON_ERROR value.
func ParseOnError(s string) (OnError, error) {
	switch OnError(s) {
	case Continue, Rollback:
		return OnError(s), nil
	}
	return "", fmt.Errorf("%q is neither %s nor %s", s, Continue, Rollback)
}

// Status is the answer for one of cutover's own faults.
func (o OnError) Status() Status {
	if o == Rollback {
		return Failed
	}
	return Succeeded
}

// ECSResponse is the answer an ECS Lambda hook returns.
type ECSResponse struct {
	// HookStatus is SUCCEEDED, FAILED or IN_PROGRESS.
	HookStatus Status `json:"hookStatus"`
	// CallBackDelay is the seconds ECS waits before calling again after
	// IN_PROGRESS (ECS's default is 30).
	CallBackDelay int `json:"callBackDelay,omitempty"`
	// HookDetails are passed back to the next call after IN_PROGRESS.
	HookDetails json.RawMessage `json:"hookDetails,omitempty"`
}

// Progress is what cutover keeps in hookDetails between the calls of an
// IN_PROGRESS hook, under the key "cutover" beside the user's own details.
type Progress struct {
	// Delivered is true once the event was delivered.
	Delivered bool `json:"delivered,omitempty"`
	// Attempts counts the runs of the checks that did not finish.
	Attempts int `json:"attempts,omitempty"`
}

// progressKey is the hookDetails key cutover owns.
const progressKey = "cutover"

// ProgressOf reads cutover's progress from hookDetails (zero when absent
// or unreadable: the work starts over, which is safe because delivery is
// once per event and destination).
func ProgressOf(details json.RawMessage) Progress {
	var m map[string]json.RawMessage
	var p Progress
	if json.Unmarshal(details, &m) == nil {
		_ = json.Unmarshal(m[progressKey], &p)
	}
	return p
}

// WithProgress returns details with cutover's progress set, keeping the
// user's own keys.
func WithProgress(details json.RawMessage, p Progress) json.RawMessage {
	m := map[string]json.RawMessage{}
	_ = json.Unmarshal(details, &m)
	if m == nil {
		m = map[string]json.RawMessage{}
	}
	raw, _ := json.Marshal(p)
	m[progressKey] = raw
	out, _ := json.Marshal(m) // map keys are sorted: deterministic
	return out
}
