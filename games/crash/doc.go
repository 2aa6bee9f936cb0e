// Package crash owns the crash table: a multiplier that rises from 1.00x
// until it crashes at a point fixed in advance by a published hash chain,
// and players who must cash out before it does. It holds the rules, the
// state machine of a round, the hash chain and the crash-point formula
// with its proof, and the exact return of every cash-out target.
//
// It is pure, like every package under games: a Table changes only through
// Apply (a player's command) and Advance (time passing, given as a value),
// and takes its rounds from the Chain it was given. No I/O, no goroutines,
// no clock, no global randomness.
//
// # A round
//
// A table starts "waiting". The first bet opens the round and its betting
// window ("betting", BetTime from that bet), in which every player may bet
// once, with an optional auto cash-out target. When the window closes the
// round starts ("running"): the multiplier is Multiplier(ms),
// floor(100*e^(0.00006*ms)) hundredths ms milliseconds after the start
// (2.00x at 11.553 s), announced by a tick every TickEvery. The round
// crashes at its crash point c: at ReachedAt(c), the first millisecond at
// which the multiplier reaches c. The round settles at once, the pause
// ("crashed", PauseTime) follows, and the table waits for the next bet.
//
// # Cash-outs and time
//
// A player cashes out by hand (action "cashout") and is paid the
// multiplier of the millisecond of the round the command is applied at
// (whole milliseconds since the start, rounded down), or automatically at
// their target, at ReachedAt(target), and is paid the target exactly.
// The table orders cash-outs against the crash by server time, never by
// what has been announced: a cash-out whose time is at or after the crash
// time loses (ErrTooLate), even if Advance has not announced the crash
// yet; an auto target at or above the crash point never triggers. Every
// cash-out is therefore paid strictly less than the crash point. Auto
// cash-outs of the crash's own millisecond (possible above 166x, where the
// curve gains more than 0.01x a millisecond) come before the crash.
//
// A payout is stake*multiplier/100 coins, rounded down in the house's
// favour, credited when the round settles: Payouts lists one per bet.
//
// # Fairness
//
// The crash points come from a hash chain (see Chain): its terminating
// hash is published before play, each round's hash is revealed by the
// "crash" event and the round's Record, and anyone can hash it forward to
// the terminating hash (Verify) and recompute the crash point
// (CrashPoint). Neither the crash point nor the hash is in any event, view
// or record of a round before it crashes.
//
// The crash point of a hash, with h its first 52 bits and e = 2^52, is
// c = floor(99e/(e-h)) + 1 hundredths (capped at Rules.MaxMultiplier). A
// cash-out at x hundredths is paid when c > x, which has the chance
// floor(99e/x)/e, so every target returns 99% (RTP): P(c > m) = 0.99/m, a
// 1% house edge, all of it in the 1% of rounds that crash at 1.00x. The
// first term is Bustabit's formula, the highest multiplier a round pays;
// a player wins exactly when they would at Bustabit with the same hash.
// The proof is at CrashPoint.
package crash
