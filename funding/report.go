package funding

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
	"fundledger/rules"
)

// SourcePosition is where one source's money stands for a project or a
// district: committed (资金下达), received (到位), disbursed (拨付),
// available (earmarked cash left) and outstanding (committed, not received).
type SourcePosition struct {
	Source      string          `json:"source"`
	SourceName  string          `json:"source_name"`
	Committed   decimal.Decimal `json:"committed"`
	Received    decimal.Decimal `json:"received"`
	Disbursed   decimal.Decimal `json:"disbursed"`
	Available   decimal.Decimal `json:"available"`
	Outstanding decimal.Decimal `json:"outstanding"`
}

// CategoryPosition is a retrofit category's budget line: its approved
// budget (after adjustments), what was paid for it and what remains.
type CategoryPosition struct {
	Category     string          `json:"category"`
	CategoryName string          `json:"category_name"`
	Budget       decimal.Decimal `json:"budget"`
	Paid         decimal.Decimal `json:"paid"`
	Remaining    decimal.Decimal `json:"remaining"`
}

// ProjectReport is a project's money as of a date.
type ProjectReport struct {
	Project         Project            `json:"project"`
	AsOf            time.Time          `json:"as_of,omitzero"`
	ApprovalVersion int                `json:"approval_version"`
	RuleSetID       int64              `json:"rule_set_id"`
	Sources         []SourcePosition   `json:"sources"`
	Categories      []CategoryPosition `json:"categories"`
	Total           SourcePosition     `json:"total"`
	// Lines are the project's budget lines: each category's, and the
	// source lines an approval or adjustment set within a category.
	Lines []BudgetLine `json:"lines"`
	// BudgetChanges is the history of the project's budget lines: each
	// approval, adjustment (调整预算) and migration that changed one.
	BudgetChanges []BudgetLineChange `json:"budget_changes"`
}

// accountRole maps a project account code to its role ("cash",
// "budget:committed", …) by the layout in accounts.go.
func accountRole(code string) string {
	if strings.HasPrefix(code, "budget:") {
		parts := strings.SplitN(code, ":", 3)
		return parts[0] + ":" + parts[1]
	}
	return strings.SplitN(code, ":", 2)[0]
}

func (s *SourcePosition) add(role string, net decimal.Decimal) {
	switch role {
	case "budget:committed":
		s.Committed = s.Committed.Add(net.Neg())
	case "budget:receivable":
		s.Outstanding = s.Outstanding.Add(net)
	case "revenue":
		s.Received = s.Received.Add(net.Neg())
	case "expense":
		s.Disbursed = s.Disbursed.Add(net)
	case "cash":
		s.Available = s.Available.Add(net)
	}
}

func (s *SourcePosition) sum(o SourcePosition) {
	s.Committed = s.Committed.Add(o.Committed)
	s.Received = s.Received.Add(o.Received)
	s.Disbursed = s.Disbursed.Add(o.Disbursed)
	s.Available = s.Available.Add(o.Available)
	s.Outstanding = s.Outstanding.Add(o.Outstanding)
}

