package fair_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"strconv"
	"testing"
	"testing/iotest"

	"github.com/imperio-casino/imperio/games/fair"
)

// testServerSeed is the bytes 0, 1, ... 31: a seed anyone can type into
// another implementation to check the vectors below.
func testServerSeed() []byte {
	b := make([]byte, fair.ServerSeedLen)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// TestStreamVectors pins the documented derivation. The values were
// computed once with an independent implementation (Python's hmac and
// hashlib, following doc.go); a change here breaks every verification of a
// round already played.
func TestStreamVectors(t *testing.T) {
	seed := testServerSeed()
	if got, want := fair.HashSeed(seed), "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"; got != want {
		t.Fatalf("HashSeed = %s, want %s", got, want)
	}
	tests := []struct {
		server []byte
		client string
		nonce  uint64
		want   []uint64
	}{
		{seed, "imperio", 0, []uint64{7905880881583720176, 16444923006255161025, 16973142007633566296,
			13174906464344541763, 3900437676556569442, 4723886303891710193}},
		{seed, "imperio", 1, []uint64{2831123860771059341, 18108377908815563432, 12166517974732059611,
			7726295745244310037, 6478549253629119184, 1068498337630616128}},
		{seed, "imperio", 1000, []uint64{14171411901450916830, 2831616628398303616, 11259422658345607797,
			14661566165234903189, 6714726539970058046, 4147185930346715087}},
		{make([]byte, fair.ServerSeedLen), "", 0, []uint64{15202876977558575402, 10632618218796233354,
			12127631837698179314, 5616528515624741453, 3101062204286020037}},
	}
	for _, tt := range tests {
		t.Run(tt.client+":"+strconv.FormatUint(tt.nonce, 10), func(t *testing.T) {
			s := fair.NewStream(tt.server, tt.client, tt.nonce)
			for i, want := range tt.want {
				if got := s.Uint64(); got != want {
					t.Fatalf("value %d = %d, want %d", i, got, want)
				}
			}
		})
	}
	t.Run("Intn37", func(t *testing.T) {
		// The first wheel number of nonces 0 to 4.
		for nonce, want := range []int{15, 5, 31, 12, 33} {
			if got := fair.Intn(fair.NewStream(seed, "imperio", uint64(nonce)), 37); got != want {
				t.Errorf("nonce %d: Intn(37) = %d, want %d", nonce, got, want)
			}
		}
	})
}

// TestStreamIsTheDocumentedHMAC recomputes the first blocks with
// crypto/hmac directly, message by message, as a verifier would.
func TestStreamIsTheDocumentedHMAC(t *testing.T) {
	server := testServerSeed()
	for _, client := range []string{"", "x", "a:b:c", "Lucky 7!"} {
		for _, nonce := range []uint64{0, 9, 10, 1 << 40, ^uint64(0)} {
			s := fair.NewStream(server, client, nonce)
			for cursor := range 3 {
				mac := hmac.New(sha256.New, server)
				mac.Write([]byte(client + ":" + strconv.FormatUint(nonce, 10) + ":" + strconv.Itoa(cursor)))
				block := mac.Sum(nil)
				for i := range 4 {
					if got, want := s.Uint64(), binary.BigEndian.Uint64(block[8*i:]); got != want {
						t.Fatalf("client %q nonce %d cursor %d value %d: %d, want %d", client, nonce, cursor, i, got, want)
					}
				}
			}
		}
	}
}

func TestStreamInputsMatter(t *testing.T) {
	server := testServerSeed()
	other := testServerSeed()
	other[31] ^= 1
	first := func(s fair.Source) uint64 { return s.Uint64() }
	base := first(fair.NewStream(server, "c", 7))
	if first(fair.NewStream(server, "c", 7)) != base {
		t.Fatal("the same seed, client seed and nonce gave different values")
	}
	for name, s := range map[string]fair.Source{
		"server": fair.NewStream(other, "c", 7),
		"client": fair.NewStream(server, "d", 7),
		"nonce":  fair.NewStream(server, "c", 8),
		// "c1" + ":" + "7" must not collide with "c" + ":" + "17".
		"split": fair.NewStream(server, "c1", 7),
	} {
		if first(s) == base {
			t.Errorf("changing the %s did not change the stream", name)
		}
	}
	seed := fair.Seed{Server: server, Client: "c", Nonce: 7}
	if first(seed.Stream()) != base {
		t.Error("Seed.Stream differs from NewStream")
	}
}

func TestNewServerSeed(t *testing.T) {
	src := bytes.NewReader(append(testServerSeed(), 0xff))
	b, err := fair.NewServerSeed(src)
	if err != nil || !bytes.Equal(b, testServerSeed()) {
		t.Fatalf("NewServerSeed = %x, %v", b, err)
	}
	if _, err := fair.NewServerSeed(bytes.NewReader(make([]byte, 31))); err == nil {
		t.Fatal("a short read gave a seed")
	}
	boom := errors.New("boom")
	if _, err := fair.NewServerSeed(iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Fatalf("failing reader: %v", err)
	}
}

// chiSquare returns the statistic of counts against a uniform expectation.
func chiSquare(counts []int) float64 {
	total := 0
	for _, c := range counts {
		total += c
	}
	want := float64(total) / float64(len(counts))
	var chi2 float64
	for _, c := range counts {
		d := float64(c) - want
		chi2 += d * d / want
	}
	return chi2
}

// TestStreamWheelUniform draws roulette numbers the way a wheel would, one
// stream per round, eight draws each so that draws span several blocks.
// Chi-square at 99% with 36 degrees of freedom: 58.619.
func TestStreamWheelUniform(t *testing.T) {
	server := testServerSeed()
	counts := make([]int, 37)
	for nonce := range uint64(50_000) {
		s := fair.NewStream(server, "wheel", nonce)
		for range 8 {
			counts[fair.Intn(s, 37)]++
		}
	}
	chi2 := chiSquare(counts)
	if chi2 > 58.619 {
		t.Fatalf("chi-square = %.3f > 58.619 (99%%, 36 degrees of freedom); counts %v", chi2, counts)
	}
	t.Logf("chi-square %.3f (36 degrees of freedom)", chi2)
}

// TestStreamShuffleUniform shuffles a deck of 52 by Fisher-Yates from a
// stream per nonce, as a table would, and checks where given cards end up:
// each position equally often. Chi-square at 99% with 51 degrees of
// freedom: 77.386.
func TestStreamShuffleUniform(t *testing.T) {
	const shuffles = 52 * 1000
	server := testServerSeed()
	tracked := []int{0, 1, 25, 51} // the first card, its neighbour, the middle, the last
	counts := make([][]int, len(tracked))
	for i := range counts {
		counts[i] = make([]int, 52)
	}
	var deck [52]int
	for nonce := range uint64(shuffles) {
		for i := range deck {
			deck[i] = i
		}
		s := fair.NewStream(server, "deck", nonce)
		for i := len(deck) - 1; i > 0; i-- {
			j := fair.Intn(s, i+1)
			deck[i], deck[j] = deck[j], deck[i]
		}
		for pos, card := range deck {
			for k, c := range tracked {
				if card == c {
					counts[k][pos]++
				}
			}
		}
	}
	for k, c := range tracked {
		chi2 := chiSquare(counts[k])
		if chi2 > 77.386 {
			t.Errorf("card %d: chi-square of its positions = %.3f > 77.386 (99%%, 51 degrees of freedom); counts %v",
				c, chi2, counts[k])
		}
		t.Logf("card %d: chi-square %.3f (51 degrees of freedom)", c, chi2)
	}
}

func BenchmarkStream(b *testing.B) {
	server := testServerSeed()
	b.Run("NewStreamAndFiveDraws", func(b *testing.B) {
		for i := range b.N {
			s := fair.NewStream(server, "bench", uint64(i))
			for range 5 {
				fair.Intn(s, 24)
			}
		}
	})
	b.Run("Uint64", func(b *testing.B) {
		s := fair.NewStream(server, "bench", 0)
		for range b.N {
			s.Uint64()
		}
	})
}
