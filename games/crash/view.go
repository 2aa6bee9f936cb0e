package crash

import "time"

// View is the table as one viewer sees it, the snapshot a room sends with
// room.state. Everything in it is public (the same for every viewer) except
// You. It never holds the round's crash point or hash before the crash,
// nor when the round will crash: Deadline is the betting window's close or
// the pause's end, and is zero while the round runs.
type View struct {
	Phase    string    `json:"phase"`
	Deadline time.Time `json:"deadline,omitzero"`
	Round    int64     `json:"round"`
	Rules    Rules     `json:"rules"`
	// StartedAt is when the multiplier started rising: with the curve
	// (Multiplier) a client draws it between ticks.
	StartedAt time.Time `json:"started_at,omitzero"`
	// Multiplier is the last one announced, in hundredths: 100 before the
	// start, the last tick's while running (at Elapsed ms), the crash point
	// after the crash.
	Multiplier int64 `json:"multiplier"`
	Elapsed    int64 `json:"elapsed,omitzero"`
	// CrashPoint and Hash are the round's, revealed by the crash; empty
	// until then.
	CrashPoint int64       `json:"crash_point,omitzero"`
	Hash       string      `json:"hash,omitzero"`
	Chain      ChainView   `json:"chain"`
	Bets       []BetView   `json:"bets"`
	History    []PastRound `json:"history"`
	You        *YouView    `json:"you,omitempty"`
}

// ChainView is the table's fairness commitment: the hash chain's
// terminating hash, the chain index of the round in play (or just played;
// while waiting, of the round the next bet opens, 0 when the chain is used
// up) and how many rounds the chain has left.
type ChainView struct {
	Terminating string `json:"terminating"`
	Index       int    `json:"index"`
	Left        int    `json:"left"`
}

// BetView is one bet in the round, in the order the bets came.
type BetView struct {
	Name        string `json:"name"`
	Amount      int64  `json:"amount"`
	AutoCashout int64  `json:"auto_cashout,omitzero"`
	Away        bool   `json:"away,omitzero"`
	// A cashed-out bet has its multiplier and the amount it is paid.
	CashedOut  bool  `json:"cashed_out,omitzero"`
	Multiplier int64 `json:"multiplier,omitzero"`
	Auto       bool  `json:"auto,omitzero"`
	Payout     int64 `json:"payout,omitzero"`
	// Lost: the round crashed with the bet still riding.
	Lost bool `json:"lost,omitzero"`
}

// PastRound is a crashed round, for the history strip and for checking.
type PastRound struct {
	Round      int64  `json:"round"`
	CrashPoint int64  `json:"crash_point"`
	Hash       string `json:"hash"`
	Index      int    `json:"index"`
}

// YouView is the viewer's own bet, if any, and what they may do now: "bet"
// while a bet is open to them, "cashout" while their bet rides.
type YouView struct {
	Bet     *BetView `json:"bet,omitempty"`
	Actions []string `json:"actions"`
}

// HistoryLen is how many past rounds a View lists, the latest first.
const HistoryLen = 20

// View returns the table as viewer sees it: viewer 0 gets the public view,
// anyone else also You.
func (t *Table) View(viewer int64) View {
	v := View{
		Phase: t.phase, Deadline: t.deadline, Round: t.round, Rules: t.rules,
		StartedAt: t.startedAt, Multiplier: 100,
		Chain:   ChainView{Terminating: t.chain.Terminating(), Index: t.index, Left: t.chain.Left()},
		Bets:    make([]BetView, 0, len(t.bets)),
		History: make([]PastRound, len(t.history)),
	}
	copy(v.History, t.history)
	switch t.phase {
	case PhaseWaiting:
		v.StartedAt = time.Time{}
		v.Chain.Index = 0
		if t.chain.Left() > 0 {
			v.Chain.Index = t.chain.Used() + 1
		}
	case PhaseRunning:
		v.Multiplier, v.Elapsed = t.shownMult, t.shownMs
	case PhaseCrashed:
		v.Multiplier, v.Elapsed = t.point, t.crashMs
		v.CrashPoint, v.Hash = t.point, t.hashHex
	}
	var mine *BetView
	for _, b := range t.bets {
		bv := BetView{Name: b.name, Amount: b.amount, AutoCashout: b.auto, Away: b.away,
			CashedOut: b.cashed, Multiplier: b.mult, Auto: b.byAuto, Payout: b.payout,
			Lost: t.phase == PhaseCrashed && !b.cashed}
		v.Bets = append(v.Bets, bv)
		if viewer != 0 && b.player == viewer {
			mine = &bv
		}
	}
	if viewer != 0 {
		you := &YouView{Bet: mine, Actions: []string{}}
		switch {
		case (t.phase == PhaseWaiting && t.chain.Left() > 0) || (t.phase == PhaseBetting && mine == nil):
			you.Actions = append(you.Actions, CommandBet)
		case t.phase == PhaseRunning && mine != nil && !mine.CashedOut:
			you.Actions = append(you.Actions, ActionCashout)
		}
		v.You = you
	}
	return v
}
