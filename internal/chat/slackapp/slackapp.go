// Package slackapp is the Slack app destination (type "slack-app"): one
// living message per deployment, posted with a bot token through the Slack
// Web API. The first event of a deployment posts the parent message; every
// later one updates it (headline, status timeline, rollback deadline, the
// Roll back now / Finish early buttons while the window is open) and
// replies in its thread. The parent's place and the timeline are kept in
// the delivery records, so a cold start, a retry or a replay finds them,
// and concurrent events of one deployment agree on exactly one parent.
package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/chat/slackhook"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/retry"
)

// Type names this destination type in the configuration and receipts.
const Type = "slack-app"

// MetadataType is the event_type of the metadata on every post.
const MetadataType = "cutover_delivery"

// historyLimit bounds the recent messages of a channel searched for a
// lost post; threadLimit the messages of a thread (oldest first).
const (
	historyLimit = 50
	threadLimit  = 200
)

var (
	userID  = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)
	groupID = regexp.MustCompile(`^S[A-Z0-9]{2,20}$`)
	// channelID is a conversation ID (public, private, DM, group DM).
	channelID = regexp.MustCompile(`^[CGD][A-Z0-9]{2,20}$`)
)

// CheckUser and CheckGroup validate allowed_users and allowed_groups
// entries; their errors quote the entry, which is no secret.
func CheckUser(id string) error {
	if !userID.MatchString(id) {
		return fmt.Errorf("%q is not a Slack user ID (U… or W…, from the user's profile: ⋮ > Copy member ID)", clipCode(id))
	}
	return nil
}

// CheckGroup validates a Slack user group ID.
func CheckGroup(id string) error {
	if !groupID.MatchString(id) {
		return fmt.Errorf("%q is not a Slack user group ID (S…)", clipCode(id))
	}
	return nil
}

// Notifier is the Slack app destination.
type Notifier struct {
	name     string
	channel  string
	client   *Client
	mentions []string
	buttons  bool
	store    records.Store
	lease    time.Duration
	busyWait time.Duration
	log      *slog.Logger
	noLookup atomic.Bool // the history lookup was refused (missing scope)
}

var _ chat.Notifier = (*Notifier)(nil)

// Options configures a Notifier built with New.
type Options struct {
	// Name is the destination's name (delivery records, buttons).
	Name string
	// Channel is the channel ID (or name) to post to.
	Channel string
	// Mentions are the configured mentions, in Slack syntax.
	Mentions []string
	// Buttons enables Roll back now / Finish early.
	Buttons bool
	// Records keep the parent and timeline across invocations (nil: in
	// this process only).
	Records records.Store
	// Lease bounds how long one event may hold the deployment's message
	// (default 30s); BusyWait how long another waits for it (default 20s,
	// less when the context ends sooner) before failing retryably.
	Lease, BusyWait time.Duration
	// Logger receives warnings; nil logs nothing.
	Logger *slog.Logger
}

