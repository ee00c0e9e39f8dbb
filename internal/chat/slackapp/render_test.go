package slackapp

import (
	"encoding/json"
	"flag"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/chat/slackapp/slackfake"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
	"github.com/cutover-dev/cutover/internal/secret"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// checkBody asserts what Slack would accept of a postMessage body, and
// that no mention or foreign link came from the deployment's text.
func checkBody(t testing.TB, body []byte, configured ...string) {
	t.Helper()
	var m Message
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body: %v", err)
	}
	if strings.TrimSpace(m.Text) == "" {
		t.Error("no fallback text")
	}
	if code := slackfake.CheckMessage(m.Text, m.Blocks, m.Attachments, 4000); code != "" {
		t.Errorf("Slack would answer %s: %s", code, body)
	}
	for _, bad := range []string{"<!channel", "<!here", "<!everyone", "<@U0123", "<https://evil", "<b>"} {
		if strings.Contains(string(body), bad) && !slices.ContainsFunc(configured, func(c string) bool { return strings.HasPrefix(c, bad) }) {
			t.Errorf("body holds %q from a deployment's text", bad)
		}
	}
}

// TestRenderGolden: the first message of every fixture (parent, buttons
// on, or the reply of a follow-up), as `cutover render --to slack-app`
// shows it.
func TestRenderGolden(t *testing.T) {
	spec := chat.Spec{Name: "ops", Type: Type, Channel: "C0DEPLOYS", SigningSecret: secret.New("s"), AllowedUsers: []string{"U0ALLOWED"}}
	messagetest.GoldenCases(t, messagetest.Cases(t), *update, func(n *message.Notice) ([]byte, error) {
		return RenderSpec(n, spec)
	}, func(t *testing.T, _ *message.Notice, body []byte) { checkBody(t, body) })
}

// story is a deployment's events, in order, as notices.
func story() []*message.Notice {
	base := messagetest.GoNotices()["details-traffic-switched"].Event
	at := func(name string, phase deploy.Phase, min int) *message.Notice {
		ev := base
		ev.Name, ev.Phase, ev.Target = name, phase, nil
		ev.ID = "msg-" + name
		ev.Published = time.Date(2026, 11, 26, 11, min, 0, 0, time.UTC)
		n := &message.Notice{Event: ev, Now: ev.Published}
		if phase == deploy.TrafficSwitched {
			d := *messagetest.GoNotices()["details-traffic-switched"]
			d.Event.Published, d.Event.ID, d.Now = ev.Published, ev.ID, messagetest.Now
			return &d
		}
		return n
	}
	return []*message.Notice{
		at(codedeploy.DeploymentStart, deploy.Started, 40),
		at(codedeploy.DeploymentReady, deploy.Ready, 47),
		at(codedeploy.InstanceSuccess, deploy.TrafficSwitched, 52),
		at(codedeploy.DeploymentSuccess, deploy.Succeeded, 58),
	}
}

// mergeParent merges n's step and head into st and returns the parent
// message it makes and that message encoded as Slack receives it.
func mergeParent(t *testing.T, st *State, n *message.Notice, head *Head) (*Message, []byte) {
	t.Helper()
	st.Merge(StepOf(n), head)
	msg, err := Parent(st)
	if err != nil {
		t.Fatal(err)
	}
	body, err := chat.EncodeJSON(msg)
	if err != nil {
		t.Fatal(err)
	}
	return msg, body
}

// TestParentGolden: the parent after each phase of a deployment, with
// and without buttons; its replies; a broadcast failure reply; a
// follow-up.
func TestParentGolden(t *testing.T) {
	for _, buttons := range []bool{true, false} {
		st := &State{Thread: "d-7XQ2K9ABC"}
		for i, n := range story() {
			head, err := HeadOf(n, message.Build(n), nil, buttons, "ops")
			if err != nil {
				t.Fatal(err)
			}
			_, body := mergeParent(t, st, n, head)
			checkBody(t, body)
			name := "parent-" + string(n.Event.Phase)
			if !buttons {
				name += "-no-buttons"
			}
			messagetest.GoldenJSON(t, filepath.Join("testdata", "story", name+".golden.json"), body, *update)
			hasButtons := strings.Contains(string(body), ActionRollback)
			if want := buttons && i == 2; hasButtons != want {
				t.Errorf("%s: buttons %v, want %v", name, hasButtons, want)
			}
		}
	}
	replies := map[string]func() (*Message, error){ // the failure reply pings the configured <!here>
		"reply-ready": func() (*Message, error) {
			n := story()[1]
			return Reply(message.Build(n), nil, "1764600000.000100", false)
		},
		"reply-failure-broadcast": func() (*Message, error) {
			n := messagetest.GoNotices()["details-failure-diagnostics"]
			return Reply(message.Build(n), []string{"<!here>"}, "1764600000.000100", true)
		},
		"reply-followup": func() (*Message, error) {
			n := messagetest.GoNotices()["followup-completed"]
			return Reply(message.Build(n), nil, "1764600000.000100", false)
		},
	}
	for name, render := range replies {
		msg, err := render()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := chat.EncodeJSON(msg)
		checkBody(t, body, "<!here>")
		if msg.ThreadTS != "1764600000.000100" {
			t.Errorf("%s: thread_ts %q", name, msg.ThreadTS)
		}
		messagetest.GoldenJSON(t, filepath.Join("testdata", "story", name+".golden.json"), body, *update)
	}
}

