package auth

import (
	"context"
	"sync"
	"time"
)

// MemoryRevoker is the Revoker of a single instance: revoked token ids kept
// in memory until the tokens would have expired anyway. Several instances
// need a shared one (Redis).
type MemoryRevoker struct {
	mu      sync.Mutex
	revoked map[string]time.Time // token id -> its expiry
	now     func() time.Time
}

// NewMemoryRevoker returns an empty MemoryRevoker; a nil now is time.Now.
func NewMemoryRevoker(now func() time.Time) *MemoryRevoker {
	if now == nil {
		now = time.Now
	}
	return &MemoryRevoker{revoked: make(map[string]time.Time), now: now}
}

// Revoke refuses tokenID from now until until, when the token expires.
func (m *MemoryRevoker) Revoke(_ context.Context, tokenID string, until time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for id, exp := range m.revoked { // forget what has expired by itself
		if !exp.After(now) {
			delete(m.revoked, id)
		}
	}
	if until.After(now) {
		m.revoked[tokenID] = until
	}
	return nil
}

// Revoked reports whether tokenID was revoked (and has not expired since).
func (m *MemoryRevoker) Revoked(_ context.Context, tokenID string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	exp, ok := m.revoked[tokenID]
	return ok && exp.After(m.now()), nil
}
