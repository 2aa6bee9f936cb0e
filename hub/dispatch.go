package hub

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/imperio-casino/imperio"
)

// dispatch routes one well-formed frame by its type.
func (s *Session) dispatch(f inFrame) {
	switch f.Type {
	case TypePing:
		s.enqueue(encodeFrame(TypePong, f.ID, "", map[string]int64{"at": time.Now().UnixMilli()}))
	case TypeSlotsSpin:
		s.spin(f)
	case TypeLobbySubscribe:
		s.hub.subscribeLobby(s, f.ID)
	case TypeLobbyLeave:
		s.hub.unsubscribeLobby(s)
	case TypeRoomJoin, TypeRoomWatch:
		s.enter(f)
	case TypeRoomLeave:
		s.leave(f)
	case TypeChatSend:
		s.chat(f)
	case TypeTableBet, TypeTableAction:
		name, err := roomOf(f)
		if err != nil {
			s.reply(f.ID, err)
			return
		}
		s.toRoom(f, ownRoom(name, s.player), roomCmd{kind: cmdGame, s: s, re: f.ID, typ: f.Type, data: f.Data})
	default:
		s.reply(f.ID, imperio.Errorf(imperio.EInvalidInput, "Unknown message type %q.", truncate(f.Type, 40)))
	}
}

type roomData struct {
	Room string `json:"room"`
}

// roomOf reads the room a frame is about: data.room, else the frame's room.
func roomOf(f inFrame) (string, error) {
	var d struct {
		Room string `json:"room"`
	}
	// Only the room is read here; the rest of data belongs to the room's game.
	_ = decodeLoose(f.Data, &d)
	name := d.Room
	if name == "" {
		name = f.Room
	}
	if name == "" {
		return "", imperio.Errorf(imperio.EInvalidInput, "Which room? Set \"room\".")
	}
	if len(name) > 80 || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsSpace) >= 0 {
		return "", imperio.Errorf(imperio.EInvalidInput, "Bad room name.")
	}
	return name, nil
}

type enterIn struct {
	Room string `json:"room"`
	// Seat asks for a seat at a table (1..7); 0 or absent: the first free.
	Seat int `json:"seat,omitempty"`
}

// enter handles room.join and room.watch.
func (s *Session) enter(f inFrame) {
	var d enterIn
	if err := decodeData(f.Data, &d); err != nil {
		s.reply(f.ID, err)
		return
	}
	if d.Room == "" {
		d.Room = f.Room
	}
	if d.Room == "" {
		s.reply(f.ID, imperio.Errorf(imperio.EInvalidInput, "Which room? Set \"room\"."))
		return
	}
	role := rolePlayer
	if f.Type == TypeRoomWatch {
		role = roleSpectator
	}
	name, create, err := s.hub.resolveRoom(d.Room, s.player, role)
	if err != nil {
		s.reply(f.ID, err)
		return
	}
	if s.inRoom(name) {
		s.reply(f.ID, imperio.Errorf(imperio.EConflict, "You are already in %s; leave it first.", name))
		return
	}
	if d.Seat < 0 || d.Seat > 64 {
		s.reply(f.ID, imperio.Errorf(imperio.EInvalidInput, "No seat %d.", d.Seat))
		return
	}
	s.toRoom(f, name, roomCmd{kind: cmdEnter, s: s, re: f.ID, role: role, seat: d.Seat, create: create})
}

func (s *Session) leave(f inFrame) {
	name, err := roomOf(f)
	if err != nil {
		s.reply(f.ID, err)
		return
	}
	name = ownRoom(name, s.player)
	if !s.inRoom(name) {
		s.reply(f.ID, imperio.Errorf(imperio.ENotFound, "You are not in %s.", name))
		return
	}
	if err := s.hub.route(name, roomCmd{kind: cmdLeave, s: s, re: f.ID}, false); err != nil {
		// The room is gone already: the leave is done all the same.
		s.setRoom(name, "", false)
		s.enqueue(encodeFrame(TypeRoomLeft, f.ID, name, roomData{Room: name}))
	}
}

// leaveAll tells every room the session was in that it is gone.
func (s *Session) leaveAll() {
	for _, name := range s.roomNames() {
		_ = s.hub.route(name, roomCmd{kind: cmdGone, s: s}, false)
	}
}

type chatIn struct {
	Room string `json:"room"`
	Text string `json:"text"`
}

// maxChat bounds a chat line, in characters.
const maxChat = 300

func (s *Session) chat(f inFrame) {
	var d chatIn
	if err := decodeData(f.Data, &d); err != nil {
		s.reply(f.ID, err)
		return
	}
	if d.Room == "" {
		d.Room = f.Room
	}
	d.Room = ownRoom(d.Room, s.player)
	if !s.inRoom(d.Room) {
		s.reply(f.ID, imperio.Errorf(imperio.EForbidden, "Join or watch the room before chatting in it."))
		return
	}
	text, err := cleanChat(d.Text)
	if err != nil {
		s.reply(f.ID, err)
		return
	}
	if lim := s.hub.opts.ChatLimiter; lim != nil {
		ok, retry, err := lim.Allow(context.Background(), "chat:"+strconv.FormatInt(s.player.ID, 10))
		if err == nil && !ok {
			s.hub.opts.Metrics.rateLimited.WithLabelValues("chat").Inc()
			s.reply(f.ID, &imperio.Error{Code: imperio.ERateLimited, Message: "You are chatting too fast.", RetryAfter: retry})
			return
		}
	}
	s.toRoom(f, d.Room, roomCmd{kind: cmdChat, s: s, re: f.ID, text: text})
}

// cleanChat trims a chat line and refuses empty, overlong or control text.
func cleanChat(text string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", imperio.Errorf(imperio.EInvalidInput, "Say something: the text is empty.")
	}
	if utf8.RuneCountInString(text) > maxChat {
		return "", imperio.Errorf(imperio.EInvalidInput, "Chat lines are at most %d characters.", maxChat)
	}
	if strings.IndexFunc(text, func(r rune) bool { return unicode.IsControl(r) }) >= 0 {
		return "", imperio.Errorf(imperio.EInvalidInput, "Chat lines may not contain control characters.")
	}
	return text, nil
}

// toRoom hands a command to an existing room, answering not_found when there
// is none. It reports whether the room took it.
func (s *Session) toRoom(f inFrame, name string, c roomCmd) bool {
	create := c.create
	if err := s.hub.route(name, c, create); err != nil {
		s.reply(f.ID, err)
		return false
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
