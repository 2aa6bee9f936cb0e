package slots

import (
	"github.com/imperio-casino/imperio/games/fair"
)

// Outcome is one round: the base spin and every free spin it led to. It is
// sent to the player and to spectators, and stored for round recall.
type Outcome struct {
	// Stops are the drawn stop of each reel; Reels the visible window they
	// show, reel-major: Reels[reel][row].
	Stops []int      `json:"stops"`
	Reels [][]string `json:"reels"`
	// Expanded lists the reels (0-based) whose wild expanded to fill them.
	Expanded []int `json:"expanded,omitempty"`
	// Wins are the base spin's wins, lines in line order, then the scatter.
	Wins []Win `json:"wins"`
	// Win is the total of the whole round in coins: base spin and free spins.
	Win int64 `json:"win"`
	// FreeSpins are the free spins the round played, in order, and
	// FreeSpinsAwarded their number.
	FreeSpins        []FreeSpin `json:"free_spins,omitempty"`
	FreeSpinsAwarded int        `json:"free_spins_awarded,omitempty"`
}

// FreeSpin is one free spin of a round.
type FreeSpin struct {
	Stops    []int      `json:"stops"`
	Reels    [][]string `json:"reels"`
	Expanded []int      `json:"expanded,omitempty"`
	// Wins have the multiplier applied already; Win is their total.
	Wins       []Win `json:"wins"`
	Win        int64 `json:"win"`
	Multiplier int64 `json:"multiplier"`
	// Retriggered is the number of free spins this spin added to the round.
	Retriggered int `json:"retriggered,omitempty"`
}

// Win is one paying combination. Line is the 1-based payline, or 0 for a
// scatter win; Count is the number of symbols in the combination (wilds
// included); Amount is the coins it pays, any multiplier applied.
type Win struct {
	Line   int    `json:"line"`
	Symbol string `json:"symbol"`
	Count  int    `json:"count"`
	Amount int64  `json:"amount"`
}

// ScatterLine is the Line of a scatter win.
const ScatterLine = 0

// noWins keeps a spin without wins encoding as [] rather than null. It has
// no capacity, so appending to it never writes into it.
var noWins = []Win{}

// window is one spin's stops and the columns they show.
type window struct {
	stops [maxReels]int
	cols  [maxReels]uint64
}

// Spin plays one round at bet, the total bet in coins: it draws the stops
// of each reel in order with fair.Intn, pays the window, and plays out every
// free spin the round awards, drawing from src in the same way. The bet
// must pass ValidateBet (the hub checks it before debiting); Spin panics
// otherwise.
func (m *Machine) Spin(src fair.Source, bet int64) Outcome {
	var o Outcome
	m.play(src, bet, &o)
	return o
}

// SpinWin plays a round exactly as Spin does, drawing the same values from
// src, but returns only the round's total win and allocates nothing. It is
// for simulation and for tests that play millions of rounds.
func (m *Machine) SpinWin(src fair.Source, bet int64) int64 {
	return m.play(src, bet, nil)
}

// play is Spin and SpinWin: it records into o unless o is nil.
func (m *Machine) play(src fair.Source, bet int64, o *Outcome) int64 {
	if err := m.ValidateBet(bet); err != nil {
		panic("slots: Spin: " + err.Error())
	}
	lineBet := m.LineBet(bet)
	var w window
	m.draw(src, &w)
	var wins *[]Win
	if o != nil {
		m.record(&w, &o.Stops, &o.Reels, &o.Expanded)
		o.Wins = noWins
		wins = &o.Wins
	}
	total, scatters := m.evaluate(&w, lineBet, bet, 1, wins)
	if m.FreeSpins == 0 || scatters < m.FreeSpinTrigger {
		if o != nil {
			o.Win = total
		}
		return total
	}

	awarded := m.FreeSpins
	if o != nil {
		o.FreeSpins = make([]FreeSpin, 0, awarded)
	}
	for played := 0; played < awarded; played++ {
		m.draw(src, &w)
		var fs *FreeSpin
		if o != nil {
			o.FreeSpins = append(o.FreeSpins, FreeSpin{Wins: noWins, Multiplier: m.FreeSpinMultiplier})
			fs = &o.FreeSpins[len(o.FreeSpins)-1]
			m.record(&w, &fs.Stops, &fs.Reels, &fs.Expanded)
			wins = &fs.Wins
		}
		win, scatters := m.evaluate(&w, lineBet, bet, m.FreeSpinMultiplier, wins)
		total += win
		more := 0
		if scatters >= m.FreeSpinTrigger {
			more = min(m.FreeSpins, m.MaxFreeSpins-awarded)
			awarded += more
		}
		if fs != nil {
			fs.Win = win
			fs.Retriggered = more
		}
	}
	if o != nil {
		o.Win = total
		o.FreeSpinsAwarded = awarded
	}
	return total
}

