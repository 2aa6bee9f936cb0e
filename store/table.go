package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/imperio-casino/imperio"
)

// Table rounds (blackjack, roulette, crash) live longer than a spin: the room
// opens the round, stakes are debited one by one as players place them, the
// payouts are credited when the round settles, and a round that a crash or a
// shutdown left open is voided with every stake refunded.
//
// The one race that matters is a stake against the end of its round: a stake
// is either committed before the round leaves "open" (and then the
// settlement or the void sees it) or refused with imperio.EBettingClosed,
// never debited into a closed round. How each backend makes that so:
//
//   - PostgreSQL: a stake is one statement (autocommit, one round trip) that
//     first takes the round row FOR SHARE, on condition that it is open, then
//     debits. Stakes share the lock, so players bet into one round in
//     parallel. SettleRound and VoidRound first take the round row for update
//     (the status UPDATE, or SELECT ... FOR NO KEY UPDATE), which waits for
//     the stakes in flight and makes later ones wait; those then re-check the
//     row, find it closed and write nothing. The settlement's later
//     statements each see a fresh snapshot (READ COMMITTED), so they see every
//     stake committed before the lock was granted.
//   - SQLite: every write transaction runs on the one write connection, so a
//     stake and a settlement never overlap; the stake checks the status in
//     the same transaction as its debit.
//
// Deadlocks: a stake locks its round, then its player; a settlement or a void
// locks its round, then its players in user id order (and a spin locks one
// player). No transaction waits for a round while holding a player, and
// players are always taken in the same order, so no cycle can form.

// voidKeyPrefix starts the idempotency key of a void refund ("void:<round
// id>"); stake and payout keys may not use it, so that a refund can never be
// blocked by a key taken before.
const voidKeyPrefix = "void:"

// sqlChunk bounds the rows of one multi-row statement, far below the
// parameter limits of both backends (65535 and 32766).
const sqlChunk = 500

