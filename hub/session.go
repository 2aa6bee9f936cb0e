package hub

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imperio-casino/imperio"
)

// Abuse thresholds: this many consecutive malformed frames, or refusals by
// the rate limiter, close the socket.
const (
	maxGarbage = 10
	maxFloods  = 50
)

// Session is one socket of one player: a read loop that decodes and routes
// frames, a write loop that drains a bounded queue, and the rooms it is in.
type Session struct {
	id     string
	hub    *Hub
	player Player
	t      transport
	log    *slog.Logger

	send      chan []byte
	done      chan struct{}
	closeOnce sync.Once
	closeCode int
	closeWhy  string
	// writeCtx bounds the writer's writes and pings; abortWrite cancels it
	// when the socket is closed as slow, so that a write stuck on a client
	// that stopped reading is abandoned rather than waited out.
	writeCtx   context.Context
	abortWrite context.CancelFunc

	// The writer runs only while there is something to write (an idle
	// socket holds no goroutine but its reader): served is set once the
	// session is served, writing while a writer goroutine runs, and
	// writerDone is closed when the writer has closed the transport.
	served     atomic.Bool
	writing    atomic.Bool
	writerDone chan struct{}
	// pinger pings the client every pingInterval, from a goroutine of its
	// own only while it pings.
	pinger *time.Timer
	// deadline bounds the writes; only the writer uses it (one at a time:
	// the writing flag orders them).
	deadline writeDeadline

	mu    sync.Mutex
	rooms map[string]struct{} // rooms it is a member of, kept by the rooms

	// origin is set on a proxy session: the instance whose socket it
	// stands for. A proxy has no transport and no goroutines; what is
	// queued to it goes to that instance (cluster.go).
	origin   string
	lastUsed atomic.Int64 // a proxy: unix ns of the last command through it

	// Owned by the read loop.
	garbage int
	floods  int
}

func newSession(h *Hub, p Player, t transport) *Session {
	id := imperio.NewID()
	writeCtx, abortWrite := context.WithCancel(context.Background())
	return &Session{
		id:     id,
		hub:    h,
		player: p,
		t:      t,
		log:    h.log.With("session_id", id, "user_id", p.ID),
		send:   make(chan []byte, h.opts.SendQueue),
		done:   make(chan struct{}),
		rooms:  make(map[string]struct{}),

		writeCtx:   writeCtx,
		abortWrite: abortWrite,
		writerDone: make(chan struct{}),
	}
}

// ServeSocket runs a player's socket until it closes. The caller has
// authenticated the player and upgraded the connection.
func (h *Hub) serve(p Player, t transport) {
	s := newSession(h, p, t)
	if err := h.register(s); err != nil {
		t.Close(CloseServerRestart, "server restart")
		return
	}
	defer h.socks.Done()
	s.log.Debug("socket open")
	coins, err := h.opts.Wallet.Balance(h.ctx, p.ID)
	if err != nil {
		s.log.Error("welcome balance", "err", err)
		t.Close(1011, "unavailable")
		h.unregister(s)
		return
	}
	s.enqueue(encodeFrame(TypeWelcome, "", "", welcomeData{
		User:     userData{ID: p.ID, Username: p.Username},
		Coins:    coins,
		Instance: h.opts.Instance,
		Protocol: ProtocolVersion,
		Session:  s.id,
	}))
	// A player who holds seats (their socket dropped, or another socket of
	// theirs is open) is put back at those tables.
	for _, name := range h.seatsOf(p.ID) {
		_ = h.route(name, roomCmd{kind: cmdEnter, s: s, role: rolePlayer}, false)
	}
	s.served.Store(true)
	s.wakeWriter() // the welcome, and anything queued meanwhile
	s.pinger = time.AfterFunc(pingInterval, s.ping)
	s.readLoop()
	s.close(CloseNormal, "")
	<-s.writerDone
	s.pinger.Stop()
	s.leaveAll()
	h.unregister(s)
	s.log.Debug("socket closed", "code", s.closeCode, "reason", s.closeWhy)
}

type userData struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
}

type welcomeData struct {
	User     userData `json:"user"`
	Coins    int64    `json:"coins"`
	Instance string   `json:"instance"`
	Protocol int      `json:"protocol"`
	Session  string   `json:"session"`
}

