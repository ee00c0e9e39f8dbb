package tfapply

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/cutover-dev/cutover/internal/config"
)

// signedReceiver is the receiving end of the example's signed webhook
// destination, written from the specifications rather than from cutover's
// own signer: it accepts a request only when both its Standard Webhooks
// signature (webhook-id, webhook-timestamp, webhook-signature) and its
// X-Signature verify with the whsec_ secret, and answers 401 otherwise.
type signedReceiver struct {
	srv    *httptest.Server
	path   string // the secret part of the URL
	secret string // whsec_ and the base64 of the key

	mu       sync.Mutex
	accepted []signedRequest
	rejected []string // why each rejected request was rejected
}

// signedRequest is a request whose signatures verified.
type signedRequest struct {
	ID   string // webhook-id
	Body []byte
}

// newSignedReceiver starts a receiver on 127.0.0.1 with a fresh random
// signing secret and URL path; the test stops it.
func newSignedReceiver(t *testing.T) *signedReceiver {
	t.Helper()
	key := make([]byte, 32)
	pathKey := make([]byte, 12)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	if _, err := rand.Read(pathKey); err != nil {
		t.Fatal(err)
	}
	r := &signedReceiver{
		path:   "/hooks/oncall/" + hex.EncodeToString(pathKey),
		secret: "whsec_" + base64.StdEncoding.EncodeToString(key),
	}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// URL is the webhook URL to configure: a secret, as a real one is.
func (r *signedReceiver) URL() string { return r.srv.URL + r.path }

// Secret is the whsec_ signing secret to configure.
func (r *signedReceiver) Secret() string { return r.secret }

// Accepted returns the requests whose signatures verified, in arrival order.
func (r *signedReceiver) Accepted() []signedRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]signedRequest(nil), r.accepted...)
}

// Rejected returns why each rejected request was rejected.
func (r *signedReceiver) Rejected() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.rejected...)
}

func (r *signedReceiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err == nil && (req.Method != http.MethodPost || req.URL.Path != r.path) {
		err = fmt.Errorf("%s to an unexpected path (not the configured URL)", req.Method)
	}
	if err == nil {
		err = verifySignedRequest(r.secret, req.Header, body, time.Now())
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.rejected = append(r.rejected, err.Error())
		http.Error(w, "signature check failed", http.StatusUnauthorized)
		return
	}
	r.accepted = append(r.accepted, signedRequest{ID: req.Header.Get("webhook-id"), Body: body})
	w.WriteHeader(http.StatusNoContent)
}

// webhookTolerance is how far webhook-timestamp may be from the receiver's
// clock (Standard Webhooks recommends rejecting older requests as
// replays).
const webhookTolerance = 5 * time.Minute

// verifySignedRequest checks a request's signatures as a receiver does:
//
//   - Standard Webhooks: the key is the base64 decoding of the secret
//     after "whsec_"; the signed content is webhook-id, ".",
//     webhook-timestamp, ".", and the body; webhook-signature holds
//     space-separated "v1,<base64 HMAC-SHA256>" entries, one of which must
//     match; webhook-timestamp (Unix seconds) must be within
//     webhookTolerance of now;
//   - X-Signature: "sha256=" and the hex HMAC-SHA256 of the body alone,
//     with the same key.
func verifySignedRequest(secret string, h http.Header, body []byte, now time.Time) error {
	b64, ok := strings.CutPrefix(secret, "whsec_")
	if !ok {
		return errors.New("the signing secret is not a whsec_ secret")
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return fmt.Errorf("the signing secret: %w", err)
	}
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return fmt.Errorf("missing Standard Webhooks headers (webhook-id %q, webhook-timestamp %q, webhook-signature %q)", id, ts, sigs)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("webhook-timestamp %q is not Unix seconds", ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > webhookTolerance || d < -webhookTolerance {
		return fmt.Errorf("webhook-timestamp %s is %s away from the receiver's clock", ts, d)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	matched := false
	for _, entry := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			matched = true
		}
	}
	if !matched {
		return fmt.Errorf("webhook-signature %q has no v1 entry matching HMAC-SHA256(key, id.timestamp.body)", sigs)
	}

	x, ok := strings.CutPrefix(h.Get("X-Signature"), "sha256=")
	if !ok {
		return fmt.Errorf("X-Signature %q does not start with sha256=", h.Get("X-Signature"))
	}
	got, err := hex.DecodeString(x)
	mac = hmac.New(sha256.New, key)
	mac.Write(body)
	if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
		return fmt.Errorf("X-Signature %q is not sha256= and the hex HMAC-SHA256(key, body)", h.Get("X-Signature"))
	}
	return nil
}

