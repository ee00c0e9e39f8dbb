package message_test

import (
	"testing"

	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
)

// BenchmarkBuild is the cost of deciding what a message says: Build of the
// notice BenchmarkDecodeRender (package delivery) renders, decoded once.
func BenchmarkBuild(b *testing.B) {
	n := messagetest.BenchNotice(b)
	b.ReportAllocs()
	for b.Loop() {
		if message.Build(n) == nil {
			b.Fatal("nil message")
		}
	}
}

// BenchmarkBuildDetails is Build of a traffic switch with every kind of
// enrichment detail (window, task sets, commands, links) and an action.
func BenchmarkBuildDetails(b *testing.B) {
	n := messagetest.GoNotices()["details-traffic-switched"]
	b.ReportAllocs()
	for b.Loop() {
		if message.Build(n) == nil {
			b.Fatal("nil message")
		}
	}
}

// BenchmarkBuildECSNative is Build of an ECS-native traffic switch (a
// lifecycle hook) with what the ECS-native enricher found.
func BenchmarkBuildECSNative(b *testing.B) {
	n := messagetest.ECSNativeNotices(b)["ecs-native-switched"]
	b.ReportAllocs()
	for b.Loop() {
		if message.Build(n) == nil {
			b.Fatal("nil message")
		}
	}
}
