package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/app"
	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/secret"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// Parameters of the lost-answer run.
const (
	lostEvents      = 60  // distinct events per destination
	lostRate        = 0.3 // share of requests whose answer is lost
	lostInvocations = 3   // Lambda's first try and two retries
	lostReplays     = 10  // failure-queue replays, one invocation each
	// lostAttempts is the Poster's attempts per post: generous, so that a
	// Poster retrying lost answers like any failure would make up to 5
	// copies per invocation.
	lostAttempts = 5
)

// lostDest is one destination of the lost-answer run.
type lostDest struct {
	name, typ, path string
	ok              testrig.Reply // the service's answer to a message it took
}

// lostDests are the five webhook destination types, each answering like
// its service.
func lostDests() []lostDest {
	return []lostDest{
		{"slack", "slack", "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", testrig.OK()},
		{"teams", "teams", "/workflows/0a1b2c3d/triggers/manual/paths/invoke?api-version=1&sig=SIGNATURE", testrig.Status(http.StatusAccepted, "")},
		{"discord", "discord", "/api/webhooks/112233445566778899/TOKEN", testrig.JSON(http.StatusOK, map[string]any{"id": "1180000000000000001", "channel_id": "1180000000000000002"})},
		{"googlechat", "googlechat", "/v1/spaces/S/messages?key=KEY&token=TOKEN", testrig.JSON(http.StatusOK, map[string]any{"name": "spaces/S/messages/M", "thread": map[string]any{"name": "spaces/S/threads/T"}})},
		{"webhook", "webhook", "/hooks/cutover", testrig.Status(http.StatusNoContent, "")},
	}
}

// lostDeployment finds the deployment ID of the lost-answer run in a body.
var lostDeployment = regexp.MustCompile(`d-LOST[0-9]{5}`)

// lostFigures are one destination's results of the lost-answer run.
type lostFigures struct {
	Events, Delivered, Copies, Duplicated, LostAnswers, Invocations, FailedInvocations int
	// MaxCopiesPerInvocation is the most copies of one event one
	// invocation sent; WorstCase the copies per invocation when every
	// answer is lost.
	MaxCopiesPerInvocation, WorstCase int
}

func (f lostFigures) line(dest string) string {
	return fmt.Sprintf("lost answers: %s events=%d delivered=%d copies=%d duplicated=%d lost_answers=%d invocations=%d failed_invocations=%d max_copies_per_invocation=%d all_lost_copies_per_invocation=%d",
		dest, f.Events, f.Delivered, f.Copies, f.Duplicated, f.LostAnswers, f.Invocations, f.FailedInvocations, f.MaxCopiesPerInvocation, f.WorstCase)
}

