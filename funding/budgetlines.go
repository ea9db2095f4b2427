package funding

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
	"fundledger/rules"
)

// Budget lines (无预算不支出): every approved category of a project is a
// line whose budget payments may not exceed; an approval (or an adjustment)
// may also set a line for one source within a category, which that source's
// payments for the category may not exceed. A line lives in the budget book
// as a memorandum pair (see migrations/00008_budget_lines.sql):
//
//	budget:line:D:P:C[:S]           budget_asset, no overdraft — approved, not yet paid
//	budget:appropriation:D:P:C[:S]  budget_balance — its counterpart
//
// An approval or an adjustment posts the change of the line's budget; each
// payment draws its lines in the entry that records it as spent. The
// database refuses a line below zero (no overdraft) and an entry that
// spends on a category without drawing its lines (SQLSTATE FLB01); Go checks
// first to say which line, its budget, what is paid and the shortfall.

// lineID names a line of a project: a category, and a source ("" for the
// whole category).
type lineID struct{ category, source string }

func (id lineID) String() string {
	if id.source == "" {
		return id.category + " (" + categoryLabel(id.category) + ")"
	}
	return id.category + " (" + categoryLabel(id.category) + ") from " + id.source + " (" + sourceLabel(id.source) + ")"
}

func (id lineID) suffix() string {
	if id.source == "" {
		return id.category
	}
	return id.category + ":" + id.source
}

func (a projectAccounts) line(id lineID) string {
	return "budget:line:" + a.district + ":" + a.project + ":" + id.suffix()
}
func (a projectAccounts) appropriation(id lineID) string {
	return "budget:appropriation:" + a.district + ":" + a.project + ":" + id.suffix()
}

// lineOrder lists line ids in category order, the category's own line
// first, then its source lines in canonical source order.
func lineOrder(ids map[lineID]bool) []lineID {
	var out []lineID
	for _, c := range rules.Categories() {
		if ids[lineID{c.Code, ""}] {
			out = append(out, lineID{c.Code, ""})
		}
		for _, s := range rules.Sources() {
			if ids[lineID{c.Code, s.Code}] {
				out = append(out, lineID{c.Code, s.Code})
			}
		}
	}
	return out
}

// Kinds of budget line change.
const (
	LineChangeApproval   = "approval"
	LineChangeAdjustment = "adjustment"
	LineChangeMigration  = "migration"
)

// BudgetLine is one approved line of a project as of a date: its budget,
// what was paid against it, and what remains (never below zero). Source is
// "" for the line of the whole category.
type BudgetLine struct {
	Project      string          `json:"project"`
	Category     string          `json:"category"`
	CategoryName string          `json:"category_name"`
	Source       string          `json:"source,omitempty"`
	SourceName   string          `json:"source_name,omitempty"`
	Budget       decimal.Decimal `json:"budget"`
	Paid         decimal.Decimal `json:"paid"`
	Remaining    decimal.Decimal `json:"remaining"`
}

// BudgetLineChange is one change of a line's budget: by an approval, an
// adjustment (调整预算, with reason and approver) or the migration that
// opened the lines of an existing database.
type BudgetLineChange struct {
	ID          int64           `db:"id" json:"id"`
	Project     string          `db:"project" json:"project"`
	Category    string          `db:"category" json:"category"`
	Source      string          `db:"source" json:"source,omitempty"` // "": the whole category
	Kind        string          `db:"kind" json:"kind"`
	ApprovalID  sql.NullInt64   `db:"approval_id" json:"-"`
	Previous    decimal.Decimal `db:"previous" json:"previous"`
	Budget      decimal.Decimal `db:"budget" json:"budget"`
	EffectiveOn time.Time       `db:"effective_on" json:"effective_on"`
	Reason      string          `db:"reason" json:"reason,omitempty"`
	Approver    string          `db:"approver" json:"approver,omitempty"`
	EntryID     sql.NullInt64   `db:"entry_id" json:"-"`
	Actor       string          `db:"actor" json:"actor"`
	At          time.Time       `db:"at" json:"at"`
	// Unchanged is set when an adjustment asked for the budget the line
	// already has: nothing was written.
	Unchanged bool `db:"-" json:"unchanged,omitempty"`
}

// Difference is the change of the budget (negative when lowered).
func (c BudgetLineChange) Difference() decimal.Decimal { return c.Budget.Sub(c.Previous) }

