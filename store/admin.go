package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/imperio-casino/imperio"
)

// Admin actions. Each runs in one transaction with its row in admin_audit,
// so that no action goes unrecorded and no record lies about an action.

// maxReasonLen bounds the reason an admin gives for a ban or an adjustment.
const maxReasonLen = 200

// audit writes one admin_audit row in tx.
func (s *Store) audit(tx *gorm.DB, by imperio.Actor, action string, target imperio.User, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit detail: %w", err)
	}
	var adminID any
	if by.ID > 0 {
		adminID = by.ID
	}
	return tx.Exec(`INSERT INTO admin_audit (admin_id, admin_name, action, target_id, target_name, detail, created_at)
		VALUES (?, ?, ?, ?, ?, `+s.jsonParam()+`, ?)`,
		adminID, by.Name, action, target.ID, target.Username, string(b), s.ts(s.now())).Error
}

// userTx reads one account inside tx.
func (s *Store) userTx(tx *gorm.DB, where string, arg any) (imperio.User, error) {
	var r userRow
	err := tx.Raw(`SELECT `+userColumns+` FROM users WHERE `+where, arg).Row().Scan(r.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return imperio.User{}, imperio.Errorf(imperio.ENotFound, "No such user.")
	}
	if err != nil {
		return imperio.User{}, err
	}
	return r.user(), nil
}

// SetRole makes the named account a player or an admin, recorded in the
// admin audit as by's role_grant or role_revoke.
func (s *Store) SetRole(ctx context.Context, by imperio.Actor, username, role string) (imperio.User, error) {
	if role != imperio.RolePlayer && role != imperio.RoleAdmin {
		return imperio.User{}, imperio.Errorf(imperio.EInvalidInput, "A role is %q or %q.", imperio.RolePlayer, imperio.RoleAdmin)
	}
	var u imperio.User
	err := s.write(ctx, func(tx *gorm.DB) (err error) {
		if u, err = s.userTx(tx, "username_lower = ?", usernameKey(username)); err != nil {
			return err
		}
		prev := u.Role
		if err := tx.Exec(`UPDATE users SET role = ?, updated_at = ? WHERE id = ?`, role, s.ts(s.now()), u.ID).Error; err != nil {
			return err
		}
		u.Role = role
		action := imperio.AuditRoleGrant
		if role == imperio.RolePlayer {
			action = imperio.AuditRoleRevoke
		}
		return s.audit(tx, by, action, u, map[string]string{"role": role, "previous": prev})
	})
	return u, s.wrap("set role", err)
}

