package report

import (
	"fmt"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
)

func asOfLabel(t interface{ IsZero() bool }, s string) string {
	if t.IsZero() {
		return "all dates"
	}
	return s
}

var sourceColumns = []Column{
	{Key: "committed", Zh: "下达", En: "Committed", Numeric: true},
	{Key: "received", Zh: "到位", En: "Received", Numeric: true},
	{Key: "disbursed", Zh: "拨付", En: "Disbursed", Numeric: true},
	{Key: "available", Zh: "结余", En: "Available", Numeric: true},
	{Key: "outstanding", Zh: "待到位", En: "Outstanding", Numeric: true},
}

func sourceCells(s funding.SourcePosition, amt func(decimal.Decimal) string) []string {
	return []string{amt(s.Committed), amt(s.Received), amt(s.Disbursed), amt(s.Available), amt(s.Outstanding)}
}

// ProjectReport renders a project's money: one table per source, one per
// category.
func ProjectReport(r funding.ProjectReport, amt func(decimal.Decimal) string) []Table {
	p := r.Project
	title := fmt.Sprintf("项目资金 Project %s %s (%s %s), as of %s — budget version %d, rule set %d",
		p.Code, p.Name, p.DistrictName, p.District, asOfLabel(r.AsOf, r.AsOf.Format(ledger.DateLayout)), r.ApprovalVersion, r.RuleSetID)
	src := Table{Title: title, Columns: append([]Column{{Key: "source", Zh: "资金来源", En: "Source"}, {Key: "source_name", Zh: "名称", En: "Name"}}, sourceColumns...)}
	for _, s := range r.Sources {
		src.Rows = append(src.Rows, append([]string{s.Source, s.SourceName}, sourceCells(s, amt)...))
	}
	src.Rows = append(src.Rows, append([]string{"合计 Total", ""}, sourceCells(r.Total, amt)...))
	cat := Table{Title: "按类别 By category", Columns: []Column{
		{Key: "category", Zh: "类别", En: "Category"}, {Key: "category_name", Zh: "名称", En: "Name"},
		{Key: "budget", Zh: "批复预算", En: "Budget", Numeric: true}, {Key: "paid", Zh: "已支付", En: "Paid", Numeric: true},
		{Key: "remaining", Zh: "预算余额", En: "Remaining", Numeric: true},
	}}
	for _, c := range r.Categories {
		cat.Rows = append(cat.Rows, []string{c.Category, c.CategoryName, amt(c.Budget), amt(c.Paid), amt(c.Remaining)})
	}
	out := []Table{src, cat}
	srcLines := Table{Title: "按来源预算 Source lines (the most a source may pay for a category)", Columns: []Column{
		{Key: "category", Zh: "类别", En: "Category"}, {Key: "source", Zh: "资金来源", En: "Source"},
		{Key: "budget", Zh: "批复预算", En: "Budget", Numeric: true}, {Key: "paid", Zh: "已支付", En: "Paid", Numeric: true},
		{Key: "remaining", Zh: "预算余额", En: "Remaining", Numeric: true},
	}}
	for _, l := range r.Lines {
		if l.Source != "" {
			srcLines.Rows = append(srcLines.Rows, []string{l.Category, l.SourceName + " " + l.Source, amt(l.Budget), amt(l.Paid), amt(l.Remaining)})
		}
	}
	if len(srcLines.Rows) > 0 {
		out = append(out, srcLines)
	}
	return append(out, BudgetChanges(r.BudgetChanges, amt))
}

// BudgetChanges renders the history of a project's budget lines: each
// approval, adjustment (调整预算) and migration, with reason and approver.
func BudgetChanges(cs []funding.BudgetLineChange, amt func(decimal.Decimal) string) Table {
	t := Table{Title: "预算调整记录 Budget line history", Columns: []Column{
		{Key: "effective_on", Zh: "日期", En: "Date"}, {Key: "category", Zh: "类别", En: "Category"},
		{Key: "source", Zh: "资金来源", En: "Source"}, {Key: "kind", Zh: "类型", En: "Kind"},
		{Key: "previous", Zh: "原预算", En: "Previous", Numeric: true}, {Key: "budget", Zh: "新预算", En: "Budget", Numeric: true},
		{Key: "difference", Zh: "差额", En: "Difference", Numeric: true},
		{Key: "reason", Zh: "理由", En: "Reason"}, {Key: "approver", Zh: "审批人", En: "Approver"},
		{Key: "actor", Zh: "经办人", En: "Actor"}, {Key: "recorded_at", Zh: "记录时间", En: "Recorded at"},
	}}
	for _, c := range cs {
		t.Rows = append(t.Rows, []string{c.EffectiveOn.Format(ledger.DateLayout), c.Category, c.Source, c.Kind, amt(c.Previous), amt(c.Budget),
			amt(c.Difference()), c.Reason, c.Approver, c.Actor, c.At.UTC().Format("2006-01-02 15:04:05Z")})
	}
	return t
}

