package imperio

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// NewID returns a new identifier for a round or a session: 32 hex digits, the
// first 12 the creation time in milliseconds so that identifiers sort by
// time, the rest random. It is made by the process, not the database, so a
// room knows its round's id before anything is written.
func NewID() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}
