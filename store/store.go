package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/imperio-casino/imperio"
)

// Backend names, as returned by (*Store).Backend.
const (
	backendSQLite   = "sqlite"
	backendPostgres = "postgres"
)

// maxCoins bounds every amount the store accepts (bets, wins, grants): the
// largest integer a JavaScript client can hold exactly. It also keeps sums far
// from int64 overflow.
const maxCoins = 1<<53 - 1

// Store is the one handle on the database. It is safe for concurrent use.
type Store struct {
	backend string
	log     *slog.Logger

	// wdb runs every write transaction. With SQLite it holds a single
	// connection, so writers queue in the process instead of fighting over
	// the file lock (see openSQLite).
	wdb *gorm.DB
	// rdb runs reads outside write transactions. With PostgreSQL it is wdb;
	// with SQLite it is a pool of read-only connections that WAL lets run
	// alongside the writer.
	rdb *gorm.DB
	// ndb takes nonces (TakeNonce). With PostgreSQL it is a small pool of
	// its own whose commits do not wait for the disk: see TakeNonce. Else
	// it is wdb.
	ndb *gorm.DB
	// pools are closed by Close (one for PostgreSQL, two for SQLite).
	pools []*sql.DB

	// now is the clock for timestamps, always UTC and rounded to the
	// microsecond so that both backends store the same value.
	now func() time.Time
	// spins gathers concurrent spin settlements into shared commits.
	spins spinGroup
	// nonces are the nonces reserved for each player (TakeNonce).
	nonces nonceCache
	// stakes gathers concurrent table stakes into shared commits.
	stakes commitGroup[imperio.Stake, stakeResult]

	// fault, when set by tests, is called at each step of a settlement; an
	// error it returns aborts the transaction there.
	fault func(ctx context.Context, step string) error
	// onGroup, when set by tests, is told the size of every spin group
	// settled together, and whether it fell back to settling each alone.
	onGroup func(n int, alone bool)
}

// Open connects to the database named by url, runs the migrations and
// returns the store. It is the only place that chooses the backend:
//
//	postgres://... or postgresql://...   PostgreSQL
//	sqlite:PATH, file:PATH or PATH       SQLite at PATH (":memory:" for a throwaway database)
//
// A PostgreSQL url may carry pool_max_conns=N (default 32), which Open strips
// before connecting.
func Open(ctx context.Context, url string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{
		log: log,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	var err error
	switch {
	case url == "":
		return nil, errors.New("open store: empty database url")
	case hasPrefixFold(url, "postgres://"), hasPrefixFold(url, "postgresql://"):
		err = s.openPostgres(ctx, url)
	default:
		err = s.openSQLite(ctx, sqlitePath(url))
	}
	if err != nil {
		s.Close()
		return nil, s.wrap("open store", err)
	}
	if s.backend == backendPostgres {
		// Two groups of spins at a time: one is written while the other's
		// commit flushes. (SQLite has one writer.)
		s.spins.limit = 2
		s.stakes.limit = 2
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return s, nil
}

// Close closes every connection. The store is unusable afterwards.
func (s *Store) Close() error {
	var errs []error
	for _, p := range s.pools {
		errs = append(errs, p.Close())
	}
	s.pools = nil
	return errors.Join(errs...)
}

// Vacuum refreshes the planner's statistics of the tables the games write
// and, on PostgreSQL, reclaims their dead rows (VACUUM ANALYZE), as
// autovacuum does in the background. A benchmark runs it after loading its
// players, as pgbench vacuums before a run: a database whose statistics
// predate thousands of new rows plans its joins for a table it no longer
// has.
func (s *Store) Vacuum(ctx context.Context) error {
	q := `VACUUM (ANALYZE) users, rounds, round_players, ledger_entries, play_limits`
	if s.backend == backendSQLite {
		q = `ANALYZE`
	}
	if err := s.wdb.WithContext(ctx).Exec(q).Error; err != nil {
		return s.wrap("vacuum", err)
	}
	return nil
}

// Backend names the database behind the store: "sqlite" or "postgres".
func (s *Store) Backend() string { return s.backend }

// Ping checks that the database answers. Any failure is reported as
// imperio.EUnavailable, for readiness checks.
func (s *Store) Ping(ctx context.Context) error {
	db, err := s.rdb.DB()
	if err == nil {
		err = db.PingContext(ctx)
	}
	if err != nil {
		return fmt.Errorf("ping database: %w: %w",
			imperio.Errorf(imperio.EUnavailable, "The database is unavailable."), err)
	}
	return nil
}

// write runs fn in one write transaction on the write pool, committing when
// fn returns nil and rolling back otherwise (also on panic).
func (s *Store) write(ctx context.Context, fn func(tx *gorm.DB) error) (err error) {
	tx := s.wdb.WithContext(ctx).Begin()
	if tx.Error != nil {
		return fmt.Errorf("begin: %w", tx.Error)
	}
	done := false
	defer func() {
		if !done {
			tx.Rollback() // the error that got us here is the one worth reporting
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := s.step(ctx, "commit"); err != nil {
		return err
	}
	done = true
	if err := tx.Commit().Error; err != nil {
		return unknownOutcome{op: "commit", err: err}
	}
	return nil
}

// read runs fn in one read-only transaction, so that its queries see a single
// snapshot of the database.
func (s *Store) read(ctx context.Context, fn func(tx *gorm.DB) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.backend == backendPostgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx := s.rdb.WithContext(ctx).Begin(opts)
	if tx.Error != nil {
		return fmt.Errorf("begin: %w", tx.Error)
	}
	defer tx.Rollback()
	return fn(tx)
}

// step gives tests a place to inject a fault in the middle of a transaction.
func (s *Store) step(ctx context.Context, name string) error {
	if s.fault == nil {
		return nil
	}
	return s.fault(ctx, name)
}

// ts converts a time to what the backend stores: TIMESTAMPTZ in PostgreSQL,
// fixed-width ISO 8601 text in SQLite (so that text order is time order).
func (s *Store) ts(t time.Time) any {
	if s.backend == backendSQLite {
		return t.UTC().Format(sqliteTimeLayout)
	}
	return t.UTC()
}
