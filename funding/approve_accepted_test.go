package funding_test

import (
	"context"
	"errors"
	"testing"

	"fundledger/funding"
)

// TestApproveRefusedOnceAccepted: after acceptance (竣工验收) a project's
// budget is closed: a new approval is refused with ErrStatus and the
// commitment stays what the first approval made it (central 50% of basic
// 100,000.00 = 50,000.00); before acceptance the same re-approval goes
// through.
func TestApproveRefusedOnceAccepted(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background()
	if _, _, err := p.LoadRuleSet(ctx, "testdata/rules/test-citywide.yaml", "bureau"); err != nil {
		t.Fatal(err)
	}
	approve := func(code, amount string) error {
		_, err := p.Approve(ctx, funding.ApprovalRequest{Project: code, ApprovedOn: date("2020-06-15"), Actor: "officer",
			Lines: []funding.BudgetLineInput{{Category: "basic", Description: "roads", Amount: d(amount)}}})
		return err
	}
	committed := func(code string) string {
		t.Helper()
		b, err := p.Ledger().Balance(ctx, "budget:committed:huancui:"+code+":central", date("2099-01-01"))
		if err != nil {
			t.Fatal(err)
		}
		return b.StringFixed(2)
	}
	for _, code := range []string{"WH-HC-ACC-1", "WH-HC-ACC-2"} {
		if _, err := p.RegisterProject(ctx, sampleProject(code), "officer"); err != nil {
			t.Fatal(err)
		}
		if err := approve(code, "100000.00"); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.SetStatus(ctx, "WH-HC-ACC-1", funding.StatusAccepted, date("2020-12-20"), "bureau", "竣工验收"); err != nil {
		t.Fatal(err)
	}
	if err := approve("WH-HC-ACC-1", "120000.00"); !errors.Is(err, funding.ErrStatus) {
		t.Errorf("re-approval of an accepted project: %v, want ErrStatus", err)
	}
	if got := committed("WH-HC-ACC-1"); got != "50000.00" {
		t.Errorf("accepted project: central committed %s, want 50000.00", got)
	}
	// Not accepted: 50% of 120,000.00 = 60,000.00.
	if err := approve("WH-HC-ACC-2", "120000.00"); err != nil {
		t.Fatal(err)
	}
	if got := committed("WH-HC-ACC-2"); got != "60000.00" {
		t.Errorf("project under way: central committed %s, want 60000.00", got)
	}
}
