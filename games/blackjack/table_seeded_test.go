package blackjack

import (
	"testing"
	"time"

	"github.com/imperio-casino/imperio/games/fair"
)

// TestNewTableSeeded: each shoe is the Fisher-Yates shuffle of its own
// source, so a revealed seed reproduces the order the hash committed to.
func TestNewTableSeeded(t *testing.T) {
	r := DefaultRules()
	src := func(n int) fair.Source { return fair.NewSeeded(uint64(1000 + n)) }
	tab, err := NewTableSeeded(r, src, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := newShoe(1, r.Decks, r.Penetration, fair.NewSeeded(1001))
	if got := tab.View(0).Shoe; got.Number != 1 || got.Hash != want.hash {
		t.Fatalf("shoe %+v, want hash %s", got, want.hash)
	}
	if other := newShoe(1, r.Decks, r.Penetration, fair.NewSeeded(1002)); other.hash == want.hash {
		t.Fatal("two seeds gave one order")
	}
}
