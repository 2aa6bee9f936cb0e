package blackjack

import (
	"fmt"
	"time"

	"github.com/imperio-casino/imperio/games/fair"
)

// Phases of a table.
const (
	// PhaseWaiting: no round. Seats may be taken; the first bet opens the
	// betting window. No deadline.
	PhaseWaiting = "waiting"
	// PhaseBetting: the window a bet opened, until the first bet plus
	// BetTime, or sooner when every present seated player has bet.
	PhaseBetting = "betting"
	// PhaseInsurance: the dealer shows an ace; players decide on insurance
	// until InsuranceTime has passed or every present one has decided.
	PhaseInsurance = "insurance"
	// PhasePlaying: the hands act in turn, TurnTime per decision.
	PhasePlaying = "playing"
	// PhaseSettled: the round is paid; a pause of PauseTime follows.
	PhaseSettled = "settled"
)

// Command kinds.
const (
	CommandSit    = "sit"
	CommandLeave  = "leave"
	CommandBet    = "bet"
	CommandAction = "action"
	CommandAway   = "away"
	CommandBack   = "back"
)

// Command is what a player (or the hub on a player's behalf) asks of the
// table.
type Command struct {
	Kind   string // sit, leave, bet, action, away, back
	Player int64  // the player's id; never 0
	Name   string // the player's name, shown to everyone (sit)
	Seat   int    // sit: 1..Seats, 0 for the first free seat
	Amount int64  // bet: coins
	Action string // action: hit, stand, double, split, surrender, insurance, no_insurance
}

// Table is one blackjack table: seats, the shoe and the round in play. It
// is a pure state machine: commands and the passing of time (Advance) change
// it and return the events that tell everyone what happened. It is not safe
// for concurrent use; its room owns it.
type Table struct {
	// shoeSource, when set, gives each new shoe its own source (NewTableSeeded).
	shoeSource func(shoe int) fair.Source
	rules      Rules
	src        fair.Source
	phase      string
	deadline   time.Time // zero: none
	seats      []*seat   // index: seat number - 1; nil when free

	shoe    shoe
	pending *shoe // retired mid-round; published when the round settles
	retired *shoe // the last retired shoe, safe to publish

	round      int64
	active     bool // the round has stakes not yet settled
	dealer     []Card
	holeHidden bool
	turnSeat   int // seat index whose hand has the turn, -1 for none
	turnHand   int

	rec     Record
	payouts []Payout
	out     []Event
}

type seat struct {
	player     int64
	name       string
	away       bool
	leaving    bool
	bet        int64 // this round's bet; 0: not in the round
	ins        int64 // insurance taken
	insOffered bool
	insDecided bool
	hands      []*hand
}

type hand struct {
	cards       []Card
	bet         int64
	fromSplit   bool
	splitAces   bool
	doubled     bool
	surrendered bool
	natural     bool
	done        bool
	result      string
	payout      int64
}

func (h *hand) totals() (int, bool) {
	hard, ace := 0, false
	for _, c := range h.cards {
		hard += c.Value()
		ace = ace || c.Value() == 1
	}
	return total(hard, ace)
}

func (h *hand) stake() int64 {
	if h.doubled {
		return 2 * h.bet
	}
	return h.bet
}

func (h *hand) state(hands int) handState {
	st := handState{n: len(h.cards), fromSplit: h.fromSplit, splitAces: h.splitAces, hands: hands}
	for _, c := range h.cards {
		st.hard += c.Value()
		st.ace = st.ace || c.Value() == 1
	}
	if len(h.cards) == 2 && h.cards[0].Value() == h.cards[1].Value() {
		st.pair = h.cards[0].Value()
	}
	return st
}

// NewTable opens a table with rules r, shuffling its first shoe from src.
// The table keeps src and draws every later shuffle from it.
func NewTable(r Rules, src fair.Source, now time.Time) (*Table, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	t := newTable(r, src)
	t.shoe = newShoe(1, r.Decks, r.Penetration, src)
	return t, nil
}

