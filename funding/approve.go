package funding

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
	"fundledger/rules"
)

// MaxBudgetLines bounds one approval.
const MaxBudgetLines = 1000

// BudgetLineInput is one approved cost line.
type BudgetLineInput struct {
	Category    string          `db:"category" json:"category" validate:"required,oneof=basic improvement upgrade"`
	WorkItem    string          `db:"work_item" json:"work_item" validate:"max=64"`
	Description string          `db:"description" json:"description" validate:"max=500"`
	Amount      decimal.Decimal `db:"amount" json:"amount"`
}

// SourceLineInput sets, within an approved category, the most one source
// may pay for it (a project × category × source budget line).
type SourceLineInput struct {
	Category string          `json:"category" validate:"required,oneof=basic improvement upgrade"`
	Source   string          `json:"source" validate:"required,max=64"`
	Amount   decimal.Decimal `json:"amount"`
}

// ApprovalRequest approves (or re-approves) a project's budget.
type ApprovalRequest struct {
	Project    string            `json:"project" validate:"required"`
	ApprovedOn time.Time         `json:"approved_on" validate:"required"`
	Lines      []BudgetLineInput `json:"lines" validate:"required,min=1,max=1000,dive"`
	// SourceLines optionally limit what a source may pay for a category.
	SourceLines []SourceLineInput `json:"source_lines,omitempty" validate:"max=100,dive"`
	Actor       string            `json:"actor" validate:"required"`
}

// SourceDelta is the change of one source's commitment made by an approval.
type SourceDelta struct {
	Source   string          `json:"source"`
	Previous decimal.Decimal `json:"previous"`
	Now      decimal.Decimal `json:"now"`
}

// Approval is a stored budget approval.
type Approval struct {
	ID          int64             `json:"id"`
	Project     string            `json:"project"`
	Version     int               `json:"version"`
	ApprovedOn  time.Time         `json:"approved_on"`
	RuleSetID   int64             `json:"rule_set_id"`
	Total       decimal.Decimal   `json:"total"`
	Allocation  rules.Allocation  `json:"allocation"`
	Deltas      []SourceDelta     `json:"deltas"`
	EntryID     int64             `json:"entry_id,omitempty"`
	Lines       []BudgetLineInput `json:"lines"`
	SourceLines []SourceLineInput `json:"source_lines,omitempty"`
	// Unchanged is set when the same lines were already approved under the
	// same rule set: nothing was written.
	Unchanged bool `json:"unchanged,omitempty"`
}

// committedFrom is what the approval commits from source: its total for
// the source, zero when the source has no share.
func (a *Approval) committedFrom(source string) decimal.Decimal {
	committed := decimal.Zero
	for _, t := range a.Allocation.Totals {
		if t.Source == source {
			committed = t.Amount
		}
	}
	return committed
}

