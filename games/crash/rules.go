package crash

import (
	"errors"
	"fmt"
	"time"
)

// Rules are one table's rules; the zero value is not valid, start from
// DefaultRules.
type Rules struct {
	// MinBet and MaxBet bound a bet in whole coins.
	MinBet int64 `json:"min_bet"`
	MaxBet int64 `json:"max_bet"`
	// BetTime is the betting window, counted from the round's first bet;
	// PauseTime the pause after the crash before the next round may open.
	BetTime   time.Duration `json:"bet_time"`
	PauseTime time.Duration `json:"pause_time"`
	// TickEvery is the interval of the ticks that announce the multiplier
	// while the round runs: 10 ms to 100 ms (at least ten a second).
	TickEvery time.Duration `json:"tick_every"`
	// MaxMultiplier caps the crash point, in hundredths (1_000_000 is
	// 10,000x): a round whose hash gives a higher point crashes there.
	// Every cash-out is below the crash point, so the most a bet can win
	// is MaxMultiplier-1 hundredths of it.
	MaxMultiplier int64 `json:"max_multiplier"`
}

// DefaultRules are the house rules: bets of 1 to 1000, a 10 s betting
// window, a 4 s pause, ten ticks a second and crash points capped at
// 10,000x.
func DefaultRules() Rules {
	return Rules{
		MinBet:        1,
		MaxBet:        1000,
		BetTime:       10 * time.Second,
		PauseTime:     4 * time.Second,
		TickEvery:     100 * time.Millisecond,
		MaxMultiplier: 1_000_000,
	}
}

// Limits that keep every amount far from overflow: a payout is at most
// maxBetLimit*maxMultiplierLimit/100 < 2^56 coins.
const (
	maxBetLimit        = 1 << 32
	maxMultiplierLimit = 10_000_000 // 100,000x
	minMultiplierLimit = MinAutoCashout + 1
	minTick            = 10 * time.Millisecond
	maxTick            = 100 * time.Millisecond
)

// Validate says which rule is out of range, naming it as the struct does.
func (r Rules) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if r.MinBet < 1 || r.MaxBet < r.MinBet || r.MaxBet > maxBetLimit {
		bad("MinBet %d, MaxBet %d: want 1 <= MinBet <= MaxBet <= %d", r.MinBet, r.MaxBet, int64(maxBetLimit))
	}
	if r.BetTime <= 0 {
		bad("BetTime %v: want more than 0", r.BetTime)
	}
	if r.PauseTime <= 0 {
		bad("PauseTime %v: want more than 0", r.PauseTime)
	}
	if r.TickEvery < minTick || r.TickEvery > maxTick {
		bad("TickEvery %v: want %v to %v", r.TickEvery, minTick, maxTick)
	}
	if r.MaxMultiplier < minMultiplierLimit || r.MaxMultiplier > maxMultiplierLimit {
		bad("MaxMultiplier %d: want %d to %d (hundredths)", r.MaxMultiplier, minMultiplierLimit, maxMultiplierLimit)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("crash rules: %w", err)
	}
	return nil
}
