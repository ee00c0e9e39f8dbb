package e2e

import (
	"slices"
	"testing"
)

// TestHostileCheckers: the corpus's ping and link checks find what can
// ping or forge a link in each destination's syntax, and pass what a
// client shows literally (escaped, in code, a link's target, a console
// link).
func TestHostileCheckers(t *testing.T) {
	for _, tc := range []struct {
		typ, body     string
		pings, forged bool
	}{
		{"slack", `{"text":"deploy <!channel> now"}`, true, false},
		{"slack", `{"text":"hi <@U024BE7LH>"}`, true, false},
		{"slack", `{"text":"&lt;!channel&gt; ` + "`<!here>`" + `"}`, false, false},
		{"slack", `{"text":"<https://evil.example/x|CodeDeploy console>"}`, false, true},
		{"slack", `{"text":"<https://us-east-1.console.aws.amazon.com/codesuite|d-1>"}`, false, false},
		{"slack", `{"blocks":[{"type":"actions","elements":[{"type":"button","url":"https://evil.example"}]}]}`, false, true},
		{"slack-app", `{"channel":"C0DEPLOYS","text":"fallback <!here>","blocks":[]}`, true, false},
		{"slack-app", `{"channel":"C0DEPLOYS","text":"x","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"<!subteam^S0123>"}}]}`, true, false},
		{"slack-app", `{"channel":"C0DEPLOYS","thread_ts":"1.2","text":"<https://evil.example|reply>"}`, false, true},
		{"slack-app", `{"channel":"C0DEPLOYS","ts":"1.2","blocks":[{"type":"actions","elements":[{"type":"button","url":"https://evil.example"}]}]}`, false, true},
		{"slack-app", `{"channel":"C0DEPLOYS","text":"&lt;!channel&gt; <https://eu-west-1.console.aws.amazon.com/x|d-1>","metadata":{"event_type":"cutover_delivery","event_payload":{"delivery":"<!channel> <https://evil.example|x>"}}}`, false, false},
		{"discord", `{"content":"@everyone look"}`, true, false},
		{"discord", `{"content":"\\@everyone \\<\\@123\\>"}`, false, false},
		{"discord", `{"embeds":[{"description":"[console](https://evil.example/x)"}]}`, false, true},
		{"discord", `{"embeds":[{"description":"[d-1](https://eu-west-1.console.aws.amazon.com/x/@everyone)"}]}`, false, false},
		{"discord", `{"embeds":[{"footer":{"text":"[console](https://evil.example/x)"}}]}`, false, false},
		{"teams", `{"body":[{"type":"TextBlock","text":"<at>Everyone</at>"}]}`, true, false},
		{"teams", `{"actions":[{"type":"Action.OpenUrl","url":"https://evil.example"}]}`, false, true},
		{"teams", `{"body":[{"type":"TextBlock","text":"[x](https://user:pw@us-east-1.console.aws.amazon.com/)"}]}`, false, true},
		{"googlechat", `{"text":"<users/all> hi"}`, true, false},
		{"googlechat", `{"cardsV2":[{"card":{"sections":[{"widgets":[{"buttonList":{"buttons":[{"onClick":{"openLink":{"url":"https://evil.example"}}}]}}]}]}}]}`, false, true},
		{"webhook", `{"event":{"application":"<!channel> [x](https://evil.example)"}}`, false, false},
		{"webhook", `{"links":[{"url":"https://evil.example"}]}`, false, true},
	} {
		gotPings := len(pings(tc.typ, []byte(tc.body))) > 0
		gotForged := len(forgedLinks(tc.typ, []byte(tc.body))) > 0
		if gotPings != tc.pings || gotForged != tc.forged {
			t.Errorf("%s %s: pings %t, forged %t; want %t, %t", tc.typ, tc.body, gotPings, gotForged, tc.pings, tc.forged)
		}
	}
	if got := hostileSample([]hostileCase{{file: "a", decision: "deliver"}, {file: "b", decision: "deliver"}, {file: "c", decision: "deliver"}, {file: "batch-x", decision: "reject"}, {file: "envelope-y", decision: "deliver"}}); !slices.EqualFunc(got, []hostileCase{{file: "a", decision: "deliver"}, {file: "b", decision: "deliver"}, {file: "batch-x", decision: "reject"}, {file: "envelope-y", decision: "deliver"}}, func(a, b hostileCase) bool { return a.file == b.file }) {
		t.Errorf("hostileSample = %v", got)
	}
}
