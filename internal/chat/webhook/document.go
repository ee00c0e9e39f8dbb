package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/chat/text"
	"github.com/cutover-dev/cutover/internal/check"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/message"
)

// Version is the version of the JSON document (its "version" field). It
// changes only when a field is removed, renamed or changes meaning; new
// optional fields keep the version (see docs/webhook.md).
const Version = "1"

// The document types ("type" field).
const (
	// TypeDeployment is a document about a deployment event.
	TypeDeployment = "deployment"
	// TypeFollowUp is a later document about how earlier actions ended
	// (e.g. a CloudFront invalidation completed).
	TypeFollowUp = "follow-up"
)

// RenderName is the destination name Render puts in the document: the
// name `cutover render --to webhook` shows.
const RenderName = "webhook"

// How much of a string from outside the document carries, in characters;
// longer strings are cut with "…" (messages: "… (truncated, N more
// characters)").
const (
	maxString  = 1000
	maxLong    = 4000
	maxPaths   = 100
	maxActions = 100
)

// Document is the JSON body of every webhook request, version 1. Its JSON
// Schema is docs/webhook.schema.json. The structs below are the wire
// contract: they are not the internal types, so that renaming those
// cannot change what receivers read.
type Document struct {
	// Version is Version.
	Version string `json:"version"`
	// Type is TypeDeployment or TypeFollowUp.
	Type string `json:"type"`
	// Time is when the notice was built (RFC 3339, UTC); omitted when
	// unknown. The send time is the webhook-timestamp header.
	Time string `json:"time,omitempty"`
	// Delivery identifies this delivery; its ID is the webhook-id header.
	Delivery Delivery `json:"delivery"`
	// Event is the deployment event.
	Event Event `json:"event"`
	// Message is what cutover says about it, as plain text.
	Message Message `json:"message"`
	// Actions are the outcomes of cutover's actions for the event.
	Actions []Action `json:"actions"`
	// Checks are the results of the checks run at the event (a lifecycle
	// hook at the traffic switch), in configuration order; omitted when
	// none ran.
	Checks []Check `json:"checks,omitempty"`
}

// Check is what one check found.
type Check struct {
	Name string `json:"name"`
	// Type is "http" or "alarms".
	Type   string `json:"type"`
	Passed bool   `json:"passed"`
	// Summary states what was checked with its figures, in one line.
	Summary string `json:"summary"`
	// Error says why the check could not run; omitted when it ran.
	Error string `json:"error,omitempty"`
	// DurationMS is how long the check took, in milliseconds.
	DurationMS int64 `json:"durationMs"`
}

// Delivery identifies one event at one destination: retries and
// redeliveries of it carry the same ID.
type Delivery struct {
	// ID is the webhook-id header: "msg_" and 32 hex digits derived from
	// EventIdentity and Destination.
	ID string `json:"id"`
	// Destination is the configured destination name.
	Destination string `json:"destination"`
	// EventIdentity is what cutover deduplicates the event by.
	EventIdentity string `json:"eventIdentity"`
}

// Event is the stable projection of a deployment event.
type Event struct {
	Name            string    `json:"name"`
	Phase           string    `json:"phase"`
	WentWrong       bool      `json:"wentWrong"`
	Platform        string    `json:"platform,omitempty"`
	Source          string    `json:"source,omitempty"`
	Identity        string    `json:"identity"`
	TransportID     string    `json:"transportId,omitempty"`
	DeploymentID    string    `json:"deploymentId,omitempty"`
	URL             string    `json:"url,omitempty"`
	Application     string    `json:"application,omitempty"`
	DeploymentGroup string    `json:"deploymentGroup,omitempty"`
	Target          *Target   `json:"target,omitempty"`
	Region          string    `json:"region,omitempty"`
	AccountID       string    `json:"accountId,omitempty"`
	TriggerName     string    `json:"triggerName,omitempty"`
	Status          string    `json:"status,omitempty"`
	RawStatus       string    `json:"rawStatus,omitempty"`
	Times           Times     `json:"times"`
	Overview        *Overview `json:"overview,omitempty"`
	Error           *Error    `json:"error,omitempty"`
	Rollback        *Rollback `json:"rollback,omitempty"`
}

// Target is the deployment target a target event is about.
type Target struct {
	ID        string          `json:"id"`
	Type      string          `json:"type,omitempty"`
	Cluster   string          `json:"cluster,omitempty"`
	Service   string          `json:"service,omitempty"`
	Lifecycle []LifecycleStep `json:"lifecycle,omitempty"`
}

