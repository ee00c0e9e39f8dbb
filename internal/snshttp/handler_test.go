package snshttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/snshttp/snshttptest"
	"github.com/cutover-dev/cutover/internal/source"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// deliveries records the bodies a Handler delivered and answers with err.
type deliveries struct {
	mu     sync.Mutex
	bodies [][]byte
	err    error
}

func (d *deliveries) deliver(_ context.Context, body []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.bodies = append(d.bodies, bytes.Clone(body))
	return d.err
}

func (d *deliveries) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.bodies)
}

type handlerRig struct {
	*rig
	h    *Handler
	d    *deliveries
	logs *bytes.Buffer
}

func newHandlerRig(t testing.TB, opts ...HandlerOption) *handlerRig {
	t.Helper()
	r := newRig(t)
	d := &deliveries{}
	logs := &bytes.Buffer{}
	h, err := NewHandler(r.v, d.deliver, slog.New(slog.NewTextHandler(logs, nil)), opts...)
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	return &handlerRig{rig: r, h: h, d: d, logs: logs}
}

// post sends body to the handler with the message-type header typ (none
// when empty) and returns the status code.
func (hr *handlerRig) post(body []byte, typ string) int {
	req := httptest.NewRequest(http.MethodPost, "/sns", bytes.NewReader(body))
	if typ != "" {
		req.Header.Set(HeaderMessageType, typ)
	}
	rec := httptest.NewRecorder()
	hr.h.ServeHTTP(rec, req)
	return rec.Code
}

func TestHandlerNotification(t *testing.T) {
	t.Parallel()
	hr := newHandlerRig(t)
	for _, version := range []string{"1", "2"} {
		for _, header := range []string{"", TypeNotification} {
			m := hr.notification(snshttptest.Ptr("SUCCEEDED"))
			if code := hr.post(hr.sns.Sign(m, version), header); code != http.StatusOK {
				t.Fatalf("v%s header %q: status %d, want 200", version, header, code)
			}
		}
	}
	if n := hr.d.count(); n != 4 {
		t.Fatalf("delivered %d, want 4", n)
	}
	for _, body := range hr.d.bodies {
		if _, err := hr.sns.Check(body); err != nil {
			t.Errorf("delivered body does not verify: %v\n%s", err, body)
		}
	}
}

func TestHandlerDeliversToDecode(t *testing.T) {
	t.Parallel()
	hr := newHandlerRig(t)
	raw, err := os.ReadFile("../source/codedeploy/testdata/sns-http/instance-success.json")
	if err != nil {
		t.Fatal(err)
	}
	var sample struct{ Subject, Message string }
	if err := json.Unmarshal(raw, &sample); err != nil {
		t.Fatal(err)
	}
	m := hr.sns.Notification(testTopic, &sample.Subject, sample.Message, hr.now)
	body := hr.sns.Sign(m, "2")
	// Unsigned additions a forger could make to a genuine body: none may
	// reach the decoder.
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	doc["Records"] = []any{map[string]any{"EventSource": "aws:sns", "Sns": map[string]any{"Message": `{"deploymentId":"d-FORGED","status":"FAILED"}`}}}
	doc["MessageAttributes"] = map[string]any{"x": map[string]any{"Type": "String", "Value": "y"}}
	forged, _ := json.Marshal(doc)

	var events []deploy.Event
	h, err := NewHandler(hr.v, func(_ context.Context, body []byte) error {
		evs, err := codedeploy.Decode(body)
		events = append(events, evs...)
		return err
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(forged)))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, want 200", rec.Code)
	}
	if len(events) != 1 {
		t.Fatalf("decoded %d events, want 1: %+v", len(events), events)
	}
	ev := events[0]
	if ev.DeploymentID != "d-7XQ2K9ABC" || ev.MessageID != m.MessageID || ev.Subject != sample.Subject || ev.TopicARN != testTopic {
		t.Errorf("decoded %+v", ev)
	}
}

