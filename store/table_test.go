package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/store"
	"github.com/imperio-casino/imperio/store/storetest"
)

func TestTable(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			testTable(t, b)
		})
	}
}

func testTable(t *testing.T, b storetest.Backend) {
	t.Run("OpenStakeSettle", func(t *testing.T) {
		s := b.Open(t)
		ann := newUser(t, s, "Ann", 1000)
		ben := newUser(t, s, "Ben", 500)
		r := openRound(t, s, "blackjack", "blackjack:t1")

		for _, tc := range []struct {
			user      imperio.User
			key       string
			amount    int64
			wantCoins int64
		}{
			{ann, "bet", 100, 900},
			{ben, "bet", 50, 450},
			{ann, "double", 40, 860},
		} {
			coins, replayed, err := s.Stake(t.Context(), imperio.Stake{RoundID: r.ID, UserID: tc.user.ID, Key: tc.key, Amount: tc.amount, Game: "blackjack"})
			if err != nil || replayed || coins != tc.wantCoins {
				t.Fatalf("Stake(%s, %s, %d) = %d, %v, %v; want %d", tc.user.Username, tc.key, tc.amount, coins, replayed, err, tc.wantCoins)
			}
		}
		// Open, the round is recalled with its stakes so far.
		rd, err := s.Round(t.Context(), ben.ID, r.ID)
		if err != nil || rd.Status != imperio.RoundOpen || rd.SettledAt != nil || rd.Outcome != nil || len(rd.Players) != 2 {
			t.Errorf("Round while open = %+v, %v", rd, err)
		}

		outcome := json.RawMessage(`{"dealer": ["Ks", "7h"], "hands": 3}`)
		got, err := s.SettleRound(t.Context(), imperio.RoundSettlement{
			RoundID: r.ID,
			Outcome: outcome,
			Payouts: []imperio.Payout{
				{UserID: ann.ID, Amount: 200, Key: r.ID + ":h1"},
				{UserID: ben.ID, Amount: 0, Key: r.ID + ":h1"}, // a lost hand: skipped
				{UserID: ann.ID, Amount: 80, Key: r.ID + ":h2"},
			},
		})
		if err != nil {
			t.Fatalf("SettleRound: %v", err)
		}
		want := []imperio.Balance{{UserID: ann.ID, Coins: 1140}, {UserID: ben.ID, Coins: 450}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("SettleRound = %+v, want %+v", got, want)
		}

		wantLedger := map[int64][]entryRow{
			ann.ID: {
				{imperio.KindWin, 80, 1140, r.ID},
				{imperio.KindWin, 200, 1060, r.ID},
				{imperio.KindBet, -40, 860, r.ID},
				{imperio.KindBet, -100, 900, r.ID},
				{imperio.KindGrant, 1000, 1000, ""},
			},
			ben.ID: {
				{imperio.KindBet, -50, 450, r.ID},
				{imperio.KindGrant, 500, 500, ""},
			},
		}
		for id, w := range wantLedger {
			if got := entryRows(t, s, id); !reflect.DeepEqual(got, w) {
				t.Errorf("ledger of user %d, newest first:\n got %+v\nwant %+v", id, got, w)
			}
		}
		for _, e := range allEntries(t, s, ann.ID) {
			if e.RoundID != "" && e.Game != "blackjack" {
				t.Errorf("entry %d: game %q, want blackjack", e.ID, e.Game)
			}
		}

		for _, u := range []imperio.User{ann, ben} {
			rd, err := s.Round(t.Context(), u.ID, r.ID)
			if err != nil {
				t.Fatalf("Round for %s: %v", u.Username, err)
			}
			if rd.ID != r.ID || rd.Game != "blackjack" || rd.Room != "blackjack:t1" || rd.Status != imperio.RoundSettled ||
				!jsonEqual(rd.Outcome, outcome) || !jsonEqual(rd.Fairness, r.Fairness) ||
				rd.SettledAt == nil || rd.SettledAt.Before(rd.CreatedAt) {
				t.Errorf("Round for %s = %+v", u.Username, rd)
			}
			wantPlayers := []imperio.RoundPlayer{
				{UserID: ann.ID, Username: "Ann", Wagered: 140, Won: 280},
				{UserID: ben.ID, Username: "Ben", Wagered: 50, Won: 0},
			}
			if !reflect.DeepEqual(rd.Players, wantPlayers) {
				t.Errorf("Players = %+v, want %+v", rd.Players, wantPlayers)
			}
		}
		if ids := openRounds(t, s, ""); len(ids) != 0 {
			t.Errorf("OpenRounds after the settlement = %v, want none", ids)
		}
		checkLedger(t, s)
	})

	t.Run("OpenRoundIdempotent", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Cleo", 100)
		r := openRound(t, s, "roulette", "roulette:1")
		if err := s.OpenRound(t.Context(), r); err != nil {
			t.Errorf("OpenRound again: %v", err)
		}
		for name, other := range map[string]imperio.TableRound{
			"OtherRoom": {ID: r.ID, Game: "roulette", Room: "roulette:2"},
			"OtherGame": {ID: r.ID, Game: "crash", Room: "roulette:1"},
		} {
			if err := s.OpenRound(t.Context(), other); imperio.ErrorCode(err) != imperio.EConflict {
				t.Errorf("%s: OpenRound = %v, want conflict", name, err)
			}
		}
		sp := newSpin(u.ID, "k", 10, 0)
		if _, err := s.SettleSpin(t.Context(), sp); err != nil {
			t.Fatalf("SettleSpin: %v", err)
		}
		if err := s.OpenRound(t.Context(), imperio.TableRound{ID: sp.RoundID, Game: sp.Game, Room: sp.Room}); imperio.ErrorCode(err) != imperio.EConflict {
			t.Errorf("OpenRound with a spin's id = %v, want conflict", err)
		}
		if _, err := s.SettleRound(t.Context(), imperio.RoundSettlement{RoundID: r.ID}); err != nil {
			t.Fatalf("SettleRound: %v", err)
		}
		if err := s.OpenRound(t.Context(), r); imperio.ErrorCode(err) != imperio.EConflict {
			t.Errorf("OpenRound of a settled round = %v, want conflict", err)
		}
		for name, bad := range map[string]imperio.TableRound{
			"NoID":        {Game: "crash", Room: "crash:1"},
			"NoGame":      {ID: imperio.NewID(), Room: "crash:1"},
			"NoRoom":      {ID: imperio.NewID(), Game: "crash"},
			"BadFairness": {ID: imperio.NewID(), Game: "crash", Room: "crash:1", Fairness: json.RawMessage(`{`)},
		} {
			if err := s.OpenRound(t.Context(), bad); imperio.ErrorCode(err) != imperio.EInvalidInput {
				t.Errorf("%s: OpenRound = %v, want invalid_input", name, err)
			}
		}
	})

	t.Run("StakeInsufficientFundsChangesNothing", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Dina", 30)
		r := openRound(t, s, "crash", "crash:1")
		_, _, err := s.Stake(t.Context(), imperio.Stake{RoundID: r.ID, UserID: u.ID, Key: "k1", Amount: 31})
		if imperio.ErrorCode(err) != imperio.EInsufficientFunds {
			t.Fatalf("Stake = %v, want insufficient_funds", err)
		}
		if coins := balance(t, s, u.ID); coins != 30 {
			t.Errorf("balance = %d, want 30", coins)
		}
		if n := len(allEntries(t, s, u.ID)); n != 1 {
			t.Errorf("%d ledger entries, want only the grant", n)
		}
		if _, err := s.Round(t.Context(), u.ID, r.ID); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Errorf("Round after a refused stake = %v, want not_found (no stake recorded)", err)
		}
		// The key was not used up, and the whole balance can be staked.
		if coins, replayed, err := s.Stake(t.Context(), imperio.Stake{RoundID: r.ID, UserID: u.ID, Key: "k1", Amount: 30}); err != nil || replayed || coins != 0 {
			t.Errorf("staking the whole balance = %d, %v, %v", coins, replayed, err)
		}
		checkLedger(t, s)
	})

	t.Run("StakeReplayChangesNothing", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Eli", 1000)
		r := openRound(t, s, "roulette", "roulette:1")
		st := imperio.Stake{RoundID: r.ID, UserID: u.ID, Key: "chip-1", Amount: 100, Game: "roulette"}
		if coins, replayed, err := s.Stake(t.Context(), st); err != nil || replayed || coins != 900 {
			t.Fatalf("Stake = %d, %v, %v; want 900", coins, replayed, err)
		}
		if coins, replayed, err := s.Stake(t.Context(), st); err != nil || !replayed || coins != 900 {
			t.Errorf("replay = %d, %v, %v; want 900, replayed", coins, replayed, err)
		}
		// Concurrent retries of one new key: exactly one debits.
		st2 := st
		st2.Key = "chip-2"
		var fresh atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				coins, replayed, err := s.Stake(t.Context(), st2)
				if err != nil || coins != 800 {
					t.Errorf("concurrent Stake = %d, %v, %v; want 800", coins, replayed, err)
				}
				if !replayed {
					fresh.Add(1)
				}
			})
		}
		wg.Wait()
		if n := fresh.Load(); n != 1 {
			t.Errorf("%d concurrent stakes of one key debited, want 1", n)
		}
		// The key is this stake's only: reused elsewhere it is a conflict.
		other := openRound(t, s, "roulette", "roulette:1")
		for name, bad := range map[string]imperio.Stake{
			"OtherAmount": {RoundID: r.ID, UserID: u.ID, Key: "chip-1", Amount: 99},
			"OtherRound":  {RoundID: other.ID, UserID: u.ID, Key: "chip-1", Amount: 100},
		} {
			if _, _, err := s.Stake(t.Context(), bad); imperio.ErrorCode(err) != imperio.EConflict {
				t.Errorf("%s: Stake = %v, want conflict", name, err)
			}
		}
		// A replay still answers after the round is settled.
		if _, err := s.SettleRound(t.Context(), imperio.RoundSettlement{RoundID: r.ID}); err != nil {
			t.Fatalf("SettleRound: %v", err)
		}
		if coins, replayed, err := s.Stake(t.Context(), st); err != nil || !replayed || coins != 800 {
			t.Errorf("replay after the settlement = %d, %v, %v; want 800, replayed", coins, replayed, err)
		}
		if n := len(allEntries(t, s, u.ID)); n != 3 {
			t.Errorf("%d ledger entries, want the grant and two bets", n)
		}
		if rd, err := s.Round(t.Context(), u.ID, r.ID); err != nil || rd.Players[0].Wagered != 200 {
			t.Errorf("Round = %+v, %v; want 200 wagered", rd, err)
		}
		checkLedger(t, s)
	})

	t.Run("StakeIntoClosedRoundIsBettingClosed", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Fay", 1000)
		settled := openRound(t, s, "crash", "crash:1")
		voided := openRound(t, s, "crash", "crash:1")
		stake(t, s, settled.ID, u.ID, "a", 10)
		stake(t, s, voided.ID, u.ID, "b", 10)
		if _, err := s.SettleRound(t.Context(), imperio.RoundSettlement{RoundID: settled.ID}); err != nil {
			t.Fatalf("SettleRound: %v", err)
		}
		if _, err := s.VoidRound(t.Context(), voided.ID, "test"); err != nil {
			t.Fatalf("VoidRound: %v", err)
		}
		before := len(allEntries(t, s, u.ID))
		for _, r := range []imperio.TableRound{settled, voided} {
			_, _, err := s.Stake(t.Context(), imperio.Stake{RoundID: r.ID, UserID: u.ID, Key: "late-" + r.ID, Amount: 10})
			if imperio.ErrorCode(err) != imperio.EBettingClosed || !strings.Contains(imperio.ErrorMessage(err), "closed") {
				t.Errorf("Stake into a closed round = %v, want betting_closed", err)
			}
		}
		if coins := balance(t, s, u.ID); coins != 990 {
			t.Errorf("balance = %d, want 990", coins)
		}
		if n := len(allEntries(t, s, u.ID)); n != before {
			t.Errorf("%d ledger entries, want %d", n, before)
		}
		checkLedger(t, s)
	})

	t.Run("StakeIntoUnknownRoundIsNotFound", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Gus", 100)
		_, _, err := s.Stake(t.Context(), imperio.Stake{RoundID: imperio.NewID(), UserID: u.ID, Key: "k", Amount: 10})
		if imperio.ErrorCode(err) != imperio.ENotFound {
			t.Errorf("Stake into an unknown round = %v, want not_found", err)
		}
		r := openRound(t, s, "crash", "crash:1")
		if _, _, err := s.Stake(t.Context(), imperio.Stake{RoundID: r.ID, UserID: u.ID + 1000, Key: "k", Amount: 10}); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Errorf("Stake by an unknown user = %v, want not_found", err)
		}
		if _, _, err := s.Stake(t.Context(), imperio.Stake{RoundID: r.ID, UserID: u.ID, Key: "k", Amount: 10, Game: "roulette"}); imperio.ErrorCode(err) != imperio.EInvalidInput {
			t.Errorf("Stake naming another game = %v, want invalid_input", err)
		}
		if coins := balance(t, s, u.ID); coins != 100 {
			t.Errorf("balance = %d, want 100", coins)
		}
		checkLedger(t, s)
	})

	t.Run("InvalidStakeRefused", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Hal", 100)
		r := openRound(t, s, "crash", "crash:1")
		for name, mutate := range map[string]func(*imperio.Stake){
			"ZeroAmount":     func(st *imperio.Stake) { st.Amount = 0 },
			"NegativeAmount": func(st *imperio.Stake) { st.Amount = -5 },
			"HugeAmount":     func(st *imperio.Stake) { st.Amount = 1 << 60 },
			"NoKey":          func(st *imperio.Stake) { st.Key = "" },
			"LongKey":        func(st *imperio.Stake) { st.Key = strings.Repeat("k", 129) },
			"VoidKey":        func(st *imperio.Stake) { st.Key = "void:" + r.ID },
			"NoRound":        func(st *imperio.Stake) { st.RoundID = "" },
			"NoUser":         func(st *imperio.Stake) { st.UserID = 0 },
		} {
			st := imperio.Stake{RoundID: r.ID, UserID: u.ID, Key: "k", Amount: 10}
			mutate(&st)
			if _, _, err := s.Stake(t.Context(), st); imperio.ErrorCode(err) != imperio.EInvalidInput {
				t.Errorf("%s: Stake = %v, want invalid_input", name, err)
			}
		}
		if _, _, err := s.Stake(t.Context(), imperio.Stake{RoundID: r.ID, UserID: u.ID, Key: strings.Repeat("k", 128), Amount: 10}); err != nil {
			t.Errorf("Stake with a 128-byte key: %v", err)
		}
	})

	t.Run("SettleIdempotent", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Ivy", 100)
		v := newUser(t, s, "Jon", 100)
		r := openRound(t, s, "roulette", "roulette:1")
		stake(t, s, r.ID, u.ID, "k", 10)
		stake(t, s, r.ID, v.ID, "k", 20)
		rs := imperio.RoundSettlement{RoundID: r.ID, Outcome: json.RawMessage(`{"pocket": 17}`),
			Payouts: []imperio.Payout{{UserID: u.ID, Amount: 360, Key: "win"}}}
		first, err := s.SettleRound(t.Context(), rs)
		if err != nil {
			t.Fatalf("SettleRound: %v", err)
		}
		want := []imperio.Balance{{UserID: u.ID, Coins: 450}, {UserID: v.ID, Coins: 80}}
		if !reflect.DeepEqual(first, want) {
			t.Errorf("SettleRound = %+v, want %+v", first, want)
		}
		ledger := entryRows(t, s, u.ID)
		// Again, and again with other payouts: nothing changes.
		again := rs
		again.Payouts = []imperio.Payout{{UserID: v.ID, Amount: 1000, Key: "other"}}
		again.Outcome = json.RawMessage(`{"pocket": 0}`)
		for _, rs := range []imperio.RoundSettlement{rs, again} {
			got, err := s.SettleRound(t.Context(), rs)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("SettleRound again = %+v, %v; want %+v", got, err, want)
			}
		}
		if got := entryRows(t, s, u.ID); !reflect.DeepEqual(got, ledger) {
			t.Errorf("ledger changed by a repeated settlement:\n got %+v\nwant %+v", got, ledger)
		}
		if rd, err := s.Round(t.Context(), u.ID, r.ID); err != nil || !jsonEqual(rd.Outcome, rs.Outcome) {
			t.Errorf("Round = %+v, %v; want the first outcome", rd, err)
		}
		if _, err := s.SettleRound(t.Context(), imperio.RoundSettlement{RoundID: imperio.NewID()}); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Errorf("SettleRound of an unknown round = %v, want not_found", err)
		}
		// A round without players settles too.
		empty := openRound(t, s, "crash", "crash:1")
		if got, err := s.SettleRound(t.Context(), imperio.RoundSettlement{RoundID: empty.ID}); err != nil || got == nil || len(got) != 0 {
			t.Errorf("SettleRound without players = %#v, %v; want an empty list", got, err)
		}
		checkLedger(t, s)
	})

	t.Run("SettleRefusalChangesNothing", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Kai", 100)
		bystander := newUser(t, s, "Lou", 100)
		r := openRound(t, s, "blackjack", "blackjack:t1")
		stake(t, s, r.ID, u.ID, "bet", 10)
		for name, tc := range map[string]struct {
			payouts []imperio.Payout
			code    string
		}{
			"NonPlayer":    {[]imperio.Payout{{UserID: u.ID, Amount: 20, Key: "h1"}, {UserID: bystander.ID, Amount: 20, Key: "h1"}}, imperio.EInvalidInput},
			"Negative":     {[]imperio.Payout{{UserID: u.ID, Amount: -1, Key: "h1"}}, imperio.EInvalidInput},
			"NoKey":        {[]imperio.Payout{{UserID: u.ID, Amount: 5}}, imperio.EInvalidInput},
			"DuplicateKey": {[]imperio.Payout{{UserID: u.ID, Amount: 5, Key: "h1"}, {UserID: u.ID, Amount: 5, Key: "h1"}}, imperio.EInvalidInput},
			"VoidKey":      {[]imperio.Payout{{UserID: u.ID, Amount: 5, Key: "void:" + r.ID}}, imperio.EInvalidInput},
			"KeyUsed":      {[]imperio.Payout{{UserID: u.ID, Amount: 20, Key: "bet"}}, imperio.EConflict},
		} {
			_, err := s.SettleRound(t.Context(), imperio.RoundSettlement{RoundID: r.ID, Payouts: tc.payouts})
			if imperio.ErrorCode(err) != tc.code {
				t.Errorf("%s: SettleRound = %v, want %s", name, err, tc.code)
			}
		}
		if _, err := s.SettleRound(t.Context(), imperio.RoundSettlement{RoundID: r.ID, Outcome: json.RawMessage(`{`)}); imperio.ErrorCode(err) != imperio.EInvalidInput {
			t.Errorf("SettleRound with a bad outcome = %v, want invalid_input", err)
		}
		if c := balance(t, s, u.ID); c != 90 {
			t.Errorf("balance = %d, want 90", c)
		}
		if c := balance(t, s, bystander.ID); c != 100 {
			t.Errorf("bystander's balance = %d, want 100", c)
		}
		if n := len(allEntries(t, s, u.ID)); n != 2 {
			t.Errorf("%d ledger entries, want the grant and the bet", n)
		}
		// Still open: stakes go in and a correct settlement goes through.
		if ids := openRounds(t, s, ""); !slices.Equal(ids, []string{r.ID}) {
			t.Errorf("OpenRounds = %v, want [%s]", ids, r.ID)
		}
		stake(t, s, r.ID, u.ID, "double", 10)
		got, err := s.SettleRound(t.Context(), imperio.RoundSettlement{RoundID: r.ID, Payouts: []imperio.Payout{{UserID: u.ID, Amount: 40, Key: "h1"}}})
		if want := []imperio.Balance{{UserID: u.ID, Coins: 120}}; err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("SettleRound = %+v, %v; want %+v", got, err, want)
		}
		checkLedger(t, s)
	})

	t.Run("VoidRefundsEveryStake", func(t *testing.T) {
		s := b.Open(t)
		users := []imperio.User{newUser(t, s, "Max", 1000), newUser(t, s, "Nia", 200), newUser(t, s, "Oto", 50)}
		r := openRound(t, s, "roulette", "roulette:1")
		other := openRound(t, s, "roulette", "roulette:2")
		stakes := map[int64]int64{}
		for i, u := range users {
			for j := range i + 2 {
				amount := int64(5 * (j + 1))
				stake(t, s, r.ID, u.ID, fmt.Sprint("chip", j), amount)
				stakes[u.ID] += amount
			}
		}
		stake(t, s, other.ID, users[0].ID, "elsewhere", 7) // untouched by the void
		vr, err := s.VoidRound(t.Context(), r.ID, "dealer lost")
		if err != nil {
			t.Fatalf("VoidRound: %v", err)
		}
		want := imperio.VoidedRound{RoundID: r.ID, Room: "roulette:1", Refunded: stakes[users[0].ID] + stakes[users[1].ID] + stakes[users[2].ID],
			Refunds: []imperio.Balance{{UserID: users[0].ID, Coins: 993}, {UserID: users[1].ID, Coins: 200}, {UserID: users[2].ID, Coins: 50}}}
		if !reflect.DeepEqual(vr, want) {
			t.Errorf("VoidRound = %+v, want %+v", vr, want)
		}
		for _, u := range users {
			var sum int64
			var voids int
			for _, e := range allEntries(t, s, u.ID) {
				if e.RoundID != r.ID {
					continue
				}
				sum += e.Amount
				if e.Kind == imperio.KindVoid {
					voids++
					if e.Amount != stakes[u.ID] || e.Game != "roulette" {
						t.Errorf("%s: void entry %+v, want %d refunded", u.Username, e, stakes[u.ID])
					}
				}
			}
			if sum != 0 || voids != 1 {
				t.Errorf("%s: round's ledger sum %d with %d void rows, want 0 with 1", u.Username, sum, voids)
			}
		}
		rd, err := s.Round(t.Context(), users[1].ID, r.ID)
		if err != nil {
			t.Fatalf("Round: %v", err)
		}
		var out map[string]any
		if err := json.Unmarshal(rd.Outcome, &out); err != nil || out["voided"] != true || out["reason"] != "dealer lost" {
			t.Errorf("outcome of the void round = %s, %v", rd.Outcome, err)
		}
		if rd.Status != imperio.RoundVoid || rd.SettledAt == nil || len(rd.Players) != 3 ||
			rd.Players[1] != (imperio.RoundPlayer{UserID: users[1].ID, Username: "Nia", Wagered: stakes[users[1].ID], Won: 0}) {
			t.Errorf("Round = %+v", rd)
		}
		// Void rounds are not played rounds.
		if st := stats(t, s, users[0].ID); st.Rounds != 0 || st.Wagered != 0 {
			t.Errorf("Stats after a void round = %+v, want nothing counted", st)
		}
		if ids := openRounds(t, s, ""); !slices.Equal(ids, []string{other.ID}) {
			t.Errorf("OpenRounds = %v, want [%s]", ids, other.ID)
		}
		checkLedger(t, s)
	})

	t.Run("VoidKeepsPreviousOutcome", func(t *testing.T) {
		s := b.Open(t)
		r := openRound(t, s, "crash", "crash:1")
		// Whatever an open round recorded as its outcome is kept; voided
		// and reason win over fields of the same name.
		if err := store.ExecSQL(s, `UPDATE rounds SET outcome = `+jsonParam(s)+` WHERE id = ?`, `{"multiplier": 1.5, "reason": "old"}`, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.VoidRound(t.Context(), r.ID, "shutdown"); err != nil {
			t.Fatalf("VoidRound: %v", err)
		}
		if out := roundOutcome(t, s, r.ID); !jsonEqual(json.RawMessage(out), json.RawMessage(`{"voided": true, "reason": "shutdown", "multiplier": 1.5}`)) {
			t.Errorf("outcome = %s", out)
		}
		q := openRound(t, s, "crash", "crash:1")
		if err := store.ExecSQL(s, `UPDATE rounds SET outcome = `+jsonParam(s)+` WHERE id = ?`, `[1, 2]`, q.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.VoidRound(t.Context(), q.ID, ""); err != nil {
			t.Fatalf("VoidRound: %v", err)
		}
		if out := roundOutcome(t, s, q.ID); !jsonEqual(json.RawMessage(out), json.RawMessage(`{"voided": true, "reason": "", "outcome": [1, 2]}`)) {
			t.Errorf("outcome = %s", out)
		}
	})

	t.Run("VoidTwiceIsNoOp", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Quin", 100)
		r := openRound(t, s, "crash", "crash:1")
		stake(t, s, r.ID, u.ID, "k", 30)
		if vr, err := s.VoidRound(t.Context(), r.ID, "first"); err != nil || len(vr.Refunds) != 1 || vr.Refunded != 30 {
			t.Fatalf("VoidRound = %+v, %v", vr, err)
		}
		ledger := entryRows(t, s, u.ID)
		vr, err := s.VoidRound(t.Context(), r.ID, "second")
		want := imperio.VoidedRound{RoundID: r.ID, Room: "crash:1", Refunds: []imperio.Balance{}}
		if err != nil || !reflect.DeepEqual(vr, want) {
			t.Errorf("VoidRound again = %+v, %v; want %+v", vr, err, want)
		}
		if got := entryRows(t, s, u.ID); !reflect.DeepEqual(got, ledger) {
			t.Errorf("ledger changed by a second void:\n got %+v\nwant %+v", got, ledger)
		}
		if coins := balance(t, s, u.ID); coins != 100 {
			t.Errorf("balance = %d, want 100", coins)
		}
		if !strings.Contains(roundOutcome(t, s, r.ID), "first") {
			t.Errorf("the second void rewrote the outcome: %s", roundOutcome(t, s, r.ID))
		}
		if _, err := s.SettleRound(t.Context(), imperio.RoundSettlement{RoundID: r.ID}); imperio.ErrorCode(err) != imperio.EConflict {
			t.Errorf("SettleRound of a void round = %v, want conflict", err)
		}
		checkLedger(t, s)
	})

	t.Run("VoidSettledIsConflict", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Rex", 100)
		r := openRound(t, s, "crash", "crash:1")
		stake(t, s, r.ID, u.ID, "k", 30)
		if _, err := s.SettleRound(t.Context(), imperio.RoundSettlement{RoundID: r.ID, Payouts: []imperio.Payout{{UserID: u.ID, Amount: 45, Key: "w"}}}); err != nil {
			t.Fatalf("SettleRound: %v", err)
		}
		if _, err := s.VoidRound(t.Context(), r.ID, "too late"); imperio.ErrorCode(err) != imperio.EConflict {
			t.Errorf("VoidRound of a settled round = %v, want conflict", err)
		}
		if _, err := s.VoidRound(t.Context(), imperio.NewID(), "x"); imperio.ErrorCode(err) != imperio.ENotFound {
			t.Errorf("VoidRound of an unknown round = %v, want not_found", err)
		}
		sp := newSpin(u.ID, "spin", 10, 0)
		if _, err := s.SettleSpin(t.Context(), sp); err != nil {
			t.Fatalf("SettleSpin: %v", err)
		}
		if _, err := s.VoidRound(t.Context(), sp.RoundID, "x"); imperio.ErrorCode(err) != imperio.EConflict {
			t.Errorf("VoidRound of a spin = %v, want conflict", err)
		}
		if _, err := s.SettleRound(t.Context(), imperio.RoundSettlement{RoundID: sp.RoundID}); imperio.ErrorCode(err) != imperio.EConflict {
			t.Errorf("SettleRound of a spin = %v, want conflict", err)
		}
		if coins := balance(t, s, u.ID); coins != 105 {
			t.Errorf("balance = %d, want 105", coins)
		}
		checkLedger(t, s)
	})

	t.Run("VoidOpenRoundsByPrefix", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Sol", 1000)
		rooms := []string{"blackjack:1", "roulette:1", "blackjack:2", "room_1:a", "roomX1:b", "Blackjack:3"}
		ids := map[string]string{}
		for _, room := range rooms {
			r := openRound(t, s, strings.ToLower(strings.SplitN(room, ":", 2)[0]), room)
			ids[room] = r.ID
			stake(t, s, r.ID, u.ID, room, 10)
		}
		settled := openRound(t, s, "blackjack", "blackjack:9")
		if _, err := s.SettleRound(t.Context(), imperio.RoundSettlement{RoundID: settled.ID}); err != nil {
			t.Fatalf("SettleRound: %v", err)
		}
		if got := openRounds(t, s, ""); len(got) != len(rooms) || got[0] != ids["blackjack:1"] || got[5] != ids["Blackjack:3"] {
			t.Errorf("OpenRounds(\"\") = %v, want the %d open rounds oldest first", got, len(rooms))
		}
		for prefix, want := range map[string][]string{
			"blackjack:":  {ids["blackjack:1"], ids["blackjack:2"]},
			"blackjack:2": {ids["blackjack:2"]},
			"room_1":      {ids["room_1:a"]}, // "_" is no wildcard
			"room%":       {},
			"nothing":     {},
		} {
			if got := openRounds(t, s, prefix); !slices.Equal(got, want) {
				t.Errorf("OpenRounds(%q) = %v, want %v", prefix, got, want)
			}
		}

		voided, err := s.VoidOpenRounds(t.Context(), "blackjack:", "restart")
		if err != nil {
			t.Fatalf("VoidOpenRounds: %v", err)
		}
		var got []string
		for _, vr := range voided {
			got = append(got, vr.RoundID)
			if len(vr.Refunds) != 1 || vr.Refunded != 10 || !strings.HasPrefix(vr.Room, "blackjack:") {
				t.Errorf("voided %+v", vr)
			}
		}
		if want := []string{ids["blackjack:1"], ids["blackjack:2"]}; !slices.Equal(got, want) {
			t.Errorf("VoidOpenRounds(blackjack:) voided %v, want %v", got, want)
		}
		if got := openRounds(t, s, ""); len(got) != 4 {
			t.Errorf("OpenRounds after voiding blackjack = %v, want 4 left", got)
		}
		if coins := balance(t, s, u.ID); coins != 1000-40 {
			t.Errorf("balance = %d, want %d", coins, 1000-40)
		}
		if again, err := s.VoidOpenRounds(t.Context(), "blackjack:", "restart"); err != nil || again == nil || len(again) != 0 {
			t.Errorf("VoidOpenRounds again = %#v, %v; want an empty list", again, err)
		}
		if all, err := s.VoidOpenRounds(t.Context(), "", "restart"); err != nil || len(all) != 4 {
			t.Errorf("VoidOpenRounds(\"\") = %+v, %v; want the other 4", all, err)
		}
		if coins := balance(t, s, u.ID); coins != 1000 {
			t.Errorf("balance after voiding everything = %d, want 1000", coins)
		}
		if rd, err := s.Round(t.Context(), u.ID, settled.ID); err == nil {
			t.Errorf("the settled round has a player: %+v", rd)
		}
		checkLedger(t, s)
	})

	t.Run("StatsCountSettledTableRounds", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Tao", 1000)
		won := openRound(t, s, "roulette", "roulette:1")
		lost := openRound(t, s, "roulette", "roulette:1")
		voided := openRound(t, s, "roulette", "roulette:1")
		stake(t, s, won.ID, u.ID, "a", 10)
		stake(t, s, won.ID, u.ID, "b", 5)
		stake(t, s, lost.ID, u.ID, "c", 20)
		stake(t, s, voided.ID, u.ID, "d", 100)
		if _, err := s.SettleRound(t.Context(), imperio.RoundSettlement{RoundID: won.ID, Payouts: []imperio.Payout{{UserID: u.ID, Amount: 360, Key: "w1"}, {UserID: u.ID, Amount: 10, Key: "w2"}}}); err != nil {
			t.Fatalf("SettleRound: %v", err)
		}
		if _, err := s.SettleRound(t.Context(), imperio.RoundSettlement{RoundID: lost.ID}); err != nil {
			t.Fatalf("SettleRound: %v", err)
		}
		if _, err := s.VoidRound(t.Context(), voided.ID, "x"); err != nil {
			t.Fatalf("VoidRound: %v", err)
		}
		if _, err := s.SettleSpin(t.Context(), newSpin(u.ID, "spin", 10, 20)); err != nil {
			t.Fatalf("SettleSpin: %v", err)
		}
		want := imperio.Stats{
			GameStats: imperio.GameStats{Rounds: 3, Wagered: 45, Won: 390, Net: 345, BiggestWin: 370},
			Games: []imperio.GameStats{
				{Game: "roulette", Rounds: 2, Wagered: 35, Won: 370, Net: 335, BiggestWin: 370},
				{Game: "slots", Rounds: 1, Wagered: 10, Won: 20, Net: 10, BiggestWin: 20},
			},
		}
		if got := stats(t, s, u.ID); !reflect.DeepEqual(got, want) {
			t.Errorf("Stats =\n %+v\nwant\n %+v", got, want)
		}
		checkLedger(t, s)
	})

	t.Run("FaultsChangeNothing", func(t *testing.T) {
		for _, op := range []string{"Stake", "SettleRound", "VoidRound"} {
			t.Run(op, func(t *testing.T) {
				s := b.Open(t)
				u := newUser(t, s, "Uli", 100)
				r := openRound(t, s, "blackjack", "blackjack:1")
				stake(t, s, r.ID, u.ID, "bet", 10)
				run := map[string]func(ctx context.Context) error{
					"Stake": func(ctx context.Context) error {
						_, _, err := s.Stake(ctx, imperio.Stake{RoundID: r.ID, UserID: u.ID, Key: "more", Amount: 10})
						return err
					},
					"SettleRound": func(ctx context.Context) error {
						_, err := s.SettleRound(ctx, imperio.RoundSettlement{RoundID: r.ID, Payouts: []imperio.Payout{{UserID: u.ID, Amount: 25, Key: "w"}}})
						return err
					},
					"VoidRound": func(ctx context.Context) error {
						_, err := s.VoidRound(ctx, r.ID, "fault")
						return err
					},
				}[op]
				entries := entryRows(t, s, u.ID)
				injected := errors.New("injected fault")
				// Fail at the first step, then at each later one in turn,
				// until a run goes through every step.
				var steps []string
				for i := 0; ; i++ {
					steps = nil
					store.SetFault(s, func(_ context.Context, at string) error {
						steps = append(steps, at)
						if len(steps) == i+1 {
							return injected
						}
						return nil
					})
					err := run(t.Context())
					store.SetFault(s, nil)
					if len(steps) <= i {
						if err != nil {
							t.Fatalf("%s without a fault: %v", op, err)
						}
						break
					}
					at := steps[i]
					if !errors.Is(err, injected) {
						t.Errorf("fault at %q: %s = %v, want the injected fault", at, op, err)
					}
					if coins := balance(t, s, u.ID); coins != 90 {
						t.Errorf("fault at %q: balance %d, want 90", at, coins)
					}
					if got := entryRows(t, s, u.ID); !reflect.DeepEqual(got, entries) {
						t.Errorf("fault at %q: ledger %+v, want %+v", at, got, entries)
					}
					rd, err := s.Round(t.Context(), u.ID, r.ID)
					if err != nil || rd.Status != imperio.RoundOpen || rd.Players[0].Wagered != 10 || rd.Players[0].Won != 0 {
						t.Errorf("fault at %q: Round = %+v, %v; want open, 10 wagered", at, rd, err)
					}
				}
				if len(steps) == 0 {
					t.Fatalf("%s went through no fault step", op)
				}
				t.Logf("faults injected at each of %q", steps)
				want := map[string]int64{"Stake": 80, "SettleRound": 115, "VoidRound": 100}[op]
				if coins := balance(t, s, u.ID); coins != want {
					t.Errorf("balance after %s = %d, want %d", op, coins, want)
				}
				checkLedger(t, s)
			})
		}
	})

	t.Run("CheckLedgerFindsBrokenRounds", func(t *testing.T) {
		s := b.Open(t)
		u := newUser(t, s, "Vic", 100)
		r := openRound(t, s, "crash", "crash:1")
		stake(t, s, r.ID, u.ID, "k", 10)
		checkLedger(t, s)
		// A round marked void without its refunds.
		if err := store.ExecSQL(s, `UPDATE rounds SET status = 'void', settled_at = created_at WHERE id = ?`, r.ID); err != nil {
			t.Fatal(err)
		}
		problems, err := s.CheckLedger(t.Context())
		if err != nil || len(problems) != 1 || !strings.Contains(problems[0], r.ID) || !strings.Contains(problems[0], "ledger sum -10, want 0") {
			t.Errorf("CheckLedger = %q, %v; want the void round reported", problems, err)
		}
		// A stake without its round player.
		q := openRound(t, s, "crash", "crash:1")
		stake(t, s, q.ID, u.ID, "k2", 10)
		if err := store.ExecSQL(s, `DELETE FROM round_players WHERE round_id = ?`, q.ID); err != nil {
			t.Fatal(err)
		}
		problems, err = s.CheckLedger(t.Context())
		if err != nil || len(problems) != 2 || !strings.Contains(problems[1], q.ID) || !strings.Contains(problems[1], "no stake") {
			t.Errorf("CheckLedger = %q, %v; want the stray stake reported too", problems, err)
		}
	})

	t.Run("ConcurrentStakesAndSettle", func(t *testing.T) {
		s := b.Open(t)
		// 20 players stake into two rounds at once; one round is settled
		// and the other voided while stakes pour in.
		const players, stakesEach, grant = 20, 30, 10000
		users := make([]imperio.User, players)
		for i := range users {
			users[i] = newUser(t, s, fmt.Sprint("player", i), grant)
		}
		settled := openRound(t, s, "roulette", "roulette:main")
		voided := openRound(t, s, "crash", "crash:main")
		rounds := []imperio.TableRound{settled, voided}

		type tally struct{ acked, ackedN, closed atomic.Int64 }
		var tallies [2][players]tally
		var ackedTotal atomic.Int64
		start := make(chan struct{}) // both closers go once this many stakes are in
		const goAt = 120
		settledDone, voidedDone := make(chan struct{}), make(chan struct{})
		var payouts sync.Map // user id -> payout
		var settledBalances []imperio.Balance

		// A reader audits all along: at every snapshot an open round's bets
		// match its wagered totals.
		done := make(chan struct{})
		var reader sync.WaitGroup
		reader.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				problems, err := s.CheckLedger(t.Context())
				if err != nil || len(problems) > 0 {
					t.Errorf("CheckLedger during the round: %q, %v", problems, err)
					return
				}
			}
		})

		var wg sync.WaitGroup
		for i, u := range users {
			for k, r := range rounds {
				wg.Go(func() {
					for j := range stakesEach {
						amount := int64(1 + (i+j)%5)
						_, _, err := s.Stake(t.Context(), imperio.Stake{RoundID: r.ID, UserID: u.ID, Key: fmt.Sprintf("%s:%d", r.ID, j), Amount: amount})
						switch imperio.ErrorCode(err) {
						case "":
							tallies[k][i].acked.Add(amount)
							tallies[k][i].ackedN.Add(1)
							if ackedTotal.Add(1) == goAt {
								close(start)
							}
						case imperio.EBettingClosed:
							tallies[k][i].closed.Add(1)
						default:
							t.Errorf("Stake: %v", err)
							return
						}
					}
					// Once the round is closed, every stake is refused.
					<-[]chan struct{}{settledDone, voidedDone}[k]
					_, _, err := s.Stake(t.Context(), imperio.Stake{RoundID: r.ID, UserID: u.ID, Key: r.ID + ":late", Amount: 1})
					if imperio.ErrorCode(err) != imperio.EBettingClosed {
						t.Errorf("Stake after the round closed = %v, want betting_closed", err)
					}
				})
			}
		}
		wg.Go(func() {
			defer close(settledDone)
			<-start
			// Pay everyone whose stake was acknowledged by now.
			var ps []imperio.Payout
			for i, u := range users {
				if tallies[0][i].ackedN.Load() > 0 {
					amount := int64(10 + i)
					ps = append(ps, imperio.Payout{UserID: u.ID, Amount: amount, Key: settled.ID + ":win"})
					payouts.Store(u.ID, amount)
				}
			}
			var err error
			if settledBalances, err = s.SettleRound(t.Context(), imperio.RoundSettlement{RoundID: settled.ID, Payouts: ps}); err != nil {
				t.Errorf("SettleRound: %v", err)
			}
		})
		wg.Go(func() {
			defer close(voidedDone)
			<-start
			if _, err := s.VoidRound(t.Context(), voided.ID, "interrupted"); err != nil {
				t.Errorf("VoidRound: %v", err)
			}
		})
		wg.Wait()
		close(done)
		reader.Wait()

		var refused int64
		for k, r := range rounds {
			// Recall the round as one of its players (the closers may have
			// gone before a given player had a stake in).
			var rd imperio.Round
			for i, u := range users {
				if tallies[k][i].ackedN.Load() > 0 {
					var err error
					if rd, err = s.Round(t.Context(), u.ID, r.ID); err != nil {
						t.Fatalf("Round: %v", err)
					}
					break
				}
			}
			if k == 0 {
				// Nobody joined the settled round after its settlement.
				var inSettlement, inRound []int64
				for _, b := range settledBalances {
					inSettlement = append(inSettlement, b.UserID)
				}
				for _, p := range rd.Players {
					inRound = append(inRound, p.UserID)
				}
				if !slices.Equal(inSettlement, inRound) {
					t.Errorf("players in the settlement %v, in the round %v", inSettlement, inRound)
				}
			}
			wagered := map[int64]int64{}
			for _, p := range rd.Players {
				wagered[p.UserID] = p.Wagered
			}
			for i, u := range users {
				ta := &tallies[k][i]
				if ta.ackedN.Load()+ta.closed.Load() != stakesEach {
					t.Errorf("%s, round %d: %d stakes acknowledged and %d refused, want %d in all", u.Username, k, ta.ackedN.Load(), ta.closed.Load(), stakesEach)
				}
				if wagered[u.ID] != ta.acked.Load() {
					t.Errorf("%s, round %d: wagered %d, acknowledged stakes %d", u.Username, k, wagered[u.ID], ta.acked.Load())
				}
				refused += ta.closed.Load()
			}
		}
		for i, u := range users {
			var bets [2]int64
			var sum, lastBet, win int64
			for _, e := range allEntries(t, s, u.ID) {
				sum += e.Amount
				for k, r := range rounds {
					if e.RoundID == r.ID && e.Kind == imperio.KindBet {
						bets[k]++
					}
				}
				if e.RoundID == settled.ID {
					switch e.Kind {
					case imperio.KindBet:
						lastBet = max(lastBet, e.ID)
					case imperio.KindWin:
						win = e.ID
					}
				}
			}
			if win != 0 && lastBet > win {
				t.Errorf("%s: a bet (entry %d) went into the round after its payout (entry %d)", u.Username, lastBet, win)
			}
			for k := range rounds {
				if bets[k] != tallies[k][i].ackedN.Load() {
					t.Errorf("%s, round %d: %d bet rows for %d acknowledged stakes", u.Username, k, bets[k], tallies[k][i].ackedN.Load())
				}
			}
			var paid int64
			if v, ok := payouts.Load(u.ID); ok {
				paid = v.(int64)
			}
			coins := balance(t, s, u.ID)
			if want := grant - tallies[0][i].acked.Load() + paid; coins != want || coins != sum {
				t.Errorf("%s: balance %d, ledger sum %d, want %d", u.Username, coins, sum, want)
			}
		}
		t.Logf("%d stakes acknowledged, %d refused as betting closed", ackedTotal.Load(), refused)
		checkLedger(t, s)
	})
}

