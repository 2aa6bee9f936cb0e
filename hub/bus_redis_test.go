package hub

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/imperio-casino/imperio/store/storetest"
)

// collector gathers what a bus subscriber receives.
type collector struct {
	mu  sync.Mutex
	got []string
	ch  chan struct{}
}

func newCollector() *collector { return &collector{ch: make(chan struct{}, 1024)} }

func (c *collector) fn(p []byte) {
	c.mu.Lock()
	c.got = append(c.got, string(p))
	c.mu.Unlock()
	c.ch <- struct{}{}
}

func (c *collector) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		c.mu.Lock()
		for _, g := range c.got {
			if g == want {
				c.mu.Unlock()
				return
			}
		}
		c.mu.Unlock()
		select {
		case <-c.ch:
		case <-deadline:
			t.Fatalf("%q never arrived; got %q", want, c.snapshot())
		}
	}
}

func (c *collector) snapshot() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.got...)
}

func (c *collector) count(want string) int {
	n := 0
	for _, g := range c.snapshot() {
		if g == want {
			n++
		}
	}
	return n
}

func TestRedisBusBetweenInstances(t *testing.T) {
	prefix := storetest.RedisPrefix(t)
	a := NewRedisBus(storetest.NewRedis(t), prefix, "a", nil)
	b := NewRedisBus(storetest.NewRedis(t), prefix, "b", nil)
	defer a.Close()
	defer b.Close()
	onA, onB := newCollector(), newCollector()
	a.Subscribe("news", onA.fn)
	b.Subscribe("news", onB.fn)
	b.Subscribe("other", func([]byte) { t.Error("a message reached another topic") })
	// The subscription is asynchronous: publish until B hears one.
	deadline := time.Now().Add(waitTimeout)
	for onB.count("hello") == 0 && time.Now().Before(deadline) {
		a.Publish(context.Background(), "news", []byte("hello"))
		time.Sleep(20 * time.Millisecond)
	}
	onB.waitFor(t, "hello")
	a.Publish(context.Background(), "news", []byte("once"))
	onB.waitFor(t, "once")
	onA.waitFor(t, "once")
	time.Sleep(100 * time.Millisecond) // an echo from Redis would arrive by now
	if n := onA.count("once"); n != 1 {
		t.Fatalf("the publisher's own subscriber got its message %d times, want once (no echo)", n)
	}
	if !a.Up() || !b.Up() {
		t.Fatal("bus reports Redis down while it answers")
	}
}

func TestRedisBusSurvivesRedisLoss(t *testing.T) {
	prefix := storetest.RedisPrefix(t)
	proxy := storetest.NewProxy(t, storetest.RedisAddr(t))
	a := NewRedisBus(storetest.NewRedis(t, proxy.Addr()), prefix, "a", nil)
	b := NewRedisBus(storetest.NewRedis(t), prefix, "b", nil)
	defer a.Close()
	defer b.Close()
	onA, onB := newCollector(), newCollector()
	a.Subscribe("news", onA.fn)
	b.Subscribe("news", onB.fn)
	publishUntil := func(bus Bus, c *collector, msg string) {
		t.Helper()
		deadline := time.Now().Add(waitTimeout)
		for c.count(msg) == 0 && time.Now().Before(deadline) {
			bus.Publish(context.Background(), "news", []byte(msg))
			time.Sleep(50 * time.Millisecond)
		}
		c.waitFor(t, msg)
	}
	publishUntil(a, onB, "before")
	publishUntil(b, onA, "before-b")

	proxy.Cut()
	// A's own subscribers still hear A at once: local fan-out goes on.
	start := time.Now()
	a.Publish(context.Background(), "news", []byte("during"))
	onA.waitFor(t, "during")
	if d := time.Since(start); d > time.Second {
		t.Fatalf("publishing with Redis gone took %v: it must not wait for Redis", d)
	}
	deadline := time.Now().Add(waitTimeout)
	for a.Up() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if a.Up() {
		t.Fatal("the bus still reports Redis up after the connection was cut")
	}
	proxy.Restore()
	// Both directions resume without a restart: A's sender reconnects, and
	// its subscription is renewed.
	publishUntil(a, onB, "after")
	publishUntil(b, onA, "after-b")
	if !a.Up() {
		t.Fatal("bus still reports Redis down after it returned")
	}
}
