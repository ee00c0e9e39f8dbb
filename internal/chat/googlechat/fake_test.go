package googlechat

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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

// fakeChat answers like a Google Chat incoming webhook: it checks the key
// and token, the 32,000-byte limit and the required fields (400 with
// Google's error JSON), creates messages, keeps threads by threadKey when
// messageReplyOption asks for it, and fails with 429 or 500 on demand.
type fakeChat struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	threads  map[string]string // threadKey → thread name
	messages []fakeMessage
	requests int
	// fail429 and fail500 fail that many next requests; retryAfter is the
	// Retry-After header of a 429 ("" for none).
	fail429, fail500 int
	retryAfter       string
}

type fakeMessage struct {
	Name, Thread, Key string
}

func newFakeChat(t *testing.T) *fakeChat {
	f := &fakeChat{t: t, threads: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// url is the webhook URL of the fake's space, secrets included.
func (f *fakeChat) url() string {
	return f.srv.URL + "/v1/spaces/" + space + "/messages?key=" + apiKey + "&token=" + apiToken
}

func googleErr(w http.ResponseWriter, code int, status, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"error":{"code":%d,"message":%q,"status":%q}}`, code, msg, status)
}

func (f *fakeChat) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	q := r.URL.Query()
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/v1/spaces/"+space+"/messages":
		googleErr(w, 404, "NOT_FOUND", "Requested entity was not found.")
		return
	case q.Get("key") != apiKey || q.Get("token") != apiToken:
		googleErr(w, 403, "PERMISSION_DENIED", "The caller does not have permission")
		return
	case f.fail429 > 0:
		f.fail429--
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		googleErr(w, 429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).")
		return
	case f.fail500 > 0:
		f.fail500--
		googleErr(w, 500, "INTERNAL", "Internal error encountered.")
		return
	}
	body, _ := io.ReadAll(r.Body)
	if len(body) > MaxBytes {
		googleErr(w, 400, "INVALID_ARGUMENT", fmt.Sprintf("Message of %d bytes exceeds the 32000 byte limit", len(body)))
		return
	}
	var m struct {
		Text    string            `json:"text"`
		CardsV2 []json.RawMessage `json:"cardsV2"`
		Thread  *struct {
			ThreadKey string `json:"threadKey"`
		} `json:"thread"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		googleErr(w, 400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
		return
	}
	if m.Text == "" && len(m.CardsV2) == 0 {
		googleErr(w, 400, "INVALID_ARGUMENT", "Message cannot be empty. Discarded message is required to have text or cards.")
		return
	}
	n := len(f.messages) + 1
	key := ""
	if m.Thread != nil {
		key = m.Thread.ThreadKey
	}
	thread := fmt.Sprintf("spaces/%s/threads/T%03d", space, n)
	if key != "" && q.Get("messageReplyOption") == replyOption {
		if t, ok := f.threads[key]; ok {
			thread = t
		} else {
			f.threads[key] = thread
		}
	}
	msg := fakeMessage{Name: fmt.Sprintf("spaces/%s/messages/M%03d.M%03d", space, n, n), Thread: thread, Key: key}
	f.messages = append(f.messages, msg)
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	fmt.Fprintf(w, `{"name":%q,"sender":{"name":"users/114022495153014004089","type":"BOT"},"text":%q,"thread":{"name":%q},"space":{"name":"spaces/%s","type":"ROOM"},"createTime":"2026-11-26T12:00:00.000000Z"}`,
		msg.Name, m.Text, msg.Thread, space)
}

// testHook is a Hook on f whose Poster retries without sleeping long and
// whose 429 wait is short.
func testHook(t *testing.T, f *fakeChat, mentions ...string) *Hook {
	t.Helper()
	p := chat.NewPoster(chat.PosterOptions{Timeout: 5 * time.Second, Policy: retry.Policy{Attempts: 3, Base: time.Millisecond, Max: 5 * time.Second}})
	n, err := Build(chat.Spec{Name: "gchat", Type: Type, URL: secret.New(f.url()), Mentions: mentions}, chat.Deps{Poster: p})
	if err != nil {
		t.Fatal(err)
	}
	h := n.(*Hook)
	h.rateLimitWait = time.Millisecond
	return h
}

// assertNoSecret fails when s holds any part of the webhook URL.
func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{space, apiKey, apiToken} {
		if strings.Contains(s, secret) {
			t.Errorf("%s leaks %q: %s", what, secret, s)
		}
	}
}

