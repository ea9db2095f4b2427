package funding_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fundledger/funding"
)

// TestApprovalListsEveryRefusedLine: an approval file with three bad lines
// among four is refused whole, naming each bad line (2: an unknown
// category, 3: three decimals, 4: zero), and nothing is stored; the good
// line alone is approved (central 50% of 100,000.00 = 50,000.00).
func TestApprovalListsEveryRefusedLine(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background()
	if _, _, err := p.LoadRuleSet(ctx, "testdata/rules/test-citywide.yaml", "bureau"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.RegisterProject(ctx, sampleProject("WH-HC-LINES-1"), "officer"); err != nil {
		t.Fatal(err)
	}
	good := funding.BudgetLineInput{Category: "basic", Description: "roads", Amount: d("100000.00")}
	_, err := p.Approve(ctx, funding.ApprovalRequest{Project: "WH-HC-LINES-1", ApprovedOn: date("2020-06-15"), Actor: "officer",
		Lines: []funding.BudgetLineInput{good,
			{Category: "luxury", Description: "x", Amount: d("10.00")},
			{Category: "improvement", Description: "y", Amount: d("10.005")},
			{Category: "upgrade", Description: "z", Amount: d("0")}}})
	var refused funding.ItemErrors
	if !errors.Is(err, funding.ErrInvalid) || !errors.As(err, &refused) || len(refused) != 3 {
		t.Fatalf("want three refused lines, got %v", err)
	}
	for i, want := range []int{2, 3, 4} {
		if refused[i].Item != want {
			t.Errorf("refusal %d names line %d, want %d: %v", i, refused[i].Item, want, refused[i])
		}
	}
	if !strings.Contains(err.Error(), "3 items refused; nothing was stored") {
		t.Errorf("message: %v", err)
	}
	if b, err := p.Ledger().Balance(ctx, "budget:committed:huancui:WH-HC-LINES-1:central", date("2099-01-01")); err == nil && !b.IsZero() {
		t.Errorf("a refused approval committed %s", b)
	}
	if _, err := p.Approve(ctx, funding.ApprovalRequest{Project: "WH-HC-LINES-1", ApprovedOn: date("2020-06-15"), Actor: "officer",
		Lines: []funding.BudgetLineInput{good}}); err != nil {
		t.Fatal(err)
	}
	b, err := p.Ledger().Balance(ctx, "budget:committed:huancui:WH-HC-LINES-1:central", date("2099-01-01"))
	if err != nil || b.StringFixed(2) != "50000.00" {
		t.Errorf("central committed %s %v, want 50000.00", b, err)
	}
}
