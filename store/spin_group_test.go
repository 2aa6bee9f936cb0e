package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/store"
	"github.com/imperio-casino/imperio/store/storetest"
)

// blockerKey marks the context of the spin that holds the lead while a test
// queues the spins of the next group.
type blockerKey struct{}

// holdLead settles one spin of its own and keeps its settlement (and with
// it the lead of the spin group) at its first step until want spins wait in
// the queue, so that those spins share the next commit. fail, when not nil,
// is what the fault returns at any other step.
func holdLead(t *testing.T, s *store.Store, want int, fail func(ctx context.Context, step string) error) (wait func()) {
	t.Helper()
	return holdGroupLead(t, s, groupHold{
		what: "spins", holder: "Holder", leaders: store.SetSpinLeaders, pending: store.PendingSpins, leading: store.SpinLeading,
		call: func(ctx context.Context, holder imperio.User) error {
			_, err := s.SettleSpin(ctx, newSpin(holder.ID, "hold", 10, 0))
			return err
		},
	}, want, fail)
}

// groupHold is how a test holds the lead of one of the store's commit
// groups: the holder's own call, made with blockerKey in its context, waits
// at step (any step when "") until want calls are queued behind it.
type groupHold struct {
	what, holder, step string
	leaders            func(*store.Store, int)
	pending            func(*store.Store) int
	leading            func(*store.Store) bool
	call               func(ctx context.Context, holder imperio.User) error
}

func holdGroupLead(t *testing.T, s *store.Store, g groupHold, want int, fail func(ctx context.Context, step string) error) (wait func()) {
	t.Helper()
	g.leaders(s, 1) // the holder's is the only group in flight
	holder := newUser(t, s, fmt.Sprint(g.holder, want), 100)
	released := make(chan struct{})
	store.SetFault(s, func(ctx context.Context, step string) error {
		if ctx.Value(blockerKey{}) == nil {
			if fail != nil {
				return fail(ctx, step)
			}
			return nil
		}
		if g.step != "" && step != g.step {
			return nil
		}
		select {
		case <-released:
			return nil
		default:
		}
		deadline := time.Now().Add(10 * time.Second)
		for g.pending(s) < want {
			if time.Now().After(deadline) {
				t.Errorf("only %d %s queued behind the held commit, want %d", g.pending(s), g.what, want)
				break
			}
			time.Sleep(time.Millisecond)
		}
		close(released)
		return nil
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		ctx := context.WithValue(t.Context(), blockerKey{}, true)
		if err := g.call(ctx, holder); err != nil {
			t.Errorf("holding %s: %v", g.what, err)
		}
	}()
	// The holder must lead before the others queue.
	for g.pending(s) != 0 || !g.leading(s) {
		time.Sleep(time.Millisecond)
	}
	return func() { <-done; store.SetFault(s, nil) }
}

func TestSpinGroupCommit(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Run("MixedGroup", func(t *testing.T) { testMixedGroup(t, b, false) })
			t.Run("MixedGroupWithConflicts", func(t *testing.T) { testMixedGroup(t, b, true) })
			t.Run("FailedCommitFailsEverySpin", func(t *testing.T) { testFailedGroupCommit(t, b) })
		})
	}
}

