package slots

import (
	"testing"

	"github.com/imperio-casino/imperio/games/fair"
)

// BenchmarkSpin plays whole rounds, free spins included, with the outcome
// recorded as the hub sends it.
func BenchmarkSpin(b *testing.B) {
	for _, m := range machines {
		b.Run(m.ID, func(b *testing.B) {
			src := fair.NewSeeded(1)
			b.ReportAllocs()
			for b.Loop() {
				m.Spin(src, m.MinBet)
			}
		})
	}
}

// BenchmarkSpinWin plays the same rounds without recording them, as a
// simulation does.
func BenchmarkSpinWin(b *testing.B) {
	for _, m := range machines {
		b.Run(m.ID, func(b *testing.B) {
			src := fair.NewSeeded(1)
			b.ReportAllocs()
			for b.Loop() {
				m.SpinWin(src, m.MinBet)
			}
		})
	}
}

func BenchmarkExactRTP(b *testing.B) {
	for _, m := range machines {
		b.Run(m.ID, func(b *testing.B) {
			for b.Loop() {
				m.ExactRTP()
			}
		})
	}
}
