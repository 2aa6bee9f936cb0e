package roulette

import "time"

// Event kinds.
const (
	EventBettingOpen = "betting_open" // round, deadline: the first bet opened the window
	EventBet         = "bet"          // round, name, bets (this command's), amount (their sum), total (the player's stake in the round so far)
	EventNoMoreBets  = "no_more_bets" // round, deadline (when the result comes)
	EventResult      = "result"       // round, number, color, draw
	EventPayout      = "payout"       // round, name, amount (credited to the player, 0 for a loss), total (the player's stake)
	EventRoundEnd    = "round_end"    // round, number, color, amount (credited in all), total (staked in all)
	EventPause       = "pause"        // deadline: the next round may open after it
	EventWaiting     = "waiting"      // the pause is over: the next bet opens a round
	EventAway        = "away"         // name: the player's connection dropped
	EventBack        = "back"         // name: the player is back
	EventLeave       = "leave"        // name; pending: the player's bets stay in the round until it settles
)

// Event is one thing that happened at the table. Every event is public: it
// goes to players and spectators alike. Nothing at a roulette table is
// secret, but nothing about a round's number exists before the "result"
// event: the ball is drawn then.
type Event struct {
	Kind  string `json:"kind"`
	Round int64  `json:"round,omitzero"`
	// Player is the player's id, for the hub; it is not sent.
	Player int64  `json:"-"`
	Name   string `json:"name,omitzero"`
	Bets   []Bet  `json:"bets,omitempty"`
	// Number is the pocket the ball landed in; nil except in result and
	// round_end (0 is a number, so it is a pointer).
	Number   *int      `json:"number,omitempty"`
	Color    string    `json:"color,omitzero"`
	Amount   int64     `json:"amount,omitzero"`
	Total    int64     `json:"total,omitzero"`
	Deadline time.Time `json:"deadline,omitzero"`
	Pending  bool      `json:"pending,omitzero"`
	// Draw is the table's count of draws from its source: the result came
	// from the Draw-th Spin (see Record.Draw).
	Draw int64 `json:"draw,omitzero"`
}
