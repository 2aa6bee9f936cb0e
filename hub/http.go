package hub

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/auth"
)

// History is what the HTTP API reads from the store for a player's history.
type History interface {
	Transactions(ctx context.Context, userID, before int64, limit int) ([]imperio.LedgerEntry, int64, error)
	Stats(ctx context.Context, userID int64) (imperio.Stats, error)
	Round(ctx context.Context, userID int64, roundID string) (imperio.Round, error)
}

// HTTPOptions wire the HTTP API around a hub.
type HTTPOptions struct {
	Auth           *auth.Service
	History        History
	AllowedOrigins []string // cross-origin sockets allowed, besides same-origin
	Static         fs.FS    // the browser client; nil serves nothing at /
	// Checks are the dependencies /readyz reports, by name ("database",
	// "redis"). A nil check reports "disabled". A failing "database" makes
	// the answer 503.
	Checks map[string]func(context.Context) error
	Log    *slog.Logger
	// Metrics serves GET /metrics (Prometheus text); nil: not served.
	Metrics http.Handler
	// TrustedProxies are the addresses or CIDRs whose X-Forwarded-For is
	// believed; nil trusts none.
	TrustedProxies []string
	// Seeds serves /api/fair (the player's seed pair, its rotation and the
	// verification of slot rounds); nil: not served.
	Seeds Seeds
	// Admin serves /api/admin/* to admins (auth.AdminRequired); nil: not
	// served. Instances lists the instances it reports (nil: this hub).
	Admin     Admin
	Instances Instances
	// Limits serves /api/limits and /api/self-exclusion; nil: not served.
	Limits PlayLimits
}

// Handler returns the HTTP API: accounts, history, health, the socket at
// /ws and the browser client at /.
func (h *Hub) Handler(o HTTPOptions) http.Handler {
	if o.Log == nil {
		o.Log = h.log
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	// Client IPs (rate limits, logs) come from X-Forwarded-For only when the
	// peer is one of these proxies; none by default.
	if err := r.SetTrustedProxies(o.TrustedProxies); err != nil {
		o.Log.Warn("trusted proxies", "err", err)
		_ = r.SetTrustedProxies(nil)
	}
	r.Use(requestID(o.Log), gin.CustomRecovery(func(c *gin.Context, v any) {
		o.Log.Error("panic in handler", "path", c.Request.URL.Path, "panic", v)
		c.AbortWithStatusJSON(http.StatusInternalServerError, imperio.NewErrorBody(imperio.Errorf(imperio.EInternal, "Internal error.")))
	}))

	r.Use(securityHeaders, sameOrigin(o.AllowedOrigins), limitBody(64<<10))
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", readyz(o.Checks))
	if o.Metrics != nil {
		r.GET("/metrics", gin.WrapH(o.Metrics))
	}

	o.Auth.Routes(r)
	api := r.Group("/api")
	api.GET("/machines", func(c *gin.Context) { c.JSON(http.StatusOK, machinesData{Machines: machineList()}) })
	api.GET("/rooms", func(c *gin.Context) { c.JSON(http.StatusOK, roomsData{Rooms: h.Rooms()}) })
	api.GET("/leaderboard", h.leaderboardRoute(o.Log))
	hist := historyAPI{h: o.History, log: o.Log}
	mine := api.Group("", o.Auth.Required())
	mine.GET("/transactions", hist.transactions)
	mine.GET("/stats", hist.stats)
	mine.GET("/rounds/:id", hist.round)
	if o.Seeds != nil {
		fa := fairAPI{seeds: o.Seeds, rounds: o.History, log: o.Log}
		mine.GET("/fair", fa.active)
		mine.POST("/fair/client-seed", fa.setClientSeed)
		mine.POST("/fair/rotate", fa.rotate)
		mine.GET("/fair/verify", fa.verify)
	}
	if o.Limits != nil {
		la := limitsAPI{store: o.Limits, log: o.Log}
		mine.GET("/limits", la.get)
		mine.PUT("/limits", la.put)
		mine.POST("/self-exclusion", la.selfExclude)
	}
	if o.Admin != nil {
		inst := o.Instances
		if inst == nil {
			inst = h
		}
		h.adminRoutes(r.Group("", o.Auth.AdminRequired()), adminAPI{h: h, store: o.Admin, instances: inst, log: o.Log})
	}

	patterns := originPatterns(o.AllowedOrigins)
	r.GET("/ws", func(c *gin.Context) {
		id, err := o.Auth.Authenticate(c.Request)
		if err != nil {
			auth.WriteError(c, o.Log, err)
			return
		}
		t, err := acceptWS(c.Writer, c.Request, patterns)
		if err != nil {
			// Accept has answered already (403 for a foreign origin).
			o.Log.Info("socket refused", "err", err, "origin", c.Request.Header.Get("Origin"))
			return
		}
		// The socket is served from a goroutine of its own and the handler
		// returns: the request and the router's frames are not held for
		// the socket's life (a third of an idle socket's memory).
		p := Player{ID: id.UserID, Username: id.Username}
		go func() {
			defer func() {
				if v := recover(); v != nil {
					o.Log.Error("panic in socket", "user_id", p.ID, "panic", v)
					t.Close(1011, "internal error")
				}
			}()
			h.serve(p, t)
		}()
	})

	var files http.Handler
	if o.Static != nil {
		files = http.FileServerFS(o.Static)
	}
	r.NoRoute(func(c *gin.Context) {
		p := c.Request.URL.Path
		if strings.HasPrefix(p, "/api/") || p == "/api" || files == nil || c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
			auth.WriteError(c, o.Log, imperio.Errorf(imperio.ENotFound, "No such route."))
			return
		}
		files.ServeHTTP(c.Writer, c.Request)
	})
	r.NoMethod(func(c *gin.Context) {
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, imperio.ErrorBody{Error: imperio.ErrorDetail{Code: imperio.EInvalidInput, Message: "Method not allowed."}})
	})
	return r
}

