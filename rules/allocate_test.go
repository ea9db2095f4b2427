package rules

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func mustParse(t *testing.T, body string) *RuleSet {
	t.Helper()
	rs, err := Parse("t.yaml", []byte(header+body))
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// fmtShares renders shares as "central=500.00 district=500.00".
func fmtShares(shares []SourceAmount) string {
	parts := make([]string, len(shares))
	for i, s := range shares {
		parts[i] = s.Source + "=" + s.Amount.StringFixed(2)
	}
	return strings.Join(parts, " ")
}

// TestAllocate: one basic budget line per case, split by hand. The comment
// of each case is the hand computation.
func TestAllocate(t *testing.T) {
	tests := []struct {
		name    string
		rule    string // shares of the basic rule
		project Project
		cost    string
		want    string   // the group's shares, canonical order
		steps   []string // steps that must appear, whole lines
		noSteps []string // substrings that must not appear
	}{
		{
			name: "EvenSplit",
			// 1000.00 × 50% = 500.00 each, nothing to round.
			rule: "      - {source: central, pct: 50}\n      - {source: district, pct: 50}\n",
			cost: "1000.00",
			want: "central=500.00 district=500.00",
			steps: []string{
				"basic: 1,000.00 × 50% = 500.00 → central",
				"basic: result central 500.00, district 500.00 (sum 1,000.00)",
			},
			noSteps: []string{"rounding"},
		},
		{
			name: "ThirdsExact",
			// 100.00 × 33.33% = 33.33, × 33.34% = 33.34: exact, nothing to round.
			rule:    "      - {source: central, pct: 33.33}\n      - {source: provincial, pct: 33.33}\n      - {source: municipal, pct: 33.34}\n",
			cost:    "100.00",
			want:    "central=33.33 provincial=33.33 municipal=33.34",
			noSteps: []string{"rounding"},
		},
		{
			name: "ThirdsRoundByRemainder",
			// 0.10 × 33.33% = 0.03333 (twice), × 33.34% = 0.03334. Floors 0.03 × 3 =
			// 0.09: 1 fen missing. Remainders 0.333, 0.333, 0.334 fen: municipal's is largest.
			rule: "      - {source: central, pct: 33.33}\n      - {source: provincial, pct: 33.33}\n      - {source: municipal, pct: 33.34}\n",
			cost: "0.10",
			want: "central=0.03 provincial=0.03 municipal=0.04",
			steps: []string{
				"basic: 0.10 × 33.33% = 0.03333 → central",
				"basic: rounding: floors add up to 0.09, 1 fen to hand out by largest remainder",
				"basic: rounding: +0.01 to municipal (remainder 0.334 fen)",
			},
		},
		{
			name: "TieBrokenByCanonicalOrder",
			// 0.05 × 50% = 0.025 each; floors 0.04, 1 fen missing; remainders tie at
			// 0.5 fen: central comes before district in the canonical order (the
			// rule lists district first, which does not matter).
			rule: "      - {source: district, pct: 50}\n      - {source: central, pct: 50}\n",
			cost: "0.05",
			want: "central=0.03 district=0.02",
			steps: []string{
				"basic: rounding: +0.01 to central (remainder 0.5 fen)",
			},
		},
		{
			name: "FourWayTie",
			// 0.10 × 25% = 0.025 each; floors 0.08, 2 fens missing; all remainders
			// 0.5 fen: the first two in canonical order (central #0, district #3)
			// get them, resident:direct (#13) and social_capital (#16) do not.
			rule: "      - {source: social_capital, pct: 25}\n      - {source: resident:direct, pct: 25}\n" +
				"      - {source: district, pct: 25}\n      - {source: central, pct: 25}\n",
			cost: "0.10",
			want: "central=0.03 district=0.03 resident:direct=0.02 social_capital=0.02",
		},
		{
			name: "OneFenThreeWays",
			// 0.01 × 33.33% = 0.003333 (twice), × 33.34% = 0.003334: floors all 0,
			// 1 fen to municipal (largest remainder); zero amounts are not listed.
			rule: "      - {source: central, pct: 33.33}\n      - {source: provincial, pct: 33.33}\n      - {source: municipal, pct: 33.34}\n",
			cost: "0.01",
			want: "municipal=0.01",
		},
		{
			name: "CapPerHouseholdOverflow",
			// 100,000.00 × 60% = 60,000.00 → central, capped at 500 × 100 households
			// = 50,000.00; excess 10,000.00 → district: 40,000.00 + 10,000.00.
			rule: "      - source: central\n        pct: 60\n        cap: {per_household: 500}\n        overflow: [district]\n" +
				"      - {source: district, pct: 40}\n",
			project: Project{Households: 100},
			cost:    "100000.00",
			want:    "central=50000.00 district=50000.00",
			steps: []string{
				"basic: central 60,000.00 capped at 500.00/household × 100 = 50,000.00; excess 10,000.00",
				"basic: excess 10,000.00 → district (last link: takes the rest)",
			},
		},
		{
			name: "TwoLinkOverflow",
			// provincial 60% of 100,000 = 60,000, cap 400 × 100 = 40,000: excess
			// 20,000. municipal has 10,000, link cap 15,000: takes 5,000. district
			// takes the remaining 15,000: 30,000 + 15,000 = 45,000.
			rule: "      - source: provincial\n        pct: 60\n        cap: {per_household: 400}\n" +
				"        overflow:\n          - {source: municipal, cap: {per_project: 15000}}\n          - district\n" +
				"      - {source: municipal, pct: 10}\n      - {source: district, pct: 30}\n",
			project: Project{Households: 100},
			cost:    "100000.00",
			want:    "provincial=40000.00 municipal=15000.00 district=45000.00",
			steps: []string{
				"basic: provincial 60,000.00 capped at 400.00/household × 100 = 40,000.00; excess 20,000.00",
				"basic: excess: 5,000.00 → municipal (room 5,000.00 under link cap 15,000.00/project), 15,000.00 left",
				"basic: excess 15,000.00 → district (last link: takes the rest)",
			},
		},
		{
			name: "TwoLinkOverflowFirstLinkFull",
			// As above but municipal already has 20% = 20,000 > its link cap 15,000:
			// room 0, so district takes all 20,000 excess: 20,000 + 20,000.
			rule: "      - source: provincial\n        pct: 60\n        cap: {per_household: 400}\n" +
				"        overflow:\n          - {source: municipal, cap: {per_project: 15000}}\n          - district\n" +
				"      - {source: municipal, pct: 20}\n      - {source: district, pct: 20}\n",
			project: Project{Households: 100},
			cost:    "100000.00",
			want:    "provincial=40000.00 municipal=20000.00 district=40000.00",
			steps: []string{
				"basic: excess: 0.00 → municipal (room 0.00 under link cap 15,000.00/project), 20,000.00 left",
			},
		},
		{
			name: "LinkIsCappedShare",
			// central 50% = 50,000, cap 30,000: excess 20,000. provincial (a share
			// capped at 25,000) has 20% = 20,000: room 5,000. district takes
			// 15,000: 30,000 + 15,000 = 45,000. provincial stays at its cap.
			rule: "      - source: central\n        pct: 50\n        cap: {per_project: 30000}\n        overflow: [provincial, district]\n" +
				"      - source: provincial\n        pct: 20\n        cap: {per_project: 25000}\n        overflow: [district]\n" +
				"      - {source: district, pct: 30}\n",
			cost: "100000.00",
			want: "central=30000.00 provincial=25000.00 district=45000.00",
			steps: []string{
				"basic: excess: 5,000.00 → provincial (room 5,000.00 under its share cap 25,000.00), 15,000.00 left",
				"basic: provincial 25,000.00 within its cap 25,000.00/project",
			},
		},
		{
			name: "FixedFirst",
			// employer 2,000 and public income 500 first; 10,000 − 2,500 = 7,500
			// left: × 70% = 5,250 central, × 30% = 2,250 district.
			rule: "      - {source: employer, fixed: 2000}\n      - {source: resident:public_income, fixed: 500}\n" +
				"      - {source: central, pct: 70}\n      - {source: district, pct: 30}\n",
			cost: "10000.00",
			want: "central=5250.00 district=2250.00 employer=2000.00 resident:public_income=500.00",
			steps: []string{
				"basic: fixed 2,000.00 → employer",
				"basic: 7,500.00 × 70% = 5,250.00 → central",
			},
		},
		{
			name: "FixedCutToWhatIsLeft",
			// Cost 1,500 < employer's fixed 2,000: cut to 1,500; public income's 500
			// is cut to 0 (nothing left), and the pct shares split 0.
			rule: "      - {source: employer, fixed: 2000}\n      - {source: resident:public_income, fixed: 500}\n" +
				"      - {source: central, pct: 70}\n      - {source: district, pct: 30}\n",
			cost: "1500.00",
			want: "employer=1500.00",
			steps: []string{
				"basic: fixed 2,000.00 → employer cut to 1,500.00 (only 1,500.00 left)",
				"basic: fixed 500.00 → resident:public_income cut to 0.00 (only 0.00 left)",
			},
		},
		{
			name: "CapTruncatedToFen",
			// cap 12.345/m² × 100.5 m² = 1,240.6725, down to the fen 1,240.67;
			// district takes 2,000 − 1,240.67 = 759.33.
			rule:    "      - source: central\n        pct: 100\n        cap: {per_m2: 12.345}\n        overflow: [district]\n",
			project: Project{FloorAreaM2: d("100.5")},
			cost:    "2000.00",
			want:    "central=1240.67 district=759.33",
			steps: []string{
				"basic: central 2,000.00 capped at 12.345/m² × 100.50 m² = 1,240.6725 → 1,240.67 (down to the fen); excess 759.33",
			},
		},
		{
			name: "SmallestCapApplies",
			// min(100 × 80 households = 8,000, 5,000 per project) = 5,000.
			rule:    "      - source: central\n        pct: 100\n        cap: {per_household: 100, per_project: 5000}\n        overflow: [district]\n",
			project: Project{Households: 80},
			cost:    "10000.00",
			want:    "central=5000.00 district=5000.00",
			steps: []string{
				"basic: central 10,000.00 capped at min(100.00/household × 80 = 8,000.00, 5,000.00/project) = 5,000.00; excess 5,000.00",
			},
		},
		{
			name: "CapWithFractionalExcess",
			// 0.10 × 99.99% = 0.09999 → central, cap 0.09: excess 0.00999 → district,
			// which had 0.10 × 0.01% = 0.00001: 0.01 exactly. Nothing to round.
			rule:    "      - source: central\n        pct: 99.99\n        cap: {per_project: 0.09}\n        overflow: [district]\n      - {source: district, pct: 0.01}\n",
			cost:    "0.10",
			want:    "central=0.09 district=0.01",
			noSteps: []string{"rounding"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := mustParse(t, tt.rule)
			a, err := Allocate(tt.project, []BudgetLine{{Category: "basic", Amount: d(tt.cost)}}, rs)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Groups) != 1 {
				t.Fatalf("%d groups", len(a.Groups))
			}
			if got := fmtShares(a.Groups[0].Shares); got != tt.want {
				t.Errorf("shares\n got %s\nwant %s", got, tt.want)
			}
			if got := fmtShares(a.Totals); got != tt.want {
				t.Errorf("totals %s", got)
			}
			if !a.Total.Equal(d(tt.cost)) || !a.Groups[0].Cost.Equal(d(tt.cost)) {
				t.Errorf("total %s, group cost %s", a.Total, a.Groups[0].Cost)
			}
			for _, s := range tt.steps {
				if !slices.Contains(a.Steps, s) {
					t.Errorf("missing step %q in\n%s", s, strings.Join(a.Steps, "\n"))
				}
			}
			for _, s := range tt.noSteps {
				for _, step := range a.Steps {
					if strings.Contains(step, s) {
						t.Errorf("unexpected step %q", step)
					}
				}
			}
		})
	}
}

