package funding

// Loans (政策性银行贷款 from CDB/ADBC, and commercial loans): the register.
// The schedule is generated in loanschedule.go; drawdowns, prepayments,
// rate resets, accrual and payment are in loanmoney.go; interest subsidies
// (贴息) in loansubsidy.go; the report in loanreport.go.
//
// The chart of accounts of loan L (district dimension: the borrowing
// district, or the district of the borrowing company):
//
//	financial book
//	  loan:L:principal          liability, no overdraft — principal outstanding; never repaid beyond what was drawn
//	  loan:L:transferred        expense — drawn and passed to projects
//	  loan:L:interest_payable   liability, no overdraft — interest accrued, not yet paid
//	  loan:L:interest_expense   expense — interest accrued
//	  loan:L:debt_service       revenue — the borrower's own funds used to repay and pay interest (偿债资金)
//	  loan:L:subsidy_received   asset — interest subsidies received by the borrower
//	  loan:L:subsidy_income:LV  revenue — interest subsidies of government level LV (贴息收入)
//	budget book
//	  budget:loan:L:debt_revenue          budget_revenue — 债务收入 (drawdowns)
//	  budget:loan:L:transferred           budget_expense — drawn for projects
//	  budget:loan:L:debt_service          budget_revenue — funds for debt service
//	  budget:loan:L:interest_paid         budget_expense — 债务付息支出
//	  budget:loan:L:principal_repaid      budget_expense — 债务还本支出
//	  budget:loan:L:subsidy_committed:LV  budget_revenue — 贴息 committed by level LV
//	  budget:loan:L:subsidy_receivable:LV budget_asset, no overdraft — committed, not paid
//	  budget:loan:L:subsidy_received:LV   budget_asset — paid
//
// A drawdown is, for the project, a receipt for the loan's source
// (policy_bank unless said otherwise): cash:D:P:S / revenue:D:P:S and
// budget:available / budget:receivable, so the project's commitment,
// earmarking (专款专用) and budget lines apply unchanged.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
	"fundledger/rules"
)

// Lender kinds, rate kinds and borrower kinds of a loan.
const (
	LenderPolicyBank = "policy_bank" // 政策性银行 (国开行, 农发行)
	LenderCommercial = "commercial"  // 商业银行

	RateFixed    = "fixed"
	RateFloating = "floating" // LPR + spread, reset on reset dates
)

// Errors of the loan workflow (each wrapped with the details).
var (
	// ErrExceedsFacility: drawdowns beyond the loan's amount. Also ErrInvalid.
	ErrExceedsFacility error = &kindError{"drawdown exceeds the loan's undrawn amount", ErrInvalid}
	// ErrInterestNotPaid: a subsidy for a period whose interest is not paid
	// yet. Also ErrConditionNotMet.
	ErrInterestNotPaid error = &kindError{"interest of the period is not paid yet", ErrConditionNotMet}
	// ErrSubsidyExceedsInterest: subsidies above the interest paid or the
	// amount committed. Also ErrInvalid.
	ErrSubsidyExceedsInterest error = &kindError{"subsidy exceeds the interest paid", ErrInvalid}
	// ErrInvestmentSubsidyExceeded: an investment subsidy above its share of
	// the investment completed or its cap. Also ErrInvalid.
	ErrInvestmentSubsidyExceeded error = &kindError{"investment subsidy exceeds its share of the investment completed", ErrInvalid}
)

