package hub

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/games/blackjack"
	"github.com/imperio-casino/imperio/games/crash"
	"github.com/imperio-casino/imperio/games/fair"
	"github.com/imperio-casino/imperio/games/roulette"
	"github.com/imperio-casino/imperio/ratelimit"
)

// Wallet is what the hub needs from the store: settle a spin in one
// transaction, and read a balance.
type Wallet interface {
	SettleSpin(ctx context.Context, s imperio.Spin) (imperio.SpinReceipt, error)
	Balance(ctx context.Context, userID int64) (int64, error)
	// TakeNonce gives a slot round its randomness: the player's active
	// seed pair (server seed, client seed, commitment) and the round's
	// nonce, never given out before.
	TakeNonce(ctx context.Context, userID int64) (server []byte, client string, nonce uint64, hash string, err error)
	// Tables: a round is opened with its first stake, takes stakes while
	// it is open, and settles with its payouts in one transaction.
	OpenRound(ctx context.Context, r imperio.TableRound) error
	Stake(ctx context.Context, st imperio.Stake) (coins int64, replayed bool, err error)
	SettleRound(ctx context.Context, rs imperio.RoundSettlement) ([]imperio.Balance, error)
}

// Player is the authenticated user behind a socket.
type Player struct {
	ID       int64
	Username string
}

// Options configure a Hub. The zero value of every field but Wallet works.
type Options struct {
	Instance         string
	Wallet           Wallet
	Bus              Bus               // nil: an in-process bus
	Limiter          ratelimit.Limiter // socket messages per user; nil: unlimited
	ChatLimiter      ratelimit.Limiter // chat lines per user, on top of Limiter; nil: unlimited
	Log              *slog.Logger
	BigWinMultiplier int64         // a win of at least this many times the bet is announced; 0: 50
	SendQueue        int           // frames queued per socket before it is closed as slow; 0: 128
	RoomIdle         time.Duration // an empty room closes after this; 0: 2 minutes
	SettleTimeout    time.Duration // bound on one settlement; 0: 10 s
	LobbyInterval    time.Duration // lobby.rooms pushes are coalesced to one per interval; 0: 500 ms
	NewSource        func() fair.Source
	// Tables is how many blackjack tables (blackjack:1 ...) exist from start.
	Tables int
	// TableRules are the rules of every blackjack table; zero: the defaults.
	TableRules blackjack.Rules
	// RouletteRules are the rules of every roulette table; zero: defaults.
	RouletteRules roulette.Rules
	// CrashRules are the rules of every crash table; zero: defaults.
	CrashRules crash.Rules
	// NewCrash makes each crash table; nil: a table on a new hash chain
	// from a secret seed. Tests fix the crash points.
	NewCrash func(r crash.Rules, now time.Time) (*crash.Table, error)
	// Rooms are more tables that exist from start, e.g. roulette:main.
	Rooms []string
	// NewTable makes each blackjack table; nil: every shoe shuffled from a
	// seed of its own, revealed with the shoe. Tests stack the shoe with
	// blackjack.NewTableWithShoe.
	NewTable func(r blackjack.Rules, now time.Time) (*blackjack.Table, error)
	// DrainTimeout bounds how long Shutdown lets rounds in play finish; 0:
	// 10 s.
	DrainTimeout time.Duration
	// Metrics receives the hub's counters; nil: kept but not exported.
	Metrics *Metrics
	// Now is the hub's clock; nil: time.Now. Rooms read it for their timers.
	Now func() time.Time
	// Leaderboards keep the scores; nil: in memory, this instance only.
	Leaderboards Leaderboards
	// LeaderInterval is how often coalesced score changes are written;
	// 0: 500 ms. The boards that changed are pushed to the lobby at most
	// every four intervals (2 s): a board whose leader spins changes with
	// every spin, and each push is a frame to every lobby socket.
	LeaderInterval time.Duration
	// Leases make this hub one of many instances sharing tables: each table
	// runs on the instance holding its lease, and the others forward to it
	// (see cluster.go). The Wallet must then also be a Fencer. Nil: one
	// instance, every room here.
	Leases Leases
	// LeaseTTL is how long a table's lease outlives its owner's last
	// renewal (renewed every third of it): how soon a dead instance's
	// tables are taken over. 0: 3 s.
	LeaseTTL time.Duration
	// Richest seeds the richest board at start (the store's top holders);
	// nil: the board fills as balances change.
	Richest func(ctx context.Context, n int) ([]imperio.Holding, error)
}

