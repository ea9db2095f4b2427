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
		{Key: "unpaid", Zh: "未支付", En: "Unpaid", Numeric: true},
	}}
	for _, c := range r.Categories {
		cat.Rows = append(cat.Rows, []string{c.Category, c.CategoryName, amt(c.Budget), amt(c.Paid), amt(c.Budget.Sub(c.Paid))})
	}
	return []Table{src, cat}
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
		{Key: "paid_pct", Zh: "支付进度", En: "Paid %", Numeric: true},
	}}
	for _, c := range r.Categories {
		cat.Rows = append(cat.Rows, []string{c.DistrictName, c.CategoryName + " " + c.Category, amt(c.Budget), amt(c.Paid), percent(c.Paid, c.Budget)})
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
