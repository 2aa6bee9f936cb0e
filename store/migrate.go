package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// A migration is one step of the schema, applied once, in its own
// transaction, in version order. Migrations are written as explicit SQL per
// backend, for control of types, constraints and indexes; a migration once
// released is never edited: a change is a new migration.
type migration struct {
	version  int
	name     string
	sqlite   []string
	postgres []string
}

// migrations is the schema's history, in order.
//
// Notes on the first schema:
//   - SQLite tables are STRICT: an INTEGER column refuses anything else, so an
//     arithmetic overflow cannot slip a float into a balance. Timestamps are
//     fixed-width ISO 8601 text in UTC there, TIMESTAMPTZ in PostgreSQL.
//   - users.username_lower carries the unique index that makes usernames
//     unique ignoring case; the store computes it, so both backends agree.
//   - ledger_entries: UNIQUE (user_id, idem_key) makes every settlement
//     idempotent; the sign of amount is checked against kind (bets debit,
//     grants, wins, refunds and voids credit, adjustments either way).
//   - rounds serve single-player spins (user_id set, settled at once) and
//     table rounds (user_id NULL, open while bets come in, then settled, or
//     voided at start-up with refunds). rounds_open finds the open ones, per
//     room, cheaply: it holds only open rounds. settled_at is set once a round
//     leaves "open", whether settled or voided.
//   - round_players holds each player's stake in a round, for recall and
//     stats (index on user_id, game).
var migrations = []migration{
	{
		version: 1,
		name:    "users, ledger, rounds",
		sqlite: []string{
			`CREATE TABLE users (
				id             INTEGER PRIMARY KEY AUTOINCREMENT,
				username       TEXT NOT NULL,
				username_lower TEXT NOT NULL,
				email          TEXT NOT NULL DEFAULT '',
				password_hash  TEXT NOT NULL DEFAULT '',
				role           TEXT NOT NULL DEFAULT 'player' CHECK (role IN ('player', 'admin')),
				coins          INTEGER NOT NULL DEFAULT 0 CHECK (coins >= 0),
				created_at     TEXT NOT NULL,
				updated_at     TEXT NOT NULL
			) STRICT`,
			`CREATE UNIQUE INDEX users_username_lower_key ON users (username_lower)`,
			`CREATE TABLE rounds (
				id         TEXT PRIMARY KEY,
				game       TEXT NOT NULL,
				room       TEXT NOT NULL DEFAULT '',
				user_id    INTEGER REFERENCES users (id),
				status     TEXT NOT NULL CHECK (status IN ('open', 'settled', 'void')),
				outcome    TEXT,
				fairness   TEXT,
				created_at TEXT NOT NULL,
				settled_at TEXT,
				CHECK ((status = 'open') = (settled_at IS NULL))
			) STRICT`,
			`CREATE INDEX rounds_open ON rounds (room) WHERE status = 'open'`,
			`CREATE INDEX rounds_room_created_at ON rounds (room, created_at)`,
			`CREATE TABLE ledger_entries (
				id            INTEGER PRIMARY KEY AUTOINCREMENT,
				user_id       INTEGER NOT NULL REFERENCES users (id),
				kind          TEXT NOT NULL CHECK (kind IN ('grant', 'bet', 'win', 'refund', 'void', 'adjustment')),
				amount        INTEGER NOT NULL,
				balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
				game          TEXT NOT NULL DEFAULT '',
				round_id      TEXT REFERENCES rounds (id),
				idem_key      TEXT NOT NULL,
				created_at    TEXT NOT NULL,
				UNIQUE (user_id, idem_key),
				CHECK (CASE kind WHEN 'bet' THEN amount < 0 WHEN 'adjustment' THEN amount <> 0 ELSE amount > 0 END)
			) STRICT`,
			`CREATE INDEX ledger_entries_user_id_id ON ledger_entries (user_id, id DESC)`,
			`CREATE INDEX ledger_entries_round_id ON ledger_entries (round_id)`,
			`CREATE TABLE round_players (
				round_id TEXT NOT NULL REFERENCES rounds (id),
				user_id  INTEGER NOT NULL REFERENCES users (id),
				game     TEXT NOT NULL,
				wagered  INTEGER NOT NULL DEFAULT 0 CHECK (wagered >= 0),
				won      INTEGER NOT NULL DEFAULT 0 CHECK (won >= 0),
				PRIMARY KEY (round_id, user_id)
			) STRICT`,
			`CREATE INDEX round_players_user_id_game ON round_players (user_id, game)`,
		},
		postgres: []string{
			`CREATE TABLE users (
				id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
				username       TEXT NOT NULL,
				username_lower TEXT NOT NULL,
				email          TEXT NOT NULL DEFAULT '',
				password_hash  TEXT NOT NULL DEFAULT '',
				role           TEXT NOT NULL DEFAULT 'player' CHECK (role IN ('player', 'admin')),
				coins          BIGINT NOT NULL DEFAULT 0 CHECK (coins >= 0),
				created_at     TIMESTAMPTZ NOT NULL,
				updated_at     TIMESTAMPTZ NOT NULL,
				CONSTRAINT users_username_lower_key UNIQUE (username_lower)
			)`,
			`CREATE TABLE rounds (
				id         TEXT PRIMARY KEY,
				game       TEXT NOT NULL,
				room       TEXT NOT NULL DEFAULT '',
				user_id    BIGINT REFERENCES users (id),
				status     TEXT NOT NULL CHECK (status IN ('open', 'settled', 'void')),
				outcome    JSONB,
				fairness   JSONB,
				created_at TIMESTAMPTZ NOT NULL,
				settled_at TIMESTAMPTZ,
				CHECK ((status = 'open') = (settled_at IS NULL))
			)`,
			`CREATE INDEX rounds_open ON rounds (room) WHERE status = 'open'`,
			`CREATE INDEX rounds_room_created_at ON rounds (room, created_at)`,
			`CREATE TABLE ledger_entries (
				id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
				user_id       BIGINT NOT NULL REFERENCES users (id),
				kind          TEXT NOT NULL CHECK (kind IN ('grant', 'bet', 'win', 'refund', 'void', 'adjustment')),
				amount        BIGINT NOT NULL,
				balance_after BIGINT NOT NULL CHECK (balance_after >= 0),
				game          TEXT NOT NULL DEFAULT '',
				round_id      TEXT REFERENCES rounds (id),
				idem_key      TEXT NOT NULL,
				created_at    TIMESTAMPTZ NOT NULL,
				CONSTRAINT ledger_entries_user_id_idem_key_key UNIQUE (user_id, idem_key),
				CHECK (CASE kind WHEN 'bet' THEN amount < 0 WHEN 'adjustment' THEN amount <> 0 ELSE amount > 0 END)
			)`,
			`CREATE INDEX ledger_entries_user_id_id ON ledger_entries (user_id, id DESC)`,
			`CREATE INDEX ledger_entries_round_id ON ledger_entries (round_id)`,
			`CREATE TABLE round_players (
				round_id TEXT NOT NULL REFERENCES rounds (id),
				user_id  BIGINT NOT NULL REFERENCES users (id),
				game     TEXT NOT NULL,
				wagered  BIGINT NOT NULL DEFAULT 0 CHECK (wagered >= 0),
				won      BIGINT NOT NULL DEFAULT 0 CHECK (won >= 0),
				PRIMARY KEY (round_id, user_id)
			)`,
			`CREATE INDEX round_players_user_id_game ON round_players (user_id, game)`,
		},
	},
	{
		// fair_seeds holds each player's provably-fair seed pairs: the
		// active one (revealed_at NULL; fair_seeds_active allows one a
		// user) and every revealed one, kept so that their rounds can be
		// verified. server_seed is hex and secret until revealed_at is set;
		// nonce is the next nonce the active pair gives out. A user's
		// active pair keeps its row: a rotation rewrites it with the new
		// pair and copies the old one out as a revealed row.
		version: 2,
		name:    "provably-fair seeds",
		sqlite: []string{
			`CREATE TABLE fair_seeds (
				id               INTEGER PRIMARY KEY AUTOINCREMENT,
				user_id          INTEGER NOT NULL REFERENCES users (id),
				server_seed      TEXT NOT NULL,
				server_seed_hash TEXT NOT NULL,
				client_seed      TEXT NOT NULL,
				nonce            INTEGER NOT NULL DEFAULT 0 CHECK (nonce >= 0),
				created_at       TEXT NOT NULL,
				revealed_at      TEXT
			) STRICT`,
			`CREATE UNIQUE INDEX fair_seeds_active ON fair_seeds (user_id) WHERE revealed_at IS NULL`,
			`CREATE UNIQUE INDEX fair_seeds_server_seed_hash_key ON fair_seeds (server_seed_hash)`,
		},
		postgres: []string{
			`CREATE TABLE fair_seeds (
				id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
				user_id          BIGINT NOT NULL REFERENCES users (id),
				server_seed      TEXT NOT NULL,
				server_seed_hash TEXT NOT NULL,
				client_seed      TEXT NOT NULL,
				nonce            BIGINT NOT NULL DEFAULT 0 CHECK (nonce >= 0),
				created_at       TIMESTAMPTZ NOT NULL,
				revealed_at      TIMESTAMPTZ,
				CONSTRAINT fair_seeds_server_seed_hash_key UNIQUE (server_seed_hash)
			)`,
			`CREATE UNIQUE INDEX fair_seeds_active ON fair_seeds (user_id) WHERE revealed_at IS NULL`,
		},
	},
	{
		// Operations: bans, login lockout and two-factor on users (role
		// exists since version 1; totp_last_step is the last time step
		// whose code was accepted, so that no code works twice); the admin audit trail, written in the
		// same transaction as each admin action; refresh tokens (only their
		// SHA-256 is kept; a family is one login's chain of rotations);
		// responsible-play limits; the ledger's note names who made an
		// adjustment, and ledger_entries_user_id_created_at sums a player's
		// play since midnight for the loss limit.
		version: 3,
		name:    "admin, sessions, responsible play",
		sqlite: []string{
			`ALTER TABLE users ADD COLUMN banned_at TEXT`,
			`ALTER TABLE users ADD COLUMN ban_reason TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0`,
			`ALTER TABLE users ADD COLUMN locked_until TEXT`,
			`ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE users ADD COLUMN totp_enabled_at TEXT`,
			`ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0`,
			`ALTER TABLE ledger_entries ADD COLUMN note TEXT NOT NULL DEFAULT ''`,
			`CREATE INDEX ledger_entries_user_id_created_at ON ledger_entries (user_id, created_at)`,
			`CREATE TABLE admin_audit (
				id          INTEGER PRIMARY KEY AUTOINCREMENT,
				admin_id    INTEGER REFERENCES users (id),
				admin_name  TEXT NOT NULL,
				action      TEXT NOT NULL,
				target_id   INTEGER REFERENCES users (id),
				target_name TEXT NOT NULL DEFAULT '',
				detail      TEXT NOT NULL DEFAULT '{}',
				created_at  TEXT NOT NULL
			) STRICT`,
			`CREATE TABLE refresh_tokens (
				id         INTEGER PRIMARY KEY AUTOINCREMENT,
				user_id    INTEGER NOT NULL REFERENCES users (id),
				family     TEXT NOT NULL,
				token_hash TEXT NOT NULL,
				created_at TEXT NOT NULL,
				expires_at TEXT NOT NULL,
				used_at    TEXT,
				revoked_at TEXT
			) STRICT`,
			`CREATE UNIQUE INDEX refresh_tokens_token_hash_key ON refresh_tokens (token_hash)`,
			`CREATE INDEX refresh_tokens_family ON refresh_tokens (family)`,
			`CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id)`,
			`CREATE TABLE play_limits (
				user_id             INTEGER PRIMARY KEY REFERENCES users (id),
				daily_loss_limit    INTEGER NOT NULL DEFAULT 0 CHECK (daily_loss_limit >= 0),
				pending_limit       INTEGER CHECK (pending_limit >= 0),
				pending_at          TEXT,
				self_excluded_until TEXT,
				updated_at          TEXT NOT NULL,
				CHECK ((pending_limit IS NULL) = (pending_at IS NULL))
			) STRICT`,
		},
		postgres: []string{
			`ALTER TABLE users ADD COLUMN banned_at TIMESTAMPTZ`,
			`ALTER TABLE users ADD COLUMN ban_reason TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0`,
			`ALTER TABLE users ADD COLUMN locked_until TIMESTAMPTZ`,
			`ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE users ADD COLUMN totp_enabled_at TIMESTAMPTZ`,
			`ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0`,
			`ALTER TABLE ledger_entries ADD COLUMN note TEXT NOT NULL DEFAULT ''`,
			`CREATE INDEX ledger_entries_user_id_created_at ON ledger_entries (user_id, created_at)`,
			`CREATE TABLE admin_audit (
				id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
				admin_id    BIGINT REFERENCES users (id),
				admin_name  TEXT NOT NULL,
				action      TEXT NOT NULL,
				target_id   BIGINT REFERENCES users (id),
				target_name TEXT NOT NULL DEFAULT '',
				detail      JSONB NOT NULL DEFAULT '{}',
				created_at  TIMESTAMPTZ NOT NULL
			)`,
			`CREATE TABLE refresh_tokens (
				id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
				user_id    BIGINT NOT NULL REFERENCES users (id),
				family     TEXT NOT NULL,
				token_hash TEXT NOT NULL,
				created_at TIMESTAMPTZ NOT NULL,
				expires_at TIMESTAMPTZ NOT NULL,
				used_at    TIMESTAMPTZ,
				revoked_at TIMESTAMPTZ,
				CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
			)`,
			`CREATE INDEX refresh_tokens_family ON refresh_tokens (family)`,
			`CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id)`,
			`CREATE TABLE play_limits (
				user_id             BIGINT PRIMARY KEY REFERENCES users (id),
				daily_loss_limit    BIGINT NOT NULL DEFAULT 0 CHECK (daily_loss_limit >= 0),
				pending_limit       BIGINT CHECK (pending_limit >= 0),
				pending_at          TIMESTAMPTZ,
				self_excluded_until TIMESTAMPTZ,
				updated_at          TIMESTAMPTZ NOT NULL,
				CHECK ((pending_limit IS NULL) = (pending_at IS NULL))
			)`,
		},
	},
	{
		// room_fences holds, per table room, the fencing token of the
		// instance that took it over last (TakeRoom). A round opens only
		// under the latest token, so an owner that lost its lease while
		// paused cannot start rounds after another instance took over.
		version: 4,
		name:    "room fences",
		sqlite: []string{
			`CREATE TABLE room_fences (
				room     TEXT PRIMARY KEY,
				token    INTEGER NOT NULL CHECK (token > 0),
				taken_at TEXT NOT NULL
			) STRICT`,
		},
		postgres: []string{
			`CREATE TABLE room_fences (
				room     TEXT PRIMARY KEY,
				token    BIGINT NOT NULL CHECK (token > 0),
				taken_at TIMESTAMPTZ NOT NULL
			)`,
		},
	},
}

