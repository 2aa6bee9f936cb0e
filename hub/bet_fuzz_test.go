package hub

import (
	"encoding/json"
	"testing"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/games/roulette"
)

var tableBetSeeds = []string{
	`{"bets":[{"kind":"red","amount":10}]}`,
	`{"room":"roulette:main","bets":[{"kind":"straight","numbers":[17],"amount":5},{"kind":"corner","numbers":[17,18,20,21],"amount":4}]}`,
	`{"bets":[{"kind":"split","numbers":[1,5],"amount":5}]}`,
	`{"bets":[{"kind":"dozen","numbers":[4],"amount":5}]}`,
	`{"bets":[{"kind":"street","numbers":[-1,0,1],"amount":-5}]}`,
	`{"bets":[{"kind":"red","amount":9223372036854775807},{"kind":"black","amount":9223372036854775807}]}`,
	`{"bets":[]}`,
	`{"bets":null}`,
	`{"bets":[{"kind":"six_line","numbers":[1,2,3,4,5,6],"amount":1e3}]}`,
	`{"amount":10}`,
	`{"amount":10,"auto_cashout":150}`,
	`{"amount":-1,"auto_cashout":-150}`,
	`{"amount":"10"}`,
	`{"bets":[{"kind":"red","amount":10,"extra":1}]}`,
}

// FuzzTableBet feeds any table.bet payload to each table's parser. A
// refusal is invalid_input with a message; what roulette accepts and its
// rules validate covers pockets of the wheel and never pays more than 36
// times the stake.
func FuzzTableBet(f *testing.F) {
	for _, s := range tableBetSeeds {
		f.Add([]byte(s))
	}
	rules := roulette.DefaultRules()
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, p := range []interface {
			parse(string, json.RawMessage) (engineCmd, error)
		}{&rouletteEngine{}, bjEngine{}, crashEngine{}} {
			c, err := p.parse(TypeTableBet, b)
			if err != nil {
				if imperio.ErrorCode(err) != imperio.EInvalidInput || imperio.ErrorMessage(err) == "" {
					t.Fatalf("%T refused with %v, want invalid_input with a message", p, err)
				}
				continue
			}
			if len(b) > 0 && !json.Valid(b) {
				t.Fatalf("%T accepted %q, which is not JSON", p, b)
			}
			bets, isRoulette := c.extra.([]roulette.Bet)
			if !isRoulette {
				continue
			}
			if len(bets) == 0 {
				t.Fatal("roulette accepted no bets")
			}
			for _, bet := range bets {
				if bet.Validate(rules) != nil {
					continue
				}
				covers, err := bet.Covers()
				if err != nil || len(covers) == 0 || len(covers) > 18 {
					t.Fatalf("valid bet %+v covers %v, %v", bet, covers, err)
				}
				for _, n := range covers {
					if n < 0 || n >= roulette.Pockets {
						t.Fatalf("bet %+v covers %d, off the wheel", bet, n)
					}
				}
				for result := 0; result < roulette.Pockets; result++ {
					if pay := bet.Payout(result, result%2 == 0); pay < 0 || pay > 36*bet.Amount {
						t.Fatalf("bet %+v pays %d on %d", bet, pay, result)
					}
				}
			}
		}
	})
}
