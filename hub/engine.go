package hub

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/games/blackjack"
	"github.com/imperio-casino/imperio/games/fair"
)

// engine is what a table room needs from a game's rules: each table game
// (blackjack, roulette, crash) adapts its package to it. Every method runs on
// the room's goroutine.
type engine interface {
	// parse reads a player's table.bet or table.action data.
	parse(typ string, data json.RawMessage) (engineCmd, error)
	// cost is what apply will take from the player, or the refusal apply
	// would give: the room debits first, then applies.
	cost(now time.Time, c engineCmd) (int64, error)
	apply(now time.Time, c engineCmd) ([]tableEvent, error)
	advance(now time.Time) []tableEvent
	deadline() (time.Time, bool)
	phase() string
	view(viewer int64) any
	hasSeats() bool
	seats() int
	seated(player int64) (int, bool)
	roundActive() bool
	record() any
	payouts() []enginePayout
	fairness() json.RawMessage
	limits() (min, max int64)
	// refusal maps the engine's error to a protocol error.
	refusal(err error) error
}

// engineCmd is a command for any table engine; each reads what it needs.
type engineCmd struct {
	kind   string // sit, leave, away, back, bet, action
	player int64
	name   string
	seat   int
	amount int64
	action string
	extra  any // a game's own bet data (roulette's bets, crash's target)
}

// tableEvent is one engine event: its kind, and what goes on the wire.
type tableEvent struct {
	kind string
	data any
}

// enginePayout is one credit at settlement.
type enginePayout struct {
	player int64
	name   string
	ref    string
	stake  int64
	amount int64
}

// newEngine builds the rules engine of a new table of the given game; name
// (the part after the game) picks table variants: roulette tables named
// partage or partage-* play la partage.
func (h *Hub) newEngine(game, name string) (engine, error) {
	switch game {
	case "blackjack":
		if h.opts.NewTable != nil {
			t, err := h.opts.NewTable(h.opts.TableRules, h.now())
			if err != nil {
				return nil, err
			}
			return bjEngine{t: t}, nil
		}
		seeds := &shoeSeeds{byShoe: map[int][]byte{}}
		t, err := blackjack.NewTableSeeded(h.opts.TableRules, seeds.source, h.now())
		if err != nil {
			return nil, err
		}
		return bjEngine{t: t, seeds: seeds}, nil
	case "roulette":
		rules := h.opts.RouletteRules
		if name == "partage" || strings.HasPrefix(name, "partage-") {
			rules.LaPartage = true
		}
		return newRouletteEngine(rules, h.now())
	case "crash":
		t, err := h.opts.NewCrash(h.opts.CrashRules, h.now())
		if err != nil {
			return nil, err
		}
		return crashEngine{t}, nil
	}
	return nil, imperio.Errorf(imperio.ENotFound, "No game %q here.", truncate(game, 20))
}

// bjEngine adapts games/blackjack. Each shoe is shuffled from the HMAC
// stream of a server seed of its own (client seed "blackjack", the shoe's
// number as nonce); the shoe's order hash is published before its first
// card, and the seed with the order when the shoe is retired.
type bjEngine struct {
	t     *blackjack.Table
	seeds *shoeSeeds // nil for a table with a stacked shoe (tests)
}

// shoeClient is the client seed of blackjack shoes.
const shoeClient = "blackjack"

// shoeSeeds keeps the server seed of each shoe until it is revealed.
type shoeSeeds struct{ byShoe map[int][]byte }

func (s *shoeSeeds) source(shoe int) fair.Source {
	server, err := fair.NewServerSeed(rand.Reader)
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	s.byShoe[shoe] = server
	return fair.NewStream(server, shoeClient, uint64(shoe))
}

type bjBetIn struct {
	Room   string `json:"room,omitempty"`
	Amount int64  `json:"amount"`
}

type actionIn struct {
	Room   string `json:"room,omitempty"`
	Action string `json:"action"`
}

func (b bjEngine) parse(typ string, data json.RawMessage) (engineCmd, error) {
	if typ == TypeTableBet {
		var d bjBetIn
		err := decodeData(data, &d)
		return engineCmd{kind: "bet", amount: d.Amount}, err
	}
	var d actionIn
	err := decodeData(data, &d)
	return engineCmd{kind: "action", action: d.Action}, err
}

func (b bjEngine) cmd(c engineCmd) blackjack.Command {
	return blackjack.Command{Kind: c.kind, Player: c.player, Name: c.name, Seat: c.seat, Amount: c.amount, Action: c.action}
}

func (b bjEngine) cost(now time.Time, c engineCmd) (int64, error) { return b.t.Cost(now, b.cmd(c)) }

