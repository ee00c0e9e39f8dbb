package discord

import (
	"bytes"
	"encoding/json"
	"flag"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

func TestRenderDiscordGolden(t *testing.T) {
	messagetest.GoldenCases(t, messagetest.Cases(t), *update, Render, func(t *testing.T, n *message.Notice, body []byte) {
		checkDiscordMessage(t, body, message.Build(n), Mentions{})
	})
}

// decoded is a rendered body read back.
type decoded struct {
	Content string `json:"content"`
	Embeds  []struct {
		Title       string `json:"title"`
		URL         string `json:"url"`
		Description string `json:"description"`
		Color       int    `json:"color"`
		Fields      []struct {
			Name   string `json:"name"`
			Value  string `json:"value"`
			Inline bool   `json:"inline"`
		} `json:"fields"`
		Footer *struct {
			Text string `json:"text"`
		} `json:"footer"`
		Timestamp string `json:"timestamp"`
	} `json:"embeds"`
	AllowedMentions struct {
		Parse []string `json:"parse"`
		Users []string `json:"users"`
		Roles []string `json:"roles"`
	} `json:"allowed_mentions"`
}

func decode(t testing.TB, body []byte) decoded {
	t.Helper()
	var d decoded
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatalf("invalid JSON: %v: %s", err, body)
	}
	return d
}

// checkDiscordMessage asserts what every rendered body must satisfy:
// valid JSON that the fake Discord takes (every documented limit, counted
// in code points there and in UTF-16 units here), allowed_mentions that
// allow only what mentions configure (and nothing when m is not a
// failure), no markup, mention or link that the formatter did not make
// itself, links only to m's own link URLs, no control or bidi character,
// no timestamp.
func checkDiscordMessage(t testing.TB, body []byte, m *message.Message, mentions Mentions) {
	t.Helper()
	if p := discordProblem(body); p != "" {
		t.Fatalf("Discord would refuse the body: %s", p)
	}
	d := decode(t, body)
	if strings.TrimSpace(d.Content) == "" || len(d.Embeds) != 1 {
		t.Fatalf("want content and one embed, got %q and %d embeds", d.Content, len(d.Embeds))
	}
	if message.UTF16Len(d.Content) > maxContent {
		t.Errorf("content is %d UTF-16 units", message.UTF16Len(d.Content))
	}
	am := d.AllowedMentions
	if am.Parse == nil || !bytes.Contains(body, []byte(`"allowed_mentions":{"parse":[`)) {
		t.Fatalf("allowed_mentions.parse missing: %s", body)
	}
	ping := m.Severity == message.Danger
	wantParse := []string{}
	if ping && (mentions.Everyone || mentions.Here) {
		wantParse = []string{"everyone"}
	}
	if !slices.Equal(am.Parse, wantParse) {
		t.Errorf("allowed_mentions.parse = %q, want %q", am.Parse, wantParse)
	}
	wantUsers, wantRoles := []string(nil), []string(nil)
	if ping {
		wantUsers, wantRoles = mentions.Users, mentions.Roles
	}
	if !slices.Equal(am.Users, wantUsers) || !slices.Equal(am.Roles, wantRoles) {
		t.Errorf("allowed_mentions users %q roles %q, want %q %q", am.Users, am.Roles, wantUsers, wantRoles)
	}
	content := d.Content
	if prefix := mentions.text(); ping && prefix != "" {
		if !strings.HasPrefix(content, prefix+" ") {
			t.Errorf("content %q does not start with the mentions %q", content, prefix)
		}
		content = strings.TrimPrefix(content, prefix+" ")
	}
	urls := map[string]bool{}
	collect := func(t message.Text) {
		for _, s := range t {
			if s.Kind == message.Link {
				urls[s.URL] = true
			}
		}
	}
	for _, t := range slices.Concat([]message.Text{m.Subject, m.Summary, m.Links}, m.Footer) {
		collect(t)
	}
	for _, f := range m.Fields {
		collect(f.Value)
	}
	for _, l := range []*message.List{m.Lifecycle, m.TaskSets, m.Actions} {
		if l != nil {
			for _, it := range l.Items {
				collect(it)
			}
		}
	}
	if m.Failure != nil {
		for _, t := range slices.Concat([]message.Text{m.Failure.Head, m.Failure.Detail}, m.Failure.Notes) {
			collect(t)
		}
	}
	checkMarkdown(t, "content", content, urls)
	e := d.Embeds[0]
	if e.Timestamp != "" {
		t.Error("embed has a timestamp")
	}
	if e.URL != "" && !urls[e.URL] {
		t.Errorf("embed URL %q is no link of the message", e.URL)
	}
	total := message.UTF16Len(e.Title) + message.UTF16Len(e.Description)
	checkMarkdown(t, "title", e.Title, nil)
	checkMarkdown(t, "description", e.Description, urls)
	for i, f := range e.Fields {
		what := "field " + strconv.Itoa(i)
		checkMarkdown(t, what+" name", f.Name, nil)
		checkMarkdown(t, what+" value", f.Value, urls)
		if message.UTF16Len(f.Name) > maxFieldName || message.UTF16Len(f.Value) > maxFieldValue {
			t.Errorf("%s: name %d, value %d UTF-16 units", what, message.UTF16Len(f.Name), message.UTF16Len(f.Value))
		}
		total += message.UTF16Len(f.Name) + message.UTF16Len(f.Value)
	}
	if e.Footer != nil {
		checkClean(t, "footer", e.Footer.Text)
		total += message.UTF16Len(e.Footer.Text)
	}
	if message.UTF16Len(e.Title) > maxTitle || message.UTF16Len(e.Description) > maxDescription || total > maxEmbedTotal {
		t.Errorf("title %d, description %d, total %d UTF-16 units", message.UTF16Len(e.Title), message.UTF16Len(e.Description), total)
	}
}

