// Package chattest holds what the tests of package chat and of its
// destinations share: a counting HTTP server and every form in which a
// notifier gets printed or logged. For tests only.
package chattest

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// CountingServer serves h, telling it which request (from 1) it serves,
// and counts the requests. It closes when the test ends.
func CountingServer(t testing.TB, h func(w http.ResponseWriter, r *http.Request, nth int32)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r, n.Add(1))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// Printed is v as output can show it: fmt's %v, %+v and %#v, and a slog
// text line logging v as an attribute. A notifier's secrets must be in
// none of them.
func Printed(v any) []string {
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("notifier", "dest", v)
	return []string{fmt.Sprint(v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), logs.String()}
}
