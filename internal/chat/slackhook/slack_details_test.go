package slackhook

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
	simenrich "github.com/cutover-dev/cutover/internal/enrich/simulated"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// The hints as Slack shows them.
const (
	hintSwitched = ":information_source: The original task set keeps running until the termination wait ends: stop the deployment with rollback to switch traffic back."
	hintReady    = ":information_source: Reroute traffic (continue the deployment) from the CodeDeploy console, or stop it."
)

func TestRenderSlackDetails(t *testing.T) {
	notices := messagetest.DetailNotices()
	for _, tc := range []struct {
		name      string
		want, not []string
		headline  string // the deadline line, right under the title
		fallback  string
	}{
		{
			name: "details-traffic-switched",
			want: []string{
				"*Started by*\na user", "*Description*\nRelease 3f9c2e1: faster &lt;checkout&gt; &amp; cart",
				"*Green (new)* `web-frontend:43` · 100% traffic · 4/4 running · target group `web-frontend-green`\nimages `111122223333.dkr.ecr.us-east-1.amazonaws.com/web-frontend:3f9c2e1`, `public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod`",
				"*Blue (original)* `web-frontend:42` · 0% traffic · 3/4 running, 1 pending · target group `web-frontend-blue`\nimage `111122223333.dkr.ecr.us-east-1.amazonaws.com/web-frontend:a1b7d04` (other images as above)",
				"*Roll back now* (stop the deployment; traffic returns to the original task set)\n```aws deploy stop-deployment --deployment-id d-7XQ2K9ABC --auto-rollback-enabled --region us-east-1```",
				"*Finish early* (end the wait and remove the original task set: no rollback after that)\n```aws deploy continue-deployment --deployment-id d-7XQ2K9ABC --deployment-wait-type TERMINATION_WAIT --region us-east-1```",
				"|ECS service> · <" + messagetest.ConsoleBase + "/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Fecs$252Fweb-frontend|Logs /ecs/web-frontend> · <",
				"|Deployment group>",
			},
			// The hint says what the commands say; the headline and footer link the deployment already.
			not:      []string{hintSwitched, "|Deployment>", "simulated"},
			headline: "\n:hourglass: *Roll back before 12:52 UTC (52 min left)*\nweb-frontend / web-frontend-prod · <",
			fallback: " · Roll back before 12:52 UTC (52 min left)",
		},
		{
			name:     "details-window-closed",
			not:      []string{hintSwitched, "*Roll back now*", "*Finish early*"},
			headline: "\n:warning: Rollback window closed at 11:58 UTC\n",
		},
		{
			name:     "details-no-window",
			not:      []string{hintSwitched, "```"},
			headline: "\n:warning: No rollback window: the original task set is terminated immediately\n",
		},
		{
			name: "details-ready-reroute",
			want: []string{
				"*Reroute traffic now* (continue the deployment)\n```aws deploy continue-deployment --deployment-id d-7XQ2K9ABC --deployment-wait-type READY_WAIT --region us-east-1```",
				"*Or stop the deployment* (production traffic stays on the original task set)\n```aws deploy stop-deployment",
			},
			not:      []string{hintReady, "*Task sets*", "*Roll back now*"},
			headline: "\n:hourglass: *Reroute traffic before 13:45 UTC (1 h 45 min left) or the deployment stops*\n",
			fallback: " · Reroute traffic before 13:45 UTC (1 h 45 min left) or the deployment stops",
		},
		{
			name: "details-failure-diagnostics",
			want: []string{
				"*Error* `HEALTH_CONSTRAINTS`",
				"*Failed step* `AfterAllowTraffic` on `prod-cluster:checkout-api` (2 min)\n`ScriptFailed` in `CodeDeployHook_checkout-smoke`: The AfterAllowTraffic hook returned Failed: 120 of 120 requests to &lt;https://checkout.internal&gt; failed",
				"• Rollback of d-FAIL00001 started: traffic returns to &lt;blue&gt;",
				"[smoke] FAIL: 120 of 120 requests failed```",
				"*Rolled back by*\n<https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-ROLLB0001?region=eu-west-1|d-ROLLB0001>",
				"&amp;v=2 -&gt; 502 &lt;Bad Gateway&gt; 'upstream' reset",
			},
			// The status message equal to the error is not repeated; the rollback link is a field, not a link line.
			not: []string{"• The deployment failed because", "Related deployment", "`upstream`"},
		},
		{
			name: "details-stop",
			want: []string{
				// The event had no error: the deployment's is shown.
				"*Error* `DEPLOYMENT_STOPPED_ON_REQUEST`\nThe deployment was stopped by a user request &amp; rolled back.",
				"*Stopped during* `AfterAllowTraffic` on `prod-cluster:web-frontend`",
				"*Green (new)* `web-frontend:43` · 0% traffic", "*Blue (original)* `web-frontend:42` · 100% traffic",
			},
			not: []string{"*Log tail*", "```"},
		},
		{
			name: "details-rollback-switched-back",
			want: []string{
				"*:leftwards_arrow_with_hook: Traffic switched back to the original task set* · rolling back <" + messagetest.ConsoleBase + "/codesuite/codedeploy/deployments/d-7XQ2K9ABC?region=us-east-1|d-7XQ2K9ABC>",
				// What serves now comes first, with all its images.
				"*Task sets*\n*Blue* `web-frontend:42` · 100% traffic · 3/4 running, 1 pending · target group `web-frontend-blue`\nimages `111122223333.dkr.ecr.us-east-1.amazonaws.com/web-frontend:a1b7d04`, `public",
				"*Green* `web-frontend:43` · 0% traffic",
			},
			// The standard rollback message says what the headline does.
			not:      []string{hintSwitched, "Started by", "Related deployment", "(new)", "*Roll back now*", ":hourglass:", "*Rollback*"},
			fallback: "Traffic switched back to the original task set · rolling back d-7XQ2K9ABC (",
		},
		{
			name: "details-pipeline-start",
			want: []string{
				"*Started by*\n<" + messagetest.ConsoleBase + "/codesuite/codepipeline/pipelines/web-frontend-release/executions/" + messagetest.ExecID + "/timeline?region=us-east-1|pipeline web-frontend-release · execution 0f4c2b1e>",
			},
			// The description says only what "Started by" does; the pipeline is linked once.
			not: []string{"*Description*", "|Pipeline>"},
		},
		{
			name: "details-partial",
			want: []string{"*Switched at*", "*Lifecycle*", hintSwitched, ":link: <" + messagetest.ConsoleBase + "/ecs/v2/clusters/prod-cluster/services/web-frontend/health?region=us-east-1|ECS service>"},
			not:  []string{"*Task sets*", "Started by", "Roll back before", "```"},
		},
		{
			name: "details-only-creator",
			want: []string{"*Started by*\nEC2 Auto Scaling"},
			not:  []string{"\n:link:", "*Task sets*"},
		},
		{
			name: "details-simulated",
			want: []string{"cutover · simulated details (demo) · :link: <"},
		},
		{
			name: "details-partition-cn-north-1",
			want: []string{"<https://cn-north-1.console.amazonaws.cn/codesuite/codedeploy/deployments/d-7XQ2K9ABC?region=cn-north-1|CodeDeploy console>",
				"<https://cn-north-1.console.amazonaws.cn/ecs/v2/clusters/", ":hourglass_flowing_sand: CloudFront E2QWRUHAPOMQZL: pending"},
			not: []string{"console.aws.amazon.com", "done", "(Pending)"},
		},
		{
			name: "details-partition-us-gov-west-1",
			want: []string{"<https://us-gov-west-1.console.amazonaws-us-gov.com/codesuite/codedeploy/deployments/d-7XQ2K9ABC?region=us-gov-west-1|d-7XQ2K9ABC>",
				"<https://us-gov-west-1.console.amazonaws-us-gov.com/codesuite/codedeploy/applications/"},
			not: []string{"console.aws.amazon.com"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := notices[tc.name]
			before := n.Event
			_, msg, all := renderT(t, n)
			if !eventsEqual(before, n.Event) {
				t.Error("RenderSlack changed the notice's event")
			}
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("message lacks %q:\n%s", w, all)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(all, w) || strings.Contains(msg.Text, w) {
					t.Errorf("message holds %q:\n%s", w, all)
				}
			}
			head := msg.Blocks.BlockSet[0]
			if tc.headline != "" && !strings.Contains(sectionText(head), tc.headline) {
				t.Errorf("headline lacks %q:\n%s", tc.headline, sectionText(head))
			}
			if tc.fallback != "" && !strings.Contains(msg.Text, tc.fallback) {
				t.Errorf("fallback %q lacks %q", msg.Text, tc.fallback)
			}
		})
	}
}

