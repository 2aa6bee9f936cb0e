package crash

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imperio-casino/imperio/games/fair"
)

// started returns a harness whose round has started, with the bets given
// as {player, amount, auto} placed in the betting window, crashing at
// point.
func started(t *testing.T, point int64, bets ...[3]int64) *harness {
	t.Helper()
	h := newHarness(t, DefaultRules(), point)
	for _, b := range bets {
		h.bet(b[0], b[1], b[2])
	}
	ev := h.wait(h.tb.Rules().BetTime)
	if !has(ev, EventStart) || h.tb.Phase() != PhaseRunning && point > 100 {
		t.Fatalf("no start: %v", kinds(ev))
	}
	return h
}

func TestBettingWindow(t *testing.T) {
	h := newHarness(t, DefaultRules(), 300, 300)
	if h.tb.Phase() != PhaseWaiting || h.tb.RoundActive() {
		t.Fatalf("new table: %s", h.tb.Phase())
	}
	if _, ok := h.tb.Deadline(); ok {
		t.Fatal("a waiting table has a deadline")
	}
	ev := h.bet(1, 10, 0)
	if got := kinds(ev); !slices.Equal(got, []string{EventBettingOpen, EventBet}) {
		t.Fatalf("first bet: %v", got)
	}
	open := ev[0]
	if want := t0.Add(10 * time.Second); !open.Deadline.Equal(want) || open.Round != 1 {
		t.Fatalf("betting_open %+v", open)
	}
	if b := ev[1]; b.Name != "player1" || b.Amount != 10 || b.Player != 1 {
		t.Fatalf("bet %+v", b)
	}
	if d, ok := h.tb.Deadline(); !ok || !d.Equal(open.Deadline) || h.tb.Phase() != PhaseBetting || !h.tb.RoundActive() {
		t.Fatalf("deadline %v %v, phase %s", d, ok, h.tb.Phase())
	}
	h.wait(5 * time.Second)
	if ev := h.bet(2, 20, 150); len(ev) != 1 || ev[0].AutoCashout != 150 {
		t.Fatalf("second bet: %+v", ev)
	}
	h.wait(5*time.Second - time.Nanosecond)
	h.bet(3, 30, 0)
	h.now = h.now.Add(time.Nanosecond)
	// At the window's close a bet is late, even before Advance runs.
	if err := h.fail(Command{Kind: CommandBet, Player: 4, Name: "player4", Amount: 10}, ErrBettingClosed); !strings.Contains(err.Error(), "next round") {
		t.Fatalf("late bet: %v", err)
	}
	ev = h.until(h.now)
	if got := kinds(ev); !slices.Equal(got, []string{EventStart}) {
		t.Fatalf("close: %v", got)
	}
	if ev[0].Round != 1 || !ev[0].StartedAt.Equal(t0.Add(10*time.Second)) || ev[0].Index != 1 {
		t.Fatalf("start %+v", ev[0])
	}
	h.fail(Command{Kind: CommandBet, Player: 4, Amount: 10}, ErrBettingClosed)
	h.until(h.sinceStart(ReachedAt(300)))
	if h.tb.Phase() != PhaseCrashed {
		t.Fatalf("phase %s after the crash", h.tb.Phase())
	}
	h.fail(Command{Kind: CommandBet, Player: 4, Amount: 10}, ErrBettingClosed)
	ev = h.wait(4 * time.Second)
	if got := kinds(ev); !slices.Equal(got, []string{EventWaiting}) || h.tb.Phase() != PhaseWaiting {
		t.Fatalf("pause end: %v", got)
	}
	// The next bet opens round 2, on the chain's next hash.
	ev = h.bet(1, 10, 0)
	if ev[0].Kind != EventBettingOpen || ev[0].Round != 2 || h.tb.View(0).Chain.Index != 2 {
		t.Fatalf("round 2: %+v", ev)
	}
}

