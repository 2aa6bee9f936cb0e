package slots

import (
	"errors"
	"fmt"
	"slices"
)

// Limits of the evaluator's fixed-size buffers, far above any machine we
// ship. They let a spin keep its window on the stack.
const (
	maxReels = 6
	maxRows  = 5
)

// A stop's column packs what the reel shows there for the evaluator: the
// symbols the lines read, one byte a row from bit 0, the number of scatters
// showing at colScatterShift and whether a wild expanded at colExpanded.
// A line packs the shift of its row on each reel, one byte a reel. With them
// a spin reads one word per reel and one per line, and keeps the rest in
// registers (which also keeps it quick under the race detector).
const (
	colScatterShift = 8 * maxRows
	colExpanded     = 1 << (colScatterShift + 8)
)

// noSymbol marks an absent wild or scatter in the compiled tables.
const noSymbol = 0xff

// Errors of ValidateBet. The hub maps ErrBetOutOfRange to the protocol code
// bet_out_of_range and ErrBadBetStep to invalid_input.
var (
	ErrBetOutOfRange = errors.New("bet out of range")
	ErrBadBetStep    = errors.New("bet is not a multiple of the number of lines")
)

// Machine is a slot machine, defined entirely as data. The exported fields
// describe it to players (the client draws the paytable from them) and must
// not be modified: the evaluator works from tables compiled from them when
// the package is initialised.
type Machine struct {
	ID   string `json:"id"`
	Name string `json:"name"`

	// Reels are the strips, reel-major. A stop s on a strip of length n
	// shows strip[s], strip[s+1], ... strip[s+Rows-1] (wrapping around) from
	// the top row down.
	Reels [][]string `json:"reels"`
	Rows  int        `json:"rows"`

	// Lines are the paylines: Lines[i][r] is the row the (i+1)th line
	// crosses on reel r (0 is the top row).
	Lines [][]int `json:"lines"`

	// Pays are the line pays in line bets: Pays[sym][n-1] is the pay for n
	// of sym in a row from the leftmost reel (0: no pay). Every slice has
	// one entry per reel.
	Pays map[string][]int64 `json:"pays"`

	// Wild substitutes for every symbol but the scatter on a line ("" for
	// none). If it has its own entry in Pays, a line of wilds alone pays
	// that. ExpandingWild makes a wild fill its whole reel before the lines
	// are read.
	Wild          string `json:"wild,omitempty"`
	ExpandingWild bool   `json:"expanding_wild,omitempty"`

	// Scatter pays anywhere in the window: ScatterPays[n] is the pay, in
	// total bets, for n scatters showing. It never pays on a line and no
	// wild stands in for it.
	Scatter     string        `json:"scatter,omitempty"`
	ScatterPays map[int]int64 `json:"scatter_pays,omitempty"`

	// FreeSpinTrigger or more scatters in a spin award FreeSpins free spins,
	// played at the round's bet with every win multiplied by
	// FreeSpinMultiplier. Free spins retrigger on the same condition. A
	// round never awards more than MaxFreeSpins free spins in all.
	FreeSpinTrigger    int   `json:"free_spin_trigger,omitempty"`
	FreeSpins          int   `json:"free_spins,omitempty"`
	FreeSpinMultiplier int64 `json:"free_spin_multiplier,omitempty"`
	MaxFreeSpins       int   `json:"max_free_spins,omitempty"`

	// MinBet and MaxBet bound the total bet in coins; the bet moves in steps
	// of len(Lines) coins, one coin a line.
	MinBet int64 `json:"min_bet"`
	MaxBet int64 `json:"max_bet"`

	// RTP is the declared return to player: the exact expected win per coin
	// bet, free spins included. ExactRTP recomputes it from the data and the
	// tests hold the two equal.
	RTP float64 `json:"rtp"`

	c compiled
}

