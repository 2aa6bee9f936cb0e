package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/imperio-casino/imperio"
)

// Responsible play (GLI-19 A.3 style): a daily loss limit that a player
// tightens at once and loosens only after a cooling-off period, and
// self-exclusion. Both are enforced by checkLimits inside the transaction
// that takes the bet, so no race lets a bet past them.

// LimitCoolingOff is how long a looser loss limit (or its removal) waits
// before it applies.
const LimitCoolingOff = 24 * time.Hour

// MaxSelfExclusionDays bounds a self-exclusion (ten years).
const MaxSelfExclusionDays = 3650

// playableKinds are the ledger kinds that count towards a day's net loss:
// stakes, and what came back from them. Grants and adjustments are not play.
const playableKinds = `('bet', 'win', 'refund', 'void')`

// limitsRow is a play_limits row, pending promotion applied.
type limitsRow struct {
	limit        int64
	pending      sql.NullInt64
	pendingAt    dbTime
	excludedTill dbTime
}

// checkLimits refuses a stake of amount by userID that the player's own
// limits forbid: any stake while self-excluded (forbidden), and a stake
// that could take the day's net loss past the daily loss limit
// (loss_limit). It must run in the transaction that takes the stake, before
// the debit.
//
// It locks the player's play_limits row (a no-op UPDATE that also promotes
// a pending limit whose time has come), so that concurrent stakes of one
// player are checked one after the other, each seeing the others' ledger
// rows. A player without limits has no row: one cheap statement.
func (s *Store) checkLimits(tx *gorm.DB, userID, amount int64, now time.Time) error {
	r, found, err := s.touchLimits(tx, userID, now)
	if err != nil || !found {
		return err
	}
	if r.excludedTill.Valid && r.excludedTill.Time.After(now) {
		return imperio.Errorf(imperio.EForbidden, "You are self-excluded until %s: no bets are accepted.",
			r.excludedTill.Time.Format(time.RFC3339))
	}
	if r.limit <= 0 {
		return nil
	}
	lost, err := s.lostToday(tx, userID, now)
	if err != nil {
		return err
	}
	if lost+amount > r.limit {
		left := max(0, r.limit-lost)
		return imperio.Errorf(imperio.ELossLimit,
			"This bet could take you past your daily loss limit of %d (lost today %d, %d left until midnight UTC).",
			r.limit, max(0, lost), left)
	}
	return nil
}

// touchLimits locks and reads the user's limits row, applying a pending
// limit whose time has come. found is false when the user has none.
func (s *Store) touchLimits(tx *gorm.DB, userID int64, now time.Time) (r limitsRow, found bool, err error) {
	n := s.ts(now)
	err = tx.Raw(`UPDATE play_limits SET
			daily_loss_limit = CASE WHEN pending_at IS NOT NULL AND pending_at <= ? THEN pending_limit ELSE daily_loss_limit END,
			pending_limit    = CASE WHEN pending_at IS NOT NULL AND pending_at <= ? THEN NULL ELSE pending_limit END,
			pending_at       = CASE WHEN pending_at IS NOT NULL AND pending_at <= ? THEN NULL ELSE pending_at END
		WHERE user_id = ?
		RETURNING daily_loss_limit, pending_limit, pending_at, self_excluded_until`,
		n, n, n, userID).Row().Scan(&r.limit, &r.pending, &r.pendingAt, &r.excludedTill)
	if errors.Is(err, sql.ErrNoRows) {
		return limitsRow{}, false, nil
	}
	if err != nil {
		return limitsRow{}, false, fmt.Errorf("check limits: %w", err)
	}
	return r, true, nil
}

// lostToday is the user's net loss since UTC midnight: stakes minus what
// came back (wins, refunds, voids), from the ledger. Negative when ahead.
func (s *Store) lostToday(tx *gorm.DB, userID int64, now time.Time) (int64, error) {
	midnight := now.UTC().Truncate(24 * time.Hour)
	var sum int64
	err := tx.Raw(`SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entries
		WHERE user_id = ? AND created_at >= ? AND kind IN `+playableKinds,
		userID, s.ts(midnight)).Row().Scan(&sum)
	if err != nil {
		return 0, fmt.Errorf("sum today's play: %w", err)
	}
	return -sum, nil
}

