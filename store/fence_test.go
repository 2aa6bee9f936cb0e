package store_test

import (
	"sync"
	"testing"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/store/storetest"
)

func TestTakeRoom(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			ctx := t.Context()
			ann := newUser(t, s, "ann", 1000)
			const room = "blackjack:1"
			open := func(id string, fence int64) error {
				return s.OpenRound(ctx, imperio.TableRound{ID: id, Game: "blackjack", Room: room, Fence: fence})
			}
			if err := open("r0", 1); imperio.ErrorCode(err) != imperio.EConflict {
				t.Fatalf("a fenced round opened before anyone took the room: %v", err)
			}
			if v, err := s.TakeRoom(ctx, room, 1, "takeover"); err != nil || len(v) != 0 {
				t.Fatalf("TakeRoom(1) = %+v, %v", v, err)
			}
			if err := open("r1", 1); err != nil {
				t.Fatalf("open under the room's token: %v", err)
			}
			if _, _, err := s.Stake(ctx, imperio.Stake{RoundID: "r1", UserID: ann.ID, Key: "k1", Amount: 100, Game: "blackjack"}); err != nil {
				t.Fatal(err)
			}
			// Another instance takes over: the open round is voided, the
			// stake refunded, and the old owner can start nothing.
			v, err := s.TakeRoom(ctx, room, 2, "takeover")
			if err != nil || len(v) != 1 || v[0].RoundID != "r1" || v[0].Refunded != 100 {
				t.Fatalf("TakeRoom(2) = %+v, %v; want r1 voided with 100 refunded", v, err)
			}
			if c, _ := s.Balance(ctx, ann.ID); c != 1000 {
				t.Fatalf("balance after the takeover %d, want 1000", c)
			}
			if err := open("r2", 1); imperio.ErrorCode(err) != imperio.EConflict {
				t.Fatalf("the old owner opened a round after the takeover: %v", err)
			}
			if _, _, err := s.Stake(ctx, imperio.Stake{RoundID: "r1", UserID: ann.ID, Key: "k2", Amount: 50, Game: "blackjack"}); imperio.ErrorCode(err) != imperio.EBettingClosed {
				t.Fatalf("the old owner staked into its voided round: %v", err)
			}
			if _, err := s.SettleRound(ctx, imperio.RoundSettlement{RoundID: "r1", Outcome: []byte(`{}`), Payouts: []imperio.Payout{{UserID: ann.ID, Amount: 200, Key: "p1"}}}); err == nil {
				t.Fatal("the old owner settled its voided round")
			}
			if _, err := s.TakeRoom(ctx, room, 1, "late"); imperio.ErrorCode(err) != imperio.EConflict {
				t.Fatalf("an older token took the room back: %v", err)
			}
			if err := open("r3", 2); err != nil {
				t.Fatalf("the new owner opens: %v", err)
			}
			// Rounds of other rooms are untouched.
			if err := s.OpenRound(ctx, imperio.TableRound{ID: "o1", Game: "blackjack", Room: "blackjack:10"}); err != nil {
				t.Fatal(err)
			}
			// The owner stopping voids its own open round with its token.
			if v, err := s.TakeRoom(ctx, room, 2, "shutdown"); err != nil || len(v) != 1 || v[0].RoundID != "r3" {
				t.Fatalf("TakeRoom(2) again = %+v, %v; want r3 voided", v, err)
			}
			if ids, _ := s.OpenRounds(ctx, ""); len(ids) != 1 || ids[0] != "o1" {
				t.Fatalf("open rounds %v, want only the other room's", ids)
			}
			checkLedger(t, s)
		})
	}
}

// TestTakeRoomRacesOpenRound: a takeover and the old owner's OpenRound at
// once: either the round is refused or it is voided, never left open.
func TestTakeRoomRacesOpenRound(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			ctx := t.Context()
			for i := range 20 {
				room := "roulette:r" + string(rune('a'+i))
				if _, err := s.TakeRoom(ctx, room, 1, "start"); err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				var openErr error
				wg.Add(2)
				go func() {
					defer wg.Done()
					openErr = s.OpenRound(ctx, imperio.TableRound{ID: "x" + room, Game: "roulette", Room: room, Fence: 1})
				}()
				go func() {
					defer wg.Done()
					if _, err := s.TakeRoom(ctx, room, 2, "takeover"); err != nil {
						t.Error(err)
					}
				}()
				wg.Wait()
				if openErr != nil && imperio.ErrorCode(openErr) != imperio.EConflict {
					t.Fatalf("OpenRound: %v", openErr)
				}
			}
			if ids, _ := s.OpenRounds(ctx, ""); len(ids) != 0 {
				t.Fatalf("rounds left open after takeovers: %v", ids)
			}
		})
	}
}
