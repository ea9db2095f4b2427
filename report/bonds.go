package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
)

func bondDate(t interface {
	IsZero() bool
	Format(string) string
}) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(ledger.DateLayout)
}

// bondRatio shows a coverage ratio with its four decimals, "—" when
// nothing remains to be paid.
func bondRatio(c funding.BondCoverage) string {
	if !c.Ratio.Valid {
		return "—"
	}
	return c.Ratio.Decimal.StringFixed(funding.BondRatioPlaces)
}

func bondFlag(c funding.BondCoverage, threshold decimal.Decimal) string {
	switch {
	case !c.Ratio.Valid:
		return "已清偿 repaid"
	case c.Below:
		return "低于 BELOW " + threshold.String()
	}
	return "达标 ok"
}

func bondYear(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}

// bondPercent is part ÷ whole in per cent, two decimals, rounded half up;
// "" when whole is zero.
func bondPercent(part, whole decimal.Decimal) string {
	if whole.IsZero() {
		return ""
	}
	return part.Mul(decimal.NewFromInt(100)).DivRound(whole, 2).StringFixed(2) + "%"
}

var bondCoverageColumns = []Column{
	{Key: "reserve", Zh: "偿债准备金", En: "Reserve", Numeric: true},
	{Key: "actual_revenue", Zh: "实际收益", En: "Actual revenue", Numeric: true},
	{Key: "expected_revenue", Zh: "预期收益至今", En: "Expected to date", Numeric: true},
	{Key: "actual_pct", Zh: "实际/预期", En: "Actual/expected", Numeric: true},
	{Key: "remaining_revenue", Zh: "剩余预期收益", En: "Remaining expected", Numeric: true},
	{Key: "remaining_principal", Zh: "剩余本金", En: "Remaining principal", Numeric: true},
	{Key: "remaining_interest", Zh: "剩余利息", En: "Remaining interest", Numeric: true},
	{Key: "coverage", Zh: "覆盖倍数", En: "Coverage", Numeric: true},
	{Key: "flag", Zh: "预警", En: "Flag"},
	{Key: "first_shortfall_year", Zh: "首个缺口年度", En: "First shortfall year", Numeric: true},
}

func bondCoverageCells(actual, expected decimal.Decimal, c funding.BondCoverage, threshold decimal.Decimal, amt func(decimal.Decimal) string) []string {
	return []string{amt(c.Reserve), amt(actual), amt(expected), bondPercent(actual, expected), amt(c.RemainingRevenue),
		amt(c.RemainingPrincipal), amt(c.RemainingInterest), bondRatio(c), bondFlag(c, threshold), bondYear(c.FirstShortfallYear)}
}

