package slackapp

import (
	"context"
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
// message threadTS in channel.
func (a *Notifier) PostReply(ctx context.Context, channel, threadTS, text string) error {
	if channel == "" || threadTS == "" {
		return errors.New("slack-app: reply: no message to reply to")
	}
	_, err := a.client.PostMessage(ctx, &Message{Channel: channel, ThreadTS: threadTS, Text: text}, nil)
	if err != nil {
		return fmt.Errorf("slack-app: %w", err)
	}
	return nil
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