// ProjectReport shows per source what was committed, received, disbursed and
// is available, and per category the budget and what was paid, as of a date
// (zero: everything).
func (p *Programme) ProjectReport(ctx context.Context, code string, asOf time.Time) (ProjectReport, error) {
	pr, err := p.Project(ctx, code)
	if err != nil {
		return ProjectReport{}, err
	}
	rep := ProjectReport{Project: pr, AsOf: asOf}
	rows, err := p.ledger.Balances(ctx, ledger.BalanceFilter{
		AccountFilter: ledger.AccountFilter{Dimensions: ledger.Dimensions{Project: code}},
		AsOf:          asOf, GroupBy: []string{ledger.ByAccount, ledger.BySource, ledger.ByCategory},
	})
	if err != nil {
		return rep, fmt.Errorf("project report %s: %w", code, err)
	}
	bySource := map[string]*SourcePosition{}
	paid := map[string]decimal.Decimal{}
	for _, r := range rows {
		src, role := r.Group[ledger.BySource], accountRole(r.Group[ledger.ByAccount])
		if src == "" {
			continue
		}
		sp := bySource[src]
		if sp == nil {
			sp = &SourcePosition{Source: src, SourceName: sourceLabel(src)}
			bySource[src] = sp
		}
		sp.add(role, r.Net())
		if role == "expense" {
			cat := r.Group[ledger.ByCategory]
			paid[cat] = paid[cat].Add(r.Net())
		}
	}
	for _, s := range rules.Sources() {
		if sp, ok := bySource[s.Code]; ok {
			rep.Sources = append(rep.Sources, *sp)
			rep.Total.sum(*sp)
		}
	}
	rep.Total.Source, rep.Total.SourceName = "total", "合计"
	_, version, rsID, err := approvedBudgets(ctx, p.db, code, asOf)
	if err != nil {
		return rep, fmt.Errorf("project report %s: %w", code, err)
	}
	rep.ApprovalVersion, rep.RuleSetID = version, rsID
	lines, err := lineBudgets(ctx, p.db, code, asOf)
	if err != nil {
		return rep, fmt.Errorf("project report %s: %w", code, err)
	}
	budgets := categoryBudgets(lines)
	if rep.Lines, err = p.BudgetLines(ctx, code, asOf); err != nil {
		return rep, fmt.Errorf("project report %s: %w", code, err)
	}
	for _, c := range rules.Categories() {
		b, pd := budgets[c.Code], paid[c.Code]
		if b.IsZero() && pd.IsZero() {
			continue
		}
		rep.Categories = append(rep.Categories, CategoryPosition{Category: c.Code, CategoryName: c.NameZH, Budget: b, Paid: pd, Remaining: b.Sub(pd)})
	}
	changes, err := p.BudgetLineHistory(ctx, code)
	if err != nil {
		return rep, fmt.Errorf("project report %s: %w", code, err)
	}
	for _, ch := range changes {
		if asOf.IsZero() || !ch.EffectiveOn.After(ledger.Civil(asOf)) {
			rep.BudgetChanges = append(rep.BudgetChanges, ch)
		}
	}
	return rep, nil
}

// approvedBudgets sums the budget lines per category of the project's
// newest approval dated on or before asOf.
func approvedBudgets(ctx context.Context, db sqlx.QueryerContext, project string, asOf time.Time) (map[string]decimal.Decimal, int, int64, error) {
	var rows []struct {
		Version   int             `db:"version"`
		RuleSetID int64           `db:"rule_set_id"`
		Category  string          `db:"category"`
		Amount    decimal.Decimal `db:"amount"`
	}
	err := sqlx.SelectContext(ctx, db, &rows, `
		WITH a AS (SELECT id, version, rule_set_id FROM budget_approvals
		            WHERE project = $1 AND ($2::date IS NULL OR approved_on <= $2::date)
		            ORDER BY version DESC LIMIT 1)
		SELECT a.version, a.rule_set_id, l.category, sum(l.amount) AS amount
		  FROM a JOIN budget_lines l ON l.approval_id = a.id GROUP BY 1, 2, 3`, project, ledger.SQLDate(asOf))
	if err != nil {
		return nil, 0, 0, err
	}
	out := map[string]decimal.Decimal{}
	var version int
	var rsID int64
	for _, r := range rows {
		out[r.Category], version, rsID = r.Amount, r.Version, r.RuleSetID
	}
	return out, version, rsID, nil
}

// posKey is a (group, source) or (group, category) pair of positions.
type posKey struct{ group, item string }

// positionRoles are the project account roles a SourcePosition sums.
var positionRoles = []string{"cash", "revenue", "expense", "budget:committed", "budget:receivable"}

// positions sums, as of asOf, each source's position per value of groupBy
// (a ledger.By* dimension) over the project accounts matching dims, and
// what was paid per (group, category).
func (p *Programme) positions(ctx context.Context, dims ledger.Dimensions, districts []string, groupBy string, asOf time.Time) (map[posKey]*SourcePosition, map[posKey]decimal.Decimal, error) {
	pos := map[posKey]*SourcePosition{}
	paid := map[posKey]decimal.Decimal{}
	for _, role := range positionRoles {
		rows, err := p.ledger.Balances(ctx, ledger.BalanceFilter{
			AccountFilter: ledger.AccountFilter{CodePrefix: role, Dimensions: dims, Districts: districts},
			AsOf:          asOf, GroupBy: []string{groupBy, ledger.BySource, ledger.ByCategory},
		})
		if err != nil {
			return nil, nil, err
		}
		for _, r := range rows {
			k := posKey{r.Group[groupBy], r.Group[ledger.BySource]}
			if pos[k] == nil {
				pos[k] = &SourcePosition{Source: k.item, SourceName: sourceLabel(k.item)}
			}
			pos[k].add(role, r.Net())
			if role == "expense" {
				ck := posKey{k.group, r.Group[ledger.ByCategory]}
				paid[ck] = paid[ck].Add(r.Net())
			}
		}
	}
	return pos, paid, nil
}

