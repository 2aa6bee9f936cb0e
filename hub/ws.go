package hub

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
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

type wsTransport struct{ c *websocket.Conn }

// acceptWS upgrades the request. Same-origin requests are always allowed;
// cross-origin ones only when the origin's host matches one of patterns.
func acceptWS(w http.ResponseWriter, r *http.Request, patterns []string) (transport, error) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		OriginPatterns:  patterns,
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(readLimit)
	return wsTransport{c}, nil
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
