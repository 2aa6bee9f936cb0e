package roulette

import (
	"math"
	"testing"

	"github.com/imperio-casino/imperio/games/fair"
)

// TestSimRouletteEdges spins two million times and holds every kind's
// measured edge within four standard errors of the exact 1/37 (1/74 for
// even money with la partage).
func TestSimRouletteEdges(t *testing.T) {
	for _, lp := range []bool{false, true} {
		s, err := NewSimulator(SimBets(), lp, fair.NewSeeded(11))
		if err != nil {
			t.Fatal(err)
		}
		res := s.Run(1_000_000).Merge(s.Run(1_000_000))
		if res.Spins != 2_000_000 || len(res.Bets) != len(Kinds()) || res.LaPartage != lp {
			t.Fatalf("result %+v", res)
		}
		var spins int64
		for _, c := range res.Pockets {
			spins += c
		}
		if spins != res.Spins || res.ChiSquare() > ChiSquareCritical99 {
			t.Fatalf("pockets %v: chi-square %.2f", res.Pockets, res.ChiSquare())
		}
		for i, b := range res.Bets {
			if b.Bet.Kind != Kinds()[i] {
				t.Fatalf("bet %d is %s, want %s", i, b.Bet.Kind, Kinds()[i])
			}
			exact := 1.0 / 37
			if lp && isEvenMoney(b.Bet.Kind) {
				exact = 1.0 / 74
			}
			if math.Abs(b.Exact-exact) > 1e-15 {
				t.Errorf("%s: exact %v, want %v", b.Bet.Kind, b.Exact, exact)
			}
			// The standard deviation of a bet covering n numbers is about
			// sqrt(36/n - 1) stakes a spin.
			n := len(mustCover(t, b.Bet))
			sd := math.Sqrt(36/float64(n) - 1)
			if want := sd / math.Sqrt(2e6); math.Abs(b.StdErr/want-1) > 0.05 {
				t.Errorf("%s: standard error %.5f, want about %.5f", b.Bet.Kind, b.StdErr, want)
			}
			if math.Abs(b.Z) > 4 || math.Abs(b.Z-(b.Edge-b.Exact)/b.StdErr) > 1e-9 {
				t.Errorf("%s (la partage %v): edge %.4f%% ± %.4f%%, exact %.4f%%, z %.2f", b.Bet.Kind, lp, b.Edge*100, b.StdErr*100, b.Exact*100, b.Z)
			}
		}
	}
}

func mustCover(t *testing.T, b Bet) []int {
	t.Helper()
	ns, err := b.Covers()
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// TestSimRouletteDeterministic checks the same seed gives the same result,
// that merging runs adds them up, and that a spin allocates nothing.
func TestSimRouletteDeterministic(t *testing.T) {
	run := func(seed uint64, spins int) SimResult {
		s, err := NewSimulator(SimBets(), false, fair.NewSeeded(seed))
		if err != nil {
			t.Fatal(err)
		}
		return s.Run(spins)
	}
	a, b := run(3, 10_000), run(3, 10_000)
	for i := range a.Bets {
		if !sameEdge(a.Bets[i], b.Bets[i]) {
			t.Fatalf("seed 3 twice: %+v, %+v", a.Bets[i], b.Bets[i])
		}
	}
	c := run(4, 5_000)
	m := a.Merge(c)
	if m.Spins != 15_000 || m.Bets[0].Sum != a.Bets[0].Sum+c.Bets[0].Sum || m.Pockets[17] != a.Pockets[17]+c.Pockets[17] {
		t.Fatalf("merged %+v", m.Bets[0])
	}
	if z := (SimResult{}).Merge(c); z.Spins != c.Spins {
		t.Fatal("merge with nothing")
	}

	s, err := NewSimulator(SimBets(), true, fair.NewSeeded(1))
	if err != nil {
		t.Fatal(err)
	}
	few := testing.AllocsPerRun(10, func() { s.Run(10) })
	many := testing.AllocsPerRun(10, func() { s.Run(100_000) })
	if many != few {
		t.Fatalf("%v allocations for 10 spins, %v for 100,000", few, many)
	}

	for _, bad := range [][]Bet{nil, {{Kind: KindSplit, Numbers: nums(1, 5), Amount: 2}}, {{Kind: KindRed, Amount: 0}}, {{Kind: KindRed, Amount: 101}}} {
		if _, err := NewSimulator(bad, false, fair.NewSeeded(1)); err == nil {
			t.Errorf("NewSimulator(%+v) took it", bad)
		}
	}
}

func sameEdge(a, b BetEdge) bool {
	return a.Sum == b.Sum && a.SumSq == b.SumSq && a.Edge == b.Edge && a.StdErr == b.StdErr
}
