package message

// emojis are the icons as Unicode emoji, the pictograms of every
// destination that shows Unicode as is (Google Chat, Teams, Discord).
var emojis = map[Icon]string{
	IconStarted:         "🚀",
	IconTargetStarted:   "▶️",
	IconWaiting:         "⏳",
	IconTrafficSwitched: "🔀",
	IconSwitchedBack:    "↩️",
	IconRollingBack:     "⏪",
	IconSucceeded:       "✅",
	IconFailed:          "❌",
	IconStopped:         "🛑",
	IconTest:            "🔔",
	IconUnknown:         "❔",
	IconDeadline:        "⌛",
	IconWarning:         "⚠️",
	IconLink:            "🔗",
	IconInfo:            "ℹ️",
	IconPending:         "⏳",
	IconSkipped:         "⏩",
	IconDryRun:          "📝",
}

// Emoji is the icon as a Unicode emoji, "❔" for one it does not know. A
// destination that wants another glyph for an icon overrides just that
// one.
func (i Icon) Emoji() string {
	if e, ok := emojis[i]; ok {
		return e
	}
	return "❔"
}
