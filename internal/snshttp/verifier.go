package snshttp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/cutover-dev/cutover/internal/retry"
)

// Errors returned by the Verifier. The specific rejections all match
// ErrUnverified too, so callers may test for either.
var (
	// ErrMalformed: the body is not an SNS HTTP/S message (bad JSON, missing
	// fields, unknown type, unparsable timestamp, unsupported
	// SignatureVersion). Sending it again cannot help.
	ErrMalformed = errors.New("malformed sns message")
	// ErrUnverified: the message is well formed but not proven to come from
	// SNS for an allowed topic.
	ErrUnverified = errors.New("sns message not verified")
	// ErrTopicNotAllowed: the TopicArn is not on the allowlist.
	ErrTopicNotAllowed = fmt.Errorf("%w: topic not allowed", ErrUnverified)
	// ErrStale: the Timestamp is older than the maximum age, or too far in
	// the future.
	ErrStale = fmt.Errorf("%w: timestamp outside the accepted window", ErrUnverified)
	// ErrUntrustedURL: a SigningCertURL or SubscribeURL is not https on an
	// SNS host. No request is made to such a URL.
	ErrUntrustedURL = fmt.Errorf("%w: url is not https on an sns host", ErrUnverified)
	// ErrBadCertificate: the signing certificate could not be used (not
	// found, not PEM, not RSA, outside its validity period).
	ErrBadCertificate = fmt.Errorf("%w: bad signing certificate", ErrUnverified)
	// ErrBadSignature: the signature does not match the signed fields.
	ErrBadSignature = fmt.Errorf("%w: signature mismatch", ErrUnverified)
	// ErrCertUnavailable: the signing certificate could not be fetched for a
	// reason a later attempt may not have (network error, 429, 5xx). It does
	// not match ErrUnverified.
	ErrCertUnavailable = errors.New("signing certificate unavailable")
)

// Defaults for the Verifier.
const (
	// DefaultMaxAge is how old a message's Timestamp may be. SNS retries an
	// HTTP/S delivery for at most an hour, keeping the original Timestamp.
	DefaultMaxAge = time.Hour
	// DefaultCertCacheSize bounds the number of cached certificates.
	DefaultCertCacheSize = 32
	// DefaultCertCacheTTL is how long a fetched certificate is reused (never
	// past its NotAfter).
	DefaultCertCacheTTL = 6 * time.Hour
	// DefaultRequestTimeout bounds one certificate fetch or confirmation
	// request, whatever the client.
	DefaultRequestTimeout = 10 * time.Second

	// maxClockSkew is how far in the future a Timestamp may be.
	maxClockSkew = 5 * time.Minute
	// maxCertBytes bounds a fetched certificate.
	maxCertBytes = 64 << 10
	// minRSABits is the smallest signing key accepted.
	minRSABits = 2048
)

// Option configures a Verifier.
type Option func(*settings) error

type settings struct {
	maxAge    time.Duration
	client    *http.Client
	cacheSize int
	cacheTTL  time.Duration
	testHost  string
	testRoots *x509.CertPool
}

// WithMaxAge sets how old a message may be before it is rejected as a
// replay (default DefaultMaxAge). d must be positive.
func WithMaxAge(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("max age: %v is not positive", d)
		}
		s.maxAge = d
		return nil
	}
}

// WithCertCache bounds the certificate cache to size entries kept for at
// most ttl each (defaults DefaultCertCacheSize, DefaultCertCacheTTL).
func WithCertCache(size int, ttl time.Duration) Option {
	return func(s *settings) error {
		if size <= 0 || ttl <= 0 {
			return fmt.Errorf("cert cache: size %d and ttl %v must be positive", size, ttl)
		}
		s.cacheSize, s.cacheTTL = size, ttl
		return nil
	}
}

// WithHTTPClient sets the client used to fetch signing certificates and
// confirm subscriptions (default: a client with DefaultRequestTimeout).
// It cannot widen what is contacted: URLs are checked before any request
// and redirects are never followed, whatever c.CheckRedirect says.
func WithHTTPClient(c *http.Client) Option {
	return func(s *settings) error {
		if c == nil {
			return errors.New("http client: nil")
		}
		s.client = c
		return nil
	}
}

// WithTestTrust is for tests only. It additionally trusts https://hostport
// as an SNS host, and, when roots is not nil and WithHTTPClient is not
// given, makes the default client trust roots instead of the system pool.
// hostport must be a loopback IP address with a port (as an httptest
// server's), so the option cannot point a Verifier at another machine.
func WithTestTrust(hostport string, roots *x509.CertPool) Option {
	return func(s *settings) error {
		host, port, err := net.SplitHostPort(hostport)
		if err != nil {
			return fmt.Errorf("test trust: %w", err)
		}
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.IsLoopback() || port == "" {
			return fmt.Errorf("test trust: %q is not a loopback ip:port", hostport)
		}
		s.testHost, s.testRoots = hostport, roots
		return nil
	}
}

