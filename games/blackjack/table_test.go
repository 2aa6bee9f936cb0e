package blackjack

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// deal lays out a stacked shoe: the first card of each hand in seat order,
// the dealer's up card, the second card of each hand, the hole card (none
// without a peek), then every card drawn after, in order.
func deal(hands [][2]string, up, hole string, rest ...string) []string {
	var out []string
	for _, h := range hands {
		out = append(out, h[0])
	}
	out = append(out, up)
	for _, h := range hands {
		out = append(out, h[1])
	}
	if hole != "" {
		out = append(out, hole)
	}
	return append(out, rest...)
}

// step is one command of a scenario: player p takes action (or bets, for
// "bet N"), expecting err; or, with wait set, time passes.
type step struct {
	p      int64
	action string
	err    error
	wait   time.Duration
}

type scenario struct {
	name  string
	rules func(*Rules)
	bets  []int64 // player i+1 sits at seat i+1 and bets bets[i]
	shoe  []string
	play  []step
	// want is every payout of the round: ref -> "result amount"
	// (insurance: "win 150" / "lose 0").
	want  map[string]string
	check func(t *testing.T, h *harness)
}

func (sc scenario) run(t *testing.T) *harness {
	t.Helper()
	r := DefaultRules()
	if sc.rules != nil {
		sc.rules(&r)
	}
	h := newHarness(t, r, sc.shoe...)
	for i := range sc.bets {
		h.sit(int64(i+1), i+1)
	}
	for i, b := range sc.bets {
		h.bet(int64(i+1), b)
	}
	for _, st := range sc.play {
		switch {
		case st.wait > 0:
			h.wait(st.wait)
		case st.err != nil:
			h.fail(Command{Kind: CommandAction, Player: st.p, Action: st.action}, st.err)
		default:
			h.act(st.p, st.action)
		}
	}
	if h.tb.Phase() != PhaseSettled {
		t.Fatalf("phase %s after the script, want settled; events %v", h.tb.Phase(), kinds(h.events))
	}
	got := map[string]string{}
	rec := h.tb.Record()
	for _, s := range rec.Seats {
		for _, hr := range s.Hands {
			got[fmt.Sprintf("s%dh%d", s.Seat, hr.Hand)] = fmt.Sprintf("%s %d", hr.Result, hr.Payout)
		}
	}
	for _, p := range h.tb.Payouts() {
		if strings.HasSuffix(p.Ref, "ins") {
			res := ResultLose
			if p.Amount > 0 {
				res = ResultWin
			}
			got[p.Ref] = fmt.Sprintf("%s %d", res, p.Amount)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(sc.want) {
		t.Errorf("results %v, want %v\nevents %v", got, sc.want, kinds(h.events))
	}
	// The result events say the same.
	for _, e := range h.events {
		if e.Kind != EventResult {
			continue
		}
		ref := fmt.Sprintf("s%dh%d", e.Seat, e.Hand)
		if e.Insurance {
			ref = fmt.Sprintf("s%dins", e.Seat)
		}
		if w := sc.want[ref]; w != fmt.Sprintf("%s %d", e.Result, e.Amount) {
			t.Errorf("result event %+v, want %s", e, w)
		}
	}
	if sc.check != nil {
		sc.check(t, h)
	}
	return h
}

func count(ev []Event, kind string) int {
	n := 0
	for _, e := range ev {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

func noDealerDraw(t *testing.T, h *harness) {
	t.Helper()
	if has(h.events, EventDealerDraw) {
		t.Errorf("the dealer drew with no hand waiting: %v", kinds(h.events))
	}
}

func noTurn(t *testing.T, h *harness) {
	t.Helper()
	if has(h.events, EventTurn) {
		t.Errorf("a turn was given: %v", kinds(h.events))
	}
}

func TestRounds(t *testing.T) {
	one := []int64{100}
	tests := []scenario{
		{
			name: "PlayerBlackjack",
			bets: one, shoe: deal([][2]string{{"AS", "KD"}}, "9H", "7C"),
			want: map[string]string{"s1h1": "blackjack 250"},
			check: func(t *testing.T, h *harness) {
				noTurn(t, h)
				noDealerDraw(t, h)
				if has(h.events, EventPeek) {
					t.Error("peeked under a 9")
				}
			},
		},
		{
			name: "BlackjackRoundsDown",
			bets: []int64{15}, shoe: deal([][2]string{{"AS", "KD"}}, "9H", "7C"),
			want: map[string]string{"s1h1": "blackjack 37"}, // 15 + 22.5 rounded down
		},
		{
			name:  "BlackjackSixToFive",
			rules: func(r *Rules) { r.BlackjackNum, r.BlackjackDen = 6, 5 },
			bets:  []int64{15}, shoe: deal([][2]string{{"KS", "AD"}}, "9H", "7C"),
			want: map[string]string{"s1h1": "blackjack 33"},
		},
		{
			name: "DealerBlackjackTenUp",
			bets: one, shoe: deal([][2]string{{"9S", "8D"}}, "KH", "AC"),
			want: map[string]string{"s1h1": "lose 0"},
			check: func(t *testing.T, h *harness) {
				noTurn(t, h)
				if e, _ := find(h.events, EventPeek); !e.Blackjack {
					t.Errorf("peek %+v, want blackjack", e)
				}
				if e, _ := find(h.events, EventReveal); e.Card != "AC" || e.Total != 21 {
					t.Errorf("reveal %+v", e)
				}
			},
		},
		{
			name: "BothBlackjack",
			bets: one, shoe: deal([][2]string{{"AS", "QD"}}, "TH", "AC"),
			want:  map[string]string{"s1h1": "push 100"},
			check: noTurn,
		},
		{
			name: "DealerPeeksTenNoBlackjack",
			bets: one, shoe: deal([][2]string{{"TS", "8D"}}, "TH", "7C"),
			play: []step{{p: 1, action: ActionStand}},
			want: map[string]string{"s1h1": "win 200"},
			check: func(t *testing.T, h *harness) {
				ks := kinds(h.events)
				if p, tu := slices.Index(ks, EventPeek), slices.Index(ks, EventTurn); p < 0 || p > tu {
					t.Errorf("want a peek before the turn: %v", ks)
				}
				if e, _ := find(h.events, EventPeek); e.Blackjack {
					t.Error("peek says blackjack")
				}
			},
		},
		{
			name: "AceUpInsuranceDeclinedNoBlackjack",
			bets: one, shoe: deal([][2]string{{"TS", "9D"}}, "AH", "7C"),
			play: []step{{p: 1, action: ActionHit, err: ErrNotYourTurn}, {p: 1, action: ActionNoInsurance}, {p: 1, action: ActionStand}},
			want: map[string]string{"s1h1": "win 200"}, // 19 against a soft 18 that stands
			check: func(t *testing.T, h *harness) {
				ks := kinds(h.events)
				if i, p := slices.Index(ks, EventInsuranceOpen), slices.Index(ks, EventPeek); i < 0 || p < i {
					t.Errorf("want insurance, then the peek: %v", ks)
				}
				noDealerDraw(t, h)
			},
		},
		{
			name: "InsuranceTakenDealerBlackjack",
			bets: one, shoe: deal([][2]string{{"TS", "9D"}}, "AH", "KC"),
			play: []step{{p: 1, action: ActionInsurance}},
			want: map[string]string{"s1h1": "lose 0", "s1ins": "win 150"},
			check: func(t *testing.T, h *harness) {
				if n := h.net(1); n != 0 {
					t.Errorf("insured player's net %d, want 0", n)
				}
			},
		},
		{
			name: "InsuranceTakenNoBlackjack",
			bets: one, shoe: deal([][2]string{{"TS", "9D"}}, "AH", "6C"),
			play: []step{{p: 1, action: ActionInsurance}, {p: 1, action: ActionStand}},
			want: map[string]string{"s1h1": "win 200", "s1ins": "lose 0"},
			check: func(t *testing.T, h *harness) {
				if n := h.net(1); n != 50 {
					t.Errorf("net %d, want 50", n)
				}
			},
		},
		{
			name: "InsuranceDeclinedDealerBlackjack",
			bets: one, shoe: deal([][2]string{{"TS", "9D"}}, "AH", "KC"),
			play: []step{{p: 1, action: ActionNoInsurance}},
			want: map[string]string{"s1h1": "lose 0"},
		},
		{
			name: "InsuranceOnABlackjack",
			bets: one, shoe: deal([][2]string{{"AS", "KD"}}, "AH", "KC"),
			play: []step{{p: 1, action: ActionInsurance}},
			want: map[string]string{"s1h1": "push 100", "s1ins": "win 150"},
		},
		{
			name: "InsuranceTimesOut",
			bets: one, shoe: deal([][2]string{{"TS", "9D"}}, "AH", "7C"),
			play: []step{{wait: 10 * time.Second}, {p: 1, action: ActionInsurance, err: ErrInvalid}, {p: 1, action: ActionStand}},
			want: map[string]string{"s1h1": "win 200"},
			check: func(t *testing.T, h *harness) {
				if e, _ := find(h.events, EventInsurance); e.Action != ActionNoInsurance || e.Seat != 1 {
					t.Errorf("insurance event %+v, want a decline for seat 1", e)
				}
			},
		},
		{
			name:  "NoInsuranceWhenHalfTheBetIsNothing",
			rules: func(r *Rules) { r.MinBet = 1 },
			bets:  []int64{1}, shoe: deal([][2]string{{"TS", "9D"}}, "AH", "7C"),
			play: []step{{p: 1, action: ActionStand}},
			want: map[string]string{"s1h1": "win 2"},
			check: func(t *testing.T, h *harness) {
				if has(h.events, EventInsuranceOpen) {
					t.Error("insurance offered on a bet of 1")
				}
			},
		},
		{
			name: "HitThenStandDealerBusts",
			bets: one, shoe: deal([][2]string{{"TS", "2D"}}, "6H", "TC", "5S", "TD"),
			play: []step{{p: 1, action: ActionHit}, {p: 1, action: ActionStand}},
			want: map[string]string{"s1h1": "win 200"},
			check: func(t *testing.T, h *harness) {
				if e, _ := find(h.events, EventHit); e.Card != "5S" || e.Total != 17 {
					t.Errorf("hit %+v", e)
				}
				if e, ok := find(h.events, EventBust); !ok || !e.Dealer || e.Total != 26 {
					t.Errorf("dealer bust %+v", e)
				}
			},
		},
		{
			name: "Double",
			bets: one, shoe: deal([][2]string{{"6S", "5D"}}, "6H", "TC", "TS", "9D"),
			play: []step{{p: 1, action: ActionDouble}},
			want: map[string]string{"s1h1": "win 400"},
		},
		{
			name: "DoubleRefusedOnThreeCards",
			bets: one, shoe: deal([][2]string{{"2S", "3D"}}, "6H", "TC", "4S", "TD"),
			play: []step{{p: 1, action: ActionHit}, {p: 1, action: ActionDouble, err: ErrInvalid}, {p: 1, action: ActionStand}},
			want: map[string]string{"s1h1": "win 200"},
		},
		{
			name:  "DoubleOnlyNineToEleven",
			rules: func(r *Rules) { r.DoubleAnyTwo = false },
			bets:  one, shoe: deal([][2]string{{"AS", "7D"}}, "6H", "TC", "TD"),
			play: []step{{p: 1, action: ActionDouble, err: ErrInvalid}, {p: 1, action: ActionStand}},
			want: map[string]string{"s1h1": "win 200"},
		},
		{
			name:  "DoubleOnHardTenWhenOnlyNineToEleven",
			rules: func(r *Rules) { r.DoubleAnyTwo = false },
			bets:  one, shoe: deal([][2]string{{"4S", "6D"}}, "6H", "TC", "9S", "2D"),
			play: []step{{p: 1, action: ActionDouble}},
			want: map[string]string{"s1h1": "win 400"}, // 19 against 18
		},
		{
			name: "SplitEightsDoubleAfterSplit",
			bets: one, shoe: deal([][2]string{{"8S", "8D"}}, "6H", "TC", "3C", "TD", "TS", "7C"),
			play: []step{{p: 1, action: ActionSplit}, {p: 1, action: ActionDouble}, {p: 1, action: ActionStand}},
			want: map[string]string{"s1h1": "win 400", "s1h2": "win 200"},
			check: func(t *testing.T, h *harness) {
				if e, _ := find(h.events, EventSplit); e.Hand != 1 || e.NewHand != 2 || e.Amount != 100 {
					t.Errorf("split %+v", e)
				}
				if h.paid[1] != 300 {
					t.Errorf("paid %d, want 300 (bet, split, double)", h.paid[1])
				}
			},
		},
		{
			name:  "NoDoubleAfterSplit",
			rules: func(r *Rules) { r.DoubleAfterSplit = false },
			bets:  one, shoe: deal([][2]string{{"8S", "8D"}}, "6H", "TC", "3C", "TS", "7C"),
			play: []step{{p: 1, action: ActionSplit}, {p: 1, action: ActionDouble, err: ErrInvalid}, {p: 1, action: ActionStand}, {p: 1, action: ActionStand}},
			want: map[string]string{"s1h1": "win 200", "s1h2": "win 200"},
		},
		{
			name: "SplitAcesOneCardEachAndTwentyOneIsNotBlackjack",
			bets: one, shoe: deal([][2]string{{"AS", "AD"}}, "6H", "TC", "KC", "9D", "5S"),
			play: []step{{p: 1, action: ActionSplit}},
			want: map[string]string{"s1h1": "push 100", "s1h2": "lose 0"}, // 21 and 20 against 21
			check: func(t *testing.T, h *harness) {
				if n := count(h.events, EventTurn); n != 1 {
					t.Errorf("%d turns, want 1: split aces take one card each", n)
				}
			},
		},
		{
			name: "NoResplitAces",
			bets: one, shoe: deal([][2]string{{"AS", "AD"}}, "6H", "TC", "AC", "9D", "TD"),
			play: []step{{p: 1, action: ActionSplit}},
			want: map[string]string{"s1h1": "win 200", "s1h2": "win 200"}, // soft 12 and 20 against a bust
			check: func(t *testing.T, h *harness) {
				if n := count(h.events, EventTurn); n != 1 {
					t.Errorf("%d turns, want 1", n)
				}
			},
		},
		{
			name:  "ResplitAces",
			rules: func(r *Rules) { r.ResplitAces = true },
			bets:  one, shoe: deal([][2]string{{"AS", "AD"}}, "6H", "TC", "AC", "9C", "8D", "7S", "TD"),
			play: []step{{p: 1, action: ActionSplit}, {p: 1, action: ActionHit, err: ErrInvalid}, {p: 1, action: ActionSplit}},
			want: map[string]string{"s1h1": "win 200", "s1h2": "win 200", "s1h3": "win 200"},
			check: func(t *testing.T, h *harness) {
				var turns []Event
				for _, e := range h.events {
					if e.Kind == EventTurn {
						turns = append(turns, e)
					}
				}
				if len(turns) != 2 || fmt.Sprint(turns[1].Actions) != "[stand split]" {
					t.Errorf("turns %+v, want the second with [stand split]", turns)
				}
			},
		},
		{
			name: "ResplitToFourHands",
			bets: one,
			shoe: deal([][2]string{{"8S", "8D"}}, "6H", "TC", "8C", "8H", "8S", "TD", "TC", "TH", "9S"),
			play: []step{
				{p: 1, action: ActionSplit}, {p: 1, action: ActionSplit}, {p: 1, action: ActionSplit},
				{p: 1, action: ActionSplit, err: ErrInvalid},
				{p: 1, action: ActionStand}, {p: 1, action: ActionStand}, {p: 1, action: ActionStand}, {p: 1, action: ActionStand},
			},
			want: map[string]string{"s1h1": "win 200", "s1h2": "win 200", "s1h3": "win 200", "s1h4": "win 200"},
			check: func(t *testing.T, h *harness) {
				rec := h.tb.Record()
				var cards []string
				for _, hr := range rec.Seats[0].Hands {
					cards = append(cards, strings.Join(hr.Cards, ","))
				}
				if got := strings.Join(cards, " "); got != "8S,8S 8D,TD 8C,TC 8H,TH" {
					t.Errorf("hands %s", got)
				}
			},
		},
		{
			name: "LateSurrender",
			bets: one, shoe: deal([][2]string{{"TS", "6D"}}, "TH", "7C"),
			play:  []step{{p: 1, action: ActionSurrender}},
			want:  map[string]string{"s1h1": "surrender 50"},
			check: noDealerDraw,
		},
		{
			name: "SurrenderRoundsDown",
			rules: func(r *Rules) {
				r.MinBet = 1
			},
			bets: []int64{11}, shoe: deal([][2]string{{"TS", "6D"}}, "TH", "7C"),
			play: []step{{p: 1, action: ActionSurrender}},
			want: map[string]string{"s1h1": "surrender 5"},
		},
		{
			name: "SurrenderRefusedAfterHit",
			bets: one, shoe: deal([][2]string{{"2S", "3D"}}, "TH", "7C", "4S", "8S"),
			play: []step{{p: 1, action: ActionHit}, {p: 1, action: ActionSurrender, err: ErrInvalid}, {p: 1, action: ActionHit}, {p: 1, action: ActionStand}},
			want: map[string]string{"s1h1": "push 100"}, // 17 against 17
		},
		{
			name: "SurrenderRefusedAfterSplit",
			bets: one, shoe: deal([][2]string{{"8S", "8D"}}, "TH", "7C", "2C", "TC"),
			play: []step{{p: 1, action: ActionSplit}, {p: 1, action: ActionSurrender, err: ErrInvalid}, {p: 1, action: ActionStand}, {p: 1, action: ActionStand}},
			want: map[string]string{"s1h1": "lose 0", "s1h2": "win 200"},
		},
		{
			name:  "NoSurrenderRule",
			rules: func(r *Rules) { r.LateSurrender = false },
			bets:  one, shoe: deal([][2]string{{"TS", "6D"}}, "TH", "7C"),
			play: []step{{p: 1, action: ActionSurrender, err: ErrInvalid}, {p: 1, action: ActionStand}},
			want: map[string]string{"s1h1": "lose 0"},
		},
		{
			name: "DealerStandsOnSoft17",
			bets: one, shoe: deal([][2]string{{"TS", "8D"}}, "6H", "AC", "4S"),
			play:  []step{{p: 1, action: ActionStand}},
			want:  map[string]string{"s1h1": "win 200"},
			check: noDealerDraw,
		},
		{
			name:  "DealerHitsSoft17",
			rules: func(r *Rules) { r.HitSoft17 = true },
			bets:  one, shoe: deal([][2]string{{"TS", "8D"}}, "6H", "AC", "4S"),
			play: []step{{p: 1, action: ActionStand}},
			want: map[string]string{"s1h1": "lose 0"},
			check: func(t *testing.T, h *harness) {
				if e, _ := find(h.events, EventDealerDraw); e.Card != "4S" || e.Total != 21 {
					t.Errorf("dealer draw %+v", e)
				}
			},
		},
		{
			name: "PlayerBustsDealerDoesNotDraw",
			bets: one, shoe: deal([][2]string{{"TS", "6D"}}, "6H", "TC", "KS"),
			play: []step{{p: 1, action: ActionHit}},
			want: map[string]string{"s1h1": "lose 0"},
			check: func(t *testing.T, h *harness) {
				noDealerDraw(t, h)
				if e, _ := find(h.events, EventBust); e.Seat != 1 || e.Total != 26 {
					t.Errorf("bust %+v", e)
				}
			},
		},
		{
			name: "Push",
			bets: one, shoe: deal([][2]string{{"TS", "8D"}}, "9H", "9C"),
			play: []step{{p: 1, action: ActionStand}},
			want: map[string]string{"s1h1": "push 100"},
		},
		{
			name:  "NoPeekAllBetsLostToBlackjack",
			rules: func(r *Rules) { r.Peek = false },
			bets:  one, shoe: deal([][2]string{{"6S", "5D"}}, "TH", "", "TS", "AC"),
			play: []step{{p: 1, action: ActionDouble}},
			want: map[string]string{"s1h1": "lose 0"},
			check: func(t *testing.T, h *harness) {
				if has(h.events, EventHole) || has(h.events, EventPeek) {
					t.Errorf("hole card or peek without a peek: %v", kinds(h.events))
				}
				if n := h.net(1); n != -200 {
					t.Errorf("net %d, want the doubled stake lost", n)
				}
			},
		},
		{
			name:  "NoPeekSplitsLostToBlackjack",
			rules: func(r *Rules) { r.Peek = false },
			bets:  one, shoe: deal([][2]string{{"8S", "8D"}}, "AH", "", "TC", "TD", "KC"),
			play: []step{{p: 1, action: ActionNoInsurance}, {p: 1, action: ActionSplit}, {p: 1, action: ActionStand}, {p: 1, action: ActionStand}},
			want: map[string]string{"s1h1": "lose 0", "s1h2": "lose 0"},
		},
		{
			name:  "NoPeekBothBlackjack",
			rules: func(r *Rules) { r.Peek = false },
			bets:  one, shoe: deal([][2]string{{"AS", "KD"}}, "TH", "", "AC"),
			want: map[string]string{"s1h1": "push 100"},
		},
		{
			name:  "NoPeekPlayerBlackjack",
			rules: func(r *Rules) { r.Peek = false },
			bets:  one, shoe: deal([][2]string{{"AS", "KD"}}, "TH", "", "9C"),
			want: map[string]string{"s1h1": "blackjack 250"},
		},
		{
			name:  "NoPeekSurrenderLostToBlackjack",
			rules: func(r *Rules) { r.Peek = false },
			bets:  one, shoe: deal([][2]string{{"TS", "6D"}}, "TH", "", "AC"),
			play: []step{{p: 1, action: ActionSurrender}},
			want: map[string]string{"s1h1": "lose 0"},
		},
		{
			name:  "NoPeekSurrender",
			rules: func(r *Rules) { r.Peek = false },
			bets:  one, shoe: deal([][2]string{{"TS", "6D"}}, "TH", "", "7C"),
			play: []step{{p: 1, action: ActionSurrender}},
			want: map[string]string{"s1h1": "surrender 50"},
		},
		{
			name: "TwoPlayersInSeatOrder",
			bets: []int64{100, 50},
			shoe: deal([][2]string{{"TS", "7D"}, {"9S", "9D"}}, "6H", "TC", "8C"),
			play: []step{{p: 2, action: ActionStand, err: ErrNotYourTurn}, {p: 1, action: ActionStand}, {p: 1, action: ActionStand, err: ErrNotYourTurn}, {p: 2, action: ActionStand}},
			want: map[string]string{"s1h1": "win 200", "s2h1": "win 100"},
		},
	}
	for _, sc := range tests {
		t.Run(sc.name, func(t *testing.T) { sc.run(t) })
	}
}

func TestBettingClosesWhenEveryPresentPlayerHasBet(t *testing.T) {
	h := newHarness(t, DefaultRules())
	h.sit(1, 0)
	h.sit(2, 0)
	ev := h.bet(1, 100)
	if fmt.Sprint(kinds(ev)) != "[betting_open bet]" || h.tb.Phase() != PhaseBetting {
		t.Fatalf("first bet: %v, phase %s", kinds(ev), h.tb.Phase())
	}
	if d, ok := h.tb.Deadline(); !ok || !d.Equal(t0.Add(15*time.Second)) {
		t.Fatalf("deadline %v %v, want the bet plus BetTime", d, ok)
	}
	h.now = h.now.Add(5 * time.Second)
	ev = h.bet(2, 200)
	if !has(ev, EventBettingClosed) || count(ev, EventDeal) != 5 || !has(ev, EventHole) {
		t.Fatalf("last bet: %v", kinds(ev))
	}
	if p := h.tb.Phase(); p != PhasePlaying && p != PhaseInsurance && p != PhaseSettled {
		t.Fatalf("phase %s", p)
	}
}

func TestBettingWindowTimeout(t *testing.T) {
	h := newHarness(t, DefaultRules())
	h.sit(1, 3)
	h.sit(2, 5)
	h.bet(1, 100)
	if ev := h.wait(15*time.Second - time.Nanosecond); len(ev) != 0 {
		t.Fatalf("before the deadline: %v", ev)
	}
	h.now = t0.Add(15 * time.Second)
	// At the deadline, before the room has advanced, a bet is refused.
	h.fail(Command{Kind: CommandBet, Player: 2, Amount: 100}, ErrBettingClosed)
	ev := h.wait(0)
	if !has(ev, EventBettingClosed) {
		t.Fatalf("at the deadline: %v", kinds(ev))
	}
	for _, e := range ev {
		if e.Seat == 5 {
			t.Fatalf("seat 5 did not bet but got %+v", e)
		}
	}
	v := h.tb.View(2)
	if len(v.Seats[4].Hands) != 0 || v.Seats[4].Name != name(2) || len(v.Seats[2].Hands) != 1 {
		t.Fatalf("seats %+v", v.Seats)
	}
	h.fail(Command{Kind: CommandBet, Player: 2, Amount: 100}, ErrBettingClosed)
}

func TestAwayPlayerIsNotWaitedFor(t *testing.T) {
	h := newHarness(t, DefaultRules())
	h.sit(1, 0)
	h.sit(2, 0)
	h.sit(3, 0)
	h.do(Command{Kind: CommandAway, Player: 2})
	h.bet(1, 100)
	if h.tb.Phase() != PhaseBetting {
		t.Fatal("closed while player 3 is present and has not bet")
	}
	ev := h.do(Command{Kind: CommandAway, Player: 3})
	if !has(ev, EventBettingClosed) {
		t.Fatalf("the last present player going away should close betting: %v", kinds(ev))
	}
	if v := h.tb.View(0); !v.Seats[1].Away || !v.Seats[2].Away {
		t.Fatalf("seats not shown away: %+v", v.Seats)
	}
	ev = h.do(Command{Kind: CommandBack, Player: 2})
	if fmt.Sprint(kinds(ev)) != "[back]" || h.tb.View(0).Seats[1].Away {
		t.Fatalf("back: %v", kinds(ev))
	}
}

func TestTurnTimeoutStands(t *testing.T) {
	shoe := deal([][2]string{{"TS", "7D"}, {"9S", "8D"}}, "6H", "TC", "8C")
	h := newHarness(t, DefaultRules(), shoe...)
	h.sit(1, 1)
	h.sit(2, 2)
	h.bet(1, 100)
	h.bet(2, 100)
	h.do(Command{Kind: CommandAway, Player: 1})
	// Away or not, the turn runs its whole timer.
	if ev := h.wait(20*time.Second - time.Nanosecond); len(ev) != 0 {
		t.Fatalf("before the turn's deadline: %v", kinds(ev))
	}
	h.now = h.now.Add(time.Nanosecond)
	h.fail(Command{Kind: CommandAction, Player: 1, Action: ActionHit}, ErrNotYourTurn)
	ev := h.wait(0)
	if e, _ := find(ev, EventTimeout); e.Seat != 1 || e.Hand != 1 {
		t.Fatalf("timeout %+v in %v", e, kinds(ev))
	}
	if e, _ := find(ev, EventTurn); e.Seat != 2 || !e.Deadline.Equal(h.now.Add(20*time.Second)) {
		t.Fatalf("next turn %+v", e)
	}
	h.act(2, ActionStand)
	if h.tb.Phase() != PhaseSettled || h.payout("s1h1").Amount != 200 || h.payout("s2h1").Amount != 200 {
		t.Fatalf("phase %s, payouts %+v", h.tb.Phase(), h.tb.Payouts())
	}
}

func TestAdvanceRunsEveryDueDeadline(t *testing.T) {
	shoe := deal([][2]string{{"TS", "7D"}, {"9S", "8D"}}, "6H", "TC", "8C")
	h := newHarness(t, DefaultRules(), shoe...)
	h.sit(1, 1)
	h.sit(2, 2)
	h.sit(3, 3)
	h.bet(1, 100)
	h.bet(2, 100)
	// Betting (15s), two turns (20s each) and the pause (4s), in one call.
	ev := h.wait(time.Hour)
	want := []string{EventBettingClosed, EventTimeout, EventTimeout, EventRoundEnd, EventPause, EventWaiting}
	var got []string
	for _, e := range ev {
		if slices.Contains(want, e.Kind) {
			got = append(got, e.Kind)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || h.tb.Phase() != PhaseWaiting {
		t.Fatalf("got %v, phase %s; all: %v", got, h.tb.Phase(), kinds(ev))
	}
	rec := h.tb.Record()
	var times []time.Duration
	for _, a := range rec.Actions {
		if a.Action == EventTimeout {
			times = append(times, a.At.Sub(t0))
		}
	}
	if fmt.Sprint(times) != "[35s 55s]" || !rec.SettledAt.Equal(t0.Add(55*time.Second)) {
		t.Fatalf("timeouts at %v, settled at %v", times, rec.SettledAt)
	}
	if _, ok := h.tb.Deadline(); ok {
		t.Fatal("a deadline while waiting")
	}
	if v := h.tb.View(1); len(v.Seats[0].Hands) != 0 || len(v.Dealer.Cards) != 0 {
		t.Fatalf("the table is not cleared: %+v", v)
	}
}

func TestSettledPauseThenWaiting(t *testing.T) {
	h := newHarness(t, DefaultRules(), deal([][2]string{{"TS", "8D"}}, "9H", "9C")...)
	h.sit(1, 1)
	h.bet(1, 100)
	h.act(1, ActionStand)
	ev := h.events[len(h.events)-1]
	if ev.Kind != EventPause || !ev.Deadline.Equal(h.now.Add(4*time.Second)) {
		t.Fatalf("last event %+v, want the pause", ev)
	}
	h.fail(Command{Kind: CommandBet, Player: 1, Amount: 100}, ErrBettingClosed)
	if got := h.wait(4 * time.Second); fmt.Sprint(kinds(got)) != "[waiting]" {
		t.Fatalf("after the pause: %v", kinds(got))
	}
	if len(h.tb.Payouts()) != 1 || h.tb.Record().Round != 1 {
		t.Fatal("the last round's payouts and record should stay until the next round")
	}
	ev2 := h.bet(1, 100)
	if e := ev2[0]; e.Kind != EventBettingOpen || e.Round != 2 {
		t.Fatalf("next round: %+v", e)
	}
}

func TestLeave(t *testing.T) {
	t.Run("WithoutStake", func(t *testing.T) {
		h := newHarness(t, DefaultRules())
		h.sit(1, 2)
		h.sit(2, 4)
		h.bet(1, 100)
		ev := h.do(Command{Kind: CommandLeave, Player: 2})
		if fmt.Sprint(kinds(ev[:2])) != "[leave betting_closed]" {
			t.Fatalf("leave: %v", kinds(ev))
		}
		if _, ok := h.tb.Seated(2); ok || h.tb.View(0).Seats[3].Name != "" {
			t.Fatal("seat not freed")
		}
	})
	t.Run("WithLiveStake", func(t *testing.T) {
		shoe := deal([][2]string{{"TS", "7D"}, {"9S", "8D"}}, "6H", "TC", "8C")
		h := newHarness(t, DefaultRules(), shoe...)
		h.sit(1, 1)
		h.sit(2, 2)
		h.bet(1, 100)
		h.bet(2, 100)
		ev := h.do(Command{Kind: CommandLeave, Player: 1})
		if e := ev[0]; e.Kind != EventLeave || !e.Pending || len(ev) != 1 {
			t.Fatalf("leave with a stake: %+v", ev)
		}
		if seat, ok := h.tb.Seated(1); !ok || seat != 1 || !h.tb.View(0).Seats[0].Leaving {
			t.Fatal("the seat must stay taken until the settlement")
		}
		h.fail(Command{Kind: CommandLeave, Player: 1}, ErrInvalid)
		h.fail(Command{Kind: CommandSit, Player: 3, Seat: 1}, ErrSeatTaken)
		h.do(Command{Kind: CommandBack, Player: 1}) // no effect while leaving
		if !h.tb.View(0).Seats[0].Away {
			t.Fatal("a leaving player came back")
		}
		h.wait(20 * time.Second) // seat 1 times out and stands on 17
		h.act(2, ActionStand)
		ks := kinds(h.events)
		end := slices.Index(ks, EventRoundEnd)
		if e := h.events[end+1]; e.Kind != EventLeave || e.Seat != 1 || e.Pending {
			t.Fatalf("after the settlement: %+v", h.events[end:])
		}
		if _, ok := h.tb.Seated(1); ok {
			t.Fatal("seat not freed after the settlement")
		}
		if h.net(1) != 100 || h.tb.Record().Seats[0].Player != 1 {
			t.Fatalf("the leaver's hand should have played out and won: net %d", h.net(1))
		}
	})
}

func TestRefusals(t *testing.T) {
	r := DefaultRules()
	r.Seats = 2
	h := newHarness(t, r, deal([][2]string{{"TS", "7D"}, {"9S", "8D"}}, "6H", "TC", "8C")...)
	h.fail(Command{Kind: CommandBet, Player: 1, Amount: 100}, ErrInvalid) // not seated
	h.fail(Command{Kind: CommandSit, Player: 0}, ErrInvalid)
	h.fail(Command{Kind: CommandSit, Player: 1, Seat: 3}, ErrInvalid)
	h.fail(Command{Kind: "dance", Player: 1}, ErrInvalid)
	h.sit(1, 2)
	h.fail(Command{Kind: CommandSit, Player: 1, Seat: 1}, ErrInvalid) // already seated
	h.fail(Command{Kind: CommandSit, Player: 2, Seat: 2}, ErrSeatTaken)
	h.sit(2, 0)
	if seat, _ := h.tb.Seated(2); seat != 1 {
		t.Fatalf("first free seat: %d", seat)
	}
	h.fail(Command{Kind: CommandSit, Player: 3}, ErrTableFull)
	h.fail(Command{Kind: CommandSit, Player: 3, Seat: 1}, ErrTableFull)
	h.fail(Command{Kind: CommandBet, Player: 1, Amount: 9}, ErrBetOutOfRange)
	h.fail(Command{Kind: CommandBet, Player: 1, Amount: 1001}, ErrBetOutOfRange)
	h.fail(Command{Kind: CommandAction, Player: 1, Action: ActionHit}, ErrNotYourTurn)
	h.fail(Command{Kind: CommandAction, Player: 1, Action: ActionInsurance}, ErrInvalid)
	h.bet(1, 1000)
	err := h.fail(Command{Kind: CommandBet, Player: 1, Amount: 100}, ErrInvalid)
	if !strings.Contains(err.Error(), "already bet") {
		t.Errorf("message %q", err)
	}
	h.bet(2, 10)
	// Seat 1 (player 2) plays first.
	h.fail(Command{Kind: CommandAction, Player: 1, Action: ActionStand}, ErrNotYourTurn)
	h.fail(Command{Kind: CommandAction, Player: 2, Action: "fold"}, ErrInvalid)
	h.fail(Command{Kind: CommandAction, Player: 2, Action: ActionSplit}, ErrInvalid)
	h.fail(Command{Kind: CommandAction, Player: 2, Action: ActionNoInsurance}, ErrInvalid)
	h.fail(Command{Kind: CommandBet, Player: 2, Amount: 100}, ErrBettingClosed)
	h.fail(Command{Kind: CommandLeave, Player: 3}, ErrInvalid)
	err = h.fail(Command{Kind: CommandAction, Player: 2, Action: ActionSplit}, ErrInvalid)
	if err.Error() != "invalid: cannot split this hand now" {
		t.Errorf("message %q", err)
	}
	// The costs the room debits.
	for _, c := range []struct {
		cmd  Command
		cost int64
	}{
		{Command{Kind: CommandAction, Player: 2, Action: ActionDouble}, 10},
		{Command{Kind: CommandAction, Player: 2, Action: ActionHit}, 0},
		{Command{Kind: CommandAction, Player: 2, Action: ActionSurrender}, 0},
	} {
		if got, err := h.tb.Cost(h.now, c.cmd); err != nil || got != c.cost {
			t.Errorf("Cost(%+v) = %d, %v; want %d", c.cmd, got, err, c.cost)
		}
	}
}

func TestInsuranceCost(t *testing.T) {
	r := DefaultRules()
	h := newHarness(t, r, deal([][2]string{{"TS", "9D"}}, "AH", "7C")...)
	h.sit(1, 1)
	h.bet(1, 25)
	if h.tb.Phase() != PhaseInsurance {
		t.Fatalf("phase %s", h.tb.Phase())
	}
	if c, err := h.tb.Cost(h.now, Command{Kind: CommandAction, Player: 1, Action: ActionInsurance}); c != 12 || err != nil {
		t.Fatalf("insurance costs %d, %v; want 12", c, err)
	}
	if v := h.tb.View(1); fmt.Sprint(v.You.Actions) != "[insurance no_insurance]" {
		t.Fatalf("you %+v", v.You)
	}
}

func TestCutCardReshufflesAfterTheRound(t *testing.T) {
	r := DefaultRules()
	r.Penetration = 0.5
	// 8 cards, cut before position 4: the round takes 5.
	shoe := deal([][2]string{{"TS", "9D"}}, "9H", "7C", "5S", "2C", "3C", "4C")
	h := newHarness(t, r, shoe...)
	first := h.tb.View(0).Shoe
	if first.Number != 1 || first.Hash != ShoeHash(shoe) || first.CardsLeft != 8 {
		t.Fatalf("shoe %+v", first)
	}
	if _, _, _, ok := h.tb.RetiredShoe(); ok {
		t.Fatal("a retired shoe before any")
	}
	h.sit(1, 1)
	h.bet(1, 100)
	if v := h.tb.View(0).Shoe; v.CutCardOut {
		t.Fatalf("cut card out after 4 cards: %+v", v)
	}
	h.act(1, ActionStand) // the dealer's 16 draws the 5th card: past the cut
	ks := kinds(h.events)
	if i, j := slices.Index(ks, EventRoundEnd), slices.Index(ks, EventShuffle); j < i {
		t.Fatalf("want the shuffle after the round: %v", ks)
	}
	sh, _ := find(h.events, EventShuffle)
	num, hash, order, ok := h.tb.RetiredShoe()
	if !ok || num != 1 || hash != first.Hash || fmt.Sprint(order) != fmt.Sprint(shoe) {
		t.Fatalf("retired %d %s %v %v", num, hash, order, ok)
	}
	v := h.tb.View(0).Shoe
	if v.Number != 2 || v.Hash != sh.Hash || sh.Shoe != 2 || v.CardsLeft != 6*52 {
		t.Fatalf("new shoe %+v, event %+v", v, sh)
	}
	rec := h.tb.Record()
	if len(rec.Shoes) != 1 || rec.Shoes[0].Hash != hash {
		t.Fatalf("record shoes %+v", rec.Shoes)
	}
	for _, c := range rec.Cards {
		if order[c.Position] != c.Card || c.Shoe != 1 {
			t.Fatalf("card %+v is not at its position in %v", c, order)
		}
	}
}

func TestNoReshuffleBeforeTheCutCard(t *testing.T) {
	h := newHarness(t, DefaultRules(), deal([][2]string{{"TS", "9D"}}, "9H", "9C", "2C", "3C", "4C", "5C")...)
	h.sit(1, 1)
	h.bet(1, 100)
	h.act(1, ActionStand)
	if has(h.events, EventShuffle) || h.tb.View(0).Shoe.Number != 1 {
		t.Fatal("reshuffled before the cut card came out")
	}
}

func TestShoeRunningOutMidRound(t *testing.T) {
	r := DefaultRules()
	// The stacked shoe ends after the deal: the hit comes from a new shoe,
	// whose order is published only once the round has settled.
	shoe := deal([][2]string{{"TS", "2D"}}, "6H", "TC")
	h := newHarness(t, r, shoe...)
	h.sit(1, 1)
	h.bet(1, 100)
	ev := h.act(1, ActionHit)
	if !has(ev, EventShuffle) {
		t.Fatalf("no shuffle when the shoe ran out: %v", kinds(ev))
	}
	if _, _, _, ok := h.tb.RetiredShoe(); ok && h.tb.RoundActive() {
		t.Fatal("the old shoe, holding the hole card, was published mid-round")
	}
	for h.tb.Phase() == PhasePlaying {
		h.act(1, ActionStand)
	}
	num, _, order, ok := h.tb.RetiredShoe()
	if !ok || num != 1 || fmt.Sprint(order) != fmt.Sprint(shoe) {
		t.Fatalf("retired %d %v %v", num, order, ok)
	}
	rec := h.tb.Record()
	if len(rec.Shoes) != 2 || rec.Shoes[1].Number != 2 {
		t.Fatalf("record shoes %+v", rec.Shoes)
	}
}

func TestRulesValidate(t *testing.T) {
	if err := DefaultRules().Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		edit  func(*Rules)
		field string
	}{
		{"Decks", func(r *Rules) { r.Decks = 0 }, "Decks"},
		{"Penetration", func(r *Rules) { r.Penetration = 1 }, "Penetration"},
		{"Payout", func(r *Rules) { r.BlackjackDen = 0 }, "BlackjackNum"},
		{"MaxHands", func(r *Rules) { r.MaxHands = 0 }, "MaxHands"},
		{"Seats", func(r *Rules) { r.Seats = 0 }, "Seats"},
		{"Bets", func(r *Rules) { r.MaxBet = 5 }, "MaxBet"},
		{"TurnTime", func(r *Rules) { r.TurnTime = 0 }, "TurnTime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := DefaultRules()
			tt.edit(&r)
			err := r.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("Validate() = %v, want it to name %s", err, tt.field)
			}
			if _, err := NewTable(r, nil, t0); err == nil {
				t.Fatal("NewTable took invalid rules")
			}
		})
	}
}

func TestCards(t *testing.T) {
	for _, code := range []string{"AS", "TD", "7H", "KC", "QS", "JH", "2D"} {
		c, err := ParseCard(code)
		if err != nil || c.String() != code {
			t.Errorf("ParseCard(%q) = %v, %v", code, c, err)
		}
	}
	for _, bad := range []string{"", "1S", "AX", "10S", "as"} {
		if _, err := ParseCard(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseCard(%q) = %v", bad, err)
		}
	}
	if _, err := NewTableWithShoe(DefaultRules(), nil, []string{"AS", "ZZ"}, t0); err == nil {
		t.Error("a shoe with a bad card")
	}
}