func TestBetRefusals(t *testing.T) {
	h := newHarness(t, DefaultRules(), 300)
	for _, tc := range []struct {
		name string
		cmd  Command
		want error
	}{
		{"NoPlayer", Command{Kind: CommandBet, Amount: 10}, ErrInvalid},
		{"Zero", Command{Kind: CommandBet, Player: 1, Amount: 0}, ErrBetOutOfRange},
		{"Negative", Command{Kind: CommandBet, Player: 1, Amount: -5}, ErrBetOutOfRange},
		{"OverMax", Command{Kind: CommandBet, Player: 1, Amount: 1001}, ErrBetOutOfRange},
		{"AutoAtOne", Command{Kind: CommandBet, Player: 1, Amount: 10, AutoCashout: 100}, ErrInvalid},
		{"AutoNegative", Command{Kind: CommandBet, Player: 1, Amount: 10, AutoCashout: -200}, ErrInvalid},
		{"AutoAtCap", Command{Kind: CommandBet, Player: 1, Amount: 10, AutoCashout: 1_000_000}, ErrInvalid},
		{"UnknownKind", Command{Kind: "sit", Player: 1}, ErrInvalid},
		{"UnknownAction", Command{Kind: CommandAction, Player: 1, Action: "hit"}, ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) { h.t = t; h.fail(tc.cmd, tc.want) })
	}
	h.t = t
	if err := h.fail(Command{Kind: CommandBet, Player: 1, Amount: 1001}, ErrBetOutOfRange); !strings.Contains(err.Error(), "1 to 1000") {
		t.Errorf("range message: %v", err)
	}
	if err := h.fail(Command{Kind: CommandBet, Player: 1, Amount: 5, AutoCashout: 50}, ErrInvalid); !strings.Contains(err.Error(), "1.01x to 9999.99x") {
		t.Errorf("auto message: %v", err)
	}
	h.bet(1, 1000, 999_999)
	h.bet(2, 1, 101)

	t.Run("OneBetPerRound", func(t *testing.T) {
		h.t = t
		if err := h.fail(Command{Kind: CommandBet, Player: 1, Amount: 10}, ErrInvalid); !strings.Contains(err.Error(), "already bet 1000") {
			t.Fatalf("second bet: %v", err)
		}
	})
}

func TestCashoutByTime(t *testing.T) {
	crash := ReachedAt(200) // 2.00x
	if crash != 11553 {
		t.Fatalf("2.00x reached at %d ms", crash)
	}
	for _, tc := range []struct {
		name string
		at   time.Duration // after the start
		mult int64         // 0: too late
	}{
		{"AtStart", 0, 100},
		{"Before", 5 * time.Second, Multiplier(5000)},
		{"LastMoment", ms(crash) - time.Nanosecond, 199},
		{"AtCrashTime", ms(crash), 0},
		{"After", ms(crash) + time.Second, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := started(t, 200, [3]int64{1, 100, 0})
			// The room has announced nothing since the start: the table
			// orders the cash-out against the crash by time alone.
			h.now = h.tb.startedAt.Add(tc.at)
			if tc.mult == 0 {
				err := h.fail(Command{Kind: CommandAction, Player: 1, Action: ActionCashout}, ErrTooLate)
				if !strings.Contains(err.Error(), "crashed at 2.00x") {
					t.Fatalf("too late: %v", err)
				}
				ev := h.until(h.now)
				if c, ok := find(ev, EventCrash); !ok || c.Elapsed != crash {
					t.Fatalf("crash %v", ev)
				}
				if p := h.tb.Payouts(); len(p) != 1 || p[0].Amount != 0 || p[0].Stake != 100 {
					t.Fatalf("payouts %+v", p)
				}
				// In the pause it is still too late.
				h.fail(Command{Kind: CommandAction, Player: 1, Action: ActionCashout}, ErrTooLate)
				return
			}
			ev := h.cashout(1)
			if len(ev) != 1 || ev[0].Kind != EventCashout || ev[0].Multiplier != tc.mult || ev[0].Amount != 100*tc.mult/100 || ev[0].Auto {
				t.Fatalf("cash-out at %v: %+v, want %d", tc.at, ev, tc.mult)
			}
			if ev[0].Elapsed != int64(tc.at/time.Millisecond) || ev[0].Name != "player1" || ev[0].Player != 1 {
				t.Fatalf("cash-out %+v", ev[0])
			}
			if err := h.fail(Command{Kind: CommandAction, Player: 1, Action: ActionCashout}, ErrInvalid); !strings.Contains(err.Error(), "already cashed out at") {
				t.Fatalf("second cash-out: %v", err)
			}
			h.until(h.sinceStart(crash))
			if p := h.tb.Payouts(); len(p) != 1 || p[0].Amount != tc.mult {
				t.Fatalf("payouts %+v", p)
			}
			h.fail(Command{Kind: CommandAction, Player: 1, Action: ActionCashout}, ErrInvalid)
		})
	}
}