// maxLineHistory bounds the history read for one project.
const maxLineHistory = 10000

// lineBudgets returns the current budget of each line of a project (the
// latest change recorded on or before asOf; zero: all).
func lineBudgets(ctx context.Context, db sqlx.QueryerContext, project string, asOf time.Time) (map[lineID]decimal.Decimal, error) {
	all, err := lineBudgetsOf(ctx, db, []string{project}, asOf)
	if err != nil {
		return nil, fmt.Errorf("budget lines of %s: %w", project, err)
	}
	return all[project], nil
}

// lineBudgetsOf is lineBudgets of many projects in one query (at most
// MaxBatchItems), by project; a project without lines has an empty map.
func lineBudgetsOf(ctx context.Context, db sqlx.QueryerContext, projects []string, asOf time.Time) (map[string]map[lineID]decimal.Decimal, error) {
	if len(projects) > MaxBatchItems {
		return nil, fmt.Errorf("%w: budget lines of %d projects: at most %d at a time", ErrInvalid, len(projects), MaxBatchItems)
	}
	var rows []struct {
		Project  string          `db:"project"`
		Category string          `db:"category"`
		Source   string          `db:"source"`
		Budget   decimal.Decimal `db:"budget"`
	}
	if err := sqlx.SelectContext(ctx, db, &rows, `
		SELECT DISTINCT ON (c.project, c.category, c.source) c.project, c.category, c.source, c.budget
		  FROM budget_line_changes c JOIN unnest($1::text[]) AS u(code) ON u.code = c.project
		 WHERE ($2::date IS NULL OR c.effective_on <= $2::date)
		 ORDER BY c.project, c.category, c.source, c.id DESC`, pq.Array(projects), ledger.SQLDate(asOf)); err != nil {
		return nil, err
	}
	out := make(map[string]map[lineID]decimal.Decimal, len(projects))
	for _, p := range projects {
		out[p] = map[lineID]decimal.Decimal{}
	}
	for _, r := range rows {
		out[r.Project][lineID{r.Category, r.Source}] = r.Budget
	}
	return out, nil
}

// categoryBudgets keeps the lines of whole categories, by category.
func categoryBudgets(lines map[lineID]decimal.Decimal) map[string]decimal.Decimal {
	out := map[string]decimal.Decimal{}
	for id, b := range lines {
		if id.source == "" {
			out[id.category] = b
		}
	}
	return out
}

// paidByLine sums what a project spent as of a date from the budget book,
// per category (source "") and per category and source.
func (p *Programme) paidByLine(ctx context.Context, pr Project, asOf time.Time) (map[lineID]decimal.Decimal, error) {
	rows, err := p.ledger.Balances(ctx, ledger.BalanceFilter{
		AccountFilter: ledger.AccountFilter{CodePrefix: "budget:spent:" + pr.District + ":" + pr.Code, Dimensions: ledger.Dimensions{Project: pr.Code}},
		AsOf:          asOf, GroupBy: []string{ledger.ByCategory, ledger.BySource},
	})
	if err != nil {
		return nil, fmt.Errorf("paid by category of %s: %w", pr.Code, err)
	}
	out := map[lineID]decimal.Decimal{}
	for _, r := range rows {
		cat, src := r.Group[ledger.ByCategory], r.Group[ledger.BySource]
		out[lineID{cat, ""}] = out[lineID{cat, ""}].Add(r.Net())
		out[lineID{cat, src}] = out[lineID{cat, src}].Add(r.Net())
	}
	return out, nil
}

// BudgetLines returns every line of a project as of a date (zero: all):
// budget, paid and remaining, in category order. A category paid without a
// line (only possible in books older than the control) shows a zero budget.
func (p *Programme) BudgetLines(ctx context.Context, project string, asOf time.Time) ([]BudgetLine, error) {
	pr, err := p.Project(ctx, project)
	if err != nil {
		return nil, err
	}
	budgets, err := lineBudgets(ctx, p.db, pr.Code, asOf)
	if err != nil {
		return nil, err
	}
	paid, err := p.paidByLine(ctx, pr, asOf)
	if err != nil {
		return nil, err
	}
	ids := map[lineID]bool{}
	for id := range budgets {
		ids[id] = true
	}
	for id, pd := range paid {
		if id.source == "" && !pd.IsZero() {
			ids[id] = true
		}
	}
	var out []BudgetLine
	for _, id := range lineOrder(ids) {
		b, pd := budgets[id], paid[id]
		l := BudgetLine{Project: pr.Code, Category: id.category, CategoryName: categoryLabel(id.category), Budget: b, Paid: pd, Remaining: b.Sub(pd)}
		if id.source != "" {
			l.Source, l.SourceName = id.source, sourceLabel(id.source)
		}
		out = append(out, l)
	}
	return out, nil
}

