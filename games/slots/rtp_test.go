package slots

import (
	"math"
	"runtime"
	"sync"
	"testing"

	"github.com/imperio-casino/imperio/games/fair"
)

func TestDeclaredRTPIsExact(t *testing.T) {
	for _, m := range machines {
		t.Run(m.ID, func(t *testing.T) {
			exact := m.ExactRTP()
			if math.Abs(exact-m.RTP) > 1e-9 {
				t.Fatalf("declared RTP %.16f, exact %.16f", m.RTP, exact)
			}
			if exact < 0.92 || exact > 0.97 {
				t.Fatalf("RTP %.6f outside [0.92, 0.97]", exact)
			}
			t.Logf("RTP %.16f", exact)
		})
	}
}

// TestBaseStatsMatchesEnumeration visits every combination of stops of
// every machine, pays each through the evaluator Spin uses, and holds
// BaseStats' counts to the totals, exactly.
func TestBaseStatsMatchesEnumeration(t *testing.T) {
	for _, m := range machines {
		t.Run(m.ID, func(t *testing.T) {
			got, want := enumerate(m), m.BaseStats()
			if got != want {
				t.Fatalf("enumeration %+v, BaseStats %+v", got, want)
			}
			t.Logf("%+v", got)
		})
	}
}

// enumerate counts every combination of stops, one goroutine per stop of
// the first reel, at most GOMAXPROCS at once.
func enumerate(m *Machine) BaseStats {
	nr, lines := len(m.Reels), int64(len(m.Lines))
	parts := make([]BaseStats, len(m.Reels[0]))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for first := range parts {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			var st BaseStats
			var w window
			w.stops[0] = first
			for {
				for r := range nr {
					w.cols[r] = m.c.cols[r][w.stops[r]]
				}
				win, scatters := m.evaluate(&w, 1, lines, 1, nil)
				scatterPay := m.ScatterPays[scatters]
				st.Combinations++
				st.LinePays += win - scatterPay*lines
				st.ScatterPays += scatterPay
				if m.FreeSpins > 0 && scatters >= m.FreeSpinTrigger {
					st.Triggers++
				}
				// Next combination: an odometer over reels 2 to n.
				r := nr - 1
				for ; r > 0; r-- {
					if w.stops[r]++; w.stops[r] < len(m.Reels[r]) {
						break
					}
					w.stops[r] = 0
				}
				if r == 0 {
					break
				}
			}
			parts[first] = st
		})
	}
	wg.Wait()
	var st BaseStats
	for _, p := range parts {
		st.Combinations += p.Combinations
		st.LinePays += p.LinePays
		st.ScatterPays += p.ScatterPays
		st.Triggers += p.Triggers
	}
	return st
}

func TestFreeSpinsPerTrigger(t *testing.T) {
	tests := []struct {
		name         string
		award, limit int
		p            float64
		want         float64
	}{
		{"NeverRetriggers", 10, 100, 0, 10},
		{"CapIsOneAward", 10, 10, 0.3, 10},
		// One more spin if the first retriggers; the second is capped.
		{"OneSpinCapTwo", 1, 2, 0.25, 1.25},
		// Ten more if any of the first ten retriggers; then capped.
		{"TenCapTwenty", 10, 20, 0.02, 10 + 10*(1-math.Pow(0.98, 10))},
		// A cap far out of reach: the uncapped N/(1-pN).
		{"Uncapped", 10, 2000, 0.016, 10 / (1 - 0.16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Machine{FreeSpins: tt.award, MaxFreeSpins: tt.limit}
			if got := m.FreeSpinsPerTrigger(tt.p); math.Abs(got-tt.want) > 1e-12 {
				t.Fatalf("FreeSpinsPerTrigger(%g) = %.15f, want %.15f", tt.p, got, tt.want)
			}
		})
	}
}

// TestMonteCarloRTP plays 10 million rounds of each machine and checks the
// return lands within four standard errors of the exact RTP. The rounds
// are split into fixed chunks, each with its own seeded source, so the
// result is the same however the chunks are scheduled.
func TestMonteCarloRTP(t *testing.T) {
	const rounds, chunks = 10_000_000, 16
	for i, m := range machines {
		t.Run(m.ID, func(t *testing.T) {
			bet := int64(len(m.Lines)) // one coin a line
			type sums struct {
				win    int64
				square float64 // of win/bet
			}
			parts := make([]sums, chunks)
			sem := make(chan struct{}, runtime.GOMAXPROCS(0))
			var wg sync.WaitGroup
			for c := range parts {
				sem <- struct{}{}
				wg.Go(func() {
					defer func() { <-sem }()
					src := fair.NewSeeded(uint64(1_000*i + c))
					var s sums
					for range rounds / chunks {
						win := m.SpinWin(src, bet)
						x := float64(win) / float64(bet)
						s.win += win
						s.square += x * x
					}
					parts[c] = s
				})
			}
			wg.Wait()
			var total sums
			for _, p := range parts {
				total.win += p.win
				total.square += p.square
			}
			n := float64(rounds)
			mean := float64(total.win) / (n * float64(bet))
			se := math.Sqrt((total.square/n - mean*mean) / n)
			exact := m.ExactRTP()
			z := (mean - exact) / se
			t.Logf("%d rounds: return %.5f, exact %.5f, standard error %.5f, z %+.2f", rounds, mean, exact, se, z)
			if math.Abs(z) > 4 {
				t.Fatalf("return %.5f is %.2f standard errors from the exact %.5f", mean, z, exact)
			}
		})
	}
}
