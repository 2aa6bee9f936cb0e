package fair

import (
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
)

// Source is the randomness a game draws from: uniformly distributed 64-bit
// values. *rand.ChaCha8 and *rand.PCG from math/rand/v2 satisfy it.
type Source interface {
	Uint64() uint64
}

// Intn returns a uniform int in [0, n). It uses Lemire's multiply-and-reject
// method, so no value is favoured however n divides 2^64: a draw whose low
// half falls in the short, biased zone is thrown away and drawn again (at
// most a chance of n/2^64 per draw). Intn panics if n <= 0.
func Intn(src Source, n int) int {
	if n <= 0 {
		panic("fair: Intn called with n <= 0")
	}
	un := uint64(n)
	hi, lo := bits.Mul64(src.Uint64(), un)
	if lo < un {
		threshold := -un % un // 2^64 mod n
		for lo < threshold {
			hi, lo = bits.Mul64(src.Uint64(), un)
		}
	}
	return int(hi)
}

// NewCrypto returns a Source for production: a ChaCha8 generator seeded with
// 32 bytes from crypto/rand. ChaCha8 is a cryptographically strong stream, so
// past draws do not predict later ones, and it is fast enough to draw every
// reel stop from. The Source is not safe for concurrent use: give each room
// its own.
func NewCrypto() Source {
	var seed [32]byte
	if _, err := crand.Read(seed[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return rand.NewChaCha8(seed)
}

// NewSeeded returns a deterministic Source for tests and simulation: a
// ChaCha8 generator whose 32-byte seed is the SHA-256 of seed written as 8
// big-endian bytes. The same seed always gives the same sequence, on every
// platform and in every language that can compute SHA-256 and ChaCha8.
func NewSeeded(seed uint64) Source {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	return rand.NewChaCha8(sha256.Sum256(b[:]))
}
