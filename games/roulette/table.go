package roulette

import (
	"fmt"
	"strconv"
	"time"

	"github.com/imperio-casino/imperio/games/fair"
)

// Phases of a table.
const (
	// PhaseWaiting: no round. The first bet opens one. No deadline.
	PhaseWaiting = "waiting"
	// PhaseBetting: the window the first bet opened, for BetTime. Any
	// player may bet, as often as the limits allow.
	PhaseBetting = "betting"
	// PhaseSpinning: no more bets; the ball is rolling. The result comes
	// SpinTime after the window closed.
	PhaseSpinning = "spinning"
	// PhaseSettled: the round is paid; a pause of PauseTime follows.
	PhaseSettled = "settled"
)

// Command kinds.
const (
	CommandBet   = "bet"
	CommandAway  = "away"
	CommandBack  = "back"
	CommandLeave = "leave"
)

// Command is what a player (or the hub on a player's behalf) asks of the
// table.
type Command struct {
	Kind   string // bet, away, back, leave
	Player int64  // the player's id; never 0
	Name   string // the player's name, shown to everyone (taken from the round's first bet)
	Bets   []Bet  // bet: one or more bets, placed (and paid for) together
}

// Table is one roulette table: the round in play and the last results. It
// is a pure state machine: commands and the passing of time (Advance) change
// it and return the events that tell everyone what happened. It is not safe
// for concurrent use; its room owns it.
type Table struct {
	rules  Rules
	src    fair.Source
	forced []int // results to give before drawing from src (tests)
	draws  int64 // Spins drawn from src

	phase    string
	deadline time.Time // zero: none
	round    int64
	active   bool      // the round has stakes not yet settled
	players  []*player // in the round, in the order of their first bet
	spun     bool      // the round's number is out
	number   int
	results  []int // newest first

	rec     Record
	payouts []Payout
	out     []Event
}

// player is one player's part in the round, from their first bet until the
// table waits again.
type player struct {
	id      int64
	name    string
	away    bool
	leaving bool
	bets    []placed
	total   int64
	won     int64
}

type placed struct {
	bet    Bet // normalized: numbers sorted, a copy of the table's own
	mask   uint64
	even   bool
	ref    string
	at     time.Time
	payout int64
}

// NewTable opens a table with rules r that draws every round's number from
// src with one Spin.
func NewTable(r Rules, src fair.Source, now time.Time) (*Table, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &Table{rules: r, src: src, phase: PhaseWaiting}, nil
}

// NewTableWithResults opens a table whose first rounds land on results, in
// order, for tests that need known numbers; later rounds draw from src.
func NewTableWithResults(r Rules, results []int, src fair.Source, now time.Time) (*Table, error) {
	for _, n := range results {
		if n < 0 || n >= Pockets {
			return nil, fmt.Errorf("%w: result %d is not on the wheel (0 to 36)", ErrInvalid, n)
		}
	}
	t, err := NewTable(r, src, now)
	if err != nil {
		return nil, err
	}
	t.forced = append([]int(nil), results...)
	return t, nil
}

// Rules returns the table's rules.
func (t *Table) Rules() Rules { return t.rules }

// Phase is the table's phase: waiting, betting, spinning or settled.
func (t *Table) Phase() string { return t.phase }

// Deadline is when the table next moves on its own, if it will: the close
// of the betting window, the result, the end of the pause. The room calls
// Advance at that time.
func (t *Table) Deadline() (time.Time, bool) { return t.deadline, !t.deadline.IsZero() }

// Round is the number of the current or last round (1 for the first).
func (t *Table) Round() int64 { return t.round }

// RoundActive reports whether a round holds stakes that are not settled
// yet: from the first bet to the result.
func (t *Table) RoundActive() bool { return t.active }

// Results are the last Rules.History numbers, newest first.
func (t *Table) Results() []int { return append([]int{}, t.results...) }

// Playing reports whether player has bets in the current round (or, until
// the table waits again, in the round just settled).
func (t *Table) Playing(player int64) bool { return t.find(player) != nil }

// Payouts are the settled round's credits: one per bet of every player in
// it, losses included with Amount 0, in the order the bets were placed
// (player by player, in the order of their first bet). Nil while a round
// is in play, and before the first round.
func (t *Table) Payouts() []Payout {
	if t.active || t.payouts == nil {
		return nil
	}
	return append([]Payout(nil), t.payouts...)
}

