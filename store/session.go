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

// Sessions: refresh tokens, login lockout and two-factor secrets. Refresh
// tokens are kept only as their SHA-256 (hex), never in clear; each login
// starts a family, and each refresh marks the token used and adds the next
// one to the family. A used or revoked token presented again is a sign of
// theft: the whole family is revoked.

var errRefreshRefused = imperio.Errorf(imperio.EUnauthorized, "The session has ended; please log in.")

// CreateRefreshToken stores a new refresh token (its hash) in a new family.
func (s *Store) CreateRefreshToken(ctx context.Context, userID int64, family, hash string, expires time.Time) error {
	err := s.write(ctx, func(tx *gorm.DB) error {
		now := s.now()
		return tx.Exec(`INSERT INTO refresh_tokens (user_id, family, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			userID, family, hash, s.ts(now), s.ts(expires.UTC().Truncate(time.Microsecond))).Error
	})
	return s.wrap("create refresh token", err)
}

// RotateRefreshToken exchanges the token with hash oldHash for a new one
// (newHash, in the same family) and returns its account. It refuses
// (unauthorized) an unknown, expired or revoked token; a token used before
// revokes its whole family first. A banned account is forbidden and its
// tokens revoked.
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash, newHash string, expires time.Time) (imperio.User, error) {
	var (
		u       imperio.User
		refusal error
	)
	err := s.write(ctx, func(tx *gorm.DB) error {
		now := s.now()
		var (
			userID            int64
			family            string
			expiresAt         dbTime
			usedAt, revokedAt dbTime
		)
		err := tx.Raw(`SELECT user_id, family, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = ?`, oldHash).
			Row().Scan(&userID, &family, &expiresAt, &usedAt, &revokedAt)
		if errors.Is(err, sql.ErrNoRows) {
			refusal = errRefreshRefused
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case usedAt.Valid || revokedAt.Valid:
			// Reuse: whoever holds the family's live token may be a thief.
			s.log.Warn("refresh token reused: family revoked", "user_id", userID, "family", family)
			refusal = errRefreshRefused
			return tx.Exec(`UPDATE refresh_tokens SET revoked_at = ? WHERE family = ? AND revoked_at IS NULL`, s.ts(now), family).Error
		case !expiresAt.Time.After(now):
			refusal = errRefreshRefused
			return nil
		}
		if u, err = s.userTx(tx, "id = ?", userID); err != nil {
			return err
		}
		if u.BannedAt != nil {
			refusal = imperio.Errorf(imperio.EForbidden, "This account is banned.")
			return s.revokeUserRefreshTokens(tx, userID, now)
		}
		res := tx.Exec(`UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL`, s.ts(now), oldHash)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			// A concurrent refresh used it first: this one is the reuse.
			refusal = errRefreshRefused
			return tx.Exec(`UPDATE refresh_tokens SET revoked_at = ? WHERE family = ? AND revoked_at IS NULL`, s.ts(now), family).Error
		}
		return tx.Exec(`INSERT INTO refresh_tokens (user_id, family, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			userID, family, newHash, s.ts(now), s.ts(expires.UTC().Truncate(time.Microsecond))).Error
	})
	if err != nil {
		return imperio.User{}, s.wrap("rotate refresh token", err)
	}
	if refusal != nil {
		return imperio.User{}, refusal
	}
	return u, nil
}

// RevokeRefreshToken revokes the family of the token with this hash (a
// logout); an unknown hash is not an error.
func (s *Store) RevokeRefreshToken(ctx context.Context, hash string) error {
	err := s.write(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE refresh_tokens SET revoked_at = ?
			WHERE revoked_at IS NULL AND family IN (SELECT family FROM refresh_tokens WHERE token_hash = ?)`,
			s.ts(s.now()), hash).Error
	})
	return s.wrap("revoke refresh token", err)
}

func (s *Store) revokeUserRefreshTokens(tx *gorm.DB, userID int64, now time.Time) error {
	return tx.Exec(`UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, s.ts(now), userID).Error
}

// LoginFailed counts a failed login of the account. The maxFailures-th in a
// row locks logins for lockFor (and starts the count again); the time the
// lock ends is returned, zero when this failure did not lock.
func (s *Store) LoginFailed(ctx context.Context, userID int64, maxFailures int, lockFor time.Duration) (time.Time, error) {
	var until time.Time
	err := s.write(ctx, func(tx *gorm.DB) error {
		now := s.now()
		var n int
		err := tx.Raw(`UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins`, userID).Row().Scan(&n)
		if err != nil {
			return err
		}
		if maxFailures <= 0 || n < maxFailures {
			return nil
		}
		until = now.Add(lockFor)
		return tx.Exec(`UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?`, s.ts(until), userID).Error
	})
	return until, s.wrap("count failed login", err)
}

// LoginSucceeded clears the account's failed-login count and lock.
func (s *Store) LoginSucceeded(ctx context.Context, userID int64) error {
	err := s.write(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE users SET failed_logins = 0, locked_until = NULL
			WHERE id = ? AND (failed_logins <> 0 OR locked_until IS NOT NULL)`, userID).Error
	})
	return s.wrap("clear failed logins", err)
}

// SetTOTPSecret stores a new two-factor secret, not yet in force; it is
// refused (conflict) while two-factor is on.
func (s *Store) SetTOTPSecret(ctx context.Context, userID int64, secret string) error {
	err := s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE users SET totp_secret = ?, updated_at = ? WHERE id = ? AND totp_enabled_at IS NULL`,
			secret, s.ts(s.now()), userID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return imperio.Errorf(imperio.EConflict, "Two-factor authentication is already on; disable it first.")
		}
		return nil
	})
	return s.wrap("set totp secret", err)
}

// UseTOTPStep records that the two-factor code of time step step was
// accepted for the user. It reports false when that step, or a later one,
// was used before: a code works once.
func (s *Store) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	var used bool
	err := s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, userID, step)
		used = res.RowsAffected == 1
		return res.Error
	})
	return used, s.wrap("use totp step", err)
}

// SetTOTPEnabled turns two-factor on (with the secret set up before) or
// off (forgetting the secret).
func (s *Store) SetTOTPEnabled(ctx context.Context, userID int64, on bool) error {
	err := s.write(ctx, func(tx *gorm.DB) error {
		now := s.ts(s.now())
		if on {
			return tx.Exec(`UPDATE users SET totp_enabled_at = ?, updated_at = ? WHERE id = ? AND totp_secret <> ''`, now, now, userID).Error
		}
		return tx.Exec(`UPDATE users SET totp_enabled_at = NULL, totp_secret = '', updated_at = ? WHERE id = ?`, now, userID).Error
	})
	return s.wrap(fmt.Sprintf("set totp enabled %v", on), err)
}
