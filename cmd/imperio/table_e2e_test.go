package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/imperio-casino/imperio/games/blackjack"
	"github.com/imperio-casino/imperio/games/fair"
	"github.com/imperio-casino/imperio/hub"
	"github.com/imperio-casino/imperio/store/storetest"
)

// tableEvent is a blackjack room.event as a client decodes it.
type tableEvent struct {
	Kind    string   `json:"kind"`
	Seat    int      `json:"seat"`
	Dealer  bool     `json:"dealer"`
	Name    string   `json:"name"`
	Card    string   `json:"card"`
	Total   int      `json:"total"`
	Actions []string `json:"actions"`
}

// TestBlackjackTable: three players and two spectators play full rounds at
// one table over real sockets. Spectators never see the hole card before
// it is turned; every player's coins equal their ledger.
func TestBlackjackTable(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newTestEnv(t, b.Open(t), nil, func(o *hub.Options) {
				r := blackjack.DefaultRules()
				r.PauseTime = 100 * time.Millisecond
				r.BetTime = 5 * time.Second
				r.InsuranceTime = 3 * time.Second
				r.TurnTime = 5 * time.Second
				o.TableRules = r
			})
			testTableRounds(t, e, 3)
		})
	}
}

func testTableRounds(t *testing.T, e *testEnv, rounds int) {
	const room = "blackjack:2"
	var specs []*client
	for i := 0; i < 2; i++ {
		a := e.signup(fmt.Sprintf("watcher%d_%s", i, e.store.Backend()))
		c := e.dial(a)
		c.expect("welcome")
		if f := c.answer(c.send("room.watch", map[string]any{"room": room})); f.Type != "room.joined" {
			t.Fatalf("watch: %s %s", f.Type, f.Data)
		}
		specs = append(specs, c)
	}
	type player struct {
		a       account
		c       *client
		roundID []string
	}
	var players []*player
	for i := 0; i < 3; i++ {
		a := e.signup(fmt.Sprintf("player%d_%s", i, e.store.Backend()))
		c := e.dial(a)
		c.expect("welcome")
		f := c.answer(c.send("room.join", map[string]any{"room": room}))
		if f.Type != "room.joined" || !strings.Contains(string(f.Data), `"seat":`) {
			t.Fatalf("join: %s %s", f.Type, f.Data)
		}
		players = append(players, &player{a: a, c: c})
	}

	var wg sync.WaitGroup
	for _, p := range players {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bet := func() {
				p.c.send("table.bet", map[string]any{"room": room, "amount": 10})
			}
			bet()
			done := 0
			for done < rounds {
				f, ok := <-p.c.in
				if !ok {
					t.Errorf("%s: socket closed", p.a.Username)
					return
				}
				switch f.Type {
				case "table.accepted":
					var d struct {
						Action  string `json:"action"`
						RoundID string `json:"round_id"`
					}
					json.Unmarshal(f.Data, &d)
					if d.Action == "bet" {
						p.roundID = append(p.roundID, d.RoundID)
					}
				case "error":
					t.Errorf("%s: %s", p.a.Username, f.Data)
				case "room.event":
					var ev tableEvent
					json.Unmarshal(f.Data, &ev)
					switch {
					case ev.Kind == "insurance_open":
						p.c.send("table.action", map[string]any{"room": room, "action": "no_insurance"})
					case ev.Kind == "turn" && ev.Name == p.a.Username:
						action := "stand"
						if ev.Total < 12 {
							action = "hit"
						}
						p.c.send("table.action", map[string]any{"room": room, "action": action})
					case ev.Kind == "round_end":
						done++
					case ev.Kind == "waiting" && done < rounds:
						bet()
					}
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	// Every player's coins equal their ledger, and their rounds recall.
	for _, p := range players {
		coins := e.coins(p.a)
		if sum, _ := e.ledgerSum(p.a); sum != coins {
			t.Errorf("%s: ledger sum %d, coins %d", p.a.Username, sum, coins)
		}
		if len(p.roundID) != rounds {
			t.Fatalf("%s: %d bets acknowledged, want %d", p.a.Username, len(p.roundID), rounds)
		}
	}
	e.checkLedger()

	// The spectators' streams: the hole card appears only when revealed,
	// and then it is the card the round record says.
	var rec struct {
		Status  string `json:"status"`
		Outcome struct {
			Record struct {
				Dealer struct {
					Cards []string `json:"cards"`
				} `json:"dealer"`
			} `json:"record"`
		} `json:"outcome"`
		Players []struct {
			Username string `json:"username"`
		} `json:"players"`
	}
	var holes []string
	for _, id := range players[0].roundID {
		if code := e.do("GET", "/api/rounds/"+id, players[0].a.Token, nil, &rec); code != 200 {
			t.Fatalf("recall %s: %d", id, code)
		}
		if rec.Status != "settled" || len(rec.Players) != 3 || len(rec.Outcome.Record.Dealer.Cards) < 2 {
			t.Fatalf("round %s: %+v", id, rec)
		}
		holes = append(holes, rec.Outcome.Record.Dealer.Cards[1])
	}
	for i, c := range specs {
		n, hidden := 0, false
		for n < rounds {
			f := c.next(func(f frame) bool { return f.Type == "room.event" })
			var ev tableEvent
			json.Unmarshal(f.Data, &ev)
			switch ev.Kind {
			case "hole":
				if ev.Card != "" {
					t.Fatalf("spectator %d: hole event shows %s", i, ev.Card)
				}
				hidden = true
			case "reveal":
				if ev.Card != holes[n] {
					t.Fatalf("spectator %d round %d: revealed %s, record says %s", i, n, ev.Card, holes[n])
				}
				hidden = false
			case "round_end":
				n++
				hidden = false
			default:
				if hidden && ev.Dealer && ev.Card != "" {
					t.Fatalf("spectator %d: dealer card %s shown while the hole card is down (%s)", i, ev.Card, ev.Kind)
				}
			}
		}
	}
}

// TestInterruptedRoundRefunded stops a table mid-round without settling it,
// as a crash would, then starts a server on the same database: the round is
// voided, every stake refunded, and every ledger adds up.
func TestInterruptedRoundRefunded(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			url := "sqlite:" + t.TempDir() + "/imperio.db"
			if backend == "postgres" {
				url = storetest.NewPostgresSchema(t)
			}
			// No naturals: both players hold 16 against the dealer's 9 up.
			shoe := []string{"TS", "TH", "9C", "6S", "6H", "7C"}
			e := newTestEnv(t, storetest.Open(t, url), nil, func(o *hub.Options) {
				o.NewTable = func(r blackjack.Rules, now time.Time) (*blackjack.Table, error) {
					return blackjack.NewTableWithShoe(r, fair.NewSeeded(1), shoe, now)
				}
			})
			const room = "blackjack:1"
			var accts []account
			var clients []*client
			var roundID string
			for i := 0; i < 2; i++ {
				a := e.signup(fmt.Sprintf("crash%d", i))
				c := e.dial(a)
				c.expect("welcome")
				if f := c.answer(c.send("room.join", map[string]any{"room": room})); f.Type != "room.joined" {
					t.Fatalf("join: %s", f.Data)
				}
				accts, clients = append(accts, a), append(clients, c)
			}
			for _, c := range clients {
				f := c.answer(c.send("table.bet", map[string]any{"room": room, "amount": 50}))
				var d struct {
					RoundID string `json:"round_id"`
					Coins   int64  `json:"coins"`
				}
				json.Unmarshal(f.Data, &d)
				if f.Type != "table.accepted" || d.Coins != e.cfg.SignupGrant-50 {
					t.Fatalf("bet: %s %s", f.Type, f.Data)
				}
				roundID = d.RoundID
			}
			clients[0].next(func(f frame) bool { return f.Type == "room.event" && strings.Contains(string(f.Data), `"kind":"turn"`) })
			// Both bet: the cards are dealt and the first turn waits.
			for _, a := range accts {
				if got := e.coins(a); got != e.cfg.SignupGrant-50 {
					t.Fatalf("%s has %d before the crash", a.Username, got)
				}
			}
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			if err := e.srv.hub.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			// The drain may use up most of ctx: the restart gets its own.
			ctx, cancel = context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()

			cfg := e.cfg
			cfg.DatabaseURL = url
			srv, err := newServer(ctx, cfg, slogFor(t))
			if err != nil {
				t.Fatal(err)
			}
			defer srv.close(context.Background())
			for _, a := range accts {
				if got, _ := srv.store.Balance(ctx, a.ID); got != e.cfg.SignupGrant {
					t.Errorf("%s has %d after the restart, want the stake back (%d)", a.Username, got, e.cfg.SignupGrant)
				}
				if sum, _ := e.ledgerSum(a); sum != e.cfg.SignupGrant {
					t.Errorf("%s's ledger sums to %d", a.Username, sum)
				}
				rd, err := srv.store.Round(ctx, a.ID, roundID)
				if err != nil || rd.Status != "void" {
					t.Errorf("round %s for %s: %+v %v", roundID, a.Username, rd, err)
				}
			}
			e.checkLedger()
		})
	}
}