func (b bjEngine) apply(now time.Time, c engineCmd) ([]tableEvent, error) {
	evs, err := b.t.Apply(now, b.cmd(c))
	return bjEvents(evs), err
}

func (b bjEngine) advance(now time.Time) []tableEvent { return bjEvents(b.t.Advance(now)) }

func bjEvents(evs []blackjack.Event) []tableEvent {
	return toEvents(evs, func(e blackjack.Event) string { return e.Kind })
}

// toEvents wraps a game's events, each with its kind.
func toEvents[E any](evs []E, kind func(E) string) []tableEvent {
	out := make([]tableEvent, len(evs))
	for i, e := range evs {
		out[i] = tableEvent{kind: kind(e), data: e}
	}
	return out
}

// refusal maps a game's sentinel errors to protocol codes; any other
// refusal is invalid_input. The message is the game's, which is safe to show.
func refusal(err error, codes map[error]string) error {
	code := imperio.EInvalidInput
	for sentinel, c := range codes {
		if errors.Is(err, sentinel) {
			code = c
			break
		}
	}
	return &imperio.Error{Code: code, Message: capitalize(err.Error())}
}

func (b bjEngine) deadline() (time.Time, bool)     { return b.t.Deadline() }
func (b bjEngine) phase() string                   { return b.t.Phase() }
func (b bjEngine) view(viewer int64) any           { return b.t.View(viewer) }
func (b bjEngine) hasSeats() bool                  { return true }
func (b bjEngine) seats() int                      { return b.t.Rules().Seats }
func (b bjEngine) seated(player int64) (int, bool) { return b.t.Seated(player) }
func (b bjEngine) roundActive() bool               { return b.t.RoundActive() }
func (b bjEngine) record() any                     { return b.t.Record() }
func (b bjEngine) limits() (int64, int64)          { return b.t.Rules().MinBet, b.t.Rules().MaxBet }

// fairness is the commitment to the shoe in play: its number and hash.
func (b bjEngine) fairness() json.RawMessage {
	v := b.t.View(0).Shoe
	raw, _ := json.Marshal(map[string]any{"shoe": v.Number, "shoe_hash": v.Hash})
	return raw
}

func (b bjEngine) payouts() []enginePayout {
	ps := b.t.Payouts()
	out := make([]enginePayout, len(ps))
	for i, p := range ps {
		out[i] = enginePayout{player: p.Player, ref: p.Ref, stake: p.Stake, amount: p.Amount}
	}
	return out
}

var bjCodes = map[error]string{
	blackjack.ErrNotYourTurn:   imperio.ENotYourTurn,
	blackjack.ErrBettingClosed: imperio.EBettingClosed,
	blackjack.ErrSeatTaken:     imperio.ESeatTaken,
	blackjack.ErrTableFull:     imperio.ERoomFull,
	blackjack.ErrBetOutOfRange: imperio.EBetOutOfRange,
}

func (b bjEngine) refusal(err error) error { return refusal(err, bjCodes) }

// shoeRetirer is an engine that commits to a hidden order (a shoe) and
// reveals it once nothing of it is secret any more.
type shoeRetirer interface {
	// retired returns the last retired shoe's event, and its number.
	retired() (tableEvent, int, bool)
}

// shoeRetiredData is the `shoe_retired` event: the whole order of a shoe
// no longer in play, so anyone can check it against the hash published when
// it was shuffled.
type shoeRetiredData struct {
	Kind  string   `json:"kind"`
	Shoe  int      `json:"shoe"`
	Hash  string   `json:"hash"`
	Order []string `json:"order"`
	// ServerSeed shuffled the shoe: Fisher-Yates over 52*decks cards in
	// suit-major, ace-to-king order, each swap fair.Intn of the stream
	// (ServerSeed, ClientSeed, the shoe's number).
	ServerSeed string `json:"server_seed,omitempty"`
	ClientSeed string `json:"client_seed,omitempty"`
}

func (b bjEngine) retired() (tableEvent, int, bool) {
	n, hash, order, ok := b.t.RetiredShoe()
	if !ok {
		return tableEvent{}, 0, false
	}
	d := shoeRetiredData{Kind: "shoe_retired", Shoe: n, Hash: hash, Order: order}
	if b.seeds != nil {
		if server, ok := b.seeds.byShoe[n]; ok {
			d.ServerSeed, d.ClientSeed = hex.EncodeToString(server), shoeClient
			delete(b.seeds.byShoe, n)
		}
	}
	return tableEvent{kind: "shoe_retired", data: d}, n, true
}
