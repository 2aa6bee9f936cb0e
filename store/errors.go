package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	gosqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/imperio-casino/imperio"
)

// errUnavailable is what a player is told when the database cannot be
// reached: nothing was charged.
var errUnavailable = imperio.Errorf(imperio.EUnavailable, "The database is unavailable, nothing was charged. Try again shortly.")

// unknownOutcome marks a failure after which it is unknown whether a write
// took effect: COMMIT itself failed, or the connection broke while the
// one-statement PostgreSQL settlement was in flight (the server may have
// committed before the answer was lost). It is never reported as
// "unavailable, nothing was charged"; a retry under the same key settles the
// question (a replay, or a first settlement).
type unknownOutcome struct {
	op  string
	err error
}

func (e unknownOutcome) Error() string { return e.op + " (outcome unknown): " + e.err.Error() }
func (e unknownOutcome) Unwrap() error { return e.err }

// inFlightFailure wraps an error of a statement that commits by itself: a
// failure the server reported, or one before anything was sent, left nothing
// behind; any other may have come after the commit.
func inFlightFailure(op string, err error) error {
	var pgErr *pgconn.PgError
	var connErr *pgconn.ConnectError
	if errors.As(err, &pgErr) || errors.As(err, &connErr) || pgconn.SafeToRetry(err) ||
		errors.Is(err, driver.ErrBadConn) {
		return fmt.Errorf("%s: %w", op, err)
	}
	return unknownOutcome{op: op, err: err}
}

// beforeCommit drops the unknownOutcome mark of a statement that failed
// inside an explicit transaction: nothing commits before COMMIT, so the
// failure left nothing behind, whatever the statement alone would have.
func beforeCommit(err error) error {
	var uo unknownOutcome
	if errors.As(err, &uo) && uo.op != "commit" {
		return fmt.Errorf("%s: %w", uo.op, uo.err)
	}
	return err
}

// wrap adds the operation's context to err and, when err shows that the
// database could not be reached, the imperio.EUnavailable code.
func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var ae *imperio.Error
	var uo unknownOutcome
	if !errors.As(err, &ae) && !errors.As(err, &uo) && isUnavailable(err) {
		return fmt.Errorf("%s: %w: %w", op, errUnavailable, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// isUnavailable reports whether err means the database could not be reached
// or refused service for now, as opposed to a fault in the request.
func isUnavailable(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false // the caller gave up; there is nobody to tell
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// 08: connection exception; 53300: too many connections;
		// 57P01-57P03: the server is shutting down or starting up.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "53300" ||
			pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var sqErr *gosqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN,
			sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY:
			return true
		}
	}
	return false
}

// isSQLiteBusy reports whether err is SQLite's "database is locked".
func isSQLiteBusy(err error) bool {
	var sqErr *gosqlite.Error
	return errors.As(err, &sqErr) && sqErr.Code()&0xff == sqlite3.SQLITE_BUSY
}

// isUniqueViolation reports whether err is a violated unique or primary key
// constraint, on either backend.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *gosqlite.Error
	if errors.As(err, &sqErr) {
		c := sqErr.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// isForeignKeyViolation reports whether err is a violated foreign key, on
// either backend: a row that names a user (or round) that does not exist.
func isForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	var sqErr *gosqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}
