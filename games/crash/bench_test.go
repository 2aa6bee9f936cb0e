package crash

import (
	"testing"
	"time"
)

func BenchmarkCrashPointOf(b *testing.B) {
	h := hashWith(12345)
	var sink int64
	for i := 0; b.Loop(); i++ {
		h[0] = byte(i)
		sink += CrashPointOf(h)
	}
	_ = sink
}

func BenchmarkNewChain(b *testing.B) {
	for b.Loop() {
		NewChain(testSeed, 100_000)
	}
}

// BenchmarkRound plays a round of ten bets, five with auto cash-outs, from
// the first bet to the end of the pause, ticking every 100 ms.
func BenchmarkRound(b *testing.B) {
	chain := NewChain(testSeed, 1<<20)
	tb, err := NewTable(DefaultRules(), chain, t0)
	if err != nil {
		b.Fatal(err)
	}
	now := t0
	for b.Loop() {
		for p := int64(1); p <= 10; p++ {
			if _, err := tb.Apply(now, Command{Kind: CommandBet, Player: p, Name: "p", Amount: 10, AutoCashout: (p % 2) * (100 + 20*p)}); err != nil {
				b.Fatal(err)
			}
		}
		for tb.Phase() != PhaseWaiting {
			now = now.Add(100 * time.Millisecond)
			tb.Advance(now)
		}
	}
}
