package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cutover-dev/cutover/internal/app"
	"github.com/cutover-dev/cutover/internal/chat/slackapp"
	"github.com/cutover-dev/cutover/internal/chat/slackapp/slackfake"
	"github.com/cutover-dev/cutover/internal/cli"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/lambdafn"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// hostileDir is the hostile corpus; its README says how to add a case.
const hostileDir = "testdata/hostile"

// Decisions an input of the hostile corpus may expect (expectations.txt).
const (
	decideDeliver = "deliver" // at least one event, delivered to every destination
	decideReject  = "reject"  // nothing delivered, the invocation succeeds
	decideHook    = "hook"    // a lifecycle hook: decided, never silently dropped
)

// hostileCase is one input of the corpus and what it expects.
type hostileCase struct {
	file, decision, field string
	input                 []byte
}

// loadHostile reads expectations.txt and every input it names; a file of
// the corpus without an expectation, or an expectation without its file,
// fails the test.
func loadHostile(t *testing.T) []hostileCase {
	t.Helper()
	f, err := os.Open(filepath.Join(hostileDir, "expectations.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []hostileCase
	named := map[string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) < 2 || len(parts) > 3 || !slices.Contains([]string{decideDeliver, decideReject, decideHook}, parts[1]) {
			t.Fatalf("expectations.txt:%d: want FILE<TAB>deliver|reject|hook[<TAB>FIELD], got %q", n, line)
		}
		c := hostileCase{file: parts[0], decision: parts[1]}
		if len(parts) == 3 {
			c.field = parts[2]
		}
		if c.input, err = os.ReadFile(filepath.Join(hostileDir, c.file)); err != nil {
			t.Fatalf("expectations.txt:%d: %v", n, err)
		}
		named[c.file] = true
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(hostileDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if n := e.Name(); n != "expectations.txt" && n != "README.md" && !named[n] {
			t.Errorf("%s/%s has no line in expectations.txt", hostileDir, n)
		}
	}
	return cases
}

// hostileDest is one destination of the corpus run: a fake answering like
// its service.
type hostileDest struct {
	typ, path string
	ok        testrig.Reply
	// fake records every request the destination made.
	fake *testrig.FakeChat
	// slack is the Slack Web API fake that answers the requests fake
	// records (slack-app only): it keeps the messages, threads and
	// updates as Slack would.
	slack *slackfake.Server
}

// hostileChannel is the channel of the corpus's slack-app destination in
// slackfake's default workspace.
const hostileChannel = "C0DEPLOYS"

func hostileDests(t *testing.T) []*hostileDest {
	ds := []*hostileDest{}
	for _, d := range lostDests() {
		fake := testrig.NewFakeChat(t)
		fake.SetDefault(d.ok)
		ds = append(ds, &hostileDest{typ: d.typ, path: d.path, ok: d.ok, fake: fake})
	}
	fake, slack := slackAppFake(t)
	return append(ds, &hostileDest{typ: slackapp.Type, fake: fake, slack: slack})
}

// slackAppFake is a Slack Web API fake (slackfake: tokens, channels,
// threads, updates, Block Kit limits) behind a recording FakeChat, whose
// URL()+"/api/" is the API base URL to configure.
func slackAppFake(t *testing.T) (*testrig.FakeChat, *slackfake.Server) {
	t.Helper()
	slack := slackfake.New(t, slackfake.Options{})
	fake := testrig.NewFakeChat(t)
	fake.SetScript(func(req testrig.Request) testrig.Reply {
		return func(w http.ResponseWriter, r *http.Request) {
			r.Body = io.NopCloser(bytes.NewReader(req.Body))
			slack.Config.Handler.ServeHTTP(w, r)
		}
	})
	return fake, slack
}

// slackAppPosts is how many events a slack-app destination delivered in
// reqs: each event posts once (the parent, its own message, or a thread
// reply after chat.update of the parent).
func slackAppPosts(reqs []testrig.Request) int {
	n := 0
	for _, r := range reqs {
		if strings.HasSuffix(r.Path, "/chat.postMessage") {
			n++
		}
	}
	return n
}

// hostileEnv is the configuration of send and the Lambda: one destination
// of every type, each taking every event, no enrichment, no records.
func hostileEnv(t *testing.T, dests []*hostileDest) map[string]string {
	t.Helper()
	var list []map[string]any
	env := map[string]string{
		config.EnvEnrich: "false",
		"AWS_REGION":     testrig.Region,
	}
	for _, d := range dests {
		entry := map[string]any{"name": d.typ, "type": d.typ, "url": d.fake.URL() + d.path, "events": app.Sources().EventNames()}
		switch d.typ {
		case "webhook":
			entry["signing_secret"] = "whsec_" + base64.StdEncoding.EncodeToString([]byte("hostile-corpus-signing-key-32byt"))
		case slackapp.Type:
			entry = slackAppEntry()
			env[config.EnvSlackAPIURL] = d.fake.URL() + "/api/"
		}
		list = append(list, entry)
	}
	env[config.EnvDestinations] = string(mustJSON(t, list))
	return env
}

// slackAppEntry is the corpus's slack-app destination: every event, a
// plain bot token (local use), and the buttons enabled (a signing secret
// and an allowed user), as a team with buttons configures it. Enrichment
// is off here, so no rollback window is known and no message carries the
// buttons themselves.
func slackAppEntry() map[string]any {
	return map[string]any{"name": slackapp.Type, "type": slackapp.Type, "channel": hostileChannel, "token": slackfake.Token,
		"signing_secret": "hostile-corpus-slack-signing-secret", "allowed_users": []string{"U0HOSTILE1"},
		"events": app.Sources().EventNames()}
}

// pathResult is what one path (render, send, lambda) decided for an input.
type pathResult struct {
	// events is how many events it rendered or delivered to each
	// destination; -1 when destinations disagree.
	events int
	// failed is a non-zero exit (render, send) or an invocation error
	// (lambda, which Lambda would retry).
	failed bool
	// err is the error text, if any.
	err string
	// out holds what it printed (render, send).
	out string
}

// ping matches, in the visible text of a destination's message (see
// visibleText), what would notify people there, by destination type.
var ping = map[string]*regexp.Regexp{
	"slack":      regexp.MustCompile(`<!(channel|here|everyone|subteam)|<@[UW][A-Z0-9]`),
	"slack-app":  regexp.MustCompile(`<!(channel|here|everyone|subteam)|<@[UW][A-Z0-9]`),
	"teams":      regexp.MustCompile(`(?i)<at>`),
	"discord":    regexp.MustCompile(`@everyone|@here|<@[!&]?[0-9]`),
	"googlechat": regexp.MustCompile(`<users/`),
	"webhook":    nil, // a document for programs: nothing renders a mention
}

// labelledLink finds, by destination type, the links whose text differs
// from their target in the visible text of a message: <url|text> in Slack
// mrkdwn and Google Chat text, [text](url) in Discord and Teams Markdown.
var labelledLink = map[string]*regexp.Regexp{
	"slack":      regexp.MustCompile(`<(https?://[^|>]*)\|`),
	"slack-app":  regexp.MustCompile(`<(https?://[^|>]*)\|`),
	"googlechat": regexp.MustCompile(`<(https?://[^|>]*)\|`),
	"discord":    regexp.MustCompile(`\]\((https?://[^)\s]*)\)`),
	"teams":      regexp.MustCompile(`\]\((https?://[^)\s]*)\)`),
}

// trustedLink is the host of every link cutover may put behind a label or
// a button: the AWS consoles of the three partitions.
var trustedLink = regexp.MustCompile(`^([a-z0-9-]+\.)?console\.(aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)$`)

// urlKeys are JSON keys whose value is a link a client opens (buttons,
// embeds, card actions, the webhook document's links).
var urlKeys = map[string]bool{"url": true, "href": true, "link": true, "title_link": true, "author_link": true}

// codeSpan and escaped are text every destination shows literally: inline
// code, and a character escaped with a backslash (Discord, Teams).
var (
	codeSpan = regexp.MustCompile("`[^`]*`")
	escaped  = regexp.MustCompile(`\\.`)
)

// linkTarget is the target of a labelled link: a client shows its label,
// never the target's text, and mentions in it do not notify anyone.
var linkTarget = regexp.MustCompile(`\]\([^)\s]*\)|<https?://[^|>]*\|`)

// visibleText is the text of s that a chat client interprets: without
// code spans and backslash-escaped characters.
func visibleText(s string) string {
	return escaped.ReplaceAllString(codeSpan.ReplaceAllString(s, ""), "")
}

// markdownKeys are the Discord embed keys whose text renders Markdown
// links; footers, titles and author names show text as it is.
var markdownKeys = map[string]bool{"content": true, "description": true, "value": true}

// hiddenKeys are, by destination type, the JSON keys whose value no
// client shows: a Slack message's metadata is data for programs (which
// delivery a post is, for the slack-app's lookup after a lost answer).
var hiddenKeys = map[string]map[string]bool{"slack-app": {"metadata": true}}

// walkStrings calls fn with every string of the JSON document body, a
// message of destination type typ, and its key (the whole body when it is
// not JSON), leaving out what typ's clients never show.
func walkStrings(typ string, body []byte, fn func(key, s string)) {
	hidden := hiddenKeys[typ]
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if !hidden[k] {
					walk(k, e)
				}
			}
		case []any:
			for _, e := range x {
				walk(key, e)
			}
		case string:
			fn(key, x)
		}
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		v = string(body)
	}
	walk("", v)
}

