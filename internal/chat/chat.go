// Package chat is where messages leave cutover: the Notifier interface
// every destination implements, the receipt a destination gives back, and
// the one Poster (one HTTP client, retries, Retry-After, no URL in any
// error) that destinations post through, each with its own response
// Validator. Formatting lives in the destination packages (slackhook,
// text); what a message says lives in package message.
package chat

import (
	"context"

	"github.com/cutover-dev/cutover/internal/message"
)

// Notification is what a destination is asked to deliver.
type Notification struct {
	// Message is what to say, already decided; destinations only format it.
	Message *message.Message
	// Notice is the event and the action outcomes the message was built
	// from, for destinations that send data rather than text (e.g. a
	// signed webhook).
	Notice *message.Notice
	// Earlier is the receipt of an earlier message about the same
	// deployment at this destination, for destinations that update or
	// thread; nil when there is none.
	Earlier *Receipt
}

// Receipt says where a delivered message is, as far as the destination
// tells: an incoming webhook tells nothing, a chat API gives the message ID
// (Slack's "ts") and channel. Empty fields are unknown.
type Receipt struct {
	// Destination is the type of the destination, e.g. "slackhook".
	Destination string `json:"destination,omitempty"`
	// MessageID identifies the message at the destination (Slack: ts).
	MessageID string `json:"messageId,omitempty"`
	// Channel is where the message was posted.
	Channel string `json:"channel,omitempty"`
	// Thread is the thread the message belongs to, when it is a reply.
	Thread string `json:"thread,omitempty"`
	// State is what a destination keeps about the deployment beyond the
	// message's place (the Slack app: its status timeline, as JSON),
	// opaque to delivery, which stores it and hands it back in
	// Notification.Earlier. A string keeps Receipt comparable.
	State string `json:"state,omitempty"`
}

// Notifier delivers notifications to one destination.
type Notifier interface {
	// Notify sends n. It returns the destination's receipt and nil once
	// the destination acknowledged it, an error for which
	// retry.IsPermanent is true when no retry can help, and any other
	// error when a later attempt may succeed.
	Notify(ctx context.Context, n *Notification) (Receipt, error)
}
