package funding

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// Loan statuses of a list's filter.
const (
	LoanUndrawn     = "undrawn"
	LoanOutstanding = "outstanding"
	LoanRepaid      = "repaid"
)

// LoanFilter selects loans for a list; Scope nil is every district, empty
// is none.
type LoanFilter struct {
	Scope    []string
	District string
	Lender   string // part of the lender's name, or a lender kind
	Status   string // LoanUndrawn, LoanOutstanding, LoanRepaid or ""
	Query    string // part of the code or name
	After    string // the last code of the previous page
	Limit    int
}

// LoanCodes is one page of loan codes (and whether there are more), the
// districts of f.Scope narrowed in SQL. A loan's principal outstanding is
// drawn − repaid (scheduled payments and prepayments).
func LoanCodes(ctx context.Context, db sqlx.QueryerContext, f LoanFilter) ([]string, bool, error) {
	if f.Scope != nil && len(f.Scope) == 0 {
		return nil, false, nil
	}
	scope := f.Scope
	if scope == nil {
		scope = []string{}
	}
	var codes []string
	err := sqlx.SelectContext(ctx, db, &codes, `
		WITH m AS (
			SELECT l.code,
			       COALESCE((SELECT sum(amount) FROM loan_drawdowns d WHERE d.loan = l.code), 0) AS drawn,
			       COALESCE((SELECT sum(principal) FROM loan_payments p WHERE p.loan = l.code), 0)
			     + COALESCE((SELECT sum(amount) FROM loan_prepayments x WHERE x.loan = l.code), 0) AS repaid
			  FROM loans l
			  LEFT JOIN (SELECT DISTINCT unnest($1::text[]) AS district) g ON g.district = l.district
			 WHERE (cardinality($1::text[]) = 0 OR g.district IS NOT NULL)
			   AND ($2 = '' OR l.district = $2)
			   AND ($3 = '' OR l.lender_kind = $3 OR strpos(l.lender, $3) > 0)
			   AND ($4 = '' OR strpos(l.code, $4) > 0 OR strpos(l.name, $4) > 0)
			   AND l.code > $5
		)
		SELECT code FROM m
		 WHERE $6 = '' OR ($6 = 'undrawn' AND drawn = 0) OR ($6 = 'outstanding' AND drawn > repaid)
		    OR ($6 = 'repaid' AND drawn > 0 AND drawn <= repaid)
		 ORDER BY code LIMIT $7`,
		scope, f.District, f.Lender, f.Query, f.After, f.Status, f.Limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("loans: %w", err)
	}
	more := len(codes) > f.Limit
	if more {
		codes = codes[:f.Limit]
	}
	return codes, more, nil
}

// MaxLoanRecords bounds each list of a loan's records (a 30-year monthly
// loan has 360 due dates).
const MaxLoanRecords = 1000

// LoanEvent is one record of a loan: a drawdown, accrual, payment,
// prepayment, rate, subsidy or subsidy payment.
type LoanEvent struct {
	On        time.Time       `db:"on_date"`
	Project   string          `db:"project"`
	DueDate   sql.NullTime    `db:"due_date"`
	Level     string          `db:"level"`
	Amount    decimal.Decimal `db:"amount"` // a rate's per cent for a rate
	Interest  decimal.Decimal `db:"interest"`
	Principal decimal.Decimal `db:"principal"`
	Detail    string          `db:"detail"`
	Actor     string          `db:"actor"`
}

// LoanVersion is a version of a loan's schedule.
type LoanVersion struct {
	Version       int             `db:"version"`
	EffectiveOn   time.Time       `db:"effective_on"`
	Reason        string          `db:"reason"`
	TotalInterest decimal.Decimal `db:"total_interest"`
	CreatedBy     string          `db:"created_by"`
}

// LoanRecords is what a loan's page shows of its history, with the totals.
type LoanRecords struct {
	Versions                                                                  []LoanVersion
	Drawdowns, Accruals, Payments, Prepayments, Rates, Subsidies, SubsidyPaid []LoanEvent
	Drawn, Repaid, Outstanding, InterestPaid, SubsidyPaidTotal                decimal.Decimal
}