// NewTableWithShoe opens a table whose first shoe is exactly cards (codes
// such as "AS", top first), for tests and simulations that need a known
// deal. The cut card sits at Penetration of that shoe's length; when the
// cards run out mid-round, or the shoe is retired, later shoes are full
// shoes shuffled from src.
func NewTableWithShoe(r Rules, src fair.Source, cards []string, now time.Time) (*Table, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if len(cards) == 0 {
		return nil, fmt.Errorf("%w: empty shoe", ErrInvalid)
	}
	order := make([]Card, len(cards))
	for i, s := range cards {
		c, err := ParseCard(s)
		if err != nil {
			return nil, err
		}
		order[i] = c
	}
	t := newTable(r, src)
	t.shoe = stackedShoe(1, order, r.Penetration)
	return t, nil
}

// NewTableSeeded opens a table whose every shoe is shuffled from a source
// of its own, shoeSource(number), numbered from 1: a room gives each shoe
// the stream of a seed it commits to, and reveals the seed with the shoe.
func NewTableSeeded(r Rules, shoeSource func(shoe int) fair.Source, now time.Time) (*Table, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	t := newTable(r, nil)
	t.shoeSource = shoeSource
	t.shoe = newShoe(1, r.Decks, r.Penetration, t.sourceFor(1))
	return t, nil
}

// sourceFor is what shoe number n is shuffled from.
func (t *Table) sourceFor(n int) fair.Source {
	if t.shoeSource != nil {
		return t.shoeSource(n)
	}
	return t.src
}

func newTable(r Rules, src fair.Source) *Table {
	return &Table{rules: r, src: src, phase: PhaseWaiting, seats: make([]*seat, r.Seats), turnSeat: -1}
}

// Rules returns the table's rules.
func (t *Table) Rules() Rules { return t.rules }

// Phase is the table's phase: waiting, betting, insurance, playing or
// settled.
func (t *Table) Phase() string { return t.phase }

// Deadline is when the table next moves on its own, if it will: the close
// of the betting or insurance window, the end of a turn or of the pause.
// The room calls Advance at that time.
func (t *Table) Deadline() (time.Time, bool) { return t.deadline, !t.deadline.IsZero() }

// Round is the number of the current or last round (1 for the first).
func (t *Table) Round() int64 { return t.round }

// RoundActive reports whether a round holds stakes that are not settled
// yet: from the first bet to the payouts.
func (t *Table) RoundActive() bool { return t.active }

// Seated returns the seat (1..Seats) of player, if seated.
func (t *Table) Seated(player int64) (int, bool) {
	if i, _ := t.find(player); i >= 0 {
		return i + 1, true
	}
	return 0, false
}

// Payouts are the settled round's credits: one entry per hand and per
// insurance bet of every player in it, losses included with Amount 0. Nil
// while a round is in play, and before the first round.
func (t *Table) Payouts() []Payout {
	if t.active || t.payouts == nil {
		return nil
	}
	return append([]Payout(nil), t.payouts...)
}

// RetiredShoe is the last shoe the table retired: its number, hash and
// whole order, for the room to publish so players can check the shoe they
// played against its hash. A shoe is retired after the round in which its
// cut card came out (or, rarely, when it ran out of cards mid-round; its
// order is then held back until that round has settled). ok is false before
// the first retirement.
func (t *Table) RetiredShoe() (number int, hash string, order []string, ok bool) {
	if t.retired == nil {
		return 0, "", nil, false
	}
	return t.retired.number, t.retired.hash, cardCodes(t.retired.cards), true
}

func (t *Table) find(player int64) (int, *seat) {
	if player == 0 {
		return -1, nil
	}
	for i, s := range t.seats {
		if s != nil && s.player == player {
			return i, s
		}
	}
	return -1, nil
}

func (t *Table) due(now time.Time) bool {
	return !t.deadline.IsZero() && !now.Before(t.deadline)
}