// DistrictReport renders the programme's money per district and source, and
// per district and category, with a subtotal row per district.
func DistrictReport(r funding.DistrictReport, amt func(decimal.Decimal) string) []Table {
	asOf := asOfLabel(r.AsOf, r.AsOf.Format(ledger.DateLayout))
	src := Table{Title: "区市资金 Districts by source, as of " + asOf,
		Columns: append([]Column{{Key: "district", Zh: "区市", En: "District", Bilingual: true}, {Key: "source", Zh: "资金来源", En: "Source", Bilingual: true}}, sourceColumns...)}
	var sub, all funding.SourcePosition
	flush := func(name string) {
		src.Rows = append(src.Rows, append([]string{name + " 小计 subtotal", ""}, sourceCells(sub, amt)...))
		sub = funding.SourcePosition{}
	}
	for i, s := range r.Sources {
		if i > 0 && r.Sources[i-1].District != s.District {
			flush(r.Sources[i-1].DistrictName)
		}
		src.Rows = append(src.Rows, append([]string{s.DistrictName, s.SourceName + " " + s.Source}, sourceCells(s.SourcePosition, amt)...))
		addPosition(&sub, s.SourcePosition)
		addPosition(&all, s.SourcePosition)
	}
	if len(r.Sources) > 0 {
		flush(r.Sources[len(r.Sources)-1].DistrictName)
	}
	src.Rows = append(src.Rows, append([]string{"合计 Total", ""}, sourceCells(all, amt)...))
	cat := Table{Title: "区市按类别 Districts by category, as of " + asOf, Columns: []Column{
		{Key: "district", Zh: "区市", En: "District", Bilingual: true}, {Key: "category", Zh: "类别", En: "Category", Bilingual: true},
		{Key: "budget", Zh: "批复预算", En: "Budget", Numeric: true}, {Key: "paid", Zh: "已支付", En: "Paid", Numeric: true},
		{Key: "remaining", Zh: "预算余额", En: "Remaining", Numeric: true},
		{Key: "paid_pct", Zh: "支付进度", En: "Paid %", Numeric: true},
	}}
	for _, c := range r.Categories {
		cat.Rows = append(cat.Rows, []string{c.DistrictName, c.CategoryName + " " + c.Category, amt(c.Budget), amt(c.Paid), amt(c.Remaining), percent(c.Paid, c.Budget)})
	}
	return []Table{src, cat}
}

func addPosition(dst *funding.SourcePosition, s funding.SourcePosition) {
	dst.Committed = dst.Committed.Add(s.Committed)
	dst.Received = dst.Received.Add(s.Received)
	dst.Disbursed = dst.Disbursed.Add(s.Disbursed)
	dst.Available = dst.Available.Add(s.Available)
	dst.Outstanding = dst.Outstanding.Add(s.Outstanding)
}

// percent is part/whole in per cent, two decimals, rounded half away from
// zero; "" when whole is zero.
func percent(part, whole decimal.Decimal) string {
	if whole.IsZero() {
		return ""
	}
	return part.Mul(decimal.NewFromInt(100)).DivRound(whole, 2).StringFixed(2) + "%"
}

// WhatIf renders a rule set's effect (新政策测算): per project and source,
// then totals by district and by source, each with the current and the new
// commitment and the difference; and the projects it could not split.
func WhatIf(w funding.WhatIf, amt func(decimal.Decimal) string) []Table {
	money := []Column{{Key: "current", Zh: "现行下达", En: "Current", Numeric: true}, {Key: "new", Zh: "新政策", En: "New", Numeric: true},
		{Key: "difference", Zh: "差额", En: "Difference", Numeric: true}}
	scope := "all districts"
	if w.District != "" {
		scope = w.District
	}
	title := fmt.Sprintf("新政策测算 What-if: rule set %s %s (%s), %d approved projects, %s — nothing stored",
		w.RuleSet.Name, w.RuleSet.Version, cityWide(w.RuleSet.District), w.Projects, scope)
	lines := Table{Title: title, Columns: append([]Column{{Key: "district", Zh: "区市", En: "District"}, {Key: "project", Zh: "项目", En: "Project"},
		{Key: "project_name", Zh: "名称", En: "Name"}, {Key: "source", Zh: "资金来源", En: "Source"}}, money...)}
	for _, l := range w.Lines {
		lines.Rows = append(lines.Rows, []string{l.DistrictName, l.Project, l.ProjectName, l.SourceName + " " + l.Source,
			amt(l.Current), amt(l.New), amt(l.Difference)})
	}
	lines.Rows = append(lines.Rows, []string{"合计 Total", "", "", "", amt(w.Total.Current), amt(w.Total.New), amt(w.Total.Difference)})
	total := func(t Table, ts []funding.WhatIfTotal) Table {
		for _, x := range ts {
			t.Rows = append(t.Rows, []string{x.Name + " " + x.Key, amt(x.Current), amt(x.New), amt(x.Difference)})
		}
		t.Rows = append(t.Rows, []string{"合计 Total", amt(w.Total.Current), amt(w.Total.New), amt(w.Total.Difference)})
		return t
	}
	byDistrict := total(Table{Title: "按区市 By district", Columns: append([]Column{{Key: "district", Zh: "区市", En: "District"}}, money...)}, w.ByDistrict)
	bySource := total(Table{Title: "按资金来源 By source", Columns: append([]Column{{Key: "source", Zh: "资金来源", En: "Source"}}, money...)}, w.BySource)
	out := []Table{lines, byDistrict, bySource}
	if len(w.Problems) > 0 {
		pt := Table{Title: "无法测算 Projects the rule set cannot split (not in the totals)", Columns: []Column{
			{Key: "project", Zh: "项目", En: "Project"}, {Key: "problem", Zh: "原因", En: "Problem"}}}
		for _, p := range w.Problems {
			pt.Rows = append(pt.Rows, []string{p.Project, p.Problem})
		}
		out = append(out, pt)
	}
	return out
}

func cityWide(district string) string {
	if district == "" {
		return "city-wide"
	}
	return district
}
