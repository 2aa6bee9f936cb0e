package hub

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/games/fair"
	"github.com/imperio-casino/imperio/games/slots"
)

// MachineInfo describes a slot machine to clients (`lobby.machines`,
// GET /api/machines).
type MachineInfo struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Reels   int     `json:"reels"`
	Rows    int     `json:"rows"`
	Lines   int     `json:"lines"`
	MinBet  int64   `json:"min_bet"`
	MaxBet  int64   `json:"max_bet"`
	BetStep int64   `json:"bet_step"`
	RTP     float64 `json:"rtp"`
}

type machinesData struct {
	Machines []MachineInfo `json:"machines"`
}

// Machines lists the slot machines as clients see them.
func Machines() []MachineInfo { return machineList() }

func machineList() []MachineInfo {
	ms := slots.Machines()
	out := make([]MachineInfo, 0, len(ms))
	for _, m := range ms {
		out = append(out, MachineInfo{
			ID: m.ID, Name: m.Name, Reels: len(m.Reels), Rows: m.Rows, Lines: len(m.Lines),
			MinBet: m.MinBet, MaxBet: m.MaxBet, BetStep: int64(len(m.Lines)), RTP: m.RTP,
		})
	}
	return out
}

type spinIn struct {
	Machine string `json:"machine"`
	Bet     int64  `json:"bet"`
	// Key makes the spin idempotent: a retry with the same key is answered
	// with the first spin's result and charges nothing more.
	Key string `json:"key,omitempty"`
}

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)

// spin validates a slots.spin and hands it to the player's machine room.
func (s *Session) spin(f inFrame) {
	var d spinIn
	if err := decodeData(f.Data, &d); err != nil {
		s.reply(f.ID, err)
		return
	}
	m, ok := slots.Lookup(d.Machine)
	if !ok {
		s.reply(f.ID, imperio.Errorf(imperio.ENotFound, "No slot machine %q.", truncate(d.Machine, 40)))
		return
	}
	if err := betError(m, d.Bet); err != nil {
		s.reply(f.ID, err)
		return
	}
	if d.Key != "" && !keyPattern.MatchString(d.Key) {
		s.reply(f.ID, imperio.Errorf(imperio.EInvalidInput, "A key is 1-64 of A-Z a-z 0-9 _ . : -."))
		return
	}
	name := slotRoomName(m.ID, s.player.Username)
	s.toRoom(f, name, roomCmd{kind: cmdGame, s: s, re: f.ID, typ: TypeSlotsSpin, body: d, create: true})
}

// betError maps the machine's verdict on a bet to a protocol error.
func betError(m *slots.Machine, bet int64) error {
	err := m.ValidateBet(bet)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, slots.ErrBetOutOfRange):
		return imperio.Errorf(imperio.EBetOutOfRange, "Bets on %s are %d to %d coins.", m.Name, m.MinBet, m.MaxBet)
	default:
		return imperio.Errorf(imperio.EInvalidInput, "Bets on %s are multiples of %d coins (one per line).", m.Name, len(m.Lines))
	}
}

func slotRoomName(machine, username string) string {
	return "slots:" + machine + ":" + username
}

