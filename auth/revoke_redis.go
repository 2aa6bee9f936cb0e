package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisRevoker is the Revoker shared by every instance: a denylist of token
// ids in Redis, each key expiring when its token would have, so the list
// never outgrows the tokens still alive.
type RedisRevoker struct {
	client redis.UniversalClient
	prefix string
}

// NewRedisRevoker keeps revoked token ids under prefix (e.g.
// "imperio:revoked:").
func NewRedisRevoker(client redis.UniversalClient, prefix string) *RedisRevoker {
	return &RedisRevoker{client: client, prefix: prefix}
}

var _ Revoker = (*RedisRevoker)(nil)

// Revoke denies tokenID until it expires on its own.
func (r *RedisRevoker) Revoke(ctx context.Context, tokenID string, until time.Time) error {
	ttl := time.Until(until)
	if ttl <= 0 {
		return nil // already expired: nothing to deny
	}
	if err := r.client.Set(ctx, r.prefix+tokenID, 1, ttl+time.Second).Err(); err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

// Revoked reports whether tokenID was revoked. An unreachable Redis is an
// error: the caller refuses the token rather than honour a revoked one.
func (r *RedisRevoker) Revoked(ctx context.Context, tokenID string) (bool, error) {
	n, err := r.client.Exists(ctx, r.prefix+tokenID).Result()
	if err != nil {
		return false, fmt.Errorf("check revoked token: %w", err)
	}
	return n > 0, nil
}
