package funding

// The bond repayment balance report (专项债券还本付息及融资平衡情况): per
// bond, per project and per district, as of a date.

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// DefaultBondCoverageThreshold is the coverage ratio below which a bond,
// project or district is flagged (1.1 to 1.3 are used in practice).
var DefaultBondCoverageThreshold = decimal.RequireFromString("1.2")

// BondRatioPlaces is the number of decimals of a coverage ratio. Ratios are
// truncated (rounded toward zero), never rounded up, so a ratio shown at or
// above a threshold of at most four decimals is at or above it exactly, and
// the flag, computed exactly, always agrees with the number shown.
const BondRatioPlaces = 4

// BondReportMethod states how the report computes what it shows.
const BondReportMethod = "coverage = (remaining expected revenue + reserve) ÷ (remaining principal + remaining interest), truncated to 4 decimals; " +
	"flagged when below the threshold (compared exactly). Remaining principal and interest: the schedule's amounts not yet paid " +
	"(payments applied to the earliest dates first); remaining expected revenue: the plan's revenue after the as-of date up to the bond's maturity. " +
	"Expected revenue of a partial year = annual amount × days ÷ days in the year, rounded half up to the fen, per kind. " +
	"A project's plan revenue is shared among the bonds funding it by the amounts allocated, and a bond's reserve, principal and interest " +
	"among its projects (and its unallocated part) by the amounts allocated, each by the largest remainder so that the parts add up to the fen. " +
	"First shortfall year: the first year at whose end the projected reserve (reserve + expected revenue − debt service due, year by year) is below zero."

// BondCoverage is the repayment capacity of a bond, a project or a district.
type BondCoverage struct {
	Reserve            decimal.Decimal `json:"reserve"`
	RemainingRevenue   decimal.Decimal `json:"remaining_expected_revenue"`
	RemainingPrincipal decimal.Decimal `json:"remaining_principal"`
	RemainingInterest  decimal.Decimal `json:"remaining_interest"`
	// Ratio is (RemainingRevenue + Reserve) ÷ (RemainingPrincipal +
	// RemainingInterest) truncated to BondRatioPlaces; not valid when
	// nothing remains to be paid.
	Ratio decimal.NullDecimal `json:"ratio"`
	// Below: the exact ratio is below the threshold.
	Below bool `json:"below_threshold"`
	// FirstShortfallYear is the first year at whose end the projected
	// reserve is negative; 0 when it never is.
	FirstShortfallYear int `json:"first_shortfall_year,omitempty"`
}

// RemainingDebtService is remaining principal plus remaining interest.
func (c BondCoverage) RemainingDebtService() decimal.Decimal {
	return c.RemainingPrincipal.Add(c.RemainingInterest)
}

// BondPosition is one bond as of the report date.
type BondPosition struct {
	Bond            Bond            `json:"bond"`
	Maturity        time.Time       `json:"maturity"`
	ScheduleVersion int             `json:"schedule_version"`
	Issued          decimal.Decimal `json:"principal_issued"`
	Repaid          decimal.Decimal `json:"principal_repaid"`
	Outstanding     decimal.Decimal `json:"principal_outstanding"`
	InterestAccrued decimal.Decimal `json:"interest_accrued"`
	InterestPaid    decimal.Decimal `json:"interest_paid"`
	InterestPayable decimal.Decimal `json:"interest_payable"`
	// Overdue is what the schedule made due on or before the date and was
	// not paid.
	Overdue decimal.Decimal `json:"overdue"`
	// The next due date after the report date and what falls due then.
	NextDueDate   time.Time       `json:"next_due_date,omitzero"`
	NextInterest  decimal.Decimal `json:"next_interest"`
	NextPrincipal decimal.Decimal `json:"next_principal"`
	Unallocated   decimal.Decimal `json:"unallocated_proceeds"`
	Backstop      decimal.Decimal `json:"backstop_to_date"`
	// Actual revenue paid into the reserve to date, and the plans' expected
	// revenue to date (the bond's share of each project's plan).
	ActualRevenue   decimal.Decimal `json:"actual_revenue"`
	ExpectedRevenue decimal.Decimal `json:"expected_revenue"`
	Coverage        BondCoverage    `json:"coverage"`
}

