package hub

import (
	"context"
	"testing"
)

// TestKickClosesSocketsOnEveryInstance: two hubs share a bus; a kick
// published by one closes the user's sockets on the other (4003, the
// reason given), and leaves everyone else's open.
func TestKickClosesSocketsOnEveryInstance(t *testing.T) {
	bus := NewMemoryBus()
	a := newEnv(t, Options{Bus: bus, Instance: "a"})
	b := newEnv(t, Options{Bus: bus, Instance: "b"})
	victim := b.user("victim")
	bystander := b.user("bystander")
	v1, v2 := b.dial(victim), b.dial(victim)
	other := b.dial(bystander)

	list := b.h.Instances()
	if len(list) < 1 || list[0].Instance != "b" || list[0].Sockets != 3 {
		t.Errorf("instance b's counts: %+v", list)
	}

	if err := a.h.Kick(context.Background(), victim.ID, "banned"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*testClient{v1, v2} {
		if code, reason := c.awaitClose(); code != CloseBanned || reason != "banned" {
			t.Errorf("closed with %d %q, want %d banned", code, reason, CloseBanned)
		}
	}
	if !other.isOpen() {
		t.Error("a bystander's socket was closed")
	}
	if n := b.h.CloseUser(victim.ID, CloseBanned, "banned"); n != 0 {
		t.Errorf("CloseUser found %d sockets after the kick", n)
	}
}
