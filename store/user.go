package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"gorm.io/gorm"

	"github.com/imperio-casino/imperio"
)

// signupKey is the idempotency key of the signup grant's ledger row.
const signupKey = "signup"

// CreateUser creates a player account and, when nu.Grant > 0, credits the
// signup grant with its ledger row, in one transaction. Usernames are unique
// ignoring case: a taken one (even by a concurrent signup) is
// imperio.EUsernameTaken.
func (s *Store) CreateUser(ctx context.Context, nu imperio.NewUser) (imperio.User, error) {
	if strings.TrimSpace(nu.Username) == "" {
		return imperio.User{}, imperio.Errorf(imperio.EInvalidInput, "A username is required.")
	}
	if nu.Grant < 0 || nu.Grant > maxCoins {
		return imperio.User{}, imperio.Errorf(imperio.EInvalidInput, "The signup grant is out of range.")
	}
	now := s.now()
	u := imperio.User{
		Username:     nu.Username,
		Email:        nu.Email,
		PasswordHash: nu.PasswordHash,
		Role:         "player",
		Coins:        nu.Grant,
		CreatedAt:    now,
	}
	err := s.write(ctx, func(tx *gorm.DB) error {
		err := tx.Raw(`INSERT INTO users (username, username_lower, email, password_hash, role, coins, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			u.Username, usernameKey(u.Username), u.Email, u.PasswordHash, u.Role, u.Coins, s.ts(now), s.ts(now),
		).Row().Scan(&u.ID)
		if err != nil {
			return err
		}
		if nu.Grant == 0 {
			return nil
		}
		return tx.Exec(`INSERT INTO ledger_entries (user_id, kind, amount, balance_after, game, round_id, idem_key, created_at)
			VALUES (?, ?, ?, ?, '', NULL, ?, ?)`,
			u.ID, imperio.KindGrant, nu.Grant, nu.Grant, signupKey, s.ts(now),
		).Error
	})
	if isUniqueViolation(err) {
		return imperio.User{}, imperio.Errorf(imperio.EUsernameTaken, "The username %q is taken.", nu.Username)
	}
	if err != nil {
		return imperio.User{}, s.wrap("create user", err)
	}
	return u, nil
}

// UserByName returns the account with this username, ignoring case.
func (s *Store) UserByName(ctx context.Context, username string) (imperio.User, error) {
	return s.user(ctx, "user by name", "username_lower = ?", usernameKey(username))
}

// UserByID returns the account with this id.
func (s *Store) UserByID(ctx context.Context, id int64) (imperio.User, error) {
	return s.user(ctx, "user by id", "id = ?", id)
}

func (s *Store) user(ctx context.Context, op, where string, arg any) (imperio.User, error) {
	var r userRow
	err := s.rdb.WithContext(ctx).Raw(`SELECT `+userColumns+` FROM users WHERE `+where, arg).Row().Scan(r.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return imperio.User{}, imperio.Errorf(imperio.ENotFound, "No such user.")
	}
	if err != nil {
		return imperio.User{}, s.wrap(op, err)
	}
	return r.user(), nil
}

// userColumns are the users columns that userRow.dest scans, in order.
const userColumns = `id, username, email, password_hash, role, coins, created_at,
	banned_at, ban_reason, locked_until, failed_logins, totp_secret, totp_enabled_at`

// Balance returns the user's coins.
func (s *Store) Balance(ctx context.Context, userID int64) (int64, error) {
	var coins int64
	err := s.rdb.WithContext(ctx).Raw(`SELECT coins FROM users WHERE id = ?`, userID).Row().Scan(&coins)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, imperio.Errorf(imperio.ENotFound, "No such user.")
	}
	return coins, s.wrap("balance", err)
}

// usernameKey is the case-folded username that the unique index holds. It is
// computed here rather than with SQL lower(), which folds only ASCII in
// SQLite, so that both backends agree.
func usernameKey(username string) string {
	return strings.ToLower(username)
}

// Richest lists the n players holding the most coins, for seeding the
// richest leaderboard.
func (s *Store) Richest(ctx context.Context, n int) ([]imperio.Holding, error) {
	var out []imperio.Holding
	err := s.rdb.WithContext(ctx).Raw(`SELECT username, coins FROM users ORDER BY coins DESC, id LIMIT ?`, n).Scan(&out).Error
	return out, s.wrap("richest", err)
}