// TestShutdownSettlesOrVoids: a stop during a round lets the round finish
// within the drain time; a round that cannot finish is voided. Either way no
// round stays open and every ledger adds up.
func TestShutdownSettlesOrVoids(t *testing.T) {
	for _, tc := range []struct {
		name   string
		turn   time.Duration // the turn timer: short rounds finish while draining
		status string
	}{
		{"RoundFinishes", 300 * time.Millisecond, "settled"},
		{"RoundVoided", time.Minute, "void"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := "sqlite:" + t.TempDir() + "/imperio.db"
			shoe := []string{"TS", "TH", "9C", "6S", "6H", "7C", "5D", "5C", "5H"}
			e := newTestEnv(t, storetest.Open(t, url), nil, func(o *hub.Options) {
				r := blackjack.DefaultRules()
				r.TurnTime = tc.turn
				o.TableRules = r
				o.DrainTimeout = 3 * time.Second
				o.NewTable = func(r blackjack.Rules, now time.Time) (*blackjack.Table, error) {
					return blackjack.NewTableWithShoe(r, fair.NewSeeded(1), shoe, now)
				}
			})
			a := e.signup("stopper")
			c := e.dial(a)
			c.expect("welcome")
			c.answer(c.send("room.join", map[string]any{"room": "blackjack:1"}))
			f := c.answer(c.send("table.bet", map[string]any{"room": "blackjack:1", "amount": 100}))
			var d struct {
				RoundID string `json:"round_id"`
			}
			json.Unmarshal(f.Data, &d)
			c.next(func(f frame) bool { return f.Type == "room.event" && strings.Contains(string(f.Data), `"kind":"turn"`) })

			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			if err := e.srv.close(ctx); err != nil {
				t.Fatal(err)
			}
			c.expect("server.shutdown")
			<-c.done
			if code := websocket.CloseStatus(c.err); code != 1012 {
				t.Fatalf("socket ended with %v (code %d), want a 1012 close", c.err, code)
			}
			st := storetest.Open(t, url)
			rd, err := st.Round(ctx, a.ID, d.RoundID)
			if err != nil || rd.Status != tc.status {
				t.Fatalf("round %+v %v, want %s", rd, err, tc.status)
			}
			open, err := st.OpenRounds(ctx, "")
			if err != nil || len(open) != 0 {
				t.Fatalf("open rounds after shutdown: %v %v", open, err)
			}
			bad, err := st.CheckLedger(ctx)
			if err != nil || len(bad) != 0 {
				t.Fatalf("ledger: %v %v", bad, err)
			}
		})
	}
}
