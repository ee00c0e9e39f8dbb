package tfapply

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/cutover-dev/cutover/internal/chat/slackapp/slackfake"
	"github.com/cutover-dev/cutover/internal/config"
)

// The example's Slack app destination (var.slack_app): its name, the
// channel it posts to (the fake's "deploys") and the member allowed to
// press its buttons.
const (
	slackAppName    = "slack-app"
	slackAppChannel = "C0DEPLOYS"
	slackAppUser    = "U0TFAPPLY1"
)

// slackApp is the Slack app a user sets up before applying the example
// with var.slack_app: a fake Slack Web API accepting a fresh bot token,
// and the token and a fresh signing secret in Secrets Manager secrets
// created outside Terraform (as docs/slack-app.md says), whose ARNs alone
// go to Terraform.
type slackApp struct {
	fake                 *slackfake.Server
	token, signing       string
	tokenARN, signingARN string
}

// newSlackApp starts the fake Web API and stores the token and signing
// secret in moto's Secrets Manager.
func newSlackApp(ctx context.Context, t *testing.T, smc *secretsmanager.Client) *slackApp {
	t.Helper()
	random := func(n int) string {
		b := make([]byte, n)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		return hex.EncodeToString(b)
	}
	a := &slackApp{token: "xoxb-tfapply-" + random(12), signing: random(16)}
	a.fake = slackfake.New(t, slackfake.Options{Token: a.token})
	for _, s := range []struct {
		name, value string
		arn         *string
	}{
		{"tfapply/slack-bot", a.token, &a.tokenARN},
		{"tfapply/slack-signing", a.signing, &a.signingARN},
	} {
		out, err := smc.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(s.name), SecretString: aws.String(s.value)})
		if err != nil {
			t.Fatalf("CreateSecret %s: %v", s.name, err)
		}
		*s.arn = aws.ToString(out.ARN)
	}
	return a
}

// tfVar is var.slack_app as a user sets it (an HCL object in
// TF_VAR_slack_app): references only.
func (a *slackApp) tfVar() string {
	return fmt.Sprintf("{channel = %q, token_secret = %q, signing_secret_secret = %q, allowed_users = [%q]}",
		slackAppChannel, a.tokenARN, a.signingARN, slackAppUser)
}

// leaks reports which of the app's secrets s holds, or "".
func (a *slackApp) leaks(s string) string {
	switch {
	case strings.Contains(s, a.token):
		return "the bot token"
	case strings.Contains(s, a.signing):
		return "the signing secret"
	}
	return ""
}

// deleteSecrets deletes the two secrets at once (the user's, not the
// example's), so that nothing is left after the destroy.
func (a *slackApp) deleteSecrets(ctx context.Context, t *testing.T, smc *secretsmanager.Client) {
	t.Helper()
	for _, arn := range []string{a.tokenARN, a.signingARN} {
		if _, err := smc.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
			t.Errorf("DeleteSecret %s: %v", arn, err)
		}
	}
}

// checkSlackAppDestination checks the slack-app entry of the function's
// CUTOVER_DESTINATIONS: the secrets' ARNs, the channel and who may press,
// never a value.
func (a *slackApp) checkDestination(t *testing.T, env map[string]string) {
	t.Helper()
	var dsts []map[string]any
	if err := json.Unmarshal([]byte(env[config.EnvDestinations]), &dsts); err != nil {
		t.Fatalf("%s: %v", config.EnvDestinations, err)
	}
	var got []byte
	for _, d := range dsts {
		if d["name"] == slackAppName {
			got, _ = json.Marshal(d) // keys sorted
		}
	}
	want := fmt.Sprintf(`{"allowed_users":[%q],"channel":%q,"name":%q,"signing_secret_secret":%q,"token_secret":%q,"type":"slack-app"}`,
		slackAppUser, slackAppChannel, slackAppName, a.signingARN, a.tokenARN)
	if string(got) != want {
		t.Errorf("%s entry %s = %s, want %s", config.EnvDestinations, slackAppName, got, want)
	}
	for k, v := range env {
		if what := a.leaks(v); what != "" {
			t.Errorf("environment variable %s holds %s", k, what)
		}
	}
}

// policyDocument is an IAM policy document; Action and Resource may be a
// string or a list.
type policyDocument struct {
	Statement []struct {
		Sid       string
		Effect    string
		Action    stringList
		Resource  stringList
		Principal any
		Condition map[string]map[string]string
	}
}

// stringList is a policy element that is a string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*l = stringList{s}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(l))
}

