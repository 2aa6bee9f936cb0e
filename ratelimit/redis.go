package ratelimit

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Redis is a Limiter whose buckets live in Redis, so that every instance
// counts against the same limit: a client cannot multiply its allowance by
// spreading requests over instances. The algorithm is GCRA (redis_rate),
// atomic in one Lua call per event.
//
// When Redis cannot be reached, Redis answers from an in-memory bucket of the
// same rule instead of failing: limits then hold per instance until Redis
// returns. The error is not passed on, since the answer is still a decision;
// Degraded reports it.
type Redis struct {
	lim      *redis_rate.Limiter
	prefix   string
	limit    redis_rate.Limit
	fallback *Memory
	degraded atomic.Bool
	failedAt atomic.Int64 // unix ns of the last failure
	timeout  time.Duration
}

// retryRedis is how long the fallback answers alone after Redis failed,
// before Redis is tried again: an unreachable Redis costs one timeout per
// interval, not one per event.
const retryRedis = time.Second

// NewRedis returns a Redis-backed Limiter for rule, its keys under prefix
// (e.g. "imperio:rl:login:"). A rule with an infinite rate never limits.
func NewRedis(client redis.UniversalClient, prefix string, rule Rule) *Redis {
	if rule.Burst < 1 {
		rule.Burst = 1
	}
	return &Redis{
		lim:      redis_rate.NewLimiter(client),
		prefix:   prefix,
		limit:    gcraLimit(rule),
		fallback: NewMemory(rule),
		timeout:  250 * time.Millisecond,
	}
}

// gcraLimit expresses a token bucket as redis_rate's limit: Burst events at
// once, one more every 1/Rate seconds. Rates below one per second keep their
// exact emission interval by counting over a longer period.
func gcraLimit(rule Rule) redis_rate.Limit {
	if math.IsInf(rule.Rate, 1) {
		return redis_rate.Limit{Rate: math.MaxInt32, Burst: math.MaxInt32, Period: time.Second}
	}
	if rule.Rate >= 1 {
		// A fractional rate is rounded to a period that keeps it exact
		// within a millisecond: rate events per period.
		period := time.Second
		r := rule.Rate
		for r != math.Trunc(r) && period < time.Hour {
			r *= 10
			period *= 10
		}
		return redis_rate.Limit{Rate: int(r), Burst: rule.Burst, Period: period}
	}
	return redis_rate.Limit{Rate: 1, Burst: rule.Burst, Period: time.Duration(float64(time.Second) / rule.Rate)}
}

// Allow spends one event of key's bucket.
func (r *Redis) Allow(ctx context.Context, key string) (bool, time.Duration, error) {
	if r.limit.Rate == math.MaxInt32 {
		return true, 0, nil
	}
	if r.degraded.Load() && time.Since(time.Unix(0, r.failedAt.Load())) < retryRedis {
		return r.fallback.Allow(ctx, key)
	}
	rctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	res, err := r.lim.Allow(rctx, r.prefix+key, r.limit)
	if err != nil {
		r.failedAt.Store(time.Now().UnixNano())
		r.degraded.Store(true)
		return r.fallback.Allow(ctx, key)
	}
	r.degraded.Store(false)
	if res.Allowed > 0 {
		return true, 0, nil
	}
	return false, max(res.RetryAfter, time.Millisecond), nil
}

// Degraded reports whether the last decision came from the in-memory
// fallback because Redis could not be reached.
func (r *Redis) Degraded() bool { return r.degraded.Load() }

func (r *Redis) String() string {
	return fmt.Sprintf("redis(%s %d/%v burst %d)", r.prefix, r.limit.Rate, r.limit.Period, r.limit.Burst)
}
