package funding

// Capital injections (资本金注入) into implementing companies, and
// investment subsidies (投资补助): two ways the plan funds projects that are
// neither grants to the project nor its revenue.
//
// A capital injection is the government's equity in the company, earmarked
// to one of the company's projects; the company's use of it is traceable
// to that project (company C, project P of district D, level S):
//
//	financial  capital_cash:C:P          asset, no overdraft — injected, not yet used
//	           capital_paid_in:C:P:S     net_assets — 实收资本, the government's equity
//	           capital_used:C:P:CAT      expense — capital used on works of category CAT
//	budget     budget:capital_available:C:P     budget_asset, no overdraft
//	           budget:capital_received:C:P:S    budget_revenue — 资本金到位
//	           budget:capital_spent:C:P:CAT     budget_expense
//
// An investment subsidy is approved for a project as a share of its
// approved investment (the cap), committed in the budget book at approval,
// and paid on progress: the payments never exceed the share of the
// investment completed, nor the cap (project P of district D, level S):
//
//	financial  invsub_cash:D:P:S        asset, no overdraft — received
//	           invsub_received:D:P:S    revenue — 投资补助收入
//	budget     budget:invsub_committed:D:P:S   budget_revenue — approved (the cap)
//	           budget:invsub_receivable:D:P:S  budget_asset, no overdraft — approved, not yet paid
//	           budget:invsub_available:D:P:S   budget_asset — paid
//
// None of these codes starts with cash:, revenue:, expense: or
// budget:committed|receivable|available|spent:, so the sources of a
// project (funding.ProjectReport) stay what the rule sets committed;
// CapitalReport shows these lines separately.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
	"fundledger/rules"
)

type companyAccounts struct{ company, project string }

// fin and budget name the accounts of a company's capital for a project:
// ROLE:C:P[:extra] (the role first, so that the balance sheet's account
// class says what it is, per company).
func (a companyAccounts) fin(role string) string {
	r, extra, _ := strings.Cut(role, ":")
	return joinCode("capital_"+r, a.company, a.project, extra)
}
func (a companyAccounts) budget(role string) string {
	r, extra, _ := strings.Cut(role, ":")
	return joinCode("budget:capital_"+r, a.company, a.project, extra)
}

func joinCode(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ":")
}

// CapitalInjectionRequest injects capital into an implementing company for
// one of its projects.
type CapitalInjectionRequest struct {
	Company        string          `json:"company" validate:"required"`
	Project        string          `json:"project" validate:"required"`
	Level          string          `json:"level" validate:"required,oneof=central provincial municipal district"`
	Amount         decimal.Decimal `json:"amount"`
	InjectedOn     time.Time       `json:"injected_on" validate:"required"`
	Reference      string          `json:"reference" validate:"max=200"`
	IdempotencyKey string          `json:"idempotency_key" validate:"required,max=150"`
	Actor          string          `json:"actor" validate:"required"`
}

// CapitalInjection is a recorded injection.
type CapitalInjection struct {
	ID             int64           `json:"id"`
	Company        string          `json:"company"`
	Project        string          `json:"project"`
	Level          string          `json:"level"`
	Amount         decimal.Decimal `json:"amount"`
	InjectedOn     time.Time       `json:"injected_on"`
	FinancialEntry int64           `json:"financial_entry"`
	BudgetEntry    int64           `json:"budget_entry"`
	Replayed       bool            `json:"replayed,omitempty"`
}

