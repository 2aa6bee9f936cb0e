package hub

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/games/fair"
	"github.com/imperio-casino/imperio/games/slots"
	"github.com/imperio-casino/imperio/store"
	"github.com/imperio-casino/imperio/store/storetest"
)

// playedRound plays a round of machine at bet from the seed, as a slot room
// does, and returns it as the store recalls it, with the seed revealed.
func playedRound(t *testing.T, machine string, bet int64, server []byte, client string, nonce uint64) (imperio.Round, imperio.FairSeed) {
	t.Helper()
	m, ok := slots.Lookup(machine)
	if !ok {
		t.Fatalf("no machine %s", machine)
	}
	rec := spinRecord{Machine: machine, Bet: bet, Outcome: m.Spin(fair.NewStream(server, client, nonce), bet)}
	proof := FairProof{Scheme: fair.Scheme, ServerSeedHash: fair.HashSeed(server), ClientSeed: client, Nonce: nonce}
	outcome, _ := json.Marshal(rec)
	fairness, _ := json.Marshal(proof)
	now := time.Now().UTC()
	rd := imperio.Round{ID: imperio.NewID(), Game: "slots", Status: imperio.RoundSettled, Outcome: outcome, Fairness: fairness}
	seed := imperio.FairSeed{
		ServerSeedHash: proof.ServerSeedHash, ClientSeed: client, Nonce: nonce + 1,
		ServerSeed: hex.EncodeToString(server), CreatedAt: now, RevealedAt: &now,
	}
	return rd, seed
}

func TestVerifySpin(t *testing.T) {
	server := make([]byte, fair.ServerSeedLen)
	for i := range server {
		server[i] = byte(3 * i)
	}
	for _, machine := range []string{"cherry-charm", "pharaohs-gold", "neon-nights"} {
		t.Run(machine, func(t *testing.T) {
			m, _ := slots.Lookup(machine)
			for nonce := range uint64(50) {
				rd, seed := playedRound(t, machine, m.MinBet, server, "player", nonce)
				v, err := VerifySpin(rd, seed)
				if err != nil || !v.Verified || !v.SeedRevealed || v.Reason != "" || string(v.Expected) != string(v.Recorded) {
					t.Fatalf("nonce %d: %+v, %v", nonce, v, err)
				}
			}
		})
	}

	rd, seed := playedRound(t, "pharaohs-gold", 20, server, "player", 7)
	tamper := map[string]func(rd *imperio.Round, sd *imperio.FairSeed){
		"NotRevealed": func(_ *imperio.Round, sd *imperio.FairSeed) { sd.RevealedAt, sd.ServerSeed = nil, "" },
		"FlippedSeedByte": func(_ *imperio.Round, sd *imperio.FairSeed) {
			b, _ := hex.DecodeString(sd.ServerSeed)
			b[0] ^= 0x01
			sd.ServerSeed = hex.EncodeToString(b)
		},
		"ShortSeed": func(_ *imperio.Round, sd *imperio.FairSeed) { sd.ServerSeed = sd.ServerSeed[:62] },
		"OtherPair": func(_ *imperio.Round, sd *imperio.FairSeed) { sd.ServerSeedHash = fair.HashSeed(nil) },
		"OtherClientSeed": func(rd *imperio.Round, _ *imperio.FairSeed) {
			rd.Fairness = json.RawMessage(`{"scheme":"hmac-sha256","server_seed_hash":"` + fair.HashSeed(server) + `","client_seed":"someone else","nonce":7}`)
		},
		"NonceNeverGiven": func(_ *imperio.Round, sd *imperio.FairSeed) { sd.Nonce = 7 },
		"OtherStops": func(rd *imperio.Round, _ *imperio.FairSeed) {
			var rec map[string]any
			json.Unmarshal(rd.Outcome, &rec)
			stops := rec["stops"].([]any)
			stops[0] = float64((int(stops[0].(float64)) + 1) % 24)
			rd.Outcome, _ = json.Marshal(rec)
		},
		"OtherWin": func(rd *imperio.Round, _ *imperio.FairSeed) {
			var rec map[string]any
			json.Unmarshal(rd.Outcome, &rec)
			rec["win"] = rec["win"].(float64) + 1000
			rd.Outcome, _ = json.Marshal(rec)
		},
	}
	for name, change := range tamper {
		t.Run(name, func(t *testing.T) {
			r, sd := rd, seed
			change(&r, &sd)
			v, err := VerifySpin(r, sd)
			if err != nil {
				t.Fatalf("VerifySpin: %v", err)
			}
			if v.Verified || v.Reason == "" || v.SeedRevealed != sd.Revealed() {
				t.Fatalf("a tampered round verified: %+v", v)
			}
			t.Log(v.Reason)
		})
	}

	t.Run("NotASlotRound", func(t *testing.T) {
		r := rd
		r.Game = "blackjack"
		if _, err := VerifySpin(r, seed); imperio.ErrorCode(err) != imperio.EInvalidInput {
			t.Fatalf("VerifySpin(blackjack round) = %v, want invalid_input", err)
		}
		r = rd
		r.Fairness = nil
		if _, err := VerifySpin(r, seed); imperio.ErrorCode(err) != imperio.EInvalidInput {
			t.Fatalf("VerifySpin(round without proof) = %v, want invalid_input", err)
		}
	})
}

