package hub

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/imperio-casino/imperio"
)

func TestDecodeFrame(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	cases := []struct {
		name string
		in   string
		ok   bool
		want inFrame // the frame when ok; when not, only ID is compared (the refusal answers it)
	}{
		{"Minimal", `{"type":"ping"}`, true, inFrame{Type: "ping"}},
		{"Full", `{"type":"slots.spin","id":"r1","room":"slots:cherry-charm","data":{"machine":"cherry-charm","bet":5}}`, true,
			inFrame{Type: "slots.spin", ID: "r1", Room: "slots:cherry-charm", Data: json.RawMessage(`{"machine":"cherry-charm","bet":5}`)}},
		// The envelope is lenient so that later clients may add to it; data
		// is strict (decodeData).
		{"UnknownFieldsIgnored", `{"type":"ping","id":"r1","extra":{"x":[1]}}`, true, inFrame{Type: "ping", ID: "r1"}},
		{"AnyDataValue", `{"type":"ping","data":"x"}`, true, inFrame{Type: "ping", Data: json.RawMessage(`"x"`)}},
		{"TrailingWhiteSpace", "{\"type\":\"ping\"} \r\n\t", true, inFrame{Type: "ping"}},

		{"Empty", ``, false, inFrame{}},
		{"NotJSON", `hello`, false, inFrame{}},
		{"Array", `[{"type":"ping"}]`, false, inFrame{}},
		{"String", `"ping"`, false, inFrame{}},
		{"Number", `1`, false, inFrame{}},
		{"Truncated", `{"type":"ping"`, false, inFrame{}},
		{"TrailingData", `{"type":"ping"} x`, false, inFrame{}},
		{"SecondFrame", `{"type":"ping"}{"type":"ping"}`, false, inFrame{}},
		{"StrayBrace", `{"type":"ping"}}`, false, inFrame{}},

		{"Null", `null`, false, inFrame{}},
		{"TypeNull", `{"type":null,"id":"r1"}`, false, inFrame{ID: "r1"}},
		{"TypeEmpty", `{"type":"","id":"r1"}`, false, inFrame{ID: "r1"}},
		{"NoType", `{"id":"r1","data":{}}`, false, inFrame{ID: "r1"}},
		{"IDNull", `{"type":"ping","id":null}`, true, inFrame{Type: "ping"}},
		{"RoomNull", `{"type":"ping","room":null}`, true, inFrame{Type: "ping"}},
		{"DataNull", `{"type":"ping","data":null}`, true, inFrame{Type: "ping", Data: json.RawMessage(`null`)}},

		{"TypeNumber", `{"type":1,"id":"r1"}`, false, inFrame{}},
		{"TypeObject", `{"type":{"a":1}}`, false, inFrame{}},
		{"IDNumber", `{"type":"ping","id":7}`, false, inFrame{}},
		{"RoomList", `{"type":"ping","room":["a"]}`, false, inFrame{}},

		{"IDAtLimit", `{"type":"ping","id":"` + long(maxIDLen) + `"}`, true, inFrame{Type: "ping", ID: long(maxIDLen)}},
		{"IDOverLimit", `{"type":"ping","id":"` + long(maxIDLen+1) + `"}`, false, inFrame{}},
		{"NoTypeLongID", `{"id":"` + long(maxIDLen+1) + `"}`, false, inFrame{}},
		{"HugeID", `{"type":"ping","id":"` + long(30000) + `"}`, false, inFrame{}},
		{"IDLimitInBytes", `{"type":"ping","id":"` + strings.Repeat("é", maxIDLen/2+1) + `"}`, false, inFrame{}},

		{"NonUTF8Type", "{\"type\":\"ping\xff\"}", false, inFrame{}},
		{"NonUTF8Data", "{\"type\":\"ping\",\"data\":{\"text\":\"\xc0\xaf\"}}", false, inFrame{}},
		// An escaped lone surrogate is valid text: it decodes to U+FFFD.
		{"EscapedSurrogate", `{"type":"\ud800"}`, true, inFrame{Type: "\uFFFD"}},
		{"DeepData", `{"type":"ping","data":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, false, inFrame{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := decodeFrame([]byte(tc.in))
			if !tc.ok {
				if code := imperio.ErrorCode(err); code != imperio.EInvalidInput {
					t.Fatalf("err = %v, want invalid_input", err)
				}
				if f.ID != tc.want.ID {
					t.Fatalf("refused frame has id %q, want %q", f.ID, tc.want.ID)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if f.Type != tc.want.Type || f.ID != tc.want.ID || f.Room != tc.want.Room || !bytes.Equal(f.Data, tc.want.Data) {
				t.Fatalf("frame %+v (data %s), want %+v (data %s)", f, f.Data, tc.want, tc.want.Data)
			}
		})
	}
}

func TestDecodeData(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want spinIn
		err  string // a part of the refusal's message; "" when accepted
	}{
		{"Absent", ``, spinIn{}, ""},
		{"Null", `null`, spinIn{}, ""},
		{"Empty", `{}`, spinIn{}, ""},
		{"Full", `{"machine":"cherry-charm","bet":5,"key":"k-1"}`, spinIn{Machine: "cherry-charm", Bet: 5, Key: "k-1"}, ""},
		{"NullFields", `{"machine":null,"bet":null,"key":null}`, spinIn{}, ""},
		{"NegativeBet", `{"bet":-5}`, spinIn{Bet: -5}, ""}, // range is the machine's business
		{"Int64Max", `{"bet":9223372036854775807}`, spinIn{Bet: 1<<63 - 1}, ""},
		{"TrailingWhiteSpace", "{\"bet\":5} \r\n\t", spinIn{Bet: 5}, ""},
		// Frames are checked for UTF-8 before their data is decoded; the
		// decoder itself replaces a bad byte rather than failing.
		{"NonUTF8", "{\"machine\":\"\xff\"}", spinIn{Machine: "\uFFFD"}, ""},

		{"UnknownField", `{"machine":"cherry-charm","bet":5,"win":1000}`, spinIn{}, `unknown field "win"`},
		{"BetString", `{"bet":"5"}`, spinIn{}, `field "bet" must be an integer`},
		{"BetFloat", `{"bet":5.5}`, spinIn{}, `field "bet" must be an integer`},
		{"BetExponent", `{"bet":5e0}`, spinIn{}, `field "bet" must be an integer`},
		{"BetBool", `{"bet":true}`, spinIn{}, `field "bet" must be an integer`},
		{"BetOverflow", `{"bet":9223372036854775808}`, spinIn{}, `field "bet" must be an integer`},
		{"BetHuge", `{"bet":1e400}`, spinIn{}, `field "bet" must be an integer`},
		{"MachineNumber", `{"machine":7}`, spinIn{}, `field "machine" must be a string`},
		{"MachineObject", `{"machine":{}}`, spinIn{}, `field "machine" must be a string`},
		{"DataList", `[1]`, spinIn{}, "wrong type"},
		{"DataString", `"x"`, spinIn{}, "wrong type"},
		{"DataNumber", `5`, spinIn{}, "wrong type"},
		{"Truncated", `{"bet":5`, spinIn{}, "malformed JSON"},
		{"WhiteSpaceOnly", ` `, spinIn{}, "malformed JSON"},
		{"ByteOrderMark", "\ufeff{}", spinIn{}, "malformed JSON"},
		{"SecondValue", `{"bet":5}{"bet":6}`, spinIn{}, "trailing content"},
		{"TrailingGarbage", `{"bet":5} x`, spinIn{}, "trailing content"},
		{"StrayBrace", `{"bet":5}}`, spinIn{}, "trailing content"},
		{"StrayBracket", `{}]`, spinIn{}, "trailing content"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var d spinIn
			err := decodeData(json.RawMessage(tc.in), &d)
			if tc.err == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if d != tc.want {
					t.Fatalf("decoded %+v, want %+v", d, tc.want)
				}
				return
			}
			if code := imperio.ErrorCode(err); code != imperio.EInvalidInput {
				t.Fatalf("err = %v, want invalid_input", err)
			}
			if msg := imperio.ErrorMessage(err); !strings.Contains(msg, tc.err) {
				t.Fatalf("message %q does not say %q", msg, tc.err)
			}
		})
	}
}

// frameSeeds are real client frames, well-formed and not, as browsers, bots
// and the end-to-end tests send them.
var frameSeeds = []string{
	`{"type":"ping","id":"1"}`,
	`{"type":"slots.spin","id":"2","data":{"machine":"cherry-charm","bet":5}}`,
	`{"type":"slots.spin","id":"3","data":{"machine":"pharaohs-gold","bet":100,"key":"spin-0001"}}`,
	`{"type":"lobby.subscribe","id":"4"}`,
	`{"type":"lobby.unsubscribe"}`,
	`{"type":"room.join","id":"5","data":{"room":"slots:cherry-charm"}}`,
	`{"type":"room.watch","id":"6","data":{"room":"slots:neon-nights:alice"}}`,
	`{"type":"room.leave","id":"7","room":"slots:neon-nights:alice"}`,
	`{"type":"chat.send","id":"8","data":{"room":"slots:neon-nights:alice","text":"nice one ✨"}}`,
	`{"type":"table.bet","id":"9","room":"roulette:main","data":{"bets":[{"kind":"straight","numbers":[17],"amount":10}]}}`,
	`{"type":"table.action","id":"10","room":"blackjack:1","data":{"action":"hit"}}`,
	`{"type":"slots.spin","id":"x1","data":{"machine":"cherry-charm","bet":"5"}}`,
	`{"type":"slots.spin","id":"x1","data":{"machine":"cherry-charm","bet":5,"win":1000}}`,
	`{"id":"x1","data":{}}`,
	`{"type":null}`,
	`{"type":"ping","id":"` + strings.Repeat("x", 100) + `"}`,
	`[1,2]`,
	`hello`,
	`null`,
	"{\"type\":\"ping\xff\"}",
	`{"type":"ping"}}`,
}

func FuzzDecodeFrame(f *testing.F) {
	for _, s := range frameSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := decodeFrame(b)
		// A refusal answers fr.ID, so it is bounded either way.
		if len(fr.ID) > maxIDLen {
			t.Fatalf("id of %d bytes (err %v)", len(fr.ID), err)
		}
		if err != nil {
			if code := imperio.ErrorCode(err); code != imperio.EInvalidInput {
				t.Fatalf("refused with %v, want invalid_input", err)
			}
			if !json.Valid(encodeError(fr.ID, err)) {
				t.Fatal("the refusal is not valid JSON")
			}
			return
		}
		if fr.Type == "" {
			t.Fatal("accepted a frame without a type")
		}
		if !utf8.Valid(b) {
			t.Fatal("accepted a frame that is not UTF-8")
		}
		if len(fr.Data) > 0 && !json.Valid(fr.Data) {
			t.Fatalf("accepted data %q that is not one JSON value", fr.Data)
		}
	})
}

func FuzzDecodeData(f *testing.F) {
	for _, s := range frameSeeds {
		if fr, err := decodeFrame([]byte(s)); err == nil {
			f.Add([]byte(fr.Data))
		}
	}
	for _, s := range []string{``, `null`, `{}`, `{"bet":9223372036854775808}`, `{"bet":5}}`, `{}]`, `{"bet":5} x`, "{\"machine\":\"\xff\"}", `[{}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// Every payload the hub decodes strictly refuses alike.
		for _, v := range []any{&chatIn{}, &roomData{}} {
			if err := decodeData(b, v); err != nil && imperio.ErrorCode(err) != imperio.EInvalidInput {
				t.Fatalf("refused with %v, want invalid_input", err)
			}
		}
		var d spinIn
		err := decodeData(b, &d)
		if err != nil {
			if code := imperio.ErrorCode(err); code != imperio.EInvalidInput {
				t.Fatalf("refused with %v, want invalid_input", err)
			}
			if imperio.ErrorMessage(err) == "" {
				t.Fatal("refused without a message")
			}
			return
		}
		if len(b) > 0 && !json.Valid(b) {
			t.Fatalf("accepted %q, which is not one JSON value", b)
		}
		// What was accepted is a value that reads back the same.
		out, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var again spinIn
		if err := decodeData(out, &again); err != nil || again != d {
			t.Fatalf("%+v encoded as %s reads back as %+v, %v", d, out, again, err)
		}
	})
}
