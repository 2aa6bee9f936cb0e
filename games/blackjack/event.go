package blackjack

import "time"

// Event kinds.
const (
	EventSit           = "sit"            // seat, name
	EventLeave         = "leave"          // seat, name; pending: the seat frees after this round
	EventAway          = "away"           // seat, name: the player's connection dropped
	EventBack          = "back"           // seat, name: the player is back
	EventBet           = "bet"            // seat, name, amount
	EventBettingOpen   = "betting_open"   // round, deadline
	EventBettingClosed = "betting_closed" // round
	EventShuffle       = "shuffle"        // shoe, hash (of the new shoe)
	EventDeal          = "deal"           // seat, hand, card, total, soft; or dealer, card (the up card), total, soft
	EventHole          = "hole"           // dealer: a face-down card was dealt (no card in it)
	EventInsuranceOpen = "insurance_open" // deadline
	EventInsurance     = "insurance"      // seat, name, action (insurance / no_insurance), amount
	EventPeek          = "peek"           // dealer, blackjack
	EventTurn          = "turn"           // seat, hand, name, total, soft, actions, deadline
	EventHit           = "hit"            // seat, hand, card, total, soft
	EventStand         = "stand"          // seat, hand, total, soft
	EventDouble        = "double"         // seat, hand, amount (added stake), card, total, soft
	EventSplit         = "split"          // seat, hand, new_hand, amount (the new hand's stake)
	EventSurrender     = "surrender"      // seat, hand
	EventTimeout       = "timeout"        // seat, hand: the turn ran out and the hand stands
	EventBust          = "bust"           // seat, hand, total; or dealer, total
	EventReveal        = "reveal"         // dealer, card (the hole card), total, soft
	EventDealerDraw    = "dealer_draw"    // dealer, card, total, soft
	EventResult        = "result"         // seat, hand, name, result, bet (stake), amount (credited); insurance for the insurance bet
	EventRoundEnd      = "round_end"      // round, total (dealer), blackjack, amount (credited in all)
	EventPause         = "pause"          // deadline: the next round may open after it
	EventWaiting       = "waiting"        // the pause is over: the next bet opens a round
)

// Event is one thing that happened at the table. Every event is public:
// it goes to seated players and spectators alike, and no event carries a
// card before it is face up. Seats and hands are numbered from 1; an event
// about the dealer has Dealer set and no seat. A split adds the new hand at
// the end of the seat's hands (NewHand), so hand numbers never change.
type Event struct {
	Kind   string `json:"kind"`
	Round  int64  `json:"round,omitzero"`
	Seat   int    `json:"seat,omitzero"`
	Dealer bool   `json:"dealer,omitzero"`
	Hand   int    `json:"hand,omitzero"`
	// Player is the seated player's id, for the hub; it is not sent.
	Player  int64  `json:"-"`
	Name    string `json:"name,omitzero"`
	Card    string `json:"card,omitzero"`
	Total   int    `json:"total,omitzero"`
	Soft    bool   `json:"soft,omitzero"`
	Amount  int64  `json:"amount,omitzero"`
	Bet     int64  `json:"bet,omitzero"`
	Result  string `json:"result,omitzero"`
	Action  string `json:"action,omitzero"`
	NewHand int    `json:"new_hand,omitzero"`
	// Actions are the legal actions of the hand whose turn it is.
	Actions   []string  `json:"actions,omitempty"`
	Deadline  time.Time `json:"deadline,omitzero"`
	Blackjack bool      `json:"blackjack,omitzero"`
	Insurance bool      `json:"insurance,omitzero"`
	Pending   bool      `json:"pending,omitzero"`
	Shoe      int       `json:"shoe,omitzero"`
	Hash      string    `json:"hash,omitzero"`
}