// OpenRound records a new table round, status open, with no outcome yet and
// no player: it must exist before any stake is taken into it. ID, Game and
// Room are required.
//
// It is idempotent: opening a round that is already open with the same game
// and room changes nothing. An id that exists otherwise (another game or
// room, a round already settled or void, a spin) is imperio.EConflict.
func (s *Store) OpenRound(ctx context.Context, r imperio.TableRound) error {
	switch {
	case r.ID == "":
		return imperio.Errorf(imperio.EInvalidInput, "The round id is missing.")
	case r.Game == "":
		return imperio.Errorf(imperio.EInvalidInput, "The game is missing.")
	case r.Room == "":
		return imperio.Errorf(imperio.EInvalidInput, "The room is missing.")
	case len(r.Fairness) > 0 && !json.Valid(r.Fairness):
		return imperio.Errorf(imperio.EInvalidInput, "The fairness proof is not valid JSON.")
	}
	now := s.now()
	if r.Fence > 0 {
		return s.openFencedRound(ctx, r, now)
	}
	// One statement commits by itself: no transaction needed.
	res := s.wdb.WithContext(ctx).Exec(`INSERT INTO rounds (id, game, room, user_id, status, outcome, fairness, created_at, settled_at)
		VALUES (?, ?, ?, NULL, 'open', NULL, `+s.jsonParam()+`, ?, NULL) ON CONFLICT (id) DO NOTHING`,
		r.ID, r.Game, r.Room, jsonArg(r.Fairness), s.ts(now))
	if res.Error != nil {
		return s.wrap("open round", res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var (
		game, room, status string
		userID             *int64
	)
	err := s.rdb.WithContext(ctx).Raw(`SELECT game, room, status, user_id FROM rounds WHERE id = ?`, r.ID).
		Row().Scan(&game, &room, &status, &userID)
	if err != nil {
		return s.wrap("open round: read existing", err)
	}
	if status == imperio.RoundOpen && userID == nil && game == r.Game && room == r.Room {
		return nil
	}
	return imperio.Errorf(imperio.EConflict, "The round %s exists already (%s, %s).", r.ID, game, status)
}

// Stake debits a player's stake into an open table round, in one
// transaction: the conditional debit (coins >= Amount, otherwise
// imperio.EInsufficientFunds and nothing changes), a "bet" ledger row with
// the round id and the balance after it, and the player's wagered total in
// the round. It returns the balance after the debit.
//
// A round that is no longer open is imperio.EBettingClosed; an unknown round
// imperio.ENotFound; a Game other than the round's imperio.EInvalidInput (an
// empty Game takes the round's).
//
// It is idempotent by (UserID, Key): when the key was staked before, nothing
// changes and the balance now comes back with replayed true, even after the
// round closed. Of concurrent calls with one key, exactly one debits. A key
// used by anything other than this very stake is imperio.EConflict.
//
// Concurrent stakes share commits (see stake_group.go).
func (s *Store) Stake(ctx context.Context, st imperio.Stake) (coins int64, replayed bool, err error) {
	if err := validateStake(st); err != nil {
		return 0, false, err
	}
	r, err := s.stakes.do(ctx, st, st.UserID, s.stakeGroup)
	return r.coins, r.replayed, err
}

// stakeAlone takes one stake in a transaction of its own: a group of one,
// and the fallback of a group that failed.
func (s *Store) stakeAlone(ctx context.Context, st imperio.Stake) (coins int64, replayed bool, err error) {
	// The player's limits are checked in the transaction that takes the
	// stake (on PostgreSQL too, where the stake alone is one statement).
	err = s.write(ctx, func(tx *gorm.DB) (err error) {
		now := s.now()
		if err := s.checkLimits(tx, st.UserID, st.Amount, now); err != nil {
			return err
		}
		if s.backend == backendPostgres {
			coins, replayed, err = s.stakePostgres(ctx, tx, st, now)
		} else {
			coins, replayed, err = s.stakeSQLite(ctx, tx, st, now)
		}
		return beforeCommit(err)
	})
	if isUniqueViolation(err) {
		// A stake with this key committed while we worked: a retry racing
		// its original. Answer with the original.
		c, found, lerr := s.stakeReplay(s.rdb.WithContext(ctx), st)
		if lerr != nil {
			return 0, false, s.wrap("stake: look up replay", lerr)
		}
		if !found {
			return 0, false, s.wrap("stake", err)
		}
		return c, true, nil
	}
	if err != nil {
		return 0, false, s.wrap("stake", err)
	}
	return coins, replayed, nil
}

// stakePostgresSQL is a whole stake in one statement, one round trip: the
// round row taken FOR SHARE on condition that it is open (a settlement that
// holds it makes us wait, and we then see it closed), the conditional debit
// only when the round matched and the key is new, then the ledger row and the
// round player. A refused stake returns no row and writes nothing; a key
// inserted concurrently fails the whole statement with a unique violation.
const stakePostgresSQL = `WITH r AS (
	SELECT id, game FROM (
		SELECT id, game, status FROM rounds WHERE id = CAST(@rid AS TEXT) FOR SHARE
	) r0
	WHERE status = 'open' AND (CAST(@game AS TEXT) = '' OR game = CAST(@game AS TEXT))
), u AS (
	UPDATE users SET coins = coins - CAST(@amount AS BIGINT), updated_at = CAST(@now AS TIMESTAMPTZ)
	WHERE id = CAST(@uid AS BIGINT) AND coins >= CAST(@amount AS BIGINT)
		AND EXISTS (SELECT 1 FROM r)
		AND NOT EXISTS (SELECT 1 FROM ledger_entries WHERE user_id = CAST(@uid AS BIGINT) AND idem_key = CAST(@key AS TEXT))
	RETURNING coins
), l AS (
	INSERT INTO ledger_entries (user_id, kind, amount, balance_after, game, round_id, idem_key, created_at)
	SELECT CAST(@uid AS BIGINT), 'bet', -CAST(@amount AS BIGINT), u.coins, r.game, r.id, CAST(@key AS TEXT), CAST(@now AS TIMESTAMPTZ)
	FROM u CROSS JOIN r
), p AS (
	INSERT INTO round_players (round_id, user_id, game, wagered, won)
	SELECT r.id, CAST(@uid AS BIGINT), r.game, CAST(@amount AS BIGINT), 0
	FROM u CROSS JOIN r
	ON CONFLICT (round_id, user_id) DO UPDATE SET wagered = round_players.wagered + EXCLUDED.wagered
)
SELECT coins FROM u`

func (s *Store) stakePostgres(ctx context.Context, db *gorm.DB, st imperio.Stake, now time.Time) (int64, bool, error) {
	if err := s.step(ctx, "stake"); err != nil {
		return 0, false, err
	}
	var coins int64
	err := db.Raw(stakePostgresSQL, map[string]any{
		"rid": st.RoundID, "game": st.Game, "uid": st.UserID, "amount": st.Amount, "key": st.Key, "now": now,
	}).Row().Scan(&coins)
	if errors.Is(err, sql.ErrNoRows) {
		return s.refusedStake(db, st)
	}
	if err != nil {
		return 0, false, inFlightFailure("stake", err)
	}
	return coins, false, nil
}

// stakeSQLite does the same work in three statements of one transaction
// (SQLite has no data-modifying WITH); the status check sits in the debit's
// WHERE, and no other writer can run in between.
func (s *Store) stakeSQLite(ctx context.Context, tx *gorm.DB, st imperio.Stake, now time.Time) (int64, bool, error) {
	var coins int64
	err := tx.Raw(`UPDATE users SET coins = coins - ?, updated_at = ?
		WHERE id = ? AND coins >= ?
			AND EXISTS (SELECT 1 FROM rounds WHERE id = ? AND status = 'open' AND (? = '' OR game = ?))
			AND NOT EXISTS (SELECT 1 FROM ledger_entries WHERE user_id = ? AND idem_key = ?)
		RETURNING coins`,
		st.Amount, s.ts(now), st.UserID, st.Amount, st.RoundID, st.Game, st.Game, st.UserID, st.Key).Row().Scan(&coins)
	if errors.Is(err, sql.ErrNoRows) {
		return s.refusedStake(tx, st)
	}
	if err != nil {
		return 0, false, fmt.Errorf("debit: %w", err)
	}
	if err := s.step(ctx, "debited"); err != nil {
		return 0, false, err
	}
	err = tx.Exec(`INSERT INTO ledger_entries (user_id, kind, amount, balance_after, game, round_id, idem_key, created_at)
		SELECT ?, 'bet', ?, ?, game, id, ?, ? FROM rounds WHERE id = ?`,
		st.UserID, -st.Amount, coins, st.Key, s.ts(now), st.RoundID).Error
	if err != nil {
		return 0, false, fmt.Errorf("insert ledger: %w", err)
	}
	if err := s.step(ctx, "ledger"); err != nil {
		return 0, false, err
	}
	// The WHERE keeps SQLite from reading ON CONFLICT as a join constraint.
	err = tx.Exec(`INSERT INTO round_players (round_id, user_id, game, wagered, won)
		SELECT id, ?, game, ?, 0 FROM rounds WHERE id = ?
		ON CONFLICT (round_id, user_id) DO UPDATE SET wagered = round_players.wagered + excluded.wagered`,
		st.UserID, st.Amount, st.RoundID).Error
	if err != nil {
		return 0, false, fmt.Errorf("upsert round player: %w", err)
	}
	if err := s.step(ctx, "players"); err != nil {
		return 0, false, err
	}
	return coins, false, nil
}

// refusedStake explains a debit that matched no row: the key was staked
// before (a replay), the round is unknown, of another game or closed, the
// user is unknown, or the balance is short.
func (s *Store) refusedStake(db *gorm.DB, st imperio.Stake) (int64, bool, error) {
	coins, found, err := s.stakeReplay(db, st)
	if err != nil {
		return 0, false, fmt.Errorf("look up replay: %w", err)
	}
	if found {
		return coins, true, nil
	}
	var status, game string
	err = db.Raw(`SELECT status, game FROM rounds WHERE id = ?`, st.RoundID).Row().Scan(&status, &game)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, imperio.Errorf(imperio.ENotFound, "No such round.")
	case err != nil:
		return 0, false, fmt.Errorf("read round: %w", err)
	case st.Game != "" && st.Game != game:
		return 0, false, imperio.Errorf(imperio.EInvalidInput, "The round is a %s round, not %s.", game, st.Game)
	case status != imperio.RoundOpen:
		return 0, false, imperio.Errorf(imperio.EBettingClosed, "Betting is closed: the round is %s.", status)
	}
	err = db.Raw(`SELECT coins FROM users WHERE id = ?`, st.UserID).Row().Scan(&coins)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, imperio.Errorf(imperio.ENotFound, "No such user.")
	}
	if err != nil {
		return 0, false, fmt.Errorf("read balance: %w", err)
	}
	return 0, false, imperio.Errorf(imperio.EInsufficientFunds,
		"Not enough coins: the stake is %d, the balance %d.", st.Amount, coins)
}