// TestLostAnswers injects lost answers (the service takes the message,
// then the connection drops before its answer: testrig.LostAnswer) into
// 30% of the requests to each destination type, built as production
// builds it, and runs each event through Lambda's invocations and the
// failure queue with delivery records. Per event and destination it
// asserts the measured bound: duplicates ≤ lost answers, every event
// delivered, and no invocation sending more than 1+MaxAmbiguousRetries
// copies of an event although the Poster may make 5 attempts. A second
// run loses every answer of one event: each invocation then sends exactly
// 1+MaxAmbiguousRetries copies and fails retryable.
func TestLostAnswers(t *testing.T) {
	signing := secret.New("whsec_" + base64.StdEncoding.EncodeToString([]byte("fault-suite-signing-key-32-bytes")))
	fixtures := []string{"instance-success", "deployment-failure", "deployment-rollback"}
	bound := 1 + chat.MaxAmbiguousRetries
	var lines []string
	for di, dst := range lostDests() {
		t.Run(dst.name, func(t *testing.T) {
			fake := testrig.NewFakeChat(t)
			var mu sync.Mutex
			rng := rand.New(rand.NewPCG(faultSeed, uint64(di)+1))
			lossy := func(testrig.Request) testrig.Reply {
				mu.Lock()
				defer mu.Unlock()
				if rng.Float64() < lostRate {
					return testrig.LostAnswer(dst.ok)
				}
				return dst.ok
			}
			fake.SetScript(lossy)
			spec := chat.Spec{Name: dst.name, Type: dst.typ, URL: secret.New(fake.URL() + dst.path)}
			if dst.typ == "webhook" {
				spec.SigningSecret = signing
			}
			policy := retry.Policy{Attempts: lostAttempts, Base: time.Millisecond, Max: time.Second}
			n, err := app.Destinations().New(spec, chat.Deps{Poster: chat.NewPoster(chat.PosterOptions{Timeout: 2 * time.Second, Policy: policy})})
			if err != nil {
				t.Fatalf("build destination: %v", err)
			}
			d := &delivery.Dispatcher{
				Destinations: []delivery.Destination{{Name: dst.name, Type: dst.typ, Notifier: n}},
				Events:       defaultEvents(), Records: records.NewMemory(0), Log: slog.New(slog.DiscardHandler),
			}
			fig := lostFigures{Events: lostEvents}
			// invoke runs one invocation of payload and returns the copies
			// it sent, how many of them lost their answer, and whether it
			// succeeded.
			invoke := func(payload []byte) (copies, lost int, ok bool) {
				before := fake.Count()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_, err := handle(d)(ctx, payload)
				fig.Invocations++
				if err != nil {
					fig.FailedInvocations++
					if retry.IsPermanent(err) {
						t.Errorf("a lost answer failed permanently (the event would not be retried): %v", err)
					}
				}
				for _, r := range fake.Requests()[before:] {
					copies++
					if r.LostAnswer {
						lost++
					}
				}
				return copies, lost, err == nil
			}
			for i := range lostEvents {
				dep := fmt.Sprintf("d-LOST%05d", i)
				payload := snsEvent(t, fixtures[i%len(fixtures)], fmt.Sprintf("e2e-lost-%s-%05d", dst.name, i), dep)
				copies, lost, ok := 0, 0, false
				for try := 0; !ok && try < lostInvocations+lostReplays; try++ {
					c, l, done := invoke(payload)
					if c > bound {
						t.Errorf("event %s: one invocation sent %d copies, more than 1+MaxAmbiguousRetries = %d", dep, c, bound)
					}
					fig.MaxCopiesPerInvocation = max(fig.MaxCopiesPerInvocation, c)
					copies, lost, ok = copies+c, lost+l, done
				}
				if !ok {
					t.Errorf("event %s: still failing after %d invocations", dep, lostInvocations+lostReplays)
					continue
				}
				fig.Delivered++
				fig.Copies += copies
				fig.LostAnswers += lost
				fig.Duplicated += copies - 1
				if copies-1 > lost {
					t.Errorf("event %s: %d copies with %d lost answers: a duplicate no lost answer explains", dep, copies, lost)
				}
			}
			// Every copy of an event carries the same idempotency key where
			// the destination has one (the signed webhook's webhook-id), so
			// a receiver that deduplicates on it shows each event once.
			ids := map[string]map[string]bool{}
			for _, r := range fake.Requests() {
				dep := lostDeployment.FindString(string(r.Body))
				if dep == "" {
					t.Errorf("request %d names no deployment of the run: %.200s", r.Seq, r.Body)
					continue
				}
				if dst.typ == "webhook" {
					if ids[dep] == nil {
						ids[dep] = map[string]bool{}
					}
					ids[dep][r.Header.Get("webhook-id")] = true
				}
			}
			for dep, set := range ids {
				if len(set) != 1 {
					t.Errorf("webhook: event %s was sent with %d webhook-ids, want 1 for all its copies", dep, len(set))
				}
			}

			// Worst case: every answer to one event is lost.
			fake.SetScript(nil)
			fake.SetDefault(testrig.LostAnswer(dst.ok))
			payload := snsEvent(t, fixtures[0], "e2e-lost-"+dst.name+"-all", "d-LOST99999")
			for range lostInvocations {
				c, l, ok := invoke(payload)
				if ok || c != bound || l != bound {
					t.Errorf("all answers lost: invocation succeeded=%t with %d copies, %d lost; want a retryable failure after exactly %d copies", ok, c, l, bound)
				}
				fig.WorstCase = c
			}
			fake.SetDefault(dst.ok)
			if c, _, ok := invoke(payload); !ok || c != 1 {
				t.Errorf("once answers arrive: succeeded=%t with %d copies, want delivered with 1", ok, c)
			}
			lines = append(lines, fig.line(dst.name))
			t.Log(fig.line(dst.name))
		})
	}
	fmt.Println(strings.Join(lines, "\n"))
	appendFaultReport(t, lines...)
}