// Hub owns the sessions, rooms and lobby of one instance.
type Hub struct {
	opts Options
	log  *slog.Logger
	bus  Bus

	ctx    context.Context
	cancel context.CancelFunc
	rooms  sync.WaitGroup // room goroutines
	socks  sync.WaitGroup // session goroutines

	mu       sync.Mutex
	closing  bool
	sessions map[int64]map[*Session]struct{}
	names    map[string]Player // lower-case username -> player, while online
	registry map[string]*room
	lobby    map[*Session]struct{}
	seats    map[int64]map[string]struct{} // user -> tables where they hold a seat

	lobbyDirty chan struct{}
	unsubs     []func()
	leaders    *leaders
	leaderNews chan struct{} // the boards changed somewhere: read them again

	// Many instances (cluster.go); guarded by mu.
	fixed   map[string]struct{}      // tables that exist from start
	byID    map[string]*Session      // local sockets by session id
	proxies map[string]*Session      // sockets of other instances in rooms here, by instance/id
	owned   map[string]Lease         // leases of the rooms run here
	remote  map[string]*remoteRoom   // rooms run elsewhere that local sockets are in
	peers   map[string]peer          // other instances, by name
	taking  map[string]chan struct{} // rooms being taken over here: closed when done
	halted  atomic.Bool
}

