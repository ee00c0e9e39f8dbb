package interact

import (
	"context"
	"strings"
	"testing"
)

// TestResponderPostsOnlyToSlack: a response_url comes from the payload;
// cutover posts nowhere but Slack's hooks host, and errors never show the
// URL (it is a credential for five answers).
func TestResponderPostsOnlyToSlack(t *testing.T) {
	srv := newResponseURLServer(t)
	for _, u := range []string{srv.URL + "/actions/T0/1/secret", "https://hooks.slack.com.evil.example/x", "https://user@hooks.slack.com/x", "file:///etc/passwd", ""} {
		err := HTTPResponder{}.Respond(context.Background(), u, "hi")
		if err == nil {
			t.Errorf("posted to %q", u)
			continue
		}
		if strings.Contains(err.Error(), "secret") || (u != "" && strings.Contains(err.Error(), u)) {
			t.Errorf("error shows the URL: %v", err)
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages reached a host that is not Slack's", n)
	}
	if err := (HTTPResponder{AllowPrefix: srv.URL + "/"}).Respond(context.Background(), srv.URL+"/actions/T0/1/secret", "hi"); err != nil {
		t.Fatalf("allowed prefix: %v", err)
	}
	// The configured Web API's origin is trusted beside Slack's hooks host;
	// another host still is not.
	also := HTTPResponder{AlsoAllow: srv.URL + "/"}
	if err := also.Respond(context.Background(), "https://hooks.slack.com.evil.example/x", "hi"); err == nil {
		t.Error("AlsoAllow let another host through")
	}
	if err := also.Respond(context.Background(), srv.URL+"/actions/T0/2/secret", "hi"); err != nil {
		t.Fatalf("also allowed prefix: %v", err)
	}
	if m := srv.Messages(); len(m) != 2 || m[0]["response_type"] != "ephemeral" || m[0]["replace_original"] != false || m[0]["text"] != "hi" {
		t.Errorf("ephemeral message = %v", m)
	}
}
