package roulette

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

// TestRouletteRoundFlow plays rounds in virtual time: the first bet opens
// the window, others join it, it closes at its deadline and no bet gets in
// after; the result comes SpinTime later with a payout per player and
// round_end, then the pause and waiting.
func TestRouletteRoundFlow(t *testing.T) {
	h := newHarness(t, DefaultRules(), 17)
	tb := h.tb
	if tb.Phase() != PhaseWaiting || tb.RoundActive() || tb.Payouts() != nil || tb.Round() != 0 || len(tb.Results()) != 0 {
		t.Fatalf("new table: phase %s, active %v, payouts %v", tb.Phase(), tb.RoundActive(), tb.Payouts())
	}
	if _, ok := tb.Deadline(); ok {
		t.Fatal("a waiting table has a deadline")
	}
	if ev := h.wait(time.Hour); ev != nil {
		t.Fatalf("an idle table moved: %v", ev)
	}
	h.now = t0

	// The first bet opens the round.
	ev := h.bet(1, straight(17, 10), outside(KindRed, 20))
	wantKinds(t, ev, EventBettingOpen, EventBet)
	if ev[0].Round != 1 || !ev[0].Deadline.Equal(t0.Add(15*time.Second)) || ev[1].Name != "player1" || ev[1].Amount != 30 || ev[1].Total != 30 {
		t.Fatalf("events %+v", ev)
	}
	if d, ok := tb.Deadline(); !ok || !d.Equal(t0.Add(15*time.Second)) || tb.Phase() != PhaseBetting || !tb.RoundActive() {
		t.Fatalf("deadline %v %v, phase %s", d, ok, tb.Phase())
	}
	if tb.Payouts() != nil {
		t.Fatal("payouts while live")
	}

	// Others join; the first player bets again. The window does not move.
	h.now = t0.Add(5 * time.Second)
	wantKinds(t, h.bet(2, Bet{Kind: KindSplit, Numbers: nums(20, 17), Amount: 50}, Bet{Kind: KindDozen, Numbers: nums(3), Amount: 40}), EventBet)
	h.now = t0.Add(10 * time.Second)
	ev = h.bet(1, outside(KindEven, 5))
	if ev[0].Total != 35 || ev[0].Amount != 5 {
		t.Fatalf("second bet %+v", ev[0])
	}
	h.now = t0.Add(12 * time.Second)
	h.bet(3, outside(KindBlack, 100))
	if d, _ := tb.Deadline(); !d.Equal(t0.Add(15 * time.Second)) {
		t.Fatalf("deadline moved to %v", d)
	}
	if ev := h.wait(2*time.Second + 999*time.Millisecond); ev != nil {
		t.Fatalf("events before the deadline: %v", ev)
	}

	// At the deadline, before the room has advanced, a bet is too late.
	h.now = t0.Add(15 * time.Second)
	h.fail(Command{Kind: CommandBet, Player: 4, Bets: []Bet{outside(KindRed, 10)}}, ErrBettingClosed)
	ev = h.wait(0)
	wantKinds(t, ev, EventNoMoreBets)
	if ev[0].Round != 1 || !ev[0].Deadline.Equal(t0.Add(18*time.Second)) || tb.Phase() != PhaseSpinning || !tb.RoundActive() {
		t.Fatalf("no more bets %+v, phase %s", ev[0], tb.Phase())
	}
	h.now = t0.Add(16 * time.Second)
	err := h.fail(Command{Kind: CommandBet, Player: 1, Bets: []Bet{outside(KindRed, 10)}}, ErrBettingClosed)
	if err.Error() != "betting is closed: no more bets; wait for the next round" {
		t.Fatalf("message %q", err)
	}
	if tb.Payouts() != nil || tb.Record().Number != nil {
		t.Fatal("payouts or a number while the ball rolls")
	}

	// The result: 17.
	ev = h.wait(2 * time.Second)
	wantKinds(t, ev, EventResult, EventPayout, EventPayout, EventPayout, EventRoundEnd, EventPause)
	if *ev[0].Number != 17 || ev[0].Color != Black || ev[0].Draw != 0 {
		t.Fatalf("result %+v", ev[0])
	}
	// player1: straight 17 pays 360, red and even lose; player2: the split
	// pays 900, the dozen loses; player3's black pays 200.
	for i, want := range []struct {
		p         int64
		won, stak int64
	}{{1, 360, 35}, {2, 900, 90}, {3, 200, 100}} {
		e := ev[1+i]
		if e.Player != want.p || e.Amount != want.won || e.Total != want.stak {
			t.Errorf("payout %+v, want %+v", e, want)
		}
	}
	if e := ev[4]; e.Amount != 1460 || e.Total != 225 || *e.Number != 17 {
		t.Fatalf("round end %+v", e)
	}
	if e := ev[5]; !e.Deadline.Equal(t0.Add(23*time.Second)) || tb.Phase() != PhaseSettled || tb.RoundActive() {
		t.Fatalf("pause %+v, phase %s", e, tb.Phase())
	}
	wantPays := []Payout{
		{Player: 1, Ref: "p1b1", Stake: 10, Amount: 360}, {Player: 1, Ref: "p1b2", Stake: 20}, {Player: 1, Ref: "p1b3", Stake: 5},
		{Player: 2, Ref: "p2b1", Stake: 50, Amount: 900}, {Player: 2, Ref: "p2b2", Stake: 40},
		{Player: 3, Ref: "p3b1", Stake: 100, Amount: 200},
	}
	if got := tb.Payouts(); !slices.Equal(got, wantPays) {
		t.Fatalf("payouts %+v", got)
	}
	if got := tb.Results(); !slices.Equal(got, []int{17}) {
		t.Fatalf("results %v", got)
	}
	rec := tb.Record()
	if !rec.Settled || *rec.Number != 17 || rec.Color != Black || !rec.OpenedAt.Equal(t0) || !rec.ClosedAt.Equal(t0.Add(15*time.Second)) ||
		!rec.SettledAt.Equal(t0.Add(18*time.Second)) || len(rec.Players) != 3 || !rec.Players[0].Bets[2].At.Equal(t0.Add(10*time.Second)) ||
		!slices.Equal(rec.Players[1].Bets[0].Numbers, []int{17, 20}) || rec.Round != 1 {
		t.Fatalf("record %+v", rec)
	}
	h.now = t0.Add(20 * time.Second)
	h.fail(Command{Kind: CommandBet, Player: 1, Bets: []Bet{outside(KindRed, 10)}}, ErrBettingClosed)

	// The pause ends; the table waits with the results on show.
	ev = h.wait(3 * time.Second)
	wantKinds(t, ev, EventWaiting)
	if tb.Phase() != PhaseWaiting || tb.Payouts() == nil || len(tb.View(0).Players) != 0 {
		t.Fatalf("phase %s", tb.Phase())
	}
	if _, ok := tb.Deadline(); ok {
		t.Fatal("a waiting table has a deadline")
	}

	// The next round draws from the source: the first Spin of seed 7.
	h.now = t0.Add(time.Minute)
	ev = h.bet(2, outside(KindLow, 10))
	if ev[0].Kind != EventBettingOpen || ev[0].Round != 2 || tb.Payouts() != nil {
		t.Fatalf("round 2 opened with %+v", ev)
	}
	ev = h.wait(time.Hour) // every deadline in one Advance, each at its own time
	wantKinds(t, ev, EventNoMoreBets, EventResult, EventPayout, EventRoundEnd, EventPause, EventWaiting)
	want := Spin(fair.NewSeeded(7))
	if *ev[1].Number != want || ev[1].Draw != 1 || tb.Record().Draw != 1 {
		t.Fatalf("round 2 result %+v, want %d from draw 1", ev[1], want)
	}
	if !ev[0].Deadline.Equal(t0.Add(time.Minute+18*time.Second)) || !ev[4].Deadline.Equal(t0.Add(time.Minute+23*time.Second)) ||
		!tb.Record().SettledAt.Equal(t0.Add(time.Minute+18*time.Second)) {
		t.Fatalf("deadlines %v, %v", ev[0].Deadline, ev[4].Deadline)
	}
	if got := tb.Results(); !slices.Equal(got, []int{want, 17}) {
		t.Fatalf("results %v", got)
	}
	if h.rounds != 2 {
		t.Fatalf("%d rounds checked", h.rounds)
	}
}

