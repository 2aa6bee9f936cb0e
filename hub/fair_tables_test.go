package hub

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/games/crash"
)

// TestVerifyCrashRound plays a crash round on a real chain and checks it
// from its record; a record with another hash or crash point fails.
func TestVerifyCrashRound(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tab, err := crash.NewTable(crash.DefaultRules(), crash.NewChain([]byte("verify me"), 50), now)
	if err != nil {
		t.Fatal(err)
	}
	e := crashEngine{tab}
	fairness := e.fairness()
	bet := engineCmd{kind: "bet", player: 1, name: "p", amount: 10}
	if _, err := e.apply(now, bet); err != nil {
		t.Fatal(err)
	}
	for e.roundActive() {
		d, _ := e.deadline()
		now = d
		e.advance(now)
	}
	outcome, _ := json.Marshal(roundRecord{RoundID: "r1", Room: "crash:main", Game: "crash", Record: e.record()})
	rd := imperio.Round{ID: "r1", Game: "crash", Status: imperio.RoundSettled, Outcome: outcome, Fairness: fairness}
	v, err := VerifyTableRound(rd)
	if err != nil || !v.Verified || v.Expected != v.Recorded {
		t.Fatalf("%+v %v", v, err)
	}
	var rec map[string]any
	json.Unmarshal(outcome, &rec)
	rec["record"].(map[string]any)["crash_point"] = 100000.0
	rd.Outcome, _ = json.Marshal(rec)
	if v, err := VerifyTableRound(rd); err != nil || v.Verified {
		t.Fatalf("a changed crash point verified: %+v %v", v, err)
	}
	rec["record"].(map[string]any)["hash"] = "00" + rec["record"].(map[string]any)["hash"].(string)[2:]
	rd.Outcome, _ = json.Marshal(rec)
	if v, err := VerifyTableRound(rd); err != nil || v.Verified {
		t.Fatalf("a changed hash verified: %+v %v", v, err)
	}
}
