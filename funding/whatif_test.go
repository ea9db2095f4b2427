package funding_test

import (
	"context"
	"testing"

	"fundledger/funding"
)

// newRules is the policy tested: basic central 40%, provincial 20%,
// municipal 10%, district 30%; improvement district 60%, residents 40%
// capped at 100 per household with the excess to social capital; upgrade
// social capital.
const newRules = `name: new-policy
version: "2"
district: ""
effective_from: 2021-01-01
categories:
  basic:
    shares:
      - {source: central, pct: 40}
      - {source: provincial, pct: 20}
      - {source: municipal, pct: 10}
      - {source: district, pct: 30}
  improvement:
    shares:
      - {source: district, pct: 60}
      - source: "resident:direct"
        pct: 40
        cap: {per_household: 100}
        overflow: [social_capital]
  upgrade:
    shares:
      - {source: social_capital, pct: 100}
`

// TestWhatIf compares a new rule set with test-citywide.yaml on three
// projects. By hand (largest remainder to the fen):
//
//	P1 环翠区 200 households: basic 1,000,000.00, improvement 50,000.00.
//	  now: central 500,000.00, provincial 200,000.00, district 300,000.00 +
//	  25,000.00, residents 25,000.00 capped at 20,000.00, social 5,000.00.
//	  new: central 400,000.00, provincial 200,000.00, municipal 100,000.00,
//	  district 300,000.00 + 30,000.00, residents 20,000.00 (= cap), social 0.
//	P2 文登区 150 households: basic 333,333.33, upgrade 10,000.00.
//	  now: 166,666.665 / 66,666.666 / 99,999.999 → floors leave 0.02, to
//	  district (0.9 fen) and provincial (0.6): 166,666.66, 66,666.67,
//	  100,000.00; social 10,000.00.
//	  new: 133,333.332 / 66,666.666 / 33,333.333 / 99,999.999 → 0.02 to
//	  district (0.9) and provincial (0.6): 133,333.33, 66,666.67, 33,333.33,
//	  100,000.00; social 10,000.00.
//	P3 环翠区 100 households: improvement 80,000.00.
//	  now: district 40,000.00, residents capped at 10,000.00, social 30,000.00.
//	  new: district 48,000.00, residents 10,000.00, social 22,000.00.
func TestWhatIf(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background()
	if _, _, err := p.LoadRuleSet(ctx, "testdata/rules/test-citywide.yaml", "bureau"); err != nil {
		t.Fatal(err)
	}
	type proj struct {
		code, district string
		households     int
		lines          []funding.BudgetLineInput
	}
	for _, pj := range []proj{
		{"WI-P1", "环翠区", 200, []funding.BudgetLineInput{{Category: "basic", Amount: d("1000000.00")}, {Category: "improvement", Amount: d("50000.00")}}},
		{"WI-P2", "文登区", 150, []funding.BudgetLineInput{{Category: "basic", Amount: d("333333.33")}, {Category: "upgrade", Amount: d("10000.00")}}},
		{"WI-P3", "环翠区", 100, []funding.BudgetLineInput{{Category: "improvement", Amount: d("80000.00")}}},
	} {
		in := sampleProject(pj.code)
		in.District, in.Households = pj.district, pj.households
		if _, err := p.RegisterProject(ctx, in, "officer"); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Approve(ctx, funding.ApprovalRequest{Project: pj.code, ApprovedOn: date("2020-06-15"), Lines: pj.lines, Actor: "officer"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Ledger().Seal(ctx); err != nil {
		t.Fatal(err)
	}
	before, err := p.Ledger().Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ project, source, current, new, diff string }
	all := []row{
		{"WI-P1", "central", "500000.00", "400000.00", "-100000.00"},
		{"WI-P1", "provincial", "200000.00", "200000.00", "0"},
		{"WI-P1", "municipal", "0", "100000.00", "100000.00"},
		{"WI-P1", "district", "325000.00", "330000.00", "5000.00"},
		{"WI-P1", "resident:direct", "20000.00", "20000.00", "0"},
		{"WI-P1", "social_capital", "5000.00", "0", "-5000.00"},
		{"WI-P3", "district", "40000.00", "48000.00", "8000.00"},
		{"WI-P3", "resident:direct", "10000.00", "10000.00", "0"},
		{"WI-P3", "social_capital", "30000.00", "22000.00", "-8000.00"},
		{"WI-P2", "central", "166666.66", "133333.33", "-33333.33"},
		{"WI-P2", "provincial", "66666.67", "66666.67", "0"},
		{"WI-P2", "municipal", "0", "33333.33", "33333.33"},
		{"WI-P2", "district", "100000.00", "100000.00", "0"},
		{"WI-P2", "social_capital", "10000.00", "10000.00", "0"},
	}
	type total struct{ key, current, new, diff string }
	cases := []struct {
		name       string
		district   string
		projects   int
		rows       []row
		byDistrict []total
		bySource   []total
	}{
		{"all districts", "", 3, all,
			[]total{{"huancui", "1130000.00", "1130000.00", "0"}, {"wendeng", "343333.33", "343333.33", "0"}},
			[]total{
				{"central", "666666.66", "533333.33", "-133333.33"},
				{"provincial", "266666.67", "266666.67", "0"},
				{"municipal", "0", "133333.33", "133333.33"},
				{"district", "465000.00", "478000.00", "13000.00"},
				{"resident:direct", "30000.00", "30000.00", "0"},
				{"social_capital", "45000.00", "32000.00", "-13000.00"},
			}},
		{"one district", "文登区", 1, all[9:],
			[]total{{"wendeng", "343333.33", "343333.33", "0"}},
			[]total{
				{"central", "166666.66", "133333.33", "-33333.33"},
				{"provincial", "66666.67", "66666.67", "0"},
				{"municipal", "0", "33333.33", "33333.33"},
				{"district", "100000.00", "100000.00", "0"},
				{"social_capital", "10000.00", "10000.00", "0"},
			}},
	}
	for _, c := range cases {
		w, err := p.WhatIf(ctx, "new-policy.yaml", []byte(newRules), c.district)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if w.Projects != c.projects || len(w.Problems) != 0 || w.RuleSet.Name != "new-policy" {
			t.Errorf("%s: %d projects, problems %v", c.name, w.Projects, w.Problems)
		}
		if len(w.Lines) != len(c.rows) {
			t.Fatalf("%s: %d lines, want %d: %+v", c.name, len(w.Lines), len(c.rows), w.Lines)
		}
		for i, r := range c.rows {
			l := w.Lines[i]
			if l.Project != r.project || l.Source != r.source || !l.Current.Equal(d(r.current)) || !l.New.Equal(d(r.new)) || !l.Difference.Equal(d(r.diff)) {
				t.Errorf("%s line %d: %s %s %s %s %s, want %+v", c.name, i, l.Project, l.Source, l.Current, l.New, l.Difference, r)
			}
		}
		check := func(what string, got []funding.WhatIfTotal, want []total) {
			if len(got) != len(want) {
				t.Fatalf("%s %s: %+v", c.name, what, got)
			}
			for i, w := range want {
				g := got[i]
				if g.Key != w.key || !g.Current.Equal(d(w.current)) || !g.New.Equal(d(w.new)) || !g.Difference.Equal(d(w.diff)) {
					t.Errorf("%s %s %d: %+v, want %+v", c.name, what, i, g, w)
				}
			}
		}
		check("by district", w.ByDistrict, c.byDistrict)
		check("by source", w.BySource, c.bySource)
		if !w.Total.Difference.IsZero() {
			t.Errorf("%s: total difference %s, want 0 (the costs do not change)", c.name, w.Total.Difference)
		}
	}
	// A rule set for one district applies only to its projects.
	wendeng := []byte(newRules[:0] + "name: wendeng-policy\nversion: \"1\"\ndistrict: 文登区\n" + newRules[len("name: new-policy\nversion: \"2\"\ndistrict: \"\"\n"):])
	w, err := p.WhatIf(ctx, "wendeng.yaml", wendeng, "")
	if err != nil {
		t.Fatal(err)
	}
	if w.Projects != 1 || len(w.Lines) != 5 || w.Lines[0].Project != "WI-P2" {
		t.Errorf("district rule set: %+v", w)
	}
	if _, err := p.WhatIf(ctx, "wendeng.yaml", wendeng, "环翠区"); err == nil {
		t.Error("a 文登区 rule set tried on 环翠区: no error")
	}
	// Nothing was posted or stored.
	after, err := p.Ledger().Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.HeadHash != before.HeadHash || after.Entries != before.Entries || after.UnsealedEntries != 0 {
		t.Errorf("what-if changed the books: before %+v, after %+v", before, after)
	}
	sets, err := p.RuleSets(ctx)
	if err != nil || len(sets) != 1 {
		t.Errorf("rule sets after what-if: %d %v", len(sets), err)
	}
}
