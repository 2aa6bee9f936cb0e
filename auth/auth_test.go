package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/ratelimit"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

// fakeUsers is an in-memory Users: unique usernames ignoring case, the
// grant credited as the opening balance.
type fakeUsers struct {
	mu     sync.Mutex
	byID   map[int64]imperio.User
	nextID int64
	fail   error // returned by every call when set
}

func newFakeUsers() *fakeUsers { return &fakeUsers{byID: map[int64]imperio.User{}} }

func (f *fakeUsers) CreateUser(_ context.Context, n imperio.NewUser) (imperio.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return imperio.User{}, f.fail
	}
	for _, u := range f.byID {
		if strings.EqualFold(u.Username, n.Username) {
			return imperio.User{}, imperio.Errorf(imperio.EUsernameTaken, "Username %q is taken.", n.Username)
		}
	}
	f.nextID++
	u := imperio.User{
		ID: f.nextID, Username: n.Username, Email: n.Email, PasswordHash: n.PasswordHash,
		Role: "player", Coins: n.Grant, CreatedAt: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC),
	}
	f.byID[u.ID] = u
	return u, nil
}

func (f *fakeUsers) UserByName(_ context.Context, name string) (imperio.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return imperio.User{}, f.fail
	}
	for _, u := range f.byID {
		if strings.EqualFold(u.Username, name) {
			return u, nil
		}
	}
	return imperio.User{}, imperio.Errorf(imperio.ENotFound, "No such user.")
}

func (f *fakeUsers) UserByID(_ context.Context, id int64) (imperio.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return imperio.User{}, f.fail
	}
	u, ok := f.byID[id]
	if !ok {
		return imperio.User{}, imperio.Errorf(imperio.ENotFound, "No such user.")
	}
	return u, nil
}

var testSecret = []byte("0123456789abcdef0123456789abcdef")

type env struct {
	svc   *Service
	users *fakeUsers
	srv   *httptest.Server
	logs  *bytes.Buffer
}

