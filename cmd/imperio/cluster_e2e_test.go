package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/imperio-casino/imperio/config"
	"github.com/imperio-casino/imperio/games/roulette"
	"github.com/imperio-casino/imperio/hub"
	"github.com/imperio-casino/imperio/store/storetest"
)

// cluster is several instances in one test process, each with its own
// store connection, hub and HTTP server, sharing one PostgreSQL schema and
// one Redis prefix.
type cluster struct {
	t      *testing.T
	dbURL  string
	prefix string
}

func newCluster(t *testing.T) *cluster {
	return &cluster{t: t, dbURL: storetest.NewPostgresSchema(t), prefix: storetest.RedisPrefix(t)}
}

// start runs an instance whose Redis is at redisAddr (the test Redis, or a
// proxy in front of it).
func (cl *cluster) start(name, redisAddr string) *testEnv {
	t := cl.t
	t.Helper()
	st := storetest.Open(t, cl.dbURL)
	e := newTestEnv(t, st, func(c *config.Config) {
		c.RedisURL = "redis://" + redisAddr + "/0"
		c.RedisPrefix = cl.prefix
		c.Instance = name
		c.BigWinMultiplier = 1
	}, func(o *hub.Options) {
		o.LeaseTTL = 2 * time.Second
		o.LobbyInterval = 100 * time.Millisecond
		o.LeaderInterval = 100 * time.Millisecond
		r := roulette.DefaultRules()
		r.BetTime, r.SpinTime, r.PauseTime = 1200*time.Millisecond, 50*time.Millisecond, 50*time.Millisecond
		o.RouletteRules = r
	})
	return e
}

// eventually retries cond until it holds or the wait is over.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (e *testEnv) leaderboard(board string) []hub.LeaderEntry {
	e.t.Helper()
	var out struct {
		Board   string            `json:"board"`
		Entries []hub.LeaderEntry `json:"entries"`
	}
	if code := e.do("GET", "/api/leaderboard?board="+board, "", nil, &out); code != http.StatusOK || out.Board != board {
		e.t.Fatalf("leaderboard %s: %d %+v", board, code, out)
	}
	return out.Entries
}

