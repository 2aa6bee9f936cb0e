package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/imperio-casino/imperio"
)

// Many instances share tables this way (all of it off when Options.Leases is
// nil, as for a single instance):
//
//   - Every table room has one owner, the instance holding its lease
//     (Leases). The owner renews it every LeaseTTL/3; a lease lost to
//     another instance stops the room here at once.
//   - A player or spectator on another instance is represented on the owner
//     by a proxy session: the room treats it like any member, and what the
//     room sends it travels back over the Bus (topic "inst:<instance>") to
//     the real socket. Commands travel the other way on the owner's topic.
//     A broadcast is sent once per instance, not once per remote member.
//   - Every instance watches the rooms its sockets are in remotely, and the
//     tables that exist from start. When a lease has expired (its owner
//     died), the first instance to notice takes it: it voids the rounds the
//     old owner left open (store.TakeRoom, with the new fencing token),
//     reopens the table, and puts its own members back in; the others follow
//     the new owner.
//   - Instances announce their rooms on the Bus every second, so that the
//     lobby lists the rooms of every instance.

// Fencer is what a clustered hub needs from the store besides the Wallet:
// taking a room over under a new fencing token (voiding what its previous
// owner left open), and finding rooms with rounds left open.
type Fencer interface {
	TakeRoom(ctx context.Context, room string, token int64, reason string) ([]imperio.VoidedRound, error)
	OpenRoundRooms(ctx context.Context) ([]string, error)
}

// Bus topics of the cluster.
const (
	topicRooms      = "rooms" // every instance's room list, each second
	topicInstPrefix = "inst:" // + instance: commands to it, frames for its sockets
)

// peerMsg is the header of a message between instances; a frame or a
// command's data follows it after a newline.
type peerMsg struct {
	Op     string   `json:"op"` // cmd, out, room, close
	From   string   `json:"from,omitempty"`
	Sid    string   `json:"sid,omitempty"`
	Sids   []string `json:"sids,omitempty"`
	UserID int64    `json:"uid,omitempty"`
	Name   string   `json:"name,omitempty"`
	Room   string   `json:"room,omitempty"`
	Kind   cmdKind  `json:"kind,omitempty"`
	Re     string   `json:"re,omitempty"`
	Role   string   `json:"role,omitempty"`
	Type   string   `json:"type,omitempty"`
	Text   string   `json:"text,omitempty"`
	Seat   int      `json:"seat,omitempty"`
	Create bool     `json:"create,omitempty"`
	In     bool     `json:"in,omitempty"`
	Code   int      `json:"code,omitempty"`
	At     int64    `json:"at,omitempty"` // unix µs the command was sent, for the hop's latency
}

// remoteRoom is a room run by another instance that local sockets are in.
type remoteRoom struct {
	owner   string
	members map[*Session]string // local session -> role
}

// peer is what another instance last announced.
type peer struct {
	rooms []RoomInfo
	stats InstanceInfo
	at    time.Time
	raw   []byte
}

// InstanceInfo is one instance's live counts.
type InstanceInfo struct {
	Instance   string `json:"instance"`
	Sockets    int    `json:"sockets"`
	Rooms      int    `json:"rooms"`
	Players    int    `json:"players"`
	Spectators int    `json:"spectators"`
}

type roomsNotice struct {
	Instance string       `json:"instance"`
	Stats    InstanceInfo `json:"stats"`
	Rooms    []RoomInfo   `json:"rooms"`
}

func (h *Hub) clustered() bool { return h.opts.Leases != nil }

// leased says whether a room is run under a lease: the tables. A slot room
// stays on the instance where its player spins.
func leased(name string) bool {
	kind, _, _ := strings.Cut(name, ":")
	return kind == "blackjack" || kind == "roulette" || kind == "crash"
}

// persistentRoom says whether the room is one of the tables that exist from
// start.
func (h *Hub) persistentRoom(name string) bool {
	_, ok := h.fixed[name]
	return ok
}

