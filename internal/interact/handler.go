package interact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/control"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/secret"
)

// Destination is one slack-app destination, as the click handler sees it.
type Destination struct {
	// Name is the destination's name (Ref.Destination on its buttons).
	Name string
	// SigningSecret verifies its requests.
	SigningSecret secret.Value
	// AllowedUsers (Slack user IDs) and AllowedGroups (user group IDs)
	// may press its buttons; nobody when both are empty.
	AllowedUsers, AllowedGroups []string
	// Slack is its Web API client.
	Slack Slack
}

// Request is a click as it arrived: the two signed headers and the raw
// body. It is also what the deferred work carries (the Lambda
// self-invocation's payload), so the work verifies the original request
// again.
type Request struct {
	// Timestamp is X-Slack-Request-Timestamp.
	Timestamp string `json:"timestamp"`
	// Signature is X-Slack-Signature.
	Signature string `json:"signature"`
	// Body is the raw body.
	Body []byte `json:"body"`
}

// Answer is the HTTP answer to a click.
type Answer struct {
	// Status is the HTTP status.
	Status int
	// Body is the plain-text body (empty on success: Slack shows nothing).
	Body string
}

// Deferrer runs a verified click after the HTTP answer.
type Deferrer interface {
	// Defer arranges for Run(req) to happen later.
	Defer(ctx context.Context, req Request) error
}

// Outcomes in the audit log.
const (
	OutcomeDone           = "done"
	OutcomeNotAllowed     = "not-allowed"
	OutcomeDuplicate      = "duplicate"
	OutcomeBusy           = "busy"
	OutcomeEnded          = "ended"
	OutcomeWindowClosed   = "window-closed"
	OutcomeUnsupported    = "unsupported"
	OutcomeFailed         = "failed"
	OutcomeUnconfigured   = "unconfigured"
	OutcomeInvalid        = "invalid"
	OutcomeUnauthentic    = "unauthenticated"
	OutcomeNotInteresting = "ignored"
)

// Handler handles clicks on cutover's buttons.
type Handler struct {
	// Destinations are the slack-app destinations.
	Destinations []Destination
	// Platforms act on deployments.
	Platforms Platforms
	// Records deduplicates actions per deployment and action (nil: a
	// memory store of this process).
	Records   records.Store
	storeOnce sync.Once
	store     records.Store
	// Responder answers users privately (default HTTPResponder).
	Responder Responder
	// Deferrer runs the work after the answer (Lambda: self-invocation;
	// serve: a background goroutine).
	Deferrer Deferrer
	// Log receives the audit lines.
	Log *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Lease bounds one action's claim in the records.
const Lease = 2 * time.Minute

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) log() *slog.Logger {
	if h.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Log
}

func (h *Handler) signers() []Signer {
	out := make([]Signer, 0, len(h.Destinations))
	for _, d := range h.Destinations {
		out = append(out, Signer{Destination: d.Name, Secret: d.SigningSecret})
	}
	return out
}

// authenticate verifies req and parses its click; the click's destination
// must be one whose secret verified the request.
func (h *Handler) authenticate(req Request) (Click, *Destination, error) {
	names, err := Verify(h.signers(), req.Timestamp, req.Signature, req.Body, h.now())
	if err != nil {
		return Click{}, nil, err
	}
	c, err := ParseClick(req.Body)
	if err != nil {
		return Click{}, nil, err
	}
	if !slices.Contains(names, c.Ref.Destination) {
		return c, nil, fmt.Errorf("%w: the button names destination %.80q, whose signing secret did not sign it", ErrUnauthenticated, c.Ref.Destination)
	}
	for i := range h.Destinations {
		if h.Destinations[i].Name == c.Ref.Destination {
			return c, &h.Destinations[i], nil
		}
	}
	return c, nil, fmt.Errorf("%w: no destination %.80q", ErrUnauthenticated, c.Ref.Destination)
}