func (t *Table) find(id int64) *player {
	if id == 0 {
		return nil
	}
	for _, p := range t.players {
		if p.id == id {
			return p
		}
	}
	return nil
}

func (t *Table) due(now time.Time) bool {
	return !t.deadline.IsZero() && !now.Before(t.deadline)
}

// Cost returns the coins Apply(now, cmd) would take from the player: the
// sum of the bets for a bet, 0 for anything else. It checks everything
// Apply checks and returns the error Apply would, so a room can debit the
// player first and then Apply with the same now, which then succeeds.
func (t *Table) Cost(now time.Time, cmd Command) (int64, error) {
	return t.check(now, cmd)
}

func (t *Table) check(now time.Time, cmd Command) (int64, error) {
	if cmd.Player == 0 {
		return 0, fmt.Errorf("%w: no player", ErrInvalid)
	}
	switch cmd.Kind {
	case CommandAway, CommandBack, CommandLeave:
		// A player the table does not know has nothing to mark.
		return 0, nil
	case CommandBet:
	default:
		return 0, fmt.Errorf("%w: unknown command %q", ErrInvalid, truncate(cmd.Kind, 20))
	}
	switch {
	case t.phase == PhaseWaiting:
	case t.phase == PhaseBetting && !t.due(now):
	default:
		return 0, fmt.Errorf("%w: no more bets; wait for the next round", ErrBettingClosed)
	}
	p := t.find(cmd.Player)
	var n int
	var total int64
	if p != nil {
		if p.leaving {
			return 0, fmt.Errorf("%w: leaving the table", ErrInvalid)
		}
		n, total = len(p.bets), p.total
	}
	if len(cmd.Bets) == 0 {
		return 0, fmt.Errorf("%w: no bets", ErrInvalid)
	}
	if len(cmd.Bets) > t.rules.MaxBets-n {
		return 0, fmt.Errorf("%w: too many bets: at most %d a round, and you have %d", ErrInvalid, t.rules.MaxBets, n)
	}
	var sum int64
	for i, b := range cmd.Bets {
		if err := b.Validate(t.rules); err != nil {
			if len(cmd.Bets) > 1 {
				return 0, fmt.Errorf("bet %d: %w", i+1, err)
			}
			return 0, err
		}
		sum += b.Amount // at most MaxBets * MaxBet: no overflow
	}
	if total+sum > t.rules.MaxTotal {
		return 0, fmt.Errorf("%w: at most %d a round in all; you have %d on the table and bet %d more", ErrBetOutOfRange, t.rules.MaxTotal, total, sum)
	}
	return sum, nil
}

// Apply runs a command at now and returns what happened. An error changes
// nothing. The first bet of a round opens it and its betting window.
//
// Apply does not run deadlines: the room calls Advance(now) first, and a
// bet that arrives once the window's deadline is due is refused.
func (t *Table) Apply(now time.Time, cmd Command) ([]Event, error) {
	if _, err := t.check(now, cmd); err != nil {
		return nil, err
	}
	t.out = nil
	p := t.find(cmd.Player)
	switch cmd.Kind {
	case CommandBet:
		t.bet(now, p, cmd)
	case CommandAway:
		if p != nil && !p.away {
			p.away = true
			t.emit(Event{Kind: EventAway, Player: p.id, Name: p.name})
		}
	case CommandBack:
		if p != nil && (p.away || p.leaving) {
			p.away, p.leaving = false, false
			t.emit(Event{Kind: EventBack, Player: p.id, Name: p.name})
		}
	case CommandLeave:
		if p != nil && !p.leaving {
			p.away, p.leaving = true, true
			t.emit(Event{Kind: EventLeave, Player: p.id, Name: p.name, Pending: t.active})
		}
	}
	return t.flush(), nil
}

// Advance runs every deadline due at now, in order, each at its own time
// (a window that closed at 12:00:15 gives its result at 12:00:18), and
// returns the events.
func (t *Table) Advance(now time.Time) []Event {
	t.out = nil
	for t.due(now) {
		at := t.deadline
		switch t.phase {
		case PhaseBetting:
			t.closeBetting(at)
		case PhaseSpinning:
			t.settle(at)
		case PhaseSettled:
			t.toWaiting()
		default:
			t.deadline = time.Time{}
		}
	}
	return t.flush()
}

func (t *Table) emit(e Event) { t.out = append(t.out, e) }

func (t *Table) flush() []Event {
	out := t.out
	t.out = nil
	return out
}

