package slots

// BaseStats are exact counts over every combination of reel stops of one
// base spin, at one coin a line. Combinations is the product of the strip
// lengths, every combination equally likely.
type BaseStats struct {
	Combinations int64
	// LinePays is the sum over all combinations of the line pays, in line
	// bets; ScatterPays the sum of the scatter pays, in total bets.
	LinePays    int64
	ScatterPays int64
	// Triggers is the number of combinations that award free spins.
	Triggers int64
}

// ExactRTP returns m's return to player computed exactly from its data: the
// base spin from BaseStats, plus the free spins by expectation (see
// FreeSpinsPerTrigger):
//
//	base = LinePays/(lines*Combinations) + ScatterPays/Combinations
//	RTP  = base + Triggers/Combinations * FreeSpinsPerTrigger * FreeSpinMultiplier * base
//
// A free spin is a base spin with its wins multiplied, and whether a free
// spin is played never depends on its own stops, so each one is worth
// FreeSpinMultiplier*base on average.
func (m *Machine) ExactRTP() float64 {
	st := m.BaseStats()
	d := float64(st.Combinations)
	base := float64(st.LinePays)/(float64(len(m.Lines))*d) + float64(st.ScatterPays)/d
	if m.FreeSpins == 0 {
		return base
	}
	p := float64(st.Triggers) / d
	return base + p*m.FreeSpinsPerTrigger(p)*float64(m.FreeSpinMultiplier)*base
}

// BaseStats computes the exact counts of a base spin. It does not visit the
// combinations one by one (the tests do, and agree): by linearity of
// expectation the line pays add up line by line, and the symbol a line
// reads on reel r depends only on reel r's stop, so the number of
// combinations giving one line a tuple of symbols is the product, over the
// reels, of the number of stops showing that symbol on that line's row.
// Every tuple is paid by payLines, as in Spin. Likewise the
// number of scatters is a sum of independent per-reel counts, whose
// distribution is the convolution of the reels' own.
func (m *Machine) BaseStats() BaseStats {
	c := &m.c
	nr, nsym := len(c.strips), len(c.names)
	st := BaseStats{Combinations: 1}
	for _, strip := range c.strips {
		st.Combinations *= int64(len(strip))
	}

	// counts[r][row][sym]: stops of reel r at which the lines crossing row
	// read sym. scat[r][k]: stops of reel r showing k scatters.
	counts := make([][][]int64, nr)
	scat := make([][]int64, nr)
	for r, cols := range c.cols {
		counts[r] = make([][]int64, m.Rows)
		for row := range counts[r] {
			counts[r][row] = make([]int64, nsym)
		}
		scat[r] = make([]int64, m.Rows+1)
		for _, col := range cols {
			for row := range m.Rows {
				counts[r][row][uint8(col>>(8*row))]++
			}
			scat[r][col>>colScatterShift&0xff]++
		}
	}

	// Lines that cross the same rows (or rows with the same counts) read
	// the same distribution: pay each distinct one once.
	memo := make(map[[maxReels]int]int64)
	for _, rows := range m.Lines {
		var key [maxReels]int
		for r, row := range rows {
			key[r] = firstEqualRow(counts[r], row)
		}
		sum, ok := memo[key]
		if !ok {
			dist := make([][]int64, nr)
			for r := range dist {
				dist[r] = counts[r][key[r]]
			}
			sum = c.linePaySum(dist)
			memo[key] = sum
		}
		st.LinePays += sum
	}

	if c.scatter == noSymbol {
		return st
	}
	total := []int64{1} // total[k]: combinations of the reels so far showing k scatters
	for _, reel := range scat {
		next := make([]int64, len(total)+len(reel)-1)
		for i, a := range total {
			for j, b := range reel {
				next[i+j] += a * b
			}
		}
		total = next
	}
	// compile keeps scatters a reel apart, so no combination shows more
	// scatters than there are reels.
	for k, n := range total[:nr+1] {
		st.ScatterPays += n * c.scatPays[k]
		if m.FreeSpins > 0 && k >= m.FreeSpinTrigger {
			st.Triggers += n
		}
	}
	return st
}

// firstEqualRow returns the first row of a reel whose symbol counts equal
// those of row.
func firstEqualRow(rows [][]int64, row int) int {
	for i := range row {
		if equal(rows[i], rows[row]) {
			return i
		}
	}
	return row
}

func equal(a, b []int64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// linePaySum returns the sum of the pays of one line over all combinations,
// dist[r][sym] being the number of stops of reel r at which it reads sym:
// every tuple of symbols, paid by linePay and weighted by the product of
// its counts.
func (c *compiled) linePaySum(dist [][]int64) int64 {
	// line[r] is a column showing the tuple's symbol on reel r in row 0,
	// the row a line with no shifts reads.
	var line [maxReels]uint64
	topRow := []uint64{0}
	var walk func(r int, weight int64) int64
	walk = func(r int, weight int64) int64 {
		if r == len(dist) {
			return c.payLines(line, r, topRow, 1, nil) * weight
		}
		var sum int64
		for s, n := range dist[r] {
			if n > 0 {
				line[r] = uint64(s)
				sum += walk(r+1, weight*n)
			}
		}
		return sum
	}
	return walk(0, 1)
}

// FreeSpinsPerTrigger returns the expected number of free spins a round
// plays once triggered, when each free spin retriggers with probability p:
// FreeSpins plus retriggers of FreeSpins more each, never more than
// MaxFreeSpins in all. Without the cap it would be FreeSpins/(1 -
// p*FreeSpins); the cap makes it a finite Markov chain over (spins awarded,
// spins played), solved here by backward induction.
func (m *Machine) FreeSpinsPerTrigger(p float64) float64 {
	if m.FreeSpins == 0 {
		return 0
	}
	capN, n := m.MaxFreeSpins, m.FreeSpins
	// e[a] holds, for the current number played k, the expected number of
	// spins the round ends with when a have been awarded (a > k).
	e := make([]float64, capN+1)
	next := make([]float64, capN+1)
	for a := range e {
		e[a] = float64(a) // k == a: the round is over
	}
	for k := capN - 1; k >= 0; k-- {
		// next[a] = expectation with k played, from e (k+1 played).
		for a := k + 1; a <= capN; a++ {
			more := min(a+n, capN)
			next[a] = p*e[more] + (1-p)*e[a]
		}
		next[k] = float64(k)
		e, next = next, e
	}
	return e[n]
}
