package funding

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
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
	as, err := p.ApproveAll(ctx, []ApprovalRequest{req})
	if err != nil {
		return Approval{}, single(err)
	}
	return as[0], nil
}

// ApproveAll approves the budgets of many projects (at most MaxBatchItems,
// each project once) as Approve does each, all or nothing: every request is
// checked first and every refusal listed in ItemErrors; only when none is
// refused are the approvals written, in one transaction with one batch of
// budget-book entries.
func (p *Programme) ApproveAll(ctx context.Context, reqs []ApprovalRequest) ([]Approval, error) {
	if len(reqs) == 0 || len(reqs) > MaxBatchItems {
		return nil, fmt.Errorf("%w: approvals: want 1 to %d in a batch, got %d", ErrInvalid, MaxBatchItems, len(reqs))
	}
	current, err := currentRuleSets(ctx, p.db)
	if err != nil {
		return nil, fmt.Errorf("approvals: %w", err)
	}
	codes := make([]string, len(reqs))
	for i, r := range reqs {
		codes[i] = r.Project
	}
	projects, err := p.projectsOf(ctx, codes)
	if err != nil {
		return nil, fmt.Errorf("approvals: %w", err)
	}
	latest, err := latestApprovalsOf(ctx, p.db, codes)
	if err != nil {
		return nil, fmt.Errorf("approvals: %w", err)
	}
	plans := make([]*approvalPlan, len(reqs))
	refused := checkItems(reqs, func(r ApprovalRequest) string { return r.Project }, func(i int, req ApprovalRequest) error {
		pl, err := p.planApproval(req, current, projects, latest[req.Project])
		plans[i] = pl
		return err
	})
	if len(refused) > 0 {
		return nil, refused
	}
	var accts []ledger.Account
	for _, pl := range plans {
		accts = append(accts, pl.accounts...)
	}
	if err := p.createAccounts(ctx, accts); err != nil {
		if len(plans) == 1 {
			return nil, ItemErrors{{Item: 1, Key: plans[0].pr.Code, Err: fmt.Errorf("accounts of project %s: %w", plans[0].pr.Code, err)}}
		}
		return nil, fmt.Errorf("approvals: accounts: %w", err)
	}
	for _, pl := range plans {
		for _, src := range pl.sources {
			p.noteSourceAccounts(pl.pr, src, pl.categories[src])
		}
	}
	failed := -1
	err = p.ledger.InTx(ctx, func(tx *sqlx.Tx) error {
		failed = -1
		return p.writeApprovals(ctx, tx, plans, &failed)
	})
	if err != nil {
		if failed < 0 && len(plans) == 1 {
			failed = 0
		}
		if failed >= 0 {
			return nil, ItemErrors{{Item: failed + 1, Key: plans[failed].pr.Code, Err: fmt.Errorf("%s: %w", plans[failed].what, err)}}
		}
		return nil, fmt.Errorf("approve %d budgets: %w", len(plans), err)
	}
	out := make([]Approval, len(plans))
	for i, pl := range plans {
		out[i] = pl.a
	}
	return out, nil
}

// approvalPlan is a checked approval request: what it writes, once its
// accounts exist.
type approvalPlan struct {
	what        string
	req         ApprovalRequest
	pr          Project
	stored      storedRuleSet
	newBudgets  map[lineID]decimal.Decimal
	a           Approval
	explanation []byte
	accounts    []ledger.Account    // to create before writing
	sources     []string            // whose accounts these are, with
	categories  map[string][]string // the categories each source pays
}

