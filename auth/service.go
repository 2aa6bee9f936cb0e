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

// DefaultTokenTTL is the session lifetime when Config.TokenTTL is zero.
const DefaultTokenTTL = 24 * time.Hour

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

	Now func() time.Time // nil: time.Now
}

// Service issues and verifies session tokens and serves the account
// endpoints. It is safe for concurrent use.
type Service struct {
	users   Users
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
		hashing: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1)),
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
