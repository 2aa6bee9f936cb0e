package ratelimit

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMaxKeys is how many keys a Memory tracks at most unless
// WithMaxKeys says otherwise.
const DefaultMaxKeys = 100_000

// minSweepEvery keeps sweeps from running on every call for fast rules.
const minSweepEvery = time.Second

// Memory is a Limiter that keeps one token bucket per key in this process.
// It is safe for concurrent use.
//
// Memory stays bounded: a key whose bucket has had time to refill completely
// is forgotten (which changes no answer, since a new bucket starts full), and
// at most maxKeys keys are held. When that many keys are all active, an
// arbitrary one is dropped to make room: its owner gets a fresh bucket. This
// fails open for one key rather than refusing everyone, which is the right
// trade when the flood of keys is itself the attack.
type Memory struct {
	rule      Rule
	now       func() time.Time
	maxKeys   int
	idle      time.Duration // forget a key this long after its last event
	sweepNext time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// MemoryOption configures a Memory.
type MemoryOption func(*Memory)

// WithClock makes the Memory read time from now instead of time.Now, so that
// tests and virtual-time rooms can refill buckets without sleeping.
func WithClock(now func() time.Time) MemoryOption {
	return func(m *Memory) { m.now = now }
}

// WithMaxKeys bounds the number of keys held (DefaultMaxKeys otherwise).
func WithMaxKeys(n int) MemoryOption {
	return func(m *Memory) {
		if n > 0 {
			m.maxKeys = n
		}
	}
}

// NewMemory returns an in-memory Limiter applying rule to every key. A
// Burst below 1 is taken as 1. It panics if rule.Rate is not positive: a
// rule that never refills is a configuration mistake that config rejects
// long before this point.
func NewMemory(rule Rule, opts ...MemoryOption) *Memory {
	if !(rule.Rate > 0) {
		panic(fmt.Sprintf("ratelimit: rate must be positive, got %v", rule.Rate))
	}
	if rule.Burst < 1 {
		rule.Burst = 1
	}
	m := &Memory{
		rule:    rule,
		now:     time.Now,
		maxKeys: DefaultMaxKeys,
		buckets: make(map[string]*bucket),
	}
	for _, o := range opts {
		o(m)
	}
	m.idle = rule.fullAfter()
	return m
}

var _ Limiter = (*Memory)(nil)

// Allow takes one token from key's bucket. It never blocks and never fails
// except when ctx is already done.
func (m *Memory) Allow(ctx context.Context, key string) (bool, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return false, 0, err
	}
	if math.IsInf(m.rule.Rate, 1) {
		return true, 0, nil
	}
	now := m.now()

	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	b, ok := m.buckets[key]
	if !ok {
		m.dropOne()
		b = &bucket{lim: rate.NewLimiter(rate.Limit(m.rule.Rate), m.rule.Burst)}
		m.buckets[key] = b
	}
	if now.After(b.seen) {
		b.seen = now
	}
	if b.lim.AllowN(now, 1) {
		return true, 0, nil
	}
	// The bucket is short of one token; it refills at Rate per second. The
	// limiter is only touched under m.mu, so nothing moves in between.
	missing := 1 - b.lim.TokensAt(now)
	retry := time.Duration(math.Ceil(missing / m.rule.Rate * float64(time.Second)))
	if retry <= 0 {
		retry = time.Nanosecond
	}
	return false, retry, nil
}

// Len returns how many keys are currently tracked.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.buckets)
}

// sweep forgets keys idle long enough for their buckets to be full again.
// It runs at most once per idle period (and at least a second apart), so its
// cost is spread over the calls in between. m.mu must be held.
func (m *Memory) sweep(now time.Time) {
	if now.Before(m.sweepNext) {
		return
	}
	m.sweepNext = now.Add(max(m.idle, minSweepEvery))
	for k, b := range m.buckets {
		if now.Sub(b.seen) >= m.idle {
			delete(m.buckets, k)
		}
	}
}

// dropOne removes an arbitrary key when the map is at its bound, so that a
// new key fits. It does not sweep: under a flood of new keys that would cost
// a pass over the whole map per call. m.mu must be held.
func (m *Memory) dropOne() {
	if len(m.buckets) < m.maxKeys {
		return
	}
	for k := range m.buckets {
		delete(m.buckets, k)
		return
	}
}