// testMixedGroup settles, in one group, good spins of several players, a
// retry of one of them, spins the balance does not cover and a spin of an
// unknown user: each gets its own answer, as it would alone, in one commit.
// With conflicts, the group also holds a replay of a spin settled before
// and a spin reusing a round id, whose unique violations roll the group
// back: every spin is then settled alone, with the same answers.
func testMixedGroup(t *testing.T, b storetest.Backend, conflicts bool) {
	s := b.Open(t)
	rich := make([]imperio.User, 20)
	for i := range rich {
		rich[i] = newUser(t, s, fmt.Sprint("Rich", i), 1000)
	}
	again := newUser(t, s, "Again", 1000)
	poor := newUser(t, s, "Poor", 15) // one spin of 10, not two
	broke := newUser(t, s, "Broke", 5)
	early := newUser(t, s, "Early", 1000)
	earlier := newSpin(early.ID, "earlier", 10, 30)
	first, err := s.SettleSpin(t.Context(), earlier)
	if err != nil {
		t.Fatal(err)
	}

	type call struct {
		name string
		sp   imperio.Spin
		want string // error code, "" for a settlement
	}
	var calls []call
	for i := range 20 {
		calls = append(calls, call{fmt.Sprint("rich", i), newSpin(rich[i].ID, fmt.Sprint("r", i), 10, int64(i%3)*10), ""})
	}
	twice := newSpin(again.ID, "twice", 10, 40)
	calls = append(calls,
		call{"twice", twice, ""}, call{"twice-again", twice, ""},
		call{"poor1", newSpin(poor.ID, "p1", 10, 0), "?"}, call{"poor2", newSpin(poor.ID, "p2", 10, 0), "?"},
		call{"broke", newSpin(broke.ID, "b1", 10, 0), imperio.EInsufficientFunds},
		call{"nobody", newSpin(broke.ID+1000, "n1", 10, 0), imperio.ENotFound},
	)
	// The players' own limits refuse in the group as alone.
	excluded := newUser(t, s, "Excluded", 1000)
	if _, err := s.SelfExclude(t.Context(), excluded.ID, 1); err != nil {
		t.Fatal(err)
	}
	limited := newUser(t, s, "Limited", 1000)
	if _, err := s.SetLossLimit(t.Context(), limited.ID, 5); err != nil {
		t.Fatal(err)
	}
	calls = append(calls,
		call{"self-excluded", newSpin(excluded.ID, "x1", 10, 0), imperio.EForbidden},
		call{"past the loss limit", newSpin(limited.ID, "l1", 10, 0), imperio.ELossLimit},
	)
	if conflicts {
		reused := newSpin(broke.ID, "reused", 1, 0)
		reused.RoundID = earlier.RoundID
		calls = append(calls, call{"replay", earlier, ""}, call{"reused-round", reused, imperio.EConflict})
	}

	var sizes []int
	fellBack := false
	var mu sync.Mutex
	store.SetOnGroup(s, func(n int, alone bool) {
		mu.Lock()
		sizes = append(sizes, n)
		if len(sizes) == 1 {
			fellBack = alone
		}
		mu.Unlock()
	})
	defer store.SetOnGroup(s, nil)
	wait := holdLead(t, s, len(calls), nil)
	receipts := make([]imperio.SpinReceipt, len(calls))
	errs := make([]error, len(calls))
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Go(func() { receipts[i], errs[i] = s.SettleSpin(t.Context(), c.sp) })
	}
	wg.Wait()
	wait()

	mu.Lock()
	t.Logf("groups settled together: %v", sizes)
	// All but the retry, Poor's second spin and (with conflicts) Broke's
	// second spin share the first commit: one spin per player in a group.
	wantFirst := len(calls) - 2
	if conflicts {
		wantFirst--
	}
	if len(sizes) == 0 || sizes[0] != wantFirst {
		t.Errorf("group sizes %v: the queued spins were not settled together", sizes)
	}
	if fellBack != conflicts {
		t.Errorf("the first group fell back to settling each alone: %v, want %v", fellBack, conflicts)
	}
	mu.Unlock()
	poorSettled := 0
	for i, c := range calls {
		code := imperio.ErrorCode(errs[i])
		switch {
		case c.want == "?":
			if code == "" {
				poorSettled++
			} else if code != imperio.EInsufficientFunds {
				t.Errorf("%s: %v, want a settlement or insufficient_funds", c.name, errs[i])
			}
		case code != c.want:
			t.Errorf("%s: error %v, want code %q", c.name, errs[i], c.want)
		}
	}
	if poorSettled != 1 {
		t.Errorf("%d of Poor's two spins settled, want 1", poorSettled)
	}
	// The retry: one settlement, one replay of it.
	a, b2 := receipts[20], receipts[21]
	if a.Replayed == b2.Replayed || a.RoundID != twice.RoundID || b2.RoundID != twice.RoundID {
		t.Errorf("retry in one group: %+v and %+v, want one settlement and its replay", a, b2)
	}
	// The replay of a spin settled before the group.
	if rc := receipts[len(calls)-2]; conflicts && (!rc.Replayed || rc.RoundID != first.RoundID || rc.Win != first.Win || !jsonEqual(rc.Outcome, first.Outcome)) {
		t.Errorf("replay in a group = %+v, want the receipt of %+v", rc, first)
	}
	// Replaying a spin of the group gives its receipt back.
	for i := range 20 {
		rc, err := s.SettleSpin(t.Context(), calls[i].sp)
		if err != nil || !rc.Replayed || rc.RoundID != receipts[i].RoundID || rc.Bet != receipts[i].Bet || rc.Win != receipts[i].Win || !jsonEqual(rc.Outcome, receipts[i].Outcome) {
			t.Errorf("replay of %s = %+v, %v; want the receipt %+v", calls[i].name, rc, err, receipts[i])
		}
	}
	for i, u := range rich {
		if got, want := balance(t, s, u.ID), int64(1000-10+(i%3)*10); got != want {
			t.Errorf("%s's balance %d, want %d", u.Username, got, want)
		}
	}
	if got := balance(t, s, again.ID); got != 1030 {
		t.Errorf("Again's balance %d, want 1030", got)
	}
	for _, u := range []imperio.User{excluded, limited} {
		if got := balance(t, s, u.ID); got != 1000 {
			t.Errorf("%s's balance %d, want 1000", u.Username, got)
		}
	}
	if got := balance(t, s, early.ID); got != 1020 {
		t.Errorf("Early's balance %d, want 1020", got)
	}
	if got := balance(t, s, poor.ID); got != 5 {
		t.Errorf("Poor's balance %d, want 5", got)
	}
	if got := balance(t, s, broke.ID); got != 5 {
		t.Errorf("Broke's balance %d, want 5", got)
	}
	checkLedger(t, s)
}