// pings returns what in body, a message of destination type typ, would
// notify people.
func pings(typ string, body []byte) []string {
	re := ping[typ]
	if re == nil {
		return nil
	}
	var found []string
	walkStrings(typ, body, func(key, s string) {
		if urlKeys[strings.ToLower(key)] {
			return // a link's target, not text
		}
		found = append(found, re.FindAllString(linkTarget.ReplaceAllString(visibleText(s), "]"), -1)...)
	})
	return found
}

// forgedLinks returns the links in body, a message of destination type
// typ, that point anywhere but the AWS console: a button, a card action
// or a labelled link whose target the input chose.
func forgedLinks(typ string, body []byte) []string {
	var bad []string
	check := func(raw string) {
		u, err := url.Parse(raw)
		if err != nil || !trustedLink.MatchString(u.Hostname()) || u.User != nil {
			bad = append(bad, raw)
		}
	}
	walkStrings(typ, body, func(key, s string) {
		if urlKeys[strings.ToLower(key)] && s != "" {
			check(s)
		}
		if re := labelledLink[typ]; re != nil && (typ != "discord" || markdownKeys[key]) {
			for _, m := range re.FindAllStringSubmatch(visibleText(s), -1) {
				check(m[1])
			}
		}
	})
	return bad
}

// hostileFigures are the corpus run's figures.
type hostileFigures struct {
	Inputs, Panics, Agree, Pings, Forged, Bootstrap, BootstrapAgree int
	// Destinations are the destination types every input ran through.
	Destinations []string
	// Parents, Updates and Replies are what the slack-app destination
	// made in the Slack fakes on every path: parent messages, chat.update
	// calls that changed one, thread replies.
	Parents, Updates, Replies int
}

