package roulette

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/imperio-casino/imperio/games/fair"
)

func nums(ns ...int) []int { return ns }

// TestRoulettePayout checks every kind of bet on numbers it wins on, numbers
// it loses on and on zero, with and without la partage.
func TestRoulettePayout(t *testing.T) {
	type pays struct {
		result     int
		want, lapa int64 // credit without and with la partage
	}
	for _, tc := range []struct {
		name string
		bet  Bet
		on   []pays
	}{
		{"Straight", Bet{KindStraight, nums(17), 10}, []pays{{17, 360, 360}, {18, 0, 0}, {20, 0, 0}, {0, 0, 0}}},
		{"StraightZero", Bet{KindStraight, nums(0), 10}, []pays{{0, 360, 360}, {1, 0, 0}, {36, 0, 0}}},
		{"SplitAcross", Bet{KindSplit, nums(18, 17), 10}, []pays{{17, 180, 180}, {18, 180, 180}, {19, 0, 0}, {0, 0, 0}}},
		{"SplitUp", Bet{KindSplit, nums(17, 20), 10}, []pays{{17, 180, 180}, {20, 180, 180}, {18, 0, 0}, {0, 0, 0}}},
		{"SplitZero", Bet{KindSplit, nums(0, 2), 10}, []pays{{0, 180, 180}, {2, 180, 180}, {1, 0, 0}, {3, 0, 0}}},
		{"Street", Bet{KindStreet, nums(15, 13, 14), 10}, []pays{{13, 120, 120}, {15, 120, 120}, {16, 0, 0}, {12, 0, 0}, {0, 0, 0}}},
		{"TrioLow", Bet{KindTrio, nums(0, 1, 2), 10}, []pays{{0, 120, 120}, {1, 120, 120}, {2, 120, 120}, {3, 0, 0}}},
		{"TrioHigh", Bet{KindTrio, nums(3, 2, 0), 10}, []pays{{0, 120, 120}, {3, 120, 120}, {1, 0, 0}}},
		{"Corner", Bet{KindCorner, nums(17, 18, 20, 21), 10}, []pays{{17, 90, 90}, {21, 90, 90}, {19, 0, 0}, {24, 0, 0}, {0, 0, 0}}},
		{"FirstFour", Bet{KindFirstFour, nil, 10}, []pays{{0, 90, 90}, {3, 90, 90}, {4, 0, 0}}},
		{"FirstFourNumbered", Bet{KindFirstFour, nums(3, 1, 2, 0), 10}, []pays{{0, 90, 90}, {2, 90, 90}, {36, 0, 0}}},
		{"SixLine", Bet{KindSixLine, nums(13, 14, 15, 16, 17, 18), 10}, []pays{{13, 60, 60}, {18, 60, 60}, {19, 0, 0}, {12, 0, 0}, {0, 0, 0}}},
		{"DozenFirst", Bet{KindDozen, nums(1), 10}, []pays{{1, 30, 30}, {12, 30, 30}, {13, 0, 0}, {0, 0, 0}}},
		{"DozenSecond", Bet{KindDozen, nums(2), 10}, []pays{{13, 30, 30}, {24, 30, 30}, {12, 0, 0}, {25, 0, 0}, {0, 0, 0}}},
		{"DozenThird", Bet{KindDozen, nums(3), 10}, []pays{{25, 30, 30}, {36, 30, 30}, {24, 0, 0}, {0, 0, 0}}},
		{"ColumnFirst", Bet{KindColumn, nums(1), 10}, []pays{{1, 30, 30}, {34, 30, 30}, {2, 0, 0}, {0, 0, 0}}},
		{"ColumnThird", Bet{KindColumn, nums(3), 10}, []pays{{3, 30, 30}, {36, 30, 30}, {35, 0, 0}, {0, 0, 0}}},
		{"Red", Bet{KindRed, nil, 10}, []pays{{1, 20, 20}, {36, 20, 20}, {19, 20, 20}, {2, 0, 0}, {10, 0, 0}, {0, 0, 5}}},
		{"Black", Bet{KindBlack, nil, 10}, []pays{{2, 20, 20}, {35, 20, 20}, {1, 0, 0}, {0, 0, 5}}},
		{"Odd", Bet{KindOdd, nil, 10}, []pays{{35, 20, 20}, {36, 0, 0}, {0, 0, 5}}},
		{"Even", Bet{KindEven, nil, 10}, []pays{{36, 20, 20}, {35, 0, 0}, {0, 0, 5}}},
		{"Low", Bet{KindLow, nil, 10}, []pays{{1, 20, 20}, {18, 20, 20}, {19, 0, 0}, {0, 0, 5}}},
		{"High", Bet{KindHigh, nil, 10}, []pays{{19, 20, 20}, {36, 20, 20}, {18, 0, 0}, {0, 0, 5}}},
		{"HalfRoundsDown", Bet{KindRed, nil, 11}, []pays{{1, 22, 22}, {0, 0, 5}}},
		{"HalfOfOne", Bet{KindEven, nil, 1}, []pays{{0, 0, 0}, {2, 2, 2}}},
		{"Invalid", Bet{KindSplit, nums(1, 5), 10}, []pays{{1, 0, 0}, {5, 0, 0}}},
		{"NoAmount", Bet{KindRed, nil, 0}, []pays{{1, 0, 0}}},
		{"OffTheWheel", Bet{KindStraight, nums(17), 10}, []pays{{37, 0, 0}, {-1, 0, 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range tc.on {
				if got := tc.bet.Payout(p.result, false); got != p.want {
					t.Errorf("%+v on %d: %d, want %d", tc.bet, p.result, got, p.want)
				}
				if got := tc.bet.Payout(p.result, true); got != p.lapa {
					t.Errorf("%+v on %d with la partage: %d, want %d", tc.bet, p.result, got, p.lapa)
				}
			}
		})
	}
}

// TestRouletteColors checks the wheel's colors: 18 red, 18 black, one green,
// and the usual pattern (red on odd numbers in 1-10 and 19-28, on even ones
// in 11-18 and 29-36).
func TestRouletteColors(t *testing.T) {
	count := map[string]int{}
	for n := range Pockets {
		c := Color(n)
		count[c]++
		want := Black
		switch {
		case n == 0:
			want = Green
		case n <= 10 || n >= 19 && n <= 28:
			if n%2 == 1 {
				want = Red
			}
		default:
			if n%2 == 0 {
				want = Red
			}
		}
		if c != want {
			t.Errorf("Color(%d) = %s, want %s", n, c, want)
		}
	}
	if count[Red] != 18 || count[Black] != 18 || count[Green] != 1 || Color(37) != "" || Color(-1) != "" {
		t.Fatalf("colors %v", count)
	}
}

// TestRouletteInvalidBets checks every kind of bad bet gets the right
// error with a message that names the problem.
func TestRouletteInvalidBets(t *testing.T) {
	r := DefaultRules()
	for _, tc := range []struct {
		name string
		bet  Bet
		err  error
		msg  string
	}{
		{"SplitNotAdjacent", Bet{KindSplit, nums(1, 5), 10}, ErrInvalid, "split 1-5: a split is two numbers next to each other"},
		{"SplitAcrossRows", Bet{KindSplit, nums(3, 4), 10}, ErrInvalid, "split 3-4"},
		{"SplitAcrossRowsReversed", Bet{KindSplit, nums(7, 6), 10}, ErrInvalid, "split 7-6"},
		{"SplitDiagonal", Bet{KindSplit, nums(1, 5), 10}, ErrInvalid, "not 3-4"},
		{"SplitZeroFar", Bet{KindSplit, nums(0, 4), 10}, ErrInvalid, "split 0-4"},
		{"SplitTwice", Bet{KindSplit, nums(1, 1), 10}, ErrInvalid, "1 twice"},
		{"SplitOne", Bet{KindSplit, nums(17), 10}, ErrInvalid, "a split bet takes 2 numbers, not 1"},
		{"SplitThree", Bet{KindSplit, nums(1, 2, 3), 10}, ErrInvalid, "takes 2 numbers, not 3"},
		{"SplitOffTable", Bet{KindSplit, nums(36, 39), 10}, ErrInvalid, "39 is not on the wheel"},
		{"StreetNotARow", Bet{KindStreet, nums(2, 3, 4), 10}, ErrInvalid, "street 2-3-4: a street is a row of three"},
		{"StreetZero", Bet{KindStreet, nums(0, 1, 2), 10}, ErrInvalid, "street 0-1-2"},
		{"StreetGaps", Bet{KindStreet, nums(1, 2, 4), 10}, ErrInvalid, "street 1-2-4"},
		{"StreetColumn", Bet{KindStreet, nums(1, 4, 7), 10}, ErrInvalid, "street 1-4-7"},
		{"StreetTwo", Bet{KindStreet, nums(1, 2), 10}, ErrInvalid, "takes 3 numbers, not 2"},
		{"TrioOther", Bet{KindTrio, nums(0, 1, 3), 10}, ErrInvalid, "trio 0-1-3: a trio is 0-1-2 or 0-2-3"},
		{"TrioNoZero", Bet{KindTrio, nums(1, 2, 3), 10}, ErrInvalid, "trio 1-2-3"},
		{"CornerRow", Bet{KindCorner, nums(1, 2, 3, 4), 10}, ErrInvalid, "corner 1-2-3-4: a corner is four numbers in a square"},
		{"CornerWraps", Bet{KindCorner, nums(3, 4, 6, 7), 10}, ErrInvalid, "corner 3-4-6-7"},
		{"CornerFirstFour", Bet{KindCorner, nums(0, 1, 2, 3), 10}, ErrInvalid, "corner 0-1-2-3"},
		{"CornerStretched", Bet{KindCorner, nums(1, 2, 7, 8), 10}, ErrInvalid, "corner 1-2-7-8"},
		{"CornerThree", Bet{KindCorner, nums(1, 2, 4), 10}, ErrInvalid, "takes 4 numbers, not 3"},
		{"FirstFourOther", Bet{KindFirstFour, nums(0, 1, 2, 4), 10}, ErrInvalid, "first_four 0-1-2-4: a first four is 0-1-2-3"},
		{"FirstFourShort", Bet{KindFirstFour, nums(0, 1, 2), 10}, ErrInvalid, "takes 4 numbers, not 3"},
		{"SixLineNotAdjacent", Bet{KindSixLine, nums(1, 2, 3, 7, 8, 9), 10}, ErrInvalid, "six_line 1-2-3-7-8-9: a six line is two adjacent rows"},
		{"SixLineShifted", Bet{KindSixLine, nums(2, 3, 4, 5, 6, 7), 10}, ErrInvalid, "six_line 2-3-4-5-6-7"},
		{"SixLineZero", Bet{KindSixLine, nums(0, 1, 2, 3, 4, 5), 10}, ErrInvalid, "six_line 0-1-2-3-4-5"},
		{"SixLineOffEnd", Bet{KindSixLine, nums(34, 35, 36, 37, 38, 39), 10}, ErrInvalid, "37 is not on the wheel"},
		{"SixLineFive", Bet{KindSixLine, nums(1, 2, 3, 4, 5), 10}, ErrInvalid, "takes 6 numbers, not 5"},
		{"StraightHigh", Bet{KindStraight, nums(37), 10}, ErrInvalid, "straight 37: 37 is not on the wheel (0 to 36)"},
		{"StraightNegative", Bet{KindStraight, nums(-1), 10}, ErrInvalid, "-1 is not on the wheel"},
		{"StraightNone", Bet{KindStraight, nil, 10}, ErrInvalid, "a straight bet takes 1 number, not 0"},
		{"StraightTwo", Bet{KindStraight, nums(1, 2), 10}, ErrInvalid, "takes 1 number, not 2"},
		{"Dozen4", Bet{KindDozen, nums(4), 10}, ErrInvalid, "dozen 4: want 1, 2 or 3"},
		{"Dozen0", Bet{KindDozen, nums(0), 10}, ErrInvalid, "dozen 0"},
		{"DozenNone", Bet{KindDozen, nil, 10}, ErrInvalid, "a dozen bet takes one number, 1, 2 or 3"},
		{"DozenTwo", Bet{KindDozen, nums(1, 2), 10}, ErrInvalid, "a dozen bet takes one number"},
		{"Column4", Bet{KindColumn, nums(4), 10}, ErrInvalid, "column 4"},
		{"RedWithNumbers", Bet{KindRed, nums(1), 10}, ErrInvalid, "a red bet takes no numbers"},
		{"HighWithNumbers", Bet{KindHigh, nums(19, 20), 10}, ErrInvalid, "a high bet takes no numbers"},
		{"UnknownKind", Bet{"basket", nums(0, 1, 2, 3), 10}, ErrInvalid, `unknown bet kind "basket"`},
		{"NoKind", Bet{"", nil, 10}, ErrInvalid, `unknown bet kind ""`},
		{"LongKind", Bet{strings.Repeat("x", 500), nil, 10}, ErrInvalid, `"xxxxxxxxxxxxxxxxxxxx..."`},
		{"AmountZero", Bet{KindRed, nil, 0}, ErrBetOutOfRange, "a bet takes 1 to 1000 coins, not 0"},
		{"AmountNegative", Bet{KindStraight, nums(5), -5}, ErrBetOutOfRange, "not -5"},
		{"AmountAboveMax", Bet{KindDozen, nums(1), 1001}, ErrBetOutOfRange, "not 1001"},
		{"ShapeBeforeAmount", Bet{KindSplit, nums(1, 5), 0}, ErrInvalid, "split 1-5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.bet.Validate(r)
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("%+v: %v, want %v mentioning %q", tc.bet, err, tc.err, tc.msg)
			}
			if tc.err == ErrInvalid {
				if _, err := tc.bet.Covers(); !errors.Is(err, ErrInvalid) {
					t.Fatalf("Covers: %v", err)
				}
				if HouseEdge(tc.bet, false) != 0 {
					t.Fatal("an invalid bet has an edge")
				}
			}
		})
	}
	// Every valid shape passes with the smallest and largest amounts.
	for _, b := range allShapes() {
		for _, a := range []int64{r.MinBet, r.MaxBet} {
			b.Amount = a
			if err := b.Validate(r); err != nil {
				t.Errorf("%+v: %v", b, err)
			}
		}
	}
}

