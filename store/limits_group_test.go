package store_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/store"
	"github.com/imperio-casino/imperio/store/storetest"
)

// TestLimitsHoldInGroups: spins settled together in group commits still
// meet each player's responsible-play limits, checked in the group's
// transaction: a loss limit stops its player exactly at the limit, a
// self-excluded player places nothing, and the others in the same groups
// are untouched.
func TestLimitsHoldInGroups(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			ctx := t.Context()
			capped := newUser(t, s, "capped", 1000)
			excluded := newUser(t, s, "excluded", 1000)
			if _, err := s.SetLossLimit(ctx, capped.ID, 100); err != nil {
				t.Fatal(err)
			}
			if _, err := s.SelfExclude(ctx, excluded.ID, 1); err != nil {
				t.Fatal(err)
			}
			var free []imperio.User
			for i := range 6 {
				free = append(free, newUser(t, s, fmt.Sprintf("free%d", i), 1000))
			}
			groups := 0
			store.SetOnGroup(s, func(n int, alone bool) {
				if n > 1 && !alone {
					groups++
				}
			})
			var (
				mu    sync.Mutex
				codes = map[string]map[string]int{}
				wg    sync.WaitGroup
			)
			spin := func(u imperio.User, i int) {
				defer wg.Done()
				_, err := s.SettleSpin(ctx, newSpin(u.ID, fmt.Sprintf("k%d", i), 10, 0))
				mu.Lock()
				defer mu.Unlock()
				if codes[u.Username] == nil {
					codes[u.Username] = map[string]int{}
				}
				codes[u.Username][imperio.ErrorCode(err)]++
			}
			for i := range 30 {
				for _, u := range append([]imperio.User{capped, excluded}, free...) {
					wg.Add(1)
					go spin(u, i)
				}
			}
			wg.Wait()
			if got := codes["capped"]; got[""] != 10 || got[imperio.ELossLimit] != 20 {
				t.Errorf("capped at 100 with 10-coin losing spins: %v, want 10 settled and 20 loss_limit", got)
			}
			if got := codes["excluded"]; got[imperio.EForbidden] != 30 {
				t.Errorf("self-excluded: %v, want 30 forbidden", got)
			}
			for _, u := range free {
				if got := codes[u.Username]; got[""] != 30 {
					t.Errorf("%s: %v, want every spin settled", u.Username, got)
				}
			}
			if c := balance(t, s, capped.ID); c != 900 {
				t.Errorf("capped has %d, want 900", c)
			}
			if groups == 0 {
				t.Log("no spins shared a commit in this run: the limits were only checked alone")
			}
			checkLedger(t, s)
		})
	}
}
