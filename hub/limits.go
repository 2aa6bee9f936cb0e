package hub

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/auth"
)

// PlayLimits is what the responsible-play API needs from the store. The
// limits themselves are enforced by the store, in the transaction of each
// bet.
type PlayLimits interface {
	Limits(ctx context.Context, userID int64) (imperio.Limits, error)
	SetLossLimit(ctx context.Context, userID, limit int64) (imperio.Limits, error)
	SelfExclude(ctx context.Context, userID int64, days int) (imperio.Limits, error)
}

type limitsAPI struct {
	store PlayLimits
	log   *slog.Logger
}

func (a limitsAPI) get(c *gin.Context) {
	id, _ := auth.IdentityFrom(c)
	l, err := a.store.Limits(c.Request.Context(), id.UserID)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	c.JSON(http.StatusOK, l)
}

type lossLimitIn struct {
	DailyLossLimit *int64 `json:"daily_loss_limit"`
}

func (a limitsAPI) put(c *gin.Context) {
	id, _ := auth.IdentityFrom(c)
	var in lossLimitIn
	if err := bodyOf(c, &in); err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	if in.DailyLossLimit == nil {
		auth.WriteError(c, a.log, imperio.Errorf(imperio.EInvalidInput, "daily_loss_limit is required (0 for none)."))
		return
	}
	l, err := a.store.SetLossLimit(c.Request.Context(), id.UserID, *in.DailyLossLimit)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	a.log.InfoContext(c.Request.Context(), "loss limit set", "user_id", id.UserID, "requested", *in.DailyLossLimit, "in_force", l.DailyLossLimit)
	c.JSON(http.StatusOK, l)
}

type selfExclusionIn struct {
	Days int `json:"days"`
}

func (a limitsAPI) selfExclude(c *gin.Context) {
	id, _ := auth.IdentityFrom(c)
	var in selfExclusionIn
	if err := bodyOf(c, &in); err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	l, err := a.store.SelfExclude(c.Request.Context(), id.UserID, in.Days)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	a.log.InfoContext(c.Request.Context(), "self-excluded", "user_id", id.UserID, "days", in.Days)
	c.JSON(http.StatusOK, l)
}
