package roulette

import (
	"slices"
	"time"
)

// Payout is one credit at a round's settlement: one bet of one player.
// Amount is everything credited, the returned stake included, 0 for a
// loss; Stake is what the player paid in for it. Ref is unique within the
// round: "p42b3" is player 42's third bet of the round. Seat is always 0
// (a roulette table has no seats); it is there so a payout reads like
// blackjack's.
type Payout struct {
	Player int64  `json:"player"`
	Seat   int    `json:"seat,omitzero"`
	Ref    string `json:"ref"`
	Stake  int64  `json:"stake"`
	Amount int64  `json:"amount"`
}

// Record is one round as kept for recall: each player's bets with the time
// each was placed, the number and its color, what each bet paid, the
// round's times and the fairness data. Draw says which draw from the
// table's source gave the number: the table makes exactly one Spin per
// round, so with a verifiable source (a seeded stream) anyone can recompute
// the number from the Draw-th fair.Intn(src, 37). Draw is 0 for a number
// forced by NewTableWithResults.
type Record struct {
	Round     int64     `json:"round"`
	Rules     Rules     `json:"rules"`
	OpenedAt  time.Time `json:"opened_at"`
	ClosedAt  time.Time `json:"closed_at,omitzero"` // no more bets
	SettledAt time.Time `json:"settled_at,omitzero"`
	Settled   bool      `json:"settled"`
	// Number is nil until the result.
	Number  *int           `json:"number,omitempty"`
	Color   string         `json:"color,omitzero"`
	Draw    int64          `json:"draw,omitzero"`
	Players []PlayerRecord `json:"players"`
	Payouts []Payout       `json:"payouts"`
}

// PlayerRecord is one player's part in a round: their bets in the order
// placed, what they staked and what they were credited in all.
type PlayerRecord struct {
	Player int64       `json:"player"`
	Name   string      `json:"name"`
	Bets   []BetRecord `json:"bets"`
	Stake  int64       `json:"stake"`
	Payout int64       `json:"payout"`
}

// BetRecord is one bet as placed (numbers sorted) and what it paid.
type BetRecord struct {
	Ref     string    `json:"ref"`
	Kind    string    `json:"kind"`
	Numbers []int     `json:"numbers,omitempty"`
	Amount  int64     `json:"amount"`
	At      time.Time `json:"at"`
	Payout  int64     `json:"payout"`
}

// Record returns the current round's record, or the last one's between
// rounds. While the round is in play it holds the bets so far, no number
// and no payouts; once settled it is complete. Before the first round it is
// empty, with round 0.
func (t *Table) Record() Record {
	r := t.rec
	if t.active {
		r.Players = t.playerRecords()
		r.Payouts = nil
		return r
	}
	r.Players = append([]PlayerRecord{}, r.Players...)
	for i := range r.Players {
		r.Players[i].Bets = slices.Clone(r.Players[i].Bets)
		for j := range r.Players[i].Bets {
			r.Players[i].Bets[j].Numbers = slices.Clone(r.Players[i].Bets[j].Numbers)
		}
	}
	if r.Number != nil {
		n := *r.Number
		r.Number = &n
	}
	r.Payouts = slices.Clone(r.Payouts)
	return r
}

func (t *Table) playerRecords() []PlayerRecord {
	out := make([]PlayerRecord, 0, len(t.players))
	for _, p := range t.players {
		pr := PlayerRecord{Player: p.id, Name: p.name, Bets: make([]BetRecord, len(p.bets)), Stake: p.total, Payout: p.won}
		for i, b := range p.bets {
			pr.Bets[i] = BetRecord{Ref: b.ref, Kind: b.bet.Kind, Numbers: slices.Clone(b.bet.Numbers), Amount: b.bet.Amount, At: b.at, Payout: b.payout}
		}
		out = append(out, pr)
	}
	return out
}
