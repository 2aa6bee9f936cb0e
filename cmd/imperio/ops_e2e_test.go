package main

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pquerna/otp/totp"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/games/roulette"
	"github.com/imperio-casino/imperio/hub"
	"github.com/imperio-casino/imperio/store/storetest"
)

type errBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// enableTOTP turns two-factor on for a through the API.
func (e *testEnv) enableTOTP(a account) {
	e.t.Helper()
	var setup struct {
		Secret string `json:"secret"`
	}
	if code := e.do("POST", "/api/auth/totp/setup", a.Token, nil, &setup); code != 200 || setup.Secret == "" {
		e.t.Fatalf("totp setup: %d", code)
	}
	c, err := totp.GenerateCode(setup.Secret, time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	if code := e.do("POST", "/api/auth/totp/enable", a.Token, map[string]string{"code": c}, nil); code != 200 {
		e.t.Fatalf("totp enable: %d", code)
	}
}

// closed waits for the server to close the client's socket and returns the
// close status.
func (c *client) closed() websocket.StatusCode {
	c.t.Helper()
	select {
	case <-c.done:
		return websocket.CloseStatus(c.err)
	case <-time.After(10 * time.Second):
		c.t.Fatal("socket still open")
		return 0
	}
}

// TestAdmin: the admin API over real HTTP and sockets, on both backends:
// who may use it, listing and detail, an adjustment pushed to the player's
// socket, a ban that closes the player's socket and ends their sessions,
// and the audit log of it all.
func TestAdmin(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			url := "sqlite:" + t.TempDir() + "/imperio.db"
			if b.Name == "postgres" {
				url = storetest.NewPostgresSchema(t)
			}
			e := newTestEnv(t, storetest.Open(t, url), nil)
			boss := e.signup("boss")
			p := e.signup("player_one")

			// Not an admin yet: forbidden; no session: unauthorized.
			var eb errBody
			if code := e.do("GET", "/api/admin/users", boss.Token, nil, &eb); code != 403 || eb.Error.Code != "forbidden" {
				t.Fatalf("non-admin: %d %+v", code, eb)
			}
			if code := e.do("GET", "/api/admin/users", "", nil, nil); code != 401 {
				t.Fatalf("no session: %d", code)
			}
			// The command line makes the admin; without two-factor the API
			// still refuses.
			var out bytes.Buffer
			if err := run(t.Context(), []string{"admin", "grant", "Boss"}, verifyEnv(url), &out, &out); err != nil ||
				!strings.Contains(out.String(), "boss (id "+strconv.FormatInt(boss.ID, 10)+") is now admin") {
				t.Fatalf("imperio admin grant: %v\n%s", err, out.String())
			}
			eb = errBody{}
			if code := e.do("GET", "/api/admin/users", boss.Token, nil, &eb); code != 403 || eb.Error.Code != "totp_required" {
				t.Fatalf("admin without two-factor: %d %+v", code, eb)
			}
			e.enableTOTP(boss)
			var me struct {
				Role string `json:"role"`
			}
			if e.do("GET", "/api/me", boss.Token, nil, &me); me.Role != "admin" {
				t.Errorf("/api/me role = %q", me.Role)
			}
			if code := e.do("GET", "/api/admin/users", p.Token, nil, nil); code != 403 {
				t.Errorf("a player on the admin API: %d", code)
			}

			pc := e.dial(p)
			pc.expect("welcome")

			var inst struct {
				Instances []hub.InstanceInfo `json:"instances"`
			}
			if code := e.do("GET", "/api/admin/instances", boss.Token, nil, &inst); code != 200 || len(inst.Instances) != 1 ||
				inst.Instances[0].Instance != e.cfg.Instance || inst.Instances[0].Sockets < 1 {
				t.Errorf("instances: %d %+v", code, inst)
			}
			var users struct {
				Users []imperio.UserSummary `json:"users"`
			}
			if code := e.do("GET", "/api/admin/users?q=PLAYER", boss.Token, nil, &users); code != 200 || len(users.Users) != 1 ||
				users.Users[0].ID != p.ID || users.Users[0].Coins != 1000 || users.Users[0].Role != "player" || users.Users[0].Banned {
				t.Errorf("users?q=PLAYER: %d %+v", code, users)
			}

			// Adjust: credited, pushed to the player's socket, idempotent by key.
			var adj struct {
				Coins    int64 `json:"coins"`
				Replayed bool  `json:"replayed"`
			}
			path := "/api/admin/users/" + strconv.FormatInt(p.ID, 10)
			if code := e.do("POST", path+"/adjust", boss.Token, map[string]any{"amount": 250, "reason": "goodwill", "key": "t-1"}, &adj); code != 200 || adj.Coins != 1250 {
				t.Fatalf("adjust: %d %+v", code, adj)
			}
			if f := pc.expect("balance"); !strings.Contains(string(f.Data), `"coins":1250`) {
				t.Errorf("balance push: %s", f.Data)
			}
			if code := e.do("POST", path+"/adjust", boss.Token, map[string]any{"amount": 250, "reason": "goodwill", "key": "t-1"}, &adj); code != 200 || adj.Coins != 1250 || !adj.Replayed {
				t.Errorf("adjust replay: %d %+v", code, adj)
			}
			for _, bad := range []map[string]any{
				{"amount": -5000, "reason": "too much"},
				{"amount": 0, "reason": "nothing"},
				{"amount": 5},
				{"amount": 5, "reason": "x", "extra": 1},
				{"amount": "5", "reason": "x"},
			} {
				eb = errBody{}
				code := e.do("POST", path+"/adjust", boss.Token, bad, &eb)
				if code < 400 || code >= 500 || (eb.Error.Code != "invalid_input" && eb.Error.Code != "insufficient_funds") {
					t.Errorf("adjust %v: %d %+v", bad, code, eb)
				}
			}
			if code := e.do("POST", "/api/admin/users/99999/adjust", boss.Token, map[string]any{"amount": 5, "reason": "x"}, nil); code != 404 {
				t.Errorf("adjust of an unknown user: %d", code)
			}
			if code := e.do("POST", "/api/admin/users/abc/ban", boss.Token, map[string]any{"reason": "x"}, nil); code != 404 {
				t.Errorf("ban of a bad id: %d", code)
			}
			if got := e.coins(p); got != 1250 {
				t.Errorf("coins after refused adjustments = %d, want 1250", got)
			}
			pc.answer(pc.send("slots.spin", map[string]any{"machine": "cherry-charm", "bet": 5}))

			var detail struct {
				User struct {
					ID       int64  `json:"id"`
					Username string `json:"username"`
					Email    string `json:"email"`
				} `json:"user"`
				Transactions []imperio.LedgerEntry  `json:"transactions"`
				Rounds       []imperio.RoundSummary `json:"rounds"`
				Limits       *imperio.Limits        `json:"limits"`
			}
			if code := e.do("GET", path, boss.Token, nil, &detail); code != 200 || detail.User.ID != p.ID || detail.User.Email != "player_one@example.com" ||
				len(detail.Transactions) < 3 || len(detail.Rounds) != 1 || detail.Rounds[0].Game != "slots" ||
				detail.Limits == nil || detail.Limits.LostToday != 5-detail.Rounds[0].Won {
				t.Errorf("user detail: %d %+v", code, detail)
			}

			// Ban: the socket closes (4003), the token and the login stop
			// working, a new socket is refused.
			if code := e.do("POST", path+"/ban", boss.Token, map[string]any{"reason": "chargeback fraud"}, nil); code != 200 {
				t.Fatalf("ban: %d", code)
			}
			if st := pc.closed(); st != hub.CloseBanned {
				t.Errorf("banned socket closed with %d, want %d", st, hub.CloseBanned)
			}
			if code := e.do("GET", "/api/me", p.Token, nil, &eb); code != 403 {
				t.Errorf("banned token: %d", code)
			}
			eb = errBody{}
			if code := e.do("POST", "/api/auth/login", "", map[string]string{"username": "player_one", "password": "correct horse"}, &eb); code != 403 ||
				!strings.Contains(eb.Error.Message, "banned") {
				t.Errorf("banned login: %d %+v", code, eb)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.http.URL, "http")+"/ws", &websocket.DialOptions{
				HTTPHeader: http.Header{"Authorization": {"Bearer " + p.Token}},
			})
			if err == nil || res == nil || res.StatusCode != 403 {
				t.Errorf("socket of a banned account: %v", err)
			}
			if code := e.do("POST", path+"/unban", boss.Token, nil, nil); code != 200 {
				t.Fatalf("unban: %d", code)
			}
			if code := e.do("POST", "/api/auth/login", "", map[string]string{"username": "player_one", "password": "correct horse"}, nil); code != 200 {
				t.Errorf("login after unban: %d", code)
			}

			var audit struct {
				Entries []imperio.AuditEntry `json:"entries"`
			}
			if code := e.do("GET", "/api/admin/audit?limit=10", boss.Token, nil, &audit); code != 200 {
				t.Fatalf("audit: %d", code)
			}
			var actions []string
			for _, en := range audit.Entries {
				actions = append(actions, en.Admin+":"+en.Action+":"+en.Target)
			}
			want := "boss:unban:player_one boss:ban:player_one boss:adjust:player_one cli:role_grant:boss"
			if strings.Join(actions, " ") != want {
				t.Errorf("audit = %q, want %q", strings.Join(actions, " "), want)
			}
			if code := e.do("GET", "/api/admin/audit?before="+strconv.FormatInt(audit.Entries[1].ID, 10), boss.Token, nil, &audit); code != 200 || len(audit.Entries) != 2 {
				t.Errorf("audit page: %d %+v", code, audit)
			}
			if code := e.do("GET", "/api/admin/audit?limit=0", boss.Token, nil, nil); code != 400 {
				t.Errorf("audit limit=0: %d", code)
			}
			if sum, _ := e.ledgerSum(p); sum != e.coins(p) {
				t.Errorf("ledger %d, balance %d", sum, e.coins(p))
			}
			e.checkLedger()
		})
	}
}

