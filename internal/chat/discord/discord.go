// Package discord is the Discord webhook destination: it formats a
// message.Message as native Discord embeds within every documented limit,
// escaping deployment text for Discord markdown and allowing no mention
// but the configured ones, and posts it with ?wait=true so that Discord's
// errors are seen and the message ID comes back in the receipt.
package discord

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/message"
)

// Discord's documented limits on a webhook message, in characters.
const (
	maxContent     = 2000
	maxEmbeds      = 10
	maxTitle       = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxAuthor      = 256
	// maxEmbedTotal bounds title, description, field names and values,
	// footer and author name over all embeds together.
	maxEmbedTotal = 6000
	// maxMentionIDs is how many users or roles allowed_mentions may list.
	maxMentionIDs = 100
)

// The tighter bounds cutover keeps to.
const (
	// maxFallback bounds the fallback line in content.
	maxFallback = 400
	// maxErrorMessage bounds the error message in the description.
	maxErrorMessage = 2000
	// maxFacts bounds the inline fact fields.
	maxFacts = 12
	// maxValue bounds one escaped single-line value.
	maxValue = 200
	// maxCommand bounds one command.
	maxCommand = 800
	// maxLogLines bounds the log tail's lines.
	maxLogLines = 30
	// minPart is the least room worth giving a part that has to shrink;
	// with less, it is left out.
	minPart = 120
	// noteRoom is kept free for the note saying parts were left out.
	noteRoom     = 80
	maxLifecycle = 20
	maxTaskSets  = 4
	maxActions   = 25
	maxCommands  = 4
)

// Colours of the embed's side bar, by severity.
const (
	colorGood    = 0x2EB67D
	colorInfo    = 0x3498DB
	colorWarning = 0xECB22E
	colorDanger  = 0xED4245
	colorNeutral = 0x95A5A6
)

var colors = map[message.Severity]int{
	message.Good:    colorGood,
	message.Info:    colorInfo,
	message.Warning: colorWarning,
	message.Danger:  colorDanger,
	message.Neutral: colorNeutral,
}

// webhookMessage is the body posted to a Discord webhook.
type webhookMessage struct {
	Content         string          `json:"content"`
	Embeds          []embed         `json:"embeds"`
	AllowedMentions allowedMentions `json:"allowed_mentions"`
}

type embed struct {
	Title       string  `json:"title,omitempty"`
	URL         string  `json:"url,omitempty"`
	Description string  `json:"description,omitempty"`
	Color       int     `json:"color"`
	Fields      []field `json:"fields,omitempty"`
	Footer      *footer `json:"footer,omitempty"`
	Author      *author `json:"author,omitempty"`
}

type field struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline"`
}

type footer struct {
	Text string `json:"text"`
}

type author struct {
	Name string `json:"name"`
}

// allowedMentions says who may be pinged: Parse is always present (empty:
// nobody by kind), Users and Roles list the configured IDs only.
type allowedMentions struct {
	Parse []string `json:"parse"`
	Users []string `json:"users,omitempty"`
	Roles []string `json:"roles,omitempty"`
}

// Render returns the exact JSON body Discord is sent for n, without
// mentions: Format of message.Build(n).
func Render(n *message.Notice) ([]byte, error) {
	if n == nil {
		return nil, errors.New("render: nil notice")
	}
	return Format(message.Build(n), Mentions{})
}

// RenderSpec is Render for the destination spec configures: its mentions
// included, exactly as it sends.
func RenderSpec(n *message.Notice, spec chat.Spec) ([]byte, error) {
	mentions, err := ParseMentions(spec.Mentions)
	if err != nil {
		return nil, err
	}
	if n == nil {
		return nil, errors.New("render: nil notice")
	}
	return Format(message.Build(n), mentions)
}

// Format returns the exact JSON body Discord is sent for m, pinging
// mentions when m reports something that went wrong (message.Danger). It
// is pure: the same Message always gives the same bytes. Every text from
// outside is escaped for Discord markdown, and the body keeps to every
// documented limit; what does not fit is cut or left out visibly ("…
// (truncated, N more characters)").
func Format(m *message.Message, mentions Mentions) ([]byte, error) {
	if m == nil {
		return nil, errors.New("render: nil message")
	}
	e := embed{
		Title: cutLine(m.Icon.Emoji()+" "+escape(m.Title), maxTitle),
		Color: colors[m.Severity],
	}
	for _, s := range m.Subject {
		if s.Kind == message.Link && safeLinkURL(s.URL) {
			e.URL = s.URL
			break
		}
	}
	parts := []part{descriptionPart(m)}
	parts = append(parts, factParts(m.Fields)...)
	parts = append(parts, sectionParts(m)...)
	if f := footerText(m.Footer); f != "" {
		e.Footer = &footer{Text: f}
	}
	fit(&e, parts)

	msg := webhookMessage{
		Content:         content(m, mentions),
		Embeds:          []embed{e},
		AllowedMentions: allowed(m, mentions),
	}
	return encode(msg)
}

