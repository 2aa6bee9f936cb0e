// Package slots owns the slot machines: their definitions as data (reel
// strips, paylines, paytable, wild, scatter, free spins, bet limits), the
// rules that pay a spin, and the exact return to player of each machine.
// It is pure: a spin is a function of the machine, the bet and the
// randomness passed in (games/fair), with no I/O, clock or global state.
//
// # Machines
//
//   - cherry-charm: 3 reels of 22 stops, 3 rows, 5 lines (the three rows
//     and both diagonals). A cherry pays from the first reel on its own.
//     RTP 94.872%.
//   - pharaohs-gold: 5 reels of 24 stops, 3 rows, 20 lines. The pharaoh is
//     wild and has its own pays; the pyramid is the scatter: 3, 4 or 5
//     anywhere pay 2, 10 or 50 times the bet and award 10 free spins at 2x,
//     which retrigger. RTP 95.950%.
//   - neon-nights: 5 reels of 22 stops, 3 rows, 10 lines. The neon wild
//     lands on reels 2 to 4 only and expands to fill its reel. RTP 95.110%.
//
// # Bets
//
// The bet is the total bet in whole coins. It must lie within the machine's
// MinBet and MaxBet and be a multiple of its number of lines; the line bet
// is the bet divided by the lines. ValidateBet says which rule a bet breaks
// (ErrBetOutOfRange, ErrBadBetStep). All wins are whole coins: a line win is
// the line bet times the pay, a scatter win the total bet times the pay,
// and a free spin multiplies either by the free spin multiplier.
//
// # A spin
//
// Each reel's stop is drawn in reel order with fair.Intn, uniformly over
// its strip. A reel stopped at s shows strip[s] in the top row, then
// strip[s+1] and so on, wrapping round the end of the strip. Outcome.Stops
// are the stops and Outcome.Reels the symbols showing, Reels[reel][row].
// In play, each round draws from the provably-fair stream of the player's
// seed pair and the round's nonce (fair.NewStream): the stops of the base
// spin first, then those of each free spin in order, so that anyone holding
// the revealed seed can replay the round with Spin and get the same Outcome.
//
// # Line wins
//
// Lines are numbered from 1 in the order of Machine.Lines. Each line pays
// at most once, left to right from the first reel:
//
//   - The line's symbol is the first one on it that is not a wild; its run
//     is the number of reels from the first on which the line shows that
//     symbol or a wild, without a gap. Wilds stand in for every symbol but
//     the scatter; a scatter on a line ends the run.
//   - If the line starts with wilds and the wild has pays of its own, the
//     leading wilds also count as a run of wilds.
//   - The line pays the better of the two runs by the paytable
//     (Pays[symbol][run-1] line bets), the symbol's run on a tie. A line of
//     wilds only pays as the wild.
//   - An expanding wild (neon-nights) fills every row of the reel it shows
//     on before the lines are read; Outcome.Expanded lists those reels.
//
// A Win for a line gives its number, the paying symbol (the wild for a run
// of wilds), the run length, wilds included, and the coins paid.
//
// # Scatter wins and free spins
//
// Scatters pay wherever they show: n scatters pay ScatterPays[n] times the
// total bet, reported as a Win on line 0 (ScatterLine) with Count n. No reel
// can show two scatters at once. FreeSpinTrigger or more scatters award
// FreeSpins free spins, which the same Spin call plays out as part of the
// round, on the same reels and lines, at the same bet, with every win (line
// and scatter) multiplied by FreeSpinMultiplier. A free spin that shows the
// trigger again awards FreeSpins more, but a round never awards more than
// MaxFreeSpins in all (further awards are cut to fit). Outcome.Win is the
// total of the whole round; each FreeSpin carries its own stops, reels,
// wins and total.
//
// # Return to player
//
// Machine.RTP is declared in the data and is exact: ExactRTP computes it
// over every combination of stops (see BaseStats), counting free spins by
// expectation, and the tests check that the two agree to 1e-9, that an
// exhaustive enumeration of every combination gives the same counts, and
// that 10 million simulated rounds land within four standard errors of it.
package slots
