package blackjack

import (
	"math"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/imperio-casino/imperio/games/fair"
)

// simulate plays hands rounds of r in parts fixed parts, each with its own
// seeded source, on at most GOMAXPROCS goroutines at once: the result does
// not depend on the machine.
func simulate(r Rules, hands, parts int) SimResult {
	results := make([]SimResult, parts)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i := range parts {
		n := hands / parts
		if i < hands%parts {
			n++
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			results[i] = Simulate(r, n, fair.NewSeeded(uint64(1000+i)))
		})
	}
	wg.Wait()
	var total SimResult
	for _, res := range results {
		total = total.Merge(res)
	}
	return total
}

// TestHouseEdge plays ten million rounds of six decks, S17, double after
// split, 3:2, no surrender, peek (the shoe shuffled for every round) and
// holds the house edge to the published 0.406% within three standard
// errors.
func TestHouseEdge(t *testing.T) {
	r := DefaultRules()
	r.LateSurrender = false
	start := time.Now()
	res := simulate(r, 10_000_000, 16)
	const published = 0.00406
	edge := res.HouseEdge()
	t.Logf("%d hands: house edge %.4f%% ± %.4f%% (published %.3f%%), %.1fs",
		res.Hands, edge*100, res.StdErr*100, published*100, time.Since(start).Seconds())
	if res.Hands != 10_000_000 {
		t.Fatalf("%d hands", res.Hands)
	}
	if d := math.Abs(edge - published); d > 3*res.StdErr {
		t.Fatalf("house edge %.4f%% is %.1f standard errors from %.3f%%", edge*100, d/res.StdErr, published*100)
	}
	if res.StdErr < 0.0003 || res.StdErr > 0.0004 {
		t.Fatalf("standard error %.5f%%: a round's standard deviation should be about 1.15 bets", res.StdErr*100)
	}
}

// TestSimulatorPlaysByTheTableRules deals the simulator's rounds again on a
// Table, card for card, plays them there by the same chart, and requires
// the same result for every round: the simulator implements the table's
// rules, not a copy of them.
func TestSimulatorPlaysByTheTableRules(t *testing.T) {
	variants := map[string]func(*Rules){
		"Default":        func(r *Rules) {},
		"NoPeekH17":      func(r *Rules) { r.Peek, r.HitSoft17 = false, true },
		"ResplitHitAces": func(r *Rules) { r.ResplitAces, r.HitSplitAces = true, true },
		"Restrictive": func(r *Rules) {
			r.DoubleAnyTwo, r.DoubleAfterSplit, r.MaxHands, r.LateSurrender = false, false, 2, false
			r.BlackjackNum, r.BlackjackDen = 6, 5
		},
		"OneDeckResplitAces": func(r *Rules) { r.Decks, r.ResplitAces = 1, true },
	}
	for name, edit := range variants {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := DefaultRules()
			r.MinBet = 1
			edit(&r)
			sim, err := NewSimulator(r, fair.NewSeeded(5))
			if err != nil {
				t.Fatal(err)
			}
			var splits, doubles, surrenders int
			for round := range 10_000 {
				want := sim.round()
				// The simulator's cards, in the order it drew them.
				shoe := make([]string, sim.n)
				for i, v := range sim.shoe[:sim.n] {
					shoe[i] = NewCard(int(v), i%4).String()
				}
				tb, err := NewTableWithShoe(r, fair.NewSeeded(0), shoe, t0)
				if err != nil {
					t.Fatal(err)
				}
				got, acts := playTable(t, tb, sim.chart, sim.unit)
				rec := tb.Record()
				if got != want || len(rec.Cards) != sim.n || len(rec.Shoes) != 1 {
					t.Fatalf("round %d, shoe %v: table %d (%v, %d cards), simulator %d (%d cards)\n%+v",
						round, shoe, got, acts, len(rec.Cards), want, sim.n, rec)
				}
				for _, a := range acts {
					switch a {
					case ActionSplit:
						splits++
					case ActionDouble:
						doubles++
					case ActionSurrender:
						surrenders++
					}
				}
			}
			t.Logf("%d splits, %d doubles, %d surrenders", splits, doubles, surrenders)
			if splits == 0 || doubles == 0 {
				t.Fatal("the rounds never split or doubled")
			}
		})
	}
}

// playTable plays one round at tb for one player betting bet, by chart,
// declining insurance, and returns the player's net result and actions.
func playTable(t *testing.T, tb *Table, chart *Chart, bet int64) (int64, []string) {
	t.Helper()
	must := func(cmd Command) int64 {
		cost, err := tb.Cost(t0, cmd)
		if err != nil {
			t.Fatalf("%+v: %v", cmd, err)
		}
		if _, err := tb.Apply(t0, cmd); err != nil {
			t.Fatalf("%+v: %v", cmd, err)
		}
		return cost
	}
	paid := must(Command{Kind: CommandSit, Player: 1, Name: "sim"})
	paid += must(Command{Kind: CommandBet, Player: 1, Amount: bet})
	var played []string
	for tb.RoundActive() {
		v := tb.View(1)
		if tb.Phase() == PhaseInsurance {
			must(Command{Kind: CommandAction, Player: 1, Action: ActionNoInsurance})
			continue
		}
		hv := v.Seats[0].Hands[v.You.Hand-1]
		var allowed act
		for _, name := range v.You.Actions {
			a, _ := actNamed(name)
			allowed |= a
		}
		hard, ace := 0, false
		for _, code := range hv.Cards {
			c, _ := ParseCard(code)
			hard += c.Value()
			ace = ace || c.Value() == 1
		}
		pair := 0
		if len(hv.Cards) == 2 {
			c0, _ := ParseCard(hv.Cards[0])
			c1, _ := ParseCard(hv.Cards[1])
			if c0.Value() == c1.Value() {
				pair = c0.Value()
			}
		}
		up, _ := ParseCard(v.Dealer.Cards[0])
		tot, soft := total(hard, ace)
		a := chart.decide(tot, soft, pair, up.Value(), allowed).String()
		played = append(played, a)
		paid += must(Command{Kind: CommandAction, Player: 1, Action: a})
	}
	var got int64
	for _, p := range tb.Payouts() {
		got += p.Amount
	}
	return got - paid, played
}

func TestSimResultMerge(t *testing.T) {
	r := DefaultRules()
	a := Simulate(r, 1000, fair.NewSeeded(1))
	b := Simulate(r, 3000, fair.NewSeeded(2))
	m := a.Merge(b)
	if m.Hands != 4000 || m.Sum != a.Sum+b.Sum || m.SumSq != a.SumSq+b.SumSq {
		t.Fatalf("merged %+v from %+v and %+v", m, a, b)
	}
	want := (a.Mean*1000 + b.Mean*3000) / 4000
	if math.Abs(m.Mean-want) > 1e-12 || m.StdErr <= 0 {
		t.Fatalf("merged mean %v, want %v", m.Mean, want)
	}
	if (SimResult{}).Merge(a) != a {
		t.Fatal("merging into zero")
	}
	again := Simulate(r, 1000, fair.NewSeeded(1))
	if again != a {
		t.Fatal("the same seed gave a different result")
	}
}
