// Package ratelimit owns keyed token buckets: how many login attempts an IP
// address may make, how many socket messages a user may send per second.
//
// Callers depend on the small Limiter interface. Memory is the in-process
// implementation used when no Redis is configured; a Redis-backed one that
// shares buckets between instances satisfies the same interface. Keys are
// opaque strings chosen by the caller, conventionally prefixed by what they
// limit ("login:ip:203.0.113.7", "ws:user:42").
package ratelimit
