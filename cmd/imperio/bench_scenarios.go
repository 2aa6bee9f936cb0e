package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/crypto/bcrypt"

	"github.com/imperio-casino/imperio/games/blackjack"
	"github.com/imperio-casino/imperio/hub"
)

// Reference figures, measured on a 2-core machine like ours (see
// docs/PERFORMANCE.md for their sources).
const (
	refWSIdleOne   = 24 << 10 // bytes per idle coder/websocket socket, one goroutine
	refWSIdleTwo   = 34 << 10 // reader + writer goroutines
	refWSEcho      = 70_000   // echo round trips/s, 100 clients
	refWSEchoP99   = 6.0      // ms
	refWSEchoCPU   = 12.6     // µs server CPU per round trip
	refWSBroadcast = 290_000  // deliveries/s to 1,000 sockets
	refPG1         = 950      // one spin per transaction, tps, 1 client
	refPG4         = 2_600
	refPG16        = 3_900
	refPGBatch     = 70_000 // spins/s, 50 per transaction, set-based
	refNakamaCPU   = 144.0  // µs server CPU per chat message sent, 100 rooms x 8 at 5/s
	refNakamaP99   = 34.0   // ms
	refColyseusCPU = 105.0
)

// phase runs jobs: ready, then the measured phase of --duration (during
// which during runs, if any), then stop. It returns the merged part, the
// phase's wall time and the server's CPU time in it.
func (b *bench) phase(ctx context.Context, t *benchTarget, jobs []benchJob, during func(ctx context.Context) []int64) (*benchPart, time.Duration, time.Duration, error) {
	ps, err := b.runParts(ctx, jobs)
	if err != nil {
		return nil, 0, 0, err
	}
	var cpu0 time.Duration
	if t != nil && t.pid != 0 {
		cpu0, _ = cpuTime(t.pid)
	}
	if b.profile != nil && pprof.StartCPUProfile(b.profile) == nil {
		defer pprof.StopCPUProfile()
		b.profile = nil // one profile per file: the first phase
	}
	t0 := time.Now()
	ps.begin()
	var times []int64
	if during != nil {
		dctx, cancel := context.WithTimeout(ctx, b.o.duration)
		times = during(dctx)
		cancel()
	}
	if rest := b.o.duration - time.Since(t0); rest > 0 && during == nil {
		select {
		case <-time.After(rest):
		case <-ctx.Done():
		}
	}
	wall := time.Since(t0)
	var cpu time.Duration
	if t != nil && t.pid != 0 {
		cpu1, _ := cpuTime(t.pid)
		cpu = cpu1 - cpu0
	}
	return ps.end(times), wall, cpu, ctx.Err()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (b *bench) latencyRows(scenario, name string, h *histogram, p99Target float64, ref float64, refNote string) {
	b.add(benchRow{Scenario: scenario, Metric: name + " p50", Value: ms(h.quantile(0.50)), Unit: "ms"}, nil)
	if name == "spin" {
		b.add(benchRow{Scenario: scenario, Metric: name + " p95", Value: ms(h.quantile(0.95)), Unit: "ms"}, nil)
	}
	row := benchRow{Scenario: scenario, Metric: name + " p99", Value: ms(h.quantile(0.99)), Unit: "ms", Reference: ref, RefNote: refNote}
	if p99Target > 0 {
		row.Target = fmt.Sprintf("<= %g ms", p99Target)
		b.add(row, met(h.N > 0 && ms(h.quantile(0.99)) <= p99Target))
		return
	}
	b.add(row, nil)
}

func (b *bench) errorRows(scenario string, p *benchPart) {
	for code, n := range p.Errors {
		b.add(benchRow{Scenario: scenario, Metric: "errors " + code, Value: float64(n), Unit: "count"}, nil)
	}
}

func (b *bench) inProcessNote() string {
	if b.o.procs == 0 && len(b.o.addrs) == 0 {
		return "load in the server's process: CPU and memory include the clients"
	}
	return ""
}

// --- spin -------------------------------------------------------------

func (b *bench) spin(ctx context.Context) error {
	t, err := b.startTarget(ctx, 1, nil)
	if err != nil {
		return err
	}
	defer t.close()
	p, wall, cpu, err := b.spinPhase(ctx, t, "s", nil)
	if err != nil {
		return err
	}
	spins := float64(p.Counts["spins"])
	b.add(benchRow{Scenario: "spin", Metric: "spins/s", Value: spins / wall.Seconds(), Unit: "1/s", Target: ">= 20000"}, met(spins/wall.Seconds() >= 20000))
	b.latencyRows("spin", "spin", p.hist("spin"), 20, 0, "")
	if spins > 0 && cpu > 0 {
		b.add(benchRow{Scenario: "spin", Metric: "server CPU per spin", Value: float64(cpu.Microseconds()) / spins, Unit: "µs", RefNote: b.inProcessNote()}, nil)
	}
	b.errorRows("spin", p)
	return nil
}

// spinPhase runs --clients players spinning for --duration.
func (b *bench) spinPhase(ctx context.Context, t *benchTarget, prefix string, during func(context.Context) []int64) (*benchPart, time.Duration, time.Duration, error) {
	b.progress("spin: %d players on %s", b.o.clients, t.addrs[0])
	users, err := b.users(ctx, t, prefix, b.o.clients)
	if err != nil {
		return nil, 0, 0, err
	}
	jobs := b.splitJobs(len(users), func(lo, hi int) benchJob {
		return benchJob{Kind: "spin", Addrs: t.addrs[:1], Users: users[lo:hi], Rate: b.o.spinRate}
	})
	return b.phase(ctx, t, jobs, during)
}

// --- idle -------------------------------------------------------------

func (b *bench) idle(ctx context.Context) error {
	n := b.o.sockets
	raw, err := b.idleRaw(ctx, n)
	if err != nil {
		return err
	}
	t, err := b.startTarget(ctx, 1, nil)
	if err != nil {
		return err
	}
	defer t.close()
	users, err := b.users(ctx, t, "i", min(n, 200))
	if err != nil {
		return err
	}
	b.progress("idle: %d sockets on %s", n, t.addrs[0])
	jobs := b.splitJobs(n, func(lo, hi int) benchJob {
		return benchJob{Kind: "idle", Addrs: t.addrs[:1], Users: users, Sockets: hi - lo}
	})
	inProcess := len(b.o.addrs) == 0
	var m0, r0, h0, s0 int64
	if inProcess {
		h0, s0 = goMemoryParts()
		m0 = h0 + s0
	}
	if t.pid != 0 {
		r0 = rss(t.pid)
	}
	ps, err := b.runParts(ctx, jobs)
	if err != nil {
		return err
	}
	ps.begin()
	time.Sleep(time.Second) // welcomes sent, queues idle
	var m1, r1, h1, s1 int64
	if inProcess {
		h1, s1 = goMemoryParts()
		m1 = h1 + s1
	}
	if t.pid != 0 {
		r1 = rss(t.pid)
	}
	p := ps.end(nil)
	note := b.inProcessNote()
	b.add(benchRow{Scenario: "idle", Metric: "sockets held", Value: float64(p.Connected), Unit: "count", Target: fmt.Sprintf("%d", n)}, met(p.Connected == n))
	if inProcess {
		per := float64(m1-m0) / float64(n)
		b.add(benchRow{Scenario: "idle", Metric: "raw coder/websocket heap+stack per socket", Value: raw.goPer, Unit: "bytes", Reference: refWSIdleOne, RefNote: "reference, one goroutine"}, nil)
		row := benchRow{Scenario: "idle", Metric: "imperio heap+stack per socket", Value: per, Unit: "bytes", Reference: raw.goPer, RefNote: "raw, this run", Target: "<= 1.3x raw"}
		if note != "" {
			row.RefNote += "; " + note
		}
		b.add(row, met(raw.goPer > 0 && per <= 1.3*raw.goPer))
		b.add(benchRow{Scenario: "idle", Metric: "imperio heap per socket", Value: float64(h1-h0) / float64(n), Unit: "bytes", Reference: raw.heapPer, RefNote: "raw heap, this run"}, nil)
		b.add(benchRow{Scenario: "idle", Metric: "imperio stack per socket", Value: float64(s1-s0) / float64(n), Unit: "bytes", Reference: raw.stackPer, RefNote: "raw stack, this run"}, nil)
		b.add(benchRow{Scenario: "idle", Metric: "imperio heap+stack per socket vs reference reader+writer", Value: per, Unit: "bytes", Reference: refWSIdleTwo, RefNote: "reference, reader+writer"}, nil)
	}
	// The RSS of an in-process server reuses what the raw run freed: it
	// is only a figure for a server of its own.
	if r1 > 0 && !inProcess {
		b.add(benchRow{Scenario: "idle", Metric: "imperio RSS per socket", Value: float64(r1-r0) / float64(n), Unit: "bytes", Reference: raw.rssPer, RefNote: "raw RSS, this run"}, nil)
	}
	return nil
}

type rawIdle struct{ goPer, heapPer, stackPer, rssPer float64 }

// idleRaw holds n sockets on a bare coder/websocket server in this process,
// one goroutine each, and measures its memory per socket.
func (b *bench) idleRaw(ctx context.Context, n int) (rawIdle, error) {
	srv, err := startRawWS()
	if err != nil {
		return rawIdle{}, err
	}
	defer srv.close()
	b.progress("idle: %d sockets on a bare coder/websocket server", n)
	jobs := b.splitJobs(n, func(lo, hi int) benchJob {
		return benchJob{Kind: "ws-idle", Addrs: []string{srv.addr}, Path: "/idle", Sockets: hi - lo}
	})
	h0, s0 := goMemoryParts()
	r0 := rss(os.Getpid())
	ps, err := b.runParts(ctx, jobs)
	if err != nil {
		return rawIdle{}, err
	}
	ps.begin()
	time.Sleep(time.Second)
	h1, s1 := goMemoryParts()
	r1 := rss(os.Getpid())
	ps.end(nil)
	per := func(a, b int64) float64 { return float64(b-a) / float64(n) }
	return rawIdle{goPer: per(h0+s0, h1+s1), heapPer: per(h0, h1), stackPer: per(s0, s1), rssPer: per(r0, r1)}, nil
}

// --- table ------------------------------------------------------------

func (b *bench) table(ctx context.Context) error {
	t, err := b.startTarget(ctx, 1, nil, func(o *hub.Options) {
		r := blackjack.DefaultRules()
		if b.o.pause > 0 {
			r.PauseTime = b.o.pause
		}
		o.TableRules = r
	})
	if err != nil {
		return err
	}
	defer t.close()
	per := b.o.players + b.o.spectators
	users, err := b.users(ctx, t, "t", b.o.tables*per)
	if err != nil {
		return err
	}
	rooms := make([]string, b.o.tables)
	for i := range rooms {
		rooms[i] = fmt.Sprintf("blackjack:b%s-%d", b.runID, i)
	}
	b.progress("table: %d tables x %d players + %d spectators", b.o.tables, b.o.players, b.o.spectators)
	jobs := b.splitJobs(len(rooms), func(lo, hi int) benchJob {
		return benchJob{Kind: "table", Addrs: t.addrs[:1], Users: users[lo*per : hi*per], Rooms: rooms[lo:hi], Members: b.o.players, Spectators: b.o.spectators, Think: b.o.think}
	})
	p, wall, cpu, err := b.phase(ctx, t, jobs, nil)
	if err != nil {
		return err
	}
	actions := float64(p.Counts["actions"])
	b.add(benchRow{Scenario: "table", Metric: "actions/s", Value: actions / wall.Seconds(), Unit: "1/s"}, nil)
	b.add(benchRow{Scenario: "table", Metric: "rounds", Value: float64(p.Counts["rounds"]), Unit: "count"}, nil)
	b.latencyRows("table", "action to broadcast", p.hist("action"), 10, 0, "")
	for _, a := range []string{"hit", "stand", "no_insurance"} {
		if h := p.hist("action " + a); h.N > 0 {
			b.add(benchRow{Scenario: "table", Metric: "  " + a + " p50", Value: ms(h.quantile(0.50)), Unit: "ms"}, nil)
			b.add(benchRow{Scenario: "table", Metric: "  " + a + " p99", Value: ms(h.quantile(0.99)), Unit: "ms"}, nil)
		}
	}
	if actions > 0 && cpu > 0 {
		b.add(benchRow{Scenario: "table", Metric: "server CPU", Value: cpu.Seconds() / wall.Seconds() * 100, Unit: "% of a core", RefNote: b.inProcessNote()}, nil)
	}
	b.errorRows("table", p)
	return nil
}

// --- fanout -----------------------------------------------------------

func (b *bench) fanout(ctx context.Context) error {
	t, err := b.startTarget(ctx, 2, map[string]string{"IMPERIO_BIGWIN_MULTIPLIER": strconv.FormatInt(b.o.bigwinMult, 10)})
	if err != nil {
		return err
	}
	defer t.close()
	n := b.o.sockets
	users, err := b.users(ctx, t, "f", min(n, 500))
	if err != nil {
		return err
	}
	spinner, err := b.users(ctx, t, "w", 1)
	if err != nil {
		return err
	}
	b.progress("fanout: %d lobby sockets over %s", n, strings.Join(t.addrs, ", "))
	jobs := b.splitJobs(n, func(lo, hi int) benchJob {
		return benchJob{Kind: "fanout", Addrs: t.addrs, Users: users, Sockets: hi - lo}
	})
	var spinErr error
	p, _, _, err := b.phase(ctx, t, jobs, func(ctx context.Context) []int64 {
		var times []int64
		times, spinErr = b.bigWins(ctx, t, spinner[0])
		time.Sleep(time.Second) // the last notice arrives
		return times
	})
	if err != nil {
		return err
	}
	if spinErr != nil {
		return spinErr
	}
	want := int64(b.o.bigwins * n)
	b.add(benchRow{Scenario: "fanout", Metric: "deliveries", Value: float64(p.Counts["deliveries"]), Unit: "count", Target: fmt.Sprint(want)}, met(p.Counts["deliveries"] == want))
	b.latencyRows("fanout", "delivery", p.hist("delivery"), 250, 0, "from the winning spin's send")
	if p.Counts["missing"] > 0 {
		b.add(benchRow{Scenario: "fanout", Metric: "missing", Value: float64(p.Counts["missing"]), Unit: "count"}, nil)
	}
	// What else the lobby sockets were sent meanwhile: each frame is a
	// write to every socket, as a big win is.
	var kinds []string
	for k := range p.Counts {
		if strings.HasPrefix(k, "frames ") {
			kinds = append(kinds, k)
		}
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		b.add(benchRow{Scenario: "fanout", Metric: "  " + k + " per socket", Value: float64(p.Counts[k]) / float64(n), Unit: "count"}, nil)
	}
	return nil
}

// bigWins spins until --bigwins spins won at least the big-win multiple,
// each followed by a pause, and returns when each of those spins was sent.
func (b *bench) bigWins(ctx context.Context, t *benchTarget, u benchUser) ([]int64, error) {
	var a answers
	c, err := b.dial.open(ctx, t.addrs[0], u.Token, "127.0.0.1", func(f benchFrame, _ time.Time) { a.deliver(f) })
	if err != nil {
		return nil, err
	}
	defer c.close()
	const bet = 5
	var times []int64
	for n := 0; len(times) < b.o.bigwins; n++ {
		if ctx.Err() != nil {
			return times, fmt.Errorf("only %d big wins in %s", len(times), b.o.duration)
		}
		sent := time.Now()
		f, err := request(c, &a, "slots.spin", strconv.Itoa(n), map[string]any{"machine": "cherry-charm", "bet": bet})
		if err != nil {
			return times, err
		}
		var r struct {
			Win int64 `json:"win"`
		}
		_ = json.Unmarshal(f.Data, &r)
		if r.Win >= b.o.bigwinMult*bet {
			times = append(times, sent.UnixNano())
			time.Sleep(b.o.bigwinGap) // one notice at a time
		}
	}
	return times, nil
}

// --- relay ------------------------------------------------------------

func (b *bench) relay(ctx context.Context) error {
	chatRate := strconv.FormatFloat(b.o.rate*2+1, 'f', -1, 64)
	t, err := b.startTarget(ctx, 1, map[string]string{"IMPERIO_CHAT_RATE": chatRate})
	if err != nil {
		return err
	}
	defer t.close()
	users, err := b.users(ctx, t, "r", b.o.rooms*b.o.members)
	if err != nil {
		return err
	}
	rooms := make([]string, b.o.rooms)
	for i := range rooms {
		rooms[i] = fmt.Sprintf("blackjack:r%s-%d", b.runID, i)
	}
	b.progress("relay: %d rooms x %d members at %g/s (IMPERIO_CHAT_RATE=%s)", b.o.rooms, b.o.members, b.o.rate, chatRate)
	jobs := b.splitJobs(len(rooms), func(lo, hi int) benchJob {
		return benchJob{Kind: "relay", Addrs: t.addrs[:1], Users: users[lo*b.o.members : hi*b.o.members], Rooms: rooms[lo:hi], Members: b.o.members, Rate: b.o.rate}
	})
	p, wall, cpu, err := b.phase(ctx, t, jobs, nil)
	if err != nil {
		return err
	}
	deliveries, sent := float64(p.Counts["deliveries"]), float64(p.Counts["sent"])
	b.add(benchRow{Scenario: "relay", Metric: "messages sent/s", Value: sent / wall.Seconds(), Unit: "1/s"}, nil)
	b.add(benchRow{Scenario: "relay", Metric: "deliveries/s", Value: deliveries / wall.Seconds(), Unit: "1/s"}, nil)
	b.latencyRows("relay", "send to receipt", p.hist("relay"), 10, refNakamaP99, "Nakama p99")
	if cpu > 0 && deliveries > 0 {
		note := b.inProcessNote()
		perSent := float64(cpu.Microseconds()) / sent
		b.add(benchRow{Scenario: "relay", Metric: "server CPU per message sent", Value: perSent, Unit: "µs", Reference: refNakamaCPU, RefNote: "Nakama " + note, Target: fmt.Sprintf("<= %g µs", refNakamaCPU/2)}, met(perSent <= refNakamaCPU/2))
		b.add(benchRow{Scenario: "relay", Metric: "server CPU per message sent vs Colyseus", Value: perSent, Unit: "µs", Reference: refColyseusCPU, RefNote: "Colyseus"}, nil)
		b.add(benchRow{Scenario: "relay", Metric: "server CPU per delivery", Value: float64(cpu.Microseconds()) / deliveries, Unit: "µs", RefNote: note}, nil)
	}
	b.errorRows("relay", p)
	return nil
}

// --- signup -----------------------------------------------------------

func (b *bench) signup(ctx context.Context) error {
	t, err := b.startTarget(ctx, 1, nil)
	if err != nil {
		return err
	}
	defer t.close()
	// The password-hash ceiling: bcrypt at the server's cost (the default)
	// on every core. The server itself hashes on every core but one.
	b.progress("signup: password-hash ceiling")
	var hashes atomic.Int64
	hctx, cancel := context.WithTimeout(ctx, min(b.o.duration, 5*time.Second))
	h0 := time.Now()
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Go(func() {
			for hctx.Err() == nil {
				if _, err := bcrypt.GenerateFromPassword([]byte("correct horse battery"), bcrypt.DefaultCost); err == nil {
					hashes.Add(1)
				}
			}
		})
	}
	wg.Wait()
	cancel()
	ceiling := float64(hashes.Load()) / time.Since(h0).Seconds()

	quiet, _, _, err := b.spinPhase(ctx, t, "q", nil)
	if err != nil {
		return err
	}
	b.progress("signup: %d concurrent registrations during the spins", b.o.signupers)
	var (
		signups, failed atomic.Int64
		codes           sync.Map
		elapsed         time.Duration
	)
	storm, _, _, err := b.spinPhase(ctx, t, "l", func(ctx context.Context) []int64 {
		s0 := time.Now()
		var next atomic.Int64
		var wg sync.WaitGroup
		for range b.o.signupers {
			wg.Go(func() {
				// A registration under way when the phase ends still
				// counts: the phase lasts until the last one is answered.
				for ctx.Err() == nil {
					k := next.Add(1)
					code := b.signupOne(context.WithoutCancel(ctx), t.addrs[0], k)
					switch code {
					case "":
						signups.Add(1)
					case "canceled":
					default:
						failed.Add(1)
						v, _ := codes.LoadOrStore(code, new(atomic.Int64))
						v.(*atomic.Int64).Add(1)
					}
				}
			})
		}
		wg.Wait()
		elapsed = time.Since(s0)
		return nil
	})
	if err != nil {
		return err
	}
	rate := float64(signups.Load()) / elapsed.Seconds()
	b.add(benchRow{Scenario: "signup", Metric: "password hashes/s (ceiling, every core)", Value: ceiling, Unit: "1/s"}, nil)
	b.add(benchRow{Scenario: "signup", Metric: "signups/s during spins", Value: rate, Unit: "1/s", Reference: ceiling, RefNote: "hash ceiling", Target: ">= 0.9x ceiling"}, met(rate >= 0.9*ceiling))
	qp99, sp99 := ms(quiet.hist("spin").quantile(0.99)), ms(storm.hist("spin").quantile(0.99))
	b.add(benchRow{Scenario: "signup", Metric: "spin p99 quiet", Value: qp99, Unit: "ms"}, nil)
	b.add(benchRow{Scenario: "signup", Metric: "spin p99 during signups", Value: sp99, Unit: "ms", Reference: qp99, RefNote: "quiet", Target: "<= 2x quiet"}, met(sp99 <= 2*qp99))
	b.add(benchRow{Scenario: "signup", Metric: "spins/s quiet", Value: float64(quiet.Counts["spins"]) / b.o.duration.Seconds(), Unit: "1/s"}, nil)
	b.add(benchRow{Scenario: "signup", Metric: "spins/s during signups", Value: float64(storm.Counts["spins"]) / b.o.duration.Seconds(), Unit: "1/s"}, nil)
	codes.Range(func(k, v any) bool {
		b.add(benchRow{Scenario: "signup", Metric: "signup errors " + k.(string), Value: float64(v.(*atomic.Int64).Load()), Unit: "count"}, nil)
		return true
	})
	b.errorRows("signup", storm)
	return nil
}

