package blackjack

import (
	"slices"
	"time"
)

// Payout is one credit at a round's settlement: a hand or an insurance bet
// of one player. Amount is everything credited, the returned stake
// included, 0 for a loss; Stake is what the player paid in for it. Ref is
// unique within the round: "s3h1" for seat 3's first hand, "s3h2" for the
// hand split from it, "s3ins" for seat 3's insurance.
type Payout struct {
	Player int64  `json:"player"`
	Seat   int    `json:"seat"`
	Ref    string `json:"ref"`
	Stake  int64  `json:"stake"`
	Amount int64  `json:"amount"`
}

// Record is one round as kept for recall: who sat where and bet what, every
// card in the order it left the shoe with its position there, every action
// with its time, the dealer's hand, each hand's result and the payouts. With
// the hash of each shoe it drew from (Shoes) and that shoe's order once
// retired (Table.RetiredShoe), anyone can check that the cards were the
// shoe's, in the order committed to before the round.
type Record struct {
	Round     int64          `json:"round"`
	Rules     Rules          `json:"rules"`
	OpenedAt  time.Time      `json:"opened_at"`
	SettledAt time.Time      `json:"settled_at,omitzero"`
	Settled   bool           `json:"settled"`
	Shoes     []ShoeRef      `json:"shoes"`
	Seats     []SeatRecord   `json:"seats"`
	Dealer    DealerRecord   `json:"dealer"`
	Cards     []CardRecord   `json:"cards"`
	Actions   []ActionRecord `json:"actions"`
	Payouts   []Payout       `json:"payouts"`
}

// ShoeRef names a shoe by its number at the table and its hash.
type ShoeRef struct {
	Number int    `json:"number"`
	Hash   string `json:"hash"`
}

// SeatRecord is one seat's part in a round.
type SeatRecord struct {
	Seat      int          `json:"seat"`
	Player    int64        `json:"player"`
	Name      string       `json:"name"`
	Bet       int64        `json:"bet"`
	Insurance int64        `json:"insurance,omitzero"`
	Hands     []HandRecord `json:"hands"`
}

// HandRecord is one hand: its cards, stake and how it ended.
type HandRecord struct {
	Hand        int      `json:"hand"`
	Cards       []string `json:"cards"`
	Total       int      `json:"total"`
	Bet         int64    `json:"bet"`
	Stake       int64    `json:"stake"`
	Doubled     bool     `json:"doubled,omitzero"`
	Split       bool     `json:"split,omitzero"`
	Surrendered bool     `json:"surrendered,omitzero"`
	Result      string   `json:"result,omitzero"`
	Payout      int64    `json:"payout"`
}

// DealerRecord is the dealer's hand; its cards exclude a hole card still
// face down.
type DealerRecord struct {
	Cards     []string `json:"cards"`
	Total     int      `json:"total"`
	Blackjack bool     `json:"blackjack,omitzero"`
	Bust      bool     `json:"bust,omitzero"`
}

// CardRecord is one card as it left the shoe: the shoe's number and the
// card's position in it (0 is the top), and the seat and hand (or the
// dealer) it was dealt to; a split then moves a hand's second card to the
// new hand, as the seats' HandRecords show. Hole marks the dealer's
// face-down card; its Card is empty while it is face down.
type CardRecord struct {
	Card     string `json:"card"`
	Shoe     int    `json:"shoe"`
	Position int    `json:"position"`
	Seat     int    `json:"seat,omitzero"`
	Hand     int    `json:"hand,omitzero"`
	Dealer   bool   `json:"dealer,omitzero"`
	Hole     bool   `json:"hole,omitzero"`
}

// ActionRecord is one thing a player did, or that a timer did for them: a
// bet, an insurance decision, hit, stand, double, split, surrender,
// timeout, leave. Card is the card a hit or double drew.
type ActionRecord struct {
	At     time.Time `json:"at"`
	Seat   int       `json:"seat"`
	Hand   int       `json:"hand,omitzero"`
	Player int64     `json:"player"`
	Action string    `json:"action"`
	Amount int64     `json:"amount,omitzero"`
	Card   string    `json:"card,omitzero"`
}

// Record returns the current round's record, or the last one's between
// rounds. While the round is in play it holds what has happened so far,
// without the face-down hole card; once settled it is complete.
func (t *Table) Record() Record {
	r := t.rec
	r.Shoes = slices.Clone(r.Shoes)
	r.Cards = slices.Clone(r.Cards)
	r.Actions = slices.Clone(r.Actions)
	if t.active {
		r.Seats, r.Dealer = t.seatRecords(), t.dealerRecord()
		r.Payouts = nil
		if t.holeHidden {
			for k := range r.Cards {
				if r.Cards[k].Hole {
					r.Cards[k].Card = ""
				}
			}
		}
		return r
	}
	r.Seats = slices.Clone(r.Seats)
	for k := range r.Seats {
		r.Seats[k].Hands = slices.Clone(r.Seats[k].Hands)
	}
	r.Payouts = slices.Clone(r.Payouts)
	return r
}

func (t *Table) seatRecords() []SeatRecord {
	out := []SeatRecord{}
	for i, s := range t.seats {
		if s == nil || s.bet == 0 {
			continue
		}
		sr := SeatRecord{Seat: i + 1, Player: s.player, Name: s.name, Bet: s.bet, Insurance: s.ins, Hands: []HandRecord{}}
		for j, h := range s.hands {
			tot, _ := h.totals()
			sr.Hands = append(sr.Hands, HandRecord{
				Hand: j + 1, Cards: cardCodes(h.cards), Total: tot, Bet: h.bet, Stake: h.stake(),
				Doubled: h.doubled, Split: h.fromSplit, Surrendered: h.surrendered, Result: h.result, Payout: h.payout,
			})
		}
		out = append(out, sr)
	}
	return out
}

func (t *Table) dealerRecord() DealerRecord {
	d := DealerRecord{Cards: []string{}}
	for k, c := range t.dealer {
		if k == 1 && t.holeHidden {
			break
		}
		d.Cards = append(d.Cards, c.String())
	}
	d.Total, _ = t.dealerTotal()
	d.Blackjack = !t.holeHidden && t.dealerNatural()
	d.Bust = d.Total > 21
	return d
}
