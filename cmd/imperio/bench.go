package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/auth"
	"github.com/imperio-casino/imperio/config"
	"github.com/imperio-casino/imperio/hub"
	"github.com/imperio-casino/imperio/store"
)

const benchUsage = `Usage: imperio bench SCENARIO [flags]

Drives an Imperio server over real sockets on the loopback interface, bounded
in time and count, and prints what it measured beside the reference figures.
Without --addr it starts the server(s) in this process (PostgreSQL when
--database-url or IMPERIO_DATABASE_URL names one, else SQLite in a temporary
directory); the load clients run in child processes (--procs) so that the
server's CPU time is its own.

Scenarios:
  idle          N authenticated idle sockets; server memory per socket beside a bare coder/websocket server's
  spin          spins/s and spin latency from C players spinning back to back
  table         K blackjack tables x P players + S spectators: action-to-broadcast latency
  fanout        a big win reaching N lobby sockets spread over two instances: delivery latency
  relay         R rooms x M members chatting 100-byte lines at r/s: deliveries/s, latency, server CPU per delivery
  signup        registrations/s with the real bcrypt cost during a spin load, beside the hash ceiling and quiet spins
  baseline-ws   bare coder/websocket: echo round trips and broadcast deliveries
  baseline-pg   PostgreSQL: one spin per transaction at 1, 4, 16 clients, and 50 spins per statement
  all           every scenario above in turn

Flags:
`

// benchOptions are the flags of `imperio bench`.
type benchOptions struct {
	addrs       []string
	databaseURL string
	jwtSecret   string
	serverPID   int
	duration    time.Duration
	json        bool
	procs       int
	quiet       bool
	cpuprofile  string
	noVacuum    bool

	sockets    int
	clients    int
	tables     int
	players    int
	spectators int
	pause      time.Duration
	think      time.Duration
	bigwinGap  time.Duration
	rooms      int
	members    int
	rate       float64
	bigwins    int
	signupers  int
	bigwinMult int64
	spinRate   float64
}

func parseBenchFlags(args []string, getenv func(string) string, stderr io.Writer) (string, benchOptions, error) {
	var o benchOptions
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, benchUsage)
		fs.PrintDefaults()
	}
	var addrs string
	fs.StringVar(&addrs, "addr", "", "a running server's host:port, or two separated by a comma (fanout spreads over both); empty: start the server(s) in process")
	fs.StringVar(&o.databaseURL, "database-url", getenv("IMPERIO_DATABASE_URL"), "database of the in-process server, or of the running server (to create the bench's players); default IMPERIO_DATABASE_URL, else SQLite in a temporary directory")
	fs.StringVar(&o.jwtSecret, "jwt-secret", "", "the running server's IMPERIO_JWT_SECRET, to sign the players' tokens (default: the variable)")
	fs.IntVar(&o.serverPID, "server-pid", 0, "process id of the running server, to read its CPU time and memory from /proc")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each measured phase lasts")
	fs.BoolVar(&o.json, "json", false, "print the results as JSON")
	fs.IntVar(&o.procs, "procs", 2, "child processes that hold the load sockets (0: in this process)")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress lines on stderr")
	fs.BoolVar(&o.noVacuum, "no-vacuum", false, "skip VACUUM ANALYZE of the database after the players are created (as pgbench -n)")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of this process (the in-process servers) during the measured phases to this file")
	fs.IntVar(&o.sockets, "sockets", 1000, "idle and fanout: sockets")
	fs.IntVar(&o.clients, "clients", 100, "spin, signup and baseline-ws echo: concurrent clients")
	fs.IntVar(&o.tables, "tables", 20, "table: blackjack tables")
	fs.IntVar(&o.players, "players", 7, "table: players per table")
	fs.IntVar(&o.spectators, "spectators", 10, "table: spectators per table")
	fs.DurationVar(&o.bigwinGap, "bigwin-gap", 200*time.Millisecond, "fanout: the pause after each big win before the next spin")
	fs.DurationVar(&o.think, "think", 0, "table: each player waits a random time below this before each bet and action (0: at once, all tables in step)")
	fs.DurationVar(&o.pause, "pause", 0, "table: the pause between rounds (0: the table's rules as played, 4s); shorter plays more rounds per table")
	fs.IntVar(&o.rooms, "rooms", 100, "relay: rooms")
	fs.IntVar(&o.members, "members", 8, "relay: members per room")
	fs.Float64Var(&o.rate, "rate", 5, "relay: chat lines per second per member")
	fs.IntVar(&o.bigwins, "bigwins", 10, "fanout: big wins to announce")
	fs.Float64Var(&o.spinRate, "spin-rate", 0, "spin and signup: spins per second per player (open loop); 0: back to back")
	fs.IntVar(&o.signupers, "signups", 8, "signup: concurrent registrations")
	fs.Int64Var(&o.bigwinMult, "bigwin-multiplier", 2, "fanout: the server's IMPERIO_BIGWIN_MULTIPLIER (set for the in-process server; give the running server's)")
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs.Usage()
		return "", o, errors.New("bench: which scenario?")
	}
	scenario := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return "", o, err
	}
	if o.jwtSecret == "" {
		o.jwtSecret = getenv("IMPERIO_JWT_SECRET")
	}
	for a := range strings.SplitSeq(addrs, ",") {
		if a = strings.TrimSpace(a); a != "" {
			host, _, err := net.SplitHostPort(a)
			if err != nil || !net.ParseIP(host).IsLoopback() {
				return "", o, fmt.Errorf("bench: --addr %q: only loopback addresses (127.0.0.1:PORT) may be loaded", a)
			}
			o.addrs = append(o.addrs, a)
		}
	}
	if len(o.addrs) > 0 && (o.databaseURL == "" || len(o.jwtSecret) < config.MinSecretLen) {
		return "", o, errors.New("bench: a running server (--addr) needs its --database-url and IMPERIO_JWT_SECRET, to create and sign in the bench's players")
	}
	if o.duration <= 0 || o.duration > 10*time.Minute {
		return "", o, errors.New("bench: --duration must be above 0 and at most 10m")
	}
	if o.sockets < 1 || o.sockets > 100_000 || o.clients < 1 || o.clients > 5000 || o.procs < 0 || o.procs > 16 {
		return "", o, errors.New("bench: --sockets is 1..100000, --clients 1..5000, --procs 0..16")
	}
	if o.tables < 1 || o.players < 1 || o.players > 7 || o.spectators < 0 || o.pause < 0 || o.think < 0 || o.bigwinGap < 0 || o.rooms < 1 || o.members < 2 || o.rate <= 0 || o.rate > 100 || o.spinRate < 0 || o.spinRate > 1000 || o.bigwins < 1 || o.signupers < 1 {
		return "", o, errors.New("bench: sizes must be positive (players 1..7, members 2 or more, rate up to 100/s)")
	}
	return scenario, o, nil
}

