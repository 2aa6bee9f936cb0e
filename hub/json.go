package hub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// jsonProblem turns a decoding error into a short text safe to show.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		if typeErr.Field != "" {
			return fmt.Sprintf("field %q must be %s", typeErr.Field, typeName(typeErr.Type.Kind().String()))
		}
		return "wrong type"
	case errors.As(err, &syntaxErr):
		return "malformed JSON"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "malformed JSON"
	}
	return "malformed JSON"
}

func typeName(kind string) string {
	switch kind {
	case "int", "int64", "int32", "uint64":
		return "an integer"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice":
		return "a list"
	case "struct", "map":
		return "an object"
	}
	return kind
}

// decodeEnvelope reads a client frame's type, id, room and data without
// reflection: it is on every message's path. b must be valid JSON. ok is
// false for what it leaves to encoding/json, which then decides (and
// words the refusal): a value that is not an object, a key or an envelope
// string with escapes, or an envelope field that is not a string or null.
// Otherwise the result is what json.Unmarshal into an inFrame gives: keys
// match case-insensitively, the last of a repeated key wins, null leaves a
// string empty, and data is the raw value (null included).
func decodeEnvelope(b []byte) (f inFrame, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return f, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return f, true
	}
	for i < len(b) {
		// The key.
		if b[i] != '"' {
			return f, false
		}
		end := skipValue(b, i)
		key := b[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return f, false
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return f, false
		}
		i = skipSpace(b, i+1)
		end = skipValue(b, i)
		if end < 0 {
			return f, false
		}
		val := b[i:end]
		var dst *string
		switch {
		case fieldIs(key, "type"):
			dst = &f.Type
		case fieldIs(key, "id"):
			dst = &f.ID
		case fieldIs(key, "room"):
			dst = &f.Room
		case fieldIs(key, "data"):
			f.Data = json.RawMessage(val)
		}
		if dst != nil {
			switch {
			case string(val) == "null":
			case val[0] == '"' && bytes.IndexByte(val, '\\') < 0:
				*dst = string(val[1 : len(val)-1])
			default:
				return f, false
			}
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			return f, false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return f, skipSpace(b, i+1) == len(b)
		default:
			return f, false
		}
	}
	return f, false
}

// fieldIs reports whether key names field as encoding/json matches names:
// exactly, or else ignoring case.
func fieldIs(key []byte, field string) bool {
	return string(key) == field || (len(key) == len(field) && strings.EqualFold(string(key), field))
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value at b[i:] (valid
// JSON), or -1 when there is none.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return -1
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end := skipValue(b, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[j])) {
		j++
	}
	return j
}

// appendString appends s as a JSON string exactly as encoding/json writes
// it: HTML-safe (<, > and & escaped), control characters escaped, invalid
// UTF-8 replaced by U+FFFD, and U+2028 and U+2029 escaped.
func appendString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// jsonAppender is a payload that writes its own JSON (the bytes
// encoding/json would write), for the frames sent most: no reflection.
type jsonAppender interface {
	appendJSON(dst []byte) []byte
}

func (d chatData) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"from":`...)
	dst = appendString(dst, d.From)
	dst = append(dst, `,"text":`...)
	dst = appendString(dst, d.Text)
	dst = append(dst, `,"at":"`...)
	dst = d.At.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, `"}`...)
}

func (d errorData) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"code":`...)
	dst = appendString(dst, d.Code)
	dst = append(dst, `,"message":`...)
	dst = appendString(dst, d.Message)
	if d.RetryAfter != 0 {
		dst = append(dst, `,"retry_after":`...)
		dst = strconv.AppendInt(dst, int64(d.RetryAfter), 10)
	}
	return append(dst, '}')
}

// flatKinds are the field kinds of a flat payload: no object or list below
// its top level, where an unknown field could hide.
var flatKinds = map[reflect.Kind]bool{
	reflect.String: true, reflect.Bool: true, reflect.Int: true, reflect.Int64: true, reflect.Int32: true,
	reflect.Uint64: true, reflect.Float64: true,
}

var flatFieldCache sync.Map // reflect.Type -> []string (empty: not flat)

// flatFields lists the JSON names of the fields of *v when v points to a
// flat struct, else nil. It reflects once per type.
func flatFields(v any) []string {
	t := reflect.TypeOf(v)
	if names, ok := flatFieldCache.Load(t); ok {
		return names.([]string)
	}
	var names []string
	if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct {
		st := t.Elem()
		names = []string{}
		for i := range st.NumField() {
			f := st.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || f.Anonymous || name == "-" || !flatKinds[f.Type.Kind()] {
				names = nil
				break
			}
			if name == "" {
				name = f.Name
			}
			names = append(names, name)
		}
		if len(names) == 0 {
			names = nil
		}
	}
	flatFieldCache.Store(t, names)
	return names
}

// onlyKnownKeys reports whether raw is an object whose every key names one
// of known as encoding/json matches names. False means "not sure" as well
// (not an object, a key with escapes, malformed).
func onlyKnownKeys(raw []byte, known []string) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return true
	}
	for i < len(raw) {
		if raw[i] != '"' {
			return false
		}
		end := skipValue(raw, i)
		if end < 0 {
			return false
		}
		key := raw[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false
		}
		found := false
		for _, k := range known {
			if fieldIs(key, k) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
		i = skipSpace(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			return false
		}
		if end = skipValue(raw, skipSpace(raw, i+1)); end < 0 {
			return false
		}
		i = skipSpace(raw, end)
		if i >= len(raw) {
			return false
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case '}':
			return true
		default:
			return false
		}
	}
	return false
}
