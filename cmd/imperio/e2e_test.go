package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"

	"github.com/imperio-casino/imperio/auth"
	"github.com/imperio-casino/imperio/config"
	"github.com/imperio-casino/imperio/hub"
	"github.com/imperio-casino/imperio/store"
	"github.com/imperio-casino/imperio/store/storetest"
)

// testEnv is one server over a real store, reached over real HTTP and
// WebSocket connections.
type testEnv struct {
	t     *testing.T
	cfg   config.Config
	store *store.Store
	srv   *server
	http  *httptest.Server
}

func newTestEnv(t *testing.T, st *store.Store, tweak func(*config.Config), tune ...func(*hub.Options)) *testEnv {
	t.Helper()
	cfg, err := config.Load(nil, func(k string) string {
		switch k {
		case "IMPERIO_JWT_SECRET":
			return "test-secret-test-secret-test-secret!"
		case "IMPERIO_MESSAGE_RATE":
			return "1000"
		case "IMPERIO_MESSAGE_BURST":
			return "1000"
		}
		return ""
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		tweak(&cfg)
	}
	srv, err := wire(cfg, st, slogFor(t), tune...)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.handler)
	e := &testEnv{t: t, cfg: cfg, store: st, srv: srv, http: hs}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.hub.Shutdown(ctx); err != nil {
			t.Errorf("hub shutdown: %v", err)
		}
		hs.Close()
		if srv.bus != nil {
			srv.bus.Close()
			srv.redis.Close()
		}
	})
	return e
}

// slogFor logs warnings and errors to the test's output.
func slogFor(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// do sends a JSON request and decodes the JSON answer into out.
func (e *testEnv) do(method, path, token string, body any, out any) int {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.http.URL+path, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			e.t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return res.StatusCode
}

type account struct {
	ID       int64
	Username string
	Token    string
}

func (e *testEnv) signup(name string) account {
	e.t.Helper()
	var out struct {
		User struct {
			ID       int64  `json:"id"`
			Username string `json:"username"`
		} `json:"user"`
		Token string `json:"token"`
	}
	if code := e.do("POST", "/api/auth/signup", "", map[string]string{
		"username": name, "email": name + "@example.com", "password": "correct horse",
	}, &out); code != http.StatusCreated {
		e.t.Fatalf("signup %s: status %d", name, code)
	}
	return account{ID: out.User.ID, Username: out.User.Username, Token: out.Token}
}

// frame is a server frame as a client sees it.
type frame struct {
	Type string          `json:"type"`
	Re   string          `json:"re"`
	Room string          `json:"room"`
	Data json.RawMessage `json:"data"`
}

func (f frame) code() string {
	var d struct {
		Code string `json:"code"`
	}
	json.Unmarshal(f.Data, &d)
	return d.Code
}

type client struct {
	t    *testing.T
	c    *websocket.Conn
	in   chan frame
	seq  int
	done chan struct{}
	err  error
}

func (e *testEnv) dial(a account) *client {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.http.URL, "http")+"/ws", &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + a.Token}},
	})
	if err != nil {
		e.t.Fatalf("dial as %s: %v", a.Username, err)
	}
	cl := &client{t: e.t, c: c, in: make(chan frame, 4096), done: make(chan struct{})}
	go func() {
		defer close(cl.done)
		defer close(cl.in)
		for {
			_, b, err := c.Read(context.Background())
			if err != nil {
				cl.err = err
				return
			}
			var f frame
			if err := json.Unmarshal(b, &f); err != nil {
				e.t.Errorf("server sent bad JSON %q: %v", b, err)
				return
			}
			cl.in <- f
		}
	}()
	e.t.Cleanup(func() { c.Close(websocket.StatusNormalClosure, "") })
	return cl
}

// send writes a frame with a fresh id and returns the id.
func (c *client) send(typ string, data any) string {
	c.t.Helper()
	c.seq++
	id := strconv.Itoa(c.seq)
	b, _ := json.Marshal(map[string]any{"type": typ, "id": id, "data": data})
	c.raw(b)
	return id
}

func (c *client) raw(b []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.c.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// next returns the next frame matching ok, skipping others.
func (c *client) next(ok func(frame) bool) frame {
	c.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case f, open := <-c.in:
			if !open {
				c.t.Fatalf("socket closed while waiting: %v", c.err)
			}
			if ok(f) {
				return f
			}
		case <-timeout:
			c.t.Fatal("timed out waiting for a frame")
		}
	}
}

