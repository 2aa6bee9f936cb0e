package hub

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/auth"
	"github.com/imperio-casino/imperio/games/fair"
	"github.com/imperio-casino/imperio/games/slots"
)

// Seeds is what the HTTP API needs from the store for provably-fair play:
// a player's active seed pair, its rotation (with or without a new client
// seed) and the revealed pairs that rounds are verified by.
type Seeds interface {
	ActiveSeed(ctx context.Context, userID int64) (imperio.FairSeed, error)
	SetClientSeed(ctx context.Context, userID int64, client string) (revealed, active imperio.FairSeed, err error)
	RotateSeed(ctx context.Context, userID int64) (revealed, active imperio.FairSeed, err error)
	RevealedSeed(ctx context.Context, userID int64, serverSeedHash string) (imperio.FairSeed, error)
}

// FairProof is a slot round's fairness proof, as the round records it and
// slots.result shows it: the commitment to the server seed, the client seed
// and the nonce the round was drawn from, by the scheme fair.Scheme.
type FairProof struct {
	Scheme         string `json:"scheme"`
	ServerSeedHash string `json:"server_seed_hash"`
	ClientSeed     string `json:"client_seed"`
	Nonce          uint64 `json:"nonce"`
}

// Verification is the verdict on one slot round: whether replaying it from
// its revealed seed gives the outcome that was recorded. Expected is the
// replay, Recorded what the round stored, both as {machine, bet, stops,
// reels, wins, win, free_spins, ...}. Reason says what failed.
type Verification struct {
	RoundID      string          `json:"round_id"`
	Verified     bool            `json:"verified"`
	SeedRevealed bool            `json:"seed_revealed"`
	Reason       string          `json:"reason,omitempty"`
	Fairness     FairProof       `json:"fairness"`
	ServerSeed   string          `json:"server_seed,omitempty"`
	Expected     json.RawMessage `json:"expected,omitempty"`
	Recorded     json.RawMessage `json:"recorded"`
}

// RoundProof reads a slot round's fairness proof. A round of another game,
// or one played before rounds carried seeds, is imperio.EInvalidInput.
func RoundProof(rd imperio.Round) (FairProof, error) {
	if rd.Game != "slots" {
		return FairProof{}, imperio.Errorf(imperio.EInvalidInput, "Round %s is a %s round: blackjack rounds are checked against their shoe (shoe_retired), slot, roulette and crash rounds here.", rd.ID, rd.Game)
	}
	var p FairProof
	if len(rd.Fairness) == 0 || json.Unmarshal(rd.Fairness, &p) != nil || p.Scheme != fair.Scheme {
		return FairProof{}, imperio.Errorf(imperio.EInvalidInput, "Round %s carries no seed commitment to verify it by.", rd.ID)
	}
	return p, nil
}

// VerifySpin replays a slot round from seed, the player's pair that the
// round's proof names, and compares the replay with the recorded outcome.
// The round is verified when the seed is revealed, hashes to the round's
// commitment, has the round's client seed and gave out its nonce, and the
// replay equals the record in every stop, symbol and win. The machine and
// the bet come from the recorded outcome, the client seed and the nonce
// from the round's proof. An error means the round cannot be verified at
// all (another game, no proof, an unreadable record); a failed check is a
// Verification with Verified false.
//
// The HTTP API (GET /api/fair/verify) and `imperio verify` both verify
// through it.
func VerifySpin(rd imperio.Round, seed imperio.FairSeed) (Verification, error) {
	proof, err := RoundProof(rd)
	if err != nil {
		return Verification{}, err
	}
	var rec spinRecord
	if err := json.Unmarshal(rd.Outcome, &rec); err != nil {
		return Verification{}, fmt.Errorf("verify round %s: read outcome: %w", rd.ID, err)
	}
	m, ok := slots.Lookup(rec.Machine)
	if !ok {
		return Verification{}, fmt.Errorf("verify round %s: no machine %q", rd.ID, rec.Machine)
	}
	if err := m.ValidateBet(rec.Bet); err != nil {
		return Verification{}, fmt.Errorf("verify round %s: %w", rd.ID, err)
	}
	recorded, err := json.Marshal(rec)
	if err != nil {
		return Verification{}, err
	}
	v := Verification{
		RoundID:      rd.ID,
		SeedRevealed: seed.Revealed(),
		Fairness:     proof,
		ServerSeed:   seed.ServerSeed,
		Recorded:     recorded,
	}
	if !v.SeedRevealed {
		v.Reason = "The round's server seed is not revealed yet: rotate your seed to verify it."
		return v, nil
	}
	server, err := hex.DecodeString(seed.ServerSeed)
	if err != nil || len(server) != fair.ServerSeedLen {
		v.Reason = fmt.Sprintf("The revealed server seed is not %d bytes in hex.", fair.ServerSeedLen)
		return v, nil
	}
	replay := spinRecord{Machine: rec.Machine, Bet: rec.Bet, Outcome: m.Spin(fair.NewStream(server, proof.ClientSeed, proof.Nonce), rec.Bet)}
	if v.Expected, err = json.Marshal(replay); err != nil {
		return Verification{}, err
	}
	switch {
	case fair.HashSeed(server) != proof.ServerSeedHash:
		v.Reason = "The revealed server seed does not hash to the round's commitment."
	case seed.ServerSeedHash != proof.ServerSeedHash:
		v.Reason = "The seed given is not the one the round committed to."
	case seed.ClientSeed != proof.ClientSeed:
		v.Reason = "The round's client seed is not the seed pair's."
	case proof.Nonce >= seed.Nonce:
		v.Reason = fmt.Sprintf("The seed pair gave out nonces below %d only, not the round's %d.", seed.Nonce, proof.Nonce)
	case !bytes.Equal(v.Expected, v.Recorded):
		v.Reason = "The recorded outcome is not the one the seed gives."
	default:
		v.Verified = true
	}
	return v, nil
}

