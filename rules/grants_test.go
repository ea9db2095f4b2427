package rules

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// grantSet is a rule set with every grant section; the numbers are those of
// the city-wide example so that the hand computations below read easily.
const grantSet = header + `      - {source: central, pct: 100}
elevator:
  consent:
    participation: {owners: 2/3, area: 2/3}
    approval: {owners: 3/4, area: 0.75}
  grant:
    pct: 40
    cap_per_elevator: 250000
    split:
      - {source: municipal, pct: 50}
      - {source: district, pct: 50}
  pipe_relocation:
    pct: 50
    cap_per_elevator: 30000
    split: [{source: district, pct: 100}]
  floor_coefficients: [0, 0.4, 0.7, 1.0, 1.2, 1.4, 1.6]
utility_award: {pct: 30, cap_per_facility: 300000}
property_rewards:
  table:
    - {min_score: 90, amount: 50000}
    - {min_score: 80, amount: 30000}
    - {min_score: 70, amount: 10000}
evaluation_allocation:
  factors: {area: 40, households: 30, buildings: 15, communities: 15}
  score_coefficients:
    - {min_score: 90, coefficient: 1.2}
    - {min_score: 80, coefficient: 1.0}
    - {min_score: 60, coefficient: 0.8}
`

func mustGrantSet(t *testing.T) *RuleSet {
	t.Helper()
	rs, err := Parse("g.yaml", []byte(grantSet))
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func sa(pairs ...string) []SourceAmount {
	var out []SourceAmount
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, SourceAmount{pairs[i], dec(pairs[i+1])})
	}
	return out
}

func sameAmounts(a, b []SourceAmount) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Source != b[i].Source || !a[i].Amount.Equal(b[i].Amount) {
			return false
		}
	}
	return true
}

