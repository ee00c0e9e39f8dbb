package check

import (
	"strings"
	"testing"
)

// FuzzListenerOfRule: whatever ECS names as a listener rule, the result
// is a listener ARN derived from it, or an error; never a panic.
func FuzzListenerOfRule(f *testing.F) {
	f.Add("arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee")
	f.Add("arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/net/shop/50dc6c495c0c9188/f2f7dc8efc522ab2")
	f.Add(":listener-rule//")
	f.Fuzz(func(t *testing.T, rule string) {
		got, err := ListenerOfRule(rule)
		if err != nil {
			return
		}
		if !strings.Contains(got, ":listener/") || len(got) > len(rule) {
			t.Fatalf("%q -> %q", rule, got)
		}
	})
}
