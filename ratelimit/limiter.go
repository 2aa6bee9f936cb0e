package ratelimit

import (
	"context"
	"time"
)

// Limiter decides whether one more event for key may happen now. When it
// may not, retryAfter says how long until it would. An error means the
// limiter itself failed (a Redis-backed limiter lost its connection); the
// caller decides whether that fails open or closed.
type Limiter interface {
	Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration, err error)
}

// Rule is a token bucket: Burst events at once, refilled at Rate events per
// second. A Rate of math.Inf(1) never limits.
type Rule struct {
	Rate  float64 // events per second
	Burst int
}

// fullAfter is how long an untouched bucket takes to refill completely from
// empty. After that long without events a key's bucket is indistinguishable
// from a new one, so it can be forgotten without changing any answer.
func (r Rule) fullAfter() time.Duration {
	d := float64(r.Burst) / r.Rate * float64(time.Second)
	if d > float64(maxFullAfter) {
		return maxFullAfter
	}
	return time.Duration(d)
}

// maxFullAfter bounds how long idle keys are kept for very slow rules.
const maxFullAfter = 24 * time.Hour
