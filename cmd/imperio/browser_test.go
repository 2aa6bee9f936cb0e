package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/auth"
	"github.com/imperio-casino/imperio/config"
	"github.com/imperio-casino/imperio/games/blackjack"
	"github.com/imperio-casino/imperio/games/crash"
	"github.com/imperio-casino/imperio/games/fair"
	"github.com/imperio-casino/imperio/games/roulette"
	"github.com/imperio-casino/imperio/hub"
	"github.com/imperio-casino/imperio/store/storetest"
)

// chromiumPath is Debian's Chromium, which the browser tests drive headless.
const chromiumPath = "/usr/bin/chromium"

// bjShoe stacks the first blackjack shoe. Round 1: seat 1 gets T♥ 6♣ (16)
// and hits a 5 to 21, seat 2 T♣ 7♦ (17) and stands, the dealer shows A♠
// (insurance is offered) over 9♦ and stands on 20. Round 2, seats 1, 2 and
// 5: seat 1 splits 8♠ 8♦ and stands on 18 (T♣) and 17 (9♥), seats 2 and 5
// stand on 19, the dealer turns 6♦ T♥ and busts with 7♣.
var bjShoe = []string{"TH", "TC", "AS", "6C", "7D", "9D", "5S",
	"8S", "TD", "TS", "6D", "8D", "9C", "9S", "TH", "TC", "9H", "7C",
	"2C", "3C", "4C", "5C"}

// TestBrowser drives the embedded client in headless Chromium against a real
// server: sign up and spin, read the history and verify a round, a
// blackjack round played by two players through the buttons while a third
// watches, bets of every kind on the roulette board, and a crash cash-out.
// Every page must stay free of script errors, and every balance shown must
// be the server's and equal its ledger.
func TestBrowser(t *testing.T) {
	needChromium(t)
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "imperio.db")
	// Every win that returns its bet is a "big win", so the ticker has some.
	e := newTestEnv(t, storetest.Open(t, dbURL), func(c *config.Config) { c.BigWinMultiplier = 1 }, func(o *hub.Options) {
		br := blackjack.DefaultRules()
		br.BetTime, br.InsuranceTime, br.TurnTime, br.PauseTime = 20*time.Second, 20*time.Second, 20*time.Second, 500*time.Millisecond
		o.TableRules = br
		o.NewTable = func(r blackjack.Rules, now time.Time) (*blackjack.Table, error) {
			return blackjack.NewTableWithShoe(r, fair.NewSeeded(7), bjShoe, now)
		}
		rr := roulette.DefaultRules()
		rr.BetTime, rr.SpinTime, rr.PauseTime = 1500*time.Millisecond, 600*time.Millisecond, 800*time.Millisecond
		o.RouletteRules = rr
		cr := crash.DefaultRules()
		cr.BetTime, cr.PauseTime = 3*time.Second, 500*time.Millisecond
		o.CrashRules = cr
		o.NewCrash = func(r crash.Rules, now time.Time) (*crash.Table, error) {
			return crash.NewTableWithCrashPoints(r, crash.NewChain([]byte("browser test chain"), 10), []int64{135}, now)
		}
	})
	b := startBrowser(t, e)

	// Each subtest reports through its own t.
	sub := func(t *testing.T) *testEnv { se := *e; se.t = t; return &se }
	t.Run("SlotsHistoryFairness", func(t *testing.T) { testBrowserSlots(t, sub(t), b) })
	t.Run("Blackjack", func(t *testing.T) { testBrowserBlackjack(t, sub(t), b) })
	t.Run("Roulette", func(t *testing.T) { testBrowserRoulette(t, sub(t), b) })
	t.Run("Crash", func(t *testing.T) { testBrowserCrash(t, sub(t), b) })
	t.Run("ResponsiblePlay", func(t *testing.T) { testBrowserLimits(t, sub(t), b) })
	t.Run("Admin", func(t *testing.T) { testBrowserAdmin(t, sub(t), b, dbURL) })
	e.checkLedger()
}

// needChromium skips the test without Chromium, or fails it when the
// services are required.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		msg := fmt.Sprintf("%s not found (apt-get install -y chromium)", chromiumPath)
		if os.Getenv("IMPERIO_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatalf("%s (IMPERIO_TEST_REQUIRE_SERVICES=1)", msg)
		}
		t.Skipf("!!! SKIPPING the browser tests: %s; set IMPERIO_TEST_REQUIRE_SERVICES=1 to make this fail", msg)
	}
}

// TestBrowserSessionRenewal: a player with two tabs open outlives their
// access token, twice. Both tabs find it expired at the same moment; they
// renew the session one after the other with the refresh token they share,
// so neither replays a used one (which would end the session), and both
// carry on: the history loads in each, with no login screen.
func TestBrowserSessionRenewal(t *testing.T) {
	needChromium(t)
	const ttl = 2 * time.Second
	e := newTestEnv(t, storetest.Open(t, "sqlite:"+filepath.Join(t.TempDir(), "imperio.db")), func(c *config.Config) { c.TokenTTL = ttl })
	b := startBrowser(t, e)
	player := e.player("tabby")
	first := b.page(t, "first tab", 1280, 900)
	first.tolerateSocketRefusal()
	first.login(player)
	second := first.sibling("second tab")
	second.tolerateSocketRefusal()
	second.do("open", chromedp.Navigate(b.base+"/"))
	second.wait("signed in", `!document.getElementById('who').hidden && document.getElementById('username').textContent === 'tabby'`)

	tabs := []*page{first, second}
	for round := 1; round <= 2; round++ {
		for _, p := range tabs {
			p.goTo("#/lobby")
			p.wait("the lobby", `!document.getElementById('tx-rows') && !!document.querySelector('.lobby')`)
		}
		time.Sleep(ttl + 500*time.Millisecond) // the access token and its cookie expire
		// Both tabs ask at the same moment: their requests are refused
		// together, and both want to renew the session.
		at := time.Now().Add(300 * time.Millisecond).UnixMilli()
		for _, p := range tabs {
			p.do("open the history", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`setTimeout(() => { location.hash = '#/history'; }, %d - Date.now())`, at)))
		}
		for _, p := range tabs {
			p.wait(fmt.Sprintf("the history after expiry %d", round), `document.querySelectorAll('#tx-rows tr[data-kind=grant]').length === 1 && !document.getElementById('who').hidden && window.imperio.state === 'open'`)
		}
	}
}