// mdLinkRE is a link the formatter makes: [escaped label](safe URL).
var mdLinkRE = regexp.MustCompile(`\[((?:\\.|[^\\\[\]])+)\]\((https?://[A-Za-z0-9\-._~:/?=&%#+$@!,;*]+)\)`)

// checkMarkdown asserts that s holds no markup but the formatter's own:
// outside code, every < @ [ ] _ ~ | and "://" is escaped, so no mention
// (<@id>, <#id>, <t:…>, @everyone), masked link, bare URL, spoiler or
// emphasis forms from data; links are [label](url) to a URL of urls; code
// spans and blocks are closed; no control or bidi character is left.
func checkMarkdown(t testing.TB, what, s string, urls map[string]bool) {
	t.Helper()
	checkClean(t, what, s)
	inline, block := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case block:
			if strings.HasPrefix(s[i:], "```") {
				block = false
				i += 2
			}
		case inline:
			if c == '`' {
				inline = false
			}
		case strings.HasPrefix(s[i:], "```"):
			block = true
			i += 2
		case c == '`':
			inline = true
		case c == '\\':
			i++
		case c == '[':
			m := mdLinkRE.FindStringSubmatchIndex(s[i:])
			if m == nil || m[0] != 0 {
				t.Errorf("%s: unescaped [ at %d in %q", what, i, s)
				return
			}
			if u := s[i+m[4] : i+m[5]]; !urls[u] {
				t.Errorf("%s: link to %q, which is no link of the message", what, u)
			}
			i += m[1] - 1
		case strings.IndexByte("<@]_~|", c) >= 0 || strings.HasPrefix(s[i:], "://"):
			t.Errorf("%s: unescaped %q at %d in %q", what, c, i, s)
			return
		}
	}
	if inline || block {
		t.Errorf("%s: unclosed code in %q", what, s)
	}
}

// checkClean asserts that s holds no control character but newlines and
// no bidirectional control.
func checkClean(t testing.TB, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%s: invalid UTF-8", what)
	}
	for _, r := range s {
		if stripped(r) || r == '\t' {
			t.Errorf("%s: holds %U: %q", what, r, s)
			return
		}
	}
}

