package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"github.com/imperio-casino/imperio/auth"
	"github.com/imperio-casino/imperio/config"
	"github.com/imperio-casino/imperio/hub"
	"github.com/imperio-casino/imperio/ratelimit"
	"github.com/imperio-casino/imperio/static"
	"github.com/imperio-casino/imperio/store"
)

// The store is the hub's wallet and history, and auth's user directory.
var (
	_ hub.Wallet     = (*store.Store)(nil)
	_ hub.History    = (*store.Store)(nil)
	_ hub.Seeds      = (*store.Store)(nil)
	_ auth.Users     = (*store.Store)(nil)
	_ auth.Accounts  = (*store.Store)(nil)
	_ hub.Admin      = (*store.Store)(nil)
	_ hub.PlayLimits = (*store.Store)(nil)
	_ hub.Instances  = (*hub.Hub)(nil)
)

// shutdownGrace bounds how long a stopping server waits for sockets and
// rooms to finish.
const shutdownGrace = 15 * time.Second

func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.Load(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	if cfg.JWTSecretGenerated {
		log.Warn("IMPERIO_JWT_SECRET is not set: using a random development key; sessions end when the process does")
	}
	log.Info("starting", "config", cfg)

	srv, err := newServer(ctx, cfg, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		srv.close(context.Background())
		return fmt.Errorf("listen on %s (IMPERIO_ADDR): %w", cfg.Addr, err)
	}
	httpSrv := &http.Server{
		Handler:           srv.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("serving", "url", "http://"+ln.Addr().String(), "instance", cfg.Instance, "database", srv.store.Backend())
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()

	select {
	case err := <-errc:
		srv.close(context.Background())
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	// Stop taking requests first; sockets are hijacked, so the hub closes them.
	herr := httpSrv.Shutdown(sctx)
	cerr := srv.close(sctx)
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("server", "err", err)
	}
	if err := errors.Join(herr, cerr); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// server is one wired instance: store, hub and HTTP handler, and Redis
// when instances share it.
type server struct {
	store   *store.Store
	hub     *hub.Hub
	handler http.Handler
	redis   redis.UniversalClient // nil: one instance
	bus     *hub.RedisBus
}

// newServer wires config -> store -> bus -> hub -> HTTP.
func newServer(ctx context.Context, cfg config.Config, log *slog.Logger) (*server, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL, log.With("component", "store"))
	if err != nil {
		return nil, fmt.Errorf("open database (IMPERIO_DATABASE_URL): %w", err)
	}
	if cfg.RedisURL == "" {
		// A single instance: a round still open at start-up was cut short by
		// a crash or a kill, and every stake in it goes back to its player
		// before anyone plays. With many instances, rounds open elsewhere
		// are live: each is voided by whoever takes its room over.
		voided, err := st.VoidOpenRounds(ctx, "", "interrupted: the server stopped during the round")
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("void interrupted rounds: %w", err)
		}
		for _, v := range voided {
			log.Warn("voided an interrupted round", "round_id", v.RoundID, "room", v.Room, "refunded", v.Refunded, "players", len(v.Refunds))
		}
	}
	srv, err := wire(cfg, st, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	return srv, nil
}

// wire builds the hub and HTTP API around an open store; tune adjusts the
// hub's options (tests shorten the table timers).
func wire(cfg config.Config, st *store.Store, log *slog.Logger, tune ...func(*hub.Options)) (*server, error) {
	srv := &server{store: st}
	// Without Redis everything is in process; with it, the bus, leases,
	// leaderboards, rate limits and revoked tokens are shared.
	limiter := func(name string, rule ratelimit.Rule) ratelimit.Limiter { return ratelimit.NewMemory(rule) }
	var (
		bus     hub.Bus
		leases  hub.Leases
		boards  hub.Leaderboards
		revoker auth.Revoker
	)
	if cfg.RedisURL != "" {
		rc, err := newRedisClient(cfg.RedisURL)
		if err != nil {
			return nil, err
		}
		p := cfg.RedisPrefix
		rb := hub.NewRedisBus(rc, p+"bus:", cfg.Instance, log.With("component", "bus"))
		srv.redis, srv.bus = rc, rb
		bus, leases = rb, hub.NewRedisLeases(rc, p)
		boards = hub.NewRedisLeaderboards(rc, p+"lb:")
		revoker = auth.NewRedisRevoker(rc, p+"revoked:").WithLog(log.With("component", "auth"))
		limiter = func(name string, rule ratelimit.Rule) ratelimit.Limiter {
			return ratelimit.NewRedis(rc, p+"rl:"+name+":", rule)
		}
	}
	if revoker == nil {
		revoker = auth.NewMemoryRevoker(nil) // one instance: revocations in process
	}
	lockout := cfg.LockoutFailures
	if lockout == 0 {
		lockout = -1 // IMPERIO_LOCKOUT_FAILURES=0: no lockout
	}
	a := auth.New(auth.Config{
		Secret:          cfg.JWTSecret,
		TokenTTL:        cfg.TokenTTL,
		RefreshTTL:      cfg.RefreshTTL,
		SignupGrant:     cfg.SignupGrant,
		LoginLimiter:    limiter("login", ratelimit.Rule{Rate: 1, Burst: 10}),
		SignupLimiter:   limiter("signup", ratelimit.Rule{Rate: 0.2, Burst: 5}),
		AdminLimiter:    limiter("admin", ratelimit.Rule{Rate: 5, Burst: 30}),
		Revoker:         revoker,
		LockoutFailures: lockout,
		LockoutDuration: cfg.LockoutDuration,
	}, st, log.With("component", "auth"))
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	opts := hub.Options{
		Metrics:          hub.NewMetrics(reg),
		Instance:         cfg.Instance,
		Wallet:           st,
		Limiter:          limiter("msg", ratelimit.Rule{Rate: cfg.MessageRate, Burst: cfg.MessageBurst}),
		ChatLimiter:      limiter("chat", ratelimit.Rule{Rate: cfg.ChatRate, Burst: 5}),
		Bus:              bus,
		Leases:           leases,
		Leaderboards:     boards,
		Richest:          st.Richest,
		Log:              log.With("component", "hub"),
		BigWinMultiplier: cfg.BigWinMultiplier,
		Tables:           cfg.BlackjackTables,
		Rooms:            []string{"roulette:main", "roulette:partage", "crash:main"},
	}
	for _, f := range tune {
		f(&opts)
	}
	h := hub.New(opts)
	reg.MustRegister(h.Collector())
	handler := h.Handler(hub.HTTPOptions{
		Auth:           a,
		History:        st,
		Seeds:          st,
		Admin:          st,
		Limits:         st,
		AllowedOrigins: cfg.AllowedOrigins,
		TrustedProxies: cfg.TrustedProxies,
		Static:         static.FS(),
		Checks: map[string]func(context.Context) error{
			"database": st.Ping,
			"redis":    srv.pingRedis(),
		},
		Log:     log.With("component", "http"),
		Metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}),
	})
	srv.hub, srv.handler = h, handler
	return srv, nil
}

// pingRedis is /readyz's Redis check; nil (reported "disabled") without
// Redis.
func (s *server) pingRedis() func(context.Context) error {
	if s.bus == nil {
		return nil
	}
	return s.bus.Ping
}

// close stops the hub (telling every socket, letting rounds in play finish),
// voids what could not finish, then closes the store.
func (s *server) close(ctx context.Context) error {
	herr := s.hub.Shutdown(ctx)
	if s.redis != nil {
		// The hub voided its own tables' unfinished rounds and gave their
		// leases up; rounds of other instances are theirs.
		berr := s.bus.Close()
		return errors.Join(herr, berr, s.redis.Close(), s.store.Close())
	}
	// Rounds that did not finish while the hub drained are voided now, every
	// stake refunded, rather than left for the next start.
	vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, verr := s.store.VoidOpenRounds(vctx, "", "interrupted: the server shut down during the round")
	return errors.Join(herr, verr, s.store.Close())
}