// The tick that would announce the crash has not come yet (the room ran
// Advance just before the crash time); a cash-out at the crash time loses.
func TestCashoutAtCrashTimeBeforeCrashIsAnnounced(t *testing.T) {
	h := started(t, 250, [3]int64{1, 10, 0})
	crash := ReachedAt(250)
	h.until(h.sinceStart(crash - 1))
	if h.tb.Phase() != PhaseRunning {
		t.Fatalf("phase %s before the crash", h.tb.Phase())
	}
	h.now = h.sinceStart(crash)
	h.fail(Command{Kind: CommandAction, Player: 1, Action: ActionCashout}, ErrTooLate)
	ev := h.until(h.now)
	if got := kinds(ev); !slices.Equal(got, []string{EventCrash, EventRoundEnd, EventPause}) {
		t.Fatalf("crash: %v", got)
	}
}

func TestCashoutRefusals(t *testing.T) {
	cash := func(p int64) Command { return Command{Kind: CommandAction, Player: p, Action: ActionCashout} }
	h := newHarness(t, DefaultRules(), 500)
	h.fail(cash(1), ErrInvalid) // no round
	h.bet(1, 10, 150)
	if err := h.fail(cash(1), ErrInvalid); !strings.Contains(err.Error(), "not started") {
		t.Fatalf("during betting: %v", err)
	}
	h.wait(10 * time.Second)
	if err := h.fail(cash(2), ErrInvalid); !strings.Contains(err.Error(), "no bet") {
		t.Fatalf("without a bet: %v", err)
	}
	// The auto cash-out's time has come, not yet announced: the bet is
	// cashed out already.
	h.now = h.sinceStart(ReachedAt(150))
	if err := h.fail(cash(1), ErrInvalid); !strings.Contains(err.Error(), "already cashed out at 1.50x (auto)") {
		t.Fatalf("after the auto time: %v", err)
	}
	ev := h.until(h.now)
	if e, ok := find(ev, EventCashout); !ok || !e.Auto || e.Multiplier != 150 || e.Amount != 15 || ev[len(ev)-1] != e {
		t.Fatalf("auto: %+v", ev)
	}
	if err := h.fail(cash(1), ErrInvalid); !strings.Contains(err.Error(), "already cashed out at 1.50x") {
		t.Fatalf("after the auto: %v", err)
	}
}

func TestAutoCashout(t *testing.T) {
	const point = 250
	h := started(t, point,
		[3]int64{1, 100, 200},  // below: paid 2.00x
		[3]int64{2, 100, 250},  // at the crash point: lost
		[3]int64{3, 100, 300},  // above: lost
		[3]int64{4, 100, 101},  // the lowest target
		[3]int64{5, 100, 249},  // just below
		[3]int64{6, 7, 133},    // whole coins round down: 7*1.33 = 9.31
		[3]int64{7, 100, 0},    // none, no cash-out: lost
		[3]int64{8, 100, 200},  // the same target as player 1
		[3]int64{9, 100, 1000}, // far above
	)
	var got []Event
	for h.tb.Phase() == PhaseRunning {
		got = append(got, h.wait(37*time.Millisecond)...)
	}
	var outs []Event
	for _, e := range got {
		if e.Kind == EventCashout {
			outs = append(outs, e)
		}
	}
	want := []struct{ player, mult, amount int64 }{{4, 101, 101}, {6, 133, 9}, {1, 200, 200}, {8, 200, 200}, {5, 249, 249}}
	if len(outs) != len(want) {
		t.Fatalf("cash-outs %+v", outs)
	}
	for i, w := range want {
		e := outs[i]
		if e.Player != w.player || e.Multiplier != w.mult || e.Amount != w.amount || !e.Auto || e.Elapsed != ReachedAt(w.mult) {
			t.Fatalf("cash-out %d: %+v, want %+v", i, e, w)
		}
	}
	pays := map[int64]int64{}
	for _, p := range h.tb.Payouts() {
		pays[p.Player] = p.Amount
	}
	for p, want := range map[int64]int64{1: 200, 2: 0, 3: 0, 4: 101, 5: 249, 6: 9, 7: 0, 8: 200, 9: 0} {
		if pays[p] != want {
			t.Errorf("player %d paid %d, want %d", p, pays[p], want)
		}
	}
}