// formatT formats n with mentions, checks it and decodes it.
func formatT(t *testing.T, n *message.Notice, mentions Mentions) (body []byte, d decoded, all string) {
	t.Helper()
	c := *n
	messagetest.Classify(&c.Event)
	m := message.Build(&c)
	body, err := Format(m, mentions)
	if err != nil {
		t.Fatal(err)
	}
	checkDiscordMessage(t, body, m, mentions)
	d = decode(t, body)
	parts := []string{d.Content, d.Embeds[0].Title, d.Embeds[0].Description}
	for _, f := range d.Embeds[0].Fields {
		parts = append(parts, f.Name+"\n"+f.Value)
	}
	if d.Embeds[0].Footer != nil {
		parts = append(parts, d.Embeds[0].Footer.Text)
	}
	return body, d, strings.Join(parts, "\n")
}

func TestFormatKinds(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ev    deploy.Event
		want  []string
		color int
	}{
		{"switched", messagetest.GoNotices()["traffic-switched-actions"].Event, []string{"🔀 Traffic switched to the new task set", "web-frontend / web-frontend-prod", "[d-7XQ2K9ABC](https://us-east-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-7XQ2K9ABC?region=us-east-1)", "ECS service\n`prod-cluster:web-frontend`"}, colorGood},
		{"failure", messagetest.GoNotices()["failure-long-error"].Event, []string{"❌ Deployment failed", "**Error** `ECS_UPDATE_ERROR`\nThe replacement task set \\<web-frontend:42\\> is unhealthy & failing"}, colorDanger},
		{"stop", deploy.Event{Name: codedeploy.DeploymentStop, DeploymentID: "d-S"}, []string{"🛑 Deployment stopped"}, colorWarning},
		{"start", deploy.Event{Name: codedeploy.DeploymentStart, DeploymentID: "d-S"}, []string{"🚀 Deployment started"}, colorInfo},
		{"trigger test", deploy.Event{Name: codedeploy.TriggerTest, TriggerName: "deploys"}, []string{"🔔 Trigger configured"}, colorNeutral},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, d, all := formatT(t, &message.Notice{Event: tc.ev, Now: messagetest.Now}, Mentions{})
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("message lacks %q:\n%s", w, all)
				}
			}
			if c := d.Embeds[0].Color; c != tc.color {
				t.Errorf("colour %#x, want %#x", c, tc.color)
			}
		})
	}
}

func TestFormatMentionsOnlyOnFailure(t *testing.T) {
	mentions, err := ParseMentions([]string{"@here", "user:80351110224678912", "group:41771983423143936", " @here ", "user:80351110224678912"})
	if err != nil {
		t.Fatal(err)
	}
	failed := messagetest.GoNotices()["failure-long-error"]
	_, d, _ := formatT(t, failed, mentions)
	if want := "@here <@&41771983423143936> <@80351110224678912> ❌ Deployment failed"; !strings.HasPrefix(d.Content, want) {
		t.Errorf("content = %q, want it to start with %q", d.Content, want)
	}
	am := d.AllowedMentions
	if !slices.Equal(am.Parse, []string{"everyone"}) || !slices.Equal(am.Users, []string{"80351110224678912"}) || !slices.Equal(am.Roles, []string{"41771983423143936"}) {
		t.Errorf("allowed_mentions = %+v", am)
	}
	// A success pings nobody, even with mentions configured.
	body, d, _ := formatT(t, messagetest.GoNotices()["traffic-switched-actions"], mentions)
	if strings.Contains(d.Content, "<@") || strings.Contains(d.Content, "@here") || !bytes.Contains(body, []byte(`"allowed_mentions":{"parse":[]}`)) {
		t.Errorf("success pings: %s", body)
	}
}

func TestParseMentions(t *testing.T) {
	for _, bad := range []struct{ in, want string }{
		{"@channel", `Discord has no @channel; use "@here"`},
		{"user:U0123", "a Discord ID is a number"},
		{"group:", "a Discord ID is a number"},
		{"user:012", "a Discord ID is a number"},
		{"user:99999999999999999999", "a Discord ID is a number"},
		{"<@123>", `Discord takes "@here", "@everyone", "user:ID" or "group:ID"`},
		{"team:123", `Discord takes`},
	} {
		_, err := ParseMentions([]string{"@here", bad.in})
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ParseMentions(%q): err = %v, want %q", bad.in, err, bad.want)
		}
	}
	_, err := ParseMentions([]string{"@channel", "user:x"})
	if err == nil || !strings.Contains(err.Error(), "@channel") || !strings.Contains(err.Error(), "user:x") {
		t.Errorf("want both problems at once, got %v", err)
	}
	m, err := ParseMentions([]string{"@everyone", "group:1"})
	if err != nil || !m.Everyone || m.Here || !slices.Equal(m.Roles, []string{"1"}) || m.text() != "@everyone <@&1>" {
		t.Errorf("ParseMentions = %+v, %v", m, err)
	}
	if m, err := ParseMentions(nil); err != nil || m.text() != "" {
		t.Errorf("no mentions: %+v, %v", m, err)
	}
}

