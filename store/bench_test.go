package store_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/store"
	"github.com/imperio-casino/imperio/store/storetest"
)

// BenchmarkSettleSpin measures one settlement (a loss or a win, alternately):
// "serial" on one account, one spin after another; "parallel" from
// GOMAXPROCS*8 goroutines, each on its own account, as many rooms do;
// "parallel-N" from N goroutines. Concurrent settlements share commits
// (group commit); the "alone" variants settle each spin in a transaction of
// its own, as before group commit, for comparison in the same run.
func BenchmarkSettleSpin(b *testing.B) {
	type settleFunc func(s *store.Store, ctx context.Context, sp imperio.Spin) (imperio.SpinReceipt, error)
	grouped := func(s *store.Store, ctx context.Context, sp imperio.Spin) (imperio.SpinReceipt, error) {
		return s.SettleSpin(ctx, sp)
	}
	parallel := func(s *store.Store, users *atomic.Int64, goroutines int, settle settleFunc) func(b *testing.B) {
		return playersInParallel(s, users, max(1, goroutines/runtime.GOMAXPROCS(0)), func(ctx context.Context, u imperio.User, i int) error {
			_, err := settle(s, ctx, newSpin(u.ID, fmt.Sprint(i), 10, int64(i%2)*20))
			return err
		})
	}
	for _, be := range storetest.Backends(b) {
		b.Run(be.Name, func(b *testing.B) {
			s := be.Open(b)
			var users atomic.Int64
			for _, n := range []int{16, 64, 256} {
				b.Run(fmt.Sprint("parallel-", n), parallel(s, &users, n, grouped))
				b.Run(fmt.Sprint("parallel-", n, "-alone"), parallel(s, &users, n, store.SettleSpinAlone))
			}
		})
	}
}

// BenchmarkSettleSpinOne is BenchmarkSettleSpin's original shape, kept so
// that its figures compare with those recorded before group commit.
func BenchmarkSettleSpinOne(b *testing.B) {
	for _, be := range storetest.Backends(b) {
		b.Run(be.Name, func(b *testing.B) {
			s := be.Open(b)
			var users atomic.Int64
			b.Run("serial", func(b *testing.B) {
				u := newUser(b, s, fmt.Sprint("serial", users.Add(1)), 1<<40)
				i := 0
				for b.Loop() {
					i++
					if _, err := s.SettleSpin(b.Context(), newSpin(u.ID, fmt.Sprint(i), 10, int64(i%2)*20)); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("parallel", playersInParallel(s, &users, 8, func(ctx context.Context, u imperio.User, i int) error {
				_, err := s.SettleSpin(ctx, newSpin(u.ID, fmt.Sprint(i), 10, int64(i%2)*20))
				return err
			}))
		})
	}
}

// BenchmarkStake measures one stake into an open table round: "serial" by one
// player, "parallel" by GOMAXPROCS*8 players into the same round at once, as
// a busy roulette table's betting window does.
func BenchmarkStake(b *testing.B) {
	for _, be := range storetest.Backends(b) {
		b.Run(be.Name, func(b *testing.B) {
			s := be.Open(b)
			var users atomic.Int64
			round := imperio.TableRound{ID: imperio.NewID(), Game: "roulette", Room: "roulette:bench"}
			if err := s.OpenRound(b.Context(), round); err != nil {
				b.Fatal(err)
			}
			b.Run("serial", func(b *testing.B) {
				u := newUser(b, s, fmt.Sprint("serial", users.Add(1)), 1<<40)
				i := 0
				for b.Loop() {
					i++
					if _, _, err := s.Stake(b.Context(), imperio.Stake{RoundID: round.ID, UserID: u.ID, Key: fmt.Sprint(i), Amount: 10}); err != nil {
						b.Fatal(err)
					}
				}
			})
			// Grouped (Stake: the stakes in flight share commits) and, for
			// comparison, each in a transaction of its own as before.
			for _, mode := range []string{"grouped", "alone"} {
				stake := s.Stake
				if mode == "alone" {
					stake = func(ctx context.Context, st imperio.Stake) (int64, bool, error) { return store.StakeAlone(s, ctx, st) }
				}
				b.Run("parallel-"+mode, playersInParallel(s, &users, 8, func(ctx context.Context, u imperio.User, i int) error {
					_, _, err := stake(ctx, imperio.Stake{RoundID: round.ID, UserID: u.ID, Key: fmt.Sprint(i), Amount: 10})
					return err
				}))
			}
		})
	}
}

// playersInParallel is a benchmark of op run by GOMAXPROCS*parallelism
// goroutines, each a player of its own making its i-th bet.
func playersInParallel(s *store.Store, users *atomic.Int64, parallelism int, op func(ctx context.Context, u imperio.User, i int) error) func(*testing.B) {
	return func(b *testing.B) {
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) {
			u := newUser(b, s, fmt.Sprint("parallel", users.Add(1)), 1<<40)
			i := 0
			for pb.Next() {
				i++
				if err := op(b.Context(), u, i); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
}
