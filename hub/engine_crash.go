package hub

import (
	"crypto/rand"
	"encoding/json"
	"time"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/games/crash"
)

// crashChainLength is how many rounds one hash chain serves (weeks of play).
// A table whose chain is used up takes no more bets; a restart gives it a
// new chain with a new terminating hash.
const crashChainLength = 100_000

// crashEngine adapts games/crash: no seats, one bet per player per round,
// cash-outs ordered against the crash by server time.
type crashEngine struct{ t *crash.Table }

// newCrashChain makes a chain from a fresh secret seed.
func newCrashChain() *crash.Chain {
	seed := make([]byte, 32)
	rand.Read(seed)
	return crash.NewChain(seed, crashChainLength)
}

type crashBetIn struct {
	Room   string `json:"room,omitempty"`
	Amount int64  `json:"amount"`
	// AutoCashout is the multiplier in hundredths at which the bet cashes
	// out by itself (200 = 2.00x); 0 or absent: none.
	AutoCashout int64 `json:"auto_cashout,omitempty"`
}

func (e crashEngine) parse(typ string, data json.RawMessage) (engineCmd, error) {
	if typ == TypeTableBet {
		var d crashBetIn
		err := decodeData(data, &d)
		return engineCmd{kind: "bet", amount: d.Amount, extra: d.AutoCashout}, err
	}
	var d actionIn
	err := decodeData(data, &d)
	return engineCmd{kind: "action", action: d.Action}, err
}

func (e crashEngine) cmd(c engineCmd) crash.Command {
	auto, _ := c.extra.(int64)
	return crash.Command{Kind: c.kind, Player: c.player, Name: c.name, Amount: c.amount, AutoCashout: auto, Action: c.action}
}

func (e crashEngine) cost(now time.Time, c engineCmd) (int64, error) { return e.t.Cost(now, e.cmd(c)) }

func (e crashEngine) apply(now time.Time, c engineCmd) ([]tableEvent, error) {
	evs, err := e.t.Apply(now, e.cmd(c))
	return crashEvents(evs), err
}

func (e crashEngine) advance(now time.Time) []tableEvent { return crashEvents(e.t.Advance(now)) }

func crashEvents(evs []crash.Event) []tableEvent {
	return toEvents(evs, func(e crash.Event) string { return e.Kind })
}

// deadline may be the crash itself: it only wakes the room, and is never
// sent to anyone.
func (e crashEngine) deadline() (time.Time, bool) { return e.t.Deadline() }
func (e crashEngine) phase() string               { return e.t.Phase() }
func (e crashEngine) view(viewer int64) any       { return e.t.View(viewer) }
func (e crashEngine) hasSeats() bool              { return false }
func (e crashEngine) seats() int                  { return 0 }
func (e crashEngine) seated(int64) (int, bool)    { return 0, false }
func (e crashEngine) roundActive() bool           { return e.t.RoundActive() }
func (e crashEngine) record() any                 { return e.t.Record() }
func (e crashEngine) limits() (int64, int64)      { return e.t.Rules().MinBet, e.t.Rules().MaxBet }

// fairness is the chain's terminating hash, published before play: each
// round's hash, revealed at its crash, hashes forward to it.
func (e crashEngine) fairness() json.RawMessage {
	raw, _ := json.Marshal(map[string]any{"scheme": "sha256-chain", "terminating_hash": e.t.Chain().Terminating()})
	return raw
}

func (e crashEngine) payouts() []enginePayout {
	ps := e.t.Payouts()
	out := make([]enginePayout, len(ps))
	for i, p := range ps {
		out[i] = enginePayout{player: p.Player, ref: p.Ref, stake: p.Stake, amount: p.Amount}
	}
	return out
}

var crashCodes = map[error]string{
	crash.ErrBettingClosed: imperio.EBettingClosed,
	crash.ErrTooLate:       imperio.EBettingClosed,
	crash.ErrBetOutOfRange: imperio.EBetOutOfRange,
}

func (e crashEngine) refusal(err error) error { return refusal(err, crashCodes) }
