package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/games/blackjack"
	"github.com/imperio-casino/imperio/games/fair"
	"github.com/imperio-casino/imperio/store"
	"github.com/imperio-casino/imperio/store/storetest"
)

// These tests run blackjack tables in virtual time: the hub's clock moves
// only when the test moves it, the shoe is stacked, and the room has no
// goroutine: the test steps it with commands and runs its timers with tick.
// The money goes through the real store.

var tableStart = time.Date(2030, time.March, 1, 20, 0, 0, 0, time.UTC)

const rigRoom = "blackjack:test"

// fakeClock is the hub's clock: it stands still until the test moves it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// rigOptions configure a table test's hub.
type rigOptions struct {
	cards    []string                  // the first shoe, top first
	wallet   func(*store.Store) Wallet // nil: the store itself
	roomIdle time.Duration             // 0: the default
}

// newTableEnv starts a hub on a fresh SQLite store whose clock is clock and
// whose tables deal o.cards first. Options.Tables stays 0: no table runs
// unless the test opens it.
func newTableEnv(t *testing.T, clock *fakeClock, o rigOptions) *testEnv {
	t.Helper()
	st := storetest.OpenSQLite(t)
	var w Wallet = st
	if o.wallet != nil {
		w = o.wallet(st)
	}
	cards := o.cards
	h := New(Options{
		Instance:   "test-1",
		Wallet:     w,
		Log:        slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError})),
		RoomIdle:   o.roomIdle,
		NewSource:  func() fair.Source { return fair.NewSeeded(1) },
		TableRules: blackjack.DefaultRules(),
		NewTable: func(r blackjack.Rules, now time.Time) (*blackjack.Table, error) {
			return blackjack.NewTableWithShoe(r, fair.NewSeeded(1), cards, now)
		},
		Now: clock.Now,
	})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return &testEnv{t: t, h: h, st: st}
}

// shoe is cards followed by low filler cards, so that a round that draws
// more than the test planned still has cards; no filler is a king.
func shoe(cards ...string) []string {
	return append(cards, "2C", "3C", "4C", "2D", "3D", "4D", "2H", "3H", "4H", "2S", "3S", "4S", "5C", "6D", "5D", "6H")
}

// tableRig is one blackjack table room driven by the test. Its sessions are
// registered with the hub, so balance pushes reach them, but not served: the
// test reads their send queues.
type tableRig struct {
	t     *testing.T
	e     *testEnv
	clock *fakeClock
	g     *tableGame
	r     *room
}

func newTableRig(t *testing.T, o rigOptions) *tableRig {
	t.Helper()
	clock := &fakeClock{now: tableStart}
	e := newTableEnv(t, clock, o)
	g, err := e.h.openTable(rigRoom, false)
	if err != nil {
		t.Fatalf("open table: %v", err)
	}
	return &tableRig{t: t, e: e, clock: clock, g: g.(*tableGame), r: newRoom(e.h, rigRoom, g)}
}

// rigClient is one session at the rig's table, as its client sees it.
type rigClient struct {
	tr   *tableRig
	p    Player
	s    *Session
	got  []frame // every frame queued to the session so far
	read int     // frames already taken by frames or events
	ids  int
}

// user creates an account with grant coins.
func (tr *tableRig) user(name string, grant int64) Player {
	tr.t.Helper()
	u, err := tr.e.st.CreateUser(context.Background(), imperio.NewUser{
		Username: name, Email: name + "@example.com", PasswordHash: "x", Grant: grant,
	})
	if err != nil {
		tr.t.Fatalf("create user %s: %v", name, err)
	}
	return Player{ID: u.ID, Username: u.Username}
}

// connect opens a session of p.
func (tr *tableRig) connect(p Player) *rigClient {
	tr.t.Helper()
	s := newSession(tr.e.h, p, newFakeTransport())
	if err := tr.e.h.register(s); err != nil {
		tr.t.Fatalf("register %s: %v", p.Username, err)
	}
	h := tr.e.h
	tr.t.Cleanup(func() {
		h.unregister(s)
		h.socks.Done()
	})
	return &rigClient{tr: tr, p: p, s: s}
}

// player creates a user with 1000 coins and seats them at seat (0: any).
func (tr *tableRig) player(name string, seat int) *rigClient {
	tr.t.Helper()
	c := tr.connect(tr.user(name, 1000))
	c.join(seat)
	return c
}

// spectator creates a user with 1000 coins and makes them watch.
func (tr *tableRig) spectator(name string) *rigClient {
	tr.t.Helper()
	c := tr.connect(tr.user(name, 1000))
	c.watch()
	return c
}

func (c *rigClient) pull() {
	for {
		select {
		case b := <-c.s.send:
			c.got = append(c.got, decodeAs[frame](c.tr.t, b))
		default:
			return
		}
	}
}

func (c *rigClient) nextID() string {
	c.ids++
	return fmt.Sprintf("%s-%d", c.p.Username, c.ids)
}

// answer is the frame answering request id, which must have come.
func (c *rigClient) answer(id string) frame {
	c.tr.t.Helper()
	c.pull()
	for _, f := range c.got {
		if f.Re == id {
			return f
		}
	}
	c.tr.t.Fatalf("%s: no answer to %s in %v", c.p.Username, id, c.got)
	return frame{}
}

// enter steps a join or watch and returns the answer and, when it was
// admitted, the state that follows it.
func (c *rigClient) enter(role string, seat int) (frame, tableState) {
	c.tr.t.Helper()
	id := c.nextID()
	c.tr.r.step(roomCmd{kind: cmdEnter, s: c.s, re: id, role: role, seat: seat})
	f := c.answer(id)
	if f.Type != TypeRoomJoined {
		return f, tableState{}
	}
	i := slices.IndexFunc(c.got, func(g frame) bool { return g.Re == id })
	if i+1 >= len(c.got) || c.got[i+1].Type != TypeRoomState {
		c.tr.t.Fatalf("%s: %s not followed by room.state", c.p.Username, f)
	}
	return f, decodeAs[tableState](c.tr.t, c.got[i+1].Data)
}

// join seats the client and returns its seat and the state it got.
func (c *rigClient) join(seat int) (int, tableState) {
	c.tr.t.Helper()
	f, st := c.enter(rolePlayer, seat)
	if f.Type != TypeRoomJoined {
		c.tr.t.Fatalf("%s joining seat %d: %s", c.p.Username, seat, f)
	}
	j := decodeAs[joinedData](c.tr.t, f.Data)
	if j.Room != rigRoom || j.Game != "blackjack" || j.Role != rolePlayer || j.Seat == nil {
		c.tr.t.Fatalf("%s joined %s", c.p.Username, f.Data)
	}
	if st.Table.You == nil || st.Table.You.Seat != *j.Seat {
		c.tr.t.Fatalf("%s at seat %d got a state with you %+v", c.p.Username, *j.Seat, st.Table.You)
	}
	return *j.Seat, st
}