// BondUnitPosition is a project's or a district's share of the bonds that
// fund it (or, with Code "", the bonds' unallocated part).
type BondUnitPosition struct {
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	District     string   `json:"district,omitempty"`
	DistrictName string   `json:"district_name,omitempty"`
	Bonds        []string `json:"bonds"`
	// PlanVersion of the project's financing balance plan in force (0: none).
	PlanVersion     int             `json:"plan_version,omitempty"`
	Allocated       decimal.Decimal `json:"allocated"`
	Outstanding     decimal.Decimal `json:"principal_outstanding"`
	ActualRevenue   decimal.Decimal `json:"actual_revenue"`
	ExpectedRevenue decimal.Decimal `json:"expected_revenue"`
	Coverage        BondCoverage    `json:"coverage"`
}

// BondReport is the bond repayment balance report.
type BondReport struct {
	AsOf      time.Time          `json:"as_of"`
	Threshold decimal.Decimal    `json:"threshold"`
	Method    string             `json:"method"`
	Bonds     []BondPosition     `json:"bonds"`
	Projects  []BondUnitPosition `json:"projects"`
	// Districts: one row per district with bond-funded projects, then (Code
	// "") the bonds' unallocated part when there is one.
	Districts []BondUnitPosition `json:"districts"`
	Total     BondUnitPosition   `json:"total"`
}

// BondReportOptions selects the report date and the threshold.
type BondReportOptions struct {
	AsOf      time.Time       // end of this day; required
	Threshold decimal.Decimal // zero: DefaultBondCoverageThreshold
}

// bondStreams are the amounts a coverage is computed from, with the
// projected revenue and debt service by year.
type bondStreams struct {
	allocated, outstanding, actual, expected       decimal.Decimal
	reserve, remRevenue, remPrincipal, remInterest decimal.Decimal
	revenueByYear, debtByYear                      map[int]decimal.Decimal
	bonds                                          []string
}

func newBondStreams() *bondStreams {
	return &bondStreams{revenueByYear: map[int]decimal.Decimal{}, debtByYear: map[int]decimal.Decimal{}}
}

func (s *bondStreams) add(o *bondStreams) {
	s.allocated = s.allocated.Add(o.allocated)
	s.outstanding = s.outstanding.Add(o.outstanding)
	s.actual = s.actual.Add(o.actual)
	s.expected = s.expected.Add(o.expected)
	s.reserve = s.reserve.Add(o.reserve)
	s.remRevenue = s.remRevenue.Add(o.remRevenue)
	s.remPrincipal = s.remPrincipal.Add(o.remPrincipal)
	s.remInterest = s.remInterest.Add(o.remInterest)
	for y, v := range o.revenueByYear {
		s.revenueByYear[y] = s.revenueByYear[y].Add(v)
	}
	for y, v := range o.debtByYear {
		s.debtByYear[y] = s.debtByYear[y].Add(v)
	}
	for _, b := range o.bonds {
		s.bonds = appendOnce(s.bonds, b)
	}
}

// coverage computes the ratio, the flag and the projection from year on.
func (s *bondStreams) coverage(year int, threshold decimal.Decimal) BondCoverage {
	c := BondCoverage{Reserve: s.reserve, RemainingRevenue: s.remRevenue, RemainingPrincipal: s.remPrincipal, RemainingInterest: s.remInterest}
	num, den := s.remRevenue.Add(s.reserve), s.remPrincipal.Add(s.remInterest)
	if den.IsPositive() {
		q, _ := num.QuoRem(den, BondRatioPlaces) // truncated: num = den × q + r, 0 ≤ r
		c.Ratio = decimal.NullDecimal{Decimal: q, Valid: true}
		c.Below = num.LessThan(threshold.Mul(den))
	}
	last := year
	for y := range s.revenueByYear {
		last = max(last, y)
	}
	for y := range s.debtByYear {
		last = max(last, y)
	}
	running := s.reserve
	for y := year; y <= last; y++ {
		running = running.Add(s.revenueByYear[y]).Sub(s.debtByYear[y])
		if running.IsNegative() {
			c.FirstShortfallYear = y
			break
		}
	}
	return c
}

