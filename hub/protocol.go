package hub

import (
	"encoding/json"
	"io"
	"unicode/utf8"

	"github.com/imperio-casino/imperio"
)

// ProtocolVersion is the version announced in `welcome`.
const ProtocolVersion = 1

// Client message types.
const (
	TypePing           = "ping"
	TypeSlotsSpin      = "slots.spin"
	TypeLobbySubscribe = "lobby.subscribe"
	TypeLobbyLeave     = "lobby.unsubscribe"
	TypeRoomJoin       = "room.join"
	TypeRoomWatch      = "room.watch"
	TypeRoomLeave      = "room.leave"
	TypeTableBet       = "table.bet"
	TypeTableAction    = "table.action"
	TypeChatSend       = "chat.send"
)

// Server message types.
const (
	TypeWelcome       = "welcome"
	TypePong          = "pong"
	TypeError         = "error"
	TypeSlotsResult   = "slots.result"
	TypeBalance       = "balance"
	TypeBigWin        = "bigwin"
	TypeLobbyRooms    = "lobby.rooms"
	TypeLobbyMachine  = "lobby.machines"
	TypeRoomJoined    = "room.joined"
	TypeRoomLeft      = "room.left"
	TypeRoomState     = "room.state"
	TypeRoomEvent     = "room.event"
	TypeChatMessage   = "chat.message"
	TypeShutdown      = "server.shutdown"
	TypeTableAccepted = "table.accepted"
	TypeLeaderboard   = "leaderboard"
)

// maxIDLen bounds the request id a client may attach to a frame.
const maxIDLen = 64

// inFrame is a client -> server frame.
type inFrame struct {
	Type string          `json:"type"`
	ID   string          `json:"id,omitempty"`
	Room string          `json:"room,omitempty"`
	Data json.RawMessage `json:"data,omitempty"`
}

// outFrame is a server -> client frame.
type outFrame struct {
	Type string `json:"type"`
	Re   string `json:"re,omitempty"`
	Room string `json:"room,omitempty"`
	Data any    `json:"data,omitempty"`
}

type errorData struct {
	Code       string `json:"code"`
	Message    string `json:"message"`
	RetryAfter int    `json:"retry_after,omitempty"`
}

var errNotObject = imperio.Errorf(imperio.EInvalidInput, "Frames must be a JSON object: {\"type\":..., \"id\":..., \"data\":{...}}.")

// decodeFrame parses one client frame. Anything that is not a JSON object
// with a non-empty string type and a short id is invalid_input.
func decodeFrame(b []byte) (inFrame, error) {
	var f inFrame
	if !utf8.Valid(b) {
		return f, imperio.Errorf(imperio.EInvalidInput, "Frames must be UTF-8 JSON text.")
	}
	if !json.Valid(b) {
		return inFrame{}, errNotObject
	}
	var ok bool
	if f, ok = decodeEnvelope(b); !ok {
		f = inFrame{}
		if err := json.Unmarshal(b, &f); err != nil {
			return inFrame{}, errNotObject
		}
	}
	// The id first: a refusal answers it, so it must be short even then.
	if len(f.ID) > maxIDLen {
		f.ID = ""
		return f, imperio.Errorf(imperio.EInvalidInput, "The frame id is longer than %d bytes.", maxIDLen)
	}
	if f.Type == "" {
		return f, imperio.Errorf(imperio.EInvalidInput, "The frame has no type.")
	}
	return f, nil
}

// decodeData parses a frame's data into v, refusing unknown fields so that a
// misspelt field is an error rather than a silent default.
func decodeData(raw json.RawMessage, v any) error {
	if len(raw) == 0 || string(raw) == "null" {
		raw = []byte("{}")
	}
	// The fast path, for the flat payloads of the frequent messages: no
	// decoder to allocate. It decides only success; any refusal is worded
	// by the decoder below, which reads the data again.
	if known := flatFields(v); known != nil && onlyKnownKeys(raw, known) && json.Unmarshal(raw, v) == nil {
		return nil
	}
	dec := json.NewDecoder(bytesReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return imperio.Errorf(imperio.EInvalidInput, "Bad data: %s.", jsonProblem(err))
	}
	// Only white space may follow the value. (dec.More is no test of that:
	// it reports false for a stray '}' or ']'.)
	if _, err := dec.Token(); err != io.EOF {
		return imperio.Errorf(imperio.EInvalidInput, "Bad data: trailing content.")
	}
	return nil
}

// encodeFrame marshals a server frame once; the bytes may be queued to any
// number of sockets.
//
// The envelope is written by hand, and the payloads sent most write
// themselves (jsonAppender); the others go through encoding/json. The
// bytes are those of json.Marshal(outFrame{...}).
func encodeFrame(typ, re, room string, data any) []byte {
	buf := make([]byte, 0, 256)
	buf = append(buf, `{"type":`...)
	buf = appendString(buf, typ)
	if re != "" {
		buf = append(buf, `,"re":`...)
		buf = appendString(buf, re)
	}
	if room != "" {
		buf = append(buf, `,"room":`...)
		buf = appendString(buf, room)
	}
	switch d := data.(type) {
	case nil:
	case jsonAppender:
		buf = append(buf, `,"data":`...)
		buf = d.appendJSON(buf)
	default:
		b, err := json.Marshal(data)
		if err != nil {
			// Every payload is a plain struct of ours; failing here is a bug.
			panic("hub: encode frame " + typ + ": " + err.Error())
		}
		buf = append(buf, `,"data":`...)
		buf = append(buf, b...)
	}
	return append(buf, '}')
}

// encodeError builds the `error` frame answering request re.
func encodeError(re string, err error) []byte {
	d := imperio.NewErrorBody(err).Error
	return encodeFrame(TypeError, re, "", errorData{Code: d.Code, Message: d.Message, RetryAfter: d.RetryAfter})
}

// decodeLoose reads the fields of v it knows from raw and ignores the rest.
func decodeLoose(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, v)
}
