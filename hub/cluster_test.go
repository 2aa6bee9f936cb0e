package hub

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/imperio-casino/imperio/games/fair"
	"github.com/imperio-casino/imperio/games/roulette"
	"github.com/imperio-casino/imperio/store"
	"github.com/imperio-casino/imperio/store/storetest"
)

// expire drops a lease as if its TTL had run out while its owner was
// paused.
func (m *MemoryLeases) expire(room string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.held, room)
}

// newPeer starts a hub that shares st, bus and leases with others in this
// process: one instance of a cluster.
func newPeer(t *testing.T, name string, st *store.Store, bus Bus, leases Leases, ttl time.Duration) *testEnv {
	t.Helper()
	r := roulette.DefaultRules()
	r.BetTime = time.Minute // rounds stay open until the test is done with them
	h := New(Options{
		Instance: name, Wallet: st, Bus: bus, Leases: leases, LeaseTTL: ttl,
		Rooms:         []string{"roulette:main"},
		DrainTimeout:  100 * time.Millisecond,
		RouletteRules: r,
		NewSource:     func() fair.Source { return fair.NewSeeded(1) },
		Log:           slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError})),
	})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Errorf("shutdown %s: %v", name, err)
		}
	})
	return &testEnv{t: t, h: h, st: st}
}

// TestPausedOwnerFencedOff: A runs roulette:main with a bet of B's player
// in play; A pauses past its lease and B takes the table over. The round is
// voided and refunded, and when A wakes up it cannot open a round any more:
// its player's bet is refused with nothing charged, and that player is moved
// to the table's new home, where the bet goes through.
func TestPausedOwnerFencedOff(t *testing.T) {
	st := storetest.OpenSQLite(t)
	bus, leases := NewMemoryBus(), NewMemoryLeases()
	a := newPeer(t, "a", st, bus, leases, time.Hour) // A never renews during the test: it is "paused"
	b := newPeer(t, "b", st, bus, leases, time.Hour)
	const room = "roulette:main"
	if l, held, _ := leases.Holder(context.Background(), room); !held || l.Owner != "a" {
		t.Fatalf("roulette:main held by %+v (%v), want a", l, held)
	}
	bet := func(c *testClient, kind string, amount int) frame {
		return c.answer(c.send(TypeTableBet, map[string]any{"room": room, "bets": []map[string]any{{"kind": kind, "amount": amount}}}))
	}

	p := a.user("pat") // plays on B, at A's table
	q := a.user("quinn")
	onB := b.dial(p)
	if f := onB.answer(onB.send(TypeRoomJoin, map[string]any{"room": room})); f.Type != TypeRoomJoined {
		t.Fatalf("join through B: %s", f)
	}
	if f := bet(onB, "red", 40); f.Type != TypeTableAccepted {
		t.Fatalf("bet through B: %s", f)
	}
	onA := a.dial(q)
	if f := onA.answer(onA.send(TypeRoomJoin, map[string]any{"room": room})); f.Type != TypeRoomJoined {
		t.Fatalf("join on A: %s", f)
	}

	// A pauses; its lease runs out and B takes the table.
	leases.expire(room)
	if _, err := b.h.takeRoom(room); err != nil {
		t.Fatalf("B takes the room: %v", err)
	}
	if c, _ := st.Balance(context.Background(), p.ID); c != 1000 {
		t.Fatalf("pat has %d after the takeover, want the stake back (1000)", c)
	}
	// A wakes up: its table still runs there, but the store refuses the
	// round it tries to open under its old token.
	f := bet(onA, "black", 25)
	if f.code() != "unavailable" || !strings.Contains(f.String(), "moved") {
		t.Fatalf("bet at the fenced-off table: %s, want unavailable (moved)", f)
	}
	if c, _ := st.Balance(context.Background(), q.ID); c != 1000 {
		t.Fatalf("quinn was charged at a fenced-off table: %d", c)
	}
	// A stops the table and sends quinn to its new home; pat, on B, was
	// put back in by B.
	if _, err := onA.until("rejoined", func(f frame) bool { return f.Type == TypeRoomJoined && f.Re == "" }); err != nil {
		t.Fatal(err)
	}
	if f := bet(onA, "black", 25); f.Type != TypeTableAccepted {
		t.Fatalf("quinn's bet after the move: %s", f)
	}
	if _, err := onB.until("rejoined", func(f frame) bool { return f.Type == TypeRoomJoined && f.Re == "" }); err != nil {
		t.Fatal(err)
	}
	if f := bet(onB, "red", 10); f.Type != TypeTableAccepted {
		t.Fatalf("pat's bet at the new table: %s", f)
	}
	b.h.mu.Lock()
	_, onBNow := b.h.registry[room]
	b.h.mu.Unlock()
	a.h.mu.Lock()
	_, onANow := a.h.registry[room]
	a.h.mu.Unlock()
	if !onBNow || onANow {
		t.Fatalf("roulette:main runs on B: %v, on A: %v; want B only", onBNow, onANow)
	}
	problems, err := st.CheckLedger(context.Background())
	if err != nil || len(problems) > 0 {
		t.Fatalf("ledger: %v %v", problems, err)
	}
}

