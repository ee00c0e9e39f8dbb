package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/chat/slackhook"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// BenchmarkDecodeRender is the warm per-event cost of the pure part:
// decoding the SNS event and rendering the Slack body.
func BenchmarkDecodeRender(b *testing.B) {
	data := fixtureB(b, "sns-lambda/instance-success.json")
	now := time.Date(2022, 10, 13, 16, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		evs, err := codedeploy.Decode(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := slackhook.Render(&message.Notice{Event: evs[0], Now: now}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandle is the warm per-event cost of a whole invocation: decode,
// claim and complete a delivery record (in memory), render, and POST to a
// loopback Slack fake over a reused connection.
func BenchmarkHandle(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	b.Cleanup(srv.Close)
	d := &Dispatcher{
		Destinations: []Destination{{Name: "slack", Notifier: slackhook.New(srv.URL+"/services/T/B/x", chat.NewPoster(chat.PosterOptions{}))}},
		Events:       map[string]bool{codedeploy.InstanceSuccess: true},
		Records:      records.NewMemory(time.Hour),
	}
	data := fixtureB(b, "sns-lambda/instance-success.json")
	evs, err := codedeploy.Decode(data)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ev := evs[0]
		i++
		ev.DeploymentID = "d-BENCH" + strconv.Itoa(i) // a new event each time, so nothing is skipped
		if _, err := d.HandleEvent(ctx, &ev); err != nil {
			b.Fatal(err)
		}
	}
}