// signupOne registers account k from a source address of its own (the
// signup limit is per address: five at once).
func (b *bench) signupOne(ctx context.Context, addr string, k int64) string {
	slot := k/5 + 1
	source := fmt.Sprintf("127.1.%d.%d", slot/250, 1+slot%250)
	name := fmt.Sprintf("n%s%d", b.runID, k)
	body := fmt.Sprintf(`{"username":%q,"email":"%s@bench.invalid","password":"correct horse %d"}`, name, name, k)
	req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+addr+"/api/auth/signup", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := b.dial.client(source).Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "canceled"
		}
		return "transport"
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusCreated {
		return ""
	}
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.NewDecoder(res.Body).Decode(&e)
	return fmt.Sprintf("%d %s", res.StatusCode, e.Error.Code)
}

// --- baseline-ws ------------------------------------------------------

// rawWS is a bare coder/websocket server: /idle reads (one goroutine per
// socket), /echo writes back what it reads, /broadcast takes what
// broadcast sends (a reader and a writer per socket, as a chat server).
type rawWS struct {
	addr  string
	srv   *http.Server
	mu    sync.Mutex
	queue map[chan []byte]struct{}
}

func startRawWS() (*rawWS, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &rawWS{addr: ln.Addr().String(), queue: map[chan []byte]struct{}{}}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 10 * time.Second}
	go r.srv.Serve(ln)
	return r, nil
}