// compiled is the machine translated for the evaluator: symbols are small
// integers (their index in names), each stop of each reel a packed column.
type compiled struct {
	names     []string   // symbol index -> name
	strips    [][]uint8  // reel -> strip of symbol indices
	cols      [][]uint64 // reel -> stop -> column (see colScatterShift)
	lines     []uint64   // line -> packed row shifts
	pays      [][maxReels + 1]int64
	wild      uint8
	scatter   uint8
	expanding bool
	scatPays  [maxReels + 1]int64 // by number of scatters showing
}

// Machines returns every machine in a stable order. The machines are
// shared: callers must not modify them.
func Machines() []*Machine {
	return slices.Clone(machines)
}

// Lookup returns the machine with the given id.
func Lookup(id string) (*Machine, bool) {
	for _, m := range machines {
		if m.ID == id {
			return m, true
		}
	}
	return nil, false
}

// ValidateBet reports whether bet, the total bet in coins, can be played on
// m: ErrBetOutOfRange outside [MinBet, MaxBet], ErrBadBetStep if it is not a
// multiple of the number of lines.
func (m *Machine) ValidateBet(bet int64) error {
	switch {
	case bet < m.MinBet || bet > m.MaxBet:
		return fmt.Errorf("%w: %s takes %d to %d coins, not %d",
			ErrBetOutOfRange, m.Name, m.MinBet, m.MaxBet, bet)
	case bet%int64(len(m.Lines)) != 0:
		return fmt.Errorf("%w: %s has %d lines, so the bet moves in steps of %d coins",
			ErrBadBetStep, m.Name, len(m.Lines), len(m.Lines))
	}
	return nil
}

// LineBet returns the coins staked on each line for a total bet.
func (m *Machine) LineBet(bet int64) int64 {
	return bet / int64(len(m.Lines))
}

// mustCompile checks m's data and builds its evaluator tables. The machines
// are package data, so a mistake in them is a programming error: it panics,
// and every test run catches it.
func mustCompile(m *Machine) *Machine {
	if err := m.compile(); err != nil {
		panic(fmt.Sprintf("slots: machine %q: %v", m.ID, err))
	}
	return m
}

