package snshttp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/snshttp/snshttptest"
)

const (
	testTopic  = "arn:aws:sns:us-east-1:111122223333:cutover-deployments"
	otherTopic = "arn:aws:sns:us-east-1:444455556666:someone-else"
)

// rig is a fake SNS and a Verifier that trusts it, with a fixed clock.
type rig struct {
	sns *snshttptest.Server
	v   *Verifier
	now time.Time
}

func newRig(tb testing.TB, opts ...Option) *rig {
	tb.Helper()
	s := snshttptest.New(tb)
	return newRigFor(tb, s, opts...)
}

func newRigFor(tb testing.TB, s *snshttptest.Server, opts ...Option) *rig {
	tb.Helper()
	base := []Option{WithTestTrust(s.Host(), s.Roots()), WithHTTPClient(s.Client())}
	v, err := NewVerifier([]string{testTopic}, append(base, opts...)...)
	if err != nil {
		tb.Fatalf("NewVerifier: %v", err)
	}
	r := &rig{sns: s, v: v, now: time.Now().UTC().Truncate(time.Millisecond)}
	v.now = func() time.Time { return r.now }
	return r
}

// notification returns an unsigned notification published a second ago.
func (r *rig) notification(subject *string) *snshttptest.Message {
	return r.sns.Notification(testTopic, subject, `{"deploymentId":"d-TEST","status":"SUCCEEDED"}`, r.now.Add(-time.Second))
}

// noRequests fails the test if the fake SNS was contacted or a request to
// another host was attempted.
func (r *rig) noRequests(tb testing.TB) {
	tb.Helper()
	if n := r.sns.TotalHits(); n != 0 {
		tb.Errorf("fake SNS got %d requests, want none", n)
	}
	if ref := r.sns.Refused(); len(ref) != 0 {
		tb.Errorf("requests attempted to other hosts: %v", ref)
	}
}

func TestVerifyValid(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	subjects := map[string]*string{
		"no subject":    nil,
		"subject":       snshttptest.Ptr("SUCCEEDED: AWS CodeDeploy d-TEST in us-east-1 to app"),
		"empty subject": snshttptest.Ptr(""),
	}
	for _, version := range []string{"1", "2"} {
		for name, subject := range subjects {
			t.Run("v"+version+"/"+name, func(t *testing.T) {
				m := r.notification(subject)
				body := r.sns.Sign(m, version)
				got, err := r.v.Verify(context.Background(), body)
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if got.MessageID != m.MessageID || got.TopicARN != testTopic || got.Message != m.Message {
					t.Errorf("Verify returned %+v", got)
				}
				if (got.Subject == nil) != (subject == nil) {
					t.Errorf("Subject = %v, want %v", got.Subject, subject)
				}
			})
		}
	}
	t.Run("confirmations", func(t *testing.T) {
		for _, typ := range []string{TypeSubscriptionConfirmation, TypeUnsubscribeConfirmation} {
			for _, version := range []string{"1", "2"} {
				m := r.sns.Confirmation(typ, testTopic, r.now.Add(-time.Minute))
				if _, err := r.v.Verify(context.Background(), r.sns.Sign(m, version)); err != nil {
					t.Errorf("%s v%s: %v", typ, version, err)
				}
			}
		}
	})
	if n := r.sns.Hits(snshttptest.CertPath); n != 1 {
		t.Errorf("certificate fetched %d times, want 1 (cached)", n)
	}
}