// TestElevatorGrant: 40% of the cost, at most 250,000 per elevator, split
// municipal 50 / district 50; pipe relocation 50%, at most 30,000 per
// elevator, district.
func TestElevatorGrant(t *testing.T) {
	e := mustGrantSet(t).Elevator
	cases := []struct {
		name           string
		in             GrantInput
		amount, extra  string
		capped         bool
		shares, totals []SourceAmount
	}{
		// 40% × 500,000 = 200,000 < 250,000: halves of 100,000.
		{"below the cap", GrantInput{1, dec("500000.00"), decimal.Zero}, "200000.00", "0", false,
			sa("municipal", "100000.00", "district", "100000.00"), sa("municipal", "100000.00", "district", "100000.00")},
		// 40% × 625,000 = 250,000 = the cap exactly: not cut.
		{"at the cap", GrantInput{1, dec("625000.00"), decimal.Zero}, "250000.00", "0", false,
			sa("municipal", "125000.00", "district", "125000.00"), sa("municipal", "125000.00", "district", "125000.00")},
		// 40% × 800,000 = 320,000 > 250,000: capped.
		{"above the cap", GrantInput{1, dec("800000.00"), decimal.Zero}, "250000.00", "0", true,
			sa("municipal", "125000.00", "district", "125000.00"), sa("municipal", "125000.00", "district", "125000.00")},
		// Two elevators: 40% × 1,400,000 = 560,000 > 2 × 250,000 = 500,000.
		{"two elevators above the cap", GrantInput{2, dec("1400000.00"), decimal.Zero}, "500000.00", "0", true,
			sa("municipal", "250000.00", "district", "250000.00"), sa("municipal", "250000.00", "district", "250000.00")},
		// 40% × 123,456.79 = 49,382.716 → 49,382.71 (down to the fen);
		// halves 24,691.355 each: floors 24,691.35 + 24,691.35 leave 1 fen,
		// equal remainders → the earlier source (municipal).
		{"rounding of the split", GrantInput{1, dec("123456.79"), decimal.Zero}, "49382.71", "0", false,
			sa("municipal", "24691.36", "district", "24691.35"), sa("municipal", "24691.36", "district", "24691.35")},
		// Pipe relocation 70,000: 50% = 35,000 > 30,000 → 30,000 to the
		// district, on top of its 100,000 half of the grant.
		{"with pipe relocation", GrantInput{1, dec("500000.00"), dec("70000.00")}, "200000.00", "30000.00", false,
			sa("municipal", "100000.00", "district", "100000.00"), sa("municipal", "100000.00", "district", "130000.00")},
	}
	for _, c := range cases {
		g, err := e.ComputeGrant(c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !g.Amount.Equal(dec(c.amount)) || !g.Extra.Equal(dec(c.extra)) || g.Capped != c.capped ||
			!sameAmounts(g.Shares, c.shares) || !sameAmounts(g.Totals, c.totals) || !g.Total.Equal(g.Amount.Add(g.Extra)) {
			t.Errorf("%s: got amount %s extra %s capped %v shares %v totals %v\n%s", c.name, g.Amount, g.Extra, g.Capped, g.Shares, g.Totals,
				strings.Join(g.Steps, "\n"))
		}
	}
	if _, err := e.ComputeGrant(GrantInput{1, dec("0.001"), decimal.Zero}); !errors.Is(err, ErrBadInput) {
		t.Errorf("cost in tenths of a fen: %v", err)
	}
	if _, err := (*ElevatorRule)(nil).ComputeGrant(GrantInput{1, dec("1"), decimal.Zero}); !errors.Is(err, ErrNoSection) {
		t.Errorf("no elevator section: %v", err)
	}
}

// TestApportionSevenFloors: 7 floors, 2 households each, coefficients
// 0, 0.4, 0.7, 1.0, 1.2, 1.4, 1.6 (Σ over households = 2 × 6.3 = 12.6);
// residents' share 100,000.00, so one coefficient unit is
// 100,000 / 12.6 = 7,936.507936…:
//
//	floor 2: 3,174.603174… → 3,174.60 (remainder 0.317 fen)
//	floor 3: 5,555.555555… → 5,555.55 (0.556)
//	floor 4: 7,936.507936… → 7,936.50 (0.794)
//	floor 5: 9,523.809523… → 9,523.80 (0.952)
//	floor 6: 11,111.111111… → 11,111.11 (0.111)
//	floor 7: 12,698.412698… → 12,698.41 (0.270)
//
// The floors add up to 2 × 49,999.97 = 99,999.94: 6 fen go to the six
// largest remainders, the households of floors 5, 4 and 3.
func TestApportionSevenFloors(t *testing.T) {
	e := mustGrantSet(t).Elevator
	a, err := e.Apportion(dec("100000.00"), []int{2, 2, 2, 2, 2, 2, 2})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"101": "0", "102": "0", "201": "3174.60", "202": "3174.60", "301": "5555.56", "302": "5555.56",
		"401": "7936.51", "402": "7936.51", "501": "9523.81", "502": "9523.81", "601": "11111.11", "602": "11111.11",
		"701": "12698.41", "702": "12698.41",
	}
	sum := decimal.Zero
	for _, h := range a.Households {
		sum = sum.Add(h.Amount)
		if w, ok := want[h.Household]; !ok || !h.Amount.Equal(dec(w)) {
			t.Errorf("household %s (floor %d, coefficient %s): %s, want %s", h.Household, h.Floor, h.Coefficient, h.Amount, w)
		}
	}
	if len(a.Households) != 14 || !sum.Equal(dec("100000.00")) {
		t.Errorf("%d households add up to %s\n%s", len(a.Households), sum, strings.Join(a.Steps, "\n"))
	}
}

