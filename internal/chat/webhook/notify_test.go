package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/secret"
)

// testSecret is a Standard Webhooks secret: whsec_ and base64 of 34 bytes.
const testSecret = "whsec_c2VjcmV0LWtleS1vZi10aGUtdGVzdC1yZWNlaXZlci0xMg=="

// secretPath is the secret part of the receiver URL.
const secretPath = "/hooks/t0k3n-Secret-Path"

// tolerance is how far a timestamp may be from the receiver's clock.
const tolerance = 5 * time.Minute

// errStale, errBadSignature and errMissing are the receiver's refusals.
var (
	errStale        = errors.New("timestamp outside the tolerance")
	errBadSignature = errors.New("no matching signature")
	errMissing      = errors.New("missing header")
)

// verifyStandard checks the Standard Webhooks headers as the spec
// describes them (https://github.com/standard-webhooks/standard-webhooks,
// spec/standard-webhooks.md), written from the spec, not from this
// package: the key is the base64 after "whsec_", the signed content is
// "<id>.<timestamp>.<body>", the header holds space-separated
// "<version>,<base64 signature>" entries, of which a v1 one must match.
func verifyStandard(secret string, h http.Header, body []byte, now time.Time) error {
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return errMissing
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errStale
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return errStale
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%s.%s", id, ts, body)
	want := mac.Sum(nil)
	for _, entry := range strings.Split(sigs, " ") {
		version, sig, _ := strings.Cut(entry, ",")
		got, err := base64.StdEncoding.DecodeString(sig)
		if version == "v1" && err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errBadSignature
}

// verifyGitHub checks X-Signature the way GitHub-style receivers check
// X-Hub-Signature-256: "sha256=" and the hex HMAC-SHA256 of the body, with
// key the secret's bytes (here: a whsec_ secret's decoded bytes).
func verifyGitHub(key []byte, h http.Header, body []byte) error {
	hexSig, ok := strings.CutPrefix(h.Get("X-Signature"), "sha256=")
	if !ok {
		return errMissing
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return errBadSignature
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return errBadSignature
	}
	return nil
}

// TestSignPublishedVectors checks Sign and SigningKey against the test
// vectors the two schemes publish: the Standard Webhooks libraries' and
// GitHub's "Validating webhook deliveries" example.
func TestSignPublishedVectors(t *testing.T) {
	key, err := SigningKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	h := Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if got := h[HeaderSignature]; got != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Errorf("webhook-signature %q", got)
	}
	if h[HeaderID] != "msg_p5jXN8AQM9LWM0D4loKWxJek" || h[HeaderTimestamp] != "1614265330" {
		t.Errorf("headers %v", h)
	}
	raw, err := SigningKey("It's a Secret to Everybody")
	if err != nil {
		t.Fatal(err)
	}
	h = Sign(raw, "x", 0, []byte("Hello, World!"))
	if got := h[HeaderXSignature]; got != "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17" {
		t.Errorf("X-Signature %q", got)
	}
}

func TestSigningKey(t *testing.T) {
	for _, tc := range []struct {
		secret string
		bytes  int
		ok     bool
	}{
		{testSecret, 34, true},
		{"  " + testSecret + "\n", 34, true},
		{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 24, true},
		{"whsec_c2VjcmV0LWtleS1vZi10aGUtdGVzdC1yZWNlaXZlci0xMg", 34, true}, // unpadded
		{"a-raw-secret-of-32-characters!!!", 32, true},
		{"whsec_not base64!!", 0, false},
		{"whsec_c2hvcnQ=", 0, false}, // 5 bytes
		{"short-raw-Secr3t", 16, true},
		{"short-Secr3t", 0, false},
		{"", 0, false},
	} {
		key, err := SigningKey(tc.secret)
		if (err == nil) != tc.ok || len(key) != tc.bytes {
			t.Errorf("SigningKey(%q) = %d bytes, %v", tc.secret, len(key), err)
		}
		if err != nil && tc.secret != "" && strings.Contains(err.Error(), strings.TrimSpace(strings.TrimPrefix(tc.secret, "whsec_"))) {
			t.Errorf("error quotes the secret: %v", err)
		}
	}
}

