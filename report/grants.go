package report

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
)

var grantKindNames = map[string]string{
	funding.GrantElevator: "加装电梯补助 elevator grants", funding.GrantAward: "以奖代补 utility awards",
	funding.GrantContribution: "专营单位出资 utility contributions", funding.GrantReward: "物业考核奖励 property rewards",
	funding.GrantPool: "年度资金分配 pool allocation",
}

// GrantsReport renders elevator applications by status, grants per
// district and kind, and residents' shares outstanding per building.
func GrantsReport(r funding.GrantsReport, amt func(decimal.Decimal) string) []Table {
	asOf := asOfLabel(r.AsOf, r.AsOf.Format(ledger.DateLayout))
	apps := Table{Title: "加装电梯申请 Elevator applications by status, as of " + asOf, Columns: []Column{
		{Key: "status", Zh: "状态", En: "Status"}, {Key: "status_on", Zh: "日期", En: "Since"}, {Key: "application", Zh: "申请", En: "Application"},
		{Key: "district", Zh: "区市", En: "District"}, {Key: "project", Zh: "项目", En: "Project"},
		{Key: "building", Zh: "楼栋", En: "Building"}, {Key: "unit", Zh: "单元", En: "Unit"},
		{Key: "grant_committed", Zh: "补助下达", En: "Grant committed", Numeric: true}, {Key: "grant_paid", Zh: "补助拨付", En: "Grant paid", Numeric: true},
		{Key: "residents_share", Zh: "居民分摊", En: "Residents' share", Numeric: true},
		{Key: "residents_received", Zh: "已缴", En: "Received", Numeric: true}, {Key: "residents_outstanding", Zh: "未缴", En: "Outstanding", Numeric: true},
	}}
	for _, a := range r.Applications {
		apps.Rows = append(apps.Rows, []string{a.Status, a.StatusOn.Format(ledger.DateLayout), a.Code, a.DistrictName, a.Project, a.Building, a.Unit,
			amt(a.GrantCommitted), amt(a.GrantPaid), amt(a.ResidentsShare), amt(a.ResidentsReceived), amt(a.ResidentsOutstanding)})
	}
	statuses := make([]string, 0, len(r.StatusCounts))
	for s := range r.StatusCounts {
		statuses = append(statuses, s)
	}
	sort.Strings(statuses)
	for i, s := range statuses {
		statuses[i] = fmt.Sprintf("%s %d", s, r.StatusCounts[s])
	}
	if len(statuses) > 0 {
		apps.Notes = append(apps.Notes, "by status: "+strings.Join(statuses, ", "))
	}
	ds := Table{Title: "补助与奖励 Grants per district, as of " + asOf, Columns: []Column{
		{Key: "district", Zh: "区市", En: "District"}, {Key: "kind", Zh: "类型", En: "Kind"},
		{Key: "committed", Zh: "下达", En: "Committed", Numeric: true}, {Key: "paid", Zh: "拨付", En: "Paid", Numeric: true},
		{Key: "outstanding", Zh: "待拨付", En: "Outstanding", Numeric: true},
	}}
	for _, d := range r.Districts {
		name := grantKindNames[d.Kind]
		if name == "" {
			name = d.Kind
		}
		ds.Rows = append(ds.Rows, []string{d.DistrictName, name, amt(d.Committed), amt(d.Paid), amt(d.Outstanding)})
	}
	bs := Table{Title: "居民分摊 Residents' shares per building, as of " + asOf, Columns: []Column{
		{Key: "district", Zh: "区市", En: "District"}, {Key: "project", Zh: "项目", En: "Project"}, {Key: "building", Zh: "楼栋", En: "Building"},
		{Key: "share", Zh: "分摊", En: "Share", Numeric: true}, {Key: "received", Zh: "已缴", En: "Received", Numeric: true},
		{Key: "outstanding", Zh: "未缴", En: "Outstanding", Numeric: true},
	}}
	for _, b := range r.Buildings {
		bs.Rows = append(bs.Rows, []string{b.District, b.Project, b.Building, amt(b.Share), amt(b.Received), amt(b.Outstanding)})
	}
	return []Table{apps, ds, bs}
}

