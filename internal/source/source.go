// Package source turns inbound bytes into deployment events. It unwraps the
// envelopes events travel in (the Lambda SNS event, an SNS HTTP/S body, SQS
// records, the Lambda failure-destination record) and hands each message to
// the first registered [Decoder] that claims it: one decoder per event
// source, each in its own package (source/codedeploy, ...).
package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cutover-dev/cutover/internal/deploy"
)

// MaxInput is the largest input Decode accepts. SNS messages are at most
// 256 KiB; the envelope around them adds little.
const MaxInput = 1 << 20

// ErrSubscriptionConfirmation is returned for an SNS HTTP/S
// SubscriptionConfirmation or UnsubscribeConfirmation body: it holds no
// event.
var ErrSubscriptionConfirmation = errors.New("sns subscription confirmation, not a notification")

// Message is one message out of its envelope, as a decoder sees it.
type Message struct {
	// Body is the message's JSON.
	Body []byte
	// Top is Body's top-level object, when the message was decoded into a
	// map; nil when its members were read with ReadObject.
	Top map[string]json.RawMessage
	// Subject is the SNS Subject, when the message came through SNS.
	Subject string

	obj *Object
}

// Has reports whether the message has the top-level key k, not null.
func (m *Message) Has(k string) bool {
	if m.Top == nil && m.obj != nil {
		return m.obj.Has(k)
	}
	return Has(m.Top, k)
}

// String returns the top-level string member k as json.Unmarshal of Body
// into a struct with a string field k would (keys fold, null leaves it
// empty); ok is false where that json.Unmarshal would fail. Claims use it
// to read a discriminator without decoding the message.
func (m *Message) String(k string) (string, bool) {
	if m.obj == nil {
		m.obj = ReadObject(m.Body)
	}
	if m.obj != nil {
		return m.obj.String(k)
	}
	// Keys with escapes, or many members: let encoding/json say.
	return structString(m.Body, k)
}

// Decoder decodes the messages of one event source.
type Decoder interface {
	// Claims reports whether m is this source's message. The first
	// decoder that claims a message decodes it. Claims reads only the
	// message's top-level keys and string members (Has, String): the
	// message is decoded once, by Decode.
	Claims(m *Message) bool
	// Decode decodes m. Errors are *DecodeError (see Errorf). Body may
	// not have been checked yet: Decode must fail on a Body that is not
	// valid JSON (as json.Unmarshal of all of it does), and the registry
	// then reads the input again the general way for the exact error.
	Decode(m *Message) (deploy.Event, error)
	// EventNames lists the event names the source produces, in a stable
	// order, for CUTOVER_EVENTS and routing filters.
	EventNames() []string
}

// Registry decodes inputs with its decoders.
type Registry struct {
	decoders []Decoder
}

// New returns a registry that asks decoders, in order.
func New(decoders ...Decoder) *Registry { return &Registry{decoders: decoders} }

