package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/glebarez/sqlite"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", to tamper with a seed

	"github.com/imperio-casino/imperio/hub"
	"github.com/imperio-casino/imperio/store"
	"github.com/imperio-casino/imperio/store/storetest"
)

// seedView is a seed pair as /api/fair shows it.
type seedView struct {
	ServerSeed     *string `json:"server_seed"`
	ServerSeedHash string  `json:"server_seed_hash"`
	ClientSeed     string  `json:"client_seed"`
	Nonce          uint64  `json:"nonce"`
}

type rotation struct {
	Revealed seedView `json:"revealed"`
	Active   seedView `json:"active"`
}

// fairSpin is the part of slots.result this test reads.
type fairSpin struct {
	RoundID  string `json:"round_id"`
	Stops    []int  `json:"stops"`
	Win      int64  `json:"win"`
	Fairness *proof `json:"fairness"`
}

type proof struct {
	Scheme         string `json:"scheme"`
	ServerSeedHash string `json:"server_seed_hash"`
	ClientSeed     string `json:"client_seed"`
	Nonce          uint64 `json:"nonce"`
}

type verdict struct {
	RoundID      string `json:"round_id"`
	Verified     bool   `json:"verified"`
	SeedRevealed bool   `json:"seed_revealed"`
	Reason       string `json:"reason"`
	ServerSeed   string `json:"server_seed"`
	Fairness     proof  `json:"fairness"`
	Expected     struct {
		Stops []int `json:"stops"`
		Win   int64 `json:"win"`
	} `json:"expected"`
	Recorded struct {
		Machine string `json:"machine"`
		Bet     int64  `json:"bet"`
		Stops   []int  `json:"stops"`
		Win     int64  `json:"win"`
	} `json:"recorded"`
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

var (
	hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)
	hex16 = regexp.MustCompile(`^[0-9a-f]{16}$`)
)

// TestFairness plays, rotates and verifies on each backend, through the
// HTTP API, the socket and the `imperio verify` command, all on one
// database.
func TestFairness(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			var dbURL string
			if b.Name == "postgres" {
				dbURL = storetest.NewPostgresSchema(t)
			} else {
				dbURL = "sqlite:" + filepath.Join(t.TempDir(), "imperio.db")
			}
			st, err := store.Open(t.Context(), dbURL, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			testFairRoundTrip(t, newTestEnv(t, st, nil), dbURL)
		})
	}
}

