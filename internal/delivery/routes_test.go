package delivery

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/route"
)

// TestRoutesSelectDestinations proves each destination gets only the
// events its route selects, the report says why for every destination,
// and a destination without a route keeps the Dispatcher's Events.
func TestRoutesSelectDestinations(t *testing.T) {
	legacy, web, failures := &recorder{}, &recorder{}, &recorder{}
	d := newDispatcher(legacy, nil, records.NewMemory(time.Hour))
	d.Events = map[string]bool{"InstanceSuccess": true}
	d.Destinations = append(d.Destinations,
		Destination{Name: "team-web", Type: "teams", Notifier: web, Route: &route.Route{
			Events: []string{"InstanceSuccess", "DeploymentFailure"}, Applications: []string{"web-*"}}},
		Destination{Name: "oncall", Type: "webhook", Notifier: failures, Route: &route.Route{
			Events: []string{"DeploymentFailure"}, Accounts: []string{"1111*"}}},
	)
	d.Destinations[0].Type = "slack"

	rep, err := d.HandleEvents(context.Background(), fixture(t, "sns-lambda/instance-success.json"))
	if err != nil {
		t.Fatal(err)
	}
	if legacy.count() != 1 || web.count() != 1 || failures.count() != 0 {
		t.Errorf("traffic switch: legacy %d, team-web %d, oncall %d; want 1, 1, 0", legacy.count(), web.count(), failures.count())
	}
	want := []Decision{
		{Destination: "slack", Type: "slack", Selected: true, Reason: "events: InstanceSuccess"},
		{Destination: "team-web", Type: "teams", Selected: true, Reason: "events: InstanceSuccess; applications: web-frontend matches web-*"},
		{Destination: "oncall", Type: "webhook", Selected: false, Reason: "events: InstanceSuccess is not listed"},
	}
	if got := rep.Events[0].Routes; !slices.Equal(got, want) {
		t.Errorf("routes\n got %+v\nwant %+v", got, want)
	}
	if got := rep.Summary(); got != "InstanceSuccess d-7XQ2K9ABC: slack=delivered, team-web=delivered" {
		t.Errorf("summary %q", got)
	}

	rep, err = d.HandleEvents(context.Background(), fixture(t, "sns-lambda/deployment-failure.json"))
	if err != nil {
		t.Fatal(err)
	}
	if legacy.count() != 1 || failures.count() != 1 {
		t.Errorf("failure: legacy %d (want 1: not in its Events), oncall %d (want 1)", legacy.count(), failures.count())
	}
	if !rep.Events[0].Notified {
		t.Error("a routed event should count as notified")
	}
}

// TestRoutedEventNobodyWants proves an event no route selects sends
// nothing and is not an error.
func TestRoutedEventNobodyWants(t *testing.T) {
	rec := &recorder{}
	d := newDispatcher(rec, nil, nil)
	d.Destinations[0].Route = &route.Route{Regions: []string{"eu-*"}}
	rep, err := d.HandleEvents(context.Background(), fixture(t, "sns-lambda/instance-success.json"))
	if err != nil || rec.calls != 0 || rep.Events[0].Notified || len(rep.Events[0].Deliveries) != 0 {
		t.Errorf("err %v, calls %d, report %+v", err, rec.calls, rep.Events[0])
	}
	if r := rep.Events[0].Routes[0]; r.Selected || r.Reason != "regions: region us-east-1 matches none of eu-*" {
		t.Errorf("decision %+v", r)
	}
}

// TestRetrySendsOnlyToTheFailedDestination proves two destinations are
// delivered and recorded on their own: one that is down fails the
// invocation without holding back or duplicating the other, and the
// retry sends only to the one still missing.
func TestRetrySendsOnlyToTheFailedDestination(t *testing.T) {
	up := &recorder{}
	down := &recorder{fail: func(n int) error {
		if n == 1 {
			return errors.New("teams: 503")
		}
		return nil
	}}
	d := newDispatcher(up, nil, records.NewMemory(time.Hour))
	all := &route.Route{Events: []string{"InstanceSuccess"}}
	d.Destinations = []Destination{
		{Name: "team-a", Type: "slack", Notifier: up, Route: all},
		{Name: "team-b", Type: "teams", Notifier: down, Route: all},
	}
	in := fixture(t, "sns-lambda/instance-success.json")
	rep, err := d.HandleEvents(context.Background(), in)
	if err == nil {
		t.Fatal("a failed destination must fail the invocation so Lambda retries it")
	}
	if got := rep.Summary(); got != "InstanceSuccess d-7XQ2K9ABC: team-a=delivered, team-b=failed" {
		t.Errorf("first attempt %q", got)
	}
	if up.count() != 1 || down.count() != 0 {
		t.Fatalf("first attempt: team-a %d, team-b %d", up.count(), down.count())
	}
	rep, err = d.HandleEvents(context.Background(), in)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if got := rep.Summary(); got != "InstanceSuccess d-7XQ2K9ABC: team-a=already-delivered, team-b=delivered" {
		t.Errorf("retry %q", got)
	}
	if up.calls != 1 || down.count() != 1 {
		t.Errorf("retry: team-a called %d times (want 1), team-b got %d (want 1)", up.calls, down.count())
	}
}

// TestFollowUpGoesWhereItsEventWent proves a follow-up notice reaches the
// destinations whose route selects the event it follows, and those without
// a route.
func TestFollowUpGoesWhereItsEventWent(t *testing.T) {
	legacy, web, other := &recorder{}, &recorder{}, &recorder{}
	d := newDispatcher(legacy, nil, records.NewMemory(time.Hour))
	d.Destinations = append(d.Destinations,
		Destination{Name: "web", Notifier: web, Route: &route.Route{Applications: []string{"web-*"}}},
		Destination{Name: "other", Notifier: other, Route: &route.Route{Applications: []string{"checkout-*"}}},
	)
	ev := fixture(t, "sns-lambda/instance-success.json")[0]
	n := &message.Notice{Event: ev, FollowUp: true}
	n.Event.ID = "followup:cloudfront:E1:I123"
	if err := d.Notify(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	if legacy.count() != 1 || web.count() != 1 || other.count() != 0 {
		t.Errorf("follow-up: legacy %d, web %d, other %d; want 1, 1, 0", legacy.count(), web.count(), other.count())
	}
}