// Above 166x the curve gains more than a hundredth a millisecond, so an
// auto target just under the crash point is reached in the crash's own
// millisecond: it is paid, and announced before the crash.
func TestAutoCashoutInTheCrashMillisecond(t *testing.T) {
	var point int64
	for c := int64(50_000); c < 60_000; c++ {
		if ReachedAt(c-1) == ReachedAt(c) {
			point = c
			break
		}
	}
	if point == 0 {
		t.Fatal("no crash point shares its millisecond with the one below")
	}
	h := started(t, point, [3]int64{1, 100, point - 1}, [3]int64{2, 100, point})
	h.until(h.sinceStart(ReachedAt(point) - 1))
	ev := h.until(h.sinceStart(ReachedAt(point)))
	if got := kinds(ev); !slices.Equal(got, []string{EventCashout, EventCrash, EventRoundEnd, EventPause}) {
		t.Fatalf("events %v", got)
	}
	if ev[0].Player != 1 || ev[0].Multiplier != point-1 || ev[0].Elapsed != ev[1].Elapsed {
		t.Fatalf("cash-out %+v, crash %+v", ev[0], ev[1])
	}
}

func TestTwoPlayers(t *testing.T) {
	h := started(t, 400, [3]int64{1, 50, 150}, [3]int64{2, 80, 500}, [3]int64{3, 30, 0})
	h.until(h.sinceStart(ReachedAt(150)))
	h.until(h.sinceStart(12_000)) // 2.05x
	h.cashout(3)
	for h.tb.Phase() == PhaseRunning {
		h.wait(100 * time.Millisecond)
	}
	rec := h.tb.Record()
	if rec.CrashPoint != 400 || len(rec.Bets) != 3 {
		t.Fatalf("record %+v", rec)
	}
	want := []BetRecord{
		{Ref: "b1", Player: 1, Name: "player1", Amount: 50, AutoCashout: 150, CashedOut: true, Elapsed: ReachedAt(150), Multiplier: 150, Auto: true, Payout: 75},
		{Ref: "b2", Player: 2, Name: "player2", Amount: 80, AutoCashout: 500},
		{Ref: "b3", Player: 3, Name: "player3", Amount: 30, CashedOut: true, Elapsed: 12_000, Multiplier: Multiplier(12_000), Payout: 30 * Multiplier(12_000) / 100},
	}
	for i, w := range want {
		b := rec.Bets[i]
		b.At, b.CashoutAt = time.Time{}, time.Time{}
		if b != w {
			t.Errorf("bet %d: %+v, want %+v", i, b, w)
		}
	}
	if got := rec.Bets[0].CashoutAt; !got.Equal(rec.StartedAt.Add(ms(ReachedAt(150)))) {
		t.Errorf("auto cash-out at %v", got)
	}
	if h.net(1) != 25 || h.net(2) != -80 || h.net(3) != want[2].Payout-30 {
		t.Errorf("nets %d %d %d", h.net(1), h.net(2), h.net(3))
	}
}

func (h *harness) net(p int64) int64 { return h.got[p] - h.booked[p] }