// TestAllocateElevator: the example elevator rule, 40% of the cost, at most
// 250,000 per elevator, the excess to the residents.
func TestAllocateElevator(t *testing.T) {
	city, huancui := loadExamples(t)
	tests := []struct {
		name      string
		rs        *RuleSet
		district  string
		elevators int
		cost      string
		want      string
	}{
		// 500,000 × 40% = 200,000 < 250,000: the grant is 40%, residents 60%.
		{"Below", city, "", 1, "500000.00", "provincial=200000.00 resident:direct=300000.00"},
		// 625,000 × 40% = 250,000 = the cap exactly.
		{"At", city, "", 1, "625000.00", "provincial=250000.00 resident:direct=375000.00"},
		// 800,000 × 40% = 320,000 > 250,000: residents pay 480,000 + 70,000.
		{"Above", city, "", 1, "800000.00", "provincial=250000.00 resident:direct=550000.00"},
		// two elevators, 1,300,000 × 40% = 520,000 > 2 × 250,000: 20,000 more to residents.
		{"TwoElevators", city, "", 2, "1300000.00", "provincial=500000.00 resident:direct=800000.00"},
		// no elevator counted, no grant: the cap is 0, residents pay all.
		{"NoElevatorCounted", city, "", 0, "100000.00", "resident:direct=100000.00"},
		// 700,000.01 × 40% = 280,000.004, cap 250,000: excess 30,000.004; residents
		// 420,000.006 + 30,000.004 = 450,000.01 exactly.
		{"AboveWithFen", city, "", 1, "700000.01", "provincial=250000.00 resident:direct=450000.01"},
		// Huancui: 800,000 × 40% = 320,000, cap 250,000, excess 70,000: the district
		// tops up to its 50,000/elevator, residents 480,000 + 20,000.
		{"HuancuiTwoLinks", huancui, "环翠区", 1, "800000.00", "provincial=250000.00 district=50000.00 resident:direct=500000.00"},
		// Huancui, below its top-up: 650,000 × 40% = 260,000, excess 10,000 all to the district.
		{"HuancuiTopUpOnly", huancui, "环翠区", 1, "650000.00", "provincial=250000.00 district=10000.00 resident:direct=390000.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Project{Code: "E", District: tt.district, Households: 24, Elevators: tt.elevators}
			a, err := Allocate(p, []BudgetLine{{Category: "improvement", WorkItem: "elevator", Amount: d(tt.cost)}}, tt.rs)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Groups) != 1 || a.Groups[0].WorkItem != "elevator" {
				t.Fatalf("groups %+v", a.Groups)
			}
			if got := fmtShares(a.Groups[0].Shares); got != tt.want {
				t.Errorf("\n got %s\nwant %s\n%s", got, tt.want, strings.Join(a.Steps, "\n"))
			}
		})
	}
}

