package hub

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/games/fair"
	"github.com/imperio-casino/imperio/games/roulette"
)

// rouletteEngine adapts games/roulette: no seats, many bets per player.
// Each round's ball is provably fair: a server seed of its own, whose hash
// is committed (shown and stored with the round) before any bet of the
// round, draws the ball as fair.Intn(fair.NewStream(seed, client, round), 37);
// the seed itself is revealed in the round's record at settlement.
type rouletteEngine struct {
	t    *roulette.Table
	seed *roundSeed
}

// rouletteClient is the client seed of roulette rounds: the table has no
// one player to choose it.
const rouletteClient = "roulette"

// roundSeed is the secret behind one round's ball, and the stream the table
// draws from. It implements fair.Source for the table.
type roundSeed struct {
	server []byte
	hash   string
	round  int64
	stream *fair.Stream
}

func (r *roundSeed) Uint64() uint64 { return r.stream.Uint64() }

// newRouletteEngine builds a table that draws from the engine's round seeds.
func newRouletteEngine(rules roulette.Rules, now time.Time) (*rouletteEngine, error) {
	e := &rouletteEngine{seed: &roundSeed{}}
	e.seedFor(1)
	t, err := roulette.NewTable(rules, e.seed, now)
	if err != nil {
		return nil, err
	}
	e.t = t
	return e, nil
}

// seedFor makes round's seed, unless it exists already.
func (e *rouletteEngine) seedFor(round int64) {
	if e.seed.stream != nil && e.seed.round == round {
		return
	}
	server, err := fair.NewServerSeed(rand.Reader)
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	*e.seed = roundSeed{server: server, hash: fair.HashSeed(server), round: round,
		stream: fair.NewStream(server, rouletteClient, uint64(round))}
}

// nextRound is the round the table is playing, or the one its next bet opens.
func (e *rouletteEngine) nextRound() int64 {
	if e.t.RoundActive() {
		return e.t.Round()
	}
	return e.t.Round() + 1
}

// rouletteCommit is a round's fairness before its result: the hash only.
type rouletteCommit struct {
	Scheme         string `json:"scheme"`
	ServerSeedHash string `json:"server_seed_hash"`
	ClientSeed     string `json:"client_seed"`
	Nonce          int64  `json:"nonce"`
}

// rouletteReveal is a settled round's fairness: the seed itself.
type rouletteReveal struct {
	rouletteCommit
	ServerSeed string `json:"server_seed"`
}

func (e *rouletteEngine) commit() rouletteCommit {
	e.seedFor(e.nextRound())
	return rouletteCommit{Scheme: fair.Scheme, ServerSeedHash: e.seed.hash, ClientSeed: rouletteClient, Nonce: e.seed.round}
}

// VerifyRoulette recomputes a roulette ball from its revealed seed.
func VerifyRoulette(serverSeedHex string, client string, round int64) (int, error) {
	server, err := hex.DecodeString(serverSeedHex)
	if err != nil || len(server) != fair.ServerSeedLen {
		return 0, imperio.Errorf(imperio.EInvalidInput, "A server seed is %d bytes in hex.", fair.ServerSeedLen)
	}
	return roulette.Spin(fair.NewStream(server, client, uint64(round))), nil
}

type rouletteBetIn struct {
	Room string         `json:"room,omitempty"`
	Bets []roulette.Bet `json:"bets"`
}

func (e *rouletteEngine) parse(typ string, data json.RawMessage) (engineCmd, error) {
	if typ != TypeTableBet {
		return engineCmd{}, imperio.Errorf(imperio.EInvalidInput, "Roulette takes bets only (table.bet with bets).")
	}
	var d rouletteBetIn
	if err := decodeData(data, &d); err != nil {
		return engineCmd{}, err
	}
	if len(d.Bets) == 0 {
		return engineCmd{}, imperio.Errorf(imperio.EInvalidInput, "Place at least one bet: {\"bets\":[{\"kind\":\"red\",\"amount\":10}]}.")
	}
	return engineCmd{kind: "bet", extra: d.Bets}, nil
}

func (e *rouletteEngine) cmd(c engineCmd) roulette.Command {
	bets, _ := c.extra.([]roulette.Bet)
	return roulette.Command{Kind: c.kind, Player: c.player, Name: c.name, Bets: bets}
}

func (e *rouletteEngine) cost(now time.Time, c engineCmd) (int64, error) {
	return e.t.Cost(now, e.cmd(c))
}

func (e *rouletteEngine) apply(now time.Time, c engineCmd) ([]tableEvent, error) {
	evs, err := e.t.Apply(now, e.cmd(c))
	return rouletteEvents(evs), err
}

func (e *rouletteEngine) advance(now time.Time) []tableEvent { return rouletteEvents(e.t.Advance(now)) }

func rouletteEvents(evs []roulette.Event) []tableEvent {
	return toEvents(evs, func(e roulette.Event) string { return e.Kind })
}

func (e *rouletteEngine) deadline() (time.Time, bool) { return e.t.Deadline() }
func (e *rouletteEngine) phase() string               { return e.t.Phase() }

// view adds the commitment to the current or coming round's seed, once it
// exists (the first bet of a round makes it). It never makes one: a view
// taken while a settlement waits to commit must not replace the seed that
// round's record is about to reveal.
func (e *rouletteEngine) view(viewer int64) any {
	var c *rouletteCommit
	if e.seed.stream != nil && e.seed.round == e.nextRound() {
		c = &rouletteCommit{Scheme: fair.Scheme, ServerSeedHash: e.seed.hash, ClientSeed: rouletteClient, Nonce: e.seed.round}
	}
	return struct {
		roulette.View
		Fairness *rouletteCommit `json:"fairness,omitempty"`
	}{e.t.View(viewer), c}
}
func (e *rouletteEngine) hasSeats() bool           { return false }
func (e *rouletteEngine) seats() int               { return 0 }
func (e *rouletteEngine) seated(int64) (int, bool) { return 0, false }
func (e *rouletteEngine) roundActive() bool        { return e.t.RoundActive() }

// record reveals the round's seed: it is called once the round has settled.
func (e *rouletteEngine) record() any {
	rec := e.t.Record()
	reveal := rouletteReveal{rouletteCommit: rouletteCommit{Scheme: fair.Scheme, ServerSeedHash: e.seed.hash,
		ClientSeed: rouletteClient, Nonce: e.seed.round}, ServerSeed: hex.EncodeToString(e.seed.server)}
	return struct {
		roulette.Record
		Fairness rouletteReveal `json:"fairness"`
	}{rec, reveal}
}
func (e *rouletteEngine) fairness() json.RawMessage {
	raw, _ := json.Marshal(e.commit())
	return raw
}
func (e *rouletteEngine) limits() (int64, int64) { return e.t.Rules().MinBet, e.t.Rules().MaxBet }

func (e *rouletteEngine) payouts() []enginePayout {
	ps := e.t.Payouts()
	out := make([]enginePayout, len(ps))
	for i, p := range ps {
		out[i] = enginePayout{player: p.Player, ref: p.Ref, stake: p.Stake, amount: p.Amount}
	}
	return out
}

var rouletteCodes = map[error]string{
	roulette.ErrBettingClosed: imperio.EBettingClosed,
	roulette.ErrBetOutOfRange: imperio.EBetOutOfRange,
}

func (e *rouletteEngine) refusal(err error) error { return refusal(err, rouletteCodes) }
