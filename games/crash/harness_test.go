package crash

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testSeed is the seed of every test chain: its rounds' crash points are
// fixed, so a test that plays the chain plays the same rounds every time.
var testSeed = func() []byte { s := sha256.Sum256([]byte("imperio crash tests")); return s[:] }()

// ms is n milliseconds.
func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

// harness drives a table in virtual time the way a room does: Cost, then
// debit, then Apply with the same now; Advance when asked. It keeps the
// players' coins so that every round's money is checked, and it checks
// after every step that nothing public gives the round away before the
// crash.
type harness struct {
	t      *testing.T
	tb     *Table
	now    time.Time
	events []Event
	paid   map[int64]int64 // coins taken, by player
	got    map[int64]int64 // coins credited at settlements
	booked map[int64]int64 // paid, as of the last settlement
	rounds int             // settled rounds checked
}

func newHarness(t *testing.T, r Rules, points ...int64) *harness {
	t.Helper()
	chain := NewChain(testSeed, 5000)
	var tb *Table
	var err error
	if points == nil {
		tb, err = NewTable(r, chain, t0)
	} else {
		tb, err = NewTableWithCrashPoints(r, chain, points, t0)
	}
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, tb: tb, now: t0, paid: map[int64]int64{}, got: map[int64]int64{}, booked: map[int64]int64{}}
}

func name(p int64) string { return fmt.Sprintf("player%d", p) }

func (h *harness) bet(p, amount, auto int64) []Event {
	h.t.Helper()
	return h.do(Command{Kind: CommandBet, Player: p, Name: name(p), Amount: amount, AutoCashout: auto})
}

func (h *harness) cashout(p int64) []Event {
	h.t.Helper()
	return h.do(Command{Kind: CommandAction, Player: p, Action: ActionCashout})
}

// do runs a command that must succeed: Cost, debit, Apply.
func (h *harness) do(cmd Command) []Event {
	h.t.Helper()
	cost, err := h.tb.Cost(h.now, cmd)
	if err != nil {
		h.t.Fatalf("Cost(%+v): %v", cmd, err)
	}
	ev, err := h.tb.Apply(h.now, cmd)
	if err != nil {
		h.t.Fatalf("Apply(%+v) after Cost %d: %v", cmd, cost, err)
	}
	h.paid[cmd.Player] += cost
	h.take(ev)
	return ev
}

// fail runs a command that must fail with want, from Cost and Apply alike,
// and change nothing.
func (h *harness) fail(cmd Command, want error) error {
	h.t.Helper()
	before := h.snapshot(cmd.Player)
	_, cerr := h.tb.Cost(h.now, cmd)
	ev, aerr := h.tb.Apply(h.now, cmd)
	if !errors.Is(cerr, want) || !errors.Is(aerr, want) {
		h.t.Fatalf("%+v: Cost error %v, Apply error %v, want %v", cmd, cerr, aerr, want)
	}
	if cerr.Error() != aerr.Error() {
		h.t.Fatalf("%+v: Cost says %q, Apply %q", cmd, cerr, aerr)
	}
	if ev != nil {
		h.t.Fatalf("%+v failed but returned events %v", cmd, ev)
	}
	if after := h.snapshot(cmd.Player); after != before {
		h.t.Fatalf("%+v failed but changed the table:\n%s\n%s", cmd, before, after)
	}
	return aerr
}

func (h *harness) snapshot(p int64) string {
	d, _ := h.tb.Deadline()
	return string(h.marshal(struct {
		V View
		R Record
		D time.Time
	}{h.tb.View(p), h.tb.Record(), d}))
}

func (h *harness) marshal(v any) []byte {
	h.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		h.t.Fatal(err)
	}
	return b
}

// wait moves virtual time on by d and runs what is due.
func (h *harness) wait(d time.Duration) []Event {
	h.t.Helper()
	return h.until(h.now.Add(d))
}

// until moves virtual time on to at and runs what is due.
func (h *harness) until(at time.Time) []Event {
	h.t.Helper()
	h.now = at
	ev := h.tb.Advance(h.now)
	h.take(ev)
	return ev
}

// sinceStart is the time ms milliseconds into the running round.
func (h *harness) sinceStart(n int64) time.Time { return h.tb.startedAt.Add(ms(n)) }

// take checks events as they come: nothing public before the crash gives
// the round away, and a settlement's money adds up.
func (h *harness) take(ev []Event) {
	h.t.Helper()
	h.events = append(h.events, ev...)
	crashed := false
	for _, e := range ev {
		switch {
		case e.Kind == EventCrash:
			crashed = true
			if e.Hash == "" || e.Multiplier != h.tb.rec.CrashPoint {
				h.t.Fatalf("crash event %+v, record %+v", e, h.tb.rec)
			}
		case !crashed && e.Hash != "":
			h.t.Fatalf("%s event before the crash carries a hash: %+v", e.Kind, e)
		case !crashed && (e.Kind == EventTick || e.Kind == EventCashout) && h.tb.point <= e.Multiplier:
			h.t.Fatalf("%s at %d, at or above the crash point %d", e.Kind, e.Multiplier, h.tb.point)
		}
		if !crashed && h.tb.hashHex != "" && strings.Contains(string(h.marshal(e)), h.tb.hashHex) {
			h.t.Fatalf("%s event shows the round hash", e.Kind)
		}
		if e.Kind == EventRoundEnd {
			h.settled(e)
		}
	}
	h.secret()
}