// LoanInput registers a loan.
type LoanInput struct {
	Code       string `json:"code" validate:"required,max=64"`
	Name       string `json:"name" validate:"required,max=200"`
	Lender     string `json:"lender" validate:"required,max=200"`
	LenderKind string `json:"lender_kind" validate:"required,oneof=policy_bank commercial"`
	// District borrows (code or Chinese name); with Company set, the
	// company borrows and District may be empty (the company's district).
	District string `json:"district" validate:"max=100"`
	Company  string `json:"company" validate:"max=64"`
	// Source is the projects' funding source of the drawdowns; "" is policy_bank.
	Source   string          `json:"source" validate:"max=64"`
	Projects []string        `json:"projects" validate:"required,min=1,max=500,dive,required"`
	Amount   decimal.Decimal `json:"amount"`
	RateKind string          `json:"rate_kind" validate:"required,oneof=fixed floating"`
	// RatePct is the yearly rate in per cent of a fixed loan.
	RatePct decimal.Decimal `json:"rate_pct"`
	// LPRPct, SpreadBP and ResetMonths make a floating rate: LPR + spread
	// (basis points), reset every ResetMonths from the start.
	LPRPct      decimal.Decimal `json:"lpr_pct"`
	SpreadBP    int             `json:"spread_bp" validate:"gte=-1000,lte=2000"`
	ResetMonths int             `json:"reset_months" validate:"gte=0,lte=120"`
	Start       time.Time       `json:"start" validate:"required"`
	TermMonths  int             `json:"term_months" validate:"gte=1,lte=360"`
	Frequency   string          `json:"frequency" validate:"required,oneof=monthly quarterly semi-annual annual"`
	GraceMonths int             `json:"grace_months" validate:"gte=0,lte=359"`
	Repayment   string          `json:"repayment" validate:"required,oneof=equal_principal equal_instalment bullet custom"`
	Custom      []LoanMove      `json:"custom_schedule" validate:"max=360"`
}

// Loan is a registered loan.
type Loan struct {
	Code        string          `db:"code" json:"code"`
	Name        string          `db:"name" json:"name"`
	Lender      string          `db:"lender" json:"lender"`
	LenderKind  string          `db:"lender_kind" json:"lender_kind"`
	District    string          `db:"district" json:"district"`
	Company     string          `db:"company" json:"company,omitempty"`
	Source      string          `db:"source" json:"source"`
	Amount      decimal.Decimal `db:"amount" json:"amount"`
	RateKind    string          `db:"rate_kind" json:"rate_kind"`
	SpreadBP    int             `db:"spread_bp" json:"spread_bp,omitempty"`
	ResetMonths int             `db:"reset_months" json:"reset_months,omitempty"`
	Start       time.Time       `db:"start_date" json:"start"`
	TermMonths  int             `db:"term_months" json:"term_months"`
	Frequency   string          `db:"frequency" json:"frequency"`
	GraceMonths int             `db:"grace_months" json:"grace_months"`
	Repayment   string          `db:"repayment" json:"repayment"`
	CreatedAt   time.Time       `db:"created_at" json:"created_at"`
	CreatedBy   string          `db:"created_by" json:"created_by"`
	Projects    []string        `db:"-" json:"projects"`
}

// Maturity is the last due date.
func (l Loan) Maturity() time.Time { return bondAddMonths(l.Start, l.TermMonths) }

// PeriodsPerYear is 12, 4, 2 or 1.
func (l Loan) PeriodsPerYear() int { return 12 / loanPeriodMonths(l.Frequency) }

type loanAccounts struct{ code string }

func (a loanAccounts) fin(role string) string    { return "loan:" + a.code + ":" + role }
func (a loanAccounts) budget(role string) string { return "budget:loan:" + a.code + ":" + role }

const (
	loanPrincipal         = "principal"
	loanTransferred       = "transferred"
	loanInterestPayable   = "interest_payable"
	loanInterestExpense   = "interest_expense"
	loanDebtService       = "debt_service"
	loanDebtRevenue       = "debt_revenue"
	loanInterestPaid      = "interest_paid"
	loanPrincipalRepaid   = "principal_repaid"
	loanSubsidyReceived   = "subsidy_received"
	loanSubsidyIncome     = "subsidy_income"
	loanSubsidyCommitted  = "subsidy_committed"
	loanSubsidyReceivable = "subsidy_receivable"
)

func (a loanAccounts) all(name, district string) []ledger.Account {
	dims := ledger.Dimensions{District: district}
	mk := func(code, label string, t ledger.AccountType, noOverdraft bool) ledger.Account {
		return ledger.Account{Code: code, Name: name + " " + label, Type: t, NoOverdraft: noOverdraft, Dimensions: dims}
	}
	return []ledger.Account{
		mk(a.fin(loanPrincipal), "应付贷款本金 principal outstanding", ledger.Liability, true),
		mk(a.fin(loanTransferred), "已拨付项目 drawn for projects", ledger.Expense, false),
		mk(a.fin(loanInterestPayable), "应付利息 interest payable", ledger.Liability, true),
		mk(a.fin(loanInterestExpense), "利息费用 interest expense", ledger.Expense, false),
		mk(a.fin(loanDebtService), "偿债资金 funds for debt service", ledger.Revenue, false),
		mk(a.fin(loanSubsidyReceived), "贴息资金 interest subsidies received", ledger.Asset, false),
		mk(a.budget(loanDebtRevenue), "债务收入 debt revenue", ledger.BudgetRevenue, false),
		mk(a.budget(loanTransferred), "贷款资金拨付 drawn for projects", ledger.BudgetExpense, false),
		mk(a.budget(loanDebtService), "偿债资金 funds for debt service", ledger.BudgetRevenue, false),
		mk(a.budget(loanInterestPaid), "债务付息支出 interest paid", ledger.BudgetExpense, false),
		mk(a.budget(loanPrincipalRepaid), "债务还本支出 principal repaid", ledger.BudgetExpense, false),
	}
}

