package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/imperio-casino/imperio/games/fair"
	"github.com/imperio-casino/imperio/games/roulette"
)

func init() { simulators["roulette"] = simRoulette }

// simRouletteRun is what "imperio sim roulette --json" prints. Each bet's
// edges are fractions of the stake: 0.027 is 2.7%.
type simRouletteRun struct {
	Game        string                  `json:"game"`
	LaPartage   bool                    `json:"la_partage"`
	Spins       int64                   `json:"spins"`
	Bets        []roulette.BetEdge      `json:"bets"`
	Pockets     [roulette.Pockets]int64 `json:"pockets"`
	ChiSquare   float64                 `json:"chi_square"`
	Workers     int                     `json:"workers"`
	Seed        uint64                  `json:"seed"`
	Seconds     float64                 `json:"seconds"`
	SpinsPerSec float64                 `json:"spins_per_second"`
}

func simRoulette(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("imperio sim roulette", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	spins := fs.Int64("spins", 10_000_000, "spins of the wheel; every bet is on every spin")
	laPartage := fs.Bool("la-partage", false, "a zero returns half the stake of even-money bets")
	seed := fs.Uint64("seed", 0, "seed of the simulation (0: a random one, printed)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines to simulate on")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parseSimFlags(fs, args, stdout, "Usage: imperio sim roulette [flags]\n\nSpins a single-zero wheel with one bet of every kind on every spin, and sets\neach bet's measured house edge beside the exact one.\n\nFlags:\n"); err != nil {
		return err
	}
	switch {
	case *spins < 1:
		return fmt.Errorf("sim roulette: --spins %d: want at least 1", *spins)
	case *workers < 1:
		return fmt.Errorf("sim roulette: --workers %d: want at least 1", *workers)
	}
	if *seed == 0 {
		*seed = fair.NewCrypto().Uint64() | 1
	}
	w := int(min(int64(*workers), *spins))

	start := time.Now()
	res, err := runRoulette(ctx, *laPartage, *spins, w, *seed)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	out := simRouletteRun{
		Game: "roulette", LaPartage: *laPartage, Spins: res.Spins, Bets: res.Bets, Pockets: res.Pockets, ChiSquare: res.ChiSquare(),
		Workers: w, Seed: *seed, Seconds: elapsed.Seconds(), SpinsPerSec: float64(res.Spins) / elapsed.Seconds(),
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	rules := "no la partage"
	if out.LaPartage {
		rules = "la partage (a zero returns half of an even-money stake)"
	}
	fmt.Fprintf(stdout, "roulette: European single zero, %s\n", rules)
	fmt.Fprintf(stdout, "spins         %s (one bet of every kind on every spin)\n\n", group(out.Spins))
	fmt.Fprintf(stdout, "%-11s %-18s %10s   %s   %6s\n", "kind", "numbers", "exact edge", "simulated edge ± SE", "z")
	for _, b := range out.Bets {
		fmt.Fprintf(stdout, "%-11s %-18s %9.4f%%   %8.4f%% ± %.4f%%   %6.2f\n",
			b.Bet.Kind, numbersText(b.Bet.Numbers), b.Exact*100, b.Edge*100, b.StdErr*100, b.Z)
	}
	fmt.Fprintf(stdout, "\npockets       chi-square %.2f on 36 degrees of freedom (a fair wheel exceeds %.2f 1%% of the time)\n", out.ChiSquare, roulette.ChiSquareCritical99)
	fmt.Fprintf(stdout, "speed         %s spins/s on %d workers (%.2fs)\n", group(int64(out.SpinsPerSec)), w, out.Seconds)
	fmt.Fprintf(stdout, "seed          %d\n", out.Seed)
	return nil
}

func numbersText(ns []int) string {
	if len(ns) == 0 {
		return "-"
	}
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, "-")
}

// runRoulette spins the wheel spins times on w goroutines (see runSim).
func runRoulette(ctx context.Context, laPartage bool, spins int64, w int, seed uint64) (roulette.SimResult, error) {
	total, err := runSim(ctx, spins, w, seed, 1<<20, func(src fair.Source) (func(int) roulette.SimResult, error) {
		sim, err := roulette.NewSimulator(roulette.SimBets(), laPartage, src)
		if err != nil {
			return nil, err
		}
		return sim.Run, nil
	})
	if err != nil {
		return total, fmt.Errorf("sim roulette: %w", err)
	}
	return total, nil
}