// TestAdminCLI: grant and revoke from the command line, refusals with a
// non-zero exit.
func TestAdminCLI(t *testing.T) {
	url := "sqlite:" + t.TempDir() + "/imperio.db"
	e := newTestEnv(t, storetest.Open(t, url), nil)
	e.signup("root_user")
	var out bytes.Buffer
	for _, args := range [][]string{{"admin"}, {"admin", "promote", "root_user"}, {"admin", "grant", "nobody_here"}, {"admin", "grant", "root_user", "extra"}} {
		out.Reset()
		if err := run(t.Context(), args, verifyEnv(url), &out, &out); err == nil {
			t.Errorf("%v: no error\n%s", args, out.String())
		}
	}
	if err := run(t.Context(), []string{"admin", "grant", "root_user"}, verifyEnv(url), &out, &out); err != nil {
		t.Fatal(err)
	}
	if u, _ := e.store.UserByName(t.Context(), "root_user"); u.Role != "admin" {
		t.Errorf("role after grant: %q", u.Role)
	}
	out.Reset()
	if err := run(t.Context(), []string{"admin", "revoke", "root_user"}, verifyEnv(url), &out, &out); err != nil ||
		!strings.Contains(out.String(), "is now player") {
		t.Fatalf("revoke: %v %s", err, out.String())
	}
	log, _ := e.store.AuditLog(t.Context(), 0, 10)
	if len(log) != 2 || log[0].Action != "role_revoke" || log[1].Action != "role_grant" || log[0].Admin != "cli" {
		t.Errorf("audit: %+v", log)
	}
}