// subsidyAccounts are the accounts of one level's subsidy of a loan.
func (a loanAccounts) subsidyAccounts(name, district, level string) []ledger.Account {
	dims := ledger.Dimensions{District: district, Source: level}
	label := sourceLabel(level)
	return []ledger.Account{
		{Code: a.fin(loanSubsidyIncome + ":" + level), Name: name + " " + label + "贴息收入 interest subsidy", Type: ledger.Revenue, Dimensions: dims},
		{Code: a.budget(loanSubsidyCommitted + ":" + level), Name: name + " " + label + "贴息下达 subsidy committed", Type: ledger.BudgetRevenue, Dimensions: dims},
		{Code: a.budget(loanSubsidyReceivable + ":" + level), Name: name + " " + label + "贴息待拨付 committed, not paid", Type: ledger.BudgetAsset,
			NoOverdraft: true, Dimensions: dims},
		{Code: a.budget(loanSubsidyReceived + ":" + level), Name: name + " " + label + "贴息已拨付 subsidy paid", Type: ledger.BudgetAsset, Dimensions: dims},
	}
}

func (p *Programme) ensureLoanAccounts(ctx context.Context, l Loan) error {
	key := "\x00loan\x00" + l.Code
	if _, done := p.ensured.Load(key); done {
		return nil
	}
	if err := p.ledger.CreateAccounts(ctx, loanAccounts{l.Code}.all("贷款 "+l.Code, l.District), "fundledger"); err != nil {
		return fmt.Errorf("accounts of loan %s: %w", l.Code, err)
	}
	p.ensured.Store(key, struct{}{})
	return nil
}

// CompanyInput registers an implementing company (项目实施主体).
type CompanyInput struct {
	Code     string `json:"code" validate:"required,max=64"`
	Name     string `json:"name" validate:"required,max=200"`
	District string `json:"district" validate:"required,max=100"`
}

// Company is a registered implementing company.
type Company struct {
	Code     string `db:"code" json:"code"`
	Name     string `db:"name" json:"name"`
	District string `db:"district" json:"district"`
}

// RegisterCompany registers an implementing company; the same again
// changes nothing, other data under the same code is ErrExists.
func (p *Programme) RegisterCompany(ctx context.Context, in CompanyInput, actor string) (Company, error) {
	what := fmt.Sprintf("register company %s", in.Code)
	if err := checkInput(what, in); err != nil {
		return Company{}, err
	}
	if actor == "" {
		return Company{}, fmt.Errorf("%w: %s: actor is required", ErrInvalid, what)
	}
	d, err := LookupDistrict(ctx, p.db, in.District)
	if err != nil {
		return Company{}, fmt.Errorf("%s: %w", what, err)
	}
	if _, err := p.db.ExecContext(ctx, `INSERT INTO implementing_companies (code, name, district, created_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (code) DO NOTHING`, in.Code, in.Name, d.Code, actor); err != nil {
		return Company{}, fmt.Errorf("%s: %w", what, err)
	}
	c, err := p.Company(ctx, in.Code)
	if err != nil {
		return Company{}, err
	}
	if c.Name != in.Name || c.District != d.Code {
		return Company{}, fmt.Errorf("%w: %s: a company with this code is registered as %s in %s", ErrExists, what, c.Name, c.District)
	}
	return c, nil
}