func (c *client) expect(typ string) frame {
	c.t.Helper()
	return c.next(func(f frame) bool { return f.Type == typ })
}

// answer waits for the frame answering request id.
func (c *client) answer(id string) frame {
	c.t.Helper()
	return c.next(func(f frame) bool { return f.Re == id })
}

type spinResult struct {
	Machine string `json:"machine"`
	Bet     int64  `json:"bet"`
	Win     int64  `json:"win"`
	Coins   int64  `json:"coins"`
	RoundID string `json:"round_id"`
	Reels   [][]string
	Wins    []struct {
		Line   int    `json:"line"`
		Symbol string `json:"symbol"`
		Count  int    `json:"count"`
		Amount int64  `json:"amount"`
	} `json:"wins"`
	Replayed bool `json:"replayed"`
}

func decode[T any](t *testing.T, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

// ledgerSum reads the whole ledger through the API, page by page.
func (e *testEnv) ledgerSum(a account) (sum int64, rows int) {
	e.t.Helper()
	before := ""
	for {
		var page struct {
			Transactions []struct {
				ID     int64 `json:"id"`
				Amount int64 `json:"amount"`
			} `json:"transactions"`
			Next *string `json:"next"`
		}
		path := "/api/transactions?limit=37"
		if before != "" {
			path += "&before=" + before
		}
		if code := e.do("GET", path, a.Token, nil, &page); code != 200 {
			e.t.Fatalf("transactions: %d", code)
		}
		for _, tx := range page.Transactions {
			sum += tx.Amount
			rows++
		}
		if page.Next == nil {
			return sum, rows
		}
		before = *page.Next
	}
}

func (e *testEnv) coins(a account) int64 {
	e.t.Helper()
	var me struct {
		Coins int64 `json:"coins"`
	}
	if code := e.do("GET", "/api/me", a.Token, nil, &me); code != 200 {
		e.t.Fatalf("/api/me: %d", code)
	}
	return me.Coins
}

func (e *testEnv) checkLedger() {
	e.t.Helper()
	bad, err := e.store.CheckLedger(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	for _, v := range bad {
		e.t.Errorf("ledger violation: %s", v)
	}
}

func TestEndToEnd(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			st := b.Open(t)
			t.Run("HundredSpins", func(t *testing.T) { testHundredSpins(t, newTestEnv(t, st, nil)) })
			t.Run("ConcurrentSockets", func(t *testing.T) { testConcurrentSockets(t, newTestEnv(t, st, nil)) })
			t.Run("BadInput", func(t *testing.T) { testBadInput(t, newTestEnv(t, st, nil)) })
			t.Run("IdempotentSpin", func(t *testing.T) { testIdempotentSpin(t, newTestEnv(t, st, nil)) })
			t.Run("SpectatorAndBigWin", func(t *testing.T) {
				testSpectatorAndBigWin(t, newTestEnv(t, st, func(c *config.Config) { c.BigWinMultiplier = 1 }))
			})
			t.Run("History", func(t *testing.T) { testHistory(t, newTestEnv(t, st, nil)) })
		})
	}
}

func testHundredSpins(t *testing.T, e *testEnv) {
	a := e.signup("hundred_" + e.store.Backend())
	c := e.dial(a)
	w := decode[struct {
		Coins    int64 `json:"coins"`
		Protocol int   `json:"protocol"`
		User     struct {
			Username string `json:"username"`
		} `json:"user"`
	}](t, c.expect("welcome").Data)
	if w.Coins != e.cfg.SignupGrant || w.Protocol != 1 || w.User.Username != a.Username {
		t.Fatalf("welcome = %+v", w)
	}
	var last spinResult
	for i := 0; i < 100; i++ {
		id := c.send("slots.spin", map[string]any{"machine": "cherry-charm", "bet": 5})
		f := c.answer(id)
		if f.Type != "slots.result" {
			t.Fatalf("spin %d: %s %s", i, f.Type, f.Data)
		}
		r := decode[spinResult](t, f.Data)
		if r.Bet != 5 || r.Machine != "cherry-charm" || r.RoundID == "" || len(r.Reels) != 3 {
			t.Fatalf("spin %d: %+v", i, r)
		}
		var sum int64
		for _, w := range r.Wins {
			sum += w.Amount
		}
		if sum > r.Win {
			t.Fatalf("spin %d: line wins %d exceed the win %d", i, sum, r.Win)
		}
		if i > 0 && r.Coins != last.Coins-5+r.Win {
			t.Fatalf("spin %d: coins %d, want %d - 5 + %d", i, r.Coins, last.Coins, r.Win)
		}
		last = r
	}
	if got := e.coins(a); got != last.Coins {
		t.Fatalf("/api/me coins %d, last result %d", got, last.Coins)
	}
	sum, rows := e.ledgerSum(a)
	if sum != last.Coins {
		t.Fatalf("ledger sum %d, balance %d", sum, last.Coins)
	}
	if rows < 101 {
		t.Fatalf("ledger has %d rows, want at least 101 (grant + 100 bets)", rows)
	}
	e.checkLedger()
}

