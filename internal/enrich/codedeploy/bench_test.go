package codedeploy

import (
	"context"
	"testing"
)

// BenchmarkDetails enriches a traffic-switch event end to end against the
// loopback fake: six lookups (GetDeployment, GetDeploymentGroup,
// BatchGetDeploymentTargets, DescribeTaskSets, two DescribeTaskDefinition)
// in a fresh session each time, as one Lambda invocation would.
func BenchmarkDetails(b *testing.B) {
	f := newFakeAWS(b, standardRoutes())
	e := f.enricher(0)
	ev := switchEvent()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		d, w := e.Details(ctx, ev)
		if d == nil || d.Service == nil || len(w) != 0 {
			b.Fatalf("details = %+v, warnings %v", d, w)
		}
	}
}
