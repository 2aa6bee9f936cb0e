package hub

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Close codes sent to a client. 4000-4999 are ours.
const (
	CloseNormal        = 1000
	CloseGoingAway     = 1001
	CloseServerRestart = 1012
	CloseUnauthorized  = 4001
	CloseGarbage       = 4002 // repeated malformed frames
	CloseBanned        = 4003 // the account was banned
	CloseSlow          = 4008 // the send queue filled up
	CloseFlood         = 4029 // kept sending past the rate limit
	CloseReplaced      = 4009 // reserved: session replaced
)

// readLimit bounds one client frame. Larger frames close the socket (1009).
const readLimit = 32 << 10

// transport is what a Session needs from a socket. Only this file knows
// that it is a WebSocket; hub tests use an in-memory transport.
type transport interface {
	Read(ctx context.Context) ([]byte, error)
	Write(ctx context.Context, msg []byte) error
	Ping(ctx context.Context) error
	Close(code int, reason string) error
}

// frameWriter is a transport that writes several frames with one system
// call, and can abandon a write stuck on a client that stopped reading.
type frameWriter interface {
	WriteFrames(msgs [][]byte) error
	Abort()
}

// wsTransport is a socket upgraded by coder/websocket. batchedWS is the
// same socket whose connection the library got through upgradeWriter: the
// library reads it and writes its control frames (pong, ping, close), and
// WriteFrames writes data frames straight to the connection under it. A
// server's text frame is a header and the payload, unmasked, so the frames
// queued to a socket go out together in one write instead of one system
// call each (a broadcast's cost is its system calls: docs/PERFORMANCE.md).
type wsTransport struct{ c *websocket.Conn }

type batchedWS struct {
	wsTransport
	raw *rawConn
}

