package slots

import (
	"encoding/json"
	"math/bits"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/imperio-casino/imperio/games/fair"
)

// forcedStops is a Source that makes Spin stop the reels where a test says:
// each value it returns makes fair.Intn(src, n) give the wanted stop. Once
// its spins are used up it repeats the last one.
type forcedStops struct {
	vals []uint64
	next int
	nr   int
}

func forced(t *testing.T, m *Machine, spins ...[]int) *forcedStops {
	t.Helper()
	f := &forcedStops{nr: len(m.Reels)}
	for _, stops := range spins {
		if len(stops) != len(m.Reels) {
			t.Fatalf("forced spin %v: want %d stops", stops, len(m.Reels))
		}
		for r, stop := range stops {
			n := uint64(len(m.Reels[r]))
			// The middle of the draws that map to stop: (stop+1/2)*2^64/n.
			v, _ := bits.Div64(uint64(stop), 1<<63, n)
			f.vals = append(f.vals, v)
		}
	}
	return f
}

func (f *forcedStops) Uint64() uint64 {
	if f.next == len(f.vals) {
		f.next -= f.nr
	}
	v := f.vals[f.next]
	f.next++
	return v
}

// grid builds a window from rows of symbol names, top row first, one name
// a reel separated by spaces.
func grid(t *testing.T, m *Machine, rows ...string) window {
	t.Helper()
	if len(rows) != m.Rows {
		t.Fatalf("%d rows, want %d", len(rows), m.Rows)
	}
	index := map[string]uint8{}
	for i, name := range m.c.names {
		index[name] = uint8(i)
	}
	syms := make([][]uint8, len(m.Reels))
	for _, row := range rows {
		names := strings.Fields(row)
		if len(names) != len(m.Reels) {
			t.Fatalf("row %q: want %d symbols", row, len(m.Reels))
		}
		for r, name := range names {
			s, ok := index[name]
			if !ok {
				t.Fatalf("row %q: no symbol %q", row, name)
			}
			syms[r] = append(syms[r], s)
		}
	}
	var w window
	for r := range syms {
		w.cols[r] = m.c.packColumn(syms[r])
	}
	return w
}

// windowReels returns a window's symbols, Reels[reel][row].
func windowReels(m *Machine, w *window) [][]string {
	reels := make([][]string, len(m.Reels))
	for r := range reels {
		for row := range m.Rows {
			reels[r] = append(reels[r], m.c.names[uint8(w.cols[r]>>(8*row))])
		}
	}
	return reels
}

// evalWins pays a window at lineBet a line and returns its wins.
func evalWins(m *Machine, w *window, lineBet, mult int64) ([]Win, int64) {
	wins := []Win{}
	total, _ := m.evaluate(w, lineBet, lineBet*int64(len(m.Lines)), mult, &wins)
	return wins, total
}

// referenceWins pays a window (as shown, before any expansion) straight
// from the rules in doc.go and the exported data, without the packed
// tables: a second reading of the rules to hold the evaluator to.
func referenceWins(m *Machine, shown [][]string, lineBet int64) []Win {
	reels := make([][]string, len(shown))
	for r, col := range shown {
		reels[r] = slices.Clone(col)
		if m.ExpandingWild && slices.Contains(col, m.Wild) {
			for row := range reels[r] {
				reels[r][row] = m.Wild
			}
		}
	}
	wins := []Win{}
	for i, rows := range m.Lines {
		line := make([]string, len(rows))
		for r, row := range rows {
			line[r] = reels[r][row]
		}
		var best Win
		wilds := 0
		for wilds < len(line) && line[wilds] == m.Wild {
			wilds++
		}
		if pays, ok := m.Pays[m.Wild]; ok && wilds > 0 && pays[wilds-1] > 0 {
			best = Win{Line: i + 1, Symbol: m.Wild, Count: wilds, Amount: pays[wilds-1] * lineBet}
		}
		if wilds < len(line) && line[wilds] != m.Scatter {
			sym, run := line[wilds], wilds+1
			for run < len(line) && (line[run] == sym || line[run] == m.Wild) {
				run++
			}
			if pay := m.Pays[sym][run-1] * lineBet; pay > 0 && pay >= best.Amount {
				best = Win{Line: i + 1, Symbol: sym, Count: run, Amount: pay}
			}
		}
		if best.Amount > 0 {
			wins = append(wins, best)
		}
	}
	scatters := 0
	for _, col := range shown {
		for _, s := range col {
			if m.Scatter != "" && s == m.Scatter {
				scatters++
			}
		}
	}
	if pay := m.ScatterPays[scatters]; pay > 0 {
		wins = append(wins, Win{Line: ScatterLine, Symbol: m.Scatter, Count: scatters,
			Amount: pay * lineBet * int64(len(m.Lines))})
	}
	return wins
}

