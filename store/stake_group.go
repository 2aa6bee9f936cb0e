package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/imperio-casino/imperio"
)

// Table stakes are group-committed like spins (see spin_group.go): the
// stakes that arrive while a commit flushes share the next transaction, on
// PostgreSQL one set-based statement (stakesPostgresSQL, the single stake's
// statement over the group). Tables open their rounds at the same moments
// (a betting window opens for every player at once), so stakes come in
// bursts: two hundred tables of seven players are 1,400 stakes within a few
// milliseconds, which one at a time queue for the pool's connections. Each
// stake keeps its own semantics: its own key (a replay answers the original),
// its own funds and limits check, its own refusal (a short balance, a closed
// round, a key of another bet) that leaves the rest of the group to commit,
// and its answer only after the commit.

type stakeResult struct {
	coins    int64
	replayed bool
}

type stakeCall = groupCall[imperio.Stake, stakeResult]

// stakeRefusal reports whether err refuses a stake before it wrote
// anything, leaving a shared transaction usable.
func stakeRefusal(err error) bool {
	if isRefusal(err) {
		return true
	}
	switch imperio.ErrorCode(err) {
	case imperio.EBettingClosed, imperio.EInvalidInput, imperio.EConflict:
		return true
	}
	return false
}

// stakeGroup takes the calls' stakes and records each one's answer.
func (s *Store) stakeGroup(calls []*stakeCall) {
	runGroup(s, "stake", calls, func(ctx context.Context, st imperio.Stake) (stakeResult, error) {
		coins, replayed, err := s.stakeAlone(ctx, st)
		return stakeResult{coins, replayed}, err
	}, s.stakeTogether)
}

// stakeTogether runs every call's stake in one transaction and commits it.
// errSettleAlone means the transaction was rolled back because of one
// stake; any other error fails the whole group.
func (s *Store) stakeTogether(calls []*stakeCall) error {
	return groupTx(s, calls, func(ctx context.Context, tx *gorm.DB) error {
		if s.backend == backendPostgres {
			return s.stakesPostgres(ctx, tx, calls)
		}
		now := s.now()
		return settleEach(calls, stakeRefusal, func(c *stakeCall) (stakeResult, error) {
			var r stakeResult
			err := s.checkLimits(tx, c.req.UserID, c.req.Amount, now)
			if err == nil {
				r.coins, r.replayed, err = s.stakeSQLite(c.ctx, tx, c.req, now)
			}
			return r, err
		})
	})
}

// lockStakersSQL locks a stake group's rounds (FOR SHARE, as each stake's
// statement does) and then its players' rows in id order, and tells which
// players have limits. The rounds come first, as for a stake alone: a
// round's settlement holds its round and then waits for its players, so a
// group holding a player while it waited for the round would deadlock with
// it. The InitPlan (the count over r) runs on the first user row, before
// LockRows takes it. $1: the user ids, $2: the round ids.
const lockStakersSQL = `WITH r AS (
	SELECT id FROM rounds WHERE id = ANY($2) ORDER BY id FOR SHARE
)
SELECT u.id, EXISTS (SELECT 1 FROM play_limits l WHERE l.user_id = u.id)
FROM users u
WHERE u.id = ANY($1) AND (SELECT count(*) FROM r) >= 0
ORDER BY u.id
FOR NO KEY UPDATE OF u`

