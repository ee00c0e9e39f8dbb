package slackhook

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/secret"
)

func TestParseMentions(t *testing.T) {
	got, err := ParseMentions([]string{"@here", "@channel", "@everyone", "user:U024BE7LH", "group:SAZ94GDB8"})
	if err != nil {
		t.Fatal(err)
	}
	want := "<!here> <!channel> <!everyone> <@U024BE7LH> <!subteam^SAZ94GDB8>"
	if strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, " "), want)
	}
	_, err = ParseMentions([]string{"<!channel>", "user:<@U1>", "role:123"})
	if err == nil || strings.Count(err.Error(), "mention ") != 3 {
		t.Errorf("every bad form must be reported at once: %v", err)
	}
	if _, err := Build(chat.Spec{Name: "s", Type: "slack", URL: secret.New("https://hooks.slack.com/services/T/B/X"), Mentions: []string{"@team"}}, chat.Deps{}); err == nil {
		t.Error("Build accepted a mention Slack cannot render")
	}
}

// TestMentionsOnlyWhenSomethingWentWrong: configured mentions lead the
// headline and the notification text of a failure, and nothing else.
func TestMentionsOnlyWhenSomethingWentWrong(t *testing.T) {
	mentions := []string{"<!here>", "<!subteam^SAZ94GDB8>"}
	for _, c := range []struct {
		sev  message.Severity
		ping bool
	}{{message.Danger, true}, {message.Good, false}, {message.Warning, false}} {
		m := &message.Message{Severity: c.sev, Icon: message.IconFailed, Title: "Deployment failed", Fallback: message.Text{{Text: "Deployment failed <!channel>"}}}
		body, err := FormatMentions(m, mentions)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Text   string `json:"text"`
			Blocks []struct {
				Text struct{ Text string } `json:"text"`
			} `json:"blocks"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		head := got.Blocks[0].Text.Text
		if has := strings.HasPrefix(head, "<!here> <!subteam^SAZ94GDB8> ") && strings.HasPrefix(got.Text, "<!here> <!subteam^SAZ94GDB8> "); has != c.ping {
			t.Errorf("%s: mentions present %v, want %v: %q / %q", c.sev, has, c.ping, head, got.Text)
		}
		if strings.Contains(got.Text, "<!channel>") {
			t.Errorf("text from the message pings: %q", got.Text)
		}
	}
}