// TestDeadInstanceLeavesRooms: when an instance goes quiet (it died), the
// owner takes its sockets out of the rooms they were in, as their closing
// would have.
func TestDeadInstanceLeavesRooms(t *testing.T) {
	st := storetest.OpenSQLite(t)
	bus, leases := NewMemoryBus(), NewMemoryLeases()
	a := newPeer(t, "a", st, bus, leases, time.Hour)
	b := newPeer(t, "b", st, bus, leases, time.Hour)
	const room = "roulette:main"
	onB := b.dial(a.user("sam"))
	if f := onB.answer(onB.send(TypeRoomWatch, map[string]any{"room": room})); f.Type != TypeRoomJoined {
		t.Fatalf("watch through B: %s", f)
	}
	eventually(t, "A counts B's spectator", func() bool {
		i, ok := a.roomInfo(room)
		return ok && i.Spectators == 1
	})
	// B stops announcing itself; A hears nothing more from it.
	b.h.Halt()
	a.h.mu.Lock()
	a.h.peers["b"] = peer{at: time.Now().Add(-time.Hour)}
	for _, p := range a.h.proxies {
		p.lastUsed.Store(time.Now().Add(-time.Hour).UnixNano())
	}
	a.h.mu.Unlock()
	a.h.reapProxies()
	eventually(t, "A drops B's spectator", func() bool {
		i, ok := a.roomInfo(room)
		return ok && i.Spectators == 0
	})
	a.h.mu.Lock()
	n := len(a.h.proxies)
	a.h.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d proxies of a dead instance kept", n)
	}
}

// TestIdleTableReleasesLease: a table opened by a player gives its lease up
// when it closes idle, so that any instance may open it again.
func TestIdleTableReleasesLease(t *testing.T) {
	st := storetest.OpenSQLite(t)
	leases := NewMemoryLeases()
	h := New(Options{
		Instance: "a", Wallet: st, Bus: NewMemoryBus(), Leases: leases, LeaseTTL: time.Hour,
		RoomIdle: 50 * time.Millisecond, DrainTimeout: 100 * time.Millisecond,
		NewSource: func() fair.Source { return fair.NewSeeded(1) },
	})
	e := &testEnv{t: t, h: h, st: st}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		h.Shutdown(ctx)
	})
	c := e.dial(e.user("opal"))
	if f := c.answer(c.send(TypeRoomJoin, map[string]any{"room": "roulette:opal"})); f.Type != TypeRoomJoined {
		t.Fatalf("open a table: %s", f)
	}
	if l, held, _ := leases.Holder(context.Background(), "roulette:opal"); !held || l.Owner != "a" {
		t.Fatalf("lease of the new table: %+v %v", l, held)
	}
	c.answer(c.send(TypeRoomLeave, map[string]any{"room": "roulette:opal"}))
	eventually(t, "the idle table's lease released", func() bool {
		_, held, _ := leases.Holder(context.Background(), "roulette:opal")
		return !held
	})
}