// ListUsers finds accounts whose username contains q (ignoring case; all
// when q is empty), at most limit of them (1..100), by username.
func (s *Store) ListUsers(ctx context.Context, q string, limit int) ([]imperio.UserSummary, error) {
	limit = min(max(limit, 1), maxPageSize)
	pattern := "%" + likeEscaper.Replace(usernameKey(q)) + "%"
	var rows []struct {
		ID        int64
		Username  string
		Coins     int64
		Role      string
		BannedAt  dbTime
		CreatedAt dbTime
	}
	err := s.rdb.WithContext(ctx).Raw(`SELECT id, username, coins, role, banned_at, created_at FROM users
		WHERE username_lower LIKE ? ESCAPE '\' ORDER BY username_lower LIMIT ?`, pattern, limit).Scan(&rows).Error
	if err != nil {
		return nil, s.wrap("list users", err)
	}
	out := make([]imperio.UserSummary, len(rows))
	for i, r := range rows {
		out[i] = imperio.UserSummary{ID: r.ID, Username: r.Username, Coins: r.Coins, Role: r.Role,
			Banned: r.BannedAt.Valid, CreatedAt: r.CreatedAt.Time}
	}
	return out, nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// RecentRounds lists the rounds the user took part in, newest first, at
// most limit (1..100).
func (s *Store) RecentRounds(ctx context.Context, userID int64, limit int) ([]imperio.RoundSummary, error) {
	limit = min(max(limit, 1), maxPageSize)
	var rows []struct {
		ID        string
		Game      string
		Room      string
		Status    string
		Wagered   int64
		Won       int64
		CreatedAt dbTime
	}
	err := s.rdb.WithContext(ctx).Raw(`SELECT r.id, r.game, r.room, r.status, rp.wagered, rp.won, r.created_at
		FROM round_players rp JOIN rounds r ON r.id = rp.round_id
		WHERE rp.user_id = ? ORDER BY r.created_at DESC, r.id DESC LIMIT ?`, userID, limit).Scan(&rows).Error
	if err != nil {
		return nil, s.wrap("recent rounds", err)
	}
	out := make([]imperio.RoundSummary, len(rows))
	for i, r := range rows {
		out[i] = imperio.RoundSummary{ID: r.ID, Game: r.Game, Room: r.Room, Status: r.Status,
			Wagered: r.Wagered, Won: r.Won, CreatedAt: r.CreatedAt.Time}
	}
	return out, nil
}

// Ban bans the account (a ban in force is kept, its reason replaced) and
// revokes every refresh token of theirs, recorded as by's ban.
func (s *Store) Ban(ctx context.Context, by imperio.Actor, userID int64, reason string) (imperio.User, error) {
	if err := validReason(reason); err != nil {
		return imperio.User{}, err
	}
	var u imperio.User
	err := s.write(ctx, func(tx *gorm.DB) (err error) {
		if u, err = s.userTx(tx, "id = ?", userID); err != nil {
			return err
		}
		if u.ID == by.ID {
			return imperio.Errorf(imperio.EInvalidInput, "Admins cannot ban themselves.")
		}
		now := s.now()
		if err := tx.Exec(`UPDATE users SET banned_at = COALESCE(banned_at, ?), ban_reason = ?, updated_at = ? WHERE id = ?`,
			s.ts(now), reason, s.ts(now), u.ID).Error; err != nil {
			return err
		}
		if err := s.revokeUserRefreshTokens(tx, u.ID, now); err != nil {
			return err
		}
		if u.BannedAt == nil {
			u.BannedAt = &now
		}
		u.BanReason = reason
		return s.audit(tx, by, imperio.AuditBan, u, map[string]string{"reason": reason})
	})
	return u, s.wrap("ban", err)
}

// Unban lifts a ban, recorded as by's unban.
func (s *Store) Unban(ctx context.Context, by imperio.Actor, userID int64) (imperio.User, error) {
	var u imperio.User
	err := s.write(ctx, func(tx *gorm.DB) (err error) {
		if u, err = s.userTx(tx, "id = ?", userID); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE users SET banned_at = NULL, ban_reason = '', updated_at = ? WHERE id = ?`,
			s.ts(s.now()), u.ID).Error; err != nil {
			return err
		}
		was := u.BannedAt != nil
		u.BannedAt, u.BanReason = nil, ""
		return s.audit(tx, by, imperio.AuditUnban, u, map[string]bool{"was_banned": was})
	})
	return u, s.wrap("unban", err)
}

// adjustmentNote is an adjustment's ledger note: who made it and why.
func adjustmentNote(admin, reason string) string { return "by " + admin + ": " + reason }

// adjustmentReason is the reason in an adjustment's ledger note, as the
// player is shown it: the admin's name stays in the ledger and the audit log.
// (A name has no colon.)
func adjustmentReason(note string) string {
	if rest, ok := strings.CutPrefix(note, "by "); ok {
		if _, reason, ok := strings.Cut(rest, ": "); ok {
			return reason
		}
	}
	return note
}

// Adjust credits or debits a player's balance by an admin's decision: one
// "adjustment" ledger row whose note names the admin and the reason, and
// the audit row, in one transaction. A debit that would make the balance
// negative is insufficient_funds and changes nothing. Idempotent by
// (UserID, Key): a replay changes nothing and returns the balance now.
func (s *Store) Adjust(ctx context.Context, a imperio.Adjustment) (coins int64, replayed bool, err error) {
	switch {
	case a.Amount == 0 || a.Amount > maxCoins || a.Amount < -maxCoins:
		return 0, false, imperio.Errorf(imperio.EInvalidInput, "amount is a number of coins other than 0.")
	case a.Key == "" || len(a.Key) > maxKeyLen-len("adjust:"):
		return 0, false, imperio.Errorf(imperio.EInvalidInput, "The adjustment key must have 1 to %d bytes.", maxKeyLen-len("adjust:"))
	case a.Admin.Name == "":
		return 0, false, imperio.Errorf(imperio.EInvalidInput, "An adjustment names its admin.")
	}
	if err := validReason(a.Reason); err != nil {
		return 0, false, err
	}
	key := "adjust:" + a.Key
	err = s.write(ctx, func(tx *gorm.DB) error {
		now := s.now()
		u, err := s.userTx(tx, "id = ?", a.UserID)
		if err != nil {
			return err
		}
		var n int64
		if err := tx.Raw(`SELECT COUNT(*) FROM ledger_entries WHERE user_id = ? AND idem_key = ?`, a.UserID, key).Row().Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			// Settled before; the balance is read again, as u may predate
			// the commit of that adjustment.
			replayed = true
			return tx.Raw(`SELECT coins FROM users WHERE id = ?`, a.UserID).Row().Scan(&coins)
		}
		err = tx.Raw(`UPDATE users SET coins = coins + ?, updated_at = ? WHERE id = ? AND coins + ? >= 0 RETURNING coins`,
			a.Amount, s.ts(now), a.UserID, a.Amount).Row().Scan(&coins)
		if errors.Is(err, sql.ErrNoRows) {
			return imperio.Errorf(imperio.EInsufficientFunds, "The adjustment of %d would make the balance of %d negative.", a.Amount, u.Coins)
		}
		if err != nil {
			return fmt.Errorf("adjust balance: %w", err)
		}
		note := adjustmentNote(a.Admin.Name, a.Reason)
		if err := tx.Exec(`INSERT INTO ledger_entries (user_id, kind, amount, balance_after, game, round_id, idem_key, note, created_at)
			VALUES (?, ?, ?, ?, '', NULL, ?, ?, ?)`,
			a.UserID, imperio.KindAdjustment, a.Amount, coins, key, note, s.ts(now)).Error; err != nil {
			return fmt.Errorf("insert ledger: %w", err)
		}
		return s.audit(tx, a.Admin, imperio.AuditAdjust, u, map[string]any{"amount": a.Amount, "reason": a.Reason, "coins": coins, "key": a.Key})
	})
	if isUniqueViolation(err) {
		// The same key committed concurrently: a replay.
		c, berr := s.Balance(ctx, a.UserID)
		return c, true, berr
	}
	return coins, replayed, s.wrap("adjust", err)
}

// AuditLog returns admin actions newest first: those with an id below
// before (all when before <= 0), at most limit (1..100).
func (s *Store) AuditLog(ctx context.Context, before int64, limit int) ([]imperio.AuditEntry, error) {
	limit = min(max(limit, 1), maxPageSize)
	var rows []struct {
		ID         int64
		AdminName  string
		Action     string
		TargetName string
		Detail     []byte
		CreatedAt  dbTime
	}
	q := `SELECT id, admin_name, action, target_name, detail, created_at FROM admin_audit `
	db := s.rdb.WithContext(ctx)
	if before > 0 {
		db = db.Raw(q+`WHERE id < ? ORDER BY id DESC LIMIT ?`, before, limit)
	} else {
		db = db.Raw(q+`ORDER BY id DESC LIMIT ?`, limit)
	}
	if err := db.Scan(&rows).Error; err != nil {
		return nil, s.wrap("audit log", err)
	}
	out := make([]imperio.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = imperio.AuditEntry{ID: r.ID, Admin: r.AdminName, Action: r.Action, Target: r.TargetName,
			Detail: jsonValue(r.Detail), CreatedAt: r.CreatedAt.Time}
	}
	return out, nil
}

func validReason(reason string) error {
	if strings.TrimSpace(reason) == "" || len(reason) > maxReasonLen {
		return imperio.Errorf(imperio.EInvalidInput, "reason is required, at most %d bytes.", maxReasonLen)
	}
	return nil
}
