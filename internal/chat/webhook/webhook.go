// Package webhook is the signed JSON webhook destination, for people's own
// systems: every request carries a versioned JSON document (the deployment
// event, the neutral message as plain text, the action outcomes and the
// delivery's identity; schema in docs/webhook.schema.json) signed two
// ways with one secret: the Standard Webhooks headers (webhook-id,
// webhook-timestamp, webhook-signature) and a GitHub/Flux-style
// X-Signature. docs/webhook.md is the contract.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/retry"
)

// Type names this destination in receipts and configuration.
const Type = "webhook"

// UserAgent is the User-Agent of every request: the document version
// follows the slash.
const UserAgent = "cutover-webhook/" + Version

// The request headers.
const (
	HeaderID         = "webhook-id"
	HeaderTimestamp  = "webhook-timestamp"
	HeaderSignature  = "webhook-signature"
	HeaderXSignature = "X-Signature"
)

// secretPrefix marks a Standard Webhooks secret: base64 of the key bytes.
const secretPrefix = "whsec_"

// MinKeyBytes is the shortest signing key accepted, in bytes (Standard
// Webhooks generates 24 to 64).
const MinKeyBytes = 16

// Notifier posts signed JSON documents to one webhook.
type Notifier struct {
	name   string
	url    string
	key    []byte
	poster *chat.Poster
	now    func() time.Time
}

var _ chat.Notifier = (*Notifier)(nil)

// Options configure a Notifier.
type Options struct {
	// Name is the destination name, part of the delivery identity.
	Name string
	// URL is the receiver's URL: a secret, never printed.
	URL string
	// SigningSecret is "whsec_" and the base64 of the key (Standard
	// Webhooks), or any other string whose bytes are the key.
	SigningSecret string
	// Poster posts the requests; nil builds one with default options.
	Poster *chat.Poster
	// Now is the clock of webhook-timestamp; nil is time.Now.
	Now func() time.Time
}

// New returns a Notifier. Its errors never quote the URL or the secret.
func New(opts Options) (*Notifier, error) {
	if opts.Name == "" {
		return nil, errors.New("webhook: empty destination name")
	}
	if opts.URL == "" {
		return nil, errors.New("a webhook destination needs a URL")
	}
	key, err := SigningKey(opts.SigningSecret)
	if err != nil {
		return nil, err
	}
	if opts.Poster == nil {
		opts.Poster = chat.NewPoster(chat.PosterOptions{})
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Notifier{name: opts.Name, url: opts.URL, key: key, poster: opts.Poster, now: opts.Now}, nil
}

// Build is the chat.Factory of the "webhook" destination type: signed
// requests to spec.URL with spec.SigningSecret. A webhook has no
// mentions: a spec with some is refused.
func Build(spec chat.Spec, deps chat.Deps) (chat.Notifier, error) {
	if len(spec.Mentions) > 0 {
		return nil, errors.New("a webhook destination takes no mentions (its receiver decides who to alert)")
	}
	if spec.SigningSecret.IsZero() {
		return nil, errors.New("a webhook destination needs a signing secret (whsec_ and base64 of 24 to 64 random bytes)")
	}
	return New(Options{Name: spec.Name, URL: spec.URL.Reveal(), SigningSecret: spec.SigningSecret.Reveal(), Poster: deps.Poster})
}

// SigningKey is the HMAC key of a signing secret (surrounding spaces
// ignored): for "whsec_<base64>" the decoded bytes, as Standard Webhooks
// libraries read it; for any other string its bytes, as GitHub-style
// receivers use it. It must be at least MinKeyBytes long. Errors never
// quote the secret.
func SigningKey(secret string) ([]byte, error) {
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return nil, errors.New("a webhook destination needs a signing secret (whsec_ and base64 of 24 to 64 random bytes)")
	}
	key := []byte(secret)
	if rest, ok := strings.CutPrefix(secret, secretPrefix); ok {
		var err error
		if key, err = base64.StdEncoding.DecodeString(rest); err != nil {
			if key, err = base64.RawStdEncoding.DecodeString(rest); err != nil {
				return nil, errors.New("webhook signing secret: the part after whsec_ is not valid base64")
			}
		}
	}
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("webhook signing secret: key of %d bytes is too short (want at least %d; generate whsec_ and base64 of 32 random bytes)", len(key), MinKeyBytes)
	}
	return key, nil
}

// Sign returns the signature headers of body sent as delivery id at unix
// time ts with key: webhook-id, webhook-timestamp, webhook-signature
// ("v1," and the base64 HMAC-SHA256 of "id.ts.body") and X-Signature
// ("sha256=" and the hex HMAC-SHA256 of body).
func Sign(key []byte, id string, ts int64, body []byte) map[string]string {
	t := strconv.FormatInt(ts, 10)
	std := hmac.New(sha256.New, key)
	std.Write([]byte(id + "." + t + "."))
	std.Write(body)
	gh := hmac.New(sha256.New, key)
	gh.Write(body)
	return map[string]string{
		HeaderID:         id,
		HeaderTimestamp:  t,
		HeaderSignature:  "v1," + base64.StdEncoding.EncodeToString(std.Sum(nil)),
		HeaderXSignature: "sha256=" + hex.EncodeToString(gh.Sum(nil)),
	}
}

// Notify formats n as a Document, signs it at the current time and posts
// it. Any 2xx answer means the receiver took it; 408, 429 and 5xx are
// retried; other statuses are permanent errors holding the status and the
// start of the receiver's answer. The receipt's MessageID is the
// webhook-id. Errors read e.g. "webhook: post: 400 Bad Request: …".
func (h *Notifier) Notify(ctx context.Context, n *chat.Notification) (chat.Receipt, error) {
	if n == nil || n.Notice == nil {
		return chat.Receipt{}, retry.Permanent(errors.New("webhook: nil notification"))
	}
	body, err := Format(n.Notice, n.Message, h.name)
	if err != nil {
		return chat.Receipt{}, retry.Permanent(fmt.Errorf("webhook: %w", err))
	}
	id := DeliveryID(n.Notice, h.name)
	headers := Sign(h.key, id, h.now().Unix(), body)
	headers["Content-Type"] = "application/json"
	headers["User-Agent"] = UserAgent
	if _, err := h.poster.Post(ctx, h.url, body, headers, chat.AcceptAny); err != nil {
		return chat.Receipt{}, fmt.Errorf("webhook: %w", err)
	}
	return chat.Receipt{Destination: Type, MessageID: id}, nil
}

// String names the destination and its host only, e.g.
// "webhook ops(hooks.example.com)".
func (h *Notifier) String() string {
	return "webhook " + h.name + "(" + chat.Host(h.url) + ")"
}

// GoString keeps %#v from printing the URL or the key.
func (h *Notifier) GoString() string { return h.String() }

// LogValue keeps slog from printing the URL or the key.
func (h *Notifier) LogValue() slog.Value { return slog.StringValue(h.String()) }
