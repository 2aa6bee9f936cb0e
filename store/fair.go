package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

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
	if next, ok := s.nextNonce(userID, sd.ServerSeedHash); ok {
		// The pair's counter includes the nonces reserved here and not
		// handed out yet; the next spin takes the first of them.
		sd.Nonce = next
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

// nonceBlock is how many nonces TakeNonce reserves with one write.
const nonceBlock = 64

// nonceCache holds, per user, the nonces this store reserved and has not
// handed out yet, with the pair they belong to.
type nonceCache struct {
	mu    sync.Mutex
	users map[int64]*nonceRange
	// inflight is closed when the user's reservation or rotation in
	// progress ends: one at a time per user, so that this store hands a
	// pair's nonces out in order, without gaps, and never from a pair it
	// rotated.
	inflight map[int64]chan struct{}
}

// maxNonceUsers bounds the players whose reserved nonces a store keeps
// (about 150 bytes each): past it, a tenth of them, any, are forgotten, and
// their nonces skipped.
const maxNonceUsers = 100_000

// putLocked keeps r as the user's reserved nonces; mu is held.
func (c *nonceCache) putLocked(userID int64, r *nonceRange) {
	if len(c.users) >= maxNonceUsers {
		n := maxNonceUsers / 10
		for id := range c.users {
			if n == 0 {
				break
			}
			delete(c.users, id)
			n--
		}
	}
	c.users[userID] = r
}

// hold waits until no reservation or rotation of the user is in progress
// and starts one; release ends it.
func (c *nonceCache) hold(ctx context.Context, userID int64) (release func(), err error) {
	c.mu.Lock()
	for {
		wait := c.inflight[userID]
		if wait == nil {
			break
		}
		c.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		c.mu.Lock()
	}
	if c.inflight == nil {
		c.inflight = make(map[int64]chan struct{})
		c.users = make(map[int64]*nonceRange)
	}
	done := make(chan struct{})
	c.inflight[userID] = done
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		delete(c.inflight, userID)
		c.mu.Unlock()
		close(done)
	}, nil
}

type nonceRange struct {
	server    []byte
	client    string
	hash      string
	next, end uint64
}

// TakeNonce gives the next round of the user its randomness: the active
// pair's server seed (raw bytes), client seed and commitment, and the nonce
// for the round. No two rounds ever get the same nonce of a pair: the store
// reserves nonceBlock of them at a time (one increment of the pair's
// counter by nonceBlock) and hands them out in order; a reservation is one
// write instead of one per spin. The nonces of a block not handed out when
// the process stops or the pair rotates are skipped, which reveals nothing.
// It creates the pair first when the user has none.
//
// A pair rotated elsewhere (another instance) leaves this store's block
// stale: the spin drawn from it is refused at settlement (a Spin carries its
// SeedHash; ErrSeedRevealed), which drops the block.
func (s *Store) TakeNonce(ctx context.Context, userID int64) (server []byte, client string, nonce uint64, hash string, err error) {
	if err := s.step(ctx, "nonce"); err != nil {
		return nil, "", 0, "", err
	}
	c := &s.nonces
	for {
		c.mu.Lock()
		if r := c.users[userID]; r != nil && r.next < r.end {
			nonce = r.next
			r.next++
			c.mu.Unlock()
			return r.server, r.client, nonce, r.hash, nil
		}
		c.mu.Unlock()
		release, err := c.hold(ctx, userID)
		if err != nil {
			return nil, "", 0, "", s.wrap("take nonce", err)
		}
		c.mu.Lock()
		if r := c.users[userID]; r != nil && r.next < r.end {
			// Reserved by the call we waited for.
			c.mu.Unlock()
			release()
			continue
		}
		c.mu.Unlock()
		r, err := s.reserveNonces(ctx, userID)
		if err != nil {
			release()
			return nil, "", 0, "", err
		}
		c.mu.Lock()
		nonce = r.next
		r.next++
		c.putLocked(userID, r)
		c.mu.Unlock()
		release()
		return r.server, r.client, nonce, r.hash, nil
	}
}

// nextNonce is the nonce this store hands out next from the pair with
// commitment hash, when it holds nonces of that pair.
func (s *Store) nextNonce(userID int64, hash string) (uint64, bool) {
	c := &s.nonces
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.users[userID]; r != nil && r.hash == hash {
		return r.next, true
	}
	return 0, false
}

// reserveNonces takes the next nonceBlock nonces of the user's active pair.
//
// On PostgreSQL the increment commits without waiting for the disk
// (synchronous_commit off), which spares it a flush of its own. It stays
// safe: the round that uses a nonce is settled later with a durable commit,
// and a flush of the WAL covers every record before it, so once a round is
// acknowledged the reservation of its nonce is on disk. A crash can only
// lose reservations whose rounds were never settled nor shown to anyone,
// and handing such nonces out again reveals nothing.
func (s *Store) reserveNonces(ctx context.Context, userID int64) (*nonceRange, error) {
	db := s.ndb.WithContext(ctx)
	// The first try finds no pair only when the user has none yet; the
	// second finds the one ensureSeed made (or a concurrent call did).
	for range 2 {
		var (
			seedHex, hash, client string
			next                  int64
		)
		err := db.Raw(`UPDATE fair_seeds SET nonce = nonce + ?
			WHERE user_id = ? AND revealed_at IS NULL
			RETURNING server_seed, server_seed_hash, client_seed, nonce`, nonceBlock, userID).
			Row().Scan(&seedHex, &hash, &client, &next)
		if errors.Is(err, sql.ErrNoRows) {
			if err := s.ensureSeed(db, userID); err != nil {
				return nil, s.wrap("take nonce", err)
			}
			continue
		}
		if err != nil {
			return nil, s.wrap("take nonce", err)
		}
		server, err := hex.DecodeString(seedHex)
		if err != nil {
			return nil, fmt.Errorf("take nonce: server seed of user %d: %w", userID, err)
		}
		end := uint64(next)
		return &nonceRange{server: server, client: client, hash: hash, next: end - nonceBlock, end: end}, nil
	}
	return nil, fmt.Errorf("take nonce: user %d: no active seed after creating one", userID)
}

// dropNonces forgets the user's reserved nonces, and returns them: their
// pair was rotated. With hash set, only a block of that pair is dropped.
func (s *Store) dropNonces(userID int64, hash string) *nonceRange {
	c := &s.nonces
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.users[userID]
	if r == nil || (hash != "" && r.hash != hash) {
		return nil
	}
	delete(c.users, userID)
	return r
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
	// No reservation of the user's nonces runs meanwhile (in this store),
	// and the nonces reserved from the pair go.
	release, err := s.nonces.hold(ctx, userID)
	if err != nil {
		return imperio.FairSeed{}, imperio.FairSeed{}, s.wrap(op, err)
	}
	defer release()
	held := s.dropNonces(userID, "")
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
		if held != nil && held.hash == row.ServerSeedHash && held.end == uint64(row.Nonce) {
			// The pair's last reservation was this store's: the nonces it
			// did not hand out were never given, and the revealed pair
			// counts the ones that were.
			row.Nonce = int64(held.next)
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