func (s *bondStreams) unit(u BondUnitPosition, year int, threshold decimal.Decimal) BondUnitPosition {
	u.Bonds = append([]string(nil), s.bonds...)
	sort.Strings(u.Bonds)
	u.Allocated, u.Outstanding, u.ActualRevenue, u.ExpectedRevenue = s.allocated, s.outstanding, s.actual, s.expected
	u.Coverage = s.coverage(year, threshold)
	return u
}

// bondPlanCurve is a project's plan: amount by year and kind.
type bondPlanCurve struct {
	version int
	amounts map[int]map[string]decimal.Decimal
}

func bondDaysInYear(y int) int {
	return time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC).YearDay()
}

// cumulative is the plan's expected revenue from its start to the end of
// day t: whole years before t's year, and of t's year the share of days
// elapsed (t's day of the year ÷ days in the year), per kind rounded half
// up to the fen.
func (c bondPlanCurve) cumulative(t time.Time) decimal.Decimal {
	sum := decimal.Zero
	y := t.Year()
	days := decimal.NewFromInt(int64(bondDaysInYear(y)))
	elapsed := decimal.NewFromInt(int64(t.YearDay()))
	for year, kinds := range c.amounts {
		for _, a := range kinds {
			switch {
			case year < y:
				sum = sum.Add(a)
			case year == y:
				sum = sum.Add(a.Mul(elapsed).DivRound(days, 2))
			}
		}
	}
	return sum
}

func yearEnd(y int) time.Time { return time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC) }