// refuseJoin asks for seat and wants the join refused with code.
func (c *rigClient) refuseJoin(seat int, code string) {
	c.tr.t.Helper()
	if f, _ := c.enter(rolePlayer, seat); f.Type != TypeError || f.code() != code {
		c.tr.t.Fatalf("%s joining seat %d: %s, want %s", c.p.Username, seat, f, code)
	}
}

func (c *rigClient) watch() tableState {
	c.tr.t.Helper()
	f, st := c.enter(roleSpectator, 0)
	if j := decodeAs[joinedData](c.tr.t, f.Data); f.Type != TypeRoomJoined || j.Role != roleSpectator || j.Seat != nil {
		c.tr.t.Fatalf("%s watching: %s", c.p.Username, f)
	}
	if st.Table.You != nil {
		c.tr.t.Fatalf("spectator %s got you %+v", c.p.Username, st.Table.You)
	}
	return st
}

// gone is the session's socket closing.
func (c *rigClient) gone() { c.tr.r.step(roomCmd{kind: cmdGone, s: c.s}) }

// leave is room.leave.
func (c *rigClient) leave() {
	c.tr.t.Helper()
	id := c.nextID()
	c.tr.r.step(roomCmd{kind: cmdLeave, s: c.s, re: id})
	if f := c.answer(id); f.Type != TypeRoomLeft {
		c.tr.t.Fatalf("%s leaving: %s", c.p.Username, f)
	}
}

// send steps a table command and returns its answer.
func (c *rigClient) send(typ string, data any) frame {
	c.tr.t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		c.tr.t.Fatal(err)
	}
	id := c.nextID()
	c.tr.r.step(roomCmd{kind: cmdGame, s: c.s, re: id, typ: typ, data: raw})
	return c.answer(id)
}

func (c *rigClient) accepted(f frame, what string) acceptedData {
	c.tr.t.Helper()
	if f.Type != TypeTableAccepted {
		c.tr.t.Fatalf("%s %s: %s", c.p.Username, what, f)
	}
	return decodeAs[acceptedData](c.tr.t, f.Data)
}

// bet must be accepted and debited.
func (c *rigClient) bet(amount int64) acceptedData {
	c.tr.t.Helper()
	a := c.accepted(c.send(TypeTableBet, map[string]any{"amount": amount}), "betting")
	if a.Action != "bet" || a.Amount != amount || a.Coins == nil || a.RoundID == "" {
		c.tr.t.Fatalf("%s bet %d: accepted %+v", c.p.Username, amount, a)
	}
	return a
}

// act must be accepted.
func (c *rigClient) act(action string) acceptedData {
	c.tr.t.Helper()
	a := c.accepted(c.send(TypeTableAction, map[string]any{"action": action}), action)
	if a.Action != action {
		c.tr.t.Fatalf("%s %s: accepted %+v", c.p.Username, action, a)
	}
	return a
}

func (c *rigClient) refused(f frame, code, what string) {
	c.tr.t.Helper()
	if f.Type != TypeError || f.code() != code {
		c.tr.t.Fatalf("%s %s: %s, want %s", c.p.Username, what, f, code)
	}
}

func (c *rigClient) betRefused(amount int64, code string) {
	c.tr.t.Helper()
	c.refused(c.send(TypeTableBet, map[string]any{"amount": amount}), code, fmt.Sprintf("bet %d", amount))
}

func (c *rigClient) actRefused(action, code string) {
	c.tr.t.Helper()
	c.refused(c.send(TypeTableAction, map[string]any{"action": action}), code, action)
}

// frames takes the frames not taken yet.
func (c *rigClient) frames() []frame {
	c.pull()
	out := c.got[c.read:]
	c.read = len(c.got)
	return out
}

// events takes the table events among the frames not taken yet.
func (c *rigClient) events() []blackjack.Event {
	c.tr.t.Helper()
	var out []blackjack.Event
	for _, f := range c.frames() {
		if f.Type == TypeRoomEvent {
			if f.Room != rigRoom {
				c.tr.t.Fatalf("event for room %q: %s", f.Room, f)
			}
			out = append(out, decodeAs[blackjack.Event](c.tr.t, f.Data))
		}
	}
	return out
}

// wantEvents takes c's events and wants exactly kinds, in order.
func (c *rigClient) wantEvents(kinds ...string) []blackjack.Event {
	c.tr.t.Helper()
	evs := c.events()
	if got := eventKinds(evs); !slices.Equal(got, kinds) {
		c.tr.t.Fatalf("%s got events %v, want %v", c.p.Username, got, kinds)
	}
	return evs
}

func eventKinds(evs []blackjack.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Kind
	}
	return out
}

// event returns the n-th (from 0) event of kind in evs.
func event(t *testing.T, evs []blackjack.Event, kind string, n int) blackjack.Event {
	t.Helper()
	for _, e := range evs {
		if e.Kind == kind {
			if n == 0 {
				return e
			}
			n--
		}
	}
	t.Fatalf("no %s event in %v", kind, eventKinds(evs))
	return blackjack.Event{}
}

// paid sums what the result events credited to seat.
func paid(evs []blackjack.Event, seat int) int64 {
	var n int64
	for _, e := range evs {
		if e.Kind == blackjack.EventResult && e.Seat == seat {
			n += e.Amount
		}
	}
	return n
}

// deadline is the game's next deadline, which must exist.
func (tr *tableRig) deadline() time.Time {
	tr.t.Helper()
	d, ok := tr.g.deadline()
	if !ok {
		tr.t.Fatal("the table has no deadline")
	}
	return d
}

func (tr *tableRig) noDeadline() {
	tr.t.Helper()
	if d, ok := tr.g.deadline(); ok {
		tr.t.Fatalf("the table has a deadline at %v", d.Sub(tableStart))
	}
}

// tickAt moves the clock to the game's next deadline, which must be at, and
// runs the timers as the room's loop does.
func (tr *tableRig) tickAt(at time.Time) {
	tr.t.Helper()
	if d := tr.deadline(); !d.Equal(at) {
		tr.t.Fatalf("the next deadline is at %v, want %v", d.Sub(tableStart), at.Sub(tableStart))
	}
	tr.clock.set(at)
	tr.g.tick(tr.r, at)
}

// tickEarly runs the timers a moment before the next deadline: nothing may
// happen.
func (tr *tableRig) tickEarly(watchers ...*rigClient) {
	tr.t.Helper()
	d := tr.deadline()
	before := tr.view(0)
	tr.clock.set(d.Add(-time.Millisecond))
	tr.g.tick(tr.r, tr.clock.Now())
	for _, c := range watchers {
		c.wantEvents()
	}
	if after := tr.view(0); after != before {
		tr.t.Fatalf("a tick before the deadline changed the table:\n%s\n%s", before, after)
	}
	if !tr.deadline().Equal(d) {
		tr.t.Fatal("a tick before the deadline moved it")
	}
}