// districtPositions is positions grouped by district, read from the
// district totals the ledger keeps per role, source and category
// (migration 00017) instead of every project account's day totals; and
// each category's approved budget per district, from the same totals: what
// remains on the category lines (budget:line, no source) plus what was
// spent from them (budget:spent: every payment draws its category's line by
// what it spends, in the same entry, FLB01), which is the lines' latest
// budget (budget_line_changes) as of the day.
func (p *Programme) districtPositions(ctx context.Context, districts []string, asOf time.Time) (pos map[posKey]*SourcePosition, paid, budget map[posKey]decimal.Decimal, err error) {
	rows, err := p.ledger.DistrictTotals(ctx, ledger.TotalsFilter{AsOf: asOf, Districts: districts, Detail: true,
		Roles: append([]string{"budget:line", "budget:spent"}, positionRoles...)})
	if err != nil {
		return nil, nil, nil, err
	}
	pos = map[posKey]*SourcePosition{}
	paid = map[posKey]decimal.Decimal{}
	budget = map[posKey]decimal.Decimal{}
	for _, r := range rows {
		ck := posKey{r.District, r.Category}
		switch r.Role {
		case "budget:line":
			if r.Source == "" {
				budget[ck] = budget[ck].Add(r.Net())
			}
			continue
		case "budget:spent":
			budget[ck] = budget[ck].Add(r.Net())
			continue
		}
		k := posKey{r.District, r.Source}
		if pos[k] == nil {
			pos[k] = &SourcePosition{Source: k.item, SourceName: sourceLabel(k.item)}
		}
		pos[k].add(r.Role, r.Net())
		if r.Role == "expense" {
			paid[ck] = paid[ck].Add(r.Net())
		}
	}
	return pos, paid, budget, nil
}

// DistrictSourcePosition is one source's position in one district.
type DistrictSourcePosition struct {
	District     string `json:"district"`
	DistrictName string `json:"district_name"`
	SourcePosition
}

// DistrictCategoryPosition is one category's budget and payments in one district.
type DistrictCategoryPosition struct {
	District     string `json:"district"`
	DistrictName string `json:"district_name"`
	CategoryPosition
}

// DistrictReport is the programme's money per district, source and category.
type DistrictReport struct {
	AsOf       time.Time                  `json:"as_of,omitzero"`
	Sources    []DistrictSourcePosition   `json:"sources"`
	Categories []DistrictCategoryPosition `json:"categories"`
}

// DistrictReport shows, per district and source, what was committed,
// received, disbursed and is available, and per district and category the
// approved budget and what was paid, as of a date. district ("" all) is a
// code or Chinese name.
func (p *Programme) DistrictReport(ctx context.Context, district string, asOf time.Time) (DistrictReport, error) {
	if district == "" {
		return p.DistrictsReport(ctx, nil, asOf)
	}
	d, err := LookupDistrict(ctx, p.db, district)
	if err != nil {
		return DistrictReport{AsOf: asOf}, err
	}
	return p.DistrictsReport(ctx, []string{d.Code}, asOf)
}

// DistrictsReport is DistrictReport of the districts named by code (a
// reader's districts; nil: every district), narrowed in the database.
func (p *Programme) DistrictsReport(ctx context.Context, districts []string, asOf time.Time) (DistrictReport, error) {
	rep := DistrictReport{AsOf: asOf}
	all, err := Districts(ctx, p.db)
	if err != nil {
		return rep, err
	}
	var ds []District
	for _, d := range all {
		if districts == nil || slices.Contains(districts, d.Code) {
			ds = append(ds, d)
		}
	}
	type key = posKey
	pos, paid, budget, err := p.districtPositions(ctx, districts, asOf)
	if err != nil {
		return rep, fmt.Errorf("district report: %w", err)
	}
	for _, d := range ds {
		for _, s := range rules.Sources() {
			if sp, ok := pos[key{d.Code, s.Code}]; ok {
				rep.Sources = append(rep.Sources, DistrictSourcePosition{District: d.Code, DistrictName: d.NameZh, SourcePosition: *sp})
			}
		}
		for _, c := range rules.Categories() {
			k := key{d.Code, c.Code}
			if budget[k].IsZero() && paid[k].IsZero() {
				continue
			}
			rep.Categories = append(rep.Categories, DistrictCategoryPosition{District: d.Code, DistrictName: d.NameZh,
				CategoryPosition: CategoryPosition{Category: c.Code, CategoryName: c.NameZH, Budget: budget[k], Paid: paid[k], Remaining: budget[k].Sub(paid[k])}})
		}
	}
	return rep, nil
}