// receiver is a webhook receiver as a user would write it: it checks both
// signatures and the timestamp, and handles each webhook-id once.
type receiver struct {
	secret string
	key    []byte
	now    func() time.Time
	// loseFirstAnswer drops the connection after handling the first
	// request, as if the answer were lost.
	loseFirstAnswer bool

	mu        sync.Mutex
	requests  int
	handled   map[string][]byte
	ids       []string
	refusals  []error
	lastHdr   http.Header
	duplicate int
}

func newReceiver(t *testing.T, secret string) *receiver {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	return &receiver{secret: secret, key: key, now: func() time.Time { return messagetest.Now }, handled: map[string][]byte{}}
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.requests++
	rc.lastHdr = r.Header.Clone()
	refuse := func(status int, err error) {
		rc.refusals = append(rc.refusals, err)
		http.Error(w, err.Error(), status)
	}
	if r.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(r.Header.Get("User-Agent"), "cutover-webhook/") {
		refuse(http.StatusBadRequest, errors.New("wrong content type or user agent"))
		return
	}
	if err := verifyStandard(rc.secret, r.Header, body, rc.now()); err != nil {
		refuse(http.StatusUnauthorized, err)
		return
	}
	if err := verifyGitHub(rc.key, r.Header, body); err != nil {
		refuse(http.StatusUnauthorized, err)
		return
	}
	id := r.Header.Get("webhook-id")
	rc.ids = append(rc.ids, id)
	if _, seen := rc.handled[id]; seen {
		rc.duplicate++
		w.WriteHeader(http.StatusOK)
		return
	}
	rc.handled[id] = body
	if rc.loseFirstAnswer && rc.requests == 1 {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func testPoster() *chat.Poster {
	return chat.NewPoster(chat.PosterOptions{Policy: retry.Policy{Attempts: 3, Base: time.Millisecond, Max: time.Second}})
}

// newNotifier returns a notifier named ops posting to srv with secret at
// the time *at.
func newNotifier(t *testing.T, srv *httptest.Server, secret string, at *time.Time) *Notifier {
	t.Helper()
	h, err := New(Options{Name: "ops", URL: srv.URL + secretPath, SigningSecret: secret, Poster: testPoster(), Now: func() time.Time { return *at }})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestNotifySignedDelivery(t *testing.T) {
	rc := newReceiver(t, testSecret)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	at := messagetest.Now.Add(3 * time.Second)
	h := newNotifier(t, srv, testSecret, &at)
	n := messagetest.GoNotices()["traffic-switched-actions"]
	r, err := h.Notify(context.Background(), messagetest.Notification(n))
	if err != nil {
		t.Fatalf("notify: %v (refusals %v)", err, rc.refusals)
	}
	id := DeliveryID(n, "ops")
	if r != (chat.Receipt{Destination: Type, MessageID: id}) {
		t.Errorf("receipt %+v", r)
	}
	body, ok := rc.handled[id]
	if !ok || len(rc.handled) != 1 {
		t.Fatalf("receiver handled %v, want %s", rc.ids, id)
	}
	want, _ := Format(n, nil, "ops")
	if !bytes.Equal(body, want) {
		t.Errorf("posted body is not Format's:\n%s\n%s", body, want)
	}
	if got := rc.lastHdr.Get("webhook-timestamp"); got != strconv.FormatInt(at.Unix(), 10) {
		t.Errorf("webhook-timestamp %s, want the notifier's clock %d", got, at.Unix())
	}
	var doc Document
	if err := json.Unmarshal(body, &doc); err != nil || doc.Delivery.ID != id || doc.Delivery.Destination != "ops" {
		t.Errorf("document delivery %+v, %v", doc.Delivery, err)
	}
}

func TestNotifyRetryAfterLostAnswerKeepsID(t *testing.T) {
	rc := newReceiver(t, testSecret)
	rc.loseFirstAnswer = true
	srv := httptest.NewServer(rc)
	defer srv.Close()
	at := messagetest.Now
	h := newNotifier(t, srv, testSecret, &at)
	n := messagetest.GoNotices()["details-traffic-switched"]
	if _, err := h.Notify(context.Background(), messagetest.Notification(n)); err != nil {
		t.Fatalf("notify: %v", err)
	}
	if rc.requests != 2 || len(rc.handled) != 1 || rc.duplicate != 1 || rc.ids[0] != rc.ids[1] {
		t.Fatalf("requests %d, handled %d, duplicates %d, ids %v: want the retry to carry the same id", rc.requests, len(rc.handled), rc.duplicate, rc.ids)
	}
	// A redelivery later (a Lambda retry, a replay) is signed anew at its
	// own time, with the same id.
	at = messagetest.Now.Add(2 * time.Minute)
	if _, err := h.Notify(context.Background(), messagetest.Notification(n)); err != nil {
		t.Fatalf("redelivery: %v", err)
	}
	if len(rc.handled) != 1 || rc.duplicate != 2 || rc.lastHdr.Get("webhook-timestamp") != strconv.FormatInt(at.Unix(), 10) {
		t.Errorf("redelivery: handled %d, duplicates %d, timestamp %s", len(rc.handled), rc.duplicate, rc.lastHdr.Get("webhook-timestamp"))
	}
}

func TestReceiverRefuses(t *testing.T) {
	other := "whsec_" + base64.StdEncoding.EncodeToString([]byte("another-key-of-32-bytes-long!!!!"))
	for name, tc := range map[string]struct {
		secret string
		at     time.Time
		want   error
	}{
		"stale timestamp":  {testSecret, messagetest.Now.Add(-6 * time.Minute), errStale},
		"future timestamp": {testSecret, messagetest.Now.Add(6 * time.Minute), errStale},
		"bad signature":    {other, messagetest.Now, errBadSignature},
	} {
		t.Run(name, func(t *testing.T) {
			rc := newReceiver(t, testSecret)
			srv := httptest.NewServer(rc)
			defer srv.Close()
			at := tc.at
			h := newNotifier(t, srv, tc.secret, &at)
			_, err := h.Notify(context.Background(), messagetest.Notification(messagetest.GoNotices()["failure-long-error"]))
			if err == nil || !retry.IsPermanent(err) {
				t.Fatalf("want a permanent error, got %v", err)
			}
			if len(rc.refusals) != 1 || !errors.Is(rc.refusals[0], tc.want) || len(rc.handled) != 0 {
				t.Errorf("refusals %v, handled %d; want one %v", rc.refusals, len(rc.handled), tc.want)
			}
			if !strings.Contains(err.Error(), "401") {
				t.Errorf("error without the receiver's status: %v", err)
			}
			assertNoSecret(t, err.Error(), srv.URL)
		})
	}
	// The X-Signature alone is checked too: a request with a good
	// Standard Webhooks signature but a forged X-Signature is refused.
	rc := newReceiver(t, testSecret)
	key, _ := SigningKey(testSecret)
	body := []byte(`{"version":"1"}`)
	hdr := http.Header{}
	for k, v := range Sign(key, "msg_1", messagetest.Now.Unix(), body) {
		hdr.Set(k, v)
	}
	hdr.Set("X-Signature", "sha256="+strings.Repeat("0", 64))
	if verifyStandard(testSecret, hdr, body, messagetest.Now) != nil || !errors.Is(verifyGitHub(rc.key, hdr, body), errBadSignature) {
		t.Error("forged X-Signature accepted")
	}
}

func TestNotifyStatuses(t *testing.T) {
	for _, tc := range []struct {
		status    int
		attempts  int32
		ok        bool
		permanent bool
	}{
		{200, 1, true, false},
		{202, 1, true, false},
		{204, 1, true, false},
		{400, 1, false, true},
		{404, 1, false, true},
		{410, 1, false, true},
		{408, 3, false, false},
		{429, 3, false, false},
		{500, 3, false, false},
		{503, 3, false, false},
	} {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, `{"error":"receiver says no `+strings.Repeat("x", 8000)+`"}`)
			}))
			defer srv.Close()
			at := messagetest.Now
			h := newNotifier(t, srv, testSecret, &at)
			_, err := h.Notify(context.Background(), messagetest.Notification(messagetest.GoNotices()["traffic-switched-actions"]))
			if (err == nil) != tc.ok || (err != nil && retry.IsPermanent(err) != tc.permanent) || n.Load() != tc.attempts {
				t.Fatalf("err %v (permanent %v), %d attempts", err, retry.IsPermanent(err), n.Load())
			}
			if err != nil {
				msg := err.Error()
				if !strings.HasPrefix(msg, "webhook: post: "+strconv.Itoa(tc.status)) || !strings.Contains(msg, "receiver says no") || len(msg) > 600 {
					t.Errorf("error %q: want the status and a bounded snippet", msg)
				}
				assertNoSecret(t, msg, srv.URL)
			}
		})
	}
}

