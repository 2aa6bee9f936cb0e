package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/imperio-casino/imperio"
)

// maxKeyLen bounds idempotency keys (the win row's key adds ":win").
const maxKeyLen = 128

// SettleSpin settles a single-player round in one transaction: the bet is
// debited on condition that the balance covers it (otherwise
// imperio.EInsufficientFunds and nothing changes), the win credited, a ledger
// row written for each with the balance after it, and the round recorded for
// recall.
//
// It is idempotent by (UserID, Key): when the key was settled before, nothing
// changes and the original round's receipt comes back with Replayed set and
// Coins the balance now. Of concurrent calls with one key, exactly one
// settles; the others get the replay.
//
// Concurrent calls share commits (see spinGroup): each is still answered only
// after the commit that made it durable.
func (s *Store) SettleSpin(ctx context.Context, sp imperio.Spin) (imperio.SpinReceipt, error) {
	if err := validateSpin(sp); err != nil {
		return imperio.SpinReceipt{}, err
	}
	return s.spins.do(ctx, sp, sp.UserID, s.settleGroup)
}

// settleSpinAlone settles one spin in a transaction of its own: a group of
// one, and the fallback of a group that failed. The player's limits are
// checked in that transaction (admitSpin), on PostgreSQL too, where the
// settlement itself is one statement.
func (s *Store) settleSpinAlone(ctx context.Context, sp imperio.Spin) (imperio.SpinReceipt, error) {
	var rc imperio.SpinReceipt
	err := s.write(ctx, func(tx *gorm.DB) (err error) {
		rc, err = s.settleSpin(ctx, tx, sp, s.now())
		return beforeCommit(err)
	})
	return s.settledSpin(ctx, sp, rc, err)
}

// settledSpin turns the outcome of a settlement into its answer: a unique
// violation means that a settlement with this key (or round id) committed
// while this one worked, a retry racing its original, answered with the
// original.
func (s *Store) settledSpin(ctx context.Context, sp imperio.Spin, rc imperio.SpinReceipt, err error) (imperio.SpinReceipt, error) {
	if isUniqueViolation(err) {
		rc, found, lerr := s.spinReceipt(s.rdb.WithContext(ctx), sp.UserID, sp.Key)
		if lerr != nil {
			return imperio.SpinReceipt{}, s.wrap("settle spin: look up replay", lerr)
		}
		if !found {
			return imperio.SpinReceipt{}, imperio.Errorf(imperio.EConflict, "This round or key belongs to another settlement.")
		}
		return rc, nil
	}
	if err != nil {
		return imperio.SpinReceipt{}, s.wrap("settle spin", err)
	}
	return rc, nil
}

// settleSpin does one spin's work on db: a transaction, or on PostgreSQL the
// pool itself, since there the work is one statement. It is kept apart from
// the transaction so that several spins can later share one commit.
//
// A key that was already settled is found without error when the debit is
// refused (the balance may have been spent since). Otherwise it surfaces as a
// unique violation from an INSERT, which aborts the transaction on
// PostgreSQL; the caller rolls back (a shared transaction would roll back to
// a savepoint) and answers with the original receipt.
func (s *Store) settleSpin(ctx context.Context, db *gorm.DB, sp imperio.Spin, now time.Time) (imperio.SpinReceipt, error) {
	if s.backend == backendPostgres {
		return s.settleSpinPostgres(ctx, db, sp, now)
	}
	return s.settleSpinSQLite(ctx, db, sp, now)
}

