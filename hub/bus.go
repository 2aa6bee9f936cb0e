package hub

import (
	"context"
	"sync"
)

// Bus carries notices between instances: big wins, balance pushes, and later
// room traffic. Publish only after the change it announces has committed.
// Handlers must not block: they queue to sockets and return.
type Bus interface {
	Publish(ctx context.Context, topic string, payload []byte) error
	Subscribe(topic string, fn func(payload []byte)) (unsubscribe func())
}

// Bus topics.
const (
	topicBigWin  = "bigwin"
	topicBalance = "balance"
	topicKick    = "kick" // close a user's sockets on every instance
)

// MemoryBus is the in-process Bus of a single instance: Publish calls every
// subscriber of the topic before it returns.
type MemoryBus struct {
	mu   sync.RWMutex
	next int
	subs map[string]map[int]func([]byte)
}

// NewMemoryBus returns an empty in-process bus.
func NewMemoryBus() *MemoryBus {
	return &MemoryBus{subs: make(map[string]map[int]func([]byte))}
}

// Publish delivers payload to the topic's subscribers.
func (b *MemoryBus) Publish(_ context.Context, topic string, payload []byte) error {
	b.mu.RLock()
	fns := make([]func([]byte), 0, len(b.subs[topic]))
	for _, fn := range b.subs[topic] {
		fns = append(fns, fn)
	}
	b.mu.RUnlock()
	for _, fn := range fns {
		fn(payload)
	}
	return nil
}

// Subscribe registers fn for topic until the returned function is called.
func (b *MemoryBus) Subscribe(topic string, fn func([]byte)) func() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs[topic] == nil {
		b.subs[topic] = make(map[int]func([]byte))
	}
	id := b.next
	b.next++
	b.subs[topic][id] = fn
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.subs[topic], id)
	}
}