// Company returns a registered implementing company.
func (p *Programme) Company(ctx context.Context, code string) (Company, error) {
	var c Company
	err := p.db.GetContext(ctx, &c, `SELECT code, name, district FROM implementing_companies WHERE code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return Company{}, fmt.Errorf("company %q: %w (register it with `fundledger company register`)", code, ErrNotFound)
	}
	if err != nil {
		return Company{}, fmt.Errorf("company %s: %w", code, err)
	}
	return c, nil
}

// loanStartRate is the rate of the loan at its start.
func loanStartRate(in LoanInput) (rate decimal.Decimal, lpr any, err error) {
	switch in.RateKind {
	case RateFixed:
		if in.SpreadBP != 0 || in.ResetMonths != 0 || !in.LPRPct.IsZero() {
			return rate, nil, fmt.Errorf("a fixed-rate loan has no lpr_pct, spread_bp or reset_months")
		}
		return in.RatePct, nil, checkLoanRate(in.RatePct)
	default:
		if !in.RatePct.IsZero() {
			return rate, nil, fmt.Errorf("a floating-rate loan's rate is lpr_pct + spread_bp; leave rate_pct out")
		}
		if err := checkLoanRate(in.LPRPct); err != nil {
			return rate, nil, fmt.Errorf("lpr_pct: %w", err)
		}
		pm := loanPeriodMonths(in.Frequency)
		if in.ResetMonths <= 0 || pm == 0 || in.ResetMonths%pm != 0 {
			return rate, nil, fmt.Errorf("reset_months %d: want a whole number of %s periods (a rate resets on a due date)", in.ResetMonths, in.Frequency)
		}
		rate = in.LPRPct.Add(decimal.New(int64(in.SpreadBP), -2))
		if err := checkLoanRate(rate); err != nil {
			return rate, nil, fmt.Errorf("LPR %s + %d bp: %w", in.LPRPct, in.SpreadBP, err)
		}
		return rate, in.LPRPct.String(), nil
	}
}

// RegisterLoan registers a loan, its projects and its starting rate, and
// creates its accounts. Its schedule is generated at the first drawdown
// (a schedule is on what was drawn). The same loan again with the same
// terms changes nothing; other terms under the same code are ErrExists.
func (p *Programme) RegisterLoan(ctx context.Context, in LoanInput, actor string) (Loan, error) {
	ls, err := p.RegisterLoans(ctx, []LoanInput{in}, actor)
	if err != nil {
		return Loan{}, single(err)
	}
	return ls[0], nil
}

// RegisterLoans registers a batch of loans (a file) as RegisterLoan does
// one, all or nothing: every loan is checked before any is written, every
// refused one is listed (ItemErrors: its place in the batch, its code and
// the field and reason), and the loans are written in one transaction.
// Loans already registered with the same terms are left as they are.
func (p *Programme) RegisterLoans(ctx context.Context, ins []LoanInput, actor string) ([]Loan, error) {
	rows := make([]loanRow, len(ins))
	err := inBatch(ctx, p, "register loans", ins, func(in LoanInput) string { return in.Code },
		func(i int, in LoanInput) error {
			var err error
			rows[i], err = p.checkLoan(ctx, in, actor)
			return err
		},
		func(tx *sqlx.Tx, i int, _ LoanInput) error {
			if rows[i].exists {
				return nil
			}
			return insertLoan(ctx, tx, rows[i], actor)
		})
	if err != nil {
		return nil, err
	}
	out := make([]Loan, len(ins))
	for i, in := range ins {
		if out[i], err = p.Loan(ctx, in.Code); err != nil {
			return nil, err
		}
		if err := p.ensureLoanAccounts(ctx, out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// loanRow is a loan checked and ready to insert: its input normalised
// (civil dates, default source), its borrowing district and company, and
// its starting rate.
type loanRow struct {
	in       LoanInput
	district string
	company  any
	rate     decimal.Decimal
	lpr      any
	exists   bool // registered before with the same terms
}

// checkLoan checks a loan to register without writing.
func (p *Programme) checkLoan(ctx context.Context, in LoanInput, actor string) (loanRow, error) {
	what := fmt.Sprintf("register loan %s", in.Code)
	if err := checkInput(what, in); err != nil {
		return loanRow{}, err
	}
	if actor == "" {
		return loanRow{}, fmt.Errorf("%w: %s: actor is required", ErrInvalid, what)
	}
	if err := ledger.CheckAmount(in.Amount); err != nil || !in.Amount.Equal(in.Amount.Truncate(2)) {
		return loanRow{}, fmt.Errorf("%w: %s: amount %s: want an amount above zero in yuan and fen", ErrInvalid, what, in.Amount)
	}
	if in.Source == "" {
		in.Source = rules.SourcePolicyBank
	}
	if _, ok := rules.LookupSource(in.Source); !ok {
		return loanRow{}, fmt.Errorf("%w: %s: source %q is not a known funding source", ErrInvalid, what, in.Source)
	}
	in.Start = ledger.Civil(in.Start)
	in.Custom = append([]LoanMove(nil), in.Custom...)
	for i := range in.Custom {
		in.Custom[i].Date = ledger.Civil(in.Custom[i].Date)
	}
	r := loanRow{in: in}
	var err error
	if r.rate, r.lpr, err = loanStartRate(in); err != nil {
		return loanRow{}, fmt.Errorf("%w: %s: %w", ErrInvalid, what, err)
	}
	terms := LoanTerms{Start: in.Start, TermMonths: in.TermMonths, Frequency: in.Frequency, GraceMonths: in.GraceMonths,
		Repayment: in.Repayment, Custom: in.Custom, Rates: []LoanRate{{From: in.Start, RatePct: r.rate}},
		Draws: []LoanMove{{Date: in.Start, Amount: in.Amount}}}
	if _, err := GenerateLoanSchedule(terms); err != nil { // the terms make a schedule
		return loanRow{}, fmt.Errorf("%s: %w", what, err)
	}
	if r.district, r.company, err = p.loanBorrower(ctx, in); err != nil {
		return loanRow{}, fmt.Errorf("%s: %w", what, err)
	}
	seen := map[string]bool{}
	for _, pr := range in.Projects {
		if seen[pr] {
			return loanRow{}, fmt.Errorf("%w: %s: project %s is listed twice", ErrInvalid, what, pr)
		}
		seen[pr] = true
		if _, err := p.Project(ctx, pr); err != nil {
			return loanRow{}, fmt.Errorf("%s: %w", what, err)
		}
	}
	existing, err := p.Loan(ctx, in.Code)
	switch {
	case err == nil && !sameLoan(existing, in, r.district, r.rate):
		return loanRow{}, fmt.Errorf("%w: %s: a loan with this code is registered with other terms", ErrExists, what)
	case err == nil:
		r.exists = true
	case !errors.Is(err, ErrNotFound):
		return loanRow{}, err
	}
	return r, nil
}

// loanBorrower is the district (code) and company (nil when none) that
// borrow a loan: the company's district, or the district named.
func (p *Programme) loanBorrower(ctx context.Context, in LoanInput) (string, any, error) {
	if in.Company == "" {
		if in.District == "" {
			return "", nil, fmt.Errorf("%w: name the borrowing district or company", ErrInvalid)
		}
		d, err := LookupDistrict(ctx, p.db, in.District)
		return d.Code, nil, err
	}
	c, err := p.Company(ctx, in.Company)
	if err != nil {
		return "", nil, err
	}
	if in.District != "" {
		d, err := LookupDistrict(ctx, p.db, in.District)
		if err != nil {
			return "", nil, err
		}
		if d.Code != c.District {
			return "", nil, fmt.Errorf("%w: company %s is in district %s, not %s", ErrInvalid, c.Code, c.District, d.Code)
		}
	}
	return c.District, c.Code, nil
}

// insertLoan writes a checked loan: its row, projects, custom repayments
// and contract rate.
func insertLoan(ctx context.Context, tx *sqlx.Tx, r loanRow, actor string) error {
	in := r.in
	var spread, reset any
	if in.RateKind == RateFloating {
		spread, reset = in.SpreadBP, in.ResetMonths
	}
	err := func() error {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO loans (code, name, lender, lender_kind, district, company, source, amount, rate_kind, spread_bp, reset_months,
			                   start_date, term_months, frequency, grace_months, repayment, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			in.Code, in.Name, in.Lender, in.LenderKind, r.district, r.company, in.Source, in.Amount.StringFixed(2), in.RateKind, spread, reset,
			in.Start.Format(ledger.DateLayout), in.TermMonths, in.Frequency, in.GraceMonths, in.Repayment, actor); err != nil {
			return err
		}
		for _, pr := range in.Projects {
			if _, err := tx.ExecContext(ctx, `INSERT INTO loan_projects (loan, project) VALUES ($1, $2)`, in.Code, pr); err != nil {
				return err
			}
		}
		for _, c := range in.Custom {
			if _, err := tx.ExecContext(ctx, `INSERT INTO loan_custom_repayments (loan, due_date, amount) VALUES ($1, $2, $3)`,
				in.Code, c.Date.Format(ledger.DateLayout), c.Amount.StringFixed(2)); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO loan_rates (loan, effective_from, lpr_pct, rate_pct, reason, actor) VALUES ($1, $2, $3, $4, $5, $6)`,
			in.Code, in.Start.Format(ledger.DateLayout), r.lpr, r.rate.String(), "contract rate 合同利率", actor)
		return err
	}()
	if err != nil {
		return fmt.Errorf("register loan %s: %w", in.Code, err)
	}
	return nil
}

