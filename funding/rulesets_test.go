package funding_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"fundledger/funding"
	"fundledger/rules"
)

func TestRuleSetsVersionsAndSelection(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background()
	city, loaded, err := p.LoadRuleSet(ctx, "../rules/examples/weihai-2020.yaml", "bureau")
	if err != nil || !loaded {
		t.Fatal(loaded, err)
	}
	hc, _, err := p.LoadRuleSet(ctx, "../rules/examples/huancui-2021.yaml", "bureau")
	if err != nil {
		t.Fatal(err)
	}
	if hc.District != "huancui" || city.District != "" {
		t.Errorf("districts: %q %q", hc.District, city.District)
	}
	_, _, err = p.LoadRuleSet(ctx, "testdata/rules/huancui-overlap.yaml", "bureau")
	if !errors.Is(err, rules.ErrOverlap) {
		t.Errorf("overlapping set of the same district: %v", err)
	}
	// Which set splits a project: 环翠区 from 2021 uses its own; before
	// 2021, and 文登区 always, the city-wide one.
	for _, c := range []struct {
		code, district, date string
		want                 int64
	}{
		{"HC-2020", "环翠区", "2020-07-01", city.ID},
		{"HC-2021", "环翠区", "2021-03-01", hc.ID},
		{"WD-2021", "文登区", "2021-03-01", city.ID},
	} {
		in := sampleProject(c.code)
		in.District = c.district
		if _, err := p.RegisterProject(ctx, in, "officer"); err != nil {
			t.Fatal(err)
		}
		a, err := p.Approve(ctx, funding.ApprovalRequest{Project: c.code, ApprovedOn: date(c.date), Actor: "officer",
			Lines: []funding.BudgetLineInput{{Category: "basic", Amount: d("100000.00")}}})
		if err != nil {
			t.Fatal(err)
		}
		if a.RuleSetID != c.want {
			t.Errorf("%s approved %s: rule set %d, want %d", c.code, c.date, a.RuleSetID, c.want)
		}
	}
	// A project built after the city-wide set ends (2025-12-31) has no rule.
	in := sampleProject("WD-2026")
	in.District = "文登区"
	if _, err := p.RegisterProject(ctx, in, "officer"); err != nil {
		t.Fatal(err)
	}
	_, err = p.Approve(ctx, funding.ApprovalRequest{Project: "WD-2026", ApprovedOn: date("2026-01-05"), Actor: "officer",
		Lines: []funding.BudgetLineInput{{Category: "basic", Amount: d("1.00")}}})
	if !errors.Is(err, funding.ErrNoRuleSet) || !strings.Contains(err.Error(), "2026-01-05") {
		t.Errorf("approval after every set ended: %v", err)
	}
	list, err := p.RuleSets(ctx)
	if err != nil || len(list) != 2 || !list[0].Current || !list[1].Current {
		t.Errorf("rule sets: %+v %v", list, err)
	}
	// A changed file under the same name is a new version that supersedes
	// the old one, which stays stored for the approvals that used it.
	raw, err := os.ReadFile("../rules/examples/weihai-2020.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v2, loaded, err := p.LoadRuleSetBytes(ctx, "weihai-2020.yaml", append(raw, []byte("\n# revised\n")...), "bureau")
	if err != nil || !loaded || v2.ID == city.ID || !v2.Current {
		t.Fatalf("new version: %+v %v %v", v2, loaded, err)
	}
	old, err := p.RuleSetInfo(ctx, city.ID)
	if err != nil || old.Current {
		t.Errorf("superseded version still current: %+v %v", old, err)
	}
}
