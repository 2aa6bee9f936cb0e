package blackjack

import (
	"math"
	"strings"
	"testing"
)

// hand makes cards from rank letters (suits are irrelevant to strategy).
func cards(ranks ...string) []Card {
	out := make([]Card, len(ranks))
	for i, r := range ranks {
		out[i] = NewCard(strings.Index(rankChars, r)+1, i%4)
	}
	return out
}

func TestStrategyCells(t *testing.T) {
	s17 := DefaultRules()
	s17.LateSurrender = false
	s17ls := DefaultRules()
	h17ls := DefaultRules()
	h17ls.HitSoft17 = true
	noDAS := s17
	noDAS.DoubleAfterSplit = false
	enhc := s17
	enhc.Peek = false

	type cell struct {
		rules     Rules
		hand      []string
		up        string
		dbl, spl  bool
		surrender bool
		want      string
	}
	tests := map[string]cell{
		"Hard16vs10Hit":             {s17, []string{"T", "6"}, "T", true, false, false, ActionHit},
		"Hard16vs10Surrender":       {s17ls, []string{"T", "6"}, "T", true, false, true, ActionSurrender},
		"Hard16vs10ThreeCardsHit":   {s17ls, []string{"7", "5", "4"}, "K", false, false, false, ActionHit},
		"Hard15vs10Surrender":       {s17ls, []string{"9", "6"}, "Q", true, false, true, ActionSurrender},
		"Hard16vs6Stand":            {s17, []string{"T", "6"}, "6", true, false, false, ActionStand},
		"Hard11vs10Double":          {s17, []string{"6", "5"}, "T", true, false, false, ActionDouble},
		"Hard11vs10HitWhenNoDouble": {s17, []string{"6", "5"}, "T", false, false, false, ActionHit},
		"Hard11vsAceHitS17":         {s17, []string{"6", "5"}, "A", true, false, false, ActionHit},
		"Hard11vsAceDoubleH17":      {h17ls, []string{"6", "5"}, "A", true, false, false, ActionDouble},
		"Hard12vs4Stand":            {s17, []string{"T", "2"}, "4", true, false, false, ActionStand},
		"Hard12vs2Hit":              {s17, []string{"T", "2"}, "2", true, false, false, ActionHit},
		"Hard12vs3Hit":              {s17, []string{"9", "3"}, "3", true, false, false, ActionHit},
		"Hard13vs2Stand":            {s17, []string{"9", "4"}, "2", true, false, false, ActionStand},
		"Hard9vs3Double":            {s17, []string{"5", "4"}, "3", true, false, false, ActionDouble},
		"Hard9vs2Hit":               {s17, []string{"5", "4"}, "2", true, false, false, ActionHit},
		"Soft18vs9Hit":              {s17, []string{"A", "7"}, "9", true, false, false, ActionHit},
		"Soft18vs2Stand":            {s17, []string{"A", "7"}, "2", true, false, false, ActionStand},
		"Soft18vs2DoubleH17":        {h17ls, []string{"A", "7"}, "2", true, false, false, ActionDouble},
		"Soft18vs4Double":           {s17, []string{"7", "A"}, "4", true, false, false, ActionDouble},
		"Soft18vs4StandNoDouble":    {s17, []string{"A", "7"}, "4", false, false, false, ActionStand},
		"Soft18vs8Stand":            {s17, []string{"A", "7"}, "8", true, false, false, ActionStand},
		"Soft17vs2Hit":              {s17, []string{"A", "6"}, "2", true, false, false, ActionHit},
		"Soft17vs3Double":           {s17, []string{"A", "6"}, "3", true, false, false, ActionDouble},
		"Soft19vs6StandS17":         {s17, []string{"A", "8"}, "6", true, false, false, ActionStand},
		"Soft19vs6DoubleH17":        {h17ls, []string{"A", "8"}, "6", true, false, false, ActionDouble},
		"AcesSplitVs2":              {s17, []string{"A", "A"}, "2", true, true, false, ActionSplit},
		"AcesSplitVs10":             {s17, []string{"A", "A"}, "T", true, true, false, ActionSplit},
		"AcesSplitVsAce":            {s17, []string{"A", "A"}, "A", true, true, false, ActionSplit},
		"EightsSplitVs10":           {s17, []string{"8", "8"}, "T", true, true, false, ActionSplit},
		"EightsSplitVsAceS17":       {s17ls, []string{"8", "8"}, "A", true, true, true, ActionSplit},
		"EightsSurrenderVsAceH17":   {h17ls, []string{"8", "8"}, "A", true, true, true, ActionSurrender},
		"EightsVs6Split":            {s17, []string{"8", "8"}, "6", true, true, false, ActionSplit},
		"TensStand":                 {s17, []string{"K", "Q"}, "6", true, true, false, ActionStand},
		"FivesDouble":               {s17, []string{"5", "5"}, "6", true, true, false, ActionDouble},
		"NinesVs7Stand":             {s17, []string{"9", "9"}, "7", true, true, false, ActionStand},
		"NinesVs8Split":             {s17, []string{"9", "9"}, "8", true, true, false, ActionSplit},
		"FoursVs5SplitDAS":          {s17, []string{"4", "4"}, "5", true, true, false, ActionSplit},
		"FoursVs5HitNoDAS":          {noDAS, []string{"4", "4"}, "5", true, true, false, ActionHit},
		"SixesVs2SplitDAS":          {s17, []string{"6", "6"}, "2", true, true, false, ActionSplit},
		"SixesVs2HitNoDAS":          {noDAS, []string{"6", "6"}, "2", true, true, false, ActionHit},
		"Hard15vsAceSurrenderH17":   {h17ls, []string{"T", "5"}, "A", true, false, true, ActionSurrender},
		"Hard17vsAceSurrenderH17":   {h17ls, []string{"T", "7"}, "A", true, false, true, ActionSurrender},
		"Hard17vsAceStandS17":       {s17ls, []string{"T", "7"}, "A", true, false, true, ActionStand},
		"NoHoleCard11vs10Hit":       {enhc, []string{"6", "5"}, "T", true, false, false, ActionHit},
		"NoHoleCardAcesVsAceHit":    {enhc, []string{"A", "A"}, "A", true, true, false, ActionHit},
		"NoHoleCardEightsVs10Hit":   {enhc, []string{"8", "8"}, "T", true, true, false, ActionHit},
		"TwentyOneStands":           {s17, []string{"5", "6", "K"}, "T", false, false, false, ActionStand},
	}
	charts := map[Rules]*Chart{}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			c := charts[tt.rules]
			if c == nil {
				c = Strategy(tt.rules)
				charts[tt.rules] = c
			}
			up := cards(tt.up)[0]
			if got := c.Decide(cards(tt.hand...), up, tt.dbl, tt.spl, tt.surrender); got != tt.want {
				t.Errorf("%v vs %s: %s, want %s\n%s", tt.hand, tt.up, got, tt.want, c)
			}
		})
	}
}