func sameLoan(a Loan, in LoanInput, district string, rate decimal.Decimal) bool {
	if a.Name != in.Name || a.Lender != in.Lender || a.LenderKind != in.LenderKind || a.District != district || a.Company != in.Company ||
		a.Source != in.Source || !a.Amount.Equal(in.Amount) || a.RateKind != in.RateKind || !a.Start.Equal(in.Start) ||
		a.TermMonths != in.TermMonths || a.Frequency != in.Frequency || a.GraceMonths != in.GraceMonths || a.Repayment != in.Repayment ||
		len(a.Projects) != len(in.Projects) {
		return false
	}
	if in.RateKind == RateFloating && (a.SpreadBP != in.SpreadBP || a.ResetMonths != in.ResetMonths) {
		return false
	}
	set := map[string]bool{}
	for _, pr := range a.Projects {
		set[pr] = true
	}
	for _, pr := range in.Projects {
		if !set[pr] {
			return false
		}
	}
	return true
}

const loanColumns = `code, name, lender, lender_kind, district, coalesce(company, '') AS company, source, amount, rate_kind,
	coalesce(spread_bp, 0) AS spread_bp, coalesce(reset_months, 0) AS reset_months, start_date, term_months, frequency,
	grace_months, repayment, created_at, created_by`

