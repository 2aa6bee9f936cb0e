package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// runPart runs one load process's share of a scenario under ctl.
func runPart(ctx context.Context, d *dialers, job benchJob, ctl partCtl) *benchPart {
	switch job.Kind {
	case "idle", "fanout":
		return lobbyPart(ctx, d, job, ctl)
	case "spin":
		return spinPart(ctx, d, job, ctl)
	case "relay":
		return relayPart(ctx, d, job, ctl)
	case "table":
		return tablePart(ctx, d, job, ctl)
	case "ws-idle", "ws-echo", "ws-broadcast":
		return rawPart(ctx, d, job, ctl)
	}
	ctl.ready <- fmt.Errorf("unknown job %q", job.Kind)
	return nil
}

// answers routes each answer frame (one with "re") to the request waiting
// for it on one socket.
type answers struct {
	mu      sync.Mutex
	waiting map[string]chan benchFrame
}

func (a *answers) expect(id string) chan benchFrame {
	ch := make(chan benchFrame, 1)
	a.mu.Lock()
	if a.waiting == nil {
		a.waiting = map[string]chan benchFrame{}
	}
	a.waiting[id] = ch
	a.mu.Unlock()
	return ch
}

// deliver hands f to its waiter; false when nobody waits for it.
func (a *answers) deliver(f benchFrame) bool {
	if f.Re == "" {
		return false
	}
	a.mu.Lock()
	ch := a.waiting[f.Re]
	delete(a.waiting, f.Re)
	a.mu.Unlock()
	if ch == nil {
		return false
	}
	ch <- f
	return true
}

// request sends a frame and waits for its answer.
func request(bc *benchConn, a *answers, typ, id string, data any) (benchFrame, error) {
	ch := a.expect(id)
	if err := bc.send(typ, id, data); err != nil {
		return benchFrame{}, err
	}
	select {
	case f := <-ch:
		if f.Type == "error" {
			return f, fmt.Errorf("%s: %s", typ, errorCode(f.Data))
		}
		return f, nil
	case <-time.After(30 * time.Second):
		return benchFrame{}, fmt.Errorf("%s: no answer in 30s", typ)
	case <-bc.done:
		return benchFrame{}, fmt.Errorf("%s: socket closed", typ)
	}
}

// stopped turns ctl.stop into a channel closed at stop, and the times it
// carried.
func stopped(ctl partCtl) (<-chan struct{}, *[]int64) {
	ch := make(chan struct{})
	var times []int64
	go func() {
		times = <-ctl.stop
		close(ch)
	}()
	return ch, &times
}

func closeAll(conns []*benchConn) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 256)
	for _, c := range conns {
		if c == nil {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c.close()
		})
	}
	wg.Wait()
}

func alive(conns []*benchConn) int {
	n := 0
	for _, c := range conns {
		if c == nil {
			continue
		}
		select {
		case <-c.done:
		default:
			n++
		}
	}
	return n
}

// lobbyPart holds job.Sockets sockets of job.Users, spread over the
// servers. For "fanout" each subscribes to the lobby and records when each
// big win arrives; at stop, the k-th arrival is timed from the k-th send.
func lobbyPart(ctx context.Context, d *dialers, job benchJob, ctl partCtl) *benchPart {
	p := newPart()
	conns := make([]*benchConn, job.Sockets)
	arrivals := make([][]int64, job.Sockets)
	var (
		amu     sync.Mutex
		started atomic.Bool // the measured phase: frames are counted by type
	)
	fanout := job.Kind == "fanout"
	err := connectAll(ctx, job.Sockets, func(i int) error {
		u := job.Users[i%len(job.Users)]
		var a answers
		on := func(f benchFrame, at time.Time) {
			if a.deliver(f) {
				return
			}
			if f.Type == "bigwin" {
				amu.Lock()
				arrivals[i] = append(arrivals[i], at.UnixNano())
				amu.Unlock()
			}
			if fanout && started.Load() {
				p.count("frames "+f.Type, 1)
			}
		}
		c, err := d.open(ctx, job.Addrs[i%len(job.Addrs)], u.Token, sourceAddr(job.Proc, i), on)
		if err != nil {
			return err
		}
		conns[i] = c
		if fanout {
			if _, err := request(c, &a, "lobby.subscribe", "sub", nil); err != nil {
				return err
			}
		}
		return nil
	})
	ctl.ready <- err
	if err != nil {
		closeAll(conns)
		return nil
	}
	<-ctl.start
	started.Store(true)
	times := <-ctl.stop
	p.Connected = alive(conns)
	amu.Lock()
	for _, arr := range arrivals {
		for k, at := range arr {
			if k < len(times) {
				p.observe("delivery", time.Duration(at-times[k]))
				p.count("deliveries", 1)
			}
		}
		if len(arr) < len(times) {
			p.count("missing", int64(len(times)-len(arr)))
		}
	}
	amu.Unlock()
	closeAll(conns)
	return p
}

