package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/imperio-casino/imperio/games/roulette"
)

func TestSimRoulette(t *testing.T) {
	for _, lp := range []bool{false, true} {
		t.Run(fmt.Sprintf("LaPartage=%v", lp), func(t *testing.T) {
			args := []string{"sim", "roulette", "--spins", "200000", "--seed", "9", "--workers", "3"}
			if lp {
				args = append(args, "--la-partage")
			}
			var out bytes.Buffer
			if err := run(context.Background(), args, env(nil), &out, io.Discard); err != nil {
				t.Fatal(err)
			}
			text := out.String()
			for _, want := range []string{"roulette: European single zero", "spins         200,000", "exact edge", "simulated edge ± SE",
				"chi-square", "spins/s on 3 workers", "seed          9"} {
				if !strings.Contains(text, want) {
					t.Errorf("output lacks %q:\n%s", want, text)
				}
			}

			var js bytes.Buffer
			if err := run(context.Background(), append(args, "--json"), env(nil), &js, io.Discard); err != nil {
				t.Fatal(err)
			}
			var res simRouletteRun
			if err := json.Unmarshal(js.Bytes(), &res); err != nil {
				t.Fatalf("%v in %s", err, js.String())
			}
			if res.Spins != 200000 || res.Workers != 3 || res.Seed != 9 || res.LaPartage != lp || len(res.Bets) != len(roulette.Kinds()) {
				t.Fatalf("json %+v", res)
			}
			var spins int64
			for _, c := range res.Pockets {
				spins += c
			}
			if spins != res.Spins {
				t.Fatalf("pockets add up to %d", spins)
			}
			for i, b := range res.Bets {
				kind := roulette.Kinds()[i]
				exact := "2.7027%"
				if lp && b.Bet.Numbers == nil && kind != roulette.KindFirstFour {
					exact = "1.3514%"
				}
				// The same seed and workers give the same figures as the text.
				line := fmt.Sprintf("%-11s %-18s %10s   %8.4f%% ± %.4f%%   %6.2f", kind, numbersText(b.Bet.Numbers), exact, b.Edge*100, b.StdErr*100, b.Z)
				if b.Bet.Kind != kind || !strings.Contains(text, line) {
					t.Errorf("text lacks %q:\n%s", line, text)
				}
				if b.StdErr <= 0 || b.Z > 4.5 || b.Z < -4.5 {
					t.Errorf("%s: %+v", kind, b)
				}
			}
		})
	}
}

func TestSimRouletteRefuses(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sim", "roulette", "--spins", "0"}, "--spins 0"},
		{[]string{"sim", "roulette", "--spins", "lots"}, "-spins"},
		{[]string{"sim", "roulette", "--workers", "0"}, "--workers 0"},
		{[]string{"sim", "roulette", "--hands", "3"}, "-hands"},
		{[]string{"sim", "roulette", "red"}, `unexpected argument "red"`},
	} {
		err := run(context.Background(), tc.args, env(nil), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "sim roulette: ") {
			t.Errorf("%v: error %v, want it to mention %s", tc.args, err, tc.want)
		}
	}
}

func TestSimRouletteHelpAndCancel(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"sim", "roulette", "-h"}, env(nil), &out, io.Discard)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-la-partage") || !strings.Contains(out.String(), "-spins") {
		t.Fatalf("help: %v\n%s", err, out.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = run(ctx, []string{"sim", "roulette", "--spins", "1000000000"}, env(nil), io.Discard, io.Discard)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	// A run spread over more workers than spins still spins each once.
	var js bytes.Buffer
	if err := run(context.Background(), []string{"sim", "roulette", "--spins", "2", "--workers", "8", "--json"}, env(nil), &js, io.Discard); err != nil {
		t.Fatal(err)
	}
	var res simRouletteRun
	if err := json.Unmarshal(js.Bytes(), &res); err != nil || res.Spins != 2 || res.Workers != 2 {
		t.Fatalf("%v: %+v", err, res)
	}
}
