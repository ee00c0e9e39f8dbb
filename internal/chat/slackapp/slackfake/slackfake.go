// Package slackfake is a fake Slack Web API for tests: an httptest
// server with Slack's semantics for chat.postMessage, chat.update,
// conversations.history, conversations.replies and usergroups.users.list (token check, channel
// names and IDs, ts, threads, metadata, Block Kit limits, ok:false
// errors), response URLs for a click's ephemeral answers, faults on
// demand (an error code, a 429 with Retry-After, a lost answer), and
// helpers to inspect what was posted. For tests only.
package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"
)

// Token is the bot token the fake accepts unless Options set another.
const Token = "xoxb-fake-0000-token"

// Message is one message the fake holds.
type Message struct {
	Channel   string
	TS        string
	ThreadTS  string // the parent's ts for a reply
	Broadcast bool
	Text      string
	Blocks    json.RawMessage
	Metadata  *Metadata
	// Updates counts chat.update calls that changed it.
	Updates int
	Deleted bool
}

// Metadata is Slack message metadata.
type Metadata struct {
	EventType    string            `json:"event_type"`
	EventPayload map[string]string `json:"event_payload"`
}

// Options configure a Server.
type Options struct {
	// Token is the accepted bot token (default Token).
	Token string
	// Channels maps channel names to IDs (default "deploys" → C0DEPLOYS).
	Channels map[string]string
	// Scopes the token has (default chat:write, chat:write.public,
	// channels:history, usergroups:read).
	Scopes []string
	// Groups maps user group IDs to their users.
	Groups map[string][]string
}

// Server is the fake Web API.
type Server struct {
	*httptest.Server
	opts Options

	mu     sync.Mutex
	seq    int
	msgs   []*Message
	faults map[string][]fault
	calls  map[string]int
	// ephemeral are the texts posted to response URLs.
	ephemeral []string
}

type fault struct {
	code       string // ok:false code
	retryAfter int    // 429 with this Retry-After
	lose       bool   // act, then drop the connection
}

// New starts a fake Slack Web API, closed when the test ends. Its URL
// (plus "/api/") is the base URL to give a client.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Token == "" {
		opts.Token = Token
	}
	if opts.Channels == nil {
		opts.Channels = map[string]string{"deploys": "C0DEPLOYS"}
	}
	if opts.Scopes == nil {
		opts.Scopes = []string{"chat:write", "chat:write.public", "channels:history", "usergroups:read"}
	}
	s := &Server{opts: opts, faults: map[string][]fault{}, calls: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// APIURL is the base URL of the fake's Web API.
func (s *Server) APIURL() string { return s.URL + "/api/" }

// FailNext makes the next n calls of method answer ok:false with code.
func (s *Server) FailNext(method, code string, n int) {
	s.add(method, fault{code: code}, n)
}

// RateLimitNext makes the next n calls of method answer 429 with
// Retry-After seconds.
func (s *Server) RateLimitNext(method string, retryAfter, n int) {
	s.add(method, fault{retryAfter: retryAfter}, n)
}

// LoseNextAnswer makes the next n calls of method take effect and then
// drop the connection before answering: the caller cannot know.
func (s *Server) LoseNextAnswer(method string, n int) {
	s.add(method, fault{lose: true}, n)
}

func (s *Server) add(method string, f fault, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[method] = append(s.faults[method], f)
	}
}

// Calls counts the calls of method, faults included.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Messages returns copies of the messages of channel (ID), deleted ones
// excluded, oldest first.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.msgs {
		if m.Channel == channel && !m.Deleted {
			out = append(out, *m)
		}
	}
	return out
}

// Parents returns the top-level messages of channel, oldest first.
func (s *Server) Parents(channel string) []Message {
	var out []Message
	for _, m := range s.Messages(channel) {
		if m.ThreadTS == "" {
			out = append(out, m)
		}
	}
	return out
}

// Replies returns the replies in the thread of parent ts, oldest first.
func (s *Server) Replies(channel, ts string) []Message {
	var out []Message
	for _, m := range s.Messages(channel) {
		if m.ThreadTS == ts {
			out = append(out, m)
		}
	}
	return out
}