// New returns a Notifier posting through c.
func New(c *Client, opts Options) *Notifier {
	if opts.Records == nil {
		opts.Records = records.NewMemory(7 * 24 * time.Hour)
	}
	if opts.Lease <= 0 {
		opts.Lease = 30 * time.Second
	}
	if opts.BusyWait <= 0 {
		opts.BusyWait = 20 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Notifier{name: opts.Name, channel: opts.Channel, client: c, mentions: opts.Mentions, buttons: opts.Buttons,
		store: opts.Records, lease: opts.Lease, busyWait: opts.BusyWait, log: opts.Logger}
}

// ButtonsEnabled tells whether a spec turns the buttons on: a signing
// secret and at least one allowed user or group. The reason says what is
// missing when it does not.
func ButtonsEnabled(spec chat.Spec) (bool, string) {
	allowed := len(spec.AllowedUsers)+len(spec.AllowedGroups) > 0
	switch {
	case spec.SigningSecret.IsZero() && !allowed:
		return false, "no signing_secret(_secret) and no allowed_users/allowed_groups: messages have no Roll back now / Finish early buttons"
	case spec.SigningSecret.IsZero():
		return false, "allowed_users/allowed_groups without signing_secret(_secret): clicks could not be verified, so messages have no buttons"
	case !allowed:
		return false, "signing_secret without allowed_users or allowed_groups: nobody may press the buttons, so messages have none"
	}
	return true, ""
}

// Build is the chat.Factory of the "slack-app" type.
func Build(spec chat.Spec, deps chat.Deps) (chat.Notifier, error) {
	if spec.Channel == "" {
		return nil, errors.New("a Slack app destination needs a channel (ID like C0123456789, or name)")
	}
	if spec.Token.IsZero() {
		return nil, errors.New("a Slack app destination needs a bot token (token_secret, or token for local use)")
	}
	for _, u := range spec.AllowedUsers {
		if err := CheckUser(u); err != nil {
			return nil, fmt.Errorf("allowed_users: %w", err)
		}
	}
	for _, g := range spec.AllowedGroups {
		if err := CheckGroup(g); err != nil {
			return nil, fmt.Errorf("allowed_groups: %w", err)
		}
	}
	mentions, err := slackhook.ParseMentions(spec.Mentions)
	if err != nil {
		return nil, err
	}
	log := deps.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	buttons, why := ButtonsEnabled(spec)
	if !buttons {
		log.Warn("slack-app: buttons off: "+why, "destination", spec.Name)
	}
	c := NewClient(spec.Token, deps.Poster, ClientOptions{BaseURL: deps.SlackAPIURL, Logger: log})
	return New(c, Options{Name: spec.Name, Channel: spec.Channel, Mentions: mentions, Buttons: buttons, Records: deps.Records, Logger: log}), nil
}

// RenderSpec returns the chat.postMessage body the destination spec
// configures posts first for n: the parent message (a follow-up: the
// thread reply), its buttons when spec enables them.
func RenderSpec(n *message.Notice, spec chat.Spec) ([]byte, error) {
	if n == nil {
		return nil, errors.New("render: nil notice")
	}
	mentions, err := slackhook.ParseMentions(spec.Mentions)
	if err != nil {
		return nil, err
	}
	buttons, _ := ButtonsEnabled(spec)
	msg, err := First(n, message.Build(n), mentions, buttons, spec.Name)
	if err != nil {
		return nil, err
	}
	msg.Channel = spec.Channel
	return chat.EncodeJSON(msg)
}

// First is the message the first event n of a deployment posts: the
// parent with a one-step timeline; for a follow-up, or an event that
// names no deployment, the message of its own.
func First(n *message.Notice, m *message.Message, mentions []string, buttons bool, destination string) (*Message, error) {
	if n.FollowUp || threadOf(n) == "" {
		// A follow-up, or an event of no deployment: a message of its own.
		return Reply(m, mentions, "", false)
	}
	head, err := HeadOf(n, m, mentions, buttons, destination)
	if err != nil {
		return nil, err
	}
	st := &State{Version: 1, Thread: threadOf(n)}
	st.Merge(StepOf(n), head)
	return Parent(st)
}

// String names the destination by channel only.
func (a *Notifier) String() string { return "slack-app(" + a.channel + ")" }

// GoString is String: %#v must not print the token.
func (a *Notifier) GoString() string { return a.String() }

// LogValue is String.
func (a *Notifier) LogValue() slog.Value { return slog.StringValue(a.String()) }

// threadOf is the deployment whose thread n's event belongs to.
func threadOf(n *message.Notice) string {
	if n.Event.IsRollback() {
		return n.Event.Rollback.RollsBack
	}
	return n.Deployment()
}

// stateKey is the delivery-records key of version v of a thread's state.
// Claiming it is the right to write that version: one writer a version,
// so exactly one parent and no lost update.
func (a *Notifier) stateKey(thread string, v int) records.Key {
	return records.NewKey("slack-app:"+thread+"#"+strconv.Itoa(v), a.name)
}

// Notify delivers n: the parent message for the first event of a
// deployment, else an update of the parent and a thread reply. Errors
// read "slack-app: chat.update: not_in_channel: invite the app…";
// retry.IsPermanent tells whether a retry can help.
func (a *Notifier) Notify(ctx context.Context, n *chat.Notification) (chat.Receipt, error) {
	if n == nil || n.Message == nil || n.Notice == nil {
		return chat.Receipt{}, retry.Permanent(errors.New("slack-app: nil notification"))
	}
	thread := threadOf(n.Notice)
	if thread == "" {
		// No deployment to thread: a message of its own.
		msg, err := Reply(n.Message, a.mentions, "", false)
		if err != nil {
			return chat.Receipt{}, retry.Permanent(fmt.Errorf("slack-app: %w", err))
		}
		msg.Channel = a.channel
		msg.Metadata = a.metadata(n.Notice.Event.Identity())
		p, err := a.client.PostMessage(ctx, msg, a.finder(a.channel, n.Notice.Event.Identity()))
		if err != nil {
			return chat.Receipt{}, fmt.Errorf("slack-app: %w", err)
		}
		return chat.Receipt{Destination: Type, Channel: p.Channel, MessageID: p.TS}, nil
	}
	st := State{Thread: thread}
	if e := n.Earlier; e != nil && len(e.State) > 0 {
		var hint State
		if json.Unmarshal([]byte(e.State), &hint) == nil && hint.Thread == thread && hint.Version > 0 {
			st = hint
		}
	}
	key, err := a.acquire(ctx, &st)
	if err != nil {
		return chat.Receipt{}, err
	}
	next := st
	next.Steps = append([]Step(nil), st.Steps...)
	next.Version = st.Version + 1
	if err := a.write(ctx, &next, n); err != nil {
		if next.Parent != st.Parent || !slices.Equal(next.Pending, st.Pending) {
			// A new parent, or a post that may be in Slack: keep this
			// version, so the next attempt builds on it instead of
			// posting a second one.
			if raw, merr := json.Marshal(next); merr == nil && a.store.Complete(context.WithoutCancel(ctx), key, raw) == nil {
				return chat.Receipt{}, fmt.Errorf("slack-app: %w", err)
			}
		}
		if rerr := a.store.Release(context.WithoutCancel(ctx), key); rerr != nil {
			a.log.Warn("slack-app: could not release the deployment's message; the next event waits for the lease", "destination", a.name, "error", rerr)
		}
		return chat.Receipt{}, fmt.Errorf("slack-app: %w", err)
	}
	raw, err := json.Marshal(next)
	if err != nil {
		return chat.Receipt{}, retry.Permanent(fmt.Errorf("slack-app: %w", err))
	}
	if err := a.store.Complete(context.WithoutCancel(ctx), key, raw); err != nil {
		a.log.Warn("slack-app: message state not recorded; the next event may miss this step in the timeline", "destination", a.name, "error", err)
	}
	return chat.Receipt{Destination: Type, Channel: next.Channel, MessageID: next.Parent, State: string(raw)}, nil
}

// acquire claims the next version of st's thread, reading every version
// written meanwhile into st. When another event holds the next version it
// waits for it, for at most BusyWait, then fails retryably.
func (a *Notifier) acquire(ctx context.Context, st *State) (records.Key, error) {
	stop := time.Now().Add(a.busyWait)
	if dl, ok := ctx.Deadline(); ok {
		// Leave time for this event's own calls: up to 2s, less of a
		// short deadline.
		reserve := min(2*time.Second, time.Until(dl)/2)
		if dl.Add(-reserve).Before(stop) {
			stop = dl.Add(-reserve)
		}
	}
	pause := 50 * time.Millisecond
	for {
		key := a.stateKey(st.Thread, st.Version+1)
		c, err := a.store.Claim(ctx, key, a.lease)
		if err != nil {
			return key, fmt.Errorf("slack-app: deployment message state: %w", err)
		}
		switch c.Status {
		case records.Acquired:
			return key, nil
		case records.Done:
			var got State
			if err := json.Unmarshal(c.Result, &got); err != nil || got.Version != st.Version+1 {
				// Unreadable: skip the version, keep what we know.
				st.Version++
				continue
			}
			*st = got
			continue
		}
		// Busy: another event of this deployment is writing.
		if time.Now().Add(pause).After(stop) {
			return key, fmt.Errorf("slack-app: another event of deployment %s is updating its message; retry later", message.Line(st.Thread))
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return key, fmt.Errorf("slack-app: waiting for the deployment's message: %w", ctx.Err())
		case <-t.C:
		}
		pause = min(pause*2, time.Second)
	}
}

// write does the Slack calls of one event on st (holding its version)
// and updates st with what Slack answered.
func (a *Notifier) write(ctx context.Context, st *State, n *chat.Notification) error {
	ev := &n.Notice.Event
	if n.Notice.FollowUp {
		// A follow-up goes to the thread; the timeline does not change.
		return a.reply(ctx, st, n, false)
	}
	head, err := HeadOf(n.Notice, n.Message, a.mentions, a.buttons, a.name)
	if err != nil {
		return retry.Permanent(err)
	}
	st.Merge(StepOf(n.Notice), head)
	if st.Parent == "" {
		return a.postParent(ctx, st)
	}
	upd, err := Parent(st)
	if err != nil {
		return retry.Permanent(err)
	}
	upd.Channel, upd.TS = st.Channel, st.Parent
	err = a.client.Update(ctx, upd)
	switch {
	case IsCode(err, "message_not_found"):
		a.log.Warn("slack-app: the deployment's message was deleted; posting a new one", "destination", a.name, "deployment", ev.DeploymentID)
		if err := a.postParent(ctx, st); err != nil {
			return err
		}
	case err != nil:
		return err
	}
	broadcast := ev.Phase.WentWrong() || (ev.IsRollback() && ev.Phase.Ended())
	return a.reply(ctx, st, n, broadcast)
}

// postParent posts st's parent message and records where it went.
func (a *Notifier) postParent(ctx context.Context, st *State) error {
	msg, err := Parent(st)
	if err != nil {
		return retry.Permanent(err)
	}
	channel := a.channel
	if st.Channel != "" {
		channel = st.Channel
	}
	msg.Channel = channel
	id := "parent:" + st.Thread + "#" + strconv.Itoa(st.Version)
	for _, p := range st.Pending {
		if strings.HasPrefix(p, "parent:") {
			id = p // an earlier attempt lost the answer to this parent
		}
	}
	find := a.finder(channel, id)
	if st.pending(id) {
		p, ok, err := find(ctx)
		if err != nil {
			return fmt.Errorf("looking for the deployment's message: %w", err)
		}
		if ok {
			st.Channel, st.Parent = p.Channel, p.TS
			st.setPending(id, false)
			return nil
		}
	}
	msg.Metadata = a.metadata(id)
	p, err := a.client.PostMessage(ctx, msg, find)
	if err != nil {
		st.setPending(id, errors.Is(err, ErrMaybePosted))
		return err
	}
	st.Channel, st.Parent = p.Channel, p.TS
	st.setPending(id, false)
	return nil
}

// reply posts the event's own message in st's thread.
func (a *Notifier) reply(ctx context.Context, st *State, n *chat.Notification, broadcast bool) error {
	msg, err := Reply(n.Message, a.mentions, st.Parent, broadcast)
	if err != nil {
		return retry.Permanent(err)
	}
	msg.Channel = a.channel
	if st.Channel != "" {
		msg.Channel = st.Channel
	}
	id := n.Notice.Event.Identity()
	if n.Notice.FollowUp {
		id = "followup:" + id
	}
	msg.Metadata = a.metadata(id)
	find := a.threadFinder(msg.Channel, st.Parent, id)
	if st.pending(id) {
		// An earlier attempt lost the answer to this reply: look first.
		_, ok, err := find(ctx)
		if err != nil {
			return fmt.Errorf("looking for the reply: %w", err)
		}
		if ok {
			st.setPending(id, false)
			return nil
		}
	}
	_, err = a.client.PostMessage(ctx, msg, find)
	st.setPending(id, err != nil && errors.Is(err, ErrMaybePosted))
	return err
}

// metadata is the Slack message metadata naming a delivery.
func (a *Notifier) metadata(delivery string) *Metadata {
	return &Metadata{EventType: MetadataType, EventPayload: map[string]string{"delivery": delivery, "destination": a.name}}
}

// threadFinder looks for the reply of delivery in the thread of parent
// (the channel's history when there is no parent).
func (a *Notifier) threadFinder(channel, parent, delivery string) Finder {
	if parent == "" {
		return a.finder(channel, delivery)
	}
	return a.lookup(channel, delivery, func(ctx context.Context) ([]HistoryMessage, error) {
		return a.client.Replies(ctx, channel, parent, threadLimit)
	})
}

// finder looks for the post of delivery in channel's recent history,
// after a post whose answer was lost. Without a channel ID, or without the
// history scope (one warning), it finds nothing.
func (a *Notifier) finder(channel, delivery string) Finder {
	return a.lookup(channel, delivery, func(ctx context.Context) ([]HistoryMessage, error) {
		return a.client.History(ctx, channel, historyLimit)
	})
}

// lookup is a Finder over the messages list returns.
func (a *Notifier) lookup(channel, delivery string, list func(context.Context) ([]HistoryMessage, error)) Finder {
	return func(ctx context.Context) (Posted, bool, error) {
		if a.noLookup.Load() || !channelID.MatchString(channel) {
			return Posted{}, false, nil
		}
		msgs, err := list(ctx)
		switch {
		case IsCode(err, "missing_scope") || IsCode(err, "not_allowed_token_type"):
			if a.noLookup.CompareAndSwap(false, true) {
				a.log.Warn("slack-app: cannot read the channel's history to find a post whose answer was lost (add channels:history, or groups:history for a private channel); posting again may duplicate it",
					"destination", a.name)
			}
			return Posted{}, false, nil
		case err != nil && retry.IsPermanent(err):
			return Posted{}, false, nil
		case err != nil:
			return Posted{}, false, err
		}
		for _, m := range msgs {
			if m.Metadata != nil && m.Metadata.EventType == MetadataType &&
				m.Metadata.EventPayload["delivery"] == delivery && m.Metadata.EventPayload["destination"] == a.name {
				return Posted{Channel: channel, TS: m.TS}, true, nil
			}
		}
		return Posted{}, false, nil
	}
}