// TestAllocateExample splits a small project under the example city-wide
// set. Hand computation, 200 households, 1 elevator:
//
//	basic (lines 0 and 1: 400,000 + 600,000, "roads" has no item rule) = 1,000,000:
//	  central 40% 400,000; provincial 15% 150,000 (cap 1,500 × 200 = 300,000: within);
//	  municipal 15% 150,000; district 18% 180,000; resident:direct 5% 50,000;
//	  maintenance fund 7% 70,000, cap 300 × 200 = 60,000: excess 10,000 →
//	  public income (link cap 50,000: room 50,000) takes all 10,000.
//	basic/utility_pipework (line 2) 100,000: power 15,000, telecom 10,000,
//	  water 15,000, gas 10,000, heating 10,000, cable TV 5,000, district 35,000.
//	improvement/elevator (line 3) 800,000: provincial 250,000 (capped), residents 550,000.
//	totals: central 400,000; provincial 150,000 + 250,000 = 400,000; municipal
//	  150,000; district 180,000 + 35,000 = 215,000; utilities as above;
//	  resident:direct 50,000 + 550,000 = 600,000; maintenance fund 60,000;
//	  public income 10,000. Sum 1,900,000.
func TestAllocateExample(t *testing.T) {
	city, _ := loadExamples(t)
	p := Project{Code: "WH-2020-001", District: "文登区", Households: 200, FloorAreaM2: d("15000"), Elevators: 1}
	lines := []BudgetLine{
		{Category: "basic", Amount: d("400000")},
		{Category: "basic", WorkItem: "roads", Amount: d("600000")},
		{Category: "basic", WorkItem: "utility_pipework", Amount: d("100000")},
		{Category: "improvement", WorkItem: "elevator", Amount: d("800000")},
	}
	a, err := Allocate(p, lines, city)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		category, item string
		lines          []int
		shares         string
	}{
		{"basic", "", []int{0, 1}, "central=400000.00 provincial=150000.00 municipal=150000.00 district=180000.00 " +
			"resident:direct=50000.00 resident:maintenance_fund=60000.00 resident:public_income=10000.00"},
		{"basic", "utility_pipework", []int{2}, "district=35000.00 utility:power=15000.00 utility:telecom=10000.00 " +
			"utility:water=15000.00 utility:gas=10000.00 utility:heating=10000.00 utility:cabletv=5000.00"},
		{"improvement", "elevator", []int{3}, "provincial=250000.00 resident:direct=550000.00"},
	}
	if len(a.Groups) != len(want) {
		t.Fatalf("%d groups", len(a.Groups))
	}
	for i, w := range want {
		g := a.Groups[i]
		if g.Category != w.category || g.WorkItem != w.item || !slices.Equal(g.Lines, w.lines) {
			t.Errorf("group %d = %s/%s %v", i, g.Category, g.WorkItem, g.Lines)
		}
		if got := fmtShares(g.Shares); got != w.shares {
			t.Errorf("group %d\n got %s\nwant %s", i, got, w.shares)
		}
	}
	wantTotals := "central=400000.00 provincial=400000.00 municipal=150000.00 district=215000.00 " +
		"utility:power=15000.00 utility:telecom=10000.00 utility:water=15000.00 utility:gas=10000.00 " +
		"utility:heating=10000.00 utility:cabletv=5000.00 resident:direct=600000.00 " +
		"resident:maintenance_fund=60000.00 resident:public_income=10000.00"
	if got := fmtShares(a.Totals); got != wantTotals {
		t.Errorf("totals\n got %s\nwant %s", got, wantTotals)
	}
	if !a.Total.Equal(d("1900000")) {
		t.Errorf("total %s", a.Total)
	}
	if a.RuleSet.Name != "weihai-citywide" || a.RuleSet.Version != "2020.1" || a.RuleSet.Hash != city.Hash() || a.Project != p.Code {
		t.Errorf("rule set ref %+v, project %q", a.RuleSet, a.Project)
	}
	if !slices.Contains(a.Steps, "basic: excess: 10,000.00 → resident:public_income (room 50,000.00 under link cap 50,000.00/project), 0.00 left") {
		t.Errorf("steps:\n%s", strings.Join(a.Steps, "\n"))
	}
}

