package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// Variable is one setting: its environment variable, the flag that mirrors
// it, its default as it would be written in the environment ("" for none or
// for a default computed at load time, which Help then explains), and what
// it does.
type Variable struct {
	Name    string
	Flag    string
	Default string
	Help    string

	set func(c *Config, v string) error
}

// Variables returns the table of settings in the order they are documented.
func Variables() []Variable { return table() }

func table() []Variable {
	return []Variable{
		{
			Name: "IMPERIO_ENV", Flag: "--env", Default: EnvDevelopment,
			Help: `"development" or "production". Production refuses to start without IMPERIO_JWT_SECRET.`,
			set: func(c *Config, v string) error {
				v = strings.ToLower(strings.TrimSpace(v))
				if v != EnvDevelopment && v != EnvProduction {
					return fmt.Errorf("must be %q or %q, got %q", EnvDevelopment, EnvProduction, v)
				}
				c.Env = v
				return nil
			},
		},
		{
			Name: "IMPERIO_ADDR", Flag: "--addr", Default: "127.0.0.1:8080",
			Help: "Address to listen on, host:port (\":8080\" for every interface).",
			set:  func(c *Config, v string) error { return setAddr(&c.Addr, v) },
		},
		{
			Name: "IMPERIO_DATABASE_URL", Flag: "--database-url", Default: "sqlite:data/imperio.db",
			Help: "Database: sqlite:<path> for the embedded SQLite file, or postgres://user:pass@host/db for PostgreSQL.",
			set:  func(c *Config, v string) error { return setDatabaseURL(&c.DatabaseURL, v) },
		},
		{
			Name: "IMPERIO_REDIS_URL", Flag: "--redis-url", Default: "",
			Help: "Redis, redis://[:pass@]host:port[/db] (or rediss://), shared by every instance: the bus, table leases, leaderboards, rate limits and revoked sessions. More addr=host:port parameters make it a Redis Cluster; master=NAME makes the addresses Sentinels. Empty: one instance, all in process.",
			set:  func(c *Config, v string) error { return setRedisURL(&c.RedisURL, v) },
		},
		{
			Name: "IMPERIO_REDIS_PREFIX", Flag: "--redis-prefix", Default: "imperio:",
			Help: "Prefix of every Redis key and channel: instances with the same prefix (and database) share tables; another prefix is another casino on the same Redis.",
			set: func(c *Config, v string) error {
				if v == "" || len(v) > 64 || strings.ContainsAny(v, " \t\r\n{}") {
					return fmt.Errorf("must be 1 to 64 characters without spaces or braces, got %q", v)
				}
				c.RedisPrefix = v
				return nil
			},
		},
		{
			Name: "IMPERIO_JWT_SECRET", Flag: "--jwt-secret", Default: "",
			Help: fmt.Sprintf("Key that signs session tokens, at least %d bytes; the same on every instance. Required in production; generated per run in development (sessions then end on restart). Prefer the variable to the flag, which other users can see.", MinSecretLen),
			set: func(c *Config, v string) error {
				// Never echo the value: it is a secret.
				if v == "" {
					return errors.New("must not be empty")
				}
				c.JWTSecret = []byte(v)
				c.JWTSecretGenerated = false
				return nil
			},
		},
		{
			Name: "IMPERIO_TOKEN_TTL", Flag: "--token-ttl", Default: "15m",
			Help: "Lifetime of an access token and its session cookie, a Go duration such as 15m or 1h; a refresh token (POST /api/auth/refresh) renews it.",
			set: func(c *Config, v string) error {
				d, err := time.ParseDuration(strings.TrimSpace(v))
				if err != nil || d < time.Second {
					return fmt.Errorf("must be a duration of at least 1s such as 24h, got %q", v)
				}
				c.TokenTTL = d
				return nil
			},
		},
		{
			Name: "IMPERIO_REFRESH_TTL", Flag: "--refresh-ttl", Default: "720h",
			Help: "Lifetime of a refresh token (kept hashed in the database, rotated on every use), a Go duration.",
			set: func(c *Config, v string) error {
				d, err := time.ParseDuration(strings.TrimSpace(v))
				if err != nil || d < time.Minute {
					return fmt.Errorf("must be a duration of at least 1m such as 720h, got %q", v)
				}
				c.RefreshTTL = d
				return nil
			},
		},
		{
			Name: "IMPERIO_LOCKOUT_FAILURES", Flag: "--lockout-failures", Default: "5",
			Help: "Failed logins in a row that lock an account's logins for IMPERIO_LOCKOUT_DURATION; 0 turns the lockout off.",
			set: func(c *Config, v string) error {
				n, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil || n < 0 || n > 1000 {
					return fmt.Errorf("must be an integer from 0 to 1000, got %q", v)
				}
				c.LockoutFailures = n
				return nil
			},
		},
		{
			Name: "IMPERIO_LOCKOUT_DURATION", Flag: "--lockout-duration", Default: "15m",
			Help: "How long a locked account's logins stay refused, a Go duration.",
			set: func(c *Config, v string) error {
				d, err := time.ParseDuration(strings.TrimSpace(v))
				if err != nil || d < time.Second {
					return fmt.Errorf("must be a duration of at least 1s such as 15m, got %q", v)
				}
				c.LockoutDuration = d
				return nil
			},
		},
		{
			Name: "IMPERIO_SIGNUP_GRANT", Flag: "--signup-grant", Default: "1000",
			Help: "Coins credited to every new account (a grant ledger row).",
			set: func(c *Config, v string) error {
				n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				if err != nil || n < 0 {
					return fmt.Errorf("must be a non-negative integer, got %q", v)
				}
				c.SignupGrant = n
				return nil
			},
		},
		{
			Name: "IMPERIO_LOG_FORMAT", Flag: "--log-format", Default: "auto",
			Help: `"auto" (colored text when stderr is a terminal, JSON otherwise), "text" or "json".`,
			set: func(c *Config, v string) error {
				return setEnum(&c.LogFormat, v, "auto", "text", "json")
			},
		},
		{
			Name: "IMPERIO_LOG_LEVEL", Flag: "--log-level", Default: "info",
			Help: `Least severe level logged: "debug", "info", "warn" or "error".`,
			set: func(c *Config, v string) error {
				return setEnum(&c.LogLevel, v, "debug", "info", "warn", "error")
			},
		},
		{
			Name: "IMPERIO_ALLOWED_ORIGINS", Flag: "--allowed-origins", Default: "",
			Help: "Comma-separated origins (https://play.example.com) or host patterns (*.example.com) whose pages may open a socket, besides the server's own origin.",
			set:  func(c *Config, v string) error { return setOrigins(&c.AllowedOrigins, v) },
		},
		{
			Name: "IMPERIO_TRUSTED_PROXIES", Flag: "--trusted-proxies", Default: "",
			Help: "Comma-separated addresses or CIDRs of the load balancers in front of the instances: their X-Forwarded-For names the client (for rate limits and logs). Empty: the TCP peer is the client.",
			set:  func(c *Config, v string) error { return setProxies(&c.TrustedProxies, v) },
		},
		{
			Name: "IMPERIO_BIGWIN_MULTIPLIER", Flag: "--bigwin-multiplier", Default: "50",
			Help: "A win of at least this many times the bet is announced to everyone as a big win.",
			set: func(c *Config, v string) error {
				n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				if err != nil || n < 1 {
					return fmt.Errorf("must be a positive integer, got %q", v)
				}
				c.BigWinMultiplier = n
				return nil
			},
		},
		{
			Name: "IMPERIO_BLACKJACK_TABLES", Flag: "--blackjack-tables", Default: "3",
			Help: "Blackjack tables open from start, named blackjack:1 to blackjack:N; players may open more by name.",
			set: func(c *Config, v string) error {
				n, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil || n < 0 || n > 100 {
					return fmt.Errorf("must be an integer from 0 to 100, got %q", v)
				}
				c.BlackjackTables = n
				return nil
			},
		},
		{
			Name: "IMPERIO_MESSAGE_RATE", Flag: "--message-rate", Default: "20",
			Help: "Socket messages per second a user may send, sustained; a flood past it closes the socket.",
			set: func(c *Config, v string) error {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || !(f > 0) || math.IsInf(f, 0) {
					return fmt.Errorf("must be a positive number, got %q", v)
				}
				c.MessageRate = f
				return nil
			},
		},
		{
			Name: "IMPERIO_MESSAGE_BURST", Flag: "--message-burst", Default: "40",
			Help: "Socket messages a user may send at once before IMPERIO_MESSAGE_RATE applies.",
			set: func(c *Config, v string) error {
				n, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil || n < 1 {
					return fmt.Errorf("must be a positive integer, got %q", v)
				}
				c.MessageBurst = n
				return nil
			},
		},
		{
			Name: "IMPERIO_CHAT_RATE", Flag: "--chat-rate", Default: "1",
			Help: "Chat lines per second a user may send, sustained, after a burst of 5; past it a line is refused with rate_limited.",
			set: func(c *Config, v string) error {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || !(f > 0) || math.IsInf(f, 0) {
					return fmt.Errorf("must be a positive number, got %q", v)
				}
				c.ChatRate = f
				return nil
			},
		},
		{
			Name: "IMPERIO_INSTANCE", Flag: "--instance", Default: "",
			Help: fmt.Sprintf("This instance's name in logs, metrics and room leases; letters, digits, '.', '_' and '-', at most %d. Default: the host name and a short random suffix.", maxInstanceLen),
			set: func(c *Config, v string) error {
				if v == "" || len(v) > maxInstanceLen || strings.IndexFunc(v, func(r rune) bool { return !isInstanceRune(r) }) >= 0 {
					return fmt.Errorf("must be 1 to %d letters, digits, '.', '_' or '-', got %q", maxInstanceLen, v)
				}
				c.Instance = v
				return nil
			},
		},
	}
}

