package snshttp

import (
	"context"
	"crypto/x509"
	"sync"
	"time"
)

// certCache holds fetched signing certificates by URL, at most max of them,
// each until min(fetch time + ttl, NotAfter). Concurrent requests for the
// same URL share one fetch. Failures are not cached.
type certCache struct {
	mu      sync.Mutex
	max     int
	ttl     time.Duration
	entries map[string]*certEntry
}

type certEntry struct {
	ready   chan struct{} // closed when cert or err is set
	cert    *x509.Certificate
	err     error
	added   time.Time
	expires time.Time
}

func newCertCache(max int, ttl time.Duration) *certCache {
	return &certCache{max: max, ttl: ttl, entries: make(map[string]*certEntry)}
}

// get returns the certificate for url, calling fetch when it is not cached.
func (c *certCache) get(ctx context.Context, url string, now time.Time, fetch func(context.Context) (*x509.Certificate, error)) (*x509.Certificate, error) {
	c.mu.Lock()
	e, ok := c.entries[url]
	if ok {
		select {
		case <-e.ready:
			if now.Before(e.expires) {
				c.mu.Unlock()
				return e.cert, nil
			}
			delete(c.entries, url)
			ok = false
		default:
		}
	}
	if ok {
		// Another request is fetching this URL: wait for its result.
		c.mu.Unlock()
		select {
		case <-e.ready:
			return e.cert, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	e = &certEntry{ready: make(chan struct{}), added: now}
	cached := c.makeRoom(now)
	if cached {
		c.entries[url] = e
	}
	c.mu.Unlock()

	e.cert, e.err = fetch(ctx)
	if e.err == nil {
		e.expires = now.Add(c.ttl)
		if e.cert.NotAfter.Before(e.expires) {
			e.expires = e.cert.NotAfter
		}
	}
	if cached {
		c.mu.Lock()
		if e.err != nil && c.entries[url] == e {
			delete(c.entries, url)
		}
		c.mu.Unlock()
	}
	close(e.ready)
	return e.cert, e.err
}

// makeRoom evicts expired entries and, if the cache is still full, the
// oldest fetched one. It reports false when every entry is still being
// fetched, so the caller fetches without caching. c.mu must be held.
func (c *certCache) makeRoom(now time.Time) bool {
	if len(c.entries) < c.max {
		return true
	}
	var (
		oldestURL string
		oldest    *certEntry
	)
	for u, e := range c.entries {
		select {
		case <-e.ready:
		default:
			continue
		}
		if !now.Before(e.expires) {
			delete(c.entries, u)
			continue
		}
		if oldest == nil || e.added.Before(oldest.added) {
			oldestURL, oldest = u, e
		}
	}
	if len(c.entries) < c.max {
		return true
	}
	if oldest == nil {
		return false
	}
	delete(c.entries, oldestURL)
	return true
}

// size returns the number of entries, for tests.
func (c *certCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
