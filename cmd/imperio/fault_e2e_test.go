package main

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/games/roulette"
	"github.com/imperio-casino/imperio/hub"
	"github.com/imperio-casino/imperio/store/storetest"
)

// TestDatabaseOutage: PostgreSQL becomes unreachable in the middle of play
// (a proxy in front of it cuts every connection). Spins and table bets
// answer unavailable and charge nothing, /readyz says 503, and play resumes
// when the database is back; every balance still equals its ledger.
func TestDatabaseOutage(t *testing.T) {
	base := storetest.NewPostgresSchema(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	proxy := storetest.NewProxy(t, u.Host)
	u.Host = proxy.Addr()
	st := storetest.Open(t, u.String())
	e := newTestEnv(t, st, nil, func(o *hub.Options) {
		r := roulette.DefaultRules()
		r.BetTime = time.Hour // the round stays open for bets throughout
		o.RouletteRules = r
		o.SettleTimeout = 3 * time.Second
	})
	a := e.signup("outage_player")
	c := e.dial(a)
	c.expect("welcome")
	if f := c.answer(c.send("room.join", map[string]any{"room": "roulette:main"})); f.Type != "room.joined" {
		t.Fatalf("join: %s", f.Data)
	}
	bet := func(amount int) frame {
		return c.answer(c.send("table.bet", map[string]any{"room": "roulette:main", "bets": []map[string]any{{"kind": "red", "amount": amount}}}))
	}
	spin := func() frame {
		return c.answer(c.send("slots.spin", map[string]any{"machine": "cherry-charm", "bet": 5}))
	}
	if f := spin(); f.Type != "slots.result" {
		t.Fatalf("spin before the outage: %s %s", f.Type, f.Data)
	}
	if f := bet(10); f.Type != "table.accepted" {
		t.Fatalf("bet before the outage: %s %s", f.Type, f.Data)
	}
	var rd struct {
		Database string `json:"database"`
	}
	if code := e.do("GET", "/readyz", "", nil, &rd); code != 200 || rd.Database != "ok" {
		t.Fatalf("readyz before: %d %+v", code, rd)
	}
	coins := e.coins(a)
	ledger, rows := e.ledgerSum(a)

	proxy.Cut()
	if code := e.do("GET", "/readyz", "", nil, &rd); code != 503 || rd.Database != "down" {
		t.Errorf("readyz while cut: %d %+v", code, rd)
	}
	for i := 0; i < 3; i++ {
		if f := spin(); f.code() != imperio.EUnavailable {
			t.Errorf("spin while cut: %s %s", f.Type, f.Data)
		}
		if f := bet(10); f.code() != imperio.EUnavailable {
			t.Errorf("bet while cut: %s %s", f.Type, f.Data)
		}
	}
	// The store itself says unavailable, not internal, when it cannot connect.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sp := imperio.Spin{UserID: a.ID, Key: "outage-direct", RoundID: imperio.NewID(), Game: "slots", Room: "slots:x", Bet: 5}
	if _, err := st.SettleSpin(ctx, sp); imperio.ErrorCode(err) != imperio.EUnavailable {
		t.Errorf("SettleSpin while cut: %v", err)
	}
	if _, err := st.Balance(ctx, a.ID); imperio.ErrorCode(err) != imperio.EUnavailable {
		t.Errorf("Balance while cut: %v", err)
	}

	proxy.Restore()
	deadline := time.Now().Add(15 * time.Second)
	for {
		code := e.do("GET", "/readyz", "", nil, &rd)
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz after restore: %d %+v", code, rd)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Nothing was charged while cut.
	if got, sum := e.coins(a), func() int64 { s, _ := e.ledgerSum(a); return s }(); got != coins || sum != ledger {
		t.Errorf("after the outage: coins %d ledger %d, want %d and %d", got, sum, coins, ledger)
	}
	if _, n := e.ledgerSum(a); n != rows {
		t.Errorf("ledger rows %d after the outage, want %d", n, rows)
	}
	// Play resumes (a retry may meet a connection the pool has not yet
	// found dead; the next one goes through).
	resumed := func(try func() frame, want string) {
		t.Helper()
		for i := 0; i < 3; i++ {
			f := try()
			if f.Type == want {
				return
			}
			if f.code() != imperio.EUnavailable {
				t.Fatalf("after restore: %s %s", f.Type, f.Data)
			}
		}
		t.Fatalf("play did not resume")
	}
	resumed(spin, "slots.result")
	resumed(func() frame { return bet(10) }, "table.accepted")
	if sum, _ := e.ledgerSum(a); sum != e.coins(a) {
		t.Errorf("ledger %d, balance %d", sum, e.coins(a))
	}
	e.checkLedger()
}
