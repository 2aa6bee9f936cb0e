package blackjack

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imperio-casino/imperio/games/fair"
)

// TestRandomPlay drives tables with random players for a thousand rounds each:
// random seats, bets (some out of range), legal and illegal actions, away
// and back, leaving mid-round, and time passing by random amounts. After
// every command it checks that
//
//   - Cost and Apply agree: the same error, or Apply succeeds after Cost;
//   - every action a view offers a player is accepted by Cost;
//   - no event, view or record shows the face-down hole card before the
//     "reveal", and none shows the next card in the shoe;
//   - every settlement pays each hand what its result pays and accounts
//     for every coin taken (the harness checks this at each round_end);
//   - every round's cards sit at their recorded positions in the shoe once
//     it is retired, and the retired shoe matches its published hash.
//
// The shoe has one deck, so that a card's code names one card: a hole card
// "7H" appearing anywhere is the hole card itself.
func TestRandomPlay(t *testing.T) {
	variants := []struct {
		name string
		edit func(*Rules)
	}{
		{"Default", func(r *Rules) {}},
		{"NoPeekH17", func(r *Rules) { r.Peek, r.HitSoft17 = false, true }},
		{"Generous", func(r *Rules) {
			r.ResplitAces, r.HitSplitAces, r.DoubleAfterSplit, r.DoubleAnyTwo, r.LateSurrender = true, true, false, false, false
			r.BlackjackNum, r.BlackjackDen = 6, 5
		}},
	}
	for vi, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			r := DefaultRules()
			r.Decks, r.Penetration, r.Seats, r.MinBet, r.MaxBet = 1, 0.6, 4, 1, 50
			v.edit(&r)
			h := newHarness(t, r)
			h.tb.src = fair.NewSeeded(uint64(100 + vi))
			h.tb.shoe = newShoe(1, r.Decks, r.Penetration, h.tb.src)
			rng := rand.New(rand.NewPCG(uint64(vi), 42))
			ch := &checker{h: h, records: map[int][]Record{}}
			for h.rounds < 1000 {
				ch.step(rng)
			}
			h.now = h.now.Add(time.Hour) // whatever is open settles
			ch.afterBatch(h.tb.Advance(h.now), 0)
			if h.tb.RoundActive() {
				t.Fatal("a round is still open after an hour")
			}
			var net int64
			for p := range h.paid {
				net += h.net(p)
			}
			t.Logf("%d rounds, %d shoes checked, players' net %d", h.rounds, ch.shoesChecked, net)
			if ch.shoesChecked < 10 {
				t.Fatalf("only %d retired shoes checked", ch.shoesChecked)
			}
		})
	}
}

type checker struct {
	h            *harness
	records      map[int][]Record // settled rounds by the shoes they drew from
	lastRound    int64
	shoesChecked int
	lastRetired  int
}

var actionNames = []string{ActionHit, ActionStand, ActionDouble, ActionSplit, ActionSurrender, ActionInsurance, ActionNoInsurance, "fold"}

