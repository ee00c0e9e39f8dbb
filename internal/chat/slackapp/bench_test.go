package slackapp

import (
	"testing"

	"github.com/cutover-dev/cutover/internal/chat"

	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
)

// BenchmarkRender is First and its encoding alone of the message of the notice
// BenchmarkDecodeRender (package delivery) renders, decoded and built once.
func BenchmarkRender(b *testing.B) {
	n := messagetest.BenchNotice(b)
	m := message.Build(n)
	b.ReportAllocs()
	for b.Loop() {
		msg, err := First(n, m, nil, true, "bench")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := chat.EncodeJSON(msg); err != nil {
			b.Fatal(err)
		}
	}
}