// secret checks that while a round is live, neither its views nor its
// record show its crash point or hash.
func (h *harness) secret() {
	h.t.Helper()
	tb := h.tb
	if !tb.active {
		return
	}
	// The public view, and the views of the first and last bettors (every
	// view differs from the public one only in You).
	views := []View{tb.View(0)}
	if n := len(tb.bets); n > 0 {
		views = append(views, tb.View(tb.bets[0].player), tb.View(tb.bets[n-1].player))
	}
	for _, v := range views {
		if v.CrashPoint != 0 || v.Hash != "" || v.Multiplier >= tb.point && tb.point > 100 ||
			strings.Contains(string(h.marshal(v)), tb.hashHex) {
			h.t.Fatalf("live view gives the round away (point %d): %+v", tb.point, v)
		}
		if !v.Deadline.IsZero() && v.Phase != PhaseBetting {
			h.t.Fatalf("live view has a deadline in phase %s", v.Phase)
		}
	}
	rec := tb.Record()
	if rec.Hash != "" || rec.CrashPoint != 0 || rec.Payouts != nil || strings.Contains(string(h.marshal(rec)), tb.hashHex) {
		h.t.Fatalf("live record gives the round away: %+v", rec)
	}
	if tb.Payouts() != nil {
		h.t.Fatal("payouts while the round is live")
	}
}

// settled checks a settlement just announced: one payout per bet, each
// what its cash-out pays for its stake (nothing without one), every cash-out
// below the crash point, the stakes the coins taken, and the crash point
// the one the revealed hash gives.
func (h *harness) settled(end Event) {
	h.t.Helper()
	tb := h.tb
	if tb.RoundActive() {
		h.t.Fatal("round_end with the round still active")
	}
	rec := tb.Record()
	pays := tb.Payouts()
	if !rec.Settled || len(pays) != len(rec.Bets) || len(rec.Payouts) != len(pays) {
		h.t.Fatalf("record %+v, payouts %+v", rec, pays)
	}
	if steps, ok := Verify(rec.Hash, rec.Terminating, tb.chain.Len()); !ok || steps != rec.Index {
		h.t.Fatalf("round hash %s of index %d: Verify %d, %v", rec.Hash, rec.Index, steps, ok)
	}
	if want := min(CrashPoint(rec.Hash), tb.rules.MaxMultiplier); !rec.Forced && rec.CrashPoint != want {
		h.t.Fatalf("crash point %d, the hash gives %d", rec.CrashPoint, want)
	}
	if rec.CrashMs != ReachedAt(rec.CrashPoint) || !rec.CrashedAt.Equal(rec.StartedAt.Add(ms(rec.CrashMs))) {
		h.t.Fatalf("crash at %d ms (%v from %v) for %d", rec.CrashMs, rec.CrashedAt, rec.StartedAt, rec.CrashPoint)
	}
	staked := map[int64]int64{}
	var total int64
	for i, b := range rec.Bets {
		p := pays[i]
		var want int64
		if b.CashedOut {
			want = b.Amount * b.Multiplier / 100
			switch {
			case b.Multiplier >= rec.CrashPoint:
				h.t.Fatalf("%s cashed out at %d, crash point %d", b.Ref, b.Multiplier, rec.CrashPoint)
			case b.Auto && (b.Multiplier != b.AutoCashout || b.Elapsed != ReachedAt(b.AutoCashout)):
				h.t.Fatalf("%s auto at %d: %+v", b.Ref, b.AutoCashout, b)
			case !b.Auto && b.Multiplier != Multiplier(b.Elapsed):
				h.t.Fatalf("%s by hand at %d ms: %+v", b.Ref, b.Elapsed, b)
			case !b.CashoutAt.Before(rec.CrashedAt) && !(b.Auto && b.Elapsed == rec.CrashMs):
				h.t.Fatalf("%s cashed out at %v, crash at %v", b.Ref, b.CashoutAt, rec.CrashedAt)
			}
		} else if b.AutoCashout > 0 && b.AutoCashout < rec.CrashPoint {
			h.t.Fatalf("%s: auto %d below crash point %d did not cash out", b.Ref, b.AutoCashout, rec.CrashPoint)
		}
		if p.Ref != b.Ref || p.Player != b.Player || p.Stake != b.Amount || p.Amount != want || b.Payout != want {
			h.t.Fatalf("payout %+v for bet %+v, want %d", p, b, want)
		}
		staked[p.Player] += p.Stake
		total += p.Amount
		h.got[p.Player] += p.Amount
	}
	if end.Amount != total || end.Multiplier != rec.CrashPoint || end.Round != rec.Round {
		h.t.Fatalf("round_end %+v, paid %d, record %+v", end, total, rec)
	}
	// Every coin taken for this round is accounted for by a payout's stake.
	for p := range h.paid {
		if h.paid[p]-h.booked[p] != staked[p] {
			h.t.Fatalf("player %d: staked %d in payouts, paid %d", p, staked[p], h.paid[p]-h.booked[p])
		}
		h.booked[p] = h.paid[p]
	}
	h.rounds++
}

func kinds(ev []Event) []string {
	out := make([]string, len(ev))
	for i, e := range ev {
		out[i] = e.Kind
	}
	return out
}

func find(ev []Event, kind string) (Event, bool) {
	for _, e := range ev {
		if e.Kind == kind {
			return e, true
		}
	}
	return Event{}, false
}

func has(ev []Event, kind string) bool {
	return slices.ContainsFunc(ev, func(e Event) bool { return e.Kind == kind })
}