func (c *checker) step(rng *rand.Rand) {
	h := c.h
	t := h.t
	t.Helper()
	if rng.IntN(6) == 0 {
		d := time.Duration(rng.IntN(25000)) * time.Millisecond
		h.now = h.now.Add(d)
		c.afterBatch(h.tb.Advance(h.now), 0)
		return
	}
	p := int64(1 + rng.IntN(6))
	var cmd Command
	switch k := rng.IntN(100); {
	case k < 60:
		// Mostly what the view offers, so that rounds get played.
		v := h.tb.View(p)
		if v.You == nil {
			cmd = Command{Kind: CommandSit, Player: p, Name: name(p), Seat: rng.IntN(h.tb.rules.Seats + 1)}
			break
		}
		if len(v.You.Actions) == 0 {
			return
		}
		a := v.You.Actions[rng.IntN(len(v.You.Actions))]
		if a == CommandBet {
			cmd = Command{Kind: CommandBet, Player: p, Amount: 1 + rng.Int64N(60)}
		} else {
			cmd = Command{Kind: CommandAction, Player: p, Action: a}
		}
		if _, err := h.tb.Cost(h.now, cmd); err != nil && !errors.Is(err, ErrBetOutOfRange) {
			t.Fatalf("the view offers %+v but Cost says %v", cmd, err)
		}
	case k < 75:
		cmd = Command{Kind: CommandAction, Player: p, Action: actionNames[rng.IntN(len(actionNames))]}
	case k < 82:
		cmd = Command{Kind: CommandBet, Player: p, Amount: rng.Int64N(70)}
	case k < 88:
		cmd = Command{Kind: CommandSit, Player: p, Name: name(p), Seat: rng.IntN(h.tb.rules.Seats + 2)}
	case k < 93:
		cmd = Command{Kind: CommandAway, Player: p}
	case k < 97:
		cmd = Command{Kind: CommandBack, Player: p}
	default:
		cmd = Command{Kind: CommandLeave, Player: p}
	}
	cost, cerr := h.tb.Cost(h.now, cmd)
	// One refused command in eight is checked to change nothing (the
	// scenario tests check every one of theirs).
	before, checkRefusal := "", cerr != nil && rng.IntN(8) == 0
	if checkRefusal {
		before = c.fingerprint(p)
	}
	ev, aerr := h.tb.Apply(h.now, cmd)
	switch {
	case (cerr == nil) != (aerr == nil) || (cerr != nil && cerr.Error() != aerr.Error()):
		t.Fatalf("%+v: Cost %v, Apply %v", cmd, cerr, aerr)
	case aerr != nil:
		if ev != nil || (checkRefusal && c.fingerprint(p) != before) {
			t.Fatalf("%+v failed (%v) but changed the table", cmd, aerr)
		}
		for _, sentinel := range []error{ErrNotYourTurn, ErrBettingClosed, ErrSeatTaken, ErrTableFull, ErrBetOutOfRange, ErrInvalid} {
			if errors.Is(aerr, sentinel) {
				return
			}
		}
		t.Fatalf("%+v: error %v is none of the sentinels", cmd, aerr)
	}
	if cost < 0 {
		t.Fatalf("%+v costs %d", cmd, cost)
	}
	h.paid[p] += cost
	c.afterBatch(ev, p)
}

// fingerprint is a cheaper snapshot than the harness's, for the many
// refused commands: player p's view and how far the round has come.
func (c *checker) fingerprint(p int64) string {
	tb := c.h.tb
	return fmt.Sprint(mustJSON(c.h.t, tb.View(p)), len(tb.rec.Cards), len(tb.rec.Actions), tb.shoe.next, tb.shoe.number, tb.active, tb.deadline)
}

