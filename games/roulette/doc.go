// Package roulette owns the multiplayer European roulette table: the bets
// and what they pay, the state machine of a round, the one draw per round
// that gives the number, and a simulator that measures each bet's house
// edge beside the exact figure.
//
// It is pure, like every package under games: a Table changes only through
// Apply (a player's command) and Advance (time passing, given as a value),
// and draws its numbers from the fair.Source it was given. No I/O, no
// goroutines, no clock, no global randomness.
//
// # The layout and the bets
//
// The wheel has 37 pockets, 0 to 36 (one zero). The layout has 0 at the
// head and 1 to 36 in twelve rows of three (1-2-3, 4-5-6, ..., 34-35-36);
// column 1 is 1, 4, ..., 34. Inside bets name the numbers they cover, in
// any order, and must make the shape named:
//
//   - straight: one number, 0 to 36, pays 35 to 1;
//   - split: two numbers next to each other, across a row (17-18) or up a
//     column (17-20), or 0 with 1, 2 or 3: 17 to 1 (3-4 is not a split:
//     they sit at opposite ends of two rows);
//   - street: a row, n to n+2 with n = 1, 4, ..., 34: 11 to 1;
//   - trio: 0-1-2 or 0-2-3: 11 to 1;
//   - corner: four numbers in a square, n, n+1, n+3, n+4: 8 to 1;
//   - first_four: 0-1-2-3 (its numbers may be left out): 8 to 1;
//   - six_line: two adjacent rows, n to n+5 with n = 1, 4, ..., 31: 5 to 1.
//
// Outside bets: dozen and column name which one with a single number, 1 to
// 3, and pay 2 to 1; red, black, odd, even, low (1-18) and high (19-36) take
// no numbers and pay even money. Zero loses every outside bet; with
// Rules.LaPartage it returns half the stake of an even-money bet, rounded
// down. Every bet's house edge is exactly 1/37 (2.7027%), an even-money
// bet's 1/74 (1.3514%) with la partage.
//
// "35 to 1" means the stake back and 35 times it: Bet.Payout returns the
// whole credit, 36 times the stake for a straight.
//
// # A round
//
// A table starts "waiting". The first bet opens the round and its betting
// window ("betting", BetTime from that bet). Any player may bet during the
// window, in as many commands as they like, each with one or more bets,
// within MaxBets bets and MaxTotal coins a round; each bet is between MinBet
// and MaxBet. A command's bets are taken together: all or none. When the
// window runs out, "no_more_bets" ("spinning"); SpinTime later the ball is
// drawn and the "result" is announced, then a "payout" per player, then
// "round_end" (the room settles the round in the store on it), and a pause
// ("settled", PauseTime) before the table waits again. Nobody waits on
// anybody: away and leave only mark the player, whose bets stay in the
// round until it settles.
//
// # Events, views and records
//
// Apply and Advance return Events: public facts that the room broadcasts to
// players and spectators alike. View is the snapshot for one viewer: the
// table, everyone's bets in the round, the last results, and the viewer's
// own bets and limits. Record is the round for recall: every bet with its
// time, the number, what each bet paid; Payouts gives the settlement's
// credits, one per bet.
//
// Cost tells the room what a command will debit before Apply runs it, and
// fails exactly when Apply would, so the room can take the coins first.
//
// # Fairness
//
// A round's number is one Spin: one fair.Intn(src, 37) from the table's
// source, made when the result is due and not before, so nothing about it
// exists while bets are open. The record and the result event carry Draw,
// the count of the table's draws, so that a verifiable stream can be
// replayed to the same number.
//
// # Simulation
//
// Simulator plays a set of bets (SimBets: one of each kind) on every spin
// of many, and measures each bet's edge with its standard error beside the
// exact edge (HouseEdge, from going through the 37 pockets).
package roulette
