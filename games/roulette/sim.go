package roulette

import (
	"fmt"
	"math"

	"github.com/imperio-casino/imperio/games/fair"
)

// SimBets are the bets a simulation measures by default: one of every
// kind, each of 2 coins (so that la partage's half stake is a whole coin
// and the exact edge is 1/74).
func SimBets() []Bet {
	return []Bet{
		{Kind: KindStraight, Numbers: []int{17}, Amount: 2},
		{Kind: KindSplit, Numbers: []int{17, 20}, Amount: 2},
		{Kind: KindStreet, Numbers: []int{13, 14, 15}, Amount: 2},
		{Kind: KindTrio, Numbers: []int{0, 1, 2}, Amount: 2},
		{Kind: KindCorner, Numbers: []int{17, 18, 20, 21}, Amount: 2},
		{Kind: KindFirstFour, Numbers: []int{0, 1, 2, 3}, Amount: 2},
		{Kind: KindSixLine, Numbers: []int{13, 14, 15, 16, 17, 18}, Amount: 2},
		{Kind: KindDozen, Numbers: []int{2}, Amount: 2},
		{Kind: KindColumn, Numbers: []int{3}, Amount: 2},
		{Kind: KindRed, Amount: 2},
		{Kind: KindBlack, Amount: 2},
		{Kind: KindOdd, Amount: 2},
		{Kind: KindEven, Amount: 2},
		{Kind: KindLow, Amount: 2},
		{Kind: KindHigh, Amount: 2},
	}
}

// Simulator spins the wheel and plays a set of bets on every spin, to
// measure each bet's house edge beside the exact figure. A spin is one
// Spin of the source, as at the table; each bet's net result on each pocket
// is worked out once (by Bet.Payout) at the start, so a spin costs one draw
// and a few additions, and allocates nothing. A Simulator is not safe for
// concurrent use: run one per goroutine, each with its own source, and
// Merge the results.
type Simulator struct {
	src       fair.Source
	bets      []Bet
	laPartage bool
	net       []int64 // [pocket*len(bets) + i]: bet i's net coins when the ball lands on pocket
}

// maxSimAmount bounds a simulated bet so that the sums of squares cannot
// overflow in any run of fewer than 10^11 spins (the edge depends on the
// amount only through la partage's rounding).
const maxSimAmount = 100

// NewSimulator returns a simulator of bets (each of a valid shape and an
// amount of 1 to 100 coins) drawing from src.
func NewSimulator(bets []Bet, laPartage bool, src fair.Source) (*Simulator, error) {
	if len(bets) == 0 {
		return nil, fmt.Errorf("%w: no bets to simulate", ErrInvalid)
	}
	s := &Simulator{src: src, laPartage: laPartage, net: make([]int64, Pockets*len(bets))}
	for i, b := range bets {
		m, err := cover(b.Kind, b.Numbers)
		if err != nil {
			return nil, err
		}
		if b.Amount < 1 || b.Amount > maxSimAmount {
			return nil, fmt.Errorf("%w: a simulated bet takes 1 to %d coins, not %d", ErrBetOutOfRange, maxSimAmount, b.Amount)
		}
		b = normalize(b, m)
		s.bets = append(s.bets, b)
		for n := range Pockets {
			s.net[n*len(bets)+i] = b.Payout(n, laPartage) - b.Amount
		}
	}
	return s, nil
}

// Run spins the wheel spins times and returns the result of those spins.
func (s *Simulator) Run(spins int) SimResult {
	k := len(s.bets)
	sum := make([]int64, k)
	sq := make([]int64, k)
	var hist [Pockets]int64
	for range spins {
		n := Spin(s.src)
		hist[n]++
		row := s.net[n*k : n*k+k]
		for i, v := range row {
			sum[i] += v
			sq[i] += v * v
		}
	}
	res := SimResult{Spins: int64(spins), LaPartage: s.laPartage, Pockets: hist, Bets: make([]BetEdge, k)}
	for i, b := range s.bets {
		res.Bets[i] = BetEdge{Bet: b, Sum: sum[i], SumSq: sq[i]}
	}
	res.finish()
	return res
}

// SimResult is the outcome of simulated spins: how often each pocket came
// up and, for each bet, its edge measured against the exact one.
type SimResult struct {
	Spins     int64          `json:"spins"`
	LaPartage bool           `json:"la_partage"`
	Pockets   [Pockets]int64 `json:"pockets"`
	Bets      []BetEdge      `json:"bets"`
}

// BetEdge is one bet's house edge: Exact by going through the 37 pockets
// (HouseEdge), Edge as measured, with its standard error, and Z, how many
// standard errors Edge lies from Exact. Sum and SumSq are the sums of the
// bet's net coins per spin and of their squares (losses negative); they let
// results of separate runs be merged exactly.
type BetEdge struct {
	Bet    Bet     `json:"bet"`
	Exact  float64 `json:"exact_edge"`
	Edge   float64 `json:"edge"`
	StdErr float64 `json:"std_err"`
	Z      float64 `json:"z"`
	Sum    int64   `json:"sum"`
	SumSq  int64   `json:"sum_sq"`
}

// Merge combines the results of two runs of the same bets.
func (s SimResult) Merge(o SimResult) SimResult {
	if s.Spins == 0 {
		return o
	}
	if o.Spins == 0 {
		return s
	}
	if len(s.Bets) != len(o.Bets) || s.LaPartage != o.LaPartage {
		panic("roulette: merging simulations of different bets")
	}
	m := SimResult{Spins: s.Spins + o.Spins, LaPartage: s.LaPartage, Bets: make([]BetEdge, len(s.Bets))}
	for n := range Pockets {
		m.Pockets[n] = s.Pockets[n] + o.Pockets[n]
	}
	for i, b := range s.Bets {
		m.Bets[i] = BetEdge{Bet: b.Bet, Sum: b.Sum + o.Bets[i].Sum, SumSq: b.SumSq + o.Bets[i].SumSq}
	}
	m.finish()
	return m
}

func (s *SimResult) finish() {
	n := float64(s.Spins)
	for i := range s.Bets {
		b := &s.Bets[i]
		b.Exact = HouseEdge(b.Bet, s.LaPartage)
		b.Edge, b.StdErr, b.Z = 0, 0, 0
		if s.Spins == 0 {
			continue
		}
		u := float64(b.Bet.Amount)
		mean := float64(b.Sum) / n / u
		variance := float64(b.SumSq)/n/(u*u) - mean*mean
		b.Edge = -mean
		if s.Spins > 1 && variance > 0 {
			b.StdErr = math.Sqrt(variance / (n - 1))
			b.Z = (b.Edge - b.Exact) / b.StdErr
		}
	}
}

// ChiSquare is Pearson's statistic of the pocket counts against a uniform
// wheel, with 36 degrees of freedom: above about 58.62 the wheel fails at
// the 99% level.
func (s SimResult) ChiSquare() float64 { return ChiSquare(s.Pockets[:]) }

// ChiSquare is Pearson's statistic of counts against equal expectations.
func ChiSquare(counts []int64) float64 {
	var total int64
	for _, c := range counts {
		total += c
	}
	if total == 0 {
		return 0
	}
	want := float64(total) / float64(len(counts))
	var x float64
	for _, c := range counts {
		d := float64(c) - want
		x += d * d / want
	}
	return x
}

// ChiSquareCritical99 is the chi-square value with 36 degrees of freedom
// (37 pockets) that a fair wheel exceeds 1% of the time.
const ChiSquareCritical99 = 58.619
