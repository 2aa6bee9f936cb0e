package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/imperio-casino/imperio/store"
)

// benchSpinSQL is one spin as the store settles a spin alone: one
// statement, the conditional debit and, when it matched, the round, its
// player and the ledger rows.
const benchSpinSQL = `WITH u AS (
	UPDATE users SET coins = coins - $2 + $3, updated_at = now() WHERE id = $1 AND coins >= $2 RETURNING coins
), r AS (
	INSERT INTO rounds (id, game, room, user_id, status, outcome, fairness, created_at, settled_at)
	SELECT $5, 'slots', 'slots:bench', $1, 'settled', '{"reels":[[1,2,3],[4,5,6],[7,8,9]],"win":0}', '{"nonce":1}', now(), now() FROM u
), p AS (
	INSERT INTO round_players (round_id, user_id, game, wagered, won) SELECT $5, $1, 'slots', $2, $3 FROM u
), l AS (
	INSERT INTO ledger_entries (user_id, kind, amount, balance_after, game, round_id, idem_key, created_at)
	SELECT $1, e.kind, e.amount, e.balance_after, 'slots', $5, e.idem_key, now()
	FROM u CROSS JOIN LATERAL (VALUES (1, 'bet', -$2::bigint, u.coins - $3::bigint, $4::text), (2, 'win', $3::bigint, u.coins, $4::text || ':win')) AS e (ord, kind, amount, balance_after, idem_key)
	WHERE e.amount <> 0 ORDER BY e.ord
)
SELECT coins FROM u`

// benchSpinsSQL is 50 spins (of 50 users) in one set-based statement, as a
// group commit does.
const benchSpinsSQL = `WITH i AS (
	SELECT g AS ord, $1::bigint + g AS uid, 10::bigint AS bet, CASE WHEN g % 3 = 0 THEN 20 ELSE 0 END::bigint AS win,
		$2::text || '-' || g AS key FROM generate_series(0, 49) g
), u AS (
	UPDATE users SET coins = users.coins - i.bet + i.win, updated_at = now() FROM i WHERE users.id = i.uid AND users.coins >= i.bet RETURNING i.ord, users.coins
), r AS (
	INSERT INTO rounds (id, game, room, user_id, status, outcome, fairness, created_at, settled_at)
	SELECT i.key, 'slots', 'slots:bench', i.uid, 'settled', '{"reels":[[1,2,3],[4,5,6],[7,8,9]],"win":0}', '{"nonce":1}', now(), now() FROM u JOIN i USING (ord)
), p AS (
	INSERT INTO round_players (round_id, user_id, game, wagered, won) SELECT i.key, i.uid, 'slots', i.bet, i.win FROM u JOIN i USING (ord)
), l AS (
	INSERT INTO ledger_entries (user_id, kind, amount, balance_after, game, round_id, idem_key, created_at)
	SELECT i.uid, e.kind, e.amount, e.balance_after, 'slots', i.key, e.idem_key, now()
	FROM u JOIN i USING (ord) CROSS JOIN LATERAL (VALUES (1, 'bet', -i.bet, u.coins - i.win, i.key), (2, 'win', i.win, u.coins, i.key || ':win')) AS e (o, kind, amount, balance_after, idem_key)
	WHERE e.amount <> 0 ORDER BY u.ord, e.o
)
SELECT count(*) FROM u`

// baselinePG measures raw PostgreSQL settlement throughput in a schema of
// its own: one spin per transaction from 1, 4 and 16 clients, and 50 spins
// per set-based statement from 1 and 4.
func (b *bench) baselinePG(ctx context.Context) error {
	u := b.o.databaseURL
	if !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		b.add(benchRow{Scenario: "baseline-pg", Metric: "skipped", RefNote: "needs --database-url postgres://..."}, nil)
		return nil
	}
	schema := "imperio_bench_" + b.runID
	admin, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return err
	}
	defer admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	su, err := url.Parse(u)
	if err != nil {
		return err
	}
	q := su.Query()
	q.Set("search_path", schema)
	su.RawQuery = q.Encode()
	st, err := store.Open(ctx, su.String(), nil)
	if err != nil {
		return err
	}
	st.Close()
	if _, err := admin.Exec(ctx, `INSERT INTO `+schema+`.users (username, username_lower, email, password_hash, coins, created_at, updated_at)
		SELECT 'p' || g, 'p' || g, 'p' || g || '@bench.invalid', '-', 1000000000000, now(), now() FROM generate_series(1, 1000) g`); err != nil {
		return err
	}
	cfg, err := pgxpool.ParseConfig(su.String())
	if err != nil {
		return err
	}
	cfg.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	d := min(b.o.duration, 5*time.Second)
	var seq atomic.Int64
	run := func(clients int, work func(c int) (int, error)) (float64, error) {
		ctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		var (
			n     atomic.Int64
			wg    sync.WaitGroup
			first atomic.Value
		)
		t0 := time.Now()
		for c := range clients {
			wg.Go(func() {
				for ctx.Err() == nil {
					k, err := work(c)
					if err != nil {
						if ctx.Err() == nil {
							first.CompareAndSwap(nil, err)
						}
						return
					}
					n.Add(int64(k))
				}
			})
		}
		wg.Wait()
		if err, _ := first.Load().(error); err != nil {
			return 0, err
		}
		return float64(n.Load()) / time.Since(t0).Seconds(), nil
	}
	one := func(c int) (int, error) {
		k := seq.Add(1)
		key := fmt.Sprintf("%s-%d", b.runID, k)
		var coins int64
		err := pool.QueryRow(ctx, benchSpinSQL, int64(c+1), int64(10), (k%3)*10, key, key).Scan(&coins)
		return 1, err
	}
	for _, tc := range []struct {
		clients int
		ref     float64
	}{{1, refPG1}, {4, refPG4}, {16, refPG16}} {
		b.progress("baseline-pg: one spin per transaction, %d clients", tc.clients)
		tps, err := run(tc.clients, one)
		if err != nil {
			return err
		}
		b.add(benchRow{Scenario: "baseline-pg", Metric: fmt.Sprintf("one spin per transaction, %d clients", tc.clients), Value: tps, Unit: "spins/s", Reference: tc.ref, RefNote: "reference, separate statements"}, nil)
	}
	batch := func(c int) (int, error) {
		k := seq.Add(1)
		var n int
		err := pool.QueryRow(ctx, benchSpinsSQL, int64(c*50), fmt.Sprintf("%s-b%d", b.runID, k)).Scan(&n)
		return n, err
	}
	for _, clients := range []int{1, 4} {
		b.progress("baseline-pg: 50 spins per statement, %d clients", clients)
		rate, err := run(clients, batch)
		if err != nil {
			return err
		}
		b.add(benchRow{Scenario: "baseline-pg", Metric: fmt.Sprintf("50 spins per transaction, set-based, %d clients", clients), Value: rate, Unit: "spins/s", Reference: refPGBatch, RefNote: "reference"}, nil)
	}
	return nil
}