// LifecycleStep is one lifecycle step of a target.
type LifecycleStep struct {
	Name   string `json:"name"`
	Status string `json:"status,omitempty"`
	Start  string `json:"start,omitempty"`
	End    string `json:"end,omitempty"`
}

// Times are the event's times (RFC 3339, UTC), each omitted when unknown.
type Times struct {
	Created     string `json:"created,omitempty"`
	Completed   string `json:"completed,omitempty"`
	LastUpdated string `json:"lastUpdated,omitempty"`
	Published   string `json:"published,omitempty"`
}

// Overview counts the deployment's targets by state.
type Overview struct {
	Pending    int `json:"pending"`
	InProgress int `json:"inProgress"`
	Succeeded  int `json:"succeeded"`
	Failed     int `json:"failed"`
	Skipped    int `json:"skipped"`
	Ready      int `json:"ready"`
}

// Error is the deployment's error.
type Error struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// Rollback links a rollback deployment to the deployment it rolls back.
type Rollback struct {
	RollsBack string `json:"rollsBack"`
	URL       string `json:"url,omitempty"`
	Message   string `json:"message,omitempty"`
}

// Message is the neutral message as plain text: no markup, outside text
// cleaned onto lines and cut like every destination cuts it.
type Message struct {
	Severity string    `json:"severity"`
	Icon     string    `json:"icon"`
	Title    string    `json:"title"`
	Subject  string    `json:"subject,omitempty"`
	Deadline *Deadline `json:"deadline,omitempty"`
	Summary  string    `json:"summary,omitempty"`
	Fields   []Field   `json:"fields"`
	Commands []Command `json:"commands"`
	Links    []Link    `json:"links"`
	Hint     string    `json:"hint,omitempty"`
	Footer   []string  `json:"footer"`
	Fallback string    `json:"fallback"`
	// Text is the whole message as `cutover demo` prints it; its layout
	// is not part of the contract.
	Text string `json:"text"`
}

// Deadline is the time left to act.
type Deadline struct {
	Text string `json:"text"`
	Open bool   `json:"open"`
}

// Field is one labelled fact.
type Field struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Command is an AWS CLI command with what it does.
type Command struct {
	Title   string `json:"title"`
	Note    string `json:"note,omitempty"`
	Command string `json:"command"`
}

// Link is a labelled http(s) link.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// The action outcomes.
const (
	OutcomeDone    = "done"
	OutcomePending = "pending"
	OutcomeSkipped = "skipped"
	OutcomeDryRun  = "dry-run"
	OutcomeFailed  = "failed"
)

// Action is the outcome of one action on one target.
type Action struct {
	Action    string   `json:"action"`
	Target    string   `json:"target"`
	Outcome   string   `json:"outcome"`
	ID        string   `json:"id,omitempty"`
	Paths     []string `json:"paths,omitempty"`
	Reference string   `json:"reference,omitempty"`
	Status    string   `json:"status,omitempty"`
	Skipped   string   `json:"skipped,omitempty"`
	Error     string   `json:"error,omitempty"`
}

// DeliveryID is the webhook-id of n at the destination named destination:
// "msg_" and the first 32 hex digits of the SHA-256 of the event's
// identity (for a follow-up, "follow-up:" and its ID, as delivery keys
// it) and the name. It is the same for every retry and redelivery, and
// safe in a header whatever the event holds.
func DeliveryID(n *message.Notice, destination string) string {
	sum := sha256.Sum256([]byte(eventIdentity(n) + "\n" + destination))
	return "msg_" + hex.EncodeToString(sum[:16])
}

// eventIdentity is what delivery keys n by.
func eventIdentity(n *message.Notice) string {
	if n.FollowUp {
		return "follow-up:" + n.Event.ID
	}
	return n.Event.Identity()
}

// Render returns the body the webhook destination sends for n, named
// RenderName: Format of message.Build(n).
func Render(n *message.Notice) ([]byte, error) {
	if n == nil {
		return nil, errors.New("render: nil notice")
	}
	return Format(n, message.Build(n), RenderName)
}

// RenderSpec is Render for the destination spec configures: the body
// names that destination (delivery.destination and delivery.id), exactly
// as it sends.
func RenderSpec(n *message.Notice, spec chat.Spec) ([]byte, error) {
	name := spec.Name
	if name == "" {
		name = RenderName
	}
	return Format(n, nil, name)
}