// planApproval checks an approval request and computes its allocation
// from the current rule sets, the projects of the batch and the project's
// latest approval (nil: none). An approval that changes nothing comes back
// with a.Unchanged set.
func (p *Programme) planApproval(req ApprovalRequest, current []storedRuleSet, projects map[string]Project, prev *Approval) (*approvalPlan, error) {
	what := fmt.Sprintf("approve budget of project %s", req.Project)
	if err := checkApprovalLines(what, req.Lines); err != nil {
		return nil, err
	}
	if err := checkInput(what, req); err != nil {
		return nil, err
	}
	pr, ok := projects[req.Project]
	if !ok {
		return nil, fmt.Errorf("%s: project %s: %w", what, req.Project, ErrNotFound)
	}
	if pr.Status == StatusAccepted {
		return nil, fmt.Errorf("%w: %s: the project is accepted (竣工验收); its budget is closed", ErrStatus, what)
	}
	on := ledger.Civil(req.ApprovedOn)
	stored, err := selectRuleSet(current, pr.DistrictName, on)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	lines := make([]rules.BudgetLine, len(req.Lines))
	for i, l := range req.Lines {
		lines[i] = rules.BudgetLine{Category: l.Category, WorkItem: l.WorkItem, Amount: l.Amount}
	}
	alloc, err := rules.Allocate(rules.Project{Code: pr.Code, District: pr.DistrictName, Households: pr.Households,
		FloorAreaM2: pr.FloorAreaM2, Elevators: pr.Elevators}, lines, stored.set)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalid, what, err)
	}
	newBudgets := map[lineID]decimal.Decimal{}
	for _, l := range req.Lines {
		newBudgets[lineID{l.Category, ""}] = newBudgets[lineID{l.Category, ""}].Add(l.Amount)
	}
	for i, sl := range req.SourceLines {
		id := lineID{sl.Category, sl.Source}
		where := fmt.Sprintf("%s: source line %d (%s)", what, i+1, id.suffix())
		if err := ledger.CheckAmount(sl.Amount); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalid, where, err)
		}
		if _, ok := rules.LookupSource(sl.Source); !ok {
			return nil, fmt.Errorf("%w: %s: unknown source %q", ErrInvalid, where, sl.Source)
		}
		cat, ok := newBudgets[lineID{sl.Category, ""}]
		switch {
		case !ok:
			return nil, fmt.Errorf("%w: %s: the approval has no %s line to limit", ErrInvalid, where, sl.Category)
		case sl.Amount.GreaterThan(cat):
			return nil, fmt.Errorf("%w: %s: %s is more than the %s line's %s", ErrInvalid, where, sl.Amount.StringFixed(2), sl.Category, cat.StringFixed(2))
		case !stored.set.MayPay(sl.Category, "", sl.Source):
			return nil, &EarmarkRefusal{What: where, Source: sl.Source, Category: sl.Category, RuleSet: stored.set.Name + " " + stored.set.Version}
		}
		if _, dup := newBudgets[id]; dup {
			return nil, fmt.Errorf("%w: %s: set twice", ErrInvalid, where)
		}
		newBudgets[id] = sl.Amount
	}
	pl := &approvalPlan{what: what, req: req, pr: pr, stored: stored, newBudgets: newBudgets}
	if prev != nil && prev.RuleSetID == stored.id && sameLines(prev.Lines, req.Lines) && len(req.SourceLines) == 0 {
		pl.a = *prev
		pl.a.Unchanged = true
		return pl, nil
	}
	lineIDs := map[lineID]bool{}
	for id := range newBudgets {
		lineIDs[id] = true
	}
	if ids := lineOrder(lineIDs); len(ids) > 0 {
		if _, done := p.ensured.Load(lineAccountsKey(pr, ids)); !done {
			pl.accounts = append(pl.accounts, lineAccounts(pr, ids)...)
		}
	}
	deltas := commitmentDeltas(prev, alloc)
	pl.categories = map[string][]string{}
	for _, g := range alloc.Groups {
		for _, s := range g.Shares {
			pl.categories[s.Source] = appendOnce(pl.categories[s.Source], g.Category)
		}
	}
	for _, d := range deltas {
		if _, done := p.ensured.Load(sourceKey(pr, d.Source, pl.categories[d.Source])); !done {
			pl.accounts = append(pl.accounts, sourceAccounts(pr, d.Source, pl.categories[d.Source])...)
			pl.sources = append(pl.sources, d.Source)
		}
	}
	version := 1
	if prev != nil {
		version = prev.Version + 1
	}
	pl.a = Approval{Project: pr.Code, Version: version, ApprovedOn: on, RuleSetID: stored.id, Total: alloc.Total,
		Allocation: alloc, Deltas: deltas, Lines: req.Lines, SourceLines: req.SourceLines}
	explanation, err := json.Marshal(alloc)
	if err != nil {
		return nil, err
	}
	pl.explanation = explanation
	return pl, nil
}