func TestVerifyTampered(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	tamper := map[string]func(m *snshttptest.Message){
		"message":       func(m *snshttptest.Message) { m.Message = strings.Replace(m.Message, "SUCCEEDED", "FAILED", 1) },
		"subject":       func(m *snshttptest.Message) { m.Subject = snshttptest.Ptr("FAILED") },
		"subject added": func(m *snshttptest.Message) { m.Subject = snshttptest.Ptr("added") },
		"subject gone":  func(m *snshttptest.Message) { m.Subject = nil },
		"message id":    func(m *snshttptest.Message) { m.MessageID += "x" },
		"timestamp":     func(m *snshttptest.Message) { m.Timestamp = r.now.Format("2006-01-02T15:04:05.000Z") },
		"version switch": func(m *snshttptest.Message) {
			m.SignatureVersion = map[string]string{"1": "2", "2": "1"}[m.SignatureVersion]
		},
		"signature": func(m *snshttptest.Message) { m.Signature = "AAAA" + m.Signature[4:] },
	}
	for _, version := range []string{"1", "2"} {
		for name, f := range tamper {
			t.Run("v"+version+"/"+name, func(t *testing.T) {
				var subject *string
				if name != "subject added" {
					subject = snshttptest.Ptr("SUCCEEDED")
				}
				m := r.notification(subject)
				r.sns.Sign(m, version)
				f(m)
				_, err := r.v.Verify(context.Background(), m.JSON())
				if !errors.Is(err, ErrBadSignature) || !errors.Is(err, ErrUnverified) {
					t.Fatalf("Verify = %v, want ErrBadSignature", err)
				}
			})
		}
	}
	t.Run("confirmation token", func(t *testing.T) {
		m := r.sns.Confirmation(TypeSubscriptionConfirmation, testTopic, r.now)
		r.sns.Sign(m, "2")
		m.Token += "x"
		if _, err := r.v.Verify(context.Background(), m.JSON()); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("Verify = %v, want ErrBadSignature", err)
		}
	})
}

func TestVerifyTopicNotAllowed(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	m := r.sns.Notification(otherTopic, nil, "{}", r.now)
	_, err := r.v.Verify(context.Background(), r.sns.Sign(m, "2"))
	if !errors.Is(err, ErrTopicNotAllowed) || !errors.Is(err, ErrUnverified) {
		t.Fatalf("Verify = %v, want ErrTopicNotAllowed", err)
	}
	r.noRequests(t) // rejected before the certificate is fetched
}

