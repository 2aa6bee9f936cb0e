package hub

import (
	"encoding/hex"
	"testing"
	"time"

	"github.com/imperio-casino/imperio/games/fair"
	"github.com/imperio-casino/imperio/games/roulette"
)

// TestRouletteRoundsAreProvablyFair plays rounds through the engine: each
// round's seed hash is committed before its first bet, the record reveals a
// seed with that hash, and the ball recomputed from it is the ball played.
func TestRouletteRoundsAreProvablyFair(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	e, err := newRouletteEngine(roulette.DefaultRules(), now)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	caught := 0 // rounds where a tampered seed gives another number
	for round := int64(1); round <= 5; round++ {
		before := e.commit()
		if before.Nonce != round || seen[before.ServerSeedHash] {
			t.Fatalf("round %d commits %+v", round, before)
		}
		seen[before.ServerSeedHash] = true
		bet := engineCmd{kind: "bet", player: 7, name: "p", extra: []roulette.Bet{{Kind: "red", Amount: 10}}}
		if _, err := e.cost(now, bet); err != nil {
			t.Fatal(err)
		}
		if _, err := e.apply(now, bet); err != nil {
			t.Fatal(err)
		}
		if c := e.commit(); c != before {
			t.Fatalf("the commitment changed after the bet: %+v, was %+v", c, before)
		}
		for e.roundActive() {
			d, _ := e.deadline()
			now = d
			e.advance(now)
		}
		rec := e.record().(struct {
			roulette.Record
			Fairness rouletteReveal `json:"fairness"`
		})
		server, _ := hex.DecodeString(rec.Fairness.ServerSeed)
		if fair.HashSeed(server) != before.ServerSeedHash || rec.Fairness.Nonce != round {
			t.Fatalf("round %d reveals %+v, committed %+v", round, rec.Fairness, before)
		}
		ball, err := VerifyRoulette(rec.Fairness.ServerSeed, rec.Fairness.ClientSeed, rec.Fairness.Nonce)
		if err != nil || rec.Number == nil || ball != *rec.Number {
			t.Fatalf("round %d: recomputed %d, played %v (%v)", round, ball, rec.Number, err)
		}
		if tampered, _ := VerifyRoulette(hex.EncodeToString(append([]byte{server[0] ^ 1}, server[1:]...)), rouletteClient, round); tampered != *rec.Number {
			caught++
		}
		d, _ := e.deadline() // the pause
		now = d
		e.advance(now)
	}
	// A tampered seed matches a round's number 1 time in 37; all five, never.
	if caught == 0 {
		t.Fatal("a tampered seed verified every round")
	}
}

// TestLaPartageTables: roulette tables named partage play la partage.
func TestLaPartageTables(t *testing.T) {
	h := New(Options{})
	defer h.cancel()
	for name, want := range map[string]bool{"main": false, "partage": true, "partage-vip": true, "partagez": false} {
		e, err := h.newEngine("roulette", name)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.(*rouletteEngine).t.Rules().LaPartage; got != want {
			t.Errorf("roulette:%s la partage %v, want %v", name, got, want)
		}
	}
}
