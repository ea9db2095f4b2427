package funding

// Special-purpose bonds (专项债券): the register and the issue. The
// schedule is in bondschedule.go, allocation, revenue, accrual and payment
// in bondmoney.go, the financing balance plans in bondplan.go and the
// repayment balance report in bondreport.go.
//
// The chart of accounts of bond B (every account carries the bond
// dimension; project revenue accounts carry district and project too):
//
//	financial book (财务会计)
//	  bond:B:proceeds             asset, no overdraft — proceeds not yet allocated to projects
//	  bond:B:transferred          expense — proceeds allocated (拨付) to projects
//	  bond:B:principal            liability, no overdraft — principal outstanding (应付专项债券);
//	                              can never be repaid beyond what was issued
//	  bond:B:interest_payable     liability, no overdraft — interest accrued, not yet paid (应付利息)
//	  bond:B:interest_expense     expense — interest accrued (利息费用)
//	  bond:B:reserve              asset, no overdraft — the repayment reserve (偿债准备金专户)
//	  bond:B:revenue:P:KIND       revenue — project P's revenue of a kind paid into the reserve
//	  bond:B:backstop:SRC         revenue — top-ups of the reserve by a backstop source (调入资金)
//	budget book (预算会计, cash basis: no accrual)
//	  budget:bond:B:proceeds          budget_asset, no overdraft — proceeds not yet allocated
//	  budget:bond:B:debt_revenue      budget_revenue — 债务预算收入 (the issue)
//	  budget:bond:B:transferred       budget_expense — proceeds allocated to projects
//	  budget:bond:B:reserve           budget_asset, no overdraft — the reserve's funds (资金结存)
//	  budget:bond:B:revenue           budget_revenue — project revenue into the reserve
//	  budget:bond:B:backstop          budget_revenue — backstop top-ups
//	  budget:bond:B:interest_paid     budget_expense — 债务付息支出
//	  budget:bond:B:principal_repaid  budget_expense — 债务还本支出
//
// A project's bond money is earmarked like any other source's: an
// allocation is a receipt for source bond of the project (cash:D:P:bond,
// revenue:D:P:bond, budget:available|receivable:D:P:bond, see accounts.go),
// paid for out of bond:B:proceeds.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// Errors of the bond workflow, beyond the package's general ones
// (ErrInvalid, ErrNotFound, ErrExists, ErrStatus, ErrNotEarmarked,
// ErrExceedsCommitment), each wrapped with the details.
var (
	// ErrReserveShortfall: a payment is larger than the repayment reserve
	// and no backstop source was named to top it up.
	ErrReserveShortfall = errors.New("repayment reserve is short")
	// ErrExceedsProceeds: an allocation is larger than the bond's proceeds
	// not yet allocated.
	ErrExceedsProceeds = errors.New("allocation exceeds the bond's unallocated proceeds")
)

// Interest frequencies and principal repayment methods of a bond.
const (
	BondAnnual     = "annual"
	BondSemiAnnual = "semi-annual"

	BondBullet     = "bullet"     // all principal at maturity (the common case)
	BondAmortising = "amortising" // equal principal on every due date after the grace years
	BondCustom     = "custom"     // a given schedule of dates and amounts
)

// MaxBondCustomLines bounds a custom principal schedule.
const MaxBondCustomLines = 200

// BondPrincipalInput is one principal repayment of a custom schedule.
type BondPrincipalInput struct {
	Date   time.Time       `json:"date" validate:"required"`
	Amount decimal.Decimal `json:"amount"`
}

