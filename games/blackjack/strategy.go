package blackjack

import (
	"fmt"
	"strings"
)

// Chart is basic strategy for one set of rules: for every hand total (hard
// and soft), pair and dealer up card, the expected return of each action,
// so that Decide can pick the best action among those allowed.
//
// Strategy computes it from the rules, not from a table typed in: the
// deck is taken as infinite (each draw an ace, 2, ..., 9 with chance 1/13,
// a ten-value card with 4/13), which is the usual "total-dependent" basic
// strategy and agrees with the 4- to 8-deck charts.
//
//   - The dealer's final total (17 to 21, bust, or blackjack) is computed
//     for each up card by recursion over the dealer's draws, by the
//     table's own drawing rule (dealerHits). With a peek, the hole card is
//     drawn knowing the dealer has no blackjack (nobody act otherwise);
//     without a peek, a dealer blackjack is one of the outcomes and takes
//     every stake, doubles and splits included, as the table settles it.
//   - Standing on t is worth P(dealer busts or ends below t) - P(dealer
//     ends above t or has blackjack).
//   - Hitting is worth the mean over the next card of the best of standing
//     and hitting again; the values are filled from the highest totals
//     down, so each needs only values already known.
//   - Doubling is worth twice the mean of standing after one card.
//   - Surrender is worth -1/2 (without a peek, -1 when the dealer then has
//     blackjack).
//   - Splitting a pair of value v sums the value of every hand the split
//     ends with. Each split hand draws its second card; a card of value v
//     may be split again while the rules allow (MaxHands, ResplitAces) and
//     it pays, which the computation decides by an exact recursion over
//     (hands waiting for a card, hands in all). A split hand is then played
//     as the rules allow it (double after split, one card to split aces).
type Chart struct {
	rules Rules
	hard  [22][11]cell // [total][up card value], totals 4..21
	soft  [22][11]cell // totals 12..21
	split [11][11]float64
}

// cell holds the expected return, per unit of the hand's bet, of each
// action on a hand of two cards (stand and hit hold for any number).
type cell struct {
	stand, hit, double, surrender float64
}

// cards drawn from an infinite deck, by value.
var drawChance = [11]float64{0, 1. / 13, 1. / 13, 1. / 13, 1. / 13, 1. / 13, 1. / 13, 1. / 13, 1. / 13, 1. / 13, 4. / 13}

// dealer outcomes: final totals 17..21 at 0..4, bust, blackjack.
const (
	dBust = 5
	dBJ   = 6
)

// Strategy computes basic strategy for r.
func Strategy(r Rules) *Chart {
	c := &Chart{rules: r}
	for up := 1; up <= 10; up++ {
		c.fill(up, dealerOdds(&r, up))
	}
	return c
}

// dealerOdds is the distribution of the dealer's outcome with up showing.
func dealerOdds(r *Rules, up int) [7]float64 {
	var out [7]float64
	p := drawChance
	if r.Peek && (up == 1 || up == 10) {
		// Play only goes on when the dealer has no blackjack.
		no := 11 - up
		rest := 1 - p[no]
		for v := range p {
			p[v] /= rest
		}
		p[no] = 0
	}
	for v := 1; v <= 10; v++ {
		if natural(up, v) {
			out[dBJ] += p[v]
			continue
		}
		dealerDraws(r, up+v, up == 1 || v == 1, p[v], &out)
	}
	return out
}

func dealerDraws(r *Rules, hard int, ace bool, chance float64, out *[7]float64) {
	t, soft := total(hard, ace)
	switch {
	case t > 21:
		out[dBust] += chance
	case !dealerHits(r, t, soft):
		out[t-17] += chance
	default:
		for v := 1; v <= 10; v++ {
			dealerDraws(r, hard+v, ace || v == 1, chance*drawChance[v], out)
		}
	}
}

