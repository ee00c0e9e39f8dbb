package codedeploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/source"
)

// triggerMessage is the deployment-group trigger message. Fields whose type
// differs between real payloads and AWS's documented samples are read by
// the flexible readers below while the message is decoded (the *Field
// types), each keeping its error for decodeTrigger to report in its own
// order.
type triggerMessage struct {
	Region              string         `json:"region"`
	AccountID           string         `json:"accountId"`
	EventTriggerName    string         `json:"eventTriggerName"`
	ApplicationName     string         `json:"applicationName"`
	DeploymentID        string         `json:"deploymentId"`
	DeploymentGroupName string         `json:"deploymentGroupName"`
	CreateTime          timeField      `json:"createTime"`
	CompleteTime        timeField      `json:"completeTime"`
	LastUpdatedAt       timeField      `json:"lastUpdatedAt"`
	DeploymentOverview  overviewField  `json:"deploymentOverview"`
	Status              stringField    `json:"status"`
	InstanceStatus      stringField    `json:"instanceStatus"`
	InstanceID          string         `json:"instanceId"`
	ErrorInformation    errorField     `json:"errorInformation"`
	RollbackInformation rollbackField  `json:"rollbackInformation"`
	LifecycleEvents     lifecycleField `json:"lifecycleEvents"`
}

// stringField is a value read by flexString.
type stringField struct {
	s   string
	err error
}

// UnmarshalJSON reads raw with flexString and keeps its error.
func (f *stringField) UnmarshalJSON(raw []byte) error {
	f.s, f.err = flexString(raw)
	return nil
}

// timeField is a value read by flexTime.
type timeField struct {
	t   time.Time
	err error
}

// UnmarshalJSON reads raw with flexTime and keeps its error.
func (f *timeField) UnmarshalJSON(raw []byte) error {
	f.t, f.err = flexTime(raw)
	return nil
}

// overviewField is a value read by decodeOverview.
type overviewField struct {
	o   *deploy.Overview
	err error
}

// UnmarshalJSON reads raw with decodeOverview and keeps its error.
func (f *overviewField) UnmarshalJSON(raw []byte) error {
	f.o, f.err = decodeOverview(raw)
	return nil
}

// errorField is a value read by decodeErrorInfo.
type errorField struct {
	e   *deploy.Error
	err error
}

// UnmarshalJSON reads raw with decodeErrorInfo and keeps its error.
func (f *errorField) UnmarshalJSON(raw []byte) error {
	f.e, f.err = decodeErrorInfo(raw)
	return nil
}

// rollbackField is a value read by decodeRollback.
type rollbackField struct {
	r   *deploy.Rollback
	err error
}

// UnmarshalJSON reads raw with decodeRollback and keeps its error.
func (f *rollbackField) UnmarshalJSON(raw []byte) error {
	f.r, f.err = decodeRollback(raw)
	return nil
}

// lifecycleField is a value read by decodeLifecycle.
type lifecycleField struct {
	steps []deploy.LifecycleStep
	err   error
}

// UnmarshalJSON reads raw with decodeLifecycle and keeps its error.
func (f *lifecycleField) UnmarshalJSON(raw []byte) error {
	f.steps, f.err = decodeLifecycle(raw)
	return nil
}

// subjectStatus matches the SNS Subject CodeDeploy sets:
// "<STATUS>: AWS CodeDeploy <deploymentId> in <region> to <application>".
var subjectStatus = regexp.MustCompile(`^([A-Za-z_]+): AWS CodeDeploy `)

