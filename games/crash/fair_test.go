package crash

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/big"
	"testing"

	"github.com/imperio-casino/imperio/games/fair"
)

const e52 = 1 << hashBits

// hashWith is a round hash whose first 52 bits are v.
func hashWith(v uint64) [32]byte {
	var h [32]byte
	binary.BigEndian.PutUint64(h[:8], v<<(64-hashBits))
	for i := 8; i < 32; i++ {
		h[i] = 0xa5 // the rest of the hash does not count
	}
	return h
}

func TestCrashPointValues(t *testing.T) {
	for _, tc := range []struct {
		v    uint64
		want int64
	}{
		{0, 100},                    // Bustabit's 0.99x: the instant crash
		{e52/100 + 1, 101},          // the first h with 99e/(e-h) >= 100: pays up to 1.00x
		{e52 / 100, 100},            // just below: an instant crash
		{e52 / 2, 199},              // 1.98x Bustabit: pays up to 1.98x
		{e52 - e52/100, 9901},       // 99x
		{e52 - 1, 99*e52 + 1},       // the highest
		{e52 - 99*e52/10000, 10001}, // h = e - 99e/10000: pays up to 100.00x
	} {
		h := hashWith(tc.v)
		if got := CrashPointOf(h); got != tc.want {
			t.Errorf("h=%d: crash point %d, want %d", tc.v, got, tc.want)
		}
		if got := CrashPoint(hex.EncodeToString(h[:])); got != tc.want {
			t.Errorf("h=%d: CrashPoint(hex) %d, want %d", tc.v, got, tc.want)
		}
	}
	for _, bad := range []string{"", "00", "xyz", string(make([]byte, 64))} {
		if CrashPoint(bad) != 0 {
			t.Errorf("CrashPoint(%q) is not 0", bad)
		}
	}
}

// TestCrashPointDistributionExact proves the distribution over the whole
// 52-bit space: the crash point never falls as h grows (it is
// floor(99e/(e-h))+1 and e-h falls), so the hashes whose crash point is
// above x are exactly those from the first one that is, h*, on; the test
// checks that h* is e - floor(99e/x) (the crash point there is above x, one
// below it is not), so P(c > x) = floor(99e/x)/e, which is 0.99/(x/100) to
// within 2^-52, and the return of a cash-out at x is 99% to within x/100 *
// 2^-52.
func TestCrashPointDistributionExact(t *testing.T) {
	xs := []int64{99, 100, 101, 110, 133, 150, 199, 200, 201, 333, 1000, 10_000, 12_345, 100_000, 999_999, 1_000_000}
	for x := int64(100); x <= 100_000; x += 37 {
		xs = append(xs, x)
	}
	for _, x := range xs {
		num, den := WinChance(x)
		if den != e52 {
			t.Fatalf("WinChance(%d) over %d", x, den)
		}
		hStar := e52 - num
		if CrashPointOf(hashWith(hStar)) <= x {
			t.Fatalf("x=%d: crash point at h*=%d is %d", x, hStar, CrashPointOf(hashWith(hStar)))
		}
		if hStar > 0 && CrashPointOf(hashWith(hStar-1)) > x {
			t.Fatalf("x=%d: crash point below h* is %d", x, CrashPointOf(hashWith(hStar-1)))
		}
		// P(c > x) = num/2^52 against 99/x, exactly.
		p := new(big.Rat).SetFrac(new(big.Int).SetUint64(num), new(big.Int).SetUint64(den))
		ideal := big.NewRat(99, x)
		diff := new(big.Rat).Sub(ideal, p)
		if diff.Sign() < 0 || diff.Cmp(big.NewRat(1, e52)) >= 0 {
			t.Fatalf("x=%d: P(c > x) = %v, 99/x = %v", x, p.FloatString(20), ideal.FloatString(20))
		}
		if x >= 100 {
			if rtp := RTP(x); math.Abs(rtp-0.99) > float64(x)/100/e52+1e-15 {
				t.Fatalf("RTP(%d) = %.15f", x, rtp)
			}
		}
	}
	// The instant crash: h < e/100, 1% exactly... to within 2^-52.
	num, _ := WinChance(100)
	if inst := float64(e52-num) / e52; math.Abs(inst-0.01) > 1e-15 {
		t.Fatalf("instant crash chance %v", inst)
	}
}

// TestCrashPointDistributionDraws checks the crash points of a million
// random hashes: at each threshold the share above it is within 4 standard
// errors of 0.99/m, and the counts in the bins between the thresholds pass
// a chi-square test.
func TestCrashPointDistributionDraws(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 200_000
	}
	thresholds := []int64{100, 101, 150, 200, 1000, 10_000}
	above := make([]int, len(thresholds))
	src := fair.NewSeeded(2026)
	var h [32]byte
	for range n {
		for i := 0; i < 32; i += 8 {
			binary.LittleEndian.PutUint64(h[i:], src.Uint64())
		}
		c := CrashPointOf(h)
		for j, x := range thresholds {
			if c > x {
				above[j]++
			}
		}
	}
	chi2 := 0.0
	for j, x := range thresholds {
		p := 99 / float64(x)
		got := float64(above[j]) / float64(n)
		se := math.Sqrt(p * (1 - p) / float64(n))
		if z := (got - p) / se; math.Abs(z) > 4 {
			t.Errorf("P(crash > %s) = %.6f, want %.6f (z = %.2f)", formatX(x), got, p, z)
		}
		// The bin (x_j, x_(j+1)], the last one open.
		next, pNext := 0, 0.0
		if j+1 < len(thresholds) {
			next, pNext = above[j+1], 99/float64(thresholds[j+1])
		}
		exp := (p - pNext) * float64(n)
		obs := float64(above[j] - next)
		chi2 += (obs - exp) * (obs - exp) / exp
	}
	// Below 1.00x: the bin of instant crashes.
	exp, obs := 0.01*float64(n), float64(n-above[0])
	chi2 += (obs - exp) * (obs - exp) / exp
	// 7 bins, 6 degrees of freedom: P(chi2 > 22.46) = 0.001.
	if chi2 > 22.46 {
		t.Errorf("chi-square %.2f over 7 bins", chi2)
	}
	t.Logf("%d draws: instant %.4f%%, above %v: %v, chi-square %.2f", n, 100*float64(n-above[0])/float64(n), thresholds, above, chi2)
}
