package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/imperio-casino/imperio/games/crash"
	"github.com/imperio-casino/imperio/games/fair"
)

func init() { simulators["crash"] = simCrash }

// maxCrashTargets bounds --targets, so each worker counts in an array.
const maxCrashTargets = 16

// simCrashRun is what "imperio sim crash --json" prints. Multipliers are
// in hundredths; returns and shares are fractions (0.99 is 99%).
type simCrashRun struct {
	Game          string           `json:"game"`
	Rounds        int64            `json:"rounds"`
	MaxMultiplier int64            `json:"max_multiplier"`
	Targets       []simCrashTarget `json:"targets"`
	Instant       float64          `json:"instant_crash"` // share of rounds that crashed at 1.00x
	InstantErr    float64          `json:"instant_crash_std_err"`
	InstantExact  float64          `json:"instant_crash_exact"`
	Workers       int              `json:"workers"`
	Seed          uint64           `json:"seed"`
	Seconds       float64          `json:"seconds"`
	RoundsPerSec  float64          `json:"rounds_per_second"`
}

// simCrashTarget is the return of always cashing out at Target.
type simCrashTarget struct {
	Target   int64   `json:"target"`
	Wins     int64   `json:"wins"` // rounds whose crash point was above the target
	RTP      float64 `json:"rtp"`
	StdErr   float64 `json:"std_err"`
	ExactRTP float64 `json:"exact_rtp"`
	Z        float64 `json:"z"` // (RTP - ExactRTP) / StdErr
}

func simCrash(ctx context.Context, args []string, stdout io.Writer) error {
	r := crash.DefaultRules()
	fs := flag.NewFlagSet("imperio sim crash", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	rounds := fs.Int64("rounds", 10_000_000, "rounds to play")
	targetList := fs.String("targets", "1.5,2,10,100", "cash-out targets, comma-separated multipliers from 1.01 with at most two decimals")
	seed := fs.Uint64("seed", 0, "seed of the simulation (0: a random one, printed)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines to simulate on")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parseSimFlags(fs, args, stdout, "Usage: imperio sim crash [flags]\n\n"+
		"Measures the return of cashing out at each target over the crash points of random round hashes,\n"+
		"beside the exact return of the crash-point formula.\n\nFlags:\n"); err != nil {
		return err
	}
	switch {
	case *rounds < 1:
		return fmt.Errorf("sim crash: --rounds %d: want at least 1", *rounds)
	case *workers < 1:
		return fmt.Errorf("sim crash: --workers %d: want at least 1", *workers)
	}
	targets, err := parseCrashTargets(*targetList, r.MaxMultiplier)
	if err != nil {
		return fmt.Errorf("sim crash: --targets: %w", err)
	}
	if *seed == 0 {
		*seed = fair.NewCrypto().Uint64() | 1
	}
	w := int(min(int64(*workers), *rounds))

	start := time.Now()
	wins, instant, err := runCrash(ctx, *rounds, w, *seed, targets, r.MaxMultiplier)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	n := float64(*rounds)
	out := simCrashRun{
		Game: "crash", Rounds: *rounds, MaxMultiplier: r.MaxMultiplier, Targets: []simCrashTarget{},
		Workers: w, Seed: *seed, Seconds: elapsed.Seconds(), RoundsPerSec: n / elapsed.Seconds(),
	}
	for j, x := range targets {
		p := float64(wins[j]) / n
		m := float64(x) / 100
		t := simCrashTarget{Target: x, Wins: wins[j], RTP: m * p, StdErr: m * math.Sqrt(p*(1-p)/n), ExactRTP: crash.RTP(x)}
		if t.StdErr > 0 {
			t.Z = (t.RTP - t.ExactRTP) / t.StdErr
		}
		out.Targets = append(out.Targets, t)
	}
	out.Instant = float64(instant) / n
	out.InstantErr = math.Sqrt(out.Instant * (1 - out.Instant) / n)
	num, den := crash.WinChance(100)
	out.InstantExact = float64(den-num) / float64(den)

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "crash: 1%% edge, P(crash point > m) = 0.99/m, crash points capped at %s\n", crashX(out.MaxMultiplier))
	fmt.Fprintf(stdout, "rounds        %s (crash points of random round hashes)\n", group(out.Rounds))
	fmt.Fprintf(stdout, "%-13s %-26s %-12s %s\n", "cash out at", "return (simulated ± SE)", "exact", "z")
	for _, t := range out.Targets {
		fmt.Fprintf(stdout, "%-13s %-26s %-12s %+.2f\n", crashX(t.Target),
			fmt.Sprintf("%.4f%% ± %.4f%%", 100*t.RTP, 100*t.StdErr), fmt.Sprintf("%.6f%%", 100*t.ExactRTP), t.Z)
	}
	fmt.Fprintf(stdout, "1.00x crashes %.4f%% ± %.4f%% (exact %.6f%%)\n", 100*out.Instant, 100*out.InstantErr, 100*out.InstantExact)
	fmt.Fprintf(stdout, "speed         %s rounds/s on %d workers (%.2fs)\n", group(int64(out.RoundsPerSec)), w, out.Seconds)
	fmt.Fprintf(stdout, "seed          %d\n", out.Seed)
	return nil
}

