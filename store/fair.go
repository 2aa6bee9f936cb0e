package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/imperio-casino/imperio"
	"github.com/imperio-casino/imperio/games/fair"
)

// maxClientSeedLen bounds a client seed, in bytes.
const maxClientSeedLen = 64

// fairSeedColumns are what fairSeedRow scans, in order.
const fairSeedColumns = `server_seed, server_seed_hash, client_seed, nonce, created_at, revealed_at`

// ActiveSeed returns the user's active seed pair, creating the user's first
// one (a server seed from crypto/rand and a random client seed) when there
// is none. The active pair's server seed is never returned: ServerSeed is
// empty. An unknown user is imperio.ENotFound.
func (s *Store) ActiveSeed(ctx context.Context, userID int64) (imperio.FairSeed, error) {
	sd, found, err := s.activeSeed(s.rdb.WithContext(ctx), userID)
	if err == nil && !found {
		sd, err = s.createActiveSeed(ctx, userID)
	}
	if err != nil {
		return imperio.FairSeed{}, s.wrap("active seed", err)
	}
	return sd, nil
}

// createActiveSeed creates the user's first active pair, unless a concurrent
// call did so first, and reads it back from the write pool.
func (s *Store) createActiveSeed(ctx context.Context, userID int64) (imperio.FairSeed, error) {
	db := s.wdb.WithContext(ctx)
	if err := s.ensureSeed(db, userID); err != nil {
		return imperio.FairSeed{}, err
	}
	// The active pair's row, once there, stays (see rotate).
	sd, found, err := s.activeSeed(db, userID)
	if err == nil && !found {
		err = fmt.Errorf("user %d has no active seed after creating one", userID)
	}
	return sd, err
}

// TakeNonce gives the next round of the user its randomness: the active
// pair's server seed (raw bytes), client seed and commitment, and the nonce
// for the round, which it increments in the same statement, so that no two
// rounds ever get the same nonce. It creates the pair first when the user
// has none.
func (s *Store) TakeNonce(ctx context.Context, userID int64) (server []byte, client string, nonce uint64, hash string, err error) {
	if err := s.step(ctx, "nonce"); err != nil {
		return nil, "", 0, "", err
	}
	// On PostgreSQL the increment commits without waiting for the disk
	// (synchronous_commit off), which spares every spin a flush of its own.
	// It stays safe: the round that uses the nonce is settled later with a
	// durable commit, and a flush of the WAL covers every record before it,
	// so once a round is acknowledged its nonce's increment is on disk. A
	// crash can only lose increments whose rounds were never settled nor
	// shown to anyone, and handing such a nonce out again reveals nothing.
	db := s.ndb.WithContext(ctx)
	// The first try finds no pair only when the user has none yet; the
	// second finds the one ensureSeed made (or a concurrent call did).
	for range 2 {
		var (
			seedHex string
			next    int64
		)
		err = db.Raw(`UPDATE fair_seeds SET nonce = nonce + 1
			WHERE user_id = ? AND revealed_at IS NULL
			RETURNING server_seed, server_seed_hash, client_seed, nonce`, userID).
			Row().Scan(&seedHex, &hash, &client, &next)
		if errors.Is(err, sql.ErrNoRows) {
			if err := s.ensureSeed(db, userID); err != nil {
				return nil, "", 0, "", s.wrap("take nonce", err)
			}
			continue
		}
		if err != nil {
			return nil, "", 0, "", s.wrap("take nonce", err)
		}
		server, err = hex.DecodeString(seedHex)
		if err != nil {
			return nil, "", 0, "", fmt.Errorf("take nonce: server seed of user %d: %w", userID, err)
		}
		return server, client, uint64(next - 1), hash, nil
	}
	return nil, "", 0, "", fmt.Errorf("take nonce: user %d: no active seed after creating one", userID)
}

