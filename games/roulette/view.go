package roulette

import (
	"slices"
	"time"
)

// View is the table as one viewer sees it, the snapshot a room sends with
// room.state. Everything in it is public (the same for every viewer) except
// You, which a viewer who is a player (viewer != 0) gets. It holds the
// round's number only once the result is out.
type View struct {
	Phase    string       `json:"phase"`
	Deadline time.Time    `json:"deadline,omitzero"`
	Round    int64        `json:"round"`
	Rules    Rules        `json:"rules"`
	Players  []PlayerView `json:"players"`
	// Result is this round's number, from the result to the end of the
	// pause.
	Result *Result `json:"result,omitempty"`
	// Results are the last Rules.History numbers, newest first.
	Results []Result `json:"results"`
	You     *YouView `json:"you,omitempty"`
}

// Result is a number the ball landed in, with its color.
type Result struct {
	Number int    `json:"number"`
	Color  string `json:"color"`
}

// PlayerView is one player in the round: their bets, in the order placed,
// what they staked and, once the result is out, what they were credited.
type PlayerView struct {
	Name    string `json:"name"`
	Away    bool   `json:"away,omitzero"`
	Leaving bool   `json:"leaving,omitzero"`
	Bets    []Bet  `json:"bets"`
	Total   int64  `json:"total"`
	Won     int64  `json:"won,omitzero"`
}

// YouView is the viewer's own part: their bets this round, their total,
// what they were credited, and what they may do now: "bet" while the
// window is open to them, with the bets and coins they have left within
// MaxBets and MaxTotal.
type YouView struct {
	Bets      []Bet    `json:"bets"`
	Total     int64    `json:"total"`
	Won       int64    `json:"won,omitzero"`
	Actions   []string `json:"actions"`
	BetsLeft  int      `json:"bets_left"`
	TotalLeft int64    `json:"total_left"`
}

// View returns the table as viewer sees it: viewer 0 gets the public view;
// any other viewer also gets You.
func (t *Table) View(viewer int64) View {
	v := View{
		Phase: t.phase, Deadline: t.deadline, Round: t.round, Rules: t.rules,
		Players: make([]PlayerView, 0, len(t.players)),
		Results: make([]Result, len(t.results)),
	}
	for _, p := range t.players {
		v.Players = append(v.Players, PlayerView{Name: p.name, Away: p.away, Leaving: p.leaving, Bets: p.betList(), Total: p.total, Won: p.won})
	}
	for i, n := range t.results {
		v.Results[i] = Result{Number: n, Color: Color(n)}
	}
	if t.spun {
		v.Result = &Result{Number: t.number, Color: Color(t.number)}
	}
	if viewer != 0 {
		you := &YouView{Bets: []Bet{}, Actions: []string{}, BetsLeft: t.rules.MaxBets, TotalLeft: t.rules.MaxTotal}
		p := t.find(viewer)
		if p != nil {
			you.Bets, you.Total, you.Won = p.betList(), p.total, p.won
			you.BetsLeft -= len(p.bets)
			you.TotalLeft -= p.total
		}
		open := t.phase == PhaseWaiting || t.phase == PhaseBetting
		if open && (p == nil || !p.leaving) && you.BetsLeft > 0 && you.TotalLeft >= t.rules.MinBet {
			you.Actions = append(you.Actions, CommandBet)
		}
		v.You = you
	}
	return v
}

func (p *player) betList() []Bet {
	out := make([]Bet, len(p.bets))
	for i, b := range p.bets {
		out[i] = b.bet
		out[i].Numbers = slices.Clone(b.bet.Numbers)
	}
	return out
}
