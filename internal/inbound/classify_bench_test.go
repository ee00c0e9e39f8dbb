package inbound

import (
	"testing"

	"github.com/cutover-dev/cutover/internal/source"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
	"github.com/cutover-dev/cutover/internal/source/ecsnative"
)

// BenchmarkClassify is what the router does with a payload before running
// it: classify it and decode its events, with the registry app builds.
func BenchmarkClassify(b *testing.B) {
	reg := source.New(codedeploy.Decoder{}, ecsnative.Decoder{})
	for _, name := range []string{"sns-lambda/instance-success.json", "eventbridge/instance-success.json"} {
		data := read(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if p := Classify(reg, data); p.Kind != KindNotification {
					b.Fatalf("%s: %s", name, p.Kind)
				}
			}
		})
	}
}