// Verifier verifies SNS HTTP/S messages. It is safe for concurrent use.
type Verifier struct {
	topics   map[string]struct{}
	anyTopic bool
	maxAge   time.Duration
	client   *http.Client
	testHost string
	certs    *certCache
	// now is the clock; tests may replace it.
	now func() time.Time
}

// NewVerifier returns a Verifier accepting messages from the topics listed
// in allowedTopics, by exact ARN. The list is required; the entry "*"
// accepts any topic and must be given explicitly.
func NewVerifier(allowedTopics []string, opts ...Option) (*Verifier, error) {
	s := settings{
		maxAge:    DefaultMaxAge,
		cacheSize: DefaultCertCacheSize,
		cacheTTL:  DefaultCertCacheTTL,
	}
	for _, o := range opts {
		if err := o(&s); err != nil {
			return nil, fmt.Errorf("snshttp: %w", err)
		}
	}
	if len(allowedTopics) == 0 {
		return nil, errors.New("snshttp: no allowed topics: list topic ARNs, or \"*\" to accept any")
	}
	v := &Verifier{
		topics:   make(map[string]struct{}, len(allowedTopics)),
		maxAge:   s.maxAge,
		testHost: s.testHost,
		certs:    newCertCache(s.cacheSize, s.cacheTTL),
		now:      time.Now,
	}
	for _, t := range allowedTopics {
		t = strings.TrimSpace(t)
		switch {
		case t == "*":
			v.anyTopic = true
		case strings.HasPrefix(t, "arn:") && strings.Contains(t, ":sns:"):
			v.topics[t] = struct{}{}
		default:
			return nil, fmt.Errorf("snshttp: allowed topic %q is not an SNS topic ARN or \"*\"", t)
		}
	}
	v.client = s.client
	if v.client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: s.testRoots}
		v.client = &http.Client{Transport: tr, Timeout: DefaultRequestTimeout}
	}
	c := *v.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	v.client = &c
	return v, nil
}

// Verify parses body with ParseMessage and verifies it with VerifyMessage.
// When verification fails it returns the parsed message with the error, for
// logging; the message must not be acted on.
func (v *Verifier) Verify(ctx context.Context, body []byte) (*Message, error) {
	m, err := ParseMessage(body)
	if err != nil {
		return nil, err
	}
	if err := v.VerifyMessage(ctx, m); err != nil {
		return m, err
	}
	return m, nil
}

// VerifyMessage checks, in this order and before any request, that m's
// topic is allowed, its Timestamp is within the maximum age, and its
// SigningCertURL (and SubscribeURL, for confirmations) is https on an SNS
// host; then it fetches (or reuses) the certificate, checks its validity
// period, and checks the signature.
func (v *Verifier) VerifyMessage(ctx context.Context, m *Message) error {
	var h crypto.Hash
	switch m.SignatureVersion {
	case "1":
		h = crypto.SHA1
	case "2":
		h = crypto.SHA256
	default:
		return fmt.Errorf("verify: %w: unsupported SignatureVersion %q", ErrMalformed, m.SignatureVersion)
	}
	if err := v.checkTopic(m.TopicARN); err != nil {
		return err
	}
	ts, err := m.Time()
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	now := v.now()
	if age := now.Sub(ts); age > v.maxAge || age < -maxClockSkew {
		return fmt.Errorf("verify: %w: published %s, %v ago", ErrStale, m.Timestamp, age.Round(time.Second))
	}
	if m.Type != TypeNotification {
		if _, err := v.checkURL(m.SubscribeURL); err != nil {
			return fmt.Errorf("verify: SubscribeURL: %w", err)
		}
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return fmt.Errorf("verify: %w: signature is not base64", ErrBadSignature)
	}
	pub, err := v.certificate(ctx, m.SigningCertURL, now)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	var buf [1024]byte
	sts := m.appendStringToSign(buf[:0])
	var digest []byte
	if h == crypto.SHA1 {
		d := sha1.Sum(sts)
		digest = d[:]
	} else {
		d := sha256.Sum256(sts)
		digest = d[:]
	}
	if err := rsa.VerifyPKCS1v15(pub, h, digest, sig); err != nil {
		return fmt.Errorf("verify: %w (message %s)", ErrBadSignature, m.MessageID)
	}
	return nil
}

func (v *Verifier) checkTopic(arn string) error {
	if v.anyTopic {
		return nil
	}
	if _, ok := v.topics[arn]; !ok {
		return fmt.Errorf("verify: %w: %q", ErrTopicNotAllowed, arn)
	}
	return nil
}

// checkURL returns a GET request for raw if raw is https on an SNS host
// (or the test host). The request's own parsed URL is what is checked, so
// what is checked is what would be dialled.
func (v *Verifier) checkURL(raw string) (*http.Request, error) {
	// Errors name the scheme and host only: a SubscribeURL carries the
	// subscription Token in its query.
	req, err := http.NewRequest(http.MethodGet, raw, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: the URL does not parse", ErrUntrustedURL)
	}
	u := req.URL
	if u.Scheme != "https" || u.User != nil || u.Opaque != "" {
		return nil, fmt.Errorf("%w: %s://%s is not https on an SNS host", ErrUntrustedURL, u.Scheme, u.Host)
	}
	if v.testHost != "" && u.Host == v.testHost {
		return req, nil
	}
	if p := u.Port(); (p != "" && p != "443") || !IsSNSHost(u.Hostname()) {
		return nil, fmt.Errorf("%w: host %q is not an SNS host", ErrUntrustedURL, u.Host)
	}
	return req, nil
}