// BondInput registers a bond (a tranche): its terms and its repayment
// reserve's bank account.
type BondInput struct {
	Code      string    `json:"code" validate:"required,max=64"`
	Name      string    `json:"name" validate:"required,max=200"`
	IssueDate time.Time `json:"issue_date" validate:"required"`
	// InterestStart (起息日); zero means the issue date.
	InterestStart time.Time       `json:"interest_start"`
	Principal     decimal.Decimal `json:"principal"`
	// CouponRatePct is the yearly coupon in per cent: 3.76 is 3.76%.
	CouponRatePct decimal.Decimal `json:"coupon_rate_pct"`
	TermYears     int             `json:"term_years" validate:"gte=1,lte=50"`
	Frequency     string          `json:"frequency" validate:"required,oneof=annual semi-annual"`
	Repayment     string          `json:"repayment" validate:"required,oneof=bullet amortising custom"`
	// GraceYears (amortising only): years with interest but no principal.
	GraceYears int `json:"grace_years" validate:"gte=0,lte=49"`
	// Custom is the principal schedule of a custom bond: each date must be
	// an interest due date; the amounts must add up to the principal.
	Custom             []BondPrincipalInput `json:"custom_schedule" validate:"max=200,dive"`
	ReserveBankAccount string               `json:"reserve_bank_account" validate:"max=64"`
}

// Bond is a registered bond.
type Bond struct {
	Code               string          `db:"code" json:"code"`
	Name               string          `db:"name" json:"name"`
	IssueDate          time.Time       `db:"issue_date" json:"issue_date"`
	InterestStart      time.Time       `db:"interest_start" json:"interest_start"`
	Principal          decimal.Decimal `db:"principal" json:"principal"`
	CouponRatePct      decimal.Decimal `db:"coupon_rate_pct" json:"coupon_rate_pct"`
	TermYears          int             `db:"term_years" json:"term_years"`
	Frequency          string          `db:"frequency" json:"frequency"`
	Repayment          string          `db:"repayment" json:"repayment"`
	GraceYears         int             `db:"grace_years" json:"grace_years"`
	ReserveBankAccount string          `db:"reserve_bank_account" json:"reserve_bank_account,omitempty"`
	CreatedAt          time.Time       `db:"created_at" json:"created_at"`
	CreatedBy          string          `db:"created_by" json:"created_by"`
	// Issued is set when the bond has been issued (IssueBond).
	Issued   bool      `db:"issued" json:"issued"`
	IssuedOn time.Time `db:"-" json:"issued_on,omitzero"`
}

// Maturity is the last day of the bond's term: the interest start plus the
// term in years (29 February becomes 28 February in a common year).
func (b Bond) Maturity() time.Time { return bondAddMonths(b.InterestStart, 12*b.TermYears) }

// PeriodsPerYear is 1 for annual and 2 for semi-annual interest.
func (b Bond) PeriodsPerYear() int { return bondPeriodsPerYear(b.Frequency) }

func bondPeriodsPerYear(freq string) int {
	if freq == BondSemiAnnual {
		return 2
	}
	return 1
}

// terms returns the bond's terms for schedule generation.
func (b Bond) terms(custom []BondPrincipalInput) BondTerms {
	return BondTerms{InterestStart: b.InterestStart, Principal: b.Principal, CouponRatePct: b.CouponRatePct, TermYears: b.TermYears,
		Frequency: b.Frequency, Repayment: b.Repayment, GraceYears: b.GraceYears, Custom: custom}
}

// bondAccounts names the accounts of one bond (see the layout above).
type bondAccounts struct{ code string }

func (b bondAccounts) fin(role string) string    { return "bond:" + b.code + ":" + role }
func (b bondAccounts) budget(role string) string { return "budget:bond:" + b.code + ":" + role }
func (b bondAccounts) revenue(project, kind string) string {
	return "bond:" + b.code + ":revenue:" + project + ":" + kind
}
func (b bondAccounts) backstop(src string) string { return "bond:" + b.code + ":backstop:" + src }

// Financial and budget roles of a bond's own accounts.
const (
	bondProceeds        = "proceeds"
	bondTransferred     = "transferred"
	bondPrincipal       = "principal"
	bondInterestPayable = "interest_payable"
	bondInterestExpense = "interest_expense"
	bondReserve         = "reserve"
	bondDebtRevenue     = "debt_revenue"
	bondRevenue         = "revenue"
	bondBackstop        = "backstop"
	bondInterestPaid    = "interest_paid"
	bondPrincipalRepaid = "principal_repaid"
)

