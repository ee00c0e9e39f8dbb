package snshttp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
)

// The SNS HTTP/S message types, as in the body's Type field and the
// x-amz-sns-message-type header.
const (
	TypeNotification             = "Notification"
	TypeSubscriptionConfirmation = "SubscriptionConfirmation"
	TypeUnsubscribeConfirmation  = "UnsubscribeConfirmation"
)

// Message is an SNS HTTP/S POST body. Only the fields that enter the string
// to sign are authenticated by the signature; UnsubscribeURL (and anything
// else SNS may add, such as MessageAttributes) is not.
type Message struct {
	// Type is Notification, SubscriptionConfirmation or
	// UnsubscribeConfirmation.
	Type string `json:"Type"`
	// MessageID is unique per published message and stable across retries.
	MessageID string `json:"MessageId"`
	// Token is the confirmation token (confirmations only).
	Token string `json:"Token,omitempty"`
	// TopicARN is the topic the message was published to.
	TopicARN string `json:"TopicArn"`
	// Subject is the published subject, nil when the message has none. A
	// present Subject, even an empty one, is part of the string to sign.
	Subject *string `json:"Subject,omitempty"`
	// Message is the published message (for confirmations, a text from SNS).
	Message string `json:"Message"`
	// Timestamp is when SNS published the message, RFC 3339.
	Timestamp string `json:"Timestamp"`
	// SignatureVersion is "1" (SHA1withRSA) or "2" (SHA256withRSA).
	SignatureVersion string `json:"SignatureVersion"`
	// Signature is the base64 RSA PKCS #1 v1.5 signature.
	Signature string `json:"Signature"`
	// SigningCertURL is where the signing certificate is published.
	SigningCertURL string `json:"SigningCertURL"`
	// SubscribeURL confirms the subscription when fetched (confirmations
	// only).
	SubscribeURL string `json:"SubscribeURL,omitempty"`
	// UnsubscribeURL ends the subscription when fetched (notifications only;
	// not signed).
	UnsubscribeURL string `json:"UnsubscribeURL,omitempty"`
}

// ParseMessage decodes an SNS HTTP/S body and checks that it has the fields
// its Type requires. It does not verify the signature. Errors match
// ErrMalformed.
func ParseMessage(body []byte) (*Message, error) {
	if !utf8.Valid(body) {
		return nil, fmt.Errorf("parse: %w: body is not valid UTF-8", ErrMalformed)
	}
	var m Message
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("parse: %w: %w", ErrMalformed, err)
	}
	missing := func(name string) error {
		return fmt.Errorf("parse: %w: %s message has no %s", ErrMalformed, m.Type, name)
	}
	switch m.Type {
	case TypeNotification:
	case TypeSubscriptionConfirmation, TypeUnsubscribeConfirmation:
		if m.SubscribeURL == "" {
			return nil, missing("SubscribeURL")
		}
		if m.Token == "" {
			return nil, missing("Token")
		}
	case "":
		return nil, fmt.Errorf("parse: %w: no Type", ErrMalformed)
	default:
		return nil, fmt.Errorf("parse: %w: unknown Type %q", ErrMalformed, m.Type)
	}
	for _, f := range [...]struct{ name, value string }{
		{"MessageId", m.MessageID},
		{"TopicArn", m.TopicARN},
		{"Timestamp", m.Timestamp},
		{"SignatureVersion", m.SignatureVersion},
		{"Signature", m.Signature},
		{"SigningCertURL", m.SigningCertURL},
	} {
		if f.value == "" {
			return nil, missing(f.name)
		}
	}
	if m.Type == TypeNotification && m.Message == "" {
		return nil, missing("Message")
	}
	return &m, nil
}

// Time parses the message's Timestamp.
func (m *Message) Time() (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, m.Timestamp)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp: %w: %w", ErrMalformed, err)
	}
	return t, nil
}

// appendStringToSign appends the canonical string SNS signs for m to buf:
// "key\nvalue\n" pairs in a fixed order that depends on the type.
func (m *Message) appendStringToSign(buf []byte) []byte {
	add := func(k, v string) {
		buf = append(buf, k...)
		buf = append(buf, '\n')
		buf = append(buf, v...)
		buf = append(buf, '\n')
	}
	add("Message", m.Message)
	add("MessageId", m.MessageID)
	if m.Type == TypeNotification {
		if m.Subject != nil {
			add("Subject", *m.Subject)
		}
	} else {
		add("SubscribeURL", m.SubscribeURL)
	}
	add("Timestamp", m.Timestamp)
	if m.Type != TypeNotification {
		add("Token", m.Token)
	}
	add("TopicArn", m.TopicARN)
	add("Type", m.Type)
	return buf
}

// signedJSON re-encodes m as an SNS HTTP/S body holding only the fields the
// signature covers and the signature itself. Whatever else the received body
// carried (unsigned keys, duplicate or differently cased keys) is dropped, so
// a later decoder cannot be steered by content the signature did not cover.
func (m *Message) signedJSON() ([]byte, error) {
	c := Message{
		Type:             m.Type,
		MessageID:        m.MessageID,
		TopicARN:         m.TopicARN,
		Subject:          m.Subject,
		Message:          m.Message,
		Timestamp:        m.Timestamp,
		SignatureVersion: m.SignatureVersion,
		Signature:        m.Signature,
		SigningCertURL:   m.SigningCertURL,
	}
	if m.Type != TypeNotification {
		c.Token, c.SubscribeURL = m.Token, m.SubscribeURL
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&c); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