// Accept answers a click at once: 401 when it is not signed by a
// configured app (or names another app's destination), 200 otherwise. It
// reports whether the click is to be run (Defer, then Run): only a
// verified press of one of cutover's buttons is.
func (h *Handler) Accept(ctx context.Context, req Request) (Answer, bool) {
	_, _, err := h.authenticate(req)
	switch {
	case errors.Is(err, ErrUnauthenticated):
		h.log().LogAttrs(ctx, slog.LevelWarn, "slack action rejected: not signed by a configured Slack app",
			slog.String("outcome", OutcomeUnauthentic), slog.String("error", err.Error()))
		return Answer{Status: http.StatusUnauthorized, Body: "invalid signature"}, false
	case errors.Is(err, ErrNotAClick):
		h.log().LogAttrs(ctx, slog.LevelInfo, "slack interaction ignored", slog.String("outcome", OutcomeNotInteresting), slog.String("reason", err.Error()))
		return Answer{Status: http.StatusOK}, false
	case err != nil:
		h.log().LogAttrs(ctx, slog.LevelWarn, "slack action rejected: malformed payload", slog.String("outcome", OutcomeInvalid), slog.String("error", err.Error()))
		return Answer{Status: http.StatusBadRequest, Body: "malformed payload"}, false
	}
	return Answer{Status: http.StatusOK}, true
}

// Defer hands req to the Deferrer (or, without one, runs it now).
func (h *Handler) Defer(ctx context.Context, req Request) error {
	if h.Deferrer == nil {
		return h.Run(ctx, req)
	}
	return h.Deferrer.Defer(ctx, req)
}

// record is what a completed action keeps in the records: who asked and
// when.
type record struct {
	UserID string `json:"u"`
	Name   string `json:"n,omitempty"`
	At     int64  `json:"t"`
}