func (h *Hub) startCluster() {
	h.unsubs = append(h.unsubs,
		h.bus.Subscribe(topicInstPrefix+h.opts.Instance, h.onPeer),
		h.bus.Subscribe(topicRooms, h.onRooms),
	)
	if _, ok := h.opts.Wallet.(Fencer); !ok {
		h.log.Error("clustered hub: the wallet cannot fence rooms; takeovers will fail")
	}
	for name := range h.fixed {
		if _, err := h.takeRoom(name); err != nil && !errors.Is(err, errHeldElsewhere) {
			h.log.Warn("open table", "room", name, "err", err)
		}
	}
	go h.clusterLoop()
}

var errHeldElsewhere = errors.New("room held by another instance")

// takeRoom acquires the room's lease and, if this instance gets it, voids
// what a previous owner left open and starts the room here. Callers at once
// wait for the first: a room is taken over once.
func (h *Hub) takeRoom(name string) (*room, error) {
	for {
		h.mu.Lock()
		if r := h.registry[name]; r != nil {
			h.mu.Unlock()
			return r, nil
		}
		wait, busy := h.taking[name]
		if !busy {
			done := make(chan struct{})
			h.taking[name] = done
			h.mu.Unlock()
			defer func() {
				h.mu.Lock()
				delete(h.taking, name)
				h.mu.Unlock()
				close(done)
			}()
			return h.takeRoomOnce(name)
		}
		h.mu.Unlock()
		select {
		case <-wait:
		case <-h.ctx.Done():
			return nil, errClosing
		}
	}
}