// Cost returns the coins Apply(now, cmd) would take from the player: the bet
// for a bet, the hand's bet for a double or a split, half the bet for
// insurance, 0 for anything else. It checks everything Apply checks and
// returns the error Apply would, so a room can debit the player first and
// then Apply with the same now, which then succeeds.
func (t *Table) Cost(now time.Time, cmd Command) (int64, error) {
	return t.check(now, cmd)
}

func (t *Table) check(now time.Time, cmd Command) (int64, error) {
	if cmd.Player == 0 {
		return 0, fmt.Errorf("%w: no player", ErrInvalid)
	}
	idx, s := t.find(cmd.Player)
	if s == nil && cmd.Kind != CommandSit {
		switch cmd.Kind {
		case CommandLeave, CommandBet, CommandAction, CommandAway, CommandBack:
			return 0, fmt.Errorf("%w: not seated at this table", ErrInvalid)
		}
		return 0, fmt.Errorf("%w: unknown command %q", ErrInvalid, cmd.Kind)
	}
	switch cmd.Kind {
	case CommandSit:
		if s != nil {
			return 0, fmt.Errorf("%w: already seated at seat %d", ErrInvalid, idx+1)
		}
		if cmd.Seat < 0 || cmd.Seat > len(t.seats) {
			return 0, fmt.Errorf("%w: no seat %d at this table (1 to %d)", ErrInvalid, cmd.Seat, len(t.seats))
		}
		if t.freeSeat() < 0 {
			return 0, fmt.Errorf("%w: all %d seats are taken", ErrTableFull, len(t.seats))
		}
		if cmd.Seat > 0 && t.seats[cmd.Seat-1] != nil {
			return 0, fmt.Errorf("%w: seat %d has a player", ErrSeatTaken, cmd.Seat)
		}
		return 0, nil
	case CommandLeave:
		if s.leaving {
			return 0, fmt.Errorf("%w: already leaving after this round", ErrInvalid)
		}
		return 0, nil
	case CommandAway, CommandBack:
		return 0, nil
	case CommandBet:
		if s.leaving {
			return 0, fmt.Errorf("%w: leaving the table", ErrInvalid)
		}
		switch {
		case t.phase == PhaseWaiting:
		case t.phase == PhaseBetting && !t.due(now):
		default:
			return 0, fmt.Errorf("%w: wait for the next round", ErrBettingClosed)
		}
		if s.bet > 0 {
			return 0, fmt.Errorf("%w: already bet %d this round", ErrInvalid, s.bet)
		}
		if cmd.Amount < t.rules.MinBet || cmd.Amount > t.rules.MaxBet {
			return 0, fmt.Errorf("%w: the table takes bets of %d to %d", ErrBetOutOfRange, t.rules.MinBet, t.rules.MaxBet)
		}
		return cmd.Amount, nil
	case CommandAction:
		return t.checkAction(now, idx, s, cmd.Action)
	}
	return 0, fmt.Errorf("%w: unknown command %q", ErrInvalid, cmd.Kind)
}

func (t *Table) checkAction(now time.Time, idx int, s *seat, action string) (int64, error) {
	switch action {
	case ActionInsurance, ActionNoInsurance:
		if t.phase != PhaseInsurance || t.due(now) {
			return 0, fmt.Errorf("%w: insurance is not open", ErrInvalid)
		}
		if !s.insOffered {
			return 0, fmt.Errorf("%w: no insurance for this seat", ErrInvalid)
		}
		if s.insDecided {
			return 0, fmt.Errorf("%w: insurance already decided", ErrInvalid)
		}
		if action == ActionInsurance {
			return s.bet / 2, nil
		}
		return 0, nil
	}
	a, ok := actNamed(action)
	if !ok {
		return 0, fmt.Errorf("%w: unknown action %q", ErrInvalid, action)
	}
	if t.phase != PhasePlaying || t.turnSeat != idx {
		return 0, ErrNotYourTurn
	}
	if t.due(now) {
		return 0, fmt.Errorf("%w: the turn's time is up", ErrNotYourTurn)
	}
	h := s.hands[t.turnHand]
	if legal(&t.rules, h.state(len(s.hands)))&a == 0 {
		return 0, fmt.Errorf("%w: cannot %s this hand now", ErrInvalid, action)
	}
	if a == actDouble || a == actSplit {
		return h.bet, nil
	}
	return 0, nil
}

