package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/games/fair"
	"github.com/imperio-casino/imperio/games/slots"
)

// stepRoom is a slot room driven by calling step directly: no goroutine, no
// timer. Its sessions are not served; the test reads their send queues.
type stepRoom struct {
	t                 *testing.T
	r                 *room
	alice, bob, carol *Session // alice owns the machine
}

const stepRoomName = "slots:cherry-charm:alice"

func newStepRoom(t *testing.T) *stepRoom {
	t.Helper()
	e := newEnv(t, Options{})
	m, ok := slots.Lookup("cherry-charm")
	if !ok {
		t.Fatal("no cherry-charm machine")
	}
	alice := e.user("alice")
	sr := &stepRoom{t: t,
		r:     newRoom(e.h, stepRoomName, &slotGame{hub: e.h, m: m, owner: alice, src: fair.NewSeeded(1)}),
		alice: newSession(e.h, alice, newFakeTransport()),
		bob:   newSession(e.h, e.user("bob"), newFakeTransport()),
		carol: newSession(e.h, e.user("carol"), newFakeTransport()),
	}
	return sr
}

// queued takes every frame queued to s.
func (sr *stepRoom) queued(s *Session) []frame {
	sr.t.Helper()
	var out []frame
	for {
		select {
		case b := <-s.send:
			out = append(out, decodeAs[frame](sr.t, b))
		default:
			return out
		}
	}
}

// only takes the frames queued to s and fails unless there is exactly one,
// of type typ.
func (sr *stepRoom) only(s *Session, typ string) frame {
	sr.t.Helper()
	fs := sr.queued(s)
	if len(fs) != 1 || fs[0].Type != typ {
		sr.t.Fatalf("%s has %v queued, want one %s", s.player.Username, fs, typ)
	}
	return fs[0]
}

func (sr *stepRoom) nothing(ss ...*Session) {
	sr.t.Helper()
	for _, s := range ss {
		if fs := sr.queued(s); len(fs) != 0 {
			sr.t.Fatalf("%s has %v queued, want nothing", s.player.Username, fs)
		}
	}
}

func (sr *stepRoom) enter(s *Session, role string) {
	sr.t.Helper()
	sr.r.step(roomCmd{kind: cmdEnter, s: s, re: "enter", role: role})
	fs := sr.queued(s)
	if len(fs) != 2 || fs[0].Type != TypeRoomJoined || fs[0].Re != "enter" || fs[1].Type != TypeRoomState {
		sr.t.Fatalf("%s entering got %v", s.player.Username, fs)
	}
	j := decodeAs[joinedData](sr.t, fs[0].Data)
	if j.Room != stepRoomName || j.Game != "slots" || j.Role != role {
		sr.t.Fatalf("%s joined %+v", s.player.Username, j)
	}
}

func (sr *stepRoom) counts(players, spectators int) {
	sr.t.Helper()
	i := sr.r.info.Load()
	if i.Players != players || i.Spectators != spectators {
		sr.t.Fatalf("room counts %d players, %d spectators; want %d, %d", i.Players, i.Spectators, players, spectators)
	}
}