func TestVerifyAnyTopic(t *testing.T) {
	t.Parallel()
	s := snshttptest.New(t)
	v, err := NewVerifier([]string{"*"}, WithTestTrust(s.Host(), nil), WithHTTPClient(s.Client()))
	if err != nil {
		t.Fatal(err)
	}
	m := s.Notification(otherTopic, nil, "{}", time.Now())
	if _, err := v.Verify(context.Background(), s.Sign(m, "2")); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestVerifyUntrustedCertURL(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	host := r.sns.Host()
	port := host[strings.LastIndex(host, ":"):]
	urls := []string{
		"https://evil.example.com/SimpleNotificationService-x.pem",
		"https://sns.us-east-1.amazonaws.com.evil.com/x.pem",
		"https://sns.us-east-1.amazonaws.com:8443/x.pem",
		"https://evil.com@sns.us-east-1.amazonaws.com/x.pem",
		"https://sns.us-east-1.amazonaws.com./x.pem",
		"https://sns.ab.amazonaws.com/x.pem",
		"https://SNS.us-east-1.amazonaws.com/x.pem",
		"https://localhost" + port + snshttptest.CertPath,
		"https://127.0.0.2" + port + snshttptest.CertPath,
		"http://" + host + snshttptest.CertPath,
		"http://sns.us-east-1.amazonaws.com/x.pem",
		"ftp://sns.us-east-1.amazonaws.com/x.pem",
		"//sns.us-east-1.amazonaws.com/x.pem",
		"sns.us-east-1.amazonaws.com/x.pem",
		"https://[::1]" + port + snshttptest.CertPath,
		"https://sns.us-east-1.amazonaws.com\\@evil.com/x.pem",
		"https://%73ns.us-east-1.amazonaws.com/x.pem",
	}
	for _, u := range urls {
		t.Run(u, func(t *testing.T) {
			m := r.notification(nil)
			m.SigningCertURL = u
			_, err := r.v.Verify(context.Background(), r.sns.Sign(m, "2"))
			if !errors.Is(err, ErrUntrustedURL) {
				t.Fatalf("Verify = %v, want ErrUntrustedURL", err)
			}
		})
	}
	r.noRequests(t)
}

func TestVerifyWithoutTestTrustRejectsLoopback(t *testing.T) {
	t.Parallel()
	s := snshttptest.New(t)
	v, err := NewVerifier([]string{testTopic}, WithHTTPClient(s.Client()))
	if err != nil {
		t.Fatal(err)
	}
	m := s.Notification(testTopic, nil, "{}", time.Now())
	if _, err := v.Verify(context.Background(), s.Sign(m, "2")); !errors.Is(err, ErrUntrustedURL) {
		t.Fatalf("Verify = %v, want ErrUntrustedURL", err)
	}
	if s.TotalHits() != 0 {
		t.Errorf("fake SNS contacted %d times", s.TotalHits())
	}
}

func TestVerifyDefaultClientWithTestRoots(t *testing.T) {
	t.Parallel()
	s := snshttptest.New(t)
	v, err := NewVerifier([]string{testTopic}, WithTestTrust(s.Host(), s.Roots()))
	if err != nil {
		t.Fatal(err)
	}
	m := s.Notification(testTopic, nil, "{}", time.Now())
	if _, err := v.Verify(context.Background(), s.Sign(m, "1")); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestVerifyTimestamp(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	cases := []struct {
		name string
		age  time.Duration
		ok   bool
	}{
		{"59 minutes old", 59 * time.Minute, true},
		{"61 minutes old", 61 * time.Minute, false},
		{"a day old", 24 * time.Hour, false},
		{"1 minute ahead", -time.Minute, true},
		{"10 minutes ahead", -10 * time.Minute, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := r.sns.Notification(testTopic, nil, "{}", r.now.Add(-c.age))
			_, err := r.v.Verify(context.Background(), r.sns.Sign(m, "2"))
			if c.ok && err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !c.ok && !errors.Is(err, ErrStale) {
				t.Fatalf("Verify = %v, want ErrStale", err)
			}
		})
	}
	t.Run("WithMaxAge", func(t *testing.T) {
		r := newRigFor(t, r.sns, WithMaxAge(10*time.Minute))
		m := r.sns.Notification(testTopic, nil, "{}", r.now.Add(-11*time.Minute))
		if _, err := r.v.Verify(context.Background(), r.sns.Sign(m, "2")); !errors.Is(err, ErrStale) {
			t.Fatalf("Verify = %v, want ErrStale", err)
		}
	})
	t.Run("unparsable", func(t *testing.T) {
		m := r.notification(nil)
		m.Timestamp = "yesterday"
		if _, err := r.v.Verify(context.Background(), r.sns.Sign(m, "2")); !errors.Is(err, ErrMalformed) {
			t.Fatalf("Verify = %v, want ErrMalformed", err)
		}
	})
}

func TestVerifyCertificateValidity(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	for name, at := range map[string]time.Time{
		"after NotAfter":   r.sns.Cert.NotAfter.Add(time.Minute),
		"before NotBefore": r.sns.Cert.NotBefore.Add(-time.Minute),
	} {
		t.Run(name, func(t *testing.T) {
			r.now = at
			m := r.sns.Notification(testTopic, nil, "{}", at)
			if _, err := r.v.Verify(context.Background(), r.sns.Sign(m, "2")); !errors.Is(err, ErrBadCertificate) {
				t.Fatalf("Verify = %v, want ErrBadCertificate", err)
			}
		})
	}
}

func TestVerifyCertCache(t *testing.T) {
	t.Parallel()
	r := newRig(t, WithCertCache(1, time.Hour))
	verify := func(certPath string) {
		t.Helper()
		m := r.notification(nil)
		m.SigningCertURL = r.sns.TLS.URL + certPath
		if _, err := r.v.Verify(context.Background(), r.sns.Sign(m, "2")); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	}
	verify("/a.pem")
	verify("/a.pem")
	if n := r.sns.Hits("/a.pem"); n != 1 {
		t.Fatalf("a.pem fetched %d times, want 1", n)
	}
	verify("/b.pem") // evicts a.pem: the cache holds one
	verify("/a.pem")
	if n := r.sns.Hits("/a.pem"); n != 2 {
		t.Fatalf("a.pem fetched %d times, want 2 after eviction", n)
	}
	if n := r.v.certs.size(); n != 1 {
		t.Fatalf("cache holds %d certificates, want 1", n)
	}
	r.now = r.now.Add(time.Hour + time.Second) // past the TTL
	verify("/a.pem")
	if n := r.sns.Hits("/a.pem"); n != 3 {
		t.Fatalf("a.pem fetched %d times, want 3 after expiry", n)
	}
}

func TestVerifyCertFetchFailures(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	t.Run("not found", func(t *testing.T) {
		m := r.notification(nil)
		m.SigningCertURL = r.sns.TLS.URL + "/missing"
		if _, err := r.v.Verify(context.Background(), r.sns.Sign(m, "2")); !errors.Is(err, ErrBadCertificate) {
			t.Fatalf("Verify = %v, want ErrBadCertificate", err)
		}
	})
	t.Run("unavailable", func(t *testing.T) {
		down := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "slow down", http.StatusServiceUnavailable)
		}))
		defer down.Close()
		v, err := NewVerifier([]string{testTopic}, WithTestTrust(down.Listener.Addr().String(), nil), WithHTTPClient(down.Client()))
		if err != nil {
			t.Fatal(err)
		}
		m := r.notification(nil)
		m.SigningCertURL = down.URL + "/cert.pem"
		_, err = v.Verify(context.Background(), r.sns.Sign(m, "2"))
		if !errors.Is(err, ErrCertUnavailable) || errors.Is(err, ErrUnverified) {
			t.Fatalf("Verify = %v, want ErrCertUnavailable only", err)
		}
	})
	t.Run("redirect not followed", func(t *testing.T) {
		redirect := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			http.Redirect(w, req, r.sns.CertURL(), http.StatusFound)
		}))
		defer redirect.Close()
		v, err := NewVerifier([]string{testTopic}, WithTestTrust(redirect.Listener.Addr().String(), nil), WithHTTPClient(redirect.Client()))
		if err != nil {
			t.Fatal(err)
		}
		before := r.sns.Hits(snshttptest.CertPath)
		m := r.notification(nil)
		m.SigningCertURL = redirect.URL + "/cert.pem"
		if _, err := v.Verify(context.Background(), r.sns.Sign(m, "2")); !errors.Is(err, ErrBadCertificate) {
			t.Fatalf("Verify = %v, want ErrBadCertificate", err)
		}
		if r.sns.Hits(snshttptest.CertPath) != before {
			t.Fatal("redirect was followed")
		}
	})
}

