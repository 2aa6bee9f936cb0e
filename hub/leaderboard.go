package hub

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/auth"
)

// Leaderboard names, as in GET /api/leaderboard?board= and the `leaderboard`
// push.
const (
	BoardRichest   = "richest"    // coins held now
	BoardWinsToday = "wins_today" // each player's biggest win today (UTC)
	BoardNetWeek   = "net_week"   // net winnings this ISO week (UTC): paid minus staked
)

// Boards lists the leaderboards in the order the lobby shows them.
var Boards = []string{BoardRichest, BoardWinsToday, BoardNetWeek}

// leaderSize is how many entries a board shows.
const leaderSize = 10

// LeaderEntry is one line of a leaderboard.
type LeaderEntry struct {
	Rank     int    `json:"rank"`
	Username string `json:"username"`
	Score    int64  `json:"score"`
}

// LeaderUpdate is a batch of score changes, coalesced by the hub before it
// reaches the Leaderboards: a player's latest balance, biggest win and net
// result since the last batch.
type LeaderUpdate struct {
	Balances map[string]int64
	Wins     map[string]int64
	Net      map[string]int64
}

func (u *LeaderUpdate) empty() bool {
	return len(u.Balances) == 0 && len(u.Wins) == 0 && len(u.Net) == 0
}

// Leaderboards keep the scores: Redis sorted sets shared by every instance
// (RedisLeaderboards), or memory for one instance (MemoryLeaderboards).
// Day and week boards are keyed by their UTC period, so they start empty
// when it turns.
type Leaderboards interface {
	Apply(ctx context.Context, now time.Time, u LeaderUpdate) error
	Top(ctx context.Context, board string, now time.Time, n int) ([]LeaderEntry, error)
}

// validBoard reports whether name is a leaderboard.
func validBoard(name string) bool {
	for _, b := range Boards {
		if b == name {
			return true
		}
	}
	return false
}

// dayKey and weekKey name the current period of the time-bucketed boards.
func dayKey(now time.Time) string { return now.UTC().Format("2006-01-02") }

func weekKey(now time.Time) string {
	y, w := now.UTC().ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// MemoryLeaderboards keeps the boards of a single instance in process.
type MemoryLeaderboards struct {
	mu      sync.Mutex
	richest map[string]int64
	day     string
	wins    map[string]int64
	week    string
	net     map[string]int64
}

// NewMemoryLeaderboards returns empty boards.
func NewMemoryLeaderboards() *MemoryLeaderboards {
	return &MemoryLeaderboards{richest: map[string]int64{}, wins: map[string]int64{}, net: map[string]int64{}}
}

// Apply adds a batch.
func (m *MemoryLeaderboards) Apply(_ context.Context, now time.Time, u LeaderUpdate) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.turn(now)
	for name, coins := range u.Balances {
		m.richest[name] = coins
	}
	for name, win := range u.Wins {
		if win > m.wins[name] {
			m.wins[name] = win
		}
	}
	for name, net := range u.Net {
		m.net[name] += net
	}
	return nil
}

// turn starts new day and week boards when their period has changed.
func (m *MemoryLeaderboards) turn(now time.Time) {
	if d := dayKey(now); d != m.day {
		m.day, m.wins = d, map[string]int64{}
	}
	if w := weekKey(now); w != m.week {
		m.week, m.net = w, map[string]int64{}
	}
}

// Top returns the board's first n entries, highest score first (ties by
// name).
func (m *MemoryLeaderboards) Top(_ context.Context, board string, now time.Time, n int) ([]LeaderEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.turn(now)
	var scores map[string]int64
	switch board {
	case BoardRichest:
		scores = m.richest
	case BoardWinsToday:
		scores = m.wins
	case BoardNetWeek:
		scores = m.net
	default:
		return nil, imperio.Errorf(imperio.EInvalidInput, "No leaderboard %q.", truncate(board, 40))
	}
	out := make([]LeaderEntry, 0, len(scores))
	for name, s := range scores {
		out = append(out, LeaderEntry{Username: name, Score: s})
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Score != out[b].Score {
			return out[a].Score > out[b].Score
		}
		return out[a].Username < out[b].Username
	})
	if len(out) > n {
		out = out[:n]
	}
	for i := range out {
		out[i].Rank = i + 1
	}
	return out, nil
}

// leaders coalesces score changes between flushes and keeps the boards last
// read, for the lobby.
type leaders struct {
	mu      sync.Mutex
	pending LeaderUpdate
	shown   map[string][]byte // board -> its last `leaderboard` frame
}

func newLeaders() *leaders {
	return &leaders{pending: newLeaderUpdate(), shown: map[string][]byte{}}
}

func newLeaderUpdate() LeaderUpdate {
	return LeaderUpdate{Balances: map[string]int64{}, Wins: map[string]int64{}, Net: map[string]int64{}}
}

// noteBalance records a player's coins for the richest board.
func (h *Hub) noteBalance(username string, coins int64) {
	if username == "" {
		return
	}
	l := h.leaders
	l.mu.Lock()
	l.pending.Balances[username] = coins
	l.mu.Unlock()
}

// noteResult records a settled round's result for a player: what they staked
// and what was paid back to them.
func (h *Hub) noteResult(username string, staked, paid int64) {
	if username == "" {
		return
	}
	l := h.leaders
	l.mu.Lock()
	defer l.mu.Unlock()
	if paid > l.pending.Wins[username] {
		l.pending.Wins[username] = paid
	}
	l.pending.Net[username] += paid - staked
}

