package fair

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strconv"
)

// Scheme names the provably-fair derivation of this package, as rounds
// record it in their fairness proof.
const Scheme = "hmac-sha256"

// ServerSeedLen is the length of a server seed in bytes.
const ServerSeedLen = 32

// Seed is everything one round's randomness comes from: the server seed
// (secret until revealed), the player's client seed and the nonce, the
// number of rounds the pair had served before this one.
type Seed struct {
	Server []byte // ServerSeedLen random bytes
	Client string
	Nonce  uint64
}

// Stream returns the Source of the round this seed stands for.
func (s Seed) Stream() *Stream { return NewStream(s.Server, s.Client, s.Nonce) }

// NewServerSeed reads a new server seed of ServerSeedLen bytes from src
// (crypto/rand.Reader in production).
func NewServerSeed(src io.Reader) ([]byte, error) {
	b := make([]byte, ServerSeedLen)
	if _, err := io.ReadFull(src, b); err != nil {
		return nil, fmt.Errorf("read server seed: %w", err)
	}
	return b, nil
}

// HashSeed returns the commitment to a server seed: the SHA-256 of its raw
// bytes (not of their hex text), as 64 lower-case hex digits. It is shown
// to the player before the seed serves any round; once the seed is
// revealed, anyone can check that it hashes to what was shown.
func HashSeed(server []byte) string {
	sum := sha256.Sum256(server)
	return hex.EncodeToString(sum[:])
}

// Stream is the deterministic Source of one round: a sequence of HMAC-SHA256
// blocks, keyed by the server seed, over the client seed, the nonce and a
// block counter, read 8 bytes at a time. See the package documentation for
// the exact derivation. A Stream is not safe for concurrent use.
type Stream struct {
	mac    hash.Hash
	prefix []byte // client + ":" + nonce + ":"
	msg    []byte // prefix + cursor, rebuilt per block
	cursor uint64
	block  [sha256.Size]byte
	used   int // bytes of block already returned; len(block) when a new block is due
}

// NewStream returns the Source of the round played with the server seed,
// the client seed and the nonce. The same three always give the same
// values, on every platform.
func NewStream(server []byte, client string, nonce uint64) *Stream {
	prefix := make([]byte, 0, len(client)+42)
	prefix = append(prefix, client...)
	prefix = append(prefix, ':')
	prefix = strconv.AppendUint(prefix, nonce, 10)
	prefix = append(prefix, ':')
	return &Stream{
		mac:    hmac.New(sha256.New, server),
		prefix: prefix,
		used:   sha256.Size,
	}
}

// Uint64 returns the next 8 bytes of the stream as a big-endian integer.
// Each HMAC block of 32 bytes gives four values; the fifth call computes
// the block of the next cursor.
func (s *Stream) Uint64() uint64 {
	if s.used == len(s.block) {
		s.msg = strconv.AppendUint(append(s.msg[:0], s.prefix...), s.cursor, 10)
		s.mac.Reset()
		s.mac.Write(s.msg)
		s.mac.Sum(s.block[:0])
		s.cursor++
		s.used = 0
	}
	v := binary.BigEndian.Uint64(s.block[s.used:])
	s.used += 8
	return v
}