// BondReport computes the bond repayment balance report as of a date.
func (p *Programme) BondReport(ctx context.Context, o BondReportOptions) (BondReport, error) {
	if o.AsOf.IsZero() {
		return BondReport{}, fmt.Errorf("%w: bond report: an as-of date is required", ErrInvalid)
	}
	asOf := ledger.Civil(o.AsOf)
	threshold := o.Threshold
	if threshold.IsZero() {
		threshold = DefaultBondCoverageThreshold
	}
	if !threshold.IsPositive() || threshold.GreaterThan(decimal.NewFromInt(10)) || !threshold.Equal(threshold.Truncate(BondRatioPlaces)) {
		return BondReport{}, fmt.Errorf("%w: bond report: threshold %s: want above 0, at most 10, at most %d decimals", ErrInvalid, threshold, BondRatioPlaces)
	}
	rep := BondReport{AsOf: asOf, Threshold: threshold, Method: BondReportMethod}
	year := asOf.Year()
	day := asOf.Format(ledger.DateLayout)

	var bonds []bondRow
	if err := p.db.SelectContext(ctx, &bonds, fmt.Sprintf(`SELECT `+bondColumns+`
		  FROM bonds b JOIN bond_issues i ON i.bond = b.code WHERE i.issued_on <= $1 ORDER BY b.code LIMIT %d`, MaxBonds), day); err != nil {
		return rep, fmt.Errorf("bond report: %w", err)
	}
	balances, err := p.ledger.Balances(ctx, ledger.BalanceFilter{AccountFilter: ledger.AccountFilter{CodePrefix: "bond"},
		AsOf: asOf, GroupBy: []string{ledger.ByAccount}})
	if err != nil {
		return rep, fmt.Errorf("bond report: %w", err)
	}
	bal := map[string]ledger.BalanceRow{}
	// Revenue (bond:B:revenue:P:KIND) by bond and project, and backstop
	// top-ups (bond:B:backstop:SRC) by bond: credits less debits.
	revenueByBond := map[string]map[string]decimal.Decimal{}
	backstopByBond := map[string]decimal.Decimal{}
	for _, r := range balances {
		code := r.Group[ledger.ByAccount]
		bal[code] = r
		seg := strings.Split(code, ":")
		switch {
		case len(seg) == 5 && seg[2] == bondRevenue:
			if revenueByBond[seg[1]] == nil {
				revenueByBond[seg[1]] = map[string]decimal.Decimal{}
			}
			revenueByBond[seg[1]][seg[3]] = revenueByBond[seg[1]][seg[3]].Add(r.Net().Neg())
		case len(seg) == 4 && seg[2] == bondBackstop:
			backstopByBond[seg[1]] = backstopByBond[seg[1]].Add(r.Net().Neg())
		}
	}
	var allocs []struct {
		Bond         string          `db:"bond"`
		Project      string          `db:"project"`
		Amount       decimal.Decimal `db:"amount"`
		Name         string          `db:"name"`
		District     string          `db:"district"`
		DistrictName string          `db:"district_name"`
	}
	if err := p.db.SelectContext(ctx, &allocs, `
		SELECT a.bond, a.project, sum(a.amount) AS amount, pr.name, pr.district, d.name_zh AS district_name
		  FROM bond_allocations a JOIN projects pr ON pr.code = a.project JOIN districts d ON d.code = pr.district
		 WHERE a.allocated_on <= $1 GROUP BY 1, 2, 4, 5, 6 ORDER BY 1, 2`, day); err != nil {
		return rep, fmt.Errorf("bond report: allocations: %w", err)
	}
	type projInfo struct {
		name, district, districtName string
		bonds                        []BondAmount // in bond code order
	}
	projects := map[string]*projInfo{}
	byBond := map[string][]BondAmount{} // bond → projects (Bond field holds the project)
	var projectCodes []string
	for _, a := range allocs {
		pi := projects[a.Project]
		if pi == nil {
			pi = &projInfo{name: a.Name, district: a.District, districtName: a.DistrictName}
			projects[a.Project] = pi
			projectCodes = append(projectCodes, a.Project)
		}
		pi.bonds = append(pi.bonds, BondAmount{Bond: a.Bond, Amount: a.Amount})
		byBond[a.Bond] = append(byBond[a.Bond], BondAmount{Bond: a.Project, Amount: a.Amount})
	}
	sort.Strings(projectCodes)
	curves, err := p.bondPlanCurves(ctx, projectCodes, asOf)
	if err != nil {
		return rep, err
	}

	projectStreams := map[string]*bondStreams{}
	unallocated := newBondStreams()
	total := newBondStreams()
	for _, row := range bonds {
		b := row.bond()
		acc := bondAccounts{b.Code}
		net := func(code string) decimal.Decimal { r := bal[code]; return r.Net() }
		pos := BondPosition{Bond: b, Maturity: b.Maturity(),
			Issued: bal[acc.fin(bondPrincipal)].Credit, Repaid: bal[acc.fin(bondPrincipal)].Debit,
			InterestAccrued: bal[acc.fin(bondInterestPayable)].Credit, InterestPaid: bal[acc.fin(bondInterestPayable)].Debit,
			Unallocated: net(acc.fin(bondProceeds)), NextInterest: decimal.Zero, NextPrincipal: decimal.Zero, Overdue: decimal.Zero,
			Backstop: decimal.Zero, ActualRevenue: decimal.Zero, ExpectedRevenue: decimal.Zero}
		pos.Outstanding = pos.Issued.Sub(pos.Repaid)
		pos.InterestPayable = pos.InterestAccrued.Sub(pos.InterestPaid)
		reserve := net(acc.fin(bondReserve))
		actualByProject := revenueByBond[b.Code]
		for _, v := range actualByProject {
			pos.ActualRevenue = pos.ActualRevenue.Add(v)
		}
		pos.Backstop = pos.Backstop.Add(backstopByBond[b.Code])
		s, err := loadBondSchedule(ctx, p.db, b.Code, 0, asOf)
		if err != nil {
			return rep, fmt.Errorf("bond report: %w", err)
		}
		pos.ScheduleVersion = s.Version
		// What is left of each scheduled amount once the payments to date
		// are applied to the earliest dates first.
		leftP, leftI := pos.Repaid, pos.InterestPaid
		remP, remI := decimal.Zero, decimal.Zero
		debtByYear := map[int]decimal.Decimal{}
		for _, l := range s.Lines {
			paidP := decimal.Min(l.Principal, leftP)
			paidI := decimal.Min(l.Interest, leftI)
			leftP, leftI = leftP.Sub(paidP), leftI.Sub(paidI)
			owedP, owedI := l.Principal.Sub(paidP), l.Interest.Sub(paidI)
			remP, remI = remP.Add(owedP), remI.Add(owedI)
			y := l.DueDate.Year()
			if !l.DueDate.After(asOf) {
				pos.Overdue = pos.Overdue.Add(owedP).Add(owedI)
				y = year
			} else if pos.NextDueDate.IsZero() {
				pos.NextDueDate, pos.NextInterest, pos.NextPrincipal = l.DueDate, l.Interest, l.Principal
			}
			if owed := owedP.Add(owedI); owed.IsPositive() {
				debtByYear[y] = debtByYear[y].Add(owed)
			}
		}
		// The bond's parts: its projects by amount allocated, and what is
		// not allocated.
		projs := byBond[b.Code]
		weights := make([]decimal.Decimal, 0, len(projs)+1)
		allocated := decimal.Zero
		for _, x := range projs {
			weights = append(weights, x.Amount)
			allocated = allocated.Add(x.Amount)
		}
		weights = append(weights, decimal.Max(b.Principal.Sub(allocated), decimal.Zero))
		n := len(weights)
		units := make([]*bondStreams, n)
		for i := range units {
			units[i] = newBondStreams()
			units[i].bonds = []string{b.Code}
		}
		spread := func(amount decimal.Decimal, set func(u *bondStreams, v decimal.Decimal)) {
			for i, v := range bondApportion(amount, weights) {
				set(units[i], v)
			}
		}
		spread(reserve, func(u *bondStreams, v decimal.Decimal) { u.reserve = v })
		spread(pos.Outstanding, func(u *bondStreams, v decimal.Decimal) { u.outstanding = v })
		spread(remP, func(u *bondStreams, v decimal.Decimal) { u.remPrincipal = v })
		spread(remI, func(u *bondStreams, v decimal.Decimal) { u.remInterest = v })
		for y, v := range debtByYear {
			spread(v, func(u *bondStreams, v decimal.Decimal) { u.debtByYear[y] = v })
		}
		units[n-1].allocated = weights[n-1]
		maturity := pos.Maturity
		for i, x := range projs {
			u := units[i]
			u.allocated = x.Amount
			u.actual = actualByProject[x.Bond]
			pi := projects[x.Bond]
			curve, ok := curves[x.Bond]
			if !ok {
				continue
			}
			// The bond's share of the project's plan: by the amounts each
			// bond allocated to the project.
			mine := 0
			pw := make([]decimal.Decimal, len(pi.bonds))
			for j, pb := range pi.bonds {
				pw[j] = pb.Amount
				if pb.Bond == b.Code {
					mine = j
				}
			}
			share := func(v decimal.Decimal) decimal.Decimal { return bondApportion(v, pw)[mine] }
			u.expected = share(curve.cumulative(asOf))
			for y := year; asOf.Before(maturity) && y <= maturity.Year(); y++ {
				from := asOf
				if y > year {
					from = yearEnd(y - 1)
				}
				to := yearEnd(y)
				if maturity.Before(to) {
					to = maturity
				}
				piece := share(curve.cumulative(to).Sub(curve.cumulative(from)))
				if !piece.IsZero() {
					u.revenueByYear[y] = piece
					u.remRevenue = u.remRevenue.Add(piece)
				}
			}
		}
		bondTotal := newBondStreams()
		for i, u := range units {
			bondTotal.add(u)
			if i < len(projs) {
				ps := projectStreams[projs[i].Bond]
				if ps == nil {
					ps = newBondStreams()
					projectStreams[projs[i].Bond] = ps
				}
				ps.add(u)
			} else if u.allocated.IsPositive() || u.reserve.IsPositive() || u.remPrincipal.IsPositive() {
				unallocated.add(u)
			}
		}
		total.add(bondTotal)
		pos.ExpectedRevenue = bondTotal.expected
		pos.Coverage = bondTotal.coverage(year, threshold)
		rep.Bonds = append(rep.Bonds, pos)
	}
	districts := map[string]*bondStreams{}
	var districtOrder []string
	ds, err := Districts(ctx, p.db)
	if err != nil {
		return rep, err
	}
	districtName := map[string]string{}
	for _, d := range ds {
		districtName[d.Code] = d.NameZh
		districtOrder = append(districtOrder, d.Code)
	}
	for _, code := range projectCodes {
		ps := projectStreams[code]
		if ps == nil {
			continue
		}
		pi := projects[code]
		u := BondUnitPosition{Code: code, Name: pi.name, District: pi.district, DistrictName: pi.districtName}
		if c, ok := curves[code]; ok {
			u.PlanVersion = c.version
		}
		rep.Projects = append(rep.Projects, ps.unit(u, year, threshold))
		d := districts[pi.district]
		if d == nil {
			d = newBondStreams()
			districts[pi.district] = d
		}
		d.add(ps)
	}
	for _, code := range districtOrder {
		if d, ok := districts[code]; ok {
			rep.Districts = append(rep.Districts, d.unit(BondUnitPosition{Code: code, Name: districtName[code], District: code, DistrictName: districtName[code]}, year, threshold))
		}
	}
	if len(unallocated.bonds) > 0 {
		rep.Districts = append(rep.Districts, unallocated.unit(BondUnitPosition{Name: "未分配 unallocated"}, year, threshold))
	}
	rep.Total = total.unit(BondUnitPosition{Name: "合计 total"}, year, threshold)
	return rep, nil
}