func newEnv(t *testing.T, mod func(*Config)) *env {
	t.Helper()
	cfg := Config{Secret: testSecret, TokenTTL: time.Hour, SignupGrant: 1000, BcryptCost: bcrypt.MinCost}
	if mod != nil {
		mod(&cfg)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	users := newFakeUsers()
	svc := New(cfg, users, log)
	r := gin.New()
	svc.Routes(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &env{svc: svc, users: users, srv: srv, logs: &logs}
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends a request; body is JSON-encoded unless it is a string.
func (e *env) do(t *testing.T, method, path string, body any, hdr map[string]string) answer {
	t.Helper()
	var rd *strings.Reader
	switch b := body.(type) {
	case nil:
		rd = strings.NewReader("")
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = strings.NewReader(string(buf))
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var raw bytes.Buffer
	raw.ReadFrom(res.Body)
	a := answer{status: res.StatusCode, header: res.Header, raw: raw.String()}
	if raw.Len() > 0 {
		if err := json.Unmarshal(raw.Bytes(), &a.body); err != nil {
			t.Fatalf("%s %s: answer is not a JSON object: %q", method, path, raw.String())
		}
	}
	return a
}

// errCode returns the error code and message of an error answer.
func (a answer) errCode() (string, string) {
	e, _ := a.body["error"].(map[string]any)
	code, _ := e["code"].(string)
	msg, _ := e["message"].(string)
	return code, msg
}

func (a answer) cookie(t *testing.T) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: a.header}).Cookies() {
		if c.Name == CookieName {
			return c
		}
	}
	t.Fatalf("no %s cookie in %v", CookieName, a.header.Values("Set-Cookie"))
	return nil
}

func signupBody(username string) map[string]string {
	return map[string]string{"username": username, "email": username + "@example.com", "password": "correct horse"}
}

func (e *env) signup(t *testing.T, username string) (token string, id int64) {
	t.Helper()
	a := e.do(t, "POST", "/api/auth/signup", signupBody(username), nil)
	if a.status != http.StatusCreated {
		t.Fatalf("signup %s: %d %s", username, a.status, a.raw)
	}
	user := a.body["user"].(map[string]any)
	return a.body["token"].(string), int64(user["id"].(float64))
}

func bearerHdr(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

func TestSignup(t *testing.T) {
	e := newEnv(t, nil)
	a := e.do(t, "POST", "/api/auth/signup", signupBody("Alice_1"), nil)
	if a.status != http.StatusCreated {
		t.Fatalf("status %d, body %s", a.status, a.raw)
	}
	user, _ := a.body["user"].(map[string]any)
	token, _ := a.body["token"].(string)
	if user["username"] != "Alice_1" || user["id"] != float64(1) || token == "" {
		t.Fatalf("body %s", a.raw)
	}

	t.Run("Cookie", func(t *testing.T) {
		ck := a.cookie(t)
		if ck.Value != token || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" ||
			ck.MaxAge != 3600 || ck.Secure {
			t.Errorf("cookie %+v; Set-Cookie %q", ck, a.header.Get("Set-Cookie"))
		}
	})

	t.Run("GrantPassedToStore", func(t *testing.T) {
		u, _ := e.users.UserByID(context.Background(), 1)
		if u.Coins != 1000 || u.Email != "Alice_1@example.com" {
			t.Errorf("stored %+v", u)
		}
		if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte("correct horse")) != nil {
			t.Error("stored hash does not match the password")
		}
	})

	t.Run("BearerOnMe", func(t *testing.T) {
		me := e.do(t, "GET", "/api/me", nil, bearerHdr(token))
		if me.status != http.StatusOK || me.body["id"] != float64(1) || me.body["username"] != "Alice_1" ||
			me.body["coins"] != float64(1000) || me.body["created_at"] != "2025-03-01T10:00:00Z" {
			t.Errorf("/api/me: %d %s", me.status, me.raw)
		}
	})

	t.Run("CookieOnMe", func(t *testing.T) {
		me := e.do(t, "GET", "/api/me", nil, map[string]string{"Cookie": CookieName + "=" + token})
		if me.status != http.StatusOK || me.body["username"] != "Alice_1" {
			t.Errorf("/api/me: %d %s", me.status, me.raw)
		}
	})

	t.Run("MeReadsCurrentCoins", func(t *testing.T) {
		e.users.mu.Lock()
		u := e.users.byID[1]
		u.Coins = 42
		e.users.byID[1] = u
		e.users.mu.Unlock()
		me := e.do(t, "GET", "/api/me", nil, bearerHdr(token))
		if me.body["coins"] != float64(42) {
			t.Errorf("coins %v, want 42", me.body["coins"])
		}
	})

	t.Run("SecureBehindTLSProxy", func(t *testing.T) {
		a := e.do(t, "POST", "/api/auth/signup", signupBody("bob"), map[string]string{"X-Forwarded-Proto": "https"})
		if a.status != http.StatusCreated || !a.cookie(t).Secure {
			t.Errorf("status %d, cookie %q: want Secure", a.status, a.header.Get("Set-Cookie"))
		}
	})

	t.Run("SecureOverTLS", func(t *testing.T) {
		svc := New(Config{Secret: testSecret, BcryptCost: bcrypt.MinCost}, newFakeUsers(), nil)
		r := gin.New()
		svc.Routes(r)
		srv := httptest.NewTLSServer(r)
		defer srv.Close()
		res, err := srv.Client().Post(srv.URL+"/api/auth/signup", "application/json",
			strings.NewReader(`{"username":"carol","email":"c@example.com","password":"12345678"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated || len(res.Cookies()) != 1 || !res.Cookies()[0].Secure ||
			res.Cookies()[0].MaxAge != int(DefaultTokenTTL/time.Second) {
			t.Errorf("status %d, Set-Cookie %q", res.StatusCode, res.Header.Get("Set-Cookie"))
		}
	})
}

func TestSignupInvalid(t *testing.T) {
	e := newEnv(t, nil)
	long := strings.Repeat("a", 73)
	tests := []struct {
		name string
		body any
		want string // in the message
	}{
		{"UsernameMissing", map[string]string{"email": "a@example.com", "password": "12345678"}, "username"},
		{"UsernameShort", map[string]string{"username": "ab", "email": "a@example.com", "password": "12345678"}, "username"},
		{"UsernameLong", map[string]string{"username": strings.Repeat("a", 21), "email": "a@example.com", "password": "12345678"}, "username"},
		{"UsernameBadChar", map[string]string{"username": "al-ice", "email": "a@example.com", "password": "12345678"}, "username"},
		{"UsernameSpace", map[string]string{"username": "alice ", "email": "a@example.com", "password": "12345678"}, "username"},
		{"UsernameUnicode", map[string]string{"username": "alicé", "email": "a@example.com", "password": "12345678"}, "username"},
		{"EmailMissing", map[string]string{"username": "alice", "password": "12345678"}, "email"},
		{"EmailNoAt", map[string]string{"username": "alice", "email": "alice.example.com", "password": "12345678"}, "email"},
		{"EmailDisplayName", map[string]string{"username": "alice", "email": "Alice <a@example.com>", "password": "12345678"}, "email"},
		{"EmailAngle", map[string]string{"username": "alice", "email": "<a@example.com>", "password": "12345678"}, "email"},
		{"EmailTwo", map[string]string{"username": "alice", "email": "a@example.com, b@example.com", "password": "12345678"}, "email"},
		{"EmailLong", map[string]string{"username": "alice", "email": strings.Repeat("a", 250) + "@example.com", "password": "12345678"}, "email"},
		{"PasswordMissing", map[string]string{"username": "alice", "email": "a@example.com"}, "password"},
		{"PasswordShort", map[string]string{"username": "alice", "email": "a@example.com", "password": "1234567"}, "password"},
		{"PasswordShortRunes", map[string]string{"username": "alice", "email": "a@example.com", "password": "ééééééé"}, "password"},
		{"PasswordTooLong", map[string]string{"username": "alice", "email": "a@example.com", "password": long}, "password"},
		{"UnknownField", `{"username":"alice","email":"a@example.com","password":"12345678","coins":1000000}`, `unknown field "coins"`},
		{"WrongType", `{"username":42,"email":"a@example.com","password":"12345678"}`, "username must be a string"},
		{"Malformed", `{"username":"alice",`, "not valid JSON"},
		{"Garbage", `hello`, "not valid JSON"},
		{"Empty", ``, "JSON object"},
		{"Array", `[1,2]`, "JSON object"},
		{"TwoObjects", `{"username":"alice","email":"a@example.com","password":"12345678"} {}`, "single JSON object"},
		{"TooLarge", `{"username":"alice","email":"a@example.com","password":"` + strings.Repeat("x", 5000) + `"}`, "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.do(t, "POST", "/api/auth/signup", tt.body, nil)
			code, msg := a.errCode()
			if a.status != http.StatusBadRequest || code != imperio.EInvalidInput || !strings.Contains(msg, tt.want) {
				t.Errorf("%d %s; want 400 invalid_input naming %q", a.status, a.raw, tt.want)
			}
			if len(a.header.Values("Set-Cookie")) != 0 {
				t.Error("cookie set on a refused signup")
			}
		})
	}
	if len(e.users.byID) != 0 {
		t.Errorf("%d accounts created by invalid signups", len(e.users.byID))
	}
	t.Run("Boundaries", func(t *testing.T) {
		for _, b := range []map[string]string{
			{"username": "abc", "email": "x@example.com", "password": "12345678"},
			{"username": "A_b_C_d_E_f_G_h_I_j_", "email": "y+tag@sub.example.com", "password": strings.Repeat("p", 72)},
		} {
			if a := e.do(t, "POST", "/api/auth/signup", b, nil); a.status != http.StatusCreated {
				t.Errorf("%v refused: %s", b, a.raw)
			}
		}
	})
}

func TestSignupUsernameTaken(t *testing.T) {
	e := newEnv(t, nil)
	e.signup(t, "alice")
	for _, name := range []string{"alice", "ALICE", "Alice"} {
		a := e.do(t, "POST", "/api/auth/signup", signupBody(name), nil)
		if code, _ := a.errCode(); a.status != http.StatusConflict || code != imperio.EUsernameTaken {
			t.Errorf("%s: %d %s, want 409 username_taken", name, a.status, a.raw)
		}
	}
}

func TestLogin(t *testing.T) {
	e := newEnv(t, nil)
	_, id := e.signup(t, "Alice")
	login := func(username, password string) answer {
		return e.do(t, "POST", "/api/auth/login", map[string]string{"username": username, "password": password}, nil)
	}

	t.Run("OK", func(t *testing.T) {
		a := login("alice", "correct horse") // any letter case
		if a.status != http.StatusOK {
			t.Fatalf("%d %s", a.status, a.raw)
		}
		user := a.body["user"].(map[string]any)
		if user["id"] != float64(id) || user["username"] != "Alice" {
			t.Errorf("user %v", user)
		}
		token := a.body["token"].(string)
		if ck := a.cookie(t); ck.Value != token || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %q", a.header.Get("Set-Cookie"))
		}
		if me := e.do(t, "GET", "/api/me", nil, bearerHdr(token)); me.status != http.StatusOK {
			t.Errorf("/api/me with login token: %d %s", me.status, me.raw)
		}
	})

	var wrong, unknown answer
	t.Run("WrongPassword", func(t *testing.T) {
		wrong = login("Alice", "wrong horse")
		if code, _ := wrong.errCode(); wrong.status != http.StatusUnauthorized || code != imperio.EInvalidCreds {
			t.Errorf("%d %s, want 401 invalid_credentials", wrong.status, wrong.raw)
		}
		if len(wrong.header.Values("Set-Cookie")) != 0 {
			t.Error("cookie set on a failed login")
		}
	})
	t.Run("UnknownUser", func(t *testing.T) {
		unknown = login("nobody", "correct horse")
		if code, _ := unknown.errCode(); unknown.status != http.StatusUnauthorized || code != imperio.EInvalidCreds {
			t.Errorf("%d %s, want 401 invalid_credentials", unknown.status, unknown.raw)
		}
	})
	t.Run("SameAnswerForBoth", func(t *testing.T) {
		if wrong.raw != unknown.raw {
			t.Errorf("wrong password %q vs unknown user %q", wrong.raw, unknown.raw)
		}
	})
	t.Run("TruncatedPasswordRefused", func(t *testing.T) {
		// bcrypt ignores bytes past 72: a longer password sharing the prefix must not log in.
		pw := strings.Repeat("p", 72)
		e.do(t, "POST", "/api/auth/signup", map[string]string{"username": "longpw", "email": "l@example.com", "password": pw}, nil)
		if a := login("longpw", pw); a.status != http.StatusOK {
			t.Errorf("72-byte password: %d %s", a.status, a.raw)
		}
		if a := login("longpw", pw+"extra"); a.status != http.StatusUnauthorized {
			t.Errorf("73+ byte password with the same prefix: %d %s, want 401", a.status, a.raw)
		}
	})
	t.Run("MissingFields", func(t *testing.T) {
		for _, b := range []map[string]string{{"password": "x"}, {"username": "alice"}} {
			a := e.do(t, "POST", "/api/auth/login", b, nil)
			if code, _ := a.errCode(); a.status != http.StatusBadRequest || code != imperio.EInvalidInput {
				t.Errorf("%v: %d %s, want 400 invalid_input", b, a.status, a.raw)
			}
		}
	})
	t.Run("UnknownField", func(t *testing.T) {
		a := e.do(t, "POST", "/api/auth/login", `{"username":"alice","password":"correct horse","admin":true}`, nil)
		if _, msg := a.errCode(); a.status != http.StatusBadRequest || !strings.Contains(msg, "admin") {
			t.Errorf("%d %s", a.status, a.raw)
		}
	})
}

func TestLogout(t *testing.T) {
	e := newEnv(t, nil)
	token, _ := e.signup(t, "alice")
	a := e.do(t, "POST", "/api/auth/logout", nil, map[string]string{"Cookie": CookieName + "=" + token})
	if a.status != http.StatusOK || strings.TrimSpace(a.raw) != "{}" {
		t.Fatalf("%d %q", a.status, a.raw)
	}
	ck := a.cookie(t)
	if ck.Value != "" || ck.MaxAge != -1 || ck.Path != "/" || !ck.HttpOnly {
		t.Errorf("cookie not cleared: %q", a.header.Get("Set-Cookie"))
	}
	if !strings.Contains(a.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("Set-Cookie %q lacks Max-Age=0", a.header.Get("Set-Cookie"))
	}
	t.Run("WithoutSession", func(t *testing.T) {
		if a := e.do(t, "POST", "/api/auth/logout", nil, nil); a.status != http.StatusOK {
			t.Errorf("%d %s", a.status, a.raw)
		}
	})
}

// fakeRevoker remembers revoked token ids.
type fakeRevoker struct {
	mu      sync.Mutex
	revoked map[string]time.Time
	fail    error
}

func (r *fakeRevoker) Revoke(_ context.Context, id string, until time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.revoked[id] = until
	return nil
}

func (r *fakeRevoker) Revoked(_ context.Context, id string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.revoked[id]
	return ok, r.fail
}

func TestLogoutRevokes(t *testing.T) {
	rev := &fakeRevoker{revoked: map[string]time.Time{}}
	e := newEnv(t, func(c *Config) { c.Revoker = rev })
	token, _ := e.signup(t, "alice")
	other, _ := e.signup(t, "bob")
	if a := e.do(t, "POST", "/api/auth/logout", nil, bearerHdr(token)); a.status != http.StatusOK {
		t.Fatalf("logout %d %s", a.status, a.raw)
	}
	if len(rev.revoked) != 1 {
		t.Fatalf("revoked %v", rev.revoked)
	}
	if a := e.do(t, "GET", "/api/me", nil, bearerHdr(token)); a.status != http.StatusUnauthorized {
		t.Errorf("revoked token: %d %s, want 401", a.status, a.raw)
	}
	if a := e.do(t, "GET", "/api/me", nil, bearerHdr(other)); a.status != http.StatusOK {
		t.Errorf("other user's token: %d %s", a.status, a.raw)
	}
	t.Run("RevokerDown", func(t *testing.T) {
		rev.fail = errors.New("connection refused")
		a := e.do(t, "GET", "/api/me", nil, bearerHdr(other))
		if code, _ := a.errCode(); a.status != http.StatusServiceUnavailable || code != imperio.EUnavailable {
			t.Errorf("%d %s, want 503 unavailable", a.status, a.raw)
		}
	})
}

func TestMeRequiresToken(t *testing.T) {
	e := newEnv(t, nil)
	token, _ := e.signup(t, "alice")
	for name, hdr := range map[string]map[string]string{
		"None":                nil,
		"EmptyBearer":         {"Authorization": "Bearer "},
		"BasicAuth":           {"Authorization": "Basic YWxpY2U6cHc="},
		"EmptyCookie":         {"Cookie": CookieName + "="},
		"BadBearerNoFallback": {"Authorization": "Bearer nope", "Cookie": CookieName + "=" + token},
	} {
		t.Run(name, func(t *testing.T) {
			a := e.do(t, "GET", "/api/me", nil, hdr)
			if code, msg := a.errCode(); a.status != http.StatusUnauthorized || code != imperio.EUnauthorized || msg == "" {
				t.Errorf("%d %s, want 401 unauthorized", a.status, a.raw)
			}
		})
	}
	t.Run("LowercaseBearer", func(t *testing.T) {
		if a := e.do(t, "GET", "/api/me", nil, map[string]string{"Authorization": "bearer " + token}); a.status != http.StatusOK {
			t.Errorf("%d %s", a.status, a.raw)
		}
	})
	t.Run("BearerWinsOverCookie", func(t *testing.T) {
		bob, _ := e.signup(t, "bob")
		a := e.do(t, "GET", "/api/me", nil, map[string]string{"Authorization": "Bearer " + bob, "Cookie": CookieName + "=" + token})
		if a.body["username"] != "bob" {
			t.Errorf("got %s, want bob's identity", a.raw)
		}
	})
}

func TestDeletedAccountIsUnauthorized(t *testing.T) {
	e := newEnv(t, nil)
	token, _, err := e.svc.Issue(imperio.User{ID: 999, Username: "ghost"})
	if err != nil {
		t.Fatal(err)
	}
	a := e.do(t, "GET", "/api/me", nil, bearerHdr(token))
	if code, _ := a.errCode(); a.status != http.StatusUnauthorized || code != imperio.EUnauthorized {
		t.Errorf("%d %s, want 401 unauthorized", a.status, a.raw)
	}
}

// sign makes a token with any method, header and claims, for forgeries.
func sign(t *testing.T, method jwt.SigningMethod, key any, kid any, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if kid != nil {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestForgedTokensRefused(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	svc := New(Config{Secret: testSecret, BcryptCost: bcrypt.MinCost, Now: func() time.Time { return now }}, newFakeUsers(), nil)
	kid := KeyID(testSecret)
	good := func() jwt.MapClaims {
		return jwt.MapClaims{
			"sub": "7", "name": "alice", "jti": "abc123",
			"iat": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(),
		}
	}
	without := func(k string) jwt.MapClaims { c := good(); delete(c, k); return c }
	with := func(k string, v any) jwt.MapClaims { c := good(); c[k] = v; return c }
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}

	// The control: a well-made token passes, so each case below fails for its own reason.
	if id, err := svc.Verify(sign(t, jwt.SigningMethodHS256, testSecret, kid, good())); err != nil ||
		id.UserID != 7 || id.Username != "alice" || id.TokenID != "abc123" || !id.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("control token: %+v, %v", id, err)
	}

	none := func(c jwt.MapClaims) string {
		return sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, kid, c)
	}
	tests := map[string]string{
		"AlgNone":       none(good()),
		"HS512":         sign(t, jwt.SigningMethodHS512, testSecret, kid, good()),
		"HS384":         sign(t, jwt.SigningMethodHS384, testSecret, kid, good()),
		"RS256":         sign(t, jwt.SigningMethodRS256, rsaKey, kid, good()),
		"WrongKey":      sign(t, jwt.SigningMethodHS256, []byte("another secret that is long enough!!"), kid, good()),
		"WrongKid":      sign(t, jwt.SigningMethodHS256, testSecret, "deadbeef", good()),
		"NoKid":         sign(t, jwt.SigningMethodHS256, testSecret, nil, good()),
		"NumericKid":    sign(t, jwt.SigningMethodHS256, testSecret, 12345678, good()),
		"Expired":       sign(t, jwt.SigningMethodHS256, testSecret, kid, with("exp", now.Add(-time.Second).Unix())),
		"MissingExp":    sign(t, jwt.SigningMethodHS256, testSecret, kid, without("exp")),
		"MissingIat":    sign(t, jwt.SigningMethodHS256, testSecret, kid, without("iat")),
		"FutureIat":     sign(t, jwt.SigningMethodHS256, testSecret, kid, with("iat", now.Add(time.Hour).Unix())),
		"NotYetValid":   sign(t, jwt.SigningMethodHS256, testSecret, kid, with("nbf", now.Add(time.Hour).Unix())),
		"MissingSub":    sign(t, jwt.SigningMethodHS256, testSecret, kid, without("sub")),
		"NonNumericSub": sign(t, jwt.SigningMethodHS256, testSecret, kid, with("sub", "alice")),
		"ZeroSub":       sign(t, jwt.SigningMethodHS256, testSecret, kid, with("sub", "0")),
		"MissingName":   sign(t, jwt.SigningMethodHS256, testSecret, kid, without("name")),
		"MissingJti":    sign(t, jwt.SigningMethodHS256, testSecret, kid, without("jti")),
		"Garbage":       "not.a.token",
		"Empty":         "",
		"TwoParts":      "eyJhbGciOiJIUzI1NiJ9.e30",
	}
	// A signature swapped from another valid token (same header) must fail too.
	tok := sign(t, jwt.SigningMethodHS256, testSecret, kid, good())
	other := sign(t, jwt.SigningMethodHS256, testSecret, kid, with("sub", "8"))
	tests["SwappedPayload"] = strings.Join([]string{strings.Split(tok, ".")[0], strings.Split(other, ".")[1], strings.Split(tok, ".")[2]}, ".")
	tests["TamperedSignature"] = tok[:len(tok)-2] + flip(tok[len(tok)-2:])

	for name, token := range tests {
		t.Run(name, func(t *testing.T) {
			id, err := svc.Verify(token)
			if imperio.ErrorCode(err) != imperio.EUnauthorized {
				t.Errorf("accepted or wrong error: %+v, %v", id, err)
			}
		})
	}
}

func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

func TestIssueVerify(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 500, time.UTC)
	clock := now
	svc := New(Config{Secret: testSecret, TokenTTL: 2 * time.Hour, BcryptCost: bcrypt.MinCost, Now: func() time.Time { return clock }}, newFakeUsers(), nil)
	token, exp, err := svc.Issue(imperio.User{ID: 5, Username: "Zed"})
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Truncate(time.Second).Add(2 * time.Hour); !exp.Equal(want) {
		t.Errorf("expires %v, want %v", exp, want)
	}
	id, err := svc.Verify(token)
	if err != nil || id.UserID != 5 || id.Username != "Zed" || len(id.TokenID) != 32 || !id.ExpiresAt.Equal(exp) {
		t.Fatalf("%+v %v", id, err)
	}
	parsed, _, _ := jwt.NewParser().ParseUnverified(token, jwt.MapClaims{})
	if parsed.Header["alg"] != "HS256" || parsed.Header["kid"] != KeyID(testSecret) {
		t.Errorf("header %v", parsed.Header)
	}
	t.Run("UniqueJTI", func(t *testing.T) {
		t2, _, _ := svc.Issue(imperio.User{ID: 5, Username: "Zed"})
		id2, _ := svc.Verify(t2)
		if id2.TokenID == id.TokenID {
			t.Error("two tokens share a jti")
		}
	})
	t.Run("ExpiresWithClock", func(t *testing.T) {
		clock = exp.Add(-time.Second)
		if _, err := svc.Verify(token); err != nil {
			t.Errorf("a second before expiry: %v", err)
		}
		clock = exp.Add(time.Second)
		if _, err := svc.Verify(token); imperio.ErrorCode(err) != imperio.EUnauthorized {
			t.Errorf("after expiry: %v", err)
		}
	})
	t.Run("OtherSecretRefuses", func(t *testing.T) {
		clock = now
		other := New(Config{Secret: []byte("a different secret of 32 bytes!!")}, newFakeUsers(), nil)
		if _, err := other.Verify(token); imperio.ErrorCode(err) != imperio.EUnauthorized {
			t.Errorf("verified under another secret: %v", err)
		}
	})
	t.Run("IncompleteUser", func(t *testing.T) {
		if _, _, err := svc.Issue(imperio.User{Username: "nobody"}); err == nil {
			t.Error("issued a token for user id 0")
		}
	})
}

func TestKeyID(t *testing.T) {
	k := KeyID(testSecret)
	if len(k) != 8 || strings.Trim(k, "0123456789abcdef") != "" || k != KeyID(testSecret) || k == KeyID([]byte("x")) {
		t.Errorf("KeyID = %q", k)
	}
}

func TestNewPanicsWithoutSecret(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New accepted an empty secret")
		}
	}()
	New(Config{}, newFakeUsers(), nil)
}

func TestLoginRateLimited(t *testing.T) {
	clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	lim := ratelimit.NewMemory(ratelimit.Rule{Rate: 1.0 / 30, Burst: 3}, ratelimit.WithClock(now))
	e := newEnv(t, func(c *Config) { c.LoginLimiter = lim })
	e.signup(t, "alice")
	login := func(username, password, ip string) answer {
		return e.do(t, "POST", "/api/auth/login", map[string]string{"username": username, "password": password},
			map[string]string{"X-Forwarded-For": ip})
	}
	for i := range 3 {
		if a := login("alice", "wrong horse", "198.51.100.1"); a.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d %s", i+1, a.status, a.raw)
		}
	}
	a := login("alice", "correct horse", "198.51.100.1")
	code, _ := a.errCode()
	if a.status != http.StatusTooManyRequests || code != imperio.ERateLimited {
		t.Fatalf("4th attempt: %d %s, want 429 rate_limited", a.status, a.raw)
	}
	if ra := a.header.Get("Retry-After"); ra != "30" {
		t.Errorf("Retry-After %q, want 30", ra)
	}
	if errBody := a.body["error"].(map[string]any); errBody["retry_after"] != float64(30) {
		t.Errorf("body %s, want retry_after 30", a.raw)
	}

	t.Run("PerUsernameAcrossIPs", func(t *testing.T) {
		a := login("ALICE", "correct horse", "203.0.113.9") // fresh IP, same account
		if a.status != http.StatusTooManyRequests {
			t.Errorf("%d %s, want 429 by username", a.status, a.raw)
		}
	})
	t.Run("PerIPAcrossUsernames", func(t *testing.T) {
		a := login("someone_else", "whatever1", "198.51.100.1")
		if a.status != http.StatusTooManyRequests {
			t.Errorf("%d %s, want 429 by IP", a.status, a.raw)
		}
	})
	t.Run("OthersUnaffected", func(t *testing.T) {
		e.signup(t, "bob")
		if a := login("bob", "correct horse", "192.0.2.50"); a.status != http.StatusOK {
			t.Errorf("%d %s", a.status, a.raw)
		}
	})
	t.Run("RefillsWithTime", func(t *testing.T) {
		mu.Lock()
		clock = clock.Add(31 * time.Second)
		mu.Unlock()
		if a := login("alice", "correct horse", "192.0.2.77"); a.status != http.StatusOK {
			t.Errorf("%d %s", a.status, a.raw)
		}
	})
}

func TestSignupRateLimited(t *testing.T) {
	lim := ratelimit.NewMemory(ratelimit.Rule{Rate: 1.0 / 60, Burst: 2})
	e := newEnv(t, func(c *Config) { c.SignupLimiter = lim })
	e.signup(t, "user1")
	e.signup(t, "user2")
	a := e.do(t, "POST", "/api/auth/signup", signupBody("user3"), nil)
	if code, _ := a.errCode(); a.status != http.StatusTooManyRequests || code != imperio.ERateLimited || a.header.Get("Retry-After") == "" {
		t.Errorf("%d %s (Retry-After %q), want 429 rate_limited", a.status, a.raw, a.header.Get("Retry-After"))
	}
}

// failingLimiter is a limiter whose backend is down.
type failingLimiter struct{}

func (failingLimiter) Allow(context.Context, string) (bool, time.Duration, error) {
	return false, 0, errors.New("redis: connection refused")
}

func TestLimiterDownFailsClosed(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.LoginLimiter = failingLimiter{} })
	e.signup(t, "alice")
	a := e.do(t, "POST", "/api/auth/login", map[string]string{"username": "alice", "password": "correct horse"}, nil)
	if code, _ := a.errCode(); a.status != http.StatusServiceUnavailable || code != imperio.EUnavailable {
		t.Errorf("%d %s, want 503 unavailable", a.status, a.raw)
	}
}

func TestInternalErrorHidden(t *testing.T) {
	e := newEnv(t, nil)
	e.users.fail = fmt.Errorf("query users: %w", errors.New("disk on fire"))
	a := e.do(t, "POST", "/api/auth/login", map[string]string{"username": "alice", "password": "correct horse"}, nil)
	code, msg := a.errCode()
	if a.status != http.StatusInternalServerError || code != imperio.EInternal || strings.Contains(a.raw, "disk") || msg == "" {
		t.Errorf("%d %s, want 500 internal with a generic message", a.status, a.raw)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "disk on fire") || !strings.Contains(logs, `"path":"/api/auth/login"`) || !strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("internal error not logged with its context:\n%s", logs)
	}
}

func TestWriteError(t *testing.T) {
	tests := []struct {
		err        error
		status     int
		code       string
		retryAfter string
	}{
		{imperio.Errorf(imperio.EInvalidInput, "bad"), 400, imperio.EInvalidInput, ""},
		{imperio.Errorf(imperio.ENotFound, "gone"), 404, imperio.ENotFound, ""},
		{fmt.Errorf("wrapped: %w", imperio.Errorf(imperio.EUsernameTaken, "taken")), 409, imperio.EUsernameTaken, ""},
		{&imperio.Error{Code: imperio.ERateLimited, Message: "slow", RetryAfter: 1500 * time.Millisecond}, 429, imperio.ERateLimited, "2"},
		{imperio.Errorf(imperio.ERateLimited, "slow"), 429, imperio.ERateLimited, "1"},
		{errors.New("boom"), 500, imperio.EInternal, ""},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest("GET", "/x", nil)
			WriteError(c, slog.New(slog.DiscardHandler), tt.err)
			var body imperio.ErrorBody
			json.Unmarshal(w.Body.Bytes(), &body)
			if w.Code != tt.status || body.Error.Code != tt.code || w.Header().Get("Retry-After") != tt.retryAfter || !c.IsAborted() {
				t.Errorf("%d %s Retry-After %q", w.Code, w.Body, w.Header().Get("Retry-After"))
			}
			if tt.code == imperio.EInternal && strings.Contains(w.Body.String(), "boom") {
				t.Error("internal detail shown")
			}
		})
	}
}

func TestIdentityFrom(t *testing.T) {
	e := newEnv(t, nil)
	token, id := e.signup(t, "alice")
	r := gin.New()
	var got Identity
	var ok bool
	r.GET("/who", e.svc.Required(), func(c *gin.Context) { got, ok = IdentityFrom(c); c.Status(204) })
	w := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/who", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	r.ServeHTTP(w, req)
	if w.Code != 204 || !ok || got.UserID != id || got.Username != "alice" || got.TokenID == "" {
		t.Errorf("%d %+v %v", w.Code, got, ok)
	}
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	if _, ok := IdentityFrom(c); ok {
		t.Error("identity found without Required")
	}
}

func TestAuthenticateRequest(t *testing.T) {
	e := newEnv(t, nil)
	token, id := e.signup(t, "alice")
	req := httptest.NewRequest("GET", "/ws", nil)
	req.AddCookie(&http.Cookie{Name: CookieName, Value: token})
	got, err := e.svc.Authenticate(req)
	if err != nil || got.UserID != id {
		t.Errorf("%+v %v", got, err)
	}
}
