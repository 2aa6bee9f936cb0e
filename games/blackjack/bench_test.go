package blackjack

import (
	"testing"

	"github.com/imperio-casino/imperio/games/fair"
)

// BenchmarkSimulate is the cost of one simulated round (one player, basic
// strategy, a fresh shoe).
func BenchmarkSimulate(b *testing.B) {
	s, err := NewSimulator(DefaultRules(), fair.NewSeeded(1))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s.round()
	}
}

func BenchmarkStrategy(b *testing.B) {
	r := DefaultRules()
	for b.Loop() {
		Strategy(r)
	}
}

// BenchmarkTableRound plays whole rounds at a table for seven players who
// stand on their first two cards, with the views a room would send.
func BenchmarkTableRound(b *testing.B) {
	tb, err := NewTable(DefaultRules(), fair.NewSeeded(1), t0)
	if err != nil {
		b.Fatal(err)
	}
	now := t0
	for p := int64(1); p <= 7; p++ {
		if _, err := tb.Apply(now, Command{Kind: CommandSit, Player: p}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for p := int64(1); p <= 7; p++ {
			if _, err := tb.Apply(now, Command{Kind: CommandBet, Player: p, Amount: 100}); err != nil {
				b.Fatal(err)
			}
		}
		for tb.RoundActive() {
			for p := int64(0); p <= 7; p++ {
				tb.View(p)
			}
			if tb.Phase() == PhaseInsurance {
				for p := int64(1); p <= 7; p++ {
					tb.Apply(now, Command{Kind: CommandAction, Player: p, Action: ActionNoInsurance})
				}
				continue
			}
			seat := tb.turnSeat + 1
			tb.Apply(now, Command{Kind: CommandAction, Player: int64(seat), Action: ActionStand})
		}
		now = now.Add(DefaultRules().PauseTime)
		tb.Advance(now)
	}
}