// layout places 1..36 on the table: row 0 is 1-2-3, column 0 is 1, 4, ...
func layout(n int) (row, col int) { return (n - 1) / 3, (n - 1) % 3 }

// TestRouletteShapes goes through every set of two, three and four numbers
// and checks that exactly the splits, streets, trios, corners and the first
// four of the layout are accepted, by an independent geometry of rows and
// columns; and every run of six for six lines.
func TestRouletteShapes(t *testing.T) {
	adjacent := func(a, b int) bool {
		if a == 0 || b == 0 {
			return a+b >= 1 && a+b <= 3
		}
		ra, ca := layout(a)
		rb, cb := layout(b)
		return (ra == rb && (ca-cb == 1 || cb-ca == 1)) || (ca == cb && (ra-rb == 1 || rb-ra == 1))
	}
	counts := map[string]int{}
	accepts := func(kind string, ns ...int) bool {
		_, err := cover(kind, ns)
		if err == nil {
			counts[kind]++
		} else if !errors.Is(err, ErrInvalid) {
			t.Fatalf("%s %v: %v", kind, ns, err)
		}
		return err == nil
	}
	for a := range Pockets {
		if !accepts(KindStraight, a) {
			t.Errorf("straight %d refused", a)
		}
		for b := a + 1; b < Pockets; b++ {
			if got := accepts(KindSplit, b, a); got != adjacent(a, b) {
				t.Errorf("split %d-%d: accepted %v", a, b, got)
			}
			for c := b + 1; c < Pockets; c++ {
				row := a > 0 && func() bool {
					ra, _ := layout(a)
					rb, _ := layout(b)
					rc, _ := layout(c)
					return ra == rb && rb == rc
				}()
				if got := accepts(KindStreet, c, a, b); got != row {
					t.Errorf("street %d-%d-%d: accepted %v", a, b, c, got)
				}
				trio := a == 0 && adjacent(b, c) && adjacent(0, b) && adjacent(0, c)
				if got := accepts(KindTrio, b, c, a); got != trio {
					t.Errorf("trio %d-%d-%d: accepted %v", a, b, c, got)
				}
				for d := c + 1; d < Pockets; d++ {
					square := a > 0 && func() bool {
						ra, ca := layout(a)
						rb, cb := layout(b)
						rc, cc := layout(c)
						rd, cd := layout(d)
						return ra == rb && rc == rd && rc == ra+1 && ca == cc && cb == cd && cb == ca+1
					}()
					if got := accepts(KindCorner, d, c, b, a); got != square {
						t.Errorf("corner %d-%d-%d-%d: accepted %v", a, b, c, d, got)
					}
					if got := accepts(KindFirstFour, a, b, c, d); got != (a == 0 && d == 3) {
						t.Errorf("first four %d-%d-%d-%d: accepted %v", a, b, c, d, got)
					}
				}
			}
		}
	}
	for n := 0; n+5 <= 40; n++ {
		ns := []int{n, n + 1, n + 2, n + 3, n + 4, n + 5}
		r1, c1 := layout(n)
		if got := accepts(KindSixLine, ns...); got != (n >= 1 && c1 == 0 && r1 <= 10) {
			t.Errorf("six line from %d: accepted %v", n, got)
		}
	}
	want := map[string]int{KindStraight: 37, KindSplit: 60, KindStreet: 12, KindTrio: 2, KindCorner: 22, KindFirstFour: 1, KindSixLine: 11}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%d %s bets, want %d", counts[k], k, n)
		}
	}
}