// TestRouletteCommands checks what each command may do and the errors of
// the ones refused: no change, the same error from Cost and Apply.
func TestRouletteCommands(t *testing.T) {
	r := DefaultRules()
	r.MaxBets, r.MaxTotal = 5, 2000
	h := newHarness(t, r, 5)
	bet := func(p int64, bets ...Bet) Command {
		return Command{Kind: CommandBet, Player: p, Name: name(p), Bets: bets}
	}
	for _, tc := range []struct {
		name string
		cmd  Command
		err  error
		msg  string
	}{
		{"NoPlayer", bet(0, outside(KindRed, 10)), ErrInvalid, "invalid: no player"},
		{"UnknownCommand", Command{Kind: "sit", Player: 1}, ErrInvalid, `invalid: unknown command "sit"`},
		{"NoBets", bet(1), ErrInvalid, "invalid: no bets"},
		{"BadShape", bet(1, Bet{Kind: KindSplit, Numbers: nums(3, 4), Amount: 10}), ErrInvalid, "invalid: split 3-4"},
		{"BadShapeAmongMany", bet(1, outside(KindRed, 10), Bet{Kind: KindDozen, Numbers: nums(4), Amount: 10}), ErrInvalid, "bet 2: invalid: dozen 4"},
		{"AmountZero", bet(1, outside(KindRed, 0)), ErrBetOutOfRange, "bet out of range: a bet takes 1 to 1000 coins, not 0"},
		{"AmountAboveMax", bet(1, outside(KindRed, 10), outside(KindBlack, 1001)), ErrBetOutOfRange, "bet 2: bet out of range"},
		{"TotalAboveMax", bet(1, outside(KindRed, 1000), outside(KindBlack, 1000), outside(KindOdd, 1)), ErrBetOutOfRange, "at most 2000 a round in all; you have 0 on the table and bet 2001 more"},
		{"TooManyBets", bet(1, outside(KindRed, 1), outside(KindRed, 1), outside(KindRed, 1), outside(KindRed, 1), outside(KindRed, 1), outside(KindRed, 1)), ErrInvalid, "too many bets: at most 5 a round, and you have 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := h.fail(tc.cmd, tc.err)
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("%v, want it to mention %q", err, tc.msg)
			}
		})
	}
	if h.tb.Phase() != PhaseWaiting || h.tb.Round() != 0 {
		t.Fatal("a refused bet opened a round")
	}

	// Limits count across commands within a round.
	h.bet(1, outside(KindRed, 1000), outside(KindBlack, 500))
	h.bet(1, outside(KindOdd, 400))
	if err := h.fail(bet(1, outside(KindEven, 101)), ErrBetOutOfRange); !strings.Contains(err.Error(), "you have 1900 on the table and bet 101 more") {
		t.Fatal(err)
	}
	h.bet(1, outside(KindEven, 100)) // exactly MaxTotal
	if v := h.tb.View(1).You; v.TotalLeft != 0 || v.BetsLeft != 1 || len(v.Actions) != 0 {
		t.Fatalf("you %+v with nothing left to stake", v)
	}
	h.bet(2, outside(KindRed, 1), outside(KindRed, 1), outside(KindRed, 1), outside(KindRed, 1))
	if err := h.fail(bet(2, outside(KindRed, 1), outside(KindRed, 1)), ErrInvalid); !strings.Contains(err.Error(), "at most 5 a round, and you have 4") {
		t.Fatal(err)
	}
	h.bet(2, outside(KindRed, 1))
	h.fail(bet(2, outside(KindRed, 1)), ErrInvalid)
	if v := h.tb.View(2).You; v.BetsLeft != 0 || len(v.Actions) != 0 || v.Total != 5 {
		t.Fatalf("you %+v with no bets left", v)
	}
	if v := h.tb.View(3).You; !slices.Equal(v.Actions, []string{CommandBet}) || v.BetsLeft != 5 || v.TotalLeft != 2000 {
		t.Fatalf("a newcomer's view %+v", v)
	}

	// The bets a caller passes are the table's own copies.
	mine := Bet{Kind: KindCorner, Numbers: nums(21, 20, 18, 17), Amount: 10}
	h.bet(3, mine)
	mine.Numbers[0] = 36
	if got := h.tb.View(3).You.Bets[0]; !slices.Equal(got.Numbers, nums(17, 18, 20, 21)) {
		t.Fatalf("the table's bet changed with the caller's slice: %+v", got)
	}
	h.tb.View(3).You.Bets[0].Numbers[0] = 36
	h.tb.Record().Players[2].Bets[0].Numbers[0] = 36
	if got := h.tb.View(0).Players[2].Bets[0]; !slices.Equal(got.Numbers, nums(17, 18, 20, 21)) {
		t.Fatalf("a view's slice reached the table: %+v", got)
	}

	h.wait(time.Hour)
	if h.rounds != 1 {
		t.Fatal("round not settled")
	}
	rec := h.tb.Record()
	rec.Players[2].Bets[0].Numbers[0] = 36
	*rec.Number = 36
	if rec := h.tb.Record(); rec.Players[2].Bets[0].Numbers[0] != 17 || *rec.Number != 5 {
		t.Fatalf("a record's slices reached the table: %+v", rec)
	}
}

