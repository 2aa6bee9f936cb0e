package roulette

import "errors"

// Errors a command can fail with. They carry the same names and meanings
// as games/blackjack's, so a room maps both to the same protocol codes. The
// table wraps them with a detail that is safe to show the player
// (fmt.Errorf("%w: ...")), so test them with errors.Is.
var (
	// ErrBettingClosed (betting_closed): a bet while no betting window is
	// open: after "no_more_bets", while the wheel spins, during the pause.
	ErrBettingClosed = errors.New("betting is closed")
	// ErrBetOutOfRange (bet_out_of_range): a bet's amount outside
	// MinBet..MaxBet, or a player's total for the round above MaxTotal.
	ErrBetOutOfRange = errors.New("bet out of range")
	// ErrInvalid (invalid_input): anything else the table refuses: an
	// unknown bet kind or command, numbers that do not make the bet named,
	// more than MaxBets bets in a round, a command with no player.
	ErrInvalid = errors.New("invalid")
)
