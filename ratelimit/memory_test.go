package ratelimit

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a fake time source that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func allow(t *testing.T, l Limiter, key string) (bool, time.Duration) {
	t.Helper()
	ok, retry, err := l.Allow(context.Background(), key)
	if err != nil {
		t.Fatalf("Allow(%q): %v", key, err)
	}
	return ok, retry
}

func TestMemory(t *testing.T) {
	t.Run("BurstThenRefused", func(t *testing.T) {
		clk := newClock()
		m := NewMemory(Rule{Rate: 1, Burst: 3}, WithClock(clk.Now))
		for i := range 3 {
			if ok, _ := allow(t, m, "k"); !ok {
				t.Fatalf("event %d refused within burst", i+1)
			}
		}
		ok, retry := allow(t, m, "k")
		if ok {
			t.Fatal("event past burst allowed")
		}
		if retry != time.Second {
			t.Fatalf("retryAfter = %v, want 1s", retry)
		}
	})

	t.Run("RefillWithClock", func(t *testing.T) {
		clk := newClock()
		m := NewMemory(Rule{Rate: 2, Burst: 2}, WithClock(clk.Now)) // one token per 500ms
		allow(t, m, "k")
		allow(t, m, "k")
		if ok, retry := allow(t, m, "k"); ok || retry != 500*time.Millisecond {
			t.Fatalf("empty bucket: ok=%v retry=%v, want false 500ms", ok, retry)
		}
		clk.Advance(200 * time.Millisecond)
		if ok, retry := allow(t, m, "k"); ok || retry != 300*time.Millisecond {
			t.Fatalf("after 200ms: ok=%v retry=%v, want false 300ms", ok, retry)
		}
		clk.Advance(300 * time.Millisecond)
		if ok, _ := allow(t, m, "k"); !ok {
			t.Fatal("after refill: refused")
		}
		if ok, _ := allow(t, m, "k"); ok {
			t.Fatal("only one token refilled, second allowed")
		}
		clk.Advance(time.Hour)
		for i := range 2 {
			if ok, _ := allow(t, m, "k"); !ok {
				t.Fatalf("full bucket after an hour: event %d refused", i+1)
			}
		}
		if ok, _ := allow(t, m, "k"); ok {
			t.Fatal("refill exceeded burst")
		}
	})

	t.Run("RefusalsDoNotConsume", func(t *testing.T) {
		clk := newClock()
		m := NewMemory(Rule{Rate: 1, Burst: 1}, WithClock(clk.Now))
		allow(t, m, "k")
		for range 10 {
			allow(t, m, "k") // hammering while empty must not push the refill back
		}
		clk.Advance(time.Second)
		if ok, _ := allow(t, m, "k"); !ok {
			t.Fatal("refused after one refill period despite only refused attempts")
		}
	})

	t.Run("KeysIndependent", func(t *testing.T) {
		clk := newClock()
		m := NewMemory(Rule{Rate: 1, Burst: 1}, WithClock(clk.Now))
		if ok, _ := allow(t, m, "a"); !ok {
			t.Fatal("a refused")
		}
		if ok, _ := allow(t, m, "a"); ok {
			t.Fatal("a allowed twice")
		}
		if ok, _ := allow(t, m, "b"); !ok {
			t.Fatal("b refused because of a")
		}
	})

	t.Run("BurstBelowOneIsOne", func(t *testing.T) {
		m := NewMemory(Rule{Rate: 1, Burst: 0}, WithClock(newClock().Now))
		if ok, _ := allow(t, m, "k"); !ok {
			t.Fatal("first event refused")
		}
	})

	t.Run("InfiniteRateNeverLimits", func(t *testing.T) {
		m := NewMemory(Rule{Rate: math.Inf(1), Burst: 1})
		for range 1000 {
			if ok, _ := allow(t, m, "k"); !ok {
				t.Fatal("refused")
			}
		}
		if m.Len() != 0 {
			t.Fatalf("Len = %d, want 0: nothing to remember", m.Len())
		}
	})

	t.Run("NonPositiveRatePanics", func(t *testing.T) {
		for _, r := range []float64{0, -1, math.NaN()} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("NewMemory(Rate: %v) did not panic", r)
					}
				}()
				NewMemory(Rule{Rate: r, Burst: 1})
			}()
		}
	})

	t.Run("CanceledContext", func(t *testing.T) {
		m := NewMemory(Rule{Rate: 1, Burst: 1})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if ok, _, err := m.Allow(ctx, "k"); ok || err == nil {
			t.Fatalf("canceled context: ok=%v err=%v, want false and an error", ok, err)
		}
	})
}

func TestMemoryEviction(t *testing.T) {
	t.Run("IdleKeysForgotten", func(t *testing.T) {
		clk := newClock()
		m := NewMemory(Rule{Rate: 10, Burst: 20}, WithClock(clk.Now)) // full after 2s
		for i := range 1000 {
			allow(t, m, fmt.Sprint("k", i))
		}
		if m.Len() != 1000 {
			t.Fatalf("Len = %d, want 1000", m.Len())
		}
		clk.Advance(2 * time.Second)
		allow(t, m, "fresh")
		if m.Len() != 1 {
			t.Fatalf("Len after idle period = %d, want 1", m.Len())
		}
	})

	t.Run("ActiveKeyKept", func(t *testing.T) {
		clk := newClock()
		m := NewMemory(Rule{Rate: 1, Burst: 2}, WithClock(clk.Now)) // full after 2s
		allow(t, m, "active")
		allow(t, m, "active")
		clk.Advance(1500 * time.Millisecond)
		allow(t, m, "active") // takes a refilled token, 0.5 left
		clk.Advance(time.Second)
		allow(t, m, "other") // sweep: "active" was seen 1s ago, must stay
		if ok, _ := allow(t, m, "active"); !ok {
			t.Fatal("active key refused: 1.5 tokens should be there")
		}
		if ok, _ := allow(t, m, "active"); ok {
			t.Fatal("active key was forgotten and got a fresh bucket")
		}
	})

	t.Run("MaxKeysBound", func(t *testing.T) {
		clk := newClock()
		m := NewMemory(Rule{Rate: 1, Burst: 1}, WithClock(clk.Now), WithMaxKeys(100))
		for i := range 10_000 {
			allow(t, m, fmt.Sprint("k", i))
		}
		if n := m.Len(); n > 100 {
			t.Fatalf("Len = %d, want at most 100", n)
		}
	})
}

func TestMemoryConcurrent(t *testing.T) {
	clk := newClock()
	const burst = 50
	m := NewMemory(Rule{Rate: 1, Burst: burst}, WithClock(clk.Now))
	var allowed [4]atomic.Int64
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			key := fmt.Sprint("k", g%4)
			for range 100 {
				ok, _, err := m.Allow(context.Background(), key)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					allowed[g%4].Add(1)
				}
			}
		})
	}
	wg.Wait()
	for i := range allowed {
		if n := allowed[i].Load(); n != burst {
			t.Errorf("key k%d: %d allowed with a frozen clock, want exactly %d", i, n, burst)
		}
	}
}

func BenchmarkMemoryAllow(b *testing.B) {
	m := NewMemory(Rule{Rate: 1e9, Burst: 1 << 30})
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			m.Allow(ctx, fmt.Sprint("k", i%64))
			i++
		}
	})
}