// New starts a hub. Stop it with Shutdown.
func New(opts Options) *Hub {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Bus == nil {
		opts.Bus = NewMemoryBus()
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(nil)
	}
	if rb, ok := opts.Bus.(*RedisBus); ok {
		rb.ObservePublish(func(d time.Duration) { opts.Metrics.busPublish.Observe(d.Seconds()) })
	}
	if opts.BigWinMultiplier <= 0 {
		opts.BigWinMultiplier = 50
	}
	if opts.SendQueue <= 0 {
		opts.SendQueue = 128 // 3 KB of an idle socket's 30; bursts are far shorter
	}
	if opts.RoomIdle <= 0 {
		opts.RoomIdle = 2 * time.Minute
	}
	if opts.SettleTimeout <= 0 {
		opts.SettleTimeout = 10 * time.Second
	}
	if opts.LobbyInterval <= 0 {
		opts.LobbyInterval = 500 * time.Millisecond
	}
	if opts.NewSource == nil {
		opts.NewSource = fair.NewCrypto
	}
	if opts.TableRules.Decks == 0 {
		opts.TableRules = blackjack.DefaultRules()
	}
	if opts.RouletteRules.MaxBets == 0 {
		opts.RouletteRules = roulette.DefaultRules()
	}
	if opts.CrashRules.TickEvery == 0 {
		opts.CrashRules = crash.DefaultRules()
	}
	if opts.NewCrash == nil {
		opts.NewCrash = func(r crash.Rules, now time.Time) (*crash.Table, error) {
			return crash.NewTable(r, newCrashChain(), now)
		}
	}
	if opts.DrainTimeout <= 0 {
		opts.DrainTimeout = 10 * time.Second
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(nil)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Instance == "" {
		opts.Instance = "imperio"
	}
	if opts.Leaderboards == nil {
		opts.Leaderboards = NewMemoryLeaderboards()
	}
	if opts.LeaseTTL <= 0 {
		opts.LeaseTTL = 3 * time.Second
	}
	if opts.LeaderInterval <= 0 {
		opts.LeaderInterval = 500 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{
		opts:       opts,
		log:        opts.Log,
		bus:        opts.Bus,
		ctx:        ctx,
		cancel:     cancel,
		sessions:   make(map[int64]map[*Session]struct{}),
		names:      make(map[string]Player),
		registry:   make(map[string]*room),
		lobby:      make(map[*Session]struct{}),
		seats:      make(map[int64]map[string]struct{}),
		lobbyDirty: make(chan struct{}, 1),
		leaders:    newLeaders(),
		fixed:      make(map[string]struct{}),
		byID:       make(map[string]*Session),
		proxies:    make(map[string]*Session),
		owned:      make(map[string]Lease),
		remote:     make(map[string]*remoteRoom),
		peers:      make(map[string]peer),
		taking:     make(map[string]chan struct{}),
		leaderNews: make(chan struct{}, 1),
	}
	h.unsubs = append(h.unsubs,
		h.bus.Subscribe(topicBigWin, h.onBigWin),
		h.bus.Subscribe(topicBalance, h.onBalance),
		h.bus.Subscribe(topicLeaders, func([]byte) { h.markLeaders() }),
		h.bus.Subscribe(topicKick, h.onKick),
	)
	go h.lobbyLoop()
	go h.leaderLoop()
	names := opts.Rooms
	for i := 1; i <= opts.Tables; i++ {
		names = append(names, "blackjack:"+strconv.Itoa(i))
	}
	for _, name := range names {
		h.fixed[name] = struct{}{}
	}
	if h.clustered() {
		h.startCluster()
		return h
	}
	for _, name := range names {
		g, err := h.openTable(name, true)
		if err != nil {
			h.log.Error("open table", "room", name, "err", err)
			continue
		}
		h.mu.Lock()
		h.startRoomLocked(name, g)
		h.mu.Unlock()
	}
	return h
}

// startRoomLocked registers a room and starts its goroutine; h.mu is held.
func (h *Hub) startRoomLocked(name string, g game) *room {
	r := newRoom(h, name, g)
	h.registry[name] = r
	h.rooms.Add(1)
	go r.run()
	return r
}

// trackSeat notes that a user holds (or no longer holds) a seat at a table,
// so that a new socket of theirs is put back at it.
func (h *Hub) trackSeat(userID int64, room string, seated bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if seated {
		if h.seats[userID] == nil {
			h.seats[userID] = make(map[string]struct{})
		}
		h.seats[userID][room] = struct{}{}
		return
	}
	delete(h.seats[userID], room)
	if len(h.seats[userID]) == 0 {
		delete(h.seats, userID)
	}
}

// seatsOf lists the tables where the user holds a seat.
func (h *Hub) seatsOf(userID int64) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.seats[userID]))
	for name := range h.seats[userID] {
		out = append(out, name)
	}
	return out
}

func (h *Hub) now() time.Time { return h.opts.Now() }

// Instance is the name this hub announces in `welcome`.
func (h *Hub) Instance() string { return h.opts.Instance }

// Counts reports the sockets and rooms open on this instance.
func (h *Hub) Counts() (sockets, rooms int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ss := range h.sessions {
		sockets += len(ss)
	}
	return sockets, len(h.registry)
}

var errClosing = imperio.Errorf(imperio.EUnavailable, "The server is restarting; reconnect in a moment.")

// register adds a session; it fails once shutdown has begun.
func (h *Hub) register(s *Session) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return errClosing
	}
	if h.sessions[s.player.ID] == nil {
		h.sessions[s.player.ID] = make(map[*Session]struct{})
	}
	h.sessions[s.player.ID][s] = struct{}{}
	h.byID[s.id] = s
	h.names[strings.ToLower(s.player.Username)] = s.player
	h.socks.Add(1)
	return nil
}

func (h *Hub) unregister(s *Session) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.sessions[s.player.ID], s)
	delete(h.byID, s.id)
	for name, rr := range h.remote {
		delete(rr.members, s)
		if len(rr.members) == 0 {
			delete(h.remote, name)
		}
	}
	if len(h.sessions[s.player.ID]) == 0 {
		delete(h.sessions, s.player.ID)
		delete(h.names, strings.ToLower(s.player.Username))
	}
	delete(h.lobby, s)
}

