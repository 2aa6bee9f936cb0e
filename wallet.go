package imperio

import (
	"encoding/json"
	"time"
)

// User is an account as every layer above the store sees it.
type User struct {
	ID           int64
	Username     string
	Email        string
	PasswordHash string
	Role         string // "player" or "admin"
	Coins        int64
	CreatedAt    time.Time
	// BannedAt is when an admin banned the account (nil: not banned). A
	// banned account cannot log in and its sessions end.
	BannedAt  *time.Time
	BanReason string
	// LockedUntil is set while logins are refused after too many failed
	// attempts in a row; FailedLogins counts the current run of failures.
	LockedUntil  *time.Time
	FailedLogins int
	// TOTPSecret is the two-factor secret (base32), set up but only in
	// force once TOTPEnabled.
	TOTPSecret  string
	TOTPEnabled bool
}

// Roles of an account.
const (
	RolePlayer = "player"
	RoleAdmin  = "admin"
)

// NewUser is what signup hands to the store: the account and its signup
// grant, written together with a "grant" ledger row.
type NewUser struct {
	Username     string
	Email        string
	PasswordHash string
	Grant        int64
}

// Ledger entry kinds. Every change of a balance is exactly one ledger row of
// one of these kinds.
const (
	KindGrant      = "grant"
	KindBet        = "bet"
	KindWin        = "win"
	KindRefund     = "refund"
	KindVoid       = "void"
	KindAdjustment = "adjustment"
)

// Round statuses.
const (
	RoundOpen    = "open"
	RoundSettled = "settled"
	RoundVoid    = "void"
)

// LedgerEntry is one row of a player's ledger: the signed amount, the balance
// right after it, and the round it belongs to, if any.
type LedgerEntry struct {
	ID           int64     `json:"id"`
	Kind         string    `json:"kind"`
	Amount       int64     `json:"amount"`
	BalanceAfter int64     `json:"balance_after"`
	Game         string    `json:"game"`
	RoundID      string    `json:"round_id"`
	CreatedAt    time.Time `json:"created_at"`
	// Note is the reason an admin gave for an adjustment (empty otherwise).
	Note string `json:"note,omitempty"`
}

// Spin is a single-player round that settles in one transaction: the bet
// debited on condition that the balance covers it, the win credited, a ledger
// row for each, and the round row for recall. Key makes it idempotent: a
// second Spin with the same UserID and Key changes nothing and returns the
// first one's receipt.
type Spin struct {
	UserID   int64
	Key      string
	RoundID  string
	Game     string
	Room     string
	Bet      int64
	Win      int64
	Outcome  json.RawMessage
	Fairness json.RawMessage
	// SeedHash is the commitment of the seed pair the spin was drawn from,
	// when it was: the spin settles only while that pair is still the
	// player's active one (ErrSeedRevealed otherwise).
	SeedHash string
}

// ErrSeedRevealed refuses a spin drawn from a seed pair that was revealed
// (rotated, perhaps on another instance) before the spin could settle:
// nothing was charged, and a new draw from the active pair settles.
var ErrSeedRevealed = Errorf(EUnavailable, "The seed pair changed while the spin was played; nothing was charged. Spin again.")

// SpinReceipt is what a settled Spin returns. Replayed says the key had been
// settled before: RoundID, Bet, Win, Outcome and Fairness are then the
// original's and Coins is the balance now.
type SpinReceipt struct {
	RoundID  string
	Coins    int64
	Bet      int64
	Win      int64
	Outcome  json.RawMessage
	Fairness json.RawMessage
	Replayed bool
}

// Round is one round as recalled by a player who took part in it.
type Round struct {
	ID        string          `json:"id"`
	Game      string          `json:"game"`
	Room      string          `json:"room"`
	Status    string          `json:"status"`
	Players   []RoundPlayer   `json:"players"`
	Outcome   json.RawMessage `json:"outcome"`
	Fairness  json.RawMessage `json:"fairness,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	SettledAt *time.Time      `json:"settled_at,omitempty"`
}

// RoundPlayer is one player's stake in a round.
type RoundPlayer struct {
	UserID   int64  `json:"user_id"`
	Username string `json:"username"`
	Wagered  int64  `json:"wagered"`
	Won      int64  `json:"won"`
}

// GameStats are a player's totals over settled rounds, for one game or all.
type GameStats struct {
	Game       string `json:"game,omitempty"`
	Rounds     int64  `json:"rounds"`
	Wagered    int64  `json:"wagered"`
	Won        int64  `json:"won"`
	Net        int64  `json:"net"`
	BiggestWin int64  `json:"biggest_win"`
}

// Stats are a player's totals, overall and per game (sorted by game name).
type Stats struct {
	GameStats
	Games []GameStats `json:"games"`
}

// TableRound opens a table round (blackjack, roulette, crash): the round row
// exists, status open, before any stake is taken into it.
type TableRound struct {
	ID       string
	Game     string
	Room     string
	Fairness json.RawMessage
	// Fence is the room lease's fencing token when instances share rooms:
	// the round opens only while it is the room's latest (see
	// store.TakeRoom). Zero: no fencing (one instance).
	Fence int64
}

// Stake debits a player's stake (a bet, a double, a split, insurance) into
// an open round in one transaction: the conditional debit, a "bet" ledger
// row carrying the round id, and the player's wagered total in the round.
// Idempotent by (UserID, Key).
type Stake struct {
	RoundID string
	UserID  int64
	Key     string
	Amount  int64
	Game    string
}

// Holding is a player's coins by name, for the richest leaderboard.
type Holding struct {
	Username string `json:"username"`
	Coins    int64  `json:"coins"`
}

// Balance is a user's coins after a change.
type Balance struct {
	UserID int64 `json:"user_id"`
	Coins  int64 `json:"coins"`
}

// Payout is one credit at a round's settlement. A player may have several
// (one per hand or bet), each with its own key.
type Payout struct {
	UserID int64
	Amount int64
	Key    string
}

// RoundSettlement closes an open round in one transaction: every payout
// credited with a "win" ledger row, each player's won total, the outcome
// for recall, the round settled. Settling a settled round changes nothing.
type RoundSettlement struct {
	RoundID  string
	Outcome  json.RawMessage
	Fairness json.RawMessage
	Payouts  []Payout
}

// VoidedRound is a round that was voided: every stake refunded with a
// "void" ledger row.
type VoidedRound struct {
	RoundID  string    `json:"round_id"`
	Room     string    `json:"room"`
	Refunds  []Balance `json:"refunds"` // coins after each player's refund
	Refunded int64     `json:"refunded"`
}
