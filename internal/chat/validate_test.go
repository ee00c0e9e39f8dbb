package chat

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/chat/chattest"
	"github.com/cutover-dev/cutover/internal/retry"
)

func TestSlackAPIValidator(t *testing.T) {
	for _, tc := range []struct {
		body      string
		ok, retry bool
		msg       string
	}{
		{`{"ok":true,"ts":"1700000000.000100"}`, true, false, ""},
		{`{"ok":false,"error":"channel_not_found"}`, false, false, "slack api: channel_not_found"},
		{`{"ok":false,"error":"ratelimited"}`, false, true, "slack api: ratelimited"},
		{`{"ok":false}`, false, false, "slack api: ok is false"},
		{`ok`, false, false, "slack api: answer is not JSON"},
	} {
		err := SlackAPI(200, []byte(tc.body))
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s: %v", tc.body, err)
		case !tc.ok && (err == nil || err.Error() != tc.msg || retry.IsPermanent(err) == tc.retry):
			t.Errorf("%s: err = %v (permanent %v), want %q, retryable %v", tc.body, err, retry.IsPermanent(err), tc.msg, tc.retry)
		}
	}
}

// TestPostValidates: a 200 the destination's validator refuses is an
// error without the URL, retried or not as the validator says; the
// accepted answer comes back for the receipt; AcceptAny (the incoming
// webhook's) takes any 2xx.
func TestPostValidates(t *testing.T) {
	srv, reqs := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, nth int32) {
		if nth == 1 {
			io.WriteString(w, `{"ok":false,"error":"internal_error"}`)
			return
		}
		io.WriteString(w, `{"ok":true,"ts":"1.2"}`)
	})
	p, _, _ := testPoster(t, 3, time.Second)
	answer, err := p.Post(context.Background(), srv.URL+secretPath, []byte(`{}`), nil, SlackAPI)
	if err != nil || string(answer) != `{"ok":true,"ts":"1.2"}` || reqs.Load() != 2 {
		t.Errorf("answer %q, err %v after %d requests; want the second answer", answer, err, reqs.Load())
	}
	refuse := func(int, []byte) error { return retry.Permanent(errors.New("refused")) }
	_, err = p.Post(context.Background(), srv.URL+secretPath, []byte(`{}`), nil, refuse)
	if !retry.IsPermanent(err) || reqs.Load() != 3 {
		t.Errorf("refused: err = %v after %d requests", err, reqs.Load())
	}
	assertNoSecret(t, "error", err.Error(), srv.URL)
	if _, err := p.Post(context.Background(), srv.URL+secretPath, []byte(`{}`), nil, AcceptAny); err != nil {
		t.Errorf("AcceptAny: %v", err)
	}
}
