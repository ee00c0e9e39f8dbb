package e2e

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/app"
	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/secret"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// Parameters of the four-destination fault run.
const (
	fault4Events    = 300  // distinct SNS messages, each to four destinations
	fault4Rate      = 0.25 // share of requests each destination fails
	fault4Instances = 8
)

// fault4Dest is one destination of the four-destination run: how
// production configures it, how its service answers a message it took,
// and the failures its fake injects.
type fault4Dest struct {
	name, typ string
	path      string // webhook path and query on the fake
	ok        testrig.Reply
	faults    []fault
}

// fault4Dests are the four destinations, each failing its own way.
func fault4Dests() []fault4Dest {
	googleQuota := testrig.JSON(http.StatusTooManyRequests, map[string]any{"error": map[string]any{
		"code": 429, "message": "Resource has been exhausted (e.g. check quota).", "status": "RESOURCE_EXHAUSTED"}})
	return []fault4Dest{
		{
			name: "slack", typ: "slack", path: "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
			ok: testrig.OK(), // 200 "ok"
			faults: []fault{
				{"429 Retry-After: 0", testrig.RateLimited(0)},
				{"429 Retry-After: 1", testrig.RateLimited(1)},
			},
		},
		{
			name: "teams", typ: "teams", path: "/workflows/0a1b2c3d/triggers/manual/paths/invoke?api-version=1&sig=SIGNATURE",
			ok: testrig.Status(http.StatusAccepted, ""), // a queued flow: 202, empty body
			faults: []fault{
				{"500", testrig.Status(http.StatusInternalServerError, "")},
				{"502", testrig.Status(http.StatusBadGateway, "")},
				{"503", testrig.Status(http.StatusServiceUnavailable, "")},
			},
		},
		{
			name: "googlechat", typ: "googlechat", path: "/v1/spaces/S/messages?key=KEY&token=TOKEN",
			ok: testrig.JSON(http.StatusOK, map[string]any{"name": "spaces/S/messages/M", "thread": map[string]any{"name": "spaces/S/threads/T"}}),
			faults: []fault{
				{"connection reset", testrig.ResetConn()},
				{"429 without Retry-After", googleQuota},
			},
		},
		{
			name: "webhook", typ: "webhook", path: "/hooks/cutover",
			ok: testrig.Status(http.StatusNoContent, ""),
			faults: []fault{
				{"hang past the attempt timeout", testrig.Hang(faultHangOn)},
				{"504", testrig.Status(http.StatusGatewayTimeout, "upstream timed out")},
			},
		},
	}
}

// snsIDInBody finds an SNS MessageId of the four-destination run in any
// destination's body (Slack and Teams footers, the Google Chat card, the
// webhook document).
var snsIDInBody = regexp.MustCompile(`e2e4dest[0-9]{6}`)

// TestFaultSuiteFourDestinations sends 300 events to four destinations of
// different types at once (slack, teams, googlechat, webhook), each built
// as production builds it (app.Destinations) over one Poster per Lambda
// instance, each to its own fake that answers like its service and fails
// 25% of requests its own way: Slack 429 with Retry-After, Teams 5xx,
// Google Chat connection resets and 429 without Retry-After, the webhook
// hangs past the attempt timeout and 504. Delivery records are shared by
// all instances. Per destination, every event must be taken exactly once
// (apart from lost answers), and no destination may get a request for an
// event it already took: a retry caused by another destination's fault
// sends only where the event is still missing.
func TestFaultSuiteFourDestinations(t *testing.T) {
	dests := fault4Dests()
	fakes := make([]*faultFake, len(dests))
	for i, d := range dests {
		fakes[i] = newFaultFake(t, fault4Rate, faultSeed+uint64(i)+1, d.ok, d.faults...)
	}
	signing := secret.New("whsec_" + base64.StdEncoding.EncodeToString([]byte("fault-suite-signing-key-32-bytes")))

	fixtures := []string{"instance-success", "deployment-failure", "deployment-rollback", "trigger-test"}
	ids := make([]string, fault4Events)
	payloads := make([][]byte, fault4Events)
	for i := range payloads {
		ids[i] = fmt.Sprintf("e2e4dest%06d", i)
		payloads[i] = snsEvent(t, fixtures[i%len(fixtures)], ids[i], fmt.Sprintf("d-G%08d", i))
	}

	store := records.NewMemory(0)
	types := app.Destinations()
	instances := make([]*delivery.Dispatcher, fault4Instances)
	for i := range instances {
		// One Poster per instance, shared by its destinations, as app.Build does.
		deps := chat.Deps{Poster: chat.NewPoster(chat.PosterOptions{Timeout: faultAttemptTimeout, Policy: faultPolicy()})}
		peer := store.Peer()
		d := &delivery.Dispatcher{Events: defaultEvents(), Records: peer, Receipts: peer, Log: slog.New(slog.DiscardHandler)}
		for j, dst := range dests {
			spec := chat.Spec{Name: dst.name, Type: dst.typ, URL: secret.New(fakes[j].URL(dst.path))}
			if dst.typ == "webhook" {
				spec.SigningSecret = signing
			}
			n, err := types.New(spec, deps)
			if err != nil {
				t.Fatalf("build destination %s: %v", dst.name, err)
			}
			d.Destinations = append(d.Destinations, delivery.Destination{Name: dst.name, Type: dst.typ, Notifier: n})
		}
		instances[i] = d
	}
	m := newLambdaModel(instances, payloads)
	run := m.runAll(t)

	idOf := func(body []byte) string { return snsIDInBody.FindString(string(body)) }
	var lines []string
	for j, dst := range dests {
		fig := tally(t, dst.name, fakes[j], m, ids, idOf)
		if fig.FailuresInjected == 0 {
			t.Errorf("%s: no failure was injected", dst.name)
		}
		lines = append(lines, fig.Line("fault suite (4 destinations): "+dst.name))
		t.Logf("%s injected: %s", dst.name, fig.injectedText())
	}
	lines = append(lines, run.Details("fault suite (4 destinations) details:"))
	for _, l := range lines {
		t.Log(l)
	}
	fmt.Println(strings.Join(lines, "\n"))
	appendFaultReport(t, lines...)
}