func eventsEqual(a, b deploy.Event) bool {
	return fmt.Sprintf("%+v", a) == fmt.Sprintf("%+v", b) && a.Rollback == b.Rollback
}

// TestRenderSlackDetailsOptional: without details, or with empty ones, the
// message is the one without details; every part can be missing alone.
func TestRenderSlackDetailsOptional(t *testing.T) {
	for name, n := range messagetest.PlainNotices() {
		plain, err := Render(n)
		if err != nil {
			t.Fatal(err)
		}
		empty := *n
		empty.Details = &enrich.Details{}
		got, err := Render(&empty)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(plain, got) {
			t.Errorf("%s: empty details change the message:\n%s\n%s", name, plain, got)
		}
	}
	n := messagetest.DetailNotices()["details-traffic-switched"]
	strip := []func(d *enrich.Details){
		func(d *enrich.Details) { d.Deployment = nil },
		func(d *enrich.Details) { d.Window = nil },
		func(d *enrich.Details) { d.Service = nil },
		func(d *enrich.Details) { d.Service.TaskSets = nil },
		func(d *enrich.Details) { d.Service.TaskSets = d.Service.TaskSets[1:] },
		func(d *enrich.Details) { d.Service.TaskSets[0].Containers = nil },
		func(d *enrich.Details) { d.Service.TaskSets[1].Containers = d.Service.TaskSets[0].Containers },
		func(d *enrich.Details) { d.Service.TaskSets[0].Label, d.Service.TaskSets[1].Label = "", "" },
		func(d *enrich.Details) {
			d.Service.TaskSets[0].TrafficKnown, d.Service.TaskSets[0].TaskDefinition = false, ""
		},
		func(d *enrich.Details) { d.Links = enrich.Links{} },
		func(d *enrich.Details) { d.Commands = enrich.Commands{} },
		func(d *enrich.Details) { d.Failure = &enrich.Failure{} },
		func(d *enrich.Details) {
			d.Failure = &enrich.Failure{Diagnostics: &enrich.Diagnostics{LogTail: "\n\n"}}
		},
	}
	for i, f := range strip {
		d := messagetest.SwitchedDetails()
		f(d)
		_, _, all := renderT(t, &message.Notice{Event: n.Event, Now: messagetest.Now, Details: d})
		for _, w := range []string{"Traffic switched to the new task set", "*Switched at*", "*ECS service*", "CodeDeploy console"} {
			if !strings.Contains(all, w) {
				t.Errorf("strip %d: message lacks %q:\n%s", i, w, all)
			}
		}
	}
	// Each stripped part is really gone, and what stands in says so.
	d := messagetest.SwitchedDetails()
	d.Service.TaskSets[1].Containers = d.Service.TaskSets[0].Containers
	if _, _, all := renderT(t, &message.Notice{Event: n.Event, Now: messagetest.Now, Details: d}); !strings.Contains(all, "\nsame images as above") {
		t.Errorf("same images: %s", all)
	}
	d = messagetest.SwitchedDetails()
	d.Service.TaskSets[0].TrafficKnown, d.Service.TaskSets[0].TaskDefinition = false, ""
	if _, _, all := renderT(t, &message.Notice{Event: n.Event, Now: messagetest.Now, Details: d}); !strings.Contains(all, "*Green (new)* `ecs-svc/9223370493423413672` · PRIMARY · 4/4 running") {
		t.Errorf("unknown traffic and task definition: %s", all)
	}
}

