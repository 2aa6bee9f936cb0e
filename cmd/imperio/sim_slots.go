package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/imperio-casino/imperio/games/fair"
	"github.com/imperio-casino/imperio/games/slots"
)

func init() { simulators["slots"] = simSlots }

// simSlotsMachine is one machine's line of "imperio sim slots --json".
// Returns are fractions of the bet: 0.95 is 95%.
type simSlotsMachine struct {
	Machine  string  `json:"machine"`
	Spins    int64   `json:"spins"`
	RTP      float64 `json:"rtp"`
	StdErr   float64 `json:"std_err"`
	ExactRTP float64 `json:"exact_rtp"`
	Z        float64 `json:"z"`
}

type simSlotsRun struct {
	Game     string            `json:"game"`
	Machines []simSlotsMachine `json:"machines"`
	Workers  int               `json:"workers"`
	Seed     uint64            `json:"seed"`
	Seconds  float64           `json:"seconds"`
}

// simSlots plays every machine (or one) at its minimum bet and sets the
// measured return beside the exact one, enumerated from the reel strips.
func simSlots(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("imperio sim slots", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	spins := fs.Int64("spins", 10_000_000, "spins per machine")
	machine := fs.String("machine", "", "one machine to simulate (default: all)")
	seed := fs.Uint64("seed", 0, "seed of the simulation (0: a random one, printed)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines to simulate on")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parseSimFlags(fs, args, stdout, "Usage: imperio sim slots [flags]\n\nMeasures each machine's return to player at its minimum bet, beside the exact figure.\n\nFlags:\n"); err != nil {
		return err
	}
	switch {
	case *spins < 1:
		return fmt.Errorf("sim slots: --spins %d: want at least 1", *spins)
	case *workers < 1:
		return fmt.Errorf("sim slots: --workers %d: want at least 1", *workers)
	}
	ms := slots.Machines()
	if *machine != "" {
		m, ok := slots.Lookup(*machine)
		if !ok {
			return fmt.Errorf("sim slots: --machine %q: no such machine", *machine)
		}
		ms = []*slots.Machine{m}
	}
	if *seed == 0 {
		*seed = rand.Uint64()
	}
	start := time.Now()
	run := simSlotsRun{Game: "slots", Workers: *workers, Seed: *seed}
	for i, m := range ms {
		if err := ctx.Err(); err != nil {
			return err
		}
		run.Machines = append(run.Machines, simMachine(m, *spins, *workers, *seed+uint64(i)*1_000_003))
	}
	run.Seconds = time.Since(start).Seconds()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(run)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "machine\tspins\texact RTP\tsimulated RTP ± SE\tz")
	for _, m := range run.Machines {
		fmt.Fprintf(tw, "%s\t%d\t%.4f%%\t%.4f%% ± %.4f%%\t%+.2f\n", m.Machine, m.Spins, m.ExactRTP*100, m.RTP*100, m.StdErr*100, m.Z)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "seed %d, %d workers, %.2fs\n", run.Seed, run.Workers, run.Seconds)
	return nil
}

// simMachine spins m n times at its minimum bet over workers goroutines,
// each with its own seeded source.
func simMachine(m *slots.Machine, n int64, workers int, seed uint64) simSlotsMachine {
	type part struct{ sum, sumSq float64 }
	parts := make([]part, workers)
	var wg sync.WaitGroup
	for w := range workers {
		share := n / int64(workers)
		if int64(w) < n%int64(workers) {
			share++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := fair.NewSeeded(seed + uint64(w))
			bet := m.MinBet
			var sum, sumSq float64
			for range share {
				r := float64(m.SpinWin(src, bet)) / float64(bet)
				sum += r
				sumSq += r * r
			}
			parts[w] = part{sum, sumSq}
		}()
	}
	wg.Wait()
	var sum, sumSq float64
	for _, p := range parts {
		sum += p.sum
		sumSq += p.sumSq
	}
	mean := sum / float64(n)
	se := math.Sqrt((sumSq/float64(n) - mean*mean) / float64(n))
	exact := m.ExactRTP()
	z := 0.0
	if se > 0 {
		z = (mean - exact) / se
	}
	return simSlotsMachine{Machine: m.ID, Spins: n, RTP: mean, StdErr: se, ExactRTP: exact, Z: z}
}