// browser is one headless Chromium; each page is a tab in a browser context
// of its own (its own cookies).
type browser struct {
	ctx       context.Context
	base      string
	artifacts string
}

func startBrowser(t *testing.T, e *testEnv) *browser {
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true), chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser, which lives as long as ctx: no
	// deadline here.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	dir := os.Getenv("IMPERIO_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(repoRoot(t), "test-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{ctx: ctx, base: e.http.URL, artifacts: dir}
}

// repoRoot is the folder of go.mod, above the test's working directory.
func repoRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// page is one tab, with the console errors it collected.
type page struct {
	t    *testing.T
	b    *browser
	name string
	ctx  context.Context

	mu       sync.Mutex
	errs     []string
	tolerate []string // console messages expected of this tab (see tolerateSocketRefusal)
}

// tolerateSocketRefusal lets the tab log a refused socket handshake: a
// browser logs one when a socket opens just as the session cookie expires,
// before the page renews the session and reconnects.
func (p *page) tolerateSocketRefusal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tolerate = append(p.tolerate, "/ws' failed: HTTP Authentication failed")
}

func (b *browser) page(t *testing.T, name string, width, height int64) *page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	p := &page{t: t, b: b, name: name, ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatalf("%s: open tab: %v", name, err)
	}
	p.watchConsole(cancel)
	return p
}

// watchConsole collects the tab's script errors, which fail the test when it
// ends; cancel closes the tab then.
func (p *page) watchConsole(cancel context.CancelFunc) {
	console := chromedp.Console(p.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range console {
			if err != nil {
				return
			}
			if m.Type != chromedp.ConsoleError && !m.IsException() {
				continue
			}
			// Feature detection asks for routes this server may not have
			// (404), and the first /api/me of a signed-out page is a 401:
			// the browser logs those answers, they are not script errors.
			if m.Source == "network" && strings.Contains(m.URL, "/api/") {
				continue
			}
			msg := fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line)
			p.mu.Lock()
			if !slices.ContainsFunc(p.tolerate, func(s string) bool { return strings.Contains(msg, s) }) {
				p.errs = append(p.errs, msg)
			}
			p.mu.Unlock()
		}
	}()
	p.t.Cleanup(func() {
		p.checkErrors()
		cancel()
		<-done
	})
}

// sibling opens another tab in p's browser context: a player's second tab,
// with the same cookies.
func (p *page) sibling(name string) *page {
	p.t.Helper()
	ctx, cancel := chromedp.NewContext(p.ctx)
	q := &page{t: p.t, b: p.b, name: name, ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		p.t.Fatalf("%s: open tab: %v", name, err)
	}
	q.watchConsole(cancel)
	return q
}

// checkErrors fails the test for every script error the page logged.
func (p *page) checkErrors() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.errs {
		p.t.Errorf("%s: page error: %s", p.name, e)
	}
	p.errs = nil
}

// do runs actions with a deadline; a failure saves a screenshot.
func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.shot("FAILED-" + strings.ReplaceAll(what, " ", "-"))
		// What the page said, for the failure's story.
		said, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#table-status, #toasts, #conn')].map(e => e.textContent).join(' | ')`))
		p.t.Fatalf("%s: %s: %v (page: %s)", p.name, what, err, said)
	}
}

// wait polls a JavaScript condition until it holds.
func (p *page) wait(what, cond string) {
	p.t.Helper()
	cond = fmt.Sprintf("(() => { try { return !!(%s); } catch (e) { return false; } })()", cond)
	p.do("wait for "+what, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(25*time.Second)))
}

func (p *page) text(sel string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("%s: text of %s: %v", p.name, sel, err)
	}
	return strings.TrimSpace(s)
}

func (p *page) eval(expr string, out any) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](expr))
	if err != nil {
		p.t.Fatalf("%s: eval %s: %v", p.name, expr, err)
	}
	if err := json.Unmarshal(v, out); err != nil {
		p.t.Fatalf("%s: eval %s: %s: %v", p.name, expr, v, err)
	}
}