// TestRenderSlackWindowClock: the deadline counts down from the notice's
// Now, and without one from the event's own time.
func TestRenderSlackWindowClock(t *testing.T) {
	n := *messagetest.DetailNotices()["details-traffic-switched"]
	for _, tc := range []struct {
		now  time.Time
		want string
	}{
		{time.Date(2026, 11, 26, 11, 52, 31, 0, time.UTC), ":hourglass: *Roll back before 12:52 UTC (59 min left)*"},
		{time.Date(2026, 11, 26, 12, 52, 0, 0, time.UTC), ":hourglass: *Roll back before 12:52 UTC (30 s left)*"},
		{time.Date(2026, 11, 26, 12, 53, 0, 0, time.UTC), ":warning: Rollback window closed at 12:52 UTC"},
		{time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), ":warning: Rollback window closed at Nov 26 12:52 UTC"},
		{time.Time{}, ":hourglass: *Roll back before 12:52 UTC (59 min left)*"}, // from the event's LastUpdated
	} {
		n.Now = tc.now
		_, msg, _ := renderT(t, &n)
		if got := sectionText(msg.Blocks.BlockSet[0]); !strings.Contains(got, "\n"+tc.want+"\n") {
			t.Errorf("now %v: headline %q lacks %q", tc.now, got, tc.want)
		}
	}
}

