package hub

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"time"

	"github.com/imperio-casino/imperio"
)

// Roles a session may hold in a room.
const (
	rolePlayer    = "player"
	roleSpectator = "spectator"
)

type cmdKind int

const (
	cmdEnter cmdKind = iota // join or watch, by role
	cmdLeave                // room.leave
	cmdGone                 // the socket closed
	cmdChat
	cmdGame // a game's own command: slots.spin, table.bet, table.action
)

// roomCmd is what a session sends a room's inbox.
type roomCmd struct {
	kind cmdKind
	s    *Session
	re   string
	role string
	typ  string
	data json.RawMessage
	text string
	body any // the command already decoded by the session, when it was
	seat int // the seat asked for with room.join
	// create opens the room when it does not exist yet.
	create bool
}

// game is one room's game: the part of a room that knows the rules. Its
// methods run only on the room's goroutine.
type game interface {
	// kind is the game's name: "slots", "blackjack", ...
	kind() string
	// enter decides whether s may enter with role, and seats a player at
	// a table (seat asked for, 0 for any); it returns the seat, 0 for none.
	enter(r *room, s *Session, role string, seat int) (int, error)
	// exit runs when a member leaves (explicit) or its socket closed.
	exit(r *room, s *Session, explicit bool)
	// state is the snapshot sent to a member after it enters.
	state(s *Session, role string) any
	// handle runs a game command (cmdGame) and answers it.
	handle(r *room, c roomCmd)
	// info fills the game's part of the lobby listing.
	info(i *RoomInfo)
	// deadline is when the game next needs tick; false for never.
	deadline() (time.Time, bool)
	// tick runs the game's timers that are due at now.
	tick(r *room, now time.Time)
	// inPlay says coins are at stake in a round not yet settled.
	inPlay() bool
	// keep holds the room open although it is idle: a table that exists
	// from start, a seated player, a round in play.
	keep() bool
}

// RoomInfo is one room's line in `lobby.rooms`.
type RoomInfo struct {
	Room       string `json:"room"`
	Game       string `json:"game"`
	Players    int    `json:"players"`
	Spectators int    `json:"spectators"`
	Seats      int    `json:"seats,omitempty"`
	SeatsTaken int    `json:"seats_taken,omitempty"`
	Owner      string `json:"owner,omitempty"`
	Machine    string `json:"machine,omitempty"`
	MinBet     int64  `json:"min_bet,omitempty"`
	MaxBet     int64  `json:"max_bet,omitempty"`
	Phase      string `json:"phase,omitempty"`
	Instance   string `json:"instance,omitempty"` // the instance running the room
}

// room is one goroutine that owns a game and its members. Every field below
// inbox is touched only by that goroutine.
type room struct {
	hub   *Hub
	name  string
	inbox chan roomCmd
	done  chan struct{}
	// pending counts senders between looking the room up and handing over
	// their command; guarded by hub.mu. A room closes only at zero.
	pending int
	info    atomic.Pointer[RoomInfo]
	// busy says the game has a round in play (coins at stake); set by the
	// room's goroutine after every step, read by a draining hub.
	busy atomic.Bool
	// stop ends the room at once: another instance took its lease.
	stop    chan struct{}
	stopped atomic.Bool

	game    game
	members map[*Session]string // session -> role
}

func newRoom(h *Hub, name string, g game) *room {
	r := &room{
		hub:     h,
		name:    name,
		inbox:   make(chan roomCmd, 64),
		done:    make(chan struct{}),
		stop:    make(chan struct{}),
		game:    g,
		members: make(map[*Session]string),
	}
	r.publishInfo()
	return r
}

// run is the room's loop: commands from the inbox until it has been empty
// and idle for RoomIdle, or the hub stops.
func (r *room) run() {
	defer r.hub.rooms.Done()
	defer close(r.done)
	idle := time.NewTimer(r.hub.opts.RoomIdle)
	defer idle.Stop()
	alarm := time.NewTimer(time.Hour)
	defer alarm.Stop()
	for {
		// The game's next deadline, re-armed after every step.
		var due <-chan time.Time
		if at, ok := r.game.deadline(); ok {
			alarm.Reset(max(0, at.Sub(r.hub.now())))
			due = alarm.C
		}
		select {
		case c := <-r.inbox:
			r.step(c)
			idle.Reset(r.hub.opts.RoomIdle)
		case <-due:
			r.game.tick(r, r.hub.now())
			r.busy.Store(r.game.inPlay())
		case <-idle.C:
			if !r.game.keep() && r.hub.closeIdle(r) {
				return
			}
			idle.Reset(r.hub.opts.RoomIdle)
		case <-r.hub.ctx.Done():
			return
		case <-r.stop:
			r.moved()
			return
		}
	}
}