// requestID gives every request an id (the client's X-Request-ID when it is
// sane, else a new one), echoes it, and logs the request with it.
func requestID(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if id == "" || len(id) > 64 || !keyPattern.MatchString(id) {
			id = imperio.NewID()
		}
		c.Header("X-Request-ID", id)
		c.Set("request_id", id)
		start := time.Now()
		c.Next()
		log.Debug("http request", "request_id", id, "method", c.Request.Method, "path", c.Request.URL.Path,
			"status", c.Writer.Status(), "duration_ms", time.Since(start).Milliseconds())
	}
}

func readyz(checks map[string]func(context.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		out := gin.H{}
		status := http.StatusOK
		for name, check := range checks {
			switch {
			case check == nil:
				out[name] = "disabled"
			case check(ctx) != nil:
				out[name] = "down"
				if name == "database" {
					status = http.StatusServiceUnavailable
				}
			default:
				out[name] = "ok"
			}
		}
		out["status"] = map[bool]string{true: "ok", false: "unavailable"}[status == http.StatusOK]
		c.JSON(status, out)
	}
}

type historyAPI struct {
	h   History
	log *slog.Logger
}

type transactionsPage struct {
	Transactions []imperio.LedgerEntry `json:"transactions"`
	Next         *string               `json:"next"`
}

func (a historyAPI) transactions(c *gin.Context) {
	id, _ := auth.IdentityFrom(c)
	limit, before := 50, int64(0)
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			auth.WriteError(c, a.log, imperio.Errorf(imperio.EInvalidInput, "limit is a whole number from 1 to 100."))
			return
		}
		limit = n
	}
	if v := c.Query("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			auth.WriteError(c, a.log, imperio.Errorf(imperio.EInvalidInput, "before is the next cursor of a previous page."))
			return
		}
		before = n
	}
	entries, next, err := a.h.Transactions(c.Request.Context(), id.UserID, before, limit)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	page := transactionsPage{Transactions: entries}
	if page.Transactions == nil {
		page.Transactions = []imperio.LedgerEntry{}
	}
	if next > 0 {
		s := strconv.FormatInt(next, 10)
		page.Next = &s
	}
	c.JSON(http.StatusOK, page)
}

func (a historyAPI) stats(c *gin.Context) {
	id, _ := auth.IdentityFrom(c)
	st, err := a.h.Stats(c.Request.Context(), id.UserID)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	if st.Games == nil {
		st.Games = []imperio.GameStats{}
	}
	c.JSON(http.StatusOK, st)
}

func (a historyAPI) round(c *gin.Context) {
	id, _ := auth.IdentityFrom(c)
	rid := c.Param("id")
	if len(rid) == 0 || len(rid) > 64 || !keyPattern.MatchString(rid) {
		auth.WriteError(c, a.log, imperio.Errorf(imperio.ENotFound, "No such round."))
		return
	}
	rd, err := a.h.Round(c.Request.Context(), id.UserID, rid)
	if err != nil {
		auth.WriteError(c, a.log, err)
		return
	}
	c.JSON(http.StatusOK, rd)
}

// contentSecurityPolicy suits the embedded client: its own scripts, styles
// and socket, nothing inline, never framed.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Next()
}

// sameOrigin refuses state-changing requests that a browser sent from
// another site (cross-site request forgery): the session cookie is
// SameSite=Lax, and on top of that a POST must come from this origin or an
// allowed one. Clients that are not browsers send no Origin and pass.
func sameOrigin(allowed []string) gin.HandlerFunc {
	patterns := originPatterns(allowed)
	return func(c *gin.Context) {
		switch c.Request.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			c.Next()
			return
		}
		origin := c.GetHeader("Origin")
		if origin == "" {
			if c.GetHeader("Sec-Fetch-Site") == "cross-site" {
				auth.WriteError(c, nil, imperio.Errorf(imperio.EForbidden, "Cross-site requests are not accepted."))
				return
			}
			c.Next()
			return
		}
		if u, err := url.Parse(origin); err == nil && (strings.EqualFold(u.Host, c.Request.Host) || hostAllowed(u.Host, patterns)) {
			c.Next()
			return
		}
		auth.WriteError(c, nil, imperio.Errorf(imperio.EForbidden, "Requests from %s are not accepted.", truncate(origin, 60)))
	}
}

// hostAllowed matches an origin's host against the allowed host patterns,
// as the socket upgrade does (path.Match, ignoring case).
func hostAllowed(host string, patterns []string) bool {
	host = strings.ToLower(host)
	for _, p := range patterns {
		if ok, err := path.Match(strings.ToLower(p), host); err == nil && ok {
			return true
		}
	}
	return false
}

// limitBody bounds every request body; handlers that read less set their own.
func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
		c.Next()
	}
}
