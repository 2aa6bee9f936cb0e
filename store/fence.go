package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/imperio-casino/imperio"
)

// TakeRoom is how an instance takes over a table room whose lease it has
// just acquired with fencing token token: in one transaction it records the
// token as the room's latest and voids every round still open in the room
// (each stake refunded with a void ledger row). From then on OpenRound
// refuses rounds of the room under an older token, so a previous owner that
// was paused past its lease can no longer start one; its open round is gone
// and its stakes and settlements find the round void.
//
// The owner calls it again with its own token when it stops, to void what
// could not finish. A token older than the room's latest is
// imperio.EConflict and changes nothing.
func (s *Store) TakeRoom(ctx context.Context, room string, token int64, reason string) ([]imperio.VoidedRound, error) {
	if room == "" || token <= 0 {
		return nil, imperio.Errorf(imperio.EInvalidInput, "A room and a positive fencing token are needed.")
	}
	var out []imperio.VoidedRound
	err := s.write(ctx, func(tx *gorm.DB) error {
		out = []imperio.VoidedRound{}
		now := s.now()
		res := tx.Exec(`INSERT INTO room_fences (room, token, taken_at) VALUES (?, ?, ?)
			ON CONFLICT (room) DO UPDATE SET token = excluded.token, taken_at = excluded.taken_at
			WHERE room_fences.token <= excluded.token`, room, token, s.ts(now))
		if res.Error != nil {
			return fmt.Errorf("fence room: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return imperio.Errorf(imperio.EConflict, "Room %s was taken over under a newer lease.", room)
		}
		var ids []string
		if err := tx.Raw(`SELECT id FROM rounds WHERE status = 'open' AND room = ? ORDER BY created_at, id`, room).Scan(&ids).Error; err != nil {
			return fmt.Errorf("open rounds of %s: %w", room, err)
		}
		for _, id := range ids {
			vr, voided, err := s.voidRoundTx(ctx, tx, id, reason, now)
			if err != nil {
				return err
			}
			if voided {
				out = append(out, vr)
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.wrap("take room", err)
	}
	for _, vr := range out {
		s.log.InfoContext(ctx, "round voided", "round_id", vr.RoundID, "room", vr.Room,
			"players", len(vr.Refunds), "refunded", vr.Refunded, "reason", reason)
	}
	return out, nil
}

// openFencedRound opens a round only while r.Fence is the room's latest
// token. The fence row is locked first, so a concurrent TakeRoom either sees
// the new round (and voids it) or makes this one fail.
func (s *Store) openFencedRound(ctx context.Context, r imperio.TableRound, now time.Time) error {
	err := s.write(ctx, func(tx *gorm.DB) error {
		var token int64
		err := tx.Raw(`SELECT token FROM room_fences WHERE room = ?`+s.forUpdate(""), r.Room).Row().Scan(&token)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && token != r.Fence) {
			return imperio.Errorf(imperio.EConflict, "Room %s belongs to a newer lease; this instance no longer runs it.", r.Room)
		}
		if err != nil {
			return fmt.Errorf("read room fence: %w", err)
		}
		res := tx.Exec(`INSERT INTO rounds (id, game, room, user_id, status, outcome, fairness, created_at, settled_at)
			VALUES (?, ?, ?, NULL, 'open', NULL, `+s.jsonParam()+`, ?, NULL) ON CONFLICT (id) DO NOTHING`,
			r.ID, r.Game, r.Room, jsonArg(r.Fairness), s.ts(now))
		if res.Error != nil {
			return fmt.Errorf("open round: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return imperio.Errorf(imperio.EConflict, "The round %s exists already.", r.ID)
		}
		return nil
	})
	return s.wrap("open round", err)
}

// OpenRoundRooms lists the rooms that have a round open, for the sweep that
// voids rounds whose instance died with nobody taking the room over.
func (s *Store) OpenRoundRooms(ctx context.Context) ([]string, error) {
	rooms := []string{}
	err := s.rdb.WithContext(ctx).Raw(`SELECT DISTINCT room FROM rounds WHERE status = 'open' ORDER BY room`).Scan(&rooms).Error
	return rooms, s.wrap("open round rooms", err)
}