// BudgetLineHistory returns every change of a project's line budgets, oldest
// first.
func (p *Programme) BudgetLineHistory(ctx context.Context, project string) ([]BudgetLineChange, error) {
	var out []BudgetLineChange
	if err := p.db.SelectContext(ctx, &out, `
		SELECT id, project, category, source, kind, approval_id, previous, budget, effective_on, reason, approver, entry_id, actor, at
		  FROM budget_line_changes WHERE project = $1 ORDER BY id LIMIT $2`, project, maxLineHistory); err != nil {
		return nil, fmt.Errorf("budget line history of %s: %w", project, err)
	}
	for i := range out {
		out[i].EffectiveOn = ledger.Civil(out[i].EffectiveOn)
	}
	return out, nil
}

// ensureLineAccounts creates the accounts of a project's lines
// (idempotent).
func (p *Programme) ensureLineAccounts(ctx context.Context, pr Project, ids ...lineID) error {
	if len(ids) == 0 {
		return nil
	}
	key := lineAccountsKey(pr, ids)
	if _, done := p.ensured.Load(key); done {
		return nil
	}
	if err := p.ledger.CreateAccounts(ctx, lineAccounts(pr, ids), "fundledger"); err != nil {
		return fmt.Errorf("budget line accounts of project %s: %w", pr.Code, err)
	}
	p.ensured.Store(key, struct{}{})
	return nil
}

func lineAccountsKey(pr Project, ids []lineID) string {
	key := "line\x00" + pr.Code
	for _, id := range ids {
		key += "\x00" + id.suffix()
	}
	return key
}

// lineAccounts are the accounts of a project's lines.
func lineAccounts(pr Project, ids []lineID) []ledger.Account {
	a := accountsOf(pr)
	var accts []ledger.Account
	for _, id := range ids {
		dims := ledger.Dimensions{District: pr.District, Project: pr.Code, Category: id.category, Source: id.source}
		label := categoryLabel(id.category)
		if id.source != "" {
			label += sourceLabel(id.source)
		}
		accts = append(accts,
			ledger.Account{Code: a.line(id), Name: label + "预算指标余额 budget line, approved not yet paid", Type: ledger.BudgetAsset, NoOverdraft: true, Dimensions: dims},
			ledger.Account{Code: a.appropriation(id), Name: label + "预算指标 budget line appropriation", Type: ledger.BudgetBalance, Dimensions: dims})
	}
	return accts
}

// linePostings are the postings that move a line's budget from previous to
// budget: Dr line, Cr appropriation for a raise, the reverse for a cut.
func linePostings(acc projectAccounts, cat lineID, previous, budget decimal.Decimal) []ledger.Posting {
	diff := budget.Sub(previous)
	switch {
	case diff.IsPositive():
		return []ledger.Posting{
			{AccountCode: acc.line(cat), Side: ledger.Debit, Amount: diff},
			{AccountCode: acc.appropriation(cat), Side: ledger.Credit, Amount: diff}}
	case diff.IsNegative():
		return []ledger.Posting{
			{AccountCode: acc.appropriation(cat), Side: ledger.Debit, Amount: diff.Neg()},
			{AccountCode: acc.line(cat), Side: ledger.Credit, Amount: diff.Neg()}}
	}
	return nil
}

// lineDraw are the postings by which a payment draws its line.
func lineDraw(acc projectAccounts, cat lineID, amount decimal.Decimal) []ledger.Posting {
	return []ledger.Posting{
		{AccountCode: acc.appropriation(cat), Side: ledger.Debit, Amount: amount},
		{AccountCode: acc.line(cat), Side: ledger.Credit, Amount: amount}}
}

