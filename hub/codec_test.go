package hub

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"
	"unicode/utf8"
)

// decodeFrameReflect is decodeFrame as it was, all through encoding/json:
// the reference the hand-written envelope decoder must agree with.
func decodeFrameReflect(b []byte) (inFrame, bool) {
	var f inFrame
	if !utf8.Valid(b) || json.Unmarshal(b, &f) != nil {
		return inFrame{}, false
	}
	return f, true
}

var envelopeCases = []string{
	`{"type":"slots.spin","id":"1","data":{"machine":"cherry-charm","bet":5}}`,
	` { "type" : "ping" , "id" : "x" } `,
	`{"TYPE":"ping","Id":"7","ROOM":"blackjack:1"}`,
	`{"type":"ping","type":"chat.send"}`,
	`{"type":null,"id":null,"data":null}`,
	`{"type":"a\"b"}`,
	`{"ty\u0070e":"ping"}`,
	`{"type":"ping","data":[1,{"a":"}"}],"x":{"y":[true,false,null]}}`,
	`{"type":5}`,
	`{"type":"ping","id":{}}`,
	`[]`, `null`, `"x"`, `{}`, `{"data":"\u00e9"}`,
	`{"type":"chat.send","data":{"text":"caf\u00e9 \\ \"q\""}}`,
	`{"type":"é","room":"✨"}`,
}

// TestDecodeEnvelopeAgrees: for every frame, the envelope decoder either
// leaves it to encoding/json or reads exactly what encoding/json reads.
func TestDecodeEnvelopeAgrees(t *testing.T) {
	cases := append(append([]string{}, envelopeCases...), frameSeeds...)
	for _, c := range cases {
		b := []byte(c)
		want, valid := decodeFrameReflect(b)
		got, err := decodeFrame(b)
		if !valid {
			if err == nil {
				t.Errorf("%s: accepted, encoding/json refuses it", c)
			}
			continue
		}
		if want.Type == "" || len(want.ID) > maxIDLen {
			if err == nil {
				t.Errorf("%s: accepted without a type or with a long id", c)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: refused (%v), encoding/json reads %+v", c, err, want)
			continue
		}
		if got.Type != want.Type || got.ID != want.ID || got.Room != want.Room || !bytes.Equal(got.Data, want.Data) {
			t.Errorf("%s: read %+v, encoding/json reads %+v", c, got, want)
		}
	}
}

func FuzzDecodeEnvelope(f *testing.F) {
	for _, c := range append(append([]string{}, envelopeCases...), frameSeeds...) {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) || !utf8.Valid(b) {
			return
		}
		got, ok := decodeEnvelope(b)
		if !ok {
			return
		}
		var want inFrame
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("%q: the envelope decoder read %+v, encoding/json refuses it: %v", b, got, err)
		}
		if got.Type != want.Type || got.ID != want.ID || got.Room != want.Room || !bytes.Equal(got.Data, want.Data) {
			t.Fatalf("%q: read %+v, encoding/json reads %+v", b, got, want)
		}
	})
}

// TestEncodeFrameAgrees: the hand-written envelope gives json.Marshal's bytes.
func TestEncodeFrameAgrees(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		typ, re, room string
		data          any
	}{
		{TypePong, "1", "", map[string]int64{"at": 5}},
		{TypeChatMessage, "", "blackjack:1", chatData{From: "ann", Text: "<b>hi</b> & é", At: at}},
		{TypeRoomLeft, "x\"y", "r<1>", roomData{Room: "r"}},
		{TypeBalance, "", "", nil},
		{TypeError, "é", "", errorData{Code: "invalid_input", Message: "no"}},
		{"type\u2028", "", "", []int{1, 2}},
		{TypeChatMessage, "", "r", chatData{From: "a\x00\b\f\n\r\t\x1f\x7f", Text: "\xff\xfe ok \u2029 \\ \"", At: time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)}},
		{TypeError, "", "", errorData{Code: "rate_limited", Message: "slow", RetryAfter: 3}},
	} {
		want, err := json.Marshal(outFrame{Type: c.typ, Re: c.re, Room: c.room, Data: c.data})
		if err != nil {
			t.Fatal(err)
		}
		if got := encodeFrame(c.typ, c.re, c.room, c.data); !bytes.Equal(got, want) {
			t.Errorf("encodeFrame(%q, %q, %q) = %s, want %s", c.typ, c.re, c.room, got, want)
		}
	}
}

func BenchmarkDecodeFrame(b *testing.B) {
	for _, c := range []struct{ name, frame string }{
		{"spin", `{"type":"slots.spin","id":"42","data":{"machine":"cherry-charm","bet":5}}`},
		{"chat", `{"type":"chat.send","id":"43","data":{"room":"blackjack:1","text":"` + string(bytes.Repeat([]byte("x"), 100)) + `"}}`},
	} {
		frame := []byte(c.frame)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decodeFrame(frame); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"-reflect", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := decodeFrameReflect(frame); !ok {
					b.Fatal("refused")
				}
			}
		})
	}
}

func BenchmarkDecodeData(b *testing.B) {
	raw := json.RawMessage(`{"machine":"cherry-charm","bet":5}`)
	b.ReportAllocs()
	for b.Loop() {
		var d spinIn
		if err := decodeData(raw, &d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeFrame(b *testing.B) {
	chat := chatData{From: "someone", Text: string(bytes.Repeat([]byte("x"), 100)), At: time.Now().UTC()}
	b.Run("chat", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			encodeFrame(TypeChatMessage, "", "blackjack:1", chat)
		}
	})
	b.Run("chat-reflect", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(outFrame{Type: TypeChatMessage, Room: "blackjack:1", Data: chat}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// decodeDataDecoder is decodeData as it was, through a strict decoder only.
func decodeDataDecoder(raw json.RawMessage, v any) error {
	if len(raw) == 0 || string(raw) == "null" {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing content")
	}
	return nil
}

func FuzzDecodeDataAgrees(f *testing.F) {
	for _, s := range []string{``, `null`, `{}`, `{"machine":"a","bet":5}`, `{"MACHINE":"a","Bet":5,"key":"k"}`,
		`{"bet":"5"}`, `{"bet":5,"x":1}`, `{"bet":5} x`, `{"b\u0065t":5}`, `[1]`, `{"bet":5,"bet":6}`, `{"machine":{"a":1}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got, want spinIn
		gerr := decodeData(b, &got)
		werr := decodeDataDecoder(b, &want)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("%q: decodeData error %v, the strict decoder's %v", b, gerr, werr)
		}
		if gerr == nil && got != want {
			t.Fatalf("%q: decodeData read %+v, the strict decoder %+v", b, got, want)
		}
	})
}
