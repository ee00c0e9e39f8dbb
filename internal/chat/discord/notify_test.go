package discord

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/chat/chattest"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/secret"
)

// waits records the Poster's waits instead of sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(_ context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.d = append(w.d, d)
	return nil
}

// testPoster returns a real Poster that records its waits, logging to logs.
func testPoster(attempts int, logs *bytes.Buffer) (*chat.Poster, *waits) {
	w := &waits{}
	opts := chat.PosterOptions{
		Timeout: 5 * time.Second,
		Policy:  retry.Policy{Attempts: attempts, Base: time.Millisecond, Max: 5 * time.Second, Sleep: w.sleep},
	}
	if logs != nil {
		opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return chat.NewPoster(opts), w
}

// assertNoSecret fails when s holds any part of the webhook URL.
func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{webhookToken, webhookPath, "112233445566778899/"} {
		if strings.Contains(s, secret) {
			t.Errorf("%s leaks %q: %s", what, secret, s)
		}
	}
}

func build(t *testing.T, rawURL string, mentions []string, p *chat.Poster) chat.Notifier {
	t.Helper()
	n, err := Build(chat.Spec{Name: "ops", Type: Type, URL: secret.New(rawURL), Mentions: mentions}, chat.Deps{Poster: p})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return n
}

func TestNotifyPostsWithWaitAndReturnsTheMessageID(t *testing.T) {
	fake := newFakeDiscord(t)
	var logs bytes.Buffer
	p, _ := testPoster(3, &logs)
	// The URL may already have a query (a thread): wait=true joins it.
	hook := build(t, fake.url("thread_id=1209876543210987000"), []string{"@here", "group:41771983423143936"}, p)
	n := messagetest.GoNotices()["failure-long-error"]
	rc, err := hook.Notify(context.Background(), messagetest.Notification(n))
	if err != nil {
		t.Fatalf("Notify: %v", err)
	}
	want := chat.Receipt{Destination: "discord", MessageID: "1309988776655443301", Channel: "1209876543210987654"}
	if rc != want {
		t.Errorf("receipt = %+v, want %+v", rc, want)
	}
	if fake.requests() != 1 || fake.waits[0] != "true" {
		t.Fatalf("%d requests, wait=%q", fake.requests(), fake.waits)
	}
	wantBody, _ := Format(message.Build(n), Mentions{Here: true, Roles: []string{"41771983423143936"}})
	if !bytes.Equal(fake.bodies[0], wantBody) {
		t.Errorf("posted body differs from Format:\n%s\n%s", fake.bodies[0], wantBody)
	}
	if !bytes.HasPrefix(fake.bodies[0], []byte(`{"content":"@here <@&41771983423143936> ❌`)) {
		t.Errorf("a failure does not ping: %.120s", fake.bodies[0])
	}
	assertNoSecret(t, "log", logs.String())
}