func TestFormatTruncatesVisibly(t *testing.T) {
	msg := strings.Repeat("x", 5000)
	n := &message.Notice{Event: deploy.Event{Name: codedeploy.DeploymentFailure, DeploymentID: "d-1", Error: &deploy.Error{Code: "E", Message: msg}}}
	_, d, _ := formatT(t, n, Mentions{})
	m := regexp.MustCompile(`\n(x+)… \(truncated, (\d+) more characters\)`).FindStringSubmatch(d.Embeds[0].Description)
	if m == nil {
		t.Fatalf("no visible truncation in %q", d.Embeds[0].Description)
	}
	if more, _ := strconv.Atoi(m[2]); len(m[1])+more != len(msg) || len(m[1]) > maxErrorMessage {
		t.Errorf("kept %d + %d more != %d characters", len(m[1]), more, len(msg))
	}
}

// TestFormatTotalLimit fills every part of a message far beyond 6,000
// characters: the parts shrink in order, the least useful first, and the
// message says what it left out.
func TestFormatTotalLimit(t *testing.T) {
	long := func(s string, n int) string { return strings.Repeat(s, n) }
	item := func(s string) message.Text { return message.Text{{Kind: message.Plain, Text: s, Max: 300}} }
	var items []message.Text
	for range 40 {
		items = append(items, item(long("y", 250)))
	}
	var facts []message.Field
	for i := range 30 {
		facts = append(facts, message.Field{Label: "Fact " + strconv.Itoa(i), Value: item(long("f", 300))})
	}
	m := &message.Message{
		Severity: message.Danger, Icon: message.IconFailed, Title: long("T", 300),
		Subject:   item(long("s", 300)),
		Summary:   item(long("u", 300)),
		Fields:    facts,
		Error:     &message.Error{Title: "Error", Code: "E", Message: long("e ", 3000)},
		Lifecycle: &message.List{Title: "Lifecycle", Unit: "step", Items: items},
		Failure:   &message.Failure{Head: item("head"), Notes: items, LogTitle: "Log tail", Log: long("log line\n", 500)},
		TaskSets:  &message.List{Title: "Task sets", Unit: "task set", Items: items},
		Commands:  []message.Command{{Title: "Roll back", Command: long("c", 2000)}, {Title: "Finish", Command: long("d", 2000)}},
		Actions:   &message.List{Title: "Actions", Unit: "action", Items: items},
		Links:     []message.Span{{Kind: message.Link, Text: "Console", URL: "https://console.example/x"}},
		Hint:      long("h", 500),
		Footer:    []message.Text{item(long("z", 3000))},
		Fallback:  item(long("b", 3000)),
	}
	body, err := Format(m, Mentions{Here: true})
	if err != nil {
		t.Fatal(err)
	}
	checkDiscordMessage(t, body, m, Mentions{Here: true})
	d := decode(t, body)
	if !strings.Contains(d.Embeds[0].Description, "left out: Discord's length limits)") {
		t.Errorf("no note of what was left out: %q", d.Embeds[0].Description)
	}
	if len(d.Embeds[0].Fields) == 0 || d.Embeds[0].Fields[0].Name != "Fact 0" {
		t.Errorf("the facts should stay: %+v", d.Embeds[0].Fields)
	}
}