// enqueue queues a frame without blocking. A full queue means the client
// cannot keep up: the socket is closed as slow rather than slowing anyone.
func (s *Session) enqueue(msg []byte) bool {
	if s.origin != "" {
		s.sendRemote(msg)
		return true
	}
	select {
	case <-s.done:
		return false
	default:
	}
	select {
	case s.send <- msg:
		s.wakeWriter()
		return true
	default:
		s.log.Warn("closing slow socket", "queue", cap(s.send))
		s.hub.opts.Metrics.slowCloses.Inc()
		s.close(CloseSlow, "too slow")
		return false
	}
}

// close ends the session with a close code; the write loop sends it.
func (s *Session) close(code int, reason string) {
	if s.origin != "" {
		_ = s.hub.toPeer(s.origin, peerMsg{Op: "close", Sid: s.id, Code: code, Text: reason}, nil)
		return
	}
	s.closeOnce.Do(func() {
		s.closeCode, s.closeWhy = code, reason
		if code == CloseSlow {
			s.abortWrite()
			if fw, ok := s.t.(frameWriter); ok {
				fw.Abort()
			}
		}
		close(s.done)
		s.wakeWriter() // the writer sends the close
	})
}

// wakeWriter starts the writer unless it runs (or the session is not
// served: hub tests read the queue of such sessions themselves).
func (s *Session) wakeWriter() {
	if s.served.Load() && s.writing.CompareAndSwap(false, true) {
		go s.writeLoop()
	}
}