func (h *Hub) takeRoomOnce(name string) (*room, error) {
	ctx, cancel := context.WithTimeout(h.ctx, h.opts.SettleTimeout)
	defer cancel()
	l, ok, err := h.opts.Leases.Acquire(ctx, name, h.opts.Instance, h.opts.LeaseTTL)
	if err != nil {
		return nil, imperio.Errorf(imperio.EUnavailable, "Tables cannot be reached right now; try again shortly.")
	}
	if !ok {
		return nil, errHeldElsewhere
	}
	h.mu.Lock()
	if r := h.registry[name]; r != nil {
		h.mu.Unlock()
		return r, nil
	}
	// Sockets here that were in the room under its previous owner join it
	// again once it runs here (or wherever it ends up if this fails); from
	// now on their commands find this instance's lease, not the old owner.
	if rr := h.remote[name]; rr != nil {
		delete(h.remote, name)
		defer func() { go h.rehome(name, rr.members) }()
	}
	h.mu.Unlock()
	if f, ok := h.opts.Wallet.(Fencer); ok {
		voided, err := f.TakeRoom(ctx, name, l.Token, "interrupted: the table's instance stopped during the round")
		if err != nil {
			_ = h.opts.Leases.Release(context.WithoutCancel(ctx), l)
			if imperio.ErrorCode(err) == imperio.EConflict {
				return nil, errHeldElsewhere
			}
			h.log.Error("take room", "room", name, "err", err)
			return nil, imperio.Errorf(imperio.EUnavailable, "The table could not be opened; try again shortly.")
		}
		for _, v := range voided {
			h.log.Warn("voided an interrupted round", "round_id", v.RoundID, "room", v.Room, "refunded", v.Refunded, "players", len(v.Refunds))
			for _, b := range v.Refunds {
				h.publishBalance(b.UserID, "", b.Coins)
			}
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		_ = h.opts.Leases.Release(context.WithoutCancel(ctx), l)
		return nil, errClosing
	}
	if r := h.registry[name]; r != nil {
		return r, nil
	}
	g, err := h.openTable(name, h.persistentRoom(name))
	if err != nil {
		_ = h.opts.Leases.Release(context.WithoutCancel(ctx), l)
		return nil, err
	}
	if tg, ok := g.(*tableGame); ok {
		tg.fence = l.Token
	}
	h.owned[name] = l
	h.log.Info("room taken", "room", name, "token", l.Token)
	return h.startRoomLocked(name, g), nil
}

// routeElsewhere hands a command for a room this instance does not run: to
// its owner over the Bus, or to a room opened here when its lease is free.
func (h *Hub) routeElsewhere(name string, c roomCmd, create bool) error {
	owner, err := h.ownerOf(name, create)
	if err != nil {
		return err
	}
	if owner == h.opts.Instance {
		return h.routeHere(name, c, create)
	}
	return h.forward(owner, name, c, create)
}

// routeHere hands c to a room this instance owns (or has just taken).
func (h *Hub) routeHere(name string, c roomCmd, create bool) error {
	if !leased(name) {
		return h.route(name, c, create)
	}
	r, err := h.takeRoom(name)
	if errors.Is(err, errHeldElsewhere) {
		return imperio.Errorf(imperio.EUnavailable, "The table is changing hands; try again in a moment.")
	}
	if err != nil {
		return err
	}
	return h.deliver(r, c)
}

// ownerOf finds the instance that runs the room, taking the room here when
// its lease is free and opening is allowed.
func (h *Hub) ownerOf(name string, create bool) (string, error) {
	return h.findOwner(name, create, true)
}

// findOwner is ownerOf; with cached, a room that sockets here are in is
// taken to be where they were told it runs.
func (h *Hub) findOwner(name string, create, cached bool) (string, error) {
	if !leased(name) {
		// A slot room lives where its player spins; the lobby lists it.
		h.mu.Lock()
		defer h.mu.Unlock()
		if rr := h.remote[name]; rr != nil {
			return rr.owner, nil
		}
		for inst, p := range h.peers {
			for _, i := range p.rooms {
				if i.Room == name {
					return inst, nil
				}
			}
		}
		return "", imperio.Errorf(imperio.ENotFound, "No room %q.", truncate(name, 80))
	}
	h.mu.Lock()
	if rr := h.remote[name]; rr != nil && cached {
		// Sockets here are in the room: its owner is known, and checked
		// every LeaseTTL/3 by watchRooms. No Redis round trip per command.
		owner := rr.owner
		h.mu.Unlock()
		return owner, nil
	}
	h.mu.Unlock()
	ctx, cancel := context.WithTimeout(h.ctx, 2*time.Second)
	defer cancel()
	l, held, err := h.opts.Leases.Holder(ctx, name)
	if err != nil {
		h.mu.Lock()
		defer h.mu.Unlock()
		if rr := h.remote[name]; rr != nil {
			return rr.owner, nil // the last owner known: Redis is away
		}
		return "", imperio.Errorf(imperio.EUnavailable, "Tables cannot be reached right now; try again shortly.")
	}
	if held {
		return l.Owner, nil
	}
	if !create && !h.persistentRoom(name) {
		return "", imperio.Errorf(imperio.ENotFound, "No room %q.", truncate(name, 80))
	}
	if _, err := h.takeRoom(name); err != nil {
		if errors.Is(err, errHeldElsewhere) {
			if l, held, err := h.opts.Leases.Holder(ctx, name); err == nil && held {
				return l.Owner, nil
			}
			return "", imperio.Errorf(imperio.EUnavailable, "The table is changing hands; try again in a moment.")
		}
		return "", err
	}
	return h.opts.Instance, nil
}

// forward sends a command to the room's owner.
func (h *Hub) forward(owner, name string, c roomCmd, create bool) error {
	data := c.data
	if c.body != nil {
		data, _ = json.Marshal(c.body)
	}
	if c.kind == cmdEnter && c.role == roleSpectator {
		create = false // watching never opens a room
	}
	m := peerMsg{
		Op: "cmd", From: h.opts.Instance, Sid: c.s.id, UserID: c.s.player.ID, Name: c.s.player.Username,
		Room: name, Kind: c.kind, Re: c.re, Role: c.role, Type: c.typ, Text: c.text, Seat: c.seat,
		Create: create, At: time.Now().UnixMicro(),
	}
	if err := h.toPeer(owner, m, data); err != nil {
		return imperio.Errorf(imperio.EUnavailable, "The table's instance cannot be reached; try again shortly.")
	}
	return nil
}

// noteRemote records that s is (or is about to be) in a room run by owner.
func (h *Hub) noteRemote(name, owner string, s *Session, role string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	rr := h.remote[name]
	if rr == nil {
		rr = &remoteRoom{owner: owner, members: make(map[*Session]string)}
		h.remote[name] = rr
	}
	rr.owner = owner
	rr.members[s] = role
}

func (h *Hub) forgetRemote(name string, s *Session) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if rr := h.remote[name]; rr != nil {
		delete(rr.members, s)
		if len(rr.members) == 0 {
			delete(h.remote, name)
		}
	}
}

