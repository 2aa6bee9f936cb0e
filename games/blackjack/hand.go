package blackjack

// This file is the hand logic that the table and the simulator share, so
// that a simulated round is played by exactly the table's rules: what a hand
// may do, when the dealer draws, and what a finished hand pays.

// Player actions.
const (
	ActionHit         = "hit"
	ActionStand       = "stand"
	ActionDouble      = "double"
	ActionSplit       = "split"
	ActionSurrender   = "surrender"
	ActionInsurance   = "insurance"
	ActionNoInsurance = "no_insurance"
)

// Hand results.
const (
	ResultWin       = "win"
	ResultLose      = "lose"
	ResultPush      = "push"
	ResultBlackjack = "blackjack"
	ResultSurrender = "surrender"
)

// act is a playing decision; act is a set of them.
type act uint8

const (
	actHit act = 1 << iota
	actStand
	actDouble
	actSplit
	actSurrender
)

// actOrder is the order legal actions are listed in.
var actOrder = [...]struct {
	a    act
	name string
}{
	{actHit, ActionHit}, {actStand, ActionStand}, {actDouble, ActionDouble},
	{actSplit, ActionSplit}, {actSurrender, ActionSurrender},
}

func (a act) String() string {
	for _, o := range actOrder {
		if a == o.a {
			return o.name
		}
	}
	return ""
}

func actNamed(name string) (act, bool) {
	for _, o := range actOrder {
		if name == o.name {
			return o.a, true
		}
	}
	return 0, false
}

// names lists the actions in set, in actOrder.
func names(set act) []string {
	out := make([]string, 0, 5)
	for _, o := range actOrder {
		if set&o.a != 0 {
			out = append(out, o.name)
		}
	}
	return out
}

// handState is what the rules need to know about a hand in play.
type handState struct {
	n         int  // cards
	hard      int  // sum, aces counted 1
	ace       bool // holds an ace
	pair      int  // the value of both cards when the hand is two of equal value, else 0
	fromSplit bool // the hand came from a split
	splitAces bool // the hand came from splitting aces
	hands     int  // hands the player holds in the round
}

// legal is the set of actions the rules allow a hand that is in play (not
// bust, not finished). Stand is always allowed; a hand whose only legal
// action is stand finishes on its own (a 21, split aces that may not be
// played on).
func legal(r *Rules, h handState) act {
	t, soft := total(h.hard, h.ace)
	set := actStand
	if t >= 21 {
		return set
	}
	lockedAces := h.splitAces && !r.HitSplitAces
	if !lockedAces {
		set |= actHit
	}
	if h.n == 2 && !lockedAces && (!h.fromSplit || r.DoubleAfterSplit) &&
		(r.DoubleAnyTwo || (!soft && t >= 9 && t <= 11)) {
		set |= actDouble
	}
	if h.n == 2 && h.pair != 0 && h.hands < r.MaxHands && (!h.splitAces || r.ResplitAces) {
		set |= actSplit
	}
	if h.n == 2 && r.LateSurrender && !h.fromSplit && h.hands == 1 {
		set |= actSurrender
	}
	return set
}

// dealerHits reports whether the dealer draws to total.
func dealerHits(r *Rules, total int, soft bool) bool {
	return total < 17 || (total == 17 && soft && r.HitSoft17)
}

// natural reports whether two cards of values a and b are a blackjack.
func natural(a, b int) bool { return a+b == 11 && (a == 1 || b == 1) }

// finalHand is a finished hand, as settlement sees it.
type finalHand struct {
	stake       int64 // the bet, twice it when doubled
	total       int
	natural     bool // a blackjack: two cards, not from a split
	surrendered bool
}

// dealerFinal is the dealer's finished hand.
type dealerFinal struct {
	total   int
	natural bool
	bust    bool
}

// outcome settles a finished hand against the dealer: the result and the
// coins credited, the returned stake included (0 for a loss).
//
//   - A blackjack pays stake + stake*num/den, rounded down; against a dealer
//     blackjack it pushes.
//   - A surrendered hand gets half its stake back, rounded down; without a
//     peek a dealer blackjack takes all of it (the hand loses).
//   - A dealer blackjack beats every other hand, a doubled one for its whole
//     stake: with a peek that can only happen before anyone act, without a
//     peek it is the "all bets lost" rule.
//   - A bust hand loses; otherwise a dealer bust or a higher total wins even
//     money, an equal total pushes.
func outcome(r *Rules, h finalHand, d dealerFinal) (string, int64) {
	switch {
	case h.natural && d.natural:
		return ResultPush, h.stake
	case h.natural:
		return ResultBlackjack, h.stake + h.stake*r.BlackjackNum/r.BlackjackDen
	case d.natural:
		return ResultLose, 0
	case h.surrendered:
		return ResultSurrender, h.stake / 2
	case h.total > 21:
		return ResultLose, 0
	case d.bust || h.total > d.total:
		return ResultWin, 2 * h.stake
	case h.total == d.total:
		return ResultPush, h.stake
	}
	return ResultLose, 0
}