// TestStrategyValues holds a few expected returns to the published
// infinite-deck figures (S17, peek), to four places.
func TestStrategyValues(t *testing.T) {
	c := Strategy(DefaultRules())
	tests := []struct {
		action    string
		total     int
		soft      bool
		pair, up  int
		want, tol float64
	}{
		{ActionStand, 16, false, 0, 10, -0.5404, 1e-4},
		{ActionHit, 16, false, 0, 10, -0.5398, 1e-4},
		{ActionStand, 20, false, 0, 6, 0.7030, 1e-3},
		{ActionSurrender, 16, false, 0, 10, -0.5, 0},
	}
	for _, tt := range tests {
		if got := c.EV(tt.action, tt.total, tt.soft, tt.pair, tt.up); math.Abs(got-tt.want) > tt.tol {
			t.Errorf("EV(%s, %d vs %d) = %.5f, want %.4f", tt.action, tt.total, tt.up, got, tt.want)
		}
	}
	// Splitting aces is worth far more than playing soft 12, everywhere.
	for up := 1; up <= 10; up++ {
		if c.EV(ActionSplit, 0, false, 1, up) <= c.EV(ActionHit, 12, true, 0, up) {
			t.Errorf("aces vs %d: split %.4f, hit %.4f", up, c.EV(ActionSplit, 0, false, 1, up), c.EV(ActionHit, 12, true, 0, up))
		}
	}
}

func TestChartString(t *testing.T) {
	r := DefaultRules()
	r.LateSurrender = false
	s := Strategy(r).String()
	// Rows of the well-known six-deck S17 DAS chart.
	for _, row := range []string{
		"11     Dh  Dh  Dh  Dh  Dh  Dh  Dh  Dh  Dh  H",
		"16     S   S   S   S   S   H   H   H   H   H",
		"A,7    S   Ds  Ds  Ds  Ds  S   S   H   H   H",
		"9,9    P   P   P   P   P   S   P   P   S   S",
	} {
		if !strings.Contains(s, row) {
			t.Errorf("chart lacks %q:\n%s", row, s)
		}
	}
}
