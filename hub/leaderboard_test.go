package hub

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/imperio-casino/imperio/store/storetest"
)

func TestLeaderboards(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) Leaderboards{
		"memory": func(*testing.T) Leaderboards { return NewMemoryLeaderboards() },
		"redis": func(t *testing.T) Leaderboards {
			return NewRedisLeaderboards(storetest.NewRedis(t), storetest.RedisPrefix(t)+"lb:")
		},
	} {
		t.Run(name, func(t *testing.T) { testLeaderboards(t, open(t)) })
	}
}

func testLeaderboards(t *testing.T, lb Leaderboards) {
	ctx := context.Background()
	mon := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) // a Monday
	apply := func(now time.Time, u LeaderUpdate) {
		t.Helper()
		if err := lb.Apply(ctx, now, u); err != nil {
			t.Fatal(err)
		}
	}
	top := func(board string, now time.Time) []LeaderEntry {
		t.Helper()
		got, err := lb.Top(ctx, board, now, 3)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	apply(mon, LeaderUpdate{
		Balances: map[string]int64{"ann": 500, "bob": 1500, "cid": 900, "dan": 100},
		Wins:     map[string]int64{"ann": 400, "bob": 50},
		Net:      map[string]int64{"ann": 300, "bob": -50},
	})
	apply(mon.Add(time.Hour), LeaderUpdate{
		Balances: map[string]int64{"ann": 2000},
		Wins:     map[string]int64{"ann": 100, "bob": 600}, // ann's smaller win does not replace her best
		Net:      map[string]int64{"ann": -100, "bob": 550},
	})
	want := map[string][]LeaderEntry{
		BoardRichest:   {{1, "ann", 2000}, {2, "bob", 1500}, {3, "cid", 900}},
		BoardWinsToday: {{1, "bob", 600}, {2, "ann", 400}},
		BoardNetWeek:   {{1, "bob", 500}, {2, "ann", 200}},
	}
	for board, w := range want {
		if got := top(board, mon.Add(2*time.Hour)); !reflect.DeepEqual(got, w) {
			t.Errorf("%s = %+v, want %+v", board, got, w)
		}
	}
	// Tuesday: a new day's wins, the same week's net.
	tue := mon.Add(24 * time.Hour)
	if got := top(BoardWinsToday, tue); len(got) != 0 {
		t.Errorf("wins_today on the next day = %+v, want empty", got)
	}
	if got := top(BoardNetWeek, tue); !reflect.DeepEqual(got, want[BoardNetWeek]) {
		t.Errorf("net_week on the next day = %+v, want the week's", got)
	}
	// The next Monday: a new week.
	if got := top(BoardNetWeek, mon.Add(7*24*time.Hour)); len(got) != 0 {
		t.Errorf("net_week a week later = %+v, want empty", got)
	}
	if _, err := lb.Top(ctx, "nope", mon, 3); err == nil {
		t.Error("an unknown board was read")
	}
}