// setValue types a value into a field as a user would: input and change
// events follow.
func (p *page) setValue(sel, v string) {
	p.t.Helper()
	p.do("set "+sel, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = %q; el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); })()`, sel, v)))
}

func (p *page) click(sel string) {
	p.t.Helper()
	p.do("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// clickEnabled waits for a button to be enabled, then presses it from the
// keyboard (focus and Enter): table events move buttons about while a
// mouse click is on its way, a focused button stays focused.
func (p *page) clickEnabled(sel string) {
	p.t.Helper()
	p.wait(sel+" enabled", fmt.Sprintf(`(() => { const b = document.querySelector(%q); return b && !b.disabled && b.offsetParent !== null; })()`, sel))
	p.do("press "+sel, chromedp.Focus(chromedp.CSS(sel)), chromedp.KeyEvent("\r"))
}

func (p *page) goTo(hash string) {
	p.t.Helper()
	p.do("go to "+hash, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("location.hash = %q", hash)))
}

// shot saves a PNG of the whole page among the test artifacts.
func (p *page) shot(name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("%s: screenshot %s: %v", p.name, name, err)
		return
	}
	path := filepath.Join(p.b.artifacts, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Errorf("save %s: %v", path, err)
	}
}

// formatCoins writes coins as the client does (en-US grouping).
func formatCoins(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// coinsShown is the balance in the page's header.
func (p *page) coinsShown() int64 {
	p.t.Helper()
	s := strings.ReplaceAll(p.text("#coins"), ",", "")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		p.t.Fatalf("%s: balance %q: %v", p.name, s, err)
	}
	return n
}

// login opens the client signed out and logs in through the form.
func (p *page) login(a account) {
	p.t.Helper()
	p.do("open", chromedp.Navigate(p.b.base+"/"))
	p.do("log in", chromedp.SendKeys(chromedp.CSS("#login input[name=username]"), a.Username),
		chromedp.SendKeys(chromedp.CSS("#login input[name=password]"), "correct horse"),
		chromedp.Click(chromedp.CSS("#login button[type=submit]")))
	p.wait("signed in", `!document.getElementById('who').hidden && document.getElementById('username').textContent.length > 0`)
}

// agreesWithServer checks that the page shows the server's balance, and that
// the balance is the sum of the account's ledger.
func (p *page) agreesWithServer(e *testEnv, a account) int64 {
	p.t.Helper()
	coins := e.coins(a)
	p.wait("balance "+strconv.FormatInt(coins, 10), fmt.Sprintf(`document.getElementById('coins').textContent.replace(/,/g, '') === %q`, strconv.FormatInt(coins, 10)))
	if sum, _ := e.ledgerSum(a); sum != coins {
		p.t.Errorf("%s: balance %d but the ledger sums to %d", a.Username, coins, sum)
	}
	return coins
}

// player makes an account directly in the store (signups are rate limited
// per address, and the tests sign up once through the form).
func (e *testEnv) player(name string) account {
	e.t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	if err != nil {
		e.t.Fatal(err)
	}
	u, err := e.store.CreateUser(context.Background(), imperio.NewUser{Username: name, Email: name + "@example.com", PasswordHash: string(hash), Grant: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	return e.token(u)
}

// token signs a session token for the account with the server's key, as a
// login would, for the checks over the API and for socket clients.
func (e *testEnv) token(u imperio.User) account {
	e.t.Helper()
	tok, _, err := auth.New(auth.Config{Secret: e.cfg.JWTSecret, TokenTTL: e.cfg.TokenTTL}, e.store, nil).Issue(u)
	if err != nil {
		e.t.Fatal(err)
	}
	return account{ID: u.ID, Username: u.Username, Token: tok}
}

func testBrowserSlots(t *testing.T, e *testEnv, b *browser) {
	p := b.page(t, "slots", 1280, 900)
	p.do("open", chromedp.Navigate(b.base+"/"))
	p.wait("the login screen", `!!document.querySelector('#signup')`)
	p.shot("01-login")

	// A refused signup shows its error inline.
	p.do("bad signup", chromedp.SendKeys(chromedp.CSS("#signup input[name=username]"), "no"),
		chromedp.SendKeys(chromedp.CSS("#signup input[name=email]"), "spinner@example.com"),
		chromedp.SendKeys(chromedp.CSS("#signup input[name=password]"), "correct horse"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#signup input[name=username]').removeAttribute('minlength'); document.querySelector('#signup input[name=username]').removeAttribute('pattern')`),
		chromedp.Click(chromedp.CSS("#signup button[type=submit]")))
	p.wait("the inline error", `document.getElementById('signup-error').textContent.includes('username must be')`)
	p.setValue("#signup input[name=username]", "spinner")
	p.click("#signup button[type=submit]")
	p.wait("signed in", `document.getElementById('username').textContent === 'spinner' && document.getElementById('coins').textContent === '1,000'`)
	p.wait("the lobby", `document.querySelectorAll('.machine-card').length === 3 && document.querySelectorAll('tr[data-room]').length >= 6`)
	p.shot("02-lobby")

	u, err := e.store.UserByName(context.Background(), "spinner")
	if err != nil {
		t.Fatal(err)
	}
	a := e.token(u)
	// Widgets of routes this server may not serve yet are shown only when
	// it does: the leaderboards, and the admin page for an admin.
	if code := e.do("GET", "/api/leaderboard?board=richest", a.Token, nil, nil); code == 404 {
		if n := p.countOf(`.boards:not([hidden])`); n != 0 {
			t.Errorf("leaderboards shown though /api/leaderboard answers 404")
		}
	} else {
		p.wait("the leaderboards", `!document.querySelector('.boards').hidden`)
	}
	var me struct {
		Role string `json:"role"`
	}
	e.do("GET", "/api/me", a.Token, nil, &me)
	if hidden := p.countOf(`#nav-admin[hidden]`) == 1; hidden != (me.Role != "admin") {
		t.Errorf("admin entry hidden=%v for role %q", hidden, me.Role)
	}
	p.click(`.machine-card a[href="#/slots/cherry-charm"]`)
	p.wait("the machine", `document.querySelectorAll('#reels .sym').length === 9 && !document.getElementById('spin').disabled`)
	// Someone watches the machine from the lobby's list of slot rooms.
	fan := b.page(t, "fan", 1280, 900)
	fan.login(e.player("fan"))
	fan.wait("spinner's machine in the lobby", `!!document.querySelector('a[aria-label="Watch slots:cherry-charm:spinner"]')`)
	fan.click(`a[aria-label="Watch slots:cherry-charm:spinner"]`)
	fan.wait("the machine", `document.querySelectorAll('#reels .sym').length === 9 && !!document.querySelector('.watching') && !document.getElementById('spin')`)
	// The bet stays within the machine's limits and steps.
	p.setValue("#bet", "99999")
	var bet string
	p.eval(`document.getElementById('bet').value`, &bet)
	if bet != "500" {
		t.Errorf("bet clamped to %q, want 500 (the machine's maximum)", bet)
	}
	p.click(`.slot-controls button:nth-of-type(3)`) // Min
	p.eval(`document.getElementById('bet').value`, &bet)
	if bet != "5" {
		t.Errorf("Min set the bet to %q, want 5", bet)
	}
	spins := 0
	for ; spins < 30; spins++ {
		p.clickEnabled("#spin")
		p.wait("the spin's outcome", `(() => { const t = document.getElementById('slot-win').textContent; return t !== 'Spinning…' && t !== '' && !document.getElementById('spin').disabled; })()`)
		// Enough spins for two pages of history, and a change of balance.
		if _, rows := e.ledgerSum(a); p.coinsShown() != 1000 && rows > 10 {
			break
		}
	}
	if p.coinsShown() == 1000 {
		t.Fatalf("the balance did not change in %d spins", spins)
	}
	p.shot("03-slots")
	// The spectator saw the last spin as the player did.
	var reels string
	p.eval(`document.getElementById('reels').getAttribute('aria-label')`, &reels)
	fan.wait("the same reels", fmt.Sprintf(`document.getElementById('reels').getAttribute('aria-label') === %q`, reels))
	coins := p.agreesWithServer(e, a)
	t.Logf("spun %d times: %d coins", spins+1, coins)

	// The lobby's leaderboards (when the server keeps them) follow the play.
	if code := e.do("GET", "/api/leaderboard?board=richest", a.Token, nil, nil); code == 200 {
		p.click(`#nav a[data-key=lobby]`)
		p.wait("spinner on the boards", fmt.Sprintf(`[...document.querySelectorAll('.lboard[data-board=richest] li')].some(li => li.textContent.includes('spinner') && li.textContent.includes(%q))`, formatCoins(coins)))
		p.shot("04-lobby-leaderboards")
	}

	// History: the spin is there, with a chart and stats; its recall opens.
	p.click(`#nav a[data-key=history]`)
	p.wait("the spins in the history", `document.querySelectorAll('#tx-rows tr[data-game=slots]').length >= 1 && !!document.querySelector('#balance-chart svg polyline') && !!document.querySelector('#stats table')`)
	var kinds []string
	p.eval(`[...document.querySelectorAll('#tx-rows tr')].map(r => r.dataset.kind)`, &kinds)
	if len(kinds) != 10 || !strings.Contains(strings.Join(kinds, ","), "bet") {
		t.Errorf("history rows %v: want a page of 10 with the spins' bets", kinds)
	}
	// Paging: the grant is on a later page.
	for page := 0; ; page++ {
		p.eval(`[...document.querySelectorAll('#tx-rows tr')].map(r => r.dataset.kind)`, &kinds)
		if kinds[len(kinds)-1] == "grant" {
			break
		}
		if page > 5 {
			t.Fatalf("no grant after %d pages", page)
		}
		p.clickEnabled("#tx-older")
		p.wait("the next page", fmt.Sprintf(`document.querySelector('.pager span').textContent.includes('Page %d')`, page+2))
	}
	p.clickEnabled("#tx-newer")
	p.wait("the first page", `document.querySelector('.pager span').textContent.includes('Page 1') && document.querySelectorAll('#tx-rows tr[data-game=slots]').length === 10`)
	if stats := p.text("#stats"); !strings.Contains(stats, "slots") {
		t.Errorf("stats %q do not show slots", stats)
	}
	p.shot("05-history")
	p.click(`#tx-rows tr[data-game=slots] a.round-link`)
	p.wait("the round's recall", `document.getElementById('recall').textContent.includes('slots') && document.querySelectorAll('#recall .reels .sym').length === 9`)
	roundURL := ""
	p.eval(`location.hash`, &roundURL)
	roundID := strings.TrimPrefix(roundURL, "#/round/")
	// The seed is still in use: verifying says so.
	p.click("#verify-btn")
	p.wait("the verdict", `document.getElementById('verify-out').textContent.includes('rotate')`)
	p.shot("06-round")

	// Fairness: rotate the seed, then the round verifies.
	p.click(`#nav a[data-key=fair]`)
	p.wait("the seed pair", `/^[0-9a-f]{64}$/.test(document.querySelector('#fair-active code.hash')?.textContent || '')`)
	p.click("#fair-rotate")
	p.wait("the revealed seed", `/^[0-9a-f]{64}$/.test(document.getElementById('fair-revealed-seed')?.textContent || '')`)
	p.do("verify", chromedp.SendKeys(chromedp.CSS(`.fair input[name=round]`), roundID), chromedp.Evaluate[chromedp.Void](`document.querySelector('.fair input[name=round]').form.requestSubmit()`))
	p.wait("the round verified", `document.getElementById('fair-verify-out').textContent.includes('Verified')`)
	p.shot("07-fairness")

	p.click(`#nav a[data-key=account]`)
	p.wait("the account", `document.querySelector('.account')?.textContent.includes('spinner')`)
	p.shot("08-account")

	p.click("#logout")
	p.wait("the login screen", `!!document.querySelector('#login') && document.getElementById('who').hidden && window.imperio.state === 'closed'`)
}

