package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/imperio-casino/imperio/store/storetest"
)

// TestAudit: a clean database passes; a balance changed behind the
// ledger's back is a violation and a non-zero exit.
func TestAudit(t *testing.T) {
	url := "sqlite:" + t.TempDir() + "/imperio.db"
	e := newTestEnv(t, storetest.Open(t, url), nil)
	a := e.signup("audited")
	c := e.dial(a)
	c.expect("welcome")
	c.answer(c.send("slots.spin", map[string]any{"machine": "cherry-charm", "bet": 5}))

	var out bytes.Buffer
	if err := run(t.Context(), []string{"audit", "--no-open"}, verifyEnv(url), &out, &out); err != nil || !strings.HasPrefix(out.String(), "OK") {
		t.Fatalf("audit of a clean database: %v\n%s", err, out.String())
	}
	tamper(t, url, "UPDATE users SET coins = coins + 5 WHERE username = 'audited'")
	out.Reset()
	err := run(t.Context(), []string{"audit"}, verifyEnv(url), &out, &out)
	if err == nil || !strings.Contains(out.String(), "VIOLATION") || !strings.Contains(out.String(), "audited") {
		t.Fatalf("audit after tampering: %v\n%s", err, out.String())
	}
}
