package hub

import (
	"encoding/hex"
	"encoding/json"
	"strconv"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/games/crash"
	"github.com/imperio-casino/imperio/games/fair"
)

// TableVerification is the verdict on one roulette or crash round,
// recomputed from what the round revealed when it ended.
type TableVerification struct {
	RoundID  string `json:"round_id"`
	Game     string `json:"game"`
	Verified bool   `json:"verified"`
	Reason   string `json:"reason,omitempty"`
	Expected string `json:"expected"` // the recomputed number or crash point
	Recorded string `json:"recorded"`
}

// VerifyTableRound checks a settled roulette or crash round. Roulette: the
// revealed seed hashes to the commitment stored when the round opened, and
// the ball drawn from it is the number played. Crash: the round's hash leads
// to the chain's terminating hash published before play, and gives the
// crash point played.
func VerifyTableRound(rd imperio.Round) (TableVerification, error) {
	v := TableVerification{RoundID: rd.ID, Game: rd.Game}
	var out struct {
		Record json.RawMessage `json:"record"`
	}
	if err := json.Unmarshal(rd.Outcome, &out); err != nil || len(out.Record) == 0 {
		return v, imperio.Errorf(imperio.EInvalidInput, "Round %s has no record to verify (status %s).", rd.ID, rd.Status)
	}
	switch rd.Game {
	case "roulette":
		var commit rouletteCommit
		var rec struct {
			Number   *int           `json:"number"`
			Fairness rouletteReveal `json:"fairness"`
		}
		if json.Unmarshal(rd.Fairness, &commit) != nil || json.Unmarshal(out.Record, &rec) != nil || rec.Number == nil {
			return v, imperio.Errorf(imperio.EInvalidInput, "Round %s carries no seed to verify it by.", rd.ID)
		}
		v.Recorded = strconv.Itoa(*rec.Number)
		server, err := hex.DecodeString(rec.Fairness.ServerSeed)
		if err != nil || fair.HashSeed(server) != commit.ServerSeedHash {
			v.Reason = "the revealed seed does not hash to the commitment made before the round"
			return v, nil
		}
		n, err := VerifyRoulette(rec.Fairness.ServerSeed, commit.ClientSeed, commit.Nonce)
		if err != nil {
			return v, err
		}
		v.Expected = strconv.Itoa(n)
		v.Verified = n == *rec.Number
		if !v.Verified {
			v.Reason = "the seed draws another number"
		}
		return v, nil
	case "crash":
		var rec struct {
			Hash        string `json:"hash"`
			Terminating string `json:"terminating"`
			Index       int    `json:"index"`
			CrashPoint  int64  `json:"crash_point"`
		}
		var commit struct {
			Terminating string `json:"terminating_hash"`
		}
		if json.Unmarshal(out.Record, &rec) != nil || json.Unmarshal(rd.Fairness, &commit) != nil || rec.Hash == "" {
			return v, imperio.Errorf(imperio.EInvalidInput, "Round %s carries no hash to verify it by.", rd.ID)
		}
		v.Recorded = strconv.FormatInt(rec.CrashPoint, 10)
		if steps, ok := crash.Verify(rec.Hash, commit.Terminating, rec.Index); !ok || steps != rec.Index {
			v.Reason = "the round's hash does not lead to the terminating hash published before play"
			return v, nil
		}
		point := crash.CrashPoint(rec.Hash)
		v.Expected = strconv.FormatInt(point, 10)
		// A table caps crash points at its MaxMultiplier.
		v.Verified = point == rec.CrashPoint || (point > rec.CrashPoint && rec.CrashPoint >= crash.DefaultRules().MaxMultiplier)
		if !v.Verified {
			v.Reason = "the hash gives another crash point"
		}
		return v, nil
	}
	return v, imperio.Errorf(imperio.EInvalidInput, "Round %s is a %s round: verify slot rounds by seed, blackjack rounds by their shoe.", rd.ID, rd.Game)
}
