package blackjack

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
	events []Event // every event so far
	paid   map[int64]int64
	got    map[int64]int64
	booked map[int64]int64 // paid, as of the last settlement
	rounds int             // settled rounds whose payouts were collected
}

func newHarness(t *testing.T, r Rules, cards ...string) *harness {
	t.Helper()
	var tb *Table
	var err error
	if cards == nil {
		tb, err = NewTable(r, fair.NewSeeded(7), t0)
	} else {
		tb, err = NewTableWithShoe(r, fair.NewSeeded(7), cards, t0)
	}
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, tb: tb, now: t0, paid: map[int64]int64{}, got: map[int64]int64{}}
}

// name is the display name of player p.
func name(p int64) string { return fmt.Sprintf("player%d", p) }

func (h *harness) sit(p int64, seat int) {
	h.t.Helper()
	h.do(Command{Kind: CommandSit, Player: p, Name: name(p), Seat: seat})
}

func (h *harness) bet(p, amount int64) []Event {
	h.t.Helper()
	return h.do(Command{Kind: CommandBet, Player: p, Amount: amount})
}

func (h *harness) act(p int64, action string) []Event {
	h.t.Helper()
	return h.do(Command{Kind: CommandAction, Player: p, Action: action})
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

// take checks events as they come: a settlement's payouts are collected
// and checked against the results.
func (h *harness) take(ev []Event) {
	h.t.Helper()
	h.events = append(h.events, ev...)
	for _, e := range ev {
		if e.Kind == EventRoundEnd {
			h.settled()
		}
	}
}

// settled checks a settlement just announced: every payout is what its
// result pays for its stake, the stakes are the coins taken, and the
// result events agree with the payouts.
func (h *harness) settled() {
	h.t.Helper()
	tb := h.tb
	if tb.RoundActive() {
		h.t.Fatal("round_end with the round still active")
	}
	r := tb.Rules()
	rec := tb.Record()
	pays := tb.Payouts()
	byRef := map[string]Payout{}
	for _, p := range pays {
		if _, dup := byRef[p.Ref]; dup {
			h.t.Fatalf("payout ref %s twice", p.Ref)
		}
		byRef[p.Ref] = p
		h.got[p.Player] += p.Amount
	}
	staked := map[int64]int64{}
	for _, p := range pays {
		staked[p.Player] += p.Stake
	}
	for _, s := range rec.Seats {
		for _, hr := range s.Hands {
			ref := fmt.Sprintf("s%dh%d", s.Seat, hr.Hand)
			p, ok := byRef[ref]
			if !ok {
				h.t.Fatalf("no payout for %s", ref)
			}
			var want int64
			switch hr.Result {
			case ResultWin:
				want = 2 * hr.Stake
			case ResultPush:
				want = hr.Stake
			case ResultBlackjack:
				want = hr.Stake + hr.Stake*r.BlackjackNum/r.BlackjackDen
			case ResultSurrender:
				want = hr.Bet / 2
			case ResultLose:
			default:
				h.t.Fatalf("%s: result %q", ref, hr.Result)
			}
			if p.Amount != want || hr.Payout != want || p.Stake != hr.Stake || p.Player != s.Player {
				h.t.Fatalf("%s: %s of stake %d: payout %+v, record %+v, want %d", ref, hr.Result, hr.Stake, p, hr, want)
			}
			wantStake := hr.Bet
			if hr.Doubled {
				wantStake *= 2
			}
			if hr.Stake != wantStake || (!hr.Split && hr.Hand == 1 && hr.Bet != s.Bet) {
				h.t.Fatalf("%s: stake %d for bet %d (seat bet %d)", ref, hr.Stake, hr.Bet, s.Bet)
			}
		}
		if s.Insurance > 0 {
			p := byRef[fmt.Sprintf("s%dins", s.Seat)]
			want := int64(0)
			if rec.Dealer.Blackjack {
				want = 3 * s.Insurance
			}
			if p.Amount != want || p.Stake != s.Insurance || s.Insurance != s.Bet/2 {
				h.t.Fatalf("insurance of seat %d: %+v, want %d", s.Seat, p, want)
			}
		}
	}
	n := 0
	for _, s := range rec.Seats {
		n += len(s.Hands)
		if s.Insurance > 0 {
			n++
		}
	}
	if n != len(pays) {
		h.t.Fatalf("%d payouts for %d hands and insurance bets", len(pays), n)
	}
	// Every coin taken for this round is accounted for by a payout's stake.
	for p, s := range staked {
		if h.paid[p]-h.stakedBefore(p) != s {
			h.t.Fatalf("player %d: staked %d in payouts, paid %d", p, s, h.paid[p]-h.stakedBefore(p))
		}
	}
	for p := range h.paid {
		if _, ok := staked[p]; !ok && h.paid[p] != h.stakedBefore(p) {
			h.t.Fatalf("player %d paid %d with no payout", p, h.paid[p]-h.stakedBefore(p))
		}
	}
	h.closeBooks()
	h.rounds++
}

// The coins each player had paid in before the round now settling.
func (h *harness) stakedBefore(p int64) int64 { return h.booked[p] }

func (h *harness) closeBooks() {
	if h.booked == nil {
		h.booked = map[int64]int64{}
	}
	for p, v := range h.paid {
		h.booked[p] = v
	}
}

// net is what player p has won (negative: lost) over the settled rounds.
func (h *harness) net(p int64) int64 { return h.got[p] - h.booked[p] }

// payout returns the settled round's payout with ref.
func (h *harness) payout(ref string) Payout {
	h.t.Helper()
	for _, p := range h.tb.Payouts() {
		if p.Ref == ref {
			return p
		}
	}
	h.t.Fatalf("no payout %s in %+v", ref, h.tb.Payouts())
	return Payout{}
}

// kinds lists the kinds of events.
func kinds(ev []Event) []string {
	out := make([]string, len(ev))
	for i, e := range ev {
		out[i] = e.Kind
	}
	return out
}

func has(ev []Event, kind string) bool {
	return slices.ContainsFunc(ev, func(e Event) bool { return e.Kind == kind })
}

func find(ev []Event, kind string) (Event, bool) {
	for _, e := range ev {
		if e.Kind == kind {
			return e, true
		}
	}
	return Event{}, false
}