// TestVerifySignedRequest checks the receiver's verification against the
// Standard Webhooks reference example (the svix libraries' test vector)
// and against tampering, so that the applied test's "accepted" means
// "verified".
func TestVerifySignedRequest(t *testing.T) {
	const (
		secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		id     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
		ts     = "1614265330"
		body   = `{"test": 2432232314}`
		std    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	)
	now := time.Unix(1614265330, 0).Add(time.Minute)
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(body))
	xsig := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	headers := func(mod func(http.Header)) http.Header {
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", ts)
		h.Set("webhook-signature", std)
		h.Set("X-Signature", xsig)
		if mod != nil {
			mod(h)
		}
		return h
	}

	if err := verifySignedRequest(secret, headers(nil), []byte(body), now); err != nil {
		t.Errorf("the reference example does not verify: %v", err)
	}
	if err := verifySignedRequest(secret, headers(func(h http.Header) { h.Set("webhook-signature", "v1,bm90IGl0 "+std) }), []byte(body), now); err != nil {
		t.Errorf("a matching entry after another one does not verify: %v", err)
	}
	for name, tc := range map[string]struct {
		h    http.Header
		body string
		now  time.Time
	}{
		"body changed":           {headers(nil), `{"test": 2432232315}`, now},
		"id changed":             {headers(func(h http.Header) { h.Set("webhook-id", "msg_other") }), body, now},
		"timestamp changed":      {headers(func(h http.Header) { h.Set("webhook-timestamp", "1614265331") }), body, now},
		"too old":                {headers(nil), body, now.Add(webhookTolerance)},
		"signature version":      {headers(func(h http.Header) { h.Set("webhook-signature", "v2"+strings.TrimPrefix(std, "v1")) }), body, now},
		"no X-Signature":         {headers(func(h http.Header) { h.Del("X-Signature") }), body, now},
		"X-Signature of another": {headers(func(h http.Header) { h.Set("X-Signature", "sha256="+strings.Repeat("0", 64)) }), body, now},
		"no webhook-id":          {headers(func(h http.Header) { h.Del("webhook-id") }), body, now},
	} {
		if err := verifySignedRequest(secret, tc.h, []byte(tc.body), tc.now); err == nil {
			t.Errorf("%s: verified, want rejected", name)
		}
	}
}

// checkOncallDestination checks the function's configuration of the
// example's second destination: CUTOVER_DESTINATIONS (the oncall webhook
// and the Slack app, in that order) holds its parameter
// names and routing (failures only), never a value, and the parameters are
// SecureStrings holding the receiver's URL and signing secret.
func checkOncallDestination(ctx context.Context, t *testing.T, env map[string]string, c *ssm.Client, r *signedReceiver) {
	t.Helper()
	if v, ok := env[config.EnvDestinationsParameter]; ok {
		t.Errorf("%s = %q: two destinations fit in the environment", config.EnvDestinationsParameter, v)
	}
	var dsts []map[string]any
	if err := json.Unmarshal([]byte(env[config.EnvDestinations]), &dsts); err != nil {
		t.Fatalf("%s = %q: %v", config.EnvDestinations, env[config.EnvDestinations], err)
	}
	var names []string
	var got []byte
	for _, d := range dsts {
		names = append(names, fmt.Sprint(d["name"]))
		if d["name"] == oncallName {
			got, _ = json.Marshal(d) // keys sorted
		}
	}
	if !slices.Equal(names, []string{oncallName, slackAppName}) {
		t.Errorf("%s names destinations %q, want %q", config.EnvDestinations, names, []string{oncallName, slackAppName})
	}
	want := `{"events":["DeploymentFailure","DeploymentStop","DeploymentRollback","InstanceFailure"],"name":"` + oncallName +
		`","signing_secret_secret":"` + oncallSecretParameter + `","type":"webhook","url_secret":"` + oncallURLParameter + `"}`
	if string(got) != want {
		t.Errorf("%s = %s, want %s", config.EnvDestinations, got, want)
	}
	for _, p := range []struct{ name, value, what string }{
		{oncallURLParameter, r.URL(), "the receiver's URL"},
		{oncallSecretParameter, r.Secret(), "the signing secret"},
	} {
		out, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(p.name), WithDecryption: aws.Bool(true)})
		if err != nil {
			t.Errorf("GetParameter %s: %v", p.name, err)
			continue
		}
		if out.Parameter.Type != ssmtypes.ParameterTypeSecureString {
			t.Errorf("parameter %s is a %s, want a SecureString", p.name, out.Parameter.Type)
		}
		if aws.ToString(out.Parameter.Value) != p.value {
			t.Errorf("parameter %s does not hold %s", p.name, p.what) // never print the values
		}
	}
}

// webhookDocument is the part of the webhook's JSON document the test
// checks (docs/webhook.schema.json).
type webhookDocument struct {
	Delivery struct {
		ID          string `json:"id"`
		Destination string `json:"destination"`
	} `json:"delivery"`
	Event struct {
		Name         string `json:"name"`
		DeploymentID string `json:"deploymentId"`
		WentWrong    bool   `json:"wentWrong"`
	} `json:"event"`
}