func (f hostileFigures) line() string {
	return fmt.Sprintf("hostile corpus: %d inputs, %d destinations (%s), %d panics, %d decisions agree on render/send/lambda, %d pings, %d forged links, %d of %d agree through the bootstrap under the emulator; slack-app: %d parents, %d updates, %d thread replies",
		f.Inputs, len(f.Destinations), strings.Join(f.Destinations, ", "), f.Panics, f.Agree, f.Pings, f.Forged, f.BootstrapAgree, f.Bootstrap, f.Parents, f.Updates, f.Replies)
}

// countSlackApp adds what the Slack fakes of dests hold to f.
func (f *hostileFigures) countSlackApp(dests []*hostileDest) {
	for _, d := range dests {
		if d.slack == nil {
			continue
		}
		for _, m := range d.slack.Messages(hostileChannel) {
			if m.ThreadTS == "" {
				f.Parents++
			} else {
				f.Replies++
			}
			f.Updates += m.Updates
		}
	}
}

// TestHostileCorpus runs every input of testdata/hostile through `cutover
// render` (to every destination type), `cutover send` (to a fake of every
// destination type) and the Lambda handler in-process, then a sample
// through the real bootstrap under the Runtime Interface Emulator, and
// asserts per input: no panic; the decision expectations.txt names, the
// same on every path; a one-line error naming the field where one is
// named; nothing in any destination's output that pings or forges a link;
// an invocation result that does not make Lambda retry rejected input.
func TestHostileCorpus(t *testing.T) {
	cases := loadHostile(t)
	if len(cases) < 50 {
		t.Errorf("the corpus has %d inputs, want at least 50", len(cases))
	}
	// Enrichment is off: the only AWS calls allowed are a CodeDeploy
	// lifecycle hook's (which hook is running, and its status: the
	// deployment waits for it); every other input must make none.
	var awsCalls, hookCalls atomic.Int64
	noAWS := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t := r.Header.Get("X-Amz-Target"); strings.HasPrefix(t, "CodeDeploy_20141006.") {
			hookCalls.Add(1)
		}
		awsCalls.Add(1)
		http.Error(w, "no AWS in this test", http.StatusInternalServerError)
	}))
	t.Cleanup(noAWS.Close)
	t.Setenv("AWS_ENDPOINT_URL", noAWS.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	dests := hostileDests(t)
	env := hostileEnv(t, dests)
	getenv := func(k string) string { return env[k] }
	cfg, err := config.Load(getenv, app.Sources(), app.Destinations().Names())
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	awsCfg := aws.Config{Region: testrig.Region, Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String(noAWS.URL)}
	var lambdaLogs syncBuffer
	sys, err := app.Build(context.Background(), cfg, app.Options{Log: jsonLogger(&lambdaLogs), Lambda: true, AWS: &awsCfg})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	t.Cleanup(sys.Close)
	handler := &lambdafn.Handler{System: sys, Log: jsonLogger(&lambdaLogs)}

	fig := hostileFigures{Inputs: len(cases)}
	for _, d := range dests {
		fig.Destinations = append(fig.Destinations, d.typ)
	}
	lambdaDecision := map[string]pathResult{}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			callsBefore, hookBefore := awsCalls.Load(), hookCalls.Load()
			defer func() {
				calls, hooks := awsCalls.Load()-callsBefore, hookCalls.Load()-hookBefore
				if calls > hooks || (hooks > 0 && c.decision != decideHook) {
					t.Errorf("%d AWS calls (%d of them CodeDeploy): only a CodeDeploy lifecycle hook may call AWS here", calls, hooks)
				}
			}()
			file := filepath.Join(dir, c.file)
			if err := os.WriteFile(file, c.input, 0o600); err != nil {
				t.Fatal(err)
			}
			panicked := false
			guard := func(what string, fn func()) {
				defer func() {
					if p := recover(); p != nil {
						panicked = true
						t.Errorf("%s panicked: %v", what, p)
					}
				}()
				fn()
			}
			var outputs []destOutput

			// render, to every destination type.
			render := pathResult{events: -2}
			for _, d := range dests {
				var r pathResult
				guard("render --to "+d.typ, func() { r = runCLI(getenv, "render", "--to", d.typ, file) })
				n := 0
				for _, l := range strings.Split(r.out, "\n") {
					if strings.TrimSpace(l) != "" {
						n++
						outputs = append(outputs, destOutput{d.typ, "render", []byte(l)})
					}
				}
				r.events = n
				switch {
				case render.events == -2:
					render = r
				case render.events != n || render.failed != r.failed:
					t.Errorf("render --to %s: %d events (failed %t), render --to %s: %d (failed %t)", d.typ, n, r.failed, dests[0].typ, render.events, render.failed)
					render.events = -1
				}
			}

			// send, to a fake of every type.
			before := counts(dests)
			var send pathResult
			guard("send", func() { send = runCLI(getenv, "send", "--no-records", file) })
			send.events = delivered(t, "send", dests, before, &outputs)

			// the Lambda handler, in-process. Lambda's Invoke takes only
			// JSON: other bytes reach the function inside an SNS record.
			payload := c.input
			if !json.Valid(payload) {
				payload = snsWrap(t, "hostile-"+c.file, string(c.input))
			}
			before = counts(dests)
			var lam pathResult
			var result any
			guard("lambda", func() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				var err error
				result, err = handler.Invoke(ctx, payload)
				if err != nil {
					lam.failed, lam.err = true, err.Error()
				}
			})
			lam.events = delivered(t, "lambda", dests, before, &outputs)
			if kept := batchFailures(result); kept > 0 {
				lam.failed, lam.err = true, fmt.Sprintf("%d batch item failures", kept)
			}
			lambdaDecision[c.file] = lam
			if panicked {
				fig.Panics++
				return
			}

			// The decision, the same everywhere.
			agree := render.events == send.events && send.events == lam.events
			switch c.decision {
			case decideDeliver:
				if render.events < 1 || render.failed || send.failed || lam.failed {
					t.Errorf("want delivered: render %+v, send %+v, lambda %+v", render, send, lam)
					agree = false
				}
			case decideReject:
				if render.events != 0 || !render.failed || !send.failed || lam.failed {
					t.Errorf("want rejected (render and send exit 1, the invocation succeeds: no retry storm): render %+v, send %+v, lambda %+v", render, send, lam)
					agree = false
				}
				if lam.events != 0 || result != nil && batchFailures(result) != 0 {
					t.Errorf("rejected input: lambda delivered %d, result %v", lam.events, result)
				}
			case decideHook:
				// Hook mode is being built: only that it is decided,
				// never silently dropped, on every path.
				if !render.failed && render.events == 0 {
					t.Errorf("render dropped a lifecycle hook silently: %+v", render)
				}
				if !send.failed && send.out == "" {
					t.Errorf("send dropped a lifecycle hook silently: %+v", send)
				}
				if !lam.failed && result == nil {
					t.Errorf("the Lambda dropped a lifecycle hook silently (no error, no response)")
				}
				agree = render.events == send.events || send.failed
			}
			if !agree {
				t.Errorf("paths disagree: render %d events, send %d, lambda %d", render.events, send.events, lam.events)
			} else {
				fig.Agree++
			}

			// A clear one-line error, naming the field.
			for what, r := range map[string]pathResult{"render": render, "send": send} {
				if !r.failed {
					continue
				}
				if strings.Contains(r.err, "\n") || r.err == "" {
					t.Errorf("%s: error is not one line: %q", what, r.err)
				}
				if c.field != "" && !strings.Contains(r.err, c.field) {
					t.Errorf("%s: error %q does not name the field %s", what, r.err, c.field)
				}
			}

			// Nothing that pings, no forged link, in any output.
			for _, o := range outputs {
				if p := pings(o.typ, o.body); len(p) > 0 {
					fig.Pings++
					t.Errorf("%s %s output can ping (%q): %.300s", o.path, o.typ, p, o.body)
				}
				if bad := forgedLinks(o.typ, o.body); len(bad) > 0 {
					fig.Forged++
					t.Errorf("%s %s output links outside the AWS console: %q", o.path, o.typ, bad)
				}
			}
		})
	}

	// A sample through the real bootstrap under the emulator, posting to
	// a fake Slack: the same decision as the handler in-process.
	// a fake Slack webhook and a slack-app on a fake Slack Web API: the
	// same decision as the handler in-process.
	sample := hostileSample(cases)
	fig.Bootstrap = len(sample)
	appFake, appSlack := slackAppFake(t)
	bootDests := []*hostileDest{{typ: slackapp.Type, fake: appFake, slack: appSlack}}
	rig := startLambda(t, []string{
		"AWS_ENDPOINT_URL=" + noAWS.URL, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_REGION=" + testrig.Region, "AWS_EC2_METADATA_DISABLED=true",
	}, config.EnvEvents+"="+strings.Join(app.Sources().EventNames(), ","), config.EnvEnrich+"=false",
		config.EnvDestinations+"="+string(mustJSON(t, []map[string]any{slackAppEntry()})),
		config.EnvSlackAPIURL+"="+appFake.URL()+"/api/")
	for _, c := range sample {
		t.Run("bootstrap/"+c.file, func(t *testing.T) {
			payload := c.input
			if !json.Valid(payload) {
				payload = snsWrap(t, "hostile-"+c.file, string(c.input))
			}
			before, appBefore := rig.chat.Count(), counts(bootDests)
			inv := rig.invoke(t, payload)
			posts := rig.chat.Count() - before
			var outputs []destOutput
			appPosts := delivered(t, "bootstrap", bootDests, appBefore, &outputs)
			want := lambdaDecision[c.file]
			if strings.Contains(inv.Output, "panic") || strings.Contains(inv.Output, "Runtime.ExitError") {
				t.Fatalf("the function crashed:\n%.4000s", inv.Output)
			}
			failed := inv.FunctionError || batchFailuresJSON(inv.Body) > 0
			if posts != want.events || appPosts != want.events || failed != want.failed {
				t.Errorf("bootstrap: %d slack posts, %d slack-app posts, failed %t (%s); in-process handler: %d, failed %t", posts, appPosts, failed, inv.ErrorMessage, want.events, want.failed)
				return
			}
			for _, r := range rig.chat.Requests()[before:] {
				outputs = append(outputs, destOutput{"slack", "bootstrap", r.Body})
			}
			for _, o := range outputs {
				if len(pings(o.typ, o.body)) > 0 || len(forgedLinks(o.typ, o.body)) > 0 {
					t.Errorf("bootstrap %s output pings or forges a link: %.300s", o.typ, o.body)
					return
				}
			}
			fig.BootstrapAgree++
		})
	}

	fig.countSlackApp(append(slices.Clone(dests), bootDests...))
	if fig.Parents == 0 || fig.Updates == 0 || fig.Replies == 0 {
		t.Errorf("the corpus made %d slack-app parents, %d updates, %d thread replies: every kind must be checked", fig.Parents, fig.Updates, fig.Replies)
	}
	line := fig.line()
	t.Log(line)
	fmt.Println(line)
	appendFaultReport(t, line)
}

