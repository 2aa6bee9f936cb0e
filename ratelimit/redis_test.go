package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/imperio-casino/imperio/ratelimit"
	"github.com/imperio-casino/imperio/store/storetest"
)

func TestRedisSharedBetweenInstances(t *testing.T) {
	prefix := storetest.RedisPrefix(t)
	rule := ratelimit.Rule{Rate: 1, Burst: 3}
	// Two instances, each its own client: one bucket between them.
	a := ratelimit.NewRedis(storetest.NewRedis(t), prefix+"rl:", rule)
	b := ratelimit.NewRedis(storetest.NewRedis(t), prefix+"rl:", rule)
	ctx := context.Background()
	allowed := 0
	for i := range 6 {
		l := a
		if i%2 == 1 {
			l = b
		}
		ok, retry, err := l.Allow(ctx, "ip:10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			allowed++
		} else if retry <= 0 || retry > time.Second {
			t.Fatalf("refused with retry-after %v, want (0, 1s]", retry)
		}
	}
	if allowed != 3 {
		t.Fatalf("%d of 6 events allowed across two instances, want the burst of 3", allowed)
	}
	if ok, _, _ := a.Allow(ctx, "ip:10.0.0.2"); !ok {
		t.Fatal("another key shares the first key's bucket")
	}
	if a.Degraded() {
		t.Fatal("degraded while Redis is up")
	}
}

func TestRedisSlowRule(t *testing.T) {
	prefix := storetest.RedisPrefix(t)
	l := ratelimit.NewRedis(storetest.NewRedis(t), prefix+"rl:", ratelimit.Rule{Rate: 0.2, Burst: 1})
	ctx := context.Background()
	if ok, _, _ := l.Allow(ctx, "k"); !ok {
		t.Fatal("first event refused")
	}
	ok, retry, err := l.Allow(ctx, "k")
	if err != nil || ok {
		t.Fatalf("second event: ok=%v err=%v, want refused", ok, err)
	}
	if retry < 4*time.Second || retry > 5*time.Second {
		t.Fatalf("retry-after %v, want about 5s at 0.2/s", retry)
	}
}

func TestRedisFallsBackWhenUnreachable(t *testing.T) {
	prefix := storetest.RedisPrefix(t)
	proxy := storetest.NewProxy(t, storetest.RedisAddr(t))
	l := ratelimit.NewRedis(storetest.NewRedis(t, proxy.Addr()), prefix+"rl:", ratelimit.Rule{Rate: 0.05, Burst: 2})
	ctx := context.Background()
	if ok, _, _ := l.Allow(ctx, "k"); !ok {
		t.Fatal("first event refused")
	}
	proxy.Cut()
	// The in-memory bucket decides now: still a limit, never an error.
	var allowed int
	for range 5 {
		ok, _, err := l.Allow(ctx, "k")
		if err != nil {
			t.Fatalf("an unreachable Redis surfaced as an error: %v", err)
		}
		if ok {
			allowed++
		}
	}
	if allowed != 2 || !l.Degraded() {
		t.Fatalf("with Redis cut: %d of 5 allowed (want the burst of 2), degraded=%v", allowed, l.Degraded())
	}
	proxy.Restore()
	deadline := time.Now().Add(5 * time.Second)
	for l.Degraded() && time.Now().Before(deadline) {
		l.Allow(ctx, "other")
		time.Sleep(50 * time.Millisecond)
	}
	if l.Degraded() {
		t.Fatal("still degraded after Redis returned")
	}
}
