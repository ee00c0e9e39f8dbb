package teams

// The Workflows webhook body and the parts of Adaptive Card 1.4 that
// cutover uses. Field order is the JSON order: rendering is deterministic.

// envelope is what the "Post to a channel when a webhook request is
// received" flow takes: a message with one Adaptive Card attachment.
type envelope struct {
	Type        string       `json:"type"`
	Attachments []attachment `json:"attachments"`
}

type attachment struct {
	ContentType string `json:"contentType"`
	Content     card   `json:"content"`
}

// card is an Adaptive Card.
type card struct {
	Type         string    `json:"type"`
	Schema       string    `json:"$schema"`
	Version      string    `json:"version"`
	FallbackText string    `json:"fallbackText,omitempty"`
	MSTeams      msteams   `json:"msteams"`
	Body         []element `json:"body"`
	Actions      []button  `json:"actions,omitempty"`
}

type msteams struct {
	Width string `json:"width"`
}

// element is a card body element: a TextBlock, a FactSet or a Container.
type element struct {
	Type string `json:"type"`
	// TextBlock.
	Text     string `json:"text,omitempty"`
	Wrap     bool   `json:"wrap,omitempty"`
	Weight   string `json:"weight,omitempty"`
	Size     string `json:"size,omitempty"`
	Color    string `json:"color,omitempty"`
	IsSubtle bool   `json:"isSubtle,omitempty"`
	FontType string `json:"fontType,omitempty"`
	// FactSet.
	Facts []fact `json:"facts,omitempty"`
	// Container.
	Style string    `json:"style,omitempty"`
	Bleed bool      `json:"bleed,omitempty"`
	Items []element `json:"items,omitempty"`
	// Any element.
	Spacing   string `json:"spacing,omitempty"`
	Separator bool   `json:"separator,omitempty"`
}

type fact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// button is an Action.OpenUrl button: the only action a webhook card can
// carry usefully (Submit and Execute have no bot to receive them).
type button struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Card constants.
const (
	cardVersion     = "1.4" // 1.5 cards posted by flows "couldn't be displayed"
	cardSchema      = "http://adaptivecards.io/schemas/adaptive-card.json"
	cardContentType = "application/vnd.microsoft.card.adaptive"
)

// textBlock is a wrapping TextBlock of Markdown text.
func textBlock(text string) element {
	return element{Type: "TextBlock", Text: text, Wrap: true}
}