// TestMergeOrderIndependent: the same steps in any order give the same
// parent, byte for byte.
func TestMergeOrderIndependent(t *testing.T) {
	ns := story()
	render := func(order []int) string {
		st := &State{Thread: "d-7XQ2K9ABC"}
		for _, i := range order {
			head, err := HeadOf(ns[i], message.Build(ns[i]), nil, true, "ops")
			if err != nil {
				t.Fatal(err)
			}
			st.Merge(StepOf(ns[i]), head)
			st.Merge(StepOf(ns[i]), head) // a redelivery changes nothing
		}
		msg, err := Parent(st)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := chat.EncodeJSON(msg)
		return string(b)
	}
	want := render([]int{0, 1, 2, 3})
	for _, order := range [][]int{{3, 2, 1, 0}, {2, 0, 3, 1}, {1, 3, 0, 2}} {
		if got := render(order); got != want {
			t.Errorf("order %v renders differently", order)
		}
	}
	if !strings.Contains(want, "*Succeeded*") || strings.Contains(want, ActionRollback) {
		t.Errorf("the succeeded head must be current and without buttons: %s", want)
	}
}

// TestButtonsPerPlatform: ECS-native offers only Roll back.
func TestButtonsPerPlatform(t *testing.T) {
	n := *messagetest.GoNotices()["details-traffic-switched"]
	for platform, want := range map[deploy.Platform][]string{
		deploy.CodeDeployECS: {ActionRollback, ActionFinishEarly},
		deploy.ECSNative:     {ActionRollback},
	} {
		n.Event.Platform = platform
		msg, err := First(&n, message.Build(&n), nil, true, "ops")
		if err != nil {
			t.Fatal(err)
		}
		var blocks []struct {
			Type     string `json:"type"`
			Elements []struct {
				ActionID string `json:"action_id"`
				Value    string `json:"value"`
			} `json:"elements"`
		}
		if err := json.Unmarshal(msg.Blocks, &blocks); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, b := range blocks {
			if b.Type == "actions" {
				for _, e := range b.Elements {
					got = append(got, e.ActionID)
					if !strings.Contains(e.Value, `"d":"d-7XQ2K9ABC"`) || !strings.Contains(e.Value, `"n":"ops"`) {
						t.Errorf("%s: button value %s", platform, e.Value)
					}
				}
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: buttons %v, want %v", platform, got, want)
		}
	}
}

// FuzzRender: hostile deployment text renders a parent and a reply that
// Slack accepts and that neither ping nor forge links.
func FuzzRender(f *testing.F) {
	f.Add("stopped by <!here> <https://evil.example|click>", "<!channel>", "d-<b>|x", "c:s", uint8(3), true)
	f.Add(strings.Repeat("é&<>", 900), "app", "d-7XQ2K9ABC", "", uint8(1), false)
	f.Fuzz(func(t *testing.T, msg, name, id, target string, kind uint8, switched bool) {
		ev := messagetest.FuzzEvent(msg, name, id, target, kind, switched)
		n := &message.Notice{Event: ev, Now: messagetest.Now, Details: messagetest.FuzzDetails(msg, name, id, target, kind), Actions: messagetest.FuzzActions(msg, name, id, target)}
		m := message.Build(n)
		head, err := HeadOf(n, m, nil, true, "ops")
		if err != nil {
			t.Fatal(err)
		}
		st := &State{Thread: id}
		st.Merge(StepOf(n), head)
		rb := StepOf(n)
		rb.Key, rb.Deployment, rb.Rollback = "rb", msg, true
		st.Merge(rb, nil)
		p, err := Parent(st)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Reply(m, nil, "1.2", true)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []*Message{p, r} {
			body, err := chat.EncodeJSON(x)
			if err != nil {
				t.Fatal(err)
			}
			if code := slackfake.CheckMessage(x.Text, x.Blocks, x.Attachments, 4000); code != "" {
				t.Fatalf("Slack would answer %s", code)
			}
			for _, bad := range []string{"<!channel", "<!here", "<!everyone", "<@", "<#", "<!subteam"} {
				if strings.Contains(string(body), bad) {
					t.Fatalf("body holds %q", bad)
				}
			}
		}
	})
}

// TestParentRequestedGolden: after a click that acted, the parent says who
// asked for what and when, and has no buttons, even while the head still
// offers them.
func TestParentRequestedGolden(t *testing.T) {
	st := &State{Thread: "d-7XQ2K9ABC"}
	for _, n := range story()[:3] {
		head, err := HeadOf(n, message.Build(n), nil, true, "ops")
		if err != nil {
			t.Fatal(err)
		}
		st.Merge(StepOf(n), head)
	}
	if len(st.Head.Buttons) == 0 {
		t.Fatal("the traffic-switched head offers no buttons: nothing to take away")
	}
	st.Request(Requested{Action: "finish-early", User: "U0BOB", At: time.Date(2026, 11, 26, 15, 4, 0, 0, time.UTC)})
	st.Request(Requested{Action: "rollback", User: "U0ALICE", At: time.Date(2026, 11, 26, 15, 2, 59, 0, time.UTC)})
	st.Request(Requested{Action: "rollback", User: "U0CAROL", At: time.Date(2026, 11, 26, 15, 3, 0, 0, time.UTC)})
	msg, err := Parent(st)
	if err != nil {
		t.Fatal(err)
	}
	body, err := chat.EncodeJSON(msg)
	if err != nil {
		t.Fatal(err)
	}
	checkBody(t, body)
	s := string(body)
	if strings.Contains(s, ActionRollback) || strings.Contains(s, ActionFinishEarly) {
		t.Error("buttons after a request")
	}
	if !strings.Contains(s, "Rollback requested by <@U0ALICE> at 15:02 UTC") || strings.Contains(s, "U0CAROL") ||
		!strings.Contains(s, "Finish early requested by <@U0BOB> at 15:04 UTC") {
		t.Errorf("request lines: %s", s)
	}
	messagetest.GoldenJSON(t, filepath.Join("testdata", "story", "parent-requested.golden.json"), body, *update)
}