// toPeer publishes a header and its body to another instance.
func (h *Hub) toPeer(instance string, m peerMsg, body []byte) error {
	hdr, err := json.Marshal(m)
	if err != nil {
		return err
	}
	b := make([]byte, 0, len(hdr)+1+len(body))
	b = append(append(append(b, hdr...), '\n'), body...)
	return h.bus.Publish(h.ctx, topicInstPrefix+instance, b)
}

// onPeer handles what another instance sends this one.
func (h *Hub) onPeer(payload []byte) {
	i := bytes.IndexByte(payload, '\n')
	if i < 0 {
		h.log.Warn("bad peer message")
		return
	}
	var m peerMsg
	if err := json.Unmarshal(payload[:i], &m); err != nil {
		h.log.Warn("bad peer message", "err", err)
		return
	}
	body := payload[i+1:]
	switch m.Op {
	case "cmd":
		h.peerCommand(m, body)
	case "out":
		h.mu.Lock()
		targets := make([]*Session, 0, len(m.Sids))
		for _, sid := range m.Sids {
			if s := h.byID[sid]; s != nil {
				targets = append(targets, s)
			}
		}
		h.mu.Unlock()
		// The frame is shared by every target: it is never modified.
		for _, s := range targets {
			s.enqueue(body)
		}
	case "room":
		h.mu.Lock()
		s := h.byID[m.Sid]
		h.mu.Unlock()
		if s == nil {
			return
		}
		s.setRoom(m.Room, m.Role, m.In)
		if m.In {
			h.noteRemote(m.Room, m.From, s, m.Role)
		} else {
			h.forgetRemote(m.Room, s)
		}
	case "close":
		h.mu.Lock()
		s := h.byID[m.Sid]
		h.mu.Unlock()
		if s != nil {
			s.close(m.Code, m.Text)
		}
	}
}

// peerCommand runs a command a socket on another instance sent to a room
// here, through the proxy session that stands for that socket.
func (h *Hub) peerCommand(m peerMsg, data []byte) {
	if m.At > 0 {
		h.opts.Metrics.hop.Observe(time.Since(time.UnixMicro(m.At)).Seconds())
	}
	p := h.proxyFor(m.From, m.Sid, Player{ID: m.UserID, Username: m.Name}, m.Kind != cmdGone && m.Kind != cmdLeave)
	if p == nil {
		return // a socket that is not in any room here left
	}
	c := roomCmd{kind: m.Kind, s: p, re: m.Re, role: m.Role, typ: m.Type, text: m.Text, seat: m.Seat, create: m.Create}
	if len(data) > 0 {
		c.data = json.RawMessage(data)
	}
	if m.Type == TypeSlotsSpin {
		var d spinIn
		if err := json.Unmarshal(data, &d); err != nil {
			p.reply(m.Re, imperio.Errorf(imperio.EInvalidInput, "Bad spin."))
			return
		}
		c.body = d
	}
	h.mu.Lock()
	r := h.registry[m.Room]
	h.mu.Unlock()
	if r == nil && (m.Kind == cmdGone || m.Kind == cmdLeave) {
		p.setRoom(m.Room, "", false)
		return
	}
	var err error
	switch {
	case r != nil || (!leased(m.Room) && m.Create):
		err = h.route(m.Room, c, m.Create)
	case leased(m.Room):
		// The sender found this instance holding the lease while the
		// takeover is still opening the room, or the room moved on.
		if owner, oerr := h.findOwner(m.Room, m.Create, false); oerr == nil && owner == h.opts.Instance {
			err = h.routeHere(m.Room, c, m.Create)
		} else {
			err = imperio.Errorf(imperio.EUnavailable, "The table moved; try again in a moment.")
		}
	default:
		err = imperio.Errorf(imperio.ENotFound, "No room %q.", truncate(m.Room, 80))
	}
	if err != nil {
		p.reply(m.Re, err)
		h.dropIdleProxy(p)
	}
}