// TestManyInstances: three instances on one PostgreSQL and one Redis. A big
// win on A reaches B's lobby; balance pushes reach a player's sockets on
// every instance; leaderboards agree everywhere; logging out on A ends the
// session on B; a player on B and a spectator on C play and watch a table A
// runs; A dies mid-round and the table goes on under a new owner, the
// interrupted stake refunded, every balance equal to its ledger.
func TestManyInstances(t *testing.T) {
	cl := newCluster(t)
	addr := storetest.RedisAddr(t)
	a := cl.start("a", addr) // first: it takes the tables that exist from start
	b := cl.start("b", addr)
	c := cl.start("c", addr)

	spinner := a.signup("spinner")
	watcher := b.signup("watcher")

	t.Run("BigWinBalanceAndLeaderboards", func(t *testing.T) {
		lobby := b.dial(watcher)
		lobby.expect("welcome")
		lobby.answer(lobby.send("lobby.subscribe", nil))
		onA := a.dial(spinner)
		onA.expect("welcome")
		onB := b.dial(spinner) // the same player on another instance
		onB.expect("welcome")
		// Every win of at least the bet is big here: spin until one comes.
		var win spinResult
		for i := 0; i < 300 && win.Win < 5; i++ {
			f := onA.answer(onA.send("slots.spin", map[string]any{"machine": "cherry-charm", "bet": 5}))
			if f.Type != "slots.result" {
				t.Fatalf("spin: %s %s", f.Type, f.Data)
			}
			win = decode[spinResult](t, f.Data)
		}
		if win.Win < 5 {
			t.Fatal("no win in 300 spins")
		}
		big := lobby.next(func(f frame) bool {
			return f.Type == "bigwin" && strings.Contains(string(f.Data), win.RoundID)
		})
		var bw hub.BigWin
		json.Unmarshal(big.Data, &bw)
		if bw.Username != "spinner" || bw.Amount != win.Win || bw.Game != "slots" {
			t.Fatalf("big win on B: %+v, want spinner's %d", bw, win.Win)
		}
		// B's socket of the spinner hears the balance of the spin on A.
		onB.next(func(f frame) bool {
			return f.Type == "balance" && strings.Contains(string(f.Data), fmt.Sprintf(`"coins":%d`, win.Coins))
		})
		// Leaderboards are one: each instance answers the same.
		eventually(t, "the leaderboards agree on every instance", func() bool {
			for _, board := range hub.Boards {
				la, lb, lc := a.leaderboard(board), b.leaderboard(board), c.leaderboard(board)
				if !reflect.DeepEqual(la, lb) || !reflect.DeepEqual(la, lc) {
					return false
				}
			}
			top := a.leaderboard(hub.BoardWinsToday)
			return len(top) > 0 && top[0].Username == "spinner" && top[0].Score >= win.Win
		})
		rich := c.leaderboard(hub.BoardRichest)
		found := false
		for _, en := range rich {
			found = found || (en.Username == "spinner" && en.Score == a.coins(spinner))
		}
		if !found {
			t.Fatalf("richest on C %+v lacks the spinner's %d coins", rich, a.coins(spinner))
		}
		// The lobby pushes boards too.
		lobby.next(func(f frame) bool { return f.Type == "leaderboard" && strings.Contains(string(f.Data), "spinner") })
	})

	t.Run("LogoutOnEveryInstance", func(t *testing.T) {
		if code := b.do("GET", "/api/me", watcher.Token, nil, nil); code != http.StatusOK {
			t.Fatalf("/api/me on B before logout: %d", code)
		}
		if code := a.do("POST", "/api/auth/logout", watcher.Token, nil, nil); code != http.StatusOK {
			t.Fatalf("logout on A: %d", code)
		}
		if code := b.do("GET", "/api/me", watcher.Token, nil, nil); code != http.StatusUnauthorized {
			t.Fatalf("/api/me on B after logging out on A: %d, want 401", code)
		}
	})

	const room = "roulette:main"
	player := b.signup("bettor")
	spec := c.signup("railbird")
	onB := b.dial(player)
	onB.expect("welcome")
	onC := c.dial(spec)
	onC.expect("welcome")

	t.Run("TableOwnedElsewhere", func(t *testing.T) {
		// C's lobby lists A's table, with its instance.
		onC.answer(onC.send("lobby.subscribe", nil))
		onC.next(func(f frame) bool {
			return f.Type == "lobby.rooms" && strings.Contains(string(f.Data), `"room":"roulette:main"`) &&
				strings.Contains(string(f.Data), `"instance":"a"`)
		})
		if f := onB.answer(onB.send("room.join", map[string]any{"room": room})); f.Type != "room.joined" {
			t.Fatalf("join on B: %s %s", f.Type, f.Data)
		}
		onB.expect("room.state")
		if f := onC.answer(onC.send("room.watch", map[string]any{"room": room})); f.Type != "room.joined" {
			t.Fatalf("watch on C: %s %s", f.Type, f.Data)
		}
		onC.expect("room.state")
		f := placeBets(onB, room, []map[string]any{{"kind": "red", "amount": 10}})
		if f.Type != "table.accepted" {
			t.Fatalf("bet on B: %s %s", f.Type, f.Data)
		}
		// The spectator on C sees the bettor's round to its end; chat
		// crosses instances both ways.
		onC.next(func(f frame) bool {
			return f.Type == "room.event" && strings.Contains(string(f.Data), `"kind":"round_end"`)
		})
		onC.send("chat.send", map[string]any{"room": room, "text": "nice spin"})
		onB.next(func(f frame) bool { return f.Type == "chat.message" && strings.Contains(string(f.Data), "nice spin") })
		eventually(t, "the bettor's coins match the ledger", func() bool {
			sum, _ := b.ledgerSum(player)
			return sum == b.coins(player)
		})
	})

	t.Run("WatchSlotsElsewhere", func(t *testing.T) {
		// The spinner plays on A; the railbird on C watches the reels.
		onA := a.dial(spinner)
		onA.expect("welcome")
		onA.answer(onA.send("slots.spin", map[string]any{"machine": "cherry-charm", "bet": 5}))
		eventually(t, "C lists the spinner's machine", func() bool {
			for _, i := range c.srv.hub.Rooms() {
				if i.Room == "slots:cherry-charm:spinner" && i.Instance == "a" {
					return true
				}
			}
			return false
		})
		if f := onC.answer(onC.send("room.watch", map[string]any{"room": "slots:cherry-charm:spinner"})); f.Type != "room.joined" {
			t.Fatalf("watch the spinner's machine from C: %s %s", f.Type, f.Data)
		}
		f := onA.answer(onA.send("slots.spin", map[string]any{"machine": "cherry-charm", "bet": 5}))
		r := decode[spinResult](t, f.Data)
		onC.next(func(f frame) bool {
			return f.Type == "room.event" && f.Room == "slots:cherry-charm:spinner" && strings.Contains(string(f.Data), r.RoundID)
		})
		if f := onC.answer(onC.send("room.leave", map[string]any{"room": "slots:cherry-charm:spinner"})); f.Type != "room.left" {
			t.Fatalf("leave: %s %s", f.Type, f.Data)
		}
	})

	t.Run("OwnerDiesMidRound", func(t *testing.T) {
		before := b.coins(player)
		f := placeBets(onB, room, []map[string]any{{"kind": "black", "amount": 25}})
		if f.Type != "table.accepted" {
			t.Fatalf("bet: %s %s", f.Type, f.Data)
		}
		// A dies with the stake in play: no drain, no voiding, its lease
		// left to expire.
		a.srv.hub.Halt()
		a.http.CloseClientConnections()
		// The table reopens under B or C; the bettor and the spectator,
		// on the surviving instances, are put back in.
		onB.all(
			func(f frame) bool { return f.Type == "room.joined" && f.Room == room },
			func(f frame) bool {
				return f.Type == "balance" && strings.Contains(string(f.Data), fmt.Sprintf(`"coins":%d`, before))
			})
		onC.next(func(f frame) bool { return f.Type == "room.joined" && f.Room == room })
		if got := b.coins(player); got != before {
			t.Fatalf("after the takeover the bettor has %d, want %d (the stake refunded)", got, before)
		}
		// Play goes on at the new owner.
		f = placeBets(onB, room, []map[string]any{{"kind": "even", "amount": 7}})
		if f.Type != "table.accepted" {
			t.Fatalf("bet after the takeover: %s %s", f.Type, f.Data)
		}
		onC.next(func(f frame) bool {
			return f.Type == "room.event" && strings.Contains(string(f.Data), `"kind":"round_end"`)
		})
		var owner string
		for _, i := range c.srv.hub.Rooms() {
			if i.Room == room {
				owner = i.Instance
			}
		}
		if owner != "b" && owner != "c" {
			t.Fatalf("roulette:main runs on %q after A died", owner)
		}
		for _, acc := range []account{spinner, player, spec} {
			eventually(t, acc.Username+"'s coins match the ledger", func() bool {
				sum, _ := b.ledgerSum(acc)
				return sum == b.coins(acc)
			})
		}
		b.checkLedger()
		open, err := b.store.OpenRounds(context.Background(), "roulette:main")
		if err != nil || len(open) > 1 {
			t.Fatalf("open rounds after the takeover: %v %v", open, err)
		}
	})
}

