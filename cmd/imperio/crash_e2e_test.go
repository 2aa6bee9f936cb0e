package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/imperio-casino/imperio/config"
	"github.com/imperio-casino/imperio/games/crash"
	"github.com/imperio-casino/imperio/hub"
	"github.com/imperio-casino/imperio/store/storetest"
)

// TestCrashTable: two players and a spectator at crash:main over real
// sockets. One cashes out by hand while the multiplier rises, one by an
// automatic target; a cash-out after the crash is refused; every ledger
// adds up and the crash hash checks against the chain.
func TestCrashTable(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			var chain *crash.Chain
			e := newTestEnv(t, b.Open(t), func(c *config.Config) { c.BigWinMultiplier = 1 }, func(o *hub.Options) {
				r := crash.DefaultRules()
				r.BetTime, r.PauseTime = 300*time.Millisecond, 100*time.Millisecond
				o.CrashRules = r
				o.NewCrash = func(r crash.Rules, now time.Time) (*crash.Table, error) {
					chain = crash.NewChain([]byte("crash test seed"), 10)
					return crash.NewTableWithCrashPoints(r, chain, []int64{115}, now)
				}
			})
			const room = "crash:main"
			spec := e.dial(e.signup("watcher_" + b.Name))
			spec.expect("welcome")
			if f := spec.answer(spec.send("room.watch", map[string]any{"room": room})); f.Type != "room.joined" {
				t.Fatalf("watch: %s", f.Data)
			}
			spec.send("lobby.subscribe", nil)
			manual, auto := e.signup("hand_"+b.Name), e.signup("auto_"+b.Name)
			mc, ac := e.dial(manual), e.dial(auto)
			for _, c := range []*client{mc, ac} {
				c.expect("welcome")
				if f := c.answer(c.send("room.join", map[string]any{"room": room})); f.Type != "room.joined" {
					t.Fatalf("join: %s", f.Data)
				}
			}
			if f := ac.answer(ac.send("table.bet", map[string]any{"room": room, "amount": 100, "auto_cashout": 110})); f.Type != "table.accepted" {
				t.Fatalf("auto bet: %s", f.Data)
			}
			if f := mc.answer(mc.send("table.bet", map[string]any{"room": room, "amount": 50})); f.Type != "table.accepted" {
				t.Fatalf("bet: %s", f.Data)
			}
			// Cash out by hand once the multiplier passes 1.05x.
			mc.next(func(f frame) bool {
				var ev struct {
					Kind       string `json:"kind"`
					Multiplier int64  `json:"multiplier"`
				}
				json.Unmarshal(f.Data, &ev)
				return f.Type == "room.event" && ev.Kind == "tick" && ev.Multiplier >= 105
			})
			if f := mc.answer(mc.send("table.action", map[string]any{"room": room, "action": "cashout"})); f.Type != "table.accepted" {
				t.Fatalf("cashout: %s %s", f.Type, f.Data)
			}
			paid := map[string]int64{}
			var crashEv struct {
				Multiplier int64  `json:"multiplier"`
				Hash       string `json:"hash"`
			}
			for {
				f := spec.next(func(f frame) bool { return f.Type == "room.event" })
				var ev struct {
					Kind       string `json:"kind"`
					Name       string `json:"name"`
					Amount     int64  `json:"amount"`
					Multiplier int64  `json:"multiplier"`
				}
				json.Unmarshal(f.Data, &ev)
				switch ev.Kind {
				case "cashout":
					if ev.Multiplier >= 115 {
						t.Fatalf("%s cashed out at %d, at or past the crash", ev.Name, ev.Multiplier)
					}
					paid[ev.Name] = ev.Amount
				case "crash":
					json.Unmarshal(f.Data, &crashEv)
				}
				if ev.Kind == "round_end" {
					break
				}
			}
			// A win of at least the stake (the threshold here) is announced
			// with the winner's name.
			announced := map[string]bool{}
			for len(announced) < 2 {
				bw := spec.next(func(f frame) bool { return f.Type == "bigwin" })
				var d struct {
					Username string `json:"username"`
					Game     string `json:"game"`
				}
				json.Unmarshal(bw.Data, &d)
				if d.Game != "crash" || (d.Username != manual.Username && d.Username != auto.Username) {
					t.Fatalf("bigwin %s", bw.Data)
				}
				announced[d.Username] = true
			}
			if crashEv.Multiplier != 115 {
				t.Fatalf("crash %+v", crashEv)
			}
			if _, ok := crash.Verify(crashEv.Hash, chain.Terminating(), 10); !ok {
				t.Fatalf("round hash %s does not lead to the chain's terminating hash", crashEv.Hash)
			}
			if paid[auto.Username] != 110 || paid[manual.Username] < 52 || paid[manual.Username] >= 57 {
				t.Fatalf("paid %v", paid)
			}
			// Too late now: the round crashed.
			if f := mc.answer(mc.send("table.action", map[string]any{"room": room, "action": "cashout"})); f.code() == "" {
				t.Fatalf("cash-out after the crash accepted: %s", f.Data)
			}
			for _, a := range []account{manual, auto} {
				want := e.cfg.SignupGrant - map[string]int64{manual.Username: 50, auto.Username: 100}[a.Username] + paid[a.Username]
				if got := e.coins(a); got != want {
					t.Errorf("%s has %d, want %d", a.Username, got, want)
				}
				if sum, _ := e.ledgerSum(a); sum != e.coins(a) {
					t.Errorf("%s: ledger %d", a.Username, sum)
				}
			}
			e.checkLedger()
		})
	}
}