func TestParseMessageMalformed(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	valid := r.notification(nil)
	r.sns.Sign(valid, "2")
	cases := map[string][]byte{
		"empty":       nil,
		"not json":    []byte("hello"),
		"array":       []byte("[]"),
		"trailing":    append(valid.JSON(), []byte(" {}")...),
		"bad utf8":    []byte("{\"Type\":\"Notification\",\"Message\":\"\xff\"}"),
		"no type":     []byte(`{"MessageId":"x"}`),
		"odd type":    []byte(`{"Type":"Other"}`),
		"number":      []byte(`{"Type":"Notification","Message":1}`),
		"no sig":      []byte(`{"Type":"Notification","MessageId":"m","TopicArn":"t","Message":"x","Timestamp":"2026-01-01T00:00:00Z","SignatureVersion":"2","SigningCertURL":"https://sns.us-east-1.amazonaws.com/x.pem"}`),
		"confirm url": []byte(`{"Type":"SubscriptionConfirmation","Token":"t","MessageId":"m","TopicArn":"t","Message":"x","Timestamp":"2026-01-01T00:00:00Z","SignatureVersion":"2","Signature":"AA==","SigningCertURL":"https://sns.us-east-1.amazonaws.com/x.pem"}`),
	}
	for name, body := range cases {
		if _, err := ParseMessage(body); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: ParseMessage = %v, want ErrMalformed", name, err)
		}
	}
	m := r.notification(nil)
	r.sns.Sign(m, "2")
	m.SignatureVersion = "3"
	if _, err := r.v.Verify(context.Background(), m.JSON()); !errors.Is(err, ErrMalformed) {
		t.Errorf("SignatureVersion 3: Verify = %v, want ErrMalformed", err)
	}
	r.noRequests(t)
}

