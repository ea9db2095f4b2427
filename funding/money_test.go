package funding_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/internal/pgtest"
	"fundledger/ledger"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func date(s string) time.Time {
	t, err := ledger.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

func newProgramme(t *testing.T) *funding.Programme {
	t.Helper()
	return funding.New(ledger.New(pgtest.DB(t)))
}

func sampleProject(code string) funding.ProjectInput {
	return funding.ProjectInput{
		Code: code, Name: "测试小区 test community", District: "环翠区", Address: "环翠区某路1号",
		CompletedOn: date("1998-05-01"), StateOwnedLand: true, Households: 200, FloorAreaM2: d("15000.00"),
		Buildings: 8, PlanYear: 2020, RegisteredOn: date("2020-03-01"),
	}
}

func TestRegisterProjectEligibility(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background()
	cases := []struct {
		name   string
		mutate func(*funding.ProjectInput)
		target error
		msg    string
	}{
		{"OK priority (before 2000)", func(*funding.ProjectInput) {}, nil, ""},
		{"OK not priority", func(in *funding.ProjectInput) { in.Code = "P-2003"; in.CompletedOn = date("2005-12-31") }, nil, ""},
		{"ErrBuiltAfterCutOff", func(in *funding.ProjectInput) { in.CompletedOn = date("2006-01-01") }, funding.ErrIneligible,
			"buildings completed on 2006-01-01, after the plan's cut-off of 2005-12-31"},
		{"ErrNotStateOwned", func(in *funding.ProjectInput) { in.StateOwnedLand = false }, funding.ErrIneligible, "not on state-owned urban land"},
		{"ErrSlatedForDemolition", func(in *funding.ProjectInput) { in.SlatedForDemolition = true }, funding.ErrIneligible, "demolition-and-rebuild"},
		{"ErrNoHouseholds", func(in *funding.ProjectInput) { in.Households = 0 }, funding.ErrInvalid, "households: must satisfy gt=0"},
		{"ErrUnknownDistrict", func(in *funding.ProjectInput) { in.District = "青岛" }, funding.ErrNotFound, `district "青岛"`},
		{"ErrArea3Decimals", func(in *funding.ProjectInput) { in.FloorAreaM2 = d("1.005") }, funding.ErrInvalid, "at most two decimals"},
	}
	for _, c := range cases {
		in := sampleProject("P-1998")
		c.mutate(&in)
		pr, err := p.RegisterProject(ctx, in, "officer")
		if c.target == nil {
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			wantPriority := in.CompletedOn.Before(date("2000-01-01"))
			if pr.Priority != wantPriority || pr.Status != funding.StatusPlanned || pr.District != "huancui" {
				t.Errorf("%s: %+v", c.name, pr)
			}
			continue
		}
		if !errors.Is(err, c.target) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v, want %v containing %q", c.name, err, c.target, c.msg)
		}
	}
	// The same registration again changes nothing; other data is refused.
	if _, err := p.RegisterProject(ctx, sampleProject("P-1998"), "officer"); err != nil {
		t.Errorf("re-register: %v", err)
	}
	other := sampleProject("P-1998")
	other.Households = 201
	if _, err := p.RegisterProject(ctx, other, "officer"); !errors.Is(err, funding.ErrExists) {
		t.Errorf("re-register with other data: %v", err)
	}
	if err := p.SetStatus(ctx, "P-1998", funding.StatusUnderWay, date("2020-05-01"), "officer", ""); err != nil {
		t.Fatal(err)
	}
	err := p.SetStatus(ctx, "P-1998", funding.StatusApproved, date("2020-05-02"), "officer", "")
	if !errors.Is(err, funding.ErrStatus) || !strings.Contains(err.Error(), "cannot go back") {
		t.Errorf("status back: %v", err)
	}
}

func balance(t *testing.T, p *funding.Programme, code, want string) {
	t.Helper()
	got, err := p.Ledger().Balance(context.Background(), code, time.Time{})
	if err != nil {
		t.Fatalf("balance %s: %v", code, err)
	}
	if !got.Equal(d(want)) {
		t.Errorf("balance of %s = %s, want %s", code, got, want)
	}
}

