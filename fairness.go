package imperio

import "time"

// FairSeed is a player's provably-fair seed pair as the store hands it out.
// While the pair is active, the server seed stays secret: only its
// commitment, ServerSeedHash, is shown. Once revealed (RevealedAt set), the
// pair serves no more rounds and ServerSeed holds the seed in hex, so the
// player can check it against the commitment and replay its rounds.
type FairSeed struct {
	ServerSeedHash string
	ClientSeed     string
	// Nonce is the nonce the next round takes: rounds played with the pair
	// took 0 to Nonce-1.
	Nonce uint64
	// ServerSeed is the server seed in hex, empty while the pair is active.
	ServerSeed string
	CreatedAt  time.Time
	RevealedAt *time.Time
}

// Revealed reports whether the pair's server seed has been revealed.
func (s FairSeed) Revealed() bool { return s.RevealedAt != nil }
