package hub

import (
	"context"
	"sync"
	"time"
)

// Lease is an instance's hold on a room: while it lasts, that instance alone
// runs the room. Token is the fencing token, larger at every new holder: the
// store refuses rounds opened under an older one.
type Lease struct {
	Room  string
	Owner string
	Token int64
}

// Leases decide which instance runs each table room. RedisLeases share them
// between instances; MemoryLeases serve instances in one process (tests).
type Leases interface {
	// Acquire takes the room for owner if no one holds it (or owner already
	// does, under the same token), for ttl. It returns the holder: owner's
	// new lease when ok, someone else's otherwise.
	Acquire(ctx context.Context, room, owner string, ttl time.Duration) (l Lease, ok bool, err error)
	// Renew extends l for ttl. It also takes the room back when l's key
	// expired meanwhile but nobody else acquired it (the token is still the
	// latest). False: the lease is lost.
	Renew(ctx context.Context, l Lease, ttl time.Duration) (bool, error)
	// Release gives the room up if l still holds it.
	Release(ctx context.Context, l Lease) error
	// Holder is the room's current holder; false when it is free.
	Holder(ctx context.Context, room string) (Lease, bool, error)
}

// MemoryLeases keep leases in process, for several hubs sharing one process.
type MemoryLeases struct {
	mu     sync.Mutex
	now    func() time.Time
	held   map[string]memoryLease
	tokens map[string]int64
}

type memoryLease struct {
	Lease
	until time.Time
}

// NewMemoryLeases returns an empty lease table on the wall clock.
func NewMemoryLeases() *MemoryLeases {
	return &MemoryLeases{now: time.Now, held: map[string]memoryLease{}, tokens: map[string]int64{}}
}

func (m *MemoryLeases) current(room string) (memoryLease, bool) {
	l, ok := m.held[room]
	if ok && !m.now().Before(l.until) {
		delete(m.held, room)
		return memoryLease{}, false
	}
	return l, ok
}

// Acquire implements Leases.
func (m *MemoryLeases) Acquire(_ context.Context, room, owner string, ttl time.Duration) (Lease, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l, ok := m.current(room); ok {
		return l.Lease, l.Owner == owner, nil
	}
	m.tokens[room]++
	l := Lease{Room: room, Owner: owner, Token: m.tokens[room]}
	m.held[room] = memoryLease{Lease: l, until: m.now().Add(ttl)}
	return l, true, nil
}

// Renew implements Leases.
func (m *MemoryLeases) Renew(_ context.Context, l Lease, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.current(l.Room)
	switch {
	case ok && cur.Lease == l:
	case !ok && m.tokens[l.Room] == l.Token:
	default:
		return false, nil
	}
	m.held[l.Room] = memoryLease{Lease: l, until: m.now().Add(ttl)}
	return true, nil
}

// Release implements Leases.
func (m *MemoryLeases) Release(_ context.Context, l Lease) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur, ok := m.current(l.Room); ok && cur.Lease == l {
		delete(m.held, l.Room)
	}
	return nil
}

// Holder implements Leases.
func (m *MemoryLeases) Holder(_ context.Context, room string) (Lease, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.current(room)
	return l.Lease, ok, nil
}