// view is the table as viewer sees it, as JSON.
func (tr *tableRig) view(viewer int64) string {
	b, err := json.Marshal(tr.bj().View(viewer))
	if err != nil {
		tr.t.Fatal(err)
	}
	return string(b)
}

func (tr *tableRig) coins(p Player) int64 {
	tr.t.Helper()
	n, err := tr.e.st.Balance(context.Background(), p.ID)
	if err != nil {
		tr.t.Fatal(err)
	}
	return n
}

func (tr *tableRig) wantCoins(p Player, want int64) {
	tr.t.Helper()
	if got := tr.coins(p); got != want {
		tr.t.Fatalf("%s has %d coins, want %d", p.Username, got, want)
	}
}

func (tr *tableRig) ledgerOK() {
	tr.t.Helper()
	problems, err := tr.e.st.CheckLedger(context.Background())
	if err != nil {
		tr.t.Fatal(err)
	}
	if len(problems) > 0 {
		tr.t.Fatalf("ledger problems:\n%s", strings.Join(problems, "\n"))
	}
}

// round recalls a round as p sees it.
func (tr *tableRig) round(p Player, id string) imperio.Round {
	tr.t.Helper()
	rd, err := tr.e.st.Round(context.Background(), p.ID, id)
	if err != nil {
		tr.t.Fatalf("recall round %s: %v", id, err)
	}
	return rd
}

// unchanged snapshots the coins of ps and the table as each of them and a
// spectator see it; the returned check fails if any of it changed.
func (tr *tableRig) unchanged(ps ...Player) func(what string) {
	tr.t.Helper()
	snap := func() string {
		var b strings.Builder
		b.WriteString(tr.view(0))
		for _, p := range ps {
			fmt.Fprintf(&b, "\n%s %d %s", p.Username, tr.coins(p), tr.view(p.ID))
		}
		return b.String()
	}
	before := snap()
	return func(what string) {
		tr.t.Helper()
		if after := snap(); after != before {
			tr.t.Fatalf("%s changed the table or the coins:\nbefore %s\nafter  %s", what, before, after)
		}
	}
}

