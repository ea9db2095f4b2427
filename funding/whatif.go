package funding

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"

	"fundledger/rules"
)

// 新政策测算 — what a rule set would change before it is adopted: every
// approved project's latest budget lines are split again under the new
// rules and compared, per source, with the commitments the project has now.
// Nothing is stored or posted.

// WhatIfLine is one project and source: its commitment now, under the new
// rule set, and the difference (new − current).
type WhatIfLine struct {
	District     string          `json:"district"`
	DistrictName string          `json:"district_name"`
	Project      string          `json:"project"`
	ProjectName  string          `json:"project_name"`
	Source       string          `json:"source"`
	SourceName   string          `json:"source_name"`
	Current      decimal.Decimal `json:"current"`
	New          decimal.Decimal `json:"new"`
	Difference   decimal.Decimal `json:"difference"`
}

// WhatIfTotal sums the lines of one district or one source (Key is its
// code, "" for the grand total).
type WhatIfTotal struct {
	Key        string          `json:"key"`
	Name       string          `json:"name"`
	Current    decimal.Decimal `json:"current"`
	New        decimal.Decimal `json:"new"`
	Difference decimal.Decimal `json:"difference"`
}

func (t *WhatIfTotal) add(l WhatIfLine) {
	t.Current, t.New, t.Difference = t.Current.Add(l.Current), t.New.Add(l.New), t.Difference.Add(l.Difference)
}

// WhatIfProblem is a project the new rule set cannot split (e.g. it has no
// rule for one of its categories); it is left out of the totals.
type WhatIfProblem struct {
	Project string `json:"project"`
	Problem string `json:"problem"`
}

// WhatIf is the effect of a rule set on every approved project it would
// apply to (its district's, or all for a city-wide set), optionally of one
// district.
type WhatIf struct {
	RuleSet    rules.RuleSetRef `json:"rule_set"`
	District   string           `json:"district,omitempty"`
	Projects   int              `json:"projects"`
	Lines      []WhatIfLine     `json:"lines"`
	ByDistrict []WhatIfTotal    `json:"by_district"`
	BySource   []WhatIfTotal    `json:"by_source"`
	Total      WhatIfTotal      `json:"total"`
	Problems   []WhatIfProblem  `json:"problems,omitempty"`
}

// MaxWhatIfProjects bounds the projects one what-if computes.
const MaxWhatIfProjects = 20000

// WhatIf parses a rule file (name is used in messages) and computes, for
// every project with an approved budget that the set would apply to, the
// commitment of each source now and under the new set. district ("" all) is
// a code or name. Nothing is written.
func (p *Programme) WhatIf(ctx context.Context, name string, data []byte, district string) (WhatIf, error) {
	if len(data) > maxRuleFileBytes {
		return WhatIf{}, fmt.Errorf("%w: what-if %s: file larger than %d bytes", ErrInvalid, name, maxRuleFileBytes)
	}
	rs, err := rules.Parse(name, data)
	if err != nil {
		return WhatIf{}, err
	}
	out := WhatIf{RuleSet: rules.RuleSetRef{Name: rs.Name, Version: rs.Version, District: rs.District, Hash: rs.Hash()}}
	ds, err := Districts(ctx, p.db)
	if err != nil {
		return out, err
	}
	var only []string // district codes to include; nil: all
	if rs.District != "" {
		d, err := LookupDistrict(ctx, p.db, rs.District)
		if err != nil {
			return out, fmt.Errorf("what-if %s: district of the rule set: %w", name, err)
		}
		only = []string{d.Code}
	}
	if district != "" {
		d, err := LookupDistrict(ctx, p.db, district)
		if err != nil {
			return out, fmt.Errorf("what-if %s: %w", name, err)
		}
		out.District = d.Code
		if only != nil && only[0] != d.Code {
			return out, fmt.Errorf("%w: what-if %s: the rule set is for %s, not %s", ErrInvalid, name, rs.District, d.NameZh)
		}
		only = []string{d.Code}
	}
	filter := ""
	if only != nil {
		filter = only[0]
	}
	approvals, err := p.latestApprovals(ctx, filter)
	if err != nil {
		return out, fmt.Errorf("what-if %s: %w", name, err)
	}
	names := map[string]string{}
	for _, d := range ds {
		names[d.Code] = d.NameZh
	}
	byDistrict := map[string]*WhatIfTotal{}
	bySource := map[string]*WhatIfTotal{}
	for _, a := range approvals {
		current := map[string]decimal.Decimal{}
		for _, t := range a.alloc.Totals {
			current[t.Source] = t.Amount
		}
		alloc, err := rules.Allocate(rules.Project{Code: a.project.Code, District: a.project.DistrictName, Households: a.project.Households,
			FloorAreaM2: a.project.FloorAreaM2, Elevators: a.project.Elevators}, a.lines, rs)
		if err != nil {
			out.Problems = append(out.Problems, WhatIfProblem{Project: a.project.Code, Problem: err.Error()})
			continue
		}
		out.Projects++
		now := map[string]decimal.Decimal{}
		for _, t := range alloc.Totals {
			now[t.Source] = t.Amount
		}
		for _, s := range rules.Sources() {
			c, n := current[s.Code], now[s.Code]
			if c.IsZero() && n.IsZero() {
				continue
			}
			l := WhatIfLine{District: a.project.District, DistrictName: names[a.project.District], Project: a.project.Code,
				ProjectName: a.project.Name, Source: s.Code, SourceName: s.NameZH, Current: c, New: n, Difference: n.Sub(c)}
			out.Lines = append(out.Lines, l)
			if byDistrict[l.District] == nil {
				byDistrict[l.District] = &WhatIfTotal{Key: l.District, Name: l.DistrictName}
			}
			if bySource[l.Source] == nil {
				bySource[l.Source] = &WhatIfTotal{Key: l.Source, Name: l.SourceName}
			}
			byDistrict[l.District].add(l)
			bySource[l.Source].add(l)
			out.Total.add(l)
		}
	}
	for _, d := range ds {
		if t := byDistrict[d.Code]; t != nil {
			out.ByDistrict = append(out.ByDistrict, *t)
		}
	}
	for _, s := range rules.Sources() {
		if t := bySource[s.Code]; t != nil {
			out.BySource = append(out.BySource, *t)
		}
	}
	out.Total.Name = "合计 Total"
	return out, nil
}

