package roulette

import (
	"testing"
	"time"

	"github.com/imperio-casino/imperio/games/fair"
)

// BenchmarkSimulate is the cost of one simulated spin with every kind of
// bet on it.
func BenchmarkSimulate(b *testing.B) {
	s, err := NewSimulator(SimBets(), false, fair.NewSeeded(1))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	s.Run(b.N)
}

// BenchmarkTableRound plays whole rounds for ten players with five bets
// each, with the views a room would send.
func BenchmarkTableRound(b *testing.B) {
	tb, err := NewTable(DefaultRules(), fair.NewSeeded(1), t0)
	if err != nil {
		b.Fatal(err)
	}
	bets := SimBets()[:5]
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		for p := int64(1); p <= 10; p++ {
			cmd := Command{Kind: CommandBet, Player: p, Name: "player", Bets: bets}
			if _, err := tb.Cost(now, cmd); err != nil {
				b.Fatal(err)
			}
			if _, err := tb.Apply(now, cmd); err != nil {
				b.Fatal(err)
			}
		}
		now = now.Add(time.Minute)
		tb.Advance(now)
		tb.View(0)
		tb.Record()
		tb.Payouts()
	}
}

// BenchmarkSettle is the end of a round alone: the ball drawn and every
// bet of ten players (five each) paid, with the payouts listed. Placing
// the bets is not timed.
func BenchmarkSettle(b *testing.B) {
	tb, err := NewTable(DefaultRules(), fair.NewSeeded(1), t0)
	if err != nil {
		b.Fatal(err)
	}
	bets := SimBets()[:5]
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		for p := int64(1); p <= 10; p++ {
			if _, err := tb.Apply(now, Command{Kind: CommandBet, Player: p, Name: "player", Bets: bets}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		now = now.Add(time.Minute)
		tb.Advance(now)
		if len(tb.Payouts()) == 0 {
			b.Fatal("no payouts")
		}
	}
}
