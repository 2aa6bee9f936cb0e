package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/ratelimit"
)

// CookieName is the session cookie, set by signup and login and read by
// Authenticate when there is no Authorization header.
const CookieName = "imperio_session"

// Routes mounts the account endpoints on r:
//
//	POST /api/auth/signup, POST /api/auth/login, POST /api/auth/logout,
//	GET  /api/me (behind Required)
//
// The client IP used for rate limits is gin's ClientIP, so the engine's
// trusted proxies must be set for deployments behind a load balancer.
func (s *Service) Routes(r gin.IRouter) {
	r.POST("/api/auth/signup", s.handleSignup)
	r.POST("/api/auth/login", s.handleLogin)
	r.POST("/api/auth/logout", s.handleLogout)
	r.GET("/api/me", s.Required(), s.handleMe)
	if s.acc != nil {
		r.POST("/api/auth/refresh", s.handleRefresh)
		r.POST("/api/auth/totp/setup", s.Required(), s.handleTOTPSetup)
		r.POST("/api/auth/totp/enable", s.Required(), s.handleTOTPEnable)
		r.POST("/api/auth/totp/disable", s.Required(), s.handleTOTPDisable)
	}
}

// identityKey is the gin context key of the Identity; unexported so only
// Required can set it.
type identityKey struct{}

// Required is middleware that answers 401 unauthorized unless the request
// carries a valid token, and otherwise stores its Identity for IdentityFrom.
func (s *Service) Required() gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := s.Authenticate(c.Request)
		if err != nil {
			WriteError(c, s.log, err)
			return
		}
		c.Set(identityKey{}, id)
		c.Next()
	}
}

// IdentityFrom returns the Identity that Required stored.
func IdentityFrom(c *gin.Context) (Identity, bool) {
	v, ok := c.Get(identityKey{})
	if !ok {
		return Identity{}, false
	}
	id, ok := v.(Identity)
	return id, ok
}

// Authenticate verifies the request's token: from "Authorization: Bearer
// <token>" if present, else from the session cookie. A Bearer token that
// fails is not retried with the cookie: the caller asked to be that token.
// It serves both HTTP middleware and WebSocket upgrades.
//
// The account is looked up too: a token of a banned account is refused
// (forbidden) from the moment of the ban, on every instance.
func (s *Service) Authenticate(r *http.Request) (Identity, error) {
	id, _, err := s.authenticate(r)
	return id, err
}

// authenticate is Authenticate that also returns the account.
func (s *Service) authenticate(r *http.Request) (Identity, imperio.User, error) {
	var token string
	if t, ok := bearer(r); ok {
		token = t
	} else if ck, err := r.Cookie(CookieName); err == nil && ck.Value != "" {
		token = ck.Value
	} else {
		return Identity{}, imperio.User{}, imperio.Errorf(imperio.EUnauthorized, "Authentication required; please log in.")
	}
	id, err := s.VerifyContext(r.Context(), token)
	if err != nil {
		return Identity{}, imperio.User{}, err
	}
	u, err := s.users.UserByID(r.Context(), id.UserID)
	switch {
	case imperio.ErrorCode(err) == imperio.ENotFound:
		return Identity{}, imperio.User{}, imperio.Errorf(imperio.EUnauthorized, "This account no longer exists.")
	case err != nil:
		return Identity{}, imperio.User{}, err
	case u.BannedAt != nil:
		return Identity{}, imperio.User{}, errBanned
	}
	id.Role = u.Role
	return id, u, nil
}

var errBanned = imperio.Errorf(imperio.EForbidden, "This account is banned.")

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// userJSON is how an account appears in signup and login answers.
type userJSON struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
}

type sessionJSON struct {
	User         userJSON `json:"user"`
	Token        string   `json:"token"`
	RefreshToken string   `json:"refresh_token,omitempty"`
}

type meJSON struct {
	ID          int64     `json:"id"`
	Username    string    `json:"username"`
	Coins       int64     `json:"coins"`
	Role        string    `json:"role"`
	TOTPEnabled bool      `json:"totp_enabled"`
	CreatedAt   time.Time `json:"created_at"`
}

func (s *Service) handleSignup(c *gin.Context) {
	ctx := c.Request.Context()
	if err := s.limit(ctx, s.signup, "signup:ip:"+c.ClientIP()); err != nil {
		WriteError(c, s.log, err)
		return
	}
	var in signupInput
	if err := decodeJSON(c, &in); err != nil {
		WriteError(c, s.log, err)
		return
	}
	if err := in.validate(); err != nil {
		WriteError(c, s.log, err)
		return
	}
	hash, err := s.HashPassword(in.Password)
	if err != nil {
		WriteError(c, s.log, err)
		return
	}
	u, err := s.users.CreateUser(ctx, imperio.NewUser{
		Username:     in.Username,
		Email:        in.Email,
		PasswordHash: hash,
		Grant:        s.grant,
	})
	if err != nil {
		WriteError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "signup", "user_id", u.ID, "username", u.Username, "ip", c.ClientIP())
	s.startSession(c, http.StatusCreated, u)
}

