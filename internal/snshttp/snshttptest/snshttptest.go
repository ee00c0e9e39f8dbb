// Package snshttptest is a fake of the SNS side of an HTTP/S subscription
// for tests: an RSA key and self-signed certificate, a loopback TLS server
// publishing the certificate and answering subscription confirmations, and
// message signing with SignatureVersion 1 or 2.
//
// Pair it with snshttp.WithTestTrust(s.Host(), s.Roots()) and
// snshttp.WithHTTPClient(s.Client()); the client reaches only this server,
// so a test can never make a request to a real host.
package snshttptest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// CertPath is where the server publishes the certificate; any other path
// ending in ".pem" serves it too, so tests can use several certificate URLs.
const CertPath = "/SimpleNotificationService-test.pem"

// ConfirmPath is the path of the SubscribeURLs the server hands out.
const ConfirmPath = "/confirm"

// Server is a fake SNS endpoint. Its methods are safe for concurrent use.
type Server struct {
	// TLS is the loopback HTTPS server.
	TLS *httptest.Server
	// Key signs messages.
	Key *rsa.PrivateKey
	// Cert is the self-signed certificate for Key that the server publishes.
	Cert *x509.Certificate
	// ConfirmStatus is the status the server answers confirmations with
	// (default 200). Set it before use.
	ConfirmStatus int

	certPEM []byte
	mu      sync.Mutex
	hits    map[string]int
	refused []string
}

// New starts a Server whose certificate is valid from an hour ago to a day
// from now. It is closed when the test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	now := time.Now()
	return NewWithValidity(tb, now.Add(-time.Hour), now.Add(24*time.Hour))
}