func TestLineRules(t *testing.T) {
	// One row, one line: the window is the line.
	m := mustCompile(&Machine{
		ID:    "line-rules",
		Reels: [][]string{{"A", "K", "Q", "W", "S"}, {"A", "K", "Q", "W", "S"}, {"A", "K", "Q", "W", "S"}, {"A", "K", "Q", "W", "S"}, {"A", "K", "Q", "W", "S"}},
		Rows:  1,
		Lines: [][]int{{0, 0, 0, 0, 0}},
		Pays: map[string][]int64{
			"W": {0, 10, 50, 200, 1000},
			"A": {0, 0, 10, 50, 100},
			"K": {0, 2, 5, 20, 50},
			"Q": {0, 0, 5, 10, 20},
		},
		Wild: "W", Scatter: "S", ScatterPays: map[int]int64{3: 5},
		MinBet: 1, MaxBet: 100,
	})
	scatter := func(n int, amount int64) Win { return Win{Line: 0, Symbol: "S", Count: n, Amount: amount} }
	tests := []struct {
		name string
		line string
		want []Win
	}{
		{"ThreeOfAKind", "A A A K K", []Win{{1, "A", 3, 10}}},
		{"TwoDoNotPay", "A A K A A", nil},
		{"OnlyFromTheLeft", "K A A A A", nil},
		{"TwoPayForK", "K K A A A", []Win{{1, "K", 2, 2}}},
		{"LeadingWild", "W A A K K", []Win{{1, "A", 3, 10}}},
		{"WildsInTheRun", "A W W K K", []Win{{1, "A", 3, 10}}},
		{"WildsMakeFive", "W W A A A", []Win{{1, "A", 5, 100}}},
		{"WildRunPaysMore", "W W W K Q", []Win{{1, "W", 3, 50}}},
		{"TieGoesToTheSymbol", "W W W K K", []Win{{1, "K", 5, 50}}},
		{"AllWilds", "W W W W W", []Win{{1, "W", 5, 1000}}},
		{"ScatterEndsTheRun", "W W S A A", []Win{{1, "W", 2, 10}}},
		{"ScatterBreaksTheLine", "A S A A A", nil},
		{"WildDoesNotStandInForScatter", "K W S A A", []Win{{1, "K", 2, 2}}},
		{"WildBeforeScatters", "W S S S Q", []Win{scatter(3, 5)}},
		{"ScattersPayAnywhere", "S A S A S", []Win{scatter(3, 5)}},
		{"LineAndScatter", "Q Q Q S S", []Win{{1, "Q", 3, 5}}},
		{"ThreeScattersAndALine", "K K S S S", []Win{{1, "K", 2, 2}, scatter(3, 5)}},
		{"TrailingWilds", "Q Q W W W", []Win{{1, "Q", 5, 20}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := grid(t, m, tt.line)
			want := tt.want
			if want == nil {
				want = []Win{}
			}
			got, total := evalWins(m, &w, 1, 1)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: wins %v, want %v", tt.line, got, want)
			}
			if ref := referenceWins(m, windowReels(m, &w), 1); !reflect.DeepEqual(ref, want) {
				t.Fatalf("%s: the reference reads %v, want %v", tt.line, ref, want)
			}
			if total != sumWins(got) {
				t.Fatalf("total %d, wins add up to %d", total, sumWins(got))
			}
			// Stakes and multipliers scale every win.
			scaled, _ := evalWins(m, &w, 7, 3)
			for i := range scaled {
				if scaled[i].Amount != 21*want[i].Amount {
					t.Fatalf("at 7 coins a line, 3x: win %v, want %d", scaled[i], 21*want[i].Amount)
				}
			}
		})
	}

	t.Run("WildWithoutPays", func(t *testing.T) {
		n := mustCompile(&Machine{
			ID:     "wild-without-pays",
			Reels:  [][]string{{"A", "W"}, {"A", "W"}, {"A", "W"}},
			Rows:   1,
			Lines:  [][]int{{0, 0, 0}},
			Pays:   map[string][]int64{"A": {0, 0, 10}},
			Wild:   "W",
			MinBet: 1, MaxBet: 1,
		})
		for line, want := range map[string][]Win{
			"W W W": {},
			"W W A": {{1, "A", 3, 10}},
			"W A W": {{1, "A", 3, 10}},
		} {
			w := grid(t, n, line)
			if got, _ := evalWins(n, &w, 1, 1); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: wins %v, want %v", line, got, want)
			}
		}
	})
}