func TestNotifyThreadsOneDeployment(t *testing.T) {
	f := newFakeChat(t)
	h := testHook(t, f)
	ctx := context.Background()
	first, err := h.Notify(ctx, messagetest.Notification(messagetest.GoNotices()["traffic-switched-actions"]))
	if err != nil {
		t.Fatal(err)
	}
	second, err := h.Notify(ctx, messagetest.Notification(messagetest.GoNotices()["followup-completed"]))
	if err != nil {
		t.Fatal(err)
	}
	other, err := h.Notify(ctx, messagetest.Notification(messagetest.GoNotices()["failure-long-error"]))
	if err != nil {
		t.Fatal(err)
	}
	want := chat.Receipt{Destination: Type, MessageID: "spaces/" + space + "/messages/M001.M001", Channel: "spaces/" + space, Thread: "spaces/" + space + "/threads/T001"}
	if first != want {
		t.Errorf("receipt = %+v, want %+v", first, want)
	}
	if second.Thread != first.Thread || second.MessageID == first.MessageID {
		t.Errorf("two messages of one deployment: %+v, %+v; want one thread", first, second)
	}
	if other.Thread == first.Thread {
		t.Errorf("another deployment joined the thread: %+v", other)
	}
	if f.messages[0].Key != "cutover-d-7XQ2K9ABC" {
		t.Errorf("thread key %q", f.messages[0].Key)
	}
}

func TestNotifyPostsFormattedBody(t *testing.T) {
	f := newFakeChat(t)
	var got []byte
	var ct string
	inner := f.srv.Config.Handler
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		ct = r.Header.Get("Content-Type")
		r.Body = io.NopCloser(bytes.NewReader(got))
		inner.ServeHTTP(w, r)
	})
	n := messagetest.GoNotices()["failure-long-error"]
	h := testHook(t, f, "@here", "user:42")
	if _, err := h.Notify(context.Background(), messagetest.Notification(n)); err != nil {
		t.Fatal(err)
	}
	want, _ := Format(message.Build(n), ThreadKey(n.Event.DeploymentID), []string{"@here", "user:42"})
	if !bytes.Equal(got, want) || ct != "application/json; charset=UTF-8" {
		t.Errorf("content type %q, body equal to Format: %v", ct, bytes.Equal(got, want))
	}
	if !bytes.Contains(got, []byte(`\n<users/all> <users/42>","cardsV2"`)) {
		t.Errorf("a failure must mention: %s", got)
	}
}