// EventNames lists every event name the registry's sources produce.
func (r *Registry) EventNames() []string {
	var out []string
	for _, d := range r.decoders {
		for _, n := range d.EventNames() {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// DecodeError says why an input is not a deployment notification, with the
// first bytes of what was received. Decoding is deterministic, so retrying
// the same input cannot help: a DecodeError is permanent.
type DecodeError struct {
	// MessageID is the SNS (or SQS) MessageId of the rejected message, if known.
	MessageID string
	// SQS says MessageID is an SQS record's messageId (an SNS MessageId otherwise).
	SQS bool
	// Reason says what was wrong.
	Reason string
	// Snippet is the start of the input, valid UTF-8, at most 200 bytes.
	Snippet string
}

// Error says what was wrong, which message it was, and what was received.
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("decode: ")
	b.WriteString(e.Reason)
	if e.MessageID != "" {
		if e.SQS {
			b.WriteString(" (sqs message ")
		} else {
			b.WriteString(" (sns message ")
		}
		b.WriteString(e.MessageID)
		b.WriteString(")")
	}
	if e.Snippet != "" {
		fmt.Fprintf(&b, ": received %q", e.Snippet)
	}
	return b.String()
}

// Permanent marks a DecodeError as not worth retrying.
func (e *DecodeError) Permanent() bool { return true }

// Errorf returns a *DecodeError about data.
func Errorf(data []byte, format string, args ...any) *DecodeError {
	return &DecodeError{Reason: fmt.Sprintf(format, args...), Snippet: Snippet(data, 200)}
}

// Snippet returns at most n bytes from the start of data as valid UTF-8,
// with invalid bytes replaced and an ellipsis when cut.
func Snippet(data []byte, n int) string {
	cut := len(data) > n
	if cut {
		data = data[:n]
		// Drop a rune split by the cut (at most 3 trailing bytes).
		for i := 1; i <= 3 && i <= len(data); i++ {
			if utf8.RuneStart(data[len(data)-i]) {
				if !utf8.FullRune(data[len(data)-i:]) {
					data = data[:len(data)-i]
				}
				break
			}
		}
	}
	s := strings.ToValidUTF8(string(data), "\uFFFD")
	if cut {
		s += "…"
	}
	return s
}

// JSONProblem says what is wrong with JSON that did not decode, in terms of
// the input rather than Go's types: "field Sns.Message: a number where a
// string belongs" instead of "cannot unmarshal number into Go struct field
// snsEnvelope.Message of type string"; a syntax error with its offset.
func JSONProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		want := map[string]string{
			"string": "a string", "bool": "true or false", "[]string": "a list of strings",
			"json.RawMessage": "a JSON value", "map[string]json.RawMessage": "an object",
		}[te.Type.String()]
		if want == "" {
			switch te.Type.Kind().String() {
			case "struct", "map":
				want = "an object"
			case "slice", "array":
				want = "a list"
			case "int", "int64", "float64":
				want = "a number"
			default:
				want = "another type"
			}
		}
		if te.Field == "" {
			return fmt.Sprintf("%s where %s belongs", article(te.Value), want)
		}
		return fmt.Sprintf("field %s: %s where %s belongs", te.Field, article(te.Value), want)
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "invalid character "))
	}
	return err.Error()
}

// article puts "a"/"an" before a JSON kind: "a number", "an object".
func article(kind string) string {
	switch kind {
	case "object", "array":
		return "an " + kind
	case "":
		return "a value"
	}
	return "a " + kind
}

// Has reports whether top has the key k, not null.
func Has(top map[string]json.RawMessage, k string) bool {
	v, ok := top[k]
	return ok && string(v) != "null"
}

