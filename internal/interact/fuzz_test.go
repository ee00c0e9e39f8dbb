package interact

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/control"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/secret"
)

func seedClick(tb testing.TB) []byte {
	return click(tb, ActionIDRollback, "U0ALICE", control.Ref{Platform: deploy.CodeDeployECS, DeploymentID: "d-7XQ2K9ABC", Destination: "ops"}, "https://hooks.slack.com/actions/T0/1/x")
}

// FuzzParseClick: the payload parser reads outside input (after the
// signature); it never panics, and what it accepts is safe to use in a
// mention, an API call and a log line.
func FuzzParseClick(f *testing.F) {
	f.Add(seedClick(f))
	f.Add([]byte("payload=%7B%22type%22%3A%22block_actions%22%7D"))
	f.Add([]byte("payload=" + strings.Repeat("%", 10)))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := ParseClick(body)
		if err != nil {
			return
		}
		if !userID().MatchString(c.UserID) || !slackID().MatchString(c.Channel) || !tsRE().MatchString(c.MessageTS) {
			t.Fatalf("accepted unsafe IDs: %+v", c)
		}
		if c.Action != control.Rollback && c.Action != control.FinishEarly {
			t.Fatalf("action %q", c.Action)
		}
		if err := c.Ref.Validate(); err != nil {
			t.Fatalf("invalid ref accepted: %v", err)
		}
		if strings.ContainsAny(c.UserName, "\n\r\x00") || len(c.UserName) > 80 {
			t.Fatalf("user name %q", c.UserName)
		}
	})
}

// FuzzVerify: the verifier reads the headers and body of anyone's
// request; it never panics, and accepts only what the secret signed.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1764514920, 0)
	body := seedClick(f)
	ts := strconv.FormatInt(now.Unix(), 10)
	f.Add(ts, SignatureHeader(secret.New(opsSecret), ts, body), body)
	f.Add("1764514920", "v0=00", []byte("payload="))
	f.Add("-1", "v1=abc", []byte{})
	signers := []Signer{{Destination: "ops", Secret: secret.New(opsSecret)}, {Destination: "empty"}}
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		names, err := Verify(signers, ts, sig, body, now)
		if err != nil {
			return
		}
		if len(names) != 1 || names[0] != "ops" {
			t.Fatalf("verified by %v", names)
		}
		if sig != SignatureHeader(secret.New(opsSecret), ts, body) {
			t.Fatalf("accepted a signature the secret did not make: %q", sig)
		}
	})
}

func TestOversizedBody(t *testing.T) {
	now := time.Unix(1764514920, 0)
	ts := strconv.FormatInt(now.Unix(), 10)
	big := append(seedClick(t), bytes.Repeat([]byte("x"), MaxBody)...)
	if _, err := Verify([]Signer{{Destination: "ops", Secret: secret.New(opsSecret)}}, ts, SignatureHeader(secret.New(opsSecret), ts, big), big, now); err == nil {
		t.Error("Verify accepted a body over MaxBody")
	}
	// serve: 413 before reading.
	s := &HTTPHandler{Handler: &Handler{Now: func() time.Time { return now }}}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodPost, Path, bytes.NewReader(big)))
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("serve answered %d to an oversized body, want 413", w.Code)
	}
}

// TestVerifyRefusesOtherEncodings: exactly the string Slack signs verifies;
// an upper-case hex variant of a valid signature (the same bytes) does not.
// Found by FuzzVerify.
func TestVerifyRefusesOtherEncodings(t *testing.T) {
	now := time.Unix(1764514920, 0)
	ts := strconv.FormatInt(now.Unix(), 10)
	body := []byte("payload=%7B%7D")
	signers := []Signer{{Destination: "ops", Secret: secret.New(opsSecret)}}
	good := SignatureHeader(secret.New(opsSecret), ts, body)
	if _, err := Verify(signers, ts, good, body, now); err != nil {
		t.Fatalf("the signature Slack sends: %v", err)
	}
	upper := "v0=" + strings.ToUpper(strings.TrimPrefix(good, "v0="))
	if _, err := Verify(signers, ts, upper, body, now); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("upper-case hex variant accepted: %v", err)
	}
}
