package secret

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

const hook = "https://hooks.slack.com/services/T0/B0/SECRETXYZ"

func TestValueIsRedacted(t *testing.T) {
	v := New(hook)
	b, _ := json.Marshal(struct{ V Value }{v})
	for _, s := range []string{v.String(), fmt.Sprintf("%v %+v %#v %s", v, v, v, v), string(b)} {
		if strings.Contains(s, "SECRETXYZ") {
			t.Errorf("secret printed: %s", s)
		}
	}
	if v.Reveal() != hook || New("").String() != "" {
		t.Error("Reveal or empty String wrong")
	}
}

func TestCheckRef(t *testing.T) {
	good := []string{
		"arn:aws:secretsmanager:us-east-1:111122223333:secret:cutover/slack-AbCdEf",
		"arn:aws:ssm:us-east-1:111122223333:parameter/cutover/slack",
		"/cutover/slack", "cutover-slack", "/prod/cutover/slack-webhook-url", "/teams/web-frontend/v2",
	}
	for _, ref := range good {
		if err := CheckRef(ref); err != nil {
			t.Errorf("%s: %v", ref, err)
		}
	}
	bad := []string{hook, "arn:aws:s3:::bucket", "has spaces in it", "xoxb-token:with:colons?",
		"hooks.slack.com/services/T000/B000/XXXXSECRET", "xoxb-1234-5678-abcdef",
		// Webhook paths pasted without their host (issue: they were accepted
		// as SSM names and echoed in errors).
		"/services/T0AAAAAAA/B0BBBBBBB/abcdefghijklmnopqrstuvwx",
		"/api/webhooks/123456789012345678/AbCdEfGhIjKlMnOpQrStUvWxYz0123",
		"/v1/spaces/AAAAB3NzaC1/messages",
		"/cutover/aB3dE5gH7jK9mN1pQ3sT5vW7yZ"}
	for _, ref := range bad {
		err := CheckRef(ref)
		if err == nil {
			t.Errorf("%s accepted", ref)
			continue
		}
		if strings.Contains(err.Error(), ref) || strings.Contains(err.Error(), "SECRETXYZ") {
			t.Errorf("error repeats the reference: %v", err)
		}
	}
}

type fakeSM struct{ out string }

func (f fakeSM) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	if f.out == "" {
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User is not authorized; value " + hook}
	}
	return &secretsmanager.GetSecretValueOutput{SecretString: aws.String(f.out)}, nil
}

type fakeSSM struct{ out string }

func (f fakeSSM) GetParameter(_ context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	if f.out == "" {
		return nil, &smithy.GenericAPIError{Code: "ParameterNotFound"}
	}
	return &ssm.GetParameterOutput{Parameter: &ssmtypes.Parameter{Value: aws.String(f.out)}}, nil
}

func TestRead(t *testing.T) {
	arn := "arn:aws:secretsmanager:us-east-1:111122223333:secret:cutover/slack-AbCdEf"
	ctx := context.Background()
	cases := []struct {
		name, ref, sm, ssm, want, errWant string
	}{
		{name: "plain secret", ref: arn, sm: hook, want: hook},
		{name: "json secret", ref: arn, sm: `{"webhook_url":"` + hook + `"}`, want: hook},
		{name: "json without key", ref: arn, sm: `{"token":"x"}`, errWant: "without any of the keys"},
		{name: "denied", ref: arn, errWant: "access denied: the role needs secretsmanager:GetSecretValue"},
		{name: "ssm", ref: "/cutover/slack", ssm: hook, want: hook},
		{name: "ssm missing", ref: "/cutover/slack", errWant: "not found"},
		{name: "url given", ref: hook, errWant: "looks like a URL"},
	}
	for _, c := range cases {
		r := &Reader{SecretsManager: fakeSM{c.sm}, SSM: fakeSSM{c.ssm}}
		v, err := r.Read(ctx, c.ref, "webhook_url", "url")
		if c.errWant != "" {
			if err == nil || !strings.Contains(err.Error(), c.errWant) {
				t.Errorf("%s: err %v, want %q", c.name, err, c.errWant)
			}
			if err != nil && strings.Contains(err.Error(), "SECRETXYZ") {
				t.Errorf("%s: error leaks the secret: %v", c.name, err)
			}
			continue
		}
		if err != nil || v.Reveal() != c.want {
			t.Errorf("%s: %v %v", c.name, v, err)
		}
	}
}

// FuzzRead feeds arbitrary secret values (outside input) to the JSON
// branch: never a panic, and an error never holds the value.
func FuzzRead(f *testing.F) {
	for _, s := range []string{hook, `{"webhook_url":"x"}`, `{"url":1}`, `{`, `{"a":{"b":[]}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, val string) {
		r := &Reader{SecretsManager: fakeSM{out: val}}
		_, err := r.Read(context.Background(), "arn:aws:secretsmanager:us-east-1:1:secret:x", "webhook_url", "url")
		if err != nil && len(val) > 8 && strings.Contains(err.Error(), val) {
			t.Fatalf("error repeats the secret value: %v", err)
		}
	})
}
