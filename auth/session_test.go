package auth

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/bcrypt"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/ratelimit"
	"github.com/imperio-casino/imperio/store"
	"github.com/imperio-casino/imperio/store/storetest"
)

// testClock is a settable clock, real time plus an offset.
type testClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *testClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().Add(c.off) }
func (c *testClock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.off += d }

// storeEnv is an auth Service over a real store (SQLite), with the session
// features on: refresh tokens, lockout, two-factor, a Revoker.
type storeEnv struct {
	*env
	store *store.Store
	clock *testClock
}

func newStoreEnv(t *testing.T, mod func(*Config)) *storeEnv {
	t.Helper()
	st := storetest.OpenSQLite(t)
	clk := &testClock{}
	cfg := Config{Secret: testSecret, TokenTTL: time.Minute, SignupGrant: 1000, BcryptCost: bcrypt.MinCost,
		LockoutFailures: 3, LockoutDuration: 15 * time.Minute, Now: clk.now}
	cfg.Revoker = NewMemoryRevoker(clk.now)
	if mod != nil {
		mod(&cfg)
	}
	var logs bytes.Buffer
	svc := New(cfg, st, slog.New(slog.NewJSONHandler(&logs, nil)))
	if svc.acc == nil {
		t.Fatal("the store does not satisfy Accounts")
	}
	r := gin.New()
	svc.Routes(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &storeEnv{env: &env{svc: svc, srv: srv, logs: &logs}, store: st, clock: clk}
}

func (a answer) namedCookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: a.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func login(username, password string) map[string]string {
	return map[string]string{"username": username, "password": password}
}

func TestRefreshTokens(t *testing.T) {
	e := newStoreEnv(t, nil)
	a := e.do(t, "POST", "/api/auth/signup", signupBody("alice"), nil)
	if a.status != http.StatusCreated {
		t.Fatalf("signup: %d %s", a.status, a.raw)
	}
	rt1, _ := a.body["refresh_token"].(string)
	ck := a.namedCookie(RefreshCookieName)
	if rt1 == "" || ck == nil || ck.Value != rt1 || !ck.HttpOnly || ck.Path != "/api/auth" || ck.SameSite != http.SameSiteStrictMode ||
		ck.MaxAge != int(DefaultRefreshTTL/time.Second) {
		t.Fatalf("refresh token %q, cookie %+v", rt1, ck)
	}
	if s := a.cookie(t); s.MaxAge != 60 {
		t.Errorf("session cookie lives %d s, want the access TTL (60)", s.MaxAge)
	}

	// The cookie refreshes: a new access token and a new refresh token.
	b := e.do(t, "POST", "/api/auth/refresh", nil, map[string]string{"Cookie": RefreshCookieName + "=" + rt1})
	rt2, _ := b.body["refresh_token"].(string)
	tok2, _ := b.body["token"].(string)
	if b.status != http.StatusOK || rt2 == "" || rt2 == rt1 || tok2 == "" || b.namedCookie(RefreshCookieName).Value != rt2 ||
		b.cookie(t).Value != tok2 || b.body["user"].(map[string]any)["username"] != "alice" {
		t.Fatalf("refresh: %d %s", b.status, b.raw)
	}
	if me := e.do(t, "GET", "/api/me", nil, bearerHdr(tok2)); me.status != http.StatusOK {
		t.Errorf("/api/me with the refreshed token: %d", me.status)
	}
	// The body refreshes too (clients without cookies).
	c := e.do(t, "POST", "/api/auth/refresh", map[string]string{"refresh_token": rt2}, nil)
	rt3, _ := c.body["refresh_token"].(string)
	if c.status != http.StatusOK || rt3 == "" {
		t.Fatalf("refresh by body: %d %s", c.status, c.raw)
	}
	// rt1 again: reuse. It fails, and so does the family's live token, rt3.
	if d := e.do(t, "POST", "/api/auth/refresh", map[string]string{"refresh_token": rt1}, nil); d.status != http.StatusUnauthorized {
		t.Errorf("reused refresh token: %d %s", d.status, d.raw)
	} else if dc := d.namedCookie(RefreshCookieName); dc == nil || dc.MaxAge >= 0 {
		t.Errorf("a refused refresh should clear the cookie: %+v", dc)
	}
	if d := e.do(t, "POST", "/api/auth/refresh", map[string]string{"refresh_token": rt3}, nil); d.status != http.StatusUnauthorized {
		t.Errorf("family member after reuse: %d %s", d.status, d.raw)
	}
	for _, body := range []any{nil, map[string]string{"refresh_token": "nonsense"}, `{"refresh_token": 5}`, map[string]string{"other": "x"}} {
		d := e.do(t, "POST", "/api/auth/refresh", body, nil)
		if code, _ := d.errCode(); d.status < 400 || (code != imperio.EUnauthorized && code != imperio.EInvalidInput) {
			t.Errorf("refresh with %v: %d %s", body, d.status, d.raw)
		}
	}
}

func TestLogoutEndsBothTokens(t *testing.T) {
	e := newStoreEnv(t, nil)
	a := e.do(t, "POST", "/api/auth/signup", signupBody("bob"), nil)
	tok, rt := a.body["token"].(string), a.body["refresh_token"].(string)
	if me := e.do(t, "GET", "/api/me", nil, bearerHdr(tok)); me.status != http.StatusOK || me.body["role"] != "player" {
		t.Fatalf("/api/me: %d %s", me.status, me.raw)
	}
	out := e.do(t, "POST", "/api/auth/logout", nil, map[string]string{
		"Authorization": "Bearer " + tok, "Cookie": RefreshCookieName + "=" + rt})
	if out.status != http.StatusOK {
		t.Fatalf("logout: %d %s", out.status, out.raw)
	}
	if c := out.namedCookie(RefreshCookieName); c == nil || c.MaxAge >= 0 {
		t.Errorf("logout should clear the refresh cookie: %+v", c)
	}
	if me := e.do(t, "GET", "/api/me", nil, bearerHdr(tok)); me.status != http.StatusUnauthorized {
		t.Errorf("access token after logout: %d, want 401", me.status)
	}
	if r := e.do(t, "POST", "/api/auth/refresh", map[string]string{"refresh_token": rt}, nil); r.status != http.StatusUnauthorized {
		t.Errorf("refresh token after logout: %d, want 401", r.status)
	}
	// The access token expires by itself after its TTL.
	b := e.do(t, "POST", "/api/auth/login", login("bob", "correct horse"), nil)
	tok = b.body["token"].(string)
	e.clock.add(61 * time.Second)
	if me := e.do(t, "GET", "/api/me", nil, bearerHdr(tok)); me.status != http.StatusUnauthorized {
		t.Errorf("access token past its TTL: %d, want 401", me.status)
	}
}

func TestMemoryRevoker(t *testing.T) {
	clk := &testClock{}
	r := NewMemoryRevoker(clk.now)
	ctx := context.Background()
	if err := r.Revoke(ctx, "a", clk.now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := r.Revoke(ctx, "old", clk.now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := r.Revoked(ctx, "a"); !ok {
		t.Error("a not revoked")
	}
	if ok, _ := r.Revoked(ctx, "b"); ok {
		t.Error("b revoked")
	}
	if ok, _ := r.Revoked(ctx, "old"); ok {
		t.Error("an already expired token is kept")
	}
	clk.add(2 * time.Minute)
	if ok, _ := r.Revoked(ctx, "a"); ok {
		t.Error("a still revoked after its expiry")
	}
	_ = r.Revoke(ctx, "c", clk.now().Add(time.Minute))
	r.mu.Lock()
	n := len(r.revoked)
	r.mu.Unlock()
	if n != 1 {
		t.Errorf("%d ids kept, want 1 (expired ones are forgotten)", n)
	}
}

func TestLoginLockout(t *testing.T) {
	e := newStoreEnv(t, nil)
	e.do(t, "POST", "/api/auth/signup", signupBody("carol"), nil)
	for i := 1; i <= 2; i++ {
		if a := e.do(t, "POST", "/api/auth/login", login("carol", "wrong password"), nil); a.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %s", i, a.status, a.raw)
		}
	}
	// A success resets the count.
	if a := e.do(t, "POST", "/api/auth/login", login("carol", "correct horse"), nil); a.status != http.StatusOK {
		t.Fatalf("login: %d %s", a.status, a.raw)
	}
	for i := 1; i <= 2; i++ {
		if a := e.do(t, "POST", "/api/auth/login", login("Carol", "wrong password"), nil); a.status != http.StatusUnauthorized {
			t.Fatalf("failure %d after a success: %d %s", i, a.status, a.raw)
		}
	}
	a := e.do(t, "POST", "/api/auth/login", login("carol", "wrong password"), nil)
	if code, _ := a.errCode(); a.status != http.StatusLocked || code != imperio.ELocked || a.header.Get("Retry-After") != "900" {
		t.Fatalf("third failure: %d %s Retry-After=%q", a.status, a.raw, a.header.Get("Retry-After"))
	}
	// Locked: even the right password is refused, durably (in the store).
	a = e.do(t, "POST", "/api/auth/login", login("carol", "correct horse"), nil)
	if code, _ := a.errCode(); a.status != http.StatusLocked || code != imperio.ELocked || a.header.Get("Retry-After") == "" {
		t.Fatalf("right password while locked: %d %s", a.status, a.raw)
	}
	if u, _ := e.store.UserByName(context.Background(), "carol"); u.LockedUntil == nil {
		t.Error("the lock is not in the store")
	}
	e.clock.add(16 * time.Minute)
	if a := e.do(t, "POST", "/api/auth/login", login("carol", "correct horse"), nil); a.status != http.StatusOK {
		t.Fatalf("after the lock: %d %s", a.status, a.raw)
	}
	if u, _ := e.store.UserByName(context.Background(), "carol"); u.LockedUntil != nil || u.FailedLogins != 0 {
		t.Errorf("a success should clear the lock: %+v", u)
	}
}

func TestBannedAccount(t *testing.T) {
	e := newStoreEnv(t, nil)
	tok, id := e.signup(t, "dave")
	if _, err := e.store.Ban(context.Background(), imperio.Actor{Name: "test"}, id, "abuse"); err != nil {
		t.Fatal(err)
	}
	a := e.do(t, "POST", "/api/auth/login", login("dave", "correct horse"), nil)
	if code, msg := a.errCode(); a.status != http.StatusForbidden || code != imperio.EForbidden || !strings.Contains(msg, "banned") {
		t.Errorf("login of a banned account: %d %s", a.status, a.raw)
	}
	if a := e.do(t, "GET", "/api/me", nil, bearerHdr(tok)); a.status != http.StatusForbidden {
		t.Errorf("token of a banned account: %d %s", a.status, a.raw)
	}
	// A wrong password still says only that.
	if a := e.do(t, "POST", "/api/auth/login", login("dave", "wrong password"), nil); a.status != http.StatusUnauthorized {
		t.Errorf("wrong password of a banned account: %d %s", a.status, a.raw)
	}
}

func TestTOTP(t *testing.T) {
	e := newStoreEnv(t, nil)
	tok, _ := e.signup(t, "erin")
	auth := bearerHdr(tok)
	if a := e.do(t, "POST", "/api/auth/totp/enable", map[string]string{"code": "123456"}, auth); a.status != http.StatusConflict {
		t.Errorf("enable before setup: %d %s", a.status, a.raw)
	}
	a := e.do(t, "POST", "/api/auth/totp/setup", nil, auth)
	secret, _ := a.body["secret"].(string)
	url, _ := a.body["url"].(string)
	if a.status != http.StatusOK || secret == "" || !strings.HasPrefix(url, "otpauth://totp/Imperio:erin?") {
		t.Fatalf("setup: %d %s", a.status, a.raw)
	}
	code := func() string {
		c, err := totp.GenerateCode(secret, e.clock.now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	wrong := func() string { // a code that is not valid now (nor a step away)
		c, _ := totp.GenerateCode(secret, e.clock.now().Add(10*time.Minute))
		return c
	}
	if a := e.do(t, "POST", "/api/auth/totp/enable", map[string]string{"code": wrong()}, auth); a.status != http.StatusBadRequest {
		t.Errorf("enable with a wrong code: %d %s", a.status, a.raw)
	}
	enableCode := code()
	if a := e.do(t, "POST", "/api/auth/totp/enable", map[string]string{"code": enableCode}, auth); a.status != http.StatusOK {
		t.Fatalf("enable: %d %s", a.status, a.raw)
	}
	// A code works once: the one that enabled two-factor cannot log in.
	a = e.do(t, "POST", "/api/auth/login", map[string]string{"username": "erin", "password": "correct horse", "totp": enableCode}, nil)
	if code, _ := a.errCode(); a.status != http.StatusUnauthorized || code != imperio.EInvalidCreds {
		t.Errorf("login with a used code: %d %s", a.status, a.raw)
	}
	e.clock.add(30 * time.Second)
	if me := e.do(t, "GET", "/api/me", nil, auth); me.body["totp_enabled"] != true {
		t.Errorf("/api/me: %s", me.raw)
	}
	a = e.do(t, "POST", "/api/auth/login", login("erin", "correct horse"), nil)
	if code, _ := a.errCode(); a.status != http.StatusUnauthorized || code != imperio.ETOTPRequired {
		t.Errorf("login without a code: %d %s", a.status, a.raw)
	}
	a = e.do(t, "POST", "/api/auth/login", map[string]string{"username": "erin", "password": "correct horse", "totp": wrong()}, nil)
	if code, _ := a.errCode(); a.status != http.StatusUnauthorized || code != imperio.EInvalidCreds {
		t.Errorf("login with a wrong code: %d %s", a.status, a.raw)
	}
	a = e.do(t, "POST", "/api/auth/login", map[string]string{"username": "erin", "password": "correct horse", "totp": code()}, nil)
	if a.status != http.StatusOK {
		t.Fatalf("login with the code: %d %s", a.status, a.raw)
	}
	auth = bearerHdr(a.body["token"].(string)) // the first one is near its expiry
	e.clock.add(30 * time.Second)
	if a := e.do(t, "POST", "/api/auth/totp/setup", nil, auth); a.status != http.StatusConflict {
		t.Errorf("setup while on: %d %s", a.status, a.raw)
	}
	if a := e.do(t, "POST", "/api/auth/totp/disable", map[string]string{"code": wrong()}, auth); a.status != http.StatusBadRequest {
		t.Errorf("disable with a wrong code: %d %s", a.status, a.raw)
	}
	if a := e.do(t, "POST", "/api/auth/totp/disable", map[string]string{"code": code()}, auth); a.status != http.StatusOK {
		t.Errorf("disable: %d %s", a.status, a.raw)
	}
	if a := e.do(t, "POST", "/api/auth/login", login("erin", "correct horse"), nil); a.status != http.StatusOK {
		t.Errorf("login after disable: %d %s", a.status, a.raw)
	}
}

func TestAdminRequired(t *testing.T) {
	st := storetest.OpenSQLite(t)
	clk := &testClock{}
	svc := New(Config{Secret: testSecret, BcryptCost: bcrypt.MinCost, Now: clk.now,
		AdminLimiter: ratelimit.NewMemory(ratelimit.Rule{Rate: 0.001, Burst: 2})}, st, nil)
	r := gin.New()
	svc.Routes(r)
	r.GET("/admin", svc.AdminRequired(), func(c *gin.Context) {
		id, _ := IdentityFrom(c)
		c.JSON(http.StatusOK, gin.H{"admin": id.Username, "role": id.Role})
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	e := &env{svc: svc, srv: srv}
	tok, id := e.signup(t, "root")
	call := func() answer { return e.do(t, "GET", "/admin", nil, bearerHdr(tok)) }
	if a := e.do(t, "GET", "/admin", nil, nil); a.status != http.StatusUnauthorized {
		t.Errorf("no session: %d", a.status)
	}
	if a := call(); a.status != http.StatusForbidden {
		t.Errorf("player: %d %s", a.status, a.raw)
	} else if code, _ := a.errCode(); code != imperio.EForbidden {
		t.Errorf("player: %s", a.raw)
	}
	if _, err := st.SetRole(context.Background(), imperio.Actor{Name: "test"}, "root", imperio.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if a := call(); a.status != http.StatusForbidden {
		t.Errorf("admin without two-factor: %d %s", a.status, a.raw)
	} else if code, _ := a.errCode(); code != imperio.ETOTPRequired {
		t.Errorf("admin without two-factor: %s", a.raw)
	}
	if err := st.SetTOTPSecret(context.Background(), id, "JBSWY3DPEHPK3PXP"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetTOTPEnabled(context.Background(), id, true); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if a := call(); a.status != http.StatusOK || a.body["admin"] != "root" || a.body["role"] != "admin" {
			t.Fatalf("admin call %d: %d %s", i, a.status, a.raw)
		}
	}
	if a := call(); a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
		t.Errorf("past the admin rate limit: %d %s", a.status, a.raw)
	}
}

func TestLockoutOff(t *testing.T) {
	e := newStoreEnv(t, func(c *Config) { c.LockoutFailures = -1 })
	e.signup(t, "frank")
	for i := 0; i < 6; i++ {
		if a := e.do(t, "POST", "/api/auth/login", login("frank", "wrong password"), nil); a.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %s", i, a.status, a.raw)
		}
	}
	if a := e.do(t, "POST", "/api/auth/login", login("frank", "correct horse"), nil); a.status != http.StatusOK {
		t.Errorf("login with the lockout off: %d %s", a.status, a.raw)
	}
}