// moved ends a room whose lease another instance took: its local members
// join the room again under its new owner; members from other instances
// are followed by their own instance.
func (r *room) moved() {
	local := map[*Session]string{}
	for s, role := range r.members {
		if s.origin == "" {
			local[s] = role
		}
	}
	if len(local) > 0 {
		go r.hub.rehome(r.name, local)
	}
}

// step handles one command. Tests call it directly, with no goroutine.
func (r *room) step(c roomCmd) {
	if c.kind == cmdGame {
		// A game command may start a round and announce it before this
		// step ends: a draining hub must not see the room idle meanwhile.
		r.busy.Store(true)
	}
	defer func() { r.busy.Store(r.game.inPlay()) }()
	switch c.kind {
	case cmdEnter:
		if _, in := r.members[c.s]; in {
			c.s.reply(c.re, imperio.Errorf(imperio.EConflict, "You are already in %s.", r.name))
			return
		}
		seat, err := r.game.enter(r, c.s, c.role, c.seat)
		if err != nil {
			c.s.reply(c.re, err)
			return
		}
		r.members[c.s] = c.role
		c.s.setRoom(r.name, c.role, true)
		j := joinedData{Room: r.name, Game: r.game.kind(), Role: c.role}
		if seat > 0 {
			j.Seat = &seat
		}
		c.s.enqueue(encodeFrame(TypeRoomJoined, c.re, r.name, j))
		c.s.enqueue(encodeFrame(TypeRoomState, "", r.name, r.game.state(c.s, c.role)))
		r.publishInfo()
	case cmdLeave, cmdGone:
		if _, in := r.members[c.s]; in {
			r.game.exit(r, c.s, c.kind == cmdLeave)
			delete(r.members, c.s)
			c.s.setRoom(r.name, "", false)
			r.publishInfo()
		}
		if c.kind == cmdLeave {
			c.s.enqueue(encodeFrame(TypeRoomLeft, c.re, r.name, roomData{Room: r.name}))
		}
	case cmdChat:
		if _, in := r.members[c.s]; !in {
			c.s.reply(c.re, imperio.Errorf(imperio.EForbidden, "Join or watch the room before chatting in it."))
			return
		}
		r.broadcast(TypeChatMessage, chatData{From: c.s.player.Username, Text: c.text, At: time.Now().UTC()})
	case cmdGame:
		r.game.handle(r, c)
	}
}

type joinedData struct {
	Room string `json:"room"`
	Game string `json:"game"`
	Role string `json:"role"`
	Seat *int   `json:"seat,omitempty"`
}

