package config

import (
	"slices"
	"strings"
	"testing"
)

func TestSlackAppDestination(t *testing.T) {
	c, err := load(envOf(map[string]string{EnvDestinations: `[
		{"name":"ops","type":"slack-app","channel":"C0DEPLOYS","token_secret":"/cutover/slack-bot",
		 "signing_secret_secret":"arn:aws:secretsmanager:eu-west-1:111122223333:secret:slack-sign-AbCdEf",
		 "allowed_users":["U0ALICE","W0BOB"],"allowed_groups":["S0ONCALL"]},
		{"name":"local","type":"slack-app","channel":"#deploys","token":"xoxb-1-2-local"}
	]`, EnvSlackAPIURL: "http://127.0.0.1:9/api"}))
	if err != nil {
		t.Fatal(err)
	}
	ops, local := c.Destinations[0], c.Destinations[1]
	if ops.Channel != "C0DEPLOYS" || ops.TokenSecret != "/cutover/slack-bot" || ops.SigningSecretRef == "" ||
		!slices.Equal(ops.AllowedUsers, []string{"U0ALICE", "W0BOB"}) || !slices.Equal(ops.AllowedGroups, []string{"S0ONCALL"}) {
		t.Errorf("ops %+v", ops)
	}
	if local.Token.Reveal() != "xoxb-1-2-local" || local.Channel != "#deploys" {
		t.Errorf("local %+v", local)
	}
	if c.SlackAPIURL != "http://127.0.0.1:9/api/" {
		t.Errorf("api url %q", c.SlackAPIURL)
	}
}

func TestSlackAppRejects(t *testing.T) {
	const token = "xoxb-1234-5678-SECRETtoken"
	for name, tc := range map[string]struct{ entry, says string }{
		"no channel":         {`{"name":"a","type":"slack-app","token":"` + token + `"}`, "channel: give the channel ID"},
		"bad channel":        {`{"name":"a","type":"slack-app","channel":"Not A Channel","token":"` + token + `"}`, "channel \"Not A Channel\""},
		"no token":           {`{"name":"a","type":"slack-app","channel":"C1AB"}`, "give token_secret"},
		"both tokens":        {`{"name":"a","type":"slack-app","channel":"C1AB","token":"` + token + `","token_secret":"/x"}`, "either token or token_secret"},
		"token in secret":    {`{"name":"a","type":"slack-app","channel":"C1AB","token_secret":"` + token + `"}`, "token_secret: is neither"},
		"user token":         {`{"name":"a","type":"slack-app","channel":"C1AB","token":"xoxp-1-2"}`, "token: not a bot token"},
		"url":                {`{"name":"a","type":"slack-app","channel":"C1AB","token":"` + token + `","url":"https://hooks.slack.com/services/T/B/x"}`, "remove url(_secret)"},
		"bad user":           {`{"name":"a","type":"slack-app","channel":"C1AB","token":"` + token + `","allowed_users":["alice"]}`, "allowed_users: \"alice\""},
		"bad group":          {`{"name":"a","type":"slack-app","channel":"C1AB","token":"` + token + `","allowed_groups":["U0X1"]}`, "allowed_groups: \"U0X1\""},
		"channel on webhook": {`{"name":"a","type":"slack","url":"https://hooks.slack.com/services/T/B/x","channel":"C1AB"}`, "keys of type slack-app"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := load(envOf(map[string]string{EnvDestinations: "[" + tc.entry + "]"}))
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("error %v, want %q", err, tc.says)
			}
			if strings.Contains(err.Error(), "SECRETtoken") {
				t.Errorf("the error echoes the token: %v", err)
			}
		})
	}
	if _, err := load(envOf(map[string]string{EnvSlackAPIURL: "ftp://x"})); err == nil || !strings.Contains(err.Error(), EnvSlackAPIURL) {
		t.Errorf("bad API URL: %v", err)
	}
}