func TestTicks(t *testing.T) {
	for _, every := range []time.Duration{100 * time.Millisecond, 40 * time.Millisecond} {
		t.Run(every.String(), func(t *testing.T) {
			r := DefaultRules()
			r.TickEvery = every
			h := newHarness(t, r, 300)
			h.bet(1, 10, 0)
			h.wait(r.BetTime)
			crash := ReachedAt(300)
			step := int64(every / time.Millisecond)
			var k int64
			for h.tb.Phase() == PhaseRunning {
				d, ok := h.tb.Deadline()
				if !ok {
					t.Fatal("a running round without a deadline")
				}
				k++
				next := min(k*step, crash)
				if want := h.sinceStart(next); !d.Equal(want) {
					t.Fatalf("deadline %v, want %v (%d ms)", d, want, next)
				}
				ev := h.until(d)
				if next == crash {
					if !has(ev, EventCrash) || has(ev, EventTick) {
						t.Fatalf("at the crash: %v", kinds(ev))
					}
					break
				}
				if len(ev) != 1 || ev[0].Kind != EventTick || ev[0].Elapsed != next || ev[0].Multiplier != Multiplier(next) {
					t.Fatalf("tick %d: %+v", k, ev)
				}
				if v := h.tb.View(0); v.Multiplier != Multiplier(next) || v.Elapsed != next {
					t.Fatalf("view at tick %d: %d at %d", k, v.Multiplier, v.Elapsed)
				}
			}
			if want := (crash - 1) / step; k-1 != want {
				t.Fatalf("%d ticks before the crash at %d ms, want %d", k-1, crash, want)
			}
		})
	}
	t.Run("LateRoom", func(t *testing.T) {
		h := started(t, 1000, [3]int64{1, 10, 110})
		ev := h.until(h.sinceStart(2_550))
		// The auto cash-out at its time, then only the latest tick.
		if got := kinds(ev); !slices.Equal(got, []string{EventCashout, EventTick}) {
			t.Fatalf("late Advance: %v", got)
		}
		if ev[0].Elapsed != ReachedAt(110) || ev[1].Elapsed != 2_500 || ev[1].Multiplier != Multiplier(2_500) {
			t.Fatalf("events %+v", ev)
		}
		if d, _ := h.tb.Deadline(); !d.Equal(h.sinceStart(2_600)) {
			t.Fatalf("next deadline %v", d)
		}
	})
}

func TestInstantCrash(t *testing.T) {
	h := newHarness(t, DefaultRules(), 100)
	h.bet(1, 10, 101)
	h.bet(2, 10, 0)
	h.now = h.now.Add(10 * time.Second)
	h.fail(Command{Kind: CommandAction, Player: 2, Action: ActionCashout}, ErrInvalid) // not started
	ev := h.until(h.now)
	if got := kinds(ev); !slices.Equal(got, []string{EventStart, EventCrash, EventRoundEnd, EventPause}) {
		t.Fatalf("instant crash: %v", got)
	}
	if ev[1].Multiplier != 100 || ev[1].Elapsed != 0 || ev[2].Amount != 0 {
		t.Fatalf("crash %+v, end %+v", ev[1], ev[2])
	}
	h.fail(Command{Kind: CommandAction, Player: 2, Action: ActionCashout}, ErrTooLate)
}

func TestMaxMultiplier(t *testing.T) {
	r := DefaultRules()
	r.MaxMultiplier = 20_000 // 200x
	h := newHarness(t, r, 5_000_000)
	h.bet(1, 1000, 19_999)
	h.bet(2, 1000, 0)
	h.fail(Command{Kind: CommandBet, Player: 3, Amount: 10, AutoCashout: 20_000}, ErrInvalid)
	h.wait(r.BetTime)
	for h.tb.Phase() == PhaseRunning {
		h.wait(time.Second)
	}
	rec := h.tb.Record()
	if rec.CrashPoint != 20_000 || rec.CrashMs != ReachedAt(20_000) || !rec.Forced {
		t.Fatalf("capped crash: %+v", rec)
	}
	if p := h.tb.Payouts(); p[0].Amount != 199_990 || p[1].Amount != 0 {
		t.Fatalf("payouts %+v", p)
	}
}