// BondReport renders the bond repayment balance report as four tables:
// each bond's principal and interest; each bond's reserve, revenue and
// coverage; the projects; the district roll-up (with the bonds'
// unallocated part and the total).
func BondReport(r funding.BondReport, amt func(decimal.Decimal) string) []Table {
	asOf := r.AsOf.Format(ledger.DateLayout)
	debt := Table{Title: "专项债券还本付息 Special-purpose bonds: principal and interest, as of " + asOf, Columns: []Column{
		{Key: "bond", Zh: "债券", En: "Bond"}, {Key: "name", Zh: "名称", En: "Name"},
		{Key: "rate_pct", Zh: "票面利率%", En: "Rate %", Numeric: true}, {Key: "terms", Zh: "付息/还本", En: "Interest/repayment"},
		{Key: "maturity", Zh: "到期日", En: "Maturity"},
		{Key: "principal_issued", Zh: "发行本金", En: "Issued", Numeric: true},
		{Key: "principal_repaid", Zh: "已还本金", En: "Repaid", Numeric: true},
		{Key: "principal_outstanding", Zh: "未还本金", En: "Outstanding", Numeric: true},
		{Key: "interest_accrued", Zh: "已计提利息", En: "Interest accrued", Numeric: true},
		{Key: "interest_paid", Zh: "已付利息", En: "Interest paid", Numeric: true},
		{Key: "overdue", Zh: "逾期未付", En: "Overdue", Numeric: true},
		{Key: "next_due_date", Zh: "下一付款日", En: "Next due"},
		{Key: "next_interest", Zh: "下期利息", En: "Next interest", Numeric: true},
		{Key: "next_principal", Zh: "下期本金", En: "Next principal", Numeric: true},
		{Key: "unallocated", Zh: "未拨付", En: "Unallocated", Numeric: true},
		{Key: "schedule_version", Zh: "计划版本", En: "Schedule", Numeric: true},
	}}
	cover := Table{Title: fmt.Sprintf("偿债能力 Bonds: reserve, revenue and coverage (threshold %s), as of %s", r.Threshold, asOf),
		Columns: append([]Column{{Key: "bond", Zh: "债券", En: "Bond"}, {Key: "backstop", Zh: "兜底补足", En: "Backstop", Numeric: true}}, bondCoverageColumns...)}
	for _, b := range r.Bonds {
		debt.Rows = append(debt.Rows, []string{b.Bond.Code, b.Bond.Name, b.Bond.CouponRatePct.String(), b.Bond.Frequency + "/" + b.Bond.Repayment,
			bondDate(b.Maturity), amt(b.Issued), amt(b.Repaid), amt(b.Outstanding), amt(b.InterestAccrued), amt(b.InterestPaid), amt(b.Overdue),
			bondDate(b.NextDueDate), amt(b.NextInterest), amt(b.NextPrincipal), amt(b.Unallocated), strconv.Itoa(b.ScheduleVersion)})
		cover.Rows = append(cover.Rows, append([]string{b.Bond.Code, amt(b.Backstop)},
			bondCoverageCells(b.ActualRevenue, b.ExpectedRevenue, b.Coverage, r.Threshold, amt)...))
	}
	projects := Table{Title: "项目融资平衡 Projects: their share of the bonds, as of " + asOf, Columns: append([]Column{
		{Key: "project", Zh: "项目", En: "Project"}, {Key: "name", Zh: "名称", En: "Name"}, {Key: "district", Zh: "区市", En: "District"},
		{Key: "bonds", Zh: "债券", En: "Bonds"}, {Key: "plan_version", Zh: "方案版本", En: "Plan", Numeric: true},
		{Key: "allocated", Zh: "分配债券资金", En: "Allocated", Numeric: true},
	}, bondCoverageColumns...)}
	for _, u := range r.Projects {
		plan := "—"
		if u.PlanVersion > 0 {
			plan = strconv.Itoa(u.PlanVersion)
		}
		projects.Rows = append(projects.Rows, append([]string{u.Code, u.Name, u.DistrictName, strings.Join(u.Bonds, " "), plan, amt(u.Allocated)},
			bondCoverageCells(u.ActualRevenue, u.ExpectedRevenue, u.Coverage, r.Threshold, amt)...))
	}
	districts := Table{Title: "区市汇总 Districts, as of " + asOf, Columns: append([]Column{
		{Key: "district", Zh: "区市", En: "District"}, {Key: "bonds", Zh: "债券", En: "Bonds"},
		{Key: "allocated", Zh: "分配债券资金", En: "Allocated", Numeric: true},
	}, bondCoverageColumns...)}
	for _, u := range append(append([]funding.BondUnitPosition(nil), r.Districts...), r.Total) {
		districts.Rows = append(districts.Rows, append([]string{u.Name, strings.Join(u.Bonds, " "), amt(u.Allocated)},
			bondCoverageCells(u.ActualRevenue, u.ExpectedRevenue, u.Coverage, r.Threshold, amt)...))
	}
	districts.Notes = append(districts.Notes, "口径 Method: "+r.Method)
	if len(r.Bonds) == 0 {
		debt.Notes = append(debt.Notes, "No bond issued on or before "+asOf+".")
	}
	return []Table{debt, cover, projects, districts}
}

