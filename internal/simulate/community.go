package simulate

import (
	"bytes"
	_ "embed"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
)

//go:embed data/weihai-plan-2020-2025.csv
var planCSV []byte

// planRows are the district rows of Weihai's plan table: each community
// draws one (weighted by its number of communities) and takes its year and
// its households and floor area per community, varied.
var planRows = mustPlanRows()

func mustPlanRows() []funding.PlanRow {
	t, err := funding.ReadPlan("weihai-plan-2020-2025.csv", bytes.NewReader(planCSV), "csv")
	if err != nil {
		panic(fmt.Sprintf("simulate: embedded plan table: %v", err)) // the embedded file is fixed; a test reads it
	}
	var out []funding.PlanRow
	for _, r := range t.Rows {
		if r.Communities > 0 && r.Households > 0 {
			out = append(out, r)
		}
	}
	return out
}

// budgetPerHousehold is about Weihai's 2022 batch (19,600 yuan per
// household); each community varies it by ±20%.
const budgetPerHousehold = 19600

// Community is one generated old community: where it is, the project to
// register and the budget lines to approve.
type Community struct {
	Index      int
	City       int // 0-based
	District   int // 0-based within the city
	Project    funding.ProjectInput
	Lines      []funding.BudgetLineInput
	ApprovedOn time.Time
}

// Total is the sum of the community's budget lines.
func (c Community) Total() decimal.Decimal {
	var t decimal.Decimal
	for _, l := range c.Lines {
		t = t.Add(l.Amount)
	}
	return t
}

// districtsOf is how many districts city c has (3 to 8).
func districtsOf(city int) int { return 3 + (city*7+city/3)%6 }

// BatchSize communities make a district's batch: the communities a
// district puts forward together, approved on one day, whose money arrives
// and is paid on the same days (one instalment of each source for the
// whole batch, as a treasury transfers it). Batch k is communities
// [k·BatchSize, (k+1)·BatchSize).
const BatchSize = 20

// rng is community i's own generator: the same for a seed and position
// whatever was generated before, so a resumed run draws what an
// uninterrupted one would.
func rng(seed uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(i)*0x9E3779B97F4A7C15+1))
}

// batchRNG is batch k's own generator, a stream apart from the
// communities'.
func batchRNG(seed uint64, k int) *rand.Rand {
	return rand.New(rand.NewPCG(seed^0x5DEECE66D, uint64(k)*0xD1B54A32D192ED03+7))
}

// batch is what a district's batch draws: the city and district, the plan
// row (year, households and floor area per community) and the approval
// day.
type batch struct {
	city, district int
	row            funding.PlanRow
	approved       time.Time
}

func drawBatch(seed uint64, cities, k int) batch {
	r := batchRNG(seed, k)
	b := batch{city: r.IntN(cities)}
	b.district = r.IntN(districtsOf(b.city))
	// A plan row, weighted by its communities.
	total := 0
	for _, row := range planRows {
		total += row.Communities
	}
	pick := r.IntN(total)
	b.row = planRows[0]
	for _, pr := range planRows {
		if pick < pr.Communities {
			b.row = pr
			break
		}
		pick -= pr.Communities
	}
	from, days := approvalWindow(b.row.Year)
	b.approved = from.AddDate(0, 0, r.IntN(days))
	return b
}

// approvalWindow is the first approval day of a plan year and the number
// of days approvals of that year are drawn from.
func approvalWindow(year int) (time.Time, int) {
	if year == 2020 { // the rule sets start on 2020-06-11
		return ledger.Date(2020, 6, 15), 150
	}
	return ledger.Date(year, 1, 10), 300
}

// approvalDays are the earliest and the latest approval day the plan
// table's years allow.
func approvalDays() (time.Time, time.Time) {
	var lo, hi time.Time
	for _, row := range planRows {
		from, days := approvalWindow(row.Year)
		if lo.IsZero() || from.Before(lo) {
			lo = from
		}
		if to := from.AddDate(0, 0, days-1); to.After(hi) {
			hi = to
		}
	}
	return lo, hi
}

// Generate draws community i of a programme of the given cities for a seed:
// its batch's district, plan row and approval day, and its own households,
// floor area, age and budget.
func Generate(seed uint64, cities, i int) Community {
	b := drawBatch(seed, cities, i/BatchSize)
	r := rng(seed, i)
	c := Community{Index: i, City: b.city, District: b.district}
	row := b.row
	// Households: the row's mean per community times 0.4 to 1.6.
	mean := row.Households / row.Communities
	households := max(20, mean*(40+r.IntN(121))/100)
	// Floor area per household: the row's, kept to 50–130 m² (the table has
	// an implausible row), times 0.9 to 1.1; in 0.01 m².
	per := row.FloorAreaM2.Shift(2).IntPart() / int64(row.Households)
	per = min(max(per, 5000), 13000) * int64(90+r.IntN(21)) / 100
	area := per * int64(households)
	built := ledger.Date(1975+r.IntN(31), time.Month(1+r.IntN(12)), 1+r.IntN(28)) // 1975–2005
	approved := b.approved
	// Budget in fen: 19,600 yuan per household ±20%; basic 60%, utility
	// pipework 10%, improvement 25%, upgrade the rest (exact in fen).
	totalFen := int64(households) * budgetPerHousehold * int64(80+r.IntN(41))
	basic, pipes, improvement := totalFen*60/100, totalFen*10/100, totalFen*25/100
	upgrade := totalFen - basic - pipes - improvement
	code := fmt.Sprintf("S%d-C%03d-D%d-%06d", seed%100000, c.City, c.District, i)
	c.ApprovedOn = approved
	c.Project = funding.ProjectInput{
		Code: code, Name: fmt.Sprintf("模拟小区 simulated community %d", i), District: districtCode(c.City, c.District),
		Address:     fmt.Sprintf("%s模拟路%d号", districtName(c.City, c.District), 1+r.IntN(999)),
		CompletedOn: built, StateOwnedLand: true, Households: households, FloorAreaM2: decimal.New(area, -2),
		Buildings: max(1, households/48), PlanYear: row.Year, RegisteredOn: approved.AddDate(0, 0, -30),
	}
	c.Lines = []funding.BudgetLineInput{
		{Category: "basic", Description: "道路、管网、照明、安防 roads, pipes, lighting, security", Amount: decimal.New(basic, -2)},
		{Category: "basic", WorkItem: "utility_pipework", Description: "专营设施改造 utility facilities", Amount: decimal.New(pipes, -2)},
		{Category: "improvement", Description: "停车、无障碍、文体设施 parking, accessibility, culture and sports", Amount: decimal.New(improvement, -2)},
		{Category: "upgrade", Description: "养老托育、智慧社区 elderly care, childcare, smart community", Amount: decimal.New(upgrade, -2)},
	}
	return c
}

// Province of a city: ten cities to a province.
func provinceOf(city int) int { return city / 10 }

func districtCode(city, d int) string  { return fmt.Sprintf("sim_c%03d_d%d", city, d) }
func districtName(city, d int) string  { return fmt.Sprintf("%s第%d区", cityName(city), d+1) }
func cityName(city int) string         { return fmt.Sprintf("模拟市%03d", city) }
func provinceName(province int) string { return fmt.Sprintf("模拟省%02d", province) }
func bankCode(city int) string         { return fmt.Sprintf("SIM-C%03d", city) }

// DistrictCode is the code of district d of city c in a simulated programme.
func DistrictCode(city, d int) string { return districtCode(city, d) }
