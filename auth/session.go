package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/imperio-casino/imperio"
)

// RefreshCookieName is the refresh token's cookie: HttpOnly, SameSite=Strict
// and sent only to /api/auth, so that no page script and no other route
// ever sees it.
const RefreshCookieName = "imperio_refresh"

// refreshCookiePath scopes the refresh cookie to the auth endpoints.
const refreshCookiePath = "/api/auth"

// TOTPIssuer names the service in authenticator apps.
const TOTPIssuer = "Imperio"

// newRefreshToken returns a new opaque refresh token (32 random bytes,
// base64url) and the hash under which the store keeps it.
func newRefreshToken() (token, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("new refresh token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, hashRefresh(token), nil
}

// hashRefresh is the SHA-256 (hex) of a refresh token: the token has 256
// random bits, so a fast hash suffices and lookups stay exact.
func hashRefresh(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// refreshToken is the refresh token of a request: the body's, else the
// cookie's.
func (s *Service) refreshToken(c *gin.Context, in refreshInput) string {
	if in.RefreshToken != "" {
		return in.RefreshToken
	}
	if ck, err := c.Request.Cookie(RefreshCookieName); err == nil {
		return ck.Value
	}
	return ""
}

// handleRefresh exchanges a refresh token for a new access token and a new
// refresh token (the old one is used up: presenting it again ends the whole
// family of sessions). It answers as login does.
func (s *Service) handleRefresh(c *gin.Context) {
	ctx := c.Request.Context()
	var in refreshInput
	if c.Request.ContentLength != 0 {
		if err := decodeJSON(c, &in); err != nil {
			WriteError(c, s.log, err)
			return
		}
	}
	old := s.refreshToken(c, in)
	if old == "" || len(old) > 128 {
		WriteError(c, s.log, imperio.Errorf(imperio.EUnauthorized, "No session to refresh; please log in."))
		return
	}
	next, hash, err := newRefreshToken()
	if err != nil {
		WriteError(c, s.log, err)
		return
	}
	u, err := s.acc.RotateRefreshToken(ctx, hashRefresh(old), hash, s.now().Add(s.refreshTTL))
	if err != nil {
		if code := imperio.ErrorCode(err); code == imperio.EUnauthorized || code == imperio.EForbidden {
			s.setRefreshCookie(c, "", -1)
			s.setCookie(c, "", -1)
		}
		WriteError(c, s.log, err)
		return
	}
	s.answerSession(c, http.StatusOK, u, next)
}

// setRefreshCookie writes the refresh cookie for maxAge seconds; maxAge < 0
// deletes it.
func (s *Service) setRefreshCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name:     RefreshCookieName,
		Value:    value,
		Path:     refreshCookiePath,
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   isTLS(c.Request),
		SameSite: http.SameSiteStrictMode,
	})
}

// lockedOut reports whether u's logins are locked at now.
func (s *Service) lockedOut(u imperio.User, now time.Time) bool {
	return s.acc != nil && s.lockMax > 0 && u.LockedUntil != nil && u.LockedUntil.After(now)
}

func lockedError(wait time.Duration) error {
	e := imperio.Errorf(imperio.ELocked, "Too many failed logins: this account is locked for %s.", roundUp(wait))
	e.RetryAfter = wait
	return e
}

// loginFailed counts a failed login of u and returns the answer: refusal,
// or locked when this failure locked the account.
func (s *Service) loginFailed(ctx context.Context, u imperio.User, refusal error) error {
	if s.acc == nil || s.lockMax <= 0 {
		return refusal
	}
	until, err := s.acc.LoginFailed(ctx, u.ID, s.lockMax, s.lockFor)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		s.log.WarnContext(ctx, "account locked after failed logins", "user_id", u.ID, "until", until)
		return lockedError(until.Sub(s.now()))
	}
	return refusal
}

// totpOpts are the usual authenticator settings: 6 digits, 30 s, SHA-1.
var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

const totpPeriod = 30