func testBrowserBlackjack(t *testing.T, e *testEnv, b *browser) {
	const room = "blackjack:1"
	alice, bob, carol := e.player("alice"), e.player("bob"), e.player("carol")
	pa, pb := b.page(t, "alice", 1280, 1000), b.page(t, "bob", 390, 844)
	pc := b.page(t, "carol", 1280, 1000)
	pa.login(alice)
	pa.goTo("#/play/" + room)
	pa.wait("seat 1", `document.querySelector('.seat.me')?.dataset.seat === '1' && !document.getElementById('bj-bet-btn').disabled`)
	pb.login(bob)
	pb.wait("the lobby", `document.querySelectorAll('tr[data-room]').length >= 6`)
	pb.shot("09-lobby-phone")
	pb.fitsWidth()
	pb.goTo("#/play/" + room)
	pb.wait("seat 2", `document.querySelector('.seat.me')?.dataset.seat === '2'`)
	pc.login(carol)
	// The lobby shows the two seated players live; carol watches from there.
	pc.wait("the lobby's seats", `document.querySelector('tr[data-room="blackjack:1"] td')?.textContent === '2/7'`)
	pc.click(`tr[data-room="blackjack:1"] a[aria-label="Watch blackjack:1"]`)
	pc.wait("the table", `document.querySelectorAll('.seat').length === 7 && document.querySelector('.seat[data-seat="2"] .seat-name')?.textContent === 'bob'`)
	if n := pc.countOf(`.controls:not([hidden])`); n != 0 {
		t.Errorf("the spectator sees %d control panels", n)
	}
	pa.do("chat", chromedp.SendKeys(chromedp.CSS(".chat input"), "good luck"), chromedp.Evaluate[chromedp.Void](`document.querySelector('.chat input').form.requestSubmit()`))
	pc.wait("the chat line", `document.querySelector('.chat-lines')?.textContent.includes('alice: good luck')`)
	// Chatting too fast is refused, and said so.
	pa.do("chat fast", chromedp.Evaluate[chromedp.Void](`(() => { const i = document.querySelector('.chat input'); for (let n = 0; n < 7; n++) { i.value = 'spam ' + n; i.form.requestSubmit(); } })()`))
	pa.wait("the rate limit", `document.getElementById('toasts').textContent.includes('chatting too fast')`)

	for _, p := range []*page{pa, pb} {
		p.setValue("#bj-bet", "20")
		p.clickEnabled("#bj-bet-btn")
		p.wait("the bet taken", `document.querySelector('.seat.me .chip')?.textContent === '20'`)
	}
	// The dealer shows an ace: both are offered insurance; alice takes it.
	pa.wait("the insurance prompt", `!document.getElementById('bj-insurance').hidden && document.querySelector('#timer')?.textContent.startsWith('Insurance closes in')`)
	pc.wait("the dealer's ace and hole card", `document.querySelectorAll('#dealer .card').length === 2 && !!document.querySelector('#dealer .card.back')`)
	if n := pc.countOf(`#bj-insurance:not([hidden])`); n != 0 {
		t.Errorf("the spectator is offered insurance")
	}
	pa.shot("10-blackjack-insurance")
	pa.clickEnabled("#bj-insurance-yes")
	pb.clickEnabled("#bj-insurance-no")
	// Alice's turn: 16; hit is legal, split is not.
	pa.wait("alice's turn", `!document.getElementById('bj-hit').disabled && document.getElementById('bj-split').disabled && document.getElementById('timer').textContent.startsWith('Your turn')`)
	pb.wait("bob waits", `document.getElementById('bj-hit').disabled && document.getElementById('bj-stand').disabled`)
	pc.shot("11-blackjack-spectator")
	pa.clickEnabled("#bj-hit") // a 5: 21, the hand stands by itself
	// Bob stands from the keyboard (S).
	pb.wait("bob's turn", `!document.getElementById('bj-stand').disabled`)
	pb.do("press S", chromedp.Evaluate[chromedp.Void](`document.activeElement?.blur()`), chromedp.KeyEvent("s"))
	for _, p := range []*page{pa, pb, pc} {
		p.wait("the results", `document.getElementById('bj-result').textContent.includes('Dealer has 20')`)
	}
	if s := pa.text(`.seat[data-seat="1"] .hand .result`); !strings.Contains(s, "Win") {
		t.Errorf("alice's hand shows %q, want a win", s)
	}
	if s := pc.text(`.seat[data-seat="2"] .hand .result`); !strings.Contains(s, "Lose") {
		t.Errorf("the spectator sees bob's hand as %q, want a loss", s)
	}
	pa.shot("12-blackjack-result")
	pb.shot("13-blackjack-phone")
	pb.fitsWidth()
	if got := pa.agreesWithServer(e, alice); got != 1000-20-10+40 {
		t.Errorf("alice has %d, want 1010 (bet 20, insurance 10 lost, 21 paid 40)", got)
	}
	if got := pb.agreesWithServer(e, bob); got != 980 {
		t.Errorf("bob has %d, want 980", got)
	}

	// A dropped socket comes back by itself, at the same seat.
	pa.do("drop the socket", chromedp.Evaluate[chromedp.Void](`window.imperio.ws.close()`))
	pa.wait("reconnected at seat 1", `window.imperio.state === 'open' && window.imperio.rooms.get('blackjack:1')?.seat === 1 && document.querySelector('.seat.me')?.dataset.seat === '1' && document.getElementById('toasts').textContent.includes('Reconnected')`)
	pb.wait("alice is back", `document.querySelector('.seat[data-seat="1"] .seat-name')?.textContent === 'alice' && !document.querySelector('.seat[data-seat="1"] .badge.warn')`)

	// The spectator takes the seat of her choice.
	pc.click(`a[aria-label="Sit at seat 5"]`)
	pc.wait("carol at seat 5", `document.querySelector('.seat.me')?.dataset.seat === '5' && !document.getElementById('bj-bet-btn').disabled`)
	pa.wait("carol seated", `document.querySelector('.seat[data-seat="5"] .seat-name')?.textContent === 'carol'`)

	// Round 2: alice splits her eights and stands on both hands.
	for _, p := range []*page{pa, pb, pc} {
		p.setValue("#bj-bet", "10")
		p.clickEnabled("#bj-bet-btn")
		p.wait("the bet taken", `document.querySelector('.seat.me .chip')?.textContent === '10'`)
	}
	pa.clickEnabled("#bj-split")
	pa.wait("the first hand's turn", `document.querySelectorAll('.seat[data-seat="1"] .hand').length === 2 && document.querySelector('.seat[data-seat="1"] .hand.active')?.dataset.hand === '1' && !document.getElementById('bj-stand').disabled`)
	pb.wait("both hands for the others", `document.querySelectorAll('.seat[data-seat="1"] .hand').length === 2`)
	pa.clickEnabled("#bj-stand")
	pa.wait("the second hand's turn", `document.querySelector('.seat[data-seat="1"] .hand.active')?.dataset.hand === '2' && document.querySelectorAll('.seat[data-seat="1"] .hand[data-hand="2"] .card').length === 2 && !document.getElementById('bj-stand').disabled`)
	pa.clickEnabled("#bj-stand")
	pb.clickEnabled("#bj-stand")
	pc.clickEnabled("#bj-stand")
	for _, p := range []*page{pa, pb, pc} {
		p.wait("the dealer's bust", `document.getElementById('bj-result').textContent.includes('busts with 23')`)
	}
	var results []string
	pb.eval(`[...document.querySelectorAll('.seat[data-seat="1"] .hand .result')].map(r => r.textContent.trim())`, &results)
	if len(results) != 2 || !strings.Contains(results[0], "Win +20") || !strings.Contains(results[1], "Win +20") {
		t.Errorf("alice's split hands show %q, want two wins of 20", results)
	}
	if n := pb.countOf(`.seat .ins`); n != 0 {
		t.Errorf("round 2 shows %d insurance notes of round 1", n)
	}
	pb.shot("14-blackjack-split")
	for _, c := range []struct {
		p    *page
		a    account
		want int64
	}{{pa, alice, 1030}, {pb, bob, 990}, {pc, carol, 1010}} {
		if got := c.p.agreesWithServer(e, c.a); got != c.want {
			t.Errorf("%s has %d after round 2, want %d", c.a.Username, got, c.want)
		}
	}
}

