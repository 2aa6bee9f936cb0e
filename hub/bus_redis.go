package hub

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisBus is the Bus of many instances: Redis pub/sub, one channel per
// topic under a prefix. It is built to let games go on while Redis is away:
//
//   - Publish delivers to this instance's own subscribers at once, in
//     process, and queues the message for Redis; it never waits for Redis.
//     Other instances hear it from Redis; this one skips its own echo.
//   - One sender goroutine pipelines the queue to Redis in order. While
//     Redis is unreachable it retries with backoff; messages older than
//     maxAge are dropped rather than delivered late, and a full queue drops
//     the newest (counted).
//   - One receiver goroutine reads the subscription; go-redis reconnects and
//     subscribes again to every topic, so fan-out resumes by itself.
type RedisBus struct {
	client redis.UniversalClient
	prefix string
	origin []byte // this process's mark on what it publishes
	log    *slog.Logger
	local  *MemoryBus
	out    chan outMsg
	ps     *redis.PubSub

	mu     sync.Mutex
	topics map[string]int // local subscribers per topic

	up      atomic.Bool
	closed  atomic.Bool
	dropped atomic.Int64
	// observe, when set, receives each pipeline's Redis round trip.
	observe func(time.Duration)

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type outMsg struct {
	channel string
	payload []byte
	at      time.Time
}

// Redis bus limits.
const (
	busQueue    = 1 << 16               // messages waiting for Redis
	busBatch    = 512                   // messages per pipeline
	busMaxAge   = 5 * time.Second       // older messages are dropped, not sent late
	busPing     = time.Second           // health probe while idle
	busBackoff  = 50 * time.Millisecond // first retry after a failure
	busMaxRetry = 2 * time.Second       // retry interval ceiling
)

// NewRedisBus starts a bus on client with channels named prefix+topic.
// instance marks this process's messages (with a random suffix, so that two
// processes given the same name still hear each other). Close stops it.
func NewRedisBus(client redis.UniversalClient, prefix, instance string, log *slog.Logger) *RedisBus {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &RedisBus{
		client: client,
		prefix: prefix,
		origin: []byte(instance + "/" + strconv.FormatUint(uint64(time.Now().UnixNano()), 36) + "\x00"),
		log:    log,
		local:  NewMemoryBus(),
		out:    make(chan outMsg, busQueue),
		ps:     client.Subscribe(ctx),
		topics: make(map[string]int),
		ctx:    ctx,
		cancel: cancel,
	}
	b.up.Store(client.Ping(ctx).Err() == nil)
	b.wg.Add(3)
	go b.send()
	go b.receive()
	go b.probe()
	return b
}

// ObservePublish makes the bus report each pipeline's round trip to Redis
// (for a latency histogram). Call it before publishing.
func (b *RedisBus) ObservePublish(fn func(time.Duration)) { b.observe = fn }

// Publish delivers payload to this instance's subscribers now and to every
// other instance's through Redis, later. It never blocks on Redis.
func (b *RedisBus) Publish(ctx context.Context, topic string, payload []byte) error {
	b.local.Publish(ctx, topic, payload)
	if b.closed.Load() {
		return errBusClosed
	}
	select {
	case b.out <- outMsg{channel: b.prefix + topic, payload: payload, at: time.Now()}:
		return nil
	default:
		if b.dropped.Add(1)%1000 == 1 {
			b.log.Warn("redis bus queue full: dropping messages to other instances", "dropped", b.dropped.Load())
		}
		return errBusFull
	}
}

var errBusClosed = errors.New("redis bus: closed")

var errBusFull = errors.New("redis bus: queue full, message not sent to other instances")

// Subscribe registers fn for topic, on this instance and from every other.
func (b *RedisBus) Subscribe(topic string, fn func([]byte)) func() {
	unsub := b.local.Subscribe(topic, fn)
	b.mu.Lock()
	b.topics[topic]++
	first := b.topics[topic] == 1
	b.mu.Unlock()
	if first {
		// Recorded by go-redis even when Redis is down: it subscribes
		// again on reconnecting.
		ctx, cancel := context.WithTimeout(b.ctx, time.Second)
		if err := b.ps.Subscribe(ctx, b.prefix+topic); err != nil {
			b.log.Warn("redis subscribe; retried on reconnect", "topic", topic, "err", err)
		}
		cancel()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			unsub()
			b.mu.Lock()
			b.topics[topic]--
			last := b.topics[topic] == 0
			if last {
				delete(b.topics, topic)
			}
			b.mu.Unlock()
			if last {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), time.Second)
				_ = b.ps.Unsubscribe(ctx, b.prefix+topic)
				cancel()
			}
		})
	}
}

