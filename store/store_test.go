package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/store"
	"github.com/imperio-casino/imperio/store/storetest"
)

func TestStore(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			testStore(t, b)
		})
	}
}

func testStore(t *testing.T, b storetest.Backend) {
	t.Run("PingAndBackend", func(t *testing.T) {
		s := b.Open(t)
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		if got := s.Backend(); got != b.Name {
			t.Errorf("Backend() = %q, want %q", got, b.Name)
		}
	})

	t.Run("Richest", func(t *testing.T) {
		s := b.Open(t)
		for i, grant := range []int64{300, 900, 100, 900} {
			if _, err := s.CreateUser(t.Context(), imperio.NewUser{Username: fmt.Sprintf("p%d", i), Grant: grant}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Richest(t.Context(), 3)
		if err != nil {
			t.Fatal(err)
		}
		want := []imperio.Holding{{Username: "p1", Coins: 900}, {Username: "p3", Coins: 900}, {Username: "p0", Coins: 300}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Richest(3) = %+v, want %+v", got, want)
		}
	})

	t.Run("CreateUserWritesGrant", func(t *testing.T) {
		s := b.Open(t)
		before := time.Now().Add(-time.Second)
		u, err := s.CreateUser(t.Context(), imperio.NewUser{Username: "Alice", Email: "a@example.com", PasswordHash: "hash", Grant: 1000})
		if err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
		if u.ID == 0 || u.Username != "Alice" || u.Email != "a@example.com" || u.PasswordHash != "hash" ||
			u.Role != "player" || u.Coins != 1000 || u.CreatedAt.Before(before) || u.CreatedAt.Location() != time.UTC {
			t.Errorf("CreateUser returned %+v", u)
		}
		got, err := s.UserByID(t.Context(), u.ID)
		if err != nil {
			t.Fatalf("UserByID: %v", err)
		}
		if !reflect.DeepEqual(got, u) {
			t.Errorf("UserByID = %+v, want %+v", got, u)
		}
		entries := allEntries(t, s, u.ID)
		if len(entries) != 1 {
			t.Fatalf("ledger has %d entries, want 1: %+v", len(entries), entries)
		}
		e := entries[0]
		if e.Kind != imperio.KindGrant || e.Amount != 1000 || e.BalanceAfter != 1000 || e.Game != "" || e.RoundID != "" || !e.CreatedAt.Equal(u.CreatedAt) {
			t.Errorf("grant entry = %+v", e)
		}

		nogrant, err := s.CreateUser(t.Context(), imperio.NewUser{Username: "Broke"})
		if err != nil {
			t.Fatalf("CreateUser without grant: %v", err)
		}
		if n := len(allEntries(t, s, nogrant.ID)); nogrant.Coins != 0 || n != 0 {
			t.Errorf("user without grant: coins %d, %d ledger entries; want 0, 0", nogrant.Coins, n)
		}
		for _, nu := range []imperio.NewUser{{Username: ""}, {Username: "  "}, {Username: "Neg", Grant: -1}} {
			if _, err := s.CreateUser(t.Context(), nu); imperio.ErrorCode(err) != imperio.EInvalidInput {
				t.Errorf("CreateUser(%+v) = %v, want invalid_input", nu, err)
			}
		}
		checkLedger(t, s)
	})

	t.Run("UsernameTakenIgnoringCase", func(t *testing.T) {
		s := b.Open(t)
		newUser(t, s, "Bob", 100)
		for _, name := range []string{"Bob", "bob", "BOB"} {
			_, err := s.CreateUser(t.Context(), imperio.NewUser{Username: name, Grant: 100})
			if imperio.ErrorCode(err) != imperio.EUsernameTaken {
				t.Errorf("CreateUser(%q) = %v, want username_taken", name, err)
			}
		}

		// Concurrent signups of one name in different cases: one wins.
		names := []string{"Carol", "carol", "CAROL", "cArOl", "caroL", "CaRoL", "carOL", "CARol"}
		var won atomic.Int32
		var wg sync.WaitGroup
		for _, name := range names {
			wg.Go(func() {
				_, err := s.CreateUser(t.Context(), imperio.NewUser{Username: name, Grant: 100})
				switch imperio.ErrorCode(err) {
				case "":
					won.Add(1)
				case imperio.EUsernameTaken:
				default:
					t.Errorf("CreateUser(%q): %v", name, err)
				}
			})
		}
		wg.Wait()
		if n := won.Load(); n != 1 {
			t.Errorf("%d concurrent signups of carol succeeded, want 1", n)
		}
		checkLedger(t, s)
	})

	t.Run("UserByNameIgnoresCase", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Dave", 10)
		for _, name := range []string{"Dave", "dave", "dAVE"} {
			got, err := s.UserByName(t.Context(), name)
			if err != nil || got.ID != u.ID || got.Username != "Dave" {
				t.Errorf("UserByName(%q) = %+v, %v; want user %d named Dave", name, got, err, u.ID)
			}
		}
		if _, err := s.UserByName(t.Context(), "nobody"); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Errorf("UserByName(nobody) = %v, want not_found", err)
		}
		if _, err := s.UserByID(t.Context(), u.ID+1000); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Errorf("UserByID(unknown) = %v, want not_found", err)
		}
		if _, err := s.Balance(t.Context(), u.ID+1000); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Errorf("Balance(unknown) = %v, want not_found", err)
		}
		if coins, err := s.Balance(t.Context(), u.ID); err != nil || coins != 10 {
			t.Errorf("Balance = %d, %v; want 10", coins, err)
		}
	})

	t.Run("SettleSpinWinAndLoss", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Erin", 1000)

		loss := newSpin(u.ID, "k1", 10, 0)
		rc, err := s.SettleSpin(t.Context(), loss)
		if err != nil {
			t.Fatalf("SettleSpin(loss): %v", err)
		}
		want := imperio.SpinReceipt{RoundID: loss.RoundID, Coins: 990, Bet: 10, Win: 0, Outcome: loss.Outcome, Fairness: loss.Fairness}
		if !reflect.DeepEqual(rc, want) {
			t.Errorf("loss receipt = %+v, want %+v", rc, want)
		}

		win := newSpin(u.ID, "k2", 10, 25)
		rc, err = s.SettleSpin(t.Context(), win)
		if err != nil {
			t.Fatalf("SettleSpin(win): %v", err)
		}
		want = imperio.SpinReceipt{RoundID: win.RoundID, Coins: 1005, Bet: 10, Win: 25, Outcome: win.Outcome, Fairness: win.Fairness}
		if !reflect.DeepEqual(rc, want) {
			t.Errorf("win receipt = %+v, want %+v", rc, want)
		}

		type row struct {
			kind          string
			amount, after int64
			round         string
		}
		var got []row
		for _, e := range allEntries(t, s, u.ID) {
			got = append(got, row{e.Kind, e.Amount, e.BalanceAfter, e.RoundID})
			if e.RoundID != "" && e.Game != "slots" {
				t.Errorf("entry %d: game %q, want slots", e.ID, e.Game)
			}
		}
		wantRows := []row{
			{imperio.KindWin, 25, 1005, win.RoundID},
			{imperio.KindBet, -10, 980, win.RoundID},
			{imperio.KindBet, -10, 990, loss.RoundID},
			{imperio.KindGrant, 1000, 1000, ""},
		}
		if !reflect.DeepEqual(got, wantRows) {
			t.Errorf("ledger, newest first:\n got %+v\nwant %+v", got, wantRows)
		}
		if coins := balance(t, s, u.ID); coins != 1005 {
			t.Errorf("balance = %d, want 1005", coins)
		}
		checkLedger(t, s)
	})

	t.Run("InsufficientFundsChangesNothing", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Frank", 5)
		sp := newSpin(u.ID, "k1", 10, 100)
		_, err := s.SettleSpin(t.Context(), sp)
		if imperio.ErrorCode(err) != imperio.EInsufficientFunds {
			t.Fatalf("SettleSpin = %v, want insufficient_funds", err)
		}
		if coins := balance(t, s, u.ID); coins != 5 {
			t.Errorf("balance = %d, want 5", coins)
		}
		if n := len(allEntries(t, s, u.ID)); n != 1 {
			t.Errorf("%d ledger entries, want only the grant", n)
		}
		if _, err := s.Round(t.Context(), u.ID, sp.RoundID); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Errorf("Round of the refused spin = %v, want not_found", err)
		}
		// The whole balance can be bet.
		if rc, err := s.SettleSpin(t.Context(), newSpin(u.ID, "k2", 5, 0)); err != nil || rc.Coins != 0 {
			t.Errorf("betting the whole balance: %+v, %v", rc, err)
		}
		if _, err := s.SettleSpin(t.Context(), newSpin(u.ID+1000, "k1", 1, 0)); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Errorf("SettleSpin for an unknown user = %v, want not_found", err)
		}
		checkLedger(t, s)
	})

	t.Run("InvalidSpinRefused", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Gina", 100)
		for name, mutate := range map[string]func(*imperio.Spin){
			"ZeroBet":     func(sp *imperio.Spin) { sp.Bet = 0 },
			"NegativeBet": func(sp *imperio.Spin) { sp.Bet = -5 },
			"NegativeWin": func(sp *imperio.Spin) { sp.Win = -1 },
			"HugeWin":     func(sp *imperio.Spin) { sp.Win = 1 << 62 },
			"NoKey":       func(sp *imperio.Spin) { sp.Key = "" },
			"LongKey":     func(sp *imperio.Spin) { sp.Key = strings.Repeat("k", 129) },
			"NoRound":     func(sp *imperio.Spin) { sp.RoundID = "" },
			"NoGame":      func(sp *imperio.Spin) { sp.Game = "" },
			"BadOutcome":  func(sp *imperio.Spin) { sp.Outcome = json.RawMessage(`{"reels":`) },
			"BadFairness": func(sp *imperio.Spin) { sp.Fairness = json.RawMessage(`nope`) },
		} {
			sp := newSpin(u.ID, "k", 10, 0)
			mutate(&sp)
			if _, err := s.SettleSpin(t.Context(), sp); imperio.ErrorCode(err) != imperio.EInvalidInput {
				t.Errorf("%s: SettleSpin = %v, want invalid_input", name, err)
			}
		}
		// A key of exactly 128 bytes and no outcome are fine.
		sp := newSpin(u.ID, strings.Repeat("k", 128), 10, 0)
		sp.Outcome, sp.Fairness = nil, nil
		if _, err := s.SettleSpin(t.Context(), sp); err != nil {
			t.Errorf("SettleSpin with a 128-byte key and no outcome: %v", err)
		}
		rd, err := s.Round(t.Context(), u.ID, sp.RoundID)
		if err != nil || rd.Outcome != nil || rd.Fairness != nil {
			t.Errorf("Round without outcome = %+v, %v", rd, err)
		}
		if coins := balance(t, s, u.ID); coins != 90 {
			t.Errorf("balance = %d, want 90", coins)
		}
		checkLedger(t, s)
	})

	t.Run("IdempotentRetry", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Hank", 100)
		sp := newSpin(u.ID, "spin-1", 10, 30)
		first, err := s.SettleSpin(t.Context(), sp)
		if err != nil {
			t.Fatalf("SettleSpin: %v", err)
		}
		again, err := s.SettleSpin(t.Context(), sp)
		if err != nil {
			t.Fatalf("SettleSpin again: %v", err)
		}
		if !again.Replayed || again.RoundID != first.RoundID || again.Bet != 10 || again.Win != 30 ||
			again.Coins != 120 || !jsonEqual(again.Outcome, first.Outcome) || !jsonEqual(again.Fairness, sp.Fairness) {
			t.Errorf("retry receipt = %+v, want the replay of %+v", again, first)
		}
		// A retry under a new round id is still the same settlement.
		retry := sp
		retry.RoundID = imperio.NewID()
		retry.Bet, retry.Win = 50, 0
		if rc, err := s.SettleSpin(t.Context(), retry); err != nil || !rc.Replayed || rc.RoundID != sp.RoundID || rc.Bet != 10 {
			t.Errorf("retry with a new round id = %+v, %v; want the replay of round %s", rc, err, sp.RoundID)
		}
		if coins := balance(t, s, u.ID); coins != 120 {
			t.Errorf("balance = %d, want 120", coins)
		}
		if n := len(allEntries(t, s, u.ID)); n != 3 {
			t.Errorf("%d ledger entries, want grant, bet, win", n)
		}
		if st := stats(t, s, u.ID); st.Rounds != 1 {
			t.Errorf("stats count %d rounds, want 1", st.Rounds)
		}

		// A replay is answered even when the balance no longer covers the bet.
		spend := newSpin(u.ID, "spin-2", 120, 0)
		if _, err := s.SettleSpin(t.Context(), spend); err != nil {
			t.Fatalf("SettleSpin(all in): %v", err)
		}
		rc, err := s.SettleSpin(t.Context(), spend)
		if err != nil || !rc.Replayed || rc.Coins != 0 || rc.RoundID != spend.RoundID {
			t.Errorf("replay on an empty balance = %+v, %v", rc, err)
		}

		// A key or round id that belongs to something else is a conflict.
		top := newUser(t, s, "Ivy", 100)
		if _, err := s.SettleSpin(t.Context(), newSpin(top.ID, "signup", 10, 0)); imperio.ErrorCode(err) != imperio.EConflict {
			t.Errorf("SettleSpin under the signup key = %v, want conflict", err)
		}
		reused := newSpin(top.ID, "fresh", 10, 0)
		reused.RoundID = sp.RoundID
		if _, err := s.SettleSpin(t.Context(), reused); imperio.ErrorCode(err) != imperio.EConflict {
			t.Errorf("SettleSpin reusing a round id = %v, want conflict", err)
		}
		if coins := balance(t, s, top.ID); coins != 100 {
			t.Errorf("balance after conflicts = %d, want 100", coins)
		}
		checkLedger(t, s)
	})

	t.Run("ConcurrentSameKey", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Jack", 100)
		sp := newSpin(u.ID, "once", 10, 5)
		const n = 8
		receipts := make([]imperio.SpinReceipt, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				var err error
				if receipts[i], err = s.SettleSpin(t.Context(), sp); err != nil {
					t.Errorf("SettleSpin: %v", err)
				}
			})
		}
		wg.Wait()
		settled := 0
		for _, rc := range receipts {
			if !rc.Replayed {
				settled++
			}
			if rc.RoundID != sp.RoundID || rc.Bet != 10 || rc.Win != 5 {
				t.Errorf("receipt %+v is not of round %s", rc, sp.RoundID)
			}
		}
		if settled != 1 {
			t.Errorf("%d calls settled, want exactly 1", settled)
		}
		if coins := balance(t, s, u.ID); coins != 95 {
			t.Errorf("balance = %d, want 95", coins)
		}
		checkLedger(t, s)
	})

	t.Run("ConcurrentSpins", func(t *testing.T) {
		s := b.Open(t)
		// Two accounts, 16 goroutines x 50 spins of 10 coins each between
		// them, with a win now and then: both run dry.
		users := []imperio.User{newUser(t, s, "Kim", 1000), newUser(t, s, "Lee", 500)}
		const workers, spins = 16, 50
		var settled, refused atomic.Int64
		// Meanwhile a reader audits: readers never wait on a lock, and an
		// audit sees one consistent snapshot even while spins commit.
		done := make(chan struct{})
		var audits atomic.Int64
		var reader sync.WaitGroup
		reader.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				problems, err := s.CheckLedger(t.Context())
				if err != nil || len(problems) > 0 {
					t.Errorf("CheckLedger during spins: %q, %v", problems, err)
					return
				}
				if _, err := s.Balance(t.Context(), users[0].ID); err != nil {
					t.Errorf("Balance during spins: %v", err)
					return
				}
				if _, _, err := s.Transactions(t.Context(), users[1].ID, 0, 20); err != nil {
					t.Errorf("Transactions during spins: %v", err)
					return
				}
				audits.Add(1)
			}
		})
		var wg sync.WaitGroup
		for w := range workers {
			u := users[w%len(users)]
			wg.Go(func() {
				for i := range spins {
					var win int64
					if i%7 == 3 {
						win = 25
					}
					rc, err := s.SettleSpin(t.Context(), newSpin(u.ID, fmt.Sprintf("w%d-s%d", w, i), 10, win))
					switch imperio.ErrorCode(err) {
					case "":
						settled.Add(1)
						if rc.Coins < 0 {
							t.Errorf("balance went negative: %d", rc.Coins)
						}
					case imperio.EInsufficientFunds:
						refused.Add(1)
					default:
						t.Errorf("SettleSpin: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		close(done)
		reader.Wait()
		if refused.Load() == 0 {
			t.Errorf("no spin was refused; the test should drain the balances")
		}
		var bets int64
		for _, u := range users {
			var sum int64
			for _, e := range allEntries(t, s, u.ID) {
				sum += e.Amount
				if e.Kind == imperio.KindBet {
					bets++
				}
			}
			coins := balance(t, s, u.ID)
			if coins < 0 || coins != sum {
				t.Errorf("user %s: balance %d, ledger sum %d", u.Username, coins, sum)
			}
		}
		if bets != settled.Load() {
			t.Errorf("%d bet rows for %d settled spins", bets, settled.Load())
		}
		t.Logf("%d spins settled, %d refused, %d audits meanwhile", settled.Load(), refused.Load(), audits.Load())
		checkLedger(t, s)
	})

	t.Run("CanceledContextChangesNothing", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Mia", 100)
		// The steps of a settlement differ by backend: record them first.
		probe := newUser(t, s, "Probe", 100)
		var steps []string
		store.SetFault(s, func(_ context.Context, at string) error {
			steps = append(steps, at)
			return nil
		})
		if _, err := s.SettleSpin(t.Context(), newSpin(probe.ID, "k", 10, 50)); err != nil {
			t.Fatalf("SettleSpin: %v", err)
		}
		store.SetFault(s, nil)
		if len(steps) == 0 {
			t.Fatalf("a settlement went through no fault step")
		}
		t.Logf("fault injected at each of %q", steps)
		injected := errors.New("injected fault")
		for _, step := range steps {
			for _, how := range []string{"cancel", "error"} {
				ctx, cancel := context.WithCancel(t.Context())
				store.SetFault(s, func(_ context.Context, at string) error {
					if at != step {
						return nil
					}
					if how == "error" {
						return injected
					}
					cancel()
					return nil
				})
				sp := newSpin(u.ID, "k", 10, 50)
				_, err := s.SettleSpin(ctx, sp)
				cancel()
				store.SetFault(s, nil)
				if err == nil {
					t.Errorf("%s at %s: SettleSpin succeeded", how, step)
				}
				if how == "error" && !errors.Is(err, injected) {
					t.Errorf("%s at %s: SettleSpin = %v, want the injected fault", how, step, err)
				}
				if coins := balance(t, s, u.ID); coins != 100 {
					t.Errorf("%s at %s: balance %d, want 100", how, step, coins)
				}
				if n := len(allEntries(t, s, u.ID)); n != 1 {
					t.Errorf("%s at %s: %d ledger entries, want only the grant", how, step, n)
				}
				if _, err := s.Round(t.Context(), u.ID, sp.RoundID); imperio.ErrorCode(err) != imperio.ENotFound {
					t.Errorf("%s at %s: round left behind: %v", how, step, err)
				}
			}
		}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := s.SettleSpin(ctx, newSpin(u.ID, "k", 10, 0)); !errors.Is(err, context.Canceled) {
			t.Errorf("SettleSpin with a canceled context = %v, want context.Canceled", err)
		}
		// Nothing of the failed attempts blocks the key.
		rc, err := s.SettleSpin(t.Context(), newSpin(u.ID, "k", 10, 50))
		if err != nil || rc.Replayed || rc.Coins != 140 {
			t.Errorf("SettleSpin after the faults = %+v, %v; want a fresh settlement to 140", rc, err)
		}
		checkLedger(t, s)
	})

	t.Run("TransactionsPaging", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Ned", 1000)
		other := newUser(t, s, "Olga", 1000)
		for i := range 104 {
			if _, err := s.SettleSpin(t.Context(), newSpin(u.ID, fmt.Sprint("k", i), 1, 0)); err != nil {
				t.Fatalf("SettleSpin: %v", err)
			}
		}
		if _, err := s.SettleSpin(t.Context(), newSpin(other.ID, "k0", 1, 0)); err != nil {
			t.Fatalf("SettleSpin: %v", err)
		}

		all := allEntries(t, s, u.ID) // pages of 7
		if len(all) != 105 {
			t.Fatalf("%d entries, want 105", len(all))
		}
		for i := 1; i < len(all); i++ {
			if all[i].ID >= all[i-1].ID {
				t.Fatalf("entries not newest first at %d: %d after %d", i, all[i].ID, all[i-1].ID)
			}
		}
		if all[0].BalanceAfter != 896 || all[len(all)-1].Kind != imperio.KindGrant {
			t.Errorf("newest entry %+v, oldest %+v", all[0], all[len(all)-1])
		}

		for _, tc := range []struct {
			before      int64
			limit, want int
			next        int64
		}{
			{0, 0, 50, all[49].ID},
			{0, -3, 1, all[0].ID},
			{0, 1000, 100, all[99].ID},
			{all[9].ID, 100, 95, 0},
			{all[4].ID, 5, 5, all[9].ID},
			{all[99].ID, 10, 5, 0},
			{all[104].ID, 10, 0, 0},
		} {
			page, next, err := s.Transactions(t.Context(), u.ID, tc.before, tc.limit)
			if err != nil {
				t.Fatalf("Transactions(%d, %d): %v", tc.before, tc.limit, err)
			}
			if len(page) != tc.want || next != tc.next {
				t.Errorf("Transactions(before %d, limit %d): %d entries, next %d; want %d, %d",
					tc.before, tc.limit, len(page), next, tc.want, tc.next)
			}
			if len(page) > 0 && tc.before > 0 && page[0].ID >= tc.before {
				t.Errorf("Transactions(before %d) starts at %d", tc.before, page[0].ID)
			}
		}
		if page, next, err := s.Transactions(t.Context(), u.ID+1000, 0, 10); err != nil || len(page) != 0 || next != 0 {
			t.Errorf("Transactions of an unknown user = %v, %d, %v", page, next, err)
		}
	})

	t.Run("StatsPerGameAndTotal", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Pia", 1000)
		other := newUser(t, s, "Quinn", 1000)
		for _, sp := range []imperio.Spin{
			withGame(newSpin(u.ID, "1", 10, 0), "slots"),
			withGame(newSpin(u.ID, "2", 10, 50), "slots"),
			withGame(newSpin(u.ID, "3", 20, 30), "slots"),
			withGame(newSpin(u.ID, "4", 5, 0), "dice"),
			withGame(newSpin(other.ID, "1", 100, 900), "slots"),
		} {
			if _, err := s.SettleSpin(t.Context(), sp); err != nil {
				t.Fatalf("SettleSpin: %v", err)
			}
		}
		want := imperio.Stats{
			GameStats: imperio.GameStats{Rounds: 4, Wagered: 45, Won: 80, Net: 35, BiggestWin: 50},
			Games: []imperio.GameStats{
				{Game: "dice", Rounds: 1, Wagered: 5, Won: 0, Net: -5, BiggestWin: 0},
				{Game: "slots", Rounds: 3, Wagered: 40, Won: 80, Net: 40, BiggestWin: 50},
			},
		}
		if got := stats(t, s, u.ID); !reflect.DeepEqual(got, want) {
			t.Errorf("Stats =\n %+v\nwant\n %+v", got, want)
		}
		fresh := newUser(t, s, "Rae", 0)
		if got := stats(t, s, fresh.ID); got.Rounds != 0 || got.Games == nil || len(got.Games) != 0 {
			t.Errorf("Stats of a new player = %+v, want zeros and an empty list", got)
		}
	})

	t.Run("RoundRecall", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Sam", 1000)
		other := newUser(t, s, "Tess", 1000)
		sp := newSpin(u.ID, "k", 10, 40)
		before := time.Now().Add(-time.Second)
		if _, err := s.SettleSpin(t.Context(), sp); err != nil {
			t.Fatalf("SettleSpin: %v", err)
		}
		rd, err := s.Round(t.Context(), u.ID, sp.RoundID)
		if err != nil {
			t.Fatalf("Round: %v", err)
		}
		if rd.ID != sp.RoundID || rd.Game != sp.Game || rd.Room != sp.Room || rd.Status != imperio.RoundSettled ||
			!jsonEqual(rd.Outcome, sp.Outcome) || !jsonEqual(rd.Fairness, sp.Fairness) ||
			rd.CreatedAt.Before(before) || rd.SettledAt == nil || !rd.SettledAt.Equal(rd.CreatedAt) {
			t.Errorf("Round = %+v", rd)
		}
		wantPlayers := []imperio.RoundPlayer{{UserID: u.ID, Username: "Sam", Wagered: 10, Won: 40}}
		if !reflect.DeepEqual(rd.Players, wantPlayers) {
			t.Errorf("Players = %+v, want %+v", rd.Players, wantPlayers)
		}
		if _, err := s.Round(t.Context(), other.ID, sp.RoundID); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Errorf("Round for another player = %v, want not_found", err)
		}
		if _, err := s.Round(t.Context(), u.ID, imperio.NewID()); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Errorf("Round of an unknown id = %v, want not_found", err)
		}
	})

	t.Run("MigrateTwiceIsNoOp", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Uma", 100)
		v, err := s.SchemaVersion(t.Context())
		if err != nil || v < 1 {
			t.Fatalf("SchemaVersion = %d, %v", v, err)
		}
		for range 2 {
			if err := s.Migrate(t.Context()); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
		}
		if again, err := s.SchemaVersion(t.Context()); err != nil || again != v {
			t.Errorf("SchemaVersion after Migrate = %d, %v; want %d", again, err, v)
		}
		if coins := balance(t, s, u.ID); coins != 100 {
			t.Errorf("balance after Migrate = %d, want 100", coins)
		}
		checkLedger(t, s)
	})
}

