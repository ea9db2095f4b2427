package funding

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// LoanSchedule is a stored schedule version of a loan.
type LoanSchedule struct {
	Loan          string             `json:"loan"`
	Version       int                `json:"version"`
	EffectiveOn   time.Time          `json:"effective_on"`
	Repayment     string             `json:"repayment"`
	Rounding      string             `json:"rounding"`
	Reason        string             `json:"reason"`
	TotalInterest decimal.Decimal    `json:"total_interest"`
	CreatedAt     time.Time          `json:"created_at"`
	CreatedBy     string             `json:"created_by"`
	Lines         []LoanScheduleLine `json:"lines"`
}

// LoanSchedule returns a stored schedule version (0: the newest).
func (p *Programme) LoanSchedule(ctx context.Context, loan string, version int) (LoanSchedule, error) {
	return loadLoanSchedule(ctx, p.db, loan, version, time.Time{})
}

// loadLoanSchedule loads version (0: the newest; with asOf set, the newest
// effective on or before asOf, else version 1).
func loadLoanSchedule(ctx context.Context, db sqlx.QueryerContext, loan string, version int, asOf time.Time) (LoanSchedule, error) {
	head, err := loadScheduleHead(ctx, db, scheduleOfLoan, loan, version, asOf)
	if errors.Is(err, sql.ErrNoRows) {
		return LoanSchedule{}, fmt.Errorf("schedule of loan %q (version %d): %w (a schedule is made at the first drawdown)", loan, version, ErrNotFound)
	}
	if err != nil {
		return LoanSchedule{}, fmt.Errorf("schedule of loan %s: %w", loan, err)
	}
	s := LoanSchedule{Loan: loan, Version: head.Version, EffectiveOn: ledger.Civil(head.EffectiveOn), Repayment: head.Repayment,
		Rounding: head.Rounding, Reason: head.Reason, TotalInterest: head.TotalInterest, CreatedAt: head.CreatedAt, CreatedBy: head.CreatedBy}
	if err := sqlx.SelectContext(ctx, db, &s.Lines, `
		SELECT seq, period_start, due_date, rate_pct, opening_principal, drawn, prepaid, interest, principal FROM loan_schedule_lines
		 WHERE loan = $1 AND version = $2 ORDER BY seq`, loan, head.Version); err != nil {
		return LoanSchedule{}, fmt.Errorf("schedule of loan %s: %w", loan, err)
	}
	for i := range s.Lines {
		s.Lines[i].PeriodStart, s.Lines[i].DueDate = ledger.Civil(s.Lines[i].PeriodStart), ledger.Civil(s.Lines[i].DueDate)
	}
	return s, nil
}

// loanTermsInTx reads a loan's terms and events (rates, drawdowns,
// prepayments, custom repayments) as recorded so far.
func loanTermsInTx(ctx context.Context, tx *sqlx.Tx, l Loan) (LoanTerms, error) {
	t := LoanTerms{Start: l.Start, TermMonths: l.TermMonths, Frequency: l.Frequency, GraceMonths: l.GraceMonths, Repayment: l.Repayment}
	q := func(dst *[]LoanMove, query string) error {
		var rows []struct {
			On     time.Time       `db:"on"`
			Amount decimal.Decimal `db:"amount"`
		}
		if err := tx.SelectContext(ctx, &rows, query, l.Code); err != nil {
			return err
		}
		for _, r := range rows {
			*dst = append(*dst, LoanMove{Date: ledger.Civil(r.On), Amount: r.Amount})
		}
		return nil
	}
	if err := q(&t.Draws, `SELECT drawn_on AS on, amount FROM loan_drawdowns WHERE loan = $1 ORDER BY drawn_on, id`); err != nil {
		return t, err
	}
	if err := q(&t.Prepayments, `SELECT paid_on AS on, amount FROM loan_prepayments WHERE loan = $1 ORDER BY paid_on, id`); err != nil {
		return t, err
	}
	if err := q(&t.Custom, `SELECT due_date AS on, amount FROM loan_custom_repayments WHERE loan = $1 ORDER BY due_date`); err != nil {
		return t, err
	}
	var rates []struct {
		From time.Time       `db:"effective_from"`
		Rate decimal.Decimal `db:"rate_pct"`
	}
	if err := tx.SelectContext(ctx, &rates, `SELECT effective_from, rate_pct FROM loan_rates WHERE loan = $1 ORDER BY effective_from`, l.Code); err != nil {
		return t, err
	}
	for _, r := range rates {
		t.Rates = append(t.Rates, LoanRate{From: ledger.Civil(r.From), RatePct: r.Rate})
	}
	return t, nil
}