// Up reports whether Redis answered the bus's last command.
func (b *RedisBus) Up() bool { return b.up.Load() }

// Dropped counts messages that never reached other instances: queue full or
// too old by the time Redis answered again.
func (b *RedisBus) Dropped() int64 { return b.dropped.Load() }

// Ping checks Redis now (for /readyz).
func (b *RedisBus) Ping(ctx context.Context) error {
	err := b.client.Ping(ctx).Err()
	b.up.Store(err == nil)
	return err
}

// Close stops the bus; what is still queued is sent if Redis takes it
// within a second.
func (b *RedisBus) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	deadline := time.Now().Add(time.Second)
	for len(b.out) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	b.cancel()
	// The receiver's read does not heed the context: closing the
	// subscription ends it.
	err := b.ps.Close()
	b.wg.Wait()
	return err
}

// send pipelines the queue to Redis, in order.
func (b *RedisBus) send() {
	defer b.wg.Done()
	batch := make([]outMsg, 0, busBatch)
	for {
		var m outMsg
		select {
		case <-b.ctx.Done():
			return
		case m = <-b.out:
		}
		batch = append(batch[:0], m)
	fill:
		for len(batch) < busBatch {
			select {
			case m := <-b.out:
				batch = append(batch, m)
			default:
				break fill
			}
		}
		b.flush(batch)
	}
}

// flush sends one batch, retrying while Redis is away; it gives up on
// messages grown too old, and on everything when the bus closes.
func (b *RedisBus) flush(batch []outMsg) {
	wait := busBackoff
	for len(batch) > 0 {
		fresh := batch[:0]
		for _, m := range batch {
			if time.Since(m.at) < busMaxAge {
				fresh = append(fresh, m)
			} else {
				b.dropped.Add(1)
			}
		}
		batch = fresh
		if len(batch) == 0 {
			return
		}
		start := time.Now()
		_, err := b.client.Pipelined(b.ctx, func(p redis.Pipeliner) error {
			for _, m := range batch {
				p.Publish(b.ctx, m.channel, b.frame(m.payload))
			}
			return nil
		})
		if err == nil {
			if b.observe != nil {
				b.observe(time.Since(start))
			}
			b.setUp(true)
			return
		}
		b.setUp(false)
		select {
		case <-b.ctx.Done():
			b.dropped.Add(int64(len(batch)))
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, busMaxRetry)
	}
}

func (b *RedisBus) frame(payload []byte) []byte {
	f := make([]byte, 0, len(b.origin)+len(payload))
	return append(append(f, b.origin...), payload...)
}

// receive hands what other instances publish to this one's subscribers.
func (b *RedisBus) receive() {
	defer b.wg.Done()
	wait := busBackoff
	for {
		msg, err := b.ps.ReceiveMessage(b.ctx)
		if err != nil {
			if b.ctx.Err() != nil {
				return
			}
			b.setUp(false)
			// go-redis reconnects and subscribes again on the next call.
			select {
			case <-b.ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, busMaxRetry)
			continue
		}
		wait = busBackoff
		b.setUp(true)
		payload := []byte(msg.Payload)
		if bytes.HasPrefix(payload, b.origin) {
			continue // our own, delivered locally at Publish
		}
		if i := bytes.IndexByte(payload, 0); i >= 0 {
			payload = payload[i+1:]
		}
		topic := msg.Channel[len(b.prefix):]
		b.local.Publish(b.ctx, topic, payload)
	}
}

// probe pings Redis while the bus is idle, so that Up tells the truth.
func (b *RedisBus) probe() {
	defer b.wg.Done()
	t := time.NewTicker(busPing)
	defer t.Stop()
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(b.ctx, busPing)
			_ = b.Ping(ctx)
			cancel()
		}
	}
}

func (b *RedisBus) setUp(up bool) {
	if b.up.Swap(up) != up {
		if up {
			b.log.Info("redis reachable again: fan-out to other instances resumes")
		} else {
			b.log.Warn("redis unreachable: this instance goes on alone until it returns")
		}
	}
}