// spinPart spins back to back on one socket per user until stop.
func spinPart(ctx context.Context, d *dialers, job benchJob, ctl partCtl) *benchPart {
	p := newPart()
	conns := make([]*benchConn, len(job.Users))
	ans := make([]answers, len(job.Users))
	err := connectAll(ctx, len(job.Users), func(i int) error {
		c, err := d.open(ctx, job.Addrs[i%len(job.Addrs)], job.Users[i].Token, sourceAddr(job.Proc, i), func(f benchFrame, _ time.Time) { ans[i].deliver(f) })
		conns[i] = c
		if err == nil {
			// A warm-up spin, not measured: the first opens the player's
			// slot room and makes their seed pair.
			_, err = request(c, &ans[i], "slots.spin", "warm-up", map[string]any{"machine": "cherry-charm", "bet": 5})
		}
		return err
	})
	ctl.ready <- err
	if err != nil {
		closeAll(conns)
		return nil
	}
	<-ctl.start
	stop, _ := stopped(ctl)
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			// With a rate, each player spins every interval (open loop,
			// from a random phase); without, back to back.
			var tick <-chan time.Time
			if job.Rate > 0 {
				interval := time.Duration(float64(time.Second) / job.Rate)
				select {
				case <-time.After(rand.N(interval)):
				case <-stop:
					return
				}
				t := time.NewTicker(interval)
				defer t.Stop()
				tick = t.C
			}
			for n := 0; ; n++ {
				if tick != nil {
					select {
					case <-tick:
					case <-stop:
						return
					}
				}
				select {
				case <-stop:
					return
				default:
				}
				id := strconv.Itoa(n)
				t0 := time.Now()
				f, err := request(c, &ans[i], "slots.spin", id, map[string]any{"machine": "cherry-charm", "bet": 5})
				switch {
				case err != nil && f.Type == "error":
					p.fail(errorCode(f.Data))
				case err != nil:
					p.fail(sanitize(err.Error()))
					return
				default:
					p.observe("spin", time.Since(t0))
					p.count("spins", 1)
				}
			}
		})
	}
	wg.Wait()
	p.Connected = alive(conns)
	closeAll(conns)
	return p
}

// chatLine is a 100-byte chat line that carries its send time.
func chatLine() string {
	s := "t" + strconv.FormatInt(time.Now().UnixNano(), 10) + ":"
	return s + strings.Repeat("x", 100-len(s))
}

