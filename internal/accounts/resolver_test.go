package accounts

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cutover-dev/cutover/internal/secret"
)

// fakeSTS answers AssumeRole and GetCallerIdentity like STS (query
// protocol, XML), records the calls and issues credentials valid for
// lifetime.
type fakeSTS struct {
	t        *testing.T
	srv      *httptest.Server
	lifetime time.Duration
	mu       sync.Mutex
	assumed  []url.Values
	identity int
	n        int
}

func newFakeSTS(t *testing.T) *fakeSTS {
	f := &fakeSTS{t: t, lifetime: time.Hour}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSTS) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	switch r.PostForm.Get("Action") {
	case "GetCallerIdentity":
		f.identity++
		fmt.Fprint(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
<Arn>arn:aws:sts::111122223333:assumed-role/cutover/cutover</Arn><UserId>AROA:cutover</UserId><Account>111122223333</Account>
</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	case "AssumeRole":
		name := r.PostForm.Get("RoleSessionName")
		if r.PostForm.Get("ExternalId") == "wrong-id" {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform: sts:AssumeRole</Message></Error><RequestId>r</RequestId></ErrorResponse>`)
			return
		}
		if !stsSessionName.MatchString(name) {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>roleSessionName</Message></Error></ErrorResponse>`)
			return
		}
		f.assumed = append(f.assumed, r.PostForm)
		f.n++
		exp := time.Now().Add(f.lifetime).UTC().Format(time.RFC3339)
		fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIA%d</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>%s</Expiration></Credentials>
<AssumedRoleUser><Arn>%s/%s</Arn><AssumedRoleId>AROA:%s</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`, f.n, exp, r.PostForm.Get("RoleArn"), name, name)
	default:
		http.Error(w, "unknown action", http.StatusBadRequest)
	}
}

func (f *fakeSTS) calls() ([]url.Values, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.assumed...), f.identity
}

func hubConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("hub", "hub", ""),
		BaseEndpoint: aws.String(endpoint),
	}
}

var spoke = Account{ID: "444455556666", RoleARN: "arn:aws:iam::444455556666:role/cutover-hub", ExternalID: secret.New("org-7f3a9c")}

func TestResolverAssumesWithExternalIDAndSessionName(t *testing.T) {
	f := newFakeSTS(t)
	r := New(Options{Hub: hubConfig(f.srv.URL), Accounts: map[string]Account{spoke.ID: spoke}})
	ctx := context.Background()

	cfg, err := r.Config(ctx, spoke.ID, "us-east-2", "d-7XQ2K9ABC")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "us-east-2" {
		t.Errorf("region %q", cfg.Region)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != "ASIA1" {
		t.Errorf("credentials %q", creds.AccessKeyID)
	}
	// The same deployment again, through a new Config: the cached
	// credentials, no second AssumeRole.
	again, _ := r.Config(ctx, spoke.ID, "eu-west-1", "d-7XQ2K9ABC")
	if c, err := again.Credentials.Retrieve(ctx); err != nil || c.AccessKeyID != "ASIA1" {
		t.Errorf("second retrieve %q, %v", c.AccessKeyID, err)
	}
	assumed, _ := f.calls()
	if len(assumed) != 1 {
		t.Fatalf("AssumeRole calls: %d", len(assumed))
	}
	a := assumed[0]
	if a.Get("RoleArn") != spoke.RoleARN || a.Get("ExternalId") != "org-7f3a9c" || a.Get("RoleSessionName") != "cutover-d-7XQ2K9ABC" {
		t.Errorf("AssumeRole %v", a)
	}

	// Clients shared by every deployment: the session name comes from the
	// call's context.
	shared, _ := r.Config(ctx, spoke.ID, "", "")
	if shared.Region != "eu-west-1" {
		t.Errorf("region falls back to the hub's, got %q", shared.Region)
	}
	if _, err := shared.Credentials.Retrieve(WithDeployment(ctx, "d-OTHER0001")); err != nil {
		t.Fatal(err)
	}
	if _, err := shared.Credentials.Retrieve(WithDeployment(ctx, "d-7XQ2K9ABC")); err != nil {
		t.Fatal(err)
	}
	assumed, _ = f.calls()
	if len(assumed) != 2 || assumed[1].Get("RoleSessionName") != "cutover-d-OTHER0001" {
		t.Errorf("AssumeRole calls %v", assumed)
	}
}

func TestResolverRefreshesExpiringCredentials(t *testing.T) {
	f := newFakeSTS(t)
	// Credentials inside the refresh window as soon as they are issued:
	// every retrieve must assume the role again, in the same process.
	f.lifetime = expiryWindow / 2
	r := New(Options{Hub: hubConfig(f.srv.URL), Accounts: map[string]Account{spoke.ID: spoke}})
	ctx := context.Background()
	cfg, _ := r.Config(ctx, spoke.ID, "", "d-7XQ2K9ABC")
	first, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	second, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first.AccessKeyID == second.AccessKeyID {
		t.Errorf("expiring credentials were not refreshed: %q", second.AccessKeyID)
	}
}

func TestResolverHubAndUnlisted(t *testing.T) {
	f := newFakeSTS(t)
	var logs bytes.Buffer
	hub := hubConfig(f.srv.URL)
	r := New(Options{Hub: hub, Accounts: map[string]Account{spoke.ID: spoke}, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx := context.Background()

	// The hub's own account: its own credentials.
	cfg, err := r.Config(ctx, "111122223333", "not a region", "d-1")
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := cfg.Credentials.Retrieve(ctx); c.AccessKeyID != "hub" || cfg.Region != "eu-west-1" {
		t.Errorf("hub account: %q in %q", c.AccessKeyID, cfg.Region)
	}
	// No account in the event: the hub's, as before accounts.
	if cfg, err := r.Config(ctx, "", "", "d-1"); err != nil || cfg.Credentials == nil {
		t.Errorf("no account: %v", err)
	}
	// Not listed: typed, logged once per account.
	for range 3 {
		_, err := r.Config(ctx, "999988887777", "", "d-2")
		if acct, ok := IsNotListed(err); !ok || acct != "999988887777" {
			t.Fatalf("not listed: %v", err)
		}
	}
	if _, err := r.Config(ctx, "not-an-account", "", "d-3"); err == nil {
		t.Fatal("invalid account accepted")
	} else if strings.Contains(err.Error(), "not-an-account") {
		t.Errorf("error echoes the raw account: %v", err)
	}
	if n := strings.Count(logs.String(), "not connected"); n != 2 {
		t.Errorf("%d warnings, want one per account:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), "org-7f3a9c") {
		t.Errorf("log shows the external ID:\n%s", logs.String())
	}
	assumed, identity := f.calls()
	if len(assumed) != 0 || identity != 1 {
		t.Errorf("AssumeRole %d, GetCallerIdentity %d: want 0 and 1", len(assumed), identity)
	}

	// Without CUTOVER_ACCOUNTS: every account is the hub's, no STS call.
	plain := New(Options{Hub: hub})
	if cfg, err := plain.Config(ctx, "999988887777", "ap-south-1", "d-4"); err != nil || cfg.Region != "ap-south-1" {
		t.Errorf("unconnected resolver: %v %q", err, cfg.Region)
	}
	if _, identity := f.calls(); identity != 1 {
		t.Errorf("GetCallerIdentity %d", identity)
	}
}

func TestResolverBoundsSessions(t *testing.T) {
	f := newFakeSTS(t)
	r := New(Options{Hub: hubConfig(f.srv.URL), Accounts: map[string]Account{spoke.ID: spoke}, MaxSessions: 2})
	ctx := context.Background()
	for _, id := range []string{"d-1", "d-2", "d-3", "d-1"} {
		cfg, _ := r.Config(ctx, spoke.ID, "", id)
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(r.sessions); n != 2 {
		t.Errorf("%d sessions kept, want 2", n)
	}
	// d-1 was dropped to make room for d-3, so it is assumed again.
	if assumed, _ := f.calls(); len(assumed) != 4 {
		t.Errorf("AssumeRole calls %d, want 4", len(assumed))
	}
}

func TestResolverAssumeFailure(t *testing.T) {
	f := newFakeSTS(t)
	bad := spoke
	bad.ExternalID = secret.New("wrong-id")
	r := New(Options{Hub: hubConfig(f.srv.URL), Accounts: map[string]Account{bad.ID: bad}})
	cfg, err := r.Config(context.Background(), bad.ID, "", "d-1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.Credentials.Retrieve(context.Background())
	role, ok := IsAssumeFailure(err)
	if !ok || role != bad.RoleARN {
		t.Fatalf("error %v: not an assume failure of %s", err, bad.RoleARN)
	}
	if strings.Contains(err.Error(), "wrong-id") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("error %q", err)
	}
}