// TestVoidOpenRoundsAfterCrash leaves rounds open as a killed process does,
// opens the database again and voids them, as the next start does.
func TestVoidOpenRoundsAfterCrash(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			var url string
			if b.Name == "sqlite" {
				url = filepath.Join(t.TempDir(), "imperio.db")
			} else {
				url = storetest.NewPostgresSchema(t)
			}
			s := storetest.Open(t, url)
			users := []imperio.User{newUser(t, s, "Wes", 500), newUser(t, s, "Xia", 300), newUser(t, s, "Yan", 100)}
			table := openRound(t, s, "blackjack", "blackjack:t1")
			crash := openRound(t, s, "crash", "crash:main")
			done := openRound(t, s, "roulette", "roulette:1")
			for i, u := range users {
				stake(t, s, table.ID, u.ID, table.ID+":bet", int64(10*(i+1)))
				stake(t, s, crash.ID, u.ID, crash.ID+":bet", 25)
				stake(t, s, done.ID, u.ID, done.ID+":bet", 5)
			}
			stake(t, s, table.ID, users[0].ID, table.ID+":double", 10)
			if _, err := s.SettleRound(t.Context(), imperio.RoundSettlement{RoundID: done.ID, Payouts: []imperio.Payout{{UserID: users[2].ID, Amount: 180, Key: "w"}}}); err != nil {
				t.Fatalf("SettleRound: %v", err)
			}
			// A stake that dies halfway leaves nothing behind.
			store.SetFault(s, func(_ context.Context, at string) error { return errors.New("killed") })
			if _, _, err := s.Stake(t.Context(), imperio.Stake{RoundID: table.ID, UserID: users[1].ID, Key: "lost", Amount: 40}); err == nil {
				t.Fatalf("Stake with a fault went through")
			}
			store.SetFault(s, nil)
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}

			s = storetest.Open(t, url)
			if ids := openRounds(t, s, ""); !slices.Equal(ids, []string{table.ID, crash.ID}) {
				t.Errorf("OpenRounds after reopening = %v, want [%s %s]", ids, table.ID, crash.ID)
			}
			voided, err := s.VoidOpenRounds(t.Context(), "", "server restarted")
			if err != nil {
				t.Fatalf("VoidOpenRounds: %v", err)
			}
			if len(voided) != 2 || voided[0].RoundID != table.ID || voided[1].RoundID != crash.ID ||
				voided[0].Refunded != 70 || voided[1].Refunded != 75 || len(voided[0].Refunds) != 3 {
				t.Errorf("VoidOpenRounds = %+v", voided)
			}
			for i, u := range users {
				want := []int64{495, 295, 275}[i]
				if coins := balance(t, s, u.ID); coins != want {
					t.Errorf("%s: balance %d, want %d", u.Username, coins, want)
				}
				for _, r := range []imperio.TableRound{table, crash} {
					rd, err := s.Round(t.Context(), u.ID, r.ID)
					if err != nil || rd.Status != imperio.RoundVoid || rd.SettledAt == nil || !strings.Contains(string(rd.Outcome), "server restarted") {
						t.Errorf("%s: Round %s = %+v, %v; want void", u.Username, r.Room, rd, err)
					}
				}
			}
			if ids := openRounds(t, s, ""); len(ids) != 0 {
				t.Errorf("OpenRounds after VoidOpenRounds = %v", ids)
			}
			if _, _, err := s.Stake(t.Context(), imperio.Stake{RoundID: table.ID, UserID: users[1].ID, Key: "lost", Amount: 40}); imperio.ErrorCode(err) != imperio.EBettingClosed {
				t.Errorf("retried stake into the voided round = %v, want betting_closed", err)
			}
			checkLedger(t, s)
		})
	}
}