// ElevatorGrant renders an approval or acceptance: the grant per source and
// each household's share, with how they were computed.
func ElevatorGrant(g funding.ElevatorGrant, amt func(decimal.Decimal) string) []Table {
	src := Table{Title: fmt.Sprintf("加装电梯补助 Elevator grant %s: %s on %s, rule set %d", g.Application, g.Event, g.On.Format(ledger.DateLayout), g.RuleSetID),
		Columns: []Column{{Key: "source", Zh: "资金来源", En: "Source"}, {Key: "before", Zh: "原下达", En: "Before", Numeric: true},
			{Key: "now", Zh: "下达", En: "Now", Numeric: true}}}
	for _, d := range g.Deltas {
		src.Rows = append(src.Rows, []string{d.Source, amt(d.Previous), amt(d.Now)})
	}
	src.Notes = append(src.Notes, "consent: "+g.Consent.String())
	src.Notes = append(src.Notes, g.Grant.Steps...)
	src.Notes = append(src.Notes, fmt.Sprintf("residents' share = cost %s + pipe %s − grant %s − other contributions = %s",
		g.Cost.StringFixed(2), g.PipeCost.StringFixed(2), g.Grant.Total.StringFixed(2), g.ResidentsShare.StringFixed(2)))
	hh := Table{Title: "住户分摊 Households' shares", Columns: []Column{
		{Key: "household", Zh: "户", En: "Household"}, {Key: "floor", Zh: "楼层", En: "Floor", Numeric: true},
		{Key: "coefficient", Zh: "系数", En: "Coefficient", Numeric: true}, {Key: "exact", Zh: "精确值", En: "Exact", Numeric: true},
		{Key: "amount", Zh: "分摊", En: "Share", Numeric: true}}}
	for _, h := range g.Households {
		hh.Rows = append(hh.Rows, []string{h.Household, strconv.Itoa(h.Floor), h.Coefficient.String(), h.Exact, amt(h.Amount)})
	}
	return []Table{src, hh}
}

// Households renders an application's households: share, paid, outstanding.
func Households(app funding.ElevatorApplication, hs []funding.HouseholdPosition, amt func(decimal.Decimal) string) Table {
	t := Table{Title: fmt.Sprintf("加装电梯 %s: project %s, building %s unit %s (%s), status %s since %s", app.Code, app.Project, app.Building,
		app.Unit, app.DistrictName, app.Status, app.StatusOn.Format(ledger.DateLayout)), Columns: []Column{
		{Key: "household", Zh: "户", En: "Household"}, {Key: "floor", Zh: "楼层", En: "Floor", Numeric: true},
		{Key: "coefficient", Zh: "系数", En: "Coefficient", Numeric: true}, {Key: "share", Zh: "分摊", En: "Share", Numeric: true},
		{Key: "paid", Zh: "已缴", En: "Paid", Numeric: true}, {Key: "outstanding", Zh: "未缴", En: "Outstanding", Numeric: true}}}
	var share, paid decimal.Decimal
	for _, h := range hs {
		t.Rows = append(t.Rows, []string{h.Household, strconv.Itoa(h.Floor), h.Coefficient.String(), amt(h.Share), amt(h.Paid), amt(h.Outstanding)})
		share, paid = share.Add(h.Share), paid.Add(h.Paid)
	}
	t.Rows = append(t.Rows, []string{"合计 Total", "", "", amt(share), amt(paid), amt(share.Sub(paid))})
	return t
}

// PoolAllocation renders a pool's split over districts with the
// explanation of each amount.
func PoolAllocation(r funding.PoolResult, amt func(decimal.Decimal) string) Table {
	state := "posted"
	switch {
	case r.Unchanged:
		state = "already posted, nothing changed"
	case r.DryRun:
		state = "dry run, nothing posted"
	}
	t := Table{Title: fmt.Sprintf("资金分配 Allocation of the %d pool %s from %s by the %d evaluation — %s (version %d)",
		r.Year, r.Pool.StringFixed(2), r.Source, r.EvaluationYear, state, r.Version), Columns: []Column{
		{Key: "district", Zh: "区市", En: "District"}, {Key: "area_m2", Zh: "面积", En: "Area m²", Numeric: true},
		{Key: "households", Zh: "户数", En: "Households", Numeric: true}, {Key: "buildings", Zh: "楼栋", En: "Buildings", Numeric: true},
		{Key: "communities", Zh: "小区", En: "Communities", Numeric: true}, {Key: "score", Zh: "评分", En: "Score", Numeric: true},
		{Key: "coefficient", Zh: "系数", En: "Coefficient", Numeric: true}, {Key: "share", Zh: "占比", En: "Share", Numeric: true},
		{Key: "amount", Zh: "分配", En: "Amount", Numeric: true}, {Key: "previous", Zh: "原分配", En: "Previous", Numeric: true},
		{Key: "explanation", Zh: "说明", En: "Explanation"}}}
	total := decimal.Zero
	for _, l := range r.Lines {
		score := l.Score.String()
		if !l.Scored {
			score = "-"
		}
		t.Rows = append(t.Rows, []string{l.DistrictName, l.AreaM2.StringFixed(2), strconv.Itoa(l.Households), strconv.Itoa(l.Buildings),
			strconv.Itoa(l.Communities), score, l.Coefficient.String(), l.Share.String(), amt(l.Amount), amt(l.Previous), l.Explanation})
		total = total.Add(l.Amount)
	}
	t.Rows = append(t.Rows, []string{"合计 Total", "", "", "", "", "", "", "", amt(total), "", ""})
	t.Notes = append(t.Notes, r.Steps...)
	return t
}
