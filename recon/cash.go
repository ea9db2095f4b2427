package recon

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// CashLine is one posted movement of a bank account's money, as the bank
// shows it on its statement: the day, in or out, the amount, the
// reference and the other party the books recorded, and the entry's
// idempotency key.
type CashLine struct {
	Day       time.Time       `db:"day"`
	In        bool            `db:"incoming"`
	Amount    decimal.Decimal `db:"amount"`
	Reference string          `db:"reference"`
	Party     string          `db:"party"`
	Key       string          `db:"key"`
}

// MaxCashLines bounds one listing of CashLines.
const MaxCashLines = 100000

// CashLines lists the cash postings of a bank account between from and to
// (inclusive) — the same postings a reconciliation run of that period
// matches — by day, entry key and line. The day range is read through
// postings_financial_day (migration 00022), so a month costs its own
// postings, not the whole ledger's.
func (r *Recon) CashLines(ctx context.Context, bankAccount string, from, to time.Time) ([]CashLine, error) {
	var lines []CashLine
	// cashFrom and cashWhere's postings, written so the plan starts from
	// the period's postings and probes each one's account and entries (a
	// join the planner may otherwise start from every cash account).
	if err := r.db.SelectContext(ctx, &lines, `
		SELECT p.effective_date AS day, p.side = 'D' AS incoming, p.amount, `+postingRefExpr+` AS reference,
		       coalesce(e.metadata->>'payee', e.metadata->>'source', o.metadata->>'payee', o.metadata->>'source', '') AS party,
		       e.idempotency_key AS key
		  FROM postings p
		 CROSS JOIN LATERAL (SELECT a.code FROM accounts a WHERE a.id = p.account_id OFFSET 0) a
		 CROSS JOIN LATERAL (SELECT e.* FROM entries e WHERE e.id = p.entry_id OFFSET 0) e
		  LEFT JOIN LATERAL (SELECT o.metadata FROM entries o WHERE o.id = e.reverses_entry_id OFFSET 0) o ON true
		 WHERE p.book = 'financial' AND p.effective_date BETWEEN $2 AND $3 AND a.code LIKE 'cash:%'
		   AND coalesce(e.metadata->>'bank_account', o.metadata->>'bank_account') = $1
		 ORDER BY p.effective_date, e.idempotency_key COLLATE "C", p.line
		 LIMIT $4`, bankAccount, from, to, MaxCashLines+1); err != nil {
		return nil, fmt.Errorf("cash lines of %s: %w", bankAccount, err)
	}
	if len(lines) > MaxCashLines {
		return nil, fmt.Errorf("%w: cash lines of %s from %s to %s: more than %d; ask for a shorter period", ErrInvalid,
			bankAccount, from.Format("2006-01-02"), to.Format("2006-01-02"), MaxCashLines)
	}
	return lines, nil
}