// Run verifies req again (the same signature and 5-minute window as when
// it arrived), authorizes the user, and performs the click's action once
// per deployment and action. Every outcome is reported (thread reply or
// ephemeral answer) and audited; the error is for the caller's log only:
// the work is never retried.
func (h *Handler) Run(ctx context.Context, req Request) error {
	c, dst, err := h.authenticate(req)
	if err != nil {
		h.log().LogAttrs(ctx, slog.LevelWarn, "slack action rejected", slog.String("outcome", OutcomeUnauthentic), slog.String("error", err.Error()))
		return fmt.Errorf("interact: %w", err)
	}
	at := h.now().UTC()
	audit := func(outcome string, level slog.Level, extra ...slog.Attr) {
		attrs := []slog.Attr{
			slog.String("action", string(c.Action)), slog.String("outcome", outcome),
			slog.String("slack_user_id", c.UserID), slog.String("slack_user_name", c.UserName),
			slog.String("slack_team_id", c.TeamID), slog.String("destination", dst.Name),
			slog.String("platform", string(c.Ref.Platform)), slog.String("deployment_id", c.Ref.DeploymentID),
			slog.String("region", c.Ref.Region), slog.String("account", c.Ref.AccountID),
		}
		h.log().LogAttrs(ctx, level, "slack action", append(attrs, extra...)...)
	}
	who := "<@" + c.UserID + ">"
	what := verb(c.Action)
	dep := "deployment " + escape(c.Ref.DeploymentID)
	// The deployment and action, as claimed once in the records; the
	// click itself (who, and Slack's action_ts, else the request's signed
	// timestamp) names its one thread reply.
	target := "control/" + string(c.Ref.Platform) + "/" + c.Ref.Region + "/" + c.Ref.AccountID + "/" + c.Ref.DeploymentID
	clickTS := firstOf(c.ActionTS, req.Timestamp)
	replyKey := target + "#" + string(c.Action) + "/" + c.UserID + "/" + clickTS
	reply := func(text string) error {
		if dst.Slack == nil {
			return errors.New("interact: destination has no Slack client")
		}
		if err := dst.Slack.PostReply(ctx, c.Channel, c.MessageTS, replyKey, text); err != nil {
			h.log().LogAttrs(ctx, slog.LevelError, "slack action: thread reply failed", slog.String("destination", dst.Name), slog.String("error", err.Error()))
			return fmt.Errorf("interact: reply: %w", err)
		}
		return nil
	}

	// Authorize.
	if ok, why := h.allowed(ctx, dst, c.UserID); !ok {
		audit(OutcomeNotAllowed, slog.LevelWarn, slog.String("reason", why))
		text := "You cannot " + what + " " + dep + ": " + why + "."
		if err := h.responder().Respond(ctx, c.ResponseURL, text); err != nil {
			h.log().LogAttrs(ctx, slog.LevelError, "slack action: ephemeral answer failed", slog.String("error", err.Error()))
		}
		return nil
	}

	if !control.Supports(c.Ref.Platform, c.Action) {
		audit(OutcomeUnsupported, slog.LevelWarn)
		return reply(fmt.Sprintf("%s asked to %s %s, but %s deployments have no such action: nothing was done.", who, what, dep, platformName(c.Ref)))
	}
	p := h.Platforms.For(c.Ref.Platform)
	if p == nil {
		audit(OutcomeUnconfigured, slog.LevelError)
		return reply(fmt.Sprintf("%s asked to %s %s, but cutover cannot reach %s here: nothing was done.", who, what, dep, platformName(c.Ref)))
	}

	// Once per deployment and action.
	h.storeOnce.Do(func() {
		h.store = h.Records
		if h.store == nil {
			h.store = records.NewMemory(0)
		}
	})
	store := h.store
	key := records.NewKey(target, "action:"+string(c.Action))
	claim, err := store.Claim(ctx, key, Lease)
	if err != nil {
		audit(OutcomeFailed, slog.LevelError, slog.String("error", err.Error()))
		return reply(fmt.Sprintf("%s asked to %s %s, but cutover could not record the request (%s): nothing was done; try again.", who, what, dep, clip(err.Error(), 200)))
	}
	switch claim.Status {
	case records.Done:
		var r record
		_ = json.Unmarshal(claim.Result, &r)
		state := "its state could not be read"
		if st, err := p.State(ctx, c.Ref); err == nil {
			state = "it is now " + escape(st.Status)
		}
		earlier := "someone"
		if r.UserID != "" {
			earlier = "@" + escape(firstOf(r.Name, r.UserID))
		}
		audit(OutcomeDuplicate, slog.LevelInfo, slog.String("first_slack_user_id", r.UserID))
		return reply(fmt.Sprintf("%s asked to %s %s, which %s already asked for at %s; %s. Nothing more was done.",
			who, what, dep, earlier, clock(time.Unix(r.At, 0)), state))
	case records.Busy:
		audit(OutcomeBusy, slog.LevelInfo)
		return reply(fmt.Sprintf("%s asked to %s %s while another request to do so is being carried out: nothing more was done.", who, what, dep))
	}

	st, err := p.State(ctx, c.Ref)
	if err != nil {
		h.release(ctx, store, key)
		audit(OutcomeFailed, slog.LevelError, slog.String("error", err.Error()))
		return reply(fmt.Sprintf("%s asked to %s %s, but cutover could not read its state: %s. Nothing was done.", who, what, dep, describe(err)))
	}
	switch {
	case st.Ended:
		h.release(ctx, store, key)
		audit(OutcomeEnded, slog.LevelInfo, slog.String("status", st.Status))
		return reply(fmt.Sprintf("%s asked to %s %s, but it has already ended (%s): nothing was done.", who, what, dep, escape(st.Status)))
	case c.Action == control.FinishEarly && !st.Window:
		h.release(ctx, store, key)
		audit(OutcomeWindowClosed, slog.LevelInfo, slog.String("status", st.Status))
		return reply(fmt.Sprintf("%s asked to %s %s, but it is not waiting in its rollback window (%s): nothing was done.", who, what, dep, escape(st.Status)))
	}
	if err := p.Do(ctx, c.Ref, c.Action); err != nil {
		h.release(ctx, store, key)
		audit(OutcomeFailed, slog.LevelError, slog.String("status", st.Status), slog.String("error", err.Error()))
		return reply(fmt.Sprintf("%s asked to %s %s, but it failed: %s.", who, what, dep, describe(err)))
	}
	res, _ := json.Marshal(record{UserID: c.UserID, Name: c.UserName, At: at.Unix()})
	if err := store.Complete(ctx, key, res); err != nil {
		h.log().LogAttrs(ctx, slog.LevelWarn, "slack action: done, but not recorded: a second click may act again", slog.String("error", err.Error()))
	}
	audit(OutcomeDone, slog.LevelInfo, slog.String("status", st.Status))
	if m, ok := dst.Slack.(Marker); ok {
		if err := m.MarkRequested(ctx, c.Ref, c.Action, c.UserID, at); err != nil {
			h.log().LogAttrs(ctx, slog.LevelWarn, "slack action: done, but the deployment's message still shows the buttons until its next event",
				slog.String("destination", dst.Name), slog.String("error", err.Error()))
		}
	}
	return reply(fmt.Sprintf("%s requested by %s at %s: %s %s.", title(c.Action), who, clock(at), dep, effect(c)))
}