// allShapes lists every valid bet on the layout (amount 0): 37 straights,
// 60 splits, 12 streets, 2 trios, 22 corners, the first four, 11 six lines,
// 3 dozens, 3 columns and the 6 even-money bets.
func allShapes() []Bet {
	var out []Bet
	for n := range Pockets {
		out = append(out, Bet{Kind: KindStraight, Numbers: nums(n)})
	}
	out = append(out, Bet{Kind: KindSplit, Numbers: nums(0, 1)}, Bet{Kind: KindSplit, Numbers: nums(0, 2)}, Bet{Kind: KindSplit, Numbers: nums(0, 3)})
	for n := 1; n <= 36; n++ {
		if n%3 != 0 {
			out = append(out, Bet{Kind: KindSplit, Numbers: nums(n, n+1)})
		}
		if n <= 33 {
			out = append(out, Bet{Kind: KindSplit, Numbers: nums(n, n+3)})
		}
		if n%3 == 1 {
			out = append(out, Bet{Kind: KindStreet, Numbers: nums(n, n+1, n+2)})
			if n <= 31 {
				out = append(out, Bet{Kind: KindSixLine, Numbers: nums(n, n+1, n+2, n+3, n+4, n+5)})
			}
		}
		if n%3 != 0 && n <= 32 {
			out = append(out, Bet{Kind: KindCorner, Numbers: nums(n, n+1, n+3, n+4)})
		}
	}
	out = append(out, Bet{Kind: KindTrio, Numbers: nums(0, 1, 2)}, Bet{Kind: KindTrio, Numbers: nums(0, 2, 3)}, Bet{Kind: KindFirstFour})
	for k := 1; k <= 3; k++ {
		out = append(out, Bet{Kind: KindDozen, Numbers: nums(k)}, Bet{Kind: KindColumn, Numbers: nums(k)})
	}
	for _, k := range []string{KindRed, KindBlack, KindOdd, KindEven, KindLow, KindHigh} {
		out = append(out, Bet{Kind: k})
	}
	return out
}

