package roulette

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/imperio-casino/imperio/games/fair"
)

// Pockets on the wheel: 0 to 36.
const Pockets = 37

// Bet kinds. Inside bets name the numbers they cover; dozen and column name
// which one (1 to 3); even-money bets take no numbers.
const (
	KindStraight  = "straight"   // one number, 0 to 36: 35 to 1
	KindSplit     = "split"      // two numbers next to each other on the layout: 17 to 1
	KindStreet    = "street"     // a row of three, n to n+2 (n = 1, 4, ..., 34): 11 to 1
	KindTrio      = "trio"       // 0-1-2 or 0-2-3: 11 to 1
	KindCorner    = "corner"     // four numbers in a square: 8 to 1
	KindFirstFour = "first_four" // 0-1-2-3: 8 to 1
	KindSixLine   = "six_line"   // two adjacent rows, n to n+5 (n = 1, 4, ..., 31): 5 to 1
	KindDozen     = "dozen"      // [1] 1-12, [2] 13-24, [3] 25-36: 2 to 1
	KindColumn    = "column"     // [1] 1, 4, ..., 34; [2] 2, 5, ..., 35; [3] 3, 6, ..., 36: 2 to 1
	KindRed       = "red"        // even money
	KindBlack     = "black"      //
	KindOdd       = "odd"        //
	KindEven      = "even"       //
	KindLow       = "low"        // 1-18
	KindHigh      = "high"       // 19-36
)

// Kinds lists every bet kind, inside bets first.
func Kinds() []string {
	return []string{
		KindStraight, KindSplit, KindStreet, KindTrio, KindCorner, KindFirstFour, KindSixLine,
		KindDozen, KindColumn, KindRed, KindBlack, KindOdd, KindEven, KindLow, KindHigh,
	}
}

// Colors of the pockets.
const (
	Green = "green"
	Red   = "red"
	Black = "black"
)

// The numbers each even-money bet covers, as bit masks (bit n: number n).
var (
	redMask   = maskOf(1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36)
	allMask   = uint64(1)<<Pockets - 2 // 1 to 36
	blackMask = allMask &^ redMask
	oddMask   = maskWhere(func(n int) bool { return n%2 == 1 })
	evenMask  = allMask &^ oddMask
	lowMask   = maskWhere(func(n int) bool { return n <= 18 })
	highMask  = allMask &^ lowMask
)

func maskOf(ns ...int) uint64 {
	var m uint64
	for _, n := range ns {
		m |= 1 << n
	}
	return m
}

func maskWhere(f func(n int) bool) uint64 {
	var m uint64
	for n := 1; n <= 36; n++ {
		if f(n) {
			m |= 1 << n
		}
	}
	return m
}

// evenMasks are the even-money bets, the ones la partage applies to.
var evenMasks = map[string]uint64{
	KindRed: redMask, KindBlack: blackMask, KindOdd: oddMask, KindEven: evenMask, KindLow: lowMask, KindHigh: highMask,
}

// insideSizes is how many numbers each inside bet covers.
var insideSizes = map[string]int{
	KindStraight: 1, KindSplit: 2, KindStreet: 3, KindTrio: 3, KindCorner: 4, KindFirstFour: 4, KindSixLine: 6,
}

// Color is the color of pocket n: green for 0, red or black for 1 to 36,
// "" for anything else.
func Color(n int) string {
	switch {
	case n == 0:
		return Green
	case n < 0 || n > 36:
		return ""
	case redMask>>n&1 == 1:
		return Red
	}
	return Black
}

// Spin throws the ball: a pocket from 0 to 36, each as likely, from one
// fair.Intn draw of src. The table draws each round's number with exactly
// one Spin, so a round's number can be checked against the source's stream.
func Spin(src fair.Source) int { return fair.Intn(src, Pockets) }