func TestRoomStep(t *testing.T) {
	t.Run("EnterCountsMembers", func(t *testing.T) {
		sr := newStepRoom(t)
		sr.counts(0, 0)
		sr.enter(sr.alice, rolePlayer)
		sr.counts(1, 0)
		sr.enter(sr.bob, roleSpectator)
		sr.enter(sr.carol, roleSpectator)
		sr.counts(1, 2)
		if i := sr.r.info.Load(); i.Room != stepRoomName || i.Game != "slots" || i.Owner != "alice" || i.Machine != "cherry-charm" {
			t.Fatalf("room info %+v", i)
		}
		for _, s := range []*Session{sr.alice, sr.bob, sr.carol} {
			if !s.inRoom(stepRoomName) {
				t.Fatalf("%s is not in the room after entering it", s.player.Username)
			}
		}
	})
	t.Run("EnterTwiceIsConflict", func(t *testing.T) {
		sr := newStepRoom(t)
		sr.enter(sr.bob, roleSpectator)
		sr.r.step(roomCmd{kind: cmdEnter, s: sr.bob, re: "again", role: roleSpectator})
		if f := sr.only(sr.bob, TypeError); f.code() != imperio.EConflict || f.Re != "again" {
			t.Fatalf("second enter answered %s", f)
		}
		sr.counts(0, 1)
	})
	t.Run("OnlyTheOwnerPlays", func(t *testing.T) {
		sr := newStepRoom(t)
		sr.r.step(roomCmd{kind: cmdEnter, s: sr.bob, re: "j", role: rolePlayer})
		if f := sr.only(sr.bob, TypeError); f.code() != imperio.EForbidden {
			t.Fatalf("bob joining alice's machine answered %s", f)
		}
		sr.counts(0, 0)
		if sr.bob.inRoom(stepRoomName) {
			t.Fatal("a refused session is marked as in the room")
		}
	})
	t.Run("LeaveAndGone", func(t *testing.T) {
		sr := newStepRoom(t)
		sr.enter(sr.alice, rolePlayer)
		sr.enter(sr.bob, roleSpectator)
		sr.r.step(roomCmd{kind: cmdLeave, s: sr.bob, re: "l"})
		if f := sr.only(sr.bob, TypeRoomLeft); f.Re != "l" || f.Room != stepRoomName {
			t.Fatalf("leave answered %s", f)
		}
		sr.counts(1, 0)
		sr.r.step(roomCmd{kind: cmdGone, s: sr.alice})
		sr.nothing(sr.alice) // its socket is closed: no answer
		sr.counts(0, 0)
		if sr.alice.inRoom(stepRoomName) || sr.bob.inRoom(stepRoomName) {
			t.Fatal("sessions still marked as in the room")
		}
		// Leaving a room one is not in changes nothing and is answered all the same.
		sr.r.step(roomCmd{kind: cmdLeave, s: sr.carol, re: "l2"})
		sr.only(sr.carol, TypeRoomLeft)
		sr.counts(0, 0)
	})
	t.Run("ChatToMembersOnly", func(t *testing.T) {
		sr := newStepRoom(t)
		sr.enter(sr.alice, rolePlayer)
		sr.enter(sr.bob, roleSpectator)
		sr.r.step(roomCmd{kind: cmdChat, s: sr.bob, re: "c", text: "good luck"})
		for _, s := range []*Session{sr.alice, sr.bob} {
			f := sr.only(s, TypeChatMessage)
			d := decodeAs[chatData](t, f.Data)
			if d.From != "bob" || d.Text != "good luck" || d.At.IsZero() || f.Room != stepRoomName {
				t.Fatalf("%s got %s", s.player.Username, f)
			}
		}
		sr.nothing(sr.carol)
	})
	t.Run("ChatFromNonMemberForbidden", func(t *testing.T) {
		sr := newStepRoom(t)
		sr.enter(sr.alice, rolePlayer)
		sr.r.step(roomCmd{kind: cmdChat, s: sr.carol, re: "c", text: "hi"})
		if f := sr.only(sr.carol, TypeError); f.code() != imperio.EForbidden || f.Re != "c" {
			t.Fatalf("chat from outside answered %s", f)
		}
		sr.nothing(sr.alice)
	})
	t.Run("SpinReachesSpectators", func(t *testing.T) {
		sr := newStepRoom(t)
		sr.enter(sr.bob, roleSpectator)
		sr.r.step(roomCmd{kind: cmdGame, s: sr.alice, re: "s", typ: TypeSlotsSpin, body: spinIn{Machine: "cherry-charm", Bet: 5}})
		f := sr.only(sr.alice, TypeSlotsResult)
		res := decodeAs[spinResult](t, f.Data)
		if f.Re != "s" || res.Bet != 5 || res.Coins != 1000-5+res.Win || res.RoundID == "" {
			t.Fatalf("spin answered %s", f)
		}
		ev := decodeAs[spinEvent](t, sr.only(sr.bob, TypeRoomEvent).Data)
		if ev.Kind != "spin" || ev.Player != "alice" || ev.RoundID != res.RoundID || ev.Win != res.Win {
			t.Fatalf("spectator saw %+v", ev)
		}
		sr.nothing(sr.carol)
		// A spectator entering later gets the last spin in its snapshot.
		sr.r.step(roomCmd{kind: cmdEnter, s: sr.carol, re: "e", role: roleSpectator})
		fs := sr.queued(sr.carol)
		if len(fs) != 2 {
			t.Fatalf("carol entering got %v", fs)
		}
		if st := decodeAs[slotState](t, fs[1].Data); st.Last == nil || st.Last.RoundID != res.RoundID || st.Player != "alice" {
			t.Fatalf("snapshot %s", fs[1].Data)
		}
	})
	t.Run("OthersCannotSpin", func(t *testing.T) {
		sr := newStepRoom(t)
		sr.enter(sr.bob, roleSpectator)
		sr.r.step(roomCmd{kind: cmdGame, s: sr.bob, re: "s", typ: TypeSlotsSpin, body: spinIn{Machine: "cherry-charm", Bet: 5}})
		if f := sr.only(sr.bob, TypeError); f.code() != imperio.EForbidden {
			t.Fatalf("bob spinning alice's machine answered %s", f)
		}
	})
}

