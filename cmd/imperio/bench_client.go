package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// histogram counts durations in buckets 2% wide from 1 µs to about 100 s:
// quantiles to 2%, mergeable across processes, a few KB.
type histogram struct {
	Counts map[int]int64 `json:"counts"`
	N      int64         `json:"n"`
	Max    int64         `json:"max_ns"`
}

const histGrowth = 1.02

func newHistogram() *histogram { return &histogram{Counts: map[int]int64{}} }

func (h *histogram) add(d time.Duration) {
	us := float64(d) / float64(time.Microsecond)
	b := 0
	if us > 1 {
		b = int(math.Log(us) / math.Log(histGrowth))
	}
	h.Counts[b]++
	h.N++
	h.Max = max(h.Max, int64(d))
}

func (h *histogram) merge(o *histogram) {
	if o == nil {
		return
	}
	for b, n := range o.Counts {
		h.Counts[b] += n
	}
	h.N += o.N
	h.Max = max(h.Max, o.Max)
}

// quantile returns the upper edge of the bucket holding quantile q.
func (h *histogram) quantile(q float64) time.Duration {
	if h.N == 0 {
		return 0
	}
	keys := make([]int, 0, len(h.Counts))
	for b := range h.Counts {
		keys = append(keys, b)
	}
	sort.Ints(keys)
	want := int64(math.Ceil(q * float64(h.N)))
	var seen int64
	for _, b := range keys {
		seen += h.Counts[b]
		if seen >= want {
			d := time.Duration(math.Pow(histGrowth, float64(b+1)) * float64(time.Microsecond))
			return min(d, time.Duration(h.Max))
		}
	}
	return time.Duration(h.Max)
}

// benchPart is what one load process measured; parts merge into the result.
type benchPart struct {
	Connected int                   `json:"connected"`
	Counts    map[string]int64      `json:"counts"`
	Errors    map[string]int64      `json:"errors"`
	Hists     map[string]*histogram `json:"hists"`
	mu        sync.Mutex
}

func newPart() *benchPart {
	return &benchPart{Counts: map[string]int64{}, Errors: map[string]int64{}, Hists: map[string]*histogram{}}
}

func (p *benchPart) count(name string, n int64) {
	p.mu.Lock()
	p.Counts[name] += n
	p.mu.Unlock()
}

func (p *benchPart) fail(code string) {
	p.mu.Lock()
	p.Errors[code]++
	p.mu.Unlock()
}

func (p *benchPart) observe(name string, d time.Duration) {
	p.mu.Lock()
	h := p.Hists[name]
	if h == nil {
		h = newHistogram()
		p.Hists[name] = h
	}
	h.add(d)
	p.mu.Unlock()
}

func (p *benchPart) hist(name string) *histogram {
	if h := p.Hists[name]; h != nil {
		return h
	}
	return newHistogram()
}

func (p *benchPart) merge(o *benchPart) {
	p.Connected += o.Connected
	for k, v := range o.Counts {
		p.Counts[k] += v
	}
	for k, v := range o.Errors {
		p.Errors[k] += v
	}
	for k, h := range o.Hists {
		if p.Hists[k] == nil {
			p.Hists[k] = newHistogram()
		}
		p.Hists[k].merge(h)
	}
}

// benchFrame is a server frame as the load client reads it.
type benchFrame struct {
	Type string          `json:"type"`
	Re   string          `json:"re"`
	Room string          `json:"room"`
	Data json.RawMessage `json:"data"`
}

// scanFrame reads a server frame's envelope without encoding/json when it
// has the shape the server writes ({"type":..,"re":..,"room":..,"data":..}
// in that order, no escapes in the strings): the load processes share the
// machine with the server, and decoding every frame of thousands of sockets
// through reflection would cost more CPU than the server's writes.
func scanFrame(b []byte) (f benchFrame, ok bool) {
	rest, ok := cutPrefix(b, `{"type":"`)
	if !ok {
		return f, false
	}
	if f.Type, rest, ok = scanString(rest); !ok {
		return f, false
	}
	if r, ok2 := cutPrefix(rest, `,"re":"`); ok2 {
		if f.Re, rest, ok = scanString(r); !ok {
			return f, false
		}
	}
	if r, ok2 := cutPrefix(rest, `,"room":"`); ok2 {
		if f.Room, rest, ok = scanString(r); !ok {
			return f, false
		}
	}
	if r, ok2 := cutPrefix(rest, `,"data":`); ok2 {
		if len(r) < 2 || r[len(r)-1] != '}' {
			return f, false
		}
		f.Data = json.RawMessage(r[:len(r)-1])
		return f, true
	}
	return f, string(rest) == "}"
}

func cutPrefix(b []byte, prefix string) ([]byte, bool) {
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return b, false
	}
	return b[len(prefix):], true
}

