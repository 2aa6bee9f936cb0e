package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/store"
	"github.com/imperio-casino/imperio/store/storetest"
)

// failKey marks the context of a stake that the injected fault fails.
type failKey struct{}

// holdStakeLead takes one stake of its own and keeps it (and with it the
// lead of the stake group) at its commit until want stakes wait in the
// queue, so that those stakes share the next commit.
func holdStakeLead(t *testing.T, s *store.Store, round string, want int, fail func(ctx context.Context, step string) error) (wait func()) {
	t.Helper()
	return holdGroupLead(t, s, groupHold{
		what: "stakes", holder: "StakeHolder", step: "commit",
		leaders: store.SetStakeLeaders, pending: store.PendingStakes, leading: store.StakeLeading,
		call: func(ctx context.Context, holder imperio.User) error {
			_, _, err := s.Stake(ctx, imperio.Stake{RoundID: round, UserID: holder.ID, Key: "hold", Amount: 10})
			return err
		},
	}, want, fail)
}

// TestStakeGroupCommit takes, in one group commit, good stakes of players at
// two tables beside every kind of refusal, and checks each answer, every
// balance and the ledger.
func TestStakeGroupCommit(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			ctx := t.Context()
			open := func(id, game string) {
				if err := s.OpenRound(ctx, imperio.TableRound{ID: id, Game: game, Room: game + ":" + id}); err != nil {
					t.Fatal(err)
				}
			}
			r1, r2, closed := imperio.NewID(), imperio.NewID(), imperio.NewID()
			open(r1, "blackjack")
			open(r2, "roulette")
			open(closed, "blackjack")
			if _, err := s.SettleRound(ctx, imperio.RoundSettlement{RoundID: closed, Outcome: []byte(`{}`)}); err != nil {
				t.Fatal(err)
			}

			replayer := newUser(t, s, "Replayer", 100)
			if _, _, err := s.Stake(ctx, imperio.Stake{RoundID: r1, UserID: replayer.ID, Key: "k1", Amount: 10}); err != nil {
				t.Fatal(err)
			}
			otherKey := newUser(t, s, "OtherKey", 100)
			if _, _, err := s.Stake(ctx, imperio.Stake{RoundID: r1, UserID: otherKey.ID, Key: "used", Amount: 5}); err != nil {
				t.Fatal(err)
			}
			excluded := newUser(t, s, "Excluded", 100)
			if _, err := s.SelfExclude(ctx, excluded.ID, 1); err != nil {
				t.Fatal(err)
			}
			limited := newUser(t, s, "Limited", 100)
			if _, err := s.SetLossLimit(ctx, limited.ID, 15); err != nil {
				t.Fatal(err)
			}
			limitedOK := newUser(t, s, "LimitedOK", 100)
			if _, err := s.SetLossLimit(ctx, limitedOK.ID, 50); err != nil {
				t.Fatal(err)
			}

			type want struct {
				coins    int64
				replayed bool
				code     string
			}
			type call struct {
				st   imperio.Stake
				want want
			}
			calls := []call{
				{imperio.Stake{RoundID: r1, UserID: newUser(t, s, "Good1", 100).ID, Key: "a", Amount: 10}, want{coins: 90}},
				{imperio.Stake{RoundID: r2, UserID: newUser(t, s, "Good2", 100).ID, Key: "a", Amount: 25, Game: "roulette"}, want{coins: 75}},
				{imperio.Stake{RoundID: r2, UserID: newUser(t, s, "AllIn", 40).ID, Key: "a", Amount: 40}, want{coins: 0}},
				{imperio.Stake{RoundID: r1, UserID: replayer.ID, Key: "k1", Amount: 10}, want{coins: 90, replayed: true}},
				{imperio.Stake{RoundID: r1, UserID: otherKey.ID, Key: "used", Amount: 7}, want{code: imperio.EConflict}},
				{imperio.Stake{RoundID: r1, UserID: newUser(t, s, "Short", 5).ID, Key: "a", Amount: 10}, want{code: imperio.EInsufficientFunds}},
				{imperio.Stake{RoundID: closed, UserID: newUser(t, s, "Late", 100).ID, Key: "a", Amount: 10}, want{code: imperio.EBettingClosed}},
				{imperio.Stake{RoundID: r1, UserID: newUser(t, s, "WrongGame", 100).ID, Key: "a", Amount: 10, Game: "roulette"}, want{code: imperio.EInvalidInput}},
				{imperio.Stake{RoundID: imperio.NewID(), UserID: newUser(t, s, "NoRound", 100).ID, Key: "a", Amount: 10}, want{code: imperio.ENotFound}},
				{imperio.Stake{RoundID: r1, UserID: excluded.ID, Key: "a", Amount: 10}, want{code: imperio.EForbidden}},
				{imperio.Stake{RoundID: r1, UserID: limited.ID, Key: "a", Amount: 20}, want{code: imperio.ELossLimit}},
				{imperio.Stake{RoundID: r2, UserID: limitedOK.ID, Key: "a", Amount: 20}, want{coins: 80}},
			}

			var (
				mu       sync.Mutex
				sizes    []int
				fellBack bool
			)
			store.SetOnGroup(s, func(n int, alone bool) {
				mu.Lock()
				sizes = append(sizes, n)
				fellBack = fellBack || alone
				mu.Unlock()
			})
			defer store.SetOnGroup(s, nil)
			wait := holdStakeLead(t, s, r1, len(calls), nil)
			type got struct {
				coins    int64
				replayed bool
				err      error
			}
			results := make([]got, len(calls))
			var wg sync.WaitGroup
			for i, c := range calls {
				wg.Go(func() {
					coins, replayed, err := s.Stake(ctx, c.st)
					results[i] = got{coins, replayed, err}
				})
			}
			wg.Wait()
			wait()

			mu.Lock()
			t.Logf("stake groups: %v", sizes)
			if len(sizes) == 0 || sizes[len(sizes)-1] != len(calls) || fellBack {
				t.Errorf("groups %v (fell back %v), want the %d stakes in one group", sizes, fellBack, len(calls))
			}
			mu.Unlock()
			for i, c := range calls {
				r := results[i]
				if code := imperio.ErrorCode(r.err); code != c.want.code {
					t.Errorf("stake %d (user %d, round %s): error %v, want code %q", i, c.st.UserID, c.st.RoundID, r.err, c.want.code)
					continue
				}
				if c.want.code == "" && (r.coins != c.want.coins || r.replayed != c.want.replayed) {
					t.Errorf("stake %d: coins %d replayed %v, want %d %v", i, r.coins, r.replayed, c.want.coins, c.want.replayed)
				}
				coins, err := s.Balance(ctx, c.st.UserID)
				if err != nil {
					t.Fatal(err)
				}
				if c.want.code == "" && coins != c.want.coins {
					t.Errorf("stake %d: balance %d, want %d", i, coins, c.want.coins)
				}
			}

			// A failure of one stake that is not a refusal rolls the group
			// back; each stake is then taken alone and the failure stays its
			// own.
			sizes, fellBack = nil, false
			var good []imperio.Stake
			for _, n := range []string{"Fb1", "Fb2", "Fb3"} {
				good = append(good, imperio.Stake{RoundID: r2, UserID: newUser(t, s, n, 100).ID, Key: "fb", Amount: 30})
			}
			bad := imperio.Stake{RoundID: r2, UserID: newUser(t, s, "FbBad", 100).ID, Key: "fb", Amount: 30}
			wait = holdStakeLead(t, s, r2, 4, func(ctx context.Context, step string) error {
				// "stake" on PostgreSQL, "debited" on SQLite: in the group
				// and alone.
				if (step == "stake" || step == "debited") && ctx.Value(failKey{}) != nil {
					return errors.New("injected")
				}
				return nil
			})
			var badErr error
			goodErrs := make([]error, len(good))
			wg.Go(func() {
				_, _, badErr = s.Stake(context.WithValue(ctx, failKey{}, true), bad)
			})
			for i, st := range good {
				wg.Go(func() { _, _, goodErrs[i] = s.Stake(ctx, st) })
			}
			wg.Wait()
			wait()
			if !fellBack {
				t.Errorf("groups %v: the failing stake did not send the group back to stakes alone", sizes)
			}
			if badErr == nil {
				t.Error("the failing stake succeeded")
			}
			for i, err := range goodErrs {
				if err != nil {
					t.Errorf("good stake %d after the fallback: %v", i, err)
				}
			}
			if coins, _ := s.Balance(ctx, bad.UserID); coins != 100 {
				t.Errorf("the failed stake's player has %d, want 100 (nothing taken)", coins)
			}

			// Both rounds settle with what the group staked in them.
			for _, id := range []string{r1, r2} {
				if _, err := s.SettleRound(ctx, imperio.RoundSettlement{RoundID: id, Outcome: []byte(`{}`)}); err != nil {
					t.Fatalf("settle %s: %v", id, err)
				}
			}
			checkLedger(t, s)
		})
	}
}