// TestMoneyPath follows one project from approval to payments under
// testdata/rules/test-citywide.yaml. Numbers by hand:
//
//	basic 1,000,000.01: central 50% = 500,000.005, provincial 20% =
//	200,000.002, district 30% = 300,000.003; floors 500,000.00 + 200,000.00 +
//	300,000.00 leave 0.01, which goes to the largest remainder (central, 0.5
//	fen) → central 500,000.01.
//	improvement 50,000.00: district 25,000.00; residents 25,000.00 capped at
//	100 × 200 households = 20,000.00, the 5,000.00 excess to social capital.
func TestMoneyPath(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background()
	const code = "WH-HC-T-001"
	if _, err := p.RegisterProject(ctx, sampleProject(code), "officer"); err != nil {
		t.Fatal(err)
	}
	lines := []funding.BudgetLineInput{
		{Category: "basic", Description: "roads, pipes, lighting", Amount: d("1000000.01")},
		{Category: "improvement", Description: "parking", Amount: d("50000.00")},
	}
	req := funding.ApprovalRequest{Project: code, ApprovedOn: date("2020-06-15"), Lines: lines, Actor: "officer"}
	if _, err := p.Approve(ctx, req); !errors.Is(err, funding.ErrNoRuleSet) {
		t.Fatalf("approve without rules: %v", err)
	}
	info, loaded, err := p.LoadRuleSet(ctx, "testdata/rules/test-citywide.yaml", "bureau")
	if err != nil || !loaded {
		t.Fatalf("load rules: %v %v", loaded, err)
	}
	if _, again, err := p.LoadRuleSet(ctx, "testdata/rules/test-citywide.yaml", "bureau"); err != nil || again {
		t.Fatalf("reload of the same file: loaded=%v %v", again, err)
	}
	a, err := p.Approve(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if a.Version != 1 || a.RuleSetID != info.ID || a.EntryID == 0 || !a.Total.Equal(d("1050000.01")) {
		t.Errorf("approval: %+v", a)
	}
	want := map[string]string{"central": "500000.01", "provincial": "200000.00", "district": "325000.00",
		"resident:direct": "20000.00", "social_capital": "5000.00"}
	for src, amt := range want {
		balance(t, p, "budget:receivable:huancui:"+code+":"+src, amt)
		balance(t, p, "budget:committed:huancui:"+code+":"+src, amt)
	}
	if pr, _ := p.Project(ctx, code); pr.Status != funding.StatusApproved {
		t.Errorf("status after approval: %s", pr.Status)
	}
	again, err := p.Approve(ctx, req)
	if err != nil || !again.Unchanged || again.ID != a.ID {
		t.Errorf("same approval again: %+v %v", again, err)
	}

	if err := p.AddBankAccount(ctx, funding.BankAccount{Code: "BOC-HC-001", Name: "环翠区老旧小区改造专户", Bank: "中国银行", District: "环翠区"}, "bureau"); err != nil {
		t.Fatal(err)
	}
	rc := funding.ReceiptRequest{Project: code, Source: "central", Amount: d("300000.00"), ReceivedOn: date("2020-07-01"),
		BankAccount: "BOC-HC-001", Reference: "国库-2020-0701", IdempotencyKey: "rc-1", Actor: "officer"}
	if _, err := p.Receive(ctx, rc); err != nil {
		t.Fatal(err)
	}
	if m, err := p.Receive(ctx, rc); err != nil || !m.Replayed {
		t.Errorf("replayed receipt: %+v %v", m, err)
	}
	balance(t, p, "cash:huancui:"+code+":central", "300000.00")
	balance(t, p, "budget:receivable:huancui:"+code+":central", "200000.01")
	over := rc
	over.IdempotencyKey, over.Amount = "rc-2", d("200000.02")
	_, err = p.Receive(ctx, over)
	if !errors.Is(err, funding.ErrExceedsCommitment) || !strings.Contains(err.Error(), "200000.02 exceeds the outstanding commitment of 200000.01") {
		t.Errorf("receipt above commitment: %v", err)
	}
	nobank := rc
	nobank.IdempotencyKey, nobank.BankAccount = "rc-3", "NOPE"
	if _, err := p.Receive(ctx, nobank); !errors.Is(err, funding.ErrNotFound) {
		t.Errorf("unknown bank account: %v", err)
	}
	if _, err := p.Receive(ctx, funding.ReceiptRequest{Project: code, Source: "employer", Amount: d("1.00"), ReceivedOn: date("2020-07-01"),
		BankAccount: "BOC-HC-001", IdempotencyKey: "rc-4", Actor: "officer"}); !errors.Is(err, funding.ErrNotEarmarked) {
		t.Errorf("receipt from an uncommitted source: %v", err)
	}

	pay := funding.DisbursementRequest{Project: code, Source: "central", Category: "basic", Amount: d("250000.00"), PaidOn: date("2020-08-01"),
		Payee: "威海某建设公司", BankAccount: "BOC-HC-001", IdempotencyKey: "pay-1", Actor: "officer"}
	if _, err := p.Disburse(ctx, pay); err != nil {
		t.Fatal(err)
	}
	balance(t, p, "cash:huancui:"+code+":central", "50000.00")
	too := pay
	too.IdempotencyKey, too.Amount = "pay-2", d("50000.01")
	_, err = p.Disburse(ctx, too)
	if !errors.Is(err, ledger.ErrOverdraft) || !strings.Contains(err.Error(), "50000.01 exceeds the earmarked cash of central (中央补助): 50000.00 available on 2020-08-01") {
		t.Errorf("payment above earmarked cash: %v", err)
	}
	wrong := pay
	wrong.IdempotencyKey, wrong.Category = "pay-3", "improvement"
	_, err = p.Disburse(ctx, wrong)
	if !errors.Is(err, funding.ErrNotEarmarked) || !strings.Contains(err.Error(), "central (中央补助) may not pay improvement (完善类)") {
		t.Errorf("payment for a category the source may not pay: %v", err)
	}

	// Re-approval lowering basic to 900,000.00: central 450,000.00, provincial
	// 180,000.00, district 270,000.00 + 25,000.00. Central's commitment falls
	// by 50,000.01, so its outstanding 200,000.01 becomes 150,000.00.
	req2 := req
	req2.ApprovedOn = date("2020-09-01")
	req2.Lines = []funding.BudgetLineInput{lines[0], lines[1]}
	req2.Lines[0].Amount = d("900000.00")
	a2, err := p.Approve(ctx, req2)
	if err != nil {
		t.Fatal(err)
	}
	if a2.Version != 2 {
		t.Errorf("re-approval version %d", a2.Version)
	}
	balance(t, p, "budget:receivable:huancui:"+code+":central", "150000.00")
	balance(t, p, "budget:committed:huancui:"+code+":district", "295000.00")
	// Lowering basic to 400,000.00 would commit central 200,000.00, less than
	// the 300,000.00 already received: the receivable would go negative.
	req3 := req2
	req3.Lines = []funding.BudgetLineInput{lines[0], lines[1]}
	req3.Lines[0].Amount = d("400000.00")
	if _, err := p.Approve(ctx, req3); !errors.Is(err, ledger.ErrOverdraft) {
		t.Errorf("approval below what was received: %v", err)
	}

	rep, err := p.ProjectReport(ctx, code, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var central funding.SourcePosition
	for _, s := range rep.Sources {
		if s.Source == "central" {
			central = s
		}
	}
	if !central.Committed.Equal(d("450000.00")) || !central.Received.Equal(d("300000.00")) || !central.Disbursed.Equal(d("250000.00")) ||
		!central.Available.Equal(d("50000.00")) || !central.Outstanding.Equal(d("150000.00")) {
		t.Errorf("central position: %+v", central)
	}
	// Total committed: 900,000.00 + 50,000.00 = 950,000.00.
	if !rep.Total.Committed.Equal(d("950000.00")) || rep.ApprovalVersion != 2 {
		t.Errorf("total: %+v, version %d", rep.Total, rep.ApprovalVersion)
	}
	if len(rep.Categories) != 2 || !rep.Categories[0].Budget.Equal(d("900000.00")) || !rep.Categories[0].Paid.Equal(d("250000.00")) ||
		!rep.Categories[1].Budget.Equal(d("50000.00")) || !rep.Categories[1].Paid.IsZero() {
		t.Errorf("categories: %+v", rep.Categories)
	}
	// As of 2020-07-31 (before the payment and the re-approval): version 1,
	// central committed 500,000.01, received 300,000.00, nothing paid.
	early, err := p.ProjectReport(ctx, code, date("2020-07-31"))
	if err != nil {
		t.Fatal(err)
	}
	if early.ApprovalVersion != 1 || !early.Sources[0].Committed.Equal(d("500000.01")) || !early.Sources[0].Disbursed.IsZero() {
		t.Errorf("as of 2020-07-31: %+v", early)
	}
	drep, err := p.DistrictReport(ctx, "环翠区", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(drep.Sources) != 5 || drep.Sources[0].Source != "central" || !drep.Sources[0].Available.Equal(d("50000.00")) {
		t.Errorf("district report: %+v", drep.Sources)
	}
}