// fill computes every cell for one up card.
func (c *Chart) fill(up int, d [7]float64) {
	var stand [22]float64
	for t := 4; t <= 21; t++ {
		win, lose := d[dBust], d[dBJ]
		for k := 17; k <= 21; k++ {
			if t > k {
				win += d[k-17]
			} else if t < k {
				lose += d[k-17]
			}
		}
		stand[t] = win - lose
	}
	// best[soft][t]: the value of a hand that may only hit or stand.
	var best [2][22]float64
	next := func(hard int, ace bool) float64 { // the value after a card, bust -1
		t, soft := total(hard, ace)
		if t > 21 {
			return -1
		}
		return best[b2i(soft)][t]
	}
	hitOf := func(t int, soft bool) float64 {
		hard := t
		if soft {
			hard = t - 10
		}
		var ev float64
		for v := 1; v <= 10; v++ {
			ev += drawChance[v] * next(hard+v, soft || v == 1)
		}
		return ev
	}
	doubleOf := func(t int, soft bool) float64 {
		hard := t
		if soft {
			hard = t - 10
		}
		var ev float64
		for v := 1; v <= 10; v++ {
			if nt, _ := total(hard+v, soft || v == 1); nt <= 21 {
				ev += drawChance[v] * stand[nt]
			} else {
				ev -= drawChance[v]
			}
		}
		return 2 * ev
	}
	set := func(t int, soft bool) {
		cl := cell{stand: stand[t], hit: -1, double: -2, surrender: -0.5*(1-d[dBJ]) - d[dBJ]}
		if t < 21 {
			cl.hit = hitOf(t, soft)
			cl.double = doubleOf(t, soft)
		}
		best[b2i(soft)][t] = max(cl.stand, cl.hit)
		if soft {
			c.soft[t][up] = cl
		} else {
			c.hard[t][up] = cl
		}
	}
	// Hard 11 and up take no soft values (an ace counts 1); soft totals
	// take hard ones of 12 and up; hard 10 and down take both.
	for t := 21; t >= 11; t-- {
		set(t, false)
	}
	for t := 21; t >= 12; t-- {
		set(t, true)
	}
	for t := 10; t >= 4; t-- {
		set(t, false)
	}
	for v := 1; v <= 10; v++ {
		c.split[v][up] = c.splitValue(v, up)
	}
}

