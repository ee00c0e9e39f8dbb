package chat

import "testing"

func TestHost(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://hooks.slack.com/services/T/B/secret", "hooks.slack.com"},
		{"https://prod-00.westeurope.logic.azure.com:443/workflows/x?sig=secret", "prod-00.westeurope.logic.azure.com:443"},
		{"hooks.slack.com/services/T/B/secret", "invalid URL"},
		{"https://%zz/secret", "invalid URL"},
		{"", "invalid URL"},
	} {
		if got := Host(tc.in); got != tc.want {
			t.Errorf("Host(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
