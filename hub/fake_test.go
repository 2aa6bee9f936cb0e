package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/games/fair"
	"github.com/imperio-casino/imperio/store"
	"github.com/imperio-casino/imperio/store/storetest"
)

// waitTimeout bounds every wait for something the hub is expected to do. It
// is generous: a busy machine running -race is slow, and a wait that ends
// early costs nothing.
const waitTimeout = 10 * time.Second

var errTransportClosed = errors.New("fake transport: closed")

// fakeTransport is an in-memory socket. The test plays the client: it pushes
// frames into in and reads what the session wrote. stall makes Write block
// the way a client that stopped reading does: until the write's context ends.
type fakeTransport struct {
	in   chan clientFrame
	gone chan struct{} // closed by the first Close

	mu      sync.Mutex
	out     [][]byte
	stalled bool
	blocked int           // writes that have blocked on a stall
	changed chan struct{} // closed and replaced whenever anything above changes
	closed  bool
	code    int
	reason  string
	closes  int
}

type clientFrame struct {
	b      []byte
	binary bool
}

func newFakeTransport() *fakeTransport {
	return &fakeTransport{
		in:      make(chan clientFrame, 512),
		gone:    make(chan struct{}),
		changed: make(chan struct{}),
	}
}

var _ transport = (*fakeTransport)(nil)

func (ft *fakeTransport) Read(ctx context.Context) ([]byte, error) {
	select {
	case f, ok := <-ft.in:
		if !ok {
			return nil, io.EOF
		}
		if f.binary {
			return nil, errBinaryFrame
		}
		return f.b, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-ft.gone:
		return nil, errTransportClosed
	}
}

func (ft *fakeTransport) Write(ctx context.Context, msg []byte) error {
	ft.mu.Lock()
	if ft.closed {
		ft.mu.Unlock()
		return errTransportClosed
	}
	if ft.stalled {
		ft.blocked++
		ft.signalLocked()
		ft.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ft.gone:
			return errTransportClosed
		}
	}
	ft.out = append(ft.out, msg)
	ft.signalLocked()
	ft.mu.Unlock()
	return nil
}

func (ft *fakeTransport) Ping(context.Context) error { return nil }

func (ft *fakeTransport) Close(code int, reason string) error {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.closes++
	if ft.closed {
		return errTransportClosed
	}
	ft.closed, ft.code, ft.reason = true, code, reason
	close(ft.gone)
	ft.signalLocked()
	return nil
}

func (ft *fakeTransport) signalLocked() {
	close(ft.changed)
	ft.changed = make(chan struct{})
}

// stall makes every later Write block like a client that stopped reading.
func (ft *fakeTransport) stall() {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.stalled = true
}

// await waits until cond, called with ft.mu held, holds or timeout passes.
func (ft *fakeTransport) await(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		ft.mu.Lock()
		ok, changed := cond(), ft.changed
		ft.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-changed:
		case <-deadline.C:
			return false
		}
	}
}

// closeState returns whether the transport was closed, with which code and reason.
func (ft *fakeTransport) closeState() (closed bool, code int, reason string) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return ft.closed, ft.code, ft.reason
}

// frame is a server frame as a client reads it.
type frame struct {
	Type string          `json:"type"`
	Re   string          `json:"re"`
	Room string          `json:"room"`
	Data json.RawMessage `json:"data"`
}

func (f frame) String() string {
	return fmt.Sprintf("%s re=%q room=%q %s", f.Type, f.Re, f.Room, f.Data)
}

func (f frame) code() string {
	var d errorData
	_ = json.Unmarshal(f.Data, &d)
	return d.Code
}

func decodeAs[T any](t testing.TB, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

// testEnv is a hub on a fresh SQLite store, shut down when the test ends.
type testEnv struct {
	t  *testing.T
	h  *Hub
	st *store.Store
}

// newEnv starts a hub with o, filling in the real store as the wallet, a
// seeded RNG and a logger that writes errors to the test's output.
func newEnv(t *testing.T, o Options) *testEnv {
	t.Helper()
	st := storetest.OpenSQLite(t)
	o.Wallet = st
	if o.NewSource == nil {
		o.NewSource = func() fair.Source { return fair.NewSeeded(1) }
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))
	}
	if o.Instance == "" {
		o.Instance = "test-1"
	}
	h := New(o)
	// Cleanups run last in, first out: the hub stops before the store closes.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return &testEnv{t: t, h: h, st: st}
}

// user creates an account with the usual 1000-coin grant.
func (e *testEnv) user(name string) Player {
	e.t.Helper()
	u, err := e.st.CreateUser(context.Background(), imperio.NewUser{
		Username: name, Email: name + "@example.com", PasswordHash: "x", Grant: 1000,
	})
	if err != nil {
		e.t.Fatalf("create user %s: %v", name, err)
	}
	return Player{ID: u.ID, Username: u.Username}
}

// connect serves a new socket of p without reading anything from it.
func (e *testEnv) connect(p Player) *testClient {
	e.t.Helper()
	c := &testClient{t: e.t, name: p.Username, ft: newFakeTransport(), served: make(chan struct{})}
	go func() {
		defer close(c.served)
		e.h.serve(p, c.ft)
	}()
	return c
}

// dial connects p and reads the welcome.
func (e *testEnv) dial(p Player) *testClient {
	e.t.Helper()
	c := e.connect(p)
	c.expect(TypeWelcome)
	return c
}

// bind makes the clients report to t, the subtest now using them, until it
// ends: a subtest must not fail its parent.
func bind(t *testing.T, cs ...*testClient) {
	for _, c := range cs {
		parent := c.t
		c.t = t
		t.Cleanup(func() { c.t = parent })
	}
}

