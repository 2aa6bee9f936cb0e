package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
)

func TestSimCrash(t *testing.T) {
	var out bytes.Buffer
	args := []string{"sim", "crash", "--rounds", "300000", "--seed", "9", "--workers", "3", "--targets", "1.01, 1.5,2x,10,9999.99"}
	if err := run(context.Background(), args, env(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"crash: 1% edge", "capped at 10000.00x", "rounds        300,000", "1.01x ", "1.50x ", "2.00x ", "10.00x ",
		"9999.99x ", "99.000000%", "1.00x crashes", "rounds/s on 3 workers", "seed          9"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}

	// The same seed and workers give the same figures, as JSON too.
	var js bytes.Buffer
	if err := run(context.Background(), append(args, "--json"), env(nil), &js, io.Discard); err != nil {
		t.Fatal(err)
	}
	var res simCrashRun
	if err := json.Unmarshal(js.Bytes(), &res); err != nil {
		t.Fatalf("%v in %s", err, js.String())
	}
	if res.Game != "crash" || res.Rounds != 300000 || res.Workers != 3 || res.Seed != 9 || len(res.Targets) != 5 || res.MaxMultiplier != 1_000_000 {
		t.Fatalf("json %+v", res)
	}
	for i, want := range []int64{101, 150, 200, 1000, 999_999} {
		tg := res.Targets[i]
		if tg.Target != want || math.Abs(tg.ExactRTP-0.99) > 1e-11 || tg.StdErr <= 0 || math.Abs(tg.Z) > 5 {
			t.Errorf("target %d: %+v", want, tg)
		}
		if line := fmt.Sprintf("%.4f%% ± %.4f%%", 100*tg.RTP, 100*tg.StdErr); !strings.Contains(text, line) {
			t.Errorf("text and JSON disagree: want %q in\n%s", line, text)
		}
	}
	if math.Abs(res.Instant-0.01) > 5*res.InstantErr || math.Abs(res.InstantExact-0.01) > 1e-15 {
		t.Errorf("instant crashes %v ± %v, exact %v", res.Instant, res.InstantErr, res.InstantExact)
	}
}

func TestSimCrashRefuses(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sim", "crash", "--rounds", "0"}, "--rounds"},
		{[]string{"sim", "crash", "--workers", "0"}, "--workers"},
		{[]string{"sim", "crash", "--targets", "1"}, `"1": want 1.01x to 9999.99x`},
		{[]string{"sim", "crash", "--targets", "10000"}, `"10000": want 1.01x to 9999.99x`},
		{[]string{"sim", "crash", "--targets", "1.005"}, "two decimals"},
		{[]string{"sim", "crash", "--targets", "2."}, "two decimals"},
		{[]string{"sim", "crash", "--targets", "two"}, `"two"`},
		{[]string{"sim", "crash", "--targets", "-2"}, `"-2"`},
		{[]string{"sim", "crash", "--targets", "1.5,,2"}, `""`},
		{[]string{"sim", "crash", "--targets", strings.Repeat("2,", 16) + "2"}, "at most 16"},
		{[]string{"sim", "crash", "--hands", "3"}, "-hands"},
		{[]string{"sim", "crash", "extra"}, `"extra"`},
	} {
		err := run(context.Background(), tc.args, env(nil), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to mention %s", tc.args, err, tc.want)
		}
	}
}

func TestSimCrashHelpAndCancel(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"sim", "crash", "-h"}, env(nil), &out, io.Discard)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-targets") || !strings.Contains(out.String(), "-rounds") {
		t.Fatalf("help: %v\n%s", err, out.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = run(ctx, []string{"sim", "crash", "--rounds", "1000000000"}, env(nil), io.Discard, io.Discard)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
