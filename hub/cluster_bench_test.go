package hub

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/store/storetest"
)

// BenchmarkChatHop measures what a hop between instances adds: a chat line
// sent to a table and heard back, by a socket on the instance that runs the
// table (local) and by one on another instance, whose line goes to the
// owner over Redis and whose copy comes back the same way (forwarded). Real
// Redis, one SQLite store; each op is one round trip.
//
//	go test -run '^$' -bench ChatHop ./hub
func BenchmarkChatHop(b *testing.B) {
	st := storetest.OpenSQLite(b)
	prefix := storetest.RedisPrefix(b)
	log := slog.New(slog.DiscardHandler)
	start := func(name string) *Hub {
		rc := storetest.NewRedis(b)
		bus := NewRedisBus(rc, prefix+"bus:", name, log)
		h := New(Options{
			Instance: name, Wallet: st, Bus: bus, Leases: NewRedisLeases(rc, prefix),
			Rooms: []string{"roulette:main"}, Log: log, DrainTimeout: 100 * time.Millisecond,
		})
		b.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()
			h.Shutdown(ctx)
			bus.Close()
		})
		return h
	}
	owner, other := start("a"), start("b")
	join := func(h *Hub, name string) *testClient {
		u, err := st.CreateUser(context.Background(), imperio.NewUser{Username: name, Grant: 1000})
		if err != nil {
			b.Fatal(err)
		}
		c := &testClient{name: name, ft: newFakeTransport(), served: make(chan struct{})}
		go func() {
			defer close(c.served)
			h.serve(Player{ID: u.ID, Username: u.Username}, c.ft)
		}()
		id, err := c.request(TypeRoomWatch, map[string]any{"room": "roulette:main"})
		if err != nil {
			b.Fatal(err)
		}
		if f, err := c.until("joined", func(f frame) bool { return f.Re == id }); err != nil || f.Type != TypeRoomJoined {
			b.Fatalf("watch: %v %v", f, err)
		}
		return c
	}
	for _, tc := range []struct {
		name string
		h    *Hub
	}{{"local", owner}, {"forwarded", other}} {
		c := join(tc.h, "chatter_"+tc.name)
		b.Run(tc.name, func(b *testing.B) {
			for i := range b.N {
				line := fmt.Sprintf("line %d", i)
				if _, err := c.request(TypeChatSend, map[string]any{"room": "roulette:main", "text": line}); err != nil {
					b.Fatal(err)
				}
				if _, err := c.until("the line back", func(f frame) bool {
					return f.Type == TypeChatMessage && strings.Contains(string(f.Data), `"`+line+`"`)
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