func TestFormatEscapesHostileText(t *testing.T) {
	body, d, all := formatT(t, messagetest.GoNotices()["hostile-text"], Mentions{Users: []string{"1"}})
	for _, bad := range []string{"<!channel>", "<@U0123>", "<!here>", "<https://evil.example", "\u202e", "\t"} {
		if strings.Contains(string(body), bad) {
			t.Errorf("rendered message holds %q", bad)
		}
	}
	for _, w := range []string{`\<!channel\> & \<\@U0123\> / grp with controlRTL`, "`'code'`"} {
		if !strings.Contains(all, w) {
			t.Errorf("message lacks %q:\n%s", w, all)
		}
	}
	if strings.Contains(d.Content, "<@1>") {
		t.Error("a stop (not a failure) pinged")
	}
}

// injections are hostile strings a deployment's data may hold: mentions,
// links, markup, control characters and very long text.
var injections = []string{
	"@everyone", "@here", "<@80351110224678912>", "<@!80351110224678912>", "<@&41771983423143936>", "<#1209876543210987654>",
	"<t:1700000000:R>", "<:pepe:123456789012345678>", "<a:dance:1>", "</deploy:1>", "@ everyone", "@\u200beveryone",
	"[click here](https://evil.example/steal)", "[x](<https://evil.example>)", "https://evil.example/bare", "<https://evil.example>",
	"**bold** __under__ *it* _it_ ~~strike~~ ||spoiler||", "> quote\n>>> block quote", "# Heading\n## h2\n-# subtext",
	"- item\n* item\n+ item\n1. item", "```js\nalert(1)\n```", "`code` ``two``", "\\@everyone", "\\\\<@1>", "\\",
	"a\x00b\x1bc\x7fd\u0085e", "\u202eevil\u202c \u2066iso\u2069 \u200e\u200f\u061c", "line\r\nbreak\rcr\ttab",
	"\xff\xfe invalid UTF-8", strings.Repeat("😀", 3000), strings.Repeat("<@1>", 1000), strings.Repeat("\\", 5000),
	strings.Repeat("`", 3000), strings.Repeat("a\n", 5000), strings.Repeat("[", 2000) + strings.Repeat("]", 2000),
}

func TestFormatInjectionCorpus(t *testing.T) {
	mentionSets := []Mentions{{}, {Here: true}, {Users: []string{"1"}, Roles: []string{"2"}}}
	for i, s := range injections {
		for j, kind := range []string{codedeploy.DeploymentFailure, codedeploy.InstanceSuccess, codedeploy.DeploymentStop} {
			t.Run(strconv.Itoa(i)+"/"+kind, func(t *testing.T) {
				ev := deploy.Event{
					Name: kind, Region: s, AccountID: s, TriggerName: s, Application: s, DeploymentGroup: s,
					DeploymentID: s, RawStatus: s, MessageID: s,
					Error:  &deploy.Error{Code: s, Message: s},
					Target: &deploy.Target{ID: s, Type: "ECS", Lifecycle: []deploy.LifecycleStep{{Name: s, Status: s}}},
				}
				n := &message.Notice{Event: ev, Now: messagetest.Now, Details: messagetest.FuzzDetails(s, s, s, s, uint8(i)),
					Actions: []action.Result{{Action: "cloudfront-invalidation", Target: s, ID: s, Paths: []string{s}, Status: s}, {Action: s, Target: s, Error: s}}}
				body, d, _ := formatT(t, n, mentionSets[j])
				// Code spans and blocks show their text verbatim (Discord
				// parses no mention or markup in them): look outside.
				texts := []string{d.Content, d.Embeds[0].Title, d.Embeds[0].Description}
				for _, f := range d.Embeds[0].Fields {
					texts = append(texts, f.Name, f.Value)
				}
				for _, text := range texts {
					text = strings.TrimPrefix(text, mentionSets[j].text()+" ")
					out := unescapedText(text)
					for _, bad := range []string{"<@", "<#", "<t:", "<:", "<a:", "</", "@everyone", "@here", "](https://evil", "[click", "\u202e"} {
						if strings.Contains(out, bad) {
							t.Errorf("%q holds %q", text, bad)
						}
					}
				}
				// The footer shows its text verbatim: no markup, no mention
				// renders; yet nothing in it even looks like a mention.
				if f := d.Embeds[0].Footer; f != nil {
					for _, bad := range []string{"<@", "<#", "<t:", "<:", "<a:", "</", "@everyone", "@here"} {
						if strings.Contains(f.Text, bad) {
							t.Errorf("footer %q holds %q", f.Text, bad)
						}
					}
				}
				if strings.Contains(string(body), "\u202e") {
					t.Error("body holds a bidi override")
				}
			})
		}
	}
}

