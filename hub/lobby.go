package hub

import (
	"bytes"
	"encoding/json"
	"sort"
	"time"
)

// subscribeLobby adds s to the lobby: it gets the machines and the rooms now,
// then live `lobby.rooms` updates (coalesced) and `bigwin` notices.
func (h *Hub) subscribeLobby(s *Session, re string) {
	h.mu.Lock()
	h.lobby[s] = struct{}{}
	rooms := h.roomInfosLocked()
	h.mu.Unlock()
	s.enqueue(encodeFrame(TypeLobbyMachine, re, "", machinesData{Machines: machineList()}))
	s.enqueue(encodeFrame(TypeLobbyRooms, re, "", roomsData{Rooms: rooms}))
	for _, msg := range h.shownLeaders() {
		s.enqueue(msg)
	}
}

func (h *Hub) unsubscribeLobby(s *Session) {
	h.mu.Lock()
	delete(h.lobby, s)
	h.mu.Unlock()
}

type roomsData struct {
	Rooms []RoomInfo `json:"rooms"`
}

// Rooms lists every room open on this instance, sorted by name.
func (h *Hub) Rooms() []RoomInfo {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.roomInfosLocked()
}

// roomInfosLocked lists the rooms of this instance and of every other one
// heard from recently; h.mu is held.
func (h *Hub) roomInfosLocked() []RoomInfo {
	out := h.localInfosLocked()
	if len(h.peers) == 0 {
		return out
	}
	local := make(map[string]bool, len(out))
	for _, i := range out {
		local[i.Room] = true
	}
	// A room that moved may still be in its old owner's last notice: the
	// latest notice wins.
	type listed struct {
		info RoomInfo
		at   time.Time
	}
	others := map[string]listed{}
	for inst, p := range h.peers {
		if time.Since(p.at) > 3*time.Second+h.opts.LeaseTTL {
			delete(h.peers, inst) // gone quiet: its rooms are gone or taken over
			continue
		}
		for _, i := range p.rooms {
			if l, ok := others[i.Room]; !local[i.Room] && (!ok || p.at.After(l.at)) {
				others[i.Room] = listed{i, p.at}
			}
		}
	}
	for _, l := range others {
		out = append(out, l.info)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Room < out[b].Room })
	return out
}

// localInfosLocked lists this instance's rooms; h.mu is held.
func (h *Hub) localInfosLocked() []RoomInfo {
	out := make([]RoomInfo, 0, len(h.registry))
	for _, r := range h.registry {
		if i := r.info.Load(); i != nil {
			c := *i
			c.Instance = h.opts.Instance
			out = append(out, c)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Room < out[b].Room })
	return out
}

// markLobby notes that the room list changed; the lobby loop pushes it at
// most once per LobbyInterval however often it changes.
func (h *Hub) markLobby() {
	select {
	case h.lobbyDirty <- struct{}{}:
	default:
	}
}

func (h *Hub) lobbyLoop() {
	tick := time.NewTicker(h.opts.LobbyInterval)
	defer tick.Stop()
	dirty := false
	var (
		announced time.Time
		pushed    []byte // the last lobby.rooms pushed: the same list is not pushed again
	)
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-h.lobbyDirty:
			dirty = true
		case <-tick.C:
			if h.clustered() && (dirty || time.Since(announced) >= time.Second) {
				// Other instances list these rooms; a second of silence
				// would make them think this one is gone.
				announced = time.Now()
				h.announceRooms()
			}
			if !dirty {
				continue
			}
			dirty = false
			h.mu.Lock()
			msg := encodeFrame(TypeLobbyRooms, "", "", roomsData{Rooms: h.roomInfosLocked()})
			if bytes.Equal(msg, pushed) {
				// A room changed and changed back, or another instance
				// announced what it had: every subscriber has this list.
				h.mu.Unlock()
				continue
			}
			pushed = msg
			subs := h.lobbySubsLocked()
			h.mu.Unlock()
			for _, s := range subs {
				s.enqueue(msg)
			}
		}
	}
}

func (h *Hub) lobbySubsLocked() []*Session {
	subs := make([]*Session, 0, len(h.lobby))
	for s := range h.lobby {
		subs = append(subs, s)
	}
	return subs
}

// BigWin is the notice of a win of at least BigWinMultiplier times the bet,
// published on the Bus and pushed to every lobby subscriber as `bigwin`.
type BigWin struct {
	Username   string    `json:"username"`
	Game       string    `json:"game"`
	Room       string    `json:"room,omitempty"`
	Amount     int64     `json:"amount"`
	Bet        int64     `json:"bet"`
	Multiplier float64   `json:"multiplier"`
	RoundID    string    `json:"round_id,omitempty"`
	At         time.Time `json:"at"`
}

// announceBigWin publishes a big win; call it after the round committed.
func (h *Hub) announceBigWin(w BigWin) {
	b, _ := json.Marshal(w)
	if err := h.bus.Publish(h.ctx, topicBigWin, b); err != nil {
		h.log.Warn("publish big win", "round_id", w.RoundID, "err", err)
	}
}

func (h *Hub) onBigWin(payload []byte) {
	var w BigWin
	if err := json.Unmarshal(payload, &w); err != nil {
		h.log.Warn("bad big win notice", "err", err)
		return
	}
	msg := encodeFrame(TypeBigWin, "", "", w)
	h.mu.Lock()
	subs := h.lobbySubsLocked()
	h.mu.Unlock()
	for _, s := range subs {
		s.enqueue(msg)
	}
}