func TestTable(t *testing.T) {
	t.Run("BettingWindow", func(t *testing.T) {
		t.Run("ClosesAtItsDeadline", func(t *testing.T) {
			tr := newTableRig(t, rigOptions{cards: shoe("TS", "7C", "QD", "TD")})
			alice, bob := tr.player("alice", 0), tr.player("bob", 0)
			tr.noDeadline()
			bob.events()

			t1 := tr.clock.add(3 * time.Second)
			if a := alice.bet(10); *a.Coins != 990 {
				t.Fatalf("bet accepted with %d coins", *a.Coins)
			}
			evs := bob.wantEvents("betting_open", "bet")
			if e := evs[0]; e.Round != 1 || !e.Deadline.Equal(t1.Add(15*time.Second)) {
				t.Fatalf("betting opened %+v", e)
			}
			if e := evs[1]; e.Seat != 1 || e.Name != "alice" || e.Amount != 10 {
				t.Fatalf("bet event %+v", e)
			}
			// The window runs from the first bet, not from when the table
			// opened; bob is present and has not bet, so it waits for him.
			if tr.bj().Phase() != blackjack.PhaseBetting {
				t.Fatalf("phase %s", tr.bj().Phase())
			}
			tr.tickEarly(bob)
			tr.tickAt(t1.Add(15 * time.Second))
			evs = bob.wantEvents("betting_closed", "deal", "deal", "deal", "hole", "turn")
			for _, e := range evs {
				if e.Seat == 2 {
					t.Fatalf("bob, who did not bet, was dealt in: %+v", e)
				}
			}
			if e := evs[5]; e.Seat != 1 || e.Total != 20 || !e.Deadline.Equal(t1.Add(35*time.Second)) {
				t.Fatalf("turn %+v", e)
			}
			v := tr.bj().View(0)
			if s := v.Seats[1]; s.Name != "bob" || s.Bet != 0 || len(s.Hands) != 0 {
				t.Fatalf("bob's seat %+v", s)
			}
			bob.betRefused(10, imperio.EBettingClosed)

			alice.act("stand")
			evs = bob.wantEvents("stand", "reveal", "result", "round_end", "pause")
			if e := evs[2]; e.Seat != 1 || e.Result != blackjack.ResultWin || e.Amount != 20 {
				t.Fatalf("result %+v", e)
			}
			tr.wantCoins(alice.p, 1010)
			tr.wantCoins(bob.p, 1000)
			tr.ledgerOK()
		})
		t.Run("ClosesAtOnceWhenEveryPresentPlayerHasBet", func(t *testing.T) {
			tr := newTableRig(t, rigOptions{cards: shoe("TS", "9H", "7C", "QD", "9S", "TD")})
			alice, bob, carol := tr.player("alice", 0), tr.player("bob", 0), tr.player("carol", 0)
			carol.gone() // away: the window does not wait for her
			alice.bet(10)
			alice.wantEvents("sit", "sit", "away", "betting_open", "bet")
			bob.bet(10)
			evs := alice.wantEvents("bet", "betting_closed", "deal", "deal", "deal", "deal", "deal", "hole", "turn")
			if tr.bj().Phase() != blackjack.PhasePlaying {
				t.Fatalf("phase %s", tr.bj().Phase())
			}
			if e := evs[8]; e.Seat != 1 || !e.Deadline.Equal(tableStart.Add(20*time.Second)) {
				t.Fatalf("turn %+v", e)
			}
			if !tr.deadline().Equal(tableStart.Add(20 * time.Second)) {
				t.Fatalf("deadline %v", tr.deadline().Sub(tableStart))
			}
			alice.act("stand")
			bob.act("stand")
			evs = alice.wantEvents("stand", "turn", "stand", "reveal", "result", "result", "round_end", "pause")
			tr.wantCoins(alice.p, 1000-10+paid(evs, 1))
			tr.wantCoins(bob.p, 1000-10+paid(evs, 2))
			tr.wantCoins(carol.p, 1000)
			if paid(evs, 1) != 20 || paid(evs, 2) != 20 {
				t.Fatalf("paid %d and %d, want 20 each", paid(evs, 1), paid(evs, 2))
			}
			tr.ledgerOK()
		})
	})

	t.Run("TurnTimeout", func(t *testing.T) {
		tr := newTableRig(t, rigOptions{cards: shoe("TS", "9H", "7C", "QD", "8S", "TD")})
		alice, bob := tr.player("alice", 0), tr.player("bob", 0)
		roundID := alice.bet(10).RoundID
		bob.bet(10)
		alice.events()
		tr.tickEarly(alice)
		tr.tickAt(tableStart.Add(20 * time.Second))
		evs := alice.wantEvents("timeout", "turn")
		if e := evs[0]; e.Seat != 1 || e.Hand != 1 || e.Total != 20 {
			t.Fatalf("timeout %+v", e)
		}
		if e := evs[1]; e.Seat != 2 || !e.Deadline.Equal(tableStart.Add(40*time.Second)) {
			t.Fatalf("turn %+v", e)
		}
		// The turn is gone: alice can no longer act on it.
		alice.actRefused("hit", imperio.ENotYourTurn)

		tr.tickAt(tableStart.Add(40 * time.Second))
		evs = alice.wantEvents("timeout", "reveal", "result", "result", "round_end", "pause")
		if r := event(t, evs, "result", 1); r.Seat != 2 || r.Result != blackjack.ResultPush || r.Amount != 10 {
			t.Fatalf("bob's result %+v", r)
		}
		tr.wantCoins(alice.p, 1000-10+paid(evs, 1))
		tr.wantCoins(bob.p, 1000-10+paid(evs, 2))
		if paid(evs, 1) != 20 || paid(evs, 2) != 10 {
			t.Fatalf("paid %d and %d", paid(evs, 1), paid(evs, 2))
		}
		rd := tr.round(alice.p, roundID)
		if rd.Status != imperio.RoundSettled || strings.Count(string(rd.Outcome), `"action":"timeout"`) != 2 {
			t.Fatalf("round %s %s", rd.Status, rd.Outcome)
		}
		tr.ledgerOK()

		tr.tickAt(tableStart.Add(44 * time.Second))
		alice.wantEvents("waiting")
		tr.noDeadline()
	})

	t.Run("ActionsOutOfTurnAndIllegal", func(t *testing.T) {
		t.Run("InPlay", func(t *testing.T) {
			tr := newTableRig(t, rigOptions{cards: shoe("9S", "TH", "6C", "7D", "8C", "TD", "2H", "9C")})
			alice, bob := tr.player("alice", 0), tr.player("bob", 0)
			sam := tr.spectator("sam")

			alice.betRefused(5, imperio.EBetOutOfRange)
			alice.betRefused(1001, imperio.EBetOutOfRange)
			sam.betRefused(10, imperio.EForbidden)
			sam.actRefused("hit", imperio.EForbidden)
			if tr.g.roundID != "" || tr.bj().Phase() != blackjack.PhaseWaiting {
				t.Fatalf("refused bets opened a round: %q %s", tr.g.roundID, tr.bj().Phase())
			}
			tr.wantCoins(alice.p, 1000)
			tr.wantCoins(sam.p, 1000)

			alice.bet(10)
			bob.bet(10)
			if tr.bj().View(0).TurnSeat != 1 {
				t.Fatal("not alice's turn")
			}
			same := tr.unchanged(alice.p, bob.p)
			sam.events()
			bob.actRefused("hit", imperio.ENotYourTurn)
			bob.actRefused("stand", imperio.ENotYourTurn)
			same("acting out of turn")
			alice.actRefused("split", imperio.EInvalidInput) // 9 and 7
			alice.actRefused("fold", imperio.EInvalidInput)
			alice.actRefused("insurance", imperio.EInvalidInput)
			alice.betRefused(10, imperio.EBettingClosed)
			bob.betRefused(10, imperio.EBettingClosed)
			same("illegal actions")
			sam.wantEvents() // nobody saw anything of it

			alice.act("hit") // 2H: 18 on three cards
			same = tr.unchanged(alice.p, bob.p)
			alice.actRefused("double", imperio.EInvalidInput)
			alice.actRefused("surrender", imperio.EInvalidInput)
			same("doubling or surrendering three cards")
			alice.act("stand")
			bob.act("stand")
			// A hit that leaves the hand in play gives it a fresh turn.
			evs := sam.wantEvents("hit", "turn", "stand", "turn", "stand", "reveal", "dealer_draw", "bust", "result", "result", "round_end", "pause")
			tr.wantCoins(alice.p, 990+paid(evs, 1))
			tr.wantCoins(bob.p, 990+paid(evs, 2))
			if paid(evs, 1) != 20 || paid(evs, 2) != 20 {
				t.Fatalf("paid %d and %d", paid(evs, 1), paid(evs, 2))
			}
			tr.ledgerOK()
		})
		t.Run("Seats", func(t *testing.T) {
			tr := newTableRig(t, rigOptions{cards: shoe("TS")})
			alice := tr.player("alice", 3)
			// A second socket of alice's asking for another seat stays at hers.
			alice2 := tr.connect(alice.p)
			if seat, st := alice2.join(5); seat != 3 || st.Table.Seats[4].Name != "" {
				t.Fatalf("alice's second socket got seat %d, seat 5 %+v", seat, st.Table.Seats[4])
			}
			alice.wantEvents() // no second sit
			bob := tr.connect(tr.user("bob", 1000))
			bob.refuseJoin(3, imperio.ESeatTaken)
			bob.refuseJoin(8, imperio.EInvalidInput)
			if seat, _ := bob.join(0); seat != 1 {
				t.Fatalf("bob got seat %d, want the first free", seat)
			}
			for i := range 5 {
				tr.player(fmt.Sprintf("p%d", i), 0)
			}
			if i := tr.r.info.Load(); i.Seats != 7 || i.SeatsTaken != 7 || i.Players != 8 {
				t.Fatalf("room info %+v", i)
			}
			eighth := tr.connect(tr.user("eighth", 1000))
			eighth.refuseJoin(0, imperio.ERoomFull)
			if eighth.s.inRoom(rigRoom) {
				t.Fatal("a refused player is in the room")
			}
			eighth.watch() // a full table can still be watched
		})
	})

	t.Run("DoubleSplitInsuranceDebitedWhenTaken", func(t *testing.T) {
		// alice 8-8, bob 6-5, carol 5-5 with 4 coins after her bet; the
		// dealer shows an ace over a 9.
		tr := newTableRig(t, rigOptions{cards: shoe("8S", "6H", "5H", "AS", "8D", "5S", "5D", "9C", "3C", "TH", "2H", "9H")})
		alice, bob := tr.player("alice", 0), tr.player("bob", 0)
		carol := tr.connect(tr.user("carol", 14))
		carol.join(0)
		roundID := alice.bet(100).RoundID
		bob.bet(100)
		carol.bet(10)
		evs := alice.events()
		open := event(t, evs, "insurance_open", 0)
		if !open.Deadline.Equal(tableStart.Add(10 * time.Second)) {
			t.Fatalf("insurance open %+v", open)
		}
		tr.wantCoins(carol.p, 4)

		same := tr.unchanged(alice.p, bob.p, carol.p)
		carol.actRefused("insurance", imperio.EInsufficientFunds) // costs 5
		same("insurance without the coins")
		if you := tr.bj().View(carol.p.ID).You; !slices.Contains(you.Actions, "insurance") {
			t.Fatalf("carol may no longer decide on insurance: %+v", you)
		}

		alice.frames()
		if a := alice.act("insurance"); a.Amount != 50 || a.Coins == nil || *a.Coins != 850 || a.RoundID != roundID {
			t.Fatalf("insurance accepted %+v", a)
		}
		tr.wantCoins(alice.p, 850)
		if fs := alice.frames(); !slices.ContainsFunc(fs, func(f frame) bool {
			return f.Type == TypeBalance && decodeAs[balanceData](t, f.Data).Coins == 850
		}) {
			t.Fatalf("no balance push after insurance: %v", fs)
		}
		alice.actRefused("insurance", imperio.EInvalidInput)
		if a := bob.act("no_insurance"); a.Amount != 0 || a.Coins != nil {
			t.Fatalf("no_insurance accepted %+v", a)
		}
		carol.act("no_insurance")
		evs = alice.events()
		if got := eventKinds(evs); !slices.Equal(got[len(got)-2:], []string{"peek", "turn"}) {
			t.Fatalf("after the insurance: %v", got)
		}

		if a := alice.act("split"); a.Amount != 100 || *a.Coins != 750 {
			t.Fatalf("split accepted %+v", a)
		}
		tr.wantCoins(alice.p, 750)
		if a := alice.act("double"); a.Amount != 100 || *a.Coins != 650 { // 8+3, draws TH
			t.Fatalf("double after split accepted %+v", a)
		}
		tr.wantCoins(alice.p, 650)
		alice.act("stand")                                              // 8+2
		if a := bob.act("double"); a.Amount != 100 || *a.Coins != 800 { // 6+5, draws 9H
			t.Fatalf("double accepted %+v", a)
		}
		tr.wantCoins(bob.p, 800)

		same = tr.unchanged(alice.p, bob.p, carol.p)
		carol.actRefused("split", imperio.EInsufficientFunds)
		carol.actRefused("double", imperio.EInsufficientFunds)
		same("split and double without the coins")
		if h := tr.bj().View(0).Seats[2].Hands; len(h) != 1 || h[0].Stake != 10 || h[0].Doubled {
			t.Fatalf("carol's hands %+v", h)
		}
		carol.act("stand")
		evs = alice.events()
		// alice: 21 doubled wins 400, 10 loses, insurance loses; bob 20
		// doubled pushes 200; carol's 10 loses to the dealer's 20.
		tr.wantCoins(alice.p, 650+paid(evs, 1))
		tr.wantCoins(bob.p, 800+paid(evs, 2))
		tr.wantCoins(carol.p, 4+paid(evs, 3))
		if paid(evs, 1) != 400 || paid(evs, 2) != 200 || paid(evs, 3) != 0 {
			t.Fatalf("paid %d, %d, %d", paid(evs, 1), paid(evs, 2), paid(evs, 3))
		}
		rd := tr.round(alice.p, roundID)
		want := map[string][2]int64{"alice": {350, 400}, "bob": {200, 200}, "carol": {10, 0}}
		for _, p := range rd.Players {
			if w := want[p.Username]; p.Wagered != w[0] || p.Won != w[1] {
				t.Fatalf("%s wagered %d, won %d; want %v", p.Username, p.Wagered, p.Won, w)
			}
		}
		if rd.Status != imperio.RoundSettled || len(rd.Players) != 3 {
			t.Fatalf("round %+v", rd)
		}
		tr.ledgerOK()
	})

	t.Run("ReconnectWithinGrace", func(t *testing.T) {
		tr := newTableRig(t, rigOptions{cards: shoe("TS", "9H", "7C", "QD", "7S", "TD", "4D")})
		bob, alice := tr.player("bob", 0), tr.player("alice", 0)
		bob.bet(10)
		alice.bet(10)
		bob.events()
		old := alice
		old.gone()
		old.frames()
		if e := bob.wantEvents("away")[0]; e.Seat != 2 || e.Name != "alice" {
			t.Fatalf("away %+v", e)
		}
		if old.s.inRoom(rigRoom) {
			t.Fatal("a closed socket is still in the room")
		}
		if got := tr.e.h.seatsOf(alice.p.ID); !slices.Equal(got, []string{rigRoom}) {
			t.Fatalf("alice's seats %v", got)
		}

		tr.clock.add(5 * time.Second)
		alice = tr.connect(alice.p)
		for _, name := range tr.e.h.seatsOf(alice.p.ID) {
			if name != rigRoom {
				t.Fatalf("seat at %s", name)
			}
			seat, st := alice.join(0)
			if seat != 2 || st.RoundID == "" {
				t.Fatalf("back at seat %d, round %q", seat, st.RoundID)
			}
			s := st.Table.Seats[1]
			if s.Away || len(s.Hands) != 1 || !slices.Equal(s.Hands[0].Cards, []string{"9H", "7S"}) {
				t.Fatalf("alice's seat in the state %+v", s)
			}
			if st.Table.TurnSeat != 1 || st.Table.You.Actions == nil || len(st.Table.You.Actions) != 0 {
				t.Fatalf("state turn %d, you %+v", st.Table.TurnSeat, st.Table.You)
			}
		}
		if e := bob.wantEvents("back")[0]; e.Seat != 2 {
			t.Fatalf("back %+v", e)
		}
		if !tr.deadline().Equal(tableStart.Add(20 * time.Second)) {
			t.Fatalf("the next deadline is %v, want bob's turn", tr.deadline().Sub(tableStart))
		}

		bob.act("stand")
		if e := alice.wantEvents("stand", "turn")[1]; e.Seat != 2 || !slices.Contains(e.Actions, "hit") {
			t.Fatalf("alice's turn %+v", e)
		}
		if you := tr.bj().View(alice.p.ID).You; you.Hand != 1 || !slices.Contains(you.Actions, "hit") {
			t.Fatalf("alice's view on her turn %+v", you)
		}
		alice.act("hit")
		alice.act("stand")
		evs := bob.events()
		tr.wantCoins(alice.p, 990+paid(evs, 2))
		tr.wantCoins(bob.p, 990+paid(evs, 1))
		if paid(evs, 1) != 20 || paid(evs, 2) != 20 {
			t.Fatalf("paid %d and %d", paid(evs, 1), paid(evs, 2))
		}
		for _, f := range old.frames() {
			if f.Room == rigRoom {
				t.Fatalf("the closed socket got %s", f)
			}
		}
		// Her grace would have ended at 30 s: she is back, the seat stays.
		tr.tickAt(tableStart.Add(9 * time.Second)) // the pause after the round settled at 5 s
		tr.clock.set(tableStart.Add(time.Minute))
		tr.g.tick(tr.r, tr.clock.Now())
		if _, ok := tr.bj().Seated(alice.p.ID); !ok || len(tr.e.h.seatsOf(alice.p.ID)) != 1 {
			t.Fatal("alice lost her seat after coming back")
		}
		tr.ledgerOK()
	})

	t.Run("GraceExpires", func(t *testing.T) {
		t.Run("NoStake", func(t *testing.T) {
			tr := newTableRig(t, rigOptions{cards: shoe("TS")})
			alice, bob := tr.player("alice", 0), tr.player("bob", 0)
			bob.events()
			alice.gone()
			bob.wantEvents("away")
			tr.tickEarly(bob)
			tr.tickAt(tableStart.Add(seatGrace))
			if e := bob.wantEvents("leave")[0]; e.Seat != 1 || e.Pending {
				t.Fatalf("leave %+v", e)
			}
			if got := tr.e.h.seatsOf(alice.p.ID); len(got) != 0 {
				t.Fatalf("alice still holds %v", got)
			}
			if s := tr.bj().View(0).Seats[0]; s.Name != "" {
				t.Fatalf("seat 1 %+v", s)
			}
			if i := tr.r.info.Load(); i.SeatsTaken != 1 {
				t.Fatalf("room info %+v", i)
			}
			tr.noDeadline()
			if !tr.g.keep() {
				t.Fatal("a table with a seated player may close")
			}
			bob.leave()
			if tr.g.keep() {
				t.Fatal("an empty table stays open")
			}
		})
		t.Run("LiveStake", func(t *testing.T) {
			// bob 17 and alice 19 against the dealer's 17. alice's socket
			// goes at once; her grace ends during her own turn.
			tr := newTableRig(t, rigOptions{cards: shoe("TS", "9H", "7C", "7D", "QS", "TD")})
			bob, alice := tr.player("bob", 0), tr.player("alice", 0)
			bob.bet(10)
			alice.bet(10)
			bob.events()
			alice.gone()
			bob.wantEvents("away")
			tr.tickAt(tableStart.Add(20 * time.Second))
			bob.wantEvents("timeout", "turn")
			tr.tickAt(tableStart.Add(seatGrace))
			if e := bob.wantEvents("leave")[0]; e.Seat != 2 || !e.Pending {
				t.Fatalf("leave %+v", e)
			}
			if _, ok := tr.bj().Seated(alice.p.ID); !ok || len(tr.e.h.seatsOf(alice.p.ID)) != 1 {
				t.Fatal("the seat of a player with a stake in play was freed")
			}
			tr.wantCoins(alice.p, 990)
			tr.tickAt(tableStart.Add(40 * time.Second))
			evs := bob.wantEvents("timeout", "reveal", "result", "result", "round_end", "leave", "pause")
			tr.wantCoins(alice.p, 990+paid(evs, 2))
			tr.wantCoins(bob.p, 990+paid(evs, 1))
			if paid(evs, 1) != 10 || paid(evs, 2) != 20 {
				t.Fatalf("paid %d and %d", paid(evs, 1), paid(evs, 2))
			}
			if got := tr.e.h.seatsOf(alice.p.ID); len(got) != 0 {
				t.Fatalf("alice still holds %v", got)
			}
			if _, away := tr.g.away[alice.p.ID]; away {
				t.Fatal("a freed seat is still waited for")
			}
			tr.ledgerOK()
		})
	})

	t.Run("SpectatorView", func(t *testing.T) {
		// KD, the hole card, is dealt nowhere else.
		tr := newTableRig(t, rigOptions{cards: shoe("9S", "5H", "6C", "2D", "7C", "KD", "9D", "4H", "3S")})
		sam := tr.spectator("sam")
		alice, bob := tr.player("alice", 0), tr.player("bob", 0)
		alice.bet(10)
		bob.bet(10)
		// A spectator who comes in mid-round sees the up card and that a
		// card lies face down, not which.
		sue := tr.connect(tr.user("sue", 1000))
		st := sue.watch()
		if d := st.Table.Dealer; !slices.Equal(d.Cards, []string{"6C"}) || !d.Hole || d.Total != 6 {
			t.Fatalf("sue sees the dealer %+v", d)
		}
		alice.act("double")
		bob.act("hit")
		bob.act("stand")
		for _, c := range []*rigClient{sam, sue, alice, bob} {
			revealed := false
			for _, f := range c.frames() {
				if f.Type == TypeRoomEvent {
					if e := decodeAs[blackjack.Event](t, f.Data); e.Kind == blackjack.EventReveal {
						if e.Card != "KD" {
							t.Fatalf("revealed %s", e.Card)
						}
						revealed = true
					}
				}
				if raw, _ := json.Marshal(f); !revealed && strings.Contains(string(raw), `"KD"`) {
					t.Fatalf("%s saw the hole card before the reveal: %s", c.p.Username, raw)
				}
				if isSpectator := c == sam || c == sue; isSpectator && strings.Contains(string(f.Data), `"you"`) {
					t.Fatalf("spectator %s got a you: %s", c.p.Username, f)
				}
			}
			if !revealed {
				t.Fatalf("%s never saw the reveal", c.p.Username)
			}
		}
		tr.wantCoins(alice.p, 1020)
		tr.wantCoins(bob.p, 990)
		tr.ledgerOK()
	})

	t.Run("InterruptedRoundRefund", func(t *testing.T) {
		tr := newTableRig(t, rigOptions{cards: shoe("8S", "TH", "7C", "8D", "9H", "TD", "3C")})
		alice, bob := tr.player("alice", 0), tr.player("bob", 0)
		roundID := alice.bet(100).RoundID
		bob.bet(100)
		alice.act("split")
		tr.wantCoins(alice.p, 800)
		tr.wantCoins(bob.p, 900)
		// The process dies here: the room is never called again.
		ctx := context.Background()
		voided, err := tr.e.st.VoidOpenRounds(ctx, "", "test")
		if err != nil {
			t.Fatal(err)
		}
		if len(voided) != 1 || voided[0].RoundID != roundID || voided[0].Room != rigRoom || voided[0].Refunded != 300 {
			t.Fatalf("voided %+v", voided)
		}
		tr.wantCoins(alice.p, 1000)
		tr.wantCoins(bob.p, 1000)
		tr.ledgerOK()
		for _, p := range []Player{alice.p, bob.p} {
			if rd := tr.round(p, roundID); rd.Status != imperio.RoundVoid {
				t.Fatalf("round recalls as %s", rd.Status)
			}
		}
		if open, err := tr.e.st.OpenRounds(ctx, ""); err != nil || len(open) != 0 {
			t.Fatalf("open rounds %v %v", open, err)
		}
	})

	t.Run("RetiredShoePublished", func(t *testing.T) {
		// A four-card shoe is used up by one round; the next round plays
		// from a new shoe, and when it settles the old order goes out.
		tr := newTableRig(t, rigOptions{cards: []string{"TS", "7C", "QD", "TD"}})
		alice := tr.player("alice", 0)
		var hash string
		for round := 1; round <= 2; round++ {
			alice.bet(10)
			for _, e := range alice.events() {
				if e.Kind == blackjack.EventShuffle && e.Shoe == 1 {
					hash = e.Hash
				}
			}
			for tr.bj().RoundActive() {
				if you := tr.bj().View(alice.p.ID).You; you != nil && slices.Contains(you.Actions, "stand") {
					alice.act("stand")
					continue
				}
				tr.tickAt(tr.deadline())
			}
			if round == 1 {
				tr.tickAt(tr.deadline()) // the pause
			}
		}
		var got shoeRetiredData
		alice.pull()
		for _, f := range alice.got {
			if f.Type == TypeRoomEvent && strings.Contains(string(f.Data), `"kind":"shoe_retired"`) {
				got = decodeAs[shoeRetiredData](t, f.Data)
			}
		}
		if got.Shoe != 1 || !slices.Equal(got.Order, []string{"TS", "7C", "QD", "TD"}) || got.Hash != blackjack.ShoeHash(got.Order) {
			t.Fatalf("shoe_retired %+v", got)
		}
		if hash != "" && hash != got.Hash {
			t.Fatalf("shuffle published %s, retired shoe hashes to %s", hash, got.Hash)
		}
		tr.ledgerOK()
	})

	t.Run("UncertainStakeRefundedAtSettlement", func(t *testing.T) {
		// Bob's stake commits, but the store's answer is lost twice: the
		// table refuses the bet, and the settlement gives the coins back.
		var w *stakeWallet
		tr := newTableRig(t, rigOptions{cards: shoe("TS", "7C", "QD", "TD"), wallet: func(st *store.Store) Wallet {
			w = &stakeWallet{Store: st, lose: 2}
			return w
		}})
		alice := tr.player("alice", 1)
		bob := tr.player("bob", 2)
		w.who = bob.p.ID
		alice.bet(10)
		bob.betRefused(10, imperio.EUnavailable)
		tr.wantCoins(bob.p, 990) // taken by the store, not counted by the table
		tr.tickAt(tr.deadline()) // the window closes: alice alone is dealt in
		alice.act("stand")
		tr.wantCoins(bob.p, 1000)
		tr.wantCoins(alice.p, 1010)
		tr.ledgerOK()
	})

	t.Run("SettlementCommitsBeforeResults", func(t *testing.T) {
		t.Run("ResultsAfterCommit", func(t *testing.T) {
			var w *settleWallet
			tr := newTableRig(t, rigOptions{cards: shoe("TS", "7C", "QD", "TD"), wallet: func(st *store.Store) Wallet {
				w = &settleWallet{Store: st}
				return w
			}})
			alice, sam := tr.player("alice", 0), tr.spectator("sam")
			roundID := alice.bet(10).RoundID
			alice.events()
			sam.events()
			w.before = func() {
				// Inside the settlement, before it commits: of the round's
				// end only the stand that ended it has gone out (no card,
				// no result), and the round is open.
				for _, c := range []*rigClient{alice, sam} {
					if evs := c.events(); len(evs) != 1 || evs[0].Kind != "stand" {
						t.Errorf("%s got %v before the settlement committed, want the stand alone", c.p.Username, eventKinds(evs))
					}
				}
				if rd := tr.round(alice.p, roundID); rd.Status != imperio.RoundOpen {
					t.Errorf("round %s before its settlement", rd.Status)
				}
			}
			alice.act("stand")
			if w.attempts != 1 {
				t.Fatalf("%d settlements", w.attempts)
			}
			if rd := tr.round(alice.p, roundID); rd.Status != imperio.RoundSettled {
				t.Fatalf("round %s after the results", rd.Status)
			}
			for _, c := range []*rigClient{alice, sam} {
				c.wantEvents("reveal", "result", "round_end", "pause")
			}
			tr.wantCoins(alice.p, 1010)
			tr.ledgerOK()
		})
		t.Run("RetriedUntilItCommits", func(t *testing.T) {
			var w *settleWallet
			tr := newTableRig(t, rigOptions{cards: shoe("TS", "7C", "QD", "TD"), wallet: func(st *store.Store) Wallet {
				w = &settleWallet{Store: st, fails: 3}
				return w
			}})
			alice, sam := tr.player("alice", 0), tr.spectator("sam")
			roundID := alice.bet(10).RoundID
			alice.events()
			sam.events()
			t1 := tr.clock.add(time.Second)
			alice.act("stand")
			if w.attempts != 1 || tr.g.held == nil {
				t.Fatalf("%d settlements, held %v", w.attempts, tr.g.held)
			}
			// The stand went out; nothing of the round's end until the
			// settlement commits.
			alice.wantEvents("stand")
			sam.wantEvents("stand")
			alice.betRefused(10, imperio.EUnavailable)
			tr.wantCoins(alice.p, 990)

			// Retries every 2 s, past the end of the 4 s pause; the next
			// deadline is always the retry, never one already past.
			for i, at := range []time.Time{t1.Add(2 * time.Second), t1.Add(4 * time.Second)} {
				tr.tickAt(at)
				if w.attempts != i+2 {
					t.Fatalf("%d settlements at %v", w.attempts, at.Sub(tableStart))
				}
				if d := tr.deadline(); !d.After(at) {
					t.Fatalf("after a failed retry at %v the next deadline is %v", at.Sub(tableStart), d.Sub(tableStart))
				}
				sam.wantEvents()
				if rd := tr.round(alice.p, roundID); rd.Status != imperio.RoundOpen {
					t.Fatalf("round %s", rd.Status)
				}
			}
			tr.tickAt(t1.Add(6 * time.Second))
			if w.attempts != 4 || tr.g.held != nil {
				t.Fatalf("%d settlements, held %v", w.attempts, tr.g.held)
			}
			if rd := tr.round(alice.p, roundID); rd.Status != imperio.RoundSettled {
				t.Fatalf("round %s", rd.Status)
			}
			for _, c := range []*rigClient{alice, sam} {
				c.wantEvents("reveal", "result", "round_end", "pause")
			}
			tr.wantCoins(alice.p, 1010)
			// The pause ran out while the settlement waited: the table
			// moves on at once.
			if d := tr.deadline(); d.After(tr.clock.Now()) {
				t.Fatalf("the pause ends at %v", d.Sub(tableStart))
			}
			tr.g.tick(tr.r, tr.clock.Now())
			sam.wantEvents("waiting")
			alice.bet(10)
			tr.ledgerOK()
		})
	})

	t.Run("NamedTable", func(t *testing.T) {
		clock := &fakeClock{now: tableStart}
		e := newTableEnv(t, clock, rigOptions{cards: shoe("TS"), roomIdle: 5 * time.Millisecond})
		user := func(name string, grant int64) *Session {
			u, err := e.st.CreateUser(context.Background(), imperio.NewUser{Username: name, Email: name + "@example.com", PasswordHash: "x", Grant: grant})
			if err != nil {
				t.Fatal(err)
			}
			return newSession(e.h, Player{ID: u.ID, Username: u.Username}, newFakeTransport())
		}
		ids := 0
		send := func(s *Session, typ string, data any) string {
			ids++
			id := fmt.Sprintf("f%d", ids)
			raw, _ := json.Marshal(data)
			s.dispatch(inFrame{Type: typ, ID: id, Data: raw})
			return id
		}
		// await reads s's queue until a frame matches, up to waitTimeout.
		await := func(s *Session, what string, match func(frame) bool) frame {
			t.Helper()
			timeout := time.After(waitTimeout)
			for {
				select {
				case b := <-s.send:
					if f := decodeAs[frame](t, b); match(f) {
						return f
					}
				case <-timeout:
					t.Fatalf("%s: no %s", s.player.Username, what)
				}
			}
		}
		answer := func(s *Session, id string) frame {
			t.Helper()
			return await(s, "answer to "+id, func(f frame) bool { return f.Re == id })
		}
		isOpen := func(name string) bool { _, ok := e.roomInfo(name); return ok }

		alice, bob, carol := user("alice", 1000), user("bob", 1000), user("carol", 1000)
		f := answer(alice, send(alice, TypeRoomJoin, map[string]any{"room": "blackjack:friday"}))
		if j := decodeAs[joinedData](t, f.Data); f.Type != TypeRoomJoined || j.Room != "blackjack:friday" || j.Seat == nil || *j.Seat != 1 {
			t.Fatalf("join answered %s", f)
		}
		if f := answer(bob, send(bob, TypeRoomWatch, map[string]any{"room": "blackjack:friday"})); f.Type != TypeRoomJoined {
			t.Fatalf("watch answered %s", f)
		}
		if i, ok := e.roomInfo("blackjack:friday"); !ok || i.Game != "blackjack" || i.Seats != 7 || i.MinBet != 10 {
			t.Fatalf("room info %+v %v", i, ok)
		}
		if f := answer(carol, send(carol, TypeRoomWatch, map[string]any{"room": "blackjack:nope"})); f.code() != imperio.ENotFound {
			t.Fatalf("watching a table nobody opened answered %s", f)
		}
		for _, name := range []string{"blackjack:Bad Name", "blackjack:" + strings.Repeat("a", 30), "blackjack:", "blackjack:-x"} {
			for _, typ := range []string{TypeRoomJoin, TypeRoomWatch} {
				if f := answer(carol, send(carol, typ, map[string]any{"room": name})); f.code() != imperio.EInvalidInput {
					t.Fatalf("%s %q answered %s", typ, name, f)
				}
			}
		}
		if isOpen("blackjack:nope") || isOpen("blackjack:Bad Name") {
			t.Fatal("a refused name opened a room")
		}

		// alice's socket drops: the table keeps her seat, empty as it is.
		if f := answer(bob, send(bob, TypeRoomLeave, map[string]any{"room": "blackjack:friday"})); f.Type != TypeRoomLeft {
			t.Fatalf("leave answered %s", f)
		}
		alice.leaveAll()
		time.Sleep(40 * e.h.opts.RoomIdle) // many idle periods; nothing signals a room that stays
		if !isOpen("blackjack:friday") {
			t.Fatal("a table closed while a player held a seat at it")
		}
		// Her new socket is put back at it, as serve does.
		alice2 := newSession(e.h, alice.player, newFakeTransport())
		for _, name := range e.h.seatsOf(alice.player.ID) {
			if err := e.h.route(name, roomCmd{kind: cmdEnter, s: alice2, role: rolePlayer}, false); err != nil {
				t.Fatal(err)
			}
		}
		f = await(alice2, "room.joined", func(f frame) bool { return f.Type == TypeRoomJoined })
		if j := decodeAs[joinedData](t, f.Data); j.Room != "blackjack:friday" || j.Seat == nil || *j.Seat != 1 {
			t.Fatalf("rejoined %s", f)
		}
		if f := answer(alice2, send(alice2, TypeRoomLeave, map[string]any{"room": "blackjack:friday"})); f.Type != TypeRoomLeft {
			t.Fatalf("leave answered %s", f)
		}
		eventually(t, "the empty table to close", func() bool { return !isOpen("blackjack:friday") })

		// A first bet the bank refuses leaves no round to hold the table open.
		dave := user("dave", 5)
		if f := answer(dave, send(dave, TypeRoomJoin, map[string]any{"room": "blackjack:poor"})); f.Type != TypeRoomJoined {
			t.Fatalf("join answered %s", f)
		}
		if f := answer(dave, send(dave, TypeTableBet, map[string]any{"room": "blackjack:poor", "amount": 10})); f.code() != imperio.EInsufficientFunds {
			t.Fatalf("bet answered %s", f)
		}
		if f := answer(dave, send(dave, TypeRoomLeave, map[string]any{"room": "blackjack:poor"})); f.Type != TypeRoomLeft {
			t.Fatalf("leave answered %s", f)
		}
		eventually(t, "the table to close after a refused bet", func() bool { return !isOpen("blackjack:poor") })
		problems, err := e.st.CheckLedger(context.Background())
		if err != nil || len(problems) != 0 {
			t.Fatalf("ledger: %v %v", problems, err)
		}
	})
}

