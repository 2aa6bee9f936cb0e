package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// defaultPoolSize is the PostgreSQL pool size when the url does not say.
const defaultPoolSize = 32

// sqliteBusyTimeout is how long a SQLite connection waits for a lock held by
// another process (inside the process, writers queue for the one write
// connection instead).
const sqliteBusyTimeout = 10 * time.Second

func (s *Store) gormConfig() *gorm.Config {
	return &gorm.Config{
		SkipDefaultTransaction: true, // every write already runs in an explicit transaction
		Logger:                 gormLogger{log: s.log, slow: 250 * time.Millisecond},
		NowFunc:                s.now,
	}
}

// openPostgres connects to PostgreSQL with one pool for reads and writes.
// Unknown url parameters (search_path, application_name, ...) are sent to
// the server as run-time parameters.
func (s *Store) openPostgres(ctx context.Context, rawURL string) error {
	s.backend = backendPostgres
	poolSize := defaultPoolSize
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("parse database url: %w", redactURLError(err))
	}
	q := u.Query()
	if v := q.Get("pool_max_conns"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("parse database url: pool_max_conns=%q is not a positive integer", v)
		}
		poolSize = n
		q.Del("pool_max_conns")
		u.RawQuery = q.Encode()
	}
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return fmt.Errorf("parse database url: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(poolSize)
	pool.SetMaxIdleConns(poolSize)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	pool.SetConnMaxLifetime(time.Hour)
	s.pools = append(s.pools, pool)

	db, err := gorm.Open(postgres.New(postgres.Config{Conn: pool}), s.gormConfig())
	if err != nil {
		return err
	}
	s.wdb, s.rdb, s.ndb = db, db, db
	if err := pool.PingContext(ctx); err != nil {
		return fmt.Errorf("connect to %s/%s: %w", cfg.Host, cfg.Database, err)
	}

	// Nonces commit without waiting for the WAL to reach the disk (see
	// TakeNonce for why that is safe).
	ncfg := cfg.Copy()
	if ncfg.RuntimeParams == nil {
		ncfg.RuntimeParams = map[string]string{}
	}
	ncfg.RuntimeParams["synchronous_commit"] = "off"
	npool := stdlib.OpenDB(*ncfg)
	npool.SetMaxOpenConns(max(2, poolSize/4))
	npool.SetMaxIdleConns(max(2, poolSize/4))
	npool.SetConnMaxIdleTime(5 * time.Minute)
	npool.SetConnMaxLifetime(time.Hour)
	s.pools = append(s.pools, npool)
	if s.ndb, err = gorm.Open(postgres.New(postgres.Config{Conn: npool}), s.gormConfig()); err != nil {
		return err
	}
	if err := npool.PingContext(ctx); err != nil {
		return fmt.Errorf("connect to %s/%s: %w", cfg.Host, cfg.Database, err)
	}
	s.log.Info("store opened", "backend", s.backend, "host", cfg.Host, "database", cfg.Database, "pool_max_conns", poolSize)
	return nil
}

// sqlitePath extracts the file path (and any driver parameters after "?")
// from "sqlite:PATH", "sqlite://PATH", "file:PATH" or a plain PATH.
func sqlitePath(u string) string {
	for _, p := range []string{"sqlite://", "sqlite:", "file://", "file:"} {
		if hasPrefixFold(u, p) {
			return u[len(p):]
		}
	}
	return u
}

// openSQLite opens the SQLite database at path with two pools:
//
//   - a write pool of exactly one connection. SQLite allows one writer at a
//     time; a deferred transaction that reads and then writes can fail with
//     SQLITE_BUSY no matter the busy timeout when another connection wrote in
//     between. With one write connection, writers queue in database/sql
//     (honouring their contexts) and never see a lock. Its transactions still
//     BEGIN IMMEDIATE (_txlock=immediate), which makes another process (say
//     `imperio migrate` next to a running server) wait on the busy timeout
//     instead of failing halfway.
//   - a read pool of query_only connections, which WAL lets run alongside the
//     writer, each seeing the last committed state.
//
// Extra driver parameters after "?" in path are appended to both (a pragma
// given there overrides ours).
func (s *Store) openSQLite(ctx context.Context, path string) error {
	s.backend = backendSQLite
	var extra string
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, extra = path[:i], path[i+1:]
	}
	if path == "" {
		return fmt.Errorf("sqlite: empty path")
	}
	memory := path == ":memory:"
	if !memory {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return fmt.Errorf("create database directory: %w", err)
		}
	}
	common := []string{
		"_pragma=busy_timeout(" + strconv.Itoa(int(sqliteBusyTimeout/time.Millisecond)) + ")",
		"_pragma=foreign_keys(1)",
	}
	// Our busy timeout comes first: the driver runs the pragmas in order, so
	// that it, not the driver's default of 5 s, bounds the wait of the switch
	// to WAL for a lock another instance opening the file may hold.
	dsn := func(params ...string) string {
		params = slices.Concat(common, params, []string{extra})
		return path + "?" + strings.Trim(strings.Join(params, "&"), "&")
	}

	// Journal mode is a property of the file; the first connection sets it.
	// synchronous=FULL syncs the WAL at every commit: an acknowledged spin
	// survives a power cut, not only a crash of the process.
	wpool, err := sql.Open(sqlite.DriverName, dsn("_txlock=immediate", "_pragma=journal_mode(WAL)", "_pragma=synchronous(FULL)"))
	if err != nil {
		return err
	}
	s.pools = append(s.pools, wpool)
	wpool.SetMaxOpenConns(1)
	wpool.SetMaxIdleConns(1)
	wpool.SetConnMaxIdleTime(0)
	wpool.SetConnMaxLifetime(0)
	if err := pingSQLite(ctx, wpool); err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	if s.wdb, err = gorm.Open(&sqlite.Dialector{Conn: wpool}, s.gormConfig()); err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	s.ndb = s.wdb

	if memory {
		// Every connection to ":memory:" is a database of its own: one
		// connection serves everything.
		s.rdb = s.wdb
	} else {
		rpool, err := sql.Open(sqlite.DriverName, dsn("_pragma=query_only(1)"))
		if err != nil {
			return err
		}
		s.pools = append(s.pools, rpool)
		n := max(4, runtime.GOMAXPROCS(0))
		rpool.SetMaxOpenConns(n)
		rpool.SetMaxIdleConns(n)
		rpool.SetConnMaxIdleTime(5 * time.Minute)
		if s.rdb, err = gorm.Open(&sqlite.Dialector{Conn: rpool}, s.gormConfig()); err != nil {
			return fmt.Errorf("open %s: %w", path, err)
		}
	}
	s.log.Info("store opened", "backend", s.backend, "path", path)
	return nil
}

// pingSQLite opens the write pool's connection, trying again for up to the
// busy timeout while the file is locked. Switching a file to WAL reads it and
// then locks it exclusively; when two instances open a new file at the same
// moment, SQLite refuses one of them at once instead of waiting (two readers
// both waiting to write would wait for each other forever).
func pingSQLite(ctx context.Context, pool *sql.DB) error {
	deadline := time.Now().Add(sqliteBusyTimeout)
	wait := 5 * time.Millisecond
	for {
		err := pool.PingContext(ctx)
		if err == nil || !isSQLiteBusy(err) || time.Now().Add(wait).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// redactURLError drops the url (which may hold a password) from a parse error.
func redactURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