// fairAPI serves /api/fair: the player's seed pair, its rotation and the
// verification of rounds.
type fairAPI struct {
	seeds  Seeds
	rounds History
	log    *slog.Logger
}

// seedView is a seed pair as the API shows it; ServerSeed only once revealed.
type seedView struct {
	ServerSeed     string `json:"server_seed,omitempty"`
	ServerSeedHash string `json:"server_seed_hash"`
	ClientSeed     string `json:"client_seed"`
	Nonce          uint64 `json:"nonce"`
}

func viewSeed(sd imperio.FairSeed) seedView {
	return seedView{ServerSeed: sd.ServerSeed, ServerSeedHash: sd.ServerSeedHash, ClientSeed: sd.ClientSeed, Nonce: sd.Nonce}
}

// rotationView answers a rotation: the pair revealed and the pair now active.
type rotationView struct {
	Revealed seedView `json:"revealed"`
	Active   seedView `json:"active"`
}

type clientSeedIn struct {
	ClientSeed string `json:"client_seed"`
}

// active answers GET /api/fair: the active pair's commitment, client seed
// and next nonce.
func (a fairAPI) active(c *gin.Context) {
	id, _ := auth.IdentityFrom(c)
	sd, err := a.seeds.ActiveSeed(c.Request.Context(), id.UserID)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	c.JSON(http.StatusOK, viewSeed(sd))
}

// setClientSeed answers POST /api/fair/client-seed {client_seed}: the pair
// is rotated, the new one takes the client seed.
func (a fairAPI) setClientSeed(c *gin.Context) {
	id, _ := auth.IdentityFrom(c)
	raw, err := c.GetRawData()
	if err != nil {
		auth.WriteError(c, a.log, imperio.Errorf(imperio.EInvalidInput, "The request body could not be read."))
		return
	}
	var in clientSeedIn
	if err := decodeData(raw, &in); err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	revealed, active, err := a.seeds.SetClientSeed(c.Request.Context(), id.UserID, in.ClientSeed)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	a.log.InfoContext(c.Request.Context(), "client seed set", "user_id", id.UserID, "revealed", revealed.ServerSeedHash)
	c.JSON(http.StatusOK, rotationView{Revealed: viewSeed(revealed), Active: viewSeed(active)})
}

// rotate answers POST /api/fair/rotate: the pair is revealed, a new one
// starts with the same client seed.
func (a fairAPI) rotate(c *gin.Context) {
	id, _ := auth.IdentityFrom(c)
	revealed, active, err := a.seeds.RotateSeed(c.Request.Context(), id.UserID)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	a.log.InfoContext(c.Request.Context(), "seed rotated", "user_id", id.UserID, "revealed", revealed.ServerSeedHash)
	c.JSON(http.StatusOK, rotationView{Revealed: viewSeed(revealed), Active: viewSeed(active)})
}

// verify answers GET /api/fair/verify?round=ID for one of the player's slot
// rounds. A round whose pair is still active is a conflict: the seed is
// secret until the player rotates it.
func (a fairAPI) verify(c *gin.Context) {
	id, _ := auth.IdentityFrom(c)
	ctx := c.Request.Context()
	rid := c.Query("round")
	if rid == "" {
		auth.WriteError(c, a.log, imperio.Errorf(imperio.EInvalidInput, "Name the round to verify: ?round=ID."))
		return
	}
	if len(rid) > 64 || !keyPattern.MatchString(rid) {
		auth.WriteError(c, a.log, imperio.Errorf(imperio.ENotFound, "No such round."))
		return
	}
	rd, err := a.rounds.Round(ctx, id.UserID, rid)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	if rd.Game == "roulette" || rd.Game == "crash" {
		v, err := VerifyTableRound(rd)
		if err != nil {
			auth.WriteError(c, a.log, err)
			return
		}
		c.JSON(http.StatusOK, v)
		return
	}
	proof, err := RoundProof(rd)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	seed, err := a.seeds.RevealedSeed(ctx, id.UserID, proof.ServerSeedHash)
	if imperio.ErrorCode(err) == imperio.ENotFound {
		active, aerr := a.seeds.ActiveSeed(ctx, id.UserID)
		switch {
		case aerr != nil:
			err = aerr
		case active.ServerSeedHash == proof.ServerSeedHash:
			err = imperio.Errorf(imperio.EConflict, "This round's server seed is still in use: rotate your seed to verify it.")
		default:
			err = imperio.Errorf(imperio.ENotFound, "The seed of round %s is not on record.", rd.ID)
		}
	}
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	v, err := VerifySpin(rd, seed)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