// lineDraws are the postings by which a payment draws all its lines.
func lineDraws(acc projectAccounts, ids []lineID, amount decimal.Decimal) []ledger.Posting {
	var out []ledger.Posting
	for _, id := range ids {
		out = append(out, lineDraw(acc, id, amount)...)
	}
	return out
}

// checkLowering refuses a new budget below what the line has paid.
func checkLowering(what string, pr Project, id lineID, budget, paid decimal.Decimal) error {
	if budget.LessThan(paid) {
		return fmt.Errorf("%w: %s: budget line %s %s: %s is below the %s already paid; the lowest budget it can have is %s",
			ErrBudgetBelowPaid, what, pr.Code, id, budget.StringFixed(2), paid.StringFixed(2), paid.StringFixed(2))
	}
	return nil
}

// insertLineChange records one change of a line in tx.
func insertLineChange(ctx context.Context, tx *sqlx.Tx, c *BudgetLineChange) error {
	return tx.GetContext(ctx, c, `
		INSERT INTO budget_line_changes (project, category, source, kind, approval_id, previous, budget, effective_on, reason, approver, entry_id, actor)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		RETURNING id, at`,
		c.Project, c.Category, c.Source, c.Kind, c.ApprovalID, c.Previous.StringFixed(2), c.Budget.StringFixed(2),
		c.EffectiveOn.Format(ledger.DateLayout), c.Reason, c.Approver, c.EntryID, c.Actor)
}

// BudgetAdjustment changes one line's budget (调整预算) to a new amount: the
// line of a category, or with Source the line of that source within it.
type BudgetAdjustment struct {
	Project  string          `json:"project" validate:"required"`
	Category string          `json:"category" validate:"required,oneof=basic improvement upgrade"`
	Source   string          `json:"source,omitempty"`
	Budget   decimal.Decimal `json:"budget"` // the line's new budget
	On       time.Time       `json:"on" validate:"required"`
	Reason   string          `json:"reason" validate:"required,max=1000"`
	Approver string          `json:"approver" validate:"required,max=200"`
	Actor    string          `json:"actor" validate:"required"`
}

