package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
)

// Plan reports: an import's summary, and the plan in force against the
// registered projects. Areas have two decimals without separators (Plain),
// so that the same tables render as CSV and JSON; shares have two decimals
// as computed by funding.Percent (half-up). District names stay as written
// in the plan table, in Chinese, whatever the header language.

func pctText(d decimal.Decimal) string { return d.StringFixed(2) + "%" }

func itoa(n int) string { return strconv.Itoa(n) }

// PlanImportTable summarises a plan import: the district rows summed per
// year with the check of each year's 总计 row, the overall sum, and in the
// notes the file's hash, whether it was newly imported or had been before,
// whether it is the plan in force, and every warning.
func PlanImportTable(res funding.PlanImportResult) Table {
	t := Table{
		Title: fmt.Sprintf("计划表导入 Plan import #%d — %s", res.ImportID, res.File),
		Columns: []Column{
			{Key: "year", Zh: "年度", En: "Year"},
			{Key: "communities", Zh: "小区个数", En: "Communities", Numeric: true},
			{Key: "households", Zh: "户数", En: "Households", Numeric: true},
			{Key: "floor_area_m2", Zh: "建筑面积(m²)", En: "Floor area (m²)", Numeric: true},
			{Key: "total_row", Zh: "总计行核对", En: "总计 row check"},
		},
	}
	for _, y := range res.Years {
		check := "无总计行 no 总计 row"
		switch {
		case y.Stated != nil && y.Agrees:
			check = fmt.Sprintf("一致 agrees (row %d)", y.StatedRow)
		case y.Stated != nil:
			check = fmt.Sprintf("不一致 differs (row %d states %d / %d / %s)", y.StatedRow,
				y.Stated.Communities, y.Stated.Households, Plain(y.Stated.FloorAreaM2))
		}
		t.Rows = append(t.Rows, []string{itoa(y.Year), itoa(y.Districts.Communities), itoa(y.Districts.Households),
			Plain(y.Districts.FloorAreaM2), check})
	}
	t.Rows = append(t.Rows, []string{"合计 Total", itoa(res.Sum.Communities), itoa(res.Sum.Households), Plain(res.Sum.FloorAreaM2), ""})

	t.Notes = append(t.Notes, "SHA-256 "+res.SHA256)
	when := res.ImportedAt.Format("2006-01-02 15:04:05 MST")
	switch {
	case res.AlreadyImported && res.Reactivated:
		t.Notes = append(t.Notes, fmt.Sprintf("已导入过，重新设为现行计划 already imported as #%d by %s at %s: made the plan in force again", res.ImportID, res.ImportedBy, when))
	case res.AlreadyImported:
		t.Notes = append(t.Notes, fmt.Sprintf("已导入过，未作更改 already imported as #%d by %s at %s: nothing changed", res.ImportID, res.ImportedBy, when))
	case res.Reactivated:
		t.Notes = append(t.Notes, fmt.Sprintf("重新设为现行计划 import #%d made the plan in force", res.ImportID))
	default:
		t.Notes = append(t.Notes, fmt.Sprintf("已导入 imported by %s at %s", res.ImportedBy, when))
	}
	t.Notes = append(t.Notes, fmt.Sprintf("%d 区市行 district rows, %d 总计行 total rows", res.DistrictRows, res.TotalRows))
	if res.ControlTotalAccepted != "" {
		t.Notes = append(t.Notes, "总计不一致，经说明接受 control totals disagree, accepted with the reason: "+res.ControlTotalAccepted)
	}
	if res.InForce {
		t.Notes = append(t.Notes, "现行计划 this import is the plan in force")
	} else {
		t.Notes = append(t.Notes, "非现行计划 not the plan in force (another import is; `plan use` makes this one current)")
	}
	if len(res.Warnings) == 0 {
		t.Notes = append(t.Notes, "无警告 no warnings")
	} else {
		t.Notes = append(t.Notes, fmt.Sprintf("警告 %d warnings (the file was accepted; check these numbers):", len(res.Warnings)))
		for _, w := range res.Warnings {
			t.Notes = append(t.Notes, "  "+w.String())
		}
	}
	return t
}

// PlanVerdict is the Chinese and English verdict on whether the plan table
// itself schedules enough communities for a milestone.
func PlanVerdict(m funding.PlanMilestoneProgress) string {
	if m.PlannedTotal == 0 {
		return "计划无小区 the plan plans no community"
	}
	if m.PlanMeets {
		return fmt.Sprintf("计划表本身达到 the plan table itself meets it: %s ≥ %s%%", pctText(m.PlanPct), m.Pct)
	}
	return fmt.Sprintf("计划表本身未达到 the plan table itself falls short: %s < %s%%", pctText(m.PlanPct), m.Pct)
}

// ActualVerdict is the Chinese and English verdict on the completed
// projects for a milestone.
func ActualVerdict(m funding.PlanMilestoneProgress) string {
	switch m.ActualStatus {
	case funding.MilestoneMet:
		return fmt.Sprintf("已达到 met: %s ≥ %s%%", pctText(m.ActualPct), m.Pct)
	case funding.MilestoneMissed:
		return fmt.Sprintf("未达到 missed: %s < %s%%", pctText(m.ActualPct), m.Pct)
	case funding.MilestoneNotYetDue:
		return fmt.Sprintf("尚未到期 not yet due: %s so far", pctText(m.ActualPct))
	case funding.MilestoneNoPlanData:
		return "计划无小区 the plan plans no community"
	}
	return m.ActualStatus
}