func TestRoomIdleClose(t *testing.T) {
	const idle = 20 * time.Millisecond
	var opened atomic.Int64
	e := newEnv(t, Options{
		RoomIdle:  idle,
		NewSource: func() fair.Source { opened.Add(1); return fair.NewSeeded(1) },
	})
	alice, bob := e.user("alice"), e.user("bob")
	const room = "slots:cherry-charm:alice"
	a := e.dial(alice)
	roomsOpen := func() int { _, n := e.h.Counts(); return n }

	first := a.mustSpin("cherry-charm", 5)
	eventually(t, "the empty room to close", func() bool { return roomsOpen() == 0 })
	if rs := e.h.Rooms(); len(rs) != 0 {
		t.Fatalf("Rooms() = %+v after the idle close", rs)
	}

	t.Run("SpinReopens", func(t *testing.T) {
		bind(t, a)
		second := a.mustSpin("cherry-charm", 5)
		if second.Coins != first.Coins-5+second.Win {
			t.Fatalf("coins %d after %d - 5 + %d", second.Coins, first.Coins, second.Win)
		}
		if n := opened.Load(); n != 2 {
			t.Fatalf("%d rooms opened for two spins with an idle close between them, want 2", n)
		}
		eventually(t, "the reopened room to close", func() bool { return roomsOpen() == 0 })
	})
	t.Run("MembersKeepItOpen", func(t *testing.T) {
		e.bind(t)
		b := e.dial(bob)
		b.watch(room)
		// Nothing signals that a room did not close: give it several idle
		// periods to do so.
		time.Sleep(5 * idle)
		if _, ok := e.roomInfo(room); !ok {
			t.Fatal("a room with a spectator closed as idle")
		}
		b.send(TypeChatSend, chatIn{Room: room, Text: "still open"})
		b.expect(TypeChatMessage)
		b.answer(b.send(TypeRoomLeave, roomData{Room: room}))
		eventually(t, "the room to close once empty", func() bool { return roomsOpen() == 0 })
	})
}