// bet places a checked bet command: the bets are kept in normal form, in
// the order given, after the player's earlier ones.
func (t *Table) bet(now time.Time, p *player, cmd Command) {
	if t.phase == PhaseWaiting {
		t.openRound(now)
	}
	if p == nil {
		p = &player{id: cmd.Player, name: cmd.Name}
		t.players = append(t.players, p)
	} else if p.name == "" {
		p.name = cmd.Name
	}
	e := Event{Kind: EventBet, Round: t.round, Player: p.id, Name: p.name, Bets: make([]Bet, 0, len(cmd.Bets))}
	for _, b := range cmd.Bets {
		mask, _ := cover(b.Kind, b.Numbers) // checked
		nb := normalize(b, mask)
		p.bets = append(p.bets, placed{
			bet: nb, mask: mask, even: isEvenMoney(b.Kind), at: now,
			ref: "p" + strconv.FormatInt(p.id, 10) + "b" + strconv.Itoa(len(p.bets)+1),
		})
		p.total += b.Amount
		e.Amount += b.Amount
		nb.Numbers = append([]int(nil), nb.Numbers...)
		e.Bets = append(e.Bets, nb)
	}
	e.Total = p.total
	t.emit(e)
}

func (t *Table) openRound(now time.Time) {
	t.round++
	t.active = true
	t.payouts = nil
	t.players, t.spun, t.number = nil, false, 0
	t.rec = Record{Round: t.round, Rules: t.rules, OpenedAt: now}
	t.phase = PhaseBetting
	t.deadline = now.Add(t.rules.BetTime)
	t.emit(Event{Kind: EventBettingOpen, Round: t.round, Deadline: t.deadline})
}

// closeBetting ends the window: no more bets, the ball rolls.
func (t *Table) closeBetting(at time.Time) {
	t.phase = PhaseSpinning
	t.deadline = at.Add(t.rules.SpinTime)
	t.rec.ClosedAt = at
	t.emit(Event{Kind: EventNoMoreBets, Round: t.round, Deadline: t.deadline})
}

// spin gives the round's number: the next forced result, or one Spin of
// the source.
func (t *Table) spin() (n int, draw int64) {
	if len(t.forced) > 0 {
		n, t.forced = t.forced[0], t.forced[1:]
		return n, 0
	}
	t.draws++
	return Spin(t.src), t.draws
}

// settle draws the number and pays every bet: the result, one payout event
// per player, round_end, then the pause.
func (t *Table) settle(at time.Time) {
	n, draw := t.spin()
	t.number, t.spun = n, true
	t.results = append([]int{n}, t.results...)
	if len(t.results) > t.rules.History {
		t.results = t.results[:t.rules.History]
	}
	color := Color(n)
	t.emit(Event{Kind: EventResult, Round: t.round, Number: ptr(n), Color: color, Draw: draw})
	t.payouts = []Payout{}
	var staked, paid int64
	for _, p := range t.players {
		p.won = 0
		for i := range p.bets {
			b := &p.bets[i]
			b.payout = pay(b.mask, b.bet.Amount, b.even, n, t.rules.LaPartage)
			p.won += b.payout
			t.payouts = append(t.payouts, Payout{Player: p.id, Ref: b.ref, Stake: b.bet.Amount, Amount: b.payout})
		}
		staked += p.total
		paid += p.won
		t.emit(Event{Kind: EventPayout, Round: t.round, Player: p.id, Name: p.name, Amount: p.won, Total: p.total})
	}
	t.emit(Event{Kind: EventRoundEnd, Round: t.round, Number: ptr(n), Color: color, Amount: paid, Total: staked})
	t.rec.Number, t.rec.Color, t.rec.Draw = ptr(n), color, draw
	t.rec.Players = t.playerRecords()
	t.rec.Payouts = append([]Payout(nil), t.payouts...)
	t.rec.Settled, t.rec.SettledAt = true, at
	t.active = false
	t.phase = PhaseSettled
	t.deadline = at.Add(t.rules.PauseTime)
	t.emit(Event{Kind: EventPause, Deadline: t.deadline})
}

func ptr(n int) *int { return &n }

// toWaiting ends the pause: the table is cleared for the next round.
func (t *Table) toWaiting() {
	t.phase = PhaseWaiting
	t.deadline = time.Time{}
	t.players, t.spun, t.number = nil, false, 0
	t.emit(Event{Kind: EventWaiting})
}
