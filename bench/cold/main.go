// Command cold measures whole-process cold runs of cutover and of the
// floor program (bench/floor) alternately in the same run, each posting
// one event to a loopback webhook, and prints the medians, the ratios and
// the peak RSS (getrusage of each child) against the goals of
// docs/performance.md.
//
//	go run ./bench/cold -cutover bin/cutover -floor bin/floor -rounds 30 [-env "GOGC=400 GOMEMLIMIT=96MiB"] EVENT.json
//
// -env adds variables to every program's environment, e.g. the Go runtime
// settings the Terraform module gives the function (go_runtime_tuning).
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	cutover := flag.String("cutover", "bin/cutover", "cutover binary (Lambda build flags)")
	floor := flag.String("floor", "bin/floor", "floor binary")
	rounds := flag.Int("rounds", 30, "runs of each program, alternating")
	extra := flag.String("env", "", "space-separated KEY=VALUE pairs added to every program's environment")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: cold [-cutover BIN] [-floor BIN] [-rounds N] EVENT.json")
		os.Exit(2)
	}
	if err := run(*cutover, *floor, *rounds, strings.Fields(*extra), flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "cold:", err)
		os.Exit(1)
	}
}

type sample struct {
	wall time.Duration
	rss  int64 // KiB
}

func run(cutover, floor string, rounds int, settings []string, event string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	var requests atomic.Int64
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Write([]byte("ok"))
	}))
	// AWS_CA_BUNDLE makes the SDK parse a CA file at start; Lambda does not
	// set it, so neither does this run.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_CA_BUNDLE=") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"CUTOVER_SLACK_WEBHOOK_URL=http://"+ln.Addr().String()+"/services/T000/B000/bench",
		"CUTOVER_ENRICH=false", "AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true")
	for _, kv := range settings {
		if !strings.Contains(kv, "=") {
			return fmt.Errorf("-env: %q is not KEY=VALUE", kv)
		}
	}
	env = append(env, settings...)
	if len(settings) > 0 {
		fmt.Printf("environment of every program: %s\n", strings.Join(settings, " "))
	}
	progs := []struct {
		name string
		args []string
	}{
		{"cutover send", []string{cutover, "send", "--no-records", event}},
		{"floor", []string{floor, event}},
		{"cutover version", []string{cutover, "version"}},
	}
	samples := make([][]sample, len(progs))
	for r := 0; r < rounds+1; r++ { // round 0 warms the page cache
		for i, p := range progs {
			s, err := once(p.args, env)
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			if r > 0 {
				samples[i] = append(samples[i], s)
			}
		}
	}
	want := int64(2 * (rounds + 1))
	if got := requests.Load(); got != want {
		return fmt.Errorf("webhook got %d requests, want %d", got, want)
	}
	med := make([]sample, len(progs))
	for i, p := range progs {
		med[i] = median(samples[i])
		fmt.Printf("%-16s median wall %6.2f ms  peak RSS %6.1f MiB  (%d runs)\n", p.name, ms(med[i].wall), float64(med[i].rss)/1024, len(samples[i]))
	}
	ratio := float64(med[0].wall) / float64(med[1].wall)
	extra := float64(med[0].rss-med[1].rss) / 1024
	fmt.Printf("RATIO cold send / floor      %.2fx  (goal <= 2x: %s)\n", ratio, verdict(ratio <= 2))
	fmt.Printf("RATIO peak RSS send - floor  %+.1f MiB  (goal <= +8 MiB: %s)\n", extra, verdict(extra <= 8))
	fmt.Printf("RATIO cutover version / floor %.2fx  (reference: process start and init only)\n", float64(med[2].wall)/float64(med[1].wall))
	return nil
}

// once runs args and returns its wall time and peak RSS.
func once(args, env []string) (sample, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	out := &tail{}
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return sample{}, fmt.Errorf("%w: %s", err, out.b)
	}
	wall := time.Since(start)
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss // KiB on Linux
	}
	return sample{wall: wall, rss: rss}, nil
}

func median(s []sample) sample {
	w := make([]time.Duration, len(s))
	r := make([]int64, len(s))
	for i := range s {
		w[i], r[i] = s[i].wall, s[i].rss
	}
	slices.Sort(w)
	slices.Sort(r)
	return sample{wall: w[len(w)/2], rss: r[len(r)/2]}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// tail keeps the last 4 KiB a child wrote, for errors.
type tail struct{ b []byte }

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = t.b[len(t.b)-4096:]
	}
	return len(p), nil
}