// Migrate brings the schema up to date. It is idempotent, and safe when
// several processes run it at once: on PostgreSQL each migration's
// transaction first takes an advisory lock (per schema), on SQLite the write
// transaction is IMMEDIATE; both then re-check whether the step was applied.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.migrateStep(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at ` + s.timestampType() + ` NOT NULL
		)`).Error
	}); err != nil {
		return s.wrap("migrate", err)
	}
	for _, m := range migrations {
		applied := false
		err := s.migrateStep(ctx, func(tx *gorm.DB) error {
			var n int64
			if err := tx.Raw(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Row().Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			stmts := m.sqlite
			if s.backend == backendPostgres {
				stmts = m.postgres
			}
			for _, q := range stmts {
				if err := tx.Exec(q).Error; err != nil {
					return err
				}
			}
			applied = true
			return tx.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, s.ts(s.now())).Error
		})
		if err != nil {
			return s.wrap(fmt.Sprintf("migrate to version %d", m.version), err)
		}
		if applied {
			s.log.Info("migration applied", "version", m.version, "name", m.name, "backend", s.backend)
		}
	}
	if v, err := s.SchemaVersion(ctx); err == nil && v > latestVersion() {
		s.log.Warn("database schema is newer than this binary", "schema_version", v, "binary_version", latestVersion())
	}
	return nil
}

// SchemaVersion returns the highest migration applied to the database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.wdb.WithContext(ctx).Raw(`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Row().Scan(&v)
	return v, s.wrap("schema version", err)
}

func (s *Store) migrateStep(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		if s.backend == backendPostgres {
			// Serialize migrators on the same schema (two instances starting
			// together); other schemas of the database are not blocked.
			if err := tx.Exec(`SELECT pg_advisory_xact_lock(?, hashtext(current_schema()))`, migrateLockClass).Error; err != nil {
				return fmt.Errorf("lock: %w", err)
			}
		}
		return fn(tx)
	})
}

// migrateLockClass is the first key of the PostgreSQL advisory lock held
// while migrating ("imp" in ASCII).
const migrateLockClass = 0x696d70

func (s *Store) timestampType() string {
	if s.backend == backendPostgres {
		return "TIMESTAMPTZ"
	}
	return "TEXT"
}

func latestVersion() int {
	if len(migrations) == 0 {
		return 0
	}
	return migrations[len(migrations)-1].version
}