// fitsWidth checks that the page does not scroll sideways (phone widths).
func (p *page) fitsWidth() {
	p.t.Helper()
	var w struct {
		Page, View int
		Wide       []string
	}
	p.eval(`({Page: document.documentElement.scrollWidth, View: window.innerWidth,
		Wide: [...document.querySelectorAll('body *')].filter(el => el.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map(el => el.tagName + '.' + el.className + '#' + el.id)})`, &w)
	if w.Page > w.View {
		p.t.Errorf("%s: the page is %dpx wide in a %dpx viewport: %v", p.name, w.Page, w.View, w.Wide)
	}
}

func (p *page) countOf(sel string) int {
	p.t.Helper()
	var n int
	p.eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n)
	return n
}

func testBrowserRoulette(t *testing.T, e *testEnv, b *browser) {
	dave := e.player("dave")
	p := b.page(t, "dave", 1280, 1000)
	p.login(dave)
	// A deep link, loaded afresh: the session and the table come back.
	p.do("open the table's link", chromedp.Navigate(b.base+"/#/play/roulette:main"))
	p.wait("the board", `document.querySelectorAll('#rl-board .cell').length === 49 && !!document.querySelector('#table-status')?.textContent.includes('Round')`)
	board := func(label string) { p.click(fmt.Sprintf(`#rl-board .cell[aria-label=%q]`, label)) }
	// More than the balance: refused, and said so plainly; nothing taken.
	p.click(`input[name=rl-chip][value="500"]`)
	board("Bet on Red")
	board("Bet on Black")
	board("Bet on Odd")
	p.clickEnabled("#rl-place")
	p.wait("the refusal", `document.getElementById('toasts').textContent.includes('Not enough coins')`)
	p.shot("15-roulette-refused")
	p.click("#rl-clear")
	p.click(`input[name=rl-chip][value="5"]`)
	kind := func(k string) { p.click(fmt.Sprintf(`input[name=rl-kind][value=%q]`, k)) }
	// Every kind of bet: inside bets by their mode, outside bets directly.
	kind("straight")
	board("Number 17, black")
	kind("split")
	board("Number 17, black")
	board("Number 20, black")
	kind("street")
	board("Number 5, red")
	kind("trio")
	board("Number 1, red")
	kind("corner")
	board("Number 8, black")
	kind("first_four")
	board("Number 0")
	kind("six_line")
	board("Number 31, black")
	for _, l := range []string{"Dozen 2", "Column 3", "Bet on Red", "Bet on Black", "Bet on Odd", "Bet on Even", "Bet on 1–18", "Bet on 19–36"} {
		board(l)
	}
	if n := p.countOf("#rl-staged li"); n != 15 {
		t.Fatalf("%d bets staged, want 15", n)
	}
	p.shot("16-roulette-bets")
	p.clickEnabled("#rl-place")
	p.wait("the bets taken", `document.getElementById('rl-mine').textContent.includes('75') && document.getElementById('coins').textContent === '925'`)
	p.wait("the result", `document.querySelectorAll('#rl-last li').length === 1 && /You win|No win/.test(document.getElementById('rl-mine').textContent)`)
	p.shot("17-roulette-result")
	coins := p.agreesWithServer(e, dave)
	// The server holds the fifteen bets of every kind.
	var page struct {
		Transactions []struct {
			Kind    string `json:"kind"`
			RoundID string `json:"round_id"`
		} `json:"transactions"`
	}
	e.do("GET", "/api/transactions?limit=50", dave.Token, nil, &page)
	roundID := ""
	for _, tx := range page.Transactions {
		if tx.Kind == "bet" {
			roundID = tx.RoundID
		}
	}
	var rd struct {
		Outcome struct {
			Record struct {
				Number  int `json:"number"`
				Players []struct {
					Bets []struct {
						Kind string `json:"kind"`
					} `json:"bets"`
				} `json:"players"`
			} `json:"record"`
		} `json:"outcome"`
	}
	if code := e.do("GET", "/api/rounds/"+roundID, dave.Token, nil, &rd); code != 200 {
		t.Fatalf("round %q: %d", roundID, code)
	}
	kinds := map[string]bool{}
	for _, pl := range rd.Outcome.Record.Players {
		for _, bt := range pl.Bets {
			kinds[bt.Kind] = true
		}
	}
	for _, k := range []string{"straight", "split", "street", "trio", "corner", "first_four", "six_line", "dozen", "column", "red", "black", "odd", "even", "low", "high"} {
		if !kinds[k] {
			t.Errorf("the round has no %s bet (kinds %v)", k, kinds)
		}
	}
	if shown := p.text("#rl-last li"); shown != strconv.Itoa(rd.Outcome.Record.Number) {
		t.Errorf("the page shows %q, the round's number is %d", shown, rd.Outcome.Record.Number)
	}
	t.Logf("roulette: %d, %d coins", rd.Outcome.Record.Number, coins)
}

