// Package storetest gives tests of any package the stores to run against:
// SQLite always, PostgreSQL when it is reachable (and required when
// IMPERIO_TEST_REQUIRE_SERVICES=1). Each opened store is fresh and is closed
// and removed when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/imperio-casino/imperio/store"
)

// DefaultPostgresURL is used when IMPERIO_TEST_DATABASE_URL is not set.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// poolSize keeps each test store's PostgreSQL pool small: test packages run
// in parallel against one server.
const poolSize = 16

// Backend is one database to run a suite against.
type Backend struct {
	Name string
	// Open returns a fresh, migrated store, closed (and its data removed)
	// when the test ends.
	Open func(t testing.TB) *store.Store
}

// Backends returns the stores to run a suite against: SQLite in
// t.TempDir() always; PostgreSQL from IMPERIO_TEST_DATABASE_URL (default
// DefaultPostgresURL), each Open in a schema of its own
// (imperio_test_<random>, dropped at cleanup). When PostgreSQL is
// unreachable, the test fails if IMPERIO_TEST_REQUIRE_SERVICES=1; otherwise
// Backends logs it loudly and the PostgreSQL backend's Open skips the
// (sub)test, saying why.
func Backends(t testing.TB) []Backend {
	t.Helper()
	bs := []Backend{{Name: "sqlite", Open: OpenSQLite}}
	if msg := postgresProblem(); msg != "" {
		if requireServices() {
			t.Fatalf("%s (IMPERIO_TEST_REQUIRE_SERVICES=1)", msg)
		}
		t.Logf("!!! %s: SKIPPING the postgres backend (set IMPERIO_TEST_REQUIRE_SERVICES=1 to make this fail)", msg)
	}
	return append(bs, Backend{Name: "postgres", Open: OpenPostgres})
}

// RequirePostgres skips the test when the PostgreSQL test server is
// unreachable, or fails it when IMPERIO_TEST_REQUIRE_SERVICES=1.
func RequirePostgres(t testing.TB) {
	t.Helper()
	if msg := postgresProblem(); msg != "" {
		if requireServices() {
			t.Fatalf("%s (IMPERIO_TEST_REQUIRE_SERVICES=1)", msg)
		}
		t.Skipf("SKIPPED: %s", msg)
	}
}

func requireServices() bool { return os.Getenv("IMPERIO_TEST_REQUIRE_SERVICES") == "1" }

// postgresProblem says why the PostgreSQL test server cannot be used, "" when
// it can.
func postgresProblem() string {
	u := PostgresURL()
	if err := postgresReachable(u); err != nil {
		return "PostgreSQL at " + redact(u) + " is unreachable: " + err.Error()
	}
	return ""
}

// PostgresURL is the server the PostgreSQL backend uses.
func PostgresURL() string {
	if u := os.Getenv("IMPERIO_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// OpenSQLite opens a store on a new SQLite file in t.TempDir().
func OpenSQLite(t testing.TB) *store.Store {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "imperio.db"))
}

// OpenPostgres opens a store in a new schema of the PostgreSQL test server;
// the schema is dropped when the test ends. It skips the test (or fails it,
// see RequirePostgres) when the server is unreachable.
func OpenPostgres(t testing.TB) *store.Store {
	t.Helper()
	return open(t, NewPostgresSchema(t))
}

// NewPostgresSchema creates an empty schema (imperio_test_<random>) on the
// PostgreSQL test server and returns a url whose connections use it
// (search_path); the schema is dropped, with everything in it, when the test
// ends. For tests that open the same database more than once.
func NewPostgresSchema(t testing.TB) string {
	t.Helper()
	RequirePostgres(t)
	base := PostgresURL()
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("IMPERIO_TEST_DATABASE_URL must be a postgres:// url, got %q", redact(base))
	}
	schema := "imperio_test_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	// Cleanups run last-in first-out: this one runs after the stores opened
	// on the schema are closed.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	// search_path is sent to the server as a run-time parameter by pgx.
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("pool_max_conns", strconv.Itoa(poolSize))
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens a store on dbURL (any form store.Open takes) for the length of
// the test, logging warnings to the test's output.
func Open(t testing.TB, dbURL string) *store.Store {
	t.Helper()
	return open(t, dbURL)
}

func open(t testing.TB, dbURL string) *store.Store {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := store.Open(ctx, dbURL, log)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s
}

var reachable sync.Map // url -> error (nil when reachable), checked once per process

func postgresReachable(u string) error {
	if v, ok := reachable.Load(u); ok {
		err, _ := v.(error)
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(ctx)
	}
	reachable.Store(u, err)
	return err
}

func redact(u string) string {
	if p, err := url.Parse(u); err == nil && p.User != nil {
		if _, ok := p.User.Password(); ok {
			p.User = url.UserPassword(p.User.Username(), "xxxxx")
			return p.String()
		}
	}
	return u
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