func TestBuild(t *testing.T) {
	spec := chat.Spec{Name: "ops", Type: Type, URL: secret.New("https://hooks.example.com" + secretPath), SigningSecret: secret.New(testSecret)}
	n, err := Build(spec, chat.Deps{Poster: testPoster()})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(n), fmt.Sprintf("%#v", n), fmt.Sprintf("%+v", n)} {
		if s != "webhook ops(hooks.example.com)" {
			t.Errorf("printed as %q", s)
		}
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("built", "destination", n)
	assertNoSecret(t, logged.String(), "https://hooks.example.com")

	for name, mutate := range map[string]func(s *chat.Spec){
		"no signing secret": func(s *chat.Spec) { s.SigningSecret = secret.Value{} },
		"short secret":      func(s *chat.Spec) { s.SigningSecret = secret.New("whsec_c2hvcnQtc2VjcmV0") },
		"bad base64":        func(s *chat.Spec) { s.SigningSecret = secret.New("whsec_t0k3n-Secret-Path!") },
		"no URL":            func(s *chat.Spec) { s.URL = secret.Value{} },
		"mentions":          func(s *chat.Spec) { s.Mentions = []string{"@here"} },
	} {
		s := spec
		mutate(&s)
		_, err := chat.Types{Type: {New: Build}}.New(s, chat.Deps{})
		if err == nil {
			t.Errorf("%s: built", name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "destination ops: ") {
			t.Errorf("%s: %v", name, err)
		}
		for _, leak := range []string{"c2hvcnQtc2VjcmV0", "t0k3n-Secret-Path", testSecret[6:20]} {
			if strings.Contains(err.Error(), leak) {
				t.Errorf("%s: error leaks %q: %v", name, leak, err)
			}
		}
	}
}

func TestNotifyNil(t *testing.T) {
	at := messagetest.Now
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	h := newNotifier(t, srv, testSecret, &at)
	for _, n := range []*chat.Notification{nil, {}} {
		if _, err := h.Notify(context.Background(), n); !retry.IsPermanent(err) {
			t.Errorf("Notify(%v): %v, want a permanent error", n, err)
		}
	}
}

// assertNoSecret fails when s holds the URL's secret path or the signing
// secret.
func assertNoSecret(t *testing.T, s, serverURL string) {
	t.Helper()
	for _, leak := range []string{secretPath, "t0k3n-Secret-Path", testSecret, testSecret[6:30], serverURL + "/hooks"} {
		if strings.Contains(s, leak) {
			t.Errorf("%q leaks %q", s, leak)
		}
	}
}