// InjectCapital records a capital injection (资本金注入): equity of the
// level of government in the company, earmarked to the project (the
// company's district must be the project's):
//
//	financial  Dr capital_cash:C:P / Cr capital_paid_in:C:P:S
//	budget     Dr budget:capital_available:C:P / Cr budget:capital_received:C:P:S
//
// The same idempotency key again returns the recorded injection.
func (p *Programme) InjectCapital(ctx context.Context, r CapitalInjectionRequest) (CapitalInjection, error) {
	what := fmt.Sprintf("inject capital into %s for project %s (%q)", r.Company, r.Project, r.IdempotencyKey)
	if err := checkInput(what, r); err != nil {
		return CapitalInjection{}, err
	}
	if err := ledger.CheckAmount(r.Amount); err != nil {
		return CapitalInjection{}, fmt.Errorf("%s: %w", what, err)
	}
	on := ledger.Civil(r.InjectedOn)
	c, err := p.Company(ctx, r.Company)
	if err != nil {
		return CapitalInjection{}, fmt.Errorf("%s: %w", what, err)
	}
	pr, err := p.Project(ctx, r.Project)
	if err != nil {
		return CapitalInjection{}, fmt.Errorf("%s: %w", what, err)
	}
	if pr.District != c.District {
		return CapitalInjection{}, fmt.Errorf("%w: %s: the company is in district %s, the project in %s", ErrInvalid, what, c.District, pr.District)
	}
	a := companyAccounts{c.Code, pr.Code}
	dims := ledger.Dimensions{District: pr.District, Project: pr.Code}
	label := sourceLabel(r.Level)
	if err := p.ledger.CreateAccounts(ctx, []ledger.Account{
		{Code: a.fin("cash"), Name: c.Name + " 资本金 " + pr.Code + " capital not yet used", Type: ledger.Asset, NoOverdraft: true, Dimensions: dims},
		{Code: a.fin("paid_in:" + r.Level), Name: c.Name + " 实收资本 " + label + " government equity", Type: ledger.NetAssets, Dimensions: dims},
		{Code: a.budget("available"), Name: c.Name + " 资本金结存 " + pr.Code, Type: ledger.BudgetAsset, NoOverdraft: true, Dimensions: dims},
		{Code: a.budget("received:" + r.Level), Name: c.Name + " 资本金到位 " + label, Type: ledger.BudgetRevenue, Dimensions: dims},
	}, "fundledger"); err != nil {
		return CapitalInjection{}, fmt.Errorf("%s: %w", what, err)
	}
	meta := map[string]string{"kind": "capital_injection", "company": c.Code, "project": pr.Code, "district": pr.District, "level": r.Level,
		"reference": r.Reference}
	memo := autoMemo(meta, MemoCapitalInjection, "资本金注入：%s向 %s 注入资本金，用于项目 %s", srcArg(r.Level), txtArg(c.Code), txtArg(pr.Code))
	out := CapitalInjection{Company: c.Code, Project: pr.Code, Level: r.Level, Amount: r.Amount, InjectedOn: on}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		var prior []struct {
			ID      int64           `db:"id"`
			Company string          `db:"company"`
			Project string          `db:"project"`
			Level   string          `db:"source"`
			Amount  decimal.Decimal `db:"amount"`
			On      time.Time       `db:"injected_on"`
			Fin     int64           `db:"financial_entry_id"`
			Bud     int64           `db:"budget_entry_id"`
		}
		if err := tx.SelectContext(ctx, &prior, `SELECT id, company, project, source, amount, injected_on, financial_entry_id, budget_entry_id
			FROM capital_injections WHERE idempotency_key = $1`, r.IdempotencyKey); err != nil {
			return err
		}
		if len(prior) > 0 {
			x := prior[0]
			if x.Company != c.Code || x.Project != pr.Code || x.Level != r.Level || !x.Amount.Equal(r.Amount) || !ledger.Civil(x.On).Equal(on) {
				return fmt.Errorf("%w: key %q was used by injection %d (%s into %s for %s on %s)", ledger.ErrIdempotencyConflict, r.IdempotencyKey,
					x.ID, x.Amount.StringFixed(2), x.Company, x.Project, ledger.Civil(x.On).Format(ledger.DateLayout))
			}
			out.ID, out.FinancialEntry, out.BudgetEntry, out.Replayed = x.ID, x.Fin, x.Bud, true
			return nil
		}
		posted, err := ledger.PostInTx(ctx, tx, []ledger.Entry{
			{Book: ledger.BookFinancial, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/financial", Metadata: meta,
				Postings: []ledger.Posting{
					{AccountCode: a.fin("cash"), Side: ledger.Debit, Amount: r.Amount},
					{AccountCode: a.fin("paid_in:" + r.Level), Side: ledger.Credit, Amount: r.Amount}}},
			{Book: ledger.BookBudget, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/budget", Metadata: meta,
				Postings: []ledger.Posting{
					{AccountCode: a.budget("available"), Side: ledger.Debit, Amount: r.Amount},
					{AccountCode: a.budget("received:" + r.Level), Side: ledger.Credit, Amount: r.Amount}}},
		})
		if err != nil {
			return err
		}
		out.FinancialEntry, out.BudgetEntry = posted[0].ID, posted[1].ID
		return tx.GetContext(ctx, &out.ID, `
			INSERT INTO capital_injections (company, project, source, amount, injected_on, reference, idempotency_key, financial_entry_id, budget_entry_id, actor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			c.Code, pr.Code, r.Level, r.Amount.StringFixed(2), on.Format(ledger.DateLayout), r.Reference, r.IdempotencyKey, out.FinancialEntry,
			out.BudgetEntry, r.Actor)
	})
	if err != nil {
		return CapitalInjection{}, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// CapitalUseRequest records the company's use of injected capital on a
// project's works of a category.
type CapitalUseRequest struct {
	Company        string          `json:"company" validate:"required"`
	Project        string          `json:"project" validate:"required"`
	Category       string          `json:"category" validate:"required"`
	Amount         decimal.Decimal `json:"amount"`
	PaidOn         time.Time       `json:"paid_on" validate:"required"`
	Reference      string          `json:"reference" validate:"max=200"`
	IdempotencyKey string          `json:"idempotency_key" validate:"required,max=150"`
	Actor          string          `json:"actor" validate:"required"`
}

// CapitalUse is a recorded use of capital.
type CapitalUse struct {
	ID             int64           `json:"id"`
	Amount         decimal.Decimal `json:"amount"`
	FinancialEntry int64           `json:"financial_entry"`
	BudgetEntry    int64           `json:"budget_entry"`
	Replayed       bool            `json:"replayed,omitempty"`
}

// ErrExceedsCapital: a use of capital beyond what was injected for the
// project and not yet used. Also ErrInvalid.
var ErrExceedsCapital error = &kindError{"use exceeds the capital injected for the project", ErrInvalid}

// UseCapital records that the company paid works of the project out of the
// capital injected for it (no overdraft: never more than injected):
//
//	financial  Dr capital_used:C:P:CAT / Cr capital_cash:C:P
//	budget     Dr budget:capital_spent:C:P:CAT / Cr budget:capital_available:C:P
func (p *Programme) UseCapital(ctx context.Context, r CapitalUseRequest) (CapitalUse, error) {
	what := fmt.Sprintf("use capital of %s on project %s (%q)", r.Company, r.Project, r.IdempotencyKey)
	if err := checkInput(what, r); err != nil {
		return CapitalUse{}, err
	}
	if err := ledger.CheckAmount(r.Amount); err != nil {
		return CapitalUse{}, fmt.Errorf("%s: %w", what, err)
	}
	if _, ok := rules.LookupCategory(r.Category); !ok {
		return CapitalUse{}, fmt.Errorf("%w: %s: category %q is not a retrofit category", ErrInvalid, what, r.Category)
	}
	on := ledger.Civil(r.PaidOn)
	c, err := p.Company(ctx, r.Company)
	if err != nil {
		return CapitalUse{}, fmt.Errorf("%s: %w", what, err)
	}
	pr, err := p.Project(ctx, r.Project)
	if err != nil {
		return CapitalUse{}, fmt.Errorf("%s: %w", what, err)
	}
	a := companyAccounts{c.Code, pr.Code}
	if _, err := p.ledger.Account(ctx, a.fin("cash")); err != nil {
		return CapitalUse{}, fmt.Errorf("%w: %s: no capital was injected into %s for project %s", ErrExceedsCapital, what, c.Code, pr.Code)
	}
	dims := ledger.Dimensions{District: pr.District, Project: pr.Code, Category: r.Category}
	if err := p.ledger.CreateAccounts(ctx, []ledger.Account{
		{Code: a.fin("used:" + r.Category), Name: c.Name + " 资本金支出 " + categoryLabel(r.Category), Type: ledger.Expense, Dimensions: dims},
		{Code: a.budget("spent:" + r.Category), Name: c.Name + " 资本金预算支出 " + categoryLabel(r.Category), Type: ledger.BudgetExpense, Dimensions: dims},
	}, "fundledger"); err != nil {
		return CapitalUse{}, fmt.Errorf("%s: %w", what, err)
	}
	meta := map[string]string{"kind": "capital_use", "company": c.Code, "project": pr.Code, "district": pr.District, "category": r.Category,
		"reference": r.Reference}
	memo := autoMemo(meta, MemoCapitalUse, "资本金支出：%s 以注入的资本金支付项目 %s 的%s工程", txtArg(c.Code), txtArg(pr.Code), catArg(r.Category))
	var out CapitalUse
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		var prior []struct {
			ID     int64           `db:"id"`
			Amount decimal.Decimal `db:"amount"`
			Fin    int64           `db:"financial_entry_id"`
		}
		if err := tx.SelectContext(ctx, &prior, `SELECT id, amount, financial_entry_id FROM capital_uses WHERE idempotency_key = $1`, r.IdempotencyKey); err != nil {
			return err
		}
		if len(prior) > 0 {
			if !prior[0].Amount.Equal(r.Amount) {
				return fmt.Errorf("%w: key %q was used by capital use %d", ledger.ErrIdempotencyConflict, r.IdempotencyKey, prior[0].ID)
			}
			out = CapitalUse{ID: prior[0].ID, Amount: prior[0].Amount, FinancialEntry: prior[0].Fin, Replayed: true}
			return nil
		}
		posted, err := ledger.PostInTx(ctx, tx, []ledger.Entry{
			{Book: ledger.BookFinancial, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/financial", Metadata: meta,
				Postings: []ledger.Posting{
					{AccountCode: a.fin("used:" + r.Category), Side: ledger.Debit, Amount: r.Amount},
					{AccountCode: a.fin("cash"), Side: ledger.Credit, Amount: r.Amount}}},
			{Book: ledger.BookBudget, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/budget", Metadata: meta,
				Postings: []ledger.Posting{
					{AccountCode: a.budget("spent:" + r.Category), Side: ledger.Debit, Amount: r.Amount},
					{AccountCode: a.budget("available"), Side: ledger.Credit, Amount: r.Amount}}},
		})
		if err != nil {
			return err
		}
		out = CapitalUse{Amount: r.Amount, FinancialEntry: posted[0].ID, BudgetEntry: posted[1].ID}
		return tx.GetContext(ctx, &out.ID, `
			INSERT INTO capital_uses (company, project, category, amount, paid_on, reference, idempotency_key, financial_entry_id, actor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			c.Code, pr.Code, r.Category, r.Amount.StringFixed(2), on.Format(ledger.DateLayout), r.Reference, r.IdempotencyKey, out.FinancialEntry, r.Actor)
	})
	if errors.Is(err, ledger.ErrOverdraft) {
		left, berr := p.ledger.Balance(ctx, a.fin("cash"), on)
		if berr == nil {
			return CapitalUse{}, fmt.Errorf("%w: %s: %s is more than the %s of capital injected and not yet used as of %s", ErrExceedsCapital, what,
				r.Amount.StringFixed(2), left.StringFixed(2), on.Format(ledger.DateLayout))
		}
	}
	if err != nil {
		return CapitalUse{}, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

type invsubAccounts struct{ district, project, level string }

func (a invsubAccounts) fin(role string) string {
	return "invsub_" + role + ":" + a.district + ":" + a.project + ":" + a.level
}
func (a invsubAccounts) budget(role string) string {
	return "budget:invsub_" + role + ":" + a.district + ":" + a.project + ":" + a.level
}

// InvestmentSubsidyApproval approves an investment subsidy (投资补助) for a
// project: SharePct of the approved investment, at most Cap.
type InvestmentSubsidyApproval struct {
	Project string `json:"project" validate:"required"`
	Level   string `json:"level" validate:"required,oneof=central provincial municipal district"`
	// SharePct of the approved investment, in per cent (at most 4 decimals).
	SharePct decimal.Decimal `json:"share_pct"`
	// ApprovedInvestment; zero means the project's latest approved budget total.
	ApprovedInvestment decimal.Decimal `json:"approved_investment"`
	// Cap; zero means the share of the approved investment, truncated to the fen.
	Cap        decimal.Decimal `json:"cap"`
	ApprovedOn time.Time       `json:"approved_on" validate:"required"`
	Actor      string          `json:"actor" validate:"required"`
}

// InvestmentSubsidy is an approved investment subsidy and what was paid.
type InvestmentSubsidy struct {
	Project             string          `db:"project" json:"project"`
	Level               string          `db:"source" json:"level"`
	SharePct            decimal.Decimal `db:"share_pct" json:"share_pct"`
	ApprovedInvestment  decimal.Decimal `db:"approved_investment" json:"approved_investment"`
	Cap                 decimal.Decimal `db:"cap" json:"cap"`
	ApprovedOn          time.Time       `db:"approved_on" json:"approved_on"`
	BudgetEntry         int64           `db:"budget_entry_id" json:"budget_entry"`
	Paid                decimal.Decimal `db:"paid" json:"paid"`
	CompletedInvestment decimal.Decimal `db:"completed" json:"completed_investment"`
}

// ApproveInvestmentSubsidy approves a project's investment subsidy and
// commits its cap in the budget book:
//
//	budget  Dr budget:invsub_receivable:D:P:S / Cr budget:invsub_committed:D:P:S
//
// Once per project and level; the same approval again changes nothing.
func (p *Programme) ApproveInvestmentSubsidy(ctx context.Context, r InvestmentSubsidyApproval) (InvestmentSubsidy, error) {
	what := fmt.Sprintf("approve the %s investment subsidy of project %s", r.Level, r.Project)
	if err := checkInput(what, r); err != nil {
		return InvestmentSubsidy{}, err
	}
	if !r.SharePct.IsPositive() || r.SharePct.GreaterThan(decimal.NewFromInt(100)) || !r.SharePct.Equal(r.SharePct.Truncate(4)) {
		return InvestmentSubsidy{}, fmt.Errorf("%w: %s: share_pct %s: want above 0, at most 100, at most 4 decimals", ErrInvalid, what, r.SharePct)
	}
	pr, err := p.Project(ctx, r.Project)
	if err != nil {
		return InvestmentSubsidy{}, fmt.Errorf("%s: %w", what, err)
	}
	if r.ApprovedInvestment.IsZero() {
		appr, err := p.LatestApproval(ctx, pr.Code)
		if err != nil {
			return InvestmentSubsidy{}, fmt.Errorf("%s: the approved investment is not given and the project has no approved budget: %w", what, err)
		}
		r.ApprovedInvestment = appr.Total
	}
	if err := ledger.CheckAmount(r.ApprovedInvestment); err != nil {
		return InvestmentSubsidy{}, fmt.Errorf("%s: approved_investment: %w", what, err)
	}
	share := r.ApprovedInvestment.Mul(r.SharePct).Div(decimal.NewFromInt(100)).Truncate(2)
	if r.Cap.IsZero() {
		r.Cap = share
	}
	if !r.Cap.IsPositive() || r.Cap.GreaterThan(share) || !r.Cap.Equal(r.Cap.Truncate(2)) {
		return InvestmentSubsidy{}, fmt.Errorf("%w: %s: cap %s: want above 0 and at most %s%% of %s = %s", ErrInvalid, what, r.Cap.StringFixed(2),
			r.SharePct, r.ApprovedInvestment.StringFixed(2), share.StringFixed(2))
	}
	on := ledger.Civil(r.ApprovedOn)
	a := invsubAccounts{pr.District, pr.Code, r.Level}
	dims := ledger.Dimensions{District: pr.District, Project: pr.Code}
	label := sourceLabel(r.Level)
	if err := p.ledger.CreateAccounts(ctx, []ledger.Account{
		{Code: a.fin("cash"), Name: label + "投资补助资金 investment subsidy received", Type: ledger.Asset, NoOverdraft: true, Dimensions: dims},
		{Code: a.fin("received"), Name: label + "投资补助收入 investment subsidy", Type: ledger.Revenue, Dimensions: dims},
		{Code: a.budget("committed"), Name: label + "投资补助下达 approved", Type: ledger.BudgetRevenue, Dimensions: dims},
		{Code: a.budget("receivable"), Name: label + "投资补助待拨付 approved, not paid", Type: ledger.BudgetAsset, NoOverdraft: true, Dimensions: dims},
		{Code: a.budget("available"), Name: label + "投资补助已到位 paid", Type: ledger.BudgetAsset, Dimensions: dims},
	}, "fundledger"); err != nil {
		return InvestmentSubsidy{}, fmt.Errorf("%s: %w", what, err)
	}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		existing, found, err := investmentSubsidy(ctx, tx, pr.Code, r.Level)
		if err != nil {
			return err
		}
		if found {
			if !existing.SharePct.Equal(r.SharePct) || !existing.ApprovedInvestment.Equal(r.ApprovedInvestment) || !existing.Cap.Equal(r.Cap) {
				return fmt.Errorf("%w: approved already with share %s%% of %s, cap %s", ErrExists, existing.SharePct, existing.ApprovedInvestment.StringFixed(2),
					existing.Cap.StringFixed(2))
			}
			return nil
		}
		meta := map[string]string{"kind": "investment_subsidy_approval", "project": pr.Code, "district": pr.District, "level": r.Level}
		memo := autoMemo(meta, MemoInvestmentSubsidy, "投资补助下达：%s对项目 %s 按批复投资 %s 元的 %s%% 补助，最多 %s 元", srcArg(r.Level), txtArg(pr.Code),
			txtArg(r.ApprovedInvestment.StringFixed(2)), txtArg(r.SharePct.String()), txtArg(r.Cap.StringFixed(2)))
		posted, err := ledger.PostInTx(ctx, tx, []ledger.Entry{{Book: ledger.BookBudget, EffectiveDate: on, Memo: memo, Actor: r.Actor,
			IdempotencyKey: "invsub:" + pr.Code + ":" + r.Level + "/approve",
			Metadata:       meta,
			Postings: []ledger.Posting{
				{AccountCode: a.budget("receivable"), Side: ledger.Debit, Amount: r.Cap},
				{AccountCode: a.budget("committed"), Side: ledger.Credit, Amount: r.Cap}}}})
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO investment_subsidies (project, source, share_pct, approved_investment, cap, approved_on, budget_entry_id, actor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, pr.Code, r.Level, r.SharePct.String(), r.ApprovedInvestment.StringFixed(2), r.Cap.StringFixed(2),
			on.Format(ledger.DateLayout), posted[0].ID, r.Actor)
		return err
	})
	if err != nil {
		return InvestmentSubsidy{}, fmt.Errorf("%s: %w", what, err)
	}
	s, _, err := investmentSubsidy(ctx, p.db, pr.Code, r.Level)
	return s, err
}

