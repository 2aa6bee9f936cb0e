// Package store owns Imperio's durable state: the database schema and its
// versioned migrations, the wallet ledger (every change of a balance is a
// ledger row written in the same transaction), rounds for game recall, and
// the history and stats queries built on them.
//
// One concrete *Store serves both backends: PostgreSQL for production and an
// embedded SQLite file (pure Go, no cgo) as the default. Open is the only
// place that chooses between them. Callers get the plain types of the root
// package (imperio.User, imperio.SpinReceipt, ...); GORM models and *gorm.DB
// never leave this package.
//
// Money rules the store enforces:
//   - a debit is a conditional update (coins >= bet), so a balance never goes
//     negative and concurrent spins never lose an update;
//   - the balance and its ledger rows change in one transaction, and each
//     ledger row records the balance right after it (balance_after);
//   - settlements are idempotent by (user, key): a retry changes nothing and
//     returns the original receipt.
//
// Table rounds (blackjack, roulette, crash) take the same rules over a longer
// life: OpenRound records the round, Stake debits each stake into it while it
// is open, SettleRound credits the payouts and closes it, and VoidRound (or
// VoidOpenRounds at start-up) refunds every stake of a round that was
// interrupted. A stake either commits before its round closes or is refused
// with imperio.EBettingClosed; table.go says how each backend makes sure.
//
// Provably-fair seeds (fair.go) are each player's seed pairs: ActiveSeed
// shows the active pair's commitment, TakeNonce hands a round the pair's
// secret and its next nonce in one statement, RotateSeed and SetClientSeed
// reveal the pair and start the next, and RevealedSeed finds a revealed one
// to verify its rounds by. See games/fair for the scheme.
//
// CheckLedger verifies these invariants over the whole database, and that
// each round's ledger rows match its players' totals (a void round's add up
// to 0); tests run it after every concurrency and fault test, and `imperio
// audit` will too.
package store
