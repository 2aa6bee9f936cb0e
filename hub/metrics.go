package hub

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the hub's Prometheus series. Counters and histograms are
// updated where things happen; the gauges of sockets, rooms and members are
// read from the hub when scraped.
type Metrics struct {
	messagesIn  *prometheus.CounterVec
	deliveries  *prometheus.CounterVec
	errors      *prometheus.CounterVec
	rounds      *prometheus.CounterVec
	coinsBet    *prometheus.CounterVec
	coinsPaid   *prometheus.CounterVec
	spinSeconds prometheus.Histogram
	commit      *prometheus.HistogramVec
	slowCloses  prometheus.Counter
	rateLimited *prometheus.CounterVec
	hop         prometheus.Histogram
	tableAction *prometheus.HistogramVec
	busPublish  prometheus.Histogram
}

// NewMetrics makes the hub's series and registers them on reg (nil: they
// are kept but not exported).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	latency := []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}
	m := &Metrics{
		messagesIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "imperio_messages_in_total", Help: "Socket messages received, by type.",
		}, []string{"type"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "imperio_messages_out_total", Help: "Frames written to sockets, by type.",
		}, []string{"type"}),
		tableAction: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "imperio_table_action_seconds", Help: "A table command from its arrival at the table to its events queued to every member, stake commit included, by game.", Buckets: latency,
		}, []string{"game"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "imperio_errors_total", Help: "Error answers sent on sockets, by code.",
		}, []string{"code"}),
		rounds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "imperio_rounds_total", Help: "Rounds settled, by game (a spin is a round).",
		}, []string{"game"}),
		coinsBet: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "imperio_coins_bet_total", Help: "Coins staked, by game.",
		}, []string{"game"}),
		coinsPaid: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "imperio_coins_paid_total", Help: "Coins credited at settlement, stakes returned included, by game.",
		}, []string{"game"}),
		spinSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "imperio_spin_seconds", Help: "A spin from its arrival at the machine to its answer, settlement included.", Buckets: latency,
		}),
		commit: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "imperio_store_commit_seconds", Help: "Money transactions in the store, by operation.", Buckets: latency,
		}, []string{"op"}),
		slowCloses: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "imperio_slow_socket_closes_total", Help: "Sockets closed because their send queue filled up.",
		}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "imperio_rate_limited_total", Help: "Socket messages refused by a rate limit, by limit.",
		}, []string{"limit"}),
		hop: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "imperio_forward_hop_seconds", Help: "A command forwarded from another instance: from its sending there to its arrival here.", Buckets: latency,
		}),
		busPublish: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "imperio_redis_publish_seconds", Help: "One pipeline of bus messages to Redis, round trip.", Buckets: latency,
		}),
	}
	if reg != nil {
		reg.MustRegister(m.messagesIn, m.deliveries, m.errors, m.rounds, m.coinsBet, m.coinsPaid,
			m.spinSeconds, m.commit, m.slowCloses, m.rateLimited, m.hop, m.busPublish, m.tableAction)
	}
	return m
}

// knownTypes bounds the type label: a client's made-up type is "other".
var knownTypes = map[string]bool{
	TypePing: true, TypeSlotsSpin: true, TypeLobbySubscribe: true, TypeLobbyLeave: true, TypeRoomJoin: true,
	TypeRoomWatch: true, TypeRoomLeave: true, TypeTableBet: true, TypeTableAction: true, TypeChatSend: true,
}

// sent counts a frame written to a socket by its type, read from the
// frame's start ({"type":"..."), which every frame of ours has.
func (m *Metrics) sent(frame []byte) {
	typ := "other"
	const prefix = `{"type":"`
	if len(frame) > len(prefix) && string(frame[:len(prefix)]) == prefix {
		rest := frame[len(prefix):]
		for i, c := range rest {
			if c == '"' {
				if t := string(rest[:i]); knownOut[t] {
					typ = t
				}
				break
			}
			if i > 24 {
				break
			}
		}
	}
	m.deliveries.WithLabelValues(typ).Inc()
}

// knownOut bounds the type label of frames sent.
var knownOut = map[string]bool{
	TypeWelcome: true, TypePong: true, TypeError: true, TypeSlotsResult: true, TypeBalance: true,
	TypeBigWin: true, TypeLobbyRooms: true, TypeLobbyMachine: true, TypeRoomJoined: true, TypeRoomLeft: true,
	TypeRoomState: true, TypeRoomEvent: true, TypeChatMessage: true, TypeShutdown: true,
	TypeTableAccepted: true, TypeLeaderboard: true,
}

func (m *Metrics) received(typ string) {
	if !knownTypes[typ] {
		typ = "other"
	}
	m.messagesIn.WithLabelValues(typ).Inc()
}

func (m *Metrics) observeCommit(op string, start time.Time) {
	m.commit.WithLabelValues(op).Observe(time.Since(start).Seconds())
}

// hubCollector reports the hub's live gauges at scrape time.
type hubCollector struct {
	h                         *Hub
	sockets, rooms, occupants *prometheus.Desc
}

// Collector returns a Prometheus collector of the hub's live counts: sockets
// open, rooms by game, players and spectators by game.
func (h *Hub) Collector() prometheus.Collector {
	return &hubCollector{
		h:         h,
		sockets:   prometheus.NewDesc("imperio_sockets_open", "Sockets open on this instance.", nil, nil),
		rooms:     prometheus.NewDesc("imperio_rooms_open", "Rooms open on this instance, by game.", []string{"game"}, nil),
		occupants: prometheus.NewDesc("imperio_room_members", "Members of rooms on this instance, by game and role.", []string{"game", "role"}, nil),
	}
}

func (c *hubCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.sockets
	ch <- c.rooms
	ch <- c.occupants
}

func (c *hubCollector) Collect(ch chan<- prometheus.Metric) {
	sockets, _ := c.h.Counts()
	ch <- prometheus.MustNewConstMetric(c.sockets, prometheus.GaugeValue, float64(sockets))
	rooms := map[string]int{}
	players := map[string]int{}
	spectators := map[string]int{}
	for _, r := range c.h.Rooms() {
		rooms[r.Game]++
		players[r.Game] += r.Players
		spectators[r.Game] += r.Spectators
	}
	for game, n := range rooms {
		ch <- prometheus.MustNewConstMetric(c.rooms, prometheus.GaugeValue, float64(n), game)
		ch <- prometheus.MustNewConstMetric(c.occupants, prometheus.GaugeValue, float64(players[game]), game, rolePlayer)
		ch <- prometheus.MustNewConstMetric(c.occupants, prometheus.GaugeValue, float64(spectators[game]), game, roleSpectator)
	}
}