// TestRoulettePresence checks away, back and leave: they mark a player in
// the round and change nothing else; the bets of a player who left still
// settle. For a player the table does not know they do nothing.
func TestRoulettePresence(t *testing.T) {
	h := newHarness(t, DefaultRules(), 1)
	for _, k := range []string{CommandAway, CommandBack, CommandLeave} {
		if ev := h.do(Command{Kind: k, Player: 9}); ev != nil {
			t.Fatalf("%s for a stranger: %v", k, ev)
		}
	}
	h.bet(1, outside(KindRed, 10))
	h.bet(2, outside(KindBlack, 10))
	ev := h.do(Command{Kind: CommandAway, Player: 1})
	wantKinds(t, ev, EventAway)
	if ev[0].Name != "player1" || !h.tb.View(0).Players[0].Away {
		t.Fatalf("away %+v", ev)
	}
	if ev := h.do(Command{Kind: CommandAway, Player: 1}); ev != nil {
		t.Fatalf("away twice: %v", ev)
	}
	wantKinds(t, h.do(Command{Kind: CommandBack, Player: 1}), EventBack)
	if ev := h.do(Command{Kind: CommandBack, Player: 1}); ev != nil {
		t.Fatalf("back twice: %v", ev)
	}
	ev = h.do(Command{Kind: CommandLeave, Player: 2})
	wantKinds(t, ev, EventLeave)
	if !ev[0].Pending {
		t.Fatalf("leave with bets in play: %+v", ev[0])
	}
	pv := h.tb.View(0).Players[1]
	if !pv.Leaving || !pv.Away {
		t.Fatalf("view of a leaving player %+v", pv)
	}
	if err := h.fail(Command{Kind: CommandBet, Player: 2, Bets: []Bet{outside(KindRed, 1)}}, ErrInvalid); !strings.Contains(err.Error(), "leaving the table") {
		t.Fatal(err)
	}
	if v := h.tb.View(2).You; len(v.Actions) != 0 {
		t.Fatalf("a leaving player may %v", v.Actions)
	}
	// Coming back during the window, they may bet again.
	h.do(Command{Kind: CommandBack, Player: 2})
	h.bet(2, outside(KindOdd, 5))
	h.do(Command{Kind: CommandLeave, Player: 2})
	ev = h.wait(18 * time.Second)
	if e, ok := findFor(ev, EventPayout, 2); !ok || e.Amount != 10 || e.Total != 15 {
		t.Fatalf("the leaver's payout %+v", e)
	}
	// After the settlement, a leave is no longer pending.
	h.fail(Command{Kind: CommandBet, Player: 3, Bets: []Bet{outside(KindRed, 1)}}, ErrBettingClosed) // the pause
	ev = h.do(Command{Kind: CommandLeave, Player: 1})
	if len(ev) != 1 || ev[0].Pending {
		t.Fatalf("leave after the result %+v", ev)
	}
}

