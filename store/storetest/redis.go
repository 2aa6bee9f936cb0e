package storetest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisURL is used when IMPERIO_TEST_REDIS_URL is not set.
const DefaultRedisURL = "redis://127.0.0.1:6379/0"

// RedisURL is the Redis server tests use.
func RedisURL() string {
	if u := os.Getenv("IMPERIO_TEST_REDIS_URL"); u != "" {
		return u
	}
	return DefaultRedisURL
}

// RequireRedis skips the test when the test Redis is unreachable, or fails
// it when IMPERIO_TEST_REQUIRE_SERVICES=1.
func RequireRedis(t testing.TB) {
	t.Helper()
	opts, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("IMPERIO_TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		msg := "Redis at " + opts.Addr + " is unreachable: " + err.Error()
		if requireServices() {
			t.Fatalf("%s (IMPERIO_TEST_REQUIRE_SERVICES=1)", msg)
		}
		t.Skipf("SKIPPED: %s", msg)
	}
}

// RedisPrefix returns a key prefix of the test's own (imperio_test_<random>:)
// so that runs never collide; every key under it is deleted when the test
// ends. It requires Redis like RequireRedis.
func RedisPrefix(t testing.TB) string {
	t.Helper()
	RequireRedis(t)
	prefix := "imperio_test_" + randomHex(6) + ":"
	t.Cleanup(func() {
		opts, _ := redis.ParseURL(RedisURL())
		c := redis.NewClient(opts)
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	})
	return prefix
}

// NewRedis returns a client of the test Redis (or of addr, e.g. a Proxy's,
// when given), closed when the test ends.
func NewRedis(t testing.TB, addr ...string) redis.UniversalClient {
	t.Helper()
	RequireRedis(t)
	opts, _ := redis.ParseURL(RedisURL())
	if len(addr) > 0 {
		opts.Addr = addr[0]
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// RedisAddr is the test Redis's host:port, e.g. for a Proxy in front of it.
func RedisAddr(t testing.TB) string {
	t.Helper()
	opts, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("IMPERIO_TEST_REDIS_URL: %v", err)
	}
	return opts.Addr
}