// settleWallet is the store with a SettleRound that calls before (if set)
// at each attempt and fails the first fails of them, as a database that is
// down would.
type settleWallet struct {
	*store.Store
	fails    int
	attempts int
	before   func()
}

var errSettleDown = errors.New("test: the database is down")

func (w *settleWallet) SettleRound(ctx context.Context, rs imperio.RoundSettlement) ([]imperio.Balance, error) {
	w.attempts++
	if w.before != nil {
		w.before()
	}
	if w.fails > 0 {
		w.fails--
		return nil, errSettleDown
	}
	return w.Store.SettleRound(ctx, rs)
}

// bj is the rig's blackjack table.
func (tr *tableRig) bj() *blackjack.Table { return tr.g.e.(bjEngine).t }

// tableState is a blackjack table's room.state as a client decodes it.
type tableState struct {
	Room      string         `json:"room"`
	RoundID   string         `json:"round_id,omitempty"`
	LastRound string         `json:"last_round_id,omitempty"`
	Table     blackjack.View `json:"table"`
}

// stakeWallet loses the store's answer to the first lose stakes of one
// player: the stake commits, the caller sees an internal error.
type stakeWallet struct {
	*store.Store
	who  int64
	lose int
}

func (w *stakeWallet) Stake(ctx context.Context, st imperio.Stake) (int64, bool, error) {
	coins, replayed, err := w.Store.Stake(ctx, st)
	if err == nil && st.UserID == w.who && w.lose > 0 {
		w.lose--
		return 0, false, errors.New("test: connection lost after commit")
	}
	return coins, replayed, err
}