// writeLoop drains the queue and returns when it is empty; a frame queued
// after it saw the queue empty starts another (wakeWriter). When the
// session is closed, it flushes what is queued (unless the socket was slow)
// and closes the transport, and no writer starts again.
func (s *Session) writeLoop() {
	for {
		select {
		case <-s.done:
			if s.closeCode != CloseSlow {
				s.flush()
			}
			s.t.Close(s.closeCode, s.closeWhy)
			s.deadline.release()
			close(s.writerDone)
			return // writing stays set: the socket is done
		default:
		}
		select {
		case msg := <-s.send:
			if err := s.writeQueued(msg); err != nil {
				// The session may have been closed already (as slow, which
				// aborts the write): close with the code it was closed with.
				s.close(CloseGoingAway, "")
				s.t.Close(s.closeCode, s.closeWhy)
				s.deadline.release()
				close(s.writerDone)
				return
			}
		case <-s.done:
		default:
			s.writing.Store(false)
			// A frame queued (or a close) between the empty queue and
			// the store above found the writer still running: look again.
			if (len(s.send) == 0 && !isClosed(s.done)) || !s.writing.CompareAndSwap(false, true) {
				return
			}
		}
	}
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// ping checks that the client still answers, every pingInterval.
func (s *Session) ping() {
	if isClosed(s.done) {
		return
	}
	ctx, cancel := context.WithTimeout(s.writeCtx, pingTimeout)
	err := s.t.Ping(ctx)
	cancel()
	if err != nil {
		s.close(CloseGoingAway, "ping timeout")
		return
	}
	s.pinger.Reset(pingInterval)
}

// flush writes what is already queued, for a clean close.
func (s *Session) flush() {
	for {
		select {
		case msg := <-s.send:
			if s.writeQueued(msg) != nil {
				return
			}
		default:
			return
		}
	}
}

// maxBatch bounds the frames written with one system call.
const maxBatch = 64

var batches = sync.Pool{New: func() any { b := make([][]byte, 0, maxBatch); return &b }}

// writeQueued writes first and, where the transport can, the frames queued
// behind it in the same write: the events of one table step or a lobby
// notice with its leaderboard reach a socket in one system call.
func (s *Session) writeQueued(first []byte) error {
	s.hub.opts.Metrics.sent(first)
	fw, ok := s.t.(frameWriter)
	if !ok {
		return s.t.Write(s.deadline.context(s.writeCtx), first)
	}
	bp := batches.Get().(*[][]byte)
	batch := append((*bp)[:0], first)
more:
	for len(batch) < maxBatch {
		select {
		case msg := <-s.send:
			s.hub.opts.Metrics.sent(msg)
			batch = append(batch, msg)
		default:
			break more
		}
	}
	err := fw.WriteFrames(batch)
	clear(batch)
	*bp = batch[:0]
	batches.Put(bp)
	return err
}

// writeDeadline bounds a socket's writes. A context with a deadline costs
// allocations and a timer, so one serves the writes of a second (across
// runs of the writer: a broadcast wakes it for one frame): each write still
// has from writeTimeout-1s to writeTimeout.
type writeDeadline struct {
	ctx    context.Context
	cancel context.CancelFunc
	renew  time.Time
}

func (d *writeDeadline) context(parent context.Context) context.Context {
	if now := time.Now(); d.ctx == nil || now.After(d.renew) {
		d.release()
		d.ctx, d.cancel = context.WithTimeout(parent, writeTimeout)
		d.renew = now.Add(time.Second)
	}
	return d.ctx
}

func (d *writeDeadline) release() {
	if d.cancel != nil {
		d.cancel()
	}
}

// readLoop reads until the socket ends. It is not cancelled when the
// session closes: the writer's close handshake ends the read, so the client
// receives the close frame (with its code) before the connection goes.
func (s *Session) readLoop() {
	ctx := context.Background()
	for {
		b, err := s.t.Read(ctx)
		select {
		case <-s.done:
			// Closing: what arrives during the close handshake is dropped.
			if err == nil {
				continue
			}
		default:
		}
		if errors.Is(err, errBinaryFrame) {
			if s.refuse("", imperio.Errorf(imperio.EInvalidInput, "Frames must be JSON text, not binary.")) {
				return
			}
			continue
		}
		if err != nil {
			if code := closeStatus(err); code == 1009 {
				s.log.Info("socket closed: frame too large")
			}
			return
		}
		if !s.handle(b) {
			return
		}
	}
}

// handle processes one frame; false ends the read loop.
func (s *Session) handle(b []byte) bool {
	f, err := decodeFrame(b)
	if err != nil {
		return !s.refuse(f.ID, err)
	}
	if lim := s.hub.opts.Limiter; lim != nil {
		ok, retry, err := lim.Allow(context.Background(), "msg:"+strconv.FormatInt(s.player.ID, 10))
		if err != nil {
			s.log.Warn("rate limiter", "err", err)
		} else if !ok {
			s.hub.opts.Metrics.rateLimited.WithLabelValues("messages").Inc()
			s.floods++
			if s.floods > maxFloods {
				s.close(CloseFlood, "rate limit exceeded")
				return false
			}
			s.reply(f.ID, &imperio.Error{Code: imperio.ERateLimited, Message: "Too many messages; slow down.", RetryAfter: retry})
			return true
		}
	}
	s.floods = 0
	s.garbage = 0
	s.hub.opts.Metrics.received(f.Type)
	s.dispatch(f)
	return true
}

// refuse answers a malformed frame and reports whether the socket must close
// for sending too many in a row.
func (s *Session) refuse(re string, err error) bool {
	s.garbage++
	if s.garbage > maxGarbage {
		s.close(CloseGarbage, "too many malformed frames")
		return true
	}
	s.reply(re, err)
	return false
}

// reply sends the answer to request re: an error frame for err.
func (s *Session) reply(re string, err error) {
	code := imperio.ErrorCode(err)
	if code == imperio.EInternal {
		s.log.Error("request failed", "re", re, "err", err)
	}
	s.hub.opts.Metrics.errors.WithLabelValues(code).Inc()
	s.enqueue(encodeError(re, err))
}

// setRoom records that the session entered (in) or left a room. Rooms call
// it from their goroutine when they admit or drop the session.
func (s *Session) setRoom(name, role string, in bool) {
	s.mu.Lock()
	if in {
		s.rooms[name] = struct{}{}
	} else {
		delete(s.rooms, name)
	}
	empty := len(s.rooms) == 0
	s.mu.Unlock()
	if s.origin == "" {
		return
	}
	// A proxy tells its socket's instance, which keeps the real session's
	// rooms; a proxy in no room is forgotten.
	m := peerMsg{Op: "room", From: s.hub.opts.Instance, Sid: s.id, Room: name, Role: role, In: in}
	if err := s.hub.toPeer(s.origin, m, nil); err != nil {
		s.log.Warn("tell peer of room", "room", name, "err", err)
	}
	if empty {
		s.hub.dropIdleProxy(s)
	}
}

// inRoom reports whether the session is a member of the room.
func (s *Session) inRoom(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.rooms[name]
	return ok
}

// roomNames lists the rooms the session is a member of.
func (s *Session) roomNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.rooms))
	for n := range s.rooms {
		names = append(names, n)
	}
	return names
}
