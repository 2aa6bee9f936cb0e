package crash

import "time"

// Event kinds.
const (
	EventBettingOpen = "betting_open" // round, deadline: the first bet opened the round
	EventBet         = "bet"          // name, amount, auto_cashout
	EventStart       = "start"        // round, started_at, index (the round's place in the hash chain)
	EventTick        = "tick"         // multiplier, elapsed
	EventCashout     = "cashout"      // name, multiplier, amount (to be credited), auto, elapsed
	EventCrash       = "crash"        // round, multiplier (the crash point), hash (revealed), index, elapsed
	EventRoundEnd    = "round_end"    // round, multiplier (the crash point), amount (credited in all): the round is settled
	EventPause       = "pause"        // deadline: the next round may open after it
	EventWaiting     = "waiting"      // the pause is over: the next bet opens a round
	EventAway        = "away"         // name: a player with a bet in the round lost their connection
	EventBack        = "back"         // name: they are back
	EventLeave       = "leave"        // name: they left; their bet plays on (its auto cash-out too)
)

// Event is one thing that happened at the table. Every event is public: it
// goes to players and spectators alike, and no event carries the round's
// crash point or hash before the "crash" event that reveals both. Ticks and
// cash-outs carry multipliers below the crash point only.
//
// Multipliers are in hundredths (250 is 2.50x) and elapsed is milliseconds
// since the round's start; an absent elapsed is 0 (a round that crashes at
// 1.00x crashes at its start).
type Event struct {
	Kind  string `json:"kind"`
	Round int64  `json:"round,omitzero"`
	// Player is the player's id, for the hub; it is not sent.
	Player      int64     `json:"-"`
	Name        string    `json:"name,omitzero"`
	Amount      int64     `json:"amount,omitzero"`
	AutoCashout int64     `json:"auto_cashout,omitzero"`
	Multiplier  int64     `json:"multiplier,omitzero"`
	Elapsed     int64     `json:"elapsed,omitzero"`
	Auto        bool      `json:"auto,omitzero"`
	Deadline    time.Time `json:"deadline,omitzero"`
	StartedAt   time.Time `json:"started_at,omitzero"`
	Hash        string    `json:"hash,omitzero"`
	Index       int       `json:"index,omitzero"`
}