const maxInstanceLen = 64

func isInstanceRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
}

func setEnum(dst *string, v string, allowed ...string) error {
	s := strings.ToLower(strings.TrimSpace(v))
	for _, a := range allowed {
		if s == a {
			*dst = s
			return nil
		}
	}
	return fmt.Errorf("must be one of %s, got %q", strings.Join(allowed, ", "), v)
}

func setAddr(dst *string, v string) error {
	v = strings.TrimSpace(v)
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("must be host:port such as 127.0.0.1:8080 or :8080, got %q", v)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port must be a number from 0 to 65535, got %q", v)
	}
	*dst = v
	return nil
}

func setDatabaseURL(dst *string, v string) error {
	v = strings.TrimSpace(v)
	if p, ok := strings.CutPrefix(v, "sqlite:"); ok {
		if p == "" {
			return errors.New(`must name a file after "sqlite:", e.g. sqlite:data/imperio.db`)
		}
		*dst = v
		return nil
	}
	u, err := url.Parse(v)
	if err != nil {
		// The text may hold a password: do not echo it.
		return errors.New("must be sqlite:<path> or postgres://user:pass@host/db, got a malformed URL")
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return fmt.Errorf("must be sqlite:<path> or postgres://user:pass@host/db, got %q", u.Redacted())
	}
	if u.Host == "" {
		return fmt.Errorf("must name a host, got %q", u.Redacted())
	}
	*dst = v
	return nil
}

