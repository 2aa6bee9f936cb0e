package roulette

import (
	"errors"
	"fmt"
	"time"
)

// Rules are one table's limits and timings. The wheel is always European
// (one zero); la partage is the one option that changes the odds. The zero
// value is not valid: start from DefaultRules.
type Rules struct {
	// MinBet and MaxBet bound each bet, in whole coins.
	MinBet int64 `json:"min_bet"`
	MaxBet int64 `json:"max_bet"`
	// MaxTotal bounds what one player stakes in a round, all bets together.
	MaxTotal int64 `json:"max_total"`
	// MaxBets is how many bets one player may place in a round.
	MaxBets int `json:"max_bets"`
	// LaPartage: when the ball lands on zero, even-money bets (red, black,
	// odd, even, low, high) return half their stake, rounded down, instead
	// of losing it all. It halves those bets' house edge, to 1/74.
	LaPartage bool `json:"la_partage"`
	// BetTime is the betting window, counted from the round's first bet;
	// SpinTime the time from "no more bets" to the result; PauseTime the
	// pause after a settled round.
	BetTime   time.Duration `json:"bet_time"`
	SpinTime  time.Duration `json:"spin_time"`
	PauseTime time.Duration `json:"pause_time"`
	// History is how many past results the table shows, newest first.
	History int `json:"history"`
}

// DefaultRules are the house rules: bets of 1 to 1000, at most 10,000 and
// 50 bets per player a round, no la partage, a 15 s betting window, 3 s of
// spin, a 5 s pause and the last 20 results on show.
func DefaultRules() Rules {
	return Rules{
		MinBet:    1,
		MaxBet:    1000,
		MaxTotal:  10_000,
		MaxBets:   50,
		LaPartage: false,
		BetTime:   15 * time.Second,
		SpinTime:  3 * time.Second,
		PauseTime: 5 * time.Second,
		History:   20,
	}
}

// Limits that keep every sum of stakes and payouts far from overflow.
const (
	maxBetLimit   = 1 << 40
	maxTotalLimit = 1 << 50
	maxBetsLimit  = 1000
	maxHistory    = 500
)

// Validate says which rule is out of range, naming it as the struct does.
func (r Rules) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if r.MinBet < 1 || r.MaxBet < r.MinBet || r.MaxBet > maxBetLimit {
		bad("MinBet %d, MaxBet %d: want 1 <= MinBet <= MaxBet <= %d", r.MinBet, r.MaxBet, int64(maxBetLimit))
	}
	if r.MaxTotal < r.MaxBet || r.MaxTotal > maxTotalLimit {
		bad("MaxTotal %d: want MaxBet (%d) to %d", r.MaxTotal, r.MaxBet, int64(maxTotalLimit))
	}
	if r.MaxBets < 1 || r.MaxBets > maxBetsLimit {
		bad("MaxBets %d: want 1 to %d", r.MaxBets, maxBetsLimit)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"BetTime", r.BetTime}, {"SpinTime", r.SpinTime}, {"PauseTime", r.PauseTime}} {
		if d.v <= 0 {
			bad("%s %v: want more than 0", d.name, d.v)
		}
	}
	if r.History < 1 || r.History > maxHistory {
		bad("History %d: want 1 to %d", r.History, maxHistory)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("roulette rules: %w", err)
	}
	return nil
}
