package interact

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/chat/slackapp"
	"github.com/cutover-dev/cutover/internal/chat/slackapp/slackfake"
	"github.com/cutover-dev/cutover/internal/control"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/secret"
)

// The slack-app destination is the click handler's Slack client (app
// wires it by this interface).
var _ Slack = (*slackapp.Notifier)(nil)

// waiting is a platform whose deployment waits in its rollback window.
type waiting struct{ done atomic.Int32 }

func (w *waiting) State(context.Context, control.Ref) (State, error) {
	return State{Status: "InProgress", Window: true}, nil
}

func (w *waiting) Do(context.Context, control.Ref, control.Action) error {
	w.done.Add(1)
	return nil
}

// pressOn builds the body of a press on the message ts in C0DEPLOYS,
// with Slack's action_ts.
func pressOn(t *testing.T, user, ts, actionTS string, ref control.Ref) []byte {
	t.Helper()
	v, err := ref.Encode()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user, "username": strings.ToLower(user)},
		"team": map[string]any{"id": "T0TEAM"}, "channel": map[string]any{"id": "C0DEPLOYS"},
		"container": map[string]any{"type": "message", "message_ts": ts, "channel_id": "C0DEPLOYS"},
		"actions":   []any{map[string]any{"action_id": ActionIDRollback, "value": v, "action_ts": actionTS}},
	})
	return []byte("payload=" + url.QueryEscape(string(b)))
}

// TestClickReplyOnceThroughSlackApp: the click handler with the real
// slack-app destination as its Slack client, against the fake Web API.
// Slack takes the click's thread reply but its answer is lost: the reply
// is found in the thread and not posted again. A second user's click on
// the same button gets its own reply (not taken for the first one's),
// also once after a lost answer.
func TestClickReplyOnceThroughSlackApp(t *testing.T) {
	fake := slackfake.New(t, slackfake.Options{})
	policy := retry.Policy{Attempts: 4, Base: time.Millisecond, Max: 50 * time.Millisecond}
	client := slackapp.NewClient(secret.New(slackfake.Token), chat.NewPoster(chat.PosterOptions{Timeout: 5 * time.Second, Policy: policy}),
		slackapp.ClientOptions{BaseURL: fake.APIURL(), Pace: -1, Policy: policy})
	notifier := slackapp.New(client, slackapp.Options{Name: "ops", Channel: "C0DEPLOYS", Buttons: true})
	parent, err := client.PostMessage(context.Background(), &slackapp.Message{Channel: "C0DEPLOYS", Text: "deployment d-7XQ2K9ABC"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	platform := &waiting{}
	h := &Handler{
		Destinations: []Destination{{Name: "ops", SigningSecret: secret.New(opsSecret), AllowedUsers: []string{"U0ALICE", "U0BOB"}, Slack: notifier}},
		Platforms:    Platforms{CodeDeploy: platform},
		Records:      records.NewMemory(0),
		Now:          func() time.Time { return clickTime },
	}
	ref := control.Ref{Platform: deploy.CodeDeployECS, Region: "eu-west-1", AccountID: "123456789012", DeploymentID: "d-7XQ2K9ABC", Destination: "ops"}

	fake.LoseNextAnswer("chat.postMessage", 1)
	if err := h.Run(context.Background(), signed(opsSecret, clickTime, pressOn(t, "U0ALICE", parent.TS, "1764514920.000100", ref))); err != nil {
		t.Fatal(err)
	}
	replies := fake.Replies("C0DEPLOYS", parent.TS)
	if len(replies) != 1 || !strings.HasPrefix(replies[0].Text, "Rollback requested by <@U0ALICE>") {
		t.Fatalf("replies after a lost answer: %+v, want one", replies)
	}
	if fake.Calls("conversations.replies") != 1 || platform.done.Load() != 1 {
		t.Errorf("%d lookups, %d actions; want 1 and 1", fake.Calls("conversations.replies"), platform.done.Load())
	}
	if md := replies[0].Metadata; md == nil || md.EventType != slackapp.MetadataType ||
		!strings.Contains(md.EventPayload["delivery"], "d-7XQ2K9ABC#rollback/U0ALICE/1764514920.000100") {
		t.Errorf("reply metadata %+v does not name the click", md)
	}

	fake.LoseNextAnswer("chat.postMessage", 1)
	if err := h.Run(context.Background(), signed(opsSecret, clickTime, pressOn(t, "U0BOB", parent.TS, "1764514925.000200", ref))); err != nil {
		t.Fatal(err)
	}
	replies = fake.Replies("C0DEPLOYS", parent.TS)
	if len(replies) != 2 || !strings.Contains(replies[1].Text, "<@U0BOB> asked to roll back") || platform.done.Load() != 1 {
		t.Fatalf("replies after the second click: %+v (%d actions)", replies, platform.done.Load())
	}
}

// TestParseClickActionTS keeps Slack's action_ts only in the form Slack
// gives it: it names the click's reply in the thread.
func TestParseClickActionTS(t *testing.T) {
	ref := control.Ref{Platform: deploy.CodeDeployECS, DeploymentID: "d-7XQ2K9ABC", Destination: "ops"}
	for ts, want := range map[string]string{"1764514920.000100": "1764514920.000100", "": "", "1.2.3": "", "<!channel>": "", strings.Repeat("9", 40): ""} {
		c, err := ParseClick(pressOn(t, "U0ALICE", "1764514800.000100", ts, ref))
		if err != nil {
			t.Fatalf("%q: %v", ts, err)
		}
		if c.ActionTS != want {
			t.Errorf("action_ts %q kept as %q, want %q", ts, c.ActionTS, want)
		}
	}
}