// splitValue is the expected return, per unit of the original bet, of
// splitting a pair of value v against up, counting every hand it becomes.
func (c *Chart) splitValue(v, up int) float64 {
	r := &c.rules
	if r.MaxHands < 2 {
		return -2 // never: splitting is not allowed
	}
	// played is a split hand of v and w, played as the rules allow.
	played := func(w int) float64 {
		st := handState{n: 2, hard: v + w, ace: v == 1 || w == 1, fromSplit: true, splitAces: v == 1, hands: r.MaxHands}
		t, soft := total(st.hard, st.ace)
		cl := c.hard[t][up]
		if soft {
			cl = c.soft[t][up]
		}
		set := legal(r, st)
		ev := cl.stand
		if set&actHit != 0 {
			ev = max(ev, cl.hit)
		}
		if set&actDouble != 0 {
			ev = max(ev, cl.double)
		}
		return ev
	}
	var other float64 // the summed value of a second card that is not v
	for w := 1; w <= 10; w++ {
		if w != v {
			other += drawChance[w] * played(w)
		}
	}
	same, pv := played(v), drawChance[v]
	resplit := v != 1 || r.ResplitAces
	// e(k, h): expected total of k hands waiting for their second card,
	// with h hands in all.
	var e func(k, h int) float64
	e = func(k, h int) float64 {
		if k == 0 {
			return 0
		}
		rest := e(k-1, h)
		keep := same + rest
		if resplit && h < r.MaxHands {
			keep = max(keep, e(k+1, h+1))
		}
		return other + (1-pv)*rest + pv*keep
	}
	return e(2, 2)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cellFor is the cell of a hand of the given total.
func (c *Chart) cellFor(t int, soft bool, up int) *cell {
	if soft {
		return &c.soft[t][up]
	}
	return &c.hard[t][up]
}

// decide picks the action with the highest expected return among allowed.
func (c *Chart) decide(t int, soft bool, pair, up int, allowed act) act {
	cl := c.cellFor(t, soft, up)
	a, ev := actStand, cl.stand
	if allowed&actHit != 0 && cl.hit > ev {
		a, ev = actHit, cl.hit
	}
	if allowed&actDouble != 0 && cl.double > ev {
		a, ev = actDouble, cl.double
	}
	if allowed&actSurrender != 0 && cl.surrender > ev {
		a, ev = actSurrender, cl.surrender
	}
	if allowed&actSplit != 0 && pair != 0 && c.split[pair][up] > ev {
		a = actSplit
	}
	return a
}

// Decide returns basic strategy's action ("hit", "stand", "double",
// "split" or "surrender") for hand against the dealer's up card, given
// which of double, split and surrender the rules allow the hand now. A
// hand of 21 or more stands.
func (c *Chart) Decide(hand []Card, dealerUp Card, canDouble, canSplit, canSurrender bool) string {
	hard, ace := 0, false
	for _, k := range hand {
		hard += k.Value()
		ace = ace || k.Value() == 1
	}
	t, soft := total(hard, ace)
	if t >= 21 || t < 4 || dealerUp.Value() < 1 {
		return ActionStand
	}
	allowed := actHit | actStand
	if canDouble {
		allowed |= actDouble
	}
	pair := 0
	if canSplit && len(hand) == 2 && hand[0].Value() == hand[1].Value() {
		allowed |= actSplit
		pair = hand[0].Value()
	}
	if canSurrender {
		allowed |= actSurrender
	}
	return c.decide(t, soft, pair, dealerUp.Value(), allowed).String()
}

// EV returns the expected return, per unit of the hand's bet, of action on
// a two-card hand of total (soft or hard) against up (1 for an ace, 10 for
// a ten-value card); for split, total is ignored and pair is the value of
// the pair. It is what Decide compares.
func (c *Chart) EV(action string, t int, soft bool, pair, up int) float64 {
	if up < 1 || up > 10 {
		return 0
	}
	if action == ActionSplit {
		if pair < 1 || pair > 10 {
			return 0
		}
		return c.split[pair][up]
	}
	if t < 4 || t > 21 || (soft && t < 12) {
		return 0
	}
	cl := c.cellFor(t, soft, up)
	switch action {
	case ActionStand:
		return cl.stand
	case ActionHit:
		return cl.hit
	case ActionDouble:
		return cl.double
	case ActionSurrender:
		return cl.surrender
	}
	return 0
}

// String prints the chart the way players read one: a row per hand, a
// column per up card (2 to 10, then A), with H hit, S stand, P split,
// D double (Dh: else hit, Ds: else stand), R surrender (Rh, Rs, Rp: else
// hit, stand, split). Doubling, splitting and surrender are as the rules
// allow them on the first two cards.
func (c *Chart) String() string {
	r := &c.rules
	var b strings.Builder
	ups := []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 1}
	header := func(title string) {
		fmt.Fprintf(&b, "%-6s", title)
		for _, u := range ups {
			if u == 1 {
				fmt.Fprintf(&b, " %-3s", "A")
			} else {
				fmt.Fprintf(&b, " %-3d", u)
			}
		}
		b.WriteByte('\n')
	}
	code := func(t int, soft bool, pair, up int) string {
		hard := t
		if soft {
			hard = t - 10
		}
		st := handState{n: 2, hard: hard, ace: soft, pair: pair, hands: 1}
		if pair == 1 {
			st.hard, st.ace = 2, true
		}
		all := legal(r, st)
		a := c.decide(t, soft, pair, up, all)
		short := map[act]string{actHit: "H", actStand: "S", actSplit: "P"}
		switch a {
		case actDouble, actSurrender:
			letter := "D"
			if a == actSurrender {
				letter = "R"
			}
			switch c.decide(t, soft, pair, up, all&^(actDouble|actSurrender)) {
			case actHit:
				return letter + "h"
			case actSplit:
				return letter + "p"
			}
			return letter + "s"
		}
		return short[a]
	}
	header("hard")
	for t := 5; t <= 20; t++ {
		fmt.Fprintf(&b, "%-6d", t)
		for _, u := range ups {
			fmt.Fprintf(&b, " %-3s", code(t, false, 0, u))
		}
		b.WriteByte('\n')
	}
	header("soft")
	for t := 13; t <= 20; t++ {
		fmt.Fprintf(&b, "%-6s", fmt.Sprintf("A,%d", t-11))
		for _, u := range ups {
			fmt.Fprintf(&b, " %-3s", code(t, true, 0, u))
		}
		b.WriteByte('\n')
	}
	header("pair")
	for _, v := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10} {
		name := fmt.Sprintf("%d,%d", v, v)
		t, soft := total(2*v, v == 1)
		if v == 1 {
			name = "A,A"
		}
		fmt.Fprintf(&b, "%-6s", name)
		for _, u := range ups {
			fmt.Fprintf(&b, " %-3s", code(t, soft, v, u))
		}
		b.WriteByte('\n')
	}
	return b.String()
}