// resolveSlotRoom turns slots:<machine> (one's own) or
// slots:<machine>:<username> into the room's canonical name.
func (h *Hub) resolveSlotRoom(rest string, p Player, role string) (string, error) {
	machine, who, _ := strings.Cut(rest, ":")
	m, ok := slots.Lookup(machine)
	if !ok {
		return "", imperio.Errorf(imperio.ENotFound, "No slot machine %q.", truncate(machine, 40))
	}
	if who == "" || strings.EqualFold(who, p.Username) {
		return slotRoomName(m.ID, p.Username), nil
	}
	if role == rolePlayer {
		return "", imperio.Errorf(imperio.EForbidden, "That is %s's machine: watch it instead.", truncate(who, 20))
	}
	owner, online := h.online(who)
	if online {
		return slotRoomName(m.ID, owner.Username), nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for name, r := range h.registry {
		if strings.EqualFold(name, slotRoomName(m.ID, who)) {
			return r.name, nil
		}
	}
	for _, p := range h.peers {
		for _, i := range p.rooms {
			if strings.EqualFold(i.Room, slotRoomName(m.ID, who)) {
				return i.Room, nil
			}
		}
	}
	return "", imperio.Errorf(imperio.ENotFound, "%s is not playing %s.", truncate(who, 20), m.Name)
}

// openSlots builds the game of a slot room. Called with h.mu held.
func (h *Hub) openSlots(rest string) (game, error) {
	machine, who, _ := strings.Cut(rest, ":")
	m, ok := slots.Lookup(machine)
	owner, online := h.names[strings.ToLower(who)]
	if !ok || !online {
		return nil, imperio.Errorf(imperio.ENotFound, "No room slots:%s.", truncate(rest, 60))
	}
	return &slotGame{hub: h, m: m, owner: owner, src: h.opts.NewSource()}, nil
}

// slotGame is one player's slot machine. Spins run one at a time, in order,
// on the room's goroutine; spectators see each after it has committed.
//
// A spin draws from the provably-fair stream of the player's seed pair at
// the nonce the wallet gives it (see fair.go). src, the Source the room was
// opened with (Options.NewSource), is no longer drawn from; the room tests
// still count openings by it.
type slotGame struct {
	hub   *Hub
	m     *slots.Machine
	owner Player
	src   fair.Source
	last  *spinEvent
}

// spinRecord is the round's outcome as stored for recall and replays.
type spinRecord struct {
	Machine string `json:"machine"`
	Bet     int64  `json:"bet"`
	slots.Outcome
}

type spinResult struct {
	spinRecord
	Coins   int64  `json:"coins"`
	RoundID string `json:"round_id"`
	// Fairness is the round's proof: the commitment to the server seed,
	// the client seed and the nonce it was drawn from.
	Fairness *FairProof `json:"fairness,omitempty"`
	Replayed bool       `json:"replayed,omitempty"`
}

type spinEvent struct {
	Kind    string `json:"kind"`
	Player  string `json:"player"`
	RoundID string `json:"round_id"`
	spinRecord
}

type slotState struct {
	Machine MachineInfo `json:"machine"`
	Player  string      `json:"player"`
	Last    *spinEvent  `json:"last"`
}

func (g *slotGame) kind() string { return "slots" }

func (g *slotGame) enter(_ *room, s *Session, role string, _ int) (int, error) {
	if role == rolePlayer && s.player.ID != g.owner.ID {
		return 0, imperio.Errorf(imperio.EForbidden, "That is %s's machine: watch it instead.", g.owner.Username)
	}
	return 0, nil
}

func (g *slotGame) exit(*room, *Session, bool)  {}
func (g *slotGame) deadline() (time.Time, bool) { return time.Time{}, false }
func (g *slotGame) tick(*room, time.Time)       {}
func (g *slotGame) keep() bool                  { return false }
func (g *slotGame) inPlay() bool                { return false }

func (g *slotGame) state(*Session, string) any {
	for _, mi := range machineList() {
		if mi.ID == g.m.ID {
			return slotState{Machine: mi, Player: g.owner.Username, Last: g.last}
		}
	}
	return slotState{Player: g.owner.Username, Last: g.last}
}

func (g *slotGame) info(i *RoomInfo) {
	i.Owner = g.owner.Username
	i.Machine = g.m.ID
	i.MinBet, i.MaxBet = g.m.MinBet, g.m.MaxBet
}

func (g *slotGame) handle(r *room, c roomCmd) {
	d, ok := c.body.(spinIn)
	if c.typ != TypeSlotsSpin || !ok {
		c.s.reply(c.re, imperio.Errorf(imperio.EInvalidInput, "Slot machines only spin."))
		return
	}
	if c.s.player.ID != g.owner.ID {
		c.s.reply(c.re, imperio.Errorf(imperio.EForbidden, "Only %s spins this machine.", g.owner.Username))
		return
	}
	start := time.Now()
	res, err := g.settle(d)
	if err != nil {
		c.s.reply(c.re, err)
		return
	}
	// Counted before the answer goes out: whoever has seen the result
	// finds it in the metrics.
	h := g.hub
	h.opts.Metrics.spinSeconds.Observe(time.Since(start).Seconds())
	if !res.Replayed {
		h.opts.Metrics.rounds.WithLabelValues("slots").Inc()
		h.opts.Metrics.coinsBet.WithLabelValues("slots").Add(float64(res.Bet))
		h.opts.Metrics.coinsPaid.WithLabelValues("slots").Add(float64(res.Win))
	}
	c.s.enqueue(encodeFrame(TypeSlotsResult, c.re, r.name, res))
	if res.Replayed {
		return
	}
	h.publishBalance(g.owner.ID, g.owner.Username, res.Coins)
	h.noteResult(g.owner.Username, res.Bet, res.Win)
	ev := &spinEvent{Kind: "spin", Player: g.owner.Username, RoundID: res.RoundID, spinRecord: res.spinRecord}
	g.last = ev
	r.broadcast(TypeRoomEvent, ev)
	if res.Win >= h.opts.BigWinMultiplier*res.Bet {
		h.announceBigWin(BigWin{
			Username: g.owner.Username, Game: "slots", Room: r.name, Amount: res.Win, Bet: res.Bet,
			Multiplier: math.Round(float64(res.Win)/float64(res.Bet)*100) / 100,
			RoundID:    res.RoundID, At: time.Now().UTC(),
		})
	}
}

// settle plays a spin and commits it. Nothing is shown to anyone before the
// store has committed the round. A spin drawn from a pair that was rotated
// meanwhile (on another instance: this one's reserved nonces were stale) is
// refused with nothing charged, and drawn again from the active pair.
func (g *slotGame) settle(d spinIn) (spinResult, error) {
	for attempt := 1; ; attempt++ {
		res, err := g.settleOnce(d)
		if errors.Is(err, imperio.ErrSeedRevealed) && attempt < 3 {
			continue
		}
		return res, err
	}
}

func (g *slotGame) settleOnce(d spinIn) (spinResult, error) {
	h := g.hub
	// A settlement already begun finishes even when the hub is stopping.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(h.ctx), h.opts.SettleTimeout)
	defer cancel()
	// The round's randomness: the player's seed pair at a nonce of its own.
	server, client, nonce, hash, err := h.opts.Wallet.TakeNonce(ctx, g.owner.ID)
	if err != nil {
		h.log.Warn("take nonce", "user_id", g.owner.ID, "err", err)
		return spinResult{}, imperio.Errorf(imperio.EUnavailable, "The spin could not start, nothing was charged. Try again shortly.")
	}
	proof := FairProof{Scheme: fair.Scheme, ServerSeedHash: hash, ClientSeed: client, Nonce: nonce}
	out := g.m.Spin(fair.NewStream(server, client, nonce), d.Bet)
	rec := spinRecord{Machine: g.m.ID, Bet: d.Bet, Outcome: out}
	outcome, err := json.Marshal(rec)
	if err != nil {
		return spinResult{}, err
	}
	fairness, err := json.Marshal(proof)
	if err != nil {
		return spinResult{}, err
	}
	roundID := imperio.NewID()
	key := d.Key
	if key == "" {
		key = "spin:" + roundID
	} else {
		key = "spin:" + key
	}
	spin := imperio.Spin{
		UserID: g.owner.ID, Key: key, RoundID: roundID, Game: "slots",
		Room: slotRoomName(g.m.ID, g.owner.Username), Bet: d.Bet, Win: out.Win, Outcome: outcome, Fairness: fairness,
		SeedHash: hash,
	}
	commit := time.Now()
	rc, err := h.opts.Wallet.SettleSpin(ctx, spin)
	h.opts.Metrics.observeCommit("settle_spin", commit)
	if imperio.ErrorCode(err) == imperio.EInternal {
		// The outcome is unknown (the commit may have happened): asking
		// again with the same key either settles it or finds it settled.
		h.log.Warn("settle spin; retrying with its key", "user_id", g.owner.ID, "round_id", roundID, "err", err)
		rc, err = h.opts.Wallet.SettleSpin(ctx, spin)
	}
	if err != nil {
		if code := imperio.ErrorCode(err); code != imperio.EInternal {
			return spinResult{}, err
		}
		h.log.Error("settle spin", "user_id", g.owner.ID, "round_id", roundID, "err", err)
		return spinResult{}, imperio.Errorf(imperio.EUnavailable, "The spin could not be settled. Retry with key %q: it counts once at most.", strings.TrimPrefix(key, "spin:"))
	}
	res := spinResult{spinRecord: rec, Coins: rc.Coins, RoundID: rc.RoundID, Fairness: &proof, Replayed: rc.Replayed}
	if rc.Replayed {
		// The round settled before under this key is the answer, with its
		// own proof; the nonce just taken goes unused.
		var orig spinRecord
		if err := json.Unmarshal(rc.Outcome, &orig); err != nil {
			return spinResult{}, err
		}
		if orig.Machine != g.m.ID || orig.Bet != d.Bet {
			return spinResult{}, imperio.Errorf(imperio.EConflict, "Key %q was used for another spin (%s, bet %d).", d.Key, orig.Machine, orig.Bet)
		}
		res.spinRecord, res.Fairness = orig, nil
		if len(rc.Fairness) > 0 {
			var p FairProof
			if err := json.Unmarshal(rc.Fairness, &p); err != nil {
				return spinResult{}, err
			}
			res.Fairness = &p
		}
	}
	return res, nil
}
