package text

import (
	"flag"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich/simulated"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// fixedNow is the time of every golden message.
var fixedNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// cases are the real trigger fixtures, each with the demo's simulated
// details, plus action outcomes and a follow-up.
func cases(t *testing.T) map[string]*message.Notice {
	t.Helper()
	paths, err := filepath.Glob("../../source/codedeploy/testdata/trigger-real/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("fixtures: %v", err)
	}
	out := map[string]*message.Notice{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		events, err := codedeploy.Decode(data)
		if len(events) != 1 {
			t.Fatalf("%s: %d events (%v)", p, len(events), err)
		}
		ev := events[0]
		out[strings.TrimSuffix(filepath.Base(p), ".json")] = &message.Notice{Event: ev, Now: eventNow(&ev), Details: simulated.Details(&ev)}
	}
	sw := *out["instance-success"]
	sw.Actions = []action.Result{
		{Action: "cloudfront", Target: "E2QWRUHAPOMQZL", Pending: true},
		{Action: "cloudfront-invalidation", Target: "E123", ID: "I2J3", Paths: []string{"/*", "/index.html"}, Status: "InProgress"},
		{Action: "cloudfront-invalidation", Target: "E456", DryRun: true, Paths: []string{"/*"}},
		{Action: "cloudfront-invalidation", Target: "E789", Skipped: "already invalidated"},
		{Action: "cloudfront-invalidation", Target: "EBAD", Error: "AccessDenied: not allowed"},
	}
	out["go__actions"] = &sw
	out["go__followup"] = &message.Notice{Event: sw.Event, Now: fixedNow, FollowUp: true, Actions: []action.Result{
		{Action: "cloudfront-invalidation", Target: "E123", ID: "I2J3", Paths: []string{"/*"}, Status: "Completed"},
	}}
	maps.Copy(out, messagetest.ECSNativeNotices(t))
	return out
}

// eventNow is the event's own time, as `cutover render` uses, so that the
// deadlines read as they did when the event was sent.
func eventNow(ev *deploy.Event) time.Time {
	for _, t := range []time.Time{ev.Published, ev.LastUpdated, ev.CompleteTime, ev.CreateTime} {
		if !t.IsZero() {
			return t.UTC()
		}
	}
	return fixedNow
}

func TestFormatGolden(t *testing.T) {
	for name, n := range cases(t) {
		t.Run(name, func(t *testing.T) {
			got := Format(message.Build(n))
			checkText(t, got)
			messagetest.Golden(t, filepath.Join(messagetest.GoldenDir, name+".golden.txt"), []byte(got), *update)
		})
	}
}

// TestFormatLooksLikeDemo pins what the README shows of the demo.
func TestFormatLooksLikeDemo(t *testing.T) {
	got := Format(message.Build(cases(t)["go__actions"]))
	for _, want := range []string{
		"  ⇄ Traffic switched to the new task set\n",
		"\n  ⌛ Roll back before ",
		"\n  │ ECS service prod-cluster:web-frontend\n",
		"\n  │ Task sets\n  │ Green (new) web-frontend:43 · 100% traffic",
		"\n  │ Roll back now (stop the deployment; traffic returns to the original task set)\n  │ aws deploy stop-deployment ",
		"\n  │ Actions\n  │ ⏳ CloudFront E2QWRUHAPOMQZL: pending\n  │ ✅ CloudFront E123: invalidation I2J3 for /*, /index.html (InProgress)\n",
		"\n  │ 🔗 ECS service (https://",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("text lacks %q:\n%s", want, got)
		}
	}
}

func TestFormatNil(t *testing.T) {
	if Format(nil) != "" || Fallback(nil) != "" {
		t.Error("nil message printed something")
	}
	if got := Fallback(message.Build(&message.Notice{Event: deploy.Event{Phase: deploy.Failed, DeploymentID: "d-1", Error: &deploy.Error{Code: "E"}}})); got != "❌ Deployment failed (d-1): E" {
		t.Errorf("Fallback = %q", got)
	}
}

// checkText fails on a control character other than a newline (a
// terminal would obey it) and on a line outside the two prefixes.
func checkText(t testing.TB, s string) {
	t.Helper()
	for _, r := range s {
		if r != '\n' && (unicode.IsControl(r) || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')) {
			t.Fatalf("control character %U in %q", r, s)
		}
	}
	if !strings.HasSuffix(s, "\n\n") {
		t.Fatalf("no blank line at the end: %q", s)
	}
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n\n"), "\n") {
		if !strings.HasPrefix(l, headPrefix) {
			t.Fatalf("line without prefix: %q", l)
		}
	}
}

func FuzzFormat(f *testing.F) {
	f.Add("CodeDeploy detected that the replacement task set is unhealthy.", "web-frontend", "d-7XQ2K9ABC", "prod:web", uint8(3))
	f.Add("\x1b[31mred\x1b[0m\r\n\u202eevil", "<!channel>", "d-<x>|y", "`", uint8(7))
	f.Add(strings.Repeat("line\n", 100), "\x00\xff", "", "", uint8(200))
	f.Fuzz(func(t *testing.T, msg, name, id, target string, k uint8) {
		kinds := codedeploy.Names
		ev := deploy.Event{
			Name: kinds[int(k)%len(kinds)], Region: "us-east-1", Application: name, DeploymentGroup: msg,
			DeploymentID: id, RawStatus: msg, TriggerName: name, MessageID: id,
			Error:    &deploy.Error{Code: name, Message: msg},
			Rollback: &deploy.Rollback{RollsBack: id, Message: msg},
			Target:   &deploy.Target{ID: target, Type: deploy.TargetECS, Lifecycle: []deploy.LifecycleStep{{Name: name, Status: msg}}},
		}
		codedeploy.Classify(&ev)
		d := simulated.Details(&ev)
		if d != nil {
			d.Deployment.Description = msg
			if d.Failure != nil && d.Failure.Diagnostics != nil {
				d.Failure.Diagnostics.LogTail = msg
			}
		}
		n := &message.Notice{Event: ev, Now: fixedNow, Details: d, FollowUp: k&0x80 != 0, Actions: []action.Result{
			{Action: name, Target: target, Error: msg}, {Action: "cloudfront", Target: id, Pending: true},
			{Action: "cloudfront-invalidation", Target: target, ID: id, Paths: []string{msg, name}, Status: name},
		}}
		got := Format(message.Build(n))
		checkText(t, got)
		if again := Format(message.Build(n)); again != got {
			t.Fatal("not deterministic")
		}
		if strings.ContainsRune(Fallback(message.Build(n)), '\n') {
			t.Fatal("fallback spans lines")
		}
	})
}
