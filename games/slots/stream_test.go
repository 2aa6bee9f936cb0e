package slots

import (
	"reflect"
	"strconv"
	"testing"

	"github.com/imperio-casino/imperio/games/fair"
)

// TestStreamStopsUniform plays 200,000 rounds of Pharaoh's Gold the way the
// hub does, each from the provably-fair stream of its own nonce, and checks
// that every reel's base-spin stop is uniform over its 24 stops. Chi-square
// at 99% with 23 degrees of freedom: 41.638.
func TestStreamStopsUniform(t *testing.T) {
	const rounds = 200_000
	m := mustLookup(t, "pharaohs-gold")
	server := make([]byte, fair.ServerSeedLen)
	for i := range server {
		server[i] = byte(0xa5 ^ i)
	}
	counts := make([][]int, len(m.Reels))
	for r := range counts {
		counts[r] = make([]int, len(m.Reels[r]))
	}
	for nonce := range uint64(rounds) {
		o := m.Spin(fair.NewStream(server, "reels", nonce), m.MinBet)
		for r, stop := range o.Stops {
			counts[r][stop]++
		}
	}
	for r, c := range counts {
		t.Run("Reel"+strconv.Itoa(r+1), func(t *testing.T) {
			want := float64(rounds) / float64(len(c))
			var chi2 float64
			for _, n := range c {
				d := float64(n) - want
				chi2 += d * d / want
			}
			if chi2 > 41.638 {
				t.Fatalf("chi-square = %.3f > 41.638 (99%%, 23 degrees of freedom); counts %v", chi2, c)
			}
			t.Logf("chi-square %.3f (23 degrees of freedom)", chi2)
		})
	}
}

// TestStreamRoundReplays: a round is a function of its seed, client seed,
// nonce, machine and bet: replaying it from the same three gives the same
// outcome, free spins included.
func TestStreamRoundReplays(t *testing.T) {
	server := make([]byte, fair.ServerSeedLen)
	for _, m := range Machines() {
		for nonce := range uint64(200) {
			a := m.Spin(fair.NewStream(server, "replay", nonce), m.MinBet)
			b := m.Spin(fair.NewStream(server, "replay", nonce), m.MinBet)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s nonce %d: %+v, then %+v", m.ID, nonce, a, b)
			}
		}
	}
}
