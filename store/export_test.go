package store

import "context"

// SetFault makes the store call fault at each step of a settlement ("debited",
// "round", "ledger", "players", then "commit" before any commit); an error it
// returns aborts the transaction at that point. Tests only.
func SetFault(s *Store, fault func(ctx context.Context, step string) error) {
	s.fault = fault
}