func TestMachineWindows(t *testing.T) {
	tests := []struct {
		name     string
		machine  string
		rows     []string
		expanded []int
		want     []Win // at one coin a line
	}{
		{
			name:    "CherriesAndBars",
			machine: "cherry-charm",
			rows:    []string{"cherry lemon plum", "cherry cherry bell", "bar bar bar"},
			want: []Win{
				{1, "cherry", 2, 5}, {2, "cherry", 1, 1}, {3, "bar", 3, 100}, {4, "cherry", 2, 5},
			},
		},
		{
			name:    "NothingOnTheLines",
			machine: "cherry-charm",
			rows:    []string{"lemon plum lemon", "bell seven bar", "plum lemon orange"},
			want:    []Win{},
		},
		{
			name:    "FiveAces",
			machine: "pharaohs-gold",
			rows:    []string{"K Q K Q K", "A A A A A", "J 10 J 10 J"},
			want:    []Win{{1, "A", 5, 150}},
		},
		{
			name:    "ThreePyramids",
			machine: "pharaohs-gold",
			rows:    []string{"K Q K Q K", "pyramid 10 pyramid 10 pyramid", "J 10 J 10 J"},
			want:    []Win{{0, "pyramid", 3, 40}},
		},
		{
			name:    "ThreePharaohs",
			machine: "pharaohs-gold",
			rows:    []string{"K Q K Q K", "pharaoh pharaoh pharaoh 10 J", "J 10 J 10 J"},
			want: []Win{
				{1, "pharaoh", 3, 100}, // 3 wilds beat "10" x4 (15)
				{10, "10", 3, 5},
				{11, "Q", 3, 5},
				{12, "K", 3, 10},
				{13, "J", 3, 5},
				{14, "K", 3, 10},
				{15, "J", 3, 5},
				{16, "K", 3, 10},       // ties with 2 wilds: the symbol is reported
				{17, "pharaoh", 2, 10}, // 2 wilds beat J x3 (5)
			},
		},
		{
			name:     "NeonExpands",
			machine:  "neon-nights",
			rows:     []string{"cherry bell neon grape star", "seven seven melon seven bell", "grape star bar cherry melon"},
			expanded: []int{2},
			want:     []Win{{1, "seven", 4, 80}},
		},
		{
			name:     "TwoNeonReels",
			machine:  "neon-nights",
			rows:     []string{"cherry neon star grape star", "bell bar melon bar bell", "grape star neon cherry melon"},
			expanded: []int{1, 2},
			// Every line reads wilds on reels 2 and 3.
			want: []Win{{1, "bell", 3, 10}, {2, "cherry", 3, 2}, {3, "grape", 3, 3}, {4, "cherry", 3, 2},
				{5, "grape", 3, 3}, {6, "bell", 3, 10}, {7, "bell", 3, 10}, {8, "cherry", 4, 6},
				{9, "grape", 4, 10}, {10, "bell", 3, 10}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustLookup(t, tt.machine)
			w := grid(t, m, tt.rows...)
			got, total := evalWins(m, &w, 1, 1)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("wins\n got %v\nwant %v", got, tt.want)
			}
			if ref := referenceWins(m, windowReels(m, &w), 1); !reflect.DeepEqual(ref, tt.want) {
				t.Fatalf("the reference reads %v", ref)
			}
			if total != sumWins(got) {
				t.Fatalf("total %d, wins add up to %d", total, sumWins(got))
			}
			var expanded []int
			for r := range m.Reels {
				if w.cols[r]&colExpanded != 0 {
					expanded = append(expanded, r)
				}
			}
			if !slices.Equal(expanded, tt.expanded) {
				t.Fatalf("expanded reels %v, want %v", expanded, tt.expanded)
			}
		})
	}
}