// TestSlotRoundsAreProvablyFair spins in a slot room and checks each round
// against the player's seed pair: the proof the result shows, the proof the
// round stores, nonces in order, and after the rotation, the replay.
func TestSlotRoundsAreProvablyFair(t *testing.T) {
	sr := newStepRoom(t)
	st := sr.r.hub.opts.Wallet.(*store.Store)
	ctx := context.Background()
	active, err := st.ActiveSeed(ctx, sr.alice.player.ID)
	if err != nil {
		t.Fatal(err)
	}
	spin := func(key string) spinResult {
		t.Helper()
		sr.r.step(roomCmd{kind: cmdGame, s: sr.alice, re: "s", typ: TypeSlotsSpin, body: spinIn{Machine: "cherry-charm", Bet: 5, Key: key}})
		return decodeAs[spinResult](t, sr.only(sr.alice, TypeSlotsResult).Data)
	}
	var rounds []spinResult
	for nonce := range uint64(5) {
		res := spin("")
		want := FairProof{Scheme: fair.Scheme, ServerSeedHash: active.ServerSeedHash, ClientSeed: active.ClientSeed, Nonce: nonce}
		if res.Fairness == nil || *res.Fairness != want {
			t.Fatalf("spin %d shows proof %+v, want %+v", nonce, res.Fairness, want)
		}
		rd, err := st.Round(ctx, sr.alice.player.ID, res.RoundID)
		if err != nil {
			t.Fatal(err)
		}
		if p, err := RoundProof(rd); err != nil || p != want {
			t.Fatalf("round %d stores proof %+v, %v; want %+v", nonce, p, err, want)
		}
		rounds = append(rounds, res)
	}

	t.Run("ReplayKeepsItsProof", func(t *testing.T) {
		first := spin("lucky-1")
		again := spin("lucky-1")
		if !again.Replayed || again.RoundID != first.RoundID || again.Fairness == nil || *again.Fairness != *first.Fairness {
			t.Fatalf("replay shows %+v, want the proof of %+v", again.Fairness, first.Fairness)
		}
	})

	revealed, next, err := st.RotateSeed(ctx, sr.alice.player.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, res := range rounds {
		rd, err := st.Round(ctx, sr.alice.player.ID, res.RoundID)
		if err != nil {
			t.Fatal(err)
		}
		v, err := VerifySpin(rd, revealed)
		if err != nil || !v.Verified {
			t.Fatalf("round %d does not verify: %+v, %v", i, v, err)
		}
	}
	if res := spin(""); res.Fairness == nil || res.Fairness.ServerSeedHash != next.ServerSeedHash || res.Fairness.Nonce != 0 {
		t.Fatalf("the first spin after rotating shows %+v, want nonce 0 of %s", res.Fairness, next.ServerSeedHash)
	}
}

// noNonces is a wallet whose seeds are out of reach.
type noNonces struct{ *store.Store }

func (noNonces) TakeNonce(context.Context, int64) ([]byte, string, uint64, string, error) {
	return nil, "", 0, "", errors.New("connection refused")
}

// TestSpinWithoutNonceChargesNothing: a spin that cannot take a nonce is
// refused as unavailable before anything is debited.
func TestSpinWithoutNonceChargesNothing(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := New(Options{Wallet: noNonces{st}, Log: slog.New(slog.DiscardHandler)})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		h.Shutdown(ctx)
	})
	u, err := st.CreateUser(context.Background(), imperio.NewUser{Username: "alice", Grant: 1000})
	if err != nil {
		t.Fatal(err)
	}
	alice := Player{ID: u.ID, Username: u.Username}
	m, _ := slots.Lookup("cherry-charm")
	sr := &stepRoom{t: t, r: newRoom(h, stepRoomName, &slotGame{hub: h, m: m, owner: alice}), alice: newSession(h, alice, newFakeTransport())}
	sr.r.step(roomCmd{kind: cmdGame, s: sr.alice, re: "s", typ: TypeSlotsSpin, body: spinIn{Machine: "cherry-charm", Bet: 5}})
	if f := sr.only(sr.alice, TypeError); f.code() != imperio.EUnavailable || f.Re != "s" {
		t.Fatalf("spin without a nonce answered %s", f)
	}
	if coins, err := st.Balance(context.Background(), u.ID); err != nil || coins != 1000 {
		t.Fatalf("balance %d, %v after a refused spin; want 1000", coins, err)
	}
	entries, _, err := st.Transactions(context.Background(), u.ID, 0, 10)
	if err != nil || len(entries) != 1 {
		t.Fatalf("ledger %+v, %v; want the grant only", entries, err)
	}
}