func testBrowserCrash(t *testing.T, e *testEnv, b *browser) {
	erin := e.player("erin")
	bot := e.player("robot")
	p := b.page(t, "erin", 1280, 1000)
	p.login(erin)
	p.goTo("#/play/crash:main")
	p.wait("the table", `!document.getElementById('crash-bet').disabled`)
	// Frank plays with an automatic cash-out target set in the form.
	frank := e.player("frank")
	pf := b.page(t, "frank", 1280, 900)
	pf.login(frank)
	pf.goTo("#/play/crash:main")
	pf.wait("the table", `!document.getElementById('crash-bet').disabled`)
	// Another player, at the table already, bets as soon as erin's bet opens
	// the round, with an automatic cash-out at 1.10x.
	c := e.dial(bot)
	c.expect("welcome")
	if f := c.answer(c.send("room.join", map[string]any{"room": "crash:main"})); f.Type != "room.joined" {
		t.Fatalf("join: %s", f.Data)
	}
	p.setValue("#crash-amount", "50")
	p.click("#crash-bet")
	p.wait("the bet taken", `document.getElementById('crash-mine').textContent.includes('Your bet: 50')`)
	if f := c.answer(c.send("table.bet", map[string]any{"room": "crash:main", "amount": 20, "auto_cashout": 110})); f.Type != "table.accepted" {
		t.Fatalf("bot bet: %s", f.Data)
	}
	pf.setValue("#crash-amount", "10")
	pf.setValue("#crash-auto", "1.2")
	pf.clickEnabled("#crash-bet")
	pf.wait("the bet with its target", `document.getElementById('crash-mine').textContent.includes('auto cash-out at 1.20x')`)
	p.wait("the robot's cash-out", `document.getElementById('crash-feed').textContent.includes('robot cashed out at 1.10x (auto)')`)
	p.wait("1.15x", `parseFloat(document.getElementById('crash-mult').textContent) >= 1.15 && !document.getElementById('crash-cashout').disabled`)
	p.shot("18-crash-running")
	p.clickEnabled("#crash-cashout")
	p.wait("the cash-out", `document.getElementById('crash-mine').textContent.includes('You cashed out at')`)
	p.wait("the crash", `document.getElementById('crash-mult').textContent.includes('Crashed @ 1.35x')`)
	p.wait("the big wins in the ticker", `!document.getElementById('ticker').hidden && document.getElementById('ticker').textContent.includes('at crash')`)
	p.shot("19-crash-crashed")
	var paid struct {
		M string `json:"m"`
	}
	p.eval(`({m: document.getElementById('crash-mine').textContent})`, &paid)
	coins := p.agreesWithServer(e, erin)
	if coins <= 1000 || coins >= 1000-50+50*135/100 {
		t.Errorf("erin has %d after cashing out 50 below 1.35x (%s)", coins, paid.M)
	}
	pf.wait("frank's automatic cash-out", `document.getElementById('crash-mine').textContent.includes('You cashed out at 1.20x: +12')`)
	if got := pf.agreesWithServer(e, frank); got != 1000-10+12 {
		t.Errorf("frank has %d, want 1002 (10 cashed out at 1.20x)", got)
	}
	if got := e.coins(bot); got != 1000-20+22 {
		t.Errorf("the robot has %d, want 1002 (20 cashed out at 1.10x)", got)
	}

	// A session that ends (its cookies gone) brings the login screen back
	// at the next API call.
	if _, err := chromedp.Call(p.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatalf("clear cookies: %v", err)
	}
	p.goTo("#/history")
	p.wait("the login screen", `!!document.querySelector('#login') && document.getElementById('who').hidden && document.getElementById('toasts').textContent.includes('session ended')`)
}