// parseCrashTargets reads multipliers such as "1.5,2,10" into hundredths,
// exactly (no floating point): each from 1.01 to below maxMult.
func parseCrashTargets(s string, maxMult int64) ([]int64, error) {
	var out []int64
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSuffix(strings.TrimSpace(part), "x")
		whole, frac, dot := strings.Cut(part, ".")
		if dot && (len(frac) == 0 || len(frac) > 2) {
			return nil, fmt.Errorf("%q: want a multiplier with at most two decimals, such as 1.5 or 2.25", part)
		}
		frac += strings.Repeat("0", 2-len(frac))
		w, err1 := strconv.ParseInt(whole, 10, 64)
		f, err2 := strconv.ParseInt(frac, 10, 64)
		if err1 != nil || err2 != nil || w < 0 || f < 0 || w > maxMult/100 {
			return nil, fmt.Errorf("%q: want a multiplier such as 1.5 or 2.25", part)
		}
		x := w*100 + f
		if x < crash.MinAutoCashout || x >= maxMult {
			return nil, fmt.Errorf("%q: want %s to %s", part, crashX(crash.MinAutoCashout), crashX(maxMult-1))
		}
		out = append(out, x)
	}
	if len(out) > maxCrashTargets {
		return nil, fmt.Errorf("%d targets: want at most %d", len(out), maxCrashTargets)
	}
	return out, nil
}

// crashX writes hundredths as a multiplier: 1.50x.
func crashX(x int64) string { return fmt.Sprintf("%d.%02dx", x/100, x%100) }

// runCrash plays rounds on w goroutines, each drawing its round hashes from
// its own source derived from seed, in chunks so that a cancelled ctx stops
// it. It returns, for each target, the rounds whose crash point (capped at
// maxMult) was above it, and the rounds that crashed at 1.00x. The same
// seed and w give the same result.
func runCrash(ctx context.Context, rounds int64, w int, seed uint64, targets []int64, maxMult int64) ([]int64, int64, error) {
	const chunk = 1 << 20
	type result struct {
		wins    [maxCrashTargets]int64
		instant int64
		err     error
	}
	results := make([]result, w)
	var wg sync.WaitGroup
	for i := range w {
		n := rounds / int64(w)
		if int64(i) < rounds%int64(w) {
			n++
		}
		wg.Go(func() {
			src := fair.NewSeeded(seed + uint64(i)*0x9e3779b97f4a7c15)
			var wins [maxCrashTargets]int64
			var instant int64
			var h [32]byte
			for n > 0 {
				if err := ctx.Err(); err != nil {
					results[i].err = err
					return
				}
				k := min(n, chunk)
				for range k {
					binary.BigEndian.PutUint64(h[0:], src.Uint64())
					binary.BigEndian.PutUint64(h[8:], src.Uint64())
					binary.BigEndian.PutUint64(h[16:], src.Uint64())
					binary.BigEndian.PutUint64(h[24:], src.Uint64())
					c := min(crash.CrashPointOf(h), maxMult)
					if c == 100 {
						instant++
					}
					for j, x := range targets {
						if c > x {
							wins[j]++
						}
					}
				}
				n -= k
			}
			results[i].wins, results[i].instant = wins, instant
		})
	}
	wg.Wait()
	total := make([]int64, len(targets))
	var instant int64
	for _, r := range results {
		if r.err != nil {
			return nil, 0, fmt.Errorf("sim crash: %w", r.err)
		}
		for j := range total {
			total[j] += r.wins[j]
		}
		instant += r.instant
	}
	return total, instant, nil
}