// stakeReplay finds the ledger row of (st.UserID, st.Key) and returns the
// balance now. found is false when the key is new; a key that belongs to
// anything but this stake (another round, amount or kind) is
// imperio.EConflict.
func (s *Store) stakeReplay(db *gorm.DB, st imperio.Stake) (coins int64, found bool, err error) {
	var (
		kind    string
		amount  int64
		roundID *string
	)
	err = db.Raw(`SELECT l.kind, l.amount, l.round_id, u.coins
		FROM ledger_entries l JOIN users u ON u.id = l.user_id
		WHERE l.user_id = ? AND l.idem_key = ?`, st.UserID, st.Key).Row().Scan(&kind, &amount, &roundID, &coins)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if kind != imperio.KindBet || roundID == nil || *roundID != st.RoundID || amount != -st.Amount {
		return 0, false, imperio.Errorf(imperio.EConflict, "The key %q belongs to another bet.", st.Key)
	}
	return coins, true, nil
}

func validateStake(st imperio.Stake) error {
	switch {
	case st.Amount <= 0 || st.Amount > maxCoins:
		return imperio.Errorf(imperio.EInvalidInput, "The stake must be a positive number of coins.")
	case st.Key == "" || len(st.Key) > maxKeyLen:
		return imperio.Errorf(imperio.EInvalidInput, "The stake key must have 1 to %d bytes.", maxKeyLen)
	case strings.HasPrefix(st.Key, voidKeyPrefix):
		return imperio.Errorf(imperio.EInvalidInput, "Stake keys may not start with %q.", voidKeyPrefix)
	case st.RoundID == "":
		return imperio.Errorf(imperio.EInvalidInput, "The round id is missing.")
	case st.UserID <= 0:
		return imperio.Errorf(imperio.EInvalidInput, "The player is missing.")
	}
	return nil
}

