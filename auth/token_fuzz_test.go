package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/imperio-casino/imperio"
)

// FuzzVerifyToken feeds any string to the token parser. Whatever it is, it
// is refused with unauthorized, never a panic or another code, unless it is
// a token this service signed, whose identity then reads back whole.
func FuzzVerifyToken(f *testing.F) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	svc := New(Config{Secret: testSecret, TokenTTL: time.Hour, Now: func() time.Time { return now }}, newFakeUsers(), nil)
	good, _, err := svc.Issue(imperio.User{ID: 42, Username: "alice"})
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(good, ".")
	for _, s := range []string{
		good,
		parts[0] + "." + parts[1] + ".",
		"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + ".",
		parts[0] + ".e30." + parts[2],
		"a.b.c",
		"..",
		"",
		"Bearer " + good,
		good + "x",
		strings.Repeat("A", 300),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		id, err := svc.Verify(token)
		if err != nil {
			if imperio.ErrorCode(err) != imperio.EUnauthorized {
				t.Fatalf("refused with %v, want unauthorized", err)
			}
			return
		}
		if id.UserID <= 0 || id.Username == "" || id.TokenID == "" || !id.ExpiresAt.After(now) {
			t.Fatalf("accepted %q as %+v", token, id)
		}
	})
}
