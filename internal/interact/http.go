package interact

import (
	"errors"
	"io"
	"net/http"
	"os"
	"sync"
	"time"
)

// Path is where Slack posts clicks (the app's interactivity request URL
// ends with it).
const Path = "/slack/actions"

// HTTPHandler serves POST /slack/actions for `cutover serve`, with the
// same bounds as the SNS endpoint: the body within BodyTimeout and
// MaxBody, at most MaxUnverified requests read and verified at once.
// It answers first and then defers the work. With no Handler (no
// slack-app destination) it answers 404.
type HTTPHandler struct {
	// Handler verifies and runs clicks.
	Handler *Handler
	// BodyTimeout bounds reading the body (default 10 s).
	BodyTimeout time.Duration
	// MaxUnverified bounds the requests read and verified at once
	// (default 64); more are answered 503.
	MaxUnverified int

	once       sync.Once
	unverified chan struct{}
}

// ServeHTTP handles one click.
func (s *HTTPHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != Path || s.Handler == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.ContentLength > MaxBody {
		w.Header().Set("Connection", "close")
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	s.once.Do(func() {
		n := s.MaxUnverified
		if n <= 0 {
			n = 64
		}
		s.unverified = make(chan struct{}, n)
	})
	select {
	case s.unverified <- struct{}{}:
	default:
		w.Header().Set("Connection", "close")
		_ = http.NewResponseController(w).SetReadDeadline(time.Now())
		w.Header().Set("Retry-After", "1")
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	req, ans, ok := s.read(w, r)
	<-s.unverified
	if ok {
		ans, ok = s.Handler.Accept(r.Context(), req)
	}
	if ans.Status == 0 {
		ans.Status = http.StatusOK
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(ans.Status)
	_, _ = io.WriteString(w, ans.Body)
	if !ok {
		return
	}
	_ = http.NewResponseController(w).Flush()
	if err := s.Handler.Defer(r.Context(), req); err != nil {
		s.Handler.log().Error("slack action not started", "error", err)
	}
}

func (s *HTTPHandler) read(w http.ResponseWriter, r *http.Request) (Request, Answer, bool) {
	rc := http.NewResponseController(w)
	timeout := s.BodyTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	_ = rc.SetReadDeadline(time.Now().Add(timeout))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		w.Header().Set("Connection", "close")
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return Request{}, Answer{Status: http.StatusRequestEntityTooLarge, Body: "body too large"}, false
		case errors.Is(err, os.ErrDeadlineExceeded):
			return Request{}, Answer{Status: http.StatusRequestTimeout, Body: "body too slow"}, false
		}
		return Request{}, Answer{Status: http.StatusBadRequest, Body: "bad body"}, false
	}
	_ = rc.SetReadDeadline(time.Time{})
	return Request{Timestamp: r.Header.Get(HeaderTimestamp), Signature: r.Header.Get(HeaderSignature), Body: body}, Answer{}, true
}
