package slackhook

import (
	"testing"

	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
)

// BenchmarkRender is Build and Format of the notice BenchmarkDecodeRender
// (package delivery) renders, decoded once: the render half of that
// benchmark.
func BenchmarkRender(b *testing.B) {
	n := messagetest.BenchNotice(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFormat is Format alone of that notice's message, built once.
func BenchmarkFormat(b *testing.B) {
	m := message.Build(messagetest.BenchNotice(b))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Format(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderDetails is Render of a traffic switch with every kind
// of enrichment detail (window, task sets, commands, links) and an
// action.
func BenchmarkRenderDetails(b *testing.B) {
	n := messagetest.GoNotices()["details-traffic-switched"]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(n); err != nil {
			b.Fatal(err)
		}
	}
}
