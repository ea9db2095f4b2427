package funding

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
	"fundledger/rules"
)

// Backstop sources (兜底资金来源): what may top up a bond's repayment reserve
// when project revenue falls short of a payment.
const (
	BackstopDistrictBudget     = "district_budget"      // 区市财政 district budget
	BackstopOtherProjectIncome = "other_project_income" // 其他项目收益 income of other projects
	BackstopGovernmentFund     = "government_fund"      // 政府性基金收入 government fund revenue
)

// BackstopSource is a named backstop source.
type BackstopSource struct {
	Code, NameZH, NameEN string
}

var backstopSources = []BackstopSource{
	{BackstopDistrictBudget, "区市财政", "district budget"},
	{BackstopOtherProjectIncome, "其他项目收益", "other project income"},
	{BackstopGovernmentFund, "政府性基金收入", "government fund revenue"},
}

// BackstopSources lists the backstop sources (a copy).
func BackstopSources() []BackstopSource { return append([]BackstopSource(nil), backstopSources...) }

// LookupBackstopSource finds a backstop source by code or Chinese name.
func LookupBackstopSource(s string) (BackstopSource, bool) {
	s = strings.TrimSpace(s)
	for _, b := range backstopSources {
		if b.Code == s || b.NameZH == s {
			return b, true
		}
	}
	return BackstopSource{}, false
}

func backstopList() string {
	var s []string
	for _, b := range backstopSources {
		s = append(s, b.Code+" "+b.NameZH)
	}
	return strings.Join(s, ", ")
}

// BondAllocationRequest allocates bond proceeds to a project.
type BondAllocationRequest struct {
	Bond           string          `json:"bond" validate:"required"`
	Project        string          `json:"project" validate:"required"`
	Amount         decimal.Decimal `json:"amount"`
	AllocatedOn    time.Time       `json:"allocated_on" validate:"required"`
	Reference      string          `json:"reference" validate:"max=200"`
	Memo           string          `json:"memo" validate:"max=500"`
	IdempotencyKey string          `json:"idempotency_key" validate:"required,max=150"`
	Actor          string          `json:"actor" validate:"required"`
}

// BondAllocation is a recorded allocation.
type BondAllocation struct {
	ID             int64           `json:"id"`
	Bond           string          `json:"bond"`
	Project        string          `json:"project"`
	Amount         decimal.Decimal `json:"amount"`
	AllocatedOn    time.Time       `json:"allocated_on"`
	FinancialEntry int64           `json:"financial_entry"`
	BudgetEntry    int64           `json:"budget_entry"`
	Replayed       bool            `json:"replayed,omitempty"`
}

