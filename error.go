package imperio

import (
	"errors"
	"fmt"
	"time"
)

// Error codes of the wire contract. Every error a player sees carries one.
const (
	EInvalidInput      = "invalid_input"
	EUnauthorized      = "unauthorized"
	EForbidden         = "forbidden"
	ENotFound          = "not_found"
	EInsufficientFunds = "insufficient_funds"
	EBetOutOfRange     = "bet_out_of_range"
	ENotYourTurn       = "not_your_turn"
	EBettingClosed     = "betting_closed"
	ESeatTaken         = "seat_taken"
	ERoomFull          = "room_full"
	ERateLimited       = "rate_limited"
	EUnavailable       = "unavailable"
	EUsernameTaken     = "username_taken"
	EInvalidCreds      = "invalid_credentials"
	EConflict          = "conflict"
	EInternal          = "internal"
	// ELossLimit refuses a bet that could take the player past their own
	// daily loss limit (responsible play).
	ELossLimit = "loss_limit"
	// ELocked refuses a login while the account is locked after too many
	// failed attempts; RetryAfter says until when.
	ELocked = "locked"
	// ETOTPRequired asks for a two-factor code: at login when the account
	// has two-factor on, and on admin routes when the admin has not set it up.
	ETOTPRequired = "totp_required"
)

// Error is the one application error: a code from the protocol's list and a
// message that is safe to show to a player. Anything that is not an *Error is
// an internal failure: it is logged with context and the player sees a
// generic text.
type Error struct {
	Code    string
	Message string
	// RetryAfter tells a rate-limited caller when to try again.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	return fmt.Sprintf("imperio error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the *Error in err's chain, "" for nil and
// EInternal for any other error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the player-safe message of err: the *Error's message,
// or a generic text for an internal error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