func (r *rawWS) serve(w http.ResponseWriter, req *http.Request) {
	c, err := websocket.Accept(w, req, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx := context.Background()
	switch req.URL.Path {
	case "/idle":
		for {
			if _, _, err := c.Read(ctx); err != nil {
				return
			}
		}
	case "/echo":
		for {
			typ, b, err := c.Read(ctx)
			if err != nil {
				return
			}
			if err := c.Write(ctx, typ, b); err != nil {
				return
			}
		}
	case "/broadcast":
		q := make(chan []byte, 256)
		r.mu.Lock()
		r.queue[q] = struct{}{}
		r.mu.Unlock()
		defer func() {
			r.mu.Lock()
			delete(r.queue, q)
			r.mu.Unlock()
		}()
		rctx := c.CloseRead(ctx)
		for {
			select {
			case msg := <-q:
				if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
					return
				}
			case <-rctx.Done():
				return
			}
		}
	}
}

// broadcast queues msg to every /broadcast socket, waiting for room.
func (r *rawWS) broadcast(ctx context.Context, msg []byte) {
	r.mu.Lock()
	qs := make([]chan []byte, 0, len(r.queue))
	for q := range r.queue {
		qs = append(qs, q)
	}
	r.mu.Unlock()
	for _, q := range qs {
		select {
		case q <- msg:
		case <-ctx.Done():
			return
		}
	}
}