// Format returns the exact JSON body sent to the destination named
// destination for n, whose message is m (nil: message.Build(n)). It is
// pure: the same arguments always give the same bytes.
func Format(n *message.Notice, m *message.Message, destination string) ([]byte, error) {
	if n == nil {
		return nil, errors.New("render: nil notice")
	}
	if m == nil {
		m = message.Build(n)
	}
	doc := NewDocument(n, m, destination)
	return json.Marshal(doc)
}

// NewDocument projects n and its message m onto the wire document.
func NewDocument(n *message.Notice, m *message.Message, destination string) *Document {
	typ := TypeDeployment
	if n.FollowUp {
		typ = TypeFollowUp
	}
	return &Document{
		Version: Version,
		Type:    typ,
		Time:    timeString(n.Now),
		Delivery: Delivery{
			ID:            DeliveryID(n, destination),
			Destination:   clip(destination, maxString),
			EventIdentity: clip(eventIdentity(n), maxString),
		},
		Event:   event(&n.Event),
		Message: wireMessage(m),
		Actions: actions(n.Actions),
		Checks:  checks(n.Checks),
	}
}

// checks projects the check results, at most maxActions.
func checks(rs []check.Result) []Check {
	var out []Check
	for i, r := range rs {
		if i == maxActions {
			break
		}
		out = append(out, Check{Name: clip(r.Name, maxString), Type: clip(r.Type, maxString), Passed: r.Passed,
			Summary: clip(r.Summary, maxString), Error: clip(r.Error, maxString), DurationMS: r.Duration.Milliseconds()})
	}
	return out
}

func event(ev *deploy.Event) Event {
	phase := ev.Phase
	if phase == "" {
		phase = deploy.Unknown
	}
	out := Event{
		Name:            clip(ev.Name, maxString),
		Phase:           clip(string(phase), maxString),
		WentWrong:       phase.WentWrong(),
		Platform:        clip(string(ev.Platform), maxString),
		Source:          clip(ev.Source, maxString),
		Identity:        clip(ev.Identity(), maxString),
		TransportID:     clip(ev.ID, maxString),
		DeploymentID:    clip(ev.DeploymentID, maxString),
		URL:             httpURL(eventURL(ev)),
		Application:     clip(ev.Application, maxString),
		DeploymentGroup: clip(ev.DeploymentGroup, maxString),
		Region:          clip(ev.Region, maxString),
		AccountID:       clip(ev.AccountID, maxString),
		TriggerName:     clip(ev.TriggerName, maxString),
		Status:          clip(ev.Status, maxString),
		RawStatus:       clip(ev.RawStatus, maxString),
		Times: Times{
			Created:     timeString(ev.CreateTime),
			Completed:   timeString(ev.CompleteTime),
			LastUpdated: timeString(ev.LastUpdated),
			Published:   timeString(ev.Published),
		},
	}
	if t := ev.Target; t != nil {
		wt := &Target{ID: clip(t.ID, maxString), Type: clip(t.Type, maxString), Cluster: clip(t.Cluster, maxString), Service: clip(t.Service, maxString)}
		for _, s := range t.Lifecycle {
			wt.Lifecycle = append(wt.Lifecycle, LifecycleStep{Name: clip(s.Name, maxString), Status: clip(s.Status, maxString), Start: timeString(s.Start), End: timeString(s.End)})
		}
		out.Target = wt
	}
	if o := ev.Overview; o != nil {
		out.Overview = &Overview{Pending: o.Pending, InProgress: o.InProgress, Succeeded: o.Succeeded, Failed: o.Failed, Skipped: o.Skipped, Ready: o.Ready}
	}
	if e := ev.Error; e != nil && (e.Code != "" || e.Message != "") {
		out.Error = &Error{Code: clip(e.Code, maxString), Message: clipLong(e.Message, maxLong)}
	}
	if ev.IsRollback() {
		out.Rollback = &Rollback{
			RollsBack: clip(ev.Rollback.RollsBack, maxString),
			URL:       httpURL(awsx.CodeDeployDeploymentURL(ev.Region, ev.Rollback.RollsBack)),
			Message:   clipLong(ev.Rollback.Message, maxLong),
		}
	}
	return out
}

// eventURL is the console page of the event's deployment: CodeDeploy's,
// or for ECS-native deployments (no CodeDeploy deployment) the service's.
func eventURL(ev *deploy.Event) string {
	if ev.Platform == deploy.ECSNative {
		return awsx.ECSServiceURL(ev.Region, ev.Cluster, ev.Service)
	}
	return awsx.CodeDeployDeploymentURL(ev.Region, ev.DeploymentID)
}