// relayPart: job.Members members in each of job.Rooms; the first joins
// (opening the room), the others watch; at start each sends chat lines at
// job.Rate per second until stop. Every chat.message received is a
// delivery, timed from the send time it carries.
func relayPart(ctx context.Context, d *dialers, job benchJob, ctl partCtl) *benchPart {
	p := newPart()
	conns := make([]*benchConn, len(job.Users))
	ans := make([]answers, len(job.Users))
	on := func(i int) func(benchFrame, time.Time) {
		return func(f benchFrame, at time.Time) {
			if ans[i].deliver(f) {
				return
			}
			switch f.Type {
			case "chat.message":
				var m struct {
					Text string `json:"text"`
				}
				if json.Unmarshal(f.Data, &m) == nil && strings.HasPrefix(m.Text, "t") {
					if ns, err := strconv.ParseInt(m.Text[1:strings.IndexByte(m.Text, ':')], 10, 64); err == nil {
						p.observe("relay", at.Sub(time.Unix(0, ns)))
					}
				}
				p.count("deliveries", 1)
			case "error":
				p.fail(errorCode(f.Data))
			}
		}
	}
	if err := enterRooms(ctx, d, job, job.Members, 1, conns, ans, on); err != nil {
		ctl.ready <- err
		closeAll(conns)
		return nil
	}
	ctl.ready <- nil
	<-ctl.start
	stop, _ := stopped(ctl)
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / job.Rate)
	for i, c := range conns {
		room := job.Rooms[i/job.Members]
		wg.Go(func() {
			// Spread the members' sends over the interval.
			select {
			case <-time.After(rand.N(interval)):
			case <-stop:
				return
			}
			tick := time.NewTicker(interval)
			defer tick.Stop()
			for {
				b, _ := json.Marshal(map[string]any{"type": "chat.send", "data": map[string]string{"room": room, "text": chatLine()}})
				if c.sendRaw(b) != nil {
					p.fail("send failed")
					return
				}
				p.count("sent", 1)
				select {
				case <-tick.C:
				case <-stop:
					return
				}
			}
		})
	}
	wg.Wait()
	time.Sleep(300 * time.Millisecond) // lines in flight arrive
	p.Connected = alive(conns)
	closeAll(conns)
	return p
}

// tablePart: in each of job.Rooms (blackjack tables), job.Members players
// bet and play basic hands (stand on 12 or more) while job.Spectators
// watch. An action is timed from its send to the first room.event the
// actor receives after it.
func tablePart(ctx context.Context, d *dialers, job benchJob, ctl partCtl) *benchPart {
	p := newPart()
	per := job.Members + job.Spectators
	conns := make([]*benchConn, len(job.Users))
	ans := make([]answers, len(job.Users))
	inbox := make([]chan benchFrame, len(job.Users))
	for i := range inbox {
		inbox[i] = make(chan benchFrame, 1024)
	}
	on := func(i int) func(benchFrame, time.Time) {
		return func(f benchFrame, at time.Time) {
			if ans[i].deliver(f) {
				return
			}
			if i%per < job.Members && (f.Type == "room.event" || f.Type == "error") {
				f.Re = strconv.FormatInt(at.UnixNano(), 10) // arrival time, for the player loop
				select {
				case inbox[i] <- f:
				default:
				}
			}
		}
	}
	if err := enterRooms(ctx, d, job, per, job.Members, conns, ans, on); err != nil {
		ctl.ready <- err
		closeAll(conns)
		return nil
	}
	ctl.ready <- nil
	<-ctl.start
	stop, _ := stopped(ctl)
	var wg sync.WaitGroup
	for i, c := range conns {
		if i%per >= job.Members {
			continue
		}
		room := job.Rooms[i/per]
		me := job.Users[i].Name
		wg.Go(func() {
			var sentAt time.Time
			var sentWhat string
			n := 0
			act := func(typ string, data map[string]any) {
				if job.Think > 0 {
					// A player's time to decide: the tables drift out of
					// step, as tables of people do.
					select {
					case <-time.After(rand.N(job.Think)):
					case <-stop:
						return
					}
				}
				n++
				data["room"] = room
				if typ == "table.action" {
					sentAt, sentWhat = time.Now(), data["action"].(string)
				}
				if c.send(typ, "a"+strconv.Itoa(n), data) != nil {
					p.fail("send failed")
				}
			}
			act("table.bet", map[string]any{"amount": 10})
			for {
				var f benchFrame
				select {
				case f = <-inbox[i]:
				case <-stop:
					return
				}
				if f.Type == "error" {
					p.fail(errorCode(f.Data))
					continue
				}
				// The first event that arrived after the action was sent
				// times it (one queued before the send says nothing of it).
				ns, _ := strconv.ParseInt(f.Re, 10, 64)
				if at := time.Unix(0, ns); !sentAt.IsZero() && !at.Before(sentAt) {
					p.observe("action", at.Sub(sentAt))
					p.observe("action "+sentWhat, at.Sub(sentAt))
					p.count("actions", 1)
					sentAt = time.Time{}
				}
				kind := eventField(f.Data, "kind")
				switch {
				case kind == "insurance_open":
					act("table.action", map[string]any{"action": "no_insurance"})
				case kind == "turn" && eventField(f.Data, "name") == me:
					var ev struct {
						Total int `json:"total"`
					}
					_ = json.Unmarshal(f.Data, &ev)
					action := "stand"
					if ev.Total < 12 {
						action = "hit"
					}
					act("table.action", map[string]any{"action": action})
				case kind == "round_end" && i%per == 0: // one player counts the table's rounds
					p.count("rounds", 1)
				case kind == "waiting":
					act("table.bet", map[string]any{"amount": 10})
				}
			}
		})
	}
	wg.Wait()
	p.Connected = alive(conns)
	closeAll(conns)
	return p
}