// checkSlackButtons checks, through the SDK, what the module creates for
// the buttons: the function URL (AuthType NONE) behind the
// slack_actions_url output, the permission that lets anyone call that URL
// (and only the URL), and the role's grants: the button actions on the
// example's deployment group only, lambda:InvokeFunction on the function
// itself only, and nothing on ECS.
func checkSlackButtons(ctx context.Context, t *testing.T, cfg aws.Config, fn lambdaFunction, actionsURL string, g deploymentGroup) {
	t.Helper()
	lc := lambda.NewFromConfig(cfg)
	u, err := lc.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String(fn.FunctionName)})
	if err != nil {
		t.Fatalf("GetFunctionUrlConfig %s: %v", fn.FunctionName, err)
	}
	if u.AuthType != lambdatypes.FunctionUrlAuthTypeNone {
		t.Errorf("function URL AuthType %q, want NONE (Slack signs its requests; the function verifies them)", u.AuthType)
	}
	if want := strings.TrimSuffix(aws.ToString(u.FunctionUrl), "/") + "/slack/actions"; actionsURL != want {
		t.Errorf("output slack_actions_url = %q, want the function URL + /slack/actions, %q", actionsURL, want)
	}
	if pu, err := url.Parse(actionsURL); err != nil || pu.Scheme != "https" || !strings.HasSuffix(pu.Host, ".on.aws") {
		t.Errorf("output slack_actions_url = %q: not an https Lambda function URL (%v)", actionsURL, err)
	}

	pol, err := lc.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(fn.FunctionName)})
	if err != nil {
		t.Fatalf("GetPolicy %s: %v", fn.FunctionName, err)
	}
	var resource policyDocument
	if err := json.Unmarshal([]byte(aws.ToString(pol.Policy)), &resource); err != nil {
		t.Fatalf("the function's resource policy: %v: %s", err, aws.ToString(pol.Policy))
	}
	// Every statement open to anyone allows calls through the function URL
	// only, never Invoke itself. moto 5.2 adds a statement of its own
	// (FunctionURLAllowPublicAccess, as the console does) when it creates
	// a URL with AuthType NONE; the module's is SlackButtonsFunctionURL.
	var public []string
	for _, s := range resource.Statement {
		if s.Principal != "*" && s.Principal != nil && fmt.Sprint(s.Principal) != "map[AWS:*]" {
			continue // a service principal (SNS)
		}
		public = append(public, s.Sid)
		if !slices.Equal(s.Action, []string{"lambda:InvokeFunctionUrl"}) || s.Condition["StringEquals"]["lambda:FunctionUrlAuthType"] != "NONE" {
			t.Errorf("the function's public statement %s allows %v with condition %v, want only lambda:InvokeFunctionUrl with lambda:FunctionUrlAuthType NONE", s.Sid, s.Action, s.Condition)
		}
	}
	if !slices.Contains(public, "SlackButtonsFunctionURL") {
		t.Errorf("the function's policy has no SlackButtonsFunctionURL statement (public statements %q): %s", public, aws.ToString(pol.Policy))
	}

	// The role's inline policies: every grant of a button action.
	ic := iam.NewFromConfig(cfg)
	role := fn.Role[strings.LastIndex(fn.Role, "/")+1:]
	names, err := ic.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
	if err != nil {
		t.Fatalf("ListRolePolicies %s: %v", role, err)
	}
	group := fmt.Sprintf("arn:aws:codedeploy:%s:%s:deploymentgroup:%s/%s", g.Region, g.Account, g.Application, g.Group)
	granted := map[string][]string{} // button action -> resources
	for _, name := range names.PolicyNames {
		p, err := ic.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
		if err != nil {
			t.Fatalf("GetRolePolicy %s %s: %v", role, name, err)
		}
		doc, err := url.QueryUnescape(aws.ToString(p.PolicyDocument))
		if err != nil {
			doc = aws.ToString(p.PolicyDocument)
		}
		var d policyDocument
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			t.Fatalf("role policy %s: %v: %s", name, err, doc)
		}
		for _, s := range d.Statement {
			for _, a := range s.Action {
				switch {
				case a == "codedeploy:StopDeployment", a == "codedeploy:ContinueDeployment", a == "lambda:InvokeFunction",
					strings.HasPrefix(a, "ecs:StopServiceDeployment"), a == "*", a == "codedeploy:*", a == "lambda:*", a == "ecs:*":
					granted[a] = append(granted[a], s.Resource...)
				}
			}
		}
	}
	for a, want := range map[string][]string{
		"codedeploy:StopDeployment":     {group},
		"codedeploy:ContinueDeployment": {group},
		"lambda:InvokeFunction":         {fn.FunctionArn},
	} {
		if got := granted[a]; !slices.Equal(got, want) {
			t.Errorf("the role grants %s on %q, want exactly %q", a, got, want)
		}
		delete(granted, a)
	}
	for a, res := range granted {
		t.Errorf("the role grants %s on %q: the example has no ECS-native buttons and nothing else may act", a, res)
	}
}