func wireMessage(m *message.Message) Message {
	out := Message{
		Severity: string(m.Severity),
		Icon:     string(m.Icon),
		Title:    m.Title,
		Subject:  plain(m.Subject),
		Summary:  plain(m.Summary),
		Fields:   []Field{},
		Commands: []Command{},
		Links:    []Link{},
		Hint:     m.Hint,
		Footer:   []string{},
		Fallback: plain(m.Fallback),
		Text:     strings.TrimRight(text.Format(m), "\n"),
	}
	if dl := m.Deadline; dl != nil {
		if s := message.Line(dl.Text); s != "" {
			out.Deadline = &Deadline{Text: s, Open: dl.Open}
		}
	}
	for _, f := range m.Fields {
		if v := plain(f.Value); v != "" {
			out.Fields = append(out.Fields, Field{Label: f.Label, Value: v})
		}
	}
	for _, c := range m.Commands {
		if cmd := cut(message.Line(c.Command), maxLong, false); cmd != "" {
			out.Commands = append(out.Commands, Command{Title: c.Title, Note: c.Note, Command: cmd})
		}
	}
	for _, l := range m.Links {
		u, label := httpURL(l.URL), spanText(l)
		if u != "" && label != "" {
			out.Links = append(out.Links, Link{Label: label, URL: u})
		}
	}
	for _, f := range m.Footer {
		if s := plain(f); s != "" {
			out.Footer = append(out.Footer, s)
		}
	}
	return out
}

func actions(rs []action.Result) []Action {
	out := make([]Action, 0, min(len(rs), maxActions))
	for i, r := range rs {
		if i == maxActions {
			break
		}
		a := Action{
			Action: clip(r.Action, maxString), Target: clip(r.Target, maxString), Outcome: outcome(&r),
			ID: clip(r.ID, maxString), Reference: clip(r.Reference, maxString), Status: clip(r.Status, maxString),
			Skipped: clip(r.Skipped, maxString), Error: clip(r.Error, maxString),
		}
		for j, p := range r.Paths {
			if j == maxPaths {
				break
			}
			a.Paths = append(a.Paths, clip(p, maxString))
		}
		out = append(out, a)
	}
	return out
}

// outcome sums up how an action went; a failure outweighs everything.
func outcome(r *action.Result) string {
	switch {
	case r.Error != "":
		return OutcomeFailed
	case r.Pending:
		return OutcomePending
	case r.Skipped != "":
		return OutcomeSkipped
	case r.DryRun:
		return OutcomeDryRun
	}
	return OutcomeDone
}

// plain is t as one plain-text string: outside text cleaned and cut to its
// Max, links as their label, icons left out.
func plain(t message.Text) string {
	var b strings.Builder
	for _, s := range t {
		if s.Kind != message.Emoji {
			b.WriteString(spanText(s))
		}
	}
	return strings.TrimSpace(b.String())
}

// spanText is a span's text: cutover's wording as is, outside text
// cleaned and cut.
func spanText(s message.Span) string {
	switch {
	case s.Kind == message.Emoji:
		return ""
	case s.Max == 0 && s.Kind != message.Code:
		return s.Text
	case s.Long:
		return cut(message.Clean(s.Text, true), s.Max, true)
	}
	return cut(message.Line(s.Text), s.Max, false)
}

// clip is a string from outside as data: valid UTF-8 (control characters
// kept, JSON escapes them) of at most limit characters, cut with "…".
func clip(s string, limit int) string {
	return cut(strings.ToValidUTF8(s, "\uFFFD"), limit, false)
}

// clipLong is clip for long text, cut visibly with the count of what was
// dropped.
func clipLong(s string, limit int) string {
	return cut(strings.ToValidUTF8(s, "\uFFFD"), limit, true)
}

// cut shortens s to at most limit characters (no limit when 0), marking
// the cut: "…", or when long "… (truncated, N more characters)".
func cut(s string, limit int, long bool) string {
	if limit <= 0 || len(s) <= limit {
		return s
	}
	r := []rune(s)
	if len(r) <= limit {
		return s
	}
	if !long {
		return string(r[:limit-1]) + "…"
	}
	return string(r[:limit]) + message.CutMark(len(r)-limit, true)
}

// httpURL is u when it is an absolute http(s) URL with a host, else "".
func httpURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || len(u) > 2*maxString {
		return ""
	}
	return u
}

// timeString is t in RFC 3339 (UTC, fractional seconds only when there
// are some); "" for the zero time.
func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
