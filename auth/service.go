package auth

import (
	"context"
	"crypto/rand"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/ratelimit"
)

// Users is what auth needs from the store.
type Users interface {
	// CreateUser creates the account and writes its grant ledger row. A
	// username that exists in any letter case is an *imperio.Error with
	// code username_taken.
	CreateUser(ctx context.Context, u imperio.NewUser) (imperio.User, error)
	// UserByName finds an account ignoring letter case; code not_found if
	// there is none.
	UserByName(ctx context.Context, username string) (imperio.User, error)
	// UserByID finds an account; code not_found if there is none.
	UserByID(ctx context.Context, id int64) (imperio.User, error)
}

// Accounts is what the session features need beyond Users: refresh
// tokens, login lockout and two-factor secrets. The store satisfies it;
// when the Users given to New do not, those features are off.
type Accounts interface {
	Users
	// CreateRefreshToken stores a refresh token's hash in a new family.
	CreateRefreshToken(ctx context.Context, userID int64, family, hash string, expires time.Time) error
	// RotateRefreshToken exchanges a live token (by hash) for newHash and
	// returns its account; a reused token revokes its family. Refusals are
	// unauthorized (forbidden for a banned account).
	RotateRefreshToken(ctx context.Context, oldHash, newHash string, expires time.Time) (imperio.User, error)
	// RevokeRefreshToken revokes the family of the token with this hash.
	RevokeRefreshToken(ctx context.Context, hash string) error
	// LoginFailed counts a failed login; the maxFailures-th in a row locks
	// logins for lockFor and returns when the lock ends (zero otherwise).
	LoginFailed(ctx context.Context, userID int64, maxFailures int, lockFor time.Duration) (time.Time, error)
	// LoginSucceeded clears the count and the lock.
	LoginSucceeded(ctx context.Context, userID int64) error
	// SetTOTPSecret stores a two-factor secret not yet in force.
	SetTOTPSecret(ctx context.Context, userID int64, secret string) error
	// UseTOTPStep marks a two-factor time step used; false when it (or a
	// later one) was used before.
	UseTOTPStep(ctx context.Context, userID, step int64) (bool, error)
	// SetTOTPEnabled turns two-factor on or off (off forgets the secret).
	SetTOTPEnabled(ctx context.Context, userID int64, on bool) error
}

// DefaultTokenTTL is the access token lifetime when Config.TokenTTL is
// zero: short, since a refresh token renews it.
const DefaultTokenTTL = 15 * time.Minute

// DefaultRefreshTTL is the refresh token lifetime when Config.RefreshTTL is
// zero.
const DefaultRefreshTTL = 30 * 24 * time.Hour

// Lockout defaults: this many failed logins in a row lock the account's
// logins for DefaultLockoutDuration.
const (
	DefaultLockoutFailures = 5
	DefaultLockoutDuration = 15 * time.Minute
)

// Config configures a Service. Only Secret is required.
type Config struct {
	Secret      []byte        // HS256 key; its KeyID goes into every token
	TokenTTL    time.Duration // 0: DefaultTokenTTL
	SignupGrant int64         // coins for a new account
	BcryptCost  int           // 0: bcrypt.DefaultCost; tests use bcrypt.MinCost

	// LoginLimiter is asked once per login attempt for the client IP
	// ("login:ip:<ip>") and once for the username ("login:user:<name>").
	// SignupLimiter is asked per client IP ("signup:ip:<ip>"). Nil: no limit.
	LoginLimiter, SignupLimiter ratelimit.Limiter

	// Revoker, if set, makes logout end the token server-side. Nil: logout
	// only clears the cookie.
	Revoker Revoker

	// RefreshTTL is the lifetime of a refresh token (0: DefaultRefreshTTL).
	RefreshTTL time.Duration
	// LockoutFailures failed logins in a row lock an account's logins for
	// LockoutDuration (0: the defaults; LockoutFailures < 0: no lockout).
	LockoutFailures int
	LockoutDuration time.Duration
	// AdminLimiter is asked once per admin request ("admin:user:<id>");
	// nil: no limit.
	AdminLimiter ratelimit.Limiter

	Now func() time.Time // nil: time.Now
}