// Delete deletes a message, as a user deleting it in Slack would.
func (s *Server) Delete(channel, ts string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.find(channel, ts); m != nil {
		m.Deleted = true
	}
}

func (s *Server) find(channel, ts string) *Message {
	for _, m := range s.msgs {
		if m.Channel == channel && m.TS == ts && !m.Deleted {
			return m
		}
	}
	return nil
}

// request is a method's arguments, from a JSON or form body.
type request struct {
	Channel        string          `json:"channel"`
	TS             string          `json:"ts"`
	ThreadTS       string          `json:"thread_ts"`
	ReplyBroadcast bool            `json:"reply_broadcast"`
	Text           string          `json:"text"`
	Blocks         json.RawMessage `json:"blocks"`
	Attachments    json.RawMessage `json:"attachments"`
	Metadata       *Metadata       `json:"metadata"`
	Limit          string          `json:"-"`
	Usergroup      string          `json:"usergroup"`
	IncludeMeta    bool            `json:"-"`
}

// ResponseURL is a response_url of the fake (as Slack puts in a click's
// payload) for the click named id.
func (s *Server) ResponseURL(id string) string {
	return s.URL + "/actions/T0FAKE/" + url.PathEscape(id) + "/response"
}

// Ephemeral returns the texts of the ephemeral answers posted to the
// fake's response URLs, in order.
func (s *Server) Ephemeral() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ephemeral)
}

