package teams

import (
	"testing"

	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
)

// BenchmarkRender is the formatting alone of the message of the notice
// BenchmarkDecodeRender (package delivery) renders, decoded and built once.
func BenchmarkRender(b *testing.B) {
	messagetest.BenchFormat(b, func(n *message.Notice, m *message.Message) error {
		_, err := Format(m, nil)
		return err
	})
}
