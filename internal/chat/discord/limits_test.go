package discord

import (
	"strings"
	"testing"
)

func TestCheckLimitsNamesThePart(t *testing.T) {
	long := strings.Repeat("x", 300)
	for _, c := range []struct {
		msg  webhookMessage
		want string
	}{
		{webhookMessage{Embeds: []embed{{Title: long}}}, "embed 1 title is 300 characters, Discord takes at most 256"},
		{webhookMessage{Embeds: []embed{{Title: "t"}, {Title: "t", Fields: []field{{Name: "n", Value: "v"}, {Name: long, Value: "v"}}}}}, "embed 2 field 2 name is 300 characters, Discord takes at most 256"},
		{webhookMessage{Embeds: []embed{{Title: "t", Fields: []field{{Name: "n", Value: " "}}}}}, "embed 1 field 1: empty name or value"},
	} {
		if err := checkLimits(c.msg); err == nil || err.Error() != c.want {
			t.Errorf("checkLimits = %v, want %q", err, c.want)
		}
	}
	if err := checkLimits(webhookMessage{Embeds: []embed{{Title: "t", Fields: []field{{Name: "n", Value: "v"}}}}}); err != nil {
		t.Errorf("checkLimits of a message within the limits: %v", err)
	}
}