// Loan returns a registered loan with its projects (ErrNotFound if none).
func (p *Programme) Loan(ctx context.Context, code string) (Loan, error) {
	return loanByCode(ctx, p.db, code)
}

func loanByCode(ctx context.Context, db sqlx.QueryerContext, code string) (Loan, error) {
	var l Loan
	err := sqlx.GetContext(ctx, db, &l, `SELECT `+loanColumns+` FROM loans WHERE code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return Loan{}, fmt.Errorf("loan %q: %w (register it with `fundledger loan register`)", code, ErrNotFound)
	}
	if err != nil {
		return Loan{}, fmt.Errorf("loan %s: %w", code, err)
	}
	l.Start = ledger.Civil(l.Start)
	if err := sqlx.SelectContext(ctx, db, &l.Projects, `SELECT project FROM loan_projects WHERE loan = $1 ORDER BY project`, code); err != nil {
		return Loan{}, fmt.Errorf("loan %s: %w", code, err)
	}
	return l, nil
}

// MaxLoans bounds a listing of loans.
const MaxLoans = 10000

// Loans lists the registered loans by code, those of one district (code or
// Chinese name) when district is given.
func (p *Programme) Loans(ctx context.Context, district string) ([]Loan, error) {
	code := ""
	if district != "" {
		d, err := LookupDistrict(ctx, p.db, district)
		if err != nil {
			return nil, fmt.Errorf("loans: %w", err)
		}
		code = d.Code
	}
	var codes []string
	if err := p.db.SelectContext(ctx, &codes, `SELECT code FROM loans WHERE $1 = '' OR district = $1 ORDER BY code LIMIT $2`, code, MaxLoans); err != nil {
		return nil, fmt.Errorf("loans: %w", err)
	}
	out := make([]Loan, 0, len(codes))
	for _, c := range codes {
		l, err := p.Loan(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// lockLoan serialises the writers of one loan's records for the rest of
// the transaction.
func lockLoan(ctx context.Context, tx *sqlx.Tx, code string) error {
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM (SELECT 1 FROM loans WHERE code = $1 FOR UPDATE) x`, code); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("loan %q: %w", code, ErrNotFound)
	}
	return nil
}