func TestAllocateErrors(t *testing.T) {
	city, huancui := loadExamples(t)
	basicOnly := mustParse(t, "      - {source: central, pct: 100}\n")
	line := func(cat, amount string) BudgetLine { return BudgetLine{Category: cat, Amount: d(amount)} }
	ok := line("basic", "1.00")
	tests := []struct {
		name    string
		p       Project
		lines   []BudgetLine
		rs      *RuleSet
		err     error
		message string
	}{
		{"ErrBadAmountZero", Project{Code: "P"}, []BudgetLine{ok, line("basic", "0")}, city, ErrBadAmount,
			"allocate P: budget line 1: amount 0 is not positive: bad amount"},
		{"ErrBadAmountNegative", Project{Code: "P"}, []BudgetLine{line("basic", "-5.00")}, city, ErrBadAmount,
			"allocate P: budget line 0: amount -5 is not positive: bad amount"},
		{"ErrBadAmountFractionOfFen", Project{Code: "P"}, []BudgetLine{ok, ok, line("basic", "1.005")}, city, ErrBadAmount,
			"allocate P: budget line 2: amount 1.005 has more than 2 decimals: bad amount"},
		{"ErrUnknownCategory", Project{Code: "P"}, []BudgetLine{line("basics", "1")}, city, ErrUnknownCategory,
			`allocate P: budget line 0: category "basics": unknown category`},
		{"ErrNoRule", Project{Code: "P"}, []BudgetLine{ok, line("upgrade", "1")}, basicOnly, ErrNoRule,
			"allocate P: budget line 1: category upgrade in rule set t (t.yaml): no rule"},
		{"ErrWrongDistrict", Project{Code: "P", District: "文登区"}, []BudgetLine{ok}, huancui, ErrWrongDistrict,
			`allocate P: project of district "文登区", rule set huancui is for "环翠区": rule set of another district`},
		{"ErrBadProject", Project{Code: "P", Households: -1}, []BudgetLine{ok}, city, ErrBadProject,
			"allocate P: households -1, elevators 0, floor area 0 m²: none may be negative: bad project"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Allocate(tt.p, tt.lines, tt.rs)
			if !errors.Is(err, tt.err) {
				t.Fatalf("want %v, got %v", tt.err, err)
			}
			if err.Error() != tt.message {
				t.Errorf("message\n got %s\nwant %s", err, tt.message)
			}
		})
	}
	if _, err := Allocate(Project{}, []BudgetLine{ok}, nil); err == nil {
		t.Error("nil rule set accepted")
	}
	// A hand-built rule set has no hash: no allocation without a version.
	if _, err := Allocate(Project{}, []BudgetLine{ok}, &RuleSet{Categories: city.Categories}); err == nil {
		t.Error("rule set not from Parse accepted")
	}
	// No lines: nothing to split, an empty allocation.
	a, err := Allocate(Project{Code: "P"}, nil, city)
	if err != nil || len(a.Groups) != 0 || len(a.Totals) != 0 || !a.Total.IsZero() {
		t.Errorf("empty allocation %+v, %v", a, err)
	}
}

func TestFmtNum(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0.00", "1": "1.00", "999.5": "999.50", "1000": "1,000.00", "1234567.891": "1,234,567.891",
		"-1234.5": "-1,234.50", "100000": "100,000.00", "0.00001": "0.00001",
	} {
		if got := fmtNum(d(in)); got != want {
			t.Errorf("fmtNum(%s) = %s, want %s", in, got, want)
		}
	}
}