// TestRouletteNoLeak plays rounds with forced numbers and checks that no
// event, view or record shows a round's number before its "result" event:
// not as a number, not among the results, not in the JSON sent.
func TestRouletteNoLeak(t *testing.T) {
	forced := []int{26, 0, 31, 8}
	h := newHarness(t, DefaultRules(), forced...)
	tb := h.tb
	for round, n := range forced {
		var before []any
		check := func(what string) {
			t.Helper()
			v := tb.View(1)
			rec := tb.Record()
			if v.Result != nil || tb.RoundActive() && (rec.Number != nil || tb.Payouts() != nil) {
				t.Fatalf("round %d, %s: result %v, record number %v", round+1, what, v.Result, rec.Number)
			}
			if got := tb.Results(); !slices.Equal(got, reversed(forced[:round])) {
				t.Fatalf("round %d, %s: results %v", round+1, what, got)
			}
			before = append(before, v, tb.View(0))
			if tb.RoundActive() {
				before = append(before, rec)
			}
		}
		check("waiting")
		evs := h.bet(1, outside(KindRed, 10), straight((n+1)%37, 5))
		check("betting")
		h.now = h.now.Add(5 * time.Second)
		evs = append(evs, h.bet(2, Bet{Kind: KindDozen, Numbers: nums(1), Amount: 7})...)
		evs = append(evs, h.wait(10*time.Second)...) // no more bets
		check("spinning")
		evs = append(evs, h.wait(2*time.Second)...)
		check("spinning, a second before the result")
		ev := h.wait(time.Second)
		if ev[0].Kind != EventResult || *ev[0].Number != n {
			t.Fatalf("round %d: %v, want the result %d", round+1, kinds(ev), n)
		}
		for _, e := range evs {
			if e.Number != nil || e.Color != "" || e.Draw != 0 {
				t.Fatalf("round %d: %+v before the result", round+1, e)
			}
			before = append(before, e)
		}
		b, err := json.Marshal(before)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		// The past results are in the views; this round's number is not.
		for _, past := range forced[:round] {
			text = strings.ReplaceAll(text, fmt.Sprintf(`{"number":%d,"color":%q}`, past, Color(past)), "")
		}
		if strings.Contains(text, `"number"`) || strings.Contains(text, `"color"`) || strings.Contains(text, `"draw"`) {
			t.Fatalf("round %d: a number before the result:\n%s", round+1, text)
		}
		if v := tb.View(0); v.Result == nil || v.Result.Number != n || v.Results[0].Number != n {
			t.Fatalf("round %d: view after the result %+v", round+1, v)
		}
		h.wait(5 * time.Second)
		if v := tb.View(0); v.Result != nil || v.Phase != PhaseWaiting || v.Results[0].Number != n {
			t.Fatalf("round %d: view after the pause %+v", round+1, v)
		}
	}
}

