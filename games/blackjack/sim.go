package blackjack

import (
	"math"

	"github.com/imperio-casino/imperio/games/fair"
)

// SimResult is the outcome of simulated rounds: Mean is the mean return
// per initial bet (the house edge is -Mean), StdErr its standard error.
// Sum and SumSq are the sums of each round's net result and of its square
// in Unit-coin bets (Unit is the flat bet the simulator plays, chosen so
// that every payout is a whole number: twice BlackjackDen); they let
// results of separate runs be merged exactly.
type SimResult struct {
	Hands  int64   `json:"hands"`
	Mean   float64 `json:"mean"`
	StdErr float64 `json:"std_err"`
	Unit   int64   `json:"unit"`
	Sum    int64   `json:"sum"`
	SumSq  int64   `json:"sum_sq"`
}

// HouseEdge is -Mean.
func (s SimResult) HouseEdge() float64 { return -s.Mean }

// Merge combines the results of two runs with the same rules.
func (s SimResult) Merge(o SimResult) SimResult {
	if s.Hands == 0 {
		return o
	}
	if o.Hands == 0 {
		return s
	}
	if s.Unit != o.Unit {
		panic("blackjack: merging simulations of different payouts")
	}
	m := SimResult{Hands: s.Hands + o.Hands, Unit: s.Unit, Sum: s.Sum + o.Sum, SumSq: s.SumSq + o.SumSq}
	m.finish()
	return m
}

func (s *SimResult) finish() {
	if s.Hands == 0 {
		s.Mean, s.StdErr = 0, 0
		return
	}
	n, u := float64(s.Hands), float64(s.Unit)
	mean := float64(s.Sum) / n / u
	variance := float64(s.SumSq)/n/(u*u) - mean*mean
	s.Mean = mean
	if s.Hands > 1 && variance > 0 {
		s.StdErr = math.Sqrt(variance * n / (n - 1) / n)
	}
}

// Simulator plays rounds of one player at a table of its own, by basic
// strategy (Strategy) and a flat bet, without insurance. Every round is
// dealt from a freshly shuffled shoe, the way published house edges are
// computed. It plays by the table's own hand rules (legal, dealerHits,
// outcome), on card values alone, and allocates nothing per round. A
// Simulator is not safe for concurrent use: run one per goroutine, each
// with its own source, and Merge the results.
type Simulator struct {
	r     Rules
	chart *Chart
	src   fair.Source
	unit  int64
	shoe  []uint8 // card values; the first n are this round's cards
	n     int
	hands [maxHandsCap]simHand
}

type simHand struct {
	hard        int
	ace         bool
	n           int
	first       int // the first card's value
	pair        int
	bet         int64
	fromSplit   bool
	splitAces   bool
	doubled     bool
	surrendered bool
}

func (h *simHand) add(v int) {
	h.hard += v
	h.ace = h.ace || v == 1
	h.n++
	h.pair = 0
	switch h.n {
	case 1:
		h.first = v
	case 2:
		if v == h.first {
			h.pair = v
		}
	}
}

// NewSimulator returns a simulator of rules r drawing from src.
func NewSimulator(r Rules, src fair.Source) (*Simulator, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	s := &Simulator{r: r, chart: Strategy(r), src: src, unit: 2 * r.BlackjackDen}
	for range r.Decks * 4 {
		for rank := 1; rank <= 13; rank++ {
			s.shoe = append(s.shoe, uint8(min(rank, 10)))
		}
	}
	return s, nil
}

// Simulate plays hands rounds by rules r drawing from src (see Simulator).
// It panics if r is not valid.
func Simulate(r Rules, hands int, src fair.Source) SimResult {
	s, err := NewSimulator(r, src)
	if err != nil {
		panic(err)
	}
	return s.Run(hands)
}

// Run plays hands rounds and returns their result.
func (s *Simulator) Run(hands int) SimResult {
	res := SimResult{Unit: s.unit}
	for range hands {
		net := s.round()
		res.Sum += net
		res.SumSq += net * net
	}
	res.Hands = int64(hands)
	res.finish()
	return res
}

// draw deals the next card of a freshly shuffled shoe: a Fisher-Yates step
// over the cards not dealt yet this round, so a round costs only the cards
// it uses.
func (s *Simulator) draw() int {
	j := s.n + fair.Intn(s.src, len(s.shoe)-s.n)
	c := s.shoe[j]
	s.shoe[j], s.shoe[s.n] = s.shoe[s.n], c
	s.n++
	return int(c)
}

// round plays one round, dealing as the table does, and returns the
// player's net result in coins.
func (s *Simulator) round() int64 {
	r := &s.r
	s.n = 0
	p1, up, p2 := s.draw(), s.draw(), s.draw()
	hole := 0
	if r.Peek {
		hole = s.draw()
		if (up == 1 || up == 10) && natural(up, hole) {
			if natural(p1, p2) {
				return 0
			}
			return -s.unit
		}
	}
	hs := &s.hands
	hs[0] = simHand{bet: s.unit}
	hs[0].add(p1)
	hs[0].add(p2)
	nh := 1
	pnat := natural(p1, p2)
	if !pnat {
		for i := 0; i < nh; i++ {
			h := &hs[i]
			if h.n == 1 {
				h.add(s.draw())
			}
			s.play(h, &nh, up)
		}
	}
	if !r.Peek {
		hole = s.draw()
	}
	dhard, dace := up+hole, up == 1 || hole == 1
	dnat := natural(up, hole)
	live := false
	for i := range nh {
		if t, _ := total(hs[i].hard, hs[i].ace); !pnat && !hs[i].surrendered && t <= 21 {
			live = true
		}
	}
	if live && !dnat {
		for {
			t, soft := total(dhard, dace)
			if !dealerHits(r, t, soft) {
				break
			}
			v := s.draw()
			dhard += v
			dace = dace || v == 1
		}
	}
	dt, _ := total(dhard, dace)
	d := dealerFinal{total: dt, natural: dnat, bust: dt > 21}
	var net int64
	for i := range nh {
		h := &hs[i]
		stake := h.bet
		if h.doubled {
			stake *= 2
		}
		t, _ := total(h.hard, h.ace)
		_, pay := outcome(r, finalHand{stake: stake, total: t, natural: pnat, surrendered: h.surrendered}, d)
		net += pay - stake
	}
	return net
}

// play plays one hand to its end by the chart; a split adds a hand at
// *nh, as the table adds it after the seat's last hand.
func (s *Simulator) play(h *simHand, nh *int, up int) {
	r := &s.r
	for {
		st := handState{n: h.n, hard: h.hard, ace: h.ace, pair: h.pair, fromSplit: h.fromSplit, splitAces: h.splitAces, hands: *nh}
		set := legal(r, st)
		if set == actStand {
			return
		}
		t, soft := total(h.hard, h.ace)
		switch s.chart.decide(t, soft, h.pair, up, set) {
		case actStand:
			return
		case actHit:
			h.add(s.draw())
			if t, _ := total(h.hard, h.ace); t > 21 {
				return
			}
		case actDouble:
			h.doubled = true
			h.add(s.draw())
			return
		case actSurrender:
			h.surrendered = true
			return
		case actSplit:
			v := h.first
			aces := h.splitAces || v == 1
			s.hands[*nh] = simHand{bet: h.bet, fromSplit: true, splitAces: aces}
			s.hands[*nh].add(v)
			*nh++
			*h = simHand{bet: h.bet, fromSplit: true, splitAces: aces}
			h.add(v)
			h.add(s.draw())
		}
	}
}