// secretParts are the pieces of the receiver's URL and signing secret
// that must never appear where secrets must not be: each whole, the URL's
// secret path and the key's base64.
func (r *signedReceiver) secretParts() []string {
	return []string{r.URL(), r.path, r.secret, strings.TrimPrefix(r.secret, "whsec_")}
}

// leaks reports which of the receiver's secret parts s holds, or "".
func (r *signedReceiver) leaks(s string) string {
	for _, p := range r.secretParts() {
		if strings.Contains(s, p) {
			if strings.Contains(p, "whsec_") || p == strings.TrimPrefix(r.secret, "whsec_") {
				return "the signing secret"
			}
			return "the webhook URL"
		}
	}
	return ""
}

// stateLeaks returns the resources of a Terraform state (JSON) other than
// the example's two oncall_webhook parameters that hold a secret part of
// the receiver (and the outputs, if they do): the parameters hold them by
// design (the values come from a sensitive variable), nothing else may.
// expected lists the parameters that hold one, so a caller can check the
// search finds what is there.
func stateLeaks(t *testing.T, state []byte, r *signedReceiver) (leaks, expected []string) {
	t.Helper()
	var st struct {
		Outputs   json.RawMessage `json:"outputs"`
		Resources []struct {
			Module string `json:"module"`
			Type   string `json:"type"`
			Name   string `json:"name"`
		} `json:"resources"`
	}
	var raw struct {
		Resources []json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal(state, &st); err != nil {
		t.Fatalf("state: %v", err)
	}
	if err := json.Unmarshal(state, &raw); err != nil {
		t.Fatalf("state: %v", err)
	}
	if what := r.leaks(string(st.Outputs)); what != "" {
		leaks = append(leaks, "outputs ("+what+")")
	}
	for i, res := range st.Resources {
		what := r.leaks(string(raw.Resources[i]))
		if what == "" {
			continue
		}
		addr := strings.TrimPrefix(res.Module+"."+res.Type+"."+res.Name, ".")
		if res.Module == "" && res.Type == "aws_ssm_parameter" && strings.HasPrefix(res.Name, "oncall_webhook_") {
			expected = append(expected, addr+" ("+what+")")
			continue
		}
		leaks = append(leaks, addr+" ("+what+")")
	}
	return leaks, expected
}

// TestStateLeaks checks the state search on a state of Terraform's
// format: the oncall_webhook parameters are expected to hold the values,
// any other resource or an output holding one is a leak.
func TestStateLeaks(t *testing.T) {
	r := newSignedReceiver(t)
	resource := func(module, typ, name string, attrs map[string]any) map[string]any {
		res := map[string]any{"mode": "managed", "type": typ, "name": name, "instances": []any{map[string]any{"attributes": attrs}}}
		if module != "" {
			res["module"] = module
		}
		return res
	}
	state := func(outputs map[string]any, resources ...map[string]any) []byte {
		b, err := json.Marshal(map[string]any{"version": 4, "outputs": outputs, "resources": resources})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	params := []map[string]any{
		resource("", "aws_ssm_parameter", "oncall_webhook_url", map[string]any{"name": oncallURLParameter, "value": r.URL()}),
		resource("", "aws_ssm_parameter", "oncall_webhook_signing_secret", map[string]any{"name": oncallSecretParameter, "value": r.Secret()}),
	}
	wantExpected := []string{"aws_ssm_parameter.oncall_webhook_url (the webhook URL)", "aws_ssm_parameter.oncall_webhook_signing_secret (the signing secret)"}

	clean := append(params, resource("module.cutover", "aws_lambda_function", "this",
		map[string]any{"environment": map[string]any{"CUTOVER_DESTINATIONS": `[{"url_secret":"` + oncallURLParameter + `"}]`}}))
	leaks, expected := stateLeaks(t, state(map[string]any{"alb_dns_name": map[string]any{"value": "x"}}, clean...), r)
	if len(leaks) > 0 || !slices.Equal(expected, wantExpected) {
		t.Errorf("clean state: leaks %q, expected %q; want none and %q", leaks, expected, wantExpected)
	}

	leaky := append(params, resource("module.cutover", "aws_lambda_function", "this",
		map[string]any{"environment": map[string]any{"HOOK": strings.TrimPrefix(r.Secret(), "whsec_")}}))
	leaks, _ = stateLeaks(t, state(map[string]any{"hook": map[string]any{"value": r.URL()}}, leaky...), r)
	want := []string{"outputs (the webhook URL)", "module.cutover.aws_lambda_function.this (the signing secret)"}
	if !slices.Equal(leaks, want) {
		t.Errorf("leaky state: leaks %q, want %q", leaks, want)
	}
}
