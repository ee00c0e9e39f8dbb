package snshttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/cutover-dev/cutover/internal/retry"
)

// DefaultMaxBody is the largest POST body the Handler reads: SNS messages
// are at most 256 KiB, and the JSON envelope (escaping, signature, URLs)
// can nearly double that.
const DefaultMaxBody = 512 << 10

// DefaultBodyTimeout bounds how long the Handler waits for a request's
// body: SNS sends a few hundred KiB at once, so a client still sending after
// this is slow on purpose or broken, and its connection is closed.
const DefaultBodyTimeout = 10 * time.Second

// DefaultMaxUnverified bounds how many requests the Handler reads and
// verifies at once; more are answered 503 (SNS retries them) instead of
// holding memory for unauthenticated clients.
const DefaultMaxUnverified = 64

// HeaderMessageType is the header SNS sets to the message's Type.
const HeaderMessageType = "X-Amz-Sns-Message-Type"

// DeliverFunc receives a verified Notification: an SNS HTTP/S JSON body
// holding only the signed fields (see Handler). A nil error acknowledges
// it. An error marked permanent (retry.IsPermanent) is logged and
// acknowledged, since a redelivery cannot help; any other error makes the
// Handler answer 500 so that SNS retries under the subscription's delivery
// policy.
type DeliverFunc func(ctx context.Context, body []byte) error

// HandlerOption configures a Handler.
type HandlerOption func(*Handler) error

// WithMaxBody sets the largest body read (default DefaultMaxBody); larger
// bodies are answered 413.
func WithMaxBody(n int64) HandlerOption {
	return func(h *Handler) error {
		if n <= 0 {
			return fmt.Errorf("max body: %d is not positive", n)
		}
		h.maxBody = n
		return nil
	}
}

// WithBodyTimeout sets how long a request's body may take to arrive
// (default DefaultBodyTimeout).
func WithBodyTimeout(d time.Duration) HandlerOption {
	return func(h *Handler) error {
		if d <= 0 {
			return fmt.Errorf("body timeout: %v is not positive", d)
		}
		h.bodyTimeout = d
		return nil
	}
}

// WithMaxUnverified sets how many requests may be read and verified at once
// (default DefaultMaxUnverified).
func WithMaxUnverified(n int) HandlerOption {
	return func(h *Handler) error {
		if n <= 0 {
			return fmt.Errorf("max unverified: %d is not positive", n)
		}
		h.unverified = make(chan struct{}, n)
		return nil
	}
}

// Handler is the http.Handler for an SNS HTTP/S subscription endpoint.
//
// It accepts POST only (405 otherwise), reads at most the maximum body
// (413 beyond) within the body timeout (408 and the connection closed
// beyond), answers 503 when more requests than the bound are being read and
// verified at once, checks that an x-amz-sns-message-type header, when present,
// names the body's Type (400 otherwise), and verifies the message:
// malformed bodies get 400, messages that fail verification 403, and a
// signing certificate that cannot be fetched right now 503. Then:
//   - SubscriptionConfirmation: confirmed by one GET on SubscribeURL; 200,
//     or 500 when the confirmation failed in a way a retry may fix.
//   - UnsubscribeConfirmation: logged; 200.
//   - Notification: passed to the DeliverFunc; 200, or 500 for a
//     retryable error.
//
// The body passed to the DeliverFunc is the verified message re-encoded
// with only its signed fields (Type, MessageId, TopicArn, Subject, Message,
// Timestamp, SignatureVersion, Signature, SigningCertURL): unsigned content
// of the received body, which anyone could have added, never reaches it.
// codedeploy.Decode reads it as an SNS HTTP/S body.
type Handler struct {
	verifier *Verifier
	deliver  DeliverFunc
	log      *slog.Logger
	maxBody  int64

	bodyTimeout time.Duration
	// unverified holds one token per request being read or verified.
	unverified chan struct{}
}

// NewHandler returns a Handler verifying with v and delivering to deliver.
// A nil logger discards log records.
func NewHandler(v *Verifier, deliver DeliverFunc, logger *slog.Logger, opts ...HandlerOption) (*Handler, error) {
	if v == nil {
		return nil, errors.New("snshttp: nil verifier")
	}
	if deliver == nil {
		return nil, errors.New("snshttp: nil deliver func")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{verifier: v, deliver: deliver, log: logger, maxBody: DefaultMaxBody,
		bodyTimeout: DefaultBodyTimeout, unverified: make(chan struct{}, DefaultMaxUnverified)}
	for _, o := range opts {
		if err := o(h); err != nil {
			return nil, fmt.Errorf("snshttp: %w", err)
		}
	}
	return h, nil
}

// ServeHTTP handles one SNS delivery.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		reply(w, http.StatusMethodNotAllowed)
		return
	}
	if r.ContentLength > h.maxBody {
		h.reject(ctx, w, http.StatusRequestEntityTooLarge, nil, fmt.Errorf("body of %d bytes exceeds %d", r.ContentLength, h.maxBody))
		return
	}
	select {
	case h.unverified <- struct{}{}:
	default:
		// Close rather than read the rest of a body nobody verified: the
		// server would otherwise wait for it after the answer.
		w.Header().Set("Connection", "close")
		_ = http.NewResponseController(w).SetReadDeadline(time.Now())
		w.Header().Set("Retry-After", "1")
		h.reject(ctx, w, http.StatusServiceUnavailable, nil, fmt.Errorf("more than %d requests being verified at once", cap(h.unverified)))
		return
	}
	m, ok := h.readVerified(ctx, w, r)
	<-h.unverified
	if !ok {
		return
	}
	switch m.Type {
	case TypeSubscriptionConfirmation:
		h.confirm(ctx, w, m)
	case TypeUnsubscribeConfirmation:
		h.log.LogAttrs(ctx, slog.LevelInfo, "sns unsubscribe confirmation",
			slog.String("topic_arn", m.TopicARN), slog.String("message_id", m.MessageID))
		reply(w, http.StatusOK)
	default:
		h.notify(ctx, w, m)
	}
}

