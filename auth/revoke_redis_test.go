package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/imperio-casino/imperio/auth"
	"github.com/imperio-casino/imperio/store/storetest"
)

func TestRedisRevokerSharedBetweenInstances(t *testing.T) {
	prefix := storetest.RedisPrefix(t)
	a := auth.NewRedisRevoker(storetest.NewRedis(t), prefix+"revoked:")
	b := auth.NewRedisRevoker(storetest.NewRedis(t), prefix+"revoked:")
	ctx := context.Background()
	if err := a.Revoke(ctx, "jti-1", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if revoked, err := b.Revoked(ctx, "jti-1"); err != nil || !revoked {
		t.Fatalf("revoked on A, seen on B: %v, %v", revoked, err)
	}
	if revoked, err := b.Revoked(ctx, "jti-2"); err != nil || revoked {
		t.Fatalf("a token never revoked: %v, %v", revoked, err)
	}
	ttl, err := storetest.NewRedis(t).TTL(ctx, prefix+"revoked:jti-1").Result()
	if err != nil || ttl <= 59*time.Minute || ttl > time.Hour+time.Second {
		t.Fatalf("denylist entry TTL %v (%v), want about the token's remaining hour", ttl, err)
	}
	// An expired token needs no entry.
	if err := a.Revoke(ctx, "jti-old", time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, _ := storetest.NewRedis(t).Exists(ctx, prefix+"revoked:jti-old").Result(); n != 0 {
		t.Fatal("an expired token was written to the denylist")
	}
}

func TestRedisRevokerUnreachable(t *testing.T) {
	prefix := storetest.RedisPrefix(t)
	proxy := storetest.NewProxy(t, storetest.RedisAddr(t))
	r := auth.NewRedisRevoker(storetest.NewRedis(t, proxy.Addr()), prefix+"revoked:")
	ctx := context.Background()
	if err := r.Revoke(ctx, "mine", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	proxy.Cut()
	// Requests go on: what this instance revoked stays refused, the rest
	// passes until Redis returns.
	if revoked, err := r.Revoked(ctx, "mine"); err != nil || !revoked {
		t.Fatalf("a token revoked here, Redis cut: %v %v; want revoked", revoked, err)
	}
	if revoked, err := r.Revoked(ctx, "other"); err != nil || revoked {
		t.Fatalf("another token, Redis cut: %v %v; want allowed without error", revoked, err)
	}
	if err := r.Revoke(ctx, "during", time.Now().Add(time.Hour)); err == nil {
		t.Fatal("a revocation Redis never stored reported success")
	}
	if revoked, _ := r.Revoked(ctx, "during"); !revoked {
		t.Fatal("a token revoked here during the outage passes here")
	}
	proxy.Restore()
}