func setRedisURL(dst *string, v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		*dst = ""
		return nil
	}
	u, err := url.Parse(v)
	if err != nil {
		return errors.New("must be redis://[:pass@]host:port[/db], got a malformed URL")
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return fmt.Errorf("must be redis://[:pass@]host:port[/db] or rediss://..., got %q", u.Redacted())
	}
	if u.Host == "" {
		return fmt.Errorf("must name a host, got %q", u.Redacted())
	}
	*dst = v
	return nil
}

// setProxies accepts a comma-separated list of IP addresses and CIDRs.
func setProxies(dst *[]string, v string) error {
	var out []string
	for p := range strings.SplitSeq(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return fmt.Errorf("must be IP addresses or CIDRs, got %q", p)
		}
		out = append(out, p)
	}
	*dst = out
	return nil
}

// setOrigins accepts full origins (scheme://host[:port], normalized to
// lower case) and host patterns in path.Match syntax matched against an
// Origin's host[:port], as coder/websocket's OriginPatterns are.
func setOrigins(dst *[]string, v string) error {
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		o, err := parseOrigin(item)
		if err != nil {
			return fmt.Errorf("%q: %w", item, err)
		}
		out = append(out, o)
	}
	*dst = out
	return nil
}

func parseOrigin(s string) (string, error) {
	s = strings.ToLower(s)
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return "", errors.New("not a valid origin")
		}
		switch {
		case u.Scheme != "http" && u.Scheme != "https":
			return "", errors.New("origin scheme must be http or https")
		case u.Host == "" || u.Hostname() == "":
			return "", errors.New("origin must name a host")
		case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
			return "", errors.New("an origin is scheme://host[:port] only, without user, path, query or fragment")
		}
		if p := u.Port(); p != "" {
			if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
				return "", errors.New("origin port must be a number from 1 to 65535")
			}
		}
		return u.Scheme + "://" + u.Host, nil
	}
	if strings.ContainsAny(s, "/@?# ") {
		return "", errors.New("a host pattern is host[:port] with * wildcards, e.g. *.example.com")
	}
	if _, err := path.Match(s, ""); err != nil {
		return "", errors.New("malformed host pattern")
	}
	return s, nil
}

// redactURL masks the password of a URL for logging.
func redactURL(s string) string {
	if s == "" || strings.HasPrefix(s, "sqlite:") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(malformed)"
	}
	return u.Redacted()
}