func TestEvaluateMatchesReference(t *testing.T) {
	for i, m := range machines {
		t.Run(m.ID, func(t *testing.T) {
			src := fair.NewSeeded(uint64(100 + i))
			for range 20_000 {
				var w window
				m.draw(src, &w)
				got, _ := evalWins(m, &w, 3, 1)
				shown := windowReels(m, &w)
				if want := referenceWins(m, shown, 3); !reflect.DeepEqual(got, want) {
					t.Fatalf("stops %v, window %v:\n got %v\nwant %v", w.stops[:len(m.Reels)], shown, got, want)
				}
			}
		})
	}
}

func TestForcedStops(t *testing.T) {
	for _, m := range machines {
		t.Run(m.ID, func(t *testing.T) {
			last := make([]int, len(m.Reels))
			for r, strip := range m.Reels {
				last[r] = len(strip) - 1
			}
			spins := [][]int{make([]int, len(m.Reels)), last}
			src := forced(t, m, spins...)
			for _, stops := range spins {
				o := m.Spin(src, m.MinBet)
				if !slices.Equal(o.Stops, stops) {
					t.Fatalf("stops %v, want %v", o.Stops, stops)
				}
				checkReels(t, m, o.Stops, o.Reels)
			}
		})
	}
}

func TestFreeSpins(t *testing.T) {
	m := mustLookup(t, "pharaohs-gold")
	const bet = 40 // 2 coins a line
	// pyramid is where each reel's pyramid is; stopping there shows it on
	// the top row.
	pyramid := make([]int, len(m.Reels))
	for r, strip := range m.Reels {
		pyramid[r] = slices.Index(strip, m.Scatter)
	}
	// Three pyramids, on reels 1, 3 and 5; no pyramid on reels 2 and 4
	// (stopping three stops past a pyramid keeps it out of sight).
	trigger := slices.Clone(pyramid)
	trigger[1] = (pyramid[1] + 3) % len(m.Reels[1])
	trigger[3] = (pyramid[3] + 3) % len(m.Reels[3])
	blank := make([]int, len(m.Reels))
	for r := range blank {
		blank[r] = (pyramid[r] + 3) % len(m.Reels[r])
	}

	t.Run("Trigger", func(t *testing.T) {
		o := m.Spin(forced(t, m, trigger, blank), bet)
		if o.FreeSpinsAwarded != 10 || len(o.FreeSpins) != 10 {
			t.Fatalf("awarded %d, played %d free spins, want 10", o.FreeSpinsAwarded, len(o.FreeSpins))
		}
		if i := slices.IndexFunc(o.Wins, func(w Win) bool { return w.Line == ScatterLine }); i < 0 ||
			o.Wins[i] != (Win{Line: 0, Symbol: "pyramid", Count: 3, Amount: 2 * bet}) {
			t.Fatalf("base wins %v: want the scatter paying %d", o.Wins, 2*bet)
		}
		checkOutcome(t, m, bet, o)
		// Every free spin is the blank spin at twice the wins.
		w := window{}
		copy(w.stops[:], blank)
		for r := range m.Reels {
			w.cols[r] = m.c.cols[r][blank[r]]
		}
		wins, win := evalWins(m, &w, m.LineBet(bet), 1)
		if win == 0 {
			t.Fatal("the blank spin pays nothing: pick stops that win, to see the multiplier")
		}
		for i, fs := range o.FreeSpins {
			if fs.Multiplier != 2 || fs.Win != 2*win || fs.Retriggered != 0 || len(fs.Wins) != len(wins) {
				t.Fatalf("free spin %d: %+v, want wins %v doubled", i+1, fs, wins)
			}
		}
	})

	t.Run("Retrigger", func(t *testing.T) {
		o := m.Spin(forced(t, m, trigger, blank, blank, trigger, blank), bet)
		if o.FreeSpinsAwarded != 20 || len(o.FreeSpins) != 20 {
			t.Fatalf("awarded %d, played %d free spins, want 20", o.FreeSpinsAwarded, len(o.FreeSpins))
		}
		if o.FreeSpins[2].Retriggered != 10 {
			t.Fatalf("the third free spin retriggered %d, want 10", o.FreeSpins[2].Retriggered)
		}
		checkOutcome(t, m, bet, o)
	})

	t.Run("CappedAtMaxFreeSpins", func(t *testing.T) {
		// Every spin shows three pyramids, for ever.
		o := m.Spin(forced(t, m, trigger), bet)
		if o.FreeSpinsAwarded != m.MaxFreeSpins || len(o.FreeSpins) != m.MaxFreeSpins {
			t.Fatalf("awarded %d, played %d free spins, want the cap %d",
				o.FreeSpinsAwarded, len(o.FreeSpins), m.MaxFreeSpins)
		}
		checkOutcome(t, m, bet, o)
	})

	t.Run("NoTriggerOnTwo", func(t *testing.T) {
		two := slices.Clone(blank)
		two[0], two[4] = pyramid[0], pyramid[4]
		o := m.Spin(forced(t, m, two), bet)
		if o.FreeSpinsAwarded != 0 || o.FreeSpins != nil {
			t.Fatalf("two pyramids awarded %d free spins", o.FreeSpinsAwarded)
		}
	})
}