// SettleRound closes an open table round in one transaction: each payout of
// more than 0 coins is credited with a "win" ledger row (keyed by its Key,
// unique per player; payouts of 0 are skipped), each player's won total in
// the round grows by their payouts, and the round gets its outcome (and
// fairness proof, when given; otherwise it keeps the one it was opened with)
// and becomes settled. It returns the balance of every player of the round,
// sorted by user id.
//
// Every payout must go to a player who staked in the round, and no amount
// may be negative: otherwise imperio.EInvalidInput and nothing changes.
// Settling a round already settled changes nothing (whatever the payouts) and
// returns the balances now; a void round or a spin's is imperio.EConflict,
// an unknown one imperio.ENotFound. A payout key the player used
// before is imperio.EConflict.
func (s *Store) SettleRound(ctx context.Context, rs imperio.RoundSettlement) ([]imperio.Balance, error) {
	if err := validateSettlement(rs); err != nil {
		return nil, err
	}
	var out []imperio.Balance
	err := s.write(ctx, func(tx *gorm.DB) (err error) {
		out, err = s.settleRound(ctx, tx, rs, s.now())
		return err
	})
	if isUniqueViolation(err) {
		return nil, imperio.Errorf(imperio.EConflict, "A payout key of round %s was used before.", rs.RoundID)
	}
	if err != nil {
		return nil, s.wrap("settle round", err)
	}
	return out, nil
}