func investmentSubsidy(ctx context.Context, db sqlx.QueryerContext, project, level string) (InvestmentSubsidy, bool, error) {
	var rows []InvestmentSubsidy
	if err := sqlx.SelectContext(ctx, db, &rows, `
		SELECT s.project, s.source, s.share_pct, s.approved_investment, s.cap, s.approved_on, s.budget_entry_id,
		       coalesce((SELECT sum(amount) FROM investment_subsidy_payments x WHERE x.project = s.project AND x.source = s.source), 0) AS paid,
		       coalesce((SELECT max(completed_investment) FROM investment_subsidy_payments x WHERE x.project = s.project AND x.source = s.source), 0) AS completed
		  FROM investment_subsidies s WHERE s.project = $1 AND s.source = $2`, project, level); err != nil {
		return InvestmentSubsidy{}, false, err
	}
	if len(rows) == 0 {
		return InvestmentSubsidy{}, false, nil
	}
	rows[0].ApprovedOn = ledger.Civil(rows[0].ApprovedOn)
	return rows[0], true, nil
}

// InvestmentSubsidyPaymentRequest pays an investment subsidy on progress:
// CompletedInvestment is the investment completed to date (as certified).
type InvestmentSubsidyPaymentRequest struct {
	Project             string          `json:"project" validate:"required"`
	Level               string          `json:"level" validate:"required,oneof=central provincial municipal district"`
	CompletedInvestment decimal.Decimal `json:"completed_investment"`
	// Amount to pay; zero pays all that progress allows.
	Amount         decimal.Decimal `json:"amount"`
	PaidOn         time.Time       `json:"paid_on" validate:"required"`
	Reference      string          `json:"reference" validate:"max=200"`
	IdempotencyKey string          `json:"idempotency_key" validate:"required,max=150"`
	Actor          string          `json:"actor" validate:"required"`
}

