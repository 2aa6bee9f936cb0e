package blackjack

import "errors"

// Errors a command can fail with. Each maps to one protocol code; the table
// wraps them with a detail that is safe to show the player
// (fmt.Errorf("%w: ...")), so test them with errors.Is.
var (
	// ErrNotYourTurn (not_your_turn): a playing action out of turn, or
	// after the turn's time ran out.
	ErrNotYourTurn = errors.New("not your turn")
	// ErrBettingClosed (betting_closed): a bet while no betting window is
	// open, or after it closed.
	ErrBettingClosed = errors.New("betting is closed")
	// ErrSeatTaken (seat_taken): the seat asked for has a player.
	ErrSeatTaken = errors.New("seat taken")
	// ErrTableFull (room_full): every seat has a player.
	ErrTableFull = errors.New("table full")
	// ErrBetOutOfRange (bet_out_of_range): a bet outside MinBet..MaxBet.
	ErrBetOutOfRange = errors.New("bet out of range")
	// ErrInvalid (invalid_input): anything else the table refuses: an
	// action the hand may not take, an unknown action or command, a
	// player who is not seated, a second bet in a round.
	ErrInvalid = errors.New("invalid")
)