func TestOutcomeInvariants(t *testing.T) {
	for i, m := range machines {
		t.Run(m.ID, func(t *testing.T) {
			bets := []int64{m.MinBet, m.MinBet * 3, m.MaxBet}
			a, b := fair.NewSeeded(uint64(7+i)), fair.NewSeeded(uint64(7+i))
			rounds, free := 0, 0
			for n := range 30_000 {
				bet := bets[n%len(bets)]
				o := m.Spin(a, bet)
				if got := m.SpinWin(b, bet); got != o.Win {
					t.Fatalf("round %d: SpinWin %d, Spin %d from the same seed", n, got, o.Win)
				}
				checkOutcome(t, m, bet, o)
				rounds++
				if len(o.FreeSpins) > 0 {
					free++
				}
			}
			if m.FreeSpins > 0 && free == 0 {
				t.Fatalf("no free spins in %d rounds", rounds)
			}
		})
	}
}

func TestOutcomeJSON(t *testing.T) {
	m := mustLookup(t, "cherry-charm")
	// Stops 4, 0, 0 show bar, orange and lemon on the middle row and no
	// cherry on the first reel: a spin without a win.
	o := m.Spin(forced(t, m, []int{4, 0, 0}), 5)
	if o.Win != 0 {
		t.Fatalf("the spin won %d: %+v", o.Win, o)
	}
	data, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"wins":[]`, `"stops":[4,0,0]`, `"win":0`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %s", data, want)
		}
	}
	for _, absent := range []string{"free_spins", "expanded"} {
		if strings.Contains(string(data), absent) {
			t.Errorf("%s has %s", data, absent)
		}
	}

	// A round with free spins, some winning, some not, survives JSON.
	p := mustLookup(t, "pharaohs-gold")
	src := fair.NewSeeded(3)
	for i := 0; !slices.ContainsFunc(o.FreeSpins, func(fs FreeSpin) bool { return fs.Win > 0 }) ||
		!slices.ContainsFunc(o.FreeSpins, func(fs FreeSpin) bool { return fs.Win == 0 }); i++ {
		if i == 100_000 {
			t.Fatal("no round with winning and losing free spins in 100000")
		}
		o = p.Spin(src, 100)
	}
	data, err = json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var back Outcome
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, o) {
		t.Fatalf("the outcome does not survive JSON:\n%+v\n%+v", o, back)
	}
}

func TestSpinPanicsOnInvalidBet(t *testing.T) {
	m := mustLookup(t, "pharaohs-gold")
	for _, bet := range []int64{0, 30, m.MaxBet + 20} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Spin(%d) did not panic", bet)
				}
			}()
			m.Spin(fair.NewSeeded(1), bet)
		}()
	}
}

// checkOutcome checks what every round must satisfy: the stops are on the
// strips and the reels show them, every win is positive and adds up, the
// round's win is the base wins plus the free spins, and the free spins
// awarded are the ones played.
func checkOutcome(t *testing.T, m *Machine, bet int64, o Outcome) {
	t.Helper()
	checkReels(t, m, o.Stops, o.Reels)
	checkWins(t, m, bet, 1, o.Wins)
	total := sumWins(o.Wins)
	retriggered := 0
	for i, fs := range o.FreeSpins {
		checkReels(t, m, fs.Stops, fs.Reels)
		checkWins(t, m, bet, m.FreeSpinMultiplier, fs.Wins)
		if fs.Win != sumWins(fs.Wins) || fs.Multiplier != m.FreeSpinMultiplier {
			t.Fatalf("free spin %d: win %d, wins add up to %d, multiplier %d",
				i+1, fs.Win, sumWins(fs.Wins), fs.Multiplier)
		}
		total += fs.Win
		retriggered += fs.Retriggered
	}
	if o.Win != total {
		t.Fatalf("round win %d, wins and free spins add up to %d", o.Win, total)
	}
	if len(o.FreeSpins) != o.FreeSpinsAwarded {
		t.Fatalf("%d free spins awarded, %d played", o.FreeSpinsAwarded, len(o.FreeSpins))
	}
	if o.FreeSpinsAwarded > 0 && o.FreeSpinsAwarded != m.FreeSpins+retriggered {
		t.Fatalf("%d free spins awarded, %d + %d retriggered", o.FreeSpinsAwarded, m.FreeSpins, retriggered)
	}
	if o.FreeSpinsAwarded > m.MaxFreeSpins {
		t.Fatalf("%d free spins awarded, over the cap of %d", o.FreeSpinsAwarded, m.MaxFreeSpins)
	}
}

func checkReels(t *testing.T, m *Machine, stops []int, reels [][]string) {
	t.Helper()
	if len(stops) != len(m.Reels) || len(reels) != len(m.Reels) {
		t.Fatalf("%d stops, %d reels, want %d", len(stops), len(reels), len(m.Reels))
	}
	for r, strip := range m.Reels {
		if stops[r] < 0 || stops[r] >= len(strip) {
			t.Fatalf("reel %d: stop %d off a strip of %d", r+1, stops[r], len(strip))
		}
		if len(reels[r]) != m.Rows {
			t.Fatalf("reel %d shows %d rows, want %d", r+1, len(reels[r]), m.Rows)
		}
		for row, name := range reels[r] {
			if want := strip[(stops[r]+row)%len(strip)]; name != want {
				t.Fatalf("reel %d row %d shows %q, stop %d shows %q", r+1, row, name, stops[r], want)
			}
		}
	}
}

func checkWins(t *testing.T, m *Machine, bet, mult int64, wins []Win) {
	t.Helper()
	if wins == nil {
		t.Fatal("wins is nil, want an empty list")
	}
	for _, w := range wins {
		switch {
		case w.Amount <= 0:
			t.Fatalf("win %+v pays nothing", w)
		case w.Line == ScatterLine:
			if w.Symbol != m.Scatter || w.Amount != m.ScatterPays[w.Count]*bet*mult {
				t.Fatalf("scatter win %+v at bet %d, %dx", w, bet, mult)
			}
		case w.Line < 1 || w.Line > len(m.Lines):
			t.Fatalf("win %+v on no line", w)
		case w.Amount != m.Pays[w.Symbol][w.Count-1]*m.LineBet(bet)*mult:
			t.Fatalf("line win %+v at bet %d, %dx", w, bet, mult)
		}
	}
}

func sumWins(wins []Win) int64 {
	var sum int64
	for _, w := range wins {
		sum += w.Amount
	}
	return sum
}