// InvestmentSubsidyPayment is a recorded payment.
type InvestmentSubsidyPayment struct {
	ID             int64           `json:"id"`
	Amount         decimal.Decimal `json:"amount"`
	Allowed        decimal.Decimal `json:"allowed"` // share of the completed investment, at most the cap, less what was paid before
	FinancialEntry int64           `json:"financial_entry"`
	BudgetEntry    int64           `json:"budget_entry"`
	Replayed       bool            `json:"replayed,omitempty"`
}

// PayInvestmentSubsidy pays on progress: all payments so far never exceed
// truncate(completed investment × share ÷ 100, 2) nor the cap
// (ErrInvestmentSubsidyExceeded; the database refuses it too), and the
// completed investment reported never goes down nor above the approved:
//
//	financial  Dr invsub_cash:D:P:S / Cr invsub_received:D:P:S
//	budget     Dr budget:invsub_available:D:P:S / Cr budget:invsub_receivable:D:P:S (no overdraft)
func (p *Programme) PayInvestmentSubsidy(ctx context.Context, r InvestmentSubsidyPaymentRequest) (InvestmentSubsidyPayment, error) {
	what := fmt.Sprintf("pay the %s investment subsidy of project %s (%q)", r.Level, r.Project, r.IdempotencyKey)
	if err := checkInput(what, r); err != nil {
		return InvestmentSubsidyPayment{}, err
	}
	if err := ledger.CheckAmount(r.CompletedInvestment); err != nil {
		return InvestmentSubsidyPayment{}, fmt.Errorf("%s: completed_investment: %w", what, err)
	}
	if r.Amount.IsNegative() || !r.Amount.Equal(r.Amount.Truncate(2)) {
		return InvestmentSubsidyPayment{}, fmt.Errorf("%w: %s: amount %s: want zero (all that progress allows) or an amount in yuan and fen", ErrInvalid, what, r.Amount)
	}
	on := ledger.Civil(r.PaidOn)
	pr, err := p.Project(ctx, r.Project)
	if err != nil {
		return InvestmentSubsidyPayment{}, fmt.Errorf("%s: %w", what, err)
	}
	a := invsubAccounts{pr.District, pr.Code, r.Level}
	var out InvestmentSubsidyPayment
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		var prior []struct {
			ID     int64           `db:"id"`
			Amount decimal.Decimal `db:"amount"`
			Fin    int64           `db:"financial_entry_id"`
			Bud    int64           `db:"budget_entry_id"`
		}
		if err := tx.SelectContext(ctx, &prior, `SELECT id, amount, financial_entry_id, budget_entry_id FROM investment_subsidy_payments
			WHERE idempotency_key = $1`, r.IdempotencyKey); err != nil {
			return err
		}
		if len(prior) > 0 {
			out = InvestmentSubsidyPayment{ID: prior[0].ID, Amount: prior[0].Amount, FinancialEntry: prior[0].Fin, BudgetEntry: prior[0].Bud, Replayed: true}
			return nil
		}
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM investment_subsidies WHERE project = $1 AND source = $2 FOR UPDATE`, pr.Code, r.Level); err != nil {
			return err
		}
		s, found, err := investmentSubsidy(ctx, tx, pr.Code, r.Level)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%w: no %s investment subsidy is approved for project %s", ErrNotFound, r.Level, pr.Code)
		}
		if r.CompletedInvestment.LessThan(s.CompletedInvestment) || r.CompletedInvestment.GreaterThan(s.ApprovedInvestment) {
			return fmt.Errorf("%w: completed investment %s: want between the %s reported before and the approved %s", ErrInvalid,
				r.CompletedInvestment.StringFixed(2), s.CompletedInvestment.StringFixed(2), s.ApprovedInvestment.StringFixed(2))
		}
		limit := decimal.Min(r.CompletedInvestment.Mul(s.SharePct).Div(decimal.NewFromInt(100)).Truncate(2), s.Cap)
		out.Allowed = limit.Sub(s.Paid)
		out.Amount = r.Amount
		if out.Amount.IsZero() {
			out.Amount = out.Allowed
		}
		if !out.Amount.IsPositive() || out.Amount.GreaterThan(out.Allowed) {
			return fmt.Errorf("%w: %s%% of the %s completed (at most the cap %s) allows %s in all; %s was paid before, so %s may be paid now, not %s",
				ErrInvestmentSubsidyExceeded, s.SharePct, r.CompletedInvestment.StringFixed(2), s.Cap.StringFixed(2), limit.StringFixed(2),
				s.Paid.StringFixed(2), out.Allowed.StringFixed(2), out.Amount.StringFixed(2))
		}
		meta := map[string]string{"kind": "investment_subsidy_payment", "project": pr.Code, "district": pr.District, "level": r.Level,
			"completed_investment": r.CompletedInvestment.StringFixed(2), "reference": r.Reference}
		memo := autoMemo(meta, MemoInvestmentSubsidyPayment, "投资补助拨付：%s按已完成投资 %s 元向项目 %s 拨付补助", srcArg(r.Level),
			txtArg(r.CompletedInvestment.StringFixed(2)), txtArg(pr.Code))
		posted, err := ledger.PostInTx(ctx, tx, []ledger.Entry{
			{Book: ledger.BookFinancial, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/financial", Metadata: meta,
				Postings: []ledger.Posting{
					{AccountCode: a.fin("cash"), Side: ledger.Debit, Amount: out.Amount},
					{AccountCode: a.fin("received"), Side: ledger.Credit, Amount: out.Amount}}},
			{Book: ledger.BookBudget, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/budget", Metadata: meta,
				Postings: []ledger.Posting{
					{AccountCode: a.budget("available"), Side: ledger.Debit, Amount: out.Amount},
					{AccountCode: a.budget("receivable"), Side: ledger.Credit, Amount: out.Amount}}},
		})
		if err != nil {
			return err
		}
		out.FinancialEntry, out.BudgetEntry = posted[0].ID, posted[1].ID
		return tx.GetContext(ctx, &out.ID, `
			INSERT INTO investment_subsidy_payments (project, source, completed_investment, amount, paid_on, reference, idempotency_key,
			                                         financial_entry_id, budget_entry_id, actor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			pr.Code, r.Level, r.CompletedInvestment.StringFixed(2), out.Amount.StringFixed(2), on.Format(ledger.DateLayout), r.Reference, r.IdempotencyKey,
			out.FinancialEntry, out.BudgetEntry, r.Actor)
	})
	if err != nil {
		return InvestmentSubsidyPayment{}, fmt.Errorf("%s: %w", what, dbError(err))
	}
	return out, nil
}

