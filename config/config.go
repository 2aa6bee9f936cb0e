package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"
)

// Environments.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// MinSecretLen is the shortest JWT secret accepted in production: 256 bits,
// the size of an HS256 key.
const MinSecretLen = 32

// Config is everything the server is told from outside. The zero value is
// not useful; get one from Load.
type Config struct {
	Env                string        // "development" or "production"
	Addr               string        // listen address, host:port
	DatabaseURL        string        // "sqlite:<path>" or "postgres://..."
	RedisURL           string        // empty: in-process bus and limits
	RedisPrefix        string        // prefix of every Redis key and channel
	JWTSecret          []byte        // HS256 key
	JWTSecretGenerated bool          // JWTSecret was made up for this run; tokens die with the process
	TokenTTL           time.Duration // lifetime of a session (access) token
	RefreshTTL         time.Duration // lifetime of a refresh token
	LockoutFailures    int           // failed logins in a row that lock an account; 0: no lockout
	LockoutDuration    time.Duration // how long a lockout lasts
	SignupGrant        int64         // coins credited to a new account
	LogFormat          string        // "auto", "text" or "json"
	LogLevel           string        // "debug", "info", "warn" or "error"
	AllowedOrigins     []string      // extra origins or host patterns allowed to open a socket
	TrustedProxies     []string      // load balancers whose X-Forwarded-For is believed
	BigWinMultiplier   int64         // win/bet ratio announced as a big win
	BlackjackTables    int           // blackjack tables open from start
	MessageRate        float64       // socket messages per second per user
	MessageBurst       int           // socket message burst per user
	ChatRate           float64       // chat lines per second per user
	Instance           string        // this process's name among instances
}

// Production reports whether the server runs in production mode.
func (c Config) Production() bool { return c.Env == EnvProduction }

// Level returns LogLevel as a slog.Level.
func (c Config) Level() slog.Level {
	switch c.LogLevel {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

// LogValue lets the Config be logged at startup without leaking secrets: the
// JWT secret is left out and URL passwords are masked.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("env", c.Env),
		slog.String("addr", c.Addr),
		slog.String("database_url", redactURL(c.DatabaseURL)),
		slog.String("redis_url", redactURL(c.RedisURL)),
		slog.Bool("jwt_secret_generated", c.JWTSecretGenerated),
		slog.Duration("token_ttl", c.TokenTTL),
		slog.Duration("refresh_ttl", c.RefreshTTL),
		slog.Int("lockout_failures", c.LockoutFailures),
		slog.Duration("lockout_duration", c.LockoutDuration),
		slog.Int64("signup_grant", c.SignupGrant),
		slog.String("log_format", c.LogFormat),
		slog.String("log_level", c.LogLevel),
		slog.Any("allowed_origins", c.AllowedOrigins),
		slog.Int64("bigwin_multiplier", c.BigWinMultiplier),
		slog.Int("blackjack_tables", c.BlackjackTables),
		slog.Float64("message_rate", c.MessageRate),
		slog.Float64("chat_rate", c.ChatRate),
		slog.Int("message_burst", c.MessageBurst),
		slog.String("instance", c.Instance),
	)
}

// VarError is a bad setting. Flag is set when the value came from a flag.
type VarError struct {
	Name string // the environment variable, e.g. IMPERIO_SIGNUP_GRANT
	Flag string // the flag, e.g. --signup-grant, or ""
	Err  error
}

func (e *VarError) Error() string {
	if e.Flag != "" {
		return fmt.Sprintf("%s (%s): %v", e.Flag, e.Name, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Name, e.Err)
}

func (e *VarError) Unwrap() error { return e.Err }

// Load builds a Config from the defaults, then the environment as seen
// through getenv (an empty value counts as unset), then the flags in args,
// which override the environment. -h or --help writes the usage to usage
// and returns flag.ErrHelp. A nil getenv reads no environment.
//
// In development a missing JWT secret is generated (JWTSecretGenerated is
// then true and the caller should warn); in production it is an error.
func Load(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if usage == nil {
		usage = io.Discard
	}
	var c Config
	vars := table()
	for _, v := range vars {
		if v.Default == "" {
			continue
		}
		if err := v.set(&c, v.Default); err != nil {
			panic(fmt.Sprintf("config: default of %s: %v", v.Name, err)) // a bug in the table
		}
	}
	for _, v := range vars {
		if s := getenv(v.Name); s != "" {
			if err := v.set(&c, s); err != nil {
				return Config{}, &VarError{Name: v.Name, Err: err}
			}
		}
	}

	fs := flag.NewFlagSet("imperio", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned, usage is written below
	fs.Usage = func() {}
	var flagErr error
	for _, v := range vars {
		fs.Func(strings.TrimPrefix(v.Flag, "--"), v.Help, func(s string) error {
			err := v.set(&c, s)
			if err != nil && flagErr == nil {
				flagErr = &VarError{Name: v.Name, Flag: v.Flag, Err: err}
			}
			return err
		})
	}
	if err := fs.Parse(args); err != nil {
		switch {
		case errors.Is(err, flag.ErrHelp):
			if err := WriteUsage(usage); err != nil {
				return Config{}, fmt.Errorf("write usage: %w", err)
			}
			return Config{}, flag.ErrHelp
		case flagErr != nil:
			return Config{}, flagErr
		default:
			return Config{}, fmt.Errorf("%w (see --help)", err)
		}
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}

	if err := c.finish(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// finish fills the defaults that are computed rather than written in the
// table, and checks what only makes sense once every value is known.
func (c *Config) finish() error {
	switch {
	case len(c.JWTSecret) == 0 && c.Production():
		return &VarError{Name: "IMPERIO_JWT_SECRET", Err: fmt.Errorf(
			"required in production (at least %d bytes, e.g. from `openssl rand -base64 48`)", MinSecretLen)}
	case len(c.JWTSecret) < MinSecretLen && c.Production():
		return &VarError{Name: "IMPERIO_JWT_SECRET", Err: fmt.Errorf(
			"must be at least %d bytes in production, got %d", MinSecretLen, len(c.JWTSecret))}
	case len(c.JWTSecret) == 0:
		c.JWTSecret = make([]byte, MinSecretLen)
		if _, err := rand.Read(c.JWTSecret); err != nil {
			return fmt.Errorf("generate development JWT secret: %w", err)
		}
		c.JWTSecretGenerated = true
	}
	if c.Instance == "" {
		c.Instance = defaultInstance()
	}
	return nil
}

// defaultInstance is the host name and a short random suffix, so that two
// processes on one host (or two containers with one name) never collide.
func defaultInstance() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "imperio"
	}
	host = strings.Map(func(r rune) rune {
		if isInstanceRune(r) {
			return r
		}
		return '-'
	}, host)
	if len(host) > maxInstanceLen-7 {
		host = host[:maxInstanceLen-7]
	}
	var b [3]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
	return host + "-" + hex.EncodeToString(b[:])
}