type entryRow struct {
	Kind          string
	Amount, After int64
	Round         string
}

// entryRows is the user's ledger, newest first, without ids and times.
func entryRows(t testing.TB, s *store.Store, userID int64) []entryRow {
	t.Helper()
	var rows []entryRow
	for _, e := range allEntries(t, s, userID) {
		rows = append(rows, entryRow{e.Kind, e.Amount, e.BalanceAfter, e.RoundID})
	}
	return rows
}

func openRound(t testing.TB, s *store.Store, game, room string) imperio.TableRound {
	t.Helper()
	r := imperio.TableRound{
		ID:       imperio.NewID(),
		Game:     game,
		Room:     room,
		Fairness: json.RawMessage(`{"server_seed_hash": "cd34", "nonce": 3}`),
	}
	if err := s.OpenRound(context.Background(), r); err != nil {
		t.Fatalf("OpenRound: %v", err)
	}
	return r
}

func stake(t testing.TB, s *store.Store, roundID string, userID int64, key string, amount int64) int64 {
	t.Helper()
	coins, replayed, err := s.Stake(context.Background(), imperio.Stake{RoundID: roundID, UserID: userID, Key: key, Amount: amount})
	if err != nil || replayed {
		t.Fatalf("Stake(%d, %s, %d) = %d, %v, %v", userID, key, amount, coins, replayed, err)
	}
	return coins
}

func openRounds(t testing.TB, s *store.Store, prefix string) []string {
	t.Helper()
	ids, err := s.OpenRounds(context.Background(), prefix)
	if err != nil {
		t.Fatalf("OpenRounds(%q): %v", prefix, err)
	}
	return ids
}

// roundOutcome reads a round's outcome whoever played in it.
func roundOutcome(t testing.TB, s *store.Store, roundID string) string {
	t.Helper()
	out, err := store.RoundOutcome(s, roundID)
	if err != nil {
		t.Fatalf("round outcome: %v", err)
	}
	return out
}

func jsonParam(s *store.Store) string {
	if s.Backend() == "postgres" {
		return "CAST(? AS JSONB)"
	}
	return "?"
}