// Approve splits a project's approved budget lines among the funding
// sources by the rule set in force for its district on the approval date,
// and posts the commitments to the budget book, with each category's
// budget line (the limit of its payments, 无预算不支出) and the source lines
// it sets (the limit of one source's payments for a category; a source line
// a re-approval does not name stays as it was). A re-approval that lowers a
// line below what it has already paid is refused (ErrBudgetBelowPaid); a
// category it leaves out gets a budget of zero. A re-approval posts only
// the difference from the previous approval per source; approving the same
// lines again under the same rule set changes nothing.
func (p *Programme) Approve(ctx context.Context, req ApprovalRequest) (Approval, error) {
	what := fmt.Sprintf("approve budget of project %s", req.Project)
	if err := checkApprovalLines(what, req.Lines); err != nil {
		return Approval{}, err
	}
	if err := checkInput(what, req); err != nil {
		return Approval{}, err
	}
	pr, err := p.Project(ctx, req.Project)
	if err != nil {
		return Approval{}, fmt.Errorf("%s: %w", what, err)
	}
	if pr.Status == StatusAccepted {
		return Approval{}, fmt.Errorf("%w: %s: the project is accepted (竣工验收); its budget is closed", ErrStatus, what)
	}
	on := ledger.Civil(req.ApprovedOn)
	stored, err := applicableRuleSet(ctx, p.db, pr.DistrictName, on)
	if err != nil {
		return Approval{}, fmt.Errorf("%s: %w", what, err)
	}
	lines := make([]rules.BudgetLine, len(req.Lines))
	for i, l := range req.Lines {
		lines[i] = rules.BudgetLine{Category: l.Category, WorkItem: l.WorkItem, Amount: l.Amount}
	}
	alloc, err := rules.Allocate(rules.Project{Code: pr.Code, District: pr.DistrictName, Households: pr.Households,
		FloorAreaM2: pr.FloorAreaM2, Elevators: pr.Elevators}, lines, stored.set)
	if err != nil {
		return Approval{}, fmt.Errorf("%w: %s: %w", ErrInvalid, what, err)
	}
	prev, err := p.latestApproval(ctx, p.db, pr.Code)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Approval{}, fmt.Errorf("%s: %w", what, err)
	}
	newBudgets := map[lineID]decimal.Decimal{}
	for _, l := range req.Lines {
		newBudgets[lineID{l.Category, ""}] = newBudgets[lineID{l.Category, ""}].Add(l.Amount)
	}
	for i, sl := range req.SourceLines {
		id := lineID{sl.Category, sl.Source}
		where := fmt.Sprintf("%s: source line %d (%s)", what, i+1, id.suffix())
		if err := ledger.CheckAmount(sl.Amount); err != nil {
			return Approval{}, fmt.Errorf("%w: %s: %w", ErrInvalid, where, err)
		}
		if _, ok := rules.LookupSource(sl.Source); !ok {
			return Approval{}, fmt.Errorf("%w: %s: unknown source %q", ErrInvalid, where, sl.Source)
		}
		cat, ok := newBudgets[lineID{sl.Category, ""}]
		switch {
		case !ok:
			return Approval{}, fmt.Errorf("%w: %s: the approval has no %s line to limit", ErrInvalid, where, sl.Category)
		case sl.Amount.GreaterThan(cat):
			return Approval{}, fmt.Errorf("%w: %s: %s is more than the %s line's %s", ErrInvalid, where, sl.Amount.StringFixed(2), sl.Category, cat.StringFixed(2))
		case !stored.set.MayPay(sl.Category, "", sl.Source):
			return Approval{}, fmt.Errorf("%w: %s: under rule set %s %s, %s may not pay %s", ErrNotEarmarked, where, stored.set.Name, stored.set.Version, sl.Source, sl.Category)
		}
		if _, dup := newBudgets[id]; dup {
			return Approval{}, fmt.Errorf("%w: %s: set twice", ErrInvalid, where)
		}
		newBudgets[id] = sl.Amount
	}
	if prev != nil && prev.RuleSetID == stored.id && sameLines(prev.Lines, req.Lines) && len(req.SourceLines) == 0 {
		prev.Unchanged = true
		return *prev, nil
	}
	lineIDs := map[lineID]bool{}
	for id := range newBudgets {
		lineIDs[id] = true
	}
	if err := p.ensureLineAccounts(ctx, pr, lineOrder(lineIDs)...); err != nil {
		return Approval{}, err
	}
	deltas := commitmentDeltas(prev, alloc)
	categories := map[string][]string{}
	for _, g := range alloc.Groups {
		for _, s := range g.Shares {
			categories[s.Source] = appendOnce(categories[s.Source], g.Category)
		}
	}
	for _, d := range deltas {
		if err := p.ensureSourceAccounts(ctx, pr, d.Source, categories[d.Source]...); err != nil {
			return Approval{}, err
		}
	}
	version := 1
	if prev != nil {
		version = prev.Version + 1
	}
	a := Approval{Project: pr.Code, Version: version, ApprovedOn: on, RuleSetID: stored.id, Total: alloc.Total,
		Allocation: alloc, Deltas: deltas, Lines: req.Lines, SourceLines: req.SourceLines}
	explanation, err := json.Marshal(alloc)
	if err != nil {
		return Approval{}, err
	}
	var changes []BudgetLineChange
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		// One approval of a project at a time: lock its row.
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM projects WHERE code = $1 FOR UPDATE`, pr.Code); err != nil {
			return err
		}
		var latest int
		if err := tx.GetContext(ctx, &latest, `SELECT coalesce(max(version), 0) FROM budget_approvals WHERE project = $1`, pr.Code); err != nil {
			return err
		}
		if latest != version-1 {
			return fmt.Errorf("%w: another approval of %s was recorded meanwhile; approve again", ErrStatus, pr.Code)
		}
		// Each line moves from its current budget to the approved one.
		current, err := lineBudgets(ctx, tx, pr.Code, time.Time{})
		if err != nil {
			return err
		}
		paid, err := p.paidByLine(ctx, pr, time.Time{})
		if err != nil {
			return err
		}
		entry := approvalEntry(pr, a, req.Actor, stored)
		ids := map[lineID]bool{}
		for id := range current {
			ids[id] = true
		}
		for id := range newBudgets {
			ids[id] = true
		}
		for _, id := range lineOrder(ids) {
			was, had := current[id]
			now, has := newBudgets[id]
			// A source line the approval does not name stays as it is.
			if (!had && !has) || (had && was.Equal(now)) || (id.source != "" && !has) {
				continue
			}
			if err := checkLowering(what, pr, id, now, paid[id]); err != nil {
				return err
			}
			ps := linePostings(accountsOf(pr), id, was, now)
			if entry == nil {
				entry = &ledger.Entry{Book: ledger.BookBudget, EffectiveDate: on, Actor: req.Actor,
					Memo:           fmt.Sprintf("资金下达 budget approval v%d of %s %s: budget lines", version, pr.Code, pr.Name),
					IdempotencyKey: fmt.Sprintf("approval:%s:v%d", pr.Code, version),
					Metadata:       map[string]string{"kind": "approval", "project": pr.Code, "district": pr.District, "approval_version": strconv.Itoa(version)}}
			}
			entry.Postings = append(entry.Postings, ps...)
			changes = append(changes, BudgetLineChange{Project: pr.Code, Category: id.category, Source: id.source, Kind: LineChangeApproval,
				Previous: was, Budget: now, EffectiveOn: on, Actor: req.Actor})
		}
		var entryID any
		if entry != nil {
			out, err := ledger.PostInTx(ctx, tx, []ledger.Entry{*entry})
			if err != nil {
				return lineError(err)
			}
			a.EntryID = out[0].ID
			entryID = a.EntryID
		}
		if err := tx.GetContext(ctx, &a.ID, `
			INSERT INTO budget_approvals (project, version, approved_on, rule_set_id, total, explanation, entry_id, actor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			pr.Code, version, on.Format(ledger.DateLayout), stored.id, alloc.Total.StringFixed(2), string(explanation), entryID, req.Actor); err != nil {
			return err
		}
		for i, l := range req.Lines {
			if _, err := tx.ExecContext(ctx, `INSERT INTO budget_lines (approval_id, line_no, category, work_item, description, amount) VALUES ($1, $2, $3, $4, $5, $6)`,
				a.ID, i+1, l.Category, l.WorkItem, l.Description, l.Amount.StringFixed(2)); err != nil {
				return err
			}
		}
		for _, g := range alloc.Groups {
			for _, s := range g.Shares {
				if _, err := tx.ExecContext(ctx, `INSERT INTO budget_shares (approval_id, category, work_item, source, amount) VALUES ($1, $2, $3, $4, $5)`,
					a.ID, g.Category, g.WorkItem, s.Source, s.Amount.StringFixed(2)); err != nil {
					return err
				}
			}
		}
		for i := range changes {
			changes[i].ApprovalID = sql.NullInt64{Int64: a.ID, Valid: true}
			changes[i].EntryID = sql.NullInt64{Int64: a.EntryID, Valid: a.EntryID != 0}
			if err := insertLineChange(ctx, tx, &changes[i]); err != nil {
				return err
			}
		}
		if pr.Status == StatusPlanned {
			return setStatus(ctx, tx, pr.Code, StatusApproved, on, req.Actor, "budget approved, version "+strconv.Itoa(version))
		}
		return nil
	})
	if err != nil {
		return Approval{}, fmt.Errorf("%s: %w", what, err)
	}
	return a, nil
}