// escapedRE is a backslash escape.
var escapedRE = regexp.MustCompile(`\\.`)

// unescapedText is what of s Discord could read as markup or a mention:
// s without code spans and blocks, escaped characters and link URLs.
func unescapedText(s string) string {
	s = escapedRE.ReplaceAllString(outsideCode(s), "")
	return mdLinkRE.ReplaceAllString(s, "[$1]")
}

// outsideCode is s without its code spans and blocks.
func outsideCode(s string) string {
	var b strings.Builder
	for i, part := range strings.Split(s, "```") {
		if i%2 == 1 {
			continue
		}
		for j, p := range strings.Split(part, "`") {
			if j%2 == 0 {
				b.WriteString(p)
			}
		}
	}
	return b.String()
}

func TestRenderNil(t *testing.T) {
	if _, err := Render(nil); err == nil {
		t.Error("nil notice rendered")
	}
	if _, err := Format(nil, Mentions{}); err == nil {
		t.Error("nil message formatted")
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain d-1 text":        "plain d-1 text",
		"- item":                `\- item`,
		"# h\n## h2\n-# sub":    "\\# h\n\\## h2\n\\-# sub",
		"1. one\n 22. two 3.":   "1\\. one\n 22\\. two 3.",
		"a*b_c~d|e>f`g[h]i(j)k": `a\*b\_c\~d\|e\>f` + "\\`" + `g\[h\]i\(j\)k`,
		"<@1> @everyone":        `\<\@1\> \@everyone`,
		"see https://x.y/z":     `see https\://x.y/z`,
		"back\\slash":           `back\\slash`,
		"tab\there\u202e\x00":   "tab here",
	} {
		if got := escape(in); got != want {
			t.Errorf("escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClampMarkdown(t *testing.T) {
	s := "line one\n```\n" + strings.Repeat("code line\n", 50) + "```"
	got := clampMarkdown(s, 100)
	if message.UTF16Len(got) > 100 || strings.Count(got, "```")%2 != 0 || !strings.HasSuffix(got, "… (truncated)") {
		t.Errorf("clampMarkdown = %q", got)
	}
	if got := clampMarkdown(`abc\\\`+strings.Repeat("x", 200), 20); strings.HasSuffix(strings.TrimSuffix(got, "\n… (truncated)"), `\`) && !strings.HasSuffix(got, `\\`) {
		t.Errorf("a lone backslash escapes the cut mark: %q", got)
	}
	if got := clampMarkdown("short", 100); got != "short" {
		t.Errorf("clampMarkdown changed short text: %q", got)
	}
}

func FuzzFormatDiscord(f *testing.F) {
	f.Add("CodeDeploy detected that the replacement task set is unhealthy.", "web-frontend", "d-7XQ2K9ABC", "prod-cluster:web", uint8(7), true, uint8(0))
	f.Add(strings.Repeat("<@&1>", 2000), "@everyone", "d-<x>|y", "`", uint8(2), false, uint8(1))
	f.Add("\x00\xff\u202e\n\r\t😀", "a*b_c~d", "", "", uint8(10), false, uint8(2))
	f.Add(strings.Repeat("😀", 3000), strings.Repeat("[", 500), strings.Repeat("é", 300), strings.Repeat(">", 300), uint8(11), true, uint8(3))
	f.Add(strings.Repeat("line `x` <y> & z\n", 400), "https://evil.example", "d-X|y", "https://h.example/a)b", uint8(0), true, uint8(0))
	f.Add(strings.Repeat("\\", 5000), "# h", "- x", "1. y", uint8(0x30), true, uint8(1))
	f.Add("a", strings.Repeat("`", 300), "3c6f9a2e-8b1d-4e0f-9a57-2d4b6c8e1f03", "prod:web", uint8(0x0d), false, uint8(2))
	mentionSets := []Mentions{{}, {Everyone: true, Here: true}, {Users: []string{"80351110224678912"}, Roles: []string{"41771983423143936"}}, {Here: true, Roles: []string{"1"}}}
	f.Fuzz(func(t *testing.T, msg, name, id, target string, kind uint8, switched bool, who uint8) {
		ev := messagetest.FuzzEvent(msg, name, id, target, kind, switched)
		n := &message.Notice{Event: ev, Now: messagetest.Now, Actions: messagetest.FuzzActions(msg, name, id, target), Details: messagetest.FuzzDetails(msg, name, id, target, kind)}
		m := message.Build(n)
		mentions := mentionSets[int(who)%len(mentionSets)]
		body, err := Format(m, mentions)
		if err != nil {
			t.Fatal(err)
		}
		checkDiscordMessage(t, body, m, mentions)
		again, _ := Format(m, mentions)
		if !bytes.Equal(body, again) {
			t.Fatal("not deterministic")
		}
	})
}

func TestCutLine(t *testing.T) {
	if got := cutLine(`abc\\\(def`, 6); got != `abc\\…` {
		t.Errorf("cutLine = %q, want the escaped backslash kept and no lone one", got)
	}
	if got := cutLine(`abc\(def`, 5); got != `abc…` {
		t.Errorf("cutLine = %q, want the half escape dropped", got)
	}
	if got := cutLine("short", 6); got != "short" {
		t.Errorf("cutLine = %q", got)
	}
}

func TestRepair(t *testing.T) {
	for in, want := range map[string]string{
		"a `code":                    "a `code`",
		"a `":                        "a",
		"a [label](https://x.y/":     "a",
		"a [lab":                     "a",
		"[ok](https://x.y) · [cut](": "[ok](https://x.y) ·",
		"```\nlog":                   "```\nlog\n```",
		"text\n```\n":                "text",
		`\[not a link`:               `\[not a link`,
		"`[in code`":                 "`[in code`",
	} {
		if got := repair(in); got != want {
			t.Errorf("repair(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEncodeRefusesBrokenLimits: the last guard names the limit rather
// than send a body Discord would refuse.
func TestEncodeRefusesBrokenLimits(t *testing.T) {
	x := func(n int) string { return strings.Repeat("x", n) }
	ok := embed{Title: "t", Description: "d"}
	fields := func(n, value int) []field {
		fs := make([]field, n)
		for i := range fs {
			fs[i] = field{Name: "n", Value: x(value)}
		}
		return fs
	}
	for _, tc := range []struct {
		msg  webhookMessage
		want string
	}{
		{webhookMessage{Content: x(2001)}, "content is 2001 characters"},
		{webhookMessage{Content: "c", Embeds: slices.Repeat([]embed{ok}, 11)}, "11 embeds"},
		{webhookMessage{Embeds: []embed{{Title: x(257)}}}, "title is 257"},
		{webhookMessage{Embeds: []embed{{Description: x(4097)}}}, "description is 4097"},
		{webhookMessage{Embeds: []embed{{Fields: fields(26, 1)}}}, "26 fields"},
		{webhookMessage{Embeds: []embed{{Fields: fields(1, 1025)}}}, "value is 1025"},
		{webhookMessage{Embeds: []embed{{Fields: []field{{Name: x(257), Value: "v"}}}}}, "name is 257"},
		{webhookMessage{Embeds: []embed{{Fields: []field{{Name: " ", Value: "v"}}}}}, "empty name or value"},
		{webhookMessage{Embeds: []embed{{Footer: &footer{Text: x(2049)}}}}, "footer is 2049"},
		{webhookMessage{Embeds: []embed{{Author: &author{Name: x(257)}}}}, "author is 257"},
		{webhookMessage{Embeds: []embed{{Description: x(4000)}, {Description: x(2001)}}}, "embeds hold 6001 characters"},
		{webhookMessage{}, "empty message"},
	} {
		_, err := encode(tc.msg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("encode: err = %v, want %q", err, tc.want)
		}
	}
	if _, err := encode(webhookMessage{Content: x(2000), Embeds: []embed{{Description: x(4000)}, {Description: x(2000)}}}); err != nil {
		t.Errorf("at the limits: %v", err)
	}
}
