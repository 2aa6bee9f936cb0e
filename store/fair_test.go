package store_test

import (
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/games/fair"
	"github.com/imperio-casino/imperio/store"
	"github.com/imperio-casino/imperio/store/storetest"
)

func TestFairSeeds(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			testFairSeeds(t, b)
		})
	}
}

var (
	hashPattern       = regexp.MustCompile(`^[0-9a-f]{64}$`)
	clientSeedPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)
)

func testFairSeeds(t *testing.T, b storetest.Backend) {
	t.Run("ActiveSeedCreatesOne", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Ada", 100)
		sd, err := s.ActiveSeed(t.Context(), u.ID)
		if err != nil {
			t.Fatalf("ActiveSeed: %v", err)
		}
		if !hashPattern.MatchString(sd.ServerSeedHash) || !clientSeedPattern.MatchString(sd.ClientSeed) ||
			sd.Nonce != 0 || sd.ServerSeed != "" || sd.Revealed() || sd.CreatedAt.IsZero() {
			t.Fatalf("first active seed = %+v", sd)
		}
		again, err := s.ActiveSeed(t.Context(), u.ID)
		if err != nil || again.ServerSeedHash != sd.ServerSeedHash || again.ClientSeed != sd.ClientSeed || !again.CreatedAt.Equal(sd.CreatedAt) {
			t.Fatalf("ActiveSeed again = %+v, %v; want %+v", again, err, sd)
		}
		other := newUser(t, s, "Bea", 100)
		if o, err := s.ActiveSeed(t.Context(), other.ID); err != nil || o.ServerSeedHash == sd.ServerSeedHash || o.ClientSeed == sd.ClientSeed {
			t.Fatalf("another user's seed = %+v, %v; want a pair of its own", o, err)
		}
		if _, err := s.ActiveSeed(t.Context(), u.ID+1000); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Fatalf("ActiveSeed(unknown user) = %v, want not_found", err)
		}
	})

	t.Run("ConcurrentFirstSeed", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Cal", 100)
		hashes := make([]string, 16)
		var wg sync.WaitGroup
		for i := range hashes {
			wg.Go(func() {
				if i%2 == 0 {
					sd, err := s.ActiveSeed(t.Context(), u.ID)
					if err != nil {
						t.Errorf("ActiveSeed: %v", err)
					}
					hashes[i] = sd.ServerSeedHash
					return
				}
				_, _, _, hash, err := s.TakeNonce(t.Context(), u.ID)
				if err != nil {
					t.Errorf("TakeNonce: %v", err)
				}
				hashes[i] = hash
			})
		}
		wg.Wait()
		slices.Sort(hashes)
		if len(slices.Compact(hashes)) != 1 {
			t.Fatalf("concurrent first calls saw several pairs: %v", hashes)
		}
		if n := countRows(t, s, `SELECT COUNT(*) FROM fair_seeds WHERE user_id = ?`, u.ID); n != 1 {
			t.Fatalf("%d pairs created, want 1", n)
		}
	})

	t.Run("TakeNonceCounts", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Dan", 100)
		// No pair yet: the first TakeNonce creates it.
		var first string
		for want := range uint64(3) {
			server, client, nonce, hash, err := s.TakeNonce(t.Context(), u.ID)
			if err != nil {
				t.Fatalf("TakeNonce: %v", err)
			}
			if nonce != want || len(server) != fair.ServerSeedLen || fair.HashSeed(server) != hash || !clientSeedPattern.MatchString(client) {
				t.Fatalf("TakeNonce %d = %x, %q, %d, %s", want, server, client, nonce, hash)
			}
			if first == "" {
				first = hash
			} else if hash != first {
				t.Fatalf("the pair changed between nonces: %s, then %s", first, hash)
			}
		}
		sd, err := s.ActiveSeed(t.Context(), u.ID)
		if err != nil || sd.Nonce != 3 || sd.ServerSeedHash != first || sd.ServerSeed != "" {
			t.Fatalf("ActiveSeed after 3 nonces = %+v, %v; want nonce 3 of %s, seed hidden", sd, err, first)
		}
		if _, _, _, _, err := s.TakeNonce(t.Context(), u.ID+1000); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Fatalf("TakeNonce(unknown user) = %v, want not_found", err)
		}
	})

	t.Run("ConcurrentTakeNonce", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Eve", 100)
		const workers, each = 8, 25
		nonces := make(chan uint64, workers*each)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range each {
					_, _, nonce, _, err := s.TakeNonce(t.Context(), u.ID)
					if err != nil {
						t.Errorf("TakeNonce: %v", err)
						return
					}
					nonces <- nonce
				}
			})
		}
		wg.Wait()
		close(nonces)
		var got []uint64
		for n := range nonces {
			got = append(got, n)
		}
		slices.Sort(got)
		for i, n := range got {
			if n != uint64(i) {
				t.Fatalf("nonces taken %v: want each of 0 to %d once", got, workers*each-1)
			}
		}
		if len(got) != workers*each {
			t.Fatalf("%d nonces taken, want %d", len(got), workers*each)
		}
	})

	t.Run("ConcurrentTakeNonceAndRotate", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Fay", 100)
		var (
			mu    sync.Mutex
			draws = map[string][]uint64{}
			wg    sync.WaitGroup
		)
		for range 6 {
			wg.Go(func() {
				for range 20 {
					_, _, nonce, hash, err := s.TakeNonce(t.Context(), u.ID)
					if err != nil {
						t.Errorf("TakeNonce: %v", err)
						return
					}
					mu.Lock()
					draws[hash] = append(draws[hash], nonce)
					mu.Unlock()
				}
			})
		}
		for range 2 {
			wg.Go(func() {
				for range 5 {
					if _, _, err := s.RotateSeed(t.Context(), u.ID); err != nil {
						t.Errorf("RotateSeed: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		// Every pair gave out 0, 1, ... exactly as many nonces as it
		// counts, each once, rotations or not.
		total := 0
		for hash, ns := range draws {
			slices.Sort(ns)
			for i, n := range ns {
				if n != uint64(i) {
					t.Fatalf("pair %s gave out nonces %v", hash, ns)
				}
			}
			sd, err := s.RevealedSeed(t.Context(), u.ID, hash)
			if imperio.ErrorCode(err) == imperio.ENotFound {
				sd, err = s.ActiveSeed(t.Context(), u.ID)
				if err == nil && sd.ServerSeedHash != hash {
					t.Fatalf("pair %s is neither revealed nor active", hash)
				}
			}
			if err != nil || sd.Nonce != uint64(len(ns)) {
				t.Fatalf("pair %s counts %d nonces (%v), but gave out %d", hash, sd.Nonce, err, len(ns))
			}
			total += len(ns)
		}
		if total != 6*20 {
			t.Fatalf("%d nonces taken, want %d", total, 6*20)
		}
		if n := countRows(t, s, `SELECT COUNT(*) FROM fair_seeds WHERE user_id = ? AND revealed_at IS NULL`, u.ID); n != 1 {
			t.Fatalf("%d active pairs, want 1", n)
		}
		if n := countRows(t, s, `SELECT COUNT(*) FROM fair_seeds WHERE user_id = ?`, u.ID); n != 11 {
			t.Fatalf("%d pairs after 10 rotations, want 11", n)
		}
	})

	t.Run("RotateReveals", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Gus", 100)
		before, err := s.ActiveSeed(t.Context(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			if _, _, _, _, err := s.TakeNonce(t.Context(), u.ID); err != nil {
				t.Fatal(err)
			}
		}
		revealed, active, err := s.RotateSeed(t.Context(), u.ID)
		if err != nil {
			t.Fatalf("RotateSeed: %v", err)
		}
		checkRevealed(t, revealed, before)
		if revealed.Nonce != 5 {
			t.Errorf("revealed pair counts %d nonces, want 5", revealed.Nonce)
		}
		if active.ServerSeedHash == before.ServerSeedHash || !hashPattern.MatchString(active.ServerSeedHash) ||
			active.ClientSeed != before.ClientSeed || active.Nonce != 0 || active.ServerSeed != "" || active.Revealed() {
			t.Errorf("new pair = %+v, want a new hidden seed with client seed %q at nonce 0", active, before.ClientSeed)
		}
		if now, err := s.ActiveSeed(t.Context(), u.ID); err != nil || now.ServerSeedHash != active.ServerSeedHash || now.Nonce != 0 {
			t.Errorf("ActiveSeed after rotating = %+v, %v; want %+v", now, err, active)
		}
		if _, _, nonce, hash, err := s.TakeNonce(t.Context(), u.ID); err != nil || nonce != 0 || hash != active.ServerSeedHash {
			t.Errorf("TakeNonce after rotating = %d of %s, %v; want 0 of %s", nonce, hash, err, active.ServerSeedHash)
		}

		got, err := s.RevealedSeed(t.Context(), u.ID, before.ServerSeedHash)
		if err != nil || got.ServerSeed != revealed.ServerSeed || got.Nonce != 5 || !got.Revealed() {
			t.Errorf("RevealedSeed = %+v, %v; want %+v", got, err, revealed)
		}
		other := newUser(t, s, "Hal", 100)
		for name, try := range map[string]func() error{
			"Active":       func() error { _, err := s.RevealedSeed(t.Context(), u.ID, active.ServerSeedHash); return err },
			"AnotherUsers": func() error { _, err := s.RevealedSeed(t.Context(), other.ID, before.ServerSeedHash); return err },
			"Unknown":      func() error { _, err := s.RevealedSeed(t.Context(), u.ID, strings.Repeat("0", 64)); return err },
		} {
			if err := try(); imperio.ErrorCode(err) != imperio.ENotFound {
				t.Errorf("RevealedSeed(%s) = %v, want not_found", name, err)
			}
		}

		// A user who never played gets a pair revealed at once, and another.
		fresh := newUser(t, s, "Ivy", 100)
		r, a, err := s.RotateSeed(t.Context(), fresh.ID)
		if err != nil || !r.Revealed() || r.Nonce != 0 || a.Revealed() || a.ServerSeedHash == r.ServerSeedHash {
			t.Errorf("RotateSeed of a new user = %+v, %+v, %v", r, a, err)
		}
		if _, _, err := s.RotateSeed(t.Context(), u.ID+1000); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Errorf("RotateSeed(unknown user) = %v, want not_found", err)
		}
	})

	t.Run("SetClientSeedRotates", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Jo", 100)
		before, err := s.ActiveSeed(t.Context(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, _, err := s.TakeNonce(t.Context(), u.ID); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"", strings.Repeat("x", 65), "tab\there", "new\nline", "caf\u00e9", "\x7f"} {
			if _, _, err := s.SetClientSeed(t.Context(), u.ID, bad); imperio.ErrorCode(err) != imperio.EInvalidInput {
				t.Errorf("SetClientSeed(%q) = %v, want invalid_input", bad, err)
			}
		}
		if sd, err := s.ActiveSeed(t.Context(), u.ID); err != nil || sd.ServerSeedHash != before.ServerSeedHash || sd.Nonce != 1 {
			t.Fatalf("refused client seeds changed the pair: %+v, %v", sd, err)
		}
		const mine = "my lucky seed: 7 ~ {ok}"
		revealed, active, err := s.SetClientSeed(t.Context(), u.ID, mine)
		if err != nil {
			t.Fatalf("SetClientSeed: %v", err)
		}
		checkRevealed(t, revealed, before)
		if revealed.Nonce != 1 {
			t.Errorf("revealed pair counts %d nonces, want 1", revealed.Nonce)
		}
		if active.ClientSeed != mine || active.Nonce != 0 || active.ServerSeedHash == before.ServerSeedHash || active.ServerSeed != "" {
			t.Errorf("new pair = %+v, want client seed %q at nonce 0 under a new hash", active, mine)
		}
		if _, client, nonce, _, err := s.TakeNonce(t.Context(), u.ID); err != nil || client != mine || nonce != 0 {
			t.Errorf("TakeNonce after SetClientSeed = %q, %d, %v", client, nonce, err)
		}
		// Rotating keeps the client seed the player chose.
		if _, a, err := s.RotateSeed(t.Context(), u.ID); err != nil || a.ClientSeed != mine {
			t.Errorf("RotateSeed after SetClientSeed = %+v, %v; want client seed %q", a, err, mine)
		}
		if _, _, err := s.SetClientSeed(t.Context(), u.ID+1000, "x"); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Errorf("SetClientSeed(unknown user) = %v, want not_found", err)
		}
	})

	t.Run("OneActivePairPerUser", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Kit", 100)
		if _, err := s.ActiveSeed(t.Context(), u.ID); err != nil {
			t.Fatal(err)
		}
		err := store.ExecSQL(s, `INSERT INTO fair_seeds (user_id, server_seed, server_seed_hash, client_seed, nonce, created_at)
			VALUES (?, 'aa', 'bb', 'cc', 0, `+nowSQL(s)+`)`, u.ID)
		if err == nil {
			t.Fatal("a second active pair was accepted")
		}
	})
}

// checkRevealed checks a revealed pair against what was shown while it was
// active: its seed hashes to the commitment.
func checkRevealed(t *testing.T, revealed, shown imperio.FairSeed) {
	t.Helper()
	server, err := hex.DecodeString(revealed.ServerSeed)
	if err != nil || len(server) != fair.ServerSeedLen {
		t.Fatalf("revealed server seed %q: %v", revealed.ServerSeed, err)
	}
	if revealed.ServerSeedHash != shown.ServerSeedHash || fair.HashSeed(server) != shown.ServerSeedHash {
		t.Errorf("revealed seed hashes to %s, the pair showed %s", fair.HashSeed(server), shown.ServerSeedHash)
	}
	if revealed.ClientSeed != shown.ClientSeed || !revealed.Revealed() || revealed.RevealedAt.Before(revealed.CreatedAt) {
		t.Errorf("revealed pair = %+v, shown %+v", revealed, shown)
	}
}

func countRows(t *testing.T, s *store.Store, query string, args ...any) int64 {
	t.Helper()
	n, err := store.QueryInt(s, query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// nowSQL is the backend's current timestamp in the form its columns hold.
func nowSQL(s *store.Store) string {
	if s.Backend() == "postgres" {
		return "now()"
	}
	return fmt.Sprintf("'%s'", "2026-01-01T00:00:00.000000Z")
}
