package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/imperio-casino/imperio"
)

// Page sizes of Transactions.
const (
	defaultPageSize = 50
	maxPageSize     = 100
)

// Transactions returns the user's ledger, newest first: the entries with an
// id below before (all when before <= 0), at most limit of them (clamped to
// 1..100, 0 meaning 50). next is the before of the following page, 0 when
// this page is the last.
func (s *Store) Transactions(ctx context.Context, userID, before int64, limit int) ([]imperio.LedgerEntry, int64, error) {
	switch {
	case limit == 0:
		limit = defaultPageSize
	case limit < 1:
		limit = 1
	case limit > maxPageSize:
		limit = maxPageSize
	}
	q := s.rdb.WithContext(ctx)
	var rows []ledgerRow
	const cols = `SELECT id, kind, amount, balance_after, game, round_id, created_at, note FROM ledger_entries `
	// One row more than the page tells whether another page follows.
	if before > 0 {
		q = q.Raw(cols+`WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, userID, before, limit+1)
	} else {
		q = q.Raw(cols+`WHERE user_id = ? ORDER BY id DESC LIMIT ?`, userID, limit+1)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, 0, s.wrap("transactions", err)
	}
	var next int64
	if len(rows) > limit {
		rows = rows[:limit]
		next = rows[limit-1].ID
	}
	entries := make([]imperio.LedgerEntry, len(rows))
	for i, r := range rows {
		entries[i] = r.entry()
	}
	return entries, next, nil
}

// Stats returns the user's totals over settled rounds, per game (sorted by
// name) and overall. Net is won minus wagered; BiggestWin is the largest win
// of a single round.
func (s *Store) Stats(ctx context.Context, userID int64) (imperio.Stats, error) {
	var rows []gameStatsRow
	err := s.rdb.WithContext(ctx).Raw(`SELECT rp.game AS game, COUNT(*) AS rounds,
			CAST(SUM(rp.wagered) AS BIGINT) AS wagered, CAST(SUM(rp.won) AS BIGINT) AS won,
			MAX(rp.won) AS biggest_win
		FROM round_players rp JOIN rounds r ON r.id = rp.round_id
		WHERE rp.user_id = ? AND r.status = ?
		GROUP BY rp.game ORDER BY rp.game`, userID, imperio.RoundSettled).Scan(&rows).Error
	if err != nil {
		return imperio.Stats{}, s.wrap("stats", err)
	}
	st := imperio.Stats{Games: make([]imperio.GameStats, 0, len(rows))}
	for _, r := range rows {
		g := imperio.GameStats{
			Game:       r.Game,
			Rounds:     r.Rounds,
			Wagered:    r.Wagered,
			Won:        r.Won,
			Net:        r.Won - r.Wagered,
			BiggestWin: r.BiggestWin,
		}
		st.Games = append(st.Games, g)
		st.Rounds += g.Rounds
		st.Wagered += g.Wagered
		st.Won += g.Won
		st.BiggestWin = max(st.BiggestWin, g.BiggestWin)
	}
	st.Net = st.Won - st.Wagered
	return st, nil
}

// Round recalls one round the user took part in, with every player's stake.
// A round the user had no part in is imperio.ENotFound, like an unknown one.
func (s *Store) Round(ctx context.Context, userID int64, roundID string) (imperio.Round, error) {
	var (
		rd                imperio.Round
		outcome, fairness []byte
		created, settled  dbTime
		players           []roundPlayerRow
	)
	db := s.rdb.WithContext(ctx)
	err := db.Raw(`SELECT r.id, r.game, r.room, r.status, r.outcome, r.fairness, r.created_at, r.settled_at
		FROM rounds r
		WHERE r.id = ? AND EXISTS (SELECT 1 FROM round_players rp WHERE rp.round_id = r.id AND rp.user_id = ?)`,
		roundID, userID).Row().Scan(&rd.ID, &rd.Game, &rd.Room, &rd.Status, &outcome, &fairness, &created, &settled)
	if errors.Is(err, sql.ErrNoRows) {
		return imperio.Round{}, imperio.Errorf(imperio.ENotFound, "No such round.")
	}
	if err != nil {
		return imperio.Round{}, s.wrap("round", err)
	}
	err = db.Raw(`SELECT rp.user_id AS user_id, u.username AS username, rp.wagered AS wagered, rp.won AS won
		FROM round_players rp JOIN users u ON u.id = rp.user_id
		WHERE rp.round_id = ? ORDER BY rp.user_id`, roundID).Scan(&players).Error
	if err != nil {
		return imperio.Round{}, s.wrap("round players", err)
	}
	rd.Outcome, rd.Fairness = jsonValue(outcome), jsonValue(fairness)
	rd.CreatedAt, rd.SettledAt = created.Time, settled.ptr()
	rd.Players = make([]imperio.RoundPlayer, len(players))
	for i, p := range players {
		rd.Players[i] = imperio.RoundPlayer{UserID: p.UserID, Username: p.Username, Wagered: p.Wagered, Won: p.Won}
	}
	return rd, nil
}