// writeApprovals writes the planned approvals that change something in
// tx: each project's row locked, its version checked, its lines moved from
// their current budgets to the approved ones, every entry in one batch,
// then the approvals, their lines, shares and line changes, and the status
// of projects still planned. failed is set to the plan an error is about.
func (p *Programme) writeApprovals(ctx context.Context, tx *sqlx.Tx, plans []*approvalPlan, failed *int) error {
	var todo []int
	var codes []string
	for i, pl := range plans {
		if !pl.a.Unchanged {
			todo = append(todo, i)
			codes = append(codes, pl.pr.Code)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	// One approval of a project at a time: lock their rows, in code order.
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM projects p JOIN unnest($1::text[]) AS u(code) ON u.code = p.code
		ORDER BY p.code FOR UPDATE OF p`, pq.Array(codes)); err != nil {
		return err
	}
	var versions []struct {
		Project string `db:"project"`
		Latest  int    `db:"latest"`
	}
	if err := tx.SelectContext(ctx, &versions, `SELECT u.code AS project, coalesce(max(b.version), 0) AS latest
		FROM unnest($1::text[]) AS u(code) LEFT JOIN budget_approvals b ON b.project = u.code GROUP BY u.code`, pq.Array(codes)); err != nil {
		return err
	}
	latest := make(map[string]int, len(versions))
	for _, v := range versions {
		latest[v.Project] = v.Latest
	}
	budgets, err := lineBudgetsOf(ctx, tx, codes, time.Time{})
	if err != nil {
		return err
	}
	var entries []ledger.Entry
	entryOf := make([]int, len(plans)) // index in entries + 1; 0: none
	changes := make([][]BudgetLineChange, len(plans))
	for _, i := range todo {
		pl := plans[i]
		pr, a, req := pl.pr, &pl.a, pl.req
		*failed = i
		if latest[pr.Code] != a.Version-1 {
			return fmt.Errorf("%w: another approval of %s was recorded meanwhile; approve again", ErrStatus, pr.Code)
		}
		// Each line moves from its current budget to the approved one.
		current := budgets[pr.Code]
		paid := map[lineID]decimal.Decimal{}
		if len(current) > 0 { // nothing is paid without a line
			if paid, err = p.paidByLine(ctx, pr, time.Time{}); err != nil {
				return err
			}
		}
		entry := approvalEntry(pr, *a, req.Actor, pl.stored)
		ids := map[lineID]bool{}
		for id := range current {
			ids[id] = true
		}
		for id := range pl.newBudgets {
			ids[id] = true
		}
		for _, id := range lineOrder(ids) {
			was, had := current[id]
			now, has := pl.newBudgets[id]
			// A source line the approval does not name stays as it is.
			if (!had && !has) || (had && was.Equal(now)) || (id.source != "" && !has) {
				continue
			}
			if err := checkLowering(pl.what, pr, id, now, paid[id]); err != nil {
				return err
			}
			ps := linePostings(accountsOf(pr), id, was, now)
			if entry == nil {
				meta := map[string]string{"kind": "approval", "project": pr.Code, "district": pr.District, "approval_version": strconv.Itoa(a.Version)}
				entry = &ledger.Entry{Book: ledger.BookBudget, EffectiveDate: a.ApprovedOn, Actor: req.Actor,
					Memo: autoMemo(meta, MemoApprovalLines, "资金下达：项目 %s %s 第 %s 版预算批复的预算指标", txtArg(pr.Code), txtArg(pr.Name),
						txtArg(strconv.Itoa(a.Version))),
					IdempotencyKey: fmt.Sprintf("approval:%s:v%d", pr.Code, a.Version), Metadata: meta}
			}
			entry.Postings = append(entry.Postings, ps...)
			changes[i] = append(changes[i], BudgetLineChange{Project: pr.Code, Category: id.category, Source: id.source, Kind: LineChangeApproval,
				Previous: was, Budget: now, EffectiveOn: a.ApprovedOn, Actor: req.Actor})
		}
		if entry != nil {
			entries = append(entries, *entry)
			entryOf[i] = len(entries)
		}
	}
	*failed = -1
	if len(todo) == 1 {
		*failed = todo[0]
	}
	if len(entries) > 0 {
		out, err := ledger.PostInTx(ctx, tx, entries)
		if err != nil {
			return lineError(err)
		}
		for _, i := range todo {
			if entryOf[i] > 0 {
				plans[i].a.EntryID = out[entryOf[i]-1].ID
			}
		}
	}
	return insertApprovals(ctx, tx, plans, todo, changes)
}

// insertApprovals stores the approvals plans[todo], their lines, shares
// and line changes, and moves projects still planned to approved, one
// statement each.
func insertApprovals(ctx context.Context, tx *sqlx.Tx, plans []*approvalPlan, todo []int, changes [][]BudgetLineChange) error {
	var ap struct {
		project, on, total, explanation, actor []string
		version                                []int
		ruleSet, entry                         []int64
	}
	for _, i := range todo {
		pl := plans[i]
		ap.project = append(ap.project, pl.pr.Code)
		ap.version = append(ap.version, pl.a.Version)
		ap.on = append(ap.on, pl.a.ApprovedOn.Format(ledger.DateLayout))
		ap.ruleSet = append(ap.ruleSet, pl.stored.id)
		ap.total = append(ap.total, pl.a.Total.StringFixed(2))
		ap.explanation = append(ap.explanation, string(pl.explanation))
		ap.entry = append(ap.entry, pl.a.EntryID)
		ap.actor = append(ap.actor, pl.req.Actor)
	}
	var ids []struct {
		Project string `db:"project"`
		ID      int64  `db:"id"`
	}
	if err := tx.SelectContext(ctx, &ids, `
		INSERT INTO budget_approvals (project, version, approved_on, rule_set_id, total, explanation, entry_id, actor)
		SELECT u.project, u.version, u.on_, u.rule_set_id, u.total, u.explanation::jsonb, nullif(u.entry_id, 0), u.actor
		  FROM unnest($1::text[], $2::int[], $3::date[], $4::bigint[], $5::numeric[], $6::text[], $7::bigint[], $8::text[])
		       AS u(project, version, on_, rule_set_id, total, explanation, entry_id, actor)
		RETURNING project, id`,
		pq.Array(ap.project), pq.Array(ap.version), pq.Array(ap.on), pq.Array(ap.ruleSet), pq.Array(ap.total),
		pq.Array(ap.explanation), pq.Array(ap.entry), pq.Array(ap.actor)); err != nil {
		return err
	}
	idOf := make(map[string]int64, len(ids))
	for _, x := range ids {
		idOf[x.Project] = x.ID
	}
	var ln struct {
		approval             []int64
		no                   []int
		cat, item, desc, amt []string
	}
	var sh struct {
		approval               []int64
		cat, item, source, amt []string
	}
	var ch struct {
		project, cat, source, kind, previous, budget, on, reason, approver, actor []string
		approval, entry                                                           []int64
	}
	var planned struct {
		project, on, actor, note []string
	}
	for _, i := range todo {
		pl := plans[i]
		pl.a.ID = idOf[pl.pr.Code]
		for k, l := range pl.req.Lines {
			ln.approval = append(ln.approval, pl.a.ID)
			ln.no = append(ln.no, k+1)
			ln.cat, ln.item, ln.desc = append(ln.cat, l.Category), append(ln.item, l.WorkItem), append(ln.desc, l.Description)
			ln.amt = append(ln.amt, l.Amount.StringFixed(2))
		}
		for _, g := range pl.a.Allocation.Groups {
			for _, s := range g.Shares {
				sh.approval = append(sh.approval, pl.a.ID)
				sh.cat, sh.item, sh.source = append(sh.cat, g.Category), append(sh.item, g.WorkItem), append(sh.source, s.Source)
				sh.amt = append(sh.amt, s.Amount.StringFixed(2))
			}
		}
		for _, c := range changes[i] {
			ch.project, ch.cat, ch.source, ch.kind = append(ch.project, c.Project), append(ch.cat, c.Category), append(ch.source, c.Source), append(ch.kind, c.Kind)
			ch.approval, ch.entry = append(ch.approval, pl.a.ID), append(ch.entry, pl.a.EntryID)
			ch.previous, ch.budget = append(ch.previous, c.Previous.StringFixed(2)), append(ch.budget, c.Budget.StringFixed(2))
			ch.on, ch.reason, ch.approver, ch.actor = append(ch.on, c.EffectiveOn.Format(ledger.DateLayout)), append(ch.reason, c.Reason),
				append(ch.approver, c.Approver), append(ch.actor, c.Actor)
		}
		if pl.pr.Status == StatusPlanned {
			planned.project, planned.on = append(planned.project, pl.pr.Code), append(planned.on, pl.a.ApprovedOn.Format(ledger.DateLayout))
			planned.actor, planned.note = append(planned.actor, pl.req.Actor), append(planned.note, "budget approved, version "+strconv.Itoa(pl.a.Version))
		}
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO budget_lines (approval_id, line_no, category, work_item, description, amount)
		SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::numeric[])`,
		pq.Array(ln.approval), pq.Array(ln.no), pq.Array(ln.cat), pq.Array(ln.item), pq.Array(ln.desc), pq.Array(ln.amt)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO budget_shares (approval_id, category, work_item, source, amount)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::numeric[])`,
		pq.Array(sh.approval), pq.Array(sh.cat), pq.Array(sh.item), pq.Array(sh.source), pq.Array(sh.amt)); err != nil {
		return err
	}
	if len(ch.project) > 0 {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO budget_line_changes (project, category, source, kind, approval_id, previous, budget, effective_on, reason, approver, entry_id, actor)
			SELECT u.project, u.category, u.source, u.kind, u.approval_id, u.previous, u.budget, u.on_, u.reason, u.approver, nullif(u.entry_id, 0), u.actor
			  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::numeric[], $7::numeric[], $8::date[],
			              $9::text[], $10::text[], $11::bigint[], $12::text[])
			       AS u(project, category, source, kind, approval_id, previous, budget, on_, reason, approver, entry_id, actor)`,
			pq.Array(ch.project), pq.Array(ch.cat), pq.Array(ch.source), pq.Array(ch.kind), pq.Array(ch.approval), pq.Array(ch.previous),
			pq.Array(ch.budget), pq.Array(ch.on), pq.Array(ch.reason), pq.Array(ch.approver), pq.Array(ch.entry), pq.Array(ch.actor)); err != nil {
			return err
		}
	}
	if len(planned.project) > 0 {
		// A project still planned moves to approved (setStatus's step, for
		// many projects; the rows are locked above).
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO project_events (project, status, effective_on, actor, note)
			SELECT u.project, $5, u.on_, u.actor, u.note
			  FROM unnest($1::text[], $2::date[], $3::text[], $4::text[]) AS u(project, on_, actor, note)
			 WHERE (SELECT e.status FROM project_events e WHERE e.project = u.project ORDER BY e.id DESC LIMIT 1) = $6`,
			pq.Array(planned.project), pq.Array(planned.on), pq.Array(planned.actor), pq.Array(planned.note), StatusApproved, StatusPlanned); err != nil {
			return err
		}
	}
	return nil
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
		Actor:          actor,
		IdempotencyKey: fmt.Sprintf("approval:%s:v%d", pr.Code, a.Version),
		Metadata: map[string]string{
			"kind": "approval", "project": pr.Code, "district": pr.District, "approval_version": strconv.Itoa(a.Version),
			"rule_set_id": strconv.FormatInt(rs.id, 10), "rule_set": rs.set.Name, "rule_set_version": rs.set.Version,
			"rule_set_hash": rs.set.Hash(),
		},
	}
	e.Memo = autoMemo(e.Metadata, MemoApproval, "资金下达：项目 %s %s 第 %s 版预算批复，合计 %s 元", txtArg(pr.Code), txtArg(pr.Name),
		txtArg(strconv.Itoa(a.Version)), txtArg(a.Total.StringFixed(2)))
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
	all, err := latestApprovalsOf(ctx, db, []string{project})
	if err != nil {
		return nil, err
	}
	a, ok := all[project]
	if !ok {
		return nil, fmt.Errorf("approval of %s: %w", project, ErrNotFound)
	}
	return a, nil
}

// latestApprovalsOf returns the newest approval of each of the projects
// that has one (at most MaxBatchItems projects), in two queries.
func latestApprovalsOf(ctx context.Context, db sqlx.QueryerContext, projects []string) (map[string]*Approval, error) {
	if len(projects) > MaxBatchItems {
		return nil, fmt.Errorf("%w: approvals of %d projects: at most %d at a time", ErrInvalid, len(projects), MaxBatchItems)
	}
	var rows []struct {
		ID          int64           `db:"id"`
		Project     string          `db:"project"`
		Version     int             `db:"version"`
		ApprovedOn  time.Time       `db:"approved_on"`
		RuleSetID   int64           `db:"rule_set_id"`
		Total       decimal.Decimal `db:"total"`
		Explanation string          `db:"explanation"`
		EntryID     sql.NullInt64   `db:"entry_id"`
	}
	if err := sqlx.SelectContext(ctx, db, &rows, `
		SELECT DISTINCT ON (b.project) b.id, b.project, b.version, b.approved_on, b.rule_set_id, b.total, b.explanation::text AS explanation, b.entry_id
		  FROM budget_approvals b JOIN unnest($1::text[]) AS u(code) ON u.code = b.project
		 ORDER BY b.project, b.version DESC`, pq.Array(projects)); err != nil {
		return nil, err
	}
	out := make(map[string]*Approval, len(rows))
	byID := make(map[int64]*Approval, len(rows))
	ids := make([]int64, 0, len(rows))
	for _, row := range rows {
		a := &Approval{ID: row.ID, Project: row.Project, Version: row.Version, ApprovedOn: ledger.Civil(row.ApprovedOn), RuleSetID: row.RuleSetID,
			Total: row.Total, EntryID: row.EntryID.Int64}
		if err := json.Unmarshal([]byte(row.Explanation), &a.Allocation); err != nil {
			return nil, fmt.Errorf("approval %d: explanation: %w", row.ID, err)
		}
		out[row.Project], byID[row.ID] = a, a
		ids = append(ids, row.ID)
	}
	if len(ids) == 0 {
		return out, nil
	}
	var lines []struct {
		ApprovalID int64 `db:"approval_id"`
		BudgetLineInput
	}
	if err := sqlx.SelectContext(ctx, db, &lines, `
		SELECT l.approval_id, l.category, l.work_item, l.description, l.amount
		  FROM budget_lines l JOIN unnest($1::bigint[]) AS u(id) ON u.id = l.approval_id ORDER BY l.approval_id, l.line_no`, pq.Array(ids)); err != nil {
		return nil, err
	}
	for _, l := range lines {
		a := byID[l.ApprovalID]
		a.Lines = append(a.Lines, l.BudgetLineInput)
	}
	return out, nil
}

// LatestApproval returns the newest approval of a project (ErrNotFound if
// none), with the allocation that explains it.
func (p *Programme) LatestApproval(ctx context.Context, project string) (*Approval, error) {
	return p.latestApproval(ctx, p.db, project)
}