func (s *Store) settleRound(ctx context.Context, tx *gorm.DB, rs imperio.RoundSettlement, now time.Time) ([]imperio.Balance, error) {
	// The status UPDATE comes first: on PostgreSQL it waits for the stakes
	// in flight and shuts out later ones.
	var game string
	err := tx.Raw(`UPDATE rounds SET status = 'settled', outcome = `+s.jsonParam()+`,
			fairness = COALESCE(`+s.jsonParam()+`, fairness), settled_at = ?
		WHERE id = ? AND status = 'open' RETURNING game`,
		jsonArg(rs.Outcome), jsonArg(rs.Fairness), s.ts(now), rs.RoundID).Row().Scan(&game)
	if errors.Is(err, sql.ErrNoRows) {
		var (
			status string
			spinBy *int64
		)
		err := tx.Raw(`SELECT status, user_id FROM rounds WHERE id = ?`, rs.RoundID).Row().Scan(&status, &spinBy)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil, imperio.Errorf(imperio.ENotFound, "No such round.")
		case err != nil:
			return nil, fmt.Errorf("read round: %w", err)
		case spinBy != nil:
			return nil, imperio.Errorf(imperio.EConflict, "The round %s is a spin, not a table round.", rs.RoundID)
		case status == imperio.RoundVoid:
			return nil, imperio.Errorf(imperio.EConflict, "The round %s was voided; it cannot be settled.", rs.RoundID)
		}
		// Settled before: a retry. Nothing changes.
		players, err := s.roundPlayers(tx, rs.RoundID, false, false)
		if err != nil {
			return nil, err
		}
		return balances(players), nil
	}
	if err != nil {
		return nil, fmt.Errorf("close round: %w", err)
	}
	if err := s.step(ctx, "round"); err != nil {
		return nil, err
	}

	players, err := s.roundPlayers(tx, rs.RoundID, true, false)
	if err != nil {
		return nil, err
	}
	if err := s.step(ctx, "players"); err != nil {
		return nil, err
	}
	coins := make(map[int64]int64, len(players))
	for _, p := range players {
		coins[p.userID] = p.coins
	}
	// Ledger rows by user id, each player's in the order given, so that
	// identity order is balance order.
	paid := make([]imperio.Payout, 0, len(rs.Payouts))
	for _, p := range rs.Payouts {
		if p.Amount > 0 {
			paid = append(paid, p)
		}
	}
	slices.SortStableFunc(paid, func(a, b imperio.Payout) int { return cmp.Compare(a.UserID, b.UserID) })
	entries := make([]newEntry, 0, len(paid))
	var totals []userAmount
	for _, p := range paid {
		c, ok := coins[p.UserID]
		if !ok {
			return nil, imperio.Errorf(imperio.EInvalidInput, "User %d has no stake in round %s and cannot be paid.", p.UserID, rs.RoundID)
		}
		c += p.Amount
		coins[p.UserID] = c
		entries = append(entries, newEntry{userID: p.UserID, kind: imperio.KindWin, amount: p.Amount, balanceAfter: c, key: p.Key})
		if n := len(totals); n > 0 && totals[n-1].userID == p.UserID {
			totals[n-1].amount += p.Amount
		} else {
			totals = append(totals, userAmount{p.UserID, p.Amount})
		}
	}
	if len(totals) > 0 {
		if err := s.credit(tx, now, totals); err != nil {
			return nil, err
		}
		if err := s.step(ctx, "credit"); err != nil {
			return nil, err
		}
		if err := s.insertEntries(tx, game, rs.RoundID, now, entries); err != nil {
			return nil, err
		}
		if err := s.step(ctx, "ledger"); err != nil {
			return nil, err
		}
		if err := addWon(tx, rs.RoundID, totals); err != nil {
			return nil, err
		}
	}
	for i := range players {
		players[i].coins = coins[players[i].userID]
	}
	return balances(players), nil
}

func validateSettlement(rs imperio.RoundSettlement) error {
	switch {
	case rs.RoundID == "":
		return imperio.Errorf(imperio.EInvalidInput, "The round id is missing.")
	case len(rs.Outcome) > 0 && !json.Valid(rs.Outcome):
		return imperio.Errorf(imperio.EInvalidInput, "The outcome is not valid JSON.")
	case len(rs.Fairness) > 0 && !json.Valid(rs.Fairness):
		return imperio.Errorf(imperio.EInvalidInput, "The fairness proof is not valid JSON.")
	}
	type userKey struct {
		user int64
		key  string
	}
	keys := make(map[userKey]bool, len(rs.Payouts))
	totals := make(map[int64]int64)
	for _, p := range rs.Payouts {
		switch {
		case p.Amount < 0 || p.Amount > maxCoins:
			return imperio.Errorf(imperio.EInvalidInput, "A payout must be a number of coins, 0 or more.")
		case p.Amount == 0:
			continue
		case p.UserID <= 0:
			return imperio.Errorf(imperio.EInvalidInput, "A payout has no player.")
		case p.Key == "" || len(p.Key) > maxKeyLen:
			return imperio.Errorf(imperio.EInvalidInput, "A payout key must have 1 to %d bytes.", maxKeyLen)
		case strings.HasPrefix(p.Key, voidKeyPrefix):
			return imperio.Errorf(imperio.EInvalidInput, "Payout keys may not start with %q.", voidKeyPrefix)
		case keys[userKey{p.UserID, p.Key}]:
			return imperio.Errorf(imperio.EInvalidInput, "The payout key %q appears twice for user %d.", p.Key, p.UserID)
		}
		keys[userKey{p.UserID, p.Key}] = true
		if totals[p.UserID] += p.Amount; totals[p.UserID] > maxCoins {
			return imperio.Errorf(imperio.EInvalidInput, "The payouts of user %d are out of range.", p.UserID)
		}
	}
	return nil
}