// TestRouletteExactEdge goes through the 37 pockets for every valid bet on
// the layout: each gives back 36 stakes over 37 spins (an edge of 1/37),
// and with la partage an even-money bet gives back 36.5 (1/74).
func TestRouletteExactEdge(t *testing.T) {
	shapes := allShapes()
	if len(shapes) != 157 {
		t.Fatalf("%d shapes", len(shapes))
	}
	kinds := map[string]bool{}
	for _, b := range shapes {
		kinds[b.Kind] = true
		for _, lp := range []bool{false, true} {
			for _, a := range []int64{2, 10, 1000} {
				b.Amount = a
				var back int64
				for n := range Pockets {
					back += b.Payout(n, lp)
				}
				want, edge := 36*a, 1.0/37
				if lp && isEvenMoney(b.Kind) {
					want, edge = 36*a+a/2, 1.0/74
				}
				if back != want {
					t.Fatalf("%+v (la partage %v) gives back %d of %d staked, want %d", b, lp, back, 37*a, want)
				}
				if got := HouseEdge(b, lp); math.Abs(got-edge) > 1e-15 {
					t.Fatalf("HouseEdge(%+v, %v) = %v, want %v", b, lp, got, edge)
				}
			}
		}
	}
	if len(kinds) != len(Kinds()) {
		t.Fatalf("shapes cover %d kinds of %d", len(kinds), len(Kinds()))
	}
	// An odd stake's half rounds down: the house keeps a little more.
	if got, want := HouseEdge(Bet{Kind: KindRed, Amount: 1}, true), 1.0/37; math.Abs(got-want) > 1e-15 {
		t.Fatalf("red of 1 with la partage: %v, want %v", got, want)
	}
	if got, want := HouseEdge(Bet{Kind: KindRed, Amount: 3}, true), 2.0/111; math.Abs(got-want) > 1e-15 {
		t.Fatalf("red of 3 with la partage: %v, want %v", got, want)
	}
}