func TestHandlerRejects(t *testing.T) {
	t.Parallel()
	hr := newHandlerRig(t)
	signed := func(f func(m *snshttptest.Message)) []byte {
		m := hr.notification(snshttptest.Ptr("SUCCEEDED"))
		hr.sns.Sign(m, "2")
		f(m)
		return m.JSON()
	}
	resign := func(f func(m *snshttptest.Message)) []byte {
		m := hr.notification(nil)
		f(m)
		return hr.sns.Sign(m, "2")
	}
	cases := []struct {
		name   string
		body   []byte
		header string
		want   int
	}{
		{"not json", []byte("not json"), "", http.StatusBadRequest},
		{"empty", nil, "", http.StatusBadRequest},
		{"header mismatch", signed(func(*snshttptest.Message) {}), TypeSubscriptionConfirmation, http.StatusBadRequest},
		{"bad version", signed(func(m *snshttptest.Message) { m.SignatureVersion = "9" }), "", http.StatusBadRequest},
		{"tampered message", signed(func(m *snshttptest.Message) { m.Message = `{"deploymentId":"d-X"}` }), "", http.StatusForbidden},
		{"tampered subject", signed(func(m *snshttptest.Message) { m.Subject = snshttptest.Ptr("FAILED") }), "", http.StatusForbidden},
		{"wrong topic", resign(func(m *snshttptest.Message) { m.TopicARN = otherTopic }), "", http.StatusForbidden},
		{"stale", resign(func(m *snshttptest.Message) { m.Timestamp = hr.now.Add(-2 * time.Hour).Format(time.RFC3339) }), "", http.StatusForbidden},
		{"foreign cert", resign(func(m *snshttptest.Message) { m.SigningCertURL = "https://evil.example.com/x.pem" }), "", http.StatusForbidden},
		{"http cert", resign(func(m *snshttptest.Message) { m.SigningCertURL = "http://" + hr.sns.Host() + snshttptest.CertPath }), "", http.StatusForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if code := hr.post(c.body, c.header); code != c.want {
				t.Fatalf("status %d, want %d", code, c.want)
			}
		})
	}
	if n := hr.d.count(); n != 0 {
		t.Fatalf("delivered %d, want 0", n)
	}
	if ref := hr.sns.Refused(); len(ref) != 0 {
		t.Fatalf("requests attempted to other hosts: %v", ref)
	}
}

func TestHandlerMethod(t *testing.T) {
	t.Parallel()
	hr := newHandlerRig(t)
	rec := httptest.NewRecorder()
	hr.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != http.MethodPost {
		t.Fatalf("GET: status %d Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

func TestHandlerOversize(t *testing.T) {
	t.Parallel()
	hr := newHandlerRig(t)
	big := hr.notification(nil)
	big.Message = strings.Repeat("x", DefaultMaxBody)
	body := hr.sns.Sign(big, "2")
	if code := hr.post(body, ""); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("with Content-Length: status %d, want 413", code)
	}
	// Without a Content-Length the limit applies while reading.
	req := httptest.NewRequest(http.MethodPost, "/", io.MultiReader(bytes.NewReader(body)))
	req.ContentLength = -1
	rec := httptest.NewRecorder()
	hr.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked: status %d, want 413", rec.Code)
	}
	// A 256 KiB JSON message, the SNS maximum, fits with its escaping.
	m := hr.notification(snshttptest.Ptr("s"))
	m.Message = strings.Repeat(`{"k":"v"}`, 256<<10/9)
	if code := hr.post(hr.sns.Sign(m, "2"), ""); code != http.StatusOK {
		t.Fatalf("256 KiB message: status %d, want 200", code)
	}
	if hr.d.count() != 1 {
		t.Fatalf("delivered %d, want 1", hr.d.count())
	}
	small := newHandlerRig(t, WithMaxBody(100))
	if code := small.post(small.sns.Sign(small.notification(nil), "2"), ""); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("WithMaxBody(100): status %d, want 413", code)
	}
}

func TestHandlerDeliverErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		want int
		log  string
	}{
		{"retryable", errors.New("slack: 503"), http.StatusInternalServerError, "level=WARN"},
		{"permanent", retry.Permanent(errors.New("slack: channel_not_found")), http.StatusOK, "level=ERROR"},
		{"decode error", &source.DecodeError{Reason: "not a deployment notification"}, http.StatusOK, "level=ERROR"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hr := newHandlerRig(t)
			hr.d.err = c.err
			if code := hr.post(hr.sns.Sign(hr.notification(nil), "2"), TypeNotification); code != c.want {
				t.Fatalf("status %d, want %d", code, c.want)
			}
			if !strings.Contains(hr.logs.String(), c.log) || !strings.Contains(hr.logs.String(), c.err.Error()) {
				t.Errorf("log does not record the error at %s:\n%s", c.log, hr.logs)
			}
		})
	}
}

func TestHandlerSubscriptionConfirmation(t *testing.T) {
	t.Parallel()
	hr := newHandlerRig(t)
	for i, version := range []string{"1", "2"} {
		m := hr.sns.Confirmation(TypeSubscriptionConfirmation, testTopic, hr.now)
		if code := hr.post(hr.sns.Sign(m, version), TypeSubscriptionConfirmation); code != http.StatusOK {
			t.Fatalf("v%s: status %d, want 200", version, code)
		}
		if n := hr.sns.Hits(snshttptest.ConfirmPath); n != i+1 {
			t.Fatalf("SubscribeURL fetched %d times, want %d", n, i+1)
		}
	}
	if !strings.Contains(hr.logs.String(), testTopic+":test-subscription") {
		t.Errorf("log lacks the subscription ARN:\n%s", hr.logs)
	}
	if hr.d.count() != 0 {
		t.Fatal("a confirmation was delivered")
	}
}

func TestHandlerSubscriptionConfirmationRejected(t *testing.T) {
	t.Parallel()
	hr := newHandlerRig(t)
	cases := map[string]func(m *snshttptest.Message){
		"wrong topic": func(m *snshttptest.Message) { m.TopicARN = otherTopic },
		"foreign url": func(m *snshttptest.Message) { m.SubscribeURL = "https://evil.example.com/confirm" },
		"http url":    func(m *snshttptest.Message) { m.SubscribeURL = strings.Replace(m.SubscribeURL, "https:", "http:", 1) },
		"sns lookalike": func(m *snshttptest.Message) {
			m.SubscribeURL = "https://sns.us-east-1.amazonaws.com.evil.com/?Action=ConfirmSubscription"
		},
		"tampered url":     func(m *snshttptest.Message) {},
		"unsigned confirm": func(m *snshttptest.Message) { m.Signature = "" },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			m := hr.sns.Confirmation(TypeSubscriptionConfirmation, testTopic, hr.now)
			f(m)
			body := hr.sns.Sign(m, "2")
			switch name {
			case "tampered url":
				m.SubscribeURL += "&extra=1"
				body = m.JSON()
			case "unsigned confirm":
				m.Signature = ""
				body = m.JSON()
			}
			if code := hr.post(body, ""); code != http.StatusForbidden && code != http.StatusBadRequest {
				t.Fatalf("status %d, want 403 or 400", code)
			}
		})
	}
	if n := hr.sns.Hits(snshttptest.ConfirmPath); n != 0 {
		t.Fatalf("SubscribeURL fetched %d times, want 0", n)
	}
	if ref := hr.sns.Refused(); len(ref) != 0 {
		t.Fatalf("requests attempted to other hosts: %v", ref)
	}
}

func TestHandlerSubscriptionConfirmationFails(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]int{
		http.StatusForbidden:          http.StatusOK, // permanent: logged
		http.StatusServiceUnavailable: http.StatusInternalServerError,
		http.StatusTooManyRequests:    http.StatusInternalServerError,
	} {
		hr := newHandlerRig(t)
		hr.sns.ConfirmStatus = status
		m := hr.sns.Confirmation(TypeSubscriptionConfirmation, testTopic, hr.now)
		if code := hr.post(hr.sns.Sign(m, "2"), ""); code != want {
			t.Errorf("SNS answers %d: status %d, want %d", status, code, want)
		}
		if n := hr.sns.Hits(snshttptest.ConfirmPath); n != 1 {
			t.Errorf("SubscribeURL fetched %d times, want 1", n)
		}
	}
}