// VoidRound voids an open table round in one transaction: each player's net
// in the round (their stakes less anything credited in it already, which for
// an open round is nothing) is refunded with one "void" ledger row (key
// "void:<round id>"), their won total stays as it is, and the round becomes
// void, its outcome {"voided": true, "reason": reason} plus the fields of any
// outcome it had. The result lists the balance after each refund, sorted by
// user id.
//
// Voiding a void round changes nothing and returns it with no refunds; a
// settled round is imperio.EConflict, an unknown one imperio.ENotFound.
func (s *Store) VoidRound(ctx context.Context, roundID, reason string) (imperio.VoidedRound, error) {
	vr, _, err := s.voidRound(ctx, roundID, reason)
	return vr, err
}

// voidRound is VoidRound that also tells whether this call voided the round.
func (s *Store) voidRound(ctx context.Context, roundID, reason string) (vr imperio.VoidedRound, voided bool, err error) {
	if roundID == "" {
		return imperio.VoidedRound{}, false, imperio.Errorf(imperio.EInvalidInput, "The round id is missing.")
	}
	err = s.write(ctx, func(tx *gorm.DB) (err error) {
		vr, voided, err = s.voidRoundTx(ctx, tx, roundID, reason, s.now())
		return err
	})
	if err != nil {
		return imperio.VoidedRound{}, false, s.wrap("void round", err)
	}
	if voided {
		s.log.InfoContext(ctx, "round voided", "round_id", vr.RoundID, "room", vr.Room,
			"players", len(vr.Refunds), "refunded", vr.Refunded, "reason", reason)
	}
	return vr, voided, nil
}

func (s *Store) voidRoundTx(ctx context.Context, tx *gorm.DB, roundID, reason string, now time.Time) (imperio.VoidedRound, bool, error) {
	var (
		status, room, game string
		outcome            []byte
	)
	// Taking the round row first waits for the stakes in flight and shuts
	// out later ones (PostgreSQL; SQLite writers never overlap).
	err := tx.Raw(`SELECT status, room, game, outcome FROM rounds WHERE id = ?`+s.forUpdate(""), roundID).
		Row().Scan(&status, &room, &game, &outcome)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return imperio.VoidedRound{}, false, imperio.Errorf(imperio.ENotFound, "No such round.")
	case err != nil:
		return imperio.VoidedRound{}, false, fmt.Errorf("read round: %w", err)
	case status == imperio.RoundVoid:
		return imperio.VoidedRound{RoundID: roundID, Room: room, Refunds: []imperio.Balance{}}, false, nil
	case status != imperio.RoundOpen:
		return imperio.VoidedRound{}, false, imperio.Errorf(imperio.EConflict, "The round %s is %s; it cannot be voided.", roundID, status)
	}
	voidOutcome, err := voidedOutcome(outcome, reason)
	if err != nil {
		return imperio.VoidedRound{}, false, err
	}
	if err := s.step(ctx, "round"); err != nil {
		return imperio.VoidedRound{}, false, err
	}

	players, err := s.roundPlayers(tx, roundID, true, true)
	if err != nil {
		return imperio.VoidedRound{}, false, err
	}
	if err := s.step(ctx, "players"); err != nil {
		return imperio.VoidedRound{}, false, err
	}
	vr := imperio.VoidedRound{RoundID: roundID, Room: room, Refunds: []imperio.Balance{}}
	var (
		refunds []userAmount
		entries []newEntry
	)
	for _, p := range players {
		if p.net >= 0 {
			continue // nothing staked, or already made whole
		}
		c := p.coins - p.net
		refunds = append(refunds, userAmount{p.userID, -p.net})
		entries = append(entries, newEntry{userID: p.userID, kind: imperio.KindVoid, amount: -p.net, balanceAfter: c, key: voidKeyPrefix + roundID})
		vr.Refunds = append(vr.Refunds, imperio.Balance{UserID: p.userID, Coins: c})
		vr.Refunded -= p.net
	}
	if len(refunds) > 0 {
		if err := s.credit(tx, now, refunds); err != nil {
			return imperio.VoidedRound{}, false, err
		}
		if err := s.step(ctx, "credit"); err != nil {
			return imperio.VoidedRound{}, false, err
		}
		if err := s.insertEntries(tx, game, roundID, now, entries); err != nil {
			return imperio.VoidedRound{}, false, err
		}
		if err := s.step(ctx, "ledger"); err != nil {
			return imperio.VoidedRound{}, false, err
		}
	}
	err = tx.Exec(`UPDATE rounds SET status = 'void', outcome = `+s.jsonParam()+`, settled_at = ? WHERE id = ?`,
		string(voidOutcome), s.ts(now), roundID).Error
	if err != nil {
		return imperio.VoidedRound{}, false, fmt.Errorf("void round: %w", err)
	}
	return vr, true, nil
}