// ReadLoanRecords reads a loan's records (at most MaxLoanRecords of each kind).
func ReadLoanRecords(ctx context.Context, db sqlx.QueryerContext, code string) (LoanRecords, error) {
	var out LoanRecords
	read := func(dst *[]LoanEvent, q string) error {
		if err := sqlx.SelectContext(ctx, db, dst, q+` LIMIT $2`, code, MaxLoanRecords); err != nil {
			return fmt.Errorf("loan %s: %w", code, err)
		}
		for i := range *dst {
			e := &(*dst)[i]
			e.On = ledger.Civil(e.On)
			if e.DueDate.Valid {
				e.DueDate.Time = ledger.Civil(e.DueDate.Time)
			}
		}
		return nil
	}
	for _, r := range []struct {
		dst *[]LoanEvent
		q   string
	}{
		{&out.Drawdowns, `SELECT drawn_on AS on_date, project, NULL::date AS due_date, '' AS level, amount, 0 AS interest,
			0 AS principal, reference AS detail, actor FROM loan_drawdowns WHERE loan = $1 ORDER BY drawn_on, id`},
		{&out.Accruals, `SELECT due_date AS on_date, '' AS project, due_date, '' AS level, interest AS amount, 0 AS interest,
			0 AS principal, 'v' || schedule_version AS detail, actor FROM loan_accruals WHERE loan = $1 ORDER BY due_date`},
		{&out.Payments, `SELECT paid_on AS on_date, '' AS project, due_date, '' AS level, interest + principal AS amount, interest,
			principal, reference AS detail, actor FROM loan_payments WHERE loan = $1 ORDER BY due_date`},
		{&out.Prepayments, `SELECT paid_on AS on_date, '' AS project, NULL::date AS due_date, '' AS level, amount, 0 AS interest,
			0 AS principal, reference AS detail, actor FROM loan_prepayments WHERE loan = $1 ORDER BY paid_on, id`},
		{&out.Rates, `SELECT effective_from AS on_date, '' AS project, NULL::date AS due_date, '' AS level, rate_pct AS amount,
			0 AS interest, 0 AS principal, reason AS detail, actor FROM loan_rates WHERE loan = $1 ORDER BY effective_from`},
		{&out.Subsidies, `SELECT due_date AS on_date, '' AS project, due_date, level, amount, interest, 0 AS principal,
			'' AS detail, actor FROM loan_subsidies WHERE loan = $1 ORDER BY due_date, level`},
		{&out.SubsidyPaid, `SELECT paid_on AS on_date, '' AS project, due_date, level, amount, 0 AS interest,
			0 AS principal, '' AS detail, actor FROM loan_subsidy_payments WHERE loan = $1 ORDER BY due_date, level`},
	} {
		if err := read(r.dst, r.q); err != nil {
			return out, err
		}
	}
	sum := func(es []LoanEvent, f func(LoanEvent) decimal.Decimal) decimal.Decimal {
		t := decimal.Zero
		for _, e := range es {
			t = t.Add(f(e))
		}
		return t
	}
	amount := func(e LoanEvent) decimal.Decimal { return e.Amount }
	out.Drawn = sum(out.Drawdowns, amount)
	out.Repaid = sum(out.Payments, func(e LoanEvent) decimal.Decimal { return e.Principal }).Add(sum(out.Prepayments, amount))
	out.Outstanding = out.Drawn.Sub(out.Repaid)
	out.InterestPaid = sum(out.Payments, func(e LoanEvent) decimal.Decimal { return e.Interest })
	out.SubsidyPaidTotal = sum(out.SubsidyPaid, amount)
	if err := sqlx.SelectContext(ctx, db, &out.Versions, `SELECT version, effective_on, reason, total_interest, created_by FROM loan_schedules
		WHERE loan = $1 ORDER BY version LIMIT $2`, code, MaxLoanRecords); err != nil {
		return out, fmt.Errorf("loan %s: %w", code, err)
	}
	for i := range out.Versions {
		out.Versions[i].EffectiveOn = ledger.Civil(out.Versions[i].EffectiveOn)
	}
	return out, nil
}