func appendOnce(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

// checkApprovalLines checks every line of an approval and lists every one
// refused (ItemErrors), so a person mends the whole file at once; nothing
// is stored while any is refused.
func checkApprovalLines(what string, lines []BudgetLineInput) error {
	if len(lines) > MaxBudgetLines {
		return fmt.Errorf("%w: %s: %d lines, at most %d", ErrInvalid, what, len(lines), MaxBudgetLines)
	}
	var refused ItemErrors
	for i, l := range lines {
		line := fmt.Sprintf("line %d", i+1)
		if err := checkInput(line, l); err != nil {
			refused = append(refused, ItemError{Item: i + 1, Key: l.Category, Err: err})
		} else if err := checkMoneyInput(line+": amount", l.Amount, false); err != nil {
			refused = append(refused, ItemError{Item: i + 1, Key: l.Category, Err: err})
		}
	}
	if len(refused) > 0 {
		return fmt.Errorf("%w: %s: %w", ErrInvalid, what, refused)
	}
	return nil
}

func sameLines(a, b []BudgetLineInput) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Category != b[i].Category || a[i].WorkItem != b[i].WorkItem || a[i].Description != b[i].Description || !a[i].Amount.Equal(b[i].Amount) {
			return false
		}
	}
	return true
}

// commitmentDeltas compares the new totals per source with the previous
// approval's, in canonical source order.
func commitmentDeltas(prev *Approval, alloc rules.Allocation) []SourceDelta {
	old := map[string]decimal.Decimal{}
	if prev != nil {
		for _, t := range prev.Allocation.Totals {
			old[t.Source] = t.Amount
		}
	}
	now := map[string]decimal.Decimal{}
	for _, t := range alloc.Totals {
		now[t.Source] = t.Amount
	}
	var out []SourceDelta
	for _, s := range rules.Sources() {
		o, n := old[s.Code], now[s.Code]
		if o.IsZero() && n.IsZero() {
			continue
		}
		out = append(out, SourceDelta{Source: s.Code, Previous: o, Now: n})
	}
	return out
}

