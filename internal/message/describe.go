package message

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/cutover-dev/cutover/internal/enrich"
)

// Wording helpers: the one duration style, clock and date formats, and
// one-line descriptions of what enrichment found. All are pure.

// timeLayout is FormatTime's layout.
const timeLayout = "2006-01-02 15:04:05 UTC"

// FormatTime shows t in UTC to the second: "2006-01-02 15:04:05 UTC".
func FormatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// FormatDuration renders d for people, rounded down: "1 h 5 min", "2 h",
// "58 min", "45 s". Negative durations are rendered as their size.
func FormatDuration(d time.Duration) string {
	var b strings.Builder
	b.Grow(len("1000 h 59 min"))
	writeDuration(&b, d)
	return b.String()
}

// FormatClock renders t in UTC as "14:52 UTC" when it falls on the same UTC
// day as now, else with the date: "Jan 3 14:52 UTC".
func FormatClock(t, now time.Time) string {
	t, now = t.UTC(), now.UTC()
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04") + " UTC"
	}
	return t.Format("Jan 2 15:04") + " UTC"
}

// DescribeWindow says in one line how long the team has at now, e.g.
// "Roll back before 14:52 UTC (58 min left)", "Rollback window closed at
// 14:52 UTC", "No rollback window: the original task set is terminated
// immediately", or for a deployment waiting in Ready "Reroute traffic before
// 14:52 UTC (58 min left) or the deployment stops". A nil window gives "".
func DescribeWindow(w *enrich.Window, now time.Time) string {
	if w == nil {
		return ""
	}
	closedAt := w.Deadline
	if w.Ended && !w.EndedAt.IsZero() && (closedAt.IsZero() || w.EndedAt.Before(closedAt)) {
		closedAt = w.EndedAt
	}
	switch w.Kind {
	case enrich.WindowReroute:
		switch {
		case w.Open(now):
			return fmt.Sprintf("Reroute traffic before %s (%s left) or the deployment stops",
				FormatClock(w.Deadline, now), FormatDuration(w.Deadline.Sub(now)))
		case w.Ended && closedAt.IsZero():
			return "Reroute window closed: the deployment has finished"
		case w.Ended:
			return "Reroute window closed at " + FormatClock(closedAt, now)
		case closedAt.IsZero():
			return ""
		default:
			return "Reroute deadline passed at " + FormatClock(closedAt, now) + ": the deployment stops"
		}
	default:
		switch {
		case w.NoWindow && w.Action == "BAKE_TIME":
			return "No rollback window: bake time is 0 minutes, the source revision stops at once"
		case w.NoWindow:
			return "No rollback window: the original task set is terminated immediately"
		case w.Open(now):
			return fmt.Sprintf("Roll back before %s (%s left)",
				FormatClock(w.Deadline, now), FormatDuration(w.Deadline.Sub(now)))
		case closedAt.IsZero() && w.Ended:
			return "Rollback window closed: the deployment has finished"
		case closedAt.IsZero():
			return ""
		default:
			return "Rollback window closed at " + FormatClock(closedAt, now)
		}
	}
}

// InitiatedBy says of d in words who or what started the deployment, e.g.
// "pipeline web-frontend (execution 0f4c2b1e-…)", "a user", "an automatic
// rollback", "EC2 Auto Scaling"; "" when unknown.
func InitiatedBy(d *enrich.Deployment) string {
	if d == nil {
		return ""
	}
	if p := d.Pipeline; p != nil && p.Name != "" {
		name := p.Name
		if p.NameTruncated {
			name += "…"
		}
		if p.ExecutionID != "" {
			return "pipeline " + name + " (execution " + p.ExecutionID + ")"
		}
		return "pipeline " + name
	}
	switch strings.ToLower(d.Creator) {
	case "":
		return ""
	case "user":
		return "a user"
	case "codedeployrollback", "autorollback":
		return "an automatic rollback"
	case "codedeploy":
		return "CodeDeploy"
	case "codedeployautoupdate":
		return "CodeDeploy (update of outdated instances)"
	case "autoscaling":
		return "EC2 Auto Scaling"
	case "autoscalingtermination":
		return "EC2 Auto Scaling (instance termination)"
	case "cloudformation":
		return "CloudFormation"
	case "cloudformationrollback":
		return "a CloudFormation rollback"
	default:
		return d.Creator
	}
}

// DescribeTaskSet sums the task set up in one line, e.g.
// "GREEN web-frontend:43, 100% traffic, 4/4 running".
func DescribeTaskSet(ts *enrich.TaskSet) string {
	if ts == nil {
		return ""
	}
	var parts []string
	head := ts.Label
	name := ts.TaskDefinition
	if name == "" {
		name = ts.ID
	}
	if head != "" {
		head += " "
	}
	parts = append(parts, head+name)
	if ts.TrafficKnown {
		parts = append(parts, strconv.FormatFloat(ts.TrafficWeight, 'f', -1, 64)+"% traffic")
	}
	run := fmt.Sprintf("%d/%d running", ts.RunningCount, ts.DesiredCount)
	if ts.PendingCount > 0 {
		run += fmt.Sprintf(", %d pending", ts.PendingCount)
	}
	parts = append(parts, run)
	return strings.Join(parts, ", ")
}

// DescribeFailure sums the failure up in one line, e.g. "AfterAllowTraffic failed:
// ScriptFailed: the hook returned Failed (CodeDeployHook_smoke)".
func DescribeFailure(f *enrich.Failure) string {
	if f == nil {
		return ""
	}
	status := strings.ToLower(f.Status)
	if status == "" {
		status = "failed"
	}
	s := f.LifecycleEvent + " " + status
	if d := f.Diagnostics; d != nil {
		var detail []string
		if d.ErrorCode != "" {
			detail = append(detail, d.ErrorCode)
		}
		if d.Message != "" {
			detail = append(detail, d.Message)
		}
		if len(detail) > 0 {
			s += ": " + strings.Join(detail, ": ")
		}
		if d.ScriptName != "" {
			s += " (" + d.ScriptName + ")"
		}
	}
	return s
}

// Clean makes untrusted text printable for any destination: valid UTF-8,
// no control or bidirectional-override characters, tabs as spaces, and
// newlines kept only when multiline (else spaces); trimmed.
func Clean(s string, multiline bool) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' && multiline:
			return r
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r), r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// Line is untrusted s cleaned onto one line with runs of spaces collapsed:
// what a formatter shows of a span with Max set, before cutting it.
func Line(s string) string {
	c := Clean(s, false)
	if singleSpaced(c) {
		return c // what strings.Fields and Join would rebuild, without allocating
	}
	return strings.Join(strings.Fields(c), " ")
}

// singleSpaced reports whether s is ASCII with no leading, trailing or
// repeated spaces and no other white space: the text Line would return
// unchanged. Anything else (Unicode spaces included) takes the general path.
func singleSpaced(s string) bool {
	space := true // a leading space is not single
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= 0x80, b == '\t', b == '\n', b == '\v', b == '\f', b == '\r':
			return false
		case b == ' ':
			if space {
				return false
			}
			space = true
		default:
			space = false
		}
	}
	return !space || s == ""
}
