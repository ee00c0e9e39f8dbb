package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/chat/slackapp"
	"github.com/cutover-dev/cutover/internal/chat/slackapp/slackfake"
	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/secret"
)

// Parameters of the Slack app fault run.
const (
	slackAppDeployments = 60   // deployments, three events each
	slackAppRate        = 0.25 // share of Web API requests that fail
	slackAppInstances   = 8
	slackAppChannel     = "C0DEPLOYS"
)

// Kinds of failure injected in front of the fake Slack Web API.
const (
	injSlack429      = "429 Retry-After: 1"
	injSlackUnavail  = "ok:false service_unavailable"
	injSlackReset    = "connection reset before Slack"
	injSlackLostPost = "answer lost after Slack acted"
)

// slackFaultProxy fails a share of Web API requests on their way to a
// slackfake.Server: 429 with Retry-After, ok:false service_unavailable, a
// connection reset before Slack saw the request, and an answer lost after
// Slack acted on it (the message is posted or updated, the connection is
// dropped).
type slackFaultProxy struct {
	srv    *httptest.Server
	target string

	mu       sync.Mutex
	rng      *rand.Rand
	injected map[string]int
	lost     map[string]int // lost answers by method
}

func newSlackFaultProxy(t *testing.T, target string, rate float64, seed uint64) *slackFaultProxy {
	t.Helper()
	p := &slackFaultProxy{target: target, rng: rand.New(rand.NewPCG(seed, 0x736c61636b617070)), injected: map[string]int{}, lost: map[string]int{}}
	kinds := []string{injSlack429, injSlackUnavail, injSlackReset, injSlackLostPost}
	client := &http.Client{Timeout: 5 * time.Second}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		method := strings.TrimPrefix(r.URL.Path, "/api/")
		p.mu.Lock()
		kind := ""
		if p.rng.Float64() < rate {
			kind = kinds[p.rng.IntN(len(kinds))]
			p.injected[kind]++
			if kind == injSlackLostPost {
				p.lost[method]++
			}
		}
		p.mu.Unlock()
		drop := func() {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		switch kind {
		case injSlack429:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"ok":false,"error":"ratelimited"}`))
			return
		case injSlackUnavail:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"ok":false,"error":"service_unavailable"}`))
			return
		case injSlackReset:
			drop()
			return
		}
		req, _ := http.NewRequest(http.MethodPost, target+r.URL.Path, bytes.NewReader(body))
		req.Header = r.Header.Clone()
		resp, err := client.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		answer, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if kind == injSlackLostPost {
			drop()
			return
		}
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(answer)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// slackAppStory is deployment i's three events: traffic switched, failed,
// and the rollback deployment that rolls it back (its own ID, the same
// thread).
func slackAppStory(t *testing.T, i int) (ids []string, payloads [][]byte) {
	t.Helper()
	dep, back := fmt.Sprintf("d-S%07dA", i), fmt.Sprintf("d-S%07dB", i)
	for j, f := range []struct{ fixture, dep string }{{"instance-success", dep}, {"deployment-failure", dep}, {"deployment-rollback", back}} {
		id := fmt.Sprintf("e2eslackapp%06d", i*3+j)
		var ev map[string]any
		if err := json.Unmarshal(readFixture(t, "sns-lambda/"+f.fixture+".json"), &ev); err != nil {
			t.Fatal(err)
		}
		setSNSRecord(t, ev, id, f.dep)
		if f.fixture == "deployment-rollback" {
			sns := ev["Records"].([]any)[0].(map[string]any)["Sns"].(map[string]any)
			var msg map[string]any
			if err := json.Unmarshal([]byte(sns["Message"].(string)), &msg); err != nil {
				t.Fatal(err)
			}
			msg["rollbackInformation"] = string(mustJSON(t, map[string]string{
				"RollbackMessage":                "Deployment " + back + " is triggered to roll back deployment " + dep + ".",
				"RollbackTriggeringDeploymentId": dep,
			}))
			sns["Message"] = string(mustJSON(t, msg))
		}
		ids = append(ids, id)
		payloads = append(payloads, mustJSON(t, ev))
	}
	return ids, payloads
}

