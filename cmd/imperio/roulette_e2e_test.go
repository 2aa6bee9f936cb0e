package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/imperio-casino/imperio/games/roulette"
	"github.com/imperio-casino/imperio/hub"
	"github.com/imperio-casino/imperio/store/storetest"
)

// TestRouletteTable: two players and a spectator at roulette:main over real
// sockets. Many bets go in one message, debited together; a bad one is
// refused with nothing taken; the round settles and every ledger adds up.
func TestRouletteTable(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			url := "sqlite:" + t.TempDir() + "/imperio.db"
			if b.Name == "postgres" {
				url = storetest.NewPostgresSchema(t)
			}
			e := newTestEnv(t, storetest.Open(t, url), nil, func(o *hub.Options) {
				r := roulette.DefaultRules()
				r.BetTime, r.SpinTime, r.PauseTime = 400*time.Millisecond, 50*time.Millisecond, 50*time.Millisecond
				o.RouletteRules = r
			})
			const room = "roulette:main"
			spec := e.dial(e.signup("railbird_" + b.Name))
			spec.expect("welcome")
			if f := spec.answer(spec.send("room.watch", map[string]any{"room": room})); f.Type != "room.joined" {
				t.Fatalf("watch: %s", f.Data)
			}
			var players []account
			var clients []*client
			for _, name := range []string{"red_" + b.Name, "dozen_" + b.Name} {
				a := e.signup(name)
				c := e.dial(a)
				c.expect("welcome")
				if f := c.answer(c.send("room.join", map[string]any{"room": room})); f.Type != "room.joined" {
					t.Fatalf("join: %s", f.Data)
				}
				players, clients = append(players, a), append(clients, c)
			}
			// A split of two numbers that do not touch is refused, and
			// nothing of the message is taken.
			f := clients[0].answer(clients[0].send("table.bet", map[string]any{"room": room, "bets": []map[string]any{
				{"kind": "red", "amount": 10}, {"kind": "split", "numbers": []int{1, 5}, "amount": 5},
			}}))
			if f.code() != "invalid_input" {
				t.Fatalf("bad split: %s %s", f.Type, f.Data)
			}
			bets := [][]map[string]any{
				{{"kind": "red", "amount": 10}, {"kind": "straight", "numbers": []int{17}, "amount": 5}},
				{{"kind": "dozen", "numbers": []int{2}, "amount": 20}, {"kind": "corner", "numbers": []int{17, 18, 20, 21}, "amount": 4}},
			}
			var roundID string
			for i, c := range clients {
				f := c.answer(c.send("table.bet", map[string]any{"room": room, "bets": bets[i]}))
				var d struct {
					Amount  int64  `json:"amount"`
					Coins   int64  `json:"coins"`
					RoundID string `json:"round_id"`
				}
				json.Unmarshal(f.Data, &d)
				roundID = d.RoundID
				want := []int64{15, 24}[i]
				if f.Type != "table.accepted" || d.Amount != want || d.Coins != e.cfg.SignupGrant-want {
					t.Fatalf("bets: %s %s", f.Type, f.Data)
				}
			}
			var result struct {
				Number *int   `json:"number"`
				Color  string `json:"color"`
			}
			seenResult := false
			for {
				f := spec.next(func(f frame) bool { return f.Type == "room.event" })
				if strings.Contains(string(f.Data), `"kind":"result"`) {
					json.Unmarshal(f.Data, &result)
					seenResult = true
				}
				if strings.Contains(string(f.Data), `"kind":"round_end"`) {
					break
				}
			}
			if !seenResult || result.Number == nil || *result.Number < 0 || *result.Number > 36 {
				t.Fatalf("no result before the round ended: %+v", result)
			}
			for i, a := range players {
				want := e.cfg.SignupGrant - []int64{15, 24}[i]
				for _, bet := range bets[i] {
					rb := roulette.Bet{Kind: bet["kind"].(string), Amount: int64(bet["amount"].(int))}
					if n, ok := bet["numbers"].([]int); ok {
						rb.Numbers = n
					}
					want += rb.Payout(*result.Number, false)
				}
				if got := e.coins(a); got != want {
					t.Errorf("%s has %d after %d came up, want %d", a.Username, got, *result.Number, want)
				}
				if sum, _ := e.ledgerSum(a); sum != e.coins(a) {
					t.Errorf("%s: ledger %d", a.Username, sum)
				}
			}
			// The ball recomputed from the seed the round revealed.
			var v struct {
				Verified bool   `json:"verified"`
				Expected string `json:"expected"`
			}
			if code := e.do("GET", "/api/fair/verify?round="+roundID, players[0].Token, nil, &v); code != 200 || !v.Verified {
				t.Fatalf("verify round %s: %d %+v", roundID, code, v)
			}
			var out, errOut bytes.Buffer
			if err := run(t.Context(), []string{"verify", roundID, "--user", players[0].Username}, verifyEnv(url), &out, &errOut); err != nil ||
				!strings.HasPrefix(out.String(), "OK roulette round "+roundID) {
				t.Fatalf("imperio verify: %v\n%s%s", err, out.String(), errOut.String())
			}
			e.checkLedger()
		})
	}
}