// TestConcurrentOpen opens one database from several goroutines at once, as
// instances starting together do: the migrations run once and all succeed.
func TestConcurrentOpen(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			var url string
			if b.Name == "sqlite" {
				url = filepath.Join(t.TempDir(), "imperio.db")
			} else {
				url = storetest.NewPostgresSchema(t)
			}
			stores := make([]*store.Store, 4)
			var wg sync.WaitGroup
			for i := range stores {
				wg.Go(func() {
					s, err := store.Open(t.Context(), url, nil)
					if err != nil {
						t.Errorf("Open: %v", err)
						return
					}
					stores[i] = s
				})
			}
			wg.Wait()
			for _, s := range stores {
				if s == nil {
					continue
				}
				if v, err := s.SchemaVersion(t.Context()); err != nil || v < 1 {
					t.Errorf("SchemaVersion = %d, %v", v, err)
				}
				s.Close()
			}
		})
	}
}

func TestSQLiteReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "imperio.db")
	ctx := t.Context()
	s := storetest.Open(t, "sqlite:"+path)
	u := newUser(t, s, "Vera", 100)
	sp := newSpin(u.ID, "k", 10, 35)
	if _, err := s.SettleSpin(ctx, sp); err != nil {
		t.Fatalf("SettleSpin: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, url := range []string{"file:" + path, path, "sqlite://" + path} {
		s := storetest.Open(t, url)
		if s.Backend() != "sqlite" {
			t.Errorf("%s: backend %q", url, s.Backend())
		}
		if coins := balance(t, s, u.ID); coins != 125 {
			t.Errorf("%s: balance after reopening = %d, want 125", url, coins)
		}
		rc, err := s.SettleSpin(ctx, sp)
		if err != nil || !rc.Replayed {
			t.Errorf("%s: replay after reopening = %+v, %v", url, rc, err)
		}
		checkLedger(t, s)
		s.Close()
	}
}