// benchRow is one measured figure.
type benchRow struct {
	Scenario  string  `json:"scenario"`
	Metric    string  `json:"metric"`
	Value     float64 `json:"value"`
	Unit      string  `json:"unit"`
	Reference float64 `json:"reference,omitempty"` // the peer or raw figure it compares with
	RefNote   string  `json:"reference_note,omitempty"`
	Target    string  `json:"target,omitempty"`
	Met       *bool   `json:"met,omitempty"`
}

// benchReport is the whole output.
type benchReport struct {
	Started    time.Time  `json:"started"`
	Conditions benchConds `json:"conditions"`
	Rows       []benchRow `json:"rows"`
}

type benchConds struct {
	Cores     int      `json:"cores"`
	GoVersion string   `json:"go"`
	Database  string   `json:"database"`
	Bus       string   `json:"bus"`
	Servers   []string `json:"servers"`
	InProcess bool     `json:"in_process"`
	Procs     int      `json:"load_processes"`
	Duration  string   `json:"duration"`
	LoadAvg   string   `json:"load_average_before"`
}

// bench is one run of `imperio bench`.
type bench struct {
	o      benchOptions
	log    *slog.Logger
	stderr io.Writer
	report *benchReport
	runID  string
	dial   dialers
	// profile, when set, receives a CPU profile of the measured phases.
	profile io.Writer
	getenv  func(string) string
}

func runBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "child" {
		return benchChild(ctx, os.Stdin, stdout)
	}
	scenario, o, err := parseBenchFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	b := &bench{o: o, getenv: getenv, stderr: stderr, log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	id := make([]byte, 3)
	_, _ = rand.Read(id)
	b.runID = hex.EncodeToString(id)
	load, _ := os.ReadFile("/proc/loadavg")
	b.report = &benchReport{Started: time.Now().UTC(), Conditions: benchConds{
		Cores: runtime.NumCPU(), GoVersion: runtime.Version(), Servers: o.addrs, InProcess: len(o.addrs) == 0,
		Procs: o.procs, Duration: o.duration.String(), LoadAvg: strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " "),
	}}
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		b.profile = f
	}
	scenarios := []string{scenario}
	if scenario == "all" {
		scenarios = []string{"baseline-pg", "baseline-ws", "spin", "idle", "table", "fanout", "relay", "signup"}
	}
	for _, sc := range scenarios {
		var err error
		switch sc {
		case "idle":
			err = b.idle(ctx)
		case "spin":
			err = b.spin(ctx)
		case "table":
			err = b.table(ctx)
		case "fanout":
			err = b.fanout(ctx)
		case "relay":
			err = b.relay(ctx)
		case "signup":
			err = b.signup(ctx)
		case "baseline-ws":
			err = b.baselineWS(ctx)
		case "baseline-pg":
			err = b.baselinePG(ctx)
		default:
			fmt.Fprint(stderr, benchUsage)
			return fmt.Errorf("bench: unknown scenario %q", sc)
		}
		if err != nil {
			return fmt.Errorf("bench %s: %w", sc, err)
		}
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(b.report)
	}
	printBench(stdout, b.report)
	return nil
}