// Bet is one bet on the layout: its kind, the numbers it covers (inside
// bets, in any order), or which dozen or column (one number, 1 to 3), and
// its amount in coins.
type Bet struct {
	Kind    string `json:"kind"`
	Numbers []int  `json:"numbers,omitempty"`
	Amount  int64  `json:"amount"`
}

// Validate checks the bet's shape (ErrInvalid: an unknown kind, numbers
// that do not make the bet named) and its amount against the rules
// (ErrBetOutOfRange: outside MinBet..MaxBet).
func (b Bet) Validate(r Rules) error {
	if _, err := cover(b.Kind, b.Numbers); err != nil {
		return err
	}
	if b.Amount < r.MinBet || b.Amount > r.MaxBet {
		return fmt.Errorf("%w: a bet takes %d to %d coins, not %d", ErrBetOutOfRange, r.MinBet, r.MaxBet, b.Amount)
	}
	return nil
}

// Covers returns the numbers the bet wins on, ascending, or the error
// Validate gives for its shape.
func (b Bet) Covers() ([]int, error) {
	m, err := cover(b.Kind, b.Numbers)
	if err != nil {
		return nil, err
	}
	return numbersOf(m), nil
}

// Payout is everything the bet is credited when the ball lands on result:
// the stake back and the winnings ("35 to 1" credits 36 times the stake),
// or, with la partage and a zero, half the stake of an even-money bet
// (rounded down), or 0 for a loss. A bet of the wrong shape, an amount
// below 1 or a result off the wheel pays 0; amounts are assumed within the
// rules' limits (far below the 2^58 coins that would overflow).
//
// It is a method, not a function Payout(b, result, laPartage): the name
// Payout is the settlement's credit type, as in games/blackjack.
func (b Bet) Payout(result int, laPartage bool) int64 {
	if b.Amount <= 0 || result < 0 || result >= Pockets {
		return 0
	}
	m, err := cover(b.Kind, b.Numbers)
	if err != nil {
		return 0
	}
	return pay(m, b.Amount, isEvenMoney(b.Kind), result, laPartage)
}

// pay is Bet.Payout for a bet already reduced to the numbers it covers. Every
// payout is the fair 36/n times the stake for n numbers covered, less the
// zero: 36/1 = 36 (35 to 1), 36/2 = 18 (17 to 1), ..., 36/18 = 2 (1 to 1).
func pay(mask uint64, amount int64, even bool, result int, laPartage bool) int64 {
	switch {
	case mask>>result&1 == 1:
		return amount * int64(36/bits.OnesCount64(mask))
	case laPartage && even && result == 0:
		return amount / 2
	}
	return 0
}

func isEvenMoney(kind string) bool {
	_, ok := evenMasks[kind]
	return ok
}

// HouseEdge is the bet's exact house edge, computed by going through the
// 37 pockets: what it keeps of the stake on average, as a fraction (1/37
// for every bet; 1/74 for an even-money bet with la partage and an even
// amount, a little more for an odd one, whose half stake is rounded down).
// A bet of the wrong shape or an amount below 1 gives 0.
func HouseEdge(b Bet, laPartage bool) float64 {
	if _, err := cover(b.Kind, b.Numbers); err != nil || b.Amount <= 0 {
		return 0
	}
	var back int64
	for n := range Pockets {
		back += b.Payout(n, laPartage)
	}
	staked := Pockets * b.Amount
	return float64(staked-back) / float64(staked)
}

// normalize returns the bet in the form the table keeps: its numbers
// sorted in a copy of their own (the first four's filled in).
func normalize(b Bet, mask uint64) Bet {
	switch b.Kind {
	case KindDozen, KindColumn:
		b.Numbers = []int{b.Numbers[0]}
	default:
		if isEvenMoney(b.Kind) {
			b.Numbers = nil
		} else {
			b.Numbers = numbersOf(mask)
		}
	}
	return b
}

