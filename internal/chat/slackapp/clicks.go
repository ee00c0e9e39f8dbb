package slackapp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cutover-dev/cutover/internal/control"
)

// This file is the Notifier's side of the buttons: what the click
// handler (interact.Slack) needs from the destination, through the same
// Web API client and the same deployment state as the messages.

// PostReply posts text (mrkdwn, already escaped) in the thread of the
// message threadTS in channel. key names the reply (the click it
// answers): the reply carries it in its metadata, and when Slack's
// answer to the post is lost, the thread is searched for it
// (conversations.replies) before posting again, so the reply is posted
// once. An empty key posts without metadata or lookup.
func (a *Notifier) PostReply(ctx context.Context, channel, threadTS, key, text string) error {
	if channel == "" || threadTS == "" {
		return errors.New("slack-app: reply: no message to reply to")
	}
	msg := &Message{Channel: channel, ThreadTS: threadTS, Text: text}
	var find Finder
	if key != "" {
		id := ClickDelivery(key)
		msg.Metadata = a.metadata(id)
		find = a.threadFinder(channel, threadTS, id)
	}
	_, err := a.client.PostMessage(ctx, msg, find)
	if err != nil {
		return fmt.Errorf("slack-app: %w", err)
	}
	return nil
}

// maxClickKey bounds a click's key kept as it is in a reply's metadata;
// a longer one (a long ECS service-deployment ARN) is hashed.
const maxClickKey = 200

// ClickDelivery is the "delivery" of the metadata on the thread reply to
// a click named key: "click:" and the key, or its SHA-256 when long.
func ClickDelivery(key string) string {
	if len(key) > maxClickKey {
		sum := sha256.Sum256([]byte(key))
		return "click:sha256:" + hex.EncodeToString(sum[:])
	}
	return "click:" + key
}

// GroupMembers lists the user IDs of a user group (usergroups.users.list).
func (a *Notifier) GroupMembers(ctx context.Context, group string) ([]string, error) {
	users, err := a.client.UsergroupUsers(ctx, group)
	if err != nil {
		return nil, fmt.Errorf("slack-app: %w", err)
	}
	return users, nil
}

// MarkRequested shows on the deployment's parent message that user asked
// for action at at: a line "Rollback requested by <@U…> at 15:02 UTC" and
// no more buttons. It writes the next version of the deployment's state
// in the records, as an event does, so the parent stays one message and
// later events keep the line. Without a parent (none posted by this
// destination) it does nothing.
func (a *Notifier) MarkRequested(ctx context.Context, ref control.Ref, action control.Action, user string, at time.Time) error {
	if ref.DeploymentID == "" {
		return nil
	}
	st := State{Thread: ref.DeploymentID}
	key, err := a.acquire(ctx, &st)
	if err != nil {
		return err
	}
	release := func() {
		if rerr := a.store.Release(context.WithoutCancel(ctx), key); rerr != nil {
			a.log.Warn("slack-app: could not release the deployment's message; the next event waits for the lease", "destination", a.name, "error", rerr)
		}
	}
	if st.Parent == "" || st.Head == nil {
		release()
		return nil
	}
	next := st
	next.Version = st.Version + 1
	next.Request(Requested{Action: string(action), User: user, At: at.UTC().Truncate(time.Second)})
	upd, err := Parent(&next)
	if err != nil {
		release()
		return fmt.Errorf("slack-app: %w", err)
	}
	upd.Channel, upd.TS = next.Channel, next.Parent
	if err := a.client.Update(ctx, upd); err != nil {
		release()
		return fmt.Errorf("slack-app: %w", err)
	}
	raw, err := json.Marshal(next)
	if err != nil {
		release()
		return fmt.Errorf("slack-app: %w", err)
	}
	if err := a.store.Complete(context.WithoutCancel(ctx), key, raw); err != nil {
		a.log.Warn("slack-app: message state not recorded; the next event may show the buttons again", "destination", a.name, "error", err)
	}
	return nil
}