// KeyList names top's keys, sorted, at most eight, for errors.
func KeyList(top map[string]json.RawMessage) string {
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > 8 {
		keys = append(keys[:8], "…")
	}
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

// Decode decodes one input document into its events. It recognises the
// Lambda SNS event, an SNS HTTP/S body, SQS records, a Lambda
// async-invocation destination record (what the failure queue holds) and a
// bare message of any registered source. An input with several records
// yields the events it could decode together with an error joining a
// *DecodeError for each record it could not.
//
// A well-formed input is read once: its members are listed (ReadObject),
// the envelope is decoded in one json.Unmarshal into the struct that holds
// every record, and each message once more, by the decoder that claims
// it. Anything else (an error, a failure record, an input this reading
// does not take exactly as encoding/json would) is read again layer by
// layer, which says what is wrong and where.
func (r *Registry) Decode(data []byte) ([]deploy.Event, error) {
	return r.DecodeObject(data, nil)
}

// DecodeObject is Decode for data whose members o lists (ReadObject of
// data, or nil): what a caller that already looked at data's keys uses,
// so that data is not read twice.
func (r *Registry) DecodeObject(data []byte, o *Object) ([]deploy.Event, error) {
	if evs, ok := r.decodeOnce(data, o, 0); ok {
		return evs, nil
	}
	return r.decode(data, 0)
}

// decodeOnce decodes data in one pass per document, or reports false: it
// gives up on anything but success, and decode then does the work again
// the general way, with its errors.
func (r *Registry) decodeOnce(data []byte, o *Object, depth int) ([]deploy.Event, bool) {
	if len(data) > MaxInput || depth > 3 {
		return nil, false
	}
	if o == nil {
		o = ReadObject(data)
	}
	if o == nil || o.top != nil || !utf8.Valid(o.data) {
		return nil, false
	}
	trimmed := o.data
	switch {
	case o.Has("Records"):
		return r.recordsOnce(trimmed, o, depth)
	case o.Has("requestPayload") && o.Has("requestContext"):
		return nil, false
	case o.Has("Type") && o.Has("TopicArn"):
		var s onceSNS
		if json.Unmarshal(trimmed, &s) != nil || s.Type != "Notification" {
			return nil, false
		}
		ev, ok := r.snsMessageOnce(&s)
		if !ok {
			return nil, false
		}
		return []deploy.Event{ev}, true
	}
	m := &Message{Body: trimmed, obj: o}
	d := r.claim(m)
	if d == nil {
		return nil, false
	}
	ev, err := d.Decode(m)
	if err != nil {
		return nil, false
	}
	if ev.ID == "" {
		ev.ID = "key:" + ev.Key()
	}
	return []deploy.Event{ev}, true
}

// onceRecord is lambdaRecord with its SNS entity decoded in place.
type onceRecord struct {
	EventSource  string   `json:"EventSource"`
	EventSource2 string   `json:"eventSource"`
	Sns          *onceSNS `json:"Sns"`
	Body         *string  `json:"body"`
	MessageID    string   `json:"messageId"`
}

// recordsOnce decodes a Lambda event's records in one json.Unmarshal of
// the whole event (which also checks all of it, as decode's first step
// does).
func (r *Registry) recordsOnce(trimmed []byte, o *Object, depth int) ([]deploy.Event, bool) {
	// A struct field takes a key in any case, and a key spelled with
	// escapes, where a map holds the exact key; and a second Sns object
	// in a record would be merged into the first where decode keeps the
	// last. Leave those to decode.
	if !o.Unique("Records") || bytes.Contains(trimmed, []byte(`\u`)) {
		return nil, false
	}
	var env struct {
		Records []onceRecord `json:"Records"`
	}
	if json.Unmarshal(trimmed, &env) != nil || len(env.Records) == 0 {
		return nil, false
	}
	withSNS := 0
	for i := range env.Records {
		if env.Records[i].Sns != nil {
			withSNS++
		}
	}
	if snsKeys(trimmed) > withSNS {
		return nil, false
	}
	var events []deploy.Event
	for i := range env.Records {
		rec := &env.Records[i]
		switch {
		case rec.Sns != nil:
			ev, ok := r.snsMessageOnce(rec.Sns)
			if !ok {
				return nil, false
			}
			events = append(events, ev)
		case rec.Body != nil:
			evs, ok := r.decodeOnce([]byte(*rec.Body), nil, depth+1)
			if !ok {
				return nil, false
			}
			events = append(events, evs...)
		default:
			return nil, false
		}
	}
	return events, true
}

// snsKeys counts the string tokens that fold to "Sns" in data (an upper
// bound of the keys a struct field Sns takes).
func snsKeys(data []byte) int {
	n := 0
	for i := 0; i+4 < len(data); i++ {
		q := bytes.IndexByte(data[i:len(data)-4], '"')
		if q < 0 {
			break
		}
		i += q
		if data[i+4] == '"' && bytes.EqualFold(data[i+1:i+4], []byte("sns")) {
			n++
		}
	}
	return n
}

// snsMessageOnce decodes an SNS message as decodeSNSMessage does, or
// reports false.
func (r *Registry) snsMessageOnce(s *onceSNS) (deploy.Event, bool) {
	body := []byte(s.Message)
	o := ReadObject(body)
	if o == nil {
		return deploy.Event{}, false
	}
	m := &Message{Body: body, Subject: s.Subject, obj: o}
	d := r.claim(m)
	if d == nil {
		return deploy.Event{}, false
	}
	ev, err := d.Decode(m)
	if err != nil {
		return deploy.Event{}, false
	}
	return finishSNS(ev, s.MessageID, s.TopicArn, s.Subject, s.Timestamp), true
}

// onceSNS is snsEnvelope with its Message as the bytes it holds.
type onceSNS struct {
	Type      string `json:"Type"`
	MessageID string `json:"MessageId"`
	TopicArn  string `json:"TopicArn"`
	Subject   string `json:"Subject"`
	Message   text   `json:"Message"`
	Timestamp string `json:"Timestamp"`
}

// text is a JSON string's content, as bytes: decoding it into a string and
// then into bytes would copy it twice.
type text []byte

// UnmarshalText keeps a copy of the string's content.
func (t *text) UnmarshalText(b []byte) error {
	*t = append((*t)[:0], b...)
	return nil
}

func (r *Registry) decode(data []byte, depth int) ([]deploy.Event, error) {
	if len(data) > MaxInput {
		return nil, Errorf(data, "input is %d bytes, more than the %d accepted", len(data), MaxInput)
	}
	if depth > 3 {
		return nil, Errorf(data, "envelopes nested too deeply")
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, Errorf(data, "empty input")
	}
	if !utf8.Valid(trimmed) {
		return nil, Errorf(data, "input is not valid UTF-8")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil {
		return nil, Errorf(data, "not a JSON object: %s", JSONProblem(err))
	}
	switch {
	case Has(top, "Records"):
		return r.decodeRecords(top["Records"], data, depth)
	case Has(top, "requestPayload") && Has(top, "requestContext"):
		return r.decode(top["requestPayload"], depth+1)
	case Has(top, "Type") && Has(top, "TopicArn"):
		ev, err := r.decodeSNSHTTP(trimmed)
		if err != nil {
			return nil, err
		}
		return []deploy.Event{ev}, nil
	}
	m := &Message{Body: trimmed, Top: top}
	d := r.claim(m)
	if d == nil {
		return nil, r.unclaimed(m, "")
	}
	ev, err := d.Decode(m)
	if err != nil {
		return nil, err
	}
	if ev.ID == "" {
		ev.ID = "key:" + ev.Key()
	}
	return []deploy.Event{ev}, nil
}

func (r *Registry) claim(m *Message) Decoder {
	for _, d := range r.decoders {
		if d.Claims(m) {
			return d
		}
	}
	return nil
}

// unclaimed is the error for a message no decoder claims.
func (r *Registry) unclaimed(m *Message, msgID string) error {
	var err *DecodeError
	switch {
	case m.Has("detail-type") || (m.Has("source") && m.Has("detail")):
		var eb struct {
			Source     string `json:"source"`
			DetailType string `json:"detail-type"`
		}
		_ = json.Unmarshal(m.Body, &eb)
		err = Errorf(m.Body, "EventBridge event %q from %q is not one cutover reads (not aws.codedeploy, nor an aws.ecs deployment or hook state change)", eb.DetailType, eb.Source)
	case msgID != "":
		err = Errorf(m.Body, "SNS message is not a deployment notification (keys: %s)", KeyList(m.Top))
	default:
		err = Errorf(m.Body, "not a deployment notification (top-level keys: %s)", KeyList(m.Top))
	}
	err.MessageID = msgID
	return err
}

// lambdaRecord is one record of a Lambda event: SNS or SQS.
type lambdaRecord struct {
	EventSource  string          `json:"EventSource"`
	EventSource2 string          `json:"eventSource"`
	Sns          json.RawMessage `json:"Sns"`
	Body         *string         `json:"body"`
	MessageID    string          `json:"messageId"`
}

func (r *Registry) decodeRecords(raw json.RawMessage, whole []byte, depth int) ([]deploy.Event, error) {
	var recs []lambdaRecord
	if err := json.Unmarshal(raw, &recs); err != nil {
		return nil, Errorf(whole, "Records is not a list of records: %s", JSONProblem(err))
	}
	if len(recs) == 0 {
		return nil, Errorf(whole, "event has no records")
	}
	var (
		events []deploy.Event
		errs   []error
	)
	for i, rec := range recs {
		switch {
		case len(rec.Sns) > 0 && string(rec.Sns) != "null":
			ev, err := r.decodeSNSLambda(rec.Sns)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			events = append(events, ev)
		case rec.Body != nil:
			// An SQS record whose body is an SNS envelope or a notification.
			evs, err := r.decode([]byte(*rec.Body), depth+1)
			if err != nil {
				var de *DecodeError
				if errors.As(err, &de) && de.MessageID == "" {
					de.MessageID, de.SQS = rec.MessageID, true
				}
				errs = append(errs, err)
			}
			events = append(events, evs...)
		default:
			errs = append(errs, Errorf(whole, "record %d is neither SNS nor SQS (eventSource %q)", i, rec.EventSource+rec.EventSource2))
		}
	}
	return events, errors.Join(errs...)
}

// snsEnvelope is the Sns entity of a Lambda SNS event record, and the body
// of an SNS HTTP/S POST.
type snsEnvelope struct {
	Type      string `json:"Type"`
	MessageID string `json:"MessageId"`
	TopicArn  string `json:"TopicArn"`
	Subject   string `json:"Subject"`
	Message   string `json:"Message"`
	Timestamp string `json:"Timestamp"`
}

func (r *Registry) decodeSNSLambda(raw json.RawMessage) (deploy.Event, error) {
	var s snsEnvelope
	if err := json.Unmarshal(raw, &s); err != nil {
		return deploy.Event{}, Errorf(raw, "malformed SNS record: %s", JSONProblem(err))
	}
	return r.decodeSNSMessage(s)
}

func (r *Registry) decodeSNSHTTP(data []byte) (deploy.Event, error) {
	var s snsEnvelope
	if err := json.Unmarshal(data, &s); err != nil {
		return deploy.Event{}, Errorf(data, "malformed SNS HTTP body: %s", JSONProblem(err))
	}
	switch s.Type {
	case "Notification":
	case "SubscriptionConfirmation", "UnsubscribeConfirmation":
		return deploy.Event{}, ErrSubscriptionConfirmation
	default:
		err := Errorf(data, "SNS message type %q is not a Notification", s.Type)
		err.MessageID = s.MessageID
		return deploy.Event{}, err
	}
	return r.decodeSNSMessage(s)
}

func (r *Registry) decodeSNSMessage(s snsEnvelope) (deploy.Event, error) {
	body := []byte(s.Message)
	withID := func(de *DecodeError) error { de.MessageID = s.MessageID; return de }
	if len(bytes.TrimSpace(body)) == 0 {
		return deploy.Event{}, withID(Errorf(body, "SNS message is empty"))
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return deploy.Event{}, withID(Errorf(body, "SNS message is not JSON: %s", JSONProblem(err)))
	}
	m := &Message{Body: body, Top: top, Subject: s.Subject}
	d := r.claim(m)
	if d == nil {
		return deploy.Event{}, r.unclaimed(m, s.MessageID)
	}
	ev, err := d.Decode(m)
	if err != nil {
		var de *DecodeError
		if errors.As(err, &de) {
			de.MessageID = s.MessageID
		}
		return deploy.Event{}, err
	}
	return finishSNS(ev, s.MessageID, s.TopicArn, s.Subject, s.Timestamp), nil
}

// finishSNS sets what the SNS envelope says about a decoded message.
func finishSNS(ev deploy.Event, messageID, topicARN, subject, timestamp string) deploy.Event {
	ev.MessageID = messageID
	ev.ID = messageID
	if ev.ID == "" {
		ev.ID = "key:" + ev.Key()
	}
	ev.TopicARN = topicARN
	ev.Subject = subject
	if t, err := time.Parse(time.RFC3339Nano, timestamp); err == nil {
		ev.Published = t.UTC()
	}
	return ev
}