// testBrowserLimits: a daily loss limit set on the account page, and a bet
// past it refused in words. A server without /api/limits must not show the
// section at all.
func testBrowserLimits(t *testing.T, e *testEnv, b *browser) {
	a := e.player("careful")
	p := b.page(t, "careful", 1280, 900)
	p.login(a)
	p.goTo("#/account")
	p.wait("the account page", `document.querySelector('.account')?.textContent.includes('careful')`)
	if code := e.do("GET", "/api/limits", a.Token, nil, nil); code == 404 {
		p.wait("the two-factor section", `!!document.querySelector('[aria-labelledby=totp-h]')`)
		if n := p.countOf(`[aria-labelledby=lim-h]:not([hidden])`); n != 0 {
			t.Errorf("responsible play shown though /api/limits answers 404")
		}
		t.Log("this server has no /api/limits: the section stays hidden")
		return
	}
	p.wait("the limits", `!document.querySelector('[aria-labelledby=lim-h]').hidden && !!document.querySelector('input[name=limit]')`)
	p.setValue("input[name=limit]", "20")
	p.do("save the limit", chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name=limit]').form.requestSubmit()`))
	p.wait("the limit in force", `[...document.querySelectorAll('[aria-labelledby=lim-h] dd')].some(d => d.textContent === '20')`)
	p.shot("20-account-limits")
	p.goTo("#/slots/cherry-charm")
	p.wait("the machine", `!document.getElementById('spin').disabled`)
	p.setValue("#bet", "25")
	p.click("#spin")
	p.wait("the refusal", `document.getElementById('slot-win').textContent.includes('loss limit')`)
	p.shot("21-slots-loss-limit")
	if got := p.agreesWithServer(e, a); got != 1000 {
		t.Errorf("careful has %d after a refused bet, want 1000", got)
	}
}

