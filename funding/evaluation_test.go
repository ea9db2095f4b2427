package funding_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"fundledger/funding"
)

func entryCount(t *testing.T, p *funding.Programme) int {
	t.Helper()
	var n int
	if err := p.Ledger().DB().Get(&n, `SELECT count(*) FROM entries`); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAllocatePool: the 2022 pool of 100,000,000.00 over the six districts.
// Their 2021 projects are 3, 2, 2, 1, 1, 1 identical communities (1,000
// households, 100,000 m², 50 buildings each), so every factor's shares are
// 30/20/20/10/10/10% and the base is 0.3, 0.2, 0.2, 0.1, 0.1, 0.1. 2021
// scores 92, 85, 75, 95, 59.99, 80 give coefficients 1.2, 1.0, 0.8, 1.2,
// 0 (below 60), 1.0: weights 0.36, 0.2, 0.16, 0.12, 0, 0.1 (Σ 0.94), so
// 10^8 × w / 0.94 = 38,297,872.3404…, 21,276,595.7446…, 17,021,276.5957…,
// 12,765,957.4468…, 0, 10,638,297.8723…; the floors leave 2 fen, to the
// largest remainders (乳山市 0.68, 荣成市 0.57 fen).
func TestAllocatePool(t *testing.T) {
	t.Parallel()
	p := grantProgramme(t, "")
	ctx := context.Background()
	districts := []struct {
		name, code  string
		communities int
		score       string
	}{
		{"环翠区", "huancui", 3, "92"}, {"文登区", "wendeng", 2, "85"}, {"荣成市", "rongcheng", 2, "75"},
		{"乳山市", "rushan", 1, "95"}, {"高区", "gaoqu", 1, "59.99"}, {"经区", "jingqu", 1, "80"},
	}
	for _, x := range districts {
		for i := 0; i < x.communities; i++ {
			in := sampleProject(fmt.Sprintf("AL-%s-%d", x.code, i))
			in.District, in.PlanYear, in.Households, in.FloorAreaM2, in.Buildings = x.name, 2021, 1000, d("100000.00"), 50
			if _, err := p.RegisterProject(ctx, in, "officer"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := p.RecordEvaluation(ctx, funding.EvaluationInput{District: x.name, Year: 2021, Score: d(x.score),
			Evaluator: "第三方 third party", ScoredOn: date("2022-01-10")}, "bureau"); err != nil {
			t.Fatal(err)
		}
	}
	req := funding.PoolRequest{Year: 2022, Pool: d("100000000"), On: date("2022-02-01"), DryRun: true, Actor: "bureau"}
	before := entryCount(t, p)
	dry, err := p.AllocatePool(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"38297872.34", "21276595.74", "17021276.60", "12765957.45", "0", "10638297.87"}
	sum := decimal.Zero
	for i, l := range dry.Lines {
		sum = sum.Add(l.Amount)
		if l.District != districts[i].code || !l.Amount.Equal(d(want[i])) || l.Explanation == "" {
			t.Errorf("%s: %s, want %s (%s)", l.DistrictName, l.Amount, want[i], l.Explanation)
		}
	}
	if !sum.Equal(d("100000000")) || dry.EvaluationYear != 2021 || dry.Source != "municipal" {
		t.Errorf("dry run: sum %s, evaluation year %d, source %s", sum, dry.EvaluationYear, dry.Source)
	}
	if !strings.Contains(dry.Lines[3].Explanation, "+0.01 by largest remainder") || !strings.Contains(dry.Lines[4].Explanation, "coefficient 0") {
		t.Errorf("explanations: %q / %q", dry.Lines[3].Explanation, dry.Lines[4].Explanation)
	}
	if n := entryCount(t, p); n != before {
		t.Fatalf("dry run posted %d entries", n-before)
	}

	// Posted: the commitments per district; again: nothing changes.
	req.DryRun = false
	posted, err := p.AllocatePool(ctx, req)
	if err != nil || posted.Version != 1 || posted.EntryID == 0 {
		t.Fatalf("allocate: %+v %v", posted, err)
	}
	balance(t, p, "budget:grant:receivable:pool:huancui:2022:municipal", "38297872.34")
	balance(t, p, "budget:grant:committed:pool:rushan:2022:municipal", "12765957.45")
	n := entryCount(t, p)
	again, err := p.AllocatePool(ctx, req)
	if err != nil || !again.Unchanged || again.Version != 1 || again.EntryID != posted.EntryID || entryCount(t, p) != n {
		t.Errorf("allocate again: unchanged %v version %d %v, %d new entries", again.Unchanged, again.Version, err, entryCount(t, p)-n)
	}

	// 高区 re-evaluated at 60 (coefficient 0.8): a new version posts the
	// difference; the commitments still add up to the pool exactly.
	if _, err := p.RecordEvaluation(ctx, funding.EvaluationInput{District: "高区", Year: 2021, Score: d("60"), Evaluator: "复核 review",
		ScoredOn: date("2022-01-20")}, "bureau"); err != nil {
		t.Fatal(err)
	}
	v2, err := p.AllocatePool(ctx, req)
	if err != nil || v2.Version != 2 || v2.Lines[4].Amount.IsZero() || !v2.Lines[0].Previous.Equal(d("38297872.34")) {
		t.Fatalf("re-allocate: %+v %v", v2, err)
	}
	total := decimal.Zero
	for _, x := range districts {
		b, err := p.Ledger().Balance(ctx, "budget:grant:receivable:pool:"+x.code+":2022:municipal", date("2022-12-31"))
		if err != nil {
			t.Fatal(err)
		}
		total = total.Add(b)
	}
	if !total.Equal(d("100000000")) {
		t.Errorf("commitments after re-allocation add up to %s", total)
	}
}
