package store

import (
	"context"
	"time"

	"github.com/imperio-casino/imperio"
)

// SetFault makes the store call fault at each step of a settlement ("debited",
// "round", "ledger", "players", then "commit" before any commit; stakes,
// round settlements and voids have steps of their own, such as "stake" and
// "credit"; TakeNonce has "nonce"); an error it returns aborts the
// transaction at that point. Tests only.
func SetFault(s *Store, fault func(ctx context.Context, step string) error) {
	s.fault = fault
}

// ExecSQL runs a statement on the write pool, outside any transaction: tests
// use it to break the database on purpose and see CheckLedger notice.
func ExecSQL(s *Store, query string, args ...any) error {
	return s.wdb.Exec(query, args...).Error
}

// RoundOutcome reads a round's outcome, whoever played in it.
func RoundOutcome(s *Store, roundID string) (string, error) {
	var out []byte
	err := s.rdb.Raw(`SELECT outcome FROM rounds WHERE id = ?`, roundID).Row().Scan(&out)
	return string(out), err
}

// QueryInt runs a query that answers one integer, on the write pool.
func QueryInt(s *Store, query string, args ...any) (int64, error) {
	var n int64
	err := s.wdb.Raw(query, args...).Row().Scan(&n)
	return n, err
}

// SetClock makes the store read the time from now. Tests only, before use.
func SetClock(s *Store, now func() time.Time) {
	s.now = func() time.Time { return now().UTC().Truncate(time.Microsecond) }
}

// QueryString runs a query that answers one string, on the write pool.
func QueryString(s *Store, query string, args ...any) (string, error) {
	var v string
	err := s.wdb.Raw(query, args...).Row().Scan(&v)
	return v, err
}

// SetOnGroup makes the store call f with the size of every group of spins
// settled in one transaction, and whether it fell back to settling each
// spin alone. Tests only.
func SetOnGroup(s *Store, f func(n int, alone bool)) { s.onGroup = f }

// PendingSpins counts the spins waiting for the next group commit.
func PendingSpins(s *Store) int { return pendingCalls(&s.spins) }

// SpinLeading reports whether a caller is settling spin groups.
func SpinLeading(s *Store) bool { return groupLeading(&s.spins) }

func pendingCalls[Req, Res any](g *commitGroup[Req, Res]) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, c := range g.pending {
		if c.state == callPending {
			n++
		}
	}
	return n
}

func groupLeading[Req, Res any](g *commitGroup[Req, Res]) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.leaders > 0
}

// SettleSpinAlone settles a spin in a transaction of its own, as every spin
// was before group commit: benchmarks compare the two.
func SettleSpinAlone(s *Store, ctx context.Context, sp imperio.Spin) (imperio.SpinReceipt, error) {
	return s.settleSpinAlone(ctx, sp)
}

// SetSpinLeaders sets how many groups of spins may be settled at once.
func SetSpinLeaders(s *Store, n int) { s.spins.limit = n }

// PendingStakes counts the table stakes waiting for the next group commit.
func PendingStakes(s *Store) int { return pendingCalls(&s.stakes) }

// StakeLeading reports whether a caller is committing stake groups.
func StakeLeading(s *Store) bool { return groupLeading(&s.stakes) }

// SetStakeLeaders sets how many groups of stakes may be committed at once.
func SetStakeLeaders(s *Store, n int) { s.stakes.limit = n }

// StakeAlone takes a stake in a transaction of its own, as every stake was
// before group commit: benchmarks compare the two.
func StakeAlone(s *Store, ctx context.Context, st imperio.Stake) (int64, bool, error) {
	return s.stakeAlone(ctx, st)
}