func TestPayoutsNilWhileLive(t *testing.T) {
	h := newHarness(t, DefaultRules(), 200, 300)
	if h.tb.Payouts() != nil {
		t.Fatal("payouts before the first round")
	}
	for round := 1; round <= 2; round++ {
		h.bet(1, 10, 150)
		if h.tb.Payouts() != nil {
			t.Fatalf("round %d: payouts while betting", round)
		}
		h.wait(10 * time.Second)
		for h.tb.Phase() == PhaseRunning {
			if h.tb.Payouts() != nil {
				t.Fatalf("round %d: payouts while running", round)
			}
			h.wait(250 * time.Millisecond)
		}
		if p := h.tb.Payouts(); len(p) != 1 || p[0].Amount != 15 {
			t.Fatalf("round %d: payouts %+v", round, p)
		}
		h.wait(4 * time.Second)
		if p := h.tb.Payouts(); len(p) != 1 {
			t.Fatalf("round %d: payouts gone while waiting: %+v", round, p)
		}
	}
}

func TestView(t *testing.T) {
	h := newHarness(t, DefaultRules(), 300)
	v := h.tb.View(7)
	if v.Phase != PhaseWaiting || v.Chain.Index != 1 || v.Chain.Left != 5000 || v.Chain.Terminating != h.tb.chain.Terminating() ||
		!slices.Equal(v.You.Actions, []string{CommandBet}) || v.You.Bet != nil || len(v.Bets) != 0 || v.Multiplier != 100 {
		t.Fatalf("waiting view %+v", v)
	}
	if h.tb.View(0).You != nil {
		t.Fatal("the public view has You")
	}
	h.bet(1, 10, 200)
	h.bet(2, 20, 0)
	v = h.tb.View(1)
	if v.Phase != PhaseBetting || !v.Deadline.Equal(t0.Add(10*time.Second)) || len(v.Bets) != 2 || v.You.Bet == nil ||
		v.You.Bet.Amount != 10 || v.You.Bet.AutoCashout != 200 || len(v.You.Actions) != 0 || v.Chain.Index != 1 {
		t.Fatalf("betting view %+v", v)
	}
	if v := h.tb.View(3); !slices.Equal(v.You.Actions, []string{CommandBet}) {
		t.Fatalf("betting view of a player without a bet %+v", v.You)
	}
	h.wait(10 * time.Second)
	h.until(h.sinceStart(ReachedAt(200) + 50))
	v = h.tb.View(2)
	if v.Phase != PhaseRunning || !v.Deadline.IsZero() || !v.StartedAt.Equal(t0.Add(10*time.Second)) ||
		v.Multiplier != Multiplier(ReachedAt(200)+50) || !slices.Equal(v.You.Actions, []string{ActionCashout}) {
		t.Fatalf("running view %+v", v)
	}
	if b := h.tb.View(1).Bets[0]; !b.CashedOut || !b.Auto || b.Multiplier != 200 || b.Payout != 20 {
		t.Fatalf("cashed bet %+v", b)
	}
	if you := h.tb.View(1).You; len(you.Actions) != 0 {
		t.Fatalf("a cashed-out player may %v", you.Actions)
	}
	for h.tb.Phase() == PhaseRunning {
		h.wait(time.Second)
	}
	v = h.tb.View(2)
	rec := h.tb.Record()
	if v.Phase != PhaseCrashed || v.CrashPoint != 300 || v.Multiplier != 300 || v.Hash != rec.Hash || v.Hash == "" ||
		!v.Bets[1].Lost || v.Bets[0].Lost || len(v.History) != 1 || v.History[0] != (PastRound{1, 300, rec.Hash, 1}) {
		t.Fatalf("crashed view %+v", v)
	}
}

