package cli

import (
	"context"
	"io"
	"sync"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/chat/text"
)

// terminal is a destination that prints each message as plain text (the
// same neutral message every destination formats), so the demo shows what
// Slack is told.
type terminal struct {
	mu sync.Mutex
	w  io.Writer
}

// Notify prints n's message as text.
func (t *terminal) Notify(_ context.Context, n *chat.Notification) (chat.Receipt, error) {
	s := text.Format(n.Message)
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, err := io.WriteString(t.w, s); err != nil {
		return chat.Receipt{}, err
	}
	return chat.Receipt{Destination: "terminal"}, nil
}
