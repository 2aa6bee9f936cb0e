package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/imperio-casino/imperio"
)

// Group commit. A spin's settlement is a few small writes; what it waits for
// is the commit, which on both backends waits for the disk. So settlements
// that arrive while a commit is flushing wait for it to end and then share
// the next one: one transaction that runs, for each spin in turn, the very
// code a spin alone runs (settleSpin), then one commit for all. On
// PostgreSQL, where every statement is a round trip and a plan, the group's
// writes are one statement instead (settleSpinsPostgres), the same writes
// as a spin alone's statement row for row, after each spin has passed
// admitSpin as it does alone.
//
// Each spin keeps its own semantics:
//   - it is answered only after the commit that made it durable (or after
//     a refusal that wrote nothing);
//   - a refusal (insufficient funds, unknown user, or a replay found by the
//     refused debit) writes nothing, so the others go on in the same
//     transaction;
//   - any other failure of one spin (a unique violation from a retry racing
//     its original on another instance, a fault, a caller that gave up)
//     rolls the group back, and every spin of it is settled again alone, so
//     that one spin's failure is its own;
//   - a failed commit fails every spin of the group; nothing was charged
//     (or, when COMMIT itself broke, the outcome is unknown to all, as for a
//     spin alone).
//
// There is no goroutine of its own: the first caller to find no commit in
// progress leads, settles what is pending in groups until nothing is, and
// hands the lead to a waiting caller when its own spin is done.

// maxSpinGroup bounds the spins of one group transaction.
const maxSpinGroup = 256

// spinGroupTimeout bounds one group transaction; no single caller's context
// may cancel the work of the others.
const spinGroupTimeout = 30 * time.Second

// commitGroup gathers concurrent calls (spins, table stakes) into groups
// settled with one commit by run.
type commitGroup[Req, Res any] struct {
	mu      sync.Mutex
	pending []*groupCall[Req, Res]
	// leaders is how many callers settle groups now, at most limit (0: 1).
	// With more than one, a group is settled while the previous one's
	// commit flushes.
	leaders, limit int
	// busy holds the users of the groups being settled: a user is in one
	// group at a time, so concurrent groups never wait for each other's
	// row locks.
	busy map[int64]struct{}
}

type spinGroup = commitGroup[imperio.Spin, imperio.SpinReceipt]

// The states of a groupCall, kept under commitGroup.mu.
const (
	callPending = iota // waiting to be taken into a group
	callTaken          // in a group being settled
	callLead           // handed the lead: it must settle what is pending
	callDone           // answered
)

type groupCall[Req, Res any] struct {
	ctx   context.Context
	req   Req
	user  int64         // one call per user in a group
	wake  chan struct{} // signalled on a change of state
	state int
	res   Res
	err   error
}

type spinCall = groupCall[imperio.Spin, imperio.SpinReceipt]

