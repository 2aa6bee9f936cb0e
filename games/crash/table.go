package crash

import (
	"cmp"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Phases of a table.
const (
	// PhaseWaiting: no round. The first bet opens one and its betting
	// window. No deadline.
	PhaseWaiting = "waiting"
	// PhaseBetting: the window the first bet opened, BetTime long. Every
	// player may bet once.
	PhaseBetting = "betting"
	// PhaseRunning: the multiplier rises from 1.00x until the crash;
	// players cash out.
	PhaseRunning = "running"
	// PhaseCrashed: the round crashed and is settled; a pause of PauseTime
	// follows, then the table waits again.
	PhaseCrashed = "crashed"
)

// Command kinds.
const (
	CommandBet    = "bet"
	CommandAction = "action"
	CommandAway   = "away"
	CommandBack   = "back"
	CommandLeave  = "leave"
)

// ActionCashout is the one action: take the current multiplier.
const ActionCashout = "cashout"

// MinAutoCashout is the lowest auto cash-out target, 1.01x.
const MinAutoCashout = 101

// Command is what a player (or the hub on a player's behalf) asks of the
// table.
type Command struct {
	Kind   string // bet, action, away, back, leave
	Player int64  // the player's id; never 0
	Name   string // the player's name, shown to everyone (bet)
	Amount int64  // bet: coins
	// AutoCashout (bet) is the multiplier in hundredths at which the bet
	// cashes out by itself: 200 is 2.00x, 0 none, otherwise from
	// MinAutoCashout to Rules.MaxMultiplier-1.
	AutoCashout int64
	Action      string // action: cashout
}

// Table is one crash table. It is a pure state machine: commands and the
// passing of time (Advance) change it and return the events that tell
// everyone what happened. It draws each round's hash from its Chain. It is
// not safe for concurrent use; its room owns it.
type Table struct {
	rules  Rules
	chain  *Chain
	forced []int64 // crash points that override the hashes' (tests)

	phase    string
	deadline time.Time // betting window's close, pause's end; zero otherwise

	round    int64
	active   bool // the round has stakes not yet settled
	index    int  // the round's chain index
	hashHex  string
	point    int64 // the crash point, capped
	crashMs  int64
	isForced bool

	startedAt time.Time
	crashAt   time.Time
	nextTick  time.Time
	shownMult int64
	shownMs   int64

	bets     []*bet
	byPlayer map[int64]*bet
	autos    []*bet // bets whose auto cash-out comes before the crash, in time order
	nextAuto int

	history []PastRound
	rec     Record
	payouts []Payout
	out     []Event
}

type bet struct {
	seq    int // 1 for the round's first bet
	player int64
	name   string
	at     time.Time
	amount int64
	auto   int64
	// autoWins: the auto cash-out comes before the crash, at autoMs (set
	// at the start).
	autoWins bool
	autoMs   int64
	away     bool
	left     bool

	cashed bool
	cashAt time.Time
	cashMs int64
	mult   int64
	byAuto bool
	payout int64
}

func (b *bet) ref() string { return "b" + strconv.Itoa(b.seq) }

// NewTable opens a table with rules r that plays its rounds from chain, in
// order from the chain's next hash. The table keeps chain and advances it,
// one hash per round, when a round opens.
func NewTable(r Rules, chain *Chain, now time.Time) (*Table, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if chain == nil {
		return nil, fmt.Errorf("%w: crash table without a hash chain", ErrInvalid)
	}
	return &Table{rules: r, chain: chain, phase: PhaseWaiting}, nil
}

// NewTableWithCrashPoints opens a table whose first rounds crash at points
// (hundredths, each at least 100; capped at MaxMultiplier), in order, for
// tests and simulations that need a known round; later rounds crash at
// their hashes' points. Each round still draws and reveals its hash from
// chain, but a forced crash point does not come from it: such rounds are
// marked Forced in their records, and the table is not provably fair.
func NewTableWithCrashPoints(r Rules, chain *Chain, points []int64, now time.Time) (*Table, error) {
	t, err := NewTable(r, chain, now)
	if err != nil {
		return nil, err
	}
	for _, p := range points {
		if p < 100 {
			return nil, fmt.Errorf("%w: crash point %d: want at least 100", ErrInvalid, p)
		}
	}
	t.forced = slices.Clone(points)
	return t, nil
}

// Rules returns the table's rules.
func (t *Table) Rules() Rules { return t.rules }

// Chain returns the table's hash chain, for the room to publish its
// terminating hash and keep its position.
func (t *Table) Chain() *Chain { return t.chain }

// Phase is the table's phase: waiting, betting, running or crashed.
func (t *Table) Phase() string { return t.phase }

// Round is the number of the current or last round (1 for the first).
func (t *Table) Round() int64 { return t.round }

// RoundActive reports whether a round holds stakes that are not settled
// yet: from the first bet to the crash.
func (t *Table) RoundActive() bool { return t.active }

// HasBet reports whether player has a bet in the round in play (or, in the
// pause, in the round just played).
func (t *Table) HasBet(player int64) bool { return t.byPlayer[player] != nil }

// Deadline is when the table next moves on its own, if it will: the close
// of the betting window, the end of the pause, and while the round runs
// the earliest of the next tick, the next auto cash-out and the crash. The
// room calls Advance at that time. It is for the room's timer only: while
// running it can be the crash time, which nobody may learn before it comes
// (View.Deadline never is).
func (t *Table) Deadline() (time.Time, bool) {
	if t.phase != PhaseRunning {
		return t.deadline, !t.deadline.IsZero()
	}
	d := t.crashAt
	if t.nextTick.Before(d) {
		d = t.nextTick
	}
	if b := t.pendingAuto(); b != nil {
		if at := t.at(b.autoMs); at.Before(d) {
			d = at
		}
	}
	return d, true
}

// Payouts are the settled round's credits, one per bet, losses included
// with Amount 0. Nil while a round is in play, and before the first round.
func (t *Table) Payouts() []Payout {
	if t.active || t.payouts == nil {
		return nil
	}
	return slices.Clone(t.payouts)
}

func (t *Table) due(now time.Time) bool {
	return !t.deadline.IsZero() && !now.Before(t.deadline)
}

// at is the time ms milliseconds into the running round.
func (t *Table) at(ms int64) time.Time { return t.startedAt.Add(time.Duration(ms) * time.Millisecond) }

// elapsed is the whole milliseconds from the round's start to now.
func (t *Table) elapsed(now time.Time) int64 {
	return max(0, int64(now.Sub(t.startedAt)/time.Millisecond))
}

// Cost returns the coins Apply(now, cmd) would take from the player: the
// bet for a bet, 0 for anything else. It checks everything Apply checks
// and returns the error Apply would, so a room can debit the player first
// and then Apply with the same now, which then succeeds.
func (t *Table) Cost(now time.Time, cmd Command) (int64, error) {
	return t.check(now, cmd)
}

func (t *Table) check(now time.Time, cmd Command) (int64, error) {
	if cmd.Player == 0 {
		return 0, fmt.Errorf("%w: no player", ErrInvalid)
	}
	switch cmd.Kind {
	case CommandBet:
		switch {
		case t.phase == PhaseWaiting && t.chain.Left() == 0:
			return 0, fmt.Errorf("%w: this table's hash chain is used up", ErrBettingClosed)
		case t.phase == PhaseWaiting:
		case t.phase == PhaseBetting && !t.due(now):
		default:
			return 0, fmt.Errorf("%w: wait for the next round", ErrBettingClosed)
		}
		if b := t.byPlayer[cmd.Player]; b != nil {
			return 0, fmt.Errorf("%w: already bet %d this round", ErrInvalid, b.amount)
		}
		if cmd.Amount < t.rules.MinBet || cmd.Amount > t.rules.MaxBet {
			return 0, fmt.Errorf("%w: the table takes bets of %d to %d", ErrBetOutOfRange, t.rules.MinBet, t.rules.MaxBet)
		}
		if a := cmd.AutoCashout; a != 0 && (a < MinAutoCashout || a >= t.rules.MaxMultiplier) {
			return 0, fmt.Errorf("%w: an auto cash-out is from %s to %s, or none",
				ErrInvalid, formatX(MinAutoCashout), formatX(t.rules.MaxMultiplier-1))
		}
		return cmd.Amount, nil
	case CommandAction:
		if cmd.Action != ActionCashout {
			return 0, fmt.Errorf("%w: unknown action %q", ErrInvalid, cmd.Action)
		}
		return 0, t.checkCashout(now, cmd.Player)
	case CommandAway, CommandBack, CommandLeave:
		return 0, nil
	}
	return 0, fmt.Errorf("%w: unknown command %q", ErrInvalid, cmd.Kind)
}

// checkCashout orders a cash-out against the crash by time: one at or after
// the crash time is too late, whether or not Advance has announced the
// crash yet, and one after the bet's own auto cash-out time finds the bet
// already cashed out.
func (t *Table) checkCashout(now time.Time, player int64) error {
	b := t.byPlayer[player]
	switch {
	case b == nil:
		return fmt.Errorf("%w: no bet in this round", ErrInvalid)
	case t.phase == PhaseBetting:
		return fmt.Errorf("%w: the round has not started", ErrInvalid)
	case b.cashed:
		return fmt.Errorf("%w: already cashed out at %s", ErrInvalid, formatX(b.mult))
	case t.phase == PhaseRunning && b.autoWins && !now.Before(t.at(b.autoMs)):
		return fmt.Errorf("%w: already cashed out at %s (auto)", ErrInvalid, formatX(b.auto))
	case t.phase == PhaseCrashed || !now.Before(t.crashAt) || Multiplier(t.elapsed(now)) >= t.point:
		return fmt.Errorf("%w: the round crashed at %s", ErrTooLate, formatX(t.point))
	}
	return nil
}

// Apply runs a command at now and returns what happened. An error changes
// nothing.
//
// Apply does not run Advance: the room calls Advance(now) first. It does
// not need to for correctness, though: a cash-out is ordered against the
// crash and the bet's auto cash-out by their times, not by what has been
// announced, so one at or after the crash time is refused with ErrTooLate
// even before Advance has announced the crash, and a bet that comes once
// the betting window is due is refused with ErrBettingClosed. (Had an
// earlier auto cash-out of another bet not been announced yet, Advance
// announces it after this cash-out; each event carries its own time.)
func (t *Table) Apply(now time.Time, cmd Command) ([]Event, error) {
	if _, err := t.check(now, cmd); err != nil {
		return nil, err
	}
	t.out = nil
	switch cmd.Kind {
	case CommandBet:
		t.bet(now, cmd)
	case CommandAction:
		b := t.byPlayer[cmd.Player]
		ms := t.elapsed(now)
		t.cashout(now, b, ms, Multiplier(ms), false)
	case CommandAway, CommandBack, CommandLeave:
		b := t.byPlayer[cmd.Player]
		if b == nil || !t.active {
			break
		}
		switch {
		case cmd.Kind == CommandLeave && b.left,
			cmd.Kind == CommandAway && b.away,
			cmd.Kind == CommandBack && !b.away:
			return nil, nil
		}
		b.away, b.left = cmd.Kind != CommandBack, cmd.Kind == CommandLeave
		t.emit(Event{Kind: cmd.Kind, Player: b.player, Name: b.name})
	}
	return t.flush(), nil
}

// Advance runs everything due at now, in time order, each at its own time:
// the close of the betting window (the start), auto cash-outs at the
// millisecond their targets are reached, the crash (after the auto
// cash-outs of the same millisecond, which all have targets below the
// crash point), the settlement, the end of the pause. Ticks that fell due
// are announced only the latest before now: a late room does not replay
// stale ones.
func (t *Table) Advance(now time.Time) []Event {
	t.out = nil
	for {
		switch t.phase {
		case PhaseBetting:
			if t.due(now) {
				t.start(t.deadline)
				continue
			}
		case PhaseRunning:
			if t.run(now) {
				continue
			}
		case PhaseCrashed:
			if t.due(now) {
				t.toWaiting()
				continue
			}
		}
		return t.flush()
	}
}

func (t *Table) emit(e Event) { t.out = append(t.out, e) }

func (t *Table) flush() []Event {
	out := t.out
	t.out = nil
	return out
}

func (t *Table) bet(now time.Time, cmd Command) {
	if t.phase == PhaseWaiting {
		t.openRound(now)
	}
	b := &bet{seq: len(t.bets) + 1, player: cmd.Player, name: cmd.Name, at: now, amount: cmd.Amount, auto: cmd.AutoCashout}
	t.bets = append(t.bets, b)
	t.byPlayer[b.player] = b
	t.emit(Event{Kind: EventBet, Player: b.player, Name: b.name, Amount: b.amount, AutoCashout: b.auto})
}

// openRound draws the round's hash and so fixes its crash point, which
// stays secret until the crash.
func (t *Table) openRound(now time.Time) {
	idx, h, _ := t.chain.next() // check made sure the chain has one
	t.round++
	t.active = true
	t.payouts = nil
	t.index, t.hashHex = idx, hex.EncodeToString(h[:])
	point := CrashPointOf(h)
	t.isForced = len(t.forced) > 0
	if t.isForced {
		point, t.forced = t.forced[0], t.forced[1:]
	}
	t.point = min(point, t.rules.MaxMultiplier)
	t.crashMs = ReachedAt(t.point)
	t.bets, t.byPlayer, t.autos, t.nextAuto = nil, map[int64]*bet{}, nil, 0
	t.startedAt, t.crashAt, t.nextTick = time.Time{}, time.Time{}, time.Time{}
	t.shownMult, t.shownMs = 100, 0
	t.rec = Record{Round: t.round, Rules: t.rules, Index: idx, Terminating: t.chain.Terminating(), OpenedAt: now}
	t.phase = PhaseBetting
	t.deadline = now.Add(t.rules.BetTime)
	t.emit(Event{Kind: EventBettingOpen, Round: t.round, Deadline: t.deadline})
}

// start closes the betting window at `at` and sets the multiplier rising.
func (t *Table) start(at time.Time) {
	t.phase = PhaseRunning
	t.deadline = time.Time{}
	t.startedAt = at
	t.crashAt = t.at(t.crashMs)
	t.nextTick = at.Add(t.rules.TickEvery)
	for _, b := range t.bets {
		if b.auto > 0 && b.auto < t.point {
			b.autoWins, b.autoMs = true, ReachedAt(b.auto)
			t.autos = append(t.autos, b)
		}
	}
	slices.SortStableFunc(t.autos, func(a, b *bet) int {
		return cmp.Or(cmp.Compare(a.autoMs, b.autoMs), cmp.Compare(a.auto, b.auto), cmp.Compare(a.seq, b.seq))
	})
	t.rec.StartedAt = at
	t.emit(Event{Kind: EventStart, Round: t.round, StartedAt: at, Index: t.index})
}

func (t *Table) pendingAuto() *bet {
	for t.nextAuto < len(t.autos) && t.autos[t.nextAuto].cashed {
		t.nextAuto++
	}
	if t.nextAuto < len(t.autos) {
		return t.autos[t.nextAuto]
	}
	return nil
}

// run takes the earliest thing due at now in the running round (an auto
// cash-out, the crash or a tick; at the same time in that order) and says
// whether there was one.
func (t *Table) run(now time.Time) bool {
	const (
		none = iota
		auto
		crash
		tick
	)
	what, when := none, time.Time{}
	b := t.pendingAuto()
	if b != nil {
		if at := t.at(b.autoMs); !at.After(now) {
			what, when = auto, at
		}
	}
	if !t.crashAt.After(now) && (what == none || t.crashAt.Before(when)) {
		what, when = crash, t.crashAt
	}
	if t.nextTick.Before(t.crashAt) && !t.nextTick.After(now) && (what == none || t.nextTick.Before(when)) {
		what, when = tick, t.nextTick
	}
	switch what {
	case auto:
		t.cashout(when, b, b.autoMs, b.auto, true)
	case crash:
		t.crash()
	case tick:
		t.nextTick = when.Add(t.rules.TickEvery)
		if t.nextTick.After(now) || !t.nextTick.Before(t.crashAt) {
			t.shownMs = int64(when.Sub(t.startedAt) / time.Millisecond)
			t.shownMult = Multiplier(t.shownMs)
			t.emit(Event{Kind: EventTick, Multiplier: t.shownMult, Elapsed: t.shownMs})
		}
	default:
		return false
	}
	return true
}

// cashout pays bet b at multiplier mult (hundredths), ms into the round:
// the stake times mult/100, rounded down, credited at the settlement.
func (t *Table) cashout(at time.Time, b *bet, ms, mult int64, auto bool) {
	b.cashed, b.cashAt, b.cashMs, b.mult, b.byAuto = true, at, ms, mult, auto
	b.payout = b.amount * mult / 100
	t.emit(Event{Kind: EventCashout, Player: b.player, Name: b.name, Multiplier: mult, Amount: b.payout, Auto: auto, Elapsed: ms})
}

// crash ends the round at its crash time: the hash is revealed, every bet
// still riding loses, the round settles and the pause starts.
func (t *Table) crash() {
	at := t.crashAt
	t.emit(Event{Kind: EventCrash, Round: t.round, Multiplier: t.point, Hash: t.hashHex, Index: t.index, Elapsed: t.crashMs})
	t.payouts = make([]Payout, 0, len(t.bets))
	var paid int64
	for _, b := range t.bets {
		t.payouts = append(t.payouts, Payout{Player: b.player, Ref: b.ref(), Stake: b.amount, Amount: b.payout})
		paid += b.payout
	}
	t.emit(Event{Kind: EventRoundEnd, Round: t.round, Multiplier: t.point, Amount: paid})
	t.rec.Hash, t.rec.CrashPoint, t.rec.Forced = t.hashHex, t.point, t.isForced
	t.rec.CrashedAt, t.rec.CrashMs = at, t.crashMs
	t.rec.Settled = true
	t.rec.Bets = t.betRecords()
	t.rec.Payouts = slices.Clone(t.payouts)
	t.active = false
	t.history = append([]PastRound{{Round: t.round, CrashPoint: t.point, Hash: t.hashHex, Index: t.index}}, t.history...)
	if len(t.history) > HistoryLen {
		t.history = t.history[:HistoryLen]
	}
	t.phase = PhaseCrashed
	t.deadline = at.Add(t.rules.PauseTime)
	t.emit(Event{Kind: EventPause, Deadline: t.deadline})
}

// toWaiting ends the pause: the table is cleared for the next round.
func (t *Table) toWaiting() {
	t.phase = PhaseWaiting
	t.deadline = time.Time{}
	t.bets, t.byPlayer, t.autos, t.nextAuto = nil, nil, nil, 0
	t.startedAt, t.crashAt, t.nextTick = time.Time{}, time.Time{}, time.Time{}
	t.emit(Event{Kind: EventWaiting})
}