// checkTOTP accepts a code of the current time step or one step either side
// (clocks differ), once: the step it matched is recorded, and a code of that
// step or an earlier one is refused afterwards, so an overheard code cannot
// be replayed.
func (s *Service) checkTOTP(ctx context.Context, u imperio.User, code string) (bool, error) {
	if u.TOTPSecret == "" || len(code) != 6 {
		return false, nil
	}
	now := s.now().Unix() / totpPeriod
	for _, step := range []int64{now, now - 1, now + 1} {
		want, err := totp.GenerateCodeCustom(u.TOTPSecret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err != nil {
			return false, fmt.Errorf("totp code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s.acc.UseTOTPStep(ctx, u.ID, step)
		}
	}
	return false, nil
}

type totpSetupJSON struct {
	Secret string `json:"secret"`
	URL    string `json:"url"`
}

// handleTOTPSetup makes a new two-factor secret for the caller, not yet in
// force: enable confirms it with a code.
func (s *Service) handleTOTPSetup(c *gin.Context) {
	id, _ := IdentityFrom(c)
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: id.Username})
	if err != nil {
		WriteError(c, s.log, fmt.Errorf("generate totp secret: %w", err))
		return
	}
	if err := s.acc.SetTOTPSecret(c.Request.Context(), id.UserID, key.Secret()); err != nil {
		WriteError(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, totpSetupJSON{Secret: key.Secret(), URL: key.URL()})
}

// handleTOTPEnable turns two-factor on once a code from the set-up secret
// checks out.
func (s *Service) handleTOTPEnable(c *gin.Context) { s.toggleTOTP(c, true) }

// handleTOTPDisable turns two-factor off, given a current code.
func (s *Service) handleTOTPDisable(c *gin.Context) { s.toggleTOTP(c, false) }

func (s *Service) toggleTOTP(c *gin.Context, on bool) {
	ctx := c.Request.Context()
	id, _ := IdentityFrom(c)
	var in codeInput
	if err := decodeJSON(c, &in); err != nil {
		WriteError(c, s.log, err)
		return
	}
	if err := s.limit(ctx, s.login, "totp:user:"+strconv.FormatInt(id.UserID, 10)); err != nil {
		WriteError(c, s.log, err)
		return
	}
	u, err := s.users.UserByID(ctx, id.UserID)
	if err != nil {
		WriteError(c, s.log, err)
		return
	}
	switch {
	case on && u.TOTPEnabled:
		WriteError(c, s.log, imperio.Errorf(imperio.EConflict, "Two-factor authentication is already on."))
		return
	case on && u.TOTPSecret == "":
		WriteError(c, s.log, imperio.Errorf(imperio.EConflict, "Set up two-factor authentication first (POST /api/auth/totp/setup)."))
		return
	case !on && !u.TOTPEnabled:
		WriteError(c, s.log, imperio.Errorf(imperio.EConflict, "Two-factor authentication is off."))
		return
	}
	ok, err := s.checkTOTP(ctx, u, in.Code)
	if err != nil {
		WriteError(c, s.log, err)
		return
	}
	if !ok {
		WriteError(c, s.log, imperio.Errorf(imperio.EInvalidInput, "The code is wrong, has expired or was used already."))
		return
	}
	if err := s.acc.SetTOTPEnabled(ctx, u.ID, on); err != nil {
		WriteError(c, s.log, err)
		return
	}
	s.log.InfoContext(ctx, "two-factor changed", "user_id", u.ID, "enabled", on)
	c.JSON(http.StatusOK, gin.H{"totp_enabled": on})
}

// AdminRequired is middleware for the admin API: a valid session of an
// account whose role is admin (403 forbidden otherwise) and that has
// two-factor on (403 totp_required otherwise), within the admin rate limit.
// It stores the Identity, with Role, for IdentityFrom.
func (s *Service) AdminRequired() gin.HandlerFunc {
	return func(c *gin.Context) {
		id, u, err := s.authenticate(c.Request)
		if err != nil {
			WriteError(c, s.log, err)
			return
		}
		if u.Role != imperio.RoleAdmin {
			WriteError(c, s.log, imperio.Errorf(imperio.EForbidden, "Admins only."))
			return
		}
		if !u.TOTPEnabled {
			// totp_required is 401 at login; here the caller is known and
			// simply not allowed yet, hence 403.
			c.AbortWithStatusJSON(http.StatusForbidden, imperio.NewErrorBody(
				imperio.Errorf(imperio.ETOTPRequired, "Admins must turn on two-factor authentication first.")))
			return
		}
		if err := s.limit(c.Request.Context(), s.adminLimit, "admin:user:"+strconv.FormatInt(u.ID, 10)); err != nil {
			WriteError(c, s.log, err)
			return
		}
		c.Set(identityKey{}, id)
		c.Next()
	}
}