func (b bondAccounts) all(name string) []ledger.Account {
	dims := ledger.Dimensions{Bond: b.code}
	mk := func(code, label string, t ledger.AccountType, noOverdraft bool) ledger.Account {
		return ledger.Account{Code: code, Name: name + " " + label, Type: t, NoOverdraft: noOverdraft, Dimensions: dims}
	}
	return []ledger.Account{
		mk(b.fin(bondProceeds), "未拨付债券资金 proceeds not yet allocated", ledger.Asset, true),
		mk(b.fin(bondTransferred), "已拨付项目 proceeds allocated to projects", ledger.Expense, false),
		mk(b.fin(bondPrincipal), "应付专项债券本金 principal outstanding", ledger.Liability, true),
		mk(b.fin(bondInterestPayable), "应付利息 interest payable", ledger.Liability, true),
		mk(b.fin(bondInterestExpense), "利息费用 interest expense", ledger.Expense, false),
		mk(b.fin(bondReserve), "偿债准备金 repayment reserve", ledger.Asset, true),
		mk(b.budget(bondProceeds), "债券资金结存 proceeds not yet allocated", ledger.BudgetAsset, true),
		mk(b.budget(bondDebtRevenue), "债务预算收入 debt revenue", ledger.BudgetRevenue, false),
		mk(b.budget(bondTransferred), "债券资金拨付 allocated to projects", ledger.BudgetExpense, false),
		mk(b.budget(bondReserve), "偿债资金结存 reserve funds", ledger.BudgetAsset, true),
		mk(b.budget(bondRevenue), "项目收益 project revenue", ledger.BudgetRevenue, false),
		mk(b.budget(bondBackstop), "调入资金 backstop top-ups", ledger.BudgetRevenue, false),
		mk(b.budget(bondInterestPaid), "债务付息支出 interest paid", ledger.BudgetExpense, false),
		mk(b.budget(bondPrincipalRepaid), "债务还本支出 principal repaid", ledger.BudgetExpense, false),
	}
}

// normaliseBondInput fills defaults and accepts common spellings
// (semi_annual, amortizing).
func normaliseBondInput(in *BondInput) {
	switch in.Frequency {
	case "semi_annual", "semiannual", "半年":
		in.Frequency = BondSemiAnnual
	case "年":
		in.Frequency = BondAnnual
	}
	if in.Repayment == "amortizing" {
		in.Repayment = BondAmortising
	}
	in.IssueDate = ledger.Civil(in.IssueDate)
	if in.InterestStart.IsZero() {
		in.InterestStart = in.IssueDate
	}
	in.InterestStart = ledger.Civil(in.InterestStart)
	for i := range in.Custom {
		in.Custom[i].Date = ledger.Civil(in.Custom[i].Date)
	}
}

// checkBondRate accepts a yearly coupon in per cent, > 0 and < 100, with at
// most four decimals.
func checkBondRate(r decimal.Decimal) error {
	if !r.IsPositive() || r.GreaterThanOrEqual(decimal.NewFromInt(100)) || !r.Equal(r.Truncate(4)) {
		return fmt.Errorf("coupon_rate_pct %s: want a yearly rate in per cent, above 0 and below 100, at most four decimals (3.76 for 3.76%%)", r)
	}
	return nil
}

// RegisterBond registers a bond, generates its repayment schedule (version
// 1, see GenerateBondSchedule) and creates its accounts. Registering the
// same bond again with the same terms changes nothing; other terms under
// the same code are ErrExists.
func (p *Programme) RegisterBond(ctx context.Context, in BondInput, actor string) (Bond, error) {
	bs, err := p.RegisterBonds(ctx, []BondInput{in}, actor)
	if err != nil {
		return Bond{}, single(err)
	}
	return bs[0], nil
}