func decodeTrigger(data []byte, subject string) (deploy.Event, error) {
	var m triggerMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return deploy.Event{}, source.Errorf(data, "malformed CodeDeploy trigger message: %s", source.JSONProblem(err))
	}
	ev := deploy.Event{
		Source:          SourceTrigger,
		Region:          m.Region,
		AccountID:       m.AccountID,
		TriggerName:     m.EventTriggerName,
		Application:     m.ApplicationName,
		DeploymentGroup: m.DeploymentGroupName,
		DeploymentID:    m.DeploymentID,
	}
	fail := func(field string, e error) (deploy.Event, error) {
		return deploy.Event{}, source.Errorf(data, "field %s: %v", field, e)
	}
	// The same order as ever: the first wrong field is the one reported.
	switch {
	case m.Status.err != nil:
		return fail("status", m.Status.err)
	case m.InstanceStatus.err != nil:
		return fail("instanceStatus", m.InstanceStatus.err)
	case m.CreateTime.err != nil:
		return fail("createTime", m.CreateTime.err)
	case m.CompleteTime.err != nil:
		return fail("completeTime", m.CompleteTime.err)
	case m.LastUpdatedAt.err != nil:
		return fail("lastUpdatedAt", m.LastUpdatedAt.err)
	case m.DeploymentOverview.err != nil:
		return fail("deploymentOverview", m.DeploymentOverview.err)
	case m.ErrorInformation.err != nil:
		return fail("errorInformation", m.ErrorInformation.err)
	case m.RollbackInformation.err != nil:
		return fail("rollbackInformation", m.RollbackInformation.err)
	}
	status, instStatus := m.Status.s, m.InstanceStatus.s
	ev.CreateTime, ev.CompleteTime, ev.LastUpdated = m.CreateTime.t, m.CompleteTime.t, m.LastUpdatedAt.t
	ev.Overview, ev.Error, ev.Rollback = m.DeploymentOverview.o, m.ErrorInformation.e, m.RollbackInformation.r

	instance := m.InstanceID != ""
	if instance {
		ev.Target = parseTarget(m.InstanceID)
		if m.LifecycleEvents.err != nil {
			return fail("lifecycleEvents", m.LifecycleEvents.err)
		}
		ev.Target.Lifecycle = m.LifecycleEvents.steps
		// ECS instance messages carry the target's state in instanceStatus
		// or, in some payloads, in status.
		ev.RawStatus = firstNonEmpty(instStatus, status)
	} else {
		ev.RawStatus = status
	}
	if ev.RawStatus == "" {
		if mm := subjectStatus.FindStringSubmatch(subject); mm != nil {
			ev.RawStatus = mm[1]
		}
	}
	ev.Status = normStatus(ev.RawStatus)

	switch {
	case strings.EqualFold(ev.RawStatus, "unknown"):
		// The notification CodeDeploy sends when a trigger is saved: its
		// status is "unknown" and it names no real deployment.
		ev.Name = TriggerTest
	case ev.DeploymentID == "":
		return deploy.Event{}, source.Errorf(data, "trigger message has no deploymentId")
	case instance:
		ev.Name = instanceKind(ev.Status)
	default:
		ev.Name = deploymentKind(ev.Status, ev.IsRollback())
	}
	Classify(&ev)
	return ev, nil
}

// normStatus maps CodeDeploy's statuses to upper snake case:
// "Failed" → "FAILED", "InProgress" → "IN_PROGRESS".
func normStatus(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	var b strings.Builder
	prevLower := false
	for _, r := range s {
		switch {
		case r == '-' || r == ' ':
			b.WriteByte('_')
			prevLower = false
			continue
		case r >= 'A' && r <= 'Z' && prevLower:
			b.WriteByte('_')
		}
		prevLower = r >= 'a' && r <= 'z'
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}

func deploymentKind(status string, rollback bool) string {
	switch status {
	case "CREATED", "IN_PROGRESS", "QUEUED", "BAKING":
		if rollback {
			return DeploymentRollback
		}
		return DeploymentStart
	case "READY":
		return DeploymentReady
	case "SUCCEEDED", "SUCCESS":
		return DeploymentSuccess
	case "FAILED", "FAILURE":
		return DeploymentFailure
	case "STOPPED", "STOP":
		return DeploymentStop
	}
	return Unknown
}

func instanceKind(status string) string {
	switch status {
	case "PENDING", "IN_PROGRESS", "START":
		return InstanceStart
	case "SUCCEEDED", "SUCCESS":
		return InstanceSuccess
	case "FAILED", "FAILURE":
		return InstanceFailure
	case "READY":
		return InstanceReady
	}
	return Unknown
}

// unwrap returns the JSON a field holds: the decoded content of a string
// that holds JSON ("{...}", "[...]"), or the raw value itself. null and ""
// give nil.
func unwrap(raw json.RawMessage) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] != '"' {
		return raw, nil
	}
	var t text
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, err
	}
	s := bytes.TrimSpace(t)
	if len(s) == 0 || string(s) == "null" {
		return nil, nil
	}
	if s[0] != '{' && s[0] != '[' {
		return nil, fmt.Errorf("string %q does not hold a JSON object or list", source.Snippet(s, 60))
	}
	return json.RawMessage(s), nil
}

