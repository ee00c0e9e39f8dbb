package webhook

import (
	"testing"

	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
)

// BenchmarkRender is Format alone of the message of the notice
// BenchmarkDecodeRender (package delivery) renders, decoded and built once.
func BenchmarkRender(b *testing.B) {
	n := messagetest.BenchNotice(b)
	m := message.Build(n)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Format(n, m, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
