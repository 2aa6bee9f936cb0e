package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/config"
	"github.com/imperio-casino/imperio/hub"
	"github.com/imperio-casino/imperio/store"
)

const verifyUsage = `Usage: imperio verify ROUND_ID --user NAME [--database-url URL]

Replays one of NAME's slot rounds from its revealed server seed, with the
client seed and nonce the round recorded, and compares the replay with the
recorded outcome. Prints OK, or MISMATCH and why, and exits non-zero on a
mismatch or when the round's seed has not been revealed yet (the player
reveals it by rotating their seed). The database is IMPERIO_DATABASE_URL.
`

// verifyRound runs "imperio verify": the check a player can make with
// GET /api/fair/verify, made by an operator straight from the database.
func verifyRound(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("imperio verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	user := fs.String("user", "", "the player whose round it is")
	dbURL := fs.String("database-url", "", "the database, as IMPERIO_DATABASE_URL")
	var roundID string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		roundID, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, verifyUsage)
			return err
		}
		fmt.Fprint(stderr, verifyUsage)
		return fmt.Errorf("verify: %w", err)
	}
	rest := fs.Args()
	if roundID == "" && len(rest) > 0 {
		roundID, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		fmt.Fprint(stderr, verifyUsage)
		return fmt.Errorf("verify: unexpected argument %q", rest[0])
	}
	if roundID == "" || *user == "" {
		fmt.Fprint(stderr, verifyUsage)
		return errors.New("verify: name a round and its player: imperio verify ROUND_ID --user NAME")
	}

	var cfgArgs []string
	if *dbURL != "" {
		cfgArgs = []string{"--database-url", *dbURL}
	}
	cfg, err := config.Load(cfgArgs, getenv, stderr)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, newLogger(cfg, stderr))
	if err != nil {
		return fmt.Errorf("open database (IMPERIO_DATABASE_URL): %w", err)
	}
	defer st.Close()

	u, err := st.UserByName(ctx, *user)
	if err != nil {
		return fmt.Errorf("verify: user %q: %w", *user, err)
	}
	rd, err := st.Round(ctx, u.ID, roundID)
	if err != nil {
		return fmt.Errorf("verify: round %s of %s: %w", roundID, u.Username, err)
	}
	if rd.Game == "roulette" || rd.Game == "crash" {
		v, err := hub.VerifyTableRound(rd)
		if err != nil {
			return fmt.Errorf("verify: %s", imperio.ErrorMessage(err))
		}
		if !v.Verified {
			fmt.Fprintf(stdout, "MISMATCH %s round %s: %s (recomputed %s, recorded %s)\n", v.Game, v.RoundID, v.Reason, v.Expected, v.Recorded)
			return fmt.Errorf("verify: round %s does not verify", v.RoundID)
		}
		fmt.Fprintf(stdout, "OK %s round %s: recomputed %s, recorded %s\n", v.Game, v.RoundID, v.Expected, v.Recorded)
		return nil
	}
	proof, err := hub.RoundProof(rd)
	if err != nil {
		return fmt.Errorf("verify: %s", imperio.ErrorMessage(err))
	}
	seed, err := st.RevealedSeed(ctx, u.ID, proof.ServerSeedHash)
	if imperio.ErrorCode(err) == imperio.ENotFound {
		if active, aerr := st.ActiveSeed(ctx, u.ID); aerr == nil && active.ServerSeedHash == proof.ServerSeedHash {
			return fmt.Errorf("verify: round %s: its server seed %s is still in use, not revealed: %s must rotate their seed first",
				rd.ID, proof.ServerSeedHash, u.Username)
		}
		return fmt.Errorf("verify: round %s: no seed of %s hashes to %s", rd.ID, u.Username, proof.ServerSeedHash)
	}
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	v, err := hub.VerifySpin(rd, seed)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	printVerification(stdout, u.Username, v)
	if !v.Verified {
		return fmt.Errorf("verify: round %s: MISMATCH: %s", rd.ID, v.Reason)
	}
	return nil
}

// printVerification writes the verdict and what it rests on.
func printVerification(w io.Writer, username string, v hub.Verification) {
	var rec, exp struct {
		Machine string `json:"machine"`
		Bet     int64  `json:"bet"`
		Stops   []int  `json:"stops"`
		Win     int64  `json:"win"`
		Free    []any  `json:"free_spins"`
	}
	_ = json.Unmarshal(v.Recorded, &rec)
	_ = json.Unmarshal(v.Expected, &exp)
	fmt.Fprintf(w, "round       %s (%s, %s, bet %d)\n", v.RoundID, username, rec.Machine, rec.Bet)
	fmt.Fprintf(w, "scheme      %s\n", v.Fairness.Scheme)
	fmt.Fprintf(w, "server seed %s\n", v.ServerSeed)
	fmt.Fprintf(w, "  hash      %s\n", v.Fairness.ServerSeedHash)
	fmt.Fprintf(w, "client seed %q\n", v.Fairness.ClientSeed)
	fmt.Fprintf(w, "nonce       %d\n", v.Fairness.Nonce)
	fmt.Fprintf(w, "recorded    stops %v, %d free spins, win %d\n", rec.Stops, len(rec.Free), rec.Win)
	fmt.Fprintf(w, "replayed    stops %v, %d free spins, win %d\n", exp.Stops, len(exp.Free), exp.Win)
	if v.Verified {
		fmt.Fprintln(w, "OK")
		return
	}
	fmt.Fprintf(w, "MISMATCH: %s\n", v.Reason)
}
