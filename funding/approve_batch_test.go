package funding_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"fundledger/funding"
)

// TestApproveAllIsAllOrNothing: a batch of three approvals with one bad
// (an unknown project) is refused whole, naming that item, and stores
// nothing; the same batch with the project registered approves all three,
// each committing what the test rule set's shares give by hand (basic:
// central 50%, provincial 20%, district 30%; improvement: district 50%,
// residents 50% capped at 100/household × 200 = 20,000, the rest social
// capital); approving the same lines again writes nothing.
func TestApproveAllIsAllOrNothing(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background()
	if _, _, err := p.LoadRuleSet(ctx, "testdata/rules/test-citywide.yaml", "bureau"); err != nil {
		t.Fatal(err)
	}
	codes := []string{"WH-HC-BATCH-1", "WH-HC-BATCH-2", "WH-HC-BATCH-3"}
	if _, err := p.RegisterProjects(ctx, []funding.ProjectInput{sampleProject(codes[0]), sampleProject(codes[2])}, "officer"); err != nil {
		t.Fatal(err)
	}
	reqs := make([]funding.ApprovalRequest, len(codes))
	for i, c := range codes {
		basic := fmt.Sprintf("%d0000.00", i+1) // 10,000, 20,000, 30,000
		reqs[i] = funding.ApprovalRequest{Project: c, ApprovedOn: date("2020-06-15"), Actor: "officer",
			Lines: []funding.BudgetLineInput{{Category: "basic", Description: "roads", Amount: d(basic)},
				{Category: "improvement", Description: "parking", Amount: d("60000.00")}}}
	}
	_, err := p.ApproveAll(ctx, reqs)
	var refused funding.ItemErrors
	if !errors.Is(err, funding.ErrNotFound) || !errors.As(err, &refused) || len(refused) != 1 || refused[0].Item != 2 || refused[0].Key != codes[1] {
		t.Fatalf("want item 2 (%s) refused as not found, got %v", codes[1], err)
	}
	var stored int
	if err := p.Ledger().DB().Get(&stored, `SELECT count(*) FROM budget_approvals`); err != nil || stored != 0 {
		t.Fatalf("a refused batch stored %d approvals (%v)", stored, err)
	}
	if _, err := p.ApproveAll(ctx, []funding.ApprovalRequest{reqs[0], reqs[0]}); !errors.Is(err, funding.ErrInvalid) {
		t.Errorf("a project twice in a batch: %v, want ErrInvalid", err)
	}

	if _, err := p.RegisterProject(ctx, sampleProject(codes[1]), "officer"); err != nil {
		t.Fatal(err)
	}
	as, err := p.ApproveAll(ctx, reqs)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range codes {
		basic := float64(10000 * (i + 1))
		want := map[string]string{
			"central":         fmt.Sprintf("%.2f", basic*0.5),
			"provincial":      fmt.Sprintf("%.2f", basic*0.2),
			"district":        fmt.Sprintf("%.2f", basic*0.3+30000),
			"resident:direct": "20000.00",
			"social_capital":  "10000.00",
		}
		if as[i].Project != c || as[i].Version != 1 || as[i].EntryID == 0 || as[i].Unchanged {
			t.Errorf("approval %d: %+v", i, as[i])
		}
		for src, w := range want {
			b, err := p.Ledger().Balance(ctx, "budget:committed:huancui:"+c+":"+src, date("2099-01-01"))
			if err != nil || b.StringFixed(2) != w {
				t.Errorf("%s: %s committed %s (%v), want %s", c, src, b.StringFixed(2), err, w)
			}
		}
		line, err := p.Ledger().Balance(ctx, "budget:line:huancui:"+c+":basic", date("2099-01-01"))
		if err != nil || line.StringFixed(2) != fmt.Sprintf("%.2f", basic) {
			t.Errorf("%s: basic line %s (%v), want %.2f", c, line, err, basic)
		}
		pr, err := p.Project(ctx, c)
		if err != nil || pr.Status != funding.StatusApproved {
			t.Errorf("%s: status %q (%v), want approved", c, pr.Status, err)
		}
	}
	entries := func() int {
		var n int
		if err := p.Ledger().DB().Get(&n, `SELECT count(*) FROM entries`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := entries()
	again, err := p.ApproveAll(ctx, reqs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range again {
		if !again[i].Unchanged || again[i].ID != as[i].ID {
			t.Errorf("approving again %d: %+v, want unchanged approval %d", i, again[i], as[i].ID)
		}
	}
	if after := entries(); after != before {
		t.Errorf("approving the same lines again posted %d entries", after-before)
	}
	var lines, shares int
	if err := p.Ledger().DB().Get(&lines, `SELECT count(*) FROM budget_lines`); err != nil || lines != 6 {
		t.Errorf("%d budget lines (%v), want 6", lines, err)
	}
	if err := p.Ledger().DB().Get(&shares, `SELECT count(*) FROM budget_shares`); err != nil || shares != 3*6 {
		t.Errorf("%d budget shares (%v), want 18 (3 basic and 3 improvement sources a project)", shares, err)
	}
	if rep, err := p.Ledger().Verify(ctx); err != nil || !rep.OK {
		t.Errorf("verify: %v %+v", err, rep.Problems)
	}
}