// TestRenderSlackLogTail: the end of a long log is kept, whole lines only,
// and the cut is counted.
func TestRenderSlackLogTail(t *testing.T) {
	_, _, all := renderT(t, messagetest.DetailNotices()["details-failure-diagnostics"])
	m := regexp.MustCompile("\\*Log tail\\* … \\(truncated, (\\d+) earlier characters\\)\n```([^`]*)```").FindStringSubmatch(all)
	if m == nil {
		t.Fatalf("no visibly truncated log tail:\n%s", all)
	}
	shown := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(m[2])
	raw := strings.ReplaceAll(strings.TrimSpace(messagetest.LogTail()), "`", "'")
	dropped, _ := strconv.Atoi(m[1])
	if !strings.HasSuffix(raw, shown) || len([]rune(raw))-len([]rune(shown)) != dropped {
		t.Errorf("shown %d characters + %d dropped != %d, or not the end of the log", len([]rune(shown)), dropped, len([]rune(raw)))
	}
	if !strings.HasPrefix(shown, "[smoke] ") || strings.Count(shown, "\n")+1 > slackMaxLogLines {
		t.Errorf("log tail does not start at a line or has too many lines:\n%s", shown)
	}
	if message.UTF16Len(m[2]) > slackMaxLogTail {
		t.Errorf("log tail of %d characters", message.UTF16Len(m[2]))
	}
}

func TestTailText(t *testing.T) {
	for _, tc := range []struct {
		raw          string
		limit, lines int
		want         string
		dropped      int
	}{
		{"a\nb\nc", 100, 10, "a\nb\nc", 0},
		{"a\nb\nc", 100, 2, "b\nc", 2},       // at most 2 lines
		{"aaaa\nbb\ncc", 6, 10, "bb\ncc", 5}, // cut inside a line: from the next one
		{"aaaaaaaaaa", 5, 10, "aaaaa", 5},    // one long line: its end
		{"x`y<z", 100, 10, "x'y&lt;z", 0},    // no backtick can close the block
		{"a<<<<", 5, 10, "&lt;", 4},          // entities are never split
		{"\n\n  \n", 100, 10, "", 0},
	} {
		got, dropped := tailText(tc.raw, tc.limit, tc.lines)
		if got != tc.want || dropped != tc.dropped {
			t.Errorf("tailText(%q, %d, %d) = %q, %d; want %q, %d", tc.raw, tc.limit, tc.lines, got, dropped, tc.want, tc.dropped)
		}
	}
}

func TestSimulatedDemoRenders(t *testing.T) {
	// The demo's details for every kind render within limits.
	for _, k := range codedeploy.Names {
		for _, ev := range []deploy.Event{
			{Name: k, DeploymentID: "d-DEMO7XQ2K", Region: "us-east-1", LastUpdated: messagetest.Now.Add(-time.Minute)},
			{Name: k, DeploymentID: "d-DEMOBACK1", Region: "us-east-1",
				Target: &deploy.Target{ID: "prod-cluster:checkout-api", Type: "ECS", Cluster: "prod-cluster", Service: "checkout-api"}},
		} {
			codedeploy.Classify(&ev)
			n := &message.Notice{Event: ev, Now: messagetest.Now, Details: simenrich.Details(&ev)}
			_, _, all := renderT(t, n)
			if n.Details != nil && !strings.Contains(all, "simulated details (demo)") {
				t.Errorf("%s %s: no simulated note:\n%s", k, ev.DeploymentID, all)
			}
			if ev.TrafficSwitched() && ev.DeploymentID == "d-DEMOBACK1" && !strings.Contains(all, "Traffic switched back to the original task set* · rolling back") {
				t.Errorf("simulated rollback switch does not read as one:\n%s", all)
			}
		}
	}
}

// sectionText is the text of a section block, "" for another block.
func sectionText(b slack.Block) string {
	if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil {
		return s.Text.Text
	}
	return ""
}