type chatData struct {
	From string    `json:"from"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// broadcast encodes a frame once and queues it to every member; members on
// other instances get it through one message per instance.
func (r *room) broadcast(typ string, data any) {
	if len(r.members) == 0 {
		return
	}
	msg := encodeFrame(typ, "", r.name, data)
	var remote map[string][]string
	for s := range r.members {
		if s.origin != "" {
			if remote == nil {
				remote = make(map[string][]string)
			}
			remote[s.origin] = append(remote[s.origin], s.id)
			continue
		}
		s.enqueue(msg)
	}
	for inst, sids := range remote {
		if err := r.hub.toPeer(inst, peerMsg{Op: "out", Sids: sids}, msg); err != nil {
			r.hub.log.Warn("broadcast to peer", "room", r.name, "instance", inst, "err", err)
		}
	}
}

// publishInfo refreshes the room's lobby line and tells the lobby.
func (r *room) publishInfo() {
	i := &RoomInfo{Room: r.name, Game: r.game.kind()}
	for _, role := range r.members {
		if role == roleSpectator {
			i.Spectators++
		} else {
			i.Players++
		}
	}
	r.game.info(i)
	if old := r.info.Load(); old != nil && *old == *i {
		return // a spin, a chat line: nothing the lobby shows changed
	}
	r.info.Store(i)
	r.hub.markLobby()
}

// route hands c to the room called name, opening it first when create is
// set. It blocks while the room's inbox is full, up to a bound.
func (h *Hub) route(name string, c roomCmd, create bool) error {
	h.mu.Lock()
	// While draining, rooms take what lets rounds in play finish (table
	// commands, leaving); nothing new starts.
	if h.closing && c.kind != cmdGone && c.kind != cmdLeave && c.kind != cmdGame {
		h.mu.Unlock()
		return errClosing
	}
	r := h.registry[name]
	if r == nil && h.clustered() && (leased(name) || !create || h.elsewhereLocked(name)) {
		h.mu.Unlock()
		return h.routeElsewhere(name, c, create)
	}
	if r == nil {
		if !create {
			h.mu.Unlock()
			return imperio.Errorf(imperio.ENotFound, "No room %q.", truncate(name, 80))
		}
		g, err := h.openGame(name, c.s.player)
		if err != nil {
			h.mu.Unlock()
			return err
		}
		r = h.startRoomLocked(name, g)
	}
	return h.deliverLocked(r, c)
}

// deliver hands c to room r if r still runs here.
func (h *Hub) deliver(r *room, c roomCmd) error {
	h.mu.Lock()
	if h.registry[r.name] != r {
		h.mu.Unlock()
		return imperio.Errorf(imperio.EUnavailable, "The table moved; try again in a moment.")
	}
	return h.deliverLocked(r, c)
}

// deliverLocked hands c to r; h.mu is held on entry and released. It blocks
// while the room's inbox is full, up to a bound.
func (h *Hub) deliverLocked(r *room, c roomCmd) error {
	r.pending++
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		r.pending--
		h.mu.Unlock()
	}()
	t := time.NewTimer(5 * time.Second)
	defer t.Stop()
	select {
	case r.inbox <- c:
		return nil
	case <-r.done:
		return errClosing
	case <-t.C:
		return imperio.Errorf(imperio.EUnavailable, "The room is busy; try again.")
	}
}

// closeIdle removes r from the registry if nothing uses it. It is called by
// the room's own goroutine, so r.members is safe to read here.
func (h *Hub) closeIdle(r *room) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.pending > 0 || len(r.inbox) > 0 || len(r.members) > 0 {
		return false
	}
	delete(h.registry, r.name)
	if l, ok := h.owned[r.name]; ok {
		// An idle table gives its lease up: another instance may open it.
		delete(h.owned, r.name)
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(h.ctx), h.opts.LeaseTTL)
			defer cancel()
			if err := h.opts.Leases.Release(ctx, l); err != nil {
				h.log.Warn("release lease", "room", l.Room, "err", err)
			}
		}()
	}
	h.markLobby()
	return true
}

// resolveRoom checks a room name a player asked for and returns the
// canonical name (a slot machine's room is named after its player) and
// whether entering may open the room.
func (h *Hub) resolveRoom(name string, p Player, role string) (string, bool, error) {
	game, rest, ok := strings.Cut(name, ":")
	if !ok || rest == "" {
		return "", false, imperio.Errorf(imperio.EInvalidInput, "Room names are <game>:<name>, e.g. slots:cherry-charm or blackjack:1.")
	}
	switch game {
	case "slots":
		n, err := h.resolveSlotRoom(rest, p, role)
		return n, true, err
	case "blackjack", "roulette", "crash":
		if !tableNamePattern.MatchString(rest) {
			return "", false, imperio.Errorf(imperio.EInvalidInput, "Table names are 1-24 of a-z, 0-9 and -.")
		}
		return name, role == rolePlayer, nil
	}
	return "", false, imperio.Errorf(imperio.ENotFound, "No game %q here.", truncate(game, 20))
}

// ownRoom completes the short name of one's own slot machine room,
// slots:<machine>, into its full name; other names are kept.
func ownRoom(name string, p Player) string {
	if game, rest, _ := strings.Cut(name, ":"); game == "slots" && rest != "" && !strings.Contains(rest, ":") {
		return slotRoomName(rest, p.Username)
	}
	return name
}

// openGame builds the game for a new room. Called with h.mu held.
func (h *Hub) openGame(name string, p Player) (game, error) {
	kind, rest, _ := strings.Cut(name, ":")
	switch kind {
	case "slots":
		return h.openSlots(rest)
	case "blackjack", "roulette", "crash":
		return h.openTable(name, false)
	}
	return nil, imperio.Errorf(imperio.ENotFound, "No room %q.", truncate(name, 80))
}
