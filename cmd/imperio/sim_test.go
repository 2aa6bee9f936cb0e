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
)

func TestSimBlackjack(t *testing.T) {
	var out bytes.Buffer
	args := []string{"sim", "blackjack", "--hands", "50000", "--seed", "9", "--workers", "3", "--surrender=false"}
	if err := run(context.Background(), args, env(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"blackjack: 6 decks, dealer stands on soft 17", "no surrender", "hands         50,000", "house edge", "± ", "95% interval", "hands/s on 3 workers", "seed          9"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}

	// The same seed and workers give the same figures, as JSON too.
	var js bytes.Buffer
	if err := run(context.Background(), append(args, "--json"), env(nil), &js, io.Discard); err != nil {
		t.Fatal(err)
	}
	var res simRun
	if err := json.Unmarshal(js.Bytes(), &res); err != nil {
		t.Fatalf("%v in %s", err, js.String())
	}
	if res.Hands != 50000 || res.Workers != 3 || res.Seed != 9 || res.Rules.LateSurrender || res.StdErr <= 0 ||
		res.CI95[0] >= res.HouseEdge || res.CI95[1] <= res.HouseEdge {
		t.Fatalf("json %+v", res)
	}
	if want := fmt.Sprintf("house edge    %.4f%% ± %.4f%%", res.HouseEdge*100, res.StdErr*100); !strings.Contains(text, want) {
		t.Errorf("text and JSON disagree: want %q in\n%s", want, text)
	}
}

func TestSimRules(t *testing.T) {
	var js bytes.Buffer
	args := []string{"sim", "blackjack", "--hands", "10", "--decks", "2", "--h17", "--das=false", "--peek=false", "--bj", "6:5", "--rsa", "--max-hands", "3", "--json"}
	if err := run(context.Background(), args, env(nil), &js, io.Discard); err != nil {
		t.Fatal(err)
	}
	var res simRun
	if err := json.Unmarshal(js.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	r := res.Rules
	if r.Decks != 2 || !r.HitSoft17 || r.DoubleAfterSplit || r.Peek || r.BlackjackNum != 6 || r.BlackjackDen != 5 || !r.ResplitAces || r.MaxHands != 3 {
		t.Fatalf("rules %+v", r)
	}
}

func TestSimRefuses(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sim"}, "name a game"},
		{[]string{"sim", "poker"}, `unknown game "poker"`},
		{[]string{"sim", "blackjack", "--hands", "0"}, "--hands"},
		{[]string{"sim", "blackjack", "--hands", "many"}, "-hands"},
		{[]string{"sim", "blackjack", "--decks", "9"}, "--decks"},
		{[]string{"sim", "blackjack", "--bj", "3-2"}, "-bj"},
		{[]string{"sim", "blackjack", "--workers", "0"}, "--workers"},
		{[]string{"sim", "blackjack", "--max-hands", "0"}, "--max-hands"},
		{[]string{"sim", "blackjack", "--tables", "3"}, "-tables"},
		{[]string{"sim", "blackjack", "extra"}, `"extra"`},
	} {
		err := run(context.Background(), tc.args, env(nil), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to mention %s", tc.args, err, tc.want)
		}
	}
}

func TestSimHelpAndCancel(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"sim", "blackjack", "-h"}, env(nil), &out, io.Discard)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-hands") {
		t.Fatalf("help: %v\n%s", err, out.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = run(ctx, []string{"sim", "blackjack", "--hands", "100000000"}, env(nil), io.Discard, io.Discard)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
