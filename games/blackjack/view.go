package blackjack

import "time"

// View is the table as one viewer sees it, the snapshot a room sends with
// room.state. Everything in it is public (the same for every viewer) except
// You, which only a seated viewer gets. It never holds the face-down hole
// card or anything about the cards still in the shoe beyond their number.
type View struct {
	Phase    string     `json:"phase"`
	Deadline time.Time  `json:"deadline,omitzero"`
	Round    int64      `json:"round"`
	Rules    Rules      `json:"rules"`
	Seats    []SeatView `json:"seats"`
	Dealer   DealerView `json:"dealer"`
	// TurnSeat and TurnHand say whose turn it is while playing.
	TurnSeat int      `json:"turn_seat,omitzero"`
	TurnHand int      `json:"turn_hand,omitzero"`
	Shoe     ShoeView `json:"shoe"`
	You      *YouView `json:"you,omitempty"`
}

// SeatView is one seat; Name is empty for a free seat.
type SeatView struct {
	Seat      int        `json:"seat"`
	Name      string     `json:"name,omitzero"`
	Away      bool       `json:"away,omitzero"`
	Leaving   bool       `json:"leaving,omitzero"`
	Bet       int64      `json:"bet,omitzero"`
	Insurance int64      `json:"insurance,omitzero"`
	Hands     []HandView `json:"hands,omitempty"`
}

// Hand statuses in a view.
const (
	HandWaiting     = "waiting"     // not played yet
	HandActive      = "active"      // its turn
	HandStood       = "stood"       // finished without busting
	HandBust        = "bust"        //
	HandBlackjack   = "blackjack"   //
	HandSurrendered = "surrendered" //
)

// HandView is one hand on the table.
type HandView struct {
	Cards   []string `json:"cards"`
	Total   int      `json:"total"`
	Soft    bool     `json:"soft,omitzero"`
	Bet     int64    `json:"bet"`
	Stake   int64    `json:"stake"`
	Doubled bool     `json:"doubled,omitzero"`
	Split   bool     `json:"split,omitzero"`
	Status  string   `json:"status"`
	Result  string   `json:"result,omitzero"`
	Payout  int64    `json:"payout,omitzero"`
}

// DealerView is the dealer's face-up cards and their total; Hole says a
// card lies face down next to them.
type DealerView struct {
	Cards     []string `json:"cards"`
	Hole      bool     `json:"hole,omitzero"`
	Total     int      `json:"total,omitzero"`
	Soft      bool     `json:"soft,omitzero"`
	Blackjack bool     `json:"blackjack,omitzero"`
}

// ShoeView is the fairness commitment of the shoe in use: its number and
// the SHA-256 of its order (see ShoeHash), and how many cards are left and
// whether the cut card has come out (this is the shoe's last round).
type ShoeView struct {
	Number     int    `json:"number"`
	Hash       string `json:"hash"`
	CardsLeft  int    `json:"cards_left"`
	CutCardOut bool   `json:"cut_card_out,omitzero"`
}

// YouView is the viewer's own seat and what they may do now: "bet" while a
// bet is open to them, "insurance" and "no_insurance" while they have
// insurance to decide, and their hand's legal actions on their turn.
type YouView struct {
	Seat    int      `json:"seat"`
	Hand    int      `json:"hand,omitzero"`
	Actions []string `json:"actions"`
}

// View returns the table as viewer sees it: viewer 0 (or anyone not
// seated) gets the public view; a seated player also gets You.
func (t *Table) View(viewer int64) View {
	v := View{
		Phase: t.phase, Deadline: t.deadline, Round: t.round, Rules: t.rules,
		Seats: make([]SeatView, len(t.seats)),
		Shoe:  ShoeView{Number: t.shoe.number, Hash: t.shoe.hash, CardsLeft: t.shoe.left(), CutCardOut: t.shoe.cutOut()},
	}
	for i, s := range t.seats {
		sv := SeatView{Seat: i + 1}
		if s != nil {
			sv.Name, sv.Away, sv.Leaving, sv.Bet, sv.Insurance = s.name, s.away, s.leaving, s.bet, s.ins
			for j, h := range s.hands {
				hv := HandView{Cards: cardCodes(h.cards), Bet: h.bet, Stake: h.stake(), Doubled: h.doubled, Split: h.fromSplit,
					Result: h.result, Payout: h.payout}
				hv.Total, hv.Soft = h.totals()
				switch {
				case h.natural:
					hv.Status = HandBlackjack
				case h.surrendered:
					hv.Status = HandSurrendered
				case hv.Total > 21:
					hv.Status = HandBust
				case t.phase == PhasePlaying && t.turnSeat == i && t.turnHand == j:
					hv.Status = HandActive
				case h.done:
					hv.Status = HandStood
				default:
					hv.Status = HandWaiting
				}
				sv.Hands = append(sv.Hands, hv)
			}
		}
		v.Seats[i] = sv
	}
	v.Dealer = DealerView{Cards: []string{}, Hole: t.holeHidden}
	for k, c := range t.dealer {
		if k == 1 && t.holeHidden {
			break
		}
		v.Dealer.Cards = append(v.Dealer.Cards, c.String())
	}
	if len(t.dealer) > 0 {
		v.Dealer.Total, v.Dealer.Soft = t.dealerTotal()
		v.Dealer.Blackjack = !t.holeHidden && t.dealerNatural()
	}
	if t.phase == PhasePlaying && t.turnSeat >= 0 {
		v.TurnSeat, v.TurnHand = t.turnSeat+1, t.turnHand+1
	}
	if i, s := t.find(viewer); s != nil {
		you := &YouView{Seat: i + 1, Actions: []string{}}
		switch {
		case (t.phase == PhaseWaiting || t.phase == PhaseBetting) && s.bet == 0 && !s.leaving:
			you.Actions = append(you.Actions, CommandBet)
		case t.phase == PhaseInsurance && s.insOffered && !s.insDecided:
			you.Actions = append(you.Actions, ActionInsurance, ActionNoInsurance)
		case t.phase == PhasePlaying && t.turnSeat == i:
			you.Hand = t.turnHand + 1
			you.Actions = names(legal(&t.rules, s.hands[t.turnHand].state(len(s.hands))))
		}
		v.You = you
	}
	return v
}