// rawPart loads a bare coder/websocket server (the baselines): holds
// sockets ("ws-idle"), echoes 32-byte messages back to back ("ws-echo"), or
// counts what the server broadcasts ("ws-broadcast").
func rawPart(ctx context.Context, d *dialers, job benchJob, ctl partCtl) *benchPart {
	p := newPart()
	conns := make([]*websocket.Conn, job.Sockets)
	var delivered atomic.Int64
	err := connectAll(ctx, job.Sockets, func(i int) error {
		c, err := d.dialWS(ctx, job.Addrs[0], job.Path, "", sourceAddr(job.Proc, i))
		conns[i] = c
		return err
	})
	ctl.ready <- err
	closeRaw := func() {
		for _, c := range conns {
			if c != nil {
				c.CloseNow()
			}
		}
	}
	if err != nil {
		closeRaw()
		return nil
	}
	<-ctl.start
	stop, _ := stopped(ctl)
	var wg sync.WaitGroup
	switch job.Kind {
	case "ws-idle":
		for _, c := range conns {
			go func() {
				for {
					if _, _, err := c.Read(context.Background()); err != nil {
						return
					}
				}
			}()
		}
		<-stop
		p.Connected = len(conns)
	case "ws-echo":
		msg := []byte(strings.Repeat("e", 32))
		for _, c := range conns {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					t0 := time.Now()
					if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
						p.fail("write")
						return
					}
					if _, _, err := c.Read(ctx); err != nil {
						p.fail("read")
						return
					}
					p.observe("rtt", time.Since(t0))
					p.count("round_trips", 1)
				}
			})
		}
		wg.Wait()
		p.Connected = len(conns)
	case "ws-broadcast":
		for _, c := range conns {
			wg.Go(func() {
				for {
					if _, _, err := c.Read(context.Background()); err != nil {
						return
					}
					select {
					case <-stop:
					default:
						delivered.Add(1)
					}
				}
			})
		}
		<-stop
		p.count("deliveries", delivered.Load())
		p.Connected = len(conns)
	}
	closeRaw()
	wg.Wait()
	return p
}

// enterRooms opens per sockets for each of job.Rooms (job.Users in that
// order), 32 rooms at a time: the first joiners of each room join it, the
// others watch. Socket i delivers its frames to on(i).
func enterRooms(ctx context.Context, d *dialers, job benchJob, per, joiners int, conns []*benchConn, ans []answers, on func(int) func(benchFrame, time.Time)) error {
	var (
		wg       sync.WaitGroup
		setupErr atomic.Value
	)
	sem := make(chan struct{}, 32)
	for r, room := range job.Rooms {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			for m := range per {
				i := r*per + m
				c, err := d.open(ctx, job.Addrs[i%len(job.Addrs)], job.Users[i].Token, sourceAddr(job.Proc, i), on(i))
				if err == nil {
					conns[i] = c
					typ := "room.watch"
					if m < joiners {
						typ = "room.join"
					}
					_, err = request(c, &ans[i], typ, "enter", map[string]any{"room": room})
				}
				if err != nil {
					setupErr.CompareAndSwap(nil, fmt.Errorf("%s: %w", room, err))
					return
				}
			}
		})
	}
	wg.Wait()
	err, _ := setupErr.Load().(error)
	return err
}
