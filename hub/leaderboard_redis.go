package hub

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/imperio-casino/imperio"
)

// RedisLeaderboards keeps the boards in Redis sorted sets shared by every
// instance: richest (ZADD of the latest balance), today's biggest wins (ZADD
// GT into a key per UTC day, kept two days) and the week's net winnings
// (ZINCRBY into a key per ISO week, kept eight days).
type RedisLeaderboards struct {
	client redis.UniversalClient
	prefix string
}

// NewRedisLeaderboards keeps the boards under prefix (e.g. "imperio:lb:").
func NewRedisLeaderboards(client redis.UniversalClient, prefix string) *RedisLeaderboards {
	return &RedisLeaderboards{client: client, prefix: prefix}
}

var _ Leaderboards = (*RedisLeaderboards)(nil)

func (r *RedisLeaderboards) key(board string, now time.Time) string {
	switch board {
	case BoardWinsToday:
		return r.prefix + "wins:" + dayKey(now)
	case BoardNetWeek:
		return r.prefix + "net:" + weekKey(now)
	}
	return r.prefix + board
}

// Apply writes a batch in one pipeline.
func (r *RedisLeaderboards) Apply(ctx context.Context, now time.Time, u LeaderUpdate) error {
	_, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		if len(u.Balances) > 0 {
			zs := make([]redis.Z, 0, len(u.Balances))
			for name, coins := range u.Balances {
				zs = append(zs, redis.Z{Member: name, Score: float64(coins)})
			}
			p.ZAdd(ctx, r.key(BoardRichest, now), zs...)
		}
		if len(u.Wins) > 0 {
			k := r.key(BoardWinsToday, now)
			zs := make([]redis.Z, 0, len(u.Wins))
			for name, win := range u.Wins {
				zs = append(zs, redis.Z{Member: name, Score: float64(win)})
			}
			p.ZAddGT(ctx, k, zs...)
			p.Expire(ctx, k, 48*time.Hour)
		}
		if len(u.Net) > 0 {
			k := r.key(BoardNetWeek, now)
			for name, net := range u.Net {
				p.ZIncrBy(ctx, k, float64(net), name)
			}
			p.Expire(ctx, k, 8*24*time.Hour)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update leaderboards: %w", err)
	}
	return nil
}

// Top reads the board's first n entries, highest score first.
func (r *RedisLeaderboards) Top(ctx context.Context, board string, now time.Time, n int) ([]LeaderEntry, error) {
	if !validBoard(board) {
		return nil, imperio.Errorf(imperio.EInvalidInput, "No leaderboard %q.", truncate(board, 40))
	}
	zs, err := r.client.ZRevRangeWithScores(ctx, r.key(board, now), 0, int64(n-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("read leaderboard %s: %w", board, err)
	}
	out := make([]LeaderEntry, 0, len(zs))
	for i, z := range zs {
		name, _ := z.Member.(string)
		out = append(out, LeaderEntry{Rank: i + 1, Username: name, Score: int64(z.Score)})
	}
	return out, nil
}
