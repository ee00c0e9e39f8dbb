package slackhook

// Line is untrusted s as one line of Slack mrkdwn of at most limit
// characters: cleaned, escaped (it can neither ping nor link), cut with an
// ellipsis. Other Slack destinations (the Slack app) use it for their own
// text around Format's blocks.
func Line(s string, limit int) string { return esc1(s, limit) }

// MaxBlocks is the most blocks Slack takes in one message, top-level and
// attachment blocks together.
const MaxBlocks = slackMaxBlocks