// TestRouletteCovers checks a bet's numbers come back sorted and whole.
func TestRouletteCovers(t *testing.T) {
	for _, tc := range []struct {
		bet  Bet
		want []int
	}{
		{Bet{Kind: KindCorner, Numbers: nums(21, 17, 20, 18)}, nums(17, 18, 20, 21)},
		{Bet{Kind: KindFirstFour}, nums(0, 1, 2, 3)},
		{Bet{Kind: KindColumn, Numbers: nums(2)}, nums(2, 5, 8, 11, 14, 17, 20, 23, 26, 29, 32, 35)},
		{Bet{Kind: KindDozen, Numbers: nums(3)}, nums(25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36)},
		{Bet{Kind: KindLow}, nums(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18)},
		{Bet{Kind: KindRed}, nums(1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36)},
	} {
		got, err := tc.bet.Covers()
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%+v covers %v (%v), want %v", tc.bet, got, err, tc.want)
		}
	}
}

// TestRouletteSpinChiSquare draws 370,000 spins (10,000 expected in each
// pocket) and holds the counts to a uniform wheel at the 99% level.
func TestRouletteSpinChiSquare(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		src := fair.NewSeeded(seed)
		counts := make([]int64, Pockets)
		for range 370_000 {
			n := Spin(src)
			if n < 0 || n >= Pockets {
				t.Fatalf("Spin gave %d", n)
			}
			counts[n]++
		}
		x := ChiSquare(counts)
		t.Logf("seed %d: chi-square %.2f on 36 degrees of freedom", seed, x)
		if x > ChiSquareCritical99 {
			t.Fatalf("seed %d: chi-square %.2f above %.3f: counts %v", seed, x, ChiSquareCritical99, counts)
		}
	}
}