// voidedOutcome is the outcome of a voided round: the previous outcome's
// fields, if it was an object (under "outcome" otherwise), with voided and
// reason set.
func voidedOutcome(prev []byte, reason string) (json.RawMessage, error) {
	m := map[string]any{}
	if len(prev) > 0 && string(prev) != "null" {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(prev, &obj); err == nil && obj != nil {
			for k, v := range obj {
				m[k] = v
			}
		} else {
			m["outcome"] = json.RawMessage(prev)
		}
	}
	m["voided"] = true
	m["reason"] = reason
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("voided outcome: %w", err)
	}
	return b, nil
}

// OpenRounds lists the ids of the open table rounds whose room starts with
// roomPrefix ("" for all), oldest first. The prefix is matched exactly (no
// wildcards, case-sensitive); a room name as the prefix also matches longer
// names that start with it, so end it with a separator where that matters.
func (s *Store) OpenRounds(ctx context.Context, roomPrefix string) ([]string, error) {
	// The literal status = 'open' lets both planners prove that the partial
	// index rounds_open covers the query (a bound parameter would not).
	q := `SELECT id FROM rounds WHERE status = 'open'`
	var args []any
	if roomPrefix != "" {
		// substr counts characters on both backends; LIKE would need
		// escaping and ignores case in SQLite.
		q += ` AND substr(room, 1, ?) = ?`
		args = append(args, utf8.RuneCountInString(roomPrefix), roomPrefix)
	}
	q += ` ORDER BY created_at, id`
	ids := []string{}
	if err := s.rdb.WithContext(ctx).Raw(q, args...).Scan(&ids).Error; err != nil {
		return nil, s.wrap("open rounds", err)
	}
	return ids, nil
}

// VoidOpenRounds voids every open table round whose room starts with
// roomPrefix ("" for all, matched as OpenRounds does), each in its own
// transaction (see VoidRound): at start-up, when a crash or a kill left
// rounds open, or when an instance takes over a room. It returns the rounds
// it voided, oldest first. A round that its owner settles or another instance
// voids meanwhile is skipped; a round that fails is reported in the error and
// the others are still voided.
//
// It voids whatever is open under the prefix, live or not: with several
// instances on one database, "" at the start of one instance would void the
// rounds that the others are playing. Pass the prefix of the rooms this
// instance owns (or takes over).
func (s *Store) VoidOpenRounds(ctx context.Context, roomPrefix, reason string) ([]imperio.VoidedRound, error) {
	ids, err := s.OpenRounds(ctx, roomPrefix)
	if err != nil {
		return nil, err
	}
	out := []imperio.VoidedRound{}
	var errs []error
	for _, id := range ids {
		vr, voided, err := s.voidRound(ctx, id, reason)
		switch {
		case err == nil:
			if voided {
				out = append(out, vr)
			}
		case imperio.ErrorCode(err) == imperio.EConflict:
			// Settled by its owner since the list was read.
		case ctx.Err() != nil:
			return out, err
		default:
			errs = append(errs, fmt.Errorf("round %s: %w", id, err))
		}
	}
	return out, errors.Join(errs...)
}

// roundPlayer is one player of a round as a settlement sees it.
type roundPlayer struct {
	userID int64
	coins  int64
	net    int64 // sum of the player's ledger rows in the round, with withNet
}