func testConcurrentSockets(t *testing.T, e *testEnv) {
	a := e.signup("eight_" + e.store.Backend())
	machines := []struct {
		id  string
		bet int64
	}{{"cherry-charm", 50}, {"pharaohs-gold", 100}, {"neon-nights", 50}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	refusals, results := 0, 0
	for i := 0; i < 8; i++ {
		c := e.dial(a)
		c.expect("welcome")
		m := machines[i%len(machines)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			broke := 0
			for n := 0; n < 60 && broke < 3; n++ {
				id := c.send("slots.spin", map[string]any{"machine": m.id, "bet": m.bet})
				f := c.answer(id)
				mu.Lock()
				switch f.Type {
				case "slots.result":
					results++
					if r := decode[spinResult](t, f.Data); r.Coins < 0 {
						t.Errorf("negative balance %d", r.Coins)
					}
				case "error":
					refusals++
					broke++
					if f.code() != "insufficient_funds" {
						t.Errorf("refusal %s: %s", f.code(), f.Data)
					}
				default:
					t.Errorf("unexpected %s", f.Type)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.Logf("%d spins settled, %d refused", results, refusals)
	if results == 0 {
		t.Fatal("no spin settled")
	}
	coins := e.coins(a)
	if coins < 0 {
		t.Fatalf("negative balance %d", coins)
	}
	if sum, _ := e.ledgerSum(a); sum != coins {
		t.Fatalf("ledger sum %d, balance %d", sum, coins)
	}
	e.checkLedger()
}

func testBadInput(t *testing.T, e *testEnv) {
	a := e.signup("bad_" + e.store.Backend())
	e.signup("other_" + e.store.Backend())
	c := e.dial(a)
	c.expect("welcome")
	cases := []struct {
		name string
		raw  string
		code string
	}{
		{"NotJSON", `hello`, "invalid_input"},
		{"NotAnObject", `[1,2]`, "invalid_input"},
		{"NoType", `{"id":"x1","data":{}}`, "invalid_input"},
		{"UnknownType", `{"type":"slots.cheat","id":"x1"}`, "invalid_input"},
		{"UnknownMachine", `{"type":"slots.spin","id":"x1","data":{"machine":"nope","bet":5}}`, "not_found"},
		{"BetZero", `{"type":"slots.spin","id":"x1","data":{"machine":"cherry-charm","bet":0}}`, "bet_out_of_range"},
		{"BetNegative", `{"type":"slots.spin","id":"x1","data":{"machine":"cherry-charm","bet":-5}}`, "bet_out_of_range"},
		{"BetTooHigh", `{"type":"slots.spin","id":"x1","data":{"machine":"cherry-charm","bet":100000}}`, "bet_out_of_range"},
		{"BetOffStep", `{"type":"slots.spin","id":"x1","data":{"machine":"cherry-charm","bet":7}}`, "invalid_input"},
		{"BetString", `{"type":"slots.spin","id":"x1","data":{"machine":"cherry-charm","bet":"5"}}`, "invalid_input"},
		{"BetFloat", `{"type":"slots.spin","id":"x1","data":{"machine":"cherry-charm","bet":5.5}}`, "invalid_input"},
		{"UnknownField", `{"type":"slots.spin","id":"x1","data":{"machine":"cherry-charm","bet":5,"win":1000}}`, "invalid_input"},
		{"BadKey", `{"type":"slots.spin","id":"x1","data":{"machine":"cherry-charm","bet":5,"key":"a b"}}`, "invalid_input"},
		{"InsufficientFunds", `{"type":"slots.spin","id":"x1","data":{"machine":"pharaohs-gold","bet":2000}}`, "insufficient_funds"},
		{"RoomNoName", `{"type":"room.join","id":"x1","data":{}}`, "invalid_input"},
		{"RoomBadName", `{"type":"room.join","id":"x1","data":{"room":"lobby"}}`, "invalid_input"},
		{"RoomUnknownGame", `{"type":"room.join","id":"x1","data":{"room":"poker:1"}}`, "not_found"},
		{"JoinOthersMachine", `{"type":"room.join","id":"x1","data":{"room":"slots:cherry-charm:other_` + e.store.Backend() + `"}}`, "forbidden"},
		{"WatchOffline", `{"type":"room.watch","id":"x1","data":{"room":"slots:cherry-charm:nobody"}}`, "not_found"},
		{"LeaveNotIn", `{"type":"room.leave","id":"x1","data":{"room":"slots:cherry-charm"}}`, "not_found"},
		{"ChatOutside", `{"type":"chat.send","id":"x1","data":{"room":"slots:cherry-charm:x","text":"hi"}}`, "forbidden"},
		{"BetNoRoom", `{"type":"table.bet","id":"x1","data":{"amount":10}}`, "invalid_input"},
		{"BetUnknownRoom", `{"type":"table.bet","id":"x1","room":"blackjack:9","data":{"amount":10}}`, "not_found"},
		{"LongID", `{"type":"ping","id":"` + strings.Repeat("x", 100) + `"}`, "invalid_input"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			c.raw([]byte(tc.raw))
			f := c.expect("error")
			if f.code() != tc.code {
				t.Fatalf("code %q, want %q (%s)", f.code(), tc.code, f.Data)
			}
			if tc.name != "NotJSON" && tc.name != "NotAnObject" && tc.name != "LongID" && f.Re != "x1" {
				t.Fatalf("error answers %q, want x1", f.Re)
			}
		})
	}
	c.t = t
	// Chat in a room one is in: empty and control text are refused.
	id := c.send("room.join", map[string]any{"room": "slots:cherry-charm"})
	if f := c.answer(id); f.Type != "room.joined" {
		t.Fatalf("join own machine: %s %s", f.Type, f.Data)
	}
	room := "slots:cherry-charm:" + a.Username
	for text, code := range map[string]string{"   ": "invalid_input", "a\x00b": "invalid_input", strings.Repeat("é", 301): "invalid_input"} {
		id := c.send("chat.send", map[string]any{"room": room, "text": text})
		if f := c.answer(id); f.code() != code {
			t.Fatalf("chat %q: %s %s", text, f.Type, f.Data)
		}
	}
	c.send("chat.send", map[string]any{"room": room, "text": "hello"})
	if f := c.expect("chat.message"); !strings.Contains(string(f.Data), `"text":"hello"`) {
		t.Fatalf("chat: %s", f.Data)
	}
	// Chat has its own limit: a burst of 5 lines, then one a second.
	for i := 0; i < 8; i++ {
		c.send("chat.send", map[string]any{"room": room, "text": "spam"})
	}
	if f := c.expect("error"); f.code() != "rate_limited" {
		t.Fatalf("8 chat lines at once: %s", f.Data)
	}
	// After all that the socket still works and nothing was charged.
	id = c.send("ping", nil)
	if f := c.answer(id); f.Type != "pong" {
		t.Fatalf("ping: %s", f.Type)
	}
	if got := e.coins(a); got != e.cfg.SignupGrant {
		t.Fatalf("coins %d after refused input, want %d", got, e.cfg.SignupGrant)
	}
	e.checkLedger()
}

func testIdempotentSpin(t *testing.T, e *testEnv) {
	a := e.signup("idem_" + e.store.Backend())
	c := e.dial(a)
	c.expect("welcome")
	spin := map[string]any{"machine": "neon-nights", "bet": 20, "key": "retry-me-1"}
	first := decode[spinResult](t, c.answer(c.send("slots.spin", spin)).Data)
	second := decode[spinResult](t, c.answer(c.send("slots.spin", spin)).Data)
	if first.Replayed || !second.Replayed {
		t.Fatalf("replayed flags: first %v, second %v", first.Replayed, second.Replayed)
	}
	if second.RoundID != first.RoundID || second.Win != first.Win || second.Coins != first.Coins {
		t.Fatalf("retry differs: %+v vs %+v", first, second)
	}
	if fmt.Sprint(second.Reels) != fmt.Sprint(first.Reels) {
		t.Fatalf("retry shows other reels: %v vs %v", second.Reels, first.Reels)
	}
	if got := e.coins(a); got != first.Coins {
		t.Fatalf("coins %d, want %d", got, first.Coins)
	}
	e.checkLedger()
}

func testSpectatorAndBigWin(t *testing.T, e *testEnv) {
	alice := e.signup("alice_" + e.store.Backend())
	bob := e.signup("bob_" + e.store.Backend())
	ac := e.dial(alice)
	ac.expect("welcome")
	bc := e.dial(bob)
	bc.expect("welcome")
	bc.send("lobby.subscribe", nil)
	if f := bc.expect("lobby.machines"); !strings.Contains(string(f.Data), "cherry-charm") {
		t.Fatalf("machines: %s", f.Data)
	}
	bc.expect("lobby.rooms")

	room := "slots:cherry-charm:" + strings.ToUpper(alice.Username) // any case finds it
	id := bc.send("room.watch", map[string]any{"room": room})
	joined := bc.answer(id)
	if joined.Type != "room.joined" || !strings.Contains(string(joined.Data), `"role":"spectator"`) {
		t.Fatalf("watch: %s %s", joined.Type, joined.Data)
	}
	bc.expect("room.state")
	// Bob sees the room in the lobby, with one spectator.
	bc.next(func(f frame) bool {
		return f.Type == "lobby.rooms" && strings.Contains(string(f.Data), `"spectators":1`)
	})

	// Alice spins until a win of at least 1x the bet (the big-win threshold here).
	var won spinResult
	for i := 0; i < 200 && won.RoundID == ""; i++ {
		r := decode[spinResult](t, ac.answer(ac.send("slots.spin", map[string]any{"machine": "cherry-charm", "bet": 5})).Data)
		ev := decode[struct {
			Kind    string `json:"kind"`
			Player  string `json:"player"`
			RoundID string `json:"round_id"`
			Win     int64  `json:"win"`
		}](t, bc.expect("room.event").Data)
		if ev.Kind != "spin" || ev.Player != alice.Username || ev.RoundID != r.RoundID || ev.Win != r.Win {
			t.Fatalf("spectator saw %+v for %+v", ev, r)
		}
		if r.Win >= r.Bet {
			won = r
		}
	}
	if won.RoundID == "" {
		t.Fatal("no win in 200 spins")
	}
	bw := decode[struct {
		Username string `json:"username"`
		Amount   int64  `json:"amount"`
		RoundID  string `json:"round_id"`
	}](t, bc.next(func(f frame) bool {
		return f.Type == "bigwin" && strings.Contains(string(f.Data), won.RoundID)
	}).Data)
	if bw.Username != alice.Username || bw.Amount != won.Win {
		t.Fatalf("bigwin %+v for %+v", bw, won)
	}
	// Spectators cannot spin someone else's machine or join as player.
	id = bc.send("room.join", map[string]any{"room": room})
	if f := bc.answer(id); f.code() != "forbidden" {
		t.Fatalf("bob joined alice's machine: %s %s", f.Type, f.Data)
	}
	id = bc.send("room.leave", map[string]any{"room": "slots:cherry-charm:" + alice.Username})
	if f := bc.answer(id); f.Type != "room.left" {
		t.Fatalf("leave: %s %s", f.Type, f.Data)
	}
}

func testHistory(t *testing.T, e *testEnv) {
	a := e.signup("hist_" + e.store.Backend())
	other := e.signup("nosy_" + e.store.Backend())
	c := e.dial(a)
	c.expect("welcome")
	r := decode[spinResult](t, c.answer(c.send("slots.spin", map[string]any{"machine": "pharaohs-gold", "bet": 40})).Data)

	var round struct {
		ID      string `json:"id"`
		Game    string `json:"game"`
		Status  string `json:"status"`
		Outcome struct {
			Machine string     `json:"machine"`
			Bet     int64      `json:"bet"`
			Reels   [][]string `json:"reels"`
			Win     int64      `json:"win"`
		} `json:"outcome"`
		Players []struct {
			Username string `json:"username"`
			Wagered  int64  `json:"wagered"`
			Won      int64  `json:"won"`
		} `json:"players"`
	}
	if code := e.do("GET", "/api/rounds/"+r.RoundID, a.Token, nil, &round); code != 200 {
		t.Fatalf("recall: %d", code)
	}
	if round.ID != r.RoundID || round.Game != "slots" || round.Status != "settled" || round.Outcome.Machine != "pharaohs-gold" ||
		round.Outcome.Win != r.Win || fmt.Sprint(round.Outcome.Reels) != fmt.Sprint(r.Reels) ||
		len(round.Players) != 1 || round.Players[0].Wagered != 40 || round.Players[0].Won != r.Win {
		t.Fatalf("recall %+v for %+v", round, r)
	}
	var errBody struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if code := e.do("GET", "/api/rounds/"+r.RoundID, other.Token, nil, &errBody); code != 404 || errBody.Error.Code != "not_found" {
		t.Fatalf("another player's round: %d %+v", code, errBody)
	}
	if code := e.do("GET", "/api/transactions?limit=0", a.Token, nil, &errBody); code != 400 || errBody.Error.Code != "invalid_input" {
		t.Fatalf("limit=0: %d %+v", code, errBody)
	}
	var stats struct {
		Rounds  int64 `json:"rounds"`
		Wagered int64 `json:"wagered"`
		Won     int64 `json:"won"`
		Net     int64 `json:"net"`
		Games   []struct {
			Game   string `json:"game"`
			Rounds int64  `json:"rounds"`
		} `json:"games"`
	}
	if code := e.do("GET", "/api/stats", a.Token, nil, &stats); code != 200 {
		t.Fatalf("stats: %d", code)
	}
	if stats.Rounds != 1 || stats.Wagered != 40 || stats.Won != r.Win || stats.Net != r.Win-40 ||
		len(stats.Games) != 1 || stats.Games[0].Game != "slots" {
		t.Fatalf("stats %+v", stats)
	}
}

// TestSocketAuth: /ws needs a valid token; forged ones and foreign origins
// are refused before any frame is exchanged.
func TestSocketAuth(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newTestEnv(t, st, nil)
	a := e.signup("gatekeeper")
	secret := e.cfg.JWTSecret
	sign := func(method jwt.SigningMethod, key any, claims jwt.MapClaims, kid string) string {
		tok := jwt.NewWithClaims(method, claims)
		tok.Header["kid"] = kid
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	now := time.Now()
	claims := func(exp time.Time) jwt.MapClaims {
		return jwt.MapClaims{"sub": strconv.FormatInt(a.ID, 10), "name": a.Username, "jti": "abc", "iat": now.Unix(), "exp": exp.Unix()}
	}
	kid := auth.KeyID(secret)
	valid := sign(jwt.SigningMethodHS256, secret, claims(now.Add(time.Hour)), kid)
	cases := []struct {
		name   string
		header http.Header
		status int
	}{
		{"NoToken", http.Header{}, 401},
		{"Garbage", http.Header{"Authorization": {"Bearer nope"}}, 401},
		{"AlgNone", http.Header{"Authorization": {"Bearer " + sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(now.Add(time.Hour)), kid)}}, 401},
		{"WrongKey", http.Header{"Authorization": {"Bearer " + sign(jwt.SigningMethodHS256, []byte("another-secret-another-secret-12"), claims(now.Add(time.Hour)), kid)}}, 401},
		{"Expired", http.Header{"Authorization": {"Bearer " + sign(jwt.SigningMethodHS256, secret, claims(now.Add(-time.Minute)), kid)}}, 401},
		{"CrossOrigin", http.Header{"Authorization": {"Bearer " + valid}, "Origin": {"https://evil.example"}}, 403},
		{"Cookie", http.Header{"Cookie": {auth.CookieName + "=" + valid}}, 101},
		{"Bearer", http.Header{"Authorization": {"Bearer " + valid}}, 101},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			c, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.http.URL, "http")+"/ws", &websocket.DialOptions{HTTPHeader: tc.header})
			if tc.status == 101 {
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				c.Close(websocket.StatusNormalClosure, "")
				return
			}
			if err == nil {
				c.Close(websocket.StatusNormalClosure, "")
				t.Fatal("upgrade accepted")
			}
			if res == nil || res.StatusCode != tc.status {
				t.Fatalf("status %v, want %d (%v)", res, tc.status, err)
			}
		})
	}
}

