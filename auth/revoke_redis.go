package auth

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisRevoker is the Revoker shared by every instance: a denylist of token
// ids in Redis, each key expiring when its token would have, so the list
// never outgrows the tokens still alive.
//
// While Redis is unreachable it answers from what this instance revoked
// itself, rather than failing every request: players keep playing through a
// Redis outage, and a token revoked on another instance is refused here
// again once Redis returns (and never outlives its short expiry anyway).
type RedisRevoker struct {
	client redis.UniversalClient
	prefix string
	log    *slog.Logger

	mu    sync.Mutex
	local map[string]time.Time // ids revoked here, until they expire
}

// NewRedisRevoker keeps revoked token ids under prefix (e.g.
// "imperio:revoked:").
func NewRedisRevoker(client redis.UniversalClient, prefix string) *RedisRevoker {
	return &RedisRevoker{client: client, prefix: prefix, log: slog.New(slog.DiscardHandler), local: map[string]time.Time{}}
}

// WithLog makes the revoker log when it answers without Redis.
func (r *RedisRevoker) WithLog(log *slog.Logger) *RedisRevoker {
	r.log = log
	return r
}

var _ Revoker = (*RedisRevoker)(nil)

// Revoke denies tokenID until it expires on its own.
func (r *RedisRevoker) Revoke(ctx context.Context, tokenID string, until time.Time) error {
	ttl := time.Until(until)
	if ttl <= 0 {
		return nil // already expired: nothing to deny
	}
	r.mu.Lock()
	now := time.Now()
	for id, exp := range r.local {
		if now.After(exp) {
			delete(r.local, id)
		}
	}
	r.local[tokenID] = until
	r.mu.Unlock()
	if err := r.client.Set(ctx, r.prefix+tokenID, 1, ttl+time.Second).Err(); err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

// Revoked reports whether tokenID was revoked: by Redis, or by this
// instance's own list while Redis is unreachable.
func (r *RedisRevoker) Revoked(ctx context.Context, tokenID string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
	defer cancel()
	n, err := r.client.Exists(ctx, r.prefix+tokenID).Result()
	if err == nil {
		return n > 0, nil
	}
	r.log.Warn("revoked tokens unreadable in Redis: answering from this instance's own", "err", err)
	r.mu.Lock()
	defer r.mu.Unlock()
	_, revoked := r.local[tokenID]
	return revoked, nil
}