// TestRoomIdleRace spins from many sockets while rooms close the moment
// they are idle, so that commands keep meeting rooms that are closing or
// gone: every request must be answered exactly once, and every spin settle
// exactly once. A spectator keeps entering and leaving one of the rooms.
func TestRoomIdleRace(t *testing.T) {
	var opened atomic.Int64
	e := newEnv(t, Options{
		RoomIdle:  time.Microsecond,
		NewSource: func() fair.Source { opened.Add(1); return fair.NewSeeded(1) },
	})
	const (
		users = 6
		spins = 20 // per socket
		bet   = 5
	)
	type racer struct {
		p    Player
		cs   []*testClient // one to three sockets, all spinning the same machine
		mu   sync.Mutex
		bets int64
		won  int64
	}
	racers := make([]*racer, users)
	for u := range racers {
		r := &racer{p: e.user(fmt.Sprintf("racer%d", u))}
		for range 1 + u%3 {
			r.cs = append(r.cs, e.dial(r.p))
		}
		racers[u] = r
	}
	watcher := e.dial(e.user("watcher"))
	watched := slotRoomName("cherry-charm", racers[0].p.Username)

	// ask sends one request from a goroutine and returns its answer.
	ask := func(c *testClient, typ string, data any) (frame, bool) {
		id, err := c.request(typ, data)
		if err != nil {
			t.Error(err)
			return frame{}, false
		}
		f, err := c.until("answer to "+id, func(f frame) bool { return f.Re == id })
		if err != nil {
			t.Error(err)
			return frame{}, false
		}
		return f, true
	}
	var wg sync.WaitGroup
	for _, r := range racers {
		for _, c := range r.cs {
			wg.Go(func() {
				for range spins {
					f, ok := ask(c, TypeSlotsSpin, spinIn{Machine: "cherry-charm", Bet: bet})
					if !ok {
						return
					}
					var res spinResult
					if err := json.Unmarshal(f.Data, &res); f.Type != TypeSlotsResult || err != nil {
						t.Errorf("%s: spin answered %s", c.name, f)
						continue
					}
					r.mu.Lock()
					r.bets += bet
					r.won += res.Win
					r.mu.Unlock()
				}
			})
		}
	}
	wg.Go(func() {
		for range spins {
			if f, ok := ask(watcher, TypeRoomWatch, roomData{Room: watched}); !ok || f.Type != TypeRoomJoined {
				t.Errorf("watch answered %s", f)
				return
			}
			if f, ok := ask(watcher, TypeRoomLeave, roomData{Room: watched}); !ok || f.Type != TypeRoomLeft {
				t.Errorf("leave answered %s", f)
				return
			}
		}
	})
	wg.Wait()
	if t.Failed() {
		return
	}
	t.Logf("%d rooms opened for %d machines", opened.Load(), users)

	t.Run("EachRequestAnsweredOnce", func(t *testing.T) {
		check := func(c *testClient, requests int) {
			t.Helper()
			bind(t, c)
			answers := map[string]int{}
			for _, f := range c.frames() {
				if f.Re != "" {
					answers[f.Re]++
				}
			}
			if len(answers) != requests {
				t.Fatalf("%s: %d requests answered, want %d", c.name, len(answers), requests)
			}
			for id, n := range answers {
				if n != 1 {
					t.Fatalf("%s: request %s answered %d times", c.name, id, n)
				}
			}
		}
		for _, r := range racers {
			for _, c := range r.cs {
				check(c, spins)
			}
		}
		check(watcher, 2*spins)
	})
	t.Run("EachSpinSettledOnce", func(t *testing.T) {
		for _, r := range racers {
			coins, err := e.st.Balance(context.Background(), r.p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := 1000 - r.bets + r.won; coins != want {
				t.Fatalf("%s has %d coins, want 1000 - %d + %d = %d", r.p.Username, coins, r.bets, r.won, want)
			}
		}
	})
	eventually(t, "every idle room to close", func() bool { _, n := e.h.Counts(); return n == 0 })
}

func TestLobbyCoalescing(t *testing.T) {
	const interval = 200 * time.Millisecond
	e := newEnv(t, Options{LobbyInterval: interval})
	alice, bob := e.user("alice"), e.user("bob")
	const room = "slots:cherry-charm:alice"
	l := e.dial(e.user("lobbyist"))
	sub := l.send(TypeLobbySubscribe, nil)
	if f := l.answer(sub); f.Type != TypeLobbyMachine {
		t.Fatalf("subscribe answered %s", f)
	}
	if f := l.answer(sub); f.Type != TypeLobbyRooms || len(decodeAs[roomsData](t, f.Data).Rooms) != 0 {
		t.Fatalf("first lobby.rooms %s, want no rooms", f)
	}
	a, b := e.dial(alice), e.dial(bob)

	// About fifty membership changes, back to back: alice opens and joins
	// her machine, bob watches and leaves it 24 times and watches once
	// more, then alice leaves. Only the final state has no player and one
	// spectator.
	start := time.Now()
	changes := 0
	a.answer(a.send(TypeRoomJoin, roomData{Room: room}))
	changes += 2 // opened, joined
	for i := range 49 {
		typ, want := TypeRoomWatch, TypeRoomJoined
		if i%2 == 1 {
			typ, want = TypeRoomLeave, TypeRoomLeft
		}
		// One at a time: a session checks membership before the room has
		// handled an earlier, pipelined join.
		if f := b.answer(b.send(typ, roomData{Room: room})); f.Type != want {
			t.Fatalf("%s answered %s", typ, f)
		}
		changes++
	}
	a.answer(a.send(TypeRoomLeave, roomData{Room: room}))
	changes++
	elapsed := time.Since(start)

	final := func(f frame) bool {
		if f.Type != TypeLobbyRooms {
			return false
		}
		rs := decodeAs[roomsData](t, f.Data).Rooms
		return len(rs) == 1 && rs[0].Room == room && rs[0].Players == 0 && rs[0].Spectators == 1
	}
	if _, err := l.until("a lobby.rooms push with the final state", final); err != nil {
		t.Fatal(err)
	}
	var pushes []frame
	for _, f := range l.frames() {
		if f.Type == TypeLobbyRooms && f.Re == "" {
			pushes = append(pushes, f)
		}
	}
	// The changes touch at most two intervals when they take less than one;
	// on a machine so busy that they take longer, allow one push per
	// interval they spanned.
	bound := 3
	if elapsed > interval {
		bound = 2 + int(elapsed/interval)
		t.Logf("the changes took %v, longer than the interval", elapsed)
	}
	t.Logf("%d changes in %v gave %d lobby.rooms pushes", changes, elapsed, len(pushes))
	if len(pushes) > bound {
		t.Fatalf("%d changes gave %d lobby.rooms pushes, want at most %d", changes, len(pushes), bound)
	}
	if !final(pushes[len(pushes)-1]) {
		t.Fatalf("the last push %s is not the final state", pushes[len(pushes)-1])
	}
}
