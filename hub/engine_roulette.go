package hub

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/games/roulette"
)

// rouletteEngine adapts games/roulette: no seats, many bets per player.
type rouletteEngine struct{ t *roulette.Table }

type rouletteBetIn struct {
	Room string         `json:"room,omitempty"`
	Bets []roulette.Bet `json:"bets"`
}

func (e rouletteEngine) parse(typ string, data json.RawMessage) (engineCmd, error) {
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

func (e rouletteEngine) cmd(c engineCmd) roulette.Command {
	bets, _ := c.extra.([]roulette.Bet)
	return roulette.Command{Kind: c.kind, Player: c.player, Name: c.name, Bets: bets}
}

func (e rouletteEngine) cost(now time.Time, c engineCmd) (int64, error) {
	return e.t.Cost(now, e.cmd(c))
}

func (e rouletteEngine) apply(now time.Time, c engineCmd) ([]tableEvent, error) {
	evs, err := e.t.Apply(now, e.cmd(c))
	return rouletteEvents(evs), err
}

func (e rouletteEngine) advance(now time.Time) []tableEvent { return rouletteEvents(e.t.Advance(now)) }

func rouletteEvents(evs []roulette.Event) []tableEvent {
	out := make([]tableEvent, len(evs))
	for i, ev := range evs {
		out[i] = tableEvent{kind: ev.Kind, data: ev}
	}
	return out
}

func (e rouletteEngine) deadline() (time.Time, bool) { return e.t.Deadline() }
func (e rouletteEngine) phase() string               { return e.t.Phase() }
func (e rouletteEngine) view(viewer int64) any       { return e.t.View(viewer) }
func (e rouletteEngine) hasSeats() bool              { return false }
func (e rouletteEngine) seats() int                  { return 0 }
func (e rouletteEngine) seated(int64) (int, bool)    { return 0, false }
func (e rouletteEngine) roundActive() bool           { return e.t.RoundActive() }
func (e rouletteEngine) record() any                 { return e.t.Record() }
func (e rouletteEngine) fairness() json.RawMessage   { return nil }
func (e rouletteEngine) limits() (int64, int64)      { return e.t.Rules().MinBet, e.t.Rules().MaxBet }

func (e rouletteEngine) payouts() []enginePayout {
	ps := e.t.Payouts()
	out := make([]enginePayout, len(ps))
	for i, p := range ps {
		out[i] = enginePayout{player: p.Player, ref: p.Ref, stake: p.Stake, amount: p.Amount}
	}
	return out
}

func (e rouletteEngine) refusal(err error) error {
	code := imperio.EInvalidInput
	switch {
	case errors.Is(err, roulette.ErrBettingClosed):
		code = imperio.EBettingClosed
	case errors.Is(err, roulette.ErrBetOutOfRange):
		code = imperio.EBetOutOfRange
	}
	return &imperio.Error{Code: code, Message: capitalize(err.Error())}
}