// IsSNSHost reports whether host matches
// ^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$, the hosts SNS publishes
// signing certificates and subscription URLs on.
func IsSNSHost(host string) bool {
	label, ok := strings.CutPrefix(host, "sns.")
	if !ok {
		return false
	}
	if l, ok := strings.CutSuffix(label, ".amazonaws.com.cn"); ok {
		label = l
	} else if l, ok := strings.CutSuffix(label, ".amazonaws.com"); ok {
		label = l
	} else {
		return false
	}
	if len(label) < 3 {
		return false
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// certificate returns the RSA key of the certificate at rawURL, from the
// cache or fetched, after checking the URL and the validity period.
func (v *Verifier) certificate(ctx context.Context, rawURL string, now time.Time) (*rsa.PublicKey, error) {
	req, err := v.checkURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("SigningCertURL: %w", err)
	}
	cert, err := v.certs.get(ctx, rawURL, now, func(ctx context.Context) (*x509.Certificate, error) {
		// Other requests may wait for this fetch: do not let this request's
		// cancellation fail theirs.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DefaultRequestTimeout)
		defer cancel()
		return v.fetchCert(ctx, req)
	})
	if err != nil {
		return nil, err
	}
	if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return nil, fmt.Errorf("%w: valid %s to %s", ErrBadCertificate,
			cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339))
	}
	return cert.PublicKey.(*rsa.PublicKey), nil
}

func (v *Verifier) fetchCert(ctx context.Context, req *http.Request) (*x509.Certificate, error) {
	resp, err := v.client.Do(req.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("fetch cert: %w: %w", ErrCertUnavailable, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return nil, fmt.Errorf("fetch cert: %w: %s answered %s", ErrCertUnavailable, req.URL.Host, resp.Status)
	default:
		return nil, fmt.Errorf("fetch cert: %w: %s answered %s", ErrBadCertificate, req.URL.Host, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxCertBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetch cert: %w: %w", ErrCertUnavailable, err)
	}
	if len(data) > maxCertBytes {
		return nil, fmt.Errorf("fetch cert: %w: more than %d bytes", ErrBadCertificate, maxCertBytes)
	}
	return parseCert(data)
}

func parseCert(data []byte) (*x509.Certificate, error) {
	var block *pem.Block
	for {
		block, data = pem.Decode(data)
		if block == nil {
			return nil, fmt.Errorf("parse cert: %w: no PEM certificate", ErrBadCertificate)
		}
		if block.Type == "CERTIFICATE" {
			break
		}
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse cert: %w: %w", ErrBadCertificate, err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("parse cert: %w: key is %T, not RSA", ErrBadCertificate, cert.PublicKey)
	}
	if pub.N.BitLen() < minRSABits {
		return nil, fmt.Errorf("parse cert: %w: %d-bit key", ErrBadCertificate, pub.N.BitLen())
	}
	return cert, nil
}

// Confirm confirms the subscription a verified SubscriptionConfirmation
// asks for, by one GET on its SubscribeURL (which must be https on an SNS
// host, for an allowed topic), and returns the subscription ARN SNS
// answered with, if it could be read. An error SNS answers with a 4xx is
// marked permanent (retry.IsPermanent); network errors, 429 and 5xx are not.
func (v *Verifier) Confirm(ctx context.Context, m *Message) (string, error) {
	if m.Type != TypeSubscriptionConfirmation {
		return "", retry.Permanent(fmt.Errorf("confirm: %w: %s is not a SubscriptionConfirmation", ErrMalformed, m.Type))
	}
	if err := v.checkTopic(m.TopicARN); err != nil {
		return "", retry.Permanent(fmt.Errorf("confirm: %w", err))
	}
	req, err := v.checkURL(m.SubscribeURL)
	if err != nil {
		return "", retry.Permanent(fmt.Errorf("confirm: SubscribeURL: %w", err))
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultRequestTimeout)
	defer cancel()
	resp, err := v.client.Do(req.WithContext(ctx))
	if err != nil {
		// Client errors are *url.Error quoting the SubscribeURL, whose
		// Token confirms the subscription: keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", fmt.Errorf("confirm: GET %s: %w", req.URL.Host, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("confirm: %s answered %s", req.URL.Host, resp.Status)
		if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
			err = retry.Permanent(err)
		}
		return "", err
	}
	var out struct {
		Arn string `xml:"ConfirmSubscriptionResult>SubscriptionArn"`
	}
	if xml.Unmarshal(bytes.TrimSpace(data), &out) != nil {
		return "", nil
	}
	return out.Arn, nil
}