// online returns the connected player with this username, ignoring case.
func (h *Hub) online(username string) (Player, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, ok := h.names[strings.ToLower(username)]
	return p, ok
}

// toUser queues msg to every local socket of the user.
func (h *Hub) toUser(userID int64, msg []byte) {
	h.mu.Lock()
	targets := make([]*Session, 0, len(h.sessions[userID]))
	for s := range h.sessions[userID] {
		targets = append(targets, s)
	}
	h.mu.Unlock()
	for _, s := range targets {
		s.enqueue(msg)
	}
}

type balanceNotice struct {
	UserID int64 `json:"user_id"`
	Coins  int64 `json:"coins"`
}

type balanceData struct {
	Coins int64 `json:"coins"`
}

// publishBalance tells every socket of the user, on every instance, its new
// balance. Call it only after the change has committed.
func (h *Hub) publishBalance(userID int64, username string, coins int64) {
	h.noteBalance(username, coins)
	b, _ := json.Marshal(balanceNotice{UserID: userID, Coins: coins})
	if err := h.bus.Publish(h.ctx, topicBalance, b); err != nil {
		h.log.Warn("publish balance", "user_id", userID, "err", err)
	}
}

func (h *Hub) onBalance(payload []byte) {
	var n balanceNotice
	if err := json.Unmarshal(payload, &n); err != nil {
		h.log.Warn("bad balance notice", "err", err)
		return
	}
	h.toUser(n.UserID, encodeFrame(TypeBalance, "", "", balanceData{Coins: n.Coins}))
}

// Shutdown stops the hub in two steps. First it drains: new sockets are
// refused, every socket is told `server.shutdown` (with a reconnect hint),
// no table starts a new round, and rounds in play may finish, until
// DrainTimeout or shortly before ctx's deadline. Then every socket is closed
// with 1012 (service restart) and the rooms stop. A round still open then
// stays open in the store, to be voided (every stake refunded) by whoever
// opens the store next; the command's shutdown does so at once.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	already := h.closing
	h.closing = true
	all := h.sessionsLocked()
	h.mu.Unlock()
	if !already {
		msg := encodeFrame(TypeShutdown, "", "", map[string]any{"reconnect_after_ms": 1000})
		for _, s := range all {
			s.enqueue(msg)
		}
		h.drain(ctx)
	}
	h.mu.Lock()
	all = h.sessionsLocked()
	h.mu.Unlock()
	for _, s := range all {
		s.close(CloseServerRestart, "server restart")
	}
	for _, u := range h.unsubs {
		u()
	}
	h.cancel()
	done := make(chan struct{})
	go func() {
		h.socks.Wait()
		h.rooms.Wait()
		close(done)
	}()
	select {
	case <-done:
		if h.clustered() && !h.halted.Load() {
			return h.abandonLeases(ctx)
		}
		return nil
	case <-ctx.Done():
		return errors.Join(errors.New("hub shutdown: deadline passed"), ctx.Err())
	}
}

func (h *Hub) sessionsLocked() []*Session {
	var all []*Session
	for _, ss := range h.sessions {
		for s := range ss {
			all = append(all, s)
		}
	}
	return all
}

// drain waits until no room has a round in play, or the drain time is up.
func (h *Hub) drain(ctx context.Context) {
	limit := h.opts.DrainTimeout
	if d, ok := ctx.Deadline(); ok {
		// Leave a second to close sockets and stop rooms.
		limit = min(limit, time.Until(d)-time.Second)
	}
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(deadline) {
		busy := false
		h.mu.Lock()
		for _, r := range h.registry {
			if r.busy.Load() {
				busy = true
				break
			}
		}
		h.mu.Unlock()
		if !busy {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
	h.log.Warn("rounds still in play at shutdown: they will be voided")
}

// draining reports whether the hub is shutting down: tables start no round.
func (h *Hub) draining() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closing
}