// testFailedGroupCommit makes the commit of a group fail: every spin of it
// fails, and nothing is charged.
func testFailedGroupCommit(t *testing.T, b storetest.Backend) {
	s := b.Open(t)
	const n = 12
	users := make([]imperio.User, n)
	for i := range users {
		users[i] = newUser(t, s, fmt.Sprint("Player", i), 100)
	}
	injected := errors.New("injected commit failure")
	wait := holdLead(t, s, n, func(_ context.Context, step string) error {
		if step == "commit" {
			return injected
		}
		return nil
	})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() { _, errs[i] = s.SettleSpin(t.Context(), newSpin(u.ID, "k", 10, 20)) })
	}
	wg.Wait()
	wait()
	for i, err := range errs {
		if !errors.Is(err, injected) {
			t.Errorf("spin %d: %v, want the commit failure", i, err)
		}
	}
	for _, u := range users {
		if got := balance(t, s, u.ID); got != 100 {
			t.Errorf("%s: balance %d after a failed commit, want 100", u.Username, got)
		}
		if got := len(allEntries(t, s, u.ID)); got != 1 {
			t.Errorf("%s: %d ledger entries, want only the grant", u.Username, got)
		}
	}
	// The keys are free: the same spins settle now.
	for _, u := range users {
		if rc, err := s.SettleSpin(t.Context(), newSpin(u.ID, "k", 10, 20)); err != nil || rc.Replayed || rc.Coins != 110 {
			t.Errorf("%s: spin after the failed commit = %+v, %v", u.Username, rc, err)
		}
	}
	checkLedger(t, s)
}