func (s *Service) handleLogin(c *gin.Context) {
	ctx := c.Request.Context()
	var in loginInput
	if err := decodeJSON(c, &in); err != nil {
		WriteError(c, s.log, err)
		return
	}
	if err := in.validate(); err != nil {
		WriteError(c, s.log, err)
		return
	}
	keys := []string{"login:ip:" + c.ClientIP()}
	if validUsername(in.Username) { // only well-formed names become keys, so keys stay small
		keys = append(keys, "login:user:"+strings.ToLower(in.Username))
	}
	if err := s.limit(ctx, s.login, keys...); err != nil {
		s.log.InfoContext(ctx, "login rate limited", "username", in.Username, "ip", c.ClientIP())
		WriteError(c, s.log, err)
		return
	}

	badCreds := imperio.Errorf(imperio.EInvalidCreds, "Wrong username or password.")
	now := s.now()
	u, err := s.users.UserByName(ctx, in.Username)
	switch {
	case imperio.ErrorCode(err) == imperio.ENotFound:
		_, _ = s.checkPassword("", in.Password) // spend the same time as a real comparison
		s.log.InfoContext(ctx, "login failed", "reason", "unknown user", "username", in.Username, "ip", c.ClientIP())
		WriteError(c, s.log, badCreds)
		return
	case err != nil:
		WriteError(c, s.log, err)
		return
	}
	if s.lockedOut(u, now) {
		// Refused before the password is checked: a guesser learns nothing.
		s.log.InfoContext(ctx, "login refused", "reason", "locked", "user_id", u.ID, "ip", c.ClientIP())
		WriteError(c, s.log, lockedError(u.LockedUntil.Sub(now)))
		return
	}
	ok, err := s.checkPassword(u.PasswordHash, in.Password)
	if err != nil {
		WriteError(c, s.log, err)
		return
	}
	// bcrypt only reads 72 bytes; signup refuses longer passwords, so a
	// longer one can only match by truncation and must not.
	if !ok || len(in.Password) > maxPasswordBytes {
		s.log.InfoContext(ctx, "login failed", "reason", "wrong password", "user_id", u.ID, "ip", c.ClientIP())
		WriteError(c, s.log, s.loginFailed(ctx, u, badCreds))
		return
	}
	if u.BannedAt != nil {
		s.log.InfoContext(ctx, "login refused", "reason", "banned", "user_id", u.ID, "ip", c.ClientIP())
		WriteError(c, s.log, imperio.Errorf(imperio.EForbidden, "This account is banned."))
		return
	}
	if s.acc != nil && u.TOTPEnabled {
		if in.TOTP == "" {
			WriteError(c, s.log, imperio.Errorf(imperio.ETOTPRequired, "Enter the code from your authenticator app (totp)."))
			return
		}
		ok, err := s.checkTOTP(ctx, u, in.TOTP)
		if err != nil {
			WriteError(c, s.log, err)
			return
		}
		if !ok {
			s.log.InfoContext(ctx, "login failed", "reason", "wrong totp code", "user_id", u.ID, "ip", c.ClientIP())
			WriteError(c, s.log, s.loginFailed(ctx, u, imperio.Errorf(imperio.EInvalidCreds, "Wrong two-factor code.")))
			return
		}
	}
	if s.acc != nil && (u.FailedLogins > 0 || u.LockedUntil != nil) {
		if err := s.acc.LoginSucceeded(ctx, u.ID); err != nil {
			WriteError(c, s.log, err)
			return
		}
	}
	s.log.InfoContext(ctx, "login", "user_id", u.ID, "ip", c.ClientIP())
	s.startSession(c, http.StatusOK, u)
}

func (s *Service) handleLogout(c *gin.Context) {
	if s.revoker != nil {
		if id, err := s.VerifyContext(c.Request.Context(), requestToken(c.Request)); err == nil {
			if err := s.revoker.Revoke(c.Request.Context(), id.TokenID, id.ExpiresAt); err != nil {
				WriteError(c, s.log, err)
				return
			}
		}
	}
	if s.acc != nil {
		var in refreshInput
		if c.Request.ContentLength != 0 {
			if err := decodeJSON(c, &in); err != nil {
				WriteError(c, s.log, err)
				return
			}
		}
		if rt := s.refreshToken(c, in); rt != "" {
			if err := s.acc.RevokeRefreshToken(c.Request.Context(), hashRefresh(rt)); err != nil {
				WriteError(c, s.log, err)
				return
			}
		}
		s.setRefreshCookie(c, "", -1)
	}
	s.setCookie(c, "", -1)
	c.JSON(http.StatusOK, gin.H{})
}