// acceptWS upgrades the request. Same-origin requests are always allowed;
// cross-origin ones only when the origin's host matches one of patterns.
func acceptWS(w http.ResponseWriter, r *http.Request, patterns []string) (transport, error) {
	uw := &upgradeWriter{ResponseWriter: w}
	c, err := websocket.Accept(uw, r, &websocket.AcceptOptions{
		OriginPatterns:  patterns,
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(readLimit)
	if uw.raw == nil {
		return wsTransport{c}, nil
	}
	return batchedWS{wsTransport{c}, uw.raw}, nil
}

// upgradeWriter hands the WebSocket library a rawConn in place of the
// hijacked connection, so that the library's writes and the session's
// batches share one lock.
type upgradeWriter struct {
	http.ResponseWriter
	raw *rawConn
}

// WriteHeaderNow lets the library commit the 101 through gin's writer
// (which otherwise holds the status until the first write).
func (u *upgradeWriter) WriteHeaderNow() {
	if w, ok := u.ResponseWriter.(interface{ WriteHeaderNow() }); ok {
		w.WriteHeaderNow()
	}
}

func (u *upgradeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(u.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if brw.Writer.Buffered() > 0 {
		// Not expected from net/http (the response is flushed before the
		// hijack); keep the library's plain path rather than lose bytes.
		return conn, brw, nil
	}
	u.raw = &rawConn{Conn: conn}
	brw.Writer.Reset(u.raw)
	return u.raw, brw, nil
}

// rawConn is the upgraded connection. Every write to it, the library's and
// the batches', holds mu, so frames never interleave.
type rawConn struct {
	net.Conn
	mu      sync.Mutex
	aborted atomic.Bool
	// deadline is the connection's write deadline, renewed (under mu) when
	// less than writeTimeout-1s is left: a write still has 9 to 10 s, and a
	// busy socket sets it once a second instead of twice per write.
	deadline time.Time
}

// renewDeadline keeps the write deadline ahead of now; mu is held.
func (c *rawConn) renewDeadline() {
	if c.aborted.Load() {
		return
	}
	now := time.Now()
	if c.deadline.Sub(now) >= writeTimeout-time.Second {
		return
	}
	c.deadline = now.Add(writeTimeout)
	_ = c.Conn.SetWriteDeadline(c.deadline)
	if c.aborted.Load() { // abort ran meanwhile: its deadline stands
		_ = c.Conn.SetWriteDeadline(time.Unix(1, 0))
	}
}

var errAborted = errors.New("socket write abandoned")

// Write is the library's path (control frames, and data frames while
// closing): one call per flush, whole frames.
func (c *rawConn) Write(p []byte) (int, error) {
	if c.aborted.Load() {
		return 0, errAborted
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.renewDeadline()
	return c.Conn.Write(p)
}

// writeBatch writes b, bounded by writeTimeout (or by abort).
func (c *rawConn) writeBatch(b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.aborted.Load() {
		return errAborted
	}
	c.renewDeadline()
	_, err := c.Conn.Write(b)
	return err
}

// abort makes a stuck write (and every later one) fail at once.
func (c *rawConn) abort() {
	c.aborted.Store(true)
	_ = c.Conn.SetWriteDeadline(time.Unix(1, 0))
}

// batchBuffers hold the bytes of one WriteFrames call.
var batchBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// maxPooledBatch keeps an occasional huge batch from staying in the pool.
const maxPooledBatch = 256 << 10

// WriteFrames writes msgs as text frames with one write.
func (t batchedWS) WriteFrames(msgs [][]byte) error {
	bp := batchBuffers.Get().(*[]byte)
	b := (*bp)[:0]
	for _, m := range msgs {
		b = appendTextFrame(b, m)
	}
	err := t.raw.writeBatch(b)
	if cap(b) <= maxPooledBatch {
		*bp = b[:0]
		batchBuffers.Put(bp)
	}
	return err
}

func (t batchedWS) Abort() { t.raw.abort() }

// appendTextFrame appends a final, unmasked text frame holding p (RFC 6455
// section 5.2: a server's frames are not masked).
func appendTextFrame(b, p []byte) []byte {
	const finText = 0x80 | 0x1
	switch n := len(p); {
	case n <= 125:
		b = append(b, finText, byte(n))
	case n <= 0xffff:
		b = append(b, finText, 126, byte(n>>8), byte(n))
	default:
		b = append(b, finText, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, p...)
}

func (t wsTransport) Read(ctx context.Context) ([]byte, error) {
	typ, b, err := t.c.Read(ctx)
	if err != nil {
		return nil, err
	}
	if typ != websocket.MessageText {
		return nil, errBinaryFrame
	}
	return b, nil
}

func (t wsTransport) Write(ctx context.Context, msg []byte) error {
	return t.c.Write(ctx, websocket.MessageText, msg)
}

func (t wsTransport) Ping(ctx context.Context) error { return t.c.Ping(ctx) }

func (t wsTransport) Close(code int, reason string) error {
	err := t.c.Close(websocket.StatusCode(code), reason)
	if err != nil {
		t.c.CloseNow()
	}
	return err
}

var errBinaryFrame = errors.New("binary frame")

// closeStatus returns the WebSocket close code carried by a read error, or -1.
func closeStatus(err error) int { return int(websocket.CloseStatus(err)) }

// originPatterns turns IMPERIO_ALLOWED_ORIGINS entries (full origins such as
// https://play.example.com or bare host patterns such as *.example.com) into
// the host patterns the WebSocket library matches.
func originPatterns(origins []string) []string {
	out := make([]string, 0, len(origins))
	for _, o := range origins {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if strings.Contains(o, "://") {
			if u, err := url.Parse(o); err == nil && u.Host != "" {
				o = u.Host
			}
		}
		out = append(out, o)
	}
	return out
}

// writeTimeout bounds a single write to a socket; pingInterval and
// pingTimeout keep dead sockets from lingering.
const (
	writeTimeout = 10 * time.Second
	pingInterval = 25 * time.Second
	pingTimeout  = 15 * time.Second
)