// AdjustBudget sets a budget line of a project to a new budget (调整预算),
// posting only the difference to the budget book and recording the change
// with its reason, approver, actor and time. Lowering a line below what is
// already paid is refused (ErrBudgetBelowPaid). Asking for the budget the
// line already has changes nothing (Unchanged). A category with no line
// gets one. Commitments of the sources are not changed: paying more still
// needs the sources' cash.
func (p *Programme) AdjustBudget(ctx context.Context, r BudgetAdjustment) (BudgetLineChange, error) {
	id := lineID{r.Category, r.Source}
	what := fmt.Sprintf("adjust budget line %s %s", r.Project, id.suffix())
	r.Reason, r.Approver = strings.TrimSpace(r.Reason), strings.TrimSpace(r.Approver)
	if err := checkInput(what, r); err != nil {
		return BudgetLineChange{}, err
	}
	if r.Budget.IsNegative() || !r.Budget.Equal(r.Budget.Truncate(2)) || r.Budget.GreaterThanOrEqual(decimal.New(1, 15)) {
		return BudgetLineChange{}, fmt.Errorf("%w: %s: budget %s must be zero or more with at most two decimals (fen)", ErrInvalid, what, r.Budget.String())
	}
	if _, ok := rules.LookupSource(r.Source); r.Source != "" && !ok {
		return BudgetLineChange{}, fmt.Errorf("%w: %s: unknown source %q", ErrInvalid, what, r.Source)
	}
	pr, err := p.Project(ctx, r.Project)
	if err != nil {
		return BudgetLineChange{}, fmt.Errorf("%s: %w", what, err)
	}
	if pr.Status == StatusAccepted {
		return BudgetLineChange{}, fmt.Errorf("%w: %s: the project is accepted (竣工验收); its budget is closed", ErrStatus, what)
	}
	if _, err := p.latestApproval(ctx, p.db, pr.Code); err != nil {
		return BudgetLineChange{}, fmt.Errorf("%s: the project has no approved budget to adjust: %w", what, err)
	}
	if err := p.ensureLineAccounts(ctx, pr, id); err != nil {
		return BudgetLineChange{}, err
	}
	on := ledger.Civil(r.On)
	c := BudgetLineChange{Project: pr.Code, Category: r.Category, Source: r.Source, Kind: LineChangeAdjustment, Budget: r.Budget, EffectiveOn: on,
		Reason: r.Reason, Approver: r.Approver, Actor: r.Actor}
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		// One change of a project's budget at a time.
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM projects WHERE code = $1 FOR UPDATE`, pr.Code); err != nil {
			return err
		}
		budgets, err := lineBudgets(ctx, tx, pr.Code, time.Time{})
		if err != nil {
			return err
		}
		if _, ok := budgets[lineID{r.Category, ""}]; r.Source != "" && !ok {
			return fmt.Errorf("%w: %s: the project has no budget line for %s to set a source's part of", ErrNoBudgetLine, what, lineID{r.Category, ""})
		}
		c.Previous = budgets[id]
		if c.Previous.Equal(c.Budget) {
			c.Unchanged = true
			return nil
		}
		paid, err := p.paidByLine(ctx, pr, time.Time{})
		if err != nil {
			return err
		}
		if err := checkLowering(what, pr, id, c.Budget, paid[id]); err != nil {
			return err
		}
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM budget_line_changes WHERE project = $1 AND category = $2 AND source = $3`,
			pr.Code, r.Category, r.Source); err != nil {
			return err
		}
		meta := map[string]string{"kind": "budget_adjustment", "project": pr.Code, "district": pr.District, "category": r.Category,
			"previous": c.Previous.StringFixed(2), "budget": c.Budget.StringFixed(2), "approver": r.Approver, "reason": r.Reason}
		if r.Source != "" {
			meta["source"] = r.Source
		}
		e := ledger.Entry{Book: ledger.BookBudget, EffectiveDate: on, Actor: r.Actor,
			Memo: autoMemo(meta, MemoBudgetAdjustment, "调整预算：项目 %s %s预算 %s 元调整为 %s 元，%s 批准：%s", txtArg(pr.Code), lineArg(id),
				txtArg(c.Previous.StringFixed(2)), txtArg(c.Budget.StringFixed(2)), txtArg(r.Approver), txtArg(r.Reason)),
			IdempotencyKey: fmt.Sprintf("budget-line:%s:%s:%d", pr.Code, id.suffix(), n+1),
			Metadata:       meta,
			Postings:       linePostings(accountsOf(pr), id, c.Previous, c.Budget)}
		out, err := ledger.PostInTx(ctx, tx, []ledger.Entry{e})
		if err != nil {
			return lineError(err)
		}
		c.EntryID = sql.NullInt64{Int64: out[0].ID, Valid: true}
		return insertLineChange(ctx, tx, &c)
	})
	if err != nil {
		return BudgetLineChange{}, fmt.Errorf("%s: %w", what, err)
	}
	return c, nil
}

// LineShortfall is a payment refused by its budget line (无预算不支出):
// the line, its budget, what is already paid (including earlier payments
// of the same batch), the payment and by how much it exceeds what remains.
// It is ErrBudgetLineExceeded (errors.Is).
type LineShortfall struct {
	What, Project, Line                        string
	Category, Source                           string // Source "" for a category line
	Budget, Paid, Remaining, Amount, Shortfall decimal.Decimal
}

func (e *LineShortfall) Error() string {
	return fmt.Sprintf("%v (无预算不支出): %s: budget line %s %s: budget %s, already paid %s, remaining %s; this payment of %s exceeds it by %s (adjust the budget first: fundledger budget adjust)",
		ErrBudgetLineExceeded, e.What, e.Project, e.Line, e.Budget.StringFixed(2), e.Paid.StringFixed(2),
		e.Remaining.StringFixed(2), e.Amount.StringFixed(2), e.Shortfall.StringFixed(2))
}

func (e *LineShortfall) Unwrap() error { return ErrBudgetLineExceeded }

// lineShortfall says which line a payment would overdraw.
func lineShortfall(what string, pr Project, id lineID, budget, paid, amount decimal.Decimal) error {
	remaining := budget.Sub(paid)
	return &LineShortfall{What: what, Project: pr.Code, Line: fmt.Sprint(id), Category: id.category, Source: id.source, Budget: budget, Paid: paid,
		Remaining: remaining, Amount: amount, Shortfall: amount.Sub(remaining)}
}

// noLine says that a payment's category has no approved line.
func noLine(what string, pr Project, cat string) error {
	return fmt.Errorf("%w (无预算不支出): %s: project %s has no approved budget line for %s (%s); approve it or adjust the budget first",
		ErrNoBudgetLine, what, pr.Code, cat, categoryLabel(cat))
}

