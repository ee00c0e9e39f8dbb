package slackapp

import (
	"context"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/chat/slackapp/slackfake"
)

// TestLostClickReplyAnswer: Slack took a click's thread reply but the
// answer was lost; the retry finds the reply in the thread by its
// metadata instead of replying twice. Another click's reply in the same
// thread (another key) is not mistaken for it.
func TestLostClickReplyAnswer(t *testing.T) {
	r := newRig(t, slackfake.Options{})
	a := r.notifier(true)
	if err := r.send(t, a, story()[2]); err != nil {
		t.Fatal(err)
	}
	p := r.fake.Parents(channel)[0]
	ctx := context.Background()
	const alice = "control/codedeploy-ecs/eu-west-1/111122223333/d-7XQ2K9ABC#rollback/U0ALICE/1764514920.000001"
	const bob = "control/codedeploy-ecs/eu-west-1/111122223333/d-7XQ2K9ABC#rollback/U0BOB/1764514925.000002"
	r.fake.LoseNextAnswer("chat.postMessage", 1)
	if err := a.PostReply(ctx, channel, p.TS, alice, "Rollback requested by <@U0ALICE>"); err != nil {
		t.Fatal(err)
	}
	replies := r.fake.Replies(channel, p.TS)
	if len(replies) != 1 || r.fake.Calls("conversations.replies") != 1 {
		t.Fatalf("%d replies after a lost answer, %d lookups; want 1 and 1", len(replies), r.fake.Calls("conversations.replies"))
	}
	md := replies[0].Metadata
	if md == nil || md.EventType != MetadataType || md.EventPayload["delivery"] != "click:"+alice || md.EventPayload["destination"] != "ops" {
		t.Errorf("reply metadata %+v", md)
	}
	// A second click (bob's) lost too: its own reply is posted, once.
	r.fake.LoseNextAnswer("chat.postMessage", 1)
	if err := a.PostReply(ctx, channel, p.TS, bob, "<@U0BOB> asked to roll back…"); err != nil {
		t.Fatal(err)
	}
	replies = r.fake.Replies(channel, p.TS)
	if len(replies) != 2 || !strings.HasPrefix(replies[1].Text, "<@U0BOB>") {
		t.Fatalf("replies after bob's click: %+v", replies)
	}
	// From another process (a second notifier): the lookup is by the
	// metadata in Slack, not by anything this process remembers.
	r.fake.LoseNextAnswer("chat.postMessage", 1)
	long := strings.Repeat("arn:aws:ecs:eu-west-1:111122223333:service-deployment/prod/web/", 8) + "#rollback/U0ALICE/1764514930.000003"
	if err := r.notifier(true).PostReply(ctx, channel, p.TS, long, "Rollback requested by <@U0ALICE>"); err != nil {
		t.Fatal(err)
	}
	replies = r.fake.Replies(channel, p.TS)
	if len(replies) != 3 {
		t.Fatalf("%d replies after a third lost answer, want 3", len(replies))
	}
	if d := replies[2].Metadata.EventPayload["delivery"]; d != ClickDelivery(long) || len(d) > 100 {
		t.Errorf("a long key's delivery %q, want its hash", d)
	}
}

// TestClickReplyWithoutHistoryScope: without the history scopes the
// lookup is skipped with one warning; the reply is still posted.
func TestClickReplyWithoutHistoryScope(t *testing.T) {
	r := newRig(t, slackfake.Options{Scopes: []string{"chat:write"}})
	a := r.notifier(true)
	if err := r.send(t, a, story()[2]); err != nil {
		t.Fatal(err)
	}
	p := r.fake.Parents(channel)[0]
	r.fake.LoseNextAnswer("chat.postMessage", 1)
	if err := a.PostReply(context.Background(), channel, p.TS, "k", "Rollback requested by <@U0ALICE>"); err != nil {
		t.Fatal(err)
	}
	if n := len(r.fake.Replies(channel, p.TS)); n != 2 {
		t.Errorf("%d replies, want 2 (lost answer, no lookup)", n)
	}
	if c := strings.Count(r.log.String(), "channels:history"); c != 1 {
		t.Errorf("%d warnings about the history scope, want 1:\n%s", c, r.log.String())
	}
}