// settleSpinPostgresSQL is a whole settlement in one statement, one round
// trip: the conditional debit, and only when it matched a row, the round,
// the round player and the ledger rows (bet first, then the win, if any, so
// that identity order is balance order). Foreign keys are checked at the end
// of the statement, when the round exists. A refused debit returns no row and
// writes nothing; a unique violation fails the whole statement.
const settleSpinPostgresSQL = `WITH u AS (
	UPDATE users SET coins = coins - CAST(@bet AS BIGINT) + CAST(@win AS BIGINT), updated_at = CAST(@now AS TIMESTAMPTZ)
	WHERE id = CAST(@uid AS BIGINT) AND coins >= CAST(@bet AS BIGINT)
	RETURNING coins
), r AS (
	INSERT INTO rounds (id, game, room, user_id, status, outcome, fairness, created_at, settled_at)
	SELECT CAST(@rid AS TEXT), CAST(@game AS TEXT), CAST(@room AS TEXT), CAST(@uid AS BIGINT), 'settled',
		CAST(@outcome AS JSONB), CAST(@fairness AS JSONB), CAST(@now AS TIMESTAMPTZ), CAST(@now AS TIMESTAMPTZ)
	FROM u
), p AS (
	INSERT INTO round_players (round_id, user_id, game, wagered, won)
	SELECT CAST(@rid AS TEXT), CAST(@uid AS BIGINT), CAST(@game AS TEXT), CAST(@bet AS BIGINT), CAST(@win AS BIGINT)
	FROM u
), l AS (
	INSERT INTO ledger_entries (user_id, kind, amount, balance_after, game, round_id, idem_key, created_at)
	SELECT CAST(@uid AS BIGINT), e.kind, e.amount, e.balance_after, CAST(@game AS TEXT), CAST(@rid AS TEXT), e.idem_key, CAST(@now AS TIMESTAMPTZ)
	FROM u CROSS JOIN LATERAL (VALUES
		(1, 'bet', -CAST(@bet AS BIGINT), u.coins - CAST(@win AS BIGINT), CAST(@key AS TEXT)),
		(2, 'win', CAST(@win AS BIGINT), u.coins, CAST(@key AS TEXT) || ':win')
	) AS e (ord, kind, amount, balance_after, idem_key)
	WHERE e.amount <> 0
	ORDER BY e.ord
)
SELECT coins FROM u`

// admitSpin runs, inside the spin's transaction and before it writes, what
// a spin must pass to be settled. Every spin goes through it, alone or in a
// group (see spinGroup), so a check added here holds for both. A check that
// refuses a spin without writing should answer with a code isRefusal
// accepts: the spin's group then goes on without it, instead of being
// settled again spin by spin. The player's responsible-play limits are
// checked here (self-exclusion, the daily loss limit), in the transaction
// that takes the bet.
func (s *Store) admitSpin(ctx context.Context, tx *gorm.DB, sp imperio.Spin, now time.Time) error {
	if sp.SeedHash != "" {
		// The pair the spin was drawn from must still be the active one
		// (see lockSpinnersSQL for a rotation racing the check).
		var n int64
		err := tx.Raw(`SELECT count(*) FROM fair_seeds
			WHERE user_id = ? AND revealed_at IS NULL AND server_seed_hash = ?`,
			sp.UserID, sp.SeedHash).Row().Scan(&n)
		if err != nil {
			return fmt.Errorf("check seed: %w", err)
		}
		if n == 0 {
			s.dropNonces(sp.UserID, sp.SeedHash)
			return imperio.ErrSeedRevealed
		}
	}
	return s.admitSpinLimited(ctx, tx, sp, now, true)
}

// admitSpinLimited is admitSpin for a group that knows which of its players
// have limits at all (limited false: no play_limits row, nothing to check).
func (s *Store) admitSpinLimited(ctx context.Context, tx *gorm.DB, sp imperio.Spin, now time.Time, limited bool) error {
	if limited {
		if err := s.checkLimits(tx, sp.UserID, sp.Bet, now); err != nil {
			return err
		}
	}
	return s.step(ctx, "settle")
}