func (m *Machine) compile() error {
	nr := len(m.Reels)
	if nr < 1 || nr > maxReels {
		return fmt.Errorf("%d reels, want 1 to %d", nr, maxReels)
	}
	if m.Rows < 1 || m.Rows > maxRows {
		return fmt.Errorf("%d rows, want 1 to %d", m.Rows, maxRows)
	}
	c := compiled{wild: noSymbol, scatter: noSymbol, expanding: m.ExpandingWild}

	// Symbols: those with pays in name order, then the wild and the scatter
	// if they have none.
	names := make([]string, 0, len(m.Pays)+2)
	for name := range m.Pays {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, s := range []string{m.Wild, m.Scatter} {
		if s != "" && !slices.Contains(names, s) {
			names = append(names, s)
		}
	}
	if len(names) >= noSymbol {
		return fmt.Errorf("%d symbols, too many", len(names))
	}
	index := make(map[string]uint8, len(names))
	for i, name := range names {
		index[name] = uint8(i)
	}
	c.names = names
	c.pays = make([][maxReels + 1]int64, len(names))
	for name, pays := range m.Pays {
		if len(pays) != nr {
			return fmt.Errorf("pays of %q: %d entries, want one per reel (%d)", name, len(pays), nr)
		}
		for i, p := range pays {
			if p < 0 {
				return fmt.Errorf("pays of %q: negative pay", name)
			}
			c.pays[index[name]][i+1] = p
		}
	}

	for r, strip := range m.Reels {
		if len(strip) < m.Rows {
			return fmt.Errorf("reel %d: %d stops, fewer than the %d rows", r+1, len(strip), m.Rows)
		}
		cs := make([]uint8, len(strip))
		for i, name := range strip {
			s, ok := index[name]
			if !ok {
				return fmt.Errorf("reel %d stop %d: symbol %q has no pays and is neither wild nor scatter", r+1, i, name)
			}
			cs[i] = s
		}
		c.strips = append(c.strips, cs)
	}

	if len(m.Lines) == 0 {
		return errors.New("no lines")
	}
	for i, line := range m.Lines {
		if len(line) != nr {
			return fmt.Errorf("line %d: %d rows, want one per reel (%d)", i+1, len(line), nr)
		}
		var shifts uint64
		for r, row := range line {
			if row < 0 || row >= m.Rows {
				return fmt.Errorf("line %d: row %d out of the window", i+1, row)
			}
			shifts |= uint64(8*row) << (8 * r)
		}
		c.lines = append(c.lines, shifts)
	}

	if m.Wild != "" {
		c.wild = index[m.Wild]
	} else if m.ExpandingWild {
		return errors.New("expanding wild without a wild")
	}

	if m.Scatter != "" {
		c.scatter = index[m.Scatter]
		if m.Scatter == m.Wild {
			return errors.New("the wild cannot be the scatter")
		}
		if _, ok := m.Pays[m.Scatter]; ok {
			return errors.New("the scatter has line pays")
		}
		// At most one scatter may show on a reel, so the count of scatters
		// is the count of reels showing one (at most len(Reels)).
		for r, strip := range c.strips {
			last := -len(strip)
			for i, s := range strip {
				if s != c.scatter {
					continue
				}
				if i-last < m.Rows {
					return fmt.Errorf("reel %d: scatters closer than %d stops", r+1, m.Rows)
				}
				last = i
			}
			first := slices.Index(strip, c.scatter)
			if first >= 0 && first+len(strip)-last < m.Rows {
				return fmt.Errorf("reel %d: scatters closer than %d stops across the wrap", r+1, m.Rows)
			}
		}
		for n, p := range m.ScatterPays {
			if n < 1 || n > nr || p < 0 {
				return fmt.Errorf("scatter pays: %d for %d scatters", p, n)
			}
			c.scatPays[n] = p
		}
	} else if len(m.ScatterPays) > 0 || m.FreeSpins > 0 {
		return errors.New("scatter pays or free spins without a scatter")
	}

	if m.FreeSpins > 0 {
		switch {
		case m.FreeSpinTrigger < 1 || m.FreeSpinTrigger > nr:
			return fmt.Errorf("free spin trigger %d out of 1..%d", m.FreeSpinTrigger, nr)
		case m.FreeSpinMultiplier < 1:
			return errors.New("free spin multiplier below 1")
		case m.MaxFreeSpins < m.FreeSpins:
			return errors.New("max free spins below the free spins of one award")
		}
	}

	for r, strip := range c.strips {
		cols := make([]uint64, len(strip))
		for stop := range strip {
			cols[stop] = c.column(r, stop, m.Rows)
		}
		c.cols = append(c.cols, cols)
	}

	lines := int64(len(m.Lines))
	if m.MinBet < lines || m.MaxBet < m.MinBet || m.MinBet%lines != 0 || m.MaxBet%lines != 0 {
		return fmt.Errorf("bets %d to %d: want multiples of the %d lines, min at least one coin a line",
			m.MinBet, m.MaxBet, lines)
	}
	m.c = c
	return nil
}

// column returns the packed column of reel r at stop.
func (c *compiled) column(r, stop, rows int) uint64 {
	strip := c.strips[r]
	var syms [maxRows]uint8
	for row := range rows {
		syms[row] = strip[(stop+row)%len(strip)]
	}
	return c.packColumn(syms[:rows])
}

// packColumn returns the column of a reel showing syms from the top row
// down: the symbols the lines read (all wild if the wild expands), the
// number of scatters and the expanded flag.
func (c *compiled) packColumn(syms []uint8) uint64 {
	var col, scatters uint64
	wild := false
	for row, s := range syms {
		col |= uint64(s) << (8 * row)
		wild = wild || s == c.wild
		if s == c.scatter {
			scatters++
		}
	}
	if c.expanding && wild {
		col = colExpanded
		for row := range syms {
			col |= uint64(c.wild) << (8 * row)
		}
	}
	return col | scatters<<colScatterShift
}
