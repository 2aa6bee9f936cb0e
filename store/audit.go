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
//     amounts up to it.
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
		return chain.Err()
	})
	if err != nil {
		return nil, s.wrap("check ledger", err)
	}
	return problems, nil
}
