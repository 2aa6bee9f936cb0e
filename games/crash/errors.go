package crash

import "errors"

// Errors a command can fail with. Each maps to one protocol code; the table
// wraps them with a detail that is safe to show the player
// (fmt.Errorf("%w: ...")), so test them with errors.Is. The names are
// blackjack's where the meaning is the same.
var (
	// ErrBettingClosed (betting_closed): a bet while no betting window is
	// open, after it closed, or when the table's hash chain is used up.
	ErrBettingClosed = errors.New("betting is closed")
	// ErrBetOutOfRange (bet_out_of_range): a bet outside MinBet..MaxBet.
	ErrBetOutOfRange = errors.New("bet out of range")
	// ErrTooLate (the hub maps it to betting_closed): a cash-out at or
	// after the round's crash time. The detail names the crash point,
	// which by then is no secret.
	ErrTooLate = errors.New("too late")
	// ErrInvalid (invalid_input): anything else the table refuses: a
	// second bet in a round, an auto cash-out target out of range, a
	// cash-out without a bet, before the start or after one's own
	// cash-out, an unknown action or command.
	ErrInvalid = errors.New("invalid")
)