// respond answers like a response_url: JSON only, "ok", and keeps the
// text of an ephemeral answer (one that replaces nothing).
func (s *Server) respond(w http.ResponseWriter, r *http.Request) {
	var m struct {
		Text            string `json:"text"`
		ResponseType    string `json:"response_type"`
		ReplaceOriginal *bool  `json:"replace_original"`
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || json.Unmarshal(raw, &m) != nil || m.Text == "" {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	if m.ResponseType != "ephemeral" || m.ReplaceOriginal == nil || *m.ReplaceOriginal {
		http.Error(w, "only ephemeral answers that replace nothing are expected", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.ephemeral = append(s.ephemeral, m.Text)
	s.mu.Unlock()
	_, _ = io.WriteString(w, "ok")
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/actions/") {
		s.respond(w, r)
		return
	}
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	s.calls[method]++
	var f *fault
	if q := s.faults[method]; len(q) > 0 {
		f = &q[0]
		s.faults[method] = q[1:]
	}
	s.mu.Unlock()
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if f != nil && f.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.retryAfter))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"ok":false,"error":"ratelimited"}`))
		return
	}
	if f != nil && f.code != "" {
		fail(w, f.code, "")
		return
	}
	auth := r.Header.Get("Authorization")
	switch {
	case auth == "":
		fail(w, "not_authed", "")
		return
	case auth != "Bearer "+s.opts.Token:
		fail(w, "invalid_auth", "")
		return
	}
	var req request
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &req); err != nil {
			fail(w, "invalid_json", "")
			return
		}
	} else {
		v, _ := url.ParseQuery(string(raw))
		req.Channel, req.TS, req.ThreadTS, req.Text = v.Get("channel"), v.Get("ts"), v.Get("thread_ts"), v.Get("text")
		req.Limit, req.Usergroup, req.IncludeMeta = v.Get("limit"), v.Get("usergroup"), v.Get("include_all_metadata") == "true"
	}
	var (
		out  map[string]any
		code string
	)
	s.mu.Lock()
	switch method {
	case "chat.postMessage":
		out, code = s.post(&req)
	case "chat.update":
		out, code = s.update(&req)
	case "conversations.history":
		out, code = s.history(&req)
	case "conversations.replies":
		out, code = s.replies(&req)
	case "usergroups.users.list":
		out, code = s.usergroup(&req)
	default:
		code = "unknown_method"
	}
	s.mu.Unlock()
	if f != nil && f.lose {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if code != "" {
		needed := ""
		if code == "missing_scope" {
			needed = "channels:history"
			if method == "usergroups.users.list" {
				needed = "usergroups:read"
			}
		}
		fail(w, code, needed)
		return
	}
	out["ok"] = true
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func fail(w http.ResponseWriter, code, needed string) {
	w.Header().Set("Content-Type", "application/json")
	body := map[string]any{"ok": false, "error": code}
	if needed != "" {
		body["needed"] = needed
	}
	_ = json.NewEncoder(w).Encode(body)
}

// channelID resolves an ID or a name ("deploys", "#deploys").
func (s *Server) channelID(c string) (string, bool) {
	for name, id := range s.opts.Channels {
		if c == id || strings.TrimPrefix(c, "#") == name {
			return id, true
		}
	}
	return "", false
}

func (s *Server) nextTS() string {
	s.seq++
	return fmt.Sprintf("1764600000.%06d", s.seq*100)
}

func (s *Server) post(req *request) (map[string]any, string) {
	ch, ok := s.channelID(req.Channel)
	if !ok {
		return nil, "channel_not_found"
	}
	if code := CheckMessage(req.Text, req.Blocks, req.Attachments, 40000); code != "" {
		return nil, code
	}
	if req.ThreadTS != "" {
		p := s.find(ch, req.ThreadTS)
		if p == nil {
			return nil, "thread_not_found"
		}
		if p.ThreadTS != "" {
			return nil, "cannot_reply_to_message"
		}
	}
	m := &Message{Channel: ch, TS: s.nextTS(), ThreadTS: req.ThreadTS, Broadcast: req.ReplyBroadcast && req.ThreadTS != "",
		Text: req.Text, Blocks: req.Blocks, Metadata: req.Metadata}
	s.msgs = append(s.msgs, m)
	return map[string]any{"channel": ch, "ts": m.TS}, ""
}

func (s *Server) update(req *request) (map[string]any, string) {
	ch, ok := s.channelID(req.Channel)
	if !ok {
		return nil, "channel_not_found"
	}
	if req.TS == "" {
		return nil, "invalid_arguments"
	}
	if code := CheckMessage(req.Text, req.Blocks, req.Attachments, 4000); code != "" {
		return nil, code
	}
	m := s.find(ch, req.TS)
	if m == nil {
		return nil, "message_not_found"
	}
	m.Text, m.Blocks = req.Text, req.Blocks
	if req.Metadata != nil {
		m.Metadata = req.Metadata
	}
	m.Updates++
	return map[string]any{"channel": ch, "ts": m.TS}, ""
}

func (s *Server) history(req *request) (map[string]any, string) {
	if !slices.Contains(s.opts.Scopes, "channels:history") && !slices.Contains(s.opts.Scopes, "groups:history") {
		return nil, "missing_scope"
	}
	ch, ok := s.channelID(req.Channel)
	if !ok || ch != req.Channel {
		return nil, "channel_not_found"
	}
	limit, _ := strconv.Atoi(req.Limit)
	if limit <= 0 || limit > 999 {
		limit = 100
	}
	type out struct {
		TS       string    `json:"ts"`
		ThreadTS string    `json:"thread_ts,omitempty"`
		Metadata *Metadata `json:"metadata,omitempty"`
	}
	var list []out
	for i := len(s.msgs) - 1; i >= 0 && len(list) < limit; i-- {
		m := s.msgs[i]
		if m.Channel != ch || m.Deleted || (m.ThreadTS != "" && !m.Broadcast) {
			continue
		}
		o := out{TS: m.TS, ThreadTS: m.ThreadTS}
		if req.IncludeMeta {
			o.Metadata = m.Metadata
		}
		list = append(list, o)
	}
	return map[string]any{"messages": list}, ""
}

// replies lists a thread, the parent first (conversations.replies).
func (s *Server) replies(req *request) (map[string]any, string) {
	if !slices.Contains(s.opts.Scopes, "channels:history") && !slices.Contains(s.opts.Scopes, "groups:history") {
		return nil, "missing_scope"
	}
	ch, ok := s.channelID(req.Channel)
	if !ok || ch != req.Channel {
		return nil, "channel_not_found"
	}
	parent := s.find(ch, req.TS)
	if parent == nil || parent.ThreadTS != "" {
		return nil, "thread_not_found"
	}
	limit, _ := strconv.Atoi(req.Limit)
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	type out struct {
		TS       string    `json:"ts"`
		ThreadTS string    `json:"thread_ts,omitempty"`
		Metadata *Metadata `json:"metadata,omitempty"`
	}
	list := []out{{TS: parent.TS}}
	for _, m := range s.msgs {
		if len(list) >= limit {
			break
		}
		if m.Channel == ch && m.ThreadTS == parent.TS && !m.Deleted {
			o := out{TS: m.TS, ThreadTS: m.ThreadTS}
			if req.IncludeMeta {
				o.Metadata = m.Metadata
			}
			list = append(list, o)
		}
	}
	return map[string]any{"messages": list}, ""
}

func (s *Server) usergroup(req *request) (map[string]any, string) {
	if !slices.Contains(s.opts.Scopes, "usergroups:read") {
		return nil, "missing_scope"
	}
	users, ok := s.opts.Groups[req.Usergroup]
	if !ok {
		return nil, "no_such_subteam"
	}
	return map[string]any{"users": users}, ""
}

// CheckMessage enforces what Slack checks of a message and returns the
// error code Slack would answer, or "": some text or blocks, text within
// textLimit (postMessage 40,000, update 4,000), at most 50 blocks (with
// attachment blocks), section text ≤ 3,000, button and confirmation
// limits.
func CheckMessage(text string, rawBlocks, attachments json.RawMessage, textLimit int) string {
	if text == "" && len(rawBlocks) == 0 {
		return "no_text"
	}
	if len(utf16.Encode([]rune(text))) > textLimit {
		return "msg_too_long"
	}
	var blocks []map[string]any
	if len(rawBlocks) > 0 {
		if err := json.Unmarshal(rawBlocks, &blocks); err != nil {
			return "invalid_blocks_format"
		}
	}
	n := len(blocks)
	if len(attachments) > 0 {
		var atts []struct {
			Blocks []map[string]any `json:"blocks"`
		}
		if err := json.Unmarshal(attachments, &atts); err != nil {
			return "invalid_attachments"
		}
		for _, a := range atts {
			n += len(a.Blocks)
			blocks = append(blocks, a.Blocks...)
		}
	}
	if n > 50 {
		return "invalid_blocks"
	}
	for _, b := range blocks {
		if !blockOK(b) {
			return "invalid_blocks"
		}
	}
	return ""
}

func textOf(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	s, ok := m["text"].(string)
	return s, ok
}

func length(s string) int { return len(utf16.Encode([]rune(s))) }

func blockOK(b map[string]any) bool {
	switch b["type"] {
	case "section":
		if t, ok := textOf(b["text"]); ok && length(t) > 3000 {
			return false
		}
		if fs, ok := b["fields"].([]any); ok {
			if len(fs) > 10 {
				return false
			}
			for _, f := range fs {
				if t, _ := textOf(f); length(t) > 2000 {
					return false
				}
			}
		}
	case "context":
		if es, ok := b["elements"].([]any); ok && len(es) > 10 {
			return false
		}
	case "actions":
		if id, _ := b["block_id"].(string); len(id) > 255 {
			return false
		}
		es, _ := b["elements"].([]any)
		if len(es) == 0 || len(es) > 25 {
			return false
		}
		for _, e := range es {
			if !buttonOK(e) {
				return false
			}
		}
	}
	return true
}

func buttonOK(e any) bool {
	m, ok := e.(map[string]any)
	if !ok || m["type"] != "button" {
		return ok
	}
	t, _ := textOf(m["text"])
	id, _ := m["action_id"].(string)
	v, _ := m["value"].(string)
	if t == "" || length(t) > 75 || len(id) > 255 || len(v) > 2000 {
		return false
	}
	if st, ok := m["style"].(string); ok && st != "primary" && st != "danger" {
		return false
	}
	if c, ok := m["confirm"].(map[string]any); ok {
		for k, limit := range map[string]int{"title": 100, "text": 300, "confirm": 30, "deny": 30} {
			s, ok := textOf(c[k])
			if !ok || s == "" || length(s) > limit {
				return false
			}
		}
	}
	return true
}