func numbersOf(m uint64) []int {
	out := make([]int, 0, bits.OnesCount64(m))
	for m != 0 {
		n := bits.TrailingZeros64(m)
		out = append(out, n)
		m &^= 1 << n
	}
	return out
}

// cover checks a bet's shape and returns the numbers it wins on as a bit
// mask (bit n: number n).
func cover(kind string, nums []int) (uint64, error) {
	if m, ok := evenMasks[kind]; ok {
		if len(nums) != 0 {
			return 0, fmt.Errorf("%w: a %s bet takes no numbers", ErrInvalid, kind)
		}
		return m, nil
	}
	switch kind {
	case KindDozen, KindColumn:
		if len(nums) != 1 {
			return 0, fmt.Errorf("%w: a %s bet takes one number, 1, 2 or 3, naming the %s", ErrInvalid, kind, kind)
		}
		k := nums[0]
		if k < 1 || k > 3 {
			return 0, fmt.Errorf("%w: %s %d: want 1, 2 or 3", ErrInvalid, kind, k)
		}
		if kind == KindDozen {
			return maskWhere(func(n int) bool { return (n-1)/12 == k-1 }), nil
		}
		return maskWhere(func(n int) bool { return (n-1)%3 == k-1 }), nil
	case KindFirstFour:
		if len(nums) == 0 {
			return maskOf(0, 1, 2, 3), nil
		}
	}
	size, ok := insideSizes[kind]
	if !ok {
		return 0, fmt.Errorf("%w: unknown bet kind %q", ErrInvalid, truncate(kind, 20))
	}
	if len(nums) != size {
		return 0, fmt.Errorf("%w: a %s bet takes %d %s, not %d", ErrInvalid, kind, size, plural(size, "number"), len(nums))
	}
	var m uint64
	for _, n := range nums {
		if n < 0 || n > 36 {
			return 0, fmt.Errorf("%w: %s %s: %d is not on the wheel (0 to 36)", ErrInvalid, kind, join(nums), n)
		}
		if m>>n&1 == 1 {
			return 0, fmt.Errorf("%w: %s %s: %d twice", ErrInvalid, kind, join(nums), n)
		}
		m |= 1 << n
	}
	low := bits.TrailingZeros64(m) // the smallest number covered
	var shape bool
	var want string
	switch kind {
	case KindStraight:
		shape = true
	case KindSplit:
		high := 63 - bits.LeadingZeros64(m)
		shape = low == 0 && high <= 3 || // 0 borders 1, 2 and 3
			low > 0 && (high == low+3 || high == low+1 && low%3 != 0)
		want = "two numbers next to each other on the layout, across a row (1-2, not 3-4) or up a column (1-4), or 0 with 1, 2 or 3"
	case KindStreet:
		shape = low%3 == 1 && m == maskOf(low, low+1, low+2)
		want = "a row of three, n to n+2 with n = 1, 4, ..., 34"
	case KindTrio:
		shape = m == maskOf(0, 1, 2) || m == maskOf(0, 2, 3)
		want = "0-1-2 or 0-2-3"
	case KindCorner:
		shape = low > 0 && low%3 != 0 && m == maskOf(low, low+1, low+3, low+4)
		want = "four numbers in a square, n, n+1, n+3, n+4 with n not in the right-hand column (1-2-4-5, 2-3-5-6)"
	case KindFirstFour:
		shape = m == maskOf(0, 1, 2, 3)
		want = "0-1-2-3"
	case KindSixLine:
		shape = low%3 == 1 && m == maskOf(low, low+1, low+2, low+3, low+4, low+5)
		want = "two adjacent rows, n to n+5 with n = 1, 4, ..., 31"
	}
	if !shape {
		return 0, fmt.Errorf("%w: %s %s: a %s is %s", ErrInvalid, kind, join(nums), strings.ReplaceAll(kind, "_", " "), want)
	}
	return m, nil
}

func join(nums []int) string {
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, "-")
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// truncate cuts s to at most n bytes, for echoing a client's text.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
