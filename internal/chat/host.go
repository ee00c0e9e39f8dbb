package chat

import "net/url"

// Host is the host (and port) of rawURL, or "invalid URL": what a
// notifier's String, GoString and LogValue may show of a webhook URL whose
// path and query hold its secret.
func Host(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
		return u.Host
	}
	return "invalid URL"
}