// approvalEntry is the budget-book entry of an approval: per source, the
// increase of its commitment (Dr receivable, Cr committed) or the decrease
// (the reverse). Nil when no commitment changed.
func approvalEntry(pr Project, a Approval, actor string, rs storedRuleSet) *ledger.Entry {
	acc := accountsOf(pr)
	e := ledger.Entry{
		Book:           ledger.BookBudget,
		EffectiveDate:  a.ApprovedOn,
		Memo:           fmt.Sprintf("资金下达 budget approval v%d of %s %s: %s", a.Version, pr.Code, pr.Name, a.Total.StringFixed(2)),
		Actor:          actor,
		IdempotencyKey: fmt.Sprintf("approval:%s:v%d", pr.Code, a.Version),
		Metadata: map[string]string{
			"kind": "approval", "project": pr.Code, "district": pr.District, "approval_version": strconv.Itoa(a.Version),
			"rule_set_id": strconv.FormatInt(rs.id, 10), "rule_set": rs.set.Name, "rule_set_version": rs.set.Version,
			"rule_set_hash": rs.set.Hash(),
		},
	}
	for _, d := range a.Deltas {
		diff := d.Now.Sub(d.Previous)
		switch {
		case diff.IsPositive():
			e.Postings = append(e.Postings,
				ledger.Posting{AccountCode: acc.receivable(d.Source), Side: ledger.Debit, Amount: diff},
				ledger.Posting{AccountCode: acc.committed(d.Source), Side: ledger.Credit, Amount: diff})
		case diff.IsNegative():
			e.Postings = append(e.Postings,
				ledger.Posting{AccountCode: acc.committed(d.Source), Side: ledger.Debit, Amount: diff.Neg()},
				ledger.Posting{AccountCode: acc.receivable(d.Source), Side: ledger.Credit, Amount: diff.Neg()})
		}
	}
	if len(e.Postings) == 0 {
		return nil
	}
	return &e
}

// latestApproval returns a project's newest approval, or ErrNotFound.
func (p *Programme) latestApproval(ctx context.Context, db sqlx.QueryerContext, project string) (*Approval, error) {
	var row struct {
		ID          int64           `db:"id"`
		Version     int             `db:"version"`
		ApprovedOn  time.Time       `db:"approved_on"`
		RuleSetID   int64           `db:"rule_set_id"`
		Total       decimal.Decimal `db:"total"`
		Explanation string          `db:"explanation"`
		EntryID     sql.NullInt64   `db:"entry_id"`
	}
	err := sqlx.GetContext(ctx, db, &row, `
		SELECT id, version, approved_on, rule_set_id, total, explanation::text AS explanation, entry_id
		  FROM budget_approvals WHERE project = $1 ORDER BY version DESC LIMIT 1`, project)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("approval of %s: %w", project, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	a := &Approval{ID: row.ID, Project: project, Version: row.Version, ApprovedOn: ledger.Civil(row.ApprovedOn), RuleSetID: row.RuleSetID,
		Total: row.Total, EntryID: row.EntryID.Int64}
	if err := json.Unmarshal([]byte(row.Explanation), &a.Allocation); err != nil {
		return nil, fmt.Errorf("approval %d: explanation: %w", row.ID, err)
	}
	if err := sqlx.SelectContext(ctx, db, &a.Lines, `
		SELECT category, work_item, description, amount FROM budget_lines WHERE approval_id = $1 ORDER BY line_no`, row.ID); err != nil {
		return nil, err
	}
	return a, nil
}

// LatestApproval returns the newest approval of a project (ErrNotFound if
// none), with the allocation that explains it.
func (p *Programme) LatestApproval(ctx context.Context, project string) (*Approval, error) {
	return p.latestApproval(ctx, p.db, project)
}