func (h *Handler) release(ctx context.Context, store records.Store, key records.Key) {
	if err := store.Release(ctx, key); err != nil {
		h.log().LogAttrs(ctx, slog.LevelWarn, "slack action: release claim", slog.String("error", err.Error()))
	}
}

func (h *Handler) responder() Responder {
	if h.Responder == nil {
		return HTTPResponder{}
	}
	return h.Responder
}

// allowed reports whether user may press dst's buttons, and why not.
func (h *Handler) allowed(ctx context.Context, dst *Destination, user string) (bool, string) {
	if slices.Contains(dst.AllowedUsers, user) {
		return true, ""
	}
	if len(dst.AllowedUsers) == 0 && len(dst.AllowedGroups) == 0 {
		return false, "this cutover destination (" + escape(dst.Name) + ") lets nobody press its buttons; its configuration needs allowed_users or allowed_groups"
	}
	var failed bool
	for _, g := range dst.AllowedGroups {
		if dst.Slack == nil {
			failed = true
			break
		}
		members, err := dst.Slack.GroupMembers(ctx, g)
		if err != nil {
			failed = true
			h.log().LogAttrs(ctx, slog.LevelError, "slack action: user group lookup failed", slog.String("group", g), slog.String("error", err.Error()))
			continue
		}
		if slices.Contains(members, user) {
			return true, ""
		}
	}
	if failed {
		return false, "cutover could not check your user group membership (see its log); ask again later or ask someone in allowed_users"
	}
	return false, "you are not in this destination's allowed_users or any of its allowed_groups"
}

func verb(a control.Action) string {
	if a == control.FinishEarly {
		return "finish early"
	}
	return "roll back"
}

func title(a control.Action) string {
	if a == control.FinishEarly {
		return "Finish early"
	}
	return "Rollback"
}

func effect(c Click) string {
	switch {
	case c.Action == control.FinishEarly:
		return "is finishing now: the original version is terminated and cannot be rolled back to"
	case c.Ref.Platform.IsCodeDeploy():
		return "is being stopped; CodeDeploy moves traffic back to the original version"
	}
	return "is being stopped; ECS rolls the service back to the original version"
}

func platformName(r control.Ref) string {
	if r.Platform.IsCodeDeploy() {
		return "CodeDeploy"
	}
	return "ECS-native"
}

// clock formats t as "15:02 UTC".
func clock(t time.Time) string { return t.UTC().Format("15:04 UTC") }

// describe says what an AWS error means to the user, escaped.
func describe(err error) string {
	switch {
	case awsx.Denied(err):
		return "access denied (the function's role lacks the permission; see docs/buttons.md)"
	case awsx.Code(err) != "":
		return escape(clip(awsx.Code(err)+": "+awsx.Message(err), 300))
	}
	return escape(clip(err.Error(), 300))
}
