package crash

import (
	"fmt"
	"math"
)

// Growth is r in the multiplier curve m(t) = e^(r*t), t in milliseconds:
// the multiplier doubles every ln 2 / r = 11,552 ms (Bustabit's curve).
const Growth = 0.00006

// maxCurve is where Multiplier saturates, far above any crash point.
const maxCurve = 1 << 62

// Multiplier is the multiplier ms milliseconds into a round, in hundredths:
// floor(100 * e^(Growth*ms)). It is 100 (1.00x) at the start and before,
// never decreases, and saturates at 2^62.
func Multiplier(ms int64) int64 {
	if ms <= 0 {
		return 100
	}
	v := math.Floor(100 * math.Exp(Growth*float64(ms)))
	if v >= maxCurve {
		return maxCurve
	}
	return int64(v)
}

// ReachedAt is the first millisecond of a round at which the multiplier is
// x hundredths or more: 0 for x <= 100, 11,553 for 2.00x. A round whose
// crash point is c crashes at ReachedAt(c); an auto cash-out at x triggers
// at ReachedAt(x). It returns math.MaxInt64 for x above 2^62, which the
// curve never reaches.
func ReachedAt(x int64) int64 {
	if x <= 100 {
		return 0
	}
	if x > maxCurve {
		return math.MaxInt64
	}
	ms := int64(math.Ceil(math.Log(float64(x)/100) / Growth))
	ms = max(ms, 0)
	for ms > 0 && Multiplier(ms-1) >= x {
		ms--
	}
	for Multiplier(ms) < x {
		ms++
	}
	return ms
}

// formatX writes a multiplier in hundredths the way players read it: 2.00x.
func formatX(x int64) string {
	return fmt.Sprintf("%d.%02dx", x/100, x%100)
}