// bind makes the env report to t, the subtest now using it, until it ends.
func (e *testEnv) bind(t *testing.T) {
	parent := e.t
	e.t = t
	t.Cleanup(func() { e.t = parent })
}

// eventually polls cond until it holds, failing the test at the deadline.
// It is for conditions nothing signals, such as a room leaving the registry.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// testClient drives one fake socket: it sends client frames and reads the
// server's in order.
type testClient struct {
	t      *testing.T
	name   string
	ft     *fakeTransport
	served chan struct{} // closed when serve returns
	seen   int           // frames read so far; one reader at a time

	mu  sync.Mutex
	ids int
}

// send queues a client frame and returns its id.
func (c *testClient) send(typ string, data any) string {
	c.t.Helper()
	id, err := c.request(typ, data)
	if err != nil {
		c.t.Fatal(err)
	}
	return id
}

// request queues a client frame and returns its id. Unlike send it may be
// called from any goroutine.
func (c *testClient) request(typ string, data any) (string, error) {
	c.mu.Lock()
	c.ids++
	id := c.name + "-" + strconv.Itoa(c.ids)
	c.mu.Unlock()
	b, err := json.Marshal(map[string]any{"type": typ, "id": id, "data": data})
	if err != nil {
		return "", fmt.Errorf("encode %s: %w", typ, err)
	}
	return id, c.push(clientFrame{b: b})
}

// raw queues bytes as one text frame.
func (c *testClient) raw(b []byte) {
	c.t.Helper()
	if err := c.push(clientFrame{b: b}); err != nil {
		c.t.Fatal(err)
	}
}

// binary queues one binary frame.
func (c *testClient) binary() {
	c.t.Helper()
	if err := c.push(clientFrame{b: []byte{1}, binary: true}); err != nil {
		c.t.Fatal(err)
	}
}

func (c *testClient) push(f clientFrame) error {
	select {
	case c.ft.in <- f:
		return nil
	case <-time.After(waitTimeout):
		return fmt.Errorf("%s: the session does not read", c.name)
	}
}

// next reads the next frame the server wrote, waiting for it.
func (c *testClient) next() (frame, error) {
	var b []byte
	ok := c.ft.await(waitTimeout, func() bool {
		if c.seen < len(c.ft.out) {
			b = c.ft.out[c.seen]
			return true
		}
		return false
	})
	if !ok {
		return frame{}, fmt.Errorf("%s: no frame after %d within %v", c.name, c.seen, waitTimeout)
	}
	c.seen++
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		return frame{}, fmt.Errorf("%s: server wrote bad JSON %q: %w", c.name, b, err)
	}
	return f, nil
}

// until reads frames until one matches, skipping the others.
func (c *testClient) until(what string, match func(frame) bool) (frame, error) {
	for {
		f, err := c.next()
		if err != nil {
			return frame{}, fmt.Errorf("waiting for %s: %w", what, err)
		}
		if match(f) {
			return f, nil
		}
	}
}

// expect reads frames until one of type typ.
func (c *testClient) expect(typ string) frame {
	c.t.Helper()
	f, err := c.until(typ, func(f frame) bool { return f.Type == typ })
	if err != nil {
		c.t.Fatal(err)
	}
	return f
}

// answer reads frames until the one answering request id.
func (c *testClient) answer(id string) frame {
	c.t.Helper()
	f, err := c.until("answer to "+id, func(f frame) bool { return f.Re == id })
	if err != nil {
		c.t.Fatal(err)
	}
	return f
}

// frames returns every frame written so far, read or not.
func (c *testClient) frames() []frame {
	c.t.Helper()
	c.ft.mu.Lock()
	out := append([][]byte(nil), c.ft.out...)
	c.ft.mu.Unlock()
	fs := make([]frame, len(out))
	for i, b := range out {
		if err := json.Unmarshal(b, &fs[i]); err != nil {
			c.t.Fatalf("%s: server wrote bad JSON %q: %v", c.name, b, err)
		}
	}
	return fs
}

// awaitClose waits for the server to close the socket and for its session
// to end, and returns the close code and reason.
func (c *testClient) awaitClose() (int, string) {
	c.t.Helper()
	if !c.ft.await(waitTimeout, func() bool { return c.ft.closed }) {
		c.t.Fatalf("%s: socket still open after %v", c.name, waitTimeout)
	}
	select {
	case <-c.served:
	case <-time.After(waitTimeout):
		c.t.Fatalf("%s: session did not end after its socket closed", c.name)
	}
	_, code, reason := c.ft.closeState()
	return code, reason
}

// isOpen reports whether the server has not closed the socket.
func (c *testClient) isOpen() bool {
	closed, _, _ := c.ft.closeState()
	return !closed
}

// spin spins machine for bet and returns the answer.
func (c *testClient) spin(machine string, bet int64) frame {
	c.t.Helper()
	return c.answer(c.send(TypeSlotsSpin, map[string]any{"machine": machine, "bet": bet}))
}

// mustSpin spins and fails the test unless the spin settled.
func (c *testClient) mustSpin(machine string, bet int64) spinResult {
	c.t.Helper()
	f := c.spin(machine, bet)
	if f.Type != TypeSlotsResult {
		c.t.Fatalf("%s: spin answered %s", c.name, f)
	}
	return decodeAs[spinResult](c.t, f.Data)
}

// roomInfo returns the lobby line of the room called name, if it is open.
func (e *testEnv) roomInfo(name string) (RoomInfo, bool) {
	for _, i := range e.h.Rooms() {
		if i.Room == name {
			return i, true
		}
	}
	return RoomInfo{}, false
}