func TestNewVerifierOptions(t *testing.T) {
	t.Parallel()
	bad := map[string]struct {
		topics []string
		opts   []Option
	}{
		"no topics":             {nil, nil},
		"not an arn":            {[]string{"cutover-deployments"}, nil},
		"not sns":               {[]string{"arn:aws:sqs:us-east-1:1:q"}, nil},
		"test trust remote":     {[]string{"*"}, []Option{WithTestTrust("sns.evil.com:443", nil)}},
		"test trust private ip": {[]string{"*"}, []Option{WithTestTrust("10.0.0.1:443", nil)}},
		"test trust no port":    {[]string{"*"}, []Option{WithTestTrust("127.0.0.1", nil)}},
		"test trust localhost":  {[]string{"*"}, []Option{WithTestTrust("localhost:443", nil)}},
		"max age":               {[]string{"*"}, []Option{WithMaxAge(0)}},
		"cache size":            {[]string{"*"}, []Option{WithCertCache(0, time.Hour)}},
		"cache ttl":             {[]string{"*"}, []Option{WithCertCache(1, 0)}},
		"nil client":            {[]string{"*"}, []Option{WithHTTPClient(nil)}},
	}
	for name, c := range bad {
		if _, err := NewVerifier(c.topics, c.opts...); err == nil {
			t.Errorf("%s: NewVerifier succeeded", name)
		}
	}
	if _, err := NewVerifier([]string{testTopic, "*"}, WithTestTrust("[::1]:8443", nil), WithMaxAge(time.Minute)); err != nil {
		t.Errorf("NewVerifier: %v", err)
	}
}

func TestIsSNSHost(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$`)
	hosts := []string{
		"sns.us-east-1.amazonaws.com", "sns.cn-north-1.amazonaws.com.cn", "sns.abc.amazonaws.com",
		"sns.ab.amazonaws.com", "sns..amazonaws.com", "sns.us_east.amazonaws.com", "sns.a.b.amazonaws.com",
		"sns.us-east-1.amazonaws.com.evil", "sns.us-east-1.amazonaws.com.cn.evil", "xsns.us-east-1.amazonaws.com",
		"SNS.us-east-1.amazonaws.com", "sns.us-east-1.amazonaws.com\n", "", "sns.", "sns.amazonaws.com",
		"sns.amazonaws.com.amazonaws.com", "sns.us-east-1.amazonaws.cn", "sns.---.amazonaws.com",
	}
	for _, h := range hosts {
		if got, want := IsSNSHost(h), re.MatchString(h); got != want {
			t.Errorf("IsSNSHost(%q) = %v, regexp says %v", h, got, want)
		}
	}
}

func FuzzIsSNSHost(f *testing.F) {
	re := regexp.MustCompile(`^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$`)
	for _, s := range []string{"sns.us-east-1.amazonaws.com", "sns.cn-north-1.amazonaws.com.cn", "sns.ab.amazonaws.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if got, want := IsSNSHost(h), re.MatchString(h); got != want {
			t.Errorf("IsSNSHost(%q) = %v, regexp says %v", h, got, want)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	r := newRig(b)
	for _, version := range []string{"1", "2"} {
		b.Run("v"+version, func(b *testing.B) {
			body := r.sns.Sign(r.notification(snshttptest.Ptr("SUCCEEDED: AWS CodeDeploy d-TEST")), version)
			ctx := context.Background()
			if _, err := r.v.Verify(ctx, body); err != nil { // warm the cache
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := r.v.Verify(ctx, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// failingTransport fails every request without sending it.
type failingTransport struct{ err error }

func (f failingTransport) RoundTrip(*http.Request) (*http.Response, error) { return nil, f.err }

func TestConfirmErrorHidesToken(t *testing.T) {
	t.Parallel()
	cause := errors.New("connection reset by peer")
	r := newRig(t, WithHTTPClient(&http.Client{Transport: failingTransport{cause}}))
	m := r.sns.Confirmation(TypeSubscriptionConfirmation, testTopic, r.now)
	if !strings.Contains(m.SubscribeURL, m.Token) || m.Token == "" {
		t.Fatalf("SubscribeURL %q does not carry the token", m.SubscribeURL)
	}
	_, err := r.v.Confirm(context.Background(), &Message{Type: m.Type, TopicARN: m.TopicARN, SubscribeURL: m.SubscribeURL, Token: m.Token})
	if err == nil {
		t.Fatal("Confirm succeeded through a failing transport")
	}
	if strings.Contains(err.Error(), m.Token) || strings.Contains(err.Error(), "Token=") {
		t.Errorf("error %q quotes the subscription token", err)
	}
	if !errors.Is(err, cause) || !strings.Contains(err.Error(), r.sns.Host()) {
		t.Errorf("error %q lacks the cause or the host", err)
	}
	if retry.IsPermanent(err) {
		t.Errorf("transport error %v is permanent; SNS should retry", err)
	}
}