// TestRedisLost: Redis goes away under B. Spins on B go on, /readyz says
// Redis is down, B's lobby hears B's own big wins; when Redis returns,
// fan-out between instances resumes without a restart.
func TestRedisLost(t *testing.T) {
	cl := newCluster(t)
	proxy := storetest.NewProxy(t, storetest.RedisAddr(t))
	a := cl.start("a", storetest.RedisAddr(t))
	b := cl.start("b", proxy.Addr())
	spinner := b.signup("lucky")
	other := a.signup("faraway")
	lobby := b.dial(spinner)
	lobby.expect("welcome")
	lobby.answer(lobby.send("lobby.subscribe", nil))
	c := b.dial(spinner)
	c.expect("welcome")
	spinUntilWin := func(c *client) spinResult {
		t.Helper()
		for range 300 {
			f := c.answer(c.send("slots.spin", map[string]any{"machine": "cherry-charm", "bet": 5}))
			if f.Type != "slots.result" {
				t.Fatalf("spin: %s %s", f.Type, f.Data)
			}
			if r := decode[spinResult](t, f.Data); r.Win >= 5 {
				return r
			}
		}
		t.Fatal("no win in 300 spins")
		return spinResult{}
	}
	readyz := func(e *testEnv) (int, string) {
		var out struct {
			Redis string `json:"redis"`
		}
		code := e.do("GET", "/readyz", "", nil, &out)
		return code, out.Redis
	}
	if code, redis := readyz(b); code != http.StatusOK || redis != "ok" {
		t.Fatalf("/readyz with Redis up: %d %q", code, redis)
	}

	proxy.Cut()
	w := spinUntilWin(c)
	lobby.next(func(f frame) bool { return f.Type == "bigwin" && strings.Contains(string(f.Data), w.RoundID) })
	code, redis := readyz(b)
	if code != http.StatusOK || redis == "ok" {
		t.Fatalf("/readyz with Redis cut: %d %q; want 200 (the database is up) and redis not ok", code, redis)
	}
	if sum, _ := b.ledgerSum(spinner); sum != b.coins(spinner) {
		t.Fatalf("ledger %d, coins %d", sum, b.coins(spinner))
	}

	proxy.Restore()
	eventually(t, "/readyz sees Redis again", func() bool {
		code, redis := readyz(b)
		return code == http.StatusOK && redis == "ok"
	})
	// A big win on A reaches B's lobby again: fan-out recovered.
	onA := a.dial(other)
	onA.expect("welcome")
	var got bool
	for i := 0; i < 20 && !got; i++ {
		w := spinUntilWin(onA)
		got = waitFrame(lobby, 2*time.Second, func(f frame) bool {
			return f.Type == "bigwin" && strings.Contains(string(f.Data), w.RoundID)
		})
	}
	if !got {
		t.Fatal("big wins on A never reached B after Redis returned")
	}
	b.checkLedger()
}