// afterBatch checks one call's events, then the views (a spectator's and
// player p's) and the record.
func (c *checker) afterBatch(ev []Event, p int64) {
	h := c.h
	t := h.t
	t.Helper()
	tb := h.tb
	// The hole card is the current round's (a round never opens in the
	// same call that settles one).
	hole := ""
	for _, cr := range tb.rec.Cards {
		if cr.Hole {
			hole = cr.Card
		}
	}
	oneShoe := len(tb.rec.Shoes) == 1
	hidden := false
	for _, e := range ev {
		switch e.Kind {
		case EventHole:
			hidden = true
			if e.Card != "" || e.Total != 0 {
				t.Fatalf("hole event %+v shows something", e)
			}
		case EventReveal:
			hidden = false
		}
		if b := mustJSON(t, e); hidden && oneShoe && strings.Contains(b, `"`+hole+`"`) {
			t.Fatalf("event %s shows the hole card %s", b, hole)
		}
		if e.Dealer && e.Card != "" && e.Kind != EventDeal && e.Kind != EventReveal && e.Kind != EventDealerDraw {
			t.Fatalf("dealer card in %+v", e)
		}
	}
	h.take(ev)
	if len(ev) == 0 {
		return // nothing changed
	}
	// The views and the record.
	secrets := []string{}
	if tb.holeHidden && oneShoe {
		secrets = append(secrets, tb.dealer[1].String())
	}
	if tb.active && oneShoe && tb.rec.Shoes[0].Number == tb.shoe.number && tb.shoe.left() > 0 {
		secrets = append(secrets, tb.shoe.cards[tb.shoe.next].String())
	}
	for _, e := range ev {
		if tb.active && oneShoe {
			b := mustJSON(t, e)
			if tb.shoe.left() > 0 && tb.rec.Shoes[0].Number == tb.shoe.number && strings.Contains(b, `"`+tb.shoe.cards[tb.shoe.next].String()+`"`) {
				t.Fatalf("event %s shows the next card", b)
			}
		}
	}
	for _, viewer := range []int64{0, p} {
		b := mustJSON(t, tb.View(viewer))
		for _, s := range secrets {
			if strings.Contains(b, `"`+s+`"`) {
				t.Fatalf("view for %d shows hidden card %s: %s", viewer, s, b)
			}
		}
		if tb.holeHidden && !strings.Contains(b, `"hole":true`) {
			t.Fatalf("view does not say a card lies face down: %s", b)
		}
	}
	if len(secrets) > 0 {
		rb := mustJSON(t, tb.Record())
		for _, s := range secrets {
			if strings.Contains(rb, `"`+s+`"`) {
				t.Fatalf("record shows hidden card %s mid-round: %s", s, rb)
			}
		}
	}
	// Settled rounds wait for their shoe to retire.
	if tb.round != c.lastRound && !tb.active && tb.rec.Settled {
		c.lastRound = tb.round
		rec := tb.Record()
		for _, s := range rec.Shoes {
			c.records[s.Number] = append(c.records[s.Number], rec)
		}
	}
	if num, hash, order, ok := tb.RetiredShoe(); ok && num != c.lastRetired {
		c.lastRetired = num
		if ShoeHash(order) != hash || len(order) != 52*tb.rules.Decks {
			t.Fatalf("retired shoe %d does not match its hash", num)
		}
		sorted := slices.Clone(order)
		slices.Sort(sorted)
		if len(slices.Compact(sorted)) != 52 {
			t.Fatalf("retired shoe %d is not one deck: %v", num, order)
		}
		for _, rec := range c.records[num] {
			for _, cr := range rec.Cards {
				if cr.Shoe == num && order[cr.Position] != cr.Card {
					t.Fatalf("round %d: card %+v is %s in the retired shoe", rec.Round, cr, order[cr.Position])
				}
			}
			if !slices.ContainsFunc(rec.Shoes, func(s ShoeRef) bool { return s.Number == num && s.Hash == hash }) {
				t.Fatalf("round %d does not name shoe %d's hash", rec.Round, num)
			}
		}
		delete(c.records, num)
		c.shoesChecked++
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEventJSON pins the wire form of a few events.
func TestEventJSON(t *testing.T) {
	h := newHarness(t, DefaultRules(), deal([][2]string{{"TS", "7D"}}, "AH", "9C")...)
	h.sit(1, 1)
	ev := h.bet(1, 100)
	want := map[string]string{
		EventHole:          `{"kind":"hole","dealer":true}`,
		EventInsuranceOpen: `{"kind":"insurance_open","deadline":"2026-03-01T12:00:10Z"}`,
	}
	got := map[string]string{}
	for _, e := range ev {
		got[e.Kind] = mustJSON(t, e)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s, want %s", k, got[k], w)
		}
	}
	deals := []string{}
	for _, e := range ev {
		if e.Kind == EventDeal {
			deals = append(deals, mustJSON(t, e))
		}
	}
	wantDeals := []string{
		`{"kind":"deal","seat":1,"hand":1,"name":"player1","card":"TS","total":10}`,
		`{"kind":"deal","dealer":true,"card":"AH","total":11,"soft":true}`,
		`{"kind":"deal","seat":1,"hand":1,"name":"player1","card":"7D","total":17}`,
	}
	if fmt.Sprint(deals) != fmt.Sprint(wantDeals) {
		t.Errorf("deals\n%s\nwant\n%s", strings.Join(deals, "\n"), strings.Join(wantDeals, "\n"))
	}
	ev = h.act(1, ActionNoInsurance)
	if b := mustJSON(t, ev[1]); b != `{"kind":"peek","dealer":true}` {
		t.Errorf("peek %s", b)
	}
	if b := mustJSON(t, ev[2]); b != `{"kind":"turn","seat":1,"hand":1,"name":"player1","total":17,"actions":["hit","stand","double","surrender"],"deadline":"2026-03-01T12:00:20Z"}` {
		t.Errorf("turn %s", b)
	}
}