func TestNotifyRetries(t *testing.T) {
	// 500, then success: retried by the Poster.
	f := newFakeChat(t)
	f.fail500 = 1
	if _, err := testHook(t, f).Notify(context.Background(), messagetest.Notification(messagetest.GoNotices()["bare-unknown"])); err != nil || f.requests != 2 {
		t.Errorf("500 once: err %v, %d requests", err, f.requests)
	}
	// 429 without Retry-After beyond the Poster's 3 attempts: one more
	// round after the rate-limit wait.
	f = newFakeChat(t)
	f.fail429 = 4
	if _, err := testHook(t, f).Notify(context.Background(), messagetest.Notification(messagetest.GoNotices()["bare-unknown"])); err != nil || f.requests != 5 || len(f.messages) != 1 {
		t.Errorf("429 ×4: err %v, %d requests, %d messages", err, f.requests, len(f.messages))
	}
	// 429 that never ends: retryable, names the quota, never the URL.
	f = newFakeChat(t)
	f.fail429 = 100
	_, err := testHook(t, f).Notify(context.Background(), messagetest.Notification(messagetest.GoNotices()["bare-unknown"]))
	if err == nil || retry.IsPermanent(err) || !strings.Contains(err.Error(), "googlechat: 429 RESOURCE_EXHAUSTED: Resource has been exhausted") {
		t.Errorf("429 forever: err = %v, want retryable", err)
	}
	if f.requests != 6 {
		t.Errorf("429 forever: %d requests, want 3 + 3", f.requests)
	}
	// 429 with Retry-After: the Poster honours it; no extra round.
	f = newFakeChat(t)
	f.fail429, f.retryAfter = 1, "0"
	if _, err := testHook(t, f).Notify(context.Background(), messagetest.Notification(messagetest.GoNotices()["bare-unknown"])); err != nil || f.requests != 2 {
		t.Errorf("429 with Retry-After: err %v, %d requests", err, f.requests)
	}
	// 500 forever: retryable.
	f = newFakeChat(t)
	f.fail500 = 100
	_, err = testHook(t, f).Notify(context.Background(), messagetest.Notification(messagetest.GoNotices()["bare-unknown"]))
	if err == nil || retry.IsPermanent(err) || !strings.Contains(err.Error(), "googlechat: 500 INTERNAL") {
		t.Errorf("500 forever: err = %v", err)
	}
}

func TestNotifyPermanentErrors(t *testing.T) {
	f := newFakeChat(t)
	good := testHook(t, f)
	for name, u := range map[string]string{
		"403 wrong token": strings.Replace(f.url(), apiToken, "wrong"+apiToken, 1),
		"404 wrong space": strings.Replace(f.url(), space, space+"x", 1),
	} {
		h, err := New(u, good.poster, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.Notify(context.Background(), messagetest.Notification(messagetest.GoNotices()["bare-unknown"]))
		if err == nil || !retry.IsPermanent(err) || !strings.HasPrefix(err.Error(), "googlechat: "+name[:3]) {
			t.Errorf("%s: err = %v, want permanent", name, err)
		}
		if err != nil {
			assertNoSecret(t, name, err.Error())
		}
	}
	// The fake's limit: a body over 32,000 bytes is a 400 with Google's
	// error, permanent. Format never makes one; post one directly.
	big, _ := json.Marshal(map[string]string{"text": strings.Repeat("x", MaxBytes)})
	_, err := good.poster.Post(context.Background(), good.url, big, nil, accepted)
	err = apiError(err)
	if err == nil || !retry.IsPermanent(err) || !strings.HasPrefix(err.Error(), "googlechat: 400 INVALID_ARGUMENT: Message of") {
		t.Errorf("oversize: err = %v", err)
	}
	assertNoSecret(t, "oversize", err.Error())
	// Nil notifications are permanent; printing the hook shows the host.
	if _, err := good.Notify(context.Background(), nil); !retry.IsPermanent(err) {
		t.Errorf("nil: err = %v", err)
	}
	for _, out := range chattest.Printed(good) {
		assertNoSecret(t, "output", out)
	}
	h, _ := New("https://chat.googleapis.com/v1/spaces/"+space+"/messages?key="+apiKey+"&token="+apiToken, nil, nil)
	if got := h.String(); got != "googlechat(chat.googleapis.com)" {
		t.Errorf("String() = %q", got)
	}
	if _, err := Build(chat.Spec{Name: "g", Type: Type}, chat.Deps{}); err == nil {
		t.Error("no URL accepted")
	}
}

func TestEveryGoldenThroughTheFake(t *testing.T) {
	f := newFakeChat(t)
	h := testHook(t, f, "@here")
	for name, n := range messagetest.Cases(t) {
		if _, err := h.Notify(context.Background(), messagetest.Notification(n)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
