package inbound

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cutover-dev/cutover/internal/interact"
)

// Interactions handles Slack button clicks; *interact.Handler implements
// it.
type Interactions interface {
	// Accept verifies a click and answers it at once; true: defer it.
	Accept(ctx context.Context, req interact.Request) (interact.Answer, bool)
	// Defer arranges for the click to run after the answer.
	Defer(ctx context.Context, req interact.Request) error
	// Run verifies the click again and acts on it.
	Run(ctx context.Context, req interact.Request) error
}

// functionURLResponse is a plain-text function URL answer.
func functionURLResponse(status int, body string, hdr map[string]string) events.LambdaFunctionURLResponse {
	h := map[string]string{"Content-Type": "text/plain; charset=utf-8"}
	for k, v := range hdr {
		h[k] = v
	}
	return events.LambdaFunctionURLResponse{StatusCode: status, Headers: h, Body: body}
}

// header returns a request header by name, whatever its case (function
// URLs give them in lower case).
func header(h map[string]string, name string) string {
	if v, ok := h[strings.ToLower(name)]; ok {
		return v
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// serveHTTP answers a function URL request: POST /slack/actions goes to
// the click handler, which answers at once and defers the work (the
// self-invocation); anything else is 404 or 405. It never fails the
// invocation: a bad request is an HTTP answer, not a retry.
func (r *Router) serveHTTP(ctx context.Context, log *slog.Logger, req *events.LambdaFunctionURLRequest) events.LambdaFunctionURLResponse {
	if req.RawPath != interact.Path {
		return functionURLResponse(http.StatusNotFound, "not found", nil)
	}
	if req.RequestContext.HTTP.Method != http.MethodPost {
		return functionURLResponse(http.StatusMethodNotAllowed, "method not allowed", map[string]string{"Allow": http.MethodPost})
	}
	if r.Interact == nil {
		log.Warn("slack action received, but no slack-app destination with a signing secret is configured")
		return functionURLResponse(http.StatusNotFound, "no Slack app is configured", nil)
	}
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		if base64.StdEncoding.DecodedLen(len(req.Body)) > 2*interact.MaxBody {
			return functionURLResponse(http.StatusRequestEntityTooLarge, "body too large", nil)
		}
		b, err := base64.StdEncoding.DecodeString(req.Body)
		if err != nil {
			return functionURLResponse(http.StatusBadRequest, "bad body", nil)
		}
		body = b
	}
	if len(body) > interact.MaxBody {
		log.Warn("slack action rejected: body too large", "bytes", len(body))
		return functionURLResponse(http.StatusRequestEntityTooLarge, "body too large", nil)
	}
	ireq := interact.Request{Timestamp: header(req.Headers, interact.HeaderTimestamp),
		Signature: header(req.Headers, interact.HeaderSignature), Body: body}
	ans, ok := r.Interact.Accept(ctx, ireq)
	if ok {
		if err := r.Interact.Defer(ctx, ireq); err != nil {
			log.Error("slack action accepted but not started", "error", err)
			return functionURLResponse(http.StatusServiceUnavailable, "cutover could not start the action; try again", nil)
		}
	}
	return functionURLResponse(ans.Status, ans.Body, nil)
}