// readVerified reads the body within the body timeout and verifies the
// message; on failure it has answered the request and returns false.
func (h *Handler) readVerified(ctx context.Context, w http.ResponseWriter, r *http.Request) (*Message, bool) {
	rc := http.NewResponseController(w)
	// Servers that cannot set deadlines (httptest recorders) still bound the
	// body by size.
	_ = rc.SetReadDeadline(time.Now().Add(h.bodyTimeout))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		// Keep the deadline: the server must not wait for the rest of a
		// body after answering.
		w.Header().Set("Connection", "close")
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			h.reject(ctx, w, http.StatusRequestEntityTooLarge, nil, fmt.Errorf("body exceeds %d bytes", h.maxBody))
		case errors.Is(err, os.ErrDeadlineExceeded):
			h.reject(ctx, w, http.StatusRequestTimeout, nil, fmt.Errorf("body not received within %v", h.bodyTimeout))
		default:
			h.reject(ctx, w, http.StatusBadRequest, nil, fmt.Errorf("read body: %w", err))
		}
		return nil, false
	}
	_ = rc.SetReadDeadline(time.Time{})
	m, err := ParseMessage(body)
	if err != nil {
		h.reject(ctx, w, http.StatusBadRequest, nil, err)
		return nil, false
	}
	if ht := r.Header.Get(HeaderMessageType); ht != "" && ht != m.Type {
		h.reject(ctx, w, http.StatusBadRequest, m, fmt.Errorf("header %s is %q but the body's Type is %q", HeaderMessageType, ht, m.Type))
		return nil, false
	}
	if err := h.verifier.VerifyMessage(ctx, m); err != nil {
		code := http.StatusForbidden
		switch {
		case errors.Is(err, ErrMalformed):
			code = http.StatusBadRequest
		case errors.Is(err, ErrCertUnavailable):
			code = http.StatusServiceUnavailable
		}
		h.reject(ctx, w, code, m, err)
		return nil, false
	}
	return m, true
}

func (h *Handler) confirm(ctx context.Context, w http.ResponseWriter, m *Message) {
	arn, err := h.verifier.Confirm(ctx, m)
	switch {
	case err == nil:
		h.log.LogAttrs(ctx, slog.LevelInfo, "sns subscription confirmed",
			slog.String("topic_arn", m.TopicARN), slog.String("subscription_arn", arn))
		reply(w, http.StatusOK)
	case retry.IsPermanent(err):
		h.log.LogAttrs(ctx, slog.LevelError, "sns subscription not confirmed",
			slog.String("topic_arn", m.TopicARN), slog.Any("err", err))
		reply(w, http.StatusOK)
	default:
		h.log.LogAttrs(ctx, slog.LevelWarn, "sns subscription confirmation failed, asking SNS to retry",
			slog.String("topic_arn", m.TopicARN), slog.Any("err", err))
		reply(w, http.StatusInternalServerError)
	}
}

func (h *Handler) notify(ctx context.Context, w http.ResponseWriter, m *Message) {
	body, err := m.signedJSON()
	if err != nil {
		h.reject(ctx, w, http.StatusBadRequest, m, err)
		return
	}
	err = h.deliver(ctx, body)
	switch {
	case err == nil:
		reply(w, http.StatusOK)
	case retry.IsPermanent(err):
		h.log.LogAttrs(ctx, slog.LevelError, "sns notification dropped: delivery failed permanently",
			slog.String("message_id", m.MessageID), slog.String("topic_arn", m.TopicARN), slog.Any("err", err))
		reply(w, http.StatusOK)
	default:
		h.log.LogAttrs(ctx, slog.LevelWarn, "sns notification delivery failed, asking SNS to retry",
			slog.String("message_id", m.MessageID), slog.String("topic_arn", m.TopicARN), slog.Any("err", err))
		reply(w, http.StatusInternalServerError)
	}
}

// reject logs why a request is refused and answers code.
func (h *Handler) reject(ctx context.Context, w http.ResponseWriter, code int, m *Message, err error) {
	attrs := []slog.Attr{slog.Int("status", code), slog.Any("err", err)}
	if m != nil {
		attrs = append(attrs, slog.String("type", m.Type), slog.String("message_id", m.MessageID), slog.String("topic_arn", m.TopicARN))
	}
	level := slog.LevelWarn
	if code >= 500 {
		level = slog.LevelError
	}
	h.log.LogAttrs(ctx, level, "sns request rejected", attrs...)
	reply(w, code)
}

func reply(w http.ResponseWriter, code int) {
	http.Error(w, http.StatusText(code), code)
}
