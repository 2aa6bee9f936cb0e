package hub

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/auth"
)

// Admin is what the admin API needs from the store. Every action writes its
// admin audit row in the same transaction.
type Admin interface {
	ListUsers(ctx context.Context, q string, limit int) ([]imperio.UserSummary, error)
	UserByID(ctx context.Context, id int64) (imperio.User, error)
	Transactions(ctx context.Context, userID, before int64, limit int) ([]imperio.LedgerEntry, int64, error)
	RecentRounds(ctx context.Context, userID int64, limit int) ([]imperio.RoundSummary, error)
	Limits(ctx context.Context, userID int64) (imperio.Limits, error)
	Ban(ctx context.Context, by imperio.Actor, userID int64, reason string) (imperio.User, error)
	Unban(ctx context.Context, by imperio.Actor, userID int64) (imperio.User, error)
	Adjust(ctx context.Context, a imperio.Adjustment) (coins int64, replayed bool, err error)
	AuditLog(ctx context.Context, before int64, limit int) ([]imperio.AuditEntry, error)
}

// adminAPI serves /api/admin/*, behind auth's AdminRequired.
type adminAPI struct {
	h         *Hub
	store     Admin
	instances Instances
	log       *slog.Logger
}

func (h *Hub) adminRoutes(r gin.IRouter, a adminAPI) {
	g := r.Group("/api/admin")
	g.GET("/instances", a.listInstances)
	g.GET("/users", a.listUsers)
	g.GET("/users/:id", a.user)
	g.POST("/users/:id/ban", a.ban)
	g.POST("/users/:id/unban", a.unban)
	g.POST("/users/:id/adjust", a.adjust)
	g.GET("/audit", a.audit)
}

func actor(c *gin.Context) imperio.Actor {
	id, _ := auth.IdentityFrom(c)
	return imperio.Actor{ID: id.UserID, Name: id.Username}
}

// bodyOf decodes the request's JSON body into v (refusing unknown fields).
func bodyOf(c *gin.Context, v any) error {
	raw, err := c.GetRawData()
	if err != nil {
		return imperio.Errorf(imperio.EInvalidInput, "The request body could not be read.")
	}
	return decodeData(raw, v)
}

func userParam(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, imperio.Errorf(imperio.ENotFound, "No such user.")
	}
	return id, nil
}

func intQuery(c *gin.Context, name string, def, lo, hi int64) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, imperio.Errorf(imperio.EInvalidInput, "%s is a whole number from %d to %d.", name, lo, hi)
	}
	return n, nil
}

func (a adminAPI) listInstances(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"instances": a.instances.Instances()})
}

func (a adminAPI) listUsers(c *gin.Context) {
	q := strings.TrimSpace(c.Query("q"))
	if len(q) > 40 {
		auth.WriteError(c, a.log, imperio.Errorf(imperio.EInvalidInput, "q is at most 40 characters."))
		return
	}
	limit, err := intQuery(c, "limit", 50, 1, 100)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	users, err := a.store.ListUsers(c.Request.Context(), q, int(limit))
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"users": users})
}

// adminUserJSON is an account in the admin's detail view.
type adminUserJSON struct {
	imperio.UserSummary
	Email       string  `json:"email"`
	BanReason   string  `json:"ban_reason,omitempty"`
	BannedAt    *string `json:"banned_at,omitempty"`
	TOTPEnabled bool    `json:"totp_enabled"`
	LockedUntil *string `json:"locked_until,omitempty"`
}

func summary(u imperio.User) imperio.UserSummary {
	return imperio.UserSummary{ID: u.ID, Username: u.Username, Coins: u.Coins, Role: u.Role,
		Banned: u.BannedAt != nil, CreatedAt: u.CreatedAt}
}

func (a adminAPI) user(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := userParam(c)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	u, err := a.store.UserByID(ctx, id)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	txs, _, err := a.store.Transactions(ctx, id, 0, 50)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	rounds, err := a.store.RecentRounds(ctx, id, 50)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	limits, err := a.store.Limits(ctx, id)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	out := adminUserJSON{UserSummary: summary(u), Email: u.Email, BanReason: u.BanReason, TOTPEnabled: u.TOTPEnabled}
	if u.BannedAt != nil {
		s := u.BannedAt.Format("2006-01-02T15:04:05.000000Z07:00")
		out.BannedAt = &s
	}
	if u.LockedUntil != nil {
		s := u.LockedUntil.Format("2006-01-02T15:04:05.000000Z07:00")
		out.LockedUntil = &s
	}
	if txs == nil {
		txs = []imperio.LedgerEntry{}
	}
	c.JSON(http.StatusOK, gin.H{"user": out, "transactions": txs, "rounds": rounds, "limits": limits})
}

type banIn struct {
	Reason string `json:"reason"`
}

// ban bans the account, then (after the commit) closes its sockets on every
// instance.
func (a adminAPI) ban(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := userParam(c)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	var in banIn
	if err := bodyOf(c, &in); err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	by := actor(c)
	u, err := a.store.Ban(ctx, by, id, in.Reason)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	a.log.WarnContext(ctx, "user banned", "user_id", u.ID, "admin", by.Name, "reason", in.Reason)
	if err := a.h.Kick(context.WithoutCancel(ctx), u.ID, "banned"); err != nil {
		a.log.ErrorContext(ctx, "kick banned user", "user_id", u.ID, "err", err)
	}
	c.JSON(http.StatusOK, gin.H{"user": summary(u)})
}

func (a adminAPI) unban(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := userParam(c)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	by := actor(c)
	u, err := a.store.Unban(ctx, by, id)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	a.log.WarnContext(ctx, "user unbanned", "user_id", u.ID, "admin", by.Name)
	c.JSON(http.StatusOK, gin.H{"user": summary(u)})
}

type adjustIn struct {
	Amount int64  `json:"amount"`
	Reason string `json:"reason"`
	// Key makes a retried request count once; without one, every request
	// is a new adjustment.
	Key string `json:"key"`
}

// adjust credits or debits the player, then (after the commit) pushes the
// new balance to their sockets.
func (a adminAPI) adjust(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := userParam(c)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	var in adjustIn
	if err := bodyOf(c, &in); err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	if in.Key == "" {
		in.Key = imperio.NewID()
	} else if len(in.Key) > 64 || !keyPattern.MatchString(in.Key) {
		auth.WriteError(c, a.log, imperio.Errorf(imperio.EInvalidInput, "key is 1 to 64 letters, digits, '-', '_', '.' or ':'."))
		return
	}
	target, err := a.store.UserByID(ctx, id) // its name goes with the balance push
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	by := actor(c)
	coins, replayed, err := a.store.Adjust(ctx, imperio.Adjustment{Admin: by, UserID: id, Amount: in.Amount, Reason: in.Reason, Key: in.Key})
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	if !replayed {
		a.log.WarnContext(ctx, "balance adjusted", "user_id", id, "admin", by.Name, "amount", in.Amount, "reason", in.Reason)
		a.h.publishBalance(id, target.Username, coins)
	}
	c.JSON(http.StatusOK, gin.H{"coins": coins, "replayed": replayed})
}

func (a adminAPI) audit(c *gin.Context) {
	limit, err := intQuery(c, "limit", 50, 1, 100)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	before, err := intQuery(c, "before", 0, 1, 1<<62)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	entries, err := a.store.AuditLog(c.Request.Context(), before, int(limit))
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"entries": entries})
}