func TestHandlerUnsubscribeConfirmation(t *testing.T) {
	t.Parallel()
	hr := newHandlerRig(t)
	m := hr.sns.Confirmation(TypeUnsubscribeConfirmation, testTopic, hr.now)
	if code := hr.post(hr.sns.Sign(m, "2"), TypeUnsubscribeConfirmation); code != http.StatusOK {
		t.Fatalf("status %d, want 200", code)
	}
	if hr.sns.Hits(snshttptest.ConfirmPath) != 0 || hr.d.count() != 0 {
		t.Fatal("an unsubscribe confirmation resubscribed or was delivered")
	}
	if !strings.Contains(hr.logs.String(), "unsubscribe") {
		t.Errorf("not logged:\n%s", hr.logs)
	}
}

func TestHandlerCertUnavailable(t *testing.T) {
	t.Parallel()
	down := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer down.Close()
	s := snshttptest.New(t)
	v, err := NewVerifier([]string{testTopic}, WithTestTrust(down.Listener.Addr().String(), nil), WithHTTPClient(down.Client()))
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(v, func(context.Context, []byte) error { t.Error("delivered"); return nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := s.Notification(testTopic, nil, "{}", time.Now())
	m.SigningCertURL = down.URL + "/cert.pem"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(s.Sign(m, "2"))))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", rec.Code)
	}
}

func TestNewHandlerErrors(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	deliver := func(context.Context, []byte) error { return nil }
	if _, err := NewHandler(nil, deliver, nil); err == nil {
		t.Error("nil verifier accepted")
	}
	if _, err := NewHandler(r.v, nil, nil); err == nil {
		t.Error("nil deliver accepted")
	}
	if _, err := NewHandler(r.v, deliver, nil, WithMaxBody(0)); err == nil {
		t.Error("WithMaxBody(0) accepted")
	}
}

// FuzzHandler posts arbitrary bodies. The handler must not panic, must
// answer with a known status, and must deliver only bodies that an
// independent check proves were signed by the fake SNS for an allowed
// topic.
func FuzzHandler(f *testing.F) {
	hr := newHandlerRig(f)
	hr.logs = nil
	h, err := NewHandler(hr.v, func(_ context.Context, body []byte) error {
		m, err := hr.sns.Check(body)
		if err != nil {
			panic("delivered an unverified body: " + err.Error() + "\n" + string(body))
		}
		if m.TopicARN != testTopic || m.Type != TypeNotification {
			panic("delivered a message for another topic or type: " + string(body))
		}
		return nil
	}, nil)
	if err != nil {
		f.Fatal(err)
	}
	for _, v := range []string{"1", "2"} {
		f.Add(hr.sns.Sign(hr.notification(nil), v))
		f.Add(hr.sns.Sign(hr.notification(snshttptest.Ptr("SUCCEEDED: d-TEST")), v))
		f.Add(hr.sns.Sign(hr.sns.Confirmation(TypeUnsubscribeConfirmation, testTopic, hr.now), v))
	}
	f.Add([]byte(`{"Type":"Notification"}`))
	f.Add([]byte(`{"Type":"Notification","type":"SubscriptionConfirmation","Subject":null}`))
	f.Add([]byte("\xff{}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)))
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusForbidden, http.StatusRequestEntityTooLarge, http.StatusServiceUnavailable:
		default:
			t.Fatalf("status %d", rec.Code)
		}
		if ref := hr.sns.Refused(); len(ref) != 0 {
			t.Fatalf("requests attempted to other hosts: %v", ref)
		}
	})
}

func BenchmarkHandler(b *testing.B) {
	hr := newHandlerRig(b)
	hr.h.log = slog.New(slog.DiscardHandler)
	body := hr.sns.Sign(hr.notification(snshttptest.Ptr("SUCCEEDED")), "2")
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		hr.h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
