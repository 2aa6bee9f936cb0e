package crash

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// chainSpan is how far apart a Chain keeps its checkpoints: it holds one
// hash in chainSpan plus one span worked out, so a chain of ten million
// rounds takes about 350 KB and each round costs one SHA-256 on average.
const chainSpan = 1024

// Chain is a table's published hash chain, Bustabit style. From a secret
// seed and a length n it computes h_n = SHA-256(seed) and then
// h_(i-1) = SHA-256(h_i) down to h_0, each hash taken over the 32 bytes of
// the one before (not its hex). h_0, the terminating hash, is published
// before play; round k of the chain plays h_k, so the rounds walk the chain
// backwards from h_1, the hash just before the terminating one. Once round
// k has crashed its hash is revealed, and anyone can hash it forward k times
// to reach h_0: the operator committed to every round's hash, and so to its
// crash point, before the first one was played. Going the other way (from
// h_k to h_(k+1)) would take a SHA-256 preimage.
//
// A Chain is not safe for concurrent use; its table owns it.
type Chain struct {
	n, used int
	term    [32]byte
	top     [32]byte   // h_n
	marks   [][32]byte // marks[j] = h_((j+1)*chainSpan)
	block   [][32]byte // h_lo .. h_(lo+len-1), the span in use
	lo      int
}

// NewChain computes the chain of n hashes from seed, which should be 32
// secret bytes from a cryptographic source (any length is hashed, but a
// short or guessable seed gives the chain away). It takes n SHA-256s. It
// panics if n < 1.
func NewChain(seed []byte, n int) *Chain {
	if n < 1 {
		panic("crash: NewChain called with n < 1")
	}
	c := &Chain{n: n, marks: make([][32]byte, n/chainSpan)}
	h := sha256.Sum256(seed)
	c.top = h
	for i := n; i >= 1; i-- {
		if i%chainSpan == 0 {
			c.marks[i/chainSpan-1] = h
		}
		h = sha256.Sum256(h[:])
	}
	c.term = h
	return c
}

// Terminating is the chain's terminating hash h_0 in hex, the commitment
// to publish before play.
func (c *Chain) Terminating() string { return hex.EncodeToString(c.term[:]) }

// Len is the number of rounds the chain holds.
func (c *Chain) Len() int { return c.n }

// Used is how many hashes Next has handed out; the next is Used()+1.
func (c *Chain) Used() int { return c.used }

// Left is how many rounds the chain has left.
func (c *Chain) Left() int { return c.n - c.used }

// Next hands out the next round's hash, h_index in hex, with its index
// (1 for the first round). ok is false when the chain is used up.
func (c *Chain) Next() (index int, hash string, ok bool) {
	i, h, ok := c.next()
	if !ok {
		return 0, "", false
	}
	return i, hex.EncodeToString(h[:]), true
}

func (c *Chain) next() (int, [32]byte, bool) {
	if c.used >= c.n {
		return 0, [32]byte{}, false
	}
	c.used++
	return c.used, c.at(c.used), true
}

// SkipTo moves the chain on so that the next hash handed out is
// h_(used+1): a table restored after a restart resumes past every hash
// it may have drawn. It never goes back (a hash once drawn must not be
// played again) and never past the end.
func (c *Chain) SkipTo(used int) error {
	if used < c.used || used > c.n {
		return fmt.Errorf("%w: chain position %d: want %d to %d", ErrInvalid, used, c.used, c.n)
	}
	c.used = used
	return nil
}

// at returns h_k, 1 <= k <= n, working out the span that holds it from its
// checkpoint when it is not the span in use.
func (c *Chain) at(k int) [32]byte {
	if k >= c.lo && k < c.lo+len(c.block) {
		return c.block[k-c.lo]
	}
	s := (k - 1) / chainSpan
	lo, hi := s*chainSpan+1, min((s+1)*chainSpan, c.n)
	h := c.top
	if hi%chainSpan == 0 {
		h = c.marks[hi/chainSpan-1]
	}
	if cap(c.block) < hi-lo+1 {
		c.block = make([][32]byte, hi-lo+1)
	}
	c.block = c.block[:hi-lo+1]
	c.lo = lo
	c.block[hi-lo] = h
	for i := hi; i > lo; i-- {
		h = sha256.Sum256(h[:])
		c.block[i-1-lo] = h
	}
	return c.block[k-lo]
}

