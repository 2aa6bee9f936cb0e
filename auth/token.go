package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/imperio-casino/imperio"
)

// Identity is who a verified token says the caller is. It is what the
// middleware stores in the gin context and what a socket is bound to.
type Identity struct {
	UserID    int64
	Username  string
	TokenID   string // the token's jti, the handle for revocation
	ExpiresAt time.Time
	// Role is the account's role when the request was authenticated
	// (empty when only the token was verified).
	Role string
}

// Revoker is the seam for ending sessions before they expire. Logout calls
// Revoke with the token's id; Verify refuses tokens for which Revoked is
// true. A Redis-backed Revoker shares revocations between instances; without
// one (nil) logout only clears the cookie and tokens live until they expire.
type Revoker interface {
	Revoke(ctx context.Context, tokenID string, until time.Time) error
	Revoked(ctx context.Context, tokenID string) (bool, error)
}

// KeyID names a signing secret in the token's kid header: the first 8 hex
// digits of its SHA-256. It reveals nothing usable about the secret, and it
// lets several keys be accepted at once when the secret is rotated.
func KeyID(secret []byte) string {
	sum := sha256.Sum256(secret)
	return hex.EncodeToString(sum[:4])
}

// issuedAtSkew is how far in the future a token's iat may be: instances'
// clocks differ a little, and a token issued by one is verified by another.
const issuedAtSkew = time.Minute

// claims is the token payload: the registered claims (sub is the user id,
// plus iat, exp, jti) and the username.
type claims struct {
	Name string `json:"name"`
	jwt.RegisteredClaims
}

// Issue signs a session token for u, valid for the configured TTL. expires
// is the token's exp, which the cookie's lifetime follows.
func (s *Service) Issue(u imperio.User) (token string, expires time.Time, err error) {
	if u.ID <= 0 || u.Username == "" {
		return "", time.Time{}, fmt.Errorf("issue token: incomplete user (id %d)", u.ID)
	}
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", time.Time{}, fmt.Errorf("issue token: %w", err)
	}
	now := s.now().Truncate(time.Second) // JWT times are whole seconds
	expires = now.Add(s.ttl)
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		Name: u.Username,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   strconv.FormatInt(u.ID, 10),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(expires),
			ID:        hex.EncodeToString(jti[:]),
		},
	})
	t.Header["kid"] = s.kid
	token, err = t.SignedString(s.secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("issue token: %w", err)
	}
	return token, expires, nil
}

// Verify checks a token and returns its Identity. Any fault in the token
// gives an *imperio.Error with code unauthorized; the reason is only logged.
func (s *Service) Verify(token string) (Identity, error) {
	return s.VerifyContext(context.Background(), token)
}

// errUnauthorized is what a caller sees for every bad token: which check
// failed is no business of a forger.
var errUnauthorized = imperio.Errorf(imperio.EUnauthorized, "Invalid or expired session; please log in.")

// VerifyContext is Verify with a context for the Revoker. A Revoker that
// cannot answer yields code unavailable rather than unauthorized, so that a
// Redis outage is not mistaken for a logged-out user.
func (s *Service) VerifyContext(ctx context.Context, token string) (Identity, error) {
	id, err := s.parse(token)
	if err != nil {
		s.log.DebugContext(ctx, "token refused", "reason", err.Error())
		return Identity{}, errUnauthorized
	}
	if s.revoker != nil {
		revoked, err := s.revoker.Revoked(ctx, id.TokenID)
		if err != nil {
			s.log.ErrorContext(ctx, "check token revocation", "err", err, "user_id", id.UserID)
			return Identity{}, imperio.Errorf(imperio.EUnavailable, "Sessions cannot be checked right now; try again shortly.")
		}
		if revoked {
			s.log.DebugContext(ctx, "token refused", "reason", "revoked", "user_id", id.UserID)
			return Identity{}, errUnauthorized
		}
	}
	return id, nil
}

// parse does the cryptographic and claim checks. Its errors are for logs.
func (s *Service) parse(token string) (Identity, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, s.keyFunc,
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.now),
		jwt.WithStrictDecoding(),
	)
	if err != nil {
		return Identity{}, err
	}
	uid, err := strconv.ParseInt(c.Subject, 10, 64)
	switch {
	case err != nil || uid <= 0:
		return Identity{}, fmt.Errorf("bad sub %q", c.Subject)
	case c.Name == "":
		return Identity{}, errors.New("missing name")
	case c.ID == "":
		return Identity{}, errors.New("missing jti")
	case c.IssuedAt == nil:
		return Identity{}, errors.New("missing iat")
	case c.IssuedAt.After(s.now().Add(issuedAtSkew)):
		return Identity{}, errors.New("iat in the future")
	}
	return Identity{UserID: uid, Username: c.Name, TokenID: c.ID, ExpiresAt: c.ExpiresAt.Time}, nil
}

// keyFunc picks the key by the kid header. Only the configured key exists
// today; rotation adds the previous ones here.
func (s *Service) keyFunc(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	if kid != s.kid {
		return nil, fmt.Errorf("unknown kid %q", kid)
	}
	return s.secret, nil
}