// RegisterBonds registers a batch of bonds, all or nothing: every bond is
// checked and its schedule generated first, every refusal listed
// (ItemErrors); then all bonds and schedules are stored in one
// transaction, and their accounts created (idempotent).
func (p *Programme) RegisterBonds(ctx context.Context, ins []BondInput, actor string) ([]Bond, error) {
	ins = append([]BondInput(nil), ins...)
	for i := range ins {
		normaliseBondInput(&ins[i])
	}
	bonds := make([]Bond, len(ins))
	schedules := make([][]BondScheduleLine, len(ins))
	exists := make([]bool, len(ins))
	err := inBatch(ctx, p, "register bonds", ins, func(in BondInput) string { return in.Code },
		func(i int, in BondInput) error {
			what := fmt.Sprintf("register bond %s", in.Code)
			if err := checkInput(what, in); err != nil {
				return err
			}
			if actor == "" {
				return fmt.Errorf("%w: %s: actor is required", ErrInvalid, what)
			}
			if err := ledger.CheckAmount(in.Principal); err != nil {
				return fmt.Errorf("%w: %s: principal: %w", ErrInvalid, what, err)
			}
			if err := checkBondRate(in.CouponRatePct); err != nil {
				return fmt.Errorf("%w: %s: %w", ErrInvalid, what, err)
			}
			if d := in.InterestStart.Sub(in.IssueDate); d > 366*24*time.Hour || d < -366*24*time.Hour {
				return fmt.Errorf("%w: %s: interest start %s is more than a year from the issue date %s", ErrInvalid, what,
					in.InterestStart.Format(ledger.DateLayout), in.IssueDate.Format(ledger.DateLayout))
			}
			if in.ReserveBankAccount != "" {
				if err := p.lookups().bank(ctx, in.ReserveBankAccount); err != nil {
					return fmt.Errorf("%s: reserve account: %w", what, err)
				}
			}
			b := Bond{Code: in.Code, Name: in.Name, IssueDate: in.IssueDate, InterestStart: in.InterestStart, Principal: in.Principal,
				CouponRatePct: in.CouponRatePct, TermYears: in.TermYears, Frequency: in.Frequency, Repayment: in.Repayment,
				GraceYears: in.GraceYears, ReserveBankAccount: in.ReserveBankAccount}
			lines, err := GenerateBondSchedule(b.terms(in.Custom))
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			bonds[i], schedules[i] = b, lines
			existing, err := p.Bond(ctx, in.Code)
			switch {
			case err == nil:
				if !sameBond(existing, b) {
					return fmt.Errorf("%w: %s: a bond with this code is registered with other terms", ErrExists, what)
				}
				if in.Repayment == BondCustom {
					s, err := p.BondSchedule(ctx, in.Code, 1)
					if err != nil {
						return err
					}
					if !sameBondLines(s.Lines, lines) {
						return fmt.Errorf("%w: %s: a bond with this code is registered with another custom schedule", ErrExists, what)
					}
				}
				exists[i] = true
			case !errors.Is(err, ErrNotFound):
				return err
			}
			return nil
		},
		func(tx *sqlx.Tx, i int, in BondInput) error {
			if exists[i] {
				return nil
			}
			b := bonds[i]
			var reserveBank any
			if b.ReserveBankAccount != "" {
				reserveBank = b.ReserveBankAccount
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO bonds (code, name, issue_date, interest_start, principal, coupon_rate_pct, term_years, frequency, repayment,
				                   grace_years, reserve_bank_account, created_by)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
				b.Code, b.Name, b.IssueDate.Format(ledger.DateLayout), b.InterestStart.Format(ledger.DateLayout), b.Principal.StringFixed(2),
				b.CouponRatePct.String(), b.TermYears, b.Frequency, b.Repayment, b.GraceYears, reserveBank, actor); err != nil {
				return fmt.Errorf("register bond %s: %w", b.Code, err)
			}
			if err := insertBondSchedule(ctx, tx, b.Code, 1, b.IssueDate, b.Repayment, "", schedules[i], actor); err != nil {
				return fmt.Errorf("register bond %s: %w", b.Code, err)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	out := make([]Bond, len(ins))
	for i, in := range ins {
		if out[i], err = p.Bond(ctx, in.Code); err != nil {
			return nil, err
		}
		if err := p.ensureBondAccounts(ctx, out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func sameBond(a, b Bond) bool {
	return a.Name == b.Name && a.IssueDate.Equal(b.IssueDate) && a.InterestStart.Equal(b.InterestStart) && a.Principal.Equal(b.Principal) &&
		a.CouponRatePct.Equal(b.CouponRatePct) && a.TermYears == b.TermYears && a.Frequency == b.Frequency && a.Repayment == b.Repayment &&
		a.GraceYears == b.GraceYears && a.ReserveBankAccount == b.ReserveBankAccount
}

func (p *Programme) ensureBondAccounts(ctx context.Context, b Bond) error {
	key := "\x00bond\x00" + b.Code // cannot clash with ensureSourceAccounts' keys (project\x00source\x00…)
	if _, done := p.ensured.Load(key); done {
		return nil
	}
	if err := p.ledger.CreateAccounts(ctx, bondAccounts{b.Code}.all("专项债券 "+b.Code), "fundledger"); err != nil {
		return fmt.Errorf("accounts of bond %s: %w", b.Code, err)
	}
	p.ensured.Store(key, struct{}{})
	return nil
}

const bondColumns = `b.code, b.name, b.issue_date, b.interest_start, b.principal, b.coupon_rate_pct, b.term_years, b.frequency,
	b.repayment, b.grace_years, coalesce(b.reserve_bank_account, '') AS reserve_bank_account, b.created_at, b.created_by,
	i.bond IS NOT NULL AS issued, i.issued_on`

type bondRow struct {
	Bond
	IssuedOnDB sql.NullTime `db:"issued_on"`
}

func (r bondRow) bond() Bond {
	b := r.Bond
	b.IssueDate, b.InterestStart = ledger.Civil(b.IssueDate), ledger.Civil(b.InterestStart)
	if r.IssuedOnDB.Valid {
		b.IssuedOn = ledger.Civil(r.IssuedOnDB.Time)
	}
	return b
}

// Bond returns a registered bond (ErrNotFound if none).
func (p *Programme) Bond(ctx context.Context, code string) (Bond, error) {
	return bondByCode(ctx, p.db, code)
}

func bondByCode(ctx context.Context, db sqlx.QueryerContext, code string) (Bond, error) {
	var r bondRow
	err := sqlx.GetContext(ctx, db, &r, `SELECT `+bondColumns+` FROM bonds b LEFT JOIN bond_issues i ON i.bond = b.code WHERE b.code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return Bond{}, fmt.Errorf("bond %q: %w (register it with `fundledger bond register`)", code, ErrNotFound)
	}
	if err != nil {
		return Bond{}, fmt.Errorf("bond %s: %w", code, err)
	}
	return r.bond(), nil
}

// MaxBonds bounds a listing of bonds.
const MaxBonds = 10000

// Bonds lists the registered bonds by code.
func (p *Programme) Bonds(ctx context.Context) ([]Bond, error) {
	var rows []bondRow
	if err := p.db.SelectContext(ctx, &rows, fmt.Sprintf(`SELECT `+bondColumns+`
		  FROM bonds b LEFT JOIN bond_issues i ON i.bond = b.code ORDER BY b.code LIMIT %d`, MaxBonds)); err != nil {
		return nil, fmt.Errorf("bonds: %w", err)
	}
	out := make([]Bond, len(rows))
	for i, r := range rows {
		out[i] = r.bond()
	}
	return out, nil
}

// BondIssueRequest records the issue of a registered bond: its proceeds
// (the principal: local-government bonds are issued at par) arrive.
type BondIssueRequest struct {
	Bond string `json:"bond" validate:"required"`
	// IssuedOn is the date the proceeds arrive; zero means the issue date.
	IssuedOn    time.Time `json:"issued_on"`
	BankAccount string    `json:"bank_account" validate:"max=64"`
	Reference   string    `json:"reference" validate:"max=200"`
	Actor       string    `json:"actor" validate:"required"`
}

// BondIssue is a recorded issue.
type BondIssue struct {
	Bond           string          `json:"bond"`
	IssuedOn       time.Time       `json:"issued_on"`
	Amount         decimal.Decimal `json:"amount"`
	FinancialEntry int64           `json:"financial_entry"`
	BudgetEntry    int64           `json:"budget_entry"`
	Replayed       bool            `json:"replayed,omitempty"`
}

// IssueBond records the issue (发行): in the financial book Dr
// bond:B:proceeds / Cr bond:B:principal for the principal (proceeds in,
// liability up); in the budget book Dr budget:bond:B:proceeds / Cr
// budget:bond:B:debt_revenue (债务预算收入). A bond is issued once; the
// same request again returns the recorded issue.
func (p *Programme) IssueBond(ctx context.Context, r BondIssueRequest) (BondIssue, error) {
	what := fmt.Sprintf("issue bond %s", r.Bond)
	if err := checkInput(what, r); err != nil {
		return BondIssue{}, err
	}
	b, err := p.Bond(ctx, r.Bond)
	if err != nil {
		return BondIssue{}, fmt.Errorf("%s: %w", what, err)
	}
	on := b.IssueDate
	if !r.IssuedOn.IsZero() {
		on = ledger.Civil(r.IssuedOn)
	}
	if r.BankAccount == "" {
		r.BankAccount = b.ReserveBankAccount
	}
	if r.BankAccount != "" {
		if err := p.lookups().bank(ctx, r.BankAccount); err != nil {
			return BondIssue{}, fmt.Errorf("%s: %w", what, err)
		}
	}
	if err := p.ensureBondAccounts(ctx, b); err != nil {
		return BondIssue{}, err
	}
	acc := bondAccounts{b.Code}
	meta := map[string]string{"kind": "bond_issue", "bond": b.Code, "bank_account": r.BankAccount, "reference": r.Reference}
	memo := autoMemo(meta, MemoBondIssue, "专项债券发行：%s %s，本金 %s 元", txtArg(b.Code), txtArg(b.Name), txtArg(b.Principal.StringFixed(2)))
	key := "bond:" + b.Code + ":issue"
	entries := []ledger.Entry{
		{Book: ledger.BookFinancial, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: key + "/financial", Metadata: meta,
			Postings: []ledger.Posting{
				{AccountCode: acc.fin(bondProceeds), Side: ledger.Debit, Amount: b.Principal},
				{AccountCode: acc.fin(bondPrincipal), Side: ledger.Credit, Amount: b.Principal}}},
		{Book: ledger.BookBudget, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: key + "/budget", Metadata: meta,
			Postings: []ledger.Posting{
				{AccountCode: acc.budget(bondProceeds), Side: ledger.Debit, Amount: b.Principal},
				{AccountCode: acc.budget(bondDebtRevenue), Side: ledger.Credit, Amount: b.Principal}}},
	}
	out := BondIssue{Bond: b.Code, IssuedOn: on, Amount: b.Principal}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockBond(ctx, tx, b.Code); err != nil {
			return err
		}
		var prior []struct {
			IssuedOn time.Time `db:"issued_on"`
			Fin      int64     `db:"financial_entry_id"`
			Bud      int64     `db:"budget_entry_id"`
		}
		if err := tx.SelectContext(ctx, &prior, `SELECT issued_on, financial_entry_id, budget_entry_id FROM bond_issues WHERE bond = $1`, b.Code); err != nil {
			return err
		}
		if len(prior) > 0 {
			if !ledger.Civil(prior[0].IssuedOn).Equal(on) {
				return fmt.Errorf("%w: bond %s was issued on %s already", ErrExists, b.Code, ledger.Civil(prior[0].IssuedOn).Format(ledger.DateLayout))
			}
			out.FinancialEntry, out.BudgetEntry, out.Replayed = prior[0].Fin, prior[0].Bud, true
			return nil
		}
		posted, err := ledger.PostInTx(ctx, tx, entries)
		if err != nil {
			return err
		}
		out.FinancialEntry, out.BudgetEntry = posted[0].ID, posted[1].ID
		var bank any
		if r.BankAccount != "" {
			bank = r.BankAccount
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO bond_issues (bond, issued_on, amount, bank_account, reference, financial_entry_id, budget_entry_id, actor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			b.Code, on.Format(ledger.DateLayout), b.Principal.StringFixed(2), bank, r.Reference, out.FinancialEntry, out.BudgetEntry, r.Actor)
		return err
	})
	if err != nil {
		return BondIssue{}, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// lockBond serialises the writers of one bond's records (issue, accrual,
// payment, schedule revision) for the rest of the transaction.
func lockBond(ctx context.Context, tx *sqlx.Tx, code string) error {
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM (SELECT 1 FROM bonds WHERE code = $1 FOR UPDATE) x`, code); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("bond %q: %w", code, ErrNotFound)
	}
	return nil
}