// PlanProgressTables renders plan progress as two tables: per district and
// year of the plan in force, planned against approved-or-later and
// completed-or-later projects; and the cumulative milestones, each judged on
// the plan table itself and on the completed projects.
func PlanProgressTables(p funding.PlanProgress) []Table {
	asOf := p.AsOf.Format(ledger.DateLayout)
	rows := Table{
		Title: fmt.Sprintf("计划执行进度 Plan progress by district and year — plan import #%d (%s), as of %s", p.ImportID, p.File, asOf),
		Columns: []Column{
			{Key: "district", Zh: "区市", En: "District"},
			{Key: "year", Zh: "年度", En: "Year"},
			{Key: "planned_communities", Zh: "计划小区", En: "Planned", Numeric: true},
			{Key: "planned_households", Zh: "计划户数", En: "Planned hh", Numeric: true},
			{Key: "planned_floor_area_m2", Zh: "计划面积(m²)", En: "Planned m²", Numeric: true},
			{Key: "approved_communities", Zh: "已批复小区", En: "Approved+", Numeric: true},
			{Key: "approved_households", Zh: "已批复户数", En: "Approved+ hh", Numeric: true},
			{Key: "approved_floor_area_m2", Zh: "已批复面积(m²)", En: "Approved+ m²", Numeric: true},
			{Key: "completed_communities", Zh: "已完工小区", En: "Completed+", Numeric: true},
			{Key: "completed_households", Zh: "已完工户数", En: "Completed+ hh", Numeric: true},
			{Key: "completed_floor_area_m2", Zh: "已完工面积(m²)", En: "Completed+ m²", Numeric: true},
			{Key: "completed_pct", Zh: "完工率", En: "Completed %", Numeric: true},
		},
	}
	line := func(district, year string, r funding.PlanProgressRow) []string {
		pct := ""
		if r.CompletedPct != nil {
			pct = pctText(*r.CompletedPct)
		}
		return []string{district, year,
			itoa(r.Planned.Communities), itoa(r.Planned.Households), Plain(r.Planned.FloorAreaM2),
			itoa(r.Approved.Communities), itoa(r.Approved.Households), Plain(r.Approved.FloorAreaM2),
			itoa(r.Completed.Communities), itoa(r.Completed.Households), Plain(r.Completed.FloorAreaM2), pct}
	}
	for _, r := range p.Rows {
		rows.Rows = append(rows.Rows, line(r.District, itoa(r.Year), r))
	}
	rows.Rows = append(rows.Rows, line("合计 Total", "", p.Total))
	rows.Notes = append(rows.Notes,
		"已批复 approved+: projects (one project = one community) approved, under way, completed or accepted on that day; 已完工 completed+: completed or accepted. hh = households (户数).",
		"完工率 completed %: completed communities / planned communities, two decimals rounded half-up.")
	for _, r := range p.Unplanned {
		rows.Notes = append(rows.Notes, fmt.Sprintf("不在计划表内 not in the plan (counted in no milestone): %s %d: %d approved+ (%d households, %s m²), %d completed+",
			r.District, r.Year, r.Approved.Communities, r.Approved.Households, Plain(r.Approved.FloorAreaM2), r.Completed.Communities))
	}
	if len(p.UnknownDistricts) > 0 {
		rows.Notes = append(rows.Notes, "计划表中的区市无对应区市 plan districts that match no district (no project can count for them): "+
			strings.Join(p.UnknownDistricts, ", "))
	}

	total := 0
	if len(p.Milestones) > 0 {
		total = p.Milestones[0].PlannedTotal
	}
	ms := Table{
		Title: fmt.Sprintf("计划节点 Plan milestones — cumulative share of all %d planned communities, as of %s", total, asOf),
		Columns: []Column{
			{Key: "milestone", Zh: "节点", En: "Milestone"},
			{Key: "due", Zh: "截止日期", En: "Due"},
			{Key: "required_pct", Zh: "要求", En: "Required", Numeric: true},
			{Key: "planned_cumulative", Zh: "计划累计小区", En: "Planned (cumulative)", Numeric: true},
			{Key: "planned_total", Zh: "计划小区总数", En: "Planned total", Numeric: true},
			{Key: "plan_pct", Zh: "计划占比", En: "Plan share", Numeric: true},
			{Key: "plan_verdict", Zh: "计划表判定", En: "Plan table verdict"},
			{Key: "counted_on", Zh: "计至", En: "Counted on"},
			{Key: "completed", Zh: "累计完工小区", En: "Completed (cumulative)", Numeric: true},
			{Key: "actual_pct", Zh: "实际占比", En: "Actual share", Numeric: true},
			{Key: "actual_verdict", Zh: "实际判定", En: "Actual verdict"},
		},
	}
	for _, m := range p.Milestones {
		ms.Rows = append(ms.Rows, []string{
			fmt.Sprintf("%d年底 end of %d", m.Year, m.Year), m.Due.Format(ledger.DateLayout), "≥" + m.Pct.String() + "%",
			itoa(m.PlannedCumulative), itoa(m.PlannedTotal), pctText(m.PlanPct), PlanVerdict(m),
			m.CountedOn.Format(ledger.DateLayout), itoa(m.ActualCompleted), pctText(m.ActualPct), ActualVerdict(m),
		})
	}
	ms.Notes = append(ms.Notes,
		"计划占比 plan share: communities the plan table schedules up to that year / all planned communities.",
		"实际占比 actual share: projects of the plan's districts and years completed or accepted on the due date (before it: so far) / all planned communities.",
		"Shares are rounded half-up to two decimals; the verdicts compare the exact fractions.")
	return []Table{rows, ms}
}