// destOutput is one body a destination would show: rendered, or received
// by its fake.
type destOutput struct {
	typ, path string
	body      []byte
}

// hostileSample picks the corpus inputs the bootstrap runs: the first two
// of each decision, and every one whose name says it is injected into a
// region, a batch or an event in another envelope.
func hostileSample(cases []hostileCase) []hostileCase {
	var out []hostileCase
	seen := map[string]int{}
	for _, c := range cases {
		if seen[c.decision] < 2 || strings.Contains(c.file, "region") || strings.HasPrefix(c.file, "batch-") || strings.HasPrefix(c.file, "envelope-") {
			out = append(out, c)
			seen[c.decision]++
		}
	}
	return out
}

// runCLI runs cutover in-process with getenv and returns what it printed
// and its error.
func runCLI(getenv func(string) string, args ...string) pathResult {
	var out, errb bytes.Buffer
	err := cli.Run(context.Background(), args, cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: getenv})
	r := pathResult{out: out.String()}
	if err != nil {
		r.failed, r.err = true, err.Error()
	}
	return r
}

// mark is where a destination's fakes stood before a path ran: the
// requests recorded and, for slack-app, the messages the Slack fake holds.
type mark struct{ reqs, msgs int }

// counts marks each destination's fakes.
func counts(dests []*hostileDest) []mark {
	n := make([]mark, len(dests))
	for i, d := range dests {
		n[i].reqs = d.fake.Count()
		if d.slack != nil {
			n[i].msgs = len(d.slack.Messages(hostileChannel))
		}
	}
	return n
}

