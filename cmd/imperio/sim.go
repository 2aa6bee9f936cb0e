package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/imperio-casino/imperio/games/blackjack"
	"github.com/imperio-casino/imperio/games/fair"
)

const simUsage = `Usage: imperio sim <game> [flags]

Measures a game's return or house edge by playing it many times, beside the exact figure
where it can be computed. Games: blackjack, crash, roulette, slots.

Run "imperio sim blackjack -h" for its flags.
`

// simulate runs "imperio sim <game>": the house edge of a game's rules,
// measured by simulation on every core.
func simulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Fprint(stdout, simUsage)
			return flag.ErrHelp
		}
		fmt.Fprint(stderr, simUsage)
		return fmt.Errorf("sim: name a game to simulate (%s)", strings.Join(simGames(), ", "))
	}
	run, ok := simulators[args[0]]
	if !ok {
		return fmt.Errorf("sim: unknown game %q (the simulator knows: %s)", args[0], strings.Join(simGames(), ", "))
	}
	return run(ctx, args[1:], stdout)
}

// simulators holds each game's simulation, by the name `imperio sim` takes.
// A game's file adds its own entry.
var simulators = map[string]func(ctx context.Context, args []string, stdout io.Writer) error{
	"blackjack": simBlackjack,
}

func simGames() []string {
	names := make([]string, 0, len(simulators))
	for name := range simulators {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// simRun is what "imperio sim blackjack --json" prints.
type simRun struct {
	Game        string          `json:"game"`
	Description string          `json:"description"`
	Rules       blackjack.Rules `json:"rules"`
	Hands       int64           `json:"hands"`
	HouseEdge   float64         `json:"house_edge"` // a fraction of the initial bet: 0.004 is 0.4%
	StdErr      float64         `json:"std_err"`
	CI95        [2]float64      `json:"ci95"`
	Workers     int             `json:"workers"`
	Seed        uint64          `json:"seed"`
	Seconds     float64         `json:"seconds"`
	HandsPerSec float64         `json:"hands_per_second"`
}

func simBlackjack(ctx context.Context, args []string, stdout io.Writer) error {
	r := blackjack.DefaultRules()
	fs := flag.NewFlagSet("imperio sim blackjack", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	hands := fs.Int64("hands", 1_000_000, "rounds to play")
	fs.IntVar(&r.Decks, "decks", r.Decks, "decks in the shoe, 1 to 8")
	fs.BoolVar(&r.HitSoft17, "h17", r.HitSoft17, "the dealer hits soft 17")
	fs.BoolVar(&r.DoubleAfterSplit, "das", r.DoubleAfterSplit, "double after a split")
	fs.BoolVar(&r.DoubleAnyTwo, "double-any", r.DoubleAnyTwo, "double on any two cards (false: on 9 to 11)")
	fs.BoolVar(&r.LateSurrender, "surrender", r.LateSurrender, "late surrender")
	fs.BoolVar(&r.Peek, "peek", r.Peek, "the dealer peeks for blackjack (false: no hole card, all bets lost to a blackjack)")
	fs.IntVar(&r.MaxHands, "max-hands", r.MaxHands, "hands a player may split into, 1 to 8")
	fs.BoolVar(&r.ResplitAces, "rsa", r.ResplitAces, "resplit aces")
	fs.BoolVar(&r.HitSplitAces, "hsa", r.HitSplitAces, "hit split aces")
	fs.Func("bj", "what a blackjack pays, N:D (default 3:2)", func(s string) error {
		n, d, ok := strings.Cut(s, ":")
		num, err1 := strconv.ParseInt(n, 10, 64)
		den, err2 := strconv.ParseInt(d, 10, 64)
		if !ok || err1 != nil || err2 != nil || num < 1 || den < 1 || num > 100 || den > 100 {
			return errors.New("want N:D with N and D from 1 to 100, e.g. 3:2 or 6:5")
		}
		r.BlackjackNum, r.BlackjackDen = num, den
		return nil
	})
	seed := fs.Uint64("seed", 0, "seed of the simulation (0: a random one, printed)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines to simulate on")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	chart := fs.Bool("chart", false, "print the basic strategy chart played")
	if err := parseSimFlags(fs, args, stdout, "Usage: imperio sim blackjack [flags]\n\nPlays one player by basic strategy, flat bet, a freshly shuffled shoe every round.\n\nFlags:\n"); err != nil {
		return err
	}
	switch {
	case *hands < 1:
		return fmt.Errorf("sim blackjack: --hands %d: want at least 1", *hands)
	case *workers < 1:
		return fmt.Errorf("sim blackjack: --workers %d: want at least 1", *workers)
	case r.Decks < 1 || r.Decks > 8:
		return fmt.Errorf("sim blackjack: --decks %d: want 1 to 8", r.Decks)
	case r.MaxHands < 1 || r.MaxHands > 8:
		return fmt.Errorf("sim blackjack: --max-hands %d: want 1 to 8", r.MaxHands)
	}
	if err := r.Validate(); err != nil {
		return fmt.Errorf("sim blackjack: %w", err)
	}
	if *seed == 0 {
		*seed = fair.NewCrypto().Uint64() | 1
	}
	w := int(min(int64(*workers), *hands))

	start := time.Now()
	res, err := runBlackjack(ctx, r, *hands, w, *seed)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	out := simRun{
		Game: "blackjack", Description: r.String(), Rules: r, Hands: res.Hands,
		HouseEdge: res.HouseEdge(), StdErr: res.StdErr,
		CI95:    [2]float64{res.HouseEdge() - 1.96*res.StdErr, res.HouseEdge() + 1.96*res.StdErr},
		Workers: w, Seed: *seed, Seconds: elapsed.Seconds(), HandsPerSec: float64(res.Hands) / elapsed.Seconds(),
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "blackjack: %s\n", out.Description)
	fmt.Fprintf(stdout, "hands         %s (one player, basic strategy, flat bet, no insurance, new shoe each round)\n", group(out.Hands))
	fmt.Fprintf(stdout, "house edge    %.4f%% ± %.4f%% (standard error)\n", out.HouseEdge*100, out.StdErr*100)
	fmt.Fprintf(stdout, "95%% interval  %.4f%% to %.4f%%\n", out.CI95[0]*100, out.CI95[1]*100)
	fmt.Fprintf(stdout, "speed         %s hands/s on %d workers (%.2fs)\n", group(int64(out.HandsPerSec)), w, out.Seconds)
	fmt.Fprintf(stdout, "seed          %d\n", out.Seed)
	if *chart {
		fmt.Fprintf(stdout, "\n%s", blackjack.Strategy(r))
	}
	return nil
}

// runBlackjack plays hands rounds on w goroutines (see runSim).
func runBlackjack(ctx context.Context, r blackjack.Rules, hands int64, w int, seed uint64) (blackjack.SimResult, error) {
	total, err := runSim(ctx, hands, w, seed, 1<<16, func(src fair.Source) (func(int) blackjack.SimResult, error) {
		sim, err := blackjack.NewSimulator(r, src)
		if err != nil {
			return nil, err
		}
		return sim.Run, nil
	})
	if err != nil {
		return total, fmt.Errorf("sim blackjack: %w", err)
	}
	return total, nil
}

// runSim plays n rounds of a game's simulator on w goroutines, each with
// its own source derived from seed, in chunks so that a cancelled ctx stops
// it, and merges the results. The same seed and w give the same result.
func runSim[R interface{ Merge(R) R }](ctx context.Context, n int64, w int, seed uint64, chunk int64,
	newRun func(src fair.Source) (func(k int) R, error)) (R, error) {
	results := make([]R, w)
	errs := make([]error, w)
	var wg sync.WaitGroup
	for i := range w {
		share := n / int64(w)
		if int64(i) < n%int64(w) {
			share++
		}
		wg.Go(func() {
			run, err := newRun(fair.NewSeeded(seed + uint64(i)*0x9e3779b97f4a7c15))
			if err != nil {
				errs[i] = err
				return
			}
			for share > 0 {
				if err := ctx.Err(); err != nil {
					errs[i] = err
					return
				}
				k := min(share, chunk)
				results[i] = results[i].Merge(run(int(k)))
				share -= k
			}
		})
	}
	wg.Wait()
	var total R
	for i := range w {
		if errs[i] != nil {
			return total, errs[i]
		}
		total = total.Merge(results[i])
	}
	return total, nil
}

// group writes n with thousands separators: 2,000,000.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// parseSimFlags parses a simulator's flags. -h prints usage (its text, then
// the flags) and returns flag.ErrHelp; a bad flag or a stray argument is an
// error naming the simulator.
func parseSimFlags(fs *flag.FlagSet, args []string, stdout io.Writer, usage string) error {
	name := strings.TrimPrefix(fs.Name(), "imperio ")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return flag.ErrHelp
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", name, fs.Arg(0))
	}
	return nil
}