// scanString reads a JSON string's body up to its closing quote; a
// backslash sends the caller to encoding/json.
func scanString(b []byte) (string, []byte, bool) {
	for i, c := range b {
		switch c {
		case '"':
			return string(b[:i]), b[i+1:], true
		case '\\':
			return "", nil, false
		}
	}
	return "", nil, false
}

// eventField reads a string field of a flat room event ("kind", "name")
// the way scanFrame reads the envelope, falling back to encoding/json.
func eventField(data []byte, key string) string {
	i := strings.Index(string(data), `"`+key+`":`)
	if i < 0 {
		return ""
	}
	if v, _, ok := scanString(data[i+len(key)+4:]); ok && data[i+len(key)+3] == '"' {
		return v
	}
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return ""
	}
	v, _ := m[key].(string)
	return v
}

// dialers hands out HTTP clients whose connections leave from a given
// loopback source address, so that a process's sockets spread over
// 127.0.0.x (each source address has its own 28,000 ephemeral ports).
type dialers struct {
	mu      sync.Mutex
	clients map[string]*http.Client
}

func (d *dialers) client(source string) *http.Client {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.clients == nil {
		d.clients = map[string]*http.Client{}
	}
	if c := d.clients[source]; c != nil {
		return c
	}
	nd := &net.Dialer{Timeout: 10 * time.Second}
	if source != "" {
		nd.LocalAddr = &net.TCPAddr{IP: net.ParseIP(source)}
	}
	c := &http.Client{Transport: &http.Transport{DialContext: nd.DialContext, MaxIdleConnsPerHost: 64}}
	d.clients[source] = c
	return c
}

// dialWS opens a socket to addr's path as the holder of token (none for a
// raw baseline server).
func (d *dialers) dialWS(ctx context.Context, addr, path, token, source string) (*websocket.Conn, error) {
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+addr+path, &websocket.DialOptions{
		HTTPClient: d.client(source),
		HTTPHeader: h,
	})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(1 << 20)
	return c, nil
}

// sourceAddr is the i-th loopback source address of process proc: each
// process gets its own range of 127.0.x.y.
func sourceAddr(proc, i int) string {
	n := 2 + proc*16 + i%16
	return fmt.Sprintf("127.0.%d.%d", n/250, 1+n%250)
}

// benchConn is one load socket: a read loop hands every frame to on.
type benchConn struct {
	c    *websocket.Conn
	wmu  sync.Mutex
	done chan struct{}
}

func (d *dialers) open(ctx context.Context, addr, token, source string, on func(benchFrame, time.Time)) (*benchConn, error) {
	c, err := d.dialWS(ctx, addr, "/ws", token, source)
	if err != nil {
		return nil, err
	}
	bc := &benchConn{c: c, done: make(chan struct{})}
	welcome := make(chan error, 1)
	go func() {
		defer close(bc.done)
		first := true
		for {
			_, b, err := c.Read(context.Background())
			if err != nil {
				if first {
					welcome <- err
				}
				return
			}
			now := time.Now()
			f, ok := scanFrame(b)
			if !ok && json.Unmarshal(b, &f) != nil {
				continue
			}
			if first {
				first = false
				if f.Type != "welcome" {
					welcome <- fmt.Errorf("first frame %s, want welcome", f.Type)
					return
				}
				welcome <- nil
				continue
			}
			if on != nil {
				on(f, now)
			}
		}
	}()
	select {
	case err := <-welcome:
		if err != nil {
			c.CloseNow()
			return nil, err
		}
	case <-ctx.Done():
		c.CloseNow()
		return nil, ctx.Err()
	}
	return bc, nil
}

// send writes one client frame.
func (bc *benchConn) send(typ, id string, data any) error {
	b, err := json.Marshal(map[string]any{"type": typ, "id": id, "data": data})
	if err != nil {
		return err
	}
	return bc.sendRaw(b)
}

func (bc *benchConn) sendRaw(b []byte) error {
	bc.wmu.Lock()
	defer bc.wmu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return bc.c.Write(ctx, websocket.MessageText, b)
}

func (bc *benchConn) close() {
	bc.c.Close(websocket.StatusNormalClosure, "")
	select {
	case <-bc.done:
	case <-time.After(2 * time.Second):
		bc.c.CloseNow()
	}
}

// errorCode reads the code of an `error` frame.
func errorCode(data json.RawMessage) string {
	var d struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(data, &d) != nil || d.Code == "" {
		return "unknown"
	}
	return d.Code
}

// connectAll opens n sockets with up to 64 dials in flight; socket i uses
// open(i).
func connectAll(ctx context.Context, n int, open func(i int) error) error {
	sem := make(chan struct{}, 64)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []string
	)
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := open(i); err != nil {
				mu.Lock()
				errs = append(errs, err.Error())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("%d of %d sockets failed to open, first: %s", len(errs), n, errs[0])
	}
	return ctx.Err()
}

// sanitize keeps an error code printable as a table cell.
func sanitize(s string) string { return strings.Map(func(r rune) rune { return max(r, ' ') }, s) }
