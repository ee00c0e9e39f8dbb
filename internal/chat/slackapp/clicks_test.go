package slackapp

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/chat/slackapp/slackfake"
	"github.com/cutover-dev/cutover/internal/control"
	"github.com/cutover-dev/cutover/internal/deploy"
)

// TestMarkRequested marks the parent after a click: a line that says who
// asked and when, no buttons, one message; the next event keeps the line.
func TestMarkRequested(t *testing.T) {
	r := newRig(t, slackfake.Options{})
	a := r.notifier(true)
	st := story()
	for _, n := range st[:3] {
		if err := r.send(t, a, n); err != nil {
			t.Fatal(err)
		}
	}
	parents := r.fake.Parents(channel)
	if len(parents) != 1 || !strings.Contains(string(parents[0].Blocks), ActionRollback) {
		t.Fatalf("want one parent with buttons before the click: %+v", parents)
	}
	before := parents[0].Updates
	ref := control.RefOf(&st[2].Event, "ops")
	at := time.Date(2026, 11, 26, 15, 2, 31, 0, time.UTC)
	if err := a.MarkRequested(context.Background(), ref, control.Rollback, "U0ALICE", at); err != nil {
		t.Fatal(err)
	}
	// A second mark (a second process, the same click redelivered) keeps
	// the first.
	if err := r.notifier(true).MarkRequested(context.Background(), ref, control.Rollback, "U0BOB", at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	parents = r.fake.Parents(channel)
	if len(parents) != 1 {
		t.Fatalf("%d parents after the mark, want 1", len(parents))
	}
	p := parents[0]
	blocks := string(p.Blocks)
	if !strings.Contains(blocks, "Rollback requested by <@U0ALICE> at 15:02 UTC") || strings.Contains(blocks, "U0BOB") {
		t.Errorf("parent does not say who asked first: %s", blocks)
	}
	if strings.Contains(blocks, ActionRollback) || strings.Contains(blocks, ActionFinishEarly) {
		t.Errorf("buttons still on the parent after the request: %s", blocks)
	}
	if p.Updates != before+2 {
		t.Errorf("%d updates, want %d", p.Updates, before+2)
	}
	// The next event (from another process, through the records) keeps it.
	if err := r.send(t, r.notifier(true), st[3]); err != nil {
		t.Fatal(err)
	}
	if got := string(r.fake.Parents(channel)[0].Blocks); !strings.Contains(got, "Rollback requested by <@U0ALICE>") || !strings.Contains(got, "*Succeeded*") {
		t.Errorf("the next event lost the request line: %s", got)
	}
}

// TestMarkRequestedWithoutParent does nothing for a deployment this
// destination has no message of.
func TestMarkRequestedWithoutParent(t *testing.T) {
	r := newRig(t, slackfake.Options{})
	a := r.notifier(true)
	ref := control.Ref{Platform: deploy.CodeDeployECS, Region: "eu-west-1", DeploymentID: "d-UNKNOWN01", Destination: "ops"}
	if err := a.MarkRequested(context.Background(), ref, control.Rollback, "U0ALICE", time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := r.fake.Calls("chat.update") + r.fake.Calls("chat.postMessage"); n != 0 {
		t.Errorf("%d Slack calls, want none", n)
	}
	// The version claimed to look was released: an event can still post.
	if err := r.send(t, a, story()[0]); err != nil {
		t.Fatal(err)
	}
}

// TestClickClient is the notifier as the click handler's Slack client:
// thread replies and user group members through the Web API.
func TestClickClient(t *testing.T) {
	r := newRig(t, slackfake.Options{Groups: map[string][]string{"S0ONCALL": {"U0ALICE", "U0BOB"}}})
	a := r.notifier(true)
	if err := r.send(t, a, story()[0]); err != nil {
		t.Fatal(err)
	}
	p := r.fake.Parents(channel)[0]
	if err := a.PostReply(context.Background(), channel, p.TS, "", "Rollback requested by <@U0ALICE>"); err != nil {
		t.Fatal(err)
	}
	if rs := r.fake.Replies(channel, p.TS); len(rs) != 1 || rs[0].Text != "Rollback requested by <@U0ALICE>" {
		t.Errorf("replies = %+v", rs)
	}
	if err := a.PostReply(context.Background(), channel, "1.000000", "", "x"); !IsCode(err, "thread_not_found") {
		t.Errorf("reply to no message: %v, want thread_not_found", err)
	}
	users, err := a.GroupMembers(context.Background(), "S0ONCALL")
	if err != nil || !slices.Equal(users, []string{"U0ALICE", "U0BOB"}) {
		t.Errorf("group members = %v, %v", users, err)
	}
	if _, err := a.GroupMembers(context.Background(), "S0NONE"); !IsCode(err, "no_such_subteam") {
		t.Errorf("unknown group: %v", err)
	}
}