func TestHistory(t *testing.T) {
	points := make([]int64, 25)
	for i := range points {
		points[i] = int64(101 + i)
	}
	h := newHarness(t, DefaultRules(), points...)
	for range points {
		h.bet(1, 1, 0)
		h.wait(10 * time.Second)
		h.wait(5 * time.Second)
		h.wait(4 * time.Second)
	}
	v := h.tb.View(0)
	if len(v.History) != HistoryLen || h.rounds != 25 {
		t.Fatalf("history of %d after %d rounds", len(v.History), h.rounds)
	}
	for i, p := range v.History {
		if p.Round != int64(25-i) || p.CrashPoint != points[24-i] || p.Index != 25-i {
			t.Fatalf("history %d: %+v", i, p)
		}
		if steps, ok := Verify(p.Hash, v.Chain.Terminating, 100); !ok || steps != p.Index {
			t.Fatalf("history %d does not verify", i)
		}
	}
}

func TestAwayBackLeave(t *testing.T) {
	h := newHarness(t, DefaultRules(), 300)
	for _, k := range []string{CommandAway, CommandBack, CommandLeave} {
		if ev := h.do(Command{Kind: k, Player: 1}); ev != nil {
			t.Fatalf("%s without a bet: %v", k, ev)
		}
	}
	h.bet(1, 10, 250)
	if ev := h.do(Command{Kind: CommandAway, Player: 1}); len(ev) != 1 || ev[0].Kind != EventAway || ev[0].Name != "player1" {
		t.Fatalf("away: %+v", ev)
	}
	if ev := h.do(Command{Kind: CommandAway, Player: 1}); ev != nil {
		t.Fatalf("away twice: %+v", ev)
	}
	if !h.tb.View(0).Bets[0].Away {
		t.Fatal("the view does not show the player away")
	}
	if ev := h.do(Command{Kind: CommandBack, Player: 1}); len(ev) != 1 || ev[0].Kind != EventBack {
		t.Fatalf("back: %+v", ev)
	}
	if ev := h.do(Command{Kind: CommandLeave, Player: 1}); len(ev) != 1 || ev[0].Kind != EventLeave {
		t.Fatalf("leave: %+v", ev)
	}
	if ev := h.do(Command{Kind: CommandLeave, Player: 1}); ev != nil {
		t.Fatalf("leave twice: %+v", ev)
	}
	// The bet plays on: its auto cash-out still comes.
	h.wait(10 * time.Second)
	for h.tb.Phase() == PhaseRunning {
		h.wait(time.Second)
	}
	if p := h.tb.Payouts(); p[0].Amount != 25 || !h.tb.HasBet(1) {
		t.Fatalf("payouts %+v", p)
	}
	h.wait(4 * time.Second)
	if h.tb.HasBet(1) {
		t.Fatal("a bet is kept into the next round")
	}
}

func TestChainUsedUp(t *testing.T) {
	tb, err := NewTable(DefaultRules(), NewChain(testSeed, 2), t0)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, tb: tb, now: t0, paid: map[int64]int64{}, got: map[int64]int64{}, booked: map[int64]int64{}}
	for range 2 {
		h.bet(1, 10, 0)
		h.wait(10 * time.Second)
		for h.tb.Phase() != PhaseWaiting {
			h.wait(time.Second)
		}
	}
	if err := h.fail(Command{Kind: CommandBet, Player: 1, Amount: 10}, ErrBettingClosed); !strings.Contains(err.Error(), "chain is used up") {
		t.Fatalf("used-up chain: %v", err)
	}
	if v := h.tb.View(1); v.Chain.Index != 0 || v.Chain.Left != 0 || len(v.You.Actions) != 0 {
		t.Fatalf("view %+v", v)
	}
}

func TestNewTable(t *testing.T) {
	if _, err := NewTable(DefaultRules(), nil, t0); !errors.Is(err, ErrInvalid) {
		t.Errorf("no chain: %v", err)
	}
	r := DefaultRules()
	r.TickEvery = time.Second
	if _, err := NewTable(r, NewChain(testSeed, 1), t0); err == nil || !strings.Contains(err.Error(), "TickEvery") {
		t.Errorf("slow ticks: %v", err)
	}
	if _, err := NewTableWithCrashPoints(DefaultRules(), NewChain(testSeed, 1), []int64{99}, t0); !errors.Is(err, ErrInvalid) {
		t.Errorf("crash point 99: %v", err)
	}
}

