package slackhook

import (
	"strconv"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/message"
)

func TestTruncate(t *testing.T) {
	if got := truncate("a<b", 10, true); got != "a&lt;b" {
		t.Errorf("short text changed: %q", got)
	}
	// Cut visibly, counting raw characters dropped, never inside an entity.
	raw := strings.Repeat("<", 100)
	got := truncate(raw, 60, true)
	if message.UTF16Len(got) > 60 || !strings.HasSuffix(got, " more characters)") || strings.Contains(got, "&l…") {
		t.Errorf("truncate = %q (%d)", got, message.UTF16Len(got))
	}
	kept := strings.Count(got, "&lt;")
	if want := "… (truncated, " + strconv.Itoa(100-kept) + " more characters)"; !strings.HasSuffix(got, want) {
		t.Errorf("truncate = %q, want suffix %q", got, want)
	}
	// Characters outside the BMP count twice, as in UTF-16.
	if got := truncate(strings.Repeat("😀", 10), 9, false); got != "😀😀😀😀…" {
		t.Errorf("emoji truncate = %q", got)
	}
	if got := truncate("abcdef", 0, true); message.UTF16Len(got) < 1 {
		t.Errorf("zero limit gave %q, want at least the mark", got)
	}
}

func TestClampText(t *testing.T) {
	s := "see <https://x.example/a|the link> &amp; more"
	for limit := 1; limit < len(s); limit++ {
		got := clampText(s, limit)
		if message.UTF16Len(got) > max(limit, message.UTF16Len("… (truncated)")) {
			t.Errorf("clampText(%d) = %q, too long", limit, got)
		}
		checkMrkdwn(t, "clamped", got)
	}
	if got := clampText(s, 1000); got != s {
		t.Errorf("clampText changed a short text: %q", got)
	}
}

func TestClean(t *testing.T) {
	in := "  a\tb\r\nc\x00d\u202ee\xff  "
	if got, want := message.Clean(in, true), "a b\ncde\uFFFD"; got != want {
		t.Errorf("clean(multiline) = %q, want %q", got, want)
	}
	if got, want := esc1(in, 100), "a b cde\uFFFD"; got != want {
		t.Errorf("esc1 = %q, want %q", got, want)
	}
	if got, want := code("a`b<c", 100), "`a'b&lt;c`"; got != want {
		t.Errorf("code = %q, want %q", got, want)
	}
	if got := code("  ", 100); got != "" {
		t.Errorf("code of blank = %q", got)
	}
}

func TestSlackLink(t *testing.T) {
	if got, want := slackLink("https://h.example/p?a=1&b=2", "l"), "<https://h.example/p?a=1&amp;b=2|l>"; got != want {
		t.Errorf("slackLink = %q, want %q", got, want)
	}
	for _, u := range []string{"http://h.example/", "https://h.example/a|b", "https://h.example/<x>", "javascript:x", "https://h.example/a b", ""} {
		if got := slackLink(u, "label"); got != "label" {
			t.Errorf("slackLink(%q) = %q, want the label alone", u, got)
		}
	}
}

func TestAppendList(t *testing.T) {
	items := func(lines ...string) []message.Text {
		var out []message.Text
		for _, l := range lines {
			out = append(out, message.Text{{Text: l}})
		}
		return out
	}
	l := &message.List{Title: "T", Unit: "item", Items: items("a", "b", "c")}
	if got, want := string(appendList(nil, l, 2, "")), "*T*\na\nb\n… (truncated, 1 more item)"; got != want {
		t.Errorf("appendList = %q, want %q", got, want)
	}
	long := strings.Repeat("x", 1000)
	got := string(appendList([]byte("kept"), &message.List{Title: "T", Unit: "item", Items: items(long, long, long, long)}, 10, "• "))
	if !strings.HasPrefix(got, "kept*T*\n• x") || message.UTF16Len(got) > len("kept")+slackMaxSectionText || !strings.HasSuffix(got, "… (truncated, 2 more items)") {
		t.Errorf("appendList of long lines: %d characters, ends %q", message.UTF16Len(got), got[len(got)-40:])
	}
	if got := appendList([]byte("x"), &message.List{Title: "T"}, 10, ""); string(got) != "x" {
		t.Errorf("appendList of no items = %q, want nothing appended", got)
	}
}