// text is a JSON string's content, as bytes (one copy, not a string and
// then bytes).
type text []byte

// UnmarshalText keeps a copy of the string's content.
func (t *text) UnmarshalText(b []byte) error {
	*t = append((*t)[:0], b...)
	return nil
}

// flexString reads a string; numbers and booleans are taken as their text.
func flexString(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	switch raw[0] {
	case '"':
		if s, ok := plainString(raw); ok {
			return strings.TrimSpace(s), nil
		}
		var s string
		err := json.Unmarshal(raw, &s)
		return strings.TrimSpace(s), err
	case '{', '[':
		return "", fmt.Errorf("expected a string, got %s", source.Snippet(raw, 40))
	}
	return string(raw), nil
}

// plainString returns the content of a JSON string literal that holds only
// printable ASCII other than quotes and backslashes (what json.Unmarshal
// would return for it, without a decoder); ok is false for anything else.
func plainString(raw json.RawMessage) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	in := raw[1 : len(raw)-1]
	for _, b := range in {
		if b < 0x20 || b >= 0x80 || b == '"' || b == '\\' {
			return "", false
		}
	}
	for _, w := range common {
		if string(in) == w {
			return w, true
		}
	}
	return string(in), true
}

// common are the words trigger messages repeat (lifecycle event names,
// statuses): reading one returns it rather than a copy.
var common = [...]string{
	"ApplicationStop", "DownloadBundle", "BeforeInstall", "Install", "AfterInstall",
	"ApplicationStart", "ValidateService", "BeforeBlockTraffic", "BlockTraffic",
	"AfterBlockTraffic", "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic",
	"AllowTestTraffic", "AfterAllowTestTraffic", "Start", "End",
	"Pending", "InProgress", "Succeeded", "Failed", "Skipped", "Unknown", "Ready",
	"Stopped", "Created", "Queued", "Baking", "unknown",
	"PENDING", "IN_PROGRESS", "SUCCEEDED", "FAILED", "SKIPPED", "UNKNOWN", "READY",
	"STOPPED", "CREATED", "QUEUED", "BAKING",
}

// flexInt reads a count sent as a JSON number or a numeric string.
func flexInt(raw json.RawMessage) (int, error) {
	s, err := flexString(raw)
	if err != nil || s == "" {
		return 0, err
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > math.MaxInt32 || f != math.Trunc(f) {
		return 0, fmt.Errorf("count %q is not a whole number", s)
	}
	return int(f), nil
}

// triggerTimeLayouts are the text time formats seen in trigger messages.
var triggerTimeLayouts = []string{
	"Mon Jan 02 15:04:05 MST 2006",
	"Mon Jan _2 15:04:05 MST 2006",
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
}

// flexTime reads a time sent as text ("Thu Oct 13 15:50:45 UTC 2022"),
// epoch seconds in a string ("1446744188.595") or a number, or RFC 3339.
func flexTime(raw json.RawMessage) (time.Time, error) {
	s, err := flexString(raw)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	if t, ok := parseEpoch(s); ok {
		return t, nil
	}
	for _, layout := range triggerTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised time %q", source.Snippet([]byte(s), 60))
}

// parseEpoch reads "1446744188" or "1446744188.595" as seconds since the
// epoch, exactly to the millisecond.
func parseEpoch(s string) (time.Time, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || sec < 0 {
		return time.Time{}, false
	}
	var nsec int64
	if frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		n, err := strconv.ParseInt(frac, 10, 64)
		if err != nil || n < 0 {
			return time.Time{}, false
		}
		for i := len(frac); i < 9; i++ {
			n *= 10
		}
		nsec = n
	}
	return time.Unix(sec, nsec).UTC(), true
}