// testBrowserAdmin: an admin (made with the command line, two-factor on)
// logs in with a code, finds a player and adjusts their balance; a player
// never sees the Admin entry. A server without the admin command has no
// admin to test: the entry must then stay hidden.
func testBrowserAdmin(t *testing.T, e *testEnv, b *browser, dbURL string) {
	boss, player := e.player("boss"), e.player("lucky")
	p := b.page(t, "boss", 1280, 900)
	var out strings.Builder
	if err := run(t.Context(), []string{"admin", "grant", "boss"}, verifyEnv(dbURL), &out, &out); err != nil {
		if !strings.Contains(err.Error(), "unknown command") {
			t.Fatalf("imperio admin grant: %v\n%s", err, out.String())
		}
		p.login(boss)
		p.wait("the nav", `!document.getElementById('nav').hidden`)
		if n := p.countOf(`#nav-admin:not([hidden])`); n != 0 {
			t.Errorf("a player sees the Admin entry")
		}
		t.Log("this server has no admin command: no admin to log in")
		return
	}
	// Two-factor on, through the API.
	var setup struct {
		Secret string `json:"secret"`
	}
	if code := e.do("POST", "/api/auth/totp/setup", boss.Token, nil, &setup); code != 200 {
		t.Fatalf("totp setup: %d", code)
	}
	// A code counts once: enabling takes the previous time step's, the
	// login the next one's (a server accepts one step either side).
	if code := e.do("POST", "/api/auth/totp/enable", boss.Token, map[string]string{"code": totpCode(t, setup.Secret, -1)}, nil); code != 200 {
		t.Fatalf("totp enable: %d", code)
	}
	// The login form asks for the code.
	p.do("open", chromedp.Navigate(b.base+"/"))
	p.do("log in", chromedp.SendKeys(chromedp.CSS("#login input[name=username]"), "boss"),
		chromedp.SendKeys(chromedp.CSS("#login input[name=password]"), "correct horse"),
		chromedp.Click(chromedp.CSS("#login button[type=submit]")))
	p.wait("the code field", `!document.querySelector('#login input[name=totp]').closest('label').hidden`)
	p.do("enter the code", chromedp.SendKeys(chromedp.CSS("#login input[name=totp]"), totpCode(t, setup.Secret, +1)),
		chromedp.Click(chromedp.CSS("#login button[type=submit]")))
	p.wait("signed in as admin", `document.getElementById('username').textContent === 'boss' && !document.getElementById('nav-admin').hidden`)
	p.click("#nav-admin")
	p.wait("the admin page", `document.querySelectorAll('.admin table').length >= 2`)
	p.do("search", chromedp.SendKeys(chromedp.CSS(`.admin input[name=q]`), "lucky"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('.admin input[name=q]').form.requestSubmit()`))
	p.wait("the player", `[...document.querySelectorAll('.admin td')].some(td => td.textContent === 'lucky')`)
	p.do("open the player", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('.admin tr')].find(tr => tr.firstChild?.textContent === 'lucky').querySelector('button').click()`))
	p.wait("the player's record", `document.querySelector('.admin h3')?.textContent.startsWith('lucky')`)
	p.setValue(`.admin input[name=reason]`, "goodwill")
	p.setValue(`.admin input[name=amount]`, "5")
	p.do("adjust", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('.admin button')].find(b => b.textContent === 'Adjust').click()`))
	p.wait("the adjustment", `document.getElementById('toasts').textContent.includes('Balance adjusted') && document.querySelector('.admin h3 + p')?.textContent.startsWith('1,005 coins')`)
	p.shot("22-admin")
	if got := e.coins(player); got != 1005 {
		t.Errorf("lucky has %d after an adjustment of 5, want 1005", got)
	}
	if sum, _ := e.ledgerSum(player); sum != 1005 {
		t.Errorf("lucky's ledger sums to %d, want 1005", sum)
	}
	// The player's history shows the adjustment with its reason, and not
	// the admin who made it.
	q := b.page(t, "lucky", 390, 800)
	q.login(player)
	q.goTo("#/history")
	q.wait("the adjustment in the history", `[...document.querySelectorAll('#tx-rows tr[data-kind=adjustment]')].some(tr => tr.textContent.includes('adjustment — goodwill') && !tr.textContent.includes('boss'))`)
}

// totpCode is the RFC 6238 code (SHA-1, 30 s, 6 digits) of a base32
// secret for the time step step steps from now, as an authenticator app
// shows it.
func totpCode(t *testing.T, secret string, step int64) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil {
		t.Fatalf("totp secret %q: %v", secret, err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(time.Now().Unix()/30+step))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1000000)
}