// stakesPostgresSQL is stakePostgresSQL for many stakes, each of a
// different user: the same open-round check, conditional debit, ledger row
// and round player for each. $1 is the stakes as a JSON array, $2 the time.
// The rounds are found by id alone and their status checked in the join:
// with the status in their WHERE the planner may read the partial index of
// open rounds, which until a vacuum holds every round that was ever open.
const stakesPostgresSQL = `WITH i AS (
	SELECT * FROM jsonb_to_recordset(CAST($1 AS JSONB)) AS i (ord INT, uid BIGINT, amount BIGINT, key TEXT, rid TEXT, game TEXT)
), r AS (
	SELECT id, game, status FROM rounds WHERE id = ANY(ARRAY(SELECT DISTINCT rid FROM i)) FOR SHARE
), u AS (
	UPDATE users SET coins = users.coins - i.amount, updated_at = CAST($2 AS TIMESTAMPTZ)
	FROM i JOIN r ON r.id = i.rid AND r.status = 'open' AND (i.game = '' OR r.game = i.game)
	WHERE users.id = i.uid AND users.coins >= i.amount
		AND NOT EXISTS (SELECT 1 FROM ledger_entries le WHERE le.user_id = i.uid AND le.idem_key = i.key)
	RETURNING i.ord, users.coins
), l AS (
	INSERT INTO ledger_entries (user_id, kind, amount, balance_after, game, round_id, idem_key, created_at)
	SELECT i.uid, 'bet', -i.amount, u.coins, r.game, r.id, i.key, CAST($2 AS TIMESTAMPTZ)
	FROM u JOIN i USING (ord) JOIN r ON r.id = i.rid
	ORDER BY u.ord
), p AS (
	INSERT INTO round_players (round_id, user_id, game, wagered, won)
	SELECT r.id, i.uid, r.game, i.amount, 0
	FROM u JOIN i USING (ord) JOIN r ON r.id = i.rid
	ON CONFLICT (round_id, user_id) DO UPDATE SET wagered = round_players.wagered + EXCLUDED.wagered
)
SELECT ord, coins FROM u`

type stakeRow struct {
	Ord     int    `json:"ord"`
	UID     int64  `json:"uid"`
	Amount  int64  `json:"amount"`
	Key     string `json:"key"`
	RoundID string `json:"rid"`
	Game    string `json:"game"`
}

// stakesPostgres stakes the calls (of distinct users) in tx: the locks,
// each limited player's check, one statement, and for a stake it did not
// take, the explanation of a stake alone (refusedStake: a replay, a closed
// or unknown round, a short balance), which writes nothing.
func (s *Store) stakesPostgres(ctx context.Context, tx *gorm.DB, calls []*stakeCall) error {
	now := s.now()
	uids := make([]int64, len(calls))
	rids := make([]string, 0, len(calls))
	seen := map[string]bool{}
	for i, c := range calls {
		uids[i] = c.req.UserID
		if !seen[c.req.RoundID] {
			seen[c.req.RoundID] = true
			rids = append(rids, c.req.RoundID)
		}
	}
	rows, err := tx.Statement.ConnPool.QueryContext(ctx, lockStakersSQL, uids, rids)
	if err != nil {
		return errSettleAlone{fmt.Errorf("lock stakers: %w", err)}
	}
	limited := map[int64]bool{}
	if err := eachPair(rows, func(id int64, lim bool) { limited[id] = lim }); err != nil {
		return errSettleAlone{err}
	}
	input := make([]stakeRow, 0, len(calls))
	for i, c := range calls {
		if limited[c.req.UserID] {
			if err := s.checkLimits(tx, c.req.UserID, c.req.Amount, now); err != nil {
				if !stakeRefusal(err) {
					return errSettleAlone{err}
				}
				c.err = err
				continue
			}
		}
		if err := s.step(c.ctx, "stake"); err != nil {
			return errSettleAlone{err}
		}
		st := c.req
		input = append(input, stakeRow{Ord: i + 1, UID: st.UserID, Amount: st.Amount, Key: st.Key, RoundID: st.RoundID, Game: st.Game})
	}
	taken := make([]bool, len(calls))
	if len(input) > 0 {
		res, err := queryGroup(ctx, tx, stakesPostgresSQL, input, now)
		if err != nil {
			return errSettleAlone{err}
		}
		err = eachPair(res, func(ord int, coins int64) {
			taken[ord-1] = true
			calls[ord-1].res = stakeResult{coins: coins}
		})
		if err != nil {
			return errSettleAlone{err}
		}
	}
	for i, c := range calls {
		if c.err != nil || taken[i] {
			continue
		}
		coins, replayed, err := s.refusedStake(tx, c.req)
		if err != nil && !stakeRefusal(err) {
			return errSettleAlone{err}
		}
		c.res, c.err = stakeResult{coins, replayed}, err
	}
	return nil
}
