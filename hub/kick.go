package hub

import (
	"context"
	"encoding/json"
)

// Closing a user's sockets, on this instance and, through the Bus, on every
// other: used when an admin bans the account.

type kickNotice struct {
	UserID int64  `json:"user_id"`
	Code   int    `json:"code"`
	Reason string `json:"reason"`
}

// CloseUser closes every socket of the user on this instance with the
// WebSocket close code and reason, and reports how many it closed.
func (h *Hub) CloseUser(userID int64, code int, reason string) int {
	h.mu.Lock()
	targets := make([]*Session, 0, len(h.sessions[userID]))
	for s := range h.sessions[userID] {
		targets = append(targets, s)
	}
	h.mu.Unlock()
	for _, s := range targets {
		s.close(code, reason)
	}
	if len(targets) > 0 {
		h.log.Info("closed a user's sockets", "user_id", userID, "sockets", len(targets), "reason", reason)
	}
	return len(targets)
}

// Kick closes the user's sockets on every instance (CloseBanned, with
// reason): it publishes a kick notice on the Bus, which every hub, this one
// included, acts on. Call it after the change that warrants it committed.
func (h *Hub) Kick(ctx context.Context, userID int64, reason string) error {
	b, _ := json.Marshal(kickNotice{UserID: userID, Code: CloseBanned, Reason: reason})
	return h.bus.Publish(ctx, topicKick, b)
}

func (h *Hub) onKick(payload []byte) {
	var n kickNotice
	if err := json.Unmarshal(payload, &n); err != nil || n.UserID <= 0 {
		h.log.Warn("bad kick notice", "err", err)
		return
	}
	if n.Code < 4000 || n.Code > 4999 {
		n.Code = CloseBanned
	}
	h.CloseUser(n.UserID, n.Code, truncate(n.Reason, 100))
}

// Instances lists the live counts of every instance for the admin API. The
// Hub satisfies it: its own counts and those its peers announce on the bus.
type Instances interface {
	Instances() []InstanceInfo
}