// SQLSTATE raised by migrations/00008_budget_lines.sql.
const stateNoLineDraw = "FLB01"

// lineError maps the database's refusals of a line to the named errors;
// anything else passes through.
func lineError(err error) error {
	var pe *pq.Error
	if errors.As(err, &pe) && string(pe.Code) == stateNoLineDraw {
		return fmt.Errorf("%w: %s", ErrNoBudgetLine, pe.Message)
	}
	if errors.Is(err, ledger.ErrOverdraft) && strings.Contains(err.Error(), "budget:line:") {
		return fmt.Errorf("%w: %w", ErrBudgetLineExceeded, err)
	}
	return err
}

// lineKey is a line of a project.
type lineKey struct {
	project string
	lineID
}

// lineState is a line's budget and what it has paid, as a batch of payments
// goes through it.
type lineState struct {
	budget, paid decimal.Decimal
	exists       bool
}

// lineStates reads, once per project of a batch, its lines.
type lineStates struct {
	p     *Programme
	lines map[lineKey]*lineState
	read  map[string]bool
}

func (s *lineStates) get(ctx context.Context, pr Project, id lineID) (*lineState, error) {
	if !s.read[pr.Code] {
		budgets, err := lineBudgets(ctx, s.p.db, pr.Code, time.Time{})
		if err != nil {
			return nil, err
		}
		paid, err := s.p.paidByLine(ctx, pr, time.Time{})
		if err != nil {
			return nil, err
		}
		for lid, b := range budgets {
			s.lines[lineKey{pr.Code, lid}] = &lineState{budget: b, paid: paid[lid], exists: true}
		}
		s.read[pr.Code] = true
	}
	ls := s.lines[lineKey{pr.Code, id}]
	if ls == nil {
		ls = &lineState{}
		s.lines[lineKey{pr.Code, id}] = ls
	}
	return ls, nil
}

// draws returns the lines a payment from src for cat draws: the category's,
// and the source's within it where one is set. A category without a line is
// refused (ErrNoBudgetLine).
func (s *lineStates) draws(ctx context.Context, what string, pr Project, cat, src string) ([]lineID, error) {
	ids := []lineID{{cat, ""}, {cat, src}}
	var out []lineID
	for i, id := range ids {
		ls, err := s.get(ctx, pr, id)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if !ls.exists {
			if i == 0 {
				return nil, noLine(what, pr, cat)
			}
			continue
		}
		out = append(out, id)
	}
	return out, nil
}

// charge checks that a payment fits each of its lines and counts it as paid.
func (s *lineStates) charge(ctx context.Context, what string, pr Project, ids []lineID, amount decimal.Decimal) error {
	for _, id := range ids {
		ls, err := s.get(ctx, pr, id)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if ls.paid.Add(amount).GreaterThan(ls.budget) {
			return lineShortfall(what, pr, id, ls.budget, ls.paid, amount)
		}
	}
	for _, id := range ids {
		ls, _ := s.get(ctx, pr, id)
		ls.paid = ls.paid.Add(amount)
	}
	return nil
}

// recordedKeys returns which of the payments' budget entries are already
// recorded (replays of the same request), and for each whether it drew a
// budget line: one recorded before migration 00008 did not, and its replay
// must not either to be the same request.
func (p *Programme) recordedKeys(ctx context.Context, rs []DisbursementRequest) (map[string]bool, error) {
	keys := make([]string, len(rs))
	for i, r := range rs {
		keys[i] = r.IdempotencyKey + "/budget"
	}
	var found []struct {
		Key   string `db:"idempotency_key"`
		Drawn bool   `db:"drawn"`
	}
	if err := p.db.SelectContext(ctx, &found, `
		SELECT e.idempotency_key,
		       EXISTS (SELECT 1 FROM postings p JOIN accounts a ON a.id = p.account_id
		                WHERE p.entry_id = e.id AND a.code LIKE 'budget:line:%') AS drawn
		  FROM unnest($1::text[]) AS k(key) JOIN entries e ON e.idempotency_key = k.key COLLATE "C"`, pq.Array(keys)); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(found))
	for _, f := range found {
		out[f.Key] = f.Drawn
	}
	return out, nil
}