// BondSchedule renders a bond's repayment schedule with a totals row and
// the stated rounding method.
func BondSchedule(b funding.Bond, s funding.BondSchedule, amt func(decimal.Decimal) string) Table {
	t := Table{
		Title: fmt.Sprintf("还本付息计划 Schedule of bond %s %s — version %d (%s), effective %s: %s at %s%% a year, %s interest, %d years, %s repayment",
			b.Code, b.Name, s.Version, s.Repayment, bondDate(s.EffectiveOn), amt(b.Principal), b.CouponRatePct, b.Frequency, b.TermYears, s.Repayment),
		Columns: []Column{
			{Key: "seq", Zh: "期次", En: "No.", Numeric: true}, {Key: "period_start", Zh: "计息起", En: "From"},
			{Key: "due_date", Zh: "付款日", En: "Due"}, {Key: "opening_principal", Zh: "期初本金", En: "Opening principal", Numeric: true},
			{Key: "interest", Zh: "利息", En: "Interest", Numeric: true}, {Key: "principal", Zh: "本金", En: "Principal", Numeric: true},
			{Key: "total", Zh: "合计", En: "Total", Numeric: true}, {Key: "closing_principal", Zh: "期末本金", En: "Closing principal", Numeric: true},
		},
	}
	ti, tp := decimal.Zero, decimal.Zero
	for _, l := range s.Lines {
		t.Rows = append(t.Rows, []string{strconv.Itoa(l.Seq), bondDate(l.PeriodStart), bondDate(l.DueDate), amt(l.OpeningPrincipal),
			amt(l.Interest), amt(l.Principal), amt(l.Total()), amt(l.OpeningPrincipal.Sub(l.Principal))})
		ti, tp = ti.Add(l.Interest), tp.Add(l.Principal)
	}
	t.Rows = append(t.Rows, []string{"", "合计 Total", "", "", amt(ti), amt(tp), amt(ti.Add(tp)), ""})
	t.Notes = append(t.Notes, "舍入 Rounding: "+s.Rounding+".")
	if s.Reason != "" {
		t.Notes = append(t.Notes, "修订原因 Revision reason: "+s.Reason)
	}
	if tp.Equal(b.Principal) {
		t.Notes = append(t.Notes, "本金合计等于发行本金 Principal repayments add up to the principal exactly.")
	} else {
		t.Notes = append(t.Notes, fmt.Sprintf("本金合计不等 PRINCIPAL MISMATCH: repayments %s, principal %s", amt(tp), amt(b.Principal)))
	}
	return t
}

// BondList renders the bond register.
func BondList(bs []funding.Bond, amt func(decimal.Decimal) string) Table {
	t := Table{Title: "专项债券 Bond register", Columns: []Column{
		{Key: "bond", Zh: "债券", En: "Bond"}, {Key: "name", Zh: "名称", En: "Name"}, {Key: "issue_date", Zh: "发行日", En: "Issued"},
		{Key: "interest_start", Zh: "起息日", En: "Interest from"}, {Key: "maturity", Zh: "到期日", En: "Maturity"},
		{Key: "principal", Zh: "本金", En: "Principal", Numeric: true}, {Key: "rate_pct", Zh: "票面利率%", En: "Rate %", Numeric: true},
		{Key: "frequency", Zh: "付息", En: "Interest"}, {Key: "repayment", Zh: "还本", En: "Repayment"},
		{Key: "reserve_bank_account", Zh: "偿债专户", En: "Reserve account"}, {Key: "issued", Zh: "已发行", En: "Issued?"},
	}}
	for _, b := range bs {
		t.Rows = append(t.Rows, []string{b.Code, b.Name, bondDate(b.IssueDate), bondDate(b.InterestStart), bondDate(b.Maturity()), amt(b.Principal),
			b.CouponRatePct.String(), b.Frequency, b.Repayment, b.ReserveBankAccount, strconv.FormatBool(b.Issued)})
	}
	return t
}

// BondRevenuePlan renders a project's financing balance plan by year and
// kind with yearly totals.
func BondRevenuePlan(plan funding.BondRevenuePlan, amt func(decimal.Decimal) string) Table {
	kinds := funding.BondRevenueKinds()
	cols := []Column{{Key: "year", Zh: "年度", En: "Year"}}
	for _, k := range kinds {
		cols = append(cols, Column{Key: k.Code, Zh: k.NameZH, En: k.NameEN, Numeric: true})
	}
	cols = append(cols, Column{Key: "total", Zh: "合计", En: "Total", Numeric: true})
	t := Table{Title: fmt.Sprintf("预期收益与融资平衡方案 Financing balance plan of %s — version %d, effective %s (%s)",
		plan.Project, plan.Version, bondDate(plan.EffectiveOn), plan.FileName), Columns: cols}
	byYear := map[int]map[string]decimal.Decimal{}
	var years []int
	for _, l := range plan.Lines {
		if byYear[l.Year] == nil {
			byYear[l.Year] = map[string]decimal.Decimal{}
			years = append(years, l.Year)
		}
		byYear[l.Year][l.Kind] = byYear[l.Year][l.Kind].Add(l.Amount)
	}
	for _, y := range years {
		row := []string{strconv.Itoa(y)}
		sum := decimal.Zero
		for _, k := range kinds {
			v, ok := byYear[y][k.Code]
			if ok {
				row = append(row, amt(v))
				sum = sum.Add(v)
			} else {
				row = append(row, "")
			}
		}
		t.Rows = append(t.Rows, append(row, amt(sum)))
	}
	t.Notes = append(t.Notes, "合计 Total "+amt(plan.Total))
	return t
}