// delivered returns how many events each destination delivered since
// before, the same for all (else -1, and the test fails), and adds every
// request body to outputs. A slack-app event is one chat.postMessage (its
// chat.update calls are outputs too), and each must be a message the
// Slack fake now holds.
func delivered(t *testing.T, path string, dests []*hostileDest, before []mark, outputs *[]destOutput) int {
	t.Helper()
	n := -2
	for i, d := range dests {
		reqs := d.fake.Requests()[before[i].reqs:]
		for _, r := range reqs {
			*outputs = append(*outputs, destOutput{d.typ, path, r.Body})
		}
		got := len(reqs)
		if d.slack != nil {
			got = slackAppPosts(reqs)
			if held := len(d.slack.Messages(hostileChannel)) - before[i].msgs; held != got {
				t.Errorf("%s: slack-app made %d chat.postMessage calls, the Slack fake took %d messages", path, got, held)
			}
		}
		switch {
		case n == -2:
			n = got
		case n != got:
			t.Errorf("%s: %s got %d messages, %s %d", path, d.typ, got, dests[0].typ, n)
			n = -1
		}
	}
	return n
}

// batchFailures counts the records an SQS batch result asks the queue to
// keep.
func batchFailures(result any) int {
	if r, ok := result.(events.SQSEventResponse); ok {
		return len(r.BatchItemFailures)
	}
	return 0
}

// batchFailuresJSON is batchFailures of an invocation result's JSON.
func batchFailuresJSON(body []byte) int {
	var r events.SQSEventResponse
	if json.Unmarshal(body, &r) != nil {
		return 0
	}
	return len(r.BatchItemFailures)
}
