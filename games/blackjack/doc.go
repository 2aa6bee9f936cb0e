// Package blackjack owns the multiplayer blackjack table: its rules as
// per-table options, the state machine of a round, the shoe and the data
// that lets players check it, basic strategy computed from the rules, and a
// simulator that measures a rule set's house edge.
//
// It is pure, like every package under games: a Table changes only through
// Apply (a player's command) and Advance (time passing, given as a value),
// and draws its shuffles from the fair.Source it was given. No I/O, no
// goroutines, no clock, no global randomness.
//
// # A round
//
// A table starts "waiting". The first bet opens the round and its betting
// window ("betting", BetTime from that bet); the window closes when it runs
// out, or at once when every seated player who is present (not away) has
// bet. Seated players without a bet sit the round out.
//
// The deal is one card to each seat with a bet, in seat order, the dealer's
// up card, a second card to each seat, and (with Peek) the dealer's hole
// card, face down. With an ace up and Insurance on, every player whose half
// bet is at least one coin may insure ("insurance", InsuranceTime; the
// window closes early once every present player offered it has decided; no
// decision declines). Then, with Peek, the dealer checks the hole card under
// an ace or a ten-value card: a dealer blackjack is revealed and settles the
// round at once.
//
// Hands act in turn ("playing"): seats in order, and within a seat its
// hands in order, a split adding the new hand after the seat's last one.
// Each decision has TurnTime; when it runs out the hand stands. A hand of
// 21 stands by itself. Players may hit, stand, double (one card, the stake
// doubled), split a pair of equal value (ten-value cards pair with each
// other; the new hand gets a stake equal to the bet) and surrender. The
// dealer then turns the hole card over and draws to 17, hitting soft 17
// only with HitSoft17; the dealer does not draw when no hand waits on the
// total. The round settles ("settled"), pauses PauseTime, and the table
// waits for the next bet.
//
// A player's blackjack is an ace and a ten-value card as the first two
// cards of an unsplit hand; a split ace with a ten is 21, not blackjack.
//
// # Payouts
//
// Coins are whole numbers and every fraction rounds down, in the house's
// favour:
//
//   - blackjack: bet + bet*BlackjackNum/BlackjackDen (a bet of 15 at 3:2 is
//     credited 15 + 22 = 37);
//   - win: twice the stake (a doubled hand's stake is twice its bet);
//   - push: the stake; loss: nothing;
//   - surrender: half the bet (5 of a bet of 11);
//   - insurance: costs bet/2, returns three times that on a dealer
//     blackjack.
//
// Without a peek (European no hole card), the dealer's second card comes
// after the players have acted, and a dealer blackjack then takes every
// stake: doubles and split hands lose in full, surrendered hands lose
// their half too ("all bets lost"); a player's blackjack still pushes.
//
// # Events, views and records
//
// Apply and Advance return Events: public facts that the room broadcasts to
// players and spectators alike, so no event carries a card that is not face
// up (the "hole" event says only that a face-down card was dealt). View is
// the snapshot for one viewer (the same public table, plus the viewer's
// seat and legal actions). Record is the round for recall: every card with
// its position in the shoe, every action with its time, the results and
// the payouts, which Payouts also returns for the settlement.
//
// Cost tells the room what a command will debit before Apply runs it, and
// fails exactly when Apply would, so the room can take the coins first.
//
// # The shoe and fairness
//
// Each shoe is shuffled by Fisher-Yates with fair.Intn. Its commitment, the
// SHA-256 of its cards' codes in order joined by "," (ShoeHash), is
// published in the "shuffle" event and the View before any card of it is
// dealt; each round's Record gives the shoe and position of every card it
// used. After the round in which the cut card (Penetration) came out, the
// shoe is retired and reshuffled, and RetiredShoe returns the retired order
// so that the room can publish it and anyone can check the hash and the
// positions.
//
// # Strategy and simulation
//
// Strategy computes basic strategy from the rules (see Chart); Simulator
// plays it, one player and a flat bet, a freshly shuffled shoe each round,
// through the same hand rules as the table. For six decks, S17, double
// after split, 3:2, no surrender and a peek, it measures the published
// house edge of about 0.41%.
package blackjack
