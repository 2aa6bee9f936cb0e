package roulette

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/imperio-casino/imperio/games/fair"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// harness drives a table in virtual time the way a room does: Cost, then
// debit, then Apply with the same now; Advance when asked. It keeps the
// players' coins so every test can check that money is conserved.
type harness struct {
	t      *testing.T
	tb     *Table
	now    time.Time
	events []Event         // every event so far
	paid   map[int64]int64 // coins taken, all rounds
	got    map[int64]int64 // coins credited, all rounds
	round  map[int64]int64 // coins taken for the round in play
	rounds int             // settled rounds checked
}

func newHarness(t *testing.T, r Rules, results ...int) *harness {
	t.Helper()
	var tb *Table
	var err error
	if results == nil {
		tb, err = NewTable(r, fair.NewSeeded(7), t0)
	} else {
		tb, err = NewTableWithResults(r, results, fair.NewSeeded(7), t0)
	}
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, tb: tb, now: t0, paid: map[int64]int64{}, got: map[int64]int64{}, round: map[int64]int64{}}
}

// name is the display name of player p.
func name(p int64) string { return fmt.Sprintf("player%d", p) }

// bet places bets for player p; they must be accepted.
func (h *harness) bet(p int64, bets ...Bet) []Event {
	h.t.Helper()
	return h.do(Command{Kind: CommandBet, Player: p, Name: name(p), Bets: bets})
}

// do runs a command that must succeed: Cost, debit, Apply. A bet must take
// exactly what Cost said: the player's total grows by it, and the bet event
// says so.
func (h *harness) do(cmd Command) []Event {
	h.t.Helper()
	before := h.tb.View(cmd.Player).You.Total
	cost, err := h.tb.Cost(h.now, cmd)
	if err != nil {
		h.t.Fatalf("Cost(%+v): %v", cmd, err)
	}
	ev, err := h.tb.Apply(h.now, cmd)
	if err != nil {
		h.t.Fatalf("Apply(%+v) after Cost %d: %v", cmd, cost, err)
	}
	if cmd.Kind == CommandBet {
		var sum int64
		for _, b := range cmd.Bets {
			sum += b.Amount
		}
		e, ok := find(ev, EventBet)
		after := h.tb.View(cmd.Player).You.Total
		if !ok || cost != sum || e.Amount != cost || e.Total != after || after-before != cost || e.Player != cmd.Player || len(e.Bets) != len(cmd.Bets) {
			h.t.Fatalf("%+v: Cost %d, sum %d, event %+v, total %d -> %d", cmd, cost, sum, e, before, after)
		}
	} else if cost != 0 {
		h.t.Fatalf("%+v costs %d", cmd, cost)
	}
	h.paid[cmd.Player] += cost
	h.round[cmd.Player] += cost
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
	b, err := json.Marshal(struct {
		V View
		R Record
		D time.Time
	}{h.tb.View(p), h.tb.Record(), h.tb.deadline})
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

// wait moves virtual time on by d and runs what is due.
func (h *harness) wait(d time.Duration) []Event {
	h.t.Helper()
	h.now = h.now.Add(d)
	ev := h.tb.Advance(h.now)
	h.take(ev)
	return ev
}

// take checks events as they come: at each round_end, the settlement.
func (h *harness) take(ev []Event) {
	h.t.Helper()
	h.events = append(h.events, ev...)
	for i, e := range ev {
		if e.Kind == EventRoundEnd {
			h.settled(ev[:i+1])
		}
	}
}

// settled checks a settlement just announced: every bet is paid what it
// pays on the number, every coin taken for the round is a payout's stake,
// and the payout and round_end events agree with the payouts.
func (h *harness) settled(ev []Event) {
	h.t.Helper()
	tb := h.tb
	if tb.RoundActive() {
		h.t.Fatal("round_end with the round still active")
	}
	rec := tb.Record()
	pays := tb.Payouts()
	if !rec.Settled || rec.Number == nil || rec.Color != Color(*rec.Number) || pays == nil {
		h.t.Fatalf("settled record %+v, payouts %v", rec, pays)
	}
	n := *rec.Number
	if res := tb.Results(); len(res) == 0 || res[0] != n {
		h.t.Fatalf("results %v after %d", res, n)
	}
	byRef := map[string]Payout{}
	for _, p := range pays {
		if _, dup := byRef[p.Ref]; dup {
			h.t.Fatalf("payout ref %s twice", p.Ref)
		}
		byRef[p.Ref] = p
	}
	var staked, credited int64
	bets := 0
	for _, pr := range rec.Players {
		var stake, won int64
		for i, br := range pr.Bets {
			bets++
			b := Bet{Kind: br.Kind, Numbers: br.Numbers, Amount: br.Amount}
			want := b.Payout(n, tb.rules.LaPartage)
			p, ok := byRef[br.Ref]
			if br.Ref != fmt.Sprintf("p%db%d", pr.Player, i+1) || !ok || p.Player != pr.Player || p.Stake != br.Amount || p.Amount != want || br.Payout != want {
				h.t.Fatalf("bet %+v on %d: payout %+v, want %d", br, n, p, want)
			}
			stake += br.Amount
			won += want
		}
		if stake != pr.Stake || won != pr.Payout || stake != h.round[pr.Player] {
			h.t.Fatalf("player %d: staked %d (record %d, taken %d), won %d (record %d)", pr.Player, stake, pr.Stake, h.round[pr.Player], won, pr.Payout)
		}
		e, ok := findFor(ev, EventPayout, pr.Player)
		if !ok || e.Amount != won || e.Total != stake || e.Name != pr.Name || e.Round != rec.Round {
			h.t.Fatalf("payout event %+v for player %d: won %d of %d", e, pr.Player, won, stake)
		}
		h.got[pr.Player] += won
		delete(h.round, pr.Player)
		staked += stake
		credited += won
	}
	if bets != len(pays) {
		h.t.Fatalf("%d payouts for %d bets", len(pays), bets)
	}
	for p, c := range h.round {
		if c != 0 {
			h.t.Fatalf("player %d paid %d into round %d and is not in it", p, c, rec.Round)
		}
	}
	h.round = map[int64]int64{}
	res, _ := find(ev, EventResult)
	end := ev[len(ev)-1]
	if res.Number == nil || *res.Number != n || res.Color != Color(n) || res.Draw != rec.Draw ||
		end.Number == nil || *end.Number != n || end.Amount != credited || end.Total != staked || end.Round != rec.Round {
		h.t.Fatalf("result %+v, round_end %+v; number %d, staked %d, credited %d", res, end, n, staked, credited)
	}
	h.rounds++
}

// kinds lists the kinds of events.
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

func findFor(ev []Event, kind string, player int64) (Event, bool) {
	for _, e := range ev {
		if e.Kind == kind && e.Player == player {
			return e, true
		}
	}
	return Event{}, false
}

func wantKinds(t *testing.T, ev []Event, want ...string) {
	t.Helper()
	if got := kinds(ev); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

func straight(n int, amount int64) Bet {
	return Bet{Kind: KindStraight, Numbers: []int{n}, Amount: amount}
}

func outside(kind string, amount int64) Bet { return Bet{Kind: kind, Amount: amount} }
