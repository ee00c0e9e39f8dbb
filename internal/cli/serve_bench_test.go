package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/app"
	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/snshttp"
	"github.com/cutover-dev/cutover/internal/snshttp/snshttptest"
)

const loadTopic = "arn:aws:sns:us-east-1:111122223333:cutover-deployments"

// countingNotifier is the delivery stub of the serve benchmarks: it takes
// every notification (built message included) and counts it.
type countingNotifier struct{ n atomic.Int64 }

// Notify counts n.
func (c *countingNotifier) Notify(_ context.Context, n *chat.Notification) (chat.Receipt, error) {
	if n.Message == nil {
		return chat.Receipt{}, fmt.Errorf("stub: no message")
	}
	c.n.Add(1)
	return chat.Receipt{Destination: "stub"}, nil
}

// serveRig runs `cutover serve` on a loopback port with the fake SNS's
// certificate trusted (fetched once, then cached by the verifier),
// delivery records in memory and one destination: the counting stub.
type serveRig struct {
	url    string
	sns    *snshttptest.Server
	stub   *countingNotifier
	client *http.Client
}

func startServe(tb testing.TB) *serveRig {
	tb.Helper()
	sns := snshttptest.New(tb)
	stub := &countingNotifier{}
	addr := make(chan string, 1)
	vars := map[string]string{"CUTOVER_ENRICH": "false", "AWS_REGION": "us-east-1"}
	errb := &lastBytes{}
	env := Env{
		Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: errb,
		Getenv:     func(k string) string { return vars[k] },
		snsOptions: []snshttp.Option{snshttp.WithTestTrust(sns.Host(), sns.Roots()), snshttp.WithHTTPClient(sns.Client())},
		listening:  func(a string) { addr <- a },
		appOptions: func(o *app.Options) {
			o.Records = records.NewMemory(time.Hour)
			o.Extra = []delivery.Destination{{Name: "stub", Type: "stub", Notifier: stub}}
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--topics", loadTopic}, env) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("serve: %v", err)
		}
	})
	r := &serveRig{sns: sns, stub: stub, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	select {
	case a := <-addr:
		r.url = "http://" + a + "/"
	case err := <-done:
		tb.Fatalf("serve stopped: %v\n%s", err, errb.String())
	case <-time.After(10 * time.Second):
		tb.Fatal("serve did not start listening")
	}
	return r
}

// lastBytes keeps the last 4 KiB written to it (serve's log, for the
// error when it does not start): a log kept whole would itself grow the
// heap under load.
type lastBytes struct {
	mu sync.Mutex
	b  []byte
}

func (l *lastBytes) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	if len(l.b) > 4096 {
		l.b = append(l.b[:0], l.b[len(l.b)-4096:]...)
	}
	return len(p), nil
}

func (l *lastBytes) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.b)
}

// bodies signs n distinct traffic-switch notifications (one deployment
// each, so none is skipped as already delivered).
func (r *serveRig) bodies(tb testing.TB, n int) [][]byte {
	tb.Helper()
	msg, err := os.ReadFile(fixturePath("trigger-real/instance-success.json"))
	if err != nil {
		tb.Fatal(err)
	}
	out := make([][]byte, n)
	for i := range out {
		m := strings.Replace(string(msg), "d-7XQ2K9ABC", "d-LOAD"+strconv.Itoa(100000+i), 1)
		out[i] = r.sns.Sign(r.sns.Notification(loadTopic, snshttptest.Ptr("SUCCEEDED"), m, time.Now()), "2")
	}
	return out
}

func (r *serveRig) post(tb testing.TB, body []byte) {
	resp, err := r.client.Post(r.url, "text/plain", bytes.NewReader(body))
	if err != nil {
		tb.Error(err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Errorf("HTTP %d", resp.StatusCode)
	}
}

// BenchmarkServe is `cutover serve`'s throughput: signature-verified SNS
// notifications over loopback HTTP from parallel keep-alive clients,
// decoded, routed and built into a message, delivered to a stub notifier
// (verified-notifications/s, goal ≥ 5,000 on 2 cores).
func BenchmarkServe(b *testing.B) {
	r := startServe(b)
	bodies := r.bodies(b, b.N)
	var next atomic.Int64
	start := r.stub.n.Load()
	b.ReportAllocs()
	b.SetParallelism(32) // SNS delivers concurrently; 64 requests in flight on 2 cores
	cpu0 := cpuTime(b)
	began := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.post(b, bodies[next.Add(1)-1])
		}
	})
	b.StopTimer()
	got := r.stub.n.Load() - start
	if got != int64(b.N) {
		b.Fatalf("stub got %d notifications, want %d", got, b.N)
	}
	b.ReportMetric(float64(b.N)/time.Since(began).Seconds(), "verified-notifications/s")
	// CPU time of the whole test process (server and clients) per
	// notification: what bounds the rate when the cores are shared.
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(b.N), "cpu-us/notification")
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestServeMemoryFlat keeps `cutover serve` under load from parallel
// clients for a bounded time (CUTOVER_SERVE_LOAD, default 2s; `make bench`
// runs 60s) over a pool of signed notifications, and checks that the live
// heap after the load stays within 8 MiB of the heap after warm-up: what a
// notification allocates is released. It asserts nothing about time.
func TestServeMemoryFlat(t *testing.T) {
	load := 2 * time.Second
	if v := os.Getenv("CUTOVER_SERVE_LOAD"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("CUTOVER_SERVE_LOAD: %v", err)
		}
		load = d
	}
	r := startServe(t)
	bodies := r.bodies(t, 512)
	hammer := func(d time.Duration) int64 {
		var wg sync.WaitGroup
		var sent atomic.Int64
		stop := time.Now().Add(d)
		for w := range 4 {
			wg.Go(func() {
				for i := w; time.Now().Before(stop); i += 4 {
					r.post(t, bodies[i%len(bodies)])
					sent.Add(1)
				}
			})
		}
		wg.Wait()
		return sent.Load()
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	hammer(load / 10) // warm-up: every notification delivered once, caches filled
	before := heap()
	sent := hammer(load)
	after := heap()
	growth := int64(after) - int64(before)
	t.Logf("served %d notifications in %v; live heap %d KiB before, %d KiB after (%+d KiB)", sent, load, before>>10, after>>10, growth>>10)
	if sent == 0 || r.stub.n.Load() < int64(len(bodies)) {
		t.Fatalf("load reached the stub %d times, sent %d", r.stub.n.Load(), sent)
	}
	if growth > 8<<20 {
		t.Errorf("live heap grew by %d KiB under load, want at most 8 MiB", growth>>10)
	}
}