// bondPlanCurves loads the plans in force on asOf of the projects.
func (p *Programme) bondPlanCurves(ctx context.Context, projects []string, asOf time.Time) (map[string]bondPlanCurve, error) {
	out := map[string]bondPlanCurve{}
	if len(projects) == 0 {
		return out, nil
	}
	var rows []struct {
		Project string          `db:"project"`
		Version int             `db:"version"`
		Year    int             `db:"year"`
		Kind    string          `db:"kind"`
		Amount  decimal.Decimal `db:"amount"`
	}
	if err := p.db.SelectContext(ctx, &rows, `
		WITH v AS (SELECT DISTINCT ON (project) id, project, version FROM bond_revenue_plans
		            WHERE project = ANY($1) AND effective_on <= $2::date ORDER BY project, version DESC)
		SELECT v.project, v.version, l.year, l.kind, l.amount FROM v JOIN bond_revenue_plan_lines l ON l.plan_id = v.id`,
		pq.Array(projects), asOf.Format(ledger.DateLayout)); err != nil {
		return nil, fmt.Errorf("bond report: plans: %w", err)
	}
	for _, r := range rows {
		c, ok := out[r.Project]
		if !ok {
			c = bondPlanCurve{version: r.Version, amounts: map[int]map[string]decimal.Decimal{}}
			out[r.Project] = c
		}
		if c.amounts[r.Year] == nil {
			c.amounts[r.Year] = map[string]decimal.Decimal{}
		}
		c.amounts[r.Year][r.Kind] = r.Amount
	}
	return out, nil
}
