package imperio

import (
	"encoding/json"
	"time"
)

// UserSummary is an account as the admin API lists it.
type UserSummary struct {
	ID        int64     `json:"id"`
	Username  string    `json:"username"`
	Coins     int64     `json:"coins"`
	Role      string    `json:"role"`
	Banned    bool      `json:"banned"`
	CreatedAt time.Time `json:"created_at"`
}

// RoundSummary is one round a player took part in, as the admin API lists
// a player's recent rounds.
type RoundSummary struct {
	ID        string    `json:"id"`
	Game      string    `json:"game"`
	Room      string    `json:"room"`
	Status    string    `json:"status"`
	Wagered   int64     `json:"wagered"`
	Won       int64     `json:"won"`
	CreatedAt time.Time `json:"created_at"`
}

// Admin audit actions.
const (
	AuditBan        = "ban"
	AuditUnban      = "unban"
	AuditAdjust     = "adjust"
	AuditRoleGrant  = "role_grant"
	AuditRoleRevoke = "role_revoke"
)

// Actor is who performs an admin action: an admin account, or the command
// line (ID 0, Name such as "cli").
type Actor struct {
	ID   int64
	Name string
}

// AuditEntry is one admin action, written in the same transaction as the
// action itself.
type AuditEntry struct {
	ID        int64           `json:"id"`
	Admin     string          `json:"admin"`
	Action    string          `json:"action"`
	Target    string          `json:"target"`
	Detail    json.RawMessage `json:"detail"`
	CreatedAt time.Time       `json:"created_at"`
}

// Adjustment is an admin's correction of a player's balance: an
// "adjustment" ledger row of Amount (either sign, not zero) naming the
// admin, refused if it would make the balance negative. Key makes it
// idempotent per player.
type Adjustment struct {
	Admin  Actor
	UserID int64
	Amount int64
	Reason string
	Key    string
}

// Limits are a player's responsible-play settings. DailyLossLimit 0 means
// none. A looser limit (or its removal) waits in Pending until
// PendingAt; a tighter one applies at once. LostToday is the net loss since
// UTC midnight (stakes minus payouts and refunds; negative when ahead).
type Limits struct {
	DailyLossLimit    int64         `json:"daily_loss_limit"`
	Pending           *PendingLimit `json:"pending,omitempty"`
	SelfExcludedUntil *time.Time    `json:"self_excluded_until,omitempty"`
	LostToday         int64         `json:"lost_today"`
}

// PendingLimit is a loosened limit waiting out its cooling-off period.
type PendingLimit struct {
	DailyLossLimit int64     `json:"daily_loss_limit"`
	EffectiveAt    time.Time `json:"effective_at"`
}
