package store_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/store/storetest"
)

// TestNonceBlockRotatedElsewhere: two stores on one database (two
// instances). A reserves a block of the player's nonces; B rotates the pair,
// revealing its server seed. A spin A draws from its stale block is refused
// with nothing charged, alone and in a group, and A's next nonce comes from
// the new pair.
func TestNonceBlockRotatedElsewhere(t *testing.T) {
	for _, b := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "imperio.db") }},
		{"postgres", func(t *testing.T) string { return storetest.NewPostgresSchema(t) }},
	} {
		t.Run(b.name, func(t *testing.T) {
			url := b.url(t)
			a := storetest.Open(t, url)
			other := storetest.Open(t, url)
			ctx := t.Context()
			u := newUser(t, a, "Rotated", 100)

			_, _, n0, oldHash, err := a.TakeNonce(ctx, u.ID)
			if err != nil || n0 != 0 {
				t.Fatalf("first nonce = %d, %v; want 0", n0, err)
			}
			if sd, err := a.ActiveSeed(ctx, u.ID); err != nil || sd.Nonce != 1 {
				t.Fatalf("ActiveSeed after one nonce = %+v, %v; want nonce 1", sd, err)
			}
			revealed, active, err := other.RotateSeed(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if revealed.ServerSeedHash != oldHash || active.ServerSeedHash == oldHash {
				t.Fatalf("rotation revealed %s, new %s; the block was of %s", revealed.ServerSeedHash, active.ServerSeedHash, oldHash)
			}

			// A's block is stale: the next nonce still comes from it.
			_, _, n1, hash, err := a.TakeNonce(ctx, u.ID)
			if err != nil || hash != oldHash || n1 != 1 {
				t.Fatalf("nonce from the block = %d of %s, %v; want 1 of %s", n1, hash, err, oldHash)
			}
			sp := newSpin(u.ID, "stale", 10, 0)
			sp.SeedHash = hash
			if _, err := a.SettleSpin(ctx, sp); !errors.Is(err, imperio.ErrSeedRevealed) {
				t.Fatalf("spin from the revealed pair: %v, want ErrSeedRevealed", err)
			}
			if coins, _ := a.Balance(ctx, u.ID); coins != 100 {
				t.Fatalf("balance %d after the refused spin, want 100", coins)
			}
			// The refusal dropped the block: the next draw is the new pair's.
			_, _, n2, hash, err := a.TakeNonce(ctx, u.ID)
			if err != nil || hash != active.ServerSeedHash {
				t.Fatalf("nonce after the refusal = %d of %s, %v; want one of %s", n2, hash, err, active.ServerSeedHash)
			}
			sp = newSpin(u.ID, "fresh", 10, 0)
			sp.SeedHash = hash
			if rc, err := a.SettleSpin(ctx, sp); err != nil || rc.Coins != 90 {
				t.Fatalf("spin from the active pair = %+v, %v; want 90 coins", rc, err)
			}

			// In a group: a stale block's spin is refused, the other
			// player's spin in the same commit settles.
			w := newUser(t, a, "Beside", 100)
			_, _, _, wHash, err := a.TakeNonce(ctx, w.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := other.RotateSeed(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			_, _, _, staleHash, err := a.TakeNonce(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			stale := newSpin(u.ID, "stale-group", 10, 0)
			stale.SeedHash = staleHash
			good := newSpin(w.ID, "good-group", 10, 0)
			good.SeedHash = wHash
			wait := holdLead(t, a, 2, nil)
			var staleErr, goodErr error
			done := make(chan struct{})
			go func() { _, staleErr = a.SettleSpin(ctx, stale); done <- struct{}{} }()
			go func() { _, goodErr = a.SettleSpin(ctx, good); done <- struct{}{} }()
			<-done
			<-done
			wait()
			if !errors.Is(staleErr, imperio.ErrSeedRevealed) || goodErr != nil {
				t.Fatalf("group: stale spin %v (want ErrSeedRevealed), good spin %v", staleErr, goodErr)
			}
			if coins, _ := a.Balance(ctx, u.ID); coins != 90 {
				t.Fatalf("balance %d after the refused grouped spin, want 90", coins)
			}
			checkLedger(t, a)
		})
	}
}