// requestToken is the access token a request carries, "" for none.
func requestToken(r *http.Request) string {
	if t, ok := bearer(r); ok {
		return t
	}
	if ck, err := r.Cookie(CookieName); err == nil {
		return ck.Value
	}
	return ""
}

func (s *Service) handleMe(c *gin.Context) {
	id, _ := IdentityFrom(c)
	u, err := s.users.UserByID(c.Request.Context(), id.UserID)
	if imperio.ErrorCode(err) == imperio.ENotFound {
		err = imperio.Errorf(imperio.EUnauthorized, "This account no longer exists.")
	}
	if err != nil {
		WriteError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, meJSON{ID: u.ID, Username: u.Username, Coins: u.Coins, Role: u.Role,
		TOTPEnabled: u.TOTPEnabled, CreatedAt: u.CreatedAt})
}

// startSession issues a token for u, and a refresh token in a new family
// when refresh is on, sets the cookies and answers with both.
func (s *Service) startSession(c *gin.Context, status int, u imperio.User) {
	var refresh string
	if s.acc != nil {
		rt, hash, err := newRefreshToken()
		if err == nil {
			fam, _, ferr := newRefreshToken()
			err = ferr
			if err == nil {
				err = s.acc.CreateRefreshToken(c.Request.Context(), u.ID, fam[:32], hash, s.now().Add(s.refreshTTL))
			}
		}
		if err != nil {
			WriteError(c, s.log, err)
			return
		}
		refresh = rt
	}
	s.answerSession(c, status, u, refresh)
}

// answerSession issues an access token for u, sets the session cookie (and
// the refresh cookie when refresh is set) and answers with them.
func (s *Service) answerSession(c *gin.Context, status int, u imperio.User, refresh string) {
	token, _, err := s.Issue(u)
	if err != nil {
		WriteError(c, s.log, err)
		return
	}
	s.setCookie(c, token, int(s.ttl/time.Second))
	if refresh != "" {
		s.setRefreshCookie(c, refresh, int(s.refreshTTL/time.Second))
	}
	c.JSON(status, sessionJSON{User: userJSON{ID: u.ID, Username: u.Username}, Token: token, RefreshToken: refresh})
}

// setCookie writes the session cookie for maxAge seconds (the token's
// lifetime); maxAge < 0 deletes it.
func (s *Service) setCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name:     CookieName,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   isTLS(c.Request),
		SameSite: http.SameSiteLaxMode,
	})
}

// isTLS reports whether the client reached us over HTTPS, directly or
// through a proxy that says so.
func isTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

// limit asks l for every key and refuses if any is exhausted, with the
// longest wait among them. A nil l allows everything. A limiter that fails
// refuses too (code unavailable): auth endpoints fail closed.
func (s *Service) limit(ctx context.Context, l ratelimit.Limiter, keys ...string) error {
	if l == nil {
		return nil
	}
	var wait time.Duration
	refused := false
	for _, k := range keys {
		ok, retry, err := l.Allow(ctx, k)
		if err != nil {
			s.log.ErrorContext(ctx, "rate limiter", "err", err, "key", k)
			return imperio.Errorf(imperio.EUnavailable, "Please try again shortly.")
		}
		if !ok {
			refused = true
			wait = max(wait, retry)
		}
	}
	if !refused {
		return nil
	}
	e := imperio.Errorf(imperio.ERateLimited, "Too many attempts; try again in %s.", roundUp(wait))
	e.RetryAfter = wait
	return e
}

// roundUp renders a wait in whole seconds for people.
func roundUp(d time.Duration) time.Duration {
	return max(time.Second, (d+time.Second-1)/time.Second*time.Second)
}

// WriteError is the one way an error becomes an HTTP answer: the status
// from imperio.HTTPStatus, the body from imperio.NewErrorBody, a Retry-After
// header for rate_limited. An internal error (anything that is not an
// *imperio.Error) is logged with the request and shown as a generic text;
// unavailable is logged as a warning. It aborts the gin chain. A nil log
// uses slog.Default, so that no internal error goes unrecorded.
func WriteError(c *gin.Context, log *slog.Logger, err error) {
	if log == nil {
		log = slog.Default()
	}
	code := imperio.ErrorCode(err)
	status := imperio.HTTPStatus(code)
	attrs := []any{"err", err, "method", c.Request.Method, "path", c.Request.URL.Path, "status", status}
	switch code {
	case imperio.EInternal:
		log.ErrorContext(c.Request.Context(), "request failed", attrs...)
	case imperio.EUnavailable:
		log.WarnContext(c.Request.Context(), "request failed", attrs...)
	case imperio.ERateLimited, imperio.ELocked:
		wait := time.Second
		var e *imperio.Error
		if errors.As(err, &e) && e.RetryAfter > 0 {
			wait = e.RetryAfter
		}
		c.Header("Retry-After", strconv.Itoa(int(roundUp(wait)/time.Second)))
	}
	c.AbortWithStatusJSON(status, imperio.NewErrorBody(err))
}