// SetClientSeed sets the player's client seed. Like every change of a pair,
// it rotates: the active pair's server seed is revealed, and a new pair
// starts with the new client seed and nonce 0. It returns the revealed pair
// and the new one. A client seed is 1 to 64 printable ASCII characters
// (space to tilde); anything else is imperio.EInvalidInput.
func (s *Store) SetClientSeed(ctx context.Context, userID int64, client string) (revealed, active imperio.FairSeed, err error) {
	if err := validateClientSeed(client); err != nil {
		return imperio.FairSeed{}, imperio.FairSeed{}, err
	}
	return s.rotate(ctx, "set client seed", userID, &client)
}

// RotateSeed reveals the user's active pair and starts a new one with a new
// server seed, the same client seed and nonce 0. It returns the revealed
// pair, ServerSeed set, and the new one. A user without a pair gets one,
// revealed at once, and a second.
func (s *Store) RotateSeed(ctx context.Context, userID int64) (revealed, active imperio.FairSeed, err error) {
	return s.rotate(ctx, "rotate seed", userID, nil)
}

// rotate reveals the active pair and starts its successor, with client as
// its client seed or, when client is nil, the revealed pair's, in one
// transaction.
//
// The active pair keeps its row for good: rotating writes the new pair into
// it and copies the old one out as a revealed row. A TakeNonce racing a
// rotation therefore always finds the row, waiting for the rotation's lock
// on PostgreSQL: its nonce is counted in the revealed pair when it came
// first, and is the new pair's first otherwise.
func (s *Store) rotate(ctx context.Context, op string, userID int64, client *string) (revealed, active imperio.FairSeed, err error) {
	err = s.write(ctx, func(tx *gorm.DB) error {
		if err := s.ensureSeed(tx, userID); err != nil {
			return err
		}
		// The no-op update locks the row and reads it as it is now,
		// nonces taken so far included.
		var row fairSeedRow
		err := tx.Raw(`UPDATE fair_seeds SET nonce = nonce
			WHERE user_id = ? AND revealed_at IS NULL
			RETURNING `+fairSeedColumns, userID).Row().Scan(row.dest()...)
		if err != nil {
			return fmt.Errorf("lock active seed: %w", err)
		}
		now := s.now()
		row.RevealedAt = dbTime{Time: now, Valid: true}
		revealed = row.seed()

		server, err := fair.NewServerSeed(rand.Reader)
		if err != nil {
			return err
		}
		active = imperio.FairSeed{ServerSeedHash: fair.HashSeed(server), ClientSeed: revealed.ClientSeed, CreatedAt: now}
		if client != nil {
			active.ClientSeed = *client
		}
		err = tx.Exec(`UPDATE fair_seeds SET server_seed = ?, server_seed_hash = ?, client_seed = ?, nonce = 0, created_at = ?
			WHERE user_id = ? AND revealed_at IS NULL`,
			hex.EncodeToString(server), active.ServerSeedHash, active.ClientSeed, s.ts(now), userID).Error
		if err != nil {
			return fmt.Errorf("new seed: %w", err)
		}
		err = tx.Exec(`INSERT INTO fair_seeds (user_id, server_seed, server_seed_hash, client_seed, nonce, created_at, revealed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			userID, row.ServerSeed, row.ServerSeedHash, row.ClientSeed, row.Nonce, s.ts(row.CreatedAt.Time), s.ts(now)).Error
		if err != nil {
			return fmt.Errorf("reveal seed: %w", err)
		}
		return nil
	})
	if err != nil {
		return imperio.FairSeed{}, imperio.FairSeed{}, s.wrap(op, err)
	}
	return revealed, active, nil
}

// RevealedSeed returns the user's revealed pair with this commitment,
// server seed included. A pair still active, another user's or an unknown
// one is imperio.ENotFound.
func (s *Store) RevealedSeed(ctx context.Context, userID int64, serverSeedHash string) (imperio.FairSeed, error) {
	var row fairSeedRow
	err := s.rdb.WithContext(ctx).Raw(`SELECT `+fairSeedColumns+` FROM fair_seeds
		WHERE user_id = ? AND server_seed_hash = ? AND revealed_at IS NOT NULL`,
		userID, serverSeedHash).Row().Scan(row.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return imperio.FairSeed{}, imperio.Errorf(imperio.ENotFound, "No revealed seed with that hash.")
	}
	if err != nil {
		return imperio.FairSeed{}, s.wrap("revealed seed", err)
	}
	return row.seed(), nil
}

// activeSeed reads the user's active pair, without its server seed.
func (s *Store) activeSeed(db *gorm.DB, userID int64) (imperio.FairSeed, bool, error) {
	var row fairSeedRow
	err := db.Raw(`SELECT `+fairSeedColumns+` FROM fair_seeds WHERE user_id = ? AND revealed_at IS NULL`, userID).
		Row().Scan(row.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return imperio.FairSeed{}, false, nil
	}
	if err != nil {
		return imperio.FairSeed{}, false, err
	}
	return row.seed(), true, nil
}

// ensureSeed gives the user an active pair, a random client seed with it,
// unless the user has one. The partial unique index fair_seeds_active
// decides between concurrent calls: the losers insert nothing. An unknown
// user is imperio.ENotFound.
func (s *Store) ensureSeed(db *gorm.DB, userID int64) error {
	client, err := randomClientSeed()
	if err != nil {
		return err
	}
	server, err := fair.NewServerSeed(rand.Reader)
	if err != nil {
		return err
	}
	err = db.Exec(`INSERT INTO fair_seeds (user_id, server_seed, server_seed_hash, client_seed, nonce, created_at)
		VALUES (?, ?, ?, ?, 0, ?)
		ON CONFLICT (user_id) WHERE revealed_at IS NULL DO NOTHING`,
		userID, hex.EncodeToString(server), fair.HashSeed(server), client, s.ts(s.now())).Error
	if isForeignKeyViolation(err) {
		return imperio.Errorf(imperio.ENotFound, "No such user.")
	}
	if err != nil {
		return fmt.Errorf("create seed: %w", err)
	}
	return nil
}

// randomClientSeed is the client seed of a pair the player did not choose:
// 16 hex digits.
func randomClientSeed() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("client seed: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

func validateClientSeed(client string) error {
	if len(client) < 1 || len(client) > maxClientSeedLen {
		return imperio.Errorf(imperio.EInvalidInput, "A client seed is 1 to %d characters.", maxClientSeedLen)
	}
	for i := 0; i < len(client); i++ {
		if c := client[i]; c < ' ' || c > '~' {
			return imperio.Errorf(imperio.EInvalidInput, "A client seed is printable ASCII: letters, digits, punctuation and spaces.")
		}
	}
	return nil
}

// fairSeedRow scans fairSeedColumns.
type fairSeedRow struct {
	ServerSeed     string
	ServerSeedHash string
	ClientSeed     string
	Nonce          int64
	CreatedAt      dbTime
	RevealedAt     dbTime
}

func (r *fairSeedRow) dest() []any {
	return []any{&r.ServerSeed, &r.ServerSeedHash, &r.ClientSeed, &r.Nonce, &r.CreatedAt, &r.RevealedAt}
}

// seed is the pair as callers see it: the server seed only once revealed.
func (r fairSeedRow) seed() imperio.FairSeed {
	sd := imperio.FairSeed{
		ServerSeedHash: r.ServerSeedHash,
		ClientSeed:     r.ClientSeed,
		Nonce:          uint64(r.Nonce),
		CreatedAt:      r.CreatedAt.Time,
		RevealedAt:     r.RevealedAt.ptr(),
	}
	if sd.RevealedAt != nil {
		sd.ServerSeed = r.ServerSeed
	}
	return sd
}
