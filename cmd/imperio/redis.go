package main

import (
	"fmt"
	"net/url"

	"github.com/redis/go-redis/v9"
)

// newRedisClient opens the client of IMPERIO_REDIS_URL. One address is a
// plain client; more (repeated addr= parameters) a Redis Cluster; a master=
// parameter names the Sentinel master, the addresses being the sentinels'.
// The other parameters are go-redis's (dial_timeout=, pool_size=, ...).
func newRedisClient(raw string) (redis.UniversalClient, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("IMPERIO_REDIS_URL: %w", err)
	}
	q := u.Query()
	addrs := append([]string{u.Host}, q["addr"]...)
	master := q.Get("master")
	q.Del("addr")
	q.Del("master")
	u.RawQuery = q.Encode()
	opts, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("IMPERIO_REDIS_URL: %w", err)
	}
	if len(addrs) == 1 && master == "" {
		return redis.NewClient(opts), nil
	}
	return redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:        addrs,
		MasterName:   master,
		DB:           opts.DB,
		Username:     opts.Username,
		Password:     opts.Password,
		TLSConfig:    opts.TLSConfig,
		DialTimeout:  opts.DialTimeout,
		ReadTimeout:  opts.ReadTimeout,
		WriteTimeout: opts.WriteTimeout,
		PoolSize:     opts.PoolSize,
	}), nil
}