// placeBets bets at a roulette table as a client does: it waits out the
// spin when betting is closed, and tries again when the table is changing
// hands (unavailable: nothing was charged) — on a starved machine an owner
// can miss its lease renewal and see its table taken over.
func placeBets(c *client, room string, bets []map[string]any) frame {
	c.t.Helper()
	for range 100 {
		f := c.answer(c.send("table.bet", map[string]any{"room": room, "bets": bets}))
		if f.code() != "betting_closed" && f.code() != "unavailable" {
			return f
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatal("betting stayed closed")
	return frame{}
}

// all waits until a frame matching each of oks has arrived, in any order.
func (c *client) all(oks ...func(frame) bool) {
	c.t.Helper()
	left := append([]func(frame) bool(nil), oks...)
	for len(left) > 0 {
		c.next(func(f frame) bool {
			for i, ok := range left {
				if ok(f) {
					left = append(left[:i], left[i+1:]...)
					return true
				}
			}
			return false
		})
	}
}

// waitFrame reports whether a frame matching ok arrives within d.
func waitFrame(c *client, d time.Duration, ok func(frame) bool) bool {
	timeout := time.After(d)
	for {
		select {
		case f, open := <-c.in:
			if !open {
				return false
			}
			if ok(f) {
				return true
			}
		case <-timeout:
			return false
		}
	}
}
