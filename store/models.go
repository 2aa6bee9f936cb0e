package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/imperio-casino/imperio"
)

// sqliteTimeLayout is how SQLite stores timestamps: UTC, ISO 8601, a fixed
// number of fractional digits so that text order is time order.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z"

// dbTime scans a timestamp from either backend: a time.Time from
// PostgreSQL, text from SQLite. Valid is false for NULL.
type dbTime struct {
	Time  time.Time
	Valid bool
}

func (t *dbTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*t = dbTime{}
		return nil
	case time.Time:
		*t = dbTime{Time: x.UTC(), Valid: true}
		return nil
	case string:
		return t.parse(x)
	case []byte:
		return t.parse(string(x))
	}
	return fmt.Errorf("scan timestamp: unsupported type %T", v)
}

func (t *dbTime) parse(s string) error {
	p, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("scan timestamp: %w", err)
	}
	*t = dbTime{Time: p.UTC(), Valid: true}
	return nil
}

// GormDataType tells GORM that dbTime is a column value, not a relation.
func (dbTime) GormDataType() string { return "time" }

// ptr returns the time, or nil for NULL.
func (t dbTime) ptr() *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

// jsonArg binds a JSON document: text on both backends (PostgreSQL casts it
// to JSONB), NULL when empty.
func jsonArg(m json.RawMessage) any {
	if len(m) == 0 {
		return nil
	}
	return string(m)
}

// jsonValue turns a scanned JSON column back into a document, nil for NULL.
func jsonValue(b []byte) json.RawMessage {
	if len(b) == 0 {
		return nil
	}
	return json.RawMessage(b)
}

// The row models below are what GORM scans query results into; they never
// leave the package.

type userRow struct {
	ID           int64
	Username     string
	Email        string
	PasswordHash string
	Role         string
	Coins        int64
	CreatedAt    dbTime
	BannedAt     dbTime
	BanReason    string
	LockedUntil  dbTime
	FailedLogins int
	TOTPSecret   string
	TOTPEnabled  dbTime
}

// dest are the scan targets of userColumns, in order.
func (r *userRow) dest() []any {
	return []any{&r.ID, &r.Username, &r.Email, &r.PasswordHash, &r.Role, &r.Coins, &r.CreatedAt,
		&r.BannedAt, &r.BanReason, &r.LockedUntil, &r.FailedLogins, &r.TOTPSecret, &r.TOTPEnabled}
}

func (r userRow) user() imperio.User {
	return imperio.User{
		ID:           r.ID,
		Username:     r.Username,
		Email:        r.Email,
		PasswordHash: r.PasswordHash,
		Role:         r.Role,
		Coins:        r.Coins,
		CreatedAt:    r.CreatedAt.Time,
		BannedAt:     r.BannedAt.ptr(),
		BanReason:    r.BanReason,
		LockedUntil:  r.LockedUntil.ptr(),
		FailedLogins: r.FailedLogins,
		TOTPSecret:   r.TOTPSecret,
		TOTPEnabled:  r.TOTPEnabled.Valid,
	}
}

type ledgerRow struct {
	ID           int64
	Kind         string
	Amount       int64
	BalanceAfter int64
	Game         string
	RoundID      *string
	CreatedAt    dbTime
	Note         string
}

func (r ledgerRow) entry() imperio.LedgerEntry {
	e := imperio.LedgerEntry{
		ID:           r.ID,
		Kind:         r.Kind,
		Amount:       r.Amount,
		BalanceAfter: r.BalanceAfter,
		Game:         r.Game,
		CreatedAt:    r.CreatedAt.Time,
	}
	if r.RoundID != nil {
		e.RoundID = *r.RoundID
	}
	if r.Kind == imperio.KindAdjustment {
		e.Note = adjustmentReason(r.Note)
	}
	return e
}

type gameStatsRow struct {
	Game       string
	Rounds     int64
	Wagered    int64
	Won        int64
	BiggestWin int64
}

type roundPlayerRow struct {
	UserID   int64
	Username string
	Wagered  int64
	Won      int64
}