func TestWithWaitKeepsTheQuery(t *testing.T) {
	for in, want := range map[string]string{
		"https://discord.com/api/webhooks/1/tok":                    "wait=true",
		"https://discord.com/api/webhooks/1/tok?thread_id=5":        "thread_id=5&wait=true",
		"https://discord.com/api/webhooks/1/tok?wait=false":         "wait=true",
		"https://discord.com/api/webhooks/1/tok?thread_id=5&wait=1": "thread_id=5&wait=true",
	} {
		h, err := New(in, Mentions{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(h.url)
		if u.RawQuery != want || u.Path != "/api/webhooks/1/tok" {
			t.Errorf("New(%q): %s?%s, want query %q", in, u.Path, u.RawQuery, want)
		}
	}
}

func TestNotifyRetries429ThenDelivers(t *testing.T) {
	fake := newFakeDiscord(t, "429", "500")
	p, w := testPoster(5, nil)
	rc, err := build(t, fake.url(""), nil, p).Notify(context.Background(), messagetest.Notification(messagetest.GoNotices()["traffic-switched-actions"]))
	if err != nil {
		t.Fatalf("Notify: %v", err)
	}
	if fake.requests() != 3 || rc.MessageID != "1309988776655443303" {
		t.Errorf("%d requests, receipt %+v; want 3 and the third message", fake.requests(), rc)
	}
	// The 429's body asks for 0.25 s (its header rounds up to 1 s).
	if len(w.d) != 2 || w.d[0] != 250*time.Millisecond {
		t.Errorf("waits = %v, want 250ms first", w.d)
	}
}

func TestNotifyUnknownWebhookIsPermanent(t *testing.T) {
	fake := newFakeDiscord(t, "404", "404", "404")
	var logs bytes.Buffer
	p, _ := testPoster(5, &logs)
	hook := build(t, fake.url(""), nil, p)
	_, err := hook.Notify(context.Background(), messagetest.Notification(messagetest.GoNotices()["bare-unknown"]))
	if want := "discord: 404 Not Found: Unknown Webhook (code 10015)"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	if !retry.IsPermanent(err) || fake.requests() != 1 {
		t.Errorf("permanent %v after %d requests; want permanent after 1", retry.IsPermanent(err), fake.requests())
	}
	var se *chat.StatusError
	if !errors.As(err, &se) || se.StatusCode != 404 {
		t.Errorf("err %v does not hold the 404 *chat.StatusError", err)
	}
	for _, s := range append(chattest.Printed(hook), err.Error(), logs.String()) {
		assertNoSecret(t, "output", s)
	}
	if got := fmt.Sprint(hook); !strings.HasPrefix(got, "discord(127.0.0.1:") {
		t.Errorf("String() = %q", got)
	}
}

// TestNotifyRejectedBodyIsPermanent breaks a limit on purpose (the fake
// enforces them): Discord's 400 is permanent and tells its code.
func TestNotifyRejectedBodyIsPermanent(t *testing.T) {
	fake := newFakeDiscord(t)
	p, _ := testPoster(5, nil)
	body := []byte(`{"content":"` + strings.Repeat("x", 2001) + `","embeds":[],"allowed_mentions":{"parse":[]}}`)
	if problem := discordProblem(body); problem == "" {
		t.Fatal("the fake takes a 2,001-character content")
	}
	_, err := p.Post(context.Background(), fake.url("wait=true"), body, map[string]string{"Content-Type": "application/json"}, chat.AcceptAny)
	err = describe(err)
	if err == nil || !strings.HasPrefix(err.Error(), "discord: 400 Bad Request: Invalid Form Body (code 50035)") || !retry.IsPermanent(err) {
		t.Errorf("err = %v, want a permanent 400 with Discord's code", err)
	}
	assertNoSecret(t, "error", err.Error())
}

func TestNotifyServerErrorIsRetryable(t *testing.T) {
	fake := newFakeDiscord(t, "500", "500")
	p, _ := testPoster(2, nil)
	_, err := build(t, fake.url(""), nil, p).Notify(context.Background(), messagetest.Notification(messagetest.GoNotices()["bare-unknown"]))
	if err == nil || retry.IsPermanent(err) || fake.requests() != 2 || !strings.Contains(err.Error(), "discord: 500 Internal Server Error") {
		t.Errorf("err = %v after %d requests; want a retryable 500 after 2", err, fake.requests())
	}
	assertNoSecret(t, "error", err.Error())
}

func TestReceiptWithoutMessage(t *testing.T) {
	for _, answer := range []string{"", "ok", `{"id":"x"}`, `{"id":""}`} {
		if rc := receipt([]byte(answer)); rc != (chat.Receipt{Destination: Type}) {
			t.Errorf("receipt(%q) = %+v", answer, rc)
		}
	}
}

func TestBuildRejects(t *testing.T) {
	for _, tc := range []struct {
		spec chat.Spec
		want string
	}{
		{chat.Spec{Name: "d", Type: Type}, "needs a webhook URL"},
		{chat.Spec{Name: "d", Type: Type, URL: secret.New("discord.com/api/webhooks/1/" + webhookToken)}, "needs an http(s) webhook URL"},
		{chat.Spec{Name: "d", Type: Type, URL: secret.New("ftp://discord.com/api/webhooks/1/" + webhookToken)}, "needs an http(s) webhook URL"},
		{chat.Spec{Name: "d", Type: Type, URL: secret.New("https://discord.com/api/webhooks/1/" + webhookToken), Mentions: []string{"@channel"}}, "Discord has no @channel"},
		{chat.Spec{Name: "d", Type: Type, URL: secret.New("https://discord.com/api/webhooks/1/" + webhookToken), Mentions: []string{"user:bob"}}, "a Discord ID is a number"},
	} {
		_, err := Build(tc.spec, chat.Deps{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Build(%v): err = %v, want %q", tc.spec.Mentions, err, tc.want)
			continue
		}
		assertNoSecret(t, "error", err.Error())
	}
	if _, err := (&Hook{}).Notify(context.Background(), nil); !retry.IsPermanent(err) {
		t.Errorf("nil notification: err = %v, want permanent", err)
	}
}