// AllocateBond allocates proceeds of an issued bond to a project.
//
// Why it is posted this way: a project's bond money must be earmarked like
// any other source's, so the allocation is, for the project, exactly a
// receipt (资金到位) for source bond — the same accounts Receive posts to,
// so that the project report, the earmark checks of Disburse (专款专用) and
// the budget book's "never more than committed" all work unchanged — and,
// for the bond, money leaving its unallocated proceeds. One balanced entry
// per book, written with the allocation's row in one transaction:
//
//	financial  Dr cash:D:P:bond               (the project's earmarked bond cash)
//	           Cr revenue:D:P:bond            (received from source bond)
//	           Dr bond:B:transferred          (proceeds allocated)
//	           Cr bond:B:proceeds             (no overdraft: proceeds are never allocated twice)
//	budget     Dr budget:available:D:P:bond   Cr budget:receivable:D:P:bond (no overdraft: never above the commitment)
//	           Dr budget:bond:B:transferred   Cr budget:bond:B:proceeds     (no overdraft)
//
// The project must have an approved budget in which source bond has a
// share (the rule set in force gives bond a share); otherwise it has no bond
// commitment and the allocation is refused (ErrNotEarmarked). An allocation
// above the project's outstanding bond commitment is ErrExceedsCommitment,
// above the bond's unallocated proceeds ErrExceedsProceeds. The same
// request again (same idempotency key) returns the recorded allocation.
func (p *Programme) AllocateBond(ctx context.Context, r BondAllocationRequest) (BondAllocation, error) {
	what := fmt.Sprintf("allocate bond %s to project %s (%q)", r.Bond, r.Project, r.IdempotencyKey)
	if err := checkInput(what, r); err != nil {
		return BondAllocation{}, err
	}
	if err := ledger.CheckAmount(r.Amount); err != nil {
		return BondAllocation{}, fmt.Errorf("%s: %w", what, err)
	}
	on := ledger.Civil(r.AllocatedOn)
	b, err := p.Bond(ctx, r.Bond)
	if err != nil {
		return BondAllocation{}, fmt.Errorf("%s: %w", what, err)
	}
	if !b.Issued {
		return BondAllocation{}, fmt.Errorf("%w: %s: the bond is not issued yet (record the issue first)", ErrStatus, what)
	}
	pr, err := p.Project(ctx, r.Project)
	if err != nil {
		return BondAllocation{}, fmt.Errorf("%s: %w", what, err)
	}
	appr, err := p.LatestApproval(ctx, pr.Code)
	if errors.Is(err, ErrNotFound) {
		return BondAllocation{}, fmt.Errorf("%w: %s: the project has no approved budget, so no bond commitment; approve it under a rule set that gives %s (%s) a share",
			ErrNotEarmarked, what, rules.SourceBond, sourceLabel(rules.SourceBond))
	}
	if err != nil {
		return BondAllocation{}, fmt.Errorf("%s: %w", what, err)
	}
	if !appr.committedFrom(rules.SourceBond).IsPositive() {
		return BondAllocation{}, fmt.Errorf("%w: %s: the project's approved budget (v%d, rule set %s %s, id %d) has no share for source %s (%s): "+
			"its bond money could not be earmarked; approve the budget under a rule set that gives %s a share",
			ErrNotEarmarked, what, appr.Version, appr.Allocation.RuleSet.Name, appr.Allocation.RuleSet.Version, appr.RuleSetID,
			rules.SourceBond, sourceLabel(rules.SourceBond), rules.SourceBond)
	}
	if err := p.ensureSourceAccounts(ctx, pr, rules.SourceBond); err != nil {
		return BondAllocation{}, err
	}
	if err := p.ensureBondAccounts(ctx, b); err != nil {
		return BondAllocation{}, err
	}
	acc, bacc := accountsOf(pr), bondAccounts{b.Code}
	meta := map[string]string{"kind": "bond_allocation", "bond": b.Code, "project": pr.Code, "district": pr.District,
		"source": rules.SourceBond, "reference": r.Reference}
	memo := r.Memo
	if memo == "" {
		memo = autoMemo(meta, MemoBondAllocation, "专项债券资金拨付：债券 %s 资金拨付给项目 %s", txtArg(b.Code), txtArg(pr.Code))
	}
	entries := []ledger.Entry{
		{Book: ledger.BookFinancial, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/financial", Metadata: meta,
			Postings: []ledger.Posting{
				{AccountCode: acc.cash(rules.SourceBond), Side: ledger.Debit, Amount: r.Amount},
				{AccountCode: acc.revenue(rules.SourceBond), Side: ledger.Credit, Amount: r.Amount},
				{AccountCode: bacc.fin(bondTransferred), Side: ledger.Debit, Amount: r.Amount},
				{AccountCode: bacc.fin(bondProceeds), Side: ledger.Credit, Amount: r.Amount}}},
		{Book: ledger.BookBudget, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/budget", Metadata: meta,
			Postings: []ledger.Posting{
				{AccountCode: acc.available(rules.SourceBond), Side: ledger.Debit, Amount: r.Amount},
				{AccountCode: acc.receivable(rules.SourceBond), Side: ledger.Credit, Amount: r.Amount},
				{AccountCode: bacc.budget(bondTransferred), Side: ledger.Debit, Amount: r.Amount},
				{AccountCode: bacc.budget(bondProceeds), Side: ledger.Credit, Amount: r.Amount}}},
	}
	out := BondAllocation{Bond: b.Code, Project: pr.Code, Amount: r.Amount, AllocatedOn: on}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		var prior []struct {
			ID      int64           `db:"id"`
			Bond    string          `db:"bond"`
			Project string          `db:"project"`
			Amount  decimal.Decimal `db:"amount"`
			On      time.Time       `db:"allocated_on"`
			Fin     int64           `db:"financial_entry_id"`
			Bud     int64           `db:"budget_entry_id"`
		}
		if err := tx.SelectContext(ctx, &prior, `SELECT id, bond, project, amount, allocated_on, financial_entry_id, budget_entry_id
			FROM bond_allocations WHERE idempotency_key = $1`, r.IdempotencyKey); err != nil {
			return err
		}
		if len(prior) > 0 {
			x := prior[0]
			if x.Bond != b.Code || x.Project != pr.Code || !x.Amount.Equal(r.Amount) || !ledger.Civil(x.On).Equal(on) {
				return fmt.Errorf("%w: key %q was used by allocation %d (bond %s, project %s, %s on %s)", ledger.ErrIdempotencyConflict,
					r.IdempotencyKey, x.ID, x.Bond, x.Project, x.Amount.StringFixed(2), ledger.Civil(x.On).Format(ledger.DateLayout))
			}
			out.ID, out.FinancialEntry, out.BudgetEntry, out.Replayed = x.ID, x.Fin, x.Bud, true
			return nil
		}
		posted, err := ledger.PostInTx(ctx, tx, entries)
		if err != nil {
			return err
		}
		out.FinancialEntry, out.BudgetEntry = posted[0].ID, posted[1].ID
		// A concurrent request with the same key that committed first made
		// the ledger replay its entries: then its row is the answer.
		err = tx.GetContext(ctx, &out.ID, `
			INSERT INTO bond_allocations (bond, project, amount, allocated_on, reference, idempotency_key, financial_entry_id, budget_entry_id, actor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
			b.Code, pr.Code, r.Amount.StringFixed(2), on.Format(ledger.DateLayout), r.Reference, r.IdempotencyKey, out.FinancialEntry, out.BudgetEntry, r.Actor)
		if errors.Is(err, sql.ErrNoRows) {
			out.Replayed = true
			return tx.GetContext(ctx, &out.ID, `SELECT id FROM bond_allocations WHERE idempotency_key = $1`, r.IdempotencyKey)
		}
		return err
	})
	if errors.Is(err, ledger.ErrOverdraft) {
		msg := err.Error()
		switch {
		case strings.Contains(msg, acc.receivable(rules.SourceBond)+" "):
			outstanding, berr := p.ledger.Balance(ctx, acc.receivable(rules.SourceBond), on)
			if berr == nil {
				return BondAllocation{}, fmt.Errorf("%w: %s: %s exceeds the project's outstanding bond commitment of %s as of %s",
					ErrExceedsCommitment, what, r.Amount.StringFixed(2), outstanding.StringFixed(2), on.Format(ledger.DateLayout))
			}
		case strings.Contains(msg, bacc.fin(bondProceeds)+" ") || strings.Contains(msg, bacc.budget(bondProceeds)+" "):
			left, berr := p.ledger.Balance(ctx, bacc.fin(bondProceeds), on)
			if berr == nil {
				return BondAllocation{}, fmt.Errorf("%w: %s: %s exceeds the %s of proceeds not yet allocated as of %s",
					ErrExceedsProceeds, what, r.Amount.StringFixed(2), left.StringFixed(2), on.Format(ledger.DateLayout))
			}
		}
	}
	if err != nil {
		return BondAllocation{}, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// BondAllocations lists the allocations of a bond ("" all), by date.
func (p *Programme) BondAllocations(ctx context.Context, bond string) ([]BondAllocation, error) {
	var rows []struct {
		ID      int64           `db:"id"`
		Bond    string          `db:"bond"`
		Project string          `db:"project"`
		Amount  decimal.Decimal `db:"amount"`
		On      time.Time       `db:"allocated_on"`
		Fin     int64           `db:"financial_entry_id"`
		Bud     int64           `db:"budget_entry_id"`
	}
	if err := p.db.SelectContext(ctx, &rows, fmt.Sprintf(`SELECT id, bond, project, amount, allocated_on, financial_entry_id, budget_entry_id
		FROM bond_allocations WHERE $1 = '' OR bond = $1 ORDER BY allocated_on, id LIMIT %d`, ledger.MaxPage), bond); err != nil {
		return nil, fmt.Errorf("bond allocations: %w", err)
	}
	out := make([]BondAllocation, len(rows))
	for i, x := range rows {
		out[i] = BondAllocation{ID: x.ID, Bond: x.Bond, Project: x.Project, Amount: x.Amount, AllocatedOn: ledger.Civil(x.On), FinancialEntry: x.Fin, BudgetEntry: x.Bud}
	}
	return out, nil
}

// bondAllocationsOf returns, per bond, what was allocated to a project up
// to a date, in bond code order.
func bondAllocationsOf(ctx context.Context, db sqlx.QueryerContext, project string, on time.Time) ([]BondAmount, error) {
	var out []BondAmount
	if err := sqlx.SelectContext(ctx, db, &out, `
		SELECT bond, sum(amount) AS amount FROM bond_allocations WHERE project = $1 AND allocated_on <= $2
		 GROUP BY bond ORDER BY bond`, project, on.Format(ledger.DateLayout)); err != nil {
		return nil, err
	}
	return out, nil
}

// BondAmount is an amount for one bond.
type BondAmount struct {
	Bond   string          `db:"bond" json:"bond"`
	Amount decimal.Decimal `db:"amount" json:"amount"`
}

// BondRevenueRequest records project revenue paid into a bond's repayment
// reserve.
type BondRevenueRequest struct {
	Project string `json:"project" validate:"required"`
	// Bond whose reserve receives the money; "" splits it among the bonds
	// allocated to the project by the amounts allocated (largest remainder).
	Bond           string          `json:"bond"`
	Kind           string          `json:"kind" validate:"required"` // parking, charging, elevator, rent, advertising, property
	Amount         decimal.Decimal `json:"amount"`
	ReceivedOn     time.Time       `json:"received_on" validate:"required"`
	BankAccount    string          `json:"bank_account" validate:"max=64"`
	Reference      string          `json:"reference" validate:"max=200"`
	Memo           string          `json:"memo" validate:"max=500"`
	IdempotencyKey string          `json:"idempotency_key" validate:"required,max=150"`
	Actor          string          `json:"actor" validate:"required"`
}

// BondRevenue is recorded revenue, with how it was split among bonds.
type BondRevenue struct {
	FinancialEntry int64        `json:"financial_entry"`
	BudgetEntry    int64        `json:"budget_entry"`
	Split          []BondAmount `json:"split"`
	Replayed       bool         `json:"replayed,omitempty"`
}

// RecordBondRevenue posts actual project revenue (parking, charging piles,
// elevator fees, rents, advertising, property operation) into the
// repayment reserve of the bond(s) that fund the project:
//
//	financial  Dr bond:B:reserve / Cr bond:B:revenue:P:KIND
//	budget     Dr budget:bond:B:reserve / Cr budget:bond:B:revenue
//
// (one posting pair per bond when split). The project must have an
// allocation from the bond on or before the date.
func (p *Programme) RecordBondRevenue(ctx context.Context, r BondRevenueRequest) (BondRevenue, error) {
	what := fmt.Sprintf("bond revenue %q of project %s", r.IdempotencyKey, r.Project)
	if err := checkInput(what, r); err != nil {
		return BondRevenue{}, err
	}
	if err := ledger.CheckAmount(r.Amount); err != nil {
		return BondRevenue{}, fmt.Errorf("%s: %w", what, err)
	}
	kind, ok := LookupBondRevenueKind(r.Kind)
	if !ok {
		return BondRevenue{}, fmt.Errorf("%w: %s: revenue kind %q: want one of %s", ErrInvalid, what, r.Kind, bondRevenueKindList())
	}
	on := ledger.Civil(r.ReceivedOn)
	pr, err := p.Project(ctx, r.Project)
	if err != nil {
		return BondRevenue{}, fmt.Errorf("%s: %w", what, err)
	}
	if r.BankAccount != "" {
		if err := p.lookups().bank(ctx, r.BankAccount); err != nil {
			return BondRevenue{}, fmt.Errorf("%s: %w", what, err)
		}
	}
	allocs, err := bondAllocationsOf(ctx, p.db, pr.Code, on)
	if err != nil {
		return BondRevenue{}, fmt.Errorf("%s: %w", what, err)
	}
	if r.Bond != "" {
		var one []BondAmount
		for _, a := range allocs {
			if a.Bond == r.Bond {
				one = append(one, a)
			}
		}
		allocs = one
	}
	if len(allocs) == 0 {
		bond := "any bond"
		if r.Bond != "" {
			bond = "bond " + r.Bond
		}
		return BondRevenue{}, fmt.Errorf("%w: %s: the project has no allocation from %s on or before %s, so no bond reserve to pay into",
			ErrNotEarmarked, what, bond, on.Format(ledger.DateLayout))
	}
	weights := make([]decimal.Decimal, len(allocs))
	for i, a := range allocs {
		weights[i] = a.Amount
	}
	parts := bondApportion(r.Amount, weights)
	meta := map[string]string{"kind": "bond_revenue", "project": pr.Code, "district": pr.District, "revenue_kind": kind.Code,
		"bank_account": r.BankAccount, "reference": r.Reference}
	memo := r.Memo
	if memo == "" {
		memo = autoMemo(meta, MemoBondRevenue, "项目收益：项目 %s 的%s收入存入偿债准备金", txtArg(pr.Code), memoArg{ledger.MemoArgText + kind.NameEN, kind.NameZH})
	}
	fin := ledger.Entry{Book: ledger.BookFinancial, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/financial", Metadata: meta}
	bud := ledger.Entry{Book: ledger.BookBudget, EffectiveDate: on, Memo: memo, Actor: r.Actor, IdempotencyKey: r.IdempotencyKey + "/budget", Metadata: meta}
	var out BondRevenue
	var bonds []string
	for i, a := range allocs {
		if parts[i].IsZero() {
			continue
		}
		b, err := p.Bond(ctx, a.Bond)
		if err != nil {
			return BondRevenue{}, err
		}
		if err := p.ensureBondAccounts(ctx, b); err != nil {
			return BondRevenue{}, err
		}
		bacc := bondAccounts{a.Bond}
		if err := p.ledger.CreateAccounts(ctx, []ledger.Account{{Code: bacc.revenue(pr.Code, kind.Code),
			Name: fmt.Sprintf("专项债券 %s 项目收益 %s %s revenue", a.Bond, pr.Code, kind.NameZH), Type: ledger.Revenue,
			Dimensions: ledger.Dimensions{District: pr.District, Project: pr.Code, Bond: a.Bond}}}, "fundledger"); err != nil {
			return BondRevenue{}, fmt.Errorf("%s: %w", what, err)
		}
		fin.Postings = append(fin.Postings,
			ledger.Posting{AccountCode: bacc.fin(bondReserve), Side: ledger.Debit, Amount: parts[i]},
			ledger.Posting{AccountCode: bacc.revenue(pr.Code, kind.Code), Side: ledger.Credit, Amount: parts[i]})
		bud.Postings = append(bud.Postings,
			ledger.Posting{AccountCode: bacc.budget(bondReserve), Side: ledger.Debit, Amount: parts[i]},
			ledger.Posting{AccountCode: bacc.budget(bondRevenue), Side: ledger.Credit, Amount: parts[i]})
		out.Split = append(out.Split, BondAmount{Bond: a.Bond, Amount: parts[i]})
		bonds = append(bonds, a.Bond)
	}
	meta["bonds"] = strings.Join(bonds, ",")
	posted, err := p.ledger.PostBatch(ctx, []ledger.Entry{fin, bud})
	if err != nil {
		return BondRevenue{}, fmt.Errorf("%s: %w", what, err)
	}
	out.FinancialEntry, out.BudgetEntry, out.Replayed = posted[0].ID, posted[1].ID, posted[0].Replayed && posted[1].Replayed
	return out, nil
}

// bondApportion splits total (whole fen, ≥ 0) in proportion to weights
// (≥ 0, not all zero) by the largest remainder: each part is the exact
// share truncated to the fen, and the fen left over go one each to the
// largest remainders, ties to the earlier weight. The parts add up to
// total exactly.
func bondApportion(total decimal.Decimal, weights []decimal.Decimal) []decimal.Decimal {
	parts := make([]decimal.Decimal, len(weights))
	sum := decimal.Zero
	for _, w := range weights {
		sum = sum.Add(w)
	}
	for i := range parts {
		parts[i] = decimal.Zero
	}
	if len(weights) == 0 || !sum.IsPositive() || total.IsZero() {
		return parts
	}
	neg := total.IsNegative()
	if neg {
		total = total.Neg()
	}
	rems := make([]decimal.Decimal, len(weights))
	given := decimal.Zero
	for i, w := range weights {
		parts[i], rems[i] = total.Mul(w).QuoRem(sum, 2)
		given = given.Add(parts[i])
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rems[order[a]].GreaterThan(rems[order[b]]) })
	fen := decimal.New(1, -2)
	left := total.Sub(given).Div(fen).IntPart()
	for k := int64(0); k < left; k++ {
		i := order[int(k)%len(order)]
		parts[i] = parts[i].Add(fen)
	}
	if neg {
		for i := range parts {
			parts[i] = parts[i].Neg()
		}
	}
	return parts
}

// BondAccrual is the interest accrued for one schedule period.
type BondAccrual struct {
	Bond     string          `json:"bond"`
	DueDate  time.Time       `json:"due_date"`
	Seq      int             `json:"seq"`
	Interest decimal.Decimal `json:"interest"`
	EntryID  int64           `json:"entry_id"`
}

// MaxBondAccrualsPerCall bounds one accrual run (a 50-year semi-annual
// bond has 100 periods).
const MaxBondAccrualsPerCall = 100

// AccrueBondInterest accrues the interest of every period of the bond's
// current schedule due on or before through and not accrued yet, each on
// its due date (the period's whole coupon is recognised when the period
// ends): financial book Dr bond:B:interest_expense / Cr
// bond:B:interest_payable. The budget book, kept on a cash basis, records
// interest when it is paid. Running it again accrues nothing twice.
func (p *Programme) AccrueBondInterest(ctx context.Context, bond string, through time.Time, actor string) ([]BondAccrual, error) {
	what := fmt.Sprintf("accrue interest of bond %s", bond)
	if through.IsZero() || actor == "" {
		return nil, fmt.Errorf("%w: %s: a date and an actor are required", ErrInvalid, what)
	}
	b, err := p.Bond(ctx, bond)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if !b.Issued {
		return nil, fmt.Errorf("%w: %s: the bond is not issued yet", ErrStatus, what)
	}
	if err := p.ensureBondAccounts(ctx, b); err != nil {
		return nil, err
	}
	var out []BondAccrual
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		out = nil
		if err := lockBond(ctx, tx, b.Code); err != nil {
			return err
		}
		s, err := loadBondSchedule(ctx, tx, b.Code, 0, time.Time{})
		if err != nil {
			return err
		}
		out, err = accrueInTx(ctx, tx, b, s, ledger.Civil(through), actor)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// accrueInTx posts the accruals of the schedule's lines due on or before
// through that are not accrued yet.
func accrueInTx(ctx context.Context, tx *sqlx.Tx, b Bond, s BondSchedule, through time.Time, actor string) ([]BondAccrual, error) {
	lines := make([]accrualLine, len(s.Lines))
	for i, l := range s.Lines {
		lines[i] = accrualLine{Seq: l.Seq, PeriodStart: l.PeriodStart, DueDate: l.DueDate, Interest: l.Interest,
			Metadata: map[string]string{"period_start": l.PeriodStart.Format(ledger.DateLayout), "opening_principal": l.OpeningPrincipal.StringFixed(2)}}
	}
	acc := bondAccounts{b.Code}
	posted, err := accrueScheduledInTx(ctx, tx, scheduleOfBond, b.Code, s.Version, lines, through, MaxBondAccrualsPerCall,
		acc.fin(bondInterestExpense), acc.fin(bondInterestPayable), actor)
	if err != nil || len(posted) == 0 {
		return nil, err
	}
	out := make([]BondAccrual, len(posted))
	for i, x := range posted {
		out[i] = BondAccrual{Bond: b.Code, DueDate: x.DueDate, Seq: x.Seq, Interest: x.Interest, EntryID: x.EntryID}
	}
	return out, nil
}

// BondPaymentRequest pays the interest and principal of one due date of a
// bond's schedule from its repayment reserve.
type BondPaymentRequest struct {
	Bond    string    `json:"bond" validate:"required"`
	DueDate time.Time `json:"due_date" validate:"required"`
	// PaidOn is the payment date; zero means the due date. Never before it.
	PaidOn time.Time `json:"paid_on"`
	// Backstop names the source that tops up the reserve when it is short
	// (district_budget, other_project_income, government_fund); "" refuses a
	// payment larger than the reserve.
	Backstop  string `json:"backstop"`
	Reference string `json:"reference" validate:"max=200"`
	Actor     string `json:"actor" validate:"required"`
}

// BondPayment is a recorded payment.
type BondPayment struct {
	Bond            string          `json:"bond"`
	DueDate         time.Time       `json:"due_date"`
	PaidOn          time.Time       `json:"paid_on"`
	Seq             int             `json:"seq"`
	ScheduleVersion int             `json:"schedule_version"`
	Interest        decimal.Decimal `json:"interest"`
	Principal       decimal.Decimal `json:"principal"`
	// ReserveAvailable is what the reserve could pay on the payment date
	// (its lowest balance from that date on) before any top-up.
	ReserveAvailable       decimal.Decimal `json:"reserve_available"`
	Backstop               string          `json:"backstop,omitempty"`
	BackstopAmount         decimal.Decimal `json:"backstop_amount"`
	BackstopFinancialEntry int64           `json:"backstop_financial_entry,omitempty"`
	BackstopBudgetEntry    int64           `json:"backstop_budget_entry,omitempty"`
	AccrualEntries         []int64         `json:"accrual_entries,omitempty"`
	FinancialEntry         int64           `json:"financial_entry"`
	BudgetEntry            int64           `json:"budget_entry"`
	Replayed               bool            `json:"replayed,omitempty"`
}

// Total is interest plus principal.
func (x BondPayment) Total() decimal.Decimal { return x.Interest.Add(x.Principal) }

// PayBond pays the interest and principal due on one date of the bond's
// current schedule from its repayment reserve, accruing the period's
// interest first if that was not done:
//
//	financial  Dr bond:B:interest_payable, Dr bond:B:principal / Cr bond:B:reserve
//	budget     Dr budget:bond:B:interest_paid, Dr budget:bond:B:principal_repaid / Cr budget:bond:B:reserve
//
// Earlier due dates must be paid first, and a date is paid once (the same
// request again returns the recorded payment). The reserve must hold the
// whole amount on the payment date and on every later day (it is a
// no-overdraft account). When it does not, the payment is refused
// (ErrReserveShortfall) unless a backstop source is named: then a separate
// top-up entry for exactly the shortfall, with metadata naming the source,
// is posted first, dated the payment date, in the same transaction:
//
//	financial  Dr bond:B:reserve / Cr bond:B:backstop:SRC
//	budget     Dr budget:bond:B:reserve / Cr budget:bond:B:backstop
func (p *Programme) PayBond(ctx context.Context, r BondPaymentRequest) (BondPayment, error) {
	what := fmt.Sprintf("pay bond %s due %s", r.Bond, ledger.Civil(r.DueDate).Format(ledger.DateLayout))
	if err := checkInput(what, r); err != nil {
		return BondPayment{}, err
	}
	var backstop BackstopSource
	if r.Backstop != "" {
		var ok bool
		if backstop, ok = LookupBackstopSource(r.Backstop); !ok {
			return BondPayment{}, fmt.Errorf("%w: %s: backstop source %q: want one of %s", ErrInvalid, what, r.Backstop, backstopList())
		}
	}
	due := ledger.Civil(r.DueDate)
	paidOn := due
	if !r.PaidOn.IsZero() {
		paidOn = ledger.Civil(r.PaidOn)
	}
	if paidOn.Before(due) {
		return BondPayment{}, fmt.Errorf("%w: %s: paid on %s, before the due date", ErrInvalid, what, paidOn.Format(ledger.DateLayout))
	}
	b, err := p.Bond(ctx, r.Bond)
	if err != nil {
		return BondPayment{}, fmt.Errorf("%s: %w", what, err)
	}
	if !b.Issued {
		return BondPayment{}, fmt.Errorf("%w: %s: the bond is not issued yet", ErrStatus, what)
	}
	if err := p.ensureBondAccounts(ctx, b); err != nil {
		return BondPayment{}, err
	}
	acc := bondAccounts{b.Code}
	if backstop.Code != "" {
		if err := p.ledger.CreateAccounts(ctx, []ledger.Account{{Code: acc.backstop(backstop.Code),
			Name: fmt.Sprintf("专项债券 %s 调入资金 %s backstop", b.Code, backstop.NameZH), Type: ledger.Revenue,
			Dimensions: ledger.Dimensions{Bond: b.Code}}}, "fundledger"); err != nil {
			return BondPayment{}, fmt.Errorf("%s: %w", what, err)
		}
	}
	var out BondPayment
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		out = BondPayment{Bond: b.Code, DueDate: due, PaidOn: paidOn}
		if err := lockBond(ctx, tx, b.Code); err != nil {
			return err
		}
		found, err := loadBondPayment(ctx, tx, b.Code, due, &out)
		if err != nil {
			return err
		}
		if found {
			if !out.PaidOn.Equal(paidOn) {
				return fmt.Errorf("%w: the payment due on %s was recorded on %s already", ErrExists, due.Format(ledger.DateLayout), out.PaidOn.Format(ledger.DateLayout))
			}
			out.Replayed = true
			return nil
		}
		s, err := loadBondSchedule(ctx, tx, b.Code, 0, time.Time{})
		if err != nil {
			return err
		}
		dues := make([]dueAmount, len(s.Lines))
		for i, l := range s.Lines {
			dues[i] = dueAmount{DueDate: l.DueDate, Total: l.Total()}
		}
		at, err := payableLineInTx(ctx, tx, scheduleOfBond, b.Code, s.Version, dues, due)
		if err != nil {
			return err
		}
		line := s.Lines[at]
		out.Seq, out.ScheduleVersion, out.Interest, out.Principal = line.Seq, s.Version, line.Interest, line.Principal
		total := line.Total()
		if !total.IsPositive() {
			return fmt.Errorf("%w: nothing to pay on %s", ErrInvalid, due.Format(ledger.DateLayout))
		}
		accruals, err := accrueInTx(ctx, tx, b, s, due, r.Actor)
		if err != nil {
			return err
		}
		for _, a := range accruals {
			out.AccrualEntries = append(out.AccrualEntries, a.EntryID)
		}
		if out.ReserveAvailable, err = reserveAvailable(ctx, tx, acc.fin(bondReserve), paidOn); err != nil {
			return err
		}
		shortfall := total.Sub(out.ReserveAvailable)
		day := paidOn.Format(ledger.DateLayout)
		key := "bond:" + b.Code + ":payment:" + due.Format(ledger.DateLayout)
		var entries []ledger.Entry
		if shortfall.IsPositive() {
			if backstop.Code == "" {
				return fmt.Errorf("%w: interest %s + principal %s = %s exceeds the repayment reserve of %s available on %s by %s; "+
					"name a backstop source to top it up (%s)", ErrReserveShortfall, line.Interest.StringFixed(2), line.Principal.StringFixed(2),
					total.StringFixed(2), out.ReserveAvailable.StringFixed(2), day, shortfall.StringFixed(2), backstopList())
			}
			out.Backstop, out.BackstopAmount = backstop.Code, shortfall
			meta := map[string]string{"kind": "bond_backstop", "bond": b.Code, "backstop_source": backstop.Code, "backstop_source_name": backstop.NameZH,
				"due_date": due.Format(ledger.DateLayout), "shortfall": shortfall.StringFixed(2), "reserve_available": out.ReserveAvailable.StringFixed(2),
				"payment": key, "reference": r.Reference}
			memo := autoMemo(meta, MemoBondBackstop, "兜底补足偿债准备金：%s为债券 %s 补足 %s 元，用于 %s 到期的还本付息",
				memoArg{ledger.MemoArgText + backstop.NameEN, backstop.NameZH}, txtArg(b.Code), txtArg(shortfall.StringFixed(2)), txtArg(due.Format(ledger.DateLayout)))
			bkey := "bond:" + b.Code + ":backstop:" + due.Format(ledger.DateLayout)
			entries = append(entries,
				ledger.Entry{Book: ledger.BookFinancial, EffectiveDate: paidOn, Memo: memo, Actor: r.Actor, IdempotencyKey: bkey + "/financial", Metadata: meta,
					Postings: []ledger.Posting{
						{AccountCode: acc.fin(bondReserve), Side: ledger.Debit, Amount: shortfall},
						{AccountCode: acc.backstop(backstop.Code), Side: ledger.Credit, Amount: shortfall}}},
				ledger.Entry{Book: ledger.BookBudget, EffectiveDate: paidOn, Memo: memo, Actor: r.Actor, IdempotencyKey: bkey + "/budget", Metadata: meta,
					Postings: []ledger.Posting{
						{AccountCode: acc.budget(bondReserve), Side: ledger.Debit, Amount: shortfall},
						{AccountCode: acc.budget(bondBackstop), Side: ledger.Credit, Amount: shortfall}}})
		} else {
			out.BackstopAmount = decimal.Zero
		}
		meta := map[string]string{"kind": "bond_payment", "bond": b.Code, "due_date": due.Format(ledger.DateLayout), "seq": strconv.Itoa(line.Seq),
			"schedule_version": strconv.Itoa(s.Version), "interest": line.Interest.StringFixed(2), "principal": line.Principal.StringFixed(2),
			"bank_account": b.ReserveBankAccount, "reference": r.Reference}
		memo := autoMemo(meta, MemoBondPayment, "还本付息：债券 %s，%s 到期，利息 %s 元，本金 %s 元", txtArg(b.Code), txtArg(due.Format(ledger.DateLayout)),
			txtArg(line.Interest.StringFixed(2)), txtArg(line.Principal.StringFixed(2)))
		fin := ledger.Entry{Book: ledger.BookFinancial, EffectiveDate: paidOn, Memo: memo, Actor: r.Actor, IdempotencyKey: key + "/financial", Metadata: meta}
		bud := ledger.Entry{Book: ledger.BookBudget, EffectiveDate: paidOn, Memo: memo, Actor: r.Actor, IdempotencyKey: key + "/budget", Metadata: meta}
		if line.Interest.IsPositive() {
			fin.Postings = append(fin.Postings, ledger.Posting{AccountCode: acc.fin(bondInterestPayable), Side: ledger.Debit, Amount: line.Interest})
			bud.Postings = append(bud.Postings, ledger.Posting{AccountCode: acc.budget(bondInterestPaid), Side: ledger.Debit, Amount: line.Interest})
		}
		if line.Principal.IsPositive() {
			fin.Postings = append(fin.Postings, ledger.Posting{AccountCode: acc.fin(bondPrincipal), Side: ledger.Debit, Amount: line.Principal})
			bud.Postings = append(bud.Postings, ledger.Posting{AccountCode: acc.budget(bondPrincipalRepaid), Side: ledger.Debit, Amount: line.Principal})
		}
		fin.Postings = append(fin.Postings, ledger.Posting{AccountCode: acc.fin(bondReserve), Side: ledger.Credit, Amount: total})
		bud.Postings = append(bud.Postings, ledger.Posting{AccountCode: acc.budget(bondReserve), Side: ledger.Credit, Amount: total})
		entries = append(entries, fin, bud)
		posted, err := ledger.PostInTx(ctx, tx, entries)
		if err != nil {
			return err
		}
		var bsrc, bamt, bfin, bbud any
		if out.Backstop != "" {
			out.BackstopFinancialEntry, out.BackstopBudgetEntry = posted[0].ID, posted[1].ID
			bsrc, bamt, bfin, bbud = out.Backstop, out.BackstopAmount.StringFixed(2), out.BackstopFinancialEntry, out.BackstopBudgetEntry
		}
		out.FinancialEntry, out.BudgetEntry = posted[len(posted)-2].ID, posted[len(posted)-1].ID
		_, err = tx.ExecContext(ctx, `
			INSERT INTO bond_payments (bond, due_date, schedule_version, seq, paid_on, interest, principal, backstop_source, backstop_amount,
			                           backstop_financial_entry_id, backstop_budget_entry_id, financial_entry_id, budget_entry_id, reference, actor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			b.Code, due.Format(ledger.DateLayout), s.Version, line.Seq, day, line.Interest.StringFixed(2), line.Principal.StringFixed(2),
			bsrc, bamt, bfin, bbud, out.FinancialEntry, out.BudgetEntry, r.Reference, r.Actor)
		return err
	})
	if errors.Is(err, ledger.ErrOverdraft) && strings.Contains(err.Error(), acc.fin(bondReserve)+" ") {
		err = fmt.Errorf("%w: %w", ErrReserveShortfall, err)
	}
	if err != nil {
		return BondPayment{}, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// reserveAvailable is what a no-overdraft account can pay on a date: its
// lowest end-of-day balance from that date on (money that arrives later
// cannot pay earlier, and money already committed by later payments is not
// available). Read inside the payer's transaction, under the bond's lock.
func reserveAvailable(ctx context.Context, tx *sqlx.Tx, code string, on time.Time) (decimal.Decimal, error) {
	var row struct {
		AtDay decimal.Decimal     `db:"at_day"`
		Later decimal.NullDecimal `db:"later"`
	}
	err := tx.GetContext(ctx, &row, `
		WITH d AS (
			SELECT b.day, sum(b.debit - b.credit) OVER (ORDER BY b.day) AS cum
			  FROM account_day_balances b JOIN accounts a ON a.id = b.account_id WHERE a.code = $1)
		SELECT coalesce((SELECT cum FROM d WHERE day <= $2::date ORDER BY day DESC LIMIT 1), 0) AS at_day,
		       (SELECT min(cum) FROM d WHERE day > $2::date) AS later`, code, on.Format(ledger.DateLayout))
	if err != nil {
		return decimal.Zero, fmt.Errorf("reserve %s: %w", code, err)
	}
	avail := row.AtDay
	if row.Later.Valid && row.Later.Decimal.LessThan(avail) {
		avail = row.Later.Decimal
	}
	if avail.IsNegative() {
		avail = decimal.Zero
	}
	return avail, nil
}

func loadBondPayment(ctx context.Context, db sqlx.QueryerContext, bond string, due time.Time, out *BondPayment) (bool, error) {
	var row struct {
		Seq       int                 `db:"seq"`
		Version   int                 `db:"schedule_version"`
		PaidOn    time.Time           `db:"paid_on"`
		Interest  decimal.Decimal     `db:"interest"`
		Principal decimal.Decimal     `db:"principal"`
		Source    sql.NullString      `db:"backstop_source"`
		Amount    decimal.NullDecimal `db:"backstop_amount"`
		BFin      sql.NullInt64       `db:"backstop_financial_entry_id"`
		BBud      sql.NullInt64       `db:"backstop_budget_entry_id"`
		Fin       int64               `db:"financial_entry_id"`
		Bud       int64               `db:"budget_entry_id"`
	}
	err := sqlx.GetContext(ctx, db, &row, `
		SELECT seq, schedule_version, paid_on, interest, principal, backstop_source, backstop_amount, backstop_financial_entry_id,
		       backstop_budget_entry_id, financial_entry_id, budget_entry_id
		  FROM bond_payments WHERE bond = $1 AND due_date = $2`, bond, due.Format(ledger.DateLayout))
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	*out = BondPayment{Bond: bond, DueDate: due, PaidOn: ledger.Civil(row.PaidOn), Seq: row.Seq, ScheduleVersion: row.Version, Interest: row.Interest,
		Principal: row.Principal, Backstop: row.Source.String, BackstopAmount: row.Amount.Decimal, BackstopFinancialEntry: row.BFin.Int64,
		BackstopBudgetEntry: row.BBud.Int64, FinancialEntry: row.Fin, BudgetEntry: row.Bud}
	return true, nil
}

// BondPayments lists the payments of a bond by due date.
func (p *Programme) BondPayments(ctx context.Context, bond string) ([]BondPayment, error) {
	var dues []time.Time
	if err := p.db.SelectContext(ctx, &dues, `SELECT due_date FROM bond_payments WHERE bond = $1 ORDER BY due_date LIMIT 1000`, bond); err != nil {
		return nil, fmt.Errorf("payments of bond %s: %w", bond, err)
	}
	out := make([]BondPayment, 0, len(dues))
	for _, d := range dues {
		var x BondPayment
		if _, err := loadBondPayment(ctx, p.db, bond, ledger.Civil(d), &x); err != nil {
			return nil, fmt.Errorf("payments of bond %s: %w", bond, err)
		}
		out = append(out, x)
	}
	return out, nil
}
