package cli

import (
	"context"
	"strings"
	"sync"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/chat/text"
)

// terminal is a destination that keeps each message as plain text (the
// same neutral message every destination formats), so the demo can show
// what a destination of any type is told. The demo prints what it kept
// after each step, in destination order, so the output does not depend on
// which destination finished first.
type terminal struct {
	// name and typ label the destination it stands for.
	name, typ string

	mu   sync.Mutex
	kept strings.Builder
}

// Notify keeps n's message as text.
func (t *terminal) Notify(_ context.Context, n *chat.Notification) (chat.Receipt, error) {
	s := text.Format(n.Message)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.kept.WriteString(s)
	return chat.Receipt{Destination: "terminal"}, nil
}

// take returns what was kept since the last call and forgets it.
func (t *terminal) take() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.kept.String()
	t.kept.Reset()
	return s
}
