package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/store"
	"github.com/imperio-casino/imperio/store/storetest"
)

// TestOperations runs the admin, session and responsible-play suite on
// every backend.
func TestOperations(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { testOperations(t, b) })
	}
}

// clock is a settable time for the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

func auditLog(t testing.TB, s *store.Store) []imperio.AuditEntry {
	t.Helper()
	entries, err := s.AuditLog(context.Background(), 0, 100)
	if err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	return entries
}

func testOperations(t *testing.T, b storetest.Backend) {
	ctx := context.Background()

	t.Run("SetRoleIsAudited", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Root", 0)
		got, err := s.SetRole(ctx, imperio.Actor{Name: "cli"}, "root", imperio.RoleAdmin)
		if err != nil || got.Role != imperio.RoleAdmin || got.ID != u.ID {
			t.Fatalf("SetRole = %+v, %v", got, err)
		}
		if u2, _ := s.UserByID(ctx, u.ID); u2.Role != imperio.RoleAdmin {
			t.Errorf("role after grant: %q", u2.Role)
		}
		if _, err := s.SetRole(ctx, imperio.Actor{Name: "cli"}, "root", "god"); imperio.ErrorCode(err) != imperio.EInvalidInput {
			t.Errorf("bad role: %v", err)
		}
		if _, err := s.SetRole(ctx, imperio.Actor{Name: "cli"}, "nobody", imperio.RoleAdmin); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Errorf("unknown user: %v", err)
		}
		if _, err := s.SetRole(ctx, imperio.Actor{Name: "cli"}, "Root", imperio.RolePlayer); err != nil {
			t.Fatal(err)
		}
		log := auditLog(t, s)
		if len(log) != 2 || log[0].Action != imperio.AuditRoleRevoke || log[1].Action != imperio.AuditRoleGrant ||
			log[1].Admin != "cli" || log[1].Target != "Root" {
			t.Errorf("audit log = %+v", log)
		}
	})

	t.Run("BanRevokesRefreshTokens", func(t *testing.T) {
		s := b.Open(t)
		admin := newUser(t, s, "Boss", 0)
		p := newUser(t, s, "Cheater", 100)
		by := imperio.Actor{ID: admin.ID, Name: admin.Username}
		exp := time.Now().Add(time.Hour)
		if err := s.CreateRefreshToken(ctx, p.ID, "fam1", "h1", exp); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Ban(ctx, by, p.ID, ""); imperio.ErrorCode(err) != imperio.EInvalidInput {
			t.Errorf("ban without reason: %v", err)
		}
		if _, err := s.Ban(ctx, by, admin.ID, "oops"); imperio.ErrorCode(err) != imperio.EInvalidInput {
			t.Errorf("self-ban: %v", err)
		}
		u, err := s.Ban(ctx, by, p.ID, "bots")
		if err != nil || u.BannedAt == nil || u.BanReason != "bots" {
			t.Fatalf("Ban = %+v, %v", u, err)
		}
		if got, _ := s.UserByName(ctx, "cheater"); got.BannedAt == nil || got.BanReason != "bots" {
			t.Errorf("after ban: %+v", got)
		}
		if _, err := s.RotateRefreshToken(ctx, "h1", "h2", exp); imperio.ErrorCode(err) != imperio.EUnauthorized {
			t.Errorf("refresh after ban: %v, want unauthorized (token revoked)", err)
		}
		users, err := s.ListUsers(ctx, "heat", 10)
		if err != nil || len(users) != 1 || !users[0].Banned || users[0].Coins != 100 {
			t.Errorf("ListUsers(heat) = %+v, %v", users, err)
		}
		if _, err := s.Unban(ctx, by, p.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.UserByID(ctx, p.ID); got.BannedAt != nil || got.BanReason != "" {
			t.Errorf("after unban: %+v", got)
		}
		log := auditLog(t, s)
		if len(log) != 2 || log[0].Action != imperio.AuditUnban || log[1].Action != imperio.AuditBan || log[1].Admin != "Boss" ||
			log[1].Target != "Cheater" || !jsonEqual(log[1].Detail, []byte(`{"reason":"bots"}`)) {
			t.Errorf("audit log = %+v", log)
		}
		if _, err := s.Ban(ctx, by, 9999, "x"); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Errorf("ban unknown: %v", err)
		}
		all, err := s.ListUsers(ctx, "", 10)
		if err != nil || len(all) != 2 || all[0].Username != "Boss" {
			t.Errorf("ListUsers('') = %+v, %v", all, err)
		}
		if none, err := s.ListUsers(ctx, "%", 10); err != nil || len(none) != 0 {
			t.Errorf("ListUsers(%%) = %+v, %v; a wildcard is matched literally", none, err)
		}
	})

	t.Run("Adjust", func(t *testing.T) {
		s := b.Open(t)
		admin := newUser(t, s, "Boss", 0)
		p := newUser(t, s, "Player", 100)
		by := imperio.Actor{ID: admin.ID, Name: admin.Username}
		adj := func(amount int64, key string) (int64, bool, error) {
			return s.Adjust(ctx, imperio.Adjustment{Admin: by, UserID: p.ID, Amount: amount, Reason: "support ticket 7", Key: key})
		}
		coins, replayed, err := adj(50, "k1")
		if err != nil || coins != 150 || replayed {
			t.Fatalf("credit: %d, %v, %v", coins, replayed, err)
		}
		if coins, replayed, err = adj(50, "k1"); err != nil || coins != 150 || !replayed {
			t.Errorf("replay: %d, %v, %v", coins, replayed, err)
		}
		if coins, _, err = adj(-120, "k2"); err != nil || coins != 30 {
			t.Errorf("debit: %d, %v", coins, err)
		}
		if _, _, err = adj(-31, "k3"); imperio.ErrorCode(err) != imperio.EInsufficientFunds {
			t.Errorf("debit past zero: %v", err)
		}
		for _, bad := range []imperio.Adjustment{
			{Admin: by, UserID: p.ID, Amount: 0, Reason: "r", Key: "z"},
			{Admin: by, UserID: p.ID, Amount: 5, Reason: "", Key: "z"},
			{Admin: by, UserID: p.ID, Amount: 5, Reason: "r", Key: ""},
		} {
			if _, _, err := s.Adjust(ctx, bad); imperio.ErrorCode(err) != imperio.EInvalidInput {
				t.Errorf("Adjust(%+v) = %v, want invalid_input", bad, err)
			}
		}
		if _, _, err := s.Adjust(ctx, imperio.Adjustment{Admin: by, UserID: 999, Amount: 5, Reason: "r", Key: "z"}); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Errorf("unknown user: %v", err)
		}
		if got := balance(t, s, p.ID); got != 30 {
			t.Errorf("balance = %d, want 30", got)
		}
		entries := allEntries(t, s, p.ID)
		if len(entries) != 3 || entries[0].Kind != imperio.KindAdjustment || entries[0].Amount != -120 || entries[0].BalanceAfter != 30 {
			t.Errorf("ledger = %+v", entries)
		}
		// The player is shown the reason, not who gave it.
		for _, e := range entries {
			want := ""
			if e.Kind == imperio.KindAdjustment {
				want = "support ticket 7"
			}
			if e.Note != want {
				t.Errorf("%s entry note = %q, want %q", e.Kind, e.Note, want)
			}
		}
		note, err := store.QueryString(s, `SELECT note FROM ledger_entries WHERE user_id = ? AND amount = 50`, p.ID)
		if err != nil || note != "by Boss: support ticket 7" {
			t.Errorf("ledger note = %q, %v", note, err)
		}
		if log := auditLog(t, s); len(log) != 2 || log[0].Action != imperio.AuditAdjust || log[0].Admin != "Boss" {
			t.Errorf("audit log = %+v (one row per applied adjustment)", log)
		}
		checkLedger(t, s)
	})

	t.Run("AdjustConcurrentOneKey", func(t *testing.T) {
		s := b.Open(t)
		admin := newUser(t, s, "Boss", 0)
		p := newUser(t, s, "Player", 100)
		var wg sync.WaitGroup
		var applied atomic.Int32
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				coins, replayed, err := s.Adjust(ctx, imperio.Adjustment{Admin: imperio.Actor{ID: admin.ID, Name: "Boss"},
					UserID: p.ID, Amount: 40, Reason: "once", Key: "same"})
				if err != nil || coins != 140 {
					t.Errorf("Adjust = %d, %v, %v", coins, replayed, err)
				}
				if !replayed {
					applied.Add(1)
				}
			}()
		}
		wg.Wait()
		if applied.Load() != 1 || balance(t, s, p.ID) != 140 || len(auditLog(t, s)) != 1 {
			t.Errorf("%d of 8 concurrent adjustments with one key applied (balance %d), want 1", applied.Load(), balance(t, s, p.ID))
		}
		checkLedger(t, s)
	})

	t.Run("RefreshRotation", func(t *testing.T) {
		s := b.Open(t)
		p := newUser(t, s, "Player", 0)
		exp := time.Now().Add(time.Hour)
		if err := s.CreateRefreshToken(ctx, p.ID, "famA", "a1", exp); err != nil {
			t.Fatal(err)
		}
		u, err := s.RotateRefreshToken(ctx, "a1", "a2", exp)
		if err != nil || u.ID != p.ID {
			t.Fatalf("rotate: %+v, %v", u, err)
		}
		if _, err := s.RotateRefreshToken(ctx, "a2", "a3", exp); err != nil {
			t.Fatalf("rotate again: %v", err)
		}
		// a1 presented again: reuse; the whole family, a3 included, ends.
		if _, err := s.RotateRefreshToken(ctx, "a1", "x", exp); imperio.ErrorCode(err) != imperio.EUnauthorized {
			t.Errorf("reuse: %v", err)
		}
		if _, err := s.RotateRefreshToken(ctx, "a3", "a4", exp); imperio.ErrorCode(err) != imperio.EUnauthorized {
			t.Errorf("live token after reuse: %v, want unauthorized", err)
		}
		if _, err := s.RotateRefreshToken(ctx, "unknown", "y", exp); imperio.ErrorCode(err) != imperio.EUnauthorized {
			t.Errorf("unknown: %v", err)
		}
		if err := s.CreateRefreshToken(ctx, p.ID, "famB", "b1", time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RotateRefreshToken(ctx, "b1", "b2", exp); imperio.ErrorCode(err) != imperio.EUnauthorized {
			t.Errorf("expired: %v", err)
		}
		if err := s.CreateRefreshToken(ctx, p.ID, "famC", "c1", exp); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeRefreshToken(ctx, "c1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RotateRefreshToken(ctx, "c1", "c2", exp); imperio.ErrorCode(err) != imperio.EUnauthorized {
			t.Errorf("revoked: %v", err)
		}
	})

	t.Run("ConcurrentRefreshOneWins", func(t *testing.T) {
		s := b.Open(t)
		p := newUser(t, s, "Player", 0)
		exp := time.Now().Add(time.Hour)
		if err := s.CreateRefreshToken(ctx, p.ID, "fam", "t0", exp); err != nil {
			t.Fatal(err)
		}
		var ok atomic.Int32
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.RotateRefreshToken(ctx, "t0", "n"+string(rune('a'+i)), exp); err == nil {
					ok.Add(1)
				} else if imperio.ErrorCode(err) != imperio.EUnauthorized {
					t.Errorf("rotate: %v", err)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 1 {
			t.Errorf("%d concurrent rotations of one token succeeded, want 1", ok.Load())
		}
	})

	t.Run("Lockout", func(t *testing.T) {
		s := b.Open(t)
		p := newUser(t, s, "Player", 0)
		for i := 1; i <= 2; i++ {
			until, err := s.LoginFailed(ctx, p.ID, 3, time.Minute)
			if err != nil || !until.IsZero() {
				t.Fatalf("failure %d: %v, %v", i, until, err)
			}
		}
		if err := s.LoginSucceeded(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 3; i++ {
			until, err := s.LoginFailed(ctx, p.ID, 3, time.Minute)
			if err != nil || (i < 3) != until.IsZero() {
				t.Fatalf("failure %d after a success: %v, %v", i, until, err)
			}
		}
		u, _ := s.UserByID(ctx, p.ID)
		if u.LockedUntil == nil || time.Until(*u.LockedUntil) < 50*time.Second || u.FailedLogins != 0 {
			t.Errorf("locked user: %+v", u)
		}
		if err := s.LoginSucceeded(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.UserByID(ctx, p.ID); u.LockedUntil != nil || u.FailedLogins != 0 {
			t.Errorf("after success: %+v", u)
		}
	})

	t.Run("TOTPSecret", func(t *testing.T) {
		s := b.Open(t)
		p := newUser(t, s, "Player", 0)
		if err := s.SetTOTPSecret(ctx, p.ID, "SECRET1"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetTOTPEnabled(ctx, p.ID, true); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.UserByID(ctx, p.ID); !u.TOTPEnabled || u.TOTPSecret != "SECRET1" {
			t.Errorf("enabled: %+v", u)
		}
		if err := s.SetTOTPSecret(ctx, p.ID, "SECRET2"); imperio.ErrorCode(err) != imperio.EConflict {
			t.Errorf("new secret while on: %v", err)
		}
		for _, c := range []struct {
			step int64
			ok   bool
		}{{100, true}, {100, false}, {99, false}, {101, true}} {
			if ok, err := s.UseTOTPStep(ctx, p.ID, c.step); err != nil || ok != c.ok {
				t.Errorf("UseTOTPStep(%d) = %v, %v; want %v", c.step, ok, err, c.ok)
			}
		}
		if err := s.SetTOTPEnabled(ctx, p.ID, false); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.UserByID(ctx, p.ID); u.TOTPEnabled || u.TOTPSecret != "" {
			t.Errorf("disabled: %+v", u)
		}
	})

	t.Run("LossLimit", func(t *testing.T) { testLossLimit(t, b) })
	t.Run("SelfExclusion", func(t *testing.T) { testSelfExclusion(t, b) })
	t.Run("LossLimitConcurrent", func(t *testing.T) { testLossLimitConcurrent(t, b) })
}

func testLossLimit(t *testing.T, b storetest.Backend) {
	ctx := context.Background()
	s := b.Open(t)
	clk := &clock{t: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)}
	store.SetClock(s, clk.now)
	p := newUser(t, s, "Player", 1000)

	l, err := s.SetLossLimit(ctx, p.ID, 100)
	if err != nil || l.DailyLossLimit != 100 || l.Pending != nil || l.LostToday != 0 {
		t.Fatalf("set limit: %+v, %v", l, err)
	}
	// Lose 60 at slots, 30 at a table: 90 lost today.
	if _, err := s.SettleSpin(ctx, newSpin(p.ID, "s1", 60, 0)); err != nil {
		t.Fatal(err)
	}
	r := openRound(t, s, "roulette", "roulette:main")
	stake(t, s, r.ID, p.ID, "t1", 30)
	if l, _ = s.Limits(ctx, p.ID); l.LostToday != 90 {
		t.Errorf("lost today = %d, want 90", l.LostToday)
	}
	// A bet of 11 could take the loss to 101: refused, on both paths.
	if _, err := s.SettleSpin(ctx, newSpin(p.ID, "s2", 11, 50)); imperio.ErrorCode(err) != imperio.ELossLimit {
		t.Errorf("spin past the limit: %v, want loss_limit", err)
	}
	if _, _, err := s.Stake(ctx, imperio.Stake{RoundID: r.ID, UserID: p.ID, Key: "t2", Amount: 11}); imperio.ErrorCode(err) != imperio.ELossLimit {
		t.Errorf("stake past the limit: %v, want loss_limit", err)
	}
	if got := balance(t, s, p.ID); got != 910 {
		t.Errorf("balance = %d after refusals, want 910", got)
	}
	// Exactly up to the limit is allowed; a win brings room back.
	if _, err := s.SettleSpin(ctx, newSpin(p.ID, "s3", 10, 40)); err != nil {
		t.Fatalf("spin to the limit: %v", err)
	}
	if l, _ = s.Limits(ctx, p.ID); l.LostToday != 60 {
		t.Errorf("lost today after a win = %d, want 60", l.LostToday)
	}
	// Looser: pending for 24 hours; tighter: at once.
	if l, err = s.SetLossLimit(ctx, p.ID, 500); err != nil || l.DailyLossLimit != 100 || l.Pending == nil ||
		l.Pending.DailyLossLimit != 500 || !l.Pending.EffectiveAt.Equal(clk.now().Add(store.LimitCoolingOff)) {
		t.Errorf("loosen: %+v, %v", l, err)
	}
	if l, err = s.SetLossLimit(ctx, p.ID, 80); err != nil || l.DailyLossLimit != 80 || l.Pending != nil {
		t.Errorf("tighten: %+v, %v", l, err)
	}
	if _, err := s.SettleSpin(ctx, newSpin(p.ID, "s4", 21, 0)); imperio.ErrorCode(err) != imperio.ELossLimit {
		t.Errorf("spin past the tightened limit: %v", err)
	}
	// Removal waits too; the next day the count starts again, and once the
	// removal is due there is no limit at all.
	if l, err = s.SetLossLimit(ctx, p.ID, 0); err != nil || l.DailyLossLimit != 80 || l.Pending == nil || l.Pending.DailyLossLimit != 0 {
		t.Errorf("remove: %+v, %v", l, err)
	}
	clk.add(14 * time.Hour) // 00:00 the next day
	if l, _ = s.Limits(ctx, p.ID); l.LostToday != 0 || l.DailyLossLimit != 80 {
		t.Errorf("next day: %+v", l)
	}
	if _, err := s.SettleSpin(ctx, newSpin(p.ID, "s5", 81, 0)); imperio.ErrorCode(err) != imperio.ELossLimit {
		t.Errorf("81 with a limit of 80: %v", err)
	}
	clk.add(10 * time.Hour)
	if _, err := s.SettleSpin(ctx, newSpin(p.ID, "s6", 81, 0)); err != nil {
		t.Errorf("after the removal is due: %v", err)
	}
	if l, _ = s.Limits(ctx, p.ID); l.DailyLossLimit != 0 || l.Pending != nil || l.LostToday != 81 {
		t.Errorf("after removal: %+v", l)
	}
	if _, err := s.SetLossLimit(ctx, p.ID, -1); imperio.ErrorCode(err) != imperio.EInvalidInput {
		t.Errorf("negative limit: %v", err)
	}
	if _, err := s.SetLossLimit(ctx, 999, 5); imperio.ErrorCode(err) != imperio.ENotFound {
		t.Errorf("unknown user: %v", err)
	}
	checkLedger(t, s)
}

func testSelfExclusion(t *testing.T, b storetest.Backend) {
	ctx := context.Background()
	s := b.Open(t)
	clk := &clock{t: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)}
	store.SetClock(s, clk.now)
	p := newUser(t, s, "Player", 1000)
	if _, err := s.SettleSpin(ctx, newSpin(p.ID, "s1", 10, 0)); err != nil {
		t.Fatal(err)
	}
	r := openRound(t, s, "blackjack", "blackjack:1")
	for _, days := range []int{0, -1, 3651} {
		if _, err := s.SelfExclude(ctx, p.ID, days); imperio.ErrorCode(err) != imperio.EInvalidInput {
			t.Errorf("SelfExclude(%d) = %v", days, err)
		}
	}
	l, err := s.SelfExclude(ctx, p.ID, 7)
	if err != nil || l.SelfExcludedUntil == nil || !l.SelfExcludedUntil.Equal(clk.now().Add(7*24*time.Hour)) {
		t.Fatalf("SelfExclude(7) = %+v, %v", l, err)
	}
	// A shorter exclusion does not shorten it.
	if l, _ = s.SelfExclude(ctx, p.ID, 1); !l.SelfExcludedUntil.Equal(clk.now().Add(7 * 24 * time.Hour)) {
		t.Errorf("shortened to %v", l.SelfExcludedUntil)
	}
	if _, err := s.SettleSpin(ctx, newSpin(p.ID, "s2", 10, 0)); imperio.ErrorCode(err) != imperio.EForbidden {
		t.Errorf("spin while excluded: %v, want forbidden", err)
	}
	if _, _, err := s.Stake(ctx, imperio.Stake{RoundID: r.ID, UserID: p.ID, Key: "b1", Amount: 10}); imperio.ErrorCode(err) != imperio.EForbidden {
		t.Errorf("stake while excluded: %v, want forbidden", err)
	}
	if n := len(allEntries(t, s, p.ID)); n != 2 {
		t.Errorf("history while excluded has %d rows, want 2", n)
	}
	clk.add(7*24*time.Hour + time.Second)
	if _, err := s.SettleSpin(ctx, newSpin(p.ID, "s3", 10, 0)); err != nil {
		t.Errorf("spin after the exclusion: %v", err)
	}
	if l, _ = s.Limits(ctx, p.ID); l.SelfExcludedUntil != nil {
		t.Errorf("exclusion shown after it ended: %+v", l)
	}
	checkLedger(t, s)
}

// testLossLimitConcurrent: many concurrent spins of one player never take
// the day's loss past the limit.
func testLossLimitConcurrent(t *testing.T, b storetest.Backend) {
	ctx := context.Background()
	s := b.Open(t)
	p := newUser(t, s, "Player", 10000)
	if _, err := s.SetLossLimit(ctx, p.ID, 95); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var taken atomic.Int32
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.SettleSpin(ctx, newSpin(p.ID, "c"+string(rune('A'+i)), 10, 0))
			switch imperio.ErrorCode(err) {
			case "":
				taken.Add(1)
			case imperio.ELossLimit:
			default:
				t.Errorf("spin: %v", err)
			}
		}()
	}
	wg.Wait()
	if taken.Load() != 9 || balance(t, s, p.ID) != 10000-90 {
		t.Errorf("%d spins of 10 taken under a limit of 95 (balance %d), want 9", taken.Load(), balance(t, s, p.ID))
	}
	checkLedger(t, s)
}