// proxyFor returns the proxy session of a socket on another instance,
// making it when make is set.
func (h *Hub) proxyFor(origin, sid string, p Player, create bool) *Session {
	key := origin + "/" + sid
	h.mu.Lock()
	defer h.mu.Unlock()
	if s := h.proxies[key]; s != nil {
		s.lastUsed.Store(time.Now().UnixNano())
		return s
	}
	if !create {
		return nil
	}
	s := &Session{
		id: sid, hub: h, player: p, origin: origin,
		log:   h.log.With("session_id", sid, "user_id", p.ID, "origin", origin),
		done:  make(chan struct{}),
		rooms: make(map[string]struct{}),
	}
	s.lastUsed.Store(time.Now().UnixNano())
	h.proxies[key] = s
	return s
}

// reapProxies forgets proxies that are in no room and unused for a while,
// and takes out of their rooms the proxies of an instance gone quiet (it
// died: its sockets are gone), as their sockets' closing would have.
func (h *Hub) reapProxies() {
	quiet := 3*time.Second + h.opts.LeaseTTL
	h.mu.Lock()
	var gone []*Session
	for key, s := range h.proxies {
		idle := time.Since(time.Unix(0, s.lastUsed.Load())) > quiet
		if !idle {
			continue
		}
		p, alive := h.peers[s.origin]
		if alive && time.Since(p.at) < quiet {
			if len(s.roomNames()) == 0 {
				delete(h.proxies, key)
			}
			continue
		}
		delete(h.proxies, key)
		gone = append(gone, s)
	}
	h.mu.Unlock()
	for _, s := range gone {
		for _, name := range s.roomNames() {
			_ = h.route(name, roomCmd{kind: cmdGone, s: s}, false)
		}
	}
}

// dropIdleProxy forgets a proxy session that is in no room.
func (h *Hub) dropIdleProxy(s *Session) {
	if len(s.roomNames()) > 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.proxies, s.origin+"/"+s.id)
}

// sendRemote sends one frame to a proxied socket's instance.
func (s *Session) sendRemote(msg []byte) {
	if err := s.hub.toPeer(s.origin, peerMsg{Op: "out", Sids: []string{s.id}}, msg); err != nil {
		s.log.Warn("send to peer", "err", err)
	}
}

// clusterLoop renews this instance's leases and watches the others'.
func (h *Hub) clusterLoop() {
	every := h.opts.LeaseTTL / 3
	tick := time.NewTicker(every)
	defer tick.Stop()
	sweepEvery := max(1, int(10*time.Second/every))
	for n := 0; ; n++ {
		select {
		case <-h.ctx.Done():
			return
		case <-tick.C:
		}
		h.renewLeases()
		h.watchRooms()
		if n%sweepEvery == 0 {
			h.sweepOrphans()
			h.reapProxies()
		}
	}
}

// renewLeases renews every lease held; a room whose lease went to another
// instance stops here at once.
func (h *Hub) renewLeases() {
	h.mu.Lock()
	owned := make([]Lease, 0, len(h.owned))
	for _, l := range h.owned {
		owned = append(owned, l)
	}
	h.mu.Unlock()
	for _, l := range owned {
		ctx, cancel := context.WithTimeout(h.ctx, h.opts.LeaseTTL/3)
		ok, err := h.opts.Leases.Renew(ctx, l, h.opts.LeaseTTL)
		cancel()
		switch {
		case err != nil:
			// Redis is away: the room goes on. If another instance takes
			// it meanwhile, the store's fence stops this one's rounds.
			h.log.Warn("renew lease", "room", l.Room, "err", err)
		case !ok:
			h.log.Warn("lease lost: another instance runs the room now", "room", l.Room, "token", l.Token)
			h.evict(l.Room)
		}
	}
}

// evict stops a room this instance no longer owns; its local members go to
// the new owner.
func (h *Hub) evict(name string) {
	h.mu.Lock()
	r := h.registry[name]
	delete(h.owned, name)
	if r != nil {
		delete(h.registry, name)
	}
	h.mu.Unlock()
	if r != nil && r.stopped.CompareAndSwap(false, true) {
		close(r.stop)
	}
	h.markLobby()
}

