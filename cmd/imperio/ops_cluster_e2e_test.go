package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/hub"
	"github.com/imperio-casino/imperio/store/storetest"
)

// TestAdminAcrossInstances: two instances sharing PostgreSQL and Redis. An
// admin on one sees both instances, adjusts a player connected to the
// other (whose socket gets the balance), bans them (whose socket there
// closes with 4003), and a logout on one instance ends the token on the
// other.
func TestAdminAcrossInstances(t *testing.T) {
	cl := newCluster(t)
	addr := storetest.RedisAddr(t)
	a := cl.start("a", addr)
	b := cl.start("b", addr)

	boss := a.signup("boss_x")
	if _, err := a.store.SetRole(t.Context(), imperio.Actor{Name: "cli"}, "boss_x", imperio.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	a.enableTOTP(boss)
	p := b.signup("far_player")
	onB := b.dial(p)
	onB.expect("welcome")

	eventually(t, "the admin sees both instances", func() bool {
		var inst struct {
			Instances []hub.InstanceInfo `json:"instances"`
		}
		a.do("GET", "/api/admin/instances", boss.Token, nil, &inst)
		names := map[string]int{}
		for _, i := range inst.Instances {
			names[i.Instance] = i.Sockets
		}
		return len(names) == 2 && names["b"] >= 1
	})

	path := "/api/admin/users/" + strconv.FormatInt(p.ID, 10)
	if code := a.do("POST", path+"/adjust", boss.Token, map[string]any{"amount": 77, "reason": "goodwill"}, nil); code != 200 {
		t.Fatalf("adjust: %d", code)
	}
	if f := onB.expect("balance"); !strings.Contains(string(f.Data), `"coins":1077`) {
		t.Errorf("balance on the other instance: %s", f.Data)
	}
	if code := a.do("POST", path+"/ban", boss.Token, map[string]any{"reason": "fraud"}, nil); code != 200 {
		t.Fatalf("ban: %d", code)
	}
	if st := onB.closed(); st != hub.CloseBanned {
		t.Errorf("socket on the other instance closed with %d, want %d", st, hub.CloseBanned)
	}
	if code := b.do("GET", "/api/me", p.Token, nil, nil); code != 403 {
		t.Errorf("banned token on the other instance: %d", code)
	}

	// Logout on a ends the token on b too (shared revocations).
	q := a.signup("leaver")
	if code := b.do("GET", "/api/me", q.Token, nil, nil); code != 200 {
		t.Fatalf("token on b: %d", code)
	}
	if code := a.do("POST", "/api/auth/logout", q.Token, nil, nil); code != 200 {
		t.Fatalf("logout: %d", code)
	}
	if code := b.do("GET", "/api/me", q.Token, nil, nil); code != 401 {
		t.Errorf("token on b after logout on a: %d, want 401", code)
	}
	a.checkLedger()
}