func (t *Table) freeSeat() int {
	for i, s := range t.seats {
		if s == nil {
			return i
		}
	}
	return -1
}

// Apply runs a command at now and returns what happened. An error changes
// nothing. A command can set off more than itself: the last bet awaited
// closes the betting window and deals, a stand passes the turn and may
// bring the dealer's play and the settlement.
//
// Apply does not run deadlines: the room calls Advance(now) first, and a
// bet or action that arrives once its window's deadline is due is refused.
func (t *Table) Apply(now time.Time, cmd Command) ([]Event, error) {
	if _, err := t.check(now, cmd); err != nil {
		return nil, err
	}
	t.out = nil
	idx, s := t.find(cmd.Player)
	switch cmd.Kind {
	case CommandSit:
		i := cmd.Seat - 1
		if cmd.Seat == 0 {
			i = t.freeSeat()
		}
		t.seats[i] = &seat{player: cmd.Player, name: cmd.Name}
		t.emit(t.seatEvent(EventSit, i))
	case CommandLeave:
		t.leave(now, idx, s)
	case CommandAway:
		if !s.away {
			s.away = true
			t.emit(t.seatEvent(EventAway, idx))
			t.closeEarly(now)
		}
	case CommandBack:
		if s.away && !s.leaving {
			s.away = false
			t.emit(t.seatEvent(EventBack, idx))
		}
	case CommandBet:
		t.bet(now, idx, s, cmd.Amount)
	case CommandAction:
		t.action(now, idx, s, cmd.Action)
	}
	return t.flush(), nil
}