// rescheduleInTx generates the loan's schedule from what is recorded now
// and stores it as a new version when it differs from the current one.
// Nothing already accrued, paid or subsidised may change: every line due
// on or before the last accrual, payment or subsidy commitment must be
// identical (else ErrStatus, naming the period).
func rescheduleInTx(ctx context.Context, tx *sqlx.Tx, l Loan, effective time.Time, reason, actor string) (int, error) {
	terms, err := loanTermsInTx(ctx, tx, l)
	if err != nil {
		return 0, err
	}
	lines, err := GenerateLoanSchedule(terms)
	if err != nil {
		return 0, err
	}
	cur, err := loadLoanSchedule(ctx, tx, l.Code, 0, time.Time{})
	version := 1
	switch {
	case err == nil:
		if sameLoanLines(cur.Lines, lines) {
			return cur.Version, nil
		}
		version = cur.Version + 1
		var last sql.NullTime
		if err := tx.GetContext(ctx, &last, `
			SELECT max(due_date) FROM (SELECT due_date FROM loan_accruals WHERE loan = $1
			                           UNION ALL SELECT due_date FROM loan_payments WHERE loan = $1
			                           UNION ALL SELECT due_date FROM loan_subsidies WHERE loan = $1) x`, l.Code); err != nil {
			return 0, err
		}
		if last.Valid {
			done := ledger.Civil(last.Time)
			for i, x := range cur.Lines {
				if x.DueDate.After(done) {
					break
				}
				if i >= len(lines) || !sameLoanLine(x, lines[i]) {
					return 0, fmt.Errorf("%w: the period %s to %s was already accrued, paid or had its subsidy committed, and would change; record the event in a later period",
						ErrStatus, x.PeriodStart.Format(ledger.DateLayout), x.DueDate.Format(ledger.DateLayout))
				}
			}
		}
	case !errors.Is(err, ErrNotFound):
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO loan_schedules (loan, version, effective_on, repayment, rounding, total_interest, reason, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		l.Code, version, effective.Format(ledger.DateLayout), l.Repayment, LoanRounding, loanTotalInterest(lines).StringFixed(2), reason, actor); err != nil {
		return 0, err
	}
	n := len(lines)
	seqs, starts, dues := make([]int64, n), make([]string, n), make([]string, n)
	rates, opening, drawn, prepaid, interest, principal := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, x := range lines {
		seqs[i], starts[i], dues[i] = int64(x.Seq), x.PeriodStart.Format(ledger.DateLayout), x.DueDate.Format(ledger.DateLayout)
		rates[i], opening[i], drawn[i] = x.RatePct.String(), x.OpeningPrincipal.StringFixed(2), x.Drawn.StringFixed(2)
		prepaid[i], interest[i], principal[i] = x.Prepaid.StringFixed(2), x.Interest.StringFixed(2), x.Principal.StringFixed(2)
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO loan_schedule_lines (loan, version, seq, period_start, due_date, rate_pct, opening_principal, drawn, prepaid, interest, principal)
		SELECT $1, $2, * FROM unnest($3::int[], $4::date[], $5::date[], $6::numeric[], $7::numeric[], $8::numeric[], $9::numeric[], $10::numeric[], $11::numeric[])`,
		l.Code, version, pq.Array(seqs), pq.Array(starts), pq.Array(dues), pq.Array(rates), pq.Array(opening), pq.Array(drawn), pq.Array(prepaid),
		pq.Array(interest), pq.Array(principal))
	return version, err
}

// LoanDrawdownRequest draws part of a loan for one of its projects.
type LoanDrawdownRequest struct {
	Loan           string          `json:"loan" validate:"required"`
	Project        string          `json:"project" validate:"required"`
	Amount         decimal.Decimal `json:"amount"`
	DrawnOn        time.Time       `json:"drawn_on" validate:"required"`
	Reference      string          `json:"reference" validate:"max=200"`
	IdempotencyKey string          `json:"idempotency_key" validate:"required,max=150"`
	Actor          string          `json:"actor" validate:"required"`
}

// LoanDrawdown is a recorded drawdown and the schedule version it made.
type LoanDrawdown struct {
	ID              int64           `json:"id"`
	Loan            string          `json:"loan"`
	Project         string          `json:"project"`
	Amount          decimal.Decimal `json:"amount"`
	DrawnOn         time.Time       `json:"drawn_on"`
	ScheduleVersion int             `json:"schedule_version"`
	FinancialEntry  int64           `json:"financial_entry"`
	BudgetEntry     int64           `json:"budget_entry"`
	Replayed        bool            `json:"replayed,omitempty"`
}

// DrawLoan records a drawdown (提款) for a project of the loan:
//
//	financial  Dr cash:D:P:S / Cr revenue:D:P:S         (the project's receipt for source S)
//	           Dr loan:L:transferred / Cr loan:L:principal
//	budget     Dr budget:available:D:P:S / Cr budget:receivable:D:P:S (no overdraft: within the commitment)
//	           Dr budget:loan:L:transferred / Cr budget:loan:L:debt_revenue
//
// and stores a new schedule version with it. A drawdown above the project's
// outstanding commitment for S is ErrExceedsCommitment; above the loan's
// undrawn amount ErrExceedsFacility (the database refuses it too). The
// same idempotency key again returns the recorded drawdown.
func (p *Programme) DrawLoan(ctx context.Context, r LoanDrawdownRequest) (LoanDrawdown, error) {
	what := fmt.Sprintf("draw loan %s for project %s (%q)", r.Loan, r.Project, r.IdempotencyKey)
	if err := checkInput(what, r); err != nil {
		return LoanDrawdown{}, err
	}
	if err := ledger.CheckAmount(r.Amount); err != nil {
		return LoanDrawdown{}, fmt.Errorf("%s: %w", what, err)
	}
	on := ledger.Civil(r.DrawnOn)
	l, err := p.Loan(ctx, r.Loan)
	if err != nil {
		return LoanDrawdown{}, fmt.Errorf("%s: %w", what, err)
	}
	financed := false
	for _, pr := range l.Projects {
		financed = financed || pr == r.Project
	}
	if !financed {
		return LoanDrawdown{}, fmt.Errorf("%w: %s: the loan does not finance project %s (its projects: %s)", ErrInvalid, what, r.Project,
			strings.Join(l.Projects, ", "))
	}
	pr, err := p.Project(ctx, r.Project)
	if err != nil {
		return LoanDrawdown{}, fmt.Errorf("%s: %w", what, err)
	}
	appr, err := p.LatestApproval(ctx, pr.Code)
	if errors.Is(err, ErrNotFound) {
		return LoanDrawdown{}, fmt.Errorf("%w: %s: the project has no approved budget, so no %s commitment; approve it under a rule set that gives %s a share",
			ErrNotEarmarked, what, l.Source, l.Source)
	}
	if err != nil {
		return LoanDrawdown{}, fmt.Errorf("%s: %w", what, err)
	}
	if !appr.committedFrom(l.Source).IsPositive() {
		return LoanDrawdown{}, fmt.Errorf("%w: %s: the project's approved budget (v%d) has no share for source %s (%s): its loan money could not be earmarked",
			ErrNotEarmarked, what, appr.Version, l.Source, sourceLabel(l.Source))
	}
	if err := p.ensureSourceAccounts(ctx, pr, l.Source); err != nil {
		return LoanDrawdown{}, err
	}
	if err := p.ensureLoanAccounts(ctx, l); err != nil {
		return LoanDrawdown{}, err
	}
	acc, lacc := accountsOf(pr), loanAccounts{l.Code}
	meta := map[string]string{"kind": "loan_drawdown", "loan": l.Code, "project": pr.Code, "district": pr.District, "source": l.Source,
		"reference": r.Reference}
	memo := autoMemo(meta, MemoLoanDrawdown, "贷款提款：贷款 %s 用于项目 %s", txtArg(l.Code), txtArg(pr.Code))
	entries := []ledger.Entry{
		{Book: ledger.BookFinancial, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/financial", Metadata: meta,
			Postings: []ledger.Posting{
				{AccountCode: acc.cash(l.Source), Side: ledger.Debit, Amount: r.Amount},
				{AccountCode: acc.revenue(l.Source), Side: ledger.Credit, Amount: r.Amount},
				{AccountCode: lacc.fin(loanTransferred), Side: ledger.Debit, Amount: r.Amount},
				{AccountCode: lacc.fin(loanPrincipal), Side: ledger.Credit, Amount: r.Amount}}},
		{Book: ledger.BookBudget, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/budget", Metadata: meta,
			Postings: []ledger.Posting{
				{AccountCode: acc.available(l.Source), Side: ledger.Debit, Amount: r.Amount},
				{AccountCode: acc.receivable(l.Source), Side: ledger.Credit, Amount: r.Amount},
				{AccountCode: lacc.budget(loanTransferred), Side: ledger.Debit, Amount: r.Amount},
				{AccountCode: lacc.budget(loanDebtRevenue), Side: ledger.Credit, Amount: r.Amount}}},
	}
	out := LoanDrawdown{Loan: l.Code, Project: pr.Code, Amount: r.Amount, DrawnOn: on}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockLoan(ctx, tx, l.Code); err != nil {
			return err
		}
		var prior []struct {
			ID      int64           `db:"id"`
			Loan    string          `db:"loan"`
			Project string          `db:"project"`
			Amount  decimal.Decimal `db:"amount"`
			On      time.Time       `db:"drawn_on"`
			Fin     int64           `db:"financial_entry_id"`
			Bud     int64           `db:"budget_entry_id"`
		}
		if err := tx.SelectContext(ctx, &prior, `SELECT id, loan, project, amount, drawn_on, financial_entry_id, budget_entry_id
			FROM loan_drawdowns WHERE idempotency_key = $1`, r.IdempotencyKey); err != nil {
			return err
		}
		if len(prior) > 0 {
			x := prior[0]
			if x.Loan != l.Code || x.Project != pr.Code || !x.Amount.Equal(r.Amount) || !ledger.Civil(x.On).Equal(on) {
				return fmt.Errorf("%w: key %q was used by drawdown %d (loan %s, project %s, %s on %s)", ledger.ErrIdempotencyConflict,
					r.IdempotencyKey, x.ID, x.Loan, x.Project, x.Amount.StringFixed(2), ledger.Civil(x.On).Format(ledger.DateLayout))
			}
			out.ID, out.FinancialEntry, out.BudgetEntry, out.Replayed = x.ID, x.Fin, x.Bud, true
			s, err := loadLoanSchedule(ctx, tx, l.Code, 0, time.Time{})
			out.ScheduleVersion = s.Version
			return err
		}
		var drawn decimal.Decimal
		if err := tx.GetContext(ctx, &drawn, `SELECT coalesce(sum(amount), 0) FROM loan_drawdowns WHERE loan = $1`, l.Code); err != nil {
			return err
		}
		if left := l.Amount.Sub(drawn); r.Amount.GreaterThan(left) {
			return fmt.Errorf("%w: %s is more than the %s of the loan's %s not yet drawn", ErrExceedsFacility, r.Amount.StringFixed(2),
				left.StringFixed(2), l.Amount.StringFixed(2))
		}
		posted, err := ledger.PostInTx(ctx, tx, entries)
		if err != nil {
			return err
		}
		out.FinancialEntry, out.BudgetEntry = posted[0].ID, posted[1].ID
		if err := tx.GetContext(ctx, &out.ID, `
			INSERT INTO loan_drawdowns (loan, project, amount, drawn_on, reference, idempotency_key, financial_entry_id, budget_entry_id, actor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			l.Code, pr.Code, r.Amount.StringFixed(2), on.Format(ledger.DateLayout), r.Reference, r.IdempotencyKey, out.FinancialEntry, out.BudgetEntry,
			r.Actor); err != nil {
			return err
		}
		out.ScheduleVersion, err = rescheduleInTx(ctx, tx, l, on, fmt.Sprintf("drawdown 提款 %s on %s for %s", r.Amount.StringFixed(2),
			on.Format(ledger.DateLayout), pr.Code), r.Actor)
		return err
	})
	if errors.Is(err, ledger.ErrOverdraft) && strings.Contains(err.Error(), acc.receivable(l.Source)+" ") {
		outstanding, berr := p.ledger.Balance(ctx, acc.receivable(l.Source), on)
		if berr == nil {
			return LoanDrawdown{}, fmt.Errorf("%w: %s: %s exceeds the project's outstanding %s commitment of %s as of %s",
				ErrExceedsCommitment, what, r.Amount.StringFixed(2), l.Source, outstanding.StringFixed(2), on.Format(ledger.DateLayout))
		}
	}
	if err != nil {
		return LoanDrawdown{}, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// LoanPrepaymentRequest repays principal early (提前还款), in part or in
// whole, on a date.
type LoanPrepaymentRequest struct {
	Loan           string          `json:"loan" validate:"required"`
	Amount         decimal.Decimal `json:"amount"`
	PaidOn         time.Time       `json:"paid_on" validate:"required"`
	Reference      string          `json:"reference" validate:"max=200"`
	IdempotencyKey string          `json:"idempotency_key" validate:"required,max=150"`
	Actor          string          `json:"actor" validate:"required"`
}

// LoanPrepayment is a recorded prepayment and the schedule version it made.
type LoanPrepayment struct {
	ID              int64           `json:"id"`
	Loan            string          `json:"loan"`
	Amount          decimal.Decimal `json:"amount"`
	PaidOn          time.Time       `json:"paid_on"`
	ScheduleVersion int             `json:"schedule_version"`
	FinancialEntry  int64           `json:"financial_entry"`
	BudgetEntry     int64           `json:"budget_entry"`
	Replayed        bool            `json:"replayed,omitempty"`
}

// PrepayLoan repays principal early: financial Dr loan:L:principal (no
// overdraft: never more than outstanding) / Cr loan:L:debt_service; budget
// Dr budget:loan:L:principal_repaid / Cr budget:loan:L:debt_service; and a
// new schedule version in which interest runs on the lower principal from
// that date and the remaining instalments are recomputed over the same
// term. The period's interest (including on the prepaid principal up to
// the date) is paid on its due date.
func (p *Programme) PrepayLoan(ctx context.Context, r LoanPrepaymentRequest) (LoanPrepayment, error) {
	what := fmt.Sprintf("prepay loan %s (%q)", r.Loan, r.IdempotencyKey)
	if err := checkInput(what, r); err != nil {
		return LoanPrepayment{}, err
	}
	if err := ledger.CheckAmount(r.Amount); err != nil {
		return LoanPrepayment{}, fmt.Errorf("%s: %w", what, err)
	}
	on := ledger.Civil(r.PaidOn)
	l, err := p.Loan(ctx, r.Loan)
	if err != nil {
		return LoanPrepayment{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := p.ensureLoanAccounts(ctx, l); err != nil {
		return LoanPrepayment{}, err
	}
	lacc := loanAccounts{l.Code}
	meta := map[string]string{"kind": "loan_prepayment", "loan": l.Code, "district": l.District, "reference": r.Reference}
	memo := autoMemo(meta, MemoLoanPrepayment, "提前还款：贷款 %s 提前偿还本金", txtArg(l.Code))
	entries := []ledger.Entry{
		{Book: ledger.BookFinancial, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/financial", Metadata: meta,
			Postings: []ledger.Posting{
				{AccountCode: lacc.fin(loanPrincipal), Side: ledger.Debit, Amount: r.Amount},
				{AccountCode: lacc.fin(loanDebtService), Side: ledger.Credit, Amount: r.Amount}}},
		{Book: ledger.BookBudget, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/budget", Metadata: meta,
			Postings: []ledger.Posting{
				{AccountCode: lacc.budget(loanPrincipalRepaid), Side: ledger.Debit, Amount: r.Amount},
				{AccountCode: lacc.budget(loanDebtService), Side: ledger.Credit, Amount: r.Amount}}},
	}
	out := LoanPrepayment{Loan: l.Code, Amount: r.Amount, PaidOn: on}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockLoan(ctx, tx, l.Code); err != nil {
			return err
		}
		var prior []struct {
			ID     int64           `db:"id"`
			Loan   string          `db:"loan"`
			Amount decimal.Decimal `db:"amount"`
			On     time.Time       `db:"paid_on"`
			Fin    int64           `db:"financial_entry_id"`
			Bud    int64           `db:"budget_entry_id"`
		}
		if err := tx.SelectContext(ctx, &prior, `SELECT id, loan, amount, paid_on, financial_entry_id, budget_entry_id
			FROM loan_prepayments WHERE idempotency_key = $1`, r.IdempotencyKey); err != nil {
			return err
		}
		if len(prior) > 0 {
			x := prior[0]
			if x.Loan != l.Code || !x.Amount.Equal(r.Amount) || !ledger.Civil(x.On).Equal(on) {
				return fmt.Errorf("%w: key %q was used by prepayment %d (loan %s, %s on %s)", ledger.ErrIdempotencyConflict,
					r.IdempotencyKey, x.ID, x.Loan, x.Amount.StringFixed(2), ledger.Civil(x.On).Format(ledger.DateLayout))
			}
			out.ID, out.FinancialEntry, out.BudgetEntry, out.Replayed = x.ID, x.Fin, x.Bud, true
			s, err := loadLoanSchedule(ctx, tx, l.Code, 0, time.Time{})
			out.ScheduleVersion = s.Version
			return err
		}
		posted, err := ledger.PostInTx(ctx, tx, entries)
		if err != nil {
			return err
		}
		out.FinancialEntry, out.BudgetEntry = posted[0].ID, posted[1].ID
		if err := tx.GetContext(ctx, &out.ID, `
			INSERT INTO loan_prepayments (loan, amount, paid_on, reference, idempotency_key, financial_entry_id, budget_entry_id, actor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			l.Code, r.Amount.StringFixed(2), on.Format(ledger.DateLayout), r.Reference, r.IdempotencyKey, out.FinancialEntry, out.BudgetEntry, r.Actor); err != nil {
			return err
		}
		out.ScheduleVersion, err = rescheduleInTx(ctx, tx, l, on, fmt.Sprintf("prepayment 提前还款 %s on %s", r.Amount.StringFixed(2),
			on.Format(ledger.DateLayout)), r.Actor)
		return err
	})
	if err != nil {
		return LoanPrepayment{}, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// LoanRateResetRequest resets a floating rate on a reset date: the new
// rate is the LPR then published plus the loan's spread.
type LoanRateResetRequest struct {
	Loan   string          `json:"loan" validate:"required"`
	On     time.Time       `json:"on" validate:"required"`
	LPRPct decimal.Decimal `json:"lpr_pct"`
	Reason string          `json:"reason" validate:"max=500"`
	Actor  string          `json:"actor" validate:"required"`
}

// ResetLoanRate records a floating loan's rate from a reset date (the
// start plus a multiple of its reset months) and stores a new schedule
// version (if the loan is drawn). The same reset again changes nothing; a
// different LPR on a date already reset is ErrExists.
func (p *Programme) ResetLoanRate(ctx context.Context, r LoanRateResetRequest) (LoanSchedule, error) {
	on := ledger.Civil(r.On)
	what := fmt.Sprintf("reset the rate of loan %s on %s", r.Loan, on.Format(ledger.DateLayout))
	if err := checkInput(what, r); err != nil {
		return LoanSchedule{}, err
	}
	l, err := p.Loan(ctx, r.Loan)
	if err != nil {
		return LoanSchedule{}, fmt.Errorf("%s: %w", what, err)
	}
	if l.RateKind != RateFloating {
		return LoanSchedule{}, fmt.Errorf("%w: %s: the loan has a fixed rate", ErrInvalid, what)
	}
	isReset := false
	for k := 1; k*l.ResetMonths < l.TermMonths; k++ {
		isReset = isReset || bondAddMonths(l.Start, k*l.ResetMonths).Equal(on)
	}
	if !isReset {
		return LoanSchedule{}, fmt.Errorf("%w: %s: not a reset date (every %d months from %s, before maturity)", ErrInvalid, what, l.ResetMonths,
			l.Start.Format(ledger.DateLayout))
	}
	if err := checkLoanRate(r.LPRPct); err != nil {
		return LoanSchedule{}, fmt.Errorf("%w: %s: lpr_pct: %w", ErrInvalid, what, err)
	}
	rate := r.LPRPct.Add(decimal.New(int64(l.SpreadBP), -2))
	if err := checkLoanRate(rate); err != nil {
		return LoanSchedule{}, fmt.Errorf("%w: %s: %w", ErrInvalid, what, err)
	}
	reason := r.Reason
	if reason == "" {
		reason = fmt.Sprintf("LPR %s%% + %d bp", r.LPRPct, l.SpreadBP)
	}
	var version int
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockLoan(ctx, tx, l.Code); err != nil {
			return err
		}
		var prior []decimal.Decimal
		if err := tx.SelectContext(ctx, &prior, `SELECT lpr_pct FROM loan_rates WHERE loan = $1 AND effective_from = $2`, l.Code,
			on.Format(ledger.DateLayout)); err != nil {
			return err
		}
		if len(prior) > 0 && !prior[0].Equal(r.LPRPct) {
			return fmt.Errorf("%w: the rate from this date was reset already with LPR %s%%", ErrExists, prior[0])
		}
		if len(prior) == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO loan_rates (loan, effective_from, lpr_pct, rate_pct, reason, actor) VALUES ($1, $2, $3, $4, $5, $6)`,
				l.Code, on.Format(ledger.DateLayout), r.LPRPct.String(), rate.String(), reason, r.Actor); err != nil {
				return err
			}
		}
		var draws int
		if err := tx.GetContext(ctx, &draws, `SELECT count(*) FROM loan_drawdowns WHERE loan = $1`, l.Code); err != nil || draws == 0 {
			return err
		}
		version, err = rescheduleInTx(ctx, tx, l, on, "rate reset 利率重定价: "+reason, r.Actor)
		return err
	})
	if err != nil {
		return LoanSchedule{}, fmt.Errorf("%s: %w", what, err)
	}
	if version == 0 {
		return LoanSchedule{Loan: l.Code}, nil
	}
	return p.LoanSchedule(ctx, l.Code, version)
}

// LoanAccrual is the interest accrued for one period of a loan.
type LoanAccrual struct {
	Loan     string          `json:"loan"`
	DueDate  time.Time       `json:"due_date"`
	Seq      int             `json:"seq"`
	Interest decimal.Decimal `json:"interest"`
	EntryID  int64           `json:"entry_id"`
}

// AccrueLoanInterest accrues the interest of every period of the loan's
// current schedule due on or before through and not accrued yet, each on
// its due date: financial Dr loan:L:interest_expense / Cr
// loan:L:interest_payable (the budget book, on a cash basis, records
// interest when paid). Running it again accrues nothing twice.
func (p *Programme) AccrueLoanInterest(ctx context.Context, loan string, through time.Time, actor string) ([]LoanAccrual, error) {
	what := fmt.Sprintf("accrue interest of loan %s", loan)
	if through.IsZero() || actor == "" {
		return nil, fmt.Errorf("%w: %s: a date and an actor are required", ErrInvalid, what)
	}
	l, err := p.Loan(ctx, loan)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if err := p.ensureLoanAccounts(ctx, l); err != nil {
		return nil, err
	}
	var out []LoanAccrual
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockLoan(ctx, tx, l.Code); err != nil {
			return err
		}
		s, err := loadLoanSchedule(ctx, tx, l.Code, 0, time.Time{})
		if err != nil {
			return err
		}
		out, err = accrueLoanInTx(ctx, tx, l, s, ledger.Civil(through), actor)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func accrueLoanInTx(ctx context.Context, tx *sqlx.Tx, l Loan, s LoanSchedule, through time.Time, actor string) ([]LoanAccrual, error) {
	lines := make([]accrualLine, len(s.Lines))
	for i, x := range s.Lines {
		lines[i] = accrualLine{Seq: x.Seq, PeriodStart: x.PeriodStart, DueDate: x.DueDate, Interest: x.Interest,
			Metadata: map[string]string{"district": l.District, "rate_pct": x.RatePct.String()}}
	}
	acc := loanAccounts{l.Code}
	posted, err := accrueScheduledInTx(ctx, tx, scheduleOfLoan, l.Code, s.Version, lines, through, MaxLoanPeriods,
		acc.fin(loanInterestExpense), acc.fin(loanInterestPayable), actor)
	if err != nil || len(posted) == 0 {
		return nil, err
	}
	out := make([]LoanAccrual, len(posted))
	for i, x := range posted {
		out[i] = LoanAccrual{Loan: l.Code, DueDate: x.DueDate, Seq: x.Seq, Interest: x.Interest, EntryID: x.EntryID}
	}
	return out, nil
}

// LoanPaymentRequest pays the interest and principal due on one date of a
// loan's schedule.
type LoanPaymentRequest struct {
	Loan    string    `json:"loan" validate:"required"`
	DueDate time.Time `json:"due_date" validate:"required"`
	// PaidOn is the payment date; zero means the due date. Never before it.
	PaidOn    time.Time `json:"paid_on"`
	Reference string    `json:"reference" validate:"max=200"`
	Actor     string    `json:"actor" validate:"required"`
}

// LoanPayment is a recorded payment.
type LoanPayment struct {
	Loan            string          `json:"loan"`
	DueDate         time.Time       `json:"due_date"`
	PaidOn          time.Time       `json:"paid_on"`
	Seq             int             `json:"seq"`
	ScheduleVersion int             `json:"schedule_version"`
	Interest        decimal.Decimal `json:"interest"`
	Principal       decimal.Decimal `json:"principal"`
	AccrualEntries  []int64         `json:"accrual_entries,omitempty"`
	FinancialEntry  int64           `json:"financial_entry"`
	BudgetEntry     int64           `json:"budget_entry"`
	Replayed        bool            `json:"replayed,omitempty"`
}

// PayLoan pays what is due on one date of the loan's current schedule from
// the borrower's funds, accruing the period's interest first if that was
// not done:
//
//	financial  Dr loan:L:interest_payable, Dr loan:L:principal / Cr loan:L:debt_service
//	budget     Dr budget:loan:L:interest_paid, Dr budget:loan:L:principal_repaid / Cr budget:loan:L:debt_service
//
// Earlier due dates must be paid first; a date is paid once (the same
// request again returns the recorded payment).
func (p *Programme) PayLoan(ctx context.Context, r LoanPaymentRequest) (LoanPayment, error) {
	due := ledger.Civil(r.DueDate)
	what := fmt.Sprintf("pay loan %s due %s", r.Loan, due.Format(ledger.DateLayout))
	if err := checkInput(what, r); err != nil {
		return LoanPayment{}, err
	}
	paidOn := due
	if !r.PaidOn.IsZero() {
		paidOn = ledger.Civil(r.PaidOn)
	}
	if paidOn.Before(due) {
		return LoanPayment{}, fmt.Errorf("%w: %s: paid on %s, before the due date (repay early with a prepayment)", ErrInvalid, what,
			paidOn.Format(ledger.DateLayout))
	}
	l, err := p.Loan(ctx, r.Loan)
	if err != nil {
		return LoanPayment{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := p.ensureLoanAccounts(ctx, l); err != nil {
		return LoanPayment{}, err
	}
	acc := loanAccounts{l.Code}
	var out LoanPayment
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		out = LoanPayment{Loan: l.Code, DueDate: due, PaidOn: paidOn}
		if err := lockLoan(ctx, tx, l.Code); err != nil {
			return err
		}
		if found, err := loadLoanPayment(ctx, tx, l.Code, due, &out); err != nil || found {
			if found && !out.PaidOn.Equal(paidOn) {
				return fmt.Errorf("%w: the payment due on %s was recorded on %s already", ErrExists, due.Format(ledger.DateLayout),
					out.PaidOn.Format(ledger.DateLayout))
			}
			out.Replayed = found
			return err
		}
		s, err := loadLoanSchedule(ctx, tx, l.Code, 0, time.Time{})
		if err != nil {
			return err
		}
		dues := make([]dueAmount, len(s.Lines))
		for i, x := range s.Lines {
			dues[i] = dueAmount{DueDate: x.DueDate, Total: x.Total()}
		}
		at, err := payableLineInTx(ctx, tx, scheduleOfLoan, l.Code, s.Version, dues, due)
		if err != nil {
			return err
		}
		line := s.Lines[at]
		total := line.Total()
		if !total.IsPositive() {
			return fmt.Errorf("%w: nothing to pay on %s", ErrInvalid, due.Format(ledger.DateLayout))
		}
		out.Seq, out.ScheduleVersion, out.Interest, out.Principal = line.Seq, s.Version, line.Interest, line.Principal
		accruals, err := accrueLoanInTx(ctx, tx, l, s, due, r.Actor)
		if err != nil {
			return err
		}
		for _, a := range accruals {
			out.AccrualEntries = append(out.AccrualEntries, a.EntryID)
		}
		key := "loan:" + l.Code + ":payment:" + due.Format(ledger.DateLayout)
		meta := map[string]string{"kind": "loan_payment", "loan": l.Code, "district": l.District, "due_date": due.Format(ledger.DateLayout),
			"seq": strconv.Itoa(line.Seq), "schedule_version": strconv.Itoa(s.Version), "interest": line.Interest.StringFixed(2),
			"principal": line.Principal.StringFixed(2), "reference": r.Reference}
		memo := autoMemo(meta, MemoLoanPayment, "还本付息：贷款 %s，%s 到期，利息 %s 元，本金 %s 元", txtArg(l.Code), txtArg(due.Format(ledger.DateLayout)),
			txtArg(line.Interest.StringFixed(2)), txtArg(line.Principal.StringFixed(2)))
		fin := ledger.Entry{Book: ledger.BookFinancial, EffectiveDate: paidOn, Memo: memo, Actor: r.Actor, IdempotencyKey: key + "/financial", Metadata: meta}
		bud := ledger.Entry{Book: ledger.BookBudget, EffectiveDate: paidOn, Memo: memo, Actor: r.Actor, IdempotencyKey: key + "/budget", Metadata: meta}
		if line.Interest.IsPositive() {
			fin.Postings = append(fin.Postings, ledger.Posting{AccountCode: acc.fin(loanInterestPayable), Side: ledger.Debit, Amount: line.Interest})
			bud.Postings = append(bud.Postings, ledger.Posting{AccountCode: acc.budget(loanInterestPaid), Side: ledger.Debit, Amount: line.Interest})
		}
		if line.Principal.IsPositive() {
			fin.Postings = append(fin.Postings, ledger.Posting{AccountCode: acc.fin(loanPrincipal), Side: ledger.Debit, Amount: line.Principal})
			bud.Postings = append(bud.Postings, ledger.Posting{AccountCode: acc.budget(loanPrincipalRepaid), Side: ledger.Debit, Amount: line.Principal})
		}
		fin.Postings = append(fin.Postings, ledger.Posting{AccountCode: acc.fin(loanDebtService), Side: ledger.Credit, Amount: total})
		bud.Postings = append(bud.Postings, ledger.Posting{AccountCode: acc.budget(loanDebtService), Side: ledger.Credit, Amount: total})
		posted, err := ledger.PostInTx(ctx, tx, []ledger.Entry{fin, bud})
		if err != nil {
			return err
		}
		out.FinancialEntry, out.BudgetEntry = posted[0].ID, posted[1].ID
		_, err = tx.ExecContext(ctx, `
			INSERT INTO loan_payments (loan, due_date, schedule_version, seq, paid_on, interest, principal, financial_entry_id, budget_entry_id, reference, actor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			l.Code, due.Format(ledger.DateLayout), s.Version, line.Seq, paidOn.Format(ledger.DateLayout), line.Interest.StringFixed(2),
			line.Principal.StringFixed(2), out.FinancialEntry, out.BudgetEntry, r.Reference, r.Actor)
		return err
	})
	if err != nil {
		return LoanPayment{}, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func loadLoanPayment(ctx context.Context, db sqlx.QueryerContext, loan string, due time.Time, out *LoanPayment) (bool, error) {
	var row struct {
		Seq       int             `db:"seq"`
		Version   int             `db:"schedule_version"`
		PaidOn    time.Time       `db:"paid_on"`
		Interest  decimal.Decimal `db:"interest"`
		Principal decimal.Decimal `db:"principal"`
		Fin       int64           `db:"financial_entry_id"`
		Bud       int64           `db:"budget_entry_id"`
	}
	err := sqlx.GetContext(ctx, db, &row, `SELECT seq, schedule_version, paid_on, interest, principal, financial_entry_id, budget_entry_id
		FROM loan_payments WHERE loan = $1 AND due_date = $2`, loan, due.Format(ledger.DateLayout))
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	*out = LoanPayment{Loan: loan, DueDate: due, PaidOn: ledger.Civil(row.PaidOn), Seq: row.Seq, ScheduleVersion: row.Version,
		Interest: row.Interest, Principal: row.Principal, FinancialEntry: row.Fin, BudgetEntry: row.Bud}
	return true, nil
}
