// Package message decides what cutover says about a deployment event: it
// turns a Notice (the event, what enrichment found, what the actions did)
// into one neutral Message — severity, icon, title, deadline, facts,
// sections, commands, links, action outcomes — with all of cutover's
// wording and one duration style. Build is pure. Destinations (package
// chat and below) only format a Message for their markup and limits; text
// that mixes data from outside, code and links is a sequence of typed
// spans, so each formatter escapes for its own markup and nothing here is
// escaped for any of them.
package message

// Severity is how a message should catch the eye.
type Severity string

// The severities.
const (
	Good    Severity = "good"
	Info    Severity = "info"
	Warning Severity = "warning"
	Danger  Severity = "danger"
	Neutral Severity = "neutral"
)

// Icon names a pictogram; each formatter maps it to its own emoji.
type Icon string

// The icons.
const (
	IconStarted         Icon = "started"          // a deployment started
	IconTargetStarted   Icon = "target-started"   // a deployment target started
	IconWaiting         Icon = "waiting"          // waiting for traffic reroute
	IconTrafficSwitched Icon = "traffic-switched" // production traffic moved
	IconSwitchedBack    Icon = "switched-back"    // traffic moved back, a rollback ended
	IconRollingBack     Icon = "rolling-back"     // a rollback started
	IconSucceeded       Icon = "succeeded"        // success, an action done
	IconFailed          Icon = "failed"           // failure, an action failed
	IconStopped         Icon = "stopped"          // a deployment stopped
	IconTest            Icon = "test"             // a test notification
	IconUnknown         Icon = "unknown"          // a status cutover does not know
	IconDeadline        Icon = "deadline"         // an open deadline
	IconWarning         Icon = "warning"          // a closed deadline, a follow-up that failed
	IconLink            Icon = "link"             // links
	IconInfo            Icon = "info"             // a hint
	IconPending         Icon = "pending"          // an action still running
	IconSkipped         Icon = "skipped"          // an action not performed
	IconDryRun          Icon = "dry-run"          // an action only described
)

// SpanKind is what a Span is.
type SpanKind uint8

// The span kinds.
const (
	// Plain is text.
	Plain SpanKind = iota
	// Code is inline code: an ID, a path, a name to copy.
	Code
	// Link is Text linked to URL; formatters show Text alone when URL is
	// empty or unsafe for them.
	Link
	// Strong is emphasised text.
	Strong
	// Emoji is the pictogram Icon (Text is unused).
	Emoji
)

// Span is one piece of Text. Max > 0 marks text from outside cutover (the
// event, the AWS APIs): formatters clean it (valid UTF-8, no control
// characters) onto one line, collapsing runs of spaces, and cut it to Max
// characters with "…"; with Long they keep its spacing and cut it visibly
// ("… (truncated, N more characters)"). Max == 0 is cutover's own wording.
// Code spans always come from outside.
type Span struct {
	Kind SpanKind
	Text string
	URL  string
	Icon Icon
	Max  int
	Long bool
}

// Text is a sequence of spans read in order. Plain "\n" spans break lines.
type Text []Span

// Field is one labelled fact, e.g. "Switched at" 2026-11-26 11:52:31 UTC.
type Field struct {
	Label string
	Value Text
}

// Deadline is the time left to act, e.g. "Roll back before 14:52 UTC (58
// min left)"; Open is false once it has passed or closed.
type Deadline struct {
	Text string
	Open bool
}

// Error is the deployment's error and the rollback it caused.
type Error struct {
	// Title heads the part ("Error"); Code is the error code and Message
	// the error message, multi-line, both from outside.
	Title   string
	Code    string
	Message string
	// RollbackTitle heads Rollback, the rollback message from outside;
	// both empty when there is nothing to add.
	RollbackTitle string
	Rollback      string
}

// List is a titled list, e.g. lifecycle steps, task sets, actions.
type List struct {
	Title string
	// Unit names one item for "N more steps" when a formatter has to cut.
	Unit  string
	Items []Text
}

// Failure is the failing step: its heading, CodeDeploy's diagnostic, the
// deployment's status messages and the end of the step's log.
type Failure struct {
	Head   Text
	Detail Text
	Notes  []Text
	// LogTitle heads Log, the untrusted end of the log (multi-line, to be
	// shown verbatim as a code block, its end mattering most).
	LogTitle string
	Log      string
}

// Command is an AWS CLI command to copy, with what it does.
type Command struct {
	Title   string
	Note    string
	Command string
}

// Message is what a destination shows: everything it needs, nothing
// markup-specific. Any part may be empty.
type Message struct {
	Severity Severity
	Icon     Icon
	// Title is cutover's headline; Subject follows it (may hold data and a
	// link).
	Title   string
	Subject Text
	// Deadline is the time left to act, shown right under the title.
	Deadline *Deadline
	// Summary says which deployment: application, group, linked ID.
	Summary Text
	Fields  []Field
	Error   *Error
	// Lifecycle lists an instance event's lifecycle steps.
	Lifecycle *List
	Failure   *Failure
	TaskSets  *List
	Commands  []Command
	// Checks lists the checks run at the event, in configuration order,
	// each passed or failed with its figures.
	Checks  *List
	Actions *List
	// Links are console links (Link spans).
	Links []Span
	// Hint is a sentence of advice.
	Hint string
	// Footer are small facts: where the message comes from, console link,
	// region, account, trigger, transport message ID.
	Footer []Text
	// Fallback is the whole message on one line without links, for
	// notifications, screen readers and logs.
	Fallback Text
}