// Verify hashes roundHash forward, at most maxSteps times, until it reaches
// terminating, and says after how many steps: a revealed round hash of
// chain index k reaches it after k. Both are 64 hex digits; anything else,
// or a hash that does not reach terminating in maxSteps, fails.
func Verify(roundHash, terminating string, maxSteps int) (steps int, ok bool) {
	h, ok1 := decodeHash(roundHash)
	term, ok2 := decodeHash(terminating)
	if !ok1 || !ok2 {
		return 0, false
	}
	for s := 1; s <= maxSteps; s++ {
		h = sha256.Sum256(h[:])
		if h == term {
			return s, true
		}
	}
	return 0, false
}

func decodeHash(s string) ([32]byte, bool) {
	var h [32]byte
	if len(s) != 64 {
		return h, false
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, false
	}
	return h, true
}

// The crash point.
//
// Let h be the first 52 bits of the round hash (its first 13 hex digits)
// and e = 2^52. The crash point, in hundredths, is
//
//	c = floor(99*e / (e - h)) + 1
//
// a whole number from 100 up. Its first term is Bustabit's bust formula,
// floor(99 / (1 - h/e)) hundredths, which is here the highest multiplier a
// round pays; the crash point is the first multiplier it does not reach,
// one hundredth above, because a cash-out must come before the crash (see
// the package doc). For any x >= 99 hundredths:
//
//	c > x  <=>  floor(99e/(e-h)) >= x  <=>  99e/(e-h) >= x
//	       <=>  e - h <= floor(99e/x)   (e - h is a whole number)
//	       <=>  h >= e - floor(99e/x)
//
// and h is uniform on [0, e), so P(c > x) = floor(99e/x)/e: 0.99/(x/100)
// less under 2^-52. A cash-out at x hundredths (auto or by hand) is paid
// exactly when c > x, so its expected return is x/100 * P(c > x) = 99% for
// every x: the house's 1% is the round that crashes at 1.00x, before anyone
// can cash out (h < e/100). WinChance gives the exact fraction and RTP the
// return.

// CrashPoint is the crash point of the round whose hash is roundHash (64
// hex digits), in hundredths, before any table's cap (Rules.MaxMultiplier).
// It returns 0, which no round has, for anything that is not such a hash.
func CrashPoint(roundHash string) int64 {
	h, ok := decodeHash(roundHash)
	if !ok {
		return 0
	}
	return CrashPointOf(h)
}

// hashBits is the number of bits of the hash the crash point reads.
const hashBits = 52

// CrashPointOf is CrashPoint of a hash given as its 32 bytes. It allocates
// nothing, for simulations.
func CrashPointOf(h [32]byte) int64 {
	const e = 1 << hashBits
	v := binary.BigEndian.Uint64(h[:8]) >> (64 - hashBits)
	return int64(99*e/(e-v)) + 1
}

// WinChance is the exact chance that a round's crash point (uncapped) is
// above x hundredths, num/den with den = 2^52: the chance that a cash-out
// at x is paid. For x < 99 it is 1.
func WinChance(x int64) (num, den uint64) {
	const e = 1 << hashBits
	if x < 99 {
		return e, e
	}
	return 99 * e / uint64(x), e
}

// RTP is the expected return, as a fraction of the stake, of cashing out
// at x hundredths (an auto cash-out at x): x/100 * WinChance(x), which is
// 0.99 to within 2^-52 * x/100 for every x from 100 up. The table's cap
// makes no difference below MaxMultiplier. Whole coins round each payout
// down on top of this (a bet of 1 cashed out at 1.50x is paid 1).
func RTP(x int64) float64 {
	num, den := WinChance(x)
	return float64(x) / 100 * float64(num) / float64(den)
}
