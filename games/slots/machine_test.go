package slots

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestMachines(t *testing.T) {
	want := []string{"cherry-charm", "pharaohs-gold", "neon-nights"}
	got := Machines()
	if len(got) != len(want) {
		t.Fatalf("%d machines, want %d", len(got), len(want))
	}
	for i, m := range got {
		if m.ID != want[i] {
			t.Errorf("machine %d is %q, want %q", i, m.ID, want[i])
		}
		if l, ok := Lookup(m.ID); !ok || l != m {
			t.Errorf("Lookup(%q) = %v, %v", m.ID, l, ok)
		}
		if _, err := json.Marshal(m); err != nil {
			t.Errorf("%s: marshal: %v", m.ID, err)
		}
	}
	if _, ok := Lookup("no-such-machine"); ok {
		t.Error("Lookup found a machine that does not exist")
	}
	// Machines hands out a copy of the list, not the list itself.
	got[0] = nil
	if Machines()[0] == nil {
		t.Error("Machines returned the package's own slice")
	}
}

func TestMachineShapes(t *testing.T) {
	tests := []struct {
		id                  string
		reels, rows, lines  int
		wild, scatter       bool
		freeSpins, stripLen int
	}{
		{id: "cherry-charm", reels: 3, rows: 3, lines: 5, stripLen: 22},
		{id: "pharaohs-gold", reels: 5, rows: 3, lines: 20, wild: true, scatter: true, freeSpins: 10, stripLen: 24},
		{id: "neon-nights", reels: 5, rows: 3, lines: 10, wild: true, stripLen: 22},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			m := mustLookup(t, tt.id)
			if len(m.Reels) != tt.reels || m.Rows != tt.rows || len(m.Lines) != tt.lines {
				t.Errorf("%dx%d with %d lines, want %dx%d with %d",
					len(m.Reels), m.Rows, len(m.Lines), tt.reels, tt.rows, tt.lines)
			}
			if (m.Wild != "") != tt.wild || (m.Scatter != "") != tt.scatter || m.FreeSpins != tt.freeSpins {
				t.Errorf("wild %q, scatter %q, %d free spins", m.Wild, m.Scatter, m.FreeSpins)
			}
			for r, strip := range m.Reels {
				if len(strip) != tt.stripLen {
					t.Errorf("reel %d has %d stops, want %d", r+1, len(strip), tt.stripLen)
				}
			}
			seen := map[string]bool{}
			for i, line := range m.Lines {
				key, _ := json.Marshal(line)
				if seen[string(key)] {
					t.Errorf("line %d repeats an earlier line", i+1)
				}
				seen[string(key)] = true
			}
		})
	}
}

func TestValidateBet(t *testing.T) {
	tests := []struct {
		name    string
		machine string
		bet     int64
		want    error
	}{
		{"Min", "cherry-charm", 5, nil},
		{"Max", "cherry-charm", 500, nil},
		{"Step", "cherry-charm", 55, nil},
		{"BelowMin", "cherry-charm", 0, ErrBetOutOfRange},
		{"Negative", "cherry-charm", -5, ErrBetOutOfRange},
		{"AboveMax", "cherry-charm", 505, ErrBetOutOfRange},
		{"NotMultipleOfLines", "cherry-charm", 7, ErrBadBetStep},
		{"VideoMin", "pharaohs-gold", 20, nil},
		{"VideoMax", "pharaohs-gold", 2000, nil},
		{"VideoBelowMin", "pharaohs-gold", 10, ErrBetOutOfRange},
		{"VideoAboveMax", "pharaohs-gold", 2020, ErrBetOutOfRange},
		{"VideoNotMultipleOfLines", "pharaohs-gold", 30, ErrBadBetStep},
		{"NeonStep", "neon-nights", 150, nil},
		{"NeonNotMultipleOfLines", "neon-nights", 155, ErrBadBetStep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := mustLookup(t, tt.machine).ValidateBet(tt.bet)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("ValidateBet(%d) = %v, want %v", tt.bet, err, tt.want)
			}
		})
	}
}

func TestCompileRejectsBadData(t *testing.T) {
	valid := func() *Machine {
		return &Machine{
			ID:          "test",
			Reels:       [][]string{{"A", "B", "W", "S"}, {"A", "B", "W", "S"}, {"A", "B", "W", "S"}},
			Rows:        2,
			Lines:       [][]int{{0, 0, 0}, {1, 1, 1}},
			Pays:        map[string][]int64{"A": {0, 0, 10}, "B": {0, 0, 5}},
			Wild:        "W",
			Scatter:     "S",
			ScatterPays: map[int]int64{3: 5},
			FreeSpins:   5, FreeSpinTrigger: 3, FreeSpinMultiplier: 2, MaxFreeSpins: 50,
			MinBet: 2, MaxBet: 100,
		}
	}
	if err := valid().compile(); err != nil {
		t.Fatalf("the valid machine does not compile: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(m *Machine)
	}{
		{"NoReels", func(m *Machine) { m.Reels = nil }},
		{"NoRows", func(m *Machine) { m.Rows = 0 }},
		{"UnknownSymbol", func(m *Machine) { m.Reels[1][0] = "X" }},
		{"ShortPays", func(m *Machine) { m.Pays["A"] = []int64{0, 10} }},
		{"NegativePay", func(m *Machine) { m.Pays["A"] = []int64{0, 0, -1} }},
		{"StripShorterThanWindow", func(m *Machine) { m.Reels[2] = []string{"A"} }},
		{"NoLines", func(m *Machine) { m.Lines = nil }},
		{"LineOutOfWindow", func(m *Machine) { m.Lines[1] = []int{0, 2, 0} }},
		{"LineTooShort", func(m *Machine) { m.Lines[0] = []int{0, 0} }},
		{"ScatterIsWild", func(m *Machine) { m.Scatter = "W" }},
		{"ScatterHasLinePays", func(m *Machine) { m.Pays["S"] = []int64{0, 0, 1} }},
		{"ScattersTooClose", func(m *Machine) { m.Reels[0] = []string{"A", "S", "S", "B"} }},
		{"ScattersTooCloseAcrossWrap", func(m *Machine) { m.Reels[0] = []string{"S", "A", "B", "S"} }},
		{"ScatterPayForTooMany", func(m *Machine) { m.ScatterPays[4] = 1 }},
		{"FreeSpinsWithoutScatter", func(m *Machine) {
			m.Scatter, m.ScatterPays = "", nil
			for r := range m.Reels {
				m.Reels[r] = m.Reels[r][:3]
			}
		}},
		{"NoMultiplier", func(m *Machine) { m.FreeSpinMultiplier = 0 }},
		{"TriggerTooHigh", func(m *Machine) { m.FreeSpinTrigger = 4 }},
		{"CapBelowAward", func(m *Machine) { m.MaxFreeSpins = 4 }},
		{"ExpandingWithoutWild", func(m *Machine) { m.Wild, m.ExpandingWild = "", true }},
		{"MinBetBelowLines", func(m *Machine) { m.MinBet = 1 }},
		{"MinBetOffStep", func(m *Machine) { m.MinBet = 3 }},
		{"MaxBetOffStep", func(m *Machine) { m.MaxBet = 99 }},
		{"MaxBelowMin", func(m *Machine) { m.MaxBet = 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			tt.mutate(m)
			if err := m.compile(); err == nil {
				t.Fatal("compiled without an error")
			}
		})
	}
}

func mustLookup(t *testing.T, id string) *Machine {
	t.Helper()
	m, ok := Lookup(id)
	if !ok {
		t.Fatalf("no machine %q", id)
	}
	return m
}