// TestHTTPDefences: security headers on every answer, and a state-changing
// request from a foreign page refused before it does anything.
func TestHTTPDefences(t *testing.T) {
	e := newTestEnv(t, storetest.OpenSQLite(t), func(c *config.Config) {
		c.AllowedOrigins = []string{"*.allowed.example", "https://play.example"}
	})
	res, err := http.Get(e.http.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for h, want := range map[string]string{
		"X-Frame-Options":        "DENY",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "same-origin",
	} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	post := func(origin, site string) int {
		body := strings.NewReader(`{"username":"csrf_victim","email":"v@example.com","password":"correct horse"}`)
		req, _ := http.NewRequest("POST", e.http.URL+"/api/auth/signup", body)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if site != "" {
			req.Header.Set("Sec-Fetch-Site", site)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := post("https://evil.example", ""); got != http.StatusForbidden {
		t.Errorf("foreign Origin: %d", got)
	}
	if got := post("", "cross-site"); got != http.StatusForbidden {
		t.Errorf("cross-site fetch: %d", got)
	}
	if got := post(e.http.URL, "same-origin"); got != http.StatusCreated {
		t.Errorf("same origin: %d", got)
	}
	// Allowed origins, by pattern or in full, pass the check (the account
	// exists by now, so the answer is the conflict, not a refusal).
	for _, origin := range []string{"https://app.allowed.example", "https://play.example"} {
		if got := post(origin, "cross-site"); got != http.StatusConflict {
			t.Errorf("allowed origin %s: %d", origin, got)
		}
	}
	big := strings.NewReader(`{"username":"` + strings.Repeat("x", 100<<10) + `"}`)
	res, err = http.Post(e.http.URL+"/api/auth/login", "application/json", big)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("100 KiB login body: %d", res.StatusCode)
	}
}

// TestMetrics: /metrics speaks Prometheus text and counts what happened.
func TestMetrics(t *testing.T) {
	e := newTestEnv(t, storetest.OpenSQLite(t), nil)
	a := e.signup("metered")
	c := e.dial(a)
	c.expect("welcome")
	c.answer(c.send("slots.spin", map[string]any{"machine": "cherry-charm", "bet": 5}))
	c.answer(c.send("slots.spin", map[string]any{"machine": "nope", "bet": 5}))
	c.answer(c.send("room.join", map[string]any{"room": "roulette:main"}))
	if f := c.answer(c.send("table.bet", map[string]any{"room": "roulette:main", "bets": []map[string]any{{"kind": "red", "amount": 5}}})); f.Type != "table.accepted" {
		t.Fatalf("roulette bet: %s %s", f.Type, f.Data)
	}
	// The table observes its latency after it queued the answer, so the
	// answer can arrive first: the histogram's line is awaited.
	var body string
	scrape := func() bool {
		res, err := http.Get(e.http.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		body = string(b)
		return strings.Contains(body, `imperio_table_action_seconds_count{game="roulette"} 1`)
	}
	for deadline := time.Now().Add(5 * time.Second); !scrape() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	for _, want := range []string{
		`imperio_rounds_total{game="slots"} 1`,
		`imperio_coins_bet_total{game="slots"} 5`,
		`imperio_messages_in_total{type="slots.spin"} 2`,
		`imperio_messages_out_total{type="slots.result"} 1`,
		`imperio_messages_out_total{type="welcome"} 1`,
		`imperio_errors_total{code="not_found"} 1`,
		`imperio_sockets_open 1`,
		`imperio_rooms_open{game="blackjack"} 3`,
		`imperio_spin_seconds_count 1`,
		`imperio_table_action_seconds_count{game="roulette"} 1`,
		`imperio_store_commit_seconds_count{op="settle_spin"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// TestLeaderboardRoute: the public leaderboard route answers each board,
// and a bad board or limit with invalid_input, changing nothing.
func TestLeaderboardRoute(t *testing.T) {
	e := newTestEnv(t, storetest.OpenSQLite(t), nil)
	for _, board := range []string{"", "richest", "wins_today", "net_week"} {
		var out struct {
			Board   string            `json:"board"`
			Entries []json.RawMessage `json:"entries"`
		}
		if code := e.do("GET", "/api/leaderboard?board="+board, "", nil, &out); code != http.StatusOK || out.Entries == nil {
			t.Errorf("board %q: %d %+v", board, code, out)
		}
	}
	for _, q := range []string{"board=biggest", "limit=0", "limit=101", "limit=ten"} {
		var out struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		if code := e.do("GET", "/api/leaderboard?"+q, "", nil, &out); code != http.StatusBadRequest || out.Error.Code != "invalid_input" {
			t.Errorf("%s: %d %q, want 400 invalid_input", q, code, out.Error.Code)
		}
	}
}