// approvedProject is a project's latest approval: its lines and the
// allocation that set its commitments.
type approvedProject struct {
	project Project
	lines   []rules.BudgetLine
	alloc   rules.Allocation
}

// latestApprovals reads the latest approval of every project (of one
// district code, "" all), in district and project order.
func (p *Programme) latestApprovals(ctx context.Context, district string) ([]approvedProject, error) {
	var rows []struct {
		ID          int64  `db:"id"`
		Project     string `db:"project"`
		Explanation string `db:"explanation"`
	}
	if err := p.db.SelectContext(ctx, &rows, `
		SELECT DISTINCT ON (pr.district, a.project) a.id, a.project, a.explanation::text AS explanation
		  FROM budget_approvals a JOIN projects pr ON pr.code = a.project
		 WHERE $1 = '' OR pr.district = $1
		 ORDER BY pr.district, a.project, a.version DESC
		 LIMIT $2`, district, MaxWhatIfProjects+1); err != nil {
		return nil, fmt.Errorf("approvals: %w", err)
	}
	if len(rows) > MaxWhatIfProjects {
		return nil, fmt.Errorf("%w: more than %d approved projects; run it per district (--district)", ErrInvalid, MaxWhatIfProjects)
	}
	var lines []struct {
		ApprovalID int64           `db:"approval_id"`
		Category   string          `db:"category"`
		WorkItem   string          `db:"work_item"`
		Amount     decimal.Decimal `db:"amount"`
	}
	if err := p.db.SelectContext(ctx, &lines, `
		WITH latest AS (
			SELECT DISTINCT ON (a.project) a.id FROM budget_approvals a JOIN projects pr ON pr.code = a.project
			 WHERE $1 = '' OR pr.district = $1
			 ORDER BY a.project, a.version DESC)
		SELECT l.approval_id, l.category, l.work_item, l.amount
		  FROM latest JOIN budget_lines l ON l.approval_id = latest.id
		 ORDER BY l.approval_id, l.line_no`, district); err != nil {
		return nil, fmt.Errorf("approved lines: %w", err)
	}
	byApproval := map[int64][]rules.BudgetLine{}
	for _, l := range lines {
		byApproval[l.ApprovalID] = append(byApproval[l.ApprovalID], rules.BudgetLine{Category: l.Category, WorkItem: l.WorkItem, Amount: l.Amount})
	}
	ps, err := p.Projects(ctx, ProjectFilter{District: district, Limit: MaxProjects})
	if err != nil {
		return nil, err
	}
	projects := make(map[string]Project, len(ps))
	for _, pr := range ps {
		projects[pr.Code] = pr
	}
	out := make([]approvedProject, 0, len(rows))
	for _, r := range rows {
		pr, ok := projects[r.Project]
		if !ok {
			return nil, fmt.Errorf("approval %d: project %s: %w", r.ID, r.Project, ErrNotFound)
		}
		a := approvedProject{project: pr, lines: byApproval[r.ID]}
		if err := json.Unmarshal([]byte(r.Explanation), &a.alloc); err != nil {
			return nil, fmt.Errorf("approval %d: explanation: %w", r.ID, err)
		}
		out = append(out, a)
	}
	return out, nil
}