func reversed(ns []int) []int {
	out := slices.Clone(ns)
	slices.Reverse(out)
	if out == nil {
		out = []int{}
	}
	return out
}

// TestRouletteView checks what each viewer sees: everyone's bets by name and
// the results, the viewer's own part only for them, no player ids.
func TestRouletteView(t *testing.T) {
	r := DefaultRules()
	r.History = 3
	h := newHarness(t, r, 1, 2, 3, 4)
	for range 4 {
		h.bet(1, outside(KindRed, 10))
		h.wait(time.Hour)
	}
	if got := h.tb.Results(); !slices.Equal(got, []int{4, 3, 2}) {
		t.Fatalf("results %v with History 3", got)
	}
	h.bet(1, straight(7, 10), Bet{Kind: KindColumn, Numbers: nums(1), Amount: 20})
	h.bet(2, outside(KindHigh, 30))
	v := h.tb.View(0)
	if v.You != nil || v.Phase != PhaseBetting || v.Round != 5 || !v.Deadline.Equal(h.now.Add(15*time.Second)) || v.Result != nil ||
		len(v.Players) != 2 || v.Players[0].Name != "player1" || v.Players[0].Total != 30 || len(v.Players[0].Bets) != 2 ||
		v.Players[1].Bets[0].Kind != KindHigh || !slices.Equal(v.Results, []Result{{4, Black}, {3, Red}, {2, Black}}) {
		t.Fatalf("public view %+v", v)
	}
	b, _ := json.Marshal(v)
	if strings.Contains(string(b), `"player"`) || strings.Contains(string(b), `"you"`) {
		t.Fatalf("public view shows ids or a you: %s", b)
	}
	you := h.tb.View(2).You
	if you == nil || you.Total != 30 || len(you.Bets) != 1 || you.BetsLeft != 49 || you.TotalLeft != 9970 || !slices.Equal(you.Actions, []string{CommandBet}) {
		t.Fatalf("you %+v", you)
	}
	for _, e := range h.events {
		if b, _ := json.Marshal(e); strings.Contains(string(b), `"player"`) {
			t.Fatalf("event shows the player's id: %s", b)
		}
	}
	h.wait(18 * time.Second)
	you = h.tb.View(2).You
	if you.Won != 60 || len(you.Actions) != 0 || h.tb.View(0).Players[1].Won != 60 {
		t.Fatalf("after the result (5): you %+v", you)
	}
}