// draw draws every reel's stop, in reel order, and looks up its column.
func (m *Machine) draw(src fair.Source, w *window) {
	for r, cols := range m.c.cols {
		stop := fair.Intn(src, len(cols))
		w.stops[r], w.cols[r] = stop, cols[stop]
	}
}

// record copies the window into an outcome's fields: one allocation for the
// stops and two for the reels.
func (m *Machine) record(w *window, stops *[]int, reels *[][]string, expanded *[]int) {
	nr := len(m.c.strips)
	*stops = append([]int(nil), w.stops[:nr]...)
	names := make([]string, nr*m.Rows)
	rs := make([][]string, nr)
	for r, strip := range m.c.strips {
		row := names[r*m.Rows : (r+1)*m.Rows : (r+1)*m.Rows]
		for i := range row {
			row[i] = m.c.names[strip[(w.stops[r]+i)%len(strip)]]
		}
		rs[r] = row
		if w.cols[r]&colExpanded != 0 {
			*expanded = append(*expanded, r)
		}
	}
	*reels = rs
}

// evaluate pays the window: line wins at lineBet a line, scatter wins at bet,
// all multiplied by mult. It returns the total and the number of scatters
// showing, and appends each win to wins unless wins is nil.
func (m *Machine) evaluate(w *window, lineBet, bet, mult int64, wins *[]Win) (total int64, scatters int) {
	c := &m.c
	nr := len(c.cols)
	total = c.payLines(w.cols, nr, c.lines, lineBet*mult, wins)
	for _, col := range w.cols[:nr] {
		scatters += int(col>>colScatterShift) & 0xff
	}
	if pay := c.scatPays[scatters]; pay > 0 {
		amount := pay * bet * mult
		total += amount
		if wins != nil {
			*wins = append(*wins, Win{Line: ScatterLine, Symbol: c.names[c.scatter], Count: scatters, Amount: amount})
		}
	}
	return total, scatters
}

// payLines pays each line of lines over the first n reels of cols at stake
// coins a line, returns the total and appends each win to wins unless wins
// is nil. A line packs, one byte a reel, the shift of the row it crosses;
// it reads that row's byte of cols[r].
//
// Each line is read left to right: the run of the first symbol that is not
// a wild, wilds standing in for it, is weighed against the run of leading
// wilds paid as the wild, and the better of the two pays (the symbol on a
// tie). A scatter breaks every run, and no wild stands in for it. A line is
// read no further than its run goes, which saves most of a spin's work.
//
// This is the one place that knows the line rules: Spin, SpinWin and
// BaseStats all pay through it.
func (c *compiled) payLines(cols [maxReels]uint64, n int, lines []uint64, stake int64, wins *[]Win) (total int64) {
	wild := c.wild
	for i, shifts := range lines {
		at := func(r int) uint8 { return uint8(cols[r] >> (shifts >> (8 * r) & 0xff)) }
		wilds := 0
		s := at(0)
		for s == wild && wilds < n-1 {
			wilds++
			s = at(wilds)
		}
		var sym uint8
		var count int
		var pay int64
		if s == wild { // wilds all the way
			sym, count, pay = wild, n, c.pays[wild][n]
		} else {
			run := wilds + 1
			for run < n {
				if t := at(run); t != s && t != wild {
					break
				}
				run++
			}
			if wilds > 0 {
				sym, count, pay = wild, wilds, c.pays[wild][wilds]
			}
			if p := c.pays[s][run]; p > 0 && p >= pay {
				sym, count, pay = s, run, p
			}
		}
		if pay == 0 {
			continue
		}
		amount := pay * stake
		total += amount
		if wins != nil {
			*wins = append(*wins, Win{Line: i + 1, Symbol: c.names[sym], Count: count, Amount: amount})
		}
	}
	return total
}
