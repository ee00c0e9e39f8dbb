package check

import (
	"strings"
	"testing"
	"time"
)

// TestJudgeHTTPFigures: several failed expectations are all stated, kinds
// most frequent first; no answer at all states no latency.
func TestJudgeHTTPFigures(t *testing.T) {
	s := &Spec{Method: "GET", URL: "https://h.example.com/api?k=v", ExpectStatus: []int{200}, P99: 100 * time.Millisecond, BodyContains: "ok"}
	var answers []answer
	for i := range 20 {
		switch {
		case i < 3:
			answers = append(answers, answer{status: 503, latency: 10 * time.Millisecond})
		case i < 4:
			answers = append(answers, answer{status: 500, latency: 10 * time.Millisecond})
		case i < 6:
			answers = append(answers, answer{err: "connection reset"})
		case i < 7:
			answers = append(answers, answer{err: "timed out after 5.0 s"})
		case i < 8:
			answers = append(answers, answer{status: 200, latency: 2400 * time.Millisecond, bodyOK: true})
		default:
			answers = append(answers, answer{status: 200, latency: 20 * time.Millisecond, bodyOK: i != 8})
		}
	}
	r := judgeHTTP(s, answers)
	want := "3 of 20 requests got no answer on GET /api (connection reset: 2, timed out after 5.0 s: 1); " +
		"4 of 20 requests answered 503 or 500 on GET /api (expected 200); " +
		`body of GET /api lacks "ok" in 1 of 20 answers; ` +
		"p99 2.4 s above 100 ms budget on GET /api, 20 requests"
	if r.Passed || r.Summary != want {
		t.Errorf("got  %q\nwant %q", r.Summary, want)
	}
	none := judgeHTTP(s, []answer{{err: "connection refused"}, {err: "connection refused"}})
	if none.Summary != "2 of 2 requests got no answer on GET /api (connection refused)" {
		t.Errorf("%q", none.Summary)
	}
}

// TestJudgeAlarmsBounded: at most three firing alarms are named, each
// reason cut, then how many more.
func TestJudgeAlarmsBounded(t *testing.T) {
	names := []string{"a", "b", "c", "d", "e"}
	found := map[string]alarm{}
	for _, n := range names {
		found[n] = alarm{n, "ALARM", strings.Repeat("reason ", 40)}
	}
	found["e"] = alarm{"e", "INSUFFICIENT_DATA", ""}
	r := judgeAlarms(names, found)
	if r.Passed || !strings.HasPrefix(r.Summary, "4 of 5 alarms in ALARM: a (reason reason") || !strings.HasSuffix(r.Summary, "…) and 1 more") ||
		strings.Count(r.Summary, "…") != 3 {
		t.Errorf("%q", r.Summary)
	}
	ok := judgeAlarms([]string{"x", "e"}, map[string]alarm{"x": {"x", "OK", ""}, "e": {"e", "INSUFFICIENT_DATA", ""}})
	if !ok.Passed || ok.Summary != "2 alarms not in ALARM: x, e (1 with insufficient data)" {
		t.Errorf("%+v", ok)
	}
}
