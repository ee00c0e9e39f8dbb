package chat

import (
	"encoding/json"
	"errors"

	"github.com/cutover-dev/cutover/internal/retry"
)

// SlackAPI is the Validator of Slack Web API calls (chat.postMessage,
// chat.update), which answer 200 with {"ok":false,"error":"..."} when they
// did not take the message. Rate limiting and Slack's internal errors are
// retryable; every other error (bad token, unknown channel, invalid
// blocks) is permanent.
func SlackAPI(_ int, body []byte) error {
	var r struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return retry.Permanent(errors.New("slack api: answer is not JSON"))
	}
	if r.OK {
		return nil
	}
	msg := "slack api: " + oneLineSnippet(cleanBody([]byte(r.Error)), 100)
	if r.Error == "" {
		msg = "slack api: ok is false"
	}
	switch r.Error {
	case "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout":
		return errors.New(msg)
	}
	return retry.Permanent(errors.New(msg))
}
