package message

import (
	"strconv"

	"github.com/cutover-dev/cutover/internal/check"
)

// How much of a check result a message shows, in characters.
const (
	maxCheckName    = 64
	maxCheckSummary = 400
)

// checksTitle heads the checks section.
const checksTitle = "Checks at the switch"

// checks says what each check found, in configuration order, each with a
// pass or fail icon, e.g. "✅ api-ping: GET /api/ping: 20 requests, all
// 200, p95 41 ms, p99 88 ms" or "❌ api-ping: p99 2.4 s above 800 ms budget
// on GET /api/ping, 200 requests". A check that could not run says so.
// The title counts the failures.
func checks(results []check.Result) *List {
	if len(results) == 0 {
		return nil
	}
	l := &List{Title: checksTitle + " (" + checksCount(results) + ")", Unit: "check"}
	for _, r := range results {
		icon := IconSucceeded
		if !r.Passed {
			icon = IconFailed
		}
		item := Text{emoji(icon), plain(" "), value(r.Name, maxCheckName), plain(": ")}
		switch {
		case r.Error != "" && (r.Summary == "" || r.Summary == r.Error):
			item = append(item, plain("could not run: "), value(r.Error, maxCheckSummary))
		case r.Error != "":
			item = append(item, plain("could not run: "), value(r.Summary, maxCheckSummary))
		case blank(r.Summary) && r.Passed:
			item = append(item, plain("passed"))
		case blank(r.Summary):
			item = append(item, plain("failed"))
		default:
			item = append(item, value(r.Summary, maxCheckSummary))
		}
		l.Items = append(l.Items, item)
	}
	return l
}

// checksCount says how the checks went: "all 3 passed", "1 of 3 failed".
func checksCount(results []check.Result) string {
	failed := 0
	for _, r := range results {
		if !r.Passed {
			failed++
		}
	}
	if failed == 0 {
		if len(results) == 1 {
			return "passed"
		}
		return "all " + strconv.Itoa(len(results)) + " passed"
	}
	return strconv.Itoa(failed) + " of " + strconv.Itoa(len(results)) + " failed"
}

// checksOutcome adds to m what failed checks change: the message catches
// the eye as a warning, at least, and its one-line fallback says how many
// checks failed.
func checksOutcome(m *Message, results []check.Result) {
	if len(results) == 0 {
		return
	}
	if (check.Report{Results: results}).Failed() {
		if m.Severity == Good || m.Severity == Info || m.Severity == Neutral {
			m.Severity = Warning
		}
	}
	m.Fallback = append(m.Fallback, plain(" · checks "+checksCount(results)))
}
