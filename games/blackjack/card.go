package blackjack

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/imperio-casino/imperio/games/fair"
)

// Card is one playing card: its rank (1 ace, 2 to 10, 11 jack, 12 queen,
// 13 king) and suit. The zero Card is no card.
type Card uint8

const (
	rankChars = "A23456789TJQK"
	suitChars = "SHDC"
)

// NewCard returns the card of rank 1 (ace) to 13 (king) and suit 0 to 3
// (spades, hearts, diamonds, clubs).
func NewCard(rank, suit int) Card { return Card(rank<<2 | suit&3) }

// Rank is 1 (ace) to 13 (king).
func (c Card) Rank() int { return int(c >> 2) }

// Value is what the card counts in a hand: 1 for an ace (which may count 11,
// see total), 2 to 9, and 10 for a ten or a face card.
func (c Card) Value() int { return min(int(c>>2), 10) }

// String is the card's code: the rank (A 2-9 T J Q K) and the suit
// (S H D C), e.g. "AS", "TD", "7H".
func (c Card) String() string {
	if c.Rank() < 1 || c.Rank() > 13 {
		return "??"
	}
	return string([]byte{rankChars[c.Rank()-1], suitChars[c&3]})
}

// ParseCard reads a card code as String writes it.
func ParseCard(s string) (Card, error) {
	if len(s) == 2 {
		r, su := strings.IndexByte(rankChars, s[0]), strings.IndexByte(suitChars, s[1])
		if r >= 0 && su >= 0 {
			return NewCard(r+1, su), nil
		}
	}
	return 0, fmt.Errorf("%w: bad card %q", ErrInvalid, s)
}

// total is a hand's best total from its hard sum (aces counted 1) and
// whether it holds an ace: one ace counts 11 when that does not bust the
// hand, and the hand is then soft.
func total(hard int, ace bool) (int, bool) {
	if ace && hard <= 11 {
		return hard + 10, true
	}
	return hard, false
}

// shoe is the shuffled cards a table deals from, top first, with the data
// that lets players check afterwards that it was not changed mid-shoe.
type shoe struct {
	number int
	cards  []Card
	hash   string
	next   int // position of the next card to deal
	cut    int // the cut card sits before this position
}

// newShoe shuffles decks full decks with Fisher-Yates, drawing each swap
// with fair.Intn from src.
func newShoe(number, decks int, penetration float64, src fair.Source) shoe {
	cards := make([]Card, 0, decks*52)
	for range decks {
		for suit := range 4 {
			for rank := 1; rank <= 13; rank++ {
				cards = append(cards, NewCard(rank, suit))
			}
		}
	}
	for i := len(cards) - 1; i > 0; i-- {
		j := fair.Intn(src, i+1)
		cards[i], cards[j] = cards[j], cards[i]
	}
	return stackedShoe(number, cards, penetration)
}

// stackedShoe is a shoe of exactly cards, in order.
func stackedShoe(number int, cards []Card, penetration float64) shoe {
	return shoe{number: number, cards: cards, hash: ShoeHash(cardCodes(cards)), cut: int(float64(len(cards)) * penetration)}
}

// ShoeHash is the fairness commitment to a shoe: the hex SHA-256 of its
// cards' codes in order, top first, joined by ",". It is published when the
// shoe is shuffled; the order itself when the shoe is retired, so anyone can
// recompute the hash and find each round's cards at their recorded
// positions.
func ShoeHash(order []string) string {
	sum := sha256.Sum256([]byte(strings.Join(order, ",")))
	return hex.EncodeToString(sum[:])
}

// cutOut reports whether the cut card has come out.
func (s *shoe) cutOut() bool { return s.next > s.cut }

// left is the number of cards not yet dealt.
func (s *shoe) left() int { return len(s.cards) - s.next }

func cardCodes(cards []Card) []string {
	out := make([]string, len(cards))
	for i, c := range cards {
		out[i] = c.String()
	}
	return out
}