func (r *rawWS) close() { r.srv.Close() }

func (b *bench) baselineWS(ctx context.Context) error {
	srv, err := startRawWS()
	if err != nil {
		return err
	}
	defer srv.close()
	t := &benchTarget{pid: os.Getpid()}
	b.progress("baseline-ws: %d echo clients", b.o.clients)
	jobs := b.splitJobs(b.o.clients, func(lo, hi int) benchJob {
		return benchJob{Kind: "ws-echo", Addrs: []string{srv.addr}, Path: "/echo", Sockets: hi - lo}
	})
	p, wall, cpu, err := b.phase(ctx, t, jobs, nil)
	if err != nil {
		return err
	}
	rts := float64(p.Counts["round_trips"])
	note := b.inProcessNoteRaw()
	b.add(benchRow{Scenario: "baseline-ws", Metric: fmt.Sprintf("echo round trips/s (%d clients)", b.o.clients), Value: rts / wall.Seconds(), Unit: "1/s", Reference: refWSEcho, RefNote: "reference"}, nil)
	b.add(benchRow{Scenario: "baseline-ws", Metric: "echo p99", Value: ms(p.hist("rtt").quantile(0.99)), Unit: "ms", Reference: refWSEchoP99, RefNote: "reference"}, nil)
	if rts > 0 {
		b.add(benchRow{Scenario: "baseline-ws", Metric: "server CPU per round trip", Value: float64(cpu.Microseconds()) / rts, Unit: "µs", Reference: refWSEchoCPU, RefNote: "reference " + note}, nil)
	}

	n := min(b.o.sockets, 1000)
	b.progress("baseline-ws: broadcasting to %d sockets", n)
	jobs = b.splitJobs(n, func(lo, hi int) benchJob {
		return benchJob{Kind: "ws-broadcast", Addrs: []string{srv.addr}, Path: "/broadcast", Sockets: hi - lo}
	})
	msg := []byte(`{"type":"bigwin","data":{"username":"someone","game":"slots","amount":12345,"multiplier":100}}`)
	p, wall, _, err = b.phase(ctx, t, jobs, func(ctx context.Context) []int64 {
		for ctx.Err() == nil {
			srv.broadcast(ctx, msg)
		}
		return nil
	})
	if err != nil {
		return err
	}
	b.add(benchRow{Scenario: "baseline-ws", Metric: fmt.Sprintf("broadcast deliveries/s (%d sockets)", n), Value: float64(p.Counts["deliveries"]) / wall.Seconds(), Unit: "1/s", Reference: refWSBroadcast, RefNote: "reference"}, nil)
	return nil
}

func (b *bench) inProcessNoteRaw() string {
	if b.o.procs == 0 {
		return "(clients in this process)"
	}
	return ""
}