// Kinds of line in the capital report.
const (
	KindCapitalInjection  = "capital_injection"  // 资本金注入
	KindInvestmentSubsidy = "investment_subsidy" // 投资补助
)

// CapitalLine is one project's capital injections (by company and level)
// or investment subsidy (by level), as of a date.
type CapitalLine struct {
	Kind     string `db:"kind" json:"kind"`
	District string `db:"district" json:"district"`
	Project  string `db:"project" json:"project"`
	Company  string `db:"company" json:"company,omitempty"`
	Level    string `db:"level" json:"level"`
	// Approved is an investment subsidy's cap (zero for injections).
	Approved decimal.Decimal `db:"approved" json:"approved"`
	// Received: capital injected, or investment subsidy paid.
	Received decimal.Decimal `db:"received" json:"received"`
	// Used: capital the company used on the project's works.
	Used decimal.Decimal `db:"used" json:"used"`
}

// Available is what was received and not used.
func (c CapitalLine) Available() decimal.Decimal { return c.Received.Sub(c.Used) }

// CapitalReport lists capital injections and investment subsidies per
// project as of a date (zero: everything), those of one district (code or
// Chinese name) when district is given: the lines the sources of a project
// do not show, because they are neither a source's grant nor project revenue.
func (p *Programme) CapitalReport(ctx context.Context, district string, asOf time.Time) ([]CapitalLine, error) {
	code := ""
	if district != "" {
		d, err := LookupDistrict(ctx, p.db, district)
		if err != nil {
			return nil, fmt.Errorf("capital report: %w", err)
		}
		code = d.Code
	}
	var out []CapitalLine
	err := p.db.SelectContext(ctx, &out, `
		WITH inj AS (
			SELECT i.company, i.project, i.source AS level, sum(i.amount) AS received
			  FROM capital_injections i WHERE $2::date IS NULL OR i.injected_on <= $2::date GROUP BY 1, 2, 3),
		used AS (
			SELECT u.company, u.project, sum(u.amount) AS used
			  FROM capital_uses u WHERE $2::date IS NULL OR u.paid_on <= $2::date GROUP BY 1, 2),
		lines AS (
			SELECT 'capital_injection' AS kind, pr.district, inj.project, inj.company, inj.level, 0::numeric AS approved, inj.received,
			       -- the company's use of a project's capital, attributed to the first level (uses are not by level)
			       CASE WHEN inj.level = (SELECT min(x.level) FROM inj x WHERE x.company = inj.company AND x.project = inj.project)
			            THEN coalesce(used.used, 0) ELSE 0 END AS used
			  FROM inj JOIN projects pr ON pr.code = inj.project
			  LEFT JOIN used ON used.company = inj.company AND used.project = inj.project
			UNION ALL
			SELECT 'investment_subsidy', pr.district, s.project, '', s.source, s.cap,
			       coalesce((SELECT sum(x.amount) FROM investment_subsidy_payments x WHERE x.project = s.project AND x.source = s.source
			                  AND ($2::date IS NULL OR x.paid_on <= $2::date)), 0), 0
			  FROM investment_subsidies s JOIN projects pr ON pr.code = s.project
			 WHERE $2::date IS NULL OR s.approved_on <= $2::date)
		SELECT kind, district, project, company, level, approved, received, used FROM lines
		 WHERE $1 = '' OR district = $1 ORDER BY district, project, kind, company, level LIMIT $3`, code, ledger.SQLDate(asOf), ledger.MaxPage)
	if err != nil {
		return nil, fmt.Errorf("capital report: %w", err)
	}
	return out, nil
}