// Advance runs every deadline due at now, in order, each at its own time
// (a betting window that closed at 12:00:15 deals at 12:00:15, and that
// deal's first turn runs out TurnTime later), and returns the events.
func (t *Table) Advance(now time.Time) []Event {
	t.out = nil
	for t.due(now) {
		at := t.deadline
		switch t.phase {
		case PhaseBetting:
			t.closeBetting(at)
		case PhaseInsurance:
			t.closeInsurance(at)
		case PhasePlaying:
			t.timeout(at)
		case PhaseSettled:
			t.toWaiting(at)
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

func (t *Table) seatEvent(kind string, i int) Event {
	s := t.seats[i]
	return Event{Kind: kind, Seat: i + 1, Player: s.player, Name: s.name}
}

func (t *Table) handEvent(kind string, i, j int) Event {
	e := t.seatEvent(kind, i)
	e.Hand = j + 1
	h := t.seats[i].hands[j]
	e.Total, e.Soft = h.totals()
	return e
}

func (t *Table) record(at time.Time, i, j int, action string, amount int64, card Card) {
	a := ActionRecord{At: at, Seat: i + 1, Player: t.seats[i].player, Action: action, Amount: amount}
	if j >= 0 {
		a.Hand = j + 1
	}
	if card != 0 {
		a.Card = card.String()
	}
	t.rec.Actions = append(t.rec.Actions, a)
}

// leave frees the seat, or, while the player has a stake in the round,
// marks it to free after the settlement; the hands play on by their timers.
func (t *Table) leave(now time.Time, i int, s *seat) {
	if t.active && s.bet > 0 {
		s.leaving, s.away = true, true
		e := t.seatEvent(EventLeave, i)
		e.Pending = true
		t.emit(e)
		t.record(now, i, -1, CommandLeave, 0, 0)
		t.closeEarly(now)
		return
	}
	t.emit(t.seatEvent(EventLeave, i))
	t.seats[i] = nil
	t.closeEarly(now)
}

// closeEarly closes the betting or insurance window when no present player
// is left to wait for.
func (t *Table) closeEarly(now time.Time) {
	switch t.phase {
	case PhaseBetting:
		for _, s := range t.seats {
			if s != nil && !s.away && s.bet == 0 {
				return
			}
		}
		t.closeBetting(now)
	case PhaseInsurance:
		for _, s := range t.seats {
			if s != nil && s.insOffered && !s.insDecided && !s.away {
				return
			}
		}
		t.closeInsurance(now)
	}
}

func (t *Table) bet(now time.Time, i int, s *seat, amount int64) {
	if t.phase == PhaseWaiting {
		t.openRound(now)
	}
	s.bet = amount
	e := t.seatEvent(EventBet, i)
	e.Amount = amount
	t.emit(e)
	t.record(now, i, -1, CommandBet, amount, 0)
	t.closeEarly(now)
}

func (t *Table) openRound(now time.Time) {
	t.round++
	t.active = true
	t.payouts = nil
	t.clearRound()
	t.rec = Record{Round: t.round, Rules: t.rules, OpenedAt: now}
	t.phase = PhaseBetting
	t.deadline = now.Add(t.rules.BetTime)
	t.emit(Event{Kind: EventBettingOpen, Round: t.round, Deadline: t.deadline})
}

func (t *Table) clearRound() {
	for _, s := range t.seats {
		if s != nil {
			s.bet, s.ins, s.insOffered, s.insDecided, s.hands = 0, 0, false, false, nil
		}
	}
	t.dealer, t.holeHidden, t.turnSeat, t.turnHand = nil, false, -1, 0
}

// draw takes the next card from the shoe and writes it into the record as
// dealt to seat index i, hand j (or the dealer for i < 0). A shoe that runs
// out mid-round is retired and a new one shuffled on the spot.
func (t *Table) draw(i, j int, hole bool) Card {
	if t.shoe.left() == 0 {
		old := t.shoe
		t.pending = &old
		t.shoe = newShoe(old.number+1, t.rules.Decks, t.rules.Penetration, t.sourceFor(old.number+1))
		t.emit(Event{Kind: EventShuffle, Shoe: t.shoe.number, Hash: t.shoe.hash})
	}
	pos := t.shoe.next
	c := t.shoe.cards[pos]
	t.shoe.next++
	if n := len(t.rec.Shoes); n == 0 || t.rec.Shoes[n-1].Number != t.shoe.number {
		t.rec.Shoes = append(t.rec.Shoes, ShoeRef{Number: t.shoe.number, Hash: t.shoe.hash})
	}
	cr := CardRecord{Card: c.String(), Shoe: t.shoe.number, Position: pos, Dealer: i < 0, Hole: hole}
	if i >= 0 {
		cr.Seat, cr.Hand = i+1, j+1
	}
	t.rec.Cards = append(t.rec.Cards, cr)
	return c
}

// dealTo gives seat index i's hand j a card and announces it as kind.
func (t *Table) dealTo(kind string, i, j int) (Card, Event) {
	c := t.draw(i, j, false)
	h := t.seats[i].hands[j]
	h.cards = append(h.cards, c)
	e := t.handEvent(kind, i, j)
	e.Card = c.String()
	return c, e
}

func (t *Table) dealerTotal() (int, bool) {
	hard, ace := 0, false
	for k, c := range t.dealer {
		if k == 1 && t.holeHidden {
			break
		}
		hard += c.Value()
		ace = ace || c.Value() == 1
	}
	return total(hard, ace)
}

func (t *Table) dealerNatural() bool {
	return len(t.dealer) == 2 && natural(t.dealer[0].Value(), t.dealer[1].Value())
}

func (t *Table) dealerEvent(kind string, c Card) Event {
	e := Event{Kind: kind, Dealer: true, Card: c.String()}
	e.Total, e.Soft = t.dealerTotal()
	return e
}

// closeBetting ends the betting window and deals: a card to every seat
// with a bet in seat order, the dealer's up card, a second card to every
// seat, and with a peek the dealer's hole card.
func (t *Table) closeBetting(at time.Time) {
	t.emit(Event{Kind: EventBettingClosed, Round: t.round})
	t.phase = PhasePlaying
	t.deadline = time.Time{}
	var in []int
	for i, s := range t.seats {
		if s != nil && s.bet > 0 {
			s.hands = []*hand{{bet: s.bet}}
			in = append(in, i)
		}
	}
	for _, i := range in {
		_, e := t.dealTo(EventDeal, i, 0)
		t.emit(e)
	}
	t.dealer = append(t.dealer, t.draw(-1, 0, false))
	t.emit(t.dealerEvent(EventDeal, t.dealer[0]))
	for _, i := range in {
		_, e := t.dealTo(EventDeal, i, 0)
		t.emit(e)
	}
	if t.rules.Peek {
		t.dealer = append(t.dealer, t.draw(-1, 0, true))
		t.holeHidden = true
		t.emit(Event{Kind: EventHole, Dealer: true})
	}
	for _, i := range in {
		h := t.seats[i].hands[0]
		if natural(h.cards[0].Value(), h.cards[1].Value()) {
			h.natural, h.done = true, true
		}
	}
	if t.dealer[0].Value() == 1 && t.rules.Insurance {
		offered := false
		for _, i := range in {
			if s := t.seats[i]; s.bet/2 > 0 {
				s.insOffered = true
				offered = true
			}
		}
		if offered {
			t.phase = PhaseInsurance
			t.deadline = at.Add(t.rules.InsuranceTime)
			t.emit(Event{Kind: EventInsuranceOpen, Deadline: t.deadline})
			t.closeEarly(at)
			return
		}
	}
	t.peek(at)
}

// closeInsurance declines for everyone who has not decided, then peeks.
func (t *Table) closeInsurance(at time.Time) {
	for i, s := range t.seats {
		if s != nil && s.insOffered && !s.insDecided {
			s.insDecided = true
			e := t.seatEvent(EventInsurance, i)
			e.Action = ActionNoInsurance
			t.emit(e)
			t.record(at, i, -1, ActionNoInsurance, 0, 0)
		}
	}
	t.peek(at)
}

// peek checks the hole card under an ace or a ten-value card: a dealer
// blackjack is revealed and settles the round at once. Then play starts.
func (t *Table) peek(at time.Time) {
	t.phase = PhasePlaying
	t.deadline = time.Time{}
	if up := t.dealer[0].Value(); t.rules.Peek && (up == 1 || up == 10) {
		if t.dealerNatural() {
			t.emit(Event{Kind: EventPeek, Dealer: true, Blackjack: true})
			t.reveal()
			t.settle(at)
			return
		}
		t.emit(Event{Kind: EventPeek, Dealer: true})
	}
	t.turnSeat, t.turnHand = 0, 0
	t.nextTurn(at)
}

func (t *Table) reveal() {
	t.holeHidden = false
	t.emit(t.dealerEvent(EventReveal, t.dealer[1]))
}

// nextTurn gives the turn to the first hand from (turnSeat, turnHand) on
// that needs a decision: seats in order, each seat's hands in order, split
// hands after the hand they came from. A split hand gets its second card
// here; a hand with no choice left (21, split aces) finishes on its own.
// When no hand is left, the dealer plays.
func (t *Table) nextTurn(at time.Time) {
	for i := t.turnSeat; i >= 0 && i < len(t.seats); i, t.turnHand = i+1, 0 {
		s := t.seats[i]
		if s == nil || s.bet == 0 {
			continue
		}
		for j := t.turnHand; j < len(s.hands); j++ {
			h := s.hands[j]
			if h.done {
				continue
			}
			if len(h.cards) == 1 {
				_, e := t.dealTo(EventDeal, i, j)
				t.emit(e)
			}
			set := legal(&t.rules, h.state(len(s.hands)))
			if set == actStand {
				h.done = true
				continue
			}
			t.turnSeat, t.turnHand = i, j
			t.deadline = at.Add(t.rules.TurnTime)
			e := t.handEvent(EventTurn, i, j)
			e.Actions, e.Deadline = names(set), t.deadline
			t.emit(e)
			return
		}
	}
	t.turnSeat, t.turnHand = -1, 0
	t.deadline = time.Time{}
	t.dealerPlay(at)
}

// action runs a checked playing or insurance decision.
func (t *Table) action(now time.Time, i int, s *seat, action string) {
	switch action {
	case ActionInsurance, ActionNoInsurance:
		s.insDecided = true
		e := t.seatEvent(EventInsurance, i)
		e.Action = action
		if action == ActionInsurance {
			s.ins = s.bet / 2
			e.Amount = s.ins
		}
		t.emit(e)
		t.record(now, i, -1, action, s.ins, 0)
		t.closeEarly(now)
		return
	}
	j := t.turnHand
	h := s.hands[j]
	switch action {
	case ActionHit:
		c, e := t.dealTo(EventHit, i, j)
		t.emit(e)
		t.record(now, i, j, action, 0, c)
		if tot, _ := h.totals(); tot > 21 {
			t.emit(t.handEvent(EventBust, i, j))
			h.done = true
		} else if tot == 21 {
			h.done = true
		}
		// A hand still in play gets a fresh turn, with fewer choices.
	case ActionStand:
		h.done = true
		t.emit(t.handEvent(EventStand, i, j))
		t.record(now, i, j, action, 0, 0)
	case ActionDouble:
		h.doubled = true
		c, e := t.dealTo(EventDouble, i, j)
		e.Amount = h.bet
		t.emit(e)
		t.record(now, i, j, action, h.bet, c)
		if tot, _ := h.totals(); tot > 21 {
			t.emit(t.handEvent(EventBust, i, j))
		}
		h.done = true
	case ActionSplit:
		second := h.cards[1]
		aces := h.cards[0].Value() == 1
		h.cards = h.cards[:1]
		h.fromSplit, h.splitAces = true, h.splitAces || aces
		s.hands = append(s.hands, &hand{cards: []Card{second}, bet: h.bet, fromSplit: true, splitAces: h.splitAces})
		e := t.seatEvent(EventSplit, i)
		e.Hand, e.NewHand, e.Amount = j+1, len(s.hands), h.bet
		t.emit(e)
		t.record(now, i, j, action, h.bet, 0)
	case ActionSurrender:
		h.surrendered, h.done = true, true
		t.emit(t.handEvent(EventSurrender, i, j))
		t.record(now, i, j, action, 0, 0)
	}
	t.nextTurn(now)
}

// timeout stands the hand whose turn ran out.
func (t *Table) timeout(at time.Time) {
	i, j := t.turnSeat, t.turnHand
	if i < 0 {
		t.deadline = time.Time{}
		return
	}
	t.seats[i].hands[j].done = true
	t.emit(t.handEvent(EventTimeout, i, j))
	t.record(at, i, j, EventTimeout, 0, 0)
	t.nextTurn(at)
}

// dealerPlay turns the hole card over (without a peek: deals the dealer's
// second card), then draws to the rules while any hand still waits on the
// dealer's total, and settles.
func (t *Table) dealerPlay(at time.Time) {
	t.phase = PhasePlaying
	if t.rules.Peek {
		t.reveal()
	} else {
		c := t.draw(-1, 0, false)
		t.dealer = append(t.dealer, c)
		t.emit(t.dealerEvent(EventDealerDraw, c))
	}
	live := false
	for _, s := range t.seats {
		if s == nil {
			continue
		}
		for _, h := range s.hands {
			if tot, _ := h.totals(); !h.natural && !h.surrendered && tot <= 21 {
				live = true
			}
		}
	}
	if live && !t.dealerNatural() {
		for {
			tot, soft := t.dealerTotal()
			if !dealerHits(&t.rules, tot, soft) {
				break
			}
			c := t.draw(-1, 0, false)
			t.dealer = append(t.dealer, c)
			t.emit(t.dealerEvent(EventDealerDraw, c))
		}
		if tot, _ := t.dealerTotal(); tot > 21 {
			t.emit(Event{Kind: EventBust, Dealer: true, Total: tot})
		}
	}
	t.settle(at)
}

// settle pays every hand and insurance bet, ends the round, frees the
// seats of players who left, reshuffles after the cut card and pauses.
func (t *Table) settle(at time.Time) {
	dt, _ := t.dealerTotal()
	d := dealerFinal{total: dt, natural: t.dealerNatural(), bust: dt > 21}
	t.payouts = []Payout{}
	var paid int64
	for i, s := range t.seats {
		if s == nil || s.bet == 0 {
			continue
		}
		for j, h := range s.hands {
			tot, _ := h.totals()
			h.result, h.payout = outcome(&t.rules, finalHand{stake: h.stake(), total: tot, natural: h.natural, surrendered: h.surrendered}, d)
			h.done = true
			e := t.handEvent(EventResult, i, j)
			e.Result, e.Bet, e.Amount = h.result, h.stake(), h.payout
			t.emit(e)
			t.payouts = append(t.payouts, Payout{Player: s.player, Seat: i + 1, Ref: fmt.Sprintf("s%dh%d", i+1, j+1), Stake: h.stake(), Amount: h.payout})
			paid += h.payout
		}
		if s.ins > 0 {
			res, amt := ResultLose, int64(0)
			if d.natural {
				res, amt = ResultWin, 3*s.ins
			}
			e := t.seatEvent(EventResult, i)
			e.Insurance, e.Result, e.Bet, e.Amount = true, res, s.ins, amt
			t.emit(e)
			t.payouts = append(t.payouts, Payout{Player: s.player, Seat: i + 1, Ref: fmt.Sprintf("s%dins", i+1), Stake: s.ins, Amount: amt})
			paid += amt
		}
	}
	t.emit(Event{Kind: EventRoundEnd, Round: t.round, Total: dt, Blackjack: d.natural, Amount: paid})
	t.rec.Seats, t.rec.Dealer = t.seatRecords(), t.dealerRecord()
	t.rec.Payouts = append([]Payout(nil), t.payouts...)
	t.rec.Settled, t.rec.SettledAt = true, at
	t.active = false
	for i, s := range t.seats {
		if s != nil && s.leaving {
			t.emit(t.seatEvent(EventLeave, i))
			t.seats[i] = nil
		}
	}
	switch {
	case t.pending != nil:
		// The shoe ran out mid-round and was replaced: publish the old one
		// now that no card of it is face down. Its successor keeps going
		// even past its cut card, so a round retires at most one shoe.
		t.retired, t.pending = t.pending, nil
	case t.shoe.cutOut():
		old := t.shoe
		t.retired = &old
		t.shoe = newShoe(old.number+1, t.rules.Decks, t.rules.Penetration, t.sourceFor(old.number+1))
		t.emit(Event{Kind: EventShuffle, Shoe: t.shoe.number, Hash: t.shoe.hash})
	}
	t.phase = PhaseSettled
	t.deadline = at.Add(t.rules.PauseTime)
	t.emit(Event{Kind: EventPause, Deadline: t.deadline})
}

// toWaiting ends the pause: the table is cleared for the next round.
func (t *Table) toWaiting(at time.Time) {
	t.phase = PhaseWaiting
	t.deadline = time.Time{}
	t.clearRound()
	t.emit(Event{Kind: EventWaiting})
}