// TestApportionTies: equal remainders go to the higher floor, then the
// lower position.
func TestApportionTies(t *testing.T) {
	e := mustGrantSet(t).Elevator
	// Floor 4 (coefficient 1.0) has three households: 100.00 / 3 = 33.333…
	// each; floors 33.33 × 3 = 99.99 leave 1 fen, to position 1 (401).
	a, err := e.Apportion(dec("100.00"), []int{1, 0, 0, 3})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, h := range a.Households {
		got[h.Household] = h.Amount.StringFixed(2)
	}
	if got["101"] != "0.00" || got["401"] != "33.34" || got["402"] != "33.33" || got["403"] != "33.33" {
		t.Errorf("same floor: %v", got)
	}
	// Floors 7, 8, 9 all take the last coefficient 1.6: 0.02 / 3 = 0.00666…
	// each, floors 0.00 leave 2 fen: to 901 and 801, not 701.
	a, err = e.Apportion(dec("0.02"), []int{0, 0, 0, 0, 0, 0, 1, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	got = map[string]string{}
	for _, h := range a.Households {
		got[h.Household] = h.Amount.StringFixed(2)
	}
	if got["901"] != "0.01" || got["801"] != "0.01" || got["701"] != "0.00" {
		t.Errorf("higher floor first: %v", got)
	}
	// Only the ground floor: nobody can pay a positive share.
	if _, err := e.Apportion(dec("10.00"), []int{4}); !errors.Is(err, ErrBadInput) {
		t.Errorf("ground floor only: %v", err)
	}
}

// TestConsent: 12 owners, 1,000.00 m². Thresholds 2/3 participation, 3/4
// approval (area approval written 0.75). Exact cross-multiplication:
//
//	owners 8/12: 8 × 3 = 24 ≥ 12 × 2 = 24 → met; 7/12: 21 < 24 → missed
//	area 666.67/1000: × 3 = 2,000.01 ≥ 2,000 → met; 666.66: 1,999.98 → missed
//	approving owners 6/8: 6 × 4 = 24 ≥ 8 × 3 = 24 → met; 5/8: 20 → missed
//	approving area 500.01/666.67: × 4 = 2,000.04 ≥ 666.67 × 3 = 2,000.01 → met;
//	500.00: 2,000.00 < 2,000.01 → missed
func TestConsent(t *testing.T) {
	e := mustGrantSet(t).Elevator
	ok := ConsentInput{12, 8, 6, dec("1000.00"), dec("666.67"), dec("500.01")}
	cases := []struct {
		name   string
		mutate func(*ConsentInput)
		missed string
	}{
		{"OK just met", func(*ConsentInput) {}, ""},
		{"owners participation just missed", func(c *ConsentInput) { c.OwnersParticipating, c.OwnersApproving = 7, 6 }, "participation_owners"},
		{"area participation just missed", func(c *ConsentInput) { c.AreaParticipating = dec("666.66") }, "participation_area"},
		{"owners approval just missed", func(c *ConsentInput) { c.OwnersApproving = 5 }, "approval_owners"},
		{"area approval just missed", func(c *ConsentInput) { c.AreaApproving = dec("500.00") }, "approval_area"},
	}
	for _, c := range cases {
		in := ok
		c.mutate(&in)
		r, err := e.CheckConsent(in)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var missed []string
		for _, ch := range r.Checks {
			if !ch.Met {
				missed = append(missed, ch.Name)
			}
		}
		if r.OK != (c.missed == "") || strings.Join(missed, ",") != c.missed {
			t.Errorf("%s: ok=%v missed %v (%s)", c.name, r.OK, missed, r)
		}
	}
	if _, err := e.CheckConsent(ConsentInput{12, 13, 6, dec("1"), dec("1"), dec("1")}); !errors.Is(err, ErrBadInput) {
		t.Errorf("more participants than owners: %v", err)
	}
}

// TestUtilityAwardAndReward: award 30% of the cost, at most 300,000; rewards
// 90 → 50,000, 80 → 30,000, 70 → 10,000.
func TestUtilityAwardAndReward(t *testing.T) {
	rs := mustGrantSet(t)
	for _, c := range []struct {
		cost, want string
		capped     bool
	}{
		{"500000.00", "150000.00", false},  // 30% × 500,000
		{"1000000.01", "300000.00", true},  // 300,000.003 > cap
		{"333.33", "99.99", false},         // 99.999 → down to the fen
		{"1000000.00", "300000.00", false}, // exactly the cap
	} {
		a, err := rs.UtilityAward.Award(dec(c.cost))
		if err != nil || !a.Amount.Equal(dec(c.want)) || a.Capped != c.capped || a.Source != SourceDistrict {
			t.Errorf("award on %s: %+v %v, want %s capped %v", c.cost, a, err, c.want, c.capped)
		}
	}
	for _, c := range []struct {
		score, want string
		row         int
	}{{"95", "50000", 0}, {"90", "50000", 0}, {"89.99", "30000", 1}, {"70", "10000", 2}, {"69.99", "0", -1}} {
		amt, row, step, err := rs.PropertyRewards.Reward(dec(c.score))
		if err != nil || !amt.Equal(dec(c.want)) || row != c.row || step == "" {
			t.Errorf("reward for %s: %s row %d %v, want %s row %d", c.score, amt, row, err, c.want, c.row)
		}
	}
	if _, _, _, err := rs.PropertyRewards.Reward(dec("100.01")); !errors.Is(err, ErrBadInput) {
		t.Errorf("score above 100: %v", err)
	}
}

// SixDistricts are the quantities and scores of TestPoolAllocation, for
// other packages' tests too: shares of every factor are 30/20/20/10/10/10%.
func sixDistricts() []DistrictFactors {
	mk := func(name string, tenths int, score string) DistrictFactors {
		return DistrictFactors{District: name, AreaM2: decimal.NewFromInt(int64(tenths) * 100000), Households: tenths * 1000,
			Buildings: tenths * 50, Communities: tenths * 6, Score: dec(score)}
	}
	return []DistrictFactors{mk("环翠区", 3, "92"), mk("文登区", 2, "85"), mk("荣成市", 2, "75"), mk("乳山市", 1, "95"),
		mk("高区", 1, "59.99"), mk("经区", 1, "80")}
}

// TestPoolAllocation: 100,000,000.00 over six districts. Every factor's
// shares are 30/20/20/10/10/10%, so the base is 0.3, 0.2, 0.2, 0.1, 0.1,
// 0.1 whatever the weights; coefficients by score: 92 → 1.2, 85 → 1.0,
// 75 → 0.8, 95 → 1.2, 59.99 → 0 (below 60), 80 → 1.0. Weights 0.36, 0.2,
// 0.16, 0.12, 0, 0.1; Σ 0.94. Exact amounts (× 10^8 / 0.94):
//
//	环翠区 38,297,872.3404… 文登区 21,276,595.7446… 荣成市 17,021,276.5957…
//	乳山市 12,765,957.4468… 高区 0 经区 10,638,297.8723…
//
// Floors add up to 99,999,999.98; the 2 fen go to the largest remainders
// (乳山市 0.68 fen, 荣成市 0.57 fen).
func TestPoolAllocation(t *testing.T) {
	r := mustGrantSet(t).EvaluationAllocation
	pa, err := r.Allocate(dec("100000000"), sixDistricts())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"38297872.34", "21276595.74", "17021276.60", "12765957.45", "0", "10638297.87"}
	sum := decimal.Zero
	for i, d := range pa.Districts {
		sum = sum.Add(d.Amount)
		if !d.Amount.Equal(dec(want[i])) || d.Explanation == "" {
			t.Errorf("%s: %s, want %s (%s)", d.District, d.Amount, want[i], d.Explanation)
		}
	}
	if !sum.Equal(dec("100000000")) || pa.Source != SourceMunicipal {
		t.Errorf("sum %s source %s", sum, pa.Source)
	}
	if !strings.Contains(pa.Districts[3].Explanation, "score 95 ≥ 90 → coefficient 1.2") ||
		!strings.Contains(pa.Districts[3].Explanation, "+0.01 by largest remainder") ||
		!strings.Contains(pa.Districts[4].Explanation, "below every row → coefficient 0") {
		t.Errorf("explanations:\n%s\n%s", pa.Districts[3].Explanation, pa.Districts[4].Explanation)
	}
	// Everybody below the table: nothing to allocate by.
	ds := sixDistricts()
	for i := range ds {
		ds[i].Score = dec("10")
	}
	if _, err := r.Allocate(dec("100"), ds); !errors.Is(err, ErrBadInput) {
		t.Errorf("all weights zero: %v", err)
	}
}

// TestGrantSectionErrors: positions counted by hand (the header is lines
// 1-6, line 7 the one share).
func TestGrantSectionErrors(t *testing.T) {
	base := header + "      - {source: central, pct: 100}\n"
	cases := []struct{ name, yaml, want string }{
		{"ErrSplitSum",
			// line 13: "      - {source: district, pct: 40}": { at 9, "source: district, " at 10-27, "pct: " 28-32, 40 at 33.
			base + `elevator:
  consent: {participation: {owners: 2/3, area: 2/3}, approval: {owners: 3/4, area: 3/4}}
  grant:
    pct: 40
    split:
      - {source: district, pct: 40}
  floor_coefficients: [0, 1]
`, "g.yaml:13:33: elevator.grant.split[0].pct: split pct sum to 40, want 100"},
		{"ErrBadRatio",
			// line 9: "  consent: {participation: {owners: 3/2, ...": inner { at 28, "owners: " 29-36, 3/2 at 37.
			base + `elevator:
  consent: {participation: {owners: 3/2, area: 2/3}, approval: {owners: 3/4, area: 3/4}}
  grant: {pct: 40, split: [{source: district, pct: 100}]}
  floor_coefficients: [0, 1]
`, `g.yaml:9:37: elevator.consent.participation.owners: want a fraction a/b with 0 < a ≤ b, got "3/2"`},
		{"ErrRowsNotDescending",
			// line 11: "    - {min_score: 90, amount: 1}": value at 7+12 = 19.
			base + `property_rewards:
  table:
    - {min_score: 80, amount: 2}
    - {min_score: 90, amount: 1}
`, "g.yaml:11:19: property_rewards.table[1].min_score: rows go from the highest min_score down: 90 is not below 80"},
		{"ErrFactorSum",
			// line 9: "  factors: {area: 40, households: 30}": { at 12, "area: 40, " 13-22, "households: " 23-34, 30 at 35.
			base + `evaluation_allocation:
  factors: {area: 40, households: 30}
  score_coefficients: [{min_score: 0, coefficient: 1}]
`, "g.yaml:9:35: evaluation_allocation.factors.households: factor weights sum to 70, want 100"},
		{"ErrUnknownKey",
			base + "utility_award: {pct: 30, cap: 5}\n", "cap"},
		{"ErrAllZeroFloors",
			base + `elevator:
  consent: {participation: {owners: 2/3, area: 2/3}, approval: {owners: 3/4, area: 3/4}}
  grant: {pct: 40, split: [{source: district, pct: 100}]}
  floor_coefficients: [0, 0]
`, "g.yaml:11:3: elevator.floor_coefficients: at least one floor coefficient must be positive"},
	}
	for _, c := range cases {
		_, err := Parse("g.yaml", []byte(c.yaml))
		if !errors.Is(err, ErrInvalidRuleSet) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v\nwant %q", c.name, err, c.want)
		}
	}
}

// TestExampleGrantSections: the example files carry the sections and the
// 2017 pilot's 40% / 250,000 per elevator.
func TestExampleGrantSections(t *testing.T) {
	city, huancui := loadExamples(t)
	for _, rs := range []*RuleSet{city, huancui} {
		if rs.Elevator == nil || rs.Elevator.Grant.Pct.String() != "40" || rs.Elevator.Grant.CapPerElevator.String() != "250000" ||
			!rs.Elevator.Coefficient(1).IsZero() || rs.Elevator.Consent.ApprovalOwners != (Ratio{3, 4}) {
			t.Errorf("%s: elevator section %+v", rs.File(), rs.Elevator)
		}
	}
	if city.UtilityAward == nil || city.PropertyRewards == nil || city.EvaluationAllocation == nil {
		t.Errorf("city-wide example lacks a section")
	}
	pa, err := city.EvaluationAllocation.Allocate(dec("100000000"), sixDistricts())
	if err != nil {
		t.Fatal(err)
	}
	if pa.Districts[0].Amount.String() != "38297872.34" { // the same shares and table as TestPoolAllocation
		t.Errorf("example allocation: %+v", pa.Districts[0])
	}
}
