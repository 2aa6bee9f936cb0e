package hub

import (
	"cmp"
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/imperio-casino/imperio"
)

// seatGrace is how long a seat waits for a player whose sockets all closed.
const seatGrace = 30 * time.Second

// settleRetry spaces attempts to commit a settlement the store refused.
const settleRetry = 2 * time.Second

var tableNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,23}$`)

// tableGame is a multiplayer table (blackjack, roulette, crash): the game's
// rules engine, stakes and payouts through the wallet, seats kept across
// reconnection. Its methods run on the room's goroutine.
type tableGame struct {
	hub        *Hub
	name       string
	game       string // "blackjack", ...
	e          engine
	persistent bool

	roundID   string              // the open round in the store, "" when none
	lastRound string              // the last settled round, for the state
	stakes    int                 // numbers stake keys within the round
	names     map[int64]string    // seated players' names
	stakers   map[int64]string    // who staked in the round in play, by id: for big-win notices
	staked    map[int64]int64     // what each staked in the round in play: for the leaderboards
	away      map[int64]time.Time // seated players with no socket: seat freed at the time
	held      []tableEvent        // events of a round whose settlement has not committed
	uncertain []imperio.Stake     // stakes whose commit is unknown: refunded at settlement if taken
	shoeShown int                 // the last retired shoe whose order was published
	fence     int64               // the room lease's fencing token; 0 on a single instance
	retryAt   time.Time
}

func (h *Hub) openTable(name string, persistent bool) (game, error) {
	kind, rest, _ := strings.Cut(name, ":")
	e, err := h.newEngine(kind, rest)
	if err != nil {
		return nil, err
	}
	return &tableGame{
		hub: h, name: name, game: kind, e: e, persistent: persistent,
		names: make(map[int64]string), away: make(map[int64]time.Time), stakers: make(map[int64]string),
		staked: make(map[int64]int64),
	}, nil
}

func (g *tableGame) kind() string { return g.game }

func (g *tableGame) enter(r *room, s *Session, role string, seat int) (int, error) {
	if role == roleSpectator {
		return 0, nil
	}
	uid := s.player.ID
	now := g.hub.now()
	if at, ok := g.e.seated(uid); ok {
		if _, away := g.away[uid]; away {
			delete(g.away, uid)
			g.apply(r, now, engineCmd{kind: "back", player: uid, name: s.player.Username})
		}
		return at, nil
	}
	if !g.e.hasSeats() {
		return 0, nil
	}
	cmd := engineCmd{kind: "sit", player: uid, name: s.player.Username, seat: seat}
	if _, err := g.e.cost(now, cmd); err != nil {
		return 0, g.e.refusal(err)
	}
	g.apply(r, now, cmd)
	at, _ := g.e.seated(uid)
	g.names[uid] = s.player.Username
	g.hub.trackSeat(uid, r.name, true)
	return at, nil
}

// exit runs when a member socket leaves the room or closes. A player's seat
// goes only when none of their sockets is left in the room: at once for
// room.leave, after seatGrace for a dropped socket.
func (g *tableGame) exit(r *room, s *Session, explicit bool) {
	uid := s.player.ID
	if _, seated := g.e.seated(uid); !seated {
		return
	}
	for m, role := range r.members {
		if m != s && m.player.ID == uid && role == rolePlayer {
			return
		}
	}
	now := g.hub.now()
	if explicit {
		delete(g.away, uid)
		g.apply(r, now, engineCmd{kind: "leave", player: uid})
		return
	}
	g.away[uid] = now.Add(seatGrace)
	g.apply(r, now, engineCmd{kind: "away", player: uid})
}

// tableSnapshot is a table's room.state: the engine's view for the viewer.
type tableSnapshot struct {
	Room      string `json:"room"`
	Game      string `json:"game"`
	RoundID   string `json:"round_id,omitempty"`
	LastRound string `json:"last_round_id,omitempty"`
	Table     any    `json:"table"`
}

func (g *tableGame) state(s *Session, role string) any {
	viewer := int64(0)
	if role == rolePlayer {
		viewer = s.player.ID
	}
	return tableSnapshot{Room: g.name, Game: g.game, RoundID: g.roundID, LastRound: g.lastRound, Table: g.e.view(viewer)}
}

func (g *tableGame) info(i *RoomInfo) {
	if g.e.hasSeats() {
		i.Seats = g.e.seats()
		i.SeatsTaken = len(g.names)
	}
	i.MinBet, i.MaxBet = g.e.limits()
	i.Phase = g.e.phase()
}

// keep: a table from start, a seated player, or coins at stake (a round in
// play, a settlement not yet committed). A round opened in the store whose
// first stake was refused holds no coins; start-up voids it.
func (g *tableGame) keep() bool {
	return g.persistent || g.e.roundActive() || g.held != nil || len(g.names) > 0
}

func (g *tableGame) inPlay() bool { return g.e.roundActive() || g.held != nil }

func (g *tableGame) deadline() (time.Time, bool) {
	// While a settlement waits to commit, tick only retries it: the table's
	// own deadline (the pause) may pass meanwhile, and must not wake the
	// room before the retry is due.
	if g.held != nil {
		return g.retryAt, true
	}
	d, ok := g.e.deadline()
	for _, at := range g.away {
		if !ok || at.Before(d) {
			d, ok = at, true
		}
	}
	return d, ok
}

func (g *tableGame) tick(r *room, now time.Time) {
	if g.held != nil {
		if !now.Before(g.retryAt) {
			g.settle(r, now, nil)
		}
		return
	}
	for uid, at := range g.away {
		if !now.Before(at) {
			delete(g.away, uid)
			g.apply(r, now, engineCmd{kind: "leave", player: uid})
		}
	}
	g.process(r, now, g.e.advance(now))
}

type acceptedData struct {
	Action  string `json:"action"`
	RoundID string `json:"round_id,omitempty"`
	Amount  int64  `json:"amount,omitempty"`
	Coins   *int64 `json:"coins,omitempty"`
}

func (g *tableGame) handle(r *room, c roomCmd) {
	arrived := time.Now()
	if g.held != nil {
		c.s.reply(c.re, imperio.Errorf(imperio.EUnavailable, "The table is settling the last round; try again in a moment."))
		return
	}
	uid := c.s.player.ID
	if r.members[c.s] != rolePlayer {
		c.s.reply(c.re, imperio.Errorf(imperio.EForbidden, "Join the table (room.join) to play; spectators only watch."))
		return
	}
	if c.typ != TypeTableBet && c.typ != TypeTableAction {
		c.s.reply(c.re, imperio.Errorf(imperio.EInvalidInput, "Tables take table.bet and table.action."))
		return
	}
	cmd, err := g.e.parse(c.typ, c.data)
	if err != nil {
		c.s.reply(c.re, err)
		return
	}
	cmd.player, cmd.name = uid, c.s.player.Username
	// Deadlines that passed before this command arrived count first: a
	// bet after the window, a cash-out after the crash, come too late.
	now := g.hub.now()
	g.process(r, now, g.e.advance(now))
	if g.held != nil {
		c.s.reply(c.re, imperio.Errorf(imperio.EUnavailable, "The table is settling the last round; try again in a moment."))
		return
	}
	cost, err := g.e.cost(now, cmd)
	if err != nil {
		c.s.reply(c.re, g.e.refusal(err))
		return
	}
	if cost > 0 && !g.e.roundActive() && g.hub.draining() {
		c.s.reply(c.re, imperio.Errorf(imperio.EBettingClosed, "The server is restarting: no new round starts here. Reconnect in a moment."))
		return
	}
	ack := acceptedData{Action: cmd.action, Amount: cost}
	if cmd.kind == "bet" {
		ack.Action = "bet"
	}
	if cost > 0 {
		coins, err := g.stake(r, uid, cost)
		if err != nil {
			c.s.reply(c.re, err)
			return
		}
		ack.Coins = &coins
		ack.RoundID = g.roundID
		g.stakers[uid] = c.s.player.Username
		g.staked[uid] += cost
	}
	c.s.enqueue(encodeFrame(TypeTableAccepted, c.re, r.name, ack))
	if ack.Coins != nil {
		// Before the command runs: if it ends the round, the settlement's
		// newer balance must come after this one.
		g.hub.publishBalance(uid, c.s.player.Username, *ack.Coins)
	}
	g.apply(r, now, cmd)
	g.hub.opts.Metrics.tableAction.WithLabelValues(g.game).Observe(time.Since(arrived).Seconds())
}

// stake takes coins from a player into the round, opening the round in the
// store with its first stake. It commits before the table hears of it.
func (g *tableGame) stake(r *room, uid, amount int64) (int64, error) {
	h := g.hub
	ctx, cancel := context.WithTimeout(context.WithoutCancel(h.ctx), h.opts.SettleTimeout)
	defer cancel()
	if g.roundID == "" {
		id := imperio.NewID()
		err := h.opts.Wallet.OpenRound(ctx, imperio.TableRound{ID: id, Game: g.game, Room: r.name, Fairness: g.e.fairness(), Fence: g.fence})
		if g.fence > 0 && imperio.ErrorCode(err) == imperio.EConflict {
			return 0, g.fencedOff(r)
		}
		if err != nil {
			return 0, g.storeError("open round", err)
		}
		g.roundID, g.stakes = id, 0
	}
	g.stakes++
	key := "stake:" + g.roundID + ":" + strconv.Itoa(g.stakes)
	st := imperio.Stake{RoundID: g.roundID, UserID: uid, Key: key, Amount: amount, Game: g.game}
	start := time.Now()
	coins, _, err := h.opts.Wallet.Stake(ctx, st)
	if imperio.ErrorCode(err) == imperio.EInternal {
		// The outcome is unknown: the same key either takes the stake now or
		// finds it taken.
		coins, _, err = h.opts.Wallet.Stake(ctx, st)
	}
	h.opts.Metrics.observeCommit("stake", start)
	if imperio.ErrorCode(err) == imperio.EInternal {
		// Still unknown. The table does not count the bet; if the store did
		// take it, the settlement gives it back (see settle).
		g.uncertain = append(g.uncertain, st)
		g.hub.log.Error("table stake outcome unknown", "room", g.name, "round_id", g.roundID, "user_id", uid, "err", err)
		return 0, imperio.Errorf(imperio.EUnavailable, "The bet could not be confirmed and does not count; if it was taken, it comes back when the round settles.")
	}
	if g.fence > 0 && imperio.ErrorCode(err) == imperio.EBettingClosed {
		// The round was voided under the table: another instance took it.
		return 0, g.fencedOff(r)
	}
	if err != nil {
		return 0, g.storeError("stake", err)
	}
	h.opts.Metrics.coinsBet.WithLabelValues(g.game).Add(float64(amount))
	return coins, nil
}

// fencedOff stops a table that another instance took over while this one
// was not looking (paused past its lease): the store refused its round.
// The room stops; its members join the table under its new owner.
func (g *tableGame) fencedOff(r *room) error {
	g.hub.log.Warn("table fenced off: another instance runs it now", "room", r.name, "token", g.fence, "round_id", g.roundID)
	g.roundID, g.held, g.uncertain = "", nil, nil
	go g.hub.evict(r.name)
	return imperio.Errorf(imperio.EUnavailable, "The table moved to another server; nothing was charged. Try again in a moment.")
}

func (g *tableGame) storeError(op string, err error) error {
	if imperio.ErrorCode(err) != imperio.EInternal {
		return err
	}
	g.hub.log.Error("table "+op, "room", g.name, "round_id", g.roundID, "err", err)
	return imperio.Errorf(imperio.EUnavailable, "The table could not reach the bank; nothing was charged.")
}

// apply runs a command the table has already accepted (Cost said yes) and
// publishes what happened.
func (g *tableGame) apply(r *room, now time.Time, cmd engineCmd) {
	evs, err := g.e.apply(now, cmd)
	if err != nil {
		// Cost checked everything Apply checks; reaching here is a bug.
		g.hub.log.Error("table refused an accepted command", "room", g.name, "kind", cmd.kind, "err", err)
		return
	}
	g.process(r, now, evs)
}

// process publishes events. When they end a round, the round settles in the
// store first: nobody sees the results before the payouts have committed.
// The events that lead up to the end and show neither a card nor an outcome
// (the last player's stand, the betting window closing) go out at once: the
// player who acted sees the action taken while the settlement commits.
func (g *tableGame) process(r *room, now time.Time, evs []tableEvent) {
	if len(evs) == 0 {
		return
	}
	if g.roundID != "" && !g.e.roundActive() && ended(evs) {
		n := 0
		for n < len(evs) && beforeOutcome[evs[n].kind] {
			n++
		}
		if n > 0 {
			g.publish(r, evs[:n])
		}
		g.settle(r, now, evs[n:])
		return
	}
	g.publish(r, evs)
}

// beforeOutcome are the kinds of event that reveal nothing of a round's
// outcome, in any game.
var beforeOutcome = map[string]bool{"stand": true, "betting_closed": true}

func ended(evs []tableEvent) bool {
	for _, e := range evs {
		if e.kind == "round_end" {
			return true
		}
	}
	return false
}

// roundRecord is a table round as stored for recall.
type roundRecord struct {
	RoundID string `json:"round_id"`
	Room    string `json:"room"`
	Game    string `json:"game"`
	Record  any    `json:"record"`
}

func (g *tableGame) settle(r *room, now time.Time, evs []tableEvent) {
	h := g.hub
	if evs != nil {
		g.held = append(g.held, evs...)
	}
	rec, err := json.Marshal(roundRecord{RoundID: g.roundID, Room: r.name, Game: g.game, Record: g.e.record()})
	if err != nil {
		h.log.Error("encode round record", "room", r.name, "err", err)
		g.retryAt = now.Add(settleRetry)
		return
	}
	payouts := g.e.payouts()
	var pays []imperio.Payout
	for _, p := range payouts {
		pays = append(pays, imperio.Payout{UserID: p.player, Amount: p.amount, Key: "pay:" + g.roundID + ":" + p.ref})
	}
	refunds, err := g.refundUncertain()
	if err != nil {
		h.log.Error("settle table round: confirm stakes; retrying", "room", r.name, "round_id", g.roundID, "err", err)
		g.retryAt = now.Add(settleRetry)
		return
	}
	pays = append(pays, refunds...)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(h.ctx), h.opts.SettleTimeout)
	defer cancel()
	start := time.Now()
	// The round keeps the fairness commitment it was opened with.
	bals, err := h.opts.Wallet.SettleRound(ctx, imperio.RoundSettlement{RoundID: g.roundID, Outcome: rec, Payouts: pays})
	h.opts.Metrics.observeCommit("settle_round", start)
	if g.fence > 0 && imperio.ErrorCode(err) == imperio.EConflict {
		// Voided under the table by the instance that took it over.
		g.fencedOff(r)
		return
	}
	if err != nil {
		h.log.Error("settle table round; retrying", "room", r.name, "round_id", g.roundID, "err", err)
		g.retryAt = now.Add(settleRetry)
		return
	}
	h.opts.Metrics.rounds.WithLabelValues(g.game).Inc()
	for _, p := range pays {
		h.opts.Metrics.coinsPaid.WithLabelValues(g.game).Add(float64(p.Amount))
	}
	held := g.held
	g.held, g.uncertain = nil, nil
	g.lastRound, g.roundID = g.roundID, ""
	if sr, ok := g.e.(shoeRetirer); ok {
		if ev, n, ok := sr.retired(); ok && n != g.shoeShown {
			g.shoeShown = n
			held = append(held, ev)
		}
	}
	g.publish(r, held)
	for _, b := range bals {
		h.publishBalance(b.UserID, cmp.Or(g.names[b.UserID], g.stakers[b.UserID]), b.Coins)
	}
	g.announceWins(r, payouts)
	paid := map[int64]int64{}
	for _, p := range pays {
		paid[p.UserID] += p.Amount
	}
	for uid, name := range g.stakers {
		h.noteResult(name, g.staked[uid], paid[uid])
	}
	clear(g.stakers)
	clear(g.staked)
}

// announceWins tells the lobby of big wins: a payout of at least
// BigWinMultiplier times what the player staked in the round.
func (g *tableGame) announceWins(r *room, pays []enginePayout) {
	staked, won := map[int64]int64{}, map[int64]int64{}
	names := map[int64]string{}
	var ids []int64
	for _, p := range pays {
		if _, seen := staked[p.player]; !seen {
			ids = append(ids, p.player)
		}
		staked[p.player] += p.stake
		won[p.player] += p.amount
		names[p.player] = cmp.Or(p.name, g.names[p.player], g.stakers[p.player])
	}
	for _, id := range ids {
		bet := staked[id]
		if bet > 0 && won[id] >= g.hub.opts.BigWinMultiplier*bet {
			g.hub.announceBigWin(BigWin{Username: names[id], Game: g.game, Room: r.name, Amount: won[id], Bet: bet,
				Multiplier: float64(won[id]*100/bet) / 100, RoundID: g.lastRound, At: g.hub.now().UTC()})
		}
	}
}

// publish sends events to every member and keeps the seat book current.
func (g *tableGame) publish(r *room, evs []tableEvent) {
	for _, e := range evs {
		r.broadcast(TypeRoomEvent, e.data)
	}
	for uid := range g.names {
		if _, ok := g.e.seated(uid); !ok {
			delete(g.names, uid)
			delete(g.away, uid)
			g.hub.trackSeat(uid, r.name, false)
		}
	}
	r.publishInfo()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	if b[len(b)-1] != '.' {
		b = append(b, '.')
	}
	return string(b)
}

// refundUncertain settles the doubt about stakes whose commit was unknown:
// asked again with the same key, the store either finds the stake taken or
// takes it now; either way the table never counted it, so it is paid back.
// A stake refused now (the coins are gone elsewhere) was never taken.
func (g *tableGame) refundUncertain() ([]imperio.Payout, error) {
	var out []imperio.Payout
	for _, st := range g.uncertain {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(g.hub.ctx), g.hub.opts.SettleTimeout)
		_, _, err := g.hub.opts.Wallet.Stake(ctx, st)
		cancel()
		switch imperio.ErrorCode(err) {
		case "":
			out = append(out, imperio.Payout{UserID: st.UserID, Amount: st.Amount, Key: "refund:" + st.Key})
		case imperio.EInsufficientFunds:
		default:
			return nil, err
		}
	}
	return out, nil
}