func testFairRoundTrip(t *testing.T, e *testEnv, dbURL string) {
	ctx := context.Background()
	a := e.signup("fair_" + e.store.Backend())
	other := e.signup("peek_" + e.store.Backend())

	var before seedView
	if code := e.do("GET", "/api/fair", a.Token, nil, &before); code != 200 {
		t.Fatalf("GET /api/fair: %d", code)
	}
	if !hex64.MatchString(before.ServerSeedHash) || !hex16.MatchString(before.ClientSeed) || before.Nonce != 0 || before.ServerSeed != nil {
		t.Fatalf("GET /api/fair = %+v, want a commitment, a random client seed, nonce 0 and no seed", before)
	}
	if code := e.do("GET", "/api/fair", "", nil, nil); code != 401 {
		t.Fatalf("GET /api/fair without a token: %d, want 401", code)
	}

	c := e.dial(a)
	c.expect("welcome")
	spin := func() fairSpin {
		t.Helper()
		f := c.answer(c.send("slots.spin", map[string]any{"machine": "pharaohs-gold", "bet": 20}))
		if f.Type != "slots.result" {
			t.Fatalf("spin: %s %s", f.Type, f.Data)
		}
		return decode[fairSpin](t, f.Data)
	}
	var played []fairSpin
	for i := range uint64(20) {
		r := spin()
		want := proof{Scheme: "hmac-sha256", ServerSeedHash: before.ServerSeedHash, ClientSeed: before.ClientSeed, Nonce: i}
		if r.Fairness == nil || *r.Fairness != want {
			t.Fatalf("spin %d shows fairness %+v, want %+v", i, r.Fairness, want)
		}
		played = append(played, r)
	}
	var now seedView
	if e.do("GET", "/api/fair", a.Token, nil, &now); now.ServerSeedHash != before.ServerSeedHash || now.Nonce != 20 {
		t.Fatalf("after 20 spins GET /api/fair = %+v, want nonce 20 of the same pair", now)
	}

	t.Run("NotRevealedYet", func(t *testing.T) {
		var eb errorBody
		if code := e.do("GET", "/api/fair/verify?round="+played[0].RoundID, a.Token, nil, &eb); code != 409 || eb.Error.Code != "conflict" ||
			!strings.Contains(eb.Error.Message, "rotate") {
			t.Fatalf("verify before rotating: %d %+v, want 409 conflict asking to rotate", code, eb)
		}
		var out, errOut bytes.Buffer
		err := run(ctx, []string{"verify", played[0].RoundID, "--user", a.Username}, verifyEnv(dbURL), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "rotate") {
			t.Fatalf("imperio verify before rotating: %v, want an error asking to rotate\n%s", err, out.String())
		}
	})

	var rot rotation
	if code := e.do("POST", "/api/fair/rotate", a.Token, nil, &rot); code != 200 {
		t.Fatalf("POST /api/fair/rotate: %d", code)
	}
	if rot.Revealed.ServerSeed == nil || rot.Revealed.ServerSeedHash != before.ServerSeedHash ||
		rot.Revealed.ClientSeed != before.ClientSeed || rot.Revealed.Nonce != 20 {
		t.Fatalf("revealed %+v, want the pair shown before play with its 20 nonces", rot.Revealed)
	}
	seed, err := hex.DecodeString(*rot.Revealed.ServerSeed)
	if sum := sha256.Sum256(seed); err != nil || len(seed) != 32 || hex.EncodeToString(sum[:]) != before.ServerSeedHash {
		t.Fatalf("the revealed seed %s does not hash to %s, shown before play", *rot.Revealed.ServerSeed, before.ServerSeedHash)
	}
	if rot.Active.ServerSeed != nil || !hex64.MatchString(rot.Active.ServerSeedHash) || rot.Active.ServerSeedHash == before.ServerSeedHash ||
		rot.Active.ClientSeed != before.ClientSeed || rot.Active.Nonce != 0 {
		t.Fatalf("new pair %+v, want a new hidden seed, the same client seed, nonce 0", rot.Active)
	}

	t.Run("EveryRoundVerifies", func(t *testing.T) {
		for i, r := range played {
			var v verdict
			if code := e.do("GET", "/api/fair/verify?round="+r.RoundID, a.Token, nil, &v); code != 200 {
				t.Fatalf("verify round %d: %d", i, code)
			}
			if !v.Verified || !v.SeedRevealed || v.RoundID != r.RoundID || v.ServerSeed != *rot.Revealed.ServerSeed ||
				v.Fairness != *r.Fairness || v.Recorded.Machine != "pharaohs-gold" || v.Recorded.Bet != 20 ||
				fmt.Sprint(v.Expected.Stops) != fmt.Sprint(r.Stops) || fmt.Sprint(v.Recorded.Stops) != fmt.Sprint(r.Stops) ||
				v.Expected.Win != r.Win || v.Recorded.Win != r.Win {
				t.Fatalf("round %d (stops %v, win %d): %+v", i, r.Stops, r.Win, v)
			}
		}
		var eb errorBody
		if code := e.do("GET", "/api/fair/verify?round="+played[0].RoundID, other.Token, nil, &eb); code != 404 || eb.Error.Code != "not_found" {
			t.Fatalf("verifying another player's round: %d %+v, want 404", code, eb)
		}
		if code := e.do("GET", "/api/fair/verify", a.Token, nil, &eb); code != 400 || eb.Error.Code != "invalid_input" {
			t.Fatalf("verify without a round: %d %+v, want 400", code, eb)
		}
	})

	t.Run("Command", func(t *testing.T) {
		var out, errOut bytes.Buffer
		if err := run(ctx, []string{"verify", played[7].RoundID, "--user", a.Username}, verifyEnv(dbURL), &out, &errOut); err != nil {
			t.Fatalf("imperio verify: %v\n%s%s", err, out.String(), errOut.String())
		}
		if !strings.Contains(out.String(), "\nOK\n") || !strings.Contains(out.String(), before.ServerSeedHash) {
			t.Fatalf("imperio verify printed:\n%s", out.String())
		}
		t.Logf("imperio verify printed:\n%s", out.String())
		if err := run(ctx, []string{"verify", played[7].RoundID}, verifyEnv(dbURL), &out, &errOut); err == nil {
			t.Fatal("imperio verify without --user succeeded")
		}
	})

	t.Run("NewPairAfterRotation", func(t *testing.T) {
		r := spin()
		if r.Fairness == nil || r.Fairness.ServerSeedHash != rot.Active.ServerSeedHash || r.Fairness.Nonce != 0 {
			t.Fatalf("the first spin after rotating shows %+v, want nonce 0 of %s", r.Fairness, rot.Active.ServerSeedHash)
		}
		var eb errorBody
		if code := e.do("POST", "/api/fair/client-seed", a.Token, map[string]string{"client_seed": "bad\nseed"}, &eb); code != 400 || eb.Error.Code != "invalid_input" {
			t.Fatalf("a client seed with a newline: %d %+v, want 400", code, eb)
		}
		if code := e.do("POST", "/api/fair/client-seed", a.Token, map[string]any{"client_seed": "x", "extra": 1}, &eb); code != 400 {
			t.Fatalf("an unknown field: %d %+v, want 400", code, eb)
		}
		var set rotation
		if code := e.do("POST", "/api/fair/client-seed", a.Token, map[string]string{"client_seed": "my own seed 42"}, &set); code != 200 {
			t.Fatalf("POST /api/fair/client-seed: %d", code)
		}
		if set.Revealed.ServerSeedHash != rot.Active.ServerSeedHash || set.Revealed.Nonce != 1 || set.Revealed.ServerSeed == nil ||
			set.Active.ClientSeed != "my own seed 42" || set.Active.Nonce != 0 || set.Active.ServerSeed != nil {
			t.Fatalf("setting the client seed answered %+v", set)
		}
		var v verdict
		if code := e.do("GET", "/api/fair/verify?round="+r.RoundID, a.Token, nil, &v); code != 200 || !v.Verified {
			t.Fatalf("the round of the second pair: %d %+v", code, v)
		}
		if r := spin(); r.Fairness == nil || r.Fairness.ClientSeed != "my own seed 42" || r.Fairness.ServerSeedHash != set.Active.ServerSeedHash || r.Fairness.Nonce != 0 {
			t.Fatalf("the spin after setting the client seed shows %+v", r.Fairness)
		}
	})

	t.Run("TamperedSeedFails", func(t *testing.T) {
		// A direct call with one byte of the seed flipped.
		rd, err := e.store.Round(ctx, a.ID, played[3].RoundID)
		if err != nil {
			t.Fatal(err)
		}
		revealed, err := e.store.RevealedSeed(ctx, a.ID, before.ServerSeedHash)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := hub.VerifySpin(rd, revealed); err != nil || !v.Verified {
			t.Fatalf("VerifySpin = %+v, %v", v, err)
		}
		wrong := append([]byte(nil), seed...)
		wrong[17] ^= 0x80
		revealed.ServerSeed = hex.EncodeToString(wrong)
		if v, err := hub.VerifySpin(rd, revealed); err != nil || v.Verified {
			t.Fatalf("VerifySpin with a flipped byte = %+v, %v; want not verified", v, err)
		}

		// The same byte flipped in the database: the API and the command
		// both say so.
		tamper(t, dbURL, `UPDATE fair_seeds SET server_seed = '`+hex.EncodeToString(wrong)+`' WHERE server_seed_hash = '`+before.ServerSeedHash+`'`)
		var v verdict
		if code := e.do("GET", "/api/fair/verify?round="+played[3].RoundID, a.Token, nil, &v); code != 200 || v.Verified || v.Reason == "" {
			t.Fatalf("verify with a tampered seed: %d %+v, want verified false", code, v)
		}
		var out, errOut bytes.Buffer
		err = run(ctx, []string{"verify", played[3].RoundID, "--user", a.Username}, verifyEnv(dbURL), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "MISMATCH") || !strings.Contains(out.String(), "MISMATCH") {
			t.Fatalf("imperio verify with a tampered seed: %v\n%s", err, out.String())
		}
	})

	e.checkLedger()
}

// verifyEnv is the environment `imperio verify` runs with in these tests.
func verifyEnv(dbURL string) func(string) string {
	return env(map[string]string{"IMPERIO_DATABASE_URL": dbURL, "IMPERIO_LOG_LEVEL": "error"})
}

// tamper runs a statement on the database behind the server's back, over a
// connection of its own.
func tamper(t *testing.T, dbURL, query string) {
	t.Helper()
	driver, dsn := "pgx", dbURL
	if p, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
		driver, dsn = sqlite.DriverName, p+"?_pragma=busy_timeout(10000)"
	} else {
		u, err := url.Parse(dbURL)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Del("pool_max_conns") // the store's own parameter
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%s: %d rows changed, want 1", query, n)
	}
}
