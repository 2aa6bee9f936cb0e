package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/imperio-casino/imperio/games/slots"
)

func TestSimSlots(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"sim", "slots", "--spins", "400000", "--seed", "7", "--json"}, nil, &out, &out)
	if err != nil {
		t.Fatal(err)
	}
	var r simSlotsRun
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if len(r.Machines) != len(slots.Machines()) {
		t.Fatalf("%d machines simulated", len(r.Machines))
	}
	for _, m := range r.Machines {
		if m.Spins != 400000 || m.StdErr <= 0 || math.Abs(m.Z) > 4 {
			t.Errorf("%+v: more than 4 standard errors from the exact figure", m)
		}
		mc, _ := slots.Lookup(m.Machine)
		if m.ExactRTP != mc.RTP && math.Abs(m.ExactRTP-mc.RTP) > 1e-9 {
			t.Errorf("%s: exact %v, declared %v", m.Machine, m.ExactRTP, mc.RTP)
		}
	}
	if err := run(context.Background(), []string{"sim", "slots", "--machine", "nope"}, nil, &out, &out); err == nil {
		t.Fatal("unknown machine accepted")
	}
}
