package crash

import (
	"slices"
	"time"
)

// Payout is one credit at a round's settlement: one per bet. Amount is
// everything credited, the stake included, 0 for a bet that rode into the
// crash; Stake is what the player paid in. Ref is unique within the round:
// "b3" for its third bet. Seat is always 0 (a crash table has no seats);
// it is there so that a payout reads like every table's.
type Payout struct {
	Player int64  `json:"player"`
	Seat   int    `json:"seat,omitzero"`
	Ref    string `json:"ref"`
	Stake  int64  `json:"stake"`
	Amount int64  `json:"amount"`
}

// Record is one round as kept for recall. With the revealed hash, the
// chain's terminating hash and the index, anyone can check the crash point:
// Verify(Hash, Terminating, Index) reaches it in Index steps, and
// min(CrashPoint(Hash), Rules.MaxMultiplier) is CrashPoint. Every cash-out
// is kept with its time, its millisecond of the round and its multiplier.
//
// While the round is in play the record holds what has happened so far and
// neither the hash nor the crash point.
type Record struct {
	Round       int64       `json:"round"`
	Rules       Rules       `json:"rules"`
	Index       int         `json:"index"`
	Terminating string      `json:"terminating"`
	Hash        string      `json:"hash,omitzero"`
	CrashPoint  int64       `json:"crash_point,omitzero"`
	Forced      bool        `json:"forced,omitzero"` // the crash point was set by NewTableWithCrashPoints, not by the hash
	OpenedAt    time.Time   `json:"opened_at"`
	StartedAt   time.Time   `json:"started_at,omitzero"`
	CrashedAt   time.Time   `json:"crashed_at,omitzero"`
	CrashMs     int64       `json:"crash_ms,omitzero"` // ReachedAt(CrashPoint)
	Settled     bool        `json:"settled"`
	Bets        []BetRecord `json:"bets"`
	Payouts     []Payout    `json:"payouts"`
}

// BetRecord is one bet: when it was placed, its auto cash-out target, and
// how it ended. A cashed-out bet has CashoutAt, Elapsed (ms of the round),
// Multiplier and Auto; Payout is what it is credited (0: it lost).
type BetRecord struct {
	Ref         string    `json:"ref"`
	Player      int64     `json:"player"`
	Name        string    `json:"name"`
	At          time.Time `json:"at"`
	Amount      int64     `json:"amount"`
	AutoCashout int64     `json:"auto_cashout,omitzero"`
	CashedOut   bool      `json:"cashed_out,omitzero"`
	CashoutAt   time.Time `json:"cashout_at,omitzero"`
	Elapsed     int64     `json:"elapsed,omitzero"`
	Multiplier  int64     `json:"multiplier,omitzero"`
	Auto        bool      `json:"auto,omitzero"`
	Payout      int64     `json:"payout"`
}

// Record returns the current round's record, or the last one's between
// rounds. Before the first round it is empty (Round 0).
func (t *Table) Record() Record {
	r := t.rec
	if t.active {
		r.Bets, r.Payouts = t.betRecords(), nil
		return r
	}
	r.Bets = slices.Clone(r.Bets)
	if r.Bets == nil {
		r.Bets = []BetRecord{}
	}
	r.Payouts = slices.Clone(r.Payouts)
	return r
}

func (t *Table) betRecords() []BetRecord {
	out := make([]BetRecord, 0, len(t.bets))
	for _, b := range t.bets {
		out = append(out, BetRecord{
			Ref: b.ref(), Player: b.player, Name: b.name, At: b.at, Amount: b.amount, AutoCashout: b.auto,
			CashedOut: b.cashed, CashoutAt: b.cashAt, Elapsed: b.cashMs, Multiplier: b.mult, Auto: b.byAuto, Payout: b.payout,
		})
	}
	return out
}
