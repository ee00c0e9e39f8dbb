package app

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/secret"
)

// slackAppSpec fills spec with a slack-app destination's keys, reading
// its bot token reference. It reports false (and appends to errs) when
// the token cannot be read or is not a bot token; never the value.
func slackAppSpec(spec *chat.Spec, dst config.Destination, read func(string, ...string) (secret.Value, error), where func(string) string, errs *[]error) bool {
	if dst.Type != config.SlackAppType {
		return true
	}
	spec.Channel, spec.Token = dst.Channel, dst.Token
	spec.AllowedUsers, spec.AllowedGroups = dst.AllowedUsers, dst.AllowedGroups
	ref := dst.TokenSecret
	if ref == "" {
		return true
	}
	v, err := read(ref, "token", "bot_token")
	if err == nil && !strings.HasPrefix(v.Reveal(), "xoxb-") {
		err = fmt.Errorf("the value of %s is not a bot token (the app's Bot User OAuth Token starts with xoxb-)", secret.Name(ref))
	}
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s: %w", where("token_secret"), err))
		return false
	}
	spec.Token = v
	return true
}

// lateRecords is the delivery records handed to destinations, which are
// built before the records store: set gives it the store once built; with
// none (no table, no file) it keeps records in memory, for this process.
type lateRecords struct {
	mu sync.RWMutex
	s  records.Store
}

func (l *lateRecords) set(s records.Store) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.s = s
}

func (l *lateRecords) store() records.Store {
	l.mu.RLock()
	s := l.s
	l.mu.RUnlock()
	if s != nil {
		return s
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.s == nil {
		l.s = records.NewMemory(14 * 24 * time.Hour)
	}
	return l.s
}

// Claim implements records.Store.
func (l *lateRecords) Claim(ctx context.Context, k records.Key, lease time.Duration) (records.Claim, error) {
	return l.store().Claim(ctx, k, lease)
}

// Complete implements records.Store.
func (l *lateRecords) Complete(ctx context.Context, k records.Key, result []byte) error {
	return l.store().Complete(ctx, k, result)
}

// Release implements records.Store.
func (l *lateRecords) Release(ctx context.Context, k records.Key) error {
	return l.store().Release(ctx, k)
}