// TestResponsiblePlay: limits set over HTTP are enforced on sockets, at the
// slot machine and at a table; self-exclusion refuses every bet while
// history stays readable.
func TestResponsiblePlay(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newTestEnv(t, b.Open(t), nil, func(o *hub.Options) {
				r := roulette.DefaultRules()
				r.BetTime = time.Hour // the round stays open for bets
				o.RouletteRules = r
			})
			p := e.signup("careful")
			var l struct {
				DailyLossLimit    int64      `json:"daily_loss_limit"`
				Pending           *struct{}  `json:"pending"`
				SelfExcludedUntil *time.Time `json:"self_excluded_until"`
				LostToday         int64      `json:"lost_today"`
			}
			if code := e.do("GET", "/api/limits", p.Token, nil, &l); code != 200 || l.DailyLossLimit != 0 || l.Pending != nil || l.SelfExcludedUntil != nil {
				t.Fatalf("limits: %d %+v", code, l)
			}
			for _, bad := range []any{map[string]any{"daily_loss_limit": -1}, map[string]any{}, map[string]any{"limit": 5}, map[string]any{"daily_loss_limit": 1.5}} {
				if code := e.do("PUT", "/api/limits", p.Token, bad, nil); code != 400 {
					t.Errorf("PUT /api/limits %v: %d", bad, code)
				}
			}
			if code := e.do("PUT", "/api/limits", "", map[string]any{"daily_loss_limit": 5}, nil); code != 401 {
				t.Errorf("limits without a session: %d", code)
			}
			if code := e.do("PUT", "/api/limits", p.Token, map[string]any{"daily_loss_limit": 12}, &l); code != 200 || l.DailyLossLimit != 12 {
				t.Fatalf("set limit: %d %+v", code, l)
			}
			c := e.dial(p)
			c.expect("welcome")
			// Nothing lost yet: a table bet of 50 or a spin of 15 could pass
			// the limit of 12; a spin of 5 cannot.
			if f := c.answer(c.send("room.join", map[string]any{"room": "roulette:main"})); f.Type != "room.joined" {
				t.Fatalf("join: %s", f.Data)
			}
			f := c.answer(c.send("table.bet", map[string]any{"room": "roulette:main", "bets": []map[string]any{{"kind": "red", "amount": 50}}}))
			if f.code() != imperio.ELossLimit {
				t.Errorf("table bet past the limit: %s %s", f.Type, f.Data)
			}
			if f := c.answer(c.send("slots.spin", map[string]any{"machine": "cherry-charm", "bet": 15})); f.code() != imperio.ELossLimit {
				t.Errorf("spin past the limit: %s %s", f.Type, f.Data)
			}
			if got := e.coins(p); got != 1000 {
				t.Errorf("refused bets changed the balance: %d", got)
			}
			if f := c.answer(c.send("slots.spin", map[string]any{"machine": "cherry-charm", "bet": 5})); f.Type != "slots.result" {
				t.Fatalf("spin under the limit: %s %s", f.Type, f.Data)
			}
			if code := e.do("GET", "/api/limits", p.Token, nil, &l); code != 200 || l.LostToday != 1000-e.coins(p) {
				t.Errorf("lost_today = %d, balance %d", l.LostToday, e.coins(p))
			}
			// Loosening waits 24 hours.
			var pend struct {
				DailyLossLimit int64 `json:"daily_loss_limit"`
				Pending        *struct {
					DailyLossLimit int64     `json:"daily_loss_limit"`
					EffectiveAt    time.Time `json:"effective_at"`
				} `json:"pending"`
			}
			if code := e.do("PUT", "/api/limits", p.Token, map[string]any{"daily_loss_limit": 0}, &pend); code != 200 || pend.DailyLossLimit != 12 ||
				pend.Pending == nil || pend.Pending.DailyLossLimit != 0 || pend.Pending.EffectiveAt.Before(time.Now().Add(23*time.Hour)) {
				t.Errorf("loosen: %d %+v", code, pend)
			}

			// Self-exclusion: every bet refused, history readable.
			for _, bad := range []any{map[string]any{"days": 0}, map[string]any{"days": 3651}, map[string]any{"days": "7"}} {
				if code := e.do("POST", "/api/self-exclusion", p.Token, bad, nil); code != 400 {
					t.Errorf("self-exclusion %v: %d", bad, code)
				}
			}
			if code := e.do("POST", "/api/self-exclusion", p.Token, map[string]any{"days": 2}, &l); code != 200 || l.SelfExcludedUntil == nil ||
				l.SelfExcludedUntil.Before(time.Now().Add(47*time.Hour)) {
				t.Fatalf("self-exclusion: %d %+v", code, l)
			}
			if f := c.answer(c.send("slots.spin", map[string]any{"machine": "cherry-charm", "bet": 5})); f.code() != imperio.EForbidden {
				t.Errorf("spin while self-excluded: %s %s", f.Type, f.Data)
			}
			f = c.answer(c.send("table.bet", map[string]any{"room": "roulette:main", "bets": []map[string]any{{"kind": "red", "amount": 1}}}))
			if f.code() != imperio.EForbidden {
				t.Errorf("table bet while self-excluded: %s %s", f.Type, f.Data)
			}
			if code := e.do("GET", "/api/transactions", p.Token, nil, nil); code != 200 {
				t.Errorf("history while self-excluded: %d", code)
			}
			if sum, _ := e.ledgerSum(p); sum != e.coins(p) {
				t.Errorf("ledger %d, balance %d", sum, e.coins(p))
			}
			e.checkLedger()
		})
	}
}