// content is the message text: the configured mentions when m reports
// something that went wrong, then the fallback line.
func content(m *message.Message, mentions Mentions) string {
	text := cutLine(render(m.Fallback), maxFallback)
	if ping := mentions.text(); ping != "" && m.Severity == message.Danger {
		text = ping + " " + text
	}
	if strings.TrimSpace(text) == "" {
		text = m.Icon.Emoji()
	}
	return cutLine(text, maxContent)
}

// allowed is the allowed_mentions of m: nobody, unless m reports something
// that went wrong and mentions are configured.
func allowed(m *message.Message, mentions Mentions) allowedMentions {
	a := allowedMentions{Parse: []string{}}
	if m.Severity != message.Danger {
		return a
	}
	if mentions.Everyone || mentions.Here {
		a.Parse = []string{"everyone"}
	}
	a.Users, a.Roles = mentions.Users, mentions.Roles
	return a
}

// encode encodes msg as the webhook body, without HTML escaping. It
// refuses a message that breaks one of Discord's limits: Discord would
// reject it, so a formatter that builds one has a bug.
func encode(msg webhookMessage) ([]byte, error) {
	if err := checkLimits(msg); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	body, err := chat.EncodeJSON(msg)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	return body, nil
}

// checkLimits reports the first of Discord's documented limits msg breaks.
func checkLimits(msg webhookMessage) error {
	// over names the part (the concatenation of what) only when it is
	// too long.
	over := func(s string, limit int, what ...string) error {
		if n := message.UTF16Len(s); n > limit {
			return fmt.Errorf("%s is %d characters, Discord takes at most %d", strings.Join(what, ""), n, limit)
		}
		return nil
	}
	if msg.Content == "" && len(msg.Embeds) == 0 {
		return errors.New("empty message")
	}
	if err := over(msg.Content, maxContent, "content"); err != nil {
		return err
	}
	if len(msg.Embeds) > maxEmbeds {
		return fmt.Errorf("%d embeds, Discord takes at most %d", len(msg.Embeds), maxEmbeds)
	}
	if n := max(len(msg.AllowedMentions.Users), len(msg.AllowedMentions.Roles)); n > maxMentionIDs {
		return fmt.Errorf("%d mentions of one kind, Discord takes at most %d", n, maxMentionIDs)
	}
	total := 0
	for i, e := range msg.Embeds {
		embed := strconv.Itoa(i + 1)
		type check struct {
			what  string
			s     string
			limit int
		}
		checks := append(make([]check, 0, 4), check{"title", e.Title, maxTitle}, check{"description", e.Description, maxDescription})
		if e.Footer != nil {
			checks = append(checks, check{"footer", e.Footer.Text, maxFooter})
		}
		if e.Author != nil {
			checks = append(checks, check{"author", e.Author.Name, maxAuthor})
		}
		for _, c := range checks {
			if err := over(c.s, c.limit, "embed ", embed, " ", c.what); err != nil {
				return err
			}
			total += message.UTF16Len(c.s)
		}
		if len(e.Fields) > maxFields {
			return fmt.Errorf("embed %s: %d fields, Discord takes at most %d", embed, len(e.Fields), maxFields)
		}
		for j, f := range e.Fields {
			field := strconv.Itoa(j + 1)
			if strings.TrimSpace(f.Name) == "" || strings.TrimSpace(f.Value) == "" {
				return fmt.Errorf("embed %s field %s: empty name or value", embed, field)
			}
			if err := over(f.Name, maxFieldName, "embed ", embed, " field ", field, " name"); err != nil {
				return err
			}
			if err := over(f.Value, maxFieldValue, "embed ", embed, " field ", field, " value"); err != nil {
				return err
			}
			total += message.UTF16Len(f.Name) + message.UTF16Len(f.Value)
		}
	}
	if total > maxEmbedTotal {
		return fmt.Errorf("embeds hold %d characters, Discord takes at most %d", total, maxEmbedTotal)
	}
	return nil
}
