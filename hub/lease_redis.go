package hub

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisLeases keep room leases in Redis: prefix+"lease:{room}" holds
// "owner token" with a TTL, and prefix+"fence:{room}" counts the tokens, so
// that every new holder gets a larger one. Each operation is one Lua script,
// atomic on the server.
type RedisLeases struct {
	client redis.UniversalClient
	prefix string
}

// NewRedisLeases keeps leases under prefix (e.g. "imperio:").
func NewRedisLeases(client redis.UniversalClient, prefix string) *RedisLeases {
	return &RedisLeases{client: client, prefix: prefix}
}

var _ Leases = (*RedisLeases)(nil)

// KEYS[1] lease, KEYS[2] fence; ARGV owner, ttl ms. Returns the holder's
// "owner token" and 1 if it is the caller's.
var acquireScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur then
  local owner = string.match(cur, '^(.*) ')
  return {cur, owner == ARGV[1] and 1 or 0}
end
local token = redis.call('INCR', KEYS[2])
local v = ARGV[1] .. ' ' .. token
redis.call('SET', KEYS[1], v, 'PX', ARGV[2])
return {v, 1}
`)

// KEYS[1] lease, KEYS[2] fence; ARGV "owner token", token, ttl ms.
var renewScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] or (not cur and redis.call('GET', KEYS[2]) == ARGV[2]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
  return 1
end
return 0
`)

// KEYS[1] lease; ARGV "owner token".
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

func (r *RedisLeases) keys(room string) []string {
	// The hash tag keeps both keys in one Redis Cluster slot, as a script
	// touching two keys needs.
	tag := "{" + room + "}"
	return []string{r.prefix + "lease:" + tag, r.prefix + "fence:" + tag}
}

func leaseValue(l Lease) string { return l.Owner + " " + strconv.FormatInt(l.Token, 10) }

func parseLease(room, v string) (Lease, error) {
	i := strings.LastIndexByte(v, ' ')
	if i < 0 {
		return Lease{}, fmt.Errorf("bad lease value %q", v)
	}
	token, err := strconv.ParseInt(v[i+1:], 10, 64)
	if err != nil {
		return Lease{}, fmt.Errorf("bad lease token in %q", v)
	}
	return Lease{Room: room, Owner: v[:i], Token: token}, nil
}

// Acquire implements Leases.
func (r *RedisLeases) Acquire(ctx context.Context, room, owner string, ttl time.Duration) (Lease, bool, error) {
	res, err := acquireScript.Run(ctx, r.client, r.keys(room), owner, ttl.Milliseconds()).Slice()
	if err != nil {
		return Lease{}, false, fmt.Errorf("acquire lease %s: %w", room, err)
	}
	v, _ := res[0].(string)
	mine, _ := res[1].(int64)
	l, err := parseLease(room, v)
	return l, err == nil && mine == 1, err
}

// Renew implements Leases.
func (r *RedisLeases) Renew(ctx context.Context, l Lease, ttl time.Duration) (bool, error) {
	n, err := renewScript.Run(ctx, r.client, r.keys(l.Room), leaseValue(l), l.Token, ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("renew lease %s: %w", l.Room, err)
	}
	return n == 1, nil
}

// Release implements Leases.
func (r *RedisLeases) Release(ctx context.Context, l Lease) error {
	if err := releaseScript.Run(ctx, r.client, r.keys(l.Room)[:1], leaseValue(l)).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("release lease %s: %w", l.Room, err)
	}
	return nil
}

// Holder implements Leases.
func (r *RedisLeases) Holder(ctx context.Context, room string) (Lease, bool, error) {
	v, err := r.client.Get(ctx, r.keys(room)[0]).Result()
	if errors.Is(err, redis.Nil) {
		return Lease{}, false, nil
	}
	if err != nil {
		return Lease{}, false, fmt.Errorf("read lease %s: %w", room, err)
	}
	l, err := parseLease(room, v)
	return l, err == nil, err
}
