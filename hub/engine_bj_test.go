package hub

import (
	"testing"
	"time"

	"github.com/imperio-casino/imperio/games/blackjack"
	"github.com/imperio-casino/imperio/games/fair"
)

// TestShoeFromItsSeed: a table's shoe is the shuffle of its seed's stream,
// so the seed revealed with the shoe reproduces the committed order.
func TestShoeFromItsSeed(t *testing.T) {
	h := New(Options{Wallet: nil})
	defer h.cancel()
	e, err := h.newEngine("blackjack", "1")
	if err != nil {
		t.Fatal(err)
	}
	bj := e.(bjEngine)
	server := bj.seeds.byShoe[1]
	if len(server) != fair.ServerSeedLen {
		t.Fatalf("no seed kept for shoe 1")
	}
	again, err := blackjack.NewTableSeeded(blackjack.DefaultRules(), func(n int) fair.Source {
		return fair.NewStream(server, shoeClient, uint64(n))
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := again.View(0).Shoe.Hash, bj.t.View(0).Shoe.Hash; got != want {
		t.Fatalf("the seed shuffles to %s, the table committed to %s", got, want)
	}
	other, _ := h.newEngine("blackjack", "1")
	if other.(bjEngine).t.View(0).Shoe.Hash == bj.t.View(0).Shoe.Hash {
		t.Fatal("two tables shuffled the same shoe")
	}
}