func TestSQLiteInMemory(t *testing.T) {
	s := storetest.Open(t, "sqlite::memory:")
	u := newUser(t, s, "Walt", 100)
	if _, err := s.SettleSpin(t.Context(), newSpin(u.ID, "k", 10, 0)); err != nil {
		t.Fatalf("SettleSpin: %v", err)
	}
	if coins := balance(t, s, u.ID); coins != 90 {
		t.Errorf("balance = %d, want 90", coins)
	}
	checkLedger(t, s)
}

func TestOpenUnreachablePostgresIsUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err := store.Open(ctx, "postgres://postgres@127.0.0.1:1/imperio?sslmode=disable&connect_timeout=2", nil)
	if code := imperio.ErrorCode(err); code != imperio.EUnavailable {
		t.Errorf("Open = %v (code %q), want unavailable", err, code)
	}
}

func TestPingAfterCloseIsUnavailable(t *testing.T) {
	s := storetest.OpenSQLite(t)
	s.Close()
	if err := s.Ping(t.Context()); imperio.ErrorCode(err) != imperio.EUnavailable {
		t.Errorf("Ping after Close = %v, want unavailable", err)
	}
}

func newUser(t testing.TB, s *store.Store, name string, grant int64) imperio.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), imperio.NewUser{Username: name, Email: strings.ToLower(name) + "@example.com", PasswordHash: "x", Grant: grant})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return u
}