// leaderTopic tells every instance that the boards changed.
const topicLeaders = "leaders"

// flushLeaders writes the coalesced changes, then tells every instance to
// read the boards again.
func (h *Hub) flushLeaders() {
	l := h.leaders
	l.mu.Lock()
	u := l.pending
	if u.empty() {
		l.mu.Unlock()
		return
	}
	l.pending = newLeaderUpdate()
	l.mu.Unlock()
	ctx, cancel := context.WithTimeout(h.ctx, 2*time.Second)
	defer cancel()
	if err := h.opts.Leaderboards.Apply(ctx, h.now(), u); err != nil {
		h.log.Warn("update leaderboards", "err", err)
		return
	}
	_ = h.bus.Publish(h.ctx, topicLeaders, []byte(strconv.FormatInt(h.now().UnixMilli(), 10)))
}

// refreshLeaders reads every board and pushes the ones that changed to the
// lobby. It runs on the lobby loop, at most once per interval.
func (h *Hub) refreshLeaders() {
	ctx, cancel := context.WithTimeout(h.ctx, 2*time.Second)
	defer cancel()
	for _, board := range Boards {
		entries, err := h.opts.Leaderboards.Top(ctx, board, h.now(), leaderSize)
		if err != nil {
			h.log.Warn("read leaderboard", "board", board, "err", err)
			return
		}
		msg := encodeFrame(TypeLeaderboard, "", "", leaderboardData{Board: board, Entries: entries})
		l := h.leaders
		l.mu.Lock()
		same := string(l.shown[board]) == string(msg)
		l.shown[board] = msg
		l.mu.Unlock()
		if same {
			continue
		}
		h.mu.Lock()
		subs := h.lobbySubsLocked()
		h.mu.Unlock()
		for _, s := range subs {
			s.enqueue(msg)
		}
	}
}

// shownLeaders is the boards' last frames, for a new lobby subscriber.
func (h *Hub) shownLeaders() [][]byte {
	l := h.leaders
	l.mu.Lock()
	defer l.mu.Unlock()
	var out [][]byte
	for _, b := range Boards {
		if msg := l.shown[b]; msg != nil {
			out = append(out, msg)
		}
	}
	return out
}

type leaderboardData struct {
	Board   string        `json:"board"`
	Entries []LeaderEntry `json:"entries"`
}

// Leaderboard reads one board, for GET /api/leaderboard.
func (h *Hub) Leaderboard(ctx context.Context, board string, n int) ([]LeaderEntry, error) {
	if !validBoard(board) {
		return nil, imperio.Errorf(imperio.EInvalidInput, "No leaderboard %q; boards are richest, wins_today and net_week.", truncate(board, 40))
	}
	entries, err := h.opts.Leaderboards.Top(ctx, board, h.now(), n)
	if err != nil {
		return nil, imperio.Errorf(imperio.EUnavailable, "Leaderboards cannot be read right now.")
	}
	return entries, nil
}

// markLeaders notes that the boards changed (here or on another instance).
func (h *Hub) markLeaders() {
	select {
	case h.leaderNews <- struct{}{}:
	default:
	}
}

// leaderPushEvery is how many LeaderIntervals pass at least between two
// reads of the boards for the lobby.
const leaderPushEvery = 4

// leaderLoop writes the coalesced score changes every LeaderInterval and,
// when any instance changed the boards, reads them again and pushes what
// changed to the lobby, at most every leaderPushEvery intervals however
// busy.
func (h *Hub) leaderLoop() {
	if h.opts.Richest != nil {
		ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
		top, err := h.opts.Richest(ctx, 100)
		cancel()
		if err != nil {
			h.log.Warn("seed the richest leaderboard", "err", err)
		}
		for _, t := range top {
			h.noteBalance(t.Username, t.Coins)
		}
	}
	tick := time.NewTicker(h.opts.LeaderInterval)
	defer tick.Stop()
	dirty := true
	ticks := leaderPushEvery // the first change is pushed at once
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-h.leaderNews:
			dirty = true
		case <-tick.C:
			h.flushLeaders()
			if ticks < leaderPushEvery {
				ticks++
			}
			if dirty && ticks >= leaderPushEvery {
				dirty, ticks = false, 0
				h.refreshLeaders()
			}
		}
	}
}

// leaderboardRoute serves GET /api/leaderboard?board=&limit=: one board,
// richest unless named, 10 entries unless limit (1-100) says otherwise.
func (h *Hub) leaderboardRoute(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		board := c.Query("board")
		if board == "" {
			board = BoardRichest
		}
		n := leaderSize
		if q := c.Query("limit"); q != "" {
			v, err := strconv.Atoi(q)
			if err != nil || v < 1 || v > 100 {
				auth.WriteError(c, log, imperio.Errorf(imperio.EInvalidInput, "limit is a whole number from 1 to 100."))
				return
			}
			n = v
		}
		entries, err := h.Leaderboard(c.Request.Context(), board, n)
		if err != nil {
			auth.WriteError(c, log, err)
			return
		}
		c.JSON(http.StatusOK, leaderboardData{Board: board, Entries: entries})
	}
}