// Service issues and verifies session tokens and serves the account
// endpoints. It is safe for concurrent use.
type Service struct {
	users   Users
	acc     Accounts // nil: no refresh tokens, lockout or two-factor
	log     *slog.Logger
	secret  []byte
	kid     string
	ttl     time.Duration
	grant   int64
	cost    int
	login   ratelimit.Limiter
	signup  ratelimit.Limiter
	revoker Revoker
	now     func() time.Time

	refreshTTL time.Duration
	lockMax    int
	lockFor    time.Duration
	adminLimit ratelimit.Limiter

	// hashing bounds the bcrypt computations running at once to every core
	// but one: a storm of signups or logins queues here instead of taking
	// the CPU from the game loops.
	hashing chan struct{}

	// dummyHash is compared against when a login names no account, so that
	// an unknown username takes as long to refuse as a wrong password.
	dummyHash func() []byte
}

// New returns a Service. It panics on an empty secret: config guarantees
// one, so an empty secret here is a wiring bug that must not silently sign
// tokens anyone can forge. A nil log discards.
func New(cfg Config, users Users, log *slog.Logger) *Service {
	if len(cfg.Secret) == 0 {
		panic("auth: empty token secret")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		users:   users,
		log:     log,
		secret:  append([]byte(nil), cfg.Secret...),
		kid:     KeyID(cfg.Secret),
		ttl:     cfg.TokenTTL,
		grant:   cfg.SignupGrant,
		cost:    cfg.BcryptCost,
		login:   cfg.LoginLimiter,
		signup:  cfg.SignupLimiter,
		revoker: cfg.Revoker,
		now:     cfg.Now,

		refreshTTL: cfg.RefreshTTL,
		lockMax:    cfg.LockoutFailures,
		lockFor:    cfg.LockoutDuration,
		adminLimit: cfg.AdminLimiter,
		hashing:    make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1)),
	}
	s.acc, _ = users.(Accounts)
	if s.refreshTTL <= 0 {
		s.refreshTTL = DefaultRefreshTTL
	}
	if s.lockMax == 0 {
		s.lockMax = DefaultLockoutFailures
	}
	if s.lockFor <= 0 {
		s.lockFor = DefaultLockoutDuration
	}
	if s.ttl <= 0 {
		s.ttl = DefaultTokenTTL
	}
	if s.cost == 0 {
		s.cost = bcrypt.DefaultCost
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.dummyHash = sync.OnceValue(func() []byte {
		pw := make([]byte, 24)
		_, _ = rand.Read(pw) // never fails on supported platforms
		h, err := bcrypt.GenerateFromPassword(pw, s.cost)
		if err != nil {
			panic("auth: dummy hash: " + err.Error()) // only for an invalid cost
		}
		return h
	})
	return s
}

// HashPassword hashes a password with the configured bcrypt cost.
func (s *Service) HashPassword(password string) (string, error) {
	s.hashing <- struct{}{}
	defer func() { <-s.hashing }()
	h, err := bcrypt.GenerateFromPassword([]byte(password), s.cost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// checkPassword compares password with hash, or with the dummy hash when
// hash is empty (no such user), so both paths cost one bcrypt comparison.
// It reports whether they match; an error means the stored hash is corrupt.
func (s *Service) checkPassword(hash, password string) (bool, error) {
	s.hashing <- struct{}{}
	defer func() { <-s.hashing }()
	h := []byte(hash)
	if hash == "" {
		h = s.dummyHash()
	}
	err := bcrypt.CompareHashAndPassword(h, []byte(password))
	switch {
	case err == nil:
		return hash != "", nil
	case err == bcrypt.ErrMismatchedHashAndPassword:
		return false, nil
	default:
		return false, err
	}
}
