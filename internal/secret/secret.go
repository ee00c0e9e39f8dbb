// Package secret reads secrets (webhook URLs, tokens) from AWS Secrets
// Manager or SSM Parameter Store, and keeps them out of logs and errors.
package secret

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"

	"github.com/cutover-dev/cutover/internal/awsx"
)

// Value holds a secret. Its String, GoString and JSON forms are redacted so
// that a Value printed by mistake never leaks; call Reveal to use it.
type Value struct{ s string }

// New wraps s as a secret.
func New(s string) Value { return Value{s: s} }

// Reveal returns the secret itself.
func (v Value) Reveal() string { return v.s }

// IsZero reports whether the secret is empty.
func (v Value) IsZero() bool { return v.s == "" }

// String returns a redacted placeholder.
func (v Value) String() string {
	if v.s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString returns a redacted placeholder for %#v.
func (v Value) GoString() string { return v.String() }

// MarshalJSON encodes the redacted placeholder.
func (v Value) MarshalJSON() ([]byte, error) { return json.Marshal(v.String()) }

// SecretsManagerAPI is the Secrets Manager call Reader uses.
type SecretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// SSMAPI is the SSM call Reader uses.
type SSMAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// Reader resolves secret references.
type Reader struct {
	SecretsManager SecretsManagerAPI
	SSM            SSMAPI
}

// NewReader returns a Reader with clients built from cfg, retrying within
// awsx.Standard.
func NewReader(cfg aws.Config) *Reader {
	cfg = awsx.WithRetries(cfg, awsx.Standard)
	return &Reader{SecretsManager: secretsmanager.NewFromConfig(cfg), SSM: ssm.NewFromConfig(cfg)}
}

// ssmName matches an SSM parameter name: letters, digits and _.-/ only.
var ssmName = regexp.MustCompile(`^[A-Za-z0-9_.\-/]+$`)

// CheckRef checks that ref looks like a secret reference: a Secrets
// Manager secret ARN, an SSM parameter ARN, or an SSM parameter name. Its
// error never repeats ref, which may be a secret pasted in the wrong place
// (a webhook URL instead of the reference to it).
func CheckRef(ref string) error {
	switch {
	case strings.Contains(ref, "://"):
		return errors.New("looks like a URL: give the ARN of the Secrets Manager secret (or the SSM parameter name) that holds it, not the secret itself")
	case IsSecretsManagerARN(ref), strings.HasPrefix(ref, "arn:") && strings.Contains(ref, ":ssm:") && strings.Contains(ref, ":parameter/"):
		return nil
	case strings.HasPrefix(ref, "arn:"):
		return errors.New("is an ARN of neither a Secrets Manager secret nor an SSM parameter")
	case len(ref) > 2048 || !ssmName.MatchString(ref),
		// SSM names with a path start with "/"; "hooks.slack.com/services/…"
		// is a URL without its scheme.
		strings.Contains(ref, "/") && !strings.HasPrefix(ref, "/"),
		strings.HasPrefix(ref, "xox"):
		return errors.New("is neither a Secrets Manager secret ARN nor a valid SSM parameter name")
	case looksLikeSecretPath(ref):
		return errors.New("looks like the path of a webhook URL (a secret): give the ARN of the Secrets Manager secret (or the name of the SSM parameter) that holds the URL, such as arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME or /cutover/slack-webhook")
	}
	return nil
}

// webhookPaths are the path prefixes of chat webhook URLs; an SSM
// parameter name starting with one is a webhook URL without its host.
var webhookPaths = []string{"/services/", "/api/webhooks/", "/v1/spaces/", "/workflows/", "/webhookb2/"}

// looksLikeSecretPath reports whether an SSM-style name is more likely a
// webhook URL's path (which holds the secret token) than a parameter name:
// it starts like a chat webhook path, or one of its segments is a long run
// of letters and digits such as a webhook token.
func looksLikeSecretPath(ref string) bool {
	for _, p := range webhookPaths {
		if strings.HasPrefix(ref, p) {
			return true
		}
	}
	for _, seg := range strings.Split(ref, "/") {
		if len(seg) >= 24 && tokenLike(seg) {
			return true
		}
	}
	return false
}

// tokenLike reports whether s is letters and digits only, with both.
func tokenLike(s string) bool {
	var letter, digit bool
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			letter = true
		default:
			return false
		}
	}
	return letter && digit
}

// Name returns ref for messages when it is certainly a reference (an ARN,
// or an SSM parameter path starting with "/"), and a neutral description
// otherwise: a bare name could be a secret typed in the wrong place.
func Name(ref string) string {
	if strings.HasPrefix(ref, "arn:") || strings.HasPrefix(ref, "/") {
		return ref
	}
	return "the configured parameter"
}

// IsSecretsManagerARN reports whether ref names a Secrets Manager secret.
func IsSecretsManagerARN(ref string) bool {
	return strings.HasPrefix(ref, "arn:") && strings.Contains(ref, ":secretsmanager:")
}

// Read resolves ref: a Secrets Manager secret ARN, or an SSM parameter name
// ("/cutover/slack") or ARN, read with decryption. A secret whose value is a
// JSON object is searched for the first of keys that is set (e.g. "url"),
// so one secret can hold several values. Errors name the reference, never
// the value.
func (r *Reader) Read(ctx context.Context, ref string, keys ...string) (Value, error) {
	ref = strings.TrimSpace(ref)
	var (
		raw string
		err error
	)
	if err := CheckRef(ref); err != nil {
		return Value{}, fmt.Errorf("secret: reference %w", err)
	}
	switch {
	case ref == "":
		return Value{}, errors.New("secret: empty reference")
	case IsSecretsManagerARN(ref):
		raw, err = r.readSecretsManager(ctx, ref)
	default:
		raw, err = r.readSSM(ctx, ref)
	}
	if err != nil {
		return Value{}, err
	}
	raw = strings.TrimSpace(raw)
	if strings.HasPrefix(raw, "{") && len(keys) > 0 {
		var m map[string]any
		if json.Unmarshal([]byte(raw), &m) == nil {
			for _, k := range keys {
				if s, ok := m[k].(string); ok && s != "" {
					return New(s), nil
				}
			}
			return Value{}, fmt.Errorf("secret: %s holds a JSON object without any of the keys %s", Name(ref), strings.Join(keys, ", "))
		}
	}
	if raw == "" {
		return Value{}, fmt.Errorf("secret: %s is empty", Name(ref))
	}
	return New(raw), nil
}

func (r *Reader) readSecretsManager(ctx context.Context, arn string) (string, error) {
	out, err := r.SecretsManager.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return "", fmt.Errorf("secret: read %s: %s", arn, describe(err, "secretsmanager:GetSecretValue"))
	}
	if out.SecretString != nil {
		return *out.SecretString, nil
	}
	return string(out.SecretBinary), nil
}

func (r *Reader) readSSM(ctx context.Context, name string) (string, error) {
	out, err := r.SSM.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("secret: read parameter %s: %s", Name(name), describe(err, "ssm:GetParameter"))
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return "", fmt.Errorf("secret: parameter %s has no value", Name(name))
	}
	return *out.Parameter.Value, nil
}

// describe turns an SDK error into a short explanation without echoing any
// request or response body (which could hold the secret).
func describe(err error, permission string) string {
	switch {
	case awsx.Denied(err):
		return "access denied: the role needs " + permission + " on it (and kms:Decrypt on its key if it uses a customer managed key)"
	case awsx.NotFound(err):
		return "not found"
	case awsx.Code(err) != "":
		return awsx.Code(err)
	}
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		return "request failed: " + oe.Err.Error()
	}
	return err.Error()
}