// NewWithValidity starts a Server whose certificate is valid from notBefore
// to notAfter.
func NewWithValidity(tb testing.TB, notBefore, notAfter time.Time) *Server {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatalf("snshttptest: generate key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "sns.test.amazonaws.com"},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatalf("snshttptest: create certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatalf("snshttptest: parse certificate: %v", err)
	}
	s := &Server{
		Key:           key,
		Cert:          cert,
		certPEM:       pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		hits:          make(map[string]int),
		ConfirmStatus: http.StatusOK,
	}
	s.TLS = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.TLS.Close)
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	status := s.ConfirmStatus
	s.mu.Unlock()
	switch {
	case r.Method != http.MethodGet:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	case strings.HasSuffix(r.URL.Path, ".pem"):
		w.Header().Set("Content-Type", "application/x-pem-file")
		_, _ = w.Write(s.certPEM)
	case r.URL.Path == ConfirmPath:
		if status != http.StatusOK {
			http.Error(w, http.StatusText(status), status)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ConfirmSubscriptionResult><SubscriptionArn>%s:test-subscription</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>`,
			r.URL.Query().Get("TopicArn"))
	default:
		http.NotFound(w, r)
	}
}

// Host returns the server's "127.0.0.1:port".
func (s *Server) Host() string { return s.TLS.Listener.Addr().String() }

// Roots returns a pool trusting the server's TLS certificate.
func (s *Server) Roots() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.TLS.Certificate())
	return p
}

// CertURL returns the https URL of the signing certificate.
func (s *Server) CertURL() string { return s.TLS.URL + CertPath }

// SubscribeURL returns a confirmation URL on the server for topic.
func (s *Server) SubscribeURL(topic, token string) string {
	q := url.Values{"Action": {"ConfirmSubscription"}, "TopicArn": {topic}, "Token": {token}}
	return s.TLS.URL + ConfirmPath + "?" + q.Encode()
}

// Client returns a client that trusts the server and reaches only it: a
// request for any other host fails without leaving the process and is
// recorded (see Refused).
func (s *Server) Client() *http.Client {
	c := s.TLS.Client()
	c.Transport = &onlyHost{s: s, next: c.Transport}
	return c
}

type onlyHost struct {
	s    *Server
	next http.RoundTripper
}

func (t *onlyHost) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != t.s.Host() {
		t.s.mu.Lock()
		t.s.refused = append(t.s.refused, r.URL.String())
		t.s.mu.Unlock()
		return nil, fmt.Errorf("snshttptest: request to %s refused: only %s is reachable", r.URL.Host, t.s.Host())
	}
	return t.next.RoundTrip(r)
}

// Hits returns how many requests the server received for path.
func (s *Server) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// TotalHits returns how many requests the server received.
func (s *Server) TotalHits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, h := range s.hits {
		n += h
	}
	return n
}

// Refused returns the URLs Client refused to contact.
func (s *Server) Refused() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.refused...)
}

// Message is an SNS HTTP/S body. A nil Subject is left out.
type Message struct {
	Type             string  `json:"Type"`
	MessageID        string  `json:"MessageId"`
	Token            string  `json:"Token,omitempty"`
	TopicARN         string  `json:"TopicArn"`
	Subject          *string `json:"Subject,omitempty"`
	Message          string  `json:"Message"`
	Timestamp        string  `json:"Timestamp"`
	SignatureVersion string  `json:"SignatureVersion"`
	Signature        string  `json:"Signature"`
	SigningCertURL   string  `json:"SigningCertURL"`
	SubscribeURL     string  `json:"SubscribeURL,omitempty"`
	UnsubscribeURL   string  `json:"UnsubscribeURL,omitempty"`
}

// Notification returns an unsigned Notification published at at, with
// subject unless it is nil.
func (s *Server) Notification(topic string, subject *string, message string, at time.Time) *Message {
	return &Message{
		Type:           "Notification",
		MessageID:      fmt.Sprintf("msg-%d", at.UnixNano()),
		TopicARN:       topic,
		Subject:        subject,
		Message:        message,
		Timestamp:      at.UTC().Format("2006-01-02T15:04:05.000Z"),
		SigningCertURL: s.CertURL(),
		UnsubscribeURL: s.TLS.URL + "/unsubscribe",
	}
}

// Confirmation returns an unsigned SubscriptionConfirmation or
// UnsubscribeConfirmation (typ) whose SubscribeURL is on the server.
func (s *Server) Confirmation(typ, topic string, at time.Time) *Message {
	token := fmt.Sprintf("token-%d", at.UnixNano())
	return &Message{
		Type:           typ,
		MessageID:      fmt.Sprintf("msg-%d", at.UnixNano()),
		Token:          token,
		TopicARN:       topic,
		Message:        "You have chosen to subscribe to the topic " + topic + ".",
		Timestamp:      at.UTC().Format("2006-01-02T15:04:05.000Z"),
		SigningCertURL: s.CertURL(),
		SubscribeURL:   s.SubscribeURL(topic, token),
	}
}

// Sign sets m's SignatureVersion ("1" or "2") and Signature with the
// server's key, and returns m as JSON. It leaves SigningCertURL as it is.
func (s *Server) Sign(m *Message, version string) []byte {
	m.SignatureVersion = version
	h, digest := hashFor(version, StringToSign(m))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.Key, h, digest)
	if err != nil {
		panic(fmt.Sprintf("snshttptest: sign: %v", err))
	}
	m.Signature = base64.StdEncoding.EncodeToString(sig)
	return m.JSON()
}

// JSON returns m as an SNS HTTP/S body.
func (m *Message) JSON() []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("snshttptest: marshal: %v", err))
	}
	return b
}

// StringToSign returns the string SNS signs for m.
func StringToSign(m *Message) []byte {
	var b bytes.Buffer
	kv := func(k, v string) { b.WriteString(k + "\n" + v + "\n") }
	if m.Type == "Notification" {
		kv("Message", m.Message)
		kv("MessageId", m.MessageID)
		if m.Subject != nil {
			kv("Subject", *m.Subject)
		}
		kv("Timestamp", m.Timestamp)
		kv("TopicArn", m.TopicARN)
		kv("Type", m.Type)
		return b.Bytes()
	}
	for _, f := range [][2]string{
		{"Message", m.Message}, {"MessageId", m.MessageID}, {"SubscribeURL", m.SubscribeURL},
		{"Timestamp", m.Timestamp}, {"Token", m.Token}, {"TopicArn", m.TopicARN}, {"Type", m.Type},
	} {
		kv(f[0], f[1])
	}
	return b.Bytes()
}

func hashFor(version string, data []byte) (crypto.Hash, []byte) {
	if version == "1" {
		d := sha1.Sum(data)
		return crypto.SHA1, d[:]
	}
	d := sha256.Sum256(data)
	return crypto.SHA256, d[:]
}

// Check independently verifies that body is a message signed with the
// server's key and naming its certificate URL: an oracle for tests of a
// verifier. It does not check topics or timestamps.
func (s *Server) Check(body []byte) (*Message, error) {
	var m Message
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	if m.SignatureVersion != "1" && m.SignatureVersion != "2" {
		return nil, fmt.Errorf("check: SignatureVersion %q", m.SignatureVersion)
	}
	u, err := url.Parse(m.SigningCertURL)
	if err != nil || u.Scheme != "https" || u.Host != s.Host() {
		return nil, fmt.Errorf("check: SigningCertURL %q is not this server", m.SigningCertURL)
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	h, digest := hashFor(m.SignatureVersion, StringToSign(&m))
	if err := rsa.VerifyPKCS1v15(&s.Key.PublicKey, h, digest, sig); err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	if m.Type != "Notification" && m.Type != "SubscriptionConfirmation" && m.Type != "UnsubscribeConfirmation" {
		return nil, errors.New("check: unknown Type")
	}
	return &m, nil
}

// Ptr returns &s, for Message.Subject.
func Ptr(s string) *string { return &s }