// roundPlayers reads the players of a round with their balances, by user id.
// With lock, their user rows are locked in that order (PostgreSQL), so that
// two settlements sharing players never deadlock and the balances hold until
// commit. With withNet, each player's ledger sum in the round comes too.
func (s *Store) roundPlayers(tx *gorm.DB, roundID string, lock, withNet bool) ([]roundPlayer, error) {
	net, args := "0", []any{roundID}
	if withNet {
		net = `COALESCE((SELECT CAST(SUM(l.amount) AS BIGINT) FROM ledger_entries l
			WHERE l.round_id = ? AND l.user_id = u.id), 0)`
		args = []any{roundID, roundID}
	}
	// The players are looked up by id, whatever the planner's statistics
	// say: joined instead, a table never analyzed (or just grown) can get
	// a hash join over every user, milliseconds per settlement.
	in := `u.id IN (SELECT rp.user_id FROM round_players rp WHERE rp.round_id = ?)`
	if s.backend == backendPostgres {
		in = `u.id = ANY(ARRAY(SELECT rp.user_id FROM round_players rp WHERE rp.round_id = ?))`
	}
	q := `SELECT u.id, u.coins, ` + net + ` FROM users u WHERE ` + in + ` ORDER BY u.id`
	if lock {
		q += s.forUpdate("u")
	}
	rows, err := tx.Raw(q, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("read round players: %w", err)
	}
	defer rows.Close()
	players := []roundPlayer{}
	for rows.Next() {
		var p roundPlayer
		if err := rows.Scan(&p.userID, &p.coins, &p.net); err != nil {
			return nil, fmt.Errorf("read round players: %w", err)
		}
		players = append(players, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read round players: %w", err)
	}
	return players, nil
}

func balances(players []roundPlayer) []imperio.Balance {
	out := make([]imperio.Balance, len(players))
	for i, p := range players {
		out[i] = imperio.Balance{UserID: p.userID, Coins: p.coins}
	}
	return out
}

// forUpdate is the locking clause that takes rows for update on PostgreSQL
// (of the table alias of, or all), nothing on SQLite, where the write
// transaction has the database to itself. NO KEY UPDATE is enough to shut
// out FOR SHARE and leaves foreign key checks alone.
func (s *Store) forUpdate(of string) string {
	if s.backend != backendPostgres {
		return ""
	}
	if of == "" {
		return " FOR NO KEY UPDATE"
	}
	return " FOR NO KEY UPDATE OF " + of
}

// jsonParam is the placeholder of a JSON document (text on SQLite, JSONB on
// PostgreSQL).
func (s *Store) jsonParam() string {
	if s.backend == backendPostgres {
		return "CAST(? AS JSONB)"
	}
	return "?"
}

type userAmount struct {
	userID int64
	amount int64
}

// newEntry is a ledger row to write.
type newEntry struct {
	userID       int64
	kind         string
	amount       int64
	balanceAfter int64
	key          string
}

// credit adds each positive amount to its user's coins, in chunks of one
// statement each. The users must be locked already (see roundPlayers).
func (s *Store) credit(tx *gorm.DB, now time.Time, amounts []userAmount) error {
	for chunk := range slices.Chunk(amounts, sqlChunk) {
		values, args := userAmountValues(chunk)
		res := tx.Exec(`UPDATE users SET coins = coins + v.column2, updated_at = ? FROM `+values+` AS v
			WHERE users.id = v.column1`, append([]any{s.ts(now)}, args...)...)
		if res.Error != nil {
			return fmt.Errorf("credit: %w", res.Error)
		}
		if res.RowsAffected != int64(len(chunk)) {
			return fmt.Errorf("credit: %d of %d users updated", res.RowsAffected, len(chunk))
		}
	}
	return nil
}

// addWon adds each amount to its player's won total in the round.
func addWon(tx *gorm.DB, roundID string, amounts []userAmount) error {
	for chunk := range slices.Chunk(amounts, sqlChunk) {
		values, args := userAmountValues(chunk)
		res := tx.Exec(`UPDATE round_players SET won = won + v.column2 FROM `+values+` AS v
			WHERE round_players.user_id = v.column1 AND round_players.round_id = ?`, append(args, roundID)...)
		if res.Error != nil {
			return fmt.Errorf("add won: %w", res.Error)
		}
		if res.RowsAffected != int64(len(chunk)) {
			return fmt.Errorf("add won: %d of %d players updated", res.RowsAffected, len(chunk))
		}
	}
	return nil
}

// userAmountValues renders (VALUES (id, amount), ...), whose columns both
// backends name column1 and column2.
func userAmountValues(amounts []userAmount) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, 2*len(amounts))
	b.WriteString("(VALUES ")
	for i, a := range amounts {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(CAST(? AS BIGINT), CAST(? AS BIGINT))")
		args = append(args, a.userID, a.amount)
	}
	b.WriteString(")")
	return b.String(), args
}

// insertEntries writes ledger rows of one round, in the order given (which
// is identity order), in chunks of one statement each.
func (s *Store) insertEntries(tx *gorm.DB, game, roundID string, now time.Time, entries []newEntry) error {
	for chunk := range slices.Chunk(entries, sqlChunk) {
		var b strings.Builder
		args := make([]any, 0, 8*len(chunk))
		b.WriteString(`INSERT INTO ledger_entries (user_id, kind, amount, balance_after, game, round_id, idem_key, created_at) VALUES `)
		for i, e := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, e.userID, e.kind, e.amount, e.balanceAfter, game, roundID, e.key, s.ts(now))
		}
		if err := tx.Exec(b.String(), args...).Error; err != nil {
			return fmt.Errorf("insert ledger: %w", err)
		}
	}
	return nil
}
