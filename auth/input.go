package auth

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/imperio-casino/imperio"
)

// Limits of the account endpoints' input.
const (
	maxBodyBytes     = 4 << 10 // a signup or login body is a few dozen bytes
	minUsernameLen   = 3
	maxUsernameLen   = 20
	minPasswordRunes = 8
	maxPasswordBytes = 72  // bcrypt reads no further
	maxEmailBytes    = 254 // RFC 5321's path limit
)

type signupInput struct {
	Username string `json:"username"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (in signupInput) validate() error {
	if !validUsername(in.Username) {
		return invalid("username must be 3 to 20 letters, digits or underscores")
	}
	if in.Email == "" {
		return invalid("email is required")
	}
	if len(in.Email) > maxEmailBytes {
		return invalid("email is too long")
	}
	// A plain address only: no display name, no angle brackets, no comments.
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Name != "" || a.Address != in.Email {
		return invalid("email must be a plain address such as player@example.com")
	}
	if utf8.RuneCountInString(in.Password) < minPasswordRunes {
		return invalid("password must be at least 8 characters")
	}
	if len(in.Password) > maxPasswordBytes {
		return invalid("password must be at most 72 bytes")
	}
	return nil
}

type loginInput struct {
	Username string `json:"username"`
	Password string `json:"password"`
	TOTP     string `json:"totp"` // the two-factor code, when it is on
}

// refreshInput is the optional body of refresh and logout: clients that
// keep no cookies send the refresh token here.
type refreshInput struct {
	RefreshToken string `json:"refresh_token"`
}

// codeInput is the body of the two-factor enable and disable requests.
type codeInput struct {
	Code string `json:"code"`
}

func (in loginInput) validate() error {
	if in.Username == "" {
		return invalid("username is required")
	}
	if in.Password == "" {
		return invalid("password is required")
	}
	if len(in.Username) > 4*maxUsernameLen { // no such account can exist; keep logs and lookups small
		return imperio.Errorf(imperio.EInvalidCreds, "Wrong username or password.")
	}
	return nil
}

// validUsername: 3 to 20 of [A-Za-z0-9_].
func validUsername(s string) bool {
	if len(s) < minUsernameLen || len(s) > maxUsernameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func invalid(msg string) error {
	return imperio.Errorf(imperio.EInvalidInput, "%s", msg)
}

// decodeJSON reads exactly one JSON object of at most maxBodyBytes into v,
// refusing unknown fields, and names the offending field when it can.
func decodeJSON(c *gin.Context, v any) error {
	body := http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.Decode(&struct{}{}) != io.EOF {
			return invalid("request body must be a single JSON object")
		}
		return nil
	}
	var (
		tooBig  *http.MaxBytesError
		typeErr *json.UnmarshalTypeError
		synErr  *json.SyntaxError
	)
	switch {
	case errors.As(err, &tooBig):
		return invalid("request body is too large")
	case errors.Is(err, io.EOF):
		return invalid("request body must be a JSON object")
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return invalid(typeErr.Field + " must be a " + jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &typeErr):
		return invalid("request body must be a JSON object")
	case errors.As(err, &synErr), errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("request body is not valid JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return invalid("unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field "))
	default:
		return invalid("request body is not valid JSON")
	}
}

func jsonKind(goKind string) string {
	if goKind == "string" {
		return "string"
	}
	return "JSON " + goKind
}
