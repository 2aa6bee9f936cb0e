package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/imperio-casino/imperio"
)

func TestErrorClassification(t *testing.T) {
	netErr := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	s := &Store{}
	for _, tc := range []struct {
		name   string
		err    error
		code   string
		unique bool
	}{
		{"UniqueViolation", &pgconn.PgError{Code: "23505"}, imperio.EInternal, true},
		{"CheckViolation", &pgconn.PgError{Code: "23514"}, imperio.EInternal, false},
		{"ConnectionFailure", &pgconn.PgError{Code: "08006"}, imperio.EUnavailable, false},
		{"AdminShutdown", &pgconn.PgError{Code: "57P01"}, imperio.EUnavailable, false},
		{"NetworkError", netErr, imperio.EUnavailable, false},
		{"Deadline", context.DeadlineExceeded, imperio.EUnavailable, false},
		{"Canceled", context.Canceled, imperio.EInternal, false},
		{"AppError", imperio.Errorf(imperio.EInsufficientFunds, "no"), imperio.EInsufficientFunds, false},
		// Whether a failed commit took effect is unknown: never "nothing was charged".
		{"CommitFailed", unknownOutcome{op: "commit", err: netErr}, imperio.EInternal, false},
		{"InFlight", inFlightFailure("settle", netErr), imperio.EInternal, false},
		{"RejectedBeforeCommit", inFlightFailure("settle", &pgconn.PgError{Code: "57P01"}), imperio.EUnavailable, false},
		// Inside an explicit transaction nothing commits before COMMIT: a
		// statement cut off in flight left nothing behind.
		{"InFlightInTransaction", beforeCommit(inFlightFailure("settle", netErr)), imperio.EUnavailable, false},
		{"CommitFailedInTransaction", beforeCommit(unknownOutcome{op: "commit", err: netErr}), imperio.EInternal, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.wrap("op", fmt.Errorf("step: %w", tc.err))
			if code := imperio.ErrorCode(err); code != tc.code {
				t.Errorf("code of %v = %q, want %q", err, code, tc.code)
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("%v does not wrap %v", err, tc.err)
			}
			if got := isUniqueViolation(err); got != tc.unique {
				t.Errorf("isUniqueViolation(%v) = %v", err, got)
			}
		})
	}
}
