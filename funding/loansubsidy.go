package funding

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
	"fundledger/rules"
)

// LoanSubsidyCommitRequest commits the interest subsidies (贴息) of one
// period of a loan, by every level whose rule applies.
type LoanSubsidyCommitRequest struct {
	Loan    string    `json:"loan" validate:"required"`
	DueDate time.Time `json:"due_date" validate:"required"`
	Actor   string    `json:"actor" validate:"required"`
}

// LoanSubsidy is a subsidy committed for one period by one level.
type LoanSubsidy struct {
	Loan        string          `json:"loan"`
	DueDate     time.Time       `json:"due_date"`
	Level       string          `json:"level"`
	RuleSetID   int64           `json:"rule_set_id"`
	Interest    decimal.Decimal `json:"interest"`
	Amount      decimal.Decimal `json:"amount"`
	LimitedBy   string          `json:"limited_by,omitempty"` // cap_per_year, cap_per_loan, interest
	BudgetEntry int64           `json:"budget_entry"`
	Replayed    bool            `json:"replayed,omitempty"`
}

// CommitLoanSubsidies commits, in the budget book, each level's subsidy of
// the period due on a date (current schedule), under the rule set in
// force for the loan's district on that date (its loan_interest_subsidy
// section; rules.LoanSubsidyRule.Subsidy says how, caps included):
//
//	budget  Dr budget:loan:L:subsidy_receivable:LV / Cr budget:loan:L:subsidy_committed:LV
//
// Periods are committed in order of due date (a later period committed
// already is ErrStatus). A level already committed for the period is
// returned as recorded; a level whose amount is zero (cap used up) records
// nothing.
func (p *Programme) CommitLoanSubsidies(ctx context.Context, r LoanSubsidyCommitRequest) ([]LoanSubsidy, error) {
	due := ledger.Civil(r.DueDate)
	what := fmt.Sprintf("commit the interest subsidy of loan %s due %s", r.Loan, due.Format(ledger.DateLayout))
	if err := checkInput(what, r); err != nil {
		return nil, err
	}
	l, err := p.Loan(ctx, r.Loan)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	d, err := LookupDistrict(ctx, p.db, l.District)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	stored, err := applicableRuleSet(ctx, p.db, d.NameZh, due)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	applying := stored.set.LoanSubsidyRules(l.LenderKind, l.Start, due)
	if len(applying) == 0 {
		return nil, fmt.Errorf("%w: %s: rule set %s (%s) gives no interest subsidy to %s loans for a period due %s", ErrNoRuleSet, what,
			stored.set.Name, stored.set.Version, l.LenderKind, due.Format(ledger.DateLayout))
	}
	acc := loanAccounts{l.Code}
	for _, rule := range applying {
		if err := p.ledger.CreateAccounts(ctx, acc.subsidyAccounts("贷款 "+l.Code, l.District, rule.Level), "fundledger"); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
	}
	var out []LoanSubsidy
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		out = nil
		if err := lockLoan(ctx, tx, l.Code); err != nil {
			return err
		}
		s, err := loadLoanSchedule(ctx, tx, l.Code, 0, time.Time{})
		if err != nil {
			return err
		}
		var line *LoanScheduleLine
		for i := range s.Lines {
			if s.Lines[i].DueDate.Equal(due) {
				line = &s.Lines[i]
			}
		}
		if line == nil {
			return fmt.Errorf("%w: nothing is due on %s under schedule version %d", ErrNotFound, due.Format(ledger.DateLayout), s.Version)
		}
		var later sql.NullTime
		if err := tx.GetContext(ctx, &later, `SELECT max(due_date) FROM loan_subsidies WHERE loan = $1`, l.Code); err != nil {
			return err
		}
		if later.Valid && ledger.Civil(later.Time).After(due) {
			return fmt.Errorf("%w: the subsidy of the period due %s is committed already; commit periods in order", ErrStatus,
				ledger.Civil(later.Time).Format(ledger.DateLayout))
		}
		var entries []ledger.Entry
		var fresh []LoanSubsidy
		for _, rule := range applying {
			var prior []struct {
				Amount decimal.Decimal `db:"amount"`
				RuleID int64           `db:"rule_set_id"`
				Entry  int64           `db:"budget_entry_id"`
			}
			if err := tx.SelectContext(ctx, &prior, `SELECT amount, rule_set_id, budget_entry_id FROM loan_subsidies
				WHERE loan = $1 AND due_date = $2 AND level = $3`, l.Code, due.Format(ledger.DateLayout), rule.Level); err != nil {
				return err
			}
			if len(prior) > 0 {
				out = append(out, LoanSubsidy{Loan: l.Code, DueDate: due, Level: rule.Level, RuleSetID: prior[0].RuleID, Interest: line.Interest,
					Amount: prior[0].Amount, BudgetEntry: prior[0].Entry, Replayed: true})
				continue
			}
			var given struct {
				Year decimal.Decimal `db:"year"`
				All  decimal.Decimal `db:"all"`
			}
			if err := tx.GetContext(ctx, &given, `
				SELECT coalesce(sum(amount) FILTER (WHERE extract(year FROM due_date) = $3), 0) AS year, coalesce(sum(amount), 0) AS all
				  FROM loan_subsidies WHERE loan = $1 AND level = $2 AND due_date < $4`,
				l.Code, rule.Level, due.Year(), due.Format(ledger.DateLayout)); err != nil {
				return err
			}
			amount, why := rule.Subsidy(rules.LoanSubsidyPeriod{Interest: line.Interest, RatePct: line.RatePct,
				GivenThisYear: given.Year, GivenToDate: given.All})
			if !amount.IsPositive() {
				continue
			}
			meta := map[string]string{"kind": "loan_subsidy_commitment", "loan": l.Code, "district": l.District, "level": rule.Level,
				"due_date": due.Format(ledger.DateLayout), "rule_set_id": fmt.Sprint(stored.id), "limited_by": why, "rule": rule.String()}
			memo := autoMemo(meta, MemoLoanSubsidyCommitment, "贴息下达：%s对贷款 %s %s 到期一期的贴息", srcArg(rule.Level), txtArg(l.Code),
				txtArg(due.Format(ledger.DateLayout)))
			entries = append(entries, ledger.Entry{Book: ledger.BookBudget, EffectiveDate: due, Memo: memo, Actor: r.Actor,
				IdempotencyKey: "loan:" + l.Code + ":subsidy:" + rule.Level + ":" + due.Format(ledger.DateLayout) + "/commit",
				Metadata:       meta,
				Postings: []ledger.Posting{
					{AccountCode: acc.budget(loanSubsidyReceivable + ":" + rule.Level), Side: ledger.Debit, Amount: amount},
					{AccountCode: acc.budget(loanSubsidyCommitted + ":" + rule.Level), Side: ledger.Credit, Amount: amount}}})
			fresh = append(fresh, LoanSubsidy{Loan: l.Code, DueDate: due, Level: rule.Level, RuleSetID: stored.id, Interest: line.Interest,
				Amount: amount, LimitedBy: why})
		}
		if len(entries) == 0 {
			return nil
		}
		posted, err := ledger.PostInTx(ctx, tx, entries)
		if err != nil {
			return err
		}
		for i := range fresh {
			fresh[i].BudgetEntry = posted[i].ID
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO loan_subsidies (loan, due_date, level, rule_set_id, interest, amount, budget_entry_id, actor)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, l.Code, due.Format(ledger.DateLayout), fresh[i].Level, fresh[i].RuleSetID,
				fresh[i].Interest.StringFixed(2), fresh[i].Amount.StringFixed(2), fresh[i].BudgetEntry, r.Actor); err != nil {
				return err
			}
		}
		out = append(out, fresh...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// LoanSubsidyPaymentRequest pays one level's committed subsidy of one
// period, on evidence of the interest paid.
type LoanSubsidyPaymentRequest struct {
	Loan    string    `json:"loan" validate:"required"`
	DueDate time.Time `json:"due_date" validate:"required"`
	Level   string    `json:"level" validate:"required,oneof=central provincial municipal district"`
	PaidOn  time.Time `json:"paid_on" validate:"required"`
	// PaidTo is who receives it: borrower (default) or lender (recorded
	// in the entries' metadata; the books are the same).
	PaidTo    string `json:"paid_to" validate:"omitempty,oneof=borrower lender"`
	Reference string `json:"reference" validate:"max=200"`
	Actor     string `json:"actor" validate:"required"`
}

// LoanSubsidyPayment is a paid subsidy.
type LoanSubsidyPayment struct {
	Loan           string          `json:"loan"`
	DueDate        time.Time       `json:"due_date"`
	Level          string          `json:"level"`
	PaidOn         time.Time       `json:"paid_on"`
	Amount         decimal.Decimal `json:"amount"`
	InterestPaid   decimal.Decimal `json:"interest_paid"`
	FinancialEntry int64           `json:"financial_entry"`
	BudgetEntry    int64           `json:"budget_entry"`
	Replayed       bool            `json:"replayed,omitempty"`
}

// PayLoanSubsidy pays a committed subsidy to the borrower once the
// period's interest is paid (ErrInterestNotPaid before; the database
// refuses it too, and refuses subsidies above the interest paid):
//
//	financial  Dr loan:L:subsidy_received / Cr loan:L:subsidy_income:LV
//	budget     Dr budget:loan:L:subsidy_received:LV / Cr budget:loan:L:subsidy_receivable:LV (no overdraft)
//
// Paid once per period and level; the same request again returns it.
func (p *Programme) PayLoanSubsidy(ctx context.Context, r LoanSubsidyPaymentRequest) (LoanSubsidyPayment, error) {
	due, on := ledger.Civil(r.DueDate), ledger.Civil(r.PaidOn)
	what := fmt.Sprintf("pay the %s interest subsidy of loan %s due %s", r.Level, r.Loan, due.Format(ledger.DateLayout))
	if err := checkInput(what, r); err != nil {
		return LoanSubsidyPayment{}, err
	}
	l, err := p.Loan(ctx, r.Loan)
	if err != nil {
		return LoanSubsidyPayment{}, fmt.Errorf("%s: %w", what, err)
	}
	acc := loanAccounts{l.Code}
	if err := p.ensureLoanAccounts(ctx, l); err != nil {
		return LoanSubsidyPayment{}, err
	}
	if err := p.ledger.CreateAccounts(ctx, acc.subsidyAccounts("贷款 "+l.Code, l.District, r.Level), "fundledger"); err != nil {
		return LoanSubsidyPayment{}, fmt.Errorf("%s: %w", what, err)
	}
	out := LoanSubsidyPayment{Loan: l.Code, DueDate: due, Level: r.Level, PaidOn: on}
	paidTo := r.PaidTo
	if paidTo == "" {
		paidTo = "borrower"
	}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockLoan(ctx, tx, l.Code); err != nil {
			return err
		}
		var prior []struct {
			On     time.Time       `db:"paid_on"`
			Amount decimal.Decimal `db:"amount"`
			Fin    int64           `db:"financial_entry_id"`
			Bud    int64           `db:"budget_entry_id"`
		}
		if err := tx.SelectContext(ctx, &prior, `SELECT paid_on, amount, financial_entry_id, budget_entry_id FROM loan_subsidy_payments
			WHERE loan = $1 AND due_date = $2 AND level = $3`, l.Code, due.Format(ledger.DateLayout), r.Level); err != nil {
			return err
		}
		if len(prior) > 0 {
			if !ledger.Civil(prior[0].On).Equal(on) {
				return fmt.Errorf("%w: it was paid on %s already", ErrAlreadyPaid, ledger.Civil(prior[0].On).Format(ledger.DateLayout))
			}
			out.Amount, out.FinancialEntry, out.BudgetEntry, out.Replayed = prior[0].Amount, prior[0].Fin, prior[0].Bud, true
			return nil
		}
		var paid LoanPayment
		found, err := loadLoanPayment(ctx, tx, l.Code, due, &paid)
		if err != nil {
			return err
		}
		if !found || !paid.Interest.IsPositive() {
			return fmt.Errorf("%w: no interest is recorded as paid for the period due %s; 贴息 is paid on evidence of interest paid",
				ErrInterestNotPaid, due.Format(ledger.DateLayout))
		}
		if on.Before(paid.PaidOn) {
			return fmt.Errorf("%w: the period's interest was paid on %s, after %s", ErrInterestNotPaid, paid.PaidOn.Format(ledger.DateLayout),
				on.Format(ledger.DateLayout))
		}
		out.InterestPaid = paid.Interest
		var committed []decimal.Decimal
		if err := tx.SelectContext(ctx, &committed, `SELECT amount FROM loan_subsidies WHERE loan = $1 AND due_date = $2 AND level = $3`,
			l.Code, due.Format(ledger.DateLayout), r.Level); err != nil {
			return err
		}
		if len(committed) == 0 {
			return fmt.Errorf("%w: no %s subsidy is committed for the period due %s (commit it first)", ErrNotFound, r.Level, due.Format(ledger.DateLayout))
		}
		out.Amount = committed[0]
		key := "loan:" + l.Code + ":subsidy:" + r.Level + ":" + due.Format(ledger.DateLayout)
		meta := map[string]string{"kind": "loan_subsidy_payment", "loan": l.Code, "district": l.District, "level": r.Level,
			"due_date": due.Format(ledger.DateLayout), "interest_paid": paid.Interest.StringFixed(2), "reference": r.Reference, "paid_to": paidTo}
		memo := autoMemo(meta, MemoLoanSubsidyPayment, "贴息拨付：%s对贷款 %s %s 到期一期的贴息", srcArg(r.Level), txtArg(l.Code), txtArg(due.Format(ledger.DateLayout)))
		posted, err := ledger.PostInTx(ctx, tx, []ledger.Entry{
			{Book: ledger.BookFinancial, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: key + "/financial", Metadata: meta,
				Postings: []ledger.Posting{
					{AccountCode: acc.fin(loanSubsidyReceived), Side: ledger.Debit, Amount: out.Amount},
					{AccountCode: acc.fin(loanSubsidyIncome + ":" + r.Level), Side: ledger.Credit, Amount: out.Amount}}},
			{Book: ledger.BookBudget, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: key + "/budget", Metadata: meta,
				Postings: []ledger.Posting{
					{AccountCode: acc.budget(loanSubsidyReceived + ":" + r.Level), Side: ledger.Debit, Amount: out.Amount},
					{AccountCode: acc.budget(loanSubsidyReceivable + ":" + r.Level), Side: ledger.Credit, Amount: out.Amount}}},
		})
		if err != nil {
			return err
		}
		out.FinancialEntry, out.BudgetEntry = posted[0].ID, posted[1].ID
		_, err = tx.ExecContext(ctx, `
			INSERT INTO loan_subsidy_payments (loan, due_date, level, paid_on, amount, financial_entry_id, budget_entry_id, reference, actor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, l.Code, due.Format(ledger.DateLayout), r.Level, on.Format(ledger.DateLayout),
			out.Amount.StringFixed(2), out.FinancialEntry, out.BudgetEntry, r.Reference, r.Actor)
		return err
	})
	if err != nil {
		return LoanSubsidyPayment{}, fmt.Errorf("%s: %w", what, dbError(err))
	}
	return out, nil
}