func decodeOverview(raw json.RawMessage) (*deploy.Overview, error) {
	inner, err := unwrap(raw)
	if err != nil || inner == nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(inner, &m); err != nil {
		return nil, fmt.Errorf("expected an object of counts: %w", err)
	}
	o := &deploy.Overview{}
	for k, v := range m {
		n, err := flexInt(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		switch strings.ToLower(k) {
		case "pending":
			o.Pending = n
		case "inprogress":
			o.InProgress = n
		case "succeeded":
			o.Succeeded = n
		case "failed":
			o.Failed = n
		case "skipped":
			o.Skipped = n
		case "ready":
			o.Ready = n
		}
	}
	return o, nil
}

func decodeErrorInfo(raw json.RawMessage) (*deploy.Error, error) {
	inner, err := unwrap(raw)
	if err != nil || inner == nil {
		return nil, err
	}
	var m struct {
		Code    json.RawMessage `json:"ErrorCode"`
		Message json.RawMessage `json:"ErrorMessage"`
	}
	if err := json.Unmarshal(inner, &m); err != nil {
		return nil, fmt.Errorf("expected an object: %w", err)
	}
	e := &deploy.Error{}
	if e.Code, err = flexString(m.Code); err != nil {
		return nil, fmt.Errorf("ErrorCode: %w", err)
	}
	if e.Message, err = flexString(m.Message); err != nil {
		return nil, fmt.Errorf("ErrorMessage: %w", err)
	}
	if e.Code == "" && e.Message == "" {
		return nil, nil
	}
	return e, nil
}

func decodeRollback(raw json.RawMessage) (*deploy.Rollback, error) {
	inner, err := unwrap(raw)
	if err != nil || inner == nil {
		return nil, err
	}
	var m struct {
		Message    json.RawMessage `json:"RollbackMessage"`
		Triggering json.RawMessage `json:"RollbackTriggeringDeploymentId"`
		// The GetDeployment API spells the link rollbackDeploymentId /
		// rollbackTriggeringDeploymentId; accept both casings.
		TriggeringLower json.RawMessage `json:"rollbackTriggeringDeploymentId"`
	}
	if err := json.Unmarshal(inner, &m); err != nil {
		return nil, fmt.Errorf("expected an object: %w", err)
	}
	r := &deploy.Rollback{}
	if r.Message, err = flexString(m.Message); err != nil {
		return nil, fmt.Errorf("RollbackMessage: %w", err)
	}
	trig, err := flexString(m.Triggering)
	if err != nil {
		return nil, fmt.Errorf("RollbackTriggeringDeploymentId: %w", err)
	}
	trigLower, err := flexString(m.TriggeringLower)
	if err != nil {
		return nil, fmt.Errorf("rollbackTriggeringDeploymentId: %w", err)
	}
	r.RollsBack = firstNonEmpty(trig, trigLower)
	if r.RollsBack == "" && r.Message == "" {
		return nil, nil
	}
	return r, nil
}

func decodeLifecycle(raw json.RawMessage) ([]deploy.LifecycleStep, error) {
	inner, err := unwrap(raw)
	if err != nil || inner == nil {
		return nil, err
	}
	// Sized for the events the list names, so decoding it does not grow
	// it step by step (a wrong guess only costs that).
	list := make([]struct {
		Name   stringField `json:"LifecycleEvent"`
		Status stringField `json:"LifecycleEventStatus"`
		Start  timeField   `json:"StartTime"`
		End    timeField   `json:"EndTime"`
	}, 0, bytes.Count(inner, []byte(`"LifecycleEvent"`)))
	if err := json.Unmarshal(inner, &list); err != nil {
		// Say it in the words of the raw element type the error names.
		var raw []struct {
			Name   json.RawMessage `json:"LifecycleEvent"`
			Status json.RawMessage `json:"LifecycleEventStatus"`
			Start  json.RawMessage `json:"StartTime"`
			End    json.RawMessage `json:"EndTime"`
		}
		if rawErr := json.Unmarshal(inner, &raw); rawErr != nil {
			err = rawErr
		}
		return nil, fmt.Errorf("expected a list of lifecycle events: %w", err)
	}
	out := make([]deploy.LifecycleStep, 0, len(list))
	for i, l := range list {
		switch {
		case l.Name.err != nil:
			return nil, fmt.Errorf("[%d].LifecycleEvent: %w", i, l.Name.err)
		case l.Status.err != nil:
			return nil, fmt.Errorf("[%d].LifecycleEventStatus: %w", i, l.Status.err)
		case l.Start.err != nil:
			return nil, fmt.Errorf("[%d].StartTime: %w", i, l.Start.err)
		case l.End.err != nil:
			return nil, fmt.Errorf("[%d].EndTime: %w", i, l.End.err)
		}
		le := deploy.LifecycleStep{Name: l.Name.s, Status: l.Status.s, Start: l.Start.t, End: l.End.t}
		out = append(out, le)
	}
	return out, nil
}