func TestRulesValidate(t *testing.T) {
	if err := DefaultRules().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Rules)
	}{
		{"MinBet", func(r *Rules) { r.MinBet = 0 }},
		{"MaxBet", func(r *Rules) { r.MaxBet = 0 }},
		{"MaxBet", func(r *Rules) { r.MaxBet = 1<<32 + 1 }},
		{"BetTime", func(r *Rules) { r.BetTime = 0 }},
		{"PauseTime", func(r *Rules) { r.PauseTime = -time.Second }},
		{"TickEvery", func(r *Rules) { r.TickEvery = 101 * time.Millisecond }},
		{"TickEvery", func(r *Rules) { r.TickEvery = time.Millisecond }},
		{"MaxMultiplier", func(r *Rules) { r.MaxMultiplier = 101 }},
		{"MaxMultiplier", func(r *Rules) { r.MaxMultiplier = 10_000_001 }},
	} {
		r := DefaultRules()
		tc.edit(&r)
		if err := r.Validate(); err == nil || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestPlayTheChain plays many rounds of a real chain with players betting,
// cashing out at random times (sometimes before the room has run Advance)
// and auto targets, the room waking at irregular times. The harness checks
// at every step that no event, view or record shows a live round's crash
// point or hash, and at every settlement that the money adds up and the
// crash point is the revealed hash's.
func TestPlayTheChain(t *testing.T) {
	r := DefaultRules()
	r.MaxMultiplier = 5_000 // keep rounds short
	h := newHarness(t, r)
	src := fair.NewSeeded(42)
	rounds := 200
	if testing.Short() {
		rounds = 60
	}
	var crashes []int64
	for h.rounds < rounds {
		for p := int64(1); p <= 6; p++ {
			if fair.Intn(src, 3) == 0 {
				continue
			}
			auto := int64(0)
			if fair.Intn(src, 2) == 0 {
				auto = int64(101 + fair.Intn(src, 400))
			}
			h.bet(p, int64(1+fair.Intn(src, 1000)), auto)
			h.wait(ms(int64(fair.Intn(src, 3000))))
			if h.tb.Phase() != PhaseBetting {
				break
			}
		}
		for h.tb.Phase() != PhaseWaiting {
			step := ms(int64(1 + fair.Intn(src, 700)))
			if h.tb.Phase() == PhaseRunning && fair.Intn(src, 4) == 0 {
				// A cash-out that comes before the room's Advance.
				h.now = h.now.Add(step)
				p := int64(1 + fair.Intn(src, 6))
				cmd := Command{Kind: CommandAction, Player: p, Action: ActionCashout}
				_, err := h.tb.Cost(h.now, cmd)
				if err == nil {
					h.cashout(p)
				}
				b := h.tb.byPlayer[p]
				riding := b != nil && !b.cashed && !(b.autoWins && !h.now.Before(h.tb.at(b.autoMs)))
				if late := !h.now.Before(h.tb.crashAt); riding && errors.Is(err, ErrTooLate) != late {
					t.Fatalf("cash-out at %v, crash at %v: %v", h.now, h.tb.crashAt, err)
				}
				continue
			}
			if h.tb.Phase() == PhaseCrashed && len(crashes) < h.rounds {
				crashes = append(crashes, h.tb.point)
			}
			h.wait(step)
		}
	}
	// The rounds' crash points are the chain's, in order.
	chain := NewChain(testSeed, 5000)
	for i, c := range crashes {
		_, hash, _ := chain.Next()
		if want := min(CrashPoint(hash), r.MaxMultiplier); c != want {
			t.Fatalf("round %d crashed at %d, its hash gives %d", i+1, c, want)
		}
	}
	if len(crashes) < rounds-1 {
		t.Fatalf("%d crashes seen in %d rounds", len(crashes), rounds)
	}
	t.Logf("%d rounds, %d events", h.rounds, len(h.events))
}