// Limits returns the player's responsible-play settings and today's net loss.
func (s *Store) Limits(ctx context.Context, userID int64) (imperio.Limits, error) {
	var out imperio.Limits
	err := s.write(ctx, func(tx *gorm.DB) (err error) {
		out, err = s.limits(tx, userID, s.now())
		return err
	})
	return out, s.wrap("limits", err)
}

// limits reads the settings in tx (promoting a pending limit that is due).
func (s *Store) limits(tx *gorm.DB, userID int64, now time.Time) (imperio.Limits, error) {
	var exists int64
	if err := tx.Raw(`SELECT COUNT(*) FROM users WHERE id = ?`, userID).Row().Scan(&exists); err != nil {
		return imperio.Limits{}, err
	}
	if exists == 0 {
		return imperio.Limits{}, imperio.Errorf(imperio.ENotFound, "No such user.")
	}
	r, _, err := s.touchLimits(tx, userID, now)
	if err != nil {
		return imperio.Limits{}, err
	}
	out := imperio.Limits{DailyLossLimit: r.limit}
	if r.pending.Valid {
		out.Pending = &imperio.PendingLimit{DailyLossLimit: r.pending.Int64, EffectiveAt: r.pendingAt.Time}
	}
	if r.excludedTill.Valid && r.excludedTill.Time.After(now) {
		out.SelfExcludedUntil = r.excludedTill.ptr()
	}
	if out.LostToday, err = s.lostToday(tx, userID, now); err != nil {
		return imperio.Limits{}, err
	}
	return out, nil
}

// SetLossLimit sets the player's daily loss limit (0: none). A tighter limit
// applies at once and cancels a pending one; a looser one, or removal,
// becomes pending and applies after LimitCoolingOff. Setting the limit in
// force cancels a pending change.
func (s *Store) SetLossLimit(ctx context.Context, userID, limit int64) (imperio.Limits, error) {
	if limit < 0 || limit > maxCoins {
		return imperio.Limits{}, imperio.Errorf(imperio.EInvalidInput, "daily_loss_limit is a number of coins, 0 (none) or more.")
	}
	var out imperio.Limits
	err := s.write(ctx, func(tx *gorm.DB) error {
		now := s.now()
		cur, err := s.limits(tx, userID, now)
		if err != nil {
			return err
		}
		n := s.ts(now)
		if err := tx.Exec(`INSERT INTO play_limits (user_id, updated_at) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING`, userID, n).Error; err != nil {
			return err
		}
		tighter := limit > 0 && (cur.DailyLossLimit == 0 || limit < cur.DailyLossLimit)
		switch {
		case tighter || limit == cur.DailyLossLimit:
			err = tx.Exec(`UPDATE play_limits SET daily_loss_limit = ?, pending_limit = NULL, pending_at = NULL, updated_at = ? WHERE user_id = ?`,
				limit, n, userID).Error
		default:
			err = tx.Exec(`UPDATE play_limits SET pending_limit = ?, pending_at = ?, updated_at = ? WHERE user_id = ?`,
				limit, s.ts(now.Add(LimitCoolingOff)), n, userID).Error
		}
		if err != nil {
			return err
		}
		out, err = s.limits(tx, userID, now)
		return err
	})
	return out, s.wrap("set loss limit", err)
}

// SelfExclude refuses every bet of the player for days days (1 to
// MaxSelfExclusionDays). An exclusion in force is only ever extended, never
// shortened.
func (s *Store) SelfExclude(ctx context.Context, userID int64, days int) (imperio.Limits, error) {
	if days < 1 || days > MaxSelfExclusionDays {
		return imperio.Limits{}, imperio.Errorf(imperio.EInvalidInput, "days is a whole number from 1 to %d.", MaxSelfExclusionDays)
	}
	var out imperio.Limits
	err := s.write(ctx, func(tx *gorm.DB) error {
		now := s.now()
		cur, err := s.limits(tx, userID, now)
		if err != nil {
			return err
		}
		until := now.Add(time.Duration(days) * 24 * time.Hour)
		if cur.SelfExcludedUntil != nil && cur.SelfExcludedUntil.After(until) {
			until = *cur.SelfExcludedUntil
		}
		n := s.ts(now)
		err = tx.Exec(`INSERT INTO play_limits (user_id, self_excluded_until, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET self_excluded_until = excluded.self_excluded_until, updated_at = excluded.updated_at`,
			userID, s.ts(until), n).Error
		if err != nil {
			return err
		}
		out, err = s.limits(tx, userID, now)
		return err
	})
	return out, s.wrap("self-exclude", err)
}
