package hub

import (
	"context"
	"testing"
	"time"

	"github.com/imperio-casino/imperio/store/storetest"
)

func TestLeases(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) Leases{
		"memory": func(*testing.T) Leases { return NewMemoryLeases() },
		"redis": func(t *testing.T) Leases {
			return NewRedisLeases(storetest.NewRedis(t), storetest.RedisPrefix(t))
		},
	} {
		t.Run(name, func(t *testing.T) { testLeases(t, open(t)) })
	}
}

func testLeases(t *testing.T, ls Leases) {
	ctx := context.Background()
	const ttl = 300 * time.Millisecond
	a, ok, err := ls.Acquire(ctx, "blackjack:1", "A", ttl)
	if err != nil || !ok || a.Owner != "A" || a.Token != 1 {
		t.Fatalf("A acquires a free room: %+v %v %v", a, ok, err)
	}
	if again, ok, _ := ls.Acquire(ctx, "blackjack:1", "A", ttl); !ok || again != a {
		t.Fatalf("A acquiring again: %+v %v, want its lease", again, ok)
	}
	held, ok, err := ls.Acquire(ctx, "blackjack:1", "B", ttl)
	if err != nil || ok || held != a {
		t.Fatalf("B acquires A's room: %+v %v %v; want refused, holder A", held, ok, err)
	}
	if h, ok, _ := ls.Holder(ctx, "blackjack:1"); !ok || h != a {
		t.Fatalf("Holder = %+v %v", h, ok)
	}
	if ok, err := ls.Renew(ctx, a, ttl); !ok || err != nil {
		t.Fatalf("A renews: %v %v", ok, err)
	}
	// A's key expires while A is paused, nobody takes the room: A's
	// renewal takes it back under the same token.
	time.Sleep(ttl + 100*time.Millisecond)
	if _, ok, _ := ls.Holder(ctx, "blackjack:1"); ok {
		t.Fatal("an expired lease still has a holder")
	}
	if ok, _ := ls.Renew(ctx, a, ttl); !ok {
		t.Fatal("A could not take back its expired lease that nobody took")
	}
	// Expired again, and this time B takes the room, with a larger token:
	// A's renewal fails.
	time.Sleep(ttl + 100*time.Millisecond)
	b, ok, err := ls.Acquire(ctx, "blackjack:1", "B", ttl)
	if err != nil || !ok || b.Token <= a.Token {
		t.Fatalf("B takes over: %+v %v %v; want a larger token than %d", b, ok, err, a.Token)
	}
	if ok, _ := ls.Renew(ctx, a, ttl); ok {
		t.Fatal("A renewed a lease B holds")
	}
	if err := ls.Release(ctx, a); err != nil {
		t.Fatal(err)
	}
	if h, ok, _ := ls.Holder(ctx, "blackjack:1"); !ok || h != b {
		t.Fatalf("A's stale release freed B's room: %+v %v", h, ok)
	}
	if err := ls.Release(ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := ls.Holder(ctx, "blackjack:1"); ok {
		t.Fatal("released room still held")
	}
	c, ok, _ := ls.Acquire(ctx, "blackjack:1", "C", ttl)
	if !ok || c.Token <= b.Token {
		t.Fatalf("tokens must grow: %d after %d", c.Token, b.Token)
	}
	// Rooms are independent.
	if o, ok, _ := ls.Acquire(ctx, "blackjack:2", "A", ttl); !ok || o.Token != 1 {
		t.Fatalf("another room: %+v %v", o, ok)
	}
}
