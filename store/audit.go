package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// maxChainReports bounds how many broken balance_after rows CheckLedger lists.
const maxChainReports = 100

// CheckLedger verifies the money invariants over the whole database, in one
// snapshot:
//
//   - every balance equals the sum of its user's ledger amounts and is not
//     negative;
//   - the last ledger row of each user records the balance as it is;
//   - every ledger row's balance_after equals the running sum of the user's
//     amounts up to it;
//   - in every round, each player's "bet" rows add up to their wagered total;
//     in a settled round their "win" rows add up to their won total and
//     nothing was refunded; in a void round their ledger rows add up to 0
//     (every stake refunded) and nothing was won (open rounds may be short
//     while they are live);
//   - every ledger row of a round belongs to a player of that round.
//
// It returns one human-readable line per violation; none means all good.
func (s *Store) CheckLedger(ctx context.Context) ([]string, error) {
	problems := []string{}
	err := s.read(ctx, func(tx *gorm.DB) error {
		rows, err := tx.Raw(`SELECT u.id, u.username, u.coins,
				COALESCE((SELECT CAST(SUM(l.amount) AS BIGINT) FROM ledger_entries l WHERE l.user_id = u.id), 0),
				(SELECT COUNT(*) FROM ledger_entries l WHERE l.user_id = u.id),
				COALESCE((SELECT l.balance_after FROM ledger_entries l WHERE l.user_id = u.id ORDER BY l.id DESC LIMIT 1), 0)
			FROM users u ORDER BY u.id`).Rows()
		if err != nil {
			return fmt.Errorf("balances: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id, coins, sum, n, last int64
				name                    string
			)
			if err := rows.Scan(&id, &name, &coins, &sum, &n, &last); err != nil {
				return fmt.Errorf("balances: %w", err)
			}
			if coins < 0 {
				problems = append(problems, fmt.Sprintf("user %d (%s): negative balance %d", id, name, coins))
			}
			if coins != sum {
				problems = append(problems, fmt.Sprintf("user %d (%s): balance %d != ledger sum %d", id, name, coins, sum))
			}
			if n > 0 && last != coins {
				problems = append(problems, fmt.Sprintf("user %d (%s): balance %d != last balance_after %d", id, name, coins, last))
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("balances: %w", err)
		}

		chain, err := tx.Raw(`SELECT user_id, id, balance_after, running FROM (
				SELECT user_id, id, balance_after,
					CAST(SUM(amount) OVER (PARTITION BY user_id ORDER BY id ROWS UNBOUNDED PRECEDING) AS BIGINT) AS running
				FROM ledger_entries) t
			WHERE balance_after <> running ORDER BY user_id, id LIMIT ?`, maxChainReports).Rows()
		if err != nil {
			return fmt.Errorf("balance chain: %w", err)
		}
		defer chain.Close()
		for chain.Next() {
			var userID, id, after, running int64
			if err := chain.Scan(&userID, &id, &after, &running); err != nil {
				return fmt.Errorf("balance chain: %w", err)
			}
			problems = append(problems, fmt.Sprintf("user %d: ledger entry %d has balance_after %d, running sum %d", userID, id, after, running))
		}
		if err := chain.Err(); err != nil {
			return fmt.Errorf("balance chain: %w", err)
		}
		return checkRounds(tx, &problems)
	})
	if err != nil {
		return nil, s.wrap("check ledger", err)
	}
	return problems, nil
}

// checkRounds reconciles each round's ledger rows with its players' totals
// (see CheckLedger).
func checkRounds(tx *gorm.DB, problems *[]string) error {
	rows, err := tx.Raw(`SELECT id, status, user_id, wagered, won, staked, paid, refunded, net FROM (
			SELECT r.id AS id, r.status AS status, rp.user_id AS user_id, rp.wagered AS wagered, rp.won AS won,
				CAST(COALESCE(SUM(CASE WHEN l.kind = 'bet' THEN -l.amount ELSE 0 END), 0) AS BIGINT) AS staked,
				CAST(COALESCE(SUM(CASE WHEN l.kind = 'win' THEN l.amount ELSE 0 END), 0) AS BIGINT) AS paid,
				CAST(COALESCE(SUM(CASE WHEN l.kind IN ('void', 'refund') THEN l.amount ELSE 0 END), 0) AS BIGINT) AS refunded,
				CAST(COALESCE(SUM(l.amount), 0) AS BIGINT) AS net
			FROM rounds r
			JOIN round_players rp ON rp.round_id = r.id
			LEFT JOIN ledger_entries l ON l.round_id = rp.round_id AND l.user_id = rp.user_id
			GROUP BY r.id, r.status, rp.user_id, rp.wagered, rp.won) t
		WHERE staked <> wagered
			OR (status = 'settled' AND (paid <> won OR refunded <> 0))
			OR (status = 'void' AND (net <> 0 OR paid <> 0 OR won <> 0))
		ORDER BY id, user_id LIMIT ?`, maxChainReports).Rows()
	if err != nil {
		return fmt.Errorf("rounds: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, status                                        string
			userID, wagered, won, staked, paid, refunded, net int64
		)
		if err := rows.Scan(&id, &status, &userID, &wagered, &won, &staked, &paid, &refunded, &net); err != nil {
			return fmt.Errorf("rounds: %w", err)
		}
		p := fmt.Sprintf("round %s (%s): user %d", id, status, userID)
		if staked != wagered {
			*problems = append(*problems, fmt.Sprintf("%s: bets in the ledger %d != wagered %d", p, staked, wagered))
		}
		switch status {
		case "settled":
			if paid != won {
				*problems = append(*problems, fmt.Sprintf("%s: wins in the ledger %d != won %d", p, paid, won))
			}
			if refunded != 0 {
				*problems = append(*problems, fmt.Sprintf("%s: %d refunded in a settled round", p, refunded))
			}
		case "void":
			if net != 0 {
				*problems = append(*problems, fmt.Sprintf("%s: ledger sum %d, want 0 (staked %d, refunded %d, paid %d)", p, net, staked, refunded, paid))
			}
			if paid != 0 || won != 0 {
				*problems = append(*problems, fmt.Sprintf("%s: paid %d, won %d in a void round", p, paid, won))
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rounds: %w", err)
	}

	strays, err := tx.Raw(`SELECT l.round_id, r.status, l.user_id, COUNT(*), CAST(SUM(l.amount) AS BIGINT)
		FROM ledger_entries l JOIN rounds r ON r.id = l.round_id
		WHERE NOT EXISTS (SELECT 1 FROM round_players rp WHERE rp.round_id = l.round_id AND rp.user_id = l.user_id)
		GROUP BY l.round_id, r.status, l.user_id
		ORDER BY l.round_id, l.user_id LIMIT ?`, maxChainReports).Rows()
	if err != nil {
		return fmt.Errorf("round strays: %w", err)
	}
	defer strays.Close()
	for strays.Next() {
		var (
			id, status        string
			userID, n, amount int64
		)
		if err := strays.Scan(&id, &status, &userID, &n, &amount); err != nil {
			return fmt.Errorf("round strays: %w", err)
		}
		*problems = append(*problems, fmt.Sprintf("round %s (%s): user %d has %d ledger rows (sum %d) but no stake in the round", id, status, userID, n, amount))
	}
	return strays.Err()
}
