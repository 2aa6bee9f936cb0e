package crash

import (
	"math"
	"testing"
)

func TestMultiplier(t *testing.T) {
	for _, tc := range []struct{ ms, want int64 }{
		// Values from an independent floor(100*exp(0.00006*ms)).
		{-5, 100}, {0, 100}, {1, 100}, {165, 100}, {166, 101}, {5000, 134}, {11552, 199}, {11553, 200},
		{18310, 299}, {18311, 300}, {76752, 9999}, {76753, 10000}, {153505, 999_959}, {153506, 1_000_019},
	} {
		if got := Multiplier(tc.ms); got != tc.want {
			t.Errorf("Multiplier(%d) = %d, want %d", tc.ms, got, tc.want)
		}
	}
	if Multiplier(math.MaxInt64) != maxCurve || ReachedAt(maxCurve+1) != math.MaxInt64 {
		t.Error("the curve does not saturate")
	}
}

// The curve never falls, and ReachedAt is the first millisecond at which
// it reaches each multiplier, up to the highest cap the rules allow.
func TestCurveExhaustive(t *testing.T) {
	end := ReachedAt(maxMultiplierLimit) + 1000
	prev := Multiplier(0)
	x := int64(101)
	for ms := int64(1); ms <= end; ms++ {
		m := Multiplier(ms)
		if m < prev {
			t.Fatalf("Multiplier(%d) = %d < Multiplier(%d) = %d", ms, m, ms-1, prev)
		}
		// Every x in (prev, m] is first reached at ms.
		// (Every one up to the default cap, a sample above it.)
		for ; x <= m; x++ {
			if x > 1_000_000 && x%101 != 0 {
				continue
			}
			if got := ReachedAt(x); got != ms {
				t.Fatalf("ReachedAt(%d) = %d, want %d", x, got, ms)
			}
		}
		prev = m
	}
	if ReachedAt(100) != 0 || ReachedAt(1) != 0 {
		t.Error("1.00x is not reached at 0")
	}
}