func printBench(w io.Writer, r *benchReport) {
	c := r.Conditions
	where := "in process"
	if !c.InProcess {
		where = strings.Join(c.Servers, ", ")
	}
	fmt.Fprintf(w, "imperio bench, %s: %d cores, %s, database %s, bus %s, server %s, %d load processes, %s phases, load average before %s\n\n",
		r.Started.Format(time.RFC3339), c.Cores, c.GoVersion, c.Database, c.Bus, where, c.Procs, c.Duration, c.LoadAvg)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tmetric\tvalue\tunit\treference\tratio\ttarget")
	for _, row := range r.Rows {
		ref, ratio := "", ""
		if row.Reference != 0 {
			ref = formatFigure(row.Reference) + " " + row.RefNote
			ratio = fmt.Sprintf("%.2fx", row.Value/row.Reference)
		} else if row.RefNote != "" {
			ref = row.RefNote
		}
		target := row.Target
		if row.Met != nil {
			if *row.Met {
				target += " (met)"
			} else {
				target += " (MISSED)"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", row.Scenario, row.Metric, formatFigure(row.Value), row.Unit, ref, ratio, target)
	}
	tw.Flush()
}

func formatFigure(v float64) string {
	switch {
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return strconv.FormatInt(int64(v), 10)
	case math.Abs(v) >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case math.Abs(v) >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// add records a row; target, when check is not nil, says whether it was met.
func (b *bench) add(row benchRow, check *bool) {
	row.Met = check
	b.report.Rows = append(b.report.Rows, row)
}

func met(ok bool) *bool { return &ok }

func (b *bench) progress(format string, args ...any) {
	if !b.o.quiet {
		fmt.Fprintf(b.stderr, "bench: "+format+"\n", args...)
	}
}

// benchTarget is the server(s) under load.
type benchTarget struct {
	addrs  []string
	store  *store.Store
	issuer *auth.Service
	pid    int // whose /proc/PID/stat is the server's CPU time; 0: unknown
	close  func()
}

// startTarget starts instances servers in this process over one store and
// one bus (or connects to the running ones), tuned by tune.
func (b *bench) startTarget(ctx context.Context, instances int, env map[string]string, tune ...func(*hub.Options)) (*benchTarget, error) {
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		switch k {
		case "IMPERIO_JWT_SECRET":
			if b.o.jwtSecret != "" {
				return b.o.jwtSecret
			}
			return "bench-secret-bench-secret-bench-secret"
		case "IMPERIO_MESSAGE_RATE":
			return "1000"
		case "IMPERIO_MESSAGE_BURST":
			return "1000"
		case "IMPERIO_LOG_LEVEL":
			return "error"
		case "IMPERIO_REDIS_URL":
			return b.getenv(k)
		case "IMPERIO_REDIS_PREFIX":
			// The run's keys apart from any other user of that Redis.
			return "imperio-bench-" + b.runID + ":"
		}
		return ""
	}
	cfg, err := config.Load(nil, getenv, io.Discard)
	if err != nil {
		return nil, err
	}
	url := b.o.databaseURL
	var tmp string
	if url == "" {
		tmp, err = os.MkdirTemp("", "imperio-bench-")
		if err != nil {
			return nil, err
		}
		url = "sqlite:" + filepath.Join(tmp, "bench.db")
	}
	st, err := store.Open(ctx, url, nil)
	if err != nil {
		if tmp != "" {
			os.RemoveAll(tmp)
		}
		return nil, fmt.Errorf("open database: %w", err)
	}
	b.report.Conditions.Database = st.Backend()
	b.report.Conditions.Bus = "in process"
	if cfg.RedisURL != "" {
		b.report.Conditions.Bus = "redis"
	}
	t := &benchTarget{store: st, issuer: auth.New(auth.Config{Secret: cfg.JWTSecret, TokenTTL: time.Hour}, st, nil)}
	if len(b.o.addrs) > 0 {
		t.addrs = b.o.addrs
		t.pid = b.o.serverPID
		t.close = func() { st.Close() }
		return t, nil
	}
	t.pid = os.Getpid()
	// Without Redis the instances share one in-process bus; with
	// IMPERIO_REDIS_URL each has its own Redis bus, as separate processes do.
	bus := hub.NewMemoryBus()
	var (
		servers []*server
		https   []*http.Server
	)
	closeAll := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		for i, srv := range servers {
			if i < len(https) {
				https[i].Close()
			}
			srv.hub.Shutdown(ctx)
			if srv.redis != nil {
				srv.bus.Close()
				srv.redis.Close()
			}
		}
		st.VoidOpenRounds(ctx, "", "bench over")
		st.Close()
		if tmp != "" {
			os.RemoveAll(tmp)
		}
	}
	for i := range instances {
		c := cfg
		c.Instance = fmt.Sprintf("bench-%s-%d", b.runID, i+1)
		own := func(o *hub.Options) {
			if cfg.RedisURL == "" {
				o.Bus = bus
			}
			o.Tables, o.Rooms = 0, nil
		}
		srv, err := wire(c, st, b.log, append([]func(*hub.Options){own}, tune...)...)
		if err != nil {
			closeAll()
			return nil, err
		}
		servers = append(servers, srv)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			closeAll()
			return nil, err
		}
		hs := &http.Server{Handler: srv.handler, ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(ln)
		https = append(https, hs)
		t.addrs = append(t.addrs, ln.Addr().String())
	}
	t.close = closeAll
	return t, nil
}

// benchUser is a player of the bench with a session token.
type benchUser struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Token string `json:"token"`
}

// users creates n players (rich enough for the run) and signs them in.
func (b *bench) users(ctx context.Context, t *benchTarget, prefix string, n int) ([]benchUser, error) {
	out := make([]benchUser, n)
	sem := make(chan struct{}, 16)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			name := fmt.Sprintf("%s%s%d", prefix, b.runID, i)
			u, err := t.store.CreateUser(ctx, imperio.NewUser{Username: name, Email: name + "@bench.invalid", PasswordHash: "-", Grant: 1 << 40})
			if err == nil {
				var tok string
				tok, _, err = t.issuer.Issue(u)
				out[i] = benchUser{ID: u.ID, Name: u.Username, Token: tok}
			}
			if err != nil {
				mu.Lock()
				first = firstErr(first, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if first == nil && !b.o.noVacuum {
		// As pgbench does before a run: the statistics the planner works
		// from include the players just created, and the dead rows of
		// earlier runs are gone.
		first = t.store.Vacuum(ctx)
	}
	return out, first
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// cpuTime is the CPU time (user + system) of process pid so far.
func cpuTime(pid int) (time.Duration, error) {
	if pid == os.Getpid() {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			return 0, err
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100, nil // USER_HZ is 100 on Linux
}

// rss is the resident memory of process pid, in bytes.
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// goMemory is the Go heap and stacks in use by this process, after a GC.
func goMemory() int64 {
	heap, stack := goMemoryParts()
	return heap + stack
}

func goMemoryParts() (heap, stack int64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse), int64(m.StackInuse)
}

// --- Load processes ---------------------------------------------------

// benchJob is the work of one load process.
type benchJob struct {
	Kind       string        `json:"kind"`
	Proc       int           `json:"proc"`
	Addrs      []string      `json:"addrs"`
	Path       string        `json:"path,omitempty"` // raw baselines: the socket path
	Users      []benchUser   `json:"users,omitempty"`
	Sockets    int           `json:"sockets"`
	Rate       float64       `json:"rate,omitempty"`
	Rooms      []string      `json:"rooms,omitempty"`
	Members    int           `json:"members,omitempty"`
	Spectators int           `json:"spectators,omitempty"`
	Think      time.Duration `json:"think,omitempty"`
}

// partCtl drives one part: it reports ready (or its setup error), starts on
// start, and ends on stop (which carries the fanout's send times).
type partCtl struct {
	ready chan error
	start chan struct{}
	stop  chan []int64
}

// parts is a set of running load parts, in process or in children.
type parts struct {
	ctls    []partCtl
	results []chan *benchPart
	cmds    []*exec.Cmd
}

// runParts starts the jobs: in this process when --procs is 0, else each in
// a child process. It returns once every part is ready.
func (b *bench) runParts(ctx context.Context, jobs []benchJob) (*parts, error) {
	ps := &parts{}
	for i, job := range jobs {
		job.Proc = i
		ctl := partCtl{ready: make(chan error, 1), start: make(chan struct{}), stop: make(chan []int64, 1)}
		res := make(chan *benchPart, 1)
		ps.ctls = append(ps.ctls, ctl)
		ps.results = append(ps.results, res)
		if b.o.procs == 0 {
			go func() { res <- runPart(ctx, &b.dial, job, ctl) }()
			continue
		}
		cmd, err := b.startChild(ctx, job, ctl, res)
		if err != nil {
			ps.abort()
			return nil, err
		}
		ps.cmds = append(ps.cmds, cmd)
	}
	for _, ctl := range ps.ctls {
		if err := <-ctl.ready; err != nil {
			ps.abort()
			return nil, err
		}
	}
	return ps, nil
}

func (ps *parts) begin() {
	for _, c := range ps.ctls {
		close(c.start)
	}
}

// end stops every part and merges what they measured.
func (ps *parts) end(times []int64) *benchPart {
	for _, c := range ps.ctls {
		c.stop <- times
	}
	total := newPart()
	for _, r := range ps.results {
		if p := <-r; p != nil {
			total.merge(p)
		}
	}
	for _, cmd := range ps.cmds {
		cmd.Wait()
	}
	return total
}

func (ps *parts) abort() {
	for _, cmd := range ps.cmds {
		if cmd.Process != nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}
}

// splitJobs divides n units of work over the load processes (one when they
// run in this process).
func (b *bench) splitJobs(n int, mk func(lo, hi int) benchJob) []benchJob {
	k := max(1, b.o.procs)
	k = min(k, n)
	var jobs []benchJob
	for i := range k {
		lo, hi := i*n/k, (i+1)*n/k
		jobs = append(jobs, mk(lo, hi))
	}
	return jobs
}

// startChild runs `imperio bench child` with the job on its stdin.
func (b *bench) startChild(ctx context.Context, job benchJob, ctl partCtl, res chan<- *benchPart) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, exe, "bench", "child")
	cmd.Stderr = b.stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	jb, _ := json.Marshal(job)
	fmt.Fprintf(in, "%s\n", jb)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		if !sc.Scan() {
			ctl.ready <- fmt.Errorf("load process %d ended before it was ready", job.Proc)
			res <- nil
			return
		}
		if line := sc.Text(); line != "ready" {
			ctl.ready <- fmt.Errorf("load process %d: %s", job.Proc, line)
			res <- nil
			return
		}
		ctl.ready <- nil
		<-ctl.start
		fmt.Fprintln(in, "go")
		times := <-ctl.stop
		tb, _ := json.Marshal(times)
		fmt.Fprintf(in, "stop %s\n", tb)
		var p benchPart
		if !sc.Scan() || json.Unmarshal(sc.Bytes(), &p) != nil {
			res <- nil
			return
		}
		res <- &p
	}()
	return cmd, nil
}

// benchChild is `imperio bench child`: one load process. It reads its job,
// says "ready", starts at "go", and at "stop [times]" prints what it
// measured as one JSON line.
func benchChild(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	if !sc.Scan() {
		return errors.New("bench child: no job")
	}
	var job benchJob
	if err := json.Unmarshal(sc.Bytes(), &job); err != nil {
		return fmt.Errorf("bench child: job: %w", err)
	}
	ctl := partCtl{ready: make(chan error, 1), start: make(chan struct{}), stop: make(chan []int64, 1)}
	res := make(chan *benchPart, 1)
	var d dialers
	go func() { res <- runPart(ctx, &d, job, ctl) }()
	if err := <-ctl.ready; err != nil {
		fmt.Fprintf(stdout, "error: %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
		return nil
	}
	fmt.Fprintln(stdout, "ready")
	for sc.Scan() {
		line := sc.Text()
		if line == "go" {
			close(ctl.start)
			continue
		}
		if rest, ok := strings.CutPrefix(line, "stop "); ok {
			var times []int64
			_ = json.Unmarshal([]byte(rest), &times)
			ctl.stop <- times
			break
		}
	}
	p := <-res
	return json.NewEncoder(stdout).Encode(p)
}
