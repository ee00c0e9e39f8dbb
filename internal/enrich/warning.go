package enrich

import (
	"strings"
	"time"
)

// Reason says why a lookup gave nothing.
type Reason string

// The reasons a lookup can fail.
const (
	// ReasonDenied: the role lacks the permission (AccessDeniedException).
	ReasonDenied Reason = "denied"
	// ReasonThrottled: AWS throttled the call and the retries ran out.
	ReasonThrottled Reason = "throttled"
	// ReasonTimeout: no answer within Options.Timeout.
	ReasonTimeout Reason = "timeout"
	// ReasonNotFound: the deployment, group, service or task definition
	// does not exist (any more).
	ReasonNotFound Reason = "not found"
	// ReasonFailed: any other error.
	ReasonFailed Reason = "failed"
	// ReasonIncomplete: the lookups answered but lack what a feature needs.
	ReasonIncomplete Reason = "incomplete"
)

// Warning reports one lookup that gave nothing, and what is missing from
// the details because of it. The caller logs one line per warning; a
// Warning never blocks the message.
type Warning struct {
	// Action is the IAM action of the lookup, e.g.
	// "codedeploy:GetDeployment"; empty for ReasonIncomplete.
	Action string `json:"action,omitempty"`
	// Resource is what to grant Action on: a deployment group ARN, or "*".
	Resource string `json:"resource,omitempty"`
	// Reason is why the lookup gave nothing.
	Reason Reason `json:"reason"`
	// LeftOut says which parts of the details are missing because of it.
	LeftOut string `json:"leftOut,omitempty"`
	// Timeout is the budget that ran out, for ReasonTimeout.
	Timeout time.Duration `json:"timeout,omitempty"`
	// Message is the text of a ReasonIncomplete warning.
	Message string `json:"message,omitempty"`
	// Err is the lookup's error, if any.
	Err error `json:"-"`
}

// String is the warning as one log line, e.g. "codedeploy:GetDeployment
// denied: grant it on arn:aws:codedeploy:us-east-1:111122223333:
// deploymentgroup:web/web-prod (left out: creator, pipeline, error details)".
func (w Warning) String() string {
	var b strings.Builder
	switch w.Reason {
	case ReasonIncomplete:
		b.WriteString(w.Message)
	case ReasonDenied:
		b.WriteString(w.Action + " denied: grant it on " + w.Resource)
	case ReasonThrottled:
		b.WriteString(w.Action + " throttled by AWS")
	case ReasonTimeout:
		b.WriteString(w.Action + " did not answer")
		if w.Timeout > 0 {
			b.WriteString(" within " + w.Timeout.String())
		}
	case ReasonNotFound:
		b.WriteString(w.Action + ": not found")
		if w.Err != nil {
			b.WriteString(": " + w.Err.Error())
		}
	default:
		b.WriteString(w.Action + " failed")
		if w.Err != nil {
			b.WriteString(": " + w.Err.Error())
		}
	}
	if w.LeftOut != "" {
		b.WriteString(" (left out: " + w.LeftOut + ")")
	}
	return b.String()
}