func (s *Store) settleSpinPostgres(ctx context.Context, tx *gorm.DB, sp imperio.Spin, now time.Time) (imperio.SpinReceipt, error) {
	if err := s.admitSpin(ctx, tx, sp, now); err != nil {
		return imperio.SpinReceipt{}, err
	}
	var coins int64
	err := tx.Raw(settleSpinPostgresSQL, map[string]any{
		"uid": sp.UserID, "bet": sp.Bet, "win": sp.Win, "key": sp.Key,
		"rid": sp.RoundID, "game": sp.Game, "room": sp.Room,
		"outcome": jsonArg(sp.Outcome), "fairness": jsonArg(sp.Fairness), "now": now,
	}).Row().Scan(&coins)
	if errors.Is(err, sql.ErrNoRows) {
		return s.refusedSpin(tx, sp)
	}
	if err != nil {
		return imperio.SpinReceipt{}, inFlightFailure("settle", err)
	}
	return imperio.SpinReceipt{RoundID: sp.RoundID, Coins: coins, Bet: sp.Bet, Win: sp.Win, Outcome: sp.Outcome, Fairness: sp.Fairness}, nil
}

// settleSpinSQLite does the same work in four statements (SQLite has no
// data-modifying WITH): a conditional UPDATE ... RETURNING applies bet and
// win at once, then the round, the ledger rows and the round player are
// inserted. The connection is local, so statements cost no round trips.
func (s *Store) settleSpinSQLite(ctx context.Context, tx *gorm.DB, sp imperio.Spin, now time.Time) (imperio.SpinReceipt, error) {
	if err := s.admitSpin(ctx, tx, sp, now); err != nil {
		return imperio.SpinReceipt{}, err
	}
	// coins - bet + win >= 0 exactly when coins >= bet; the bet's own
	// balance_after is then coins - win.
	var coins int64
	err := tx.Raw(`UPDATE users SET coins = coins - ? + ?, updated_at = ? WHERE id = ? AND coins >= ? RETURNING coins`,
		sp.Bet, sp.Win, s.ts(now), sp.UserID, sp.Bet).Row().Scan(&coins)
	if errors.Is(err, sql.ErrNoRows) {
		return s.refusedSpin(tx, sp)
	}
	if err != nil {
		return imperio.SpinReceipt{}, fmt.Errorf("debit: %w", err)
	}
	if err := s.step(ctx, "debited"); err != nil {
		return imperio.SpinReceipt{}, err
	}

	err = tx.Exec(`INSERT INTO rounds (id, game, room, user_id, status, outcome, fairness, created_at, settled_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sp.RoundID, sp.Game, sp.Room, sp.UserID, imperio.RoundSettled,
		jsonArg(sp.Outcome), jsonArg(sp.Fairness), s.ts(now), s.ts(now)).Error
	if err != nil {
		return imperio.SpinReceipt{}, fmt.Errorf("insert round: %w", err)
	}
	if err := s.step(ctx, "round"); err != nil {
		return imperio.SpinReceipt{}, err
	}

	const ledgerInsert = `INSERT INTO ledger_entries (user_id, kind, amount, balance_after, game, round_id, idem_key, created_at) VALUES `
	const ledgerValues = `(?, ?, ?, ?, ?, ?, ?, ?)`
	if sp.Win > 0 {
		err = tx.Exec(ledgerInsert+ledgerValues+", "+ledgerValues,
			sp.UserID, imperio.KindBet, -sp.Bet, coins-sp.Win, sp.Game, sp.RoundID, sp.Key, s.ts(now),
			sp.UserID, imperio.KindWin, sp.Win, coins, sp.Game, sp.RoundID, sp.Key+":win", s.ts(now)).Error
	} else {
		err = tx.Exec(ledgerInsert+ledgerValues,
			sp.UserID, imperio.KindBet, -sp.Bet, coins, sp.Game, sp.RoundID, sp.Key, s.ts(now)).Error
	}
	if err != nil {
		return imperio.SpinReceipt{}, fmt.Errorf("insert ledger: %w", err)
	}
	if err := s.step(ctx, "ledger"); err != nil {
		return imperio.SpinReceipt{}, err
	}

	err = tx.Exec(`INSERT INTO round_players (round_id, user_id, game, wagered, won) VALUES (?, ?, ?, ?, ?)`,
		sp.RoundID, sp.UserID, sp.Game, sp.Bet, sp.Win).Error
	if err != nil {
		return imperio.SpinReceipt{}, fmt.Errorf("insert round player: %w", err)
	}
	if err := s.step(ctx, "players"); err != nil {
		return imperio.SpinReceipt{}, err
	}

	return imperio.SpinReceipt{
		RoundID:  sp.RoundID,
		Coins:    coins,
		Bet:      sp.Bet,
		Win:      sp.Win,
		Outcome:  sp.Outcome,
		Fairness: sp.Fairness,
	}, nil
}

// refusedSpin explains a debit that matched no row: the key was settled
// before (a replay), the user does not exist, or the balance is short.
func (s *Store) refusedSpin(tx *gorm.DB, sp imperio.Spin) (imperio.SpinReceipt, error) {
	rc, found, err := s.spinReceipt(tx, sp.UserID, sp.Key)
	if err != nil {
		return imperio.SpinReceipt{}, fmt.Errorf("look up replay: %w", err)
	}
	if found {
		return rc, nil
	}
	var coins int64
	err = tx.Raw(`SELECT coins FROM users WHERE id = ?`, sp.UserID).Row().Scan(&coins)
	if errors.Is(err, sql.ErrNoRows) {
		return imperio.SpinReceipt{}, imperio.Errorf(imperio.ENotFound, "No such user.")
	}
	if err != nil {
		return imperio.SpinReceipt{}, fmt.Errorf("read balance: %w", err)
	}
	return imperio.SpinReceipt{}, imperio.Errorf(imperio.EInsufficientFunds,
		"Not enough coins: the bet is %d, the balance %d.", sp.Bet, coins)
}

// spinReceipt rebuilds the receipt of the spin settled under (userID, key),
// with the balance as it is now. found is false when there is none.
func (s *Store) spinReceipt(db *gorm.DB, userID int64, key string) (rc imperio.SpinReceipt, found bool, err error) {
	var outcome, fairness []byte
	err = db.Raw(`SELECT l.round_id, rp.wagered, rp.won, r.outcome, r.fairness, u.coins
		FROM ledger_entries l
		JOIN rounds r ON r.id = l.round_id
		JOIN round_players rp ON rp.round_id = l.round_id AND rp.user_id = l.user_id
		JOIN users u ON u.id = l.user_id
		WHERE l.user_id = ? AND l.idem_key = ? AND l.kind = ?`,
		userID, key, imperio.KindBet).Row().Scan(&rc.RoundID, &rc.Bet, &rc.Win, &outcome, &fairness, &rc.Coins)
	if errors.Is(err, sql.ErrNoRows) {
		return imperio.SpinReceipt{}, false, nil
	}
	if err != nil {
		return imperio.SpinReceipt{}, false, err
	}
	rc.Outcome, rc.Fairness = jsonValue(outcome), jsonValue(fairness)
	rc.Replayed = true
	return rc, true, nil
}

func validateSpin(sp imperio.Spin) error {
	switch {
	case sp.Bet <= 0 || sp.Bet > maxCoins:
		return imperio.Errorf(imperio.EInvalidInput, "The bet must be a positive number of coins.")
	case sp.Win < 0 || sp.Win > maxCoins:
		return imperio.Errorf(imperio.EInvalidInput, "The win must be a number of coins, 0 or more.")
	case sp.Key == "" || len(sp.Key) > maxKeyLen:
		return imperio.Errorf(imperio.EInvalidInput, "The settlement key must have 1 to %d bytes.", maxKeyLen)
	case sp.RoundID == "":
		return imperio.Errorf(imperio.EInvalidInput, "The round id is missing.")
	case sp.Game == "":
		return imperio.Errorf(imperio.EInvalidInput, "The game is missing.")
	case len(sp.Outcome) > 0 && !json.Valid(sp.Outcome):
		return imperio.Errorf(imperio.EInvalidInput, "The outcome is not valid JSON.")
	case len(sp.Fairness) > 0 && !json.Valid(sp.Fairness):
		return imperio.Errorf(imperio.EInvalidInput, "The fairness proof is not valid JSON.")
	}
	return nil
}