// TestRouletteSpinDrawsOnce checks a spin is exactly one fair.Intn(src, 37):
// the same stream gives the same numbers.
func TestRouletteSpinDrawsOnce(t *testing.T) {
	a, b := fair.NewSeeded(5), fair.NewSeeded(5)
	for range 1000 {
		if x, y := Spin(a), fair.Intn(b, 37); x != y {
			t.Fatalf("Spin %d, Intn %d", x, y)
		}
	}
}

func TestRouletteRules(t *testing.T) {
	if err := DefaultRules().Validate(); err != nil {
		t.Fatal(err)
	}
	r := DefaultRules()
	if r.MinBet != 1 || r.MaxBet != 1000 || r.MaxTotal != 10_000 || r.MaxBets != 50 || r.LaPartage || r.History != 20 ||
		r.BetTime.Seconds() != 15 || r.SpinTime.Seconds() != 3 || r.PauseTime.Seconds() != 5 {
		t.Fatalf("defaults %+v", r)
	}
	for _, tc := range []struct {
		edit func(*Rules)
		msg  string
	}{
		{func(r *Rules) { r.MinBet = 0 }, "MinBet 0"},
		{func(r *Rules) { r.MaxBet = 0 }, "MaxBet 0"},
		{func(r *Rules) { r.MaxBet = 1 << 41; r.MaxTotal = 1 << 42 }, "MaxBet 2199023255552"},
		{func(r *Rules) { r.MaxTotal = 999 }, "MaxTotal 999"},
		{func(r *Rules) { r.MaxBets = 0 }, "MaxBets 0"},
		{func(r *Rules) { r.MaxBets = 1001 }, "MaxBets 1001"},
		{func(r *Rules) { r.BetTime = 0 }, "BetTime 0s"},
		{func(r *Rules) { r.SpinTime = -1 }, "SpinTime -1ns"},
		{func(r *Rules) { r.PauseTime = 0 }, "PauseTime 0s"},
		{func(r *Rules) { r.History = 0 }, "History 0"},
	} {
		r := DefaultRules()
		tc.edit(&r)
		err := r.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), "roulette rules: ") {
			t.Errorf("%+v: %v, want it to mention %s", r, err, tc.msg)
		}
		if _, err := NewTable(r, fair.NewSeeded(1), t0); err == nil {
			t.Errorf("NewTable took %+v", r)
		}
	}
	if _, err := NewTableWithResults(DefaultRules(), []int{3, 37}, fair.NewSeeded(1), t0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("forced result 37: %v", err)
	}
}