// do queues req (of user) and waits for its answer, leading when fewer than
// the limit do: a leader settles groups with run, which records each call's
// answer.
func (g *commitGroup[Req, Res]) do(ctx context.Context, req Req, user int64, run func([]*groupCall[Req, Res])) (Res, error) {
	var zero Res
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	c := &groupCall[Req, Res]{ctx: ctx, req: req, user: user, wake: make(chan struct{}, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, c)
	if g.leaders < max(1, g.limit) {
		g.leaders++
		c.state = callLead
	}
	g.mu.Unlock()
	for {
		g.mu.Lock()
		st := c.state
		g.mu.Unlock()
		switch st {
		case callDone:
			return c.res, c.err
		case callLead:
			g.lead(c, run)
			continue
		}
		select {
		case <-c.wake:
		case <-ctx.Done():
			g.mu.Lock()
			if c.state == callPending {
				// Not taken yet: it leaves the queue, nothing was done.
				g.remove(c)
				g.mu.Unlock()
				return zero, ctx.Err()
			}
			g.mu.Unlock()
			// Taken or leading: wait for the change of state.
			<-c.wake
		}
	}
}

func (g *commitGroup[Req, Res]) remove(c *groupCall[Req, Res]) {
	for i, p := range g.pending {
		if p == c {
			g.pending = append(g.pending[:i], g.pending[i+1:]...)
			return
		}
	}
}

// lead settles one group of what is pending, then hands the lead to the
// first caller still waiting, or gives it up when there is none. The leader's
// own call (leader) is answered with its group, or waits for a later one.
func (g *commitGroup[Req, Res]) lead(leader *groupCall[Req, Res], run func([]*groupCall[Req, Res])) {
	g.mu.Lock()
	group := g.take(leader)
	if len(group) == 0 {
		// Every waiting call's user is in a group being settled, whose
		// leader hands the lead on when it is done.
		g.leaders--
		g.mu.Unlock()
		return
	}
	g.mu.Unlock()

	run(group)

	g.mu.Lock()
	for _, c := range group {
		c.state = callDone
		delete(g.busy, c.user)
		signal(c.wake)
	}
	g.leaders--
	for _, next := range g.pending {
		if next.state == callPending {
			g.leaders++
			next.state = callLead
			signal(next.wake)
			break
		}
	}
	g.mu.Unlock()
}

// take removes the next group from the queue, in arrival order: the
// leader's call and those waiting, one call per user, none of a user in a
// group being settled. A call with the same user and key as one in a group
// is a retry of a call in flight, and must see that call's outcome as a
// replay; two calls of one user at once are rare (a player's spins at one
// machine are sequential, as are a player's stakes at one table), and the
// set-based debit updates each user row once.
func (g *commitGroup[Req, Res]) take(leader *groupCall[Req, Res]) []*groupCall[Req, Res] {
	if g.busy == nil {
		g.busy = make(map[int64]struct{})
	}
	var group []*groupCall[Req, Res]
	rest := g.pending[:0]
	for _, c := range g.pending {
		_, busy := g.busy[c.user]
		if busy || len(group) == maxSpinGroup || (c != leader && c.state != callPending) {
			if c == leader {
				c.state = callPending // the lead passes on after this group
			}
			rest = append(rest, c)
			continue
		}
		g.busy[c.user] = struct{}{}
		c.state = callTaken
		group = append(group, c)
	}
	clear(g.pending[len(rest):])
	g.pending = rest
	return group
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// settleGroup settles the calls and records each one's answer.
func (s *Store) settleGroup(calls []*spinCall) {
	runGroup(s, "settle spin", calls, s.settleSpinAlone, s.settleTogether)
}

// runGroup answers a group's calls: those whose caller gave up are left
// undone, one call alone goes through alone, more go through together;
// when together fails because of one call (errSettleAlone), each is done
// alone, and any other failure of together is every call's.
func runGroup[Req, Res any](s *Store, what string, calls []*groupCall[Req, Res],
	alone func(context.Context, Req) (Res, error), together func([]*groupCall[Req, Res]) error) {
	live := calls[:0:0]
	for _, c := range calls {
		if err := c.ctx.Err(); err != nil {
			c.err = err // gave up before its turn: nothing done
			continue
		}
		live = append(live, c)
	}
	switch len(live) {
	case 0:
		return
	case 1:
		c := live[0]
		c.res, c.err = alone(c.ctx, c.req)
		return
	}
	err := together(live)
	var one errSettleAlone
	fellBack := errors.As(err, &one)
	if s.onGroup != nil {
		s.onGroup(len(live), fellBack)
	}
	if fellBack {
		// One call failed in a way that is its own: each is done alone.
		s.log.Debug(what+" group rolled back, each alone", "calls", len(live), "err", one.err)
		for _, c := range live {
			c.res, c.err = alone(c.ctx, c.req)
		}
		return
	}
	if err != nil {
		err = s.wrap(what, err)
		var zero Res
		for _, c := range live {
			c.res, c.err = zero, err
		}
	}
}

// errSettleAlone reports that the group rolled back because of one call.
type errSettleAlone struct{ err error }

func (e errSettleAlone) Error() string { return "settle alone: " + e.err.Error() }

// groupTx runs body in one transaction for the calls and commits it, unless
// a caller gave up meanwhile (errSettleAlone: its work must not commit).
// No single caller's context may cancel the work of the others: the
// transaction has a timeout of its own.
func groupTx[Req, Res any](s *Store, calls []*groupCall[Req, Res], body func(ctx context.Context, tx *gorm.DB) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(calls[0].ctx), spinGroupTimeout)
	defer cancel()
	tx := s.wdb.WithContext(ctx).Begin()
	if tx.Error != nil {
		return fmt.Errorf("begin: %w", tx.Error)
	}
	done := false
	defer func() {
		if !done {
			tx.Rollback()
		}
	}()
	if err := body(ctx, tx); err != nil {
		return err
	}
	if err := s.step(ctx, "commit"); err != nil {
		return err
	}
	for _, c := range calls {
		if err := c.ctx.Err(); err != nil {
			return errSettleAlone{err}
		}
	}
	done = true
	if err := tx.Commit().Error; err != nil {
		return unknownOutcome{op: "commit", err: err}
	}
	return nil
}

// settleTogether runs every call's settlement in one transaction and
// commits it. On success each call holds its answer. errSettleAlone means
// the transaction was rolled back because of one spin; any other error
// fails the whole group.
func (s *Store) settleTogether(calls []*spinCall) error {
	return groupTx(s, calls, func(ctx context.Context, tx *gorm.DB) error {
		if s.backend == backendPostgres {
			return s.settleSpinsPostgres(ctx, tx, calls, s.now())
		}
		return settleEach(calls, isRefusal, func(c *spinCall) (imperio.SpinReceipt, error) {
			return s.settleSpin(c.ctx, tx, c.req, s.now())
		})
	})
}

// settleEach settles a group's calls one after the other in its
// transaction (SQLite has one writer): a refusal stays its call's, a call
// whose caller gave up must not commit, and any other failure sends the
// group back to settling each alone.
func settleEach[Req, Res any](calls []*groupCall[Req, Res], refusal func(error) bool, settle func(*groupCall[Req, Res]) (Res, error)) error {
	for _, c := range calls {
		r, err := settle(c)
		if err == nil {
			err = c.ctx.Err()
		}
		if err != nil && !refusal(err) {
			return errSettleAlone{err}
		}
		c.res, c.err = r, err
	}
	return nil
}

// queryGroup runs a group statement over its members' rows, passed as one
// JSON array ($1), at now ($2).
func queryGroup[Row any](ctx context.Context, tx *gorm.DB, query string, input []Row, now time.Time) (*sql.Rows, error) {
	arg, err := json.Marshal(input)
	if err != nil {
		return nil, fmt.Errorf("encode group: %w", err)
	}
	return tx.Statement.ConnPool.QueryContext(ctx, query, string(arg), now)
}

// isRefusal reports whether err is a settlement refused before it debited
// anything, which leaves a shared transaction usable: a short balance, an
// unknown user, or the player's own limits (checkLimits, whose only write,
// a due limit's promotion, stands whatever the spin).
func isRefusal(err error) bool {
	if errors.Is(err, imperio.ErrSeedRevealed) {
		return true
	}
	switch imperio.ErrorCode(err) {
	case imperio.EInsufficientFunds, imperio.ENotFound, imperio.EForbidden, imperio.ELossLimit:
		return true
	}
	return false
}

// spinner is what a spin group needs to know of a player before it writes.
type spinner struct {
	limited  bool   // has responsible-play limits (a play_limits row)
	seedHash string // the active seed pair's commitment
}

// lockSpinnersSQL locks a spin group's players in id order and reads their
// active seed pairs' commitments. The pair is not locked: a rotation that
// commits after this read and before the group's commit revealed the pair
// only after the spin was asked for, so the player bet without knowing it;
// a spin asked for after the reveal finds the new pair here.
const lockSpinnersSQL = `SELECT u.id, EXISTS (SELECT 1 FROM play_limits l WHERE l.user_id = u.id), f.server_seed_hash
FROM users u LEFT JOIN fair_seeds f ON f.user_id = u.id AND f.revealed_at IS NULL
WHERE u.id = ANY($1)
ORDER BY u.id
FOR NO KEY UPDATE OF u`

// eachPair reads rows of two columns, such as the (ord, coins) a group
// statement returns for each member it settled, and closes them.
func eachPair[A, B any](rows *sql.Rows, each func(A, B)) error {
	for rows.Next() {
		var (
			a A
			b B
		)
		if err := rows.Scan(&a, &b); err != nil {
			rows.Close()
			return err
		}
		each(a, b)
	}
	return errors.Join(rows.Err(), rows.Close())
}

// lockSpinners runs lockSpinnersSQL in tx.
func (s *Store) lockSpinners(ctx context.Context, tx *gorm.DB, ids []int64) (map[int64]spinner, error) {
	rows, err := tx.Statement.ConnPool.QueryContext(ctx, lockSpinnersSQL, ids)
	if err != nil {
		return nil, fmt.Errorf("lock players: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]spinner, len(ids))
	for rows.Next() {
		var (
			id   int64
			p    spinner
			hash sql.NullString
		)
		if err := rows.Scan(&id, &p.limited, &hash); err != nil {
			return nil, fmt.Errorf("lock players: %w", err)
		}
		p.seedHash = hash.String
		out[id] = p
	}
	return out, rows.Err()
}

// settleSpinsPostgresSQL is settleSpinPostgresSQL for many spins at once,
// each of a different user: the same conditional debit per user row, and
// for each debit that matched, the same round, round player and ledger rows
// (in the order of the spins, bet before win). $1 is the spins as a JSON
// array, $2 the time.
const settleSpinsPostgresSQL = `WITH i AS (
	SELECT * FROM jsonb_to_recordset(CAST($1 AS JSONB)) AS i (ord INT, uid BIGINT, bet BIGINT, win BIGINT,
		key TEXT, rid TEXT, game TEXT, room TEXT, outcome JSONB, fairness JSONB)
), u AS (
	UPDATE users SET coins = users.coins - i.bet + i.win, updated_at = CAST($2 AS TIMESTAMPTZ)
	FROM i WHERE users.id = i.uid AND users.coins >= i.bet
	RETURNING i.ord, users.coins
), r AS (
	INSERT INTO rounds (id, game, room, user_id, status, outcome, fairness, created_at, settled_at)
	SELECT i.rid, i.game, i.room, i.uid, 'settled', i.outcome, i.fairness, CAST($2 AS TIMESTAMPTZ), CAST($2 AS TIMESTAMPTZ)
	FROM u JOIN i USING (ord)
), p AS (
	INSERT INTO round_players (round_id, user_id, game, wagered, won)
	SELECT i.rid, i.uid, i.game, i.bet, i.win
	FROM u JOIN i USING (ord)
), l AS (
	INSERT INTO ledger_entries (user_id, kind, amount, balance_after, game, round_id, idem_key, created_at)
	SELECT i.uid, e.kind, e.amount, e.balance_after, i.game, i.rid, e.idem_key, CAST($2 AS TIMESTAMPTZ)
	FROM u JOIN i USING (ord) CROSS JOIN LATERAL (VALUES
		(1, 'bet', -i.bet, u.coins - i.win, i.key),
		(2, 'win', i.win, u.coins, i.key || ':win')
	) AS e (o, kind, amount, balance_after, idem_key)
	WHERE e.amount <> 0
	ORDER BY u.ord, e.o
)
SELECT ord, coins FROM u`

// spinRow is one spin in settleSpinsPostgresSQL's input.
type spinRow struct {
	Ord      int             `json:"ord"`
	UID      int64           `json:"uid"`
	Bet      int64           `json:"bet"`
	Win      int64           `json:"win"`
	Key      string          `json:"key"`
	RoundID  string          `json:"rid"`
	Game     string          `json:"game"`
	Room     string          `json:"room"`
	Outcome  json.RawMessage `json:"outcome,omitempty"`
	Fairness json.RawMessage `json:"fairness,omitempty"`
}

// settleSpinsPostgres settles the calls (of distinct users) in tx with one
// statement. A spin whose debit was refused is explained as alone
// (refusedSpin: a replay, an unknown user or a short balance), which writes
// nothing. Any failure of the statement is an errSettleAlone: the rollback
// and the settlements alone then tell which spin it was.
func (s *Store) settleSpinsPostgres(ctx context.Context, tx *gorm.DB, calls []*spinCall, now time.Time) error {
	rows := make([]spinRow, len(calls))
	// One query locks the players' rows, in id order (as a round's
	// settlement locks its players: a group that locked them in any other
	// order could deadlock with one), reads their active seed pairs, and
	// tells which players have limits at all:
	// only their spins pay for the check (each player is in a group once,
	// so the day's loss read for a spin does not miss another of the
	// group's).
	uids := make([]int64, len(calls))
	for i, c := range calls {
		uids[i] = c.req.UserID
	}
	players, err := s.lockSpinners(ctx, tx, uids)
	if err != nil {
		return errSettleAlone{err}
	}
	for i, c := range calls {
		p, known := players[c.req.UserID]
		if known && c.req.SeedHash != "" && p.seedHash != c.req.SeedHash {
			s.dropNonces(c.req.UserID, c.req.SeedHash)
			c.err = imperio.ErrSeedRevealed
			continue
		}
		if err := s.admitSpinLimited(c.ctx, tx, c.req, now, p.limited); err != nil {
			if !isRefusal(err) {
				return errSettleAlone{err}
			}
			c.err = err
			continue
		}
		sp := c.req
		rows[i] = spinRow{Ord: i + 1, UID: sp.UserID, Bet: sp.Bet, Win: sp.Win, Key: sp.Key, RoundID: sp.RoundID,
			Game: sp.Game, Room: sp.Room, Outcome: sp.Outcome, Fairness: sp.Fairness}
	}
	input := rows[:0]
	for _, r := range rows {
		if r.Ord != 0 {
			input = append(input, r)
		}
	}
	res, err := queryGroup(ctx, tx, settleSpinsPostgresSQL, input, now)
	if err != nil {
		return errSettleAlone{err}
	}
	settled := make([]bool, len(calls))
	err = eachPair(res, func(ord int, coins int64) {
		c := calls[ord-1]
		settled[ord-1] = true
		c.res = imperio.SpinReceipt{RoundID: c.req.RoundID, Coins: coins, Bet: c.req.Bet, Win: c.req.Win, Outcome: c.req.Outcome, Fairness: c.req.Fairness}
	})
	if err != nil {
		return errSettleAlone{err}
	}
	for i, c := range calls {
		if c.err != nil {
			continue
		}
		if !settled[i] {
			rc, err := s.refusedSpin(tx, c.req)
			if err != nil && !isRefusal(err) {
				return errSettleAlone{err}
			}
			c.res, c.err = rc, err
		}
		if err := c.ctx.Err(); err != nil {
			return errSettleAlone{err} // the caller gave up: its spin must not commit
		}
	}
	return nil
}