// TestFaultSuiteSlackApp runs deployments of three events each through
// the Slack app destination on Lambda instances that share the delivery
// records, against a fake Slack Web API behind a proxy that fails 25% of
// requests (429, ok:false, resets, lost answers). Each deployment must
// have exactly one parent message, whose last update shows all three
// steps, and one reply per later event: a post whose answer was lost is
// looked up (channel history, thread) before it is posted again.
func TestFaultSuiteSlackApp(t *testing.T) {
	fake := slackfake.New(t, slackfake.Options{})
	proxy := newSlackFaultProxy(t, fake.URL, slackAppRate, faultSeed+7)

	var ids []string
	var payloads [][]byte
	for i := range slackAppDeployments {
		is, ps := slackAppStory(t, i)
		ids, payloads = append(ids, is...), append(payloads, ps...)
	}
	// Interleave deployments so that events of one deployment run at once
	// on several instances.
	order := rand.New(rand.NewPCG(faultSeed, 3)).Perm(len(payloads))
	shuffled := make([][]byte, len(payloads))
	for k, i := range order {
		shuffled[k] = payloads[i]
	}

	store := records.NewMemory(0)
	instances := make([]*delivery.Dispatcher, slackAppInstances)
	for i := range instances {
		poster := chat.NewPoster(chat.PosterOptions{Timeout: faultAttemptTimeout, Policy: faultPolicy()})
		peer := store.Peer()
		// Built as slackapp.Build builds it, with a short pace: the
		// fault suite's invocations last 1 s.
		c := slackapp.NewClient(secret.New(slackfake.Token), poster, slackapp.ClientOptions{
			BaseURL: proxy.srv.URL + "/api/", Pace: 10 * time.Millisecond, Policy: faultPolicy()})
		n := slackapp.New(c, slackapp.Options{Name: "ops-app", Channel: slackAppChannel, Records: peer})
		instances[i] = &delivery.Dispatcher{Events: defaultEvents(), Records: peer, Receipts: peer, Log: slog.New(slog.DiscardHandler),
			Destinations: []delivery.Destination{{Name: "ops-app", Type: slackapp.Type, Notifier: n}}}
	}
	m := newLambdaModel(instances, shuffled)
	run := m.runAll(t)

	// Parents: exactly one per deployment.
	parentsOf := map[string][]slackfake.Message{}
	for _, p := range fake.Parents(slackAppChannel) {
		d := strings.TrimPrefix(strings.SplitN(p.Metadata.EventPayload["delivery"], "#", 2)[0], "parent:")
		parentsOf[d] = append(parentsOf[d], p)
	}
	dupParents, missing, staleTimeline, updates := 0, 0, 0, 0
	replyCopies := map[string]int{}
	for i := range slackAppDeployments {
		dep := fmt.Sprintf("d-S%07dA", i)
		ps := parentsOf[dep]
		switch {
		case len(ps) == 0:
			missing++
			continue
		case len(ps) > 1:
			dupParents += len(ps) - 1
		}
		p := ps[0]
		updates += p.Updates
		if strings.Count(string(p.Blocks), "<!date^") != 3 {
			staleTimeline++
			t.Errorf("%s: the parent's timeline lacks a step: %s", dep, p.Blocks)
		}
		for _, r := range fake.Replies(slackAppChannel, p.TS) {
			replyCopies[r.Metadata.EventPayload["delivery"]]++
		}
	}
	replies, dupReplies := len(replyCopies), 0
	for _, n := range replyCopies {
		dupReplies += n - 1
	}
	if dupParents != 0 || missing != 0 {
		t.Errorf("parents: %d duplicated, %d missing", dupParents, missing)
	}
	if replies != 2*slackAppDeployments {
		t.Errorf("%d distinct replies, want %d (two per deployment: the first event is the parent)", replies, 2*slackAppDeployments)
	}
	proxy.mu.Lock()
	lostPosts, lostUpdates, lostLookups := proxy.lost["chat.postMessage"], proxy.lost["chat.update"], proxy.lost["conversations.history"]+proxy.lost["conversations.replies"]
	var injected []string
	total := 0
	for k, n := range proxy.injected {
		injected = append(injected, fmt.Sprintf("%s=%d", k, n))
		total += n
	}
	proxy.mu.Unlock()
	sort.Strings(injected)
	if dupReplies != 0 {
		t.Errorf("%d duplicated replies: a lost answer must be looked up in the thread before posting again", dupReplies)
	}
	lines := []string{
		fmt.Sprintf("fault suite (slack-app): deployments=%d events=%d parents=%d duplicated_parents=%d stale_timelines=%d replies=%d duplicated_replies=%d updates=%d lost_answers_post=%d lost_answers_update=%d lost_answers_lookup=%d requests=%d failures_injected=%d",
			slackAppDeployments, len(ids), len(fake.Parents(slackAppChannel)), dupParents, staleTimeline, replies, dupReplies, updates,
			lostPosts, lostUpdates, lostLookups, fake.Calls("chat.postMessage")+fake.Calls("chat.update")+fake.Calls("conversations.history")+fake.Calls("conversations.replies"), total),
		run.Details("fault suite (slack-app) details:"),
	}
	t.Logf("injected: %s", strings.Join(injected, ", "))
	for _, l := range lines {
		t.Log(l)
	}
	fmt.Println(strings.Join(lines, "\n"))
	appendFaultReport(t, lines...)
}
