package blackjack

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Rules are one table's rules. Every rule is an option of the table; the
// zero value is not valid, start from DefaultRules.
type Rules struct {
	// Decks in the shoe, 1 to 8.
	Decks int `json:"decks"`
	// Penetration is where the cut card sits, as a fraction of the shoe
	// (0.75: after three quarters). After the round in which the cut card
	// came out, the shoe is reshuffled.
	Penetration float64 `json:"penetration"`
	// HitSoft17 makes the dealer hit soft 17 (H17); false: the dealer stands
	// on every 17 (S17).
	HitSoft17 bool `json:"hit_soft_17"`
	// BlackjackNum:BlackjackDen is what a player's blackjack pays (3:2).
	// In whole coins the credit is bet + bet*num/den, rounded down.
	BlackjackNum int64 `json:"blackjack_num"`
	BlackjackDen int64 `json:"blackjack_den"`
	// Peek: with an ace or a ten-value card up, the dealer checks the hole
	// card for blackjack before anyone plays, and a dealer blackjack ends
	// the round at once. Without it (European no hole card) the dealer's
	// second card comes after the players have acted, and a dealer
	// blackjack then takes every stake on the table, doubles and splits
	// included ("all bets lost").
	Peek bool `json:"peek"`
	// Insurance is offered when the dealer shows an ace: it costs half the
	// bet (rounded down; not offered when that is 0) and pays 2:1.
	Insurance bool `json:"insurance"`
	// DoubleAnyTwo allows doubling on any first two cards; false only on a
	// hard 9, 10 or 11.
	DoubleAnyTwo bool `json:"double_any_two"`
	// DoubleAfterSplit allows doubling a hand that came from a split.
	DoubleAfterSplit bool `json:"double_after_split"`
	// MaxHands is how many hands a player may split into (1: no splits).
	MaxHands int `json:"max_hands"`
	// ResplitAces allows splitting again a hand that came from split aces.
	ResplitAces bool `json:"resplit_aces"`
	// HitSplitAces lets split aces be played on; false: each gets one card.
	HitSplitAces bool `json:"hit_split_aces"`
	// LateSurrender allows giving up half the bet as the first action on
	// the first two cards, after the peek, never after a split.
	LateSurrender bool `json:"late_surrender"`
	// Seats at the table, 1 to 12.
	Seats int `json:"seats"`
	// MinBet and MaxBet bound a bet in whole coins.
	MinBet int64 `json:"min_bet"`
	MaxBet int64 `json:"max_bet"`
	// BetTime is the betting window, counted from the round's first bet;
	// InsuranceTime the insurance window; TurnTime each decision; PauseTime
	// the pause after a settled round.
	BetTime       time.Duration `json:"bet_time"`
	InsuranceTime time.Duration `json:"insurance_time"`
	TurnTime      time.Duration `json:"turn_time"`
	PauseTime     time.Duration `json:"pause_time"`
}

// DefaultRules are the house rules: six decks, cut at 75%, dealer stands on
// soft 17, blackjack pays 3:2, peek, insurance, double on any two and after a
// split, split to four hands, no resplit or hitting of split aces, late
// surrender, seven seats, bets of 10 to 1000.
func DefaultRules() Rules {
	return Rules{
		Decks:            6,
		Penetration:      0.75,
		HitSoft17:        false,
		BlackjackNum:     3,
		BlackjackDen:     2,
		Peek:             true,
		Insurance:        true,
		DoubleAnyTwo:     true,
		DoubleAfterSplit: true,
		MaxHands:         4,
		ResplitAces:      false,
		HitSplitAces:     false,
		LateSurrender:    true,
		Seats:            7,
		MinBet:           10,
		MaxBet:           1000,
		BetTime:          15 * time.Second,
		InsuranceTime:    10 * time.Second,
		TurnTime:         20 * time.Second,
		PauseTime:        4 * time.Second,
	}
}

// Limits that keep every amount far from overflow and every round within a
// shoe.
const (
	maxDecks    = 8
	maxSeats    = 12
	maxHandsCap = 8
	maxPayRatio = 100
	maxBetLimit = 1 << 40
)

// Validate says which rule is out of range, naming it as the struct does.
func (r Rules) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if r.Decks < 1 || r.Decks > maxDecks {
		bad("Decks %d: want 1 to %d", r.Decks, maxDecks)
	}
	if !(r.Penetration > 0 && r.Penetration <= 0.95) {
		bad("Penetration %v: want more than 0 and at most 0.95", r.Penetration)
	}
	if r.BlackjackNum < 1 || r.BlackjackNum > maxPayRatio || r.BlackjackDen < 1 || r.BlackjackDen > maxPayRatio {
		bad("BlackjackNum:BlackjackDen %d:%d: want each 1 to %d", r.BlackjackNum, r.BlackjackDen, maxPayRatio)
	}
	if r.MaxHands < 1 || r.MaxHands > maxHandsCap {
		bad("MaxHands %d: want 1 to %d", r.MaxHands, maxHandsCap)
	}
	if r.Seats < 1 || r.Seats > maxSeats {
		bad("Seats %d: want 1 to %d", r.Seats, maxSeats)
	}
	if r.MinBet < 1 || r.MaxBet < r.MinBet || r.MaxBet > maxBetLimit {
		bad("MinBet %d, MaxBet %d: want 1 <= MinBet <= MaxBet <= %d", r.MinBet, r.MaxBet, int64(maxBetLimit))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"BetTime", r.BetTime}, {"InsuranceTime", r.InsuranceTime}, {"TurnTime", r.TurnTime}, {"PauseTime", r.PauseTime}} {
		if d.v <= 0 {
			bad("%s %v: want more than 0", d.name, d.v)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("blackjack rules: %w", err)
	}
	return nil
}

// String describes the rules that change the game's odds, in one line.
func (r Rules) String() string {
	var parts []string
	deck := "decks"
	if r.Decks == 1 {
		deck = "deck"
	}
	parts = append(parts, fmt.Sprintf("%d %s", r.Decks, deck))
	if r.HitSoft17 {
		parts = append(parts, "dealer hits soft 17")
	} else {
		parts = append(parts, "dealer stands on soft 17")
	}
	parts = append(parts, fmt.Sprintf("blackjack pays %d:%d", r.BlackjackNum, r.BlackjackDen))
	if r.Peek {
		parts = append(parts, "dealer peeks")
	} else {
		parts = append(parts, "no hole card (all bets lost to a dealer blackjack)")
	}
	if r.DoubleAnyTwo {
		parts = append(parts, "double any two")
	} else {
		parts = append(parts, "double on 9-11")
	}
	if r.DoubleAfterSplit {
		parts = append(parts, "double after split")
	} else {
		parts = append(parts, "no double after split")
	}
	if r.MaxHands > 1 {
		parts = append(parts, fmt.Sprintf("split to %d hands", r.MaxHands))
	} else {
		parts = append(parts, "no splits")
	}
	if r.ResplitAces {
		parts = append(parts, "resplit aces")
	}
	if r.HitSplitAces {
		parts = append(parts, "hit split aces")
	}
	if r.LateSurrender {
		parts = append(parts, "late surrender")
	} else {
		parts = append(parts, "no surrender")
	}
	return strings.Join(parts, ", ")
}