func newSpin(userID int64, key string, bet, win int64) imperio.Spin {
	return imperio.Spin{
		UserID:   userID,
		Key:      key,
		RoundID:  imperio.NewID(),
		Game:     "slots",
		Room:     fmt.Sprintf("slots:classic:%d", userID),
		Bet:      bet,
		Win:      win,
		Outcome:  json.RawMessage(`{"reels": [[1, 2, 3], [4, 5, 6]], "win": ` + fmt.Sprint(win) + `}`),
		Fairness: json.RawMessage(`{"server_seed_hash": "ab12", "client_seed": "c", "nonce": 7}`),
	}
}

func withGame(sp imperio.Spin, game string) imperio.Spin {
	sp.Game = game
	return sp
}

func balance(t testing.TB, s *store.Store, userID int64) int64 {
	t.Helper()
	coins, err := s.Balance(context.Background(), userID)
	if err != nil {
		t.Fatalf("Balance: %v", err)
	}
	return coins
}

func stats(t testing.TB, s *store.Store, userID int64) imperio.Stats {
	t.Helper()
	st, err := s.Stats(context.Background(), userID)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	return st
}

// allEntries pages through the user's whole ledger, newest first.
func allEntries(t testing.TB, s *store.Store, userID int64) []imperio.LedgerEntry {
	t.Helper()
	var all []imperio.LedgerEntry
	var before int64
	for {
		page, next, err := s.Transactions(context.Background(), userID, before, 7)
		if err != nil {
			t.Fatalf("Transactions: %v", err)
		}
		all = append(all, page...)
		if next == 0 {
			return all
		}
		before = next
	}
}

func checkLedger(t testing.TB, s *store.Store) {
	t.Helper()
	problems, err := s.CheckLedger(context.Background())
	if err != nil {
		t.Fatalf("CheckLedger: %v", err)
	}
	for _, p := range problems {
		t.Errorf("ledger: %s", p)
	}
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