// watchRooms follows the rooms local sockets are in elsewhere, and the
// tables that exist from start: a lease that expired is taken here, a room
// that changed owner is joined again there.
func (h *Hub) watchRooms() {
	h.mu.Lock()
	check := map[string]string{} // room -> owner known here
	for name, rr := range h.remote {
		check[name] = rr.owner
	}
	for name := range h.fixed {
		if _, local := h.registry[name]; !local {
			if _, ok := check[name]; !ok {
				check[name] = ""
			}
		}
	}
	h.mu.Unlock()
	for name, known := range check {
		if !leased(name) {
			h.watchSlotRoom(name, known)
			continue
		}
		ctx, cancel := context.WithTimeout(h.ctx, h.opts.LeaseTTL/3)
		l, held, err := h.opts.Leases.Holder(ctx, name)
		cancel()
		switch {
		case err != nil:
			continue // Redis is away: keep what is known
		case !held:
			if _, err := h.takeRoom(name); err != nil && !errors.Is(err, errHeldElsewhere) {
				h.log.Warn("take over room", "room", name, "err", err)
			}
		case l.Owner != known && known != "":
			h.mu.Lock()
			rr := h.remote[name]
			delete(h.remote, name)
			h.mu.Unlock()
			if rr != nil {
				h.rehome(name, rr.members)
			}
		}
	}
}

// watchSlotRoom drops the members of a slot room whose instance went away.
func (h *Hub) watchSlotRoom(name, owner string) {
	h.mu.Lock()
	p, alive := h.peers[owner]
	alive = alive && time.Since(p.at) < 3*h.opts.LeaseTTL
	var rr *remoteRoom
	if !alive {
		rr = h.remote[name]
		delete(h.remote, name)
	}
	h.mu.Unlock()
	if rr == nil {
		return
	}
	for s := range rr.members {
		s.setRoom(name, "", false)
		s.enqueue(encodeFrame(TypeRoomLeft, "", name, roomData{Room: name}))
	}
}

// elsewhereLocked says whether another instance runs the (slot) room;
// h.mu is held.
func (h *Hub) elsewhereLocked(name string) bool {
	if h.remote[name] != nil {
		return true
	}
	for _, p := range h.peers {
		for _, i := range p.rooms {
			if i.Room == name {
				return true
			}
		}
	}
	return false
}

// rehome puts local sockets back into a room that changed owner, in the
// role they had: players take a seat again, spectators watch again.
func (h *Hub) rehome(name string, members map[*Session]string) {
	for s, role := range members {
		select {
		case <-s.done:
			continue // the socket closed meanwhile
		default:
		}
		s.setRoom(name, "", false)
		c := roomCmd{kind: cmdEnter, s: s, role: role, create: role == rolePlayer}
		if err := h.route(name, c, c.create); err != nil {
			s.log.Warn("rejoin room after takeover", "room", name, "err", err)
			s.enqueue(encodeFrame(TypeRoomLeft, "", name, roomData{Room: name}))
		}
	}
}

// sweepOrphans voids rounds left open in rooms nobody runs: a table that
// was not from start, whose instance died with a round in play.
func (h *Hub) sweepOrphans() {
	f, ok := h.opts.Wallet.(Fencer)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
	defer cancel()
	rooms, err := f.OpenRoundRooms(ctx)
	if err != nil {
		h.log.Warn("sweep open rounds", "err", err)
		return
	}
	for _, name := range rooms {
		h.mu.Lock()
		_, local := h.registry[name]
		h.mu.Unlock()
		if local {
			continue
		}
		if _, held, err := h.opts.Leases.Holder(ctx, name); err != nil || held {
			continue
		}
		l, ok, err := h.opts.Leases.Acquire(ctx, name, h.opts.Instance, h.opts.LeaseTTL)
		if err != nil || !ok {
			continue
		}
		voided, err := f.TakeRoom(ctx, name, l.Token, "interrupted: the table's instance stopped during the round")
		if err != nil {
			h.log.Warn("void orphan rounds", "room", name, "err", err)
		}
		for _, v := range voided {
			h.log.Warn("voided an interrupted round", "round_id", v.RoundID, "room", v.Room, "refunded", v.Refunded)
			for _, b := range v.Refunds {
				h.publishBalance(b.UserID, "", b.Coins)
			}
		}
		_ = h.opts.Leases.Release(ctx, l)
	}
}