// TestRouletteRandomPlay drives tables with random players for five hundred
// rounds each: random bets, valid and not, in one or several commands,
// away, back and leave, time passing by random amounts. After every
// command it checks that Cost and Apply agree (the same error, or Apply
// succeeds and takes what Cost said), that a view offering "bet" means a
// small valid bet is accepted; and at every round_end the harness checks
// each payout against Bet.Payout and accounts for every coin taken.
func TestRouletteRandomPlay(t *testing.T) {
	shapes := allShapes()
	for vi, lp := range []bool{false, true} {
		t.Run(fmt.Sprintf("LaPartage=%v", lp), func(t *testing.T) {
			t.Parallel()
			r := DefaultRules()
			r.LaPartage, r.MaxBet, r.MaxTotal, r.MaxBets = lp, 100, 500, 8
			h := newHarness(t, r)
			h.tb.src = fair.NewSeeded(uint64(100 + vi))
			rng := rand.New(rand.NewPCG(uint64(vi), 42))
			counts := map[string]int{}
			var staked, credited int64
			for h.rounds < 500 {
				p := int64(1 + rng.IntN(5))
				var cmd Command
				switch x := rng.IntN(20); {
				case x < 11:
					cmd = Command{Kind: CommandBet, Player: p, Name: name(p)}
					for range 1 + rng.IntN(4) {
						b := shapes[rng.IntN(len(shapes))]
						b.Amount = 1 + rng.Int64N(60)
						switch rng.IntN(40) {
						case 0:
							b.Amount = 0
						case 1:
							b.Amount = r.MaxBet + 1
						case 2:
							b.Numbers = append(slices.Clone(b.Numbers), rng.IntN(40))
						case 3:
							b.Kind = "column"
						}
						cmd.Bets = append(cmd.Bets, b)
					}
				case x < 12:
					cmd = Command{Kind: CommandAway, Player: p}
				case x < 14:
					cmd = Command{Kind: CommandBack, Player: p}
				case x < 15:
					cmd = Command{Kind: CommandLeave, Player: p}
				default:
					h.wait(time.Duration(rng.IntN(8000)) * time.Millisecond)
					continue
				}
				offered := slices.Contains(h.tb.View(p).You.Actions, CommandBet) && h.tb.Phase() == PhaseWaiting
				cost, cerr := h.tb.Cost(h.now, cmd)
				if cerr != nil {
					counts[errName(cerr)]++
					h.fail(cmd, sentinel(cerr))
					if offered && errors.Is(cerr, ErrBettingClosed) {
						t.Fatalf("bet offered but closed: %v", cerr)
					}
					continue
				}
				counts[cmd.Kind]++
				h.do(cmd)
				if cmd.Kind == CommandBet {
					staked += cost
				}
			}
			h.wait(time.Hour)
			for p := range h.paid {
				credited += h.got[p]
			}
			var paid int64
			for _, c := range h.paid {
				paid += c
			}
			if paid != staked {
				t.Fatalf("paid %d, staked %d", paid, staked)
			}
			t.Logf("%d rounds; commands %v; staked %d, credited %d (%.2f%% kept)", h.rounds, counts, staked, credited, 100*float64(staked-credited)/float64(staked))
			for _, k := range []string{"bet", "away", "back", "leave", "invalid", "bet out of range", "betting is closed"} {
				if counts[k] == 0 {
					t.Errorf("no %q in the run", k)
				}
			}
		})
	}
}

func errName(err error) string { return sentinel(err).Error() }

func sentinel(err error) error {
	for _, e := range []error{ErrInvalid, ErrBetOutOfRange, ErrBettingClosed} {
		if errors.Is(err, e) {
			return e
		}
	}
	return err
}