// announceRooms tells every instance this one's rooms and counts.
func (h *Hub) announceRooms() {
	h.mu.Lock()
	n := roomsNotice{Instance: h.opts.Instance, Rooms: h.localInfosLocked()}
	h.mu.Unlock()
	n.Stats = h.localStats(n.Rooms)
	b, _ := json.Marshal(n)
	_ = h.bus.Publish(h.ctx, topicRooms, b)
}

func (h *Hub) onRooms(payload []byte) {
	var n roomsNotice
	if err := json.Unmarshal(payload, &n); err != nil {
		h.log.Warn("bad rooms notice", "err", err)
		return
	}
	if n.Instance == h.opts.Instance {
		return
	}
	h.mu.Lock()
	old := h.peers[n.Instance]
	changed := !bytes.Equal(old.raw, payload)
	h.peers[n.Instance] = peer{rooms: n.Rooms, stats: n.Stats, at: time.Now(), raw: payload}
	h.mu.Unlock()
	if changed {
		h.markLobby()
	}
}

// localStats counts this instance's sockets and room members.
func (h *Hub) localStats(rooms []RoomInfo) InstanceInfo {
	sockets, _ := h.Counts()
	i := InstanceInfo{Instance: h.opts.Instance, Sockets: sockets, Rooms: len(rooms)}
	for _, r := range rooms {
		i.Players += r.Players
		i.Spectators += r.Spectators
	}
	return i
}

// Instances lists the live counts of this instance and of every other one
// heard from recently.
func (h *Hub) Instances() []InstanceInfo {
	h.mu.Lock()
	rooms := h.localInfosLocked()
	var out []InstanceInfo
	for _, p := range h.peers {
		if time.Since(p.at) < 3*time.Second+h.opts.LeaseTTL {
			out = append(out, p.stats)
		}
	}
	h.mu.Unlock()
	return append([]InstanceInfo{h.localStats(rooms)}, out...)
}

// abandonLeases is the end of a clustered hub's shutdown: it voids what its
// tables could not finish, under its own fencing tokens, and gives the
// leases up so that another instance takes the tables at once.
func (h *Hub) abandonLeases(ctx context.Context) error {
	h.mu.Lock()
	owned := make([]Lease, 0, len(h.owned))
	for _, l := range h.owned {
		owned = append(owned, l)
	}
	h.owned = map[string]Lease{}
	h.mu.Unlock()
	f, _ := h.opts.Wallet.(Fencer)
	var errs []error
	for _, l := range owned {
		if f != nil {
			voided, err := f.TakeRoom(ctx, l.Room, l.Token, "interrupted: the server shut down during the round")
			if err != nil && imperio.ErrorCode(err) != imperio.EConflict {
				errs = append(errs, err)
				continue // keep the lease: it expires, and the next owner voids
			}
			for _, v := range voided {
				h.log.Warn("voided an unfinished round", "round_id", v.RoundID, "room", v.Room, "refunded", v.Refunded)
				for _, b := range v.Refunds {
					h.publishBalance(b.UserID, "", b.Coins)
				}
			}
		}
		if err := h.opts.Leases.Release(ctx, l); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Halt stops the hub at once, as if its process had died: sockets are cut
// without a word, rooms stop where they are, open rounds stay open and
// leases are left to expire. It exists for failover drills and tests; a
// real stop is Shutdown.
func (h *Hub) Halt() {
	h.mu.Lock()
	h.closing = true
	all := h.sessionsLocked()
	h.mu.Unlock()
	h.halted.Store(true)
	for _, u := range h.unsubs {
		u()
	}
	h.cancel()
	for _, s := range all {
		s.close(CloseGoingAway, "")
	}
}
