package funding_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/internal/pgtest"
	"fundledger/ledger"
)

const bondBank = "BOC-BOND-RESERVE"

// newBondProgramme is a fresh database with the test rule set that gives
// source bond a share (testdata/bonds/rules-bond.yaml: basic 50% bond, 30%
// central, 20% district; improvement 80% bond) and the reserve's bank
// account.
func newBondProgramme(t *testing.T) *funding.Programme {
	t.Helper()
	ctx := context.Background()
	p := funding.New(ledger.New(pgtest.DB(t)))
	if _, _, err := p.LoadRuleSet(ctx, "testdata/bonds/rules-bond.yaml", "bureau"); err != nil {
		t.Fatal(err)
	}
	if err := p.AddBankAccount(ctx, funding.BankAccount{Code: bondBank, Name: "专项债券偿债准备金专户", Bank: "中国银行"}, "bureau"); err != nil {
		t.Fatal(err)
	}
	return p
}

// bondProject registers a project in a district and approves a basic
// budget of the given amount on 2020-06-01 (so its bond commitment is half
// of it under the test rule set).
func bondProject(t *testing.T, p *funding.Programme, code, district, basic string) {
	t.Helper()
	ctx := context.Background()
	if _, err := p.RegisterProject(ctx, funding.ProjectInput{Code: code, Name: "债券测试小区 " + code, District: district, Address: "测试路1号",
		CompletedOn: bondDate("1996-05-01"), StateOwnedLand: true, Households: 300, FloorAreaM2: bondDec("24000.00"), Buildings: 10,
		PlanYear: 2020, RegisteredOn: bondDate("2020-03-01")}, "officer"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Approve(ctx, funding.ApprovalRequest{Project: code, ApprovedOn: bondDate("2020-06-01"), Actor: "officer",
		Lines: []funding.BudgetLineInput{{Category: "basic", Description: "roads, pipes, parking", Amount: bondDec(basic)}}}); err != nil {
		t.Fatal(err)
	}
}

func bondBalance(t *testing.T, p *funding.Programme, code, want string) {
	t.Helper()
	got, err := p.Ledger().Balance(context.Background(), code, time.Time{})
	if err != nil {
		t.Fatalf("balance %s: %v", code, err)
	}
	if !got.Equal(bondDec(want)) {
		t.Errorf("balance of %s = %s, want %s", code, got.StringFixed(2), want)
	}
}

func wantErr(t *testing.T, what string, err, target error, msg string) {
	t.Helper()
	if !errors.Is(err, target) || !strings.Contains(err.Error(), msg) {
		t.Errorf("%s: error %v, want %v containing %q", what, err, target, msg)
	}
}

func eq(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(bondDec(want)) {
		t.Errorf("%s = %s, want %s", what, got.StringFixed(2), want)
	}
}

// yearlyPlan is a plan of one kind, the same amount every year.
func yearlyPlan(project, kind, amount string, from, to int) []funding.BondRevenuePlanLine {
	var out []funding.BondRevenuePlanLine
	for y := from; y <= to; y++ {
		out = append(out, funding.BondRevenuePlanLine{Project: project, Year: y, Kind: kind, Amount: bondDec(amount), Row: y - from + 1})
	}
	return out
}

// TestBondLifecycle follows a 10-year bullet bond with annual interest:
// 10,000,000.00 at 3.5% from 2020-07-01 (350,000.00 a year, principal on
// 2030-07-01), allocated to two 环翠区 projects, from registration to the
// report as of 2022-12-31, between the due dates 2022-07-01 (accrued, not
// paid) and 2023-07-01.
func TestBondLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newBondProgramme(t)
	// P1: basic 12,000,000.00 → bond commitment 6,000,000.00; P2: basic
	// 10,000,000.00 → 5,000,000.00. P3 in 荣成市, whose own rule set gives
	// bond no share.
	bondProject(t, p, "WH-B-P1", "环翠区", "12000000.00")
	bondProject(t, p, "WH-B-P2", "环翠区", "10000000.00")
	if _, _, err := p.LoadRuleSet(ctx, "testdata/bonds/rules-nobond.yaml", "bureau"); err != nil {
		t.Fatal(err)
	}
	bondProject(t, p, "WH-B-P3", "荣成市", "1000000.00")

	in := funding.BondInput{Code: "2020-SD-ZX-01", Name: "2020年山东省城镇老旧小区改造专项债券（一期）", IssueDate: bondDate("2020-07-01"),
		Principal: bondDec("10000000.00"), CouponRatePct: bondDec("3.5"), TermYears: 10, Frequency: "annual", Repayment: "bullet",
		ReserveBankAccount: bondBank}
	b, err := p.RegisterBond(ctx, in, "bureau")
	if err != nil {
		t.Fatal(err)
	}
	if !b.InterestStart.Equal(bondDate("2020-07-01")) || !b.Maturity().Equal(bondDate("2030-07-01")) || b.Issued {
		t.Errorf("registered: %+v, maturity %s", b, b.Maturity())
	}
	if again, err := p.RegisterBond(ctx, in, "bureau"); err != nil || again.Code != b.Code {
		t.Errorf("register again: %v", err)
	}
	other := in
	other.CouponRatePct = bondDec("3.6")
	_, err = p.RegisterBond(ctx, other, "bureau")
	wantErr(t, "register with other terms", err, funding.ErrExists, "other terms")
	s, err := p.BondSchedule(ctx, b.Code, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != 1 || len(s.Lines) != 10 || !s.TotalInterest.Equal(bondDec("3500000.00")) || s.Rounding != funding.BondRounding {
		t.Errorf("schedule: version %d, %d lines, interest %s", s.Version, len(s.Lines), s.TotalInterest)
	}

	alloc := funding.BondAllocationRequest{Bond: b.Code, Project: "WH-B-P1", Amount: bondDec("6000000.00"), AllocatedOn: bondDate("2020-07-10"),
		IdempotencyKey: "alloc-p1", Actor: "bureau"}
	_, err = p.AllocateBond(ctx, alloc)
	wantErr(t, "allocate before the issue", err, funding.ErrStatus, "not issued yet")

	iss, err := p.IssueBond(ctx, funding.BondIssueRequest{Bond: b.Code, Reference: "财政部-2020-0701", Actor: "bureau"})
	if err != nil {
		t.Fatal(err)
	}
	if iss.Replayed || !iss.IssuedOn.Equal(bondDate("2020-07-01")) || iss.FinancialEntry == 0 || iss.BudgetEntry == 0 {
		t.Errorf("issue: %+v", iss)
	}
	if again, err := p.IssueBond(ctx, funding.BondIssueRequest{Bond: b.Code, Actor: "bureau"}); err != nil || !again.Replayed || again.FinancialEntry != iss.FinancialEntry {
		t.Errorf("issue again: %+v %v", again, err)
	}
	bondBalance(t, p, "bond:2020-SD-ZX-01:proceeds", "10000000.00")
	bondBalance(t, p, "bond:2020-SD-ZX-01:principal", "10000000.00")
	bondBalance(t, p, "budget:bond:2020-SD-ZX-01:proceeds", "10000000.00")
	bondBalance(t, p, "budget:bond:2020-SD-ZX-01:debt_revenue", "10000000.00")

	// Allocations: never above the project's bond commitment, never above
	// the proceeds left, never to a project without a bond share.
	over := alloc
	over.Amount, over.IdempotencyKey = bondDec("6000000.01"), "alloc-p1-over"
	_, err = p.AllocateBond(ctx, over)
	wantErr(t, "allocate above the commitment", err, funding.ErrExceedsCommitment, "6000000.01 exceeds the project's outstanding bond commitment of 6000000.00")
	nobond := alloc
	nobond.Project, nobond.Amount, nobond.IdempotencyKey = "WH-B-P3", bondDec("1.00"), "alloc-p3"
	_, err = p.AllocateBond(ctx, nobond)
	wantErr(t, "allocate to a project without a bond share", err, funding.ErrNotEarmarked, "has no share for source bond (专项债券)")
	a1, err := p.AllocateBond(ctx, alloc)
	if err != nil {
		t.Fatal(err)
	}
	if a2, err := p.AllocateBond(ctx, alloc); err != nil || !a2.Replayed || a2.ID != a1.ID {
		t.Errorf("allocation replayed: %+v %v", a2, err)
	}
	conflict := alloc
	conflict.Amount = bondDec("5.00")
	_, err = p.AllocateBond(ctx, conflict)
	wantErr(t, "same key, other allocation", err, ledger.ErrIdempotencyConflict, `key "alloc-p1" was used by allocation`)
	p2 := funding.BondAllocationRequest{Bond: b.Code, Project: "WH-B-P2", Amount: bondDec("4000000.01"), AllocatedOn: bondDate("2020-07-10"),
		IdempotencyKey: "alloc-p2", Actor: "bureau"}
	_, err = p.AllocateBond(ctx, p2)
	wantErr(t, "allocate above the proceeds left", err, funding.ErrExceedsProceeds, "4000000.01 exceeds the 4000000.00 of proceeds not yet allocated")
	p2.Amount = bondDec("4000000.00")
	if _, err := p.AllocateBond(ctx, p2); err != nil {
		t.Fatal(err)
	}
	// The allocation is the projects' receipt for source bond.
	bondBalance(t, p, "cash:huancui:WH-B-P1:bond", "6000000.00")
	bondBalance(t, p, "revenue:huancui:WH-B-P1:bond", "6000000.00")
	bondBalance(t, p, "budget:receivable:huancui:WH-B-P1:bond", "0.00")
	bondBalance(t, p, "budget:available:huancui:WH-B-P2:bond", "4000000.00")
	bondBalance(t, p, "budget:receivable:huancui:WH-B-P2:bond", "1000000.00")
	bondBalance(t, p, "bond:2020-SD-ZX-01:proceeds", "0.00")
	bondBalance(t, p, "bond:2020-SD-ZX-01:transferred", "10000000.00")
	bondBalance(t, p, "budget:bond:2020-SD-ZX-01:transferred", "10000000.00")
	rep, err := p.ProjectReport(ctx, "WH-B-P1", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range rep.Sources {
		if sp.Source == "bond" && (!sp.Received.Equal(bondDec("6000000.00")) || !sp.Available.Equal(bondDec("6000000.00")) || !sp.Outstanding.IsZero()) {
			t.Errorf("project report, bond: %+v", sp)
		}
	}
	// Bond money is earmarked: it pays basic works like any source.
	if err := p.AddBankAccount(ctx, funding.BankAccount{Code: "BOC-HC-BOND", Name: "环翠区项目专户"}, "bureau"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Disburse(ctx, funding.DisbursementRequest{Project: "WH-B-P1", Source: "bond", Category: "basic", Amount: bondDec("1000000.00"),
		PaidOn: bondDate("2020-09-01"), Payee: "威海某建设公司", BankAccount: "BOC-HC-BOND", IdempotencyKey: "pay-p1-1", Actor: "officer"}); err != nil {
		t.Fatal(err)
	}
	bondBalance(t, p, "cash:huancui:WH-B-P1:bond", "5000000.00")

	// Revenue into the reserve: 300,000.00 parking of P1, 100,000.00 rent of P2.
	rv, err := p.RecordBondRevenue(ctx, funding.BondRevenueRequest{Project: "WH-B-P1", Kind: "停车", Amount: bondDec("300000.00"),
		ReceivedOn: bondDate("2021-03-01"), BankAccount: bondBank, IdempotencyKey: "rev-p1-2021", Actor: "officer"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rv.Split) != 1 || rv.Split[0].Bond != b.Code || !rv.Split[0].Amount.Equal(bondDec("300000.00")) {
		t.Errorf("revenue split: %+v", rv.Split)
	}
	if _, err := p.RecordBondRevenue(ctx, funding.BondRevenueRequest{Project: "WH-B-P2", Bond: b.Code, Kind: "rent", Amount: bondDec("100000.00"),
		ReceivedOn: bondDate("2021-04-01"), IdempotencyKey: "rev-p2-2021", Actor: "officer"}); err != nil {
		t.Fatal(err)
	}
	_, err = p.RecordBondRevenue(ctx, funding.BondRevenueRequest{Project: "WH-B-P3", Kind: "rent", Amount: bondDec("1.00"),
		ReceivedOn: bondDate("2021-04-01"), IdempotencyKey: "rev-p3", Actor: "officer"})
	wantErr(t, "revenue of a project without bond money", err, funding.ErrNotEarmarked, "no allocation from any bond")
	_, err = p.RecordBondRevenue(ctx, funding.BondRevenueRequest{Project: "WH-B-P1", Kind: "lottery", Amount: bondDec("1.00"),
		ReceivedOn: bondDate("2021-04-01"), IdempotencyKey: "rev-p1-x", Actor: "officer"})
	wantErr(t, "unknown revenue kind", err, funding.ErrInvalid, `revenue kind "lottery"`)
	bondBalance(t, p, "bond:2020-SD-ZX-01:reserve", "400000.00")
	bondBalance(t, p, "bond:2020-SD-ZX-01:revenue:WH-B-P1:parking", "300000.00")
	bondBalance(t, p, "budget:bond:2020-SD-ZX-01:reserve", "400000.00")

	// The first year's interest, 350,000.00, from the reserve.
	_, err = p.PayBond(ctx, funding.BondPaymentRequest{Bond: b.Code, DueDate: bondDate("2022-07-01"), Actor: "bureau"})
	wantErr(t, "pay out of order", err, funding.ErrStatus, "the payment due on 2021-07-01 (350000.00) is not recorded")
	_, err = p.PayBond(ctx, funding.BondPaymentRequest{Bond: b.Code, DueDate: bondDate("2021-07-02"), Actor: "bureau"})
	wantErr(t, "pay a date that is not due", err, funding.ErrNotFound, "nothing is due on 2021-07-02")
	pay, err := p.PayBond(ctx, funding.BondPaymentRequest{Bond: b.Code, DueDate: bondDate("2021-07-01"), Reference: "国库-2021-0701", Actor: "bureau"})
	if err != nil {
		t.Fatal(err)
	}
	if !pay.Interest.Equal(bondDec("350000.00")) || !pay.Principal.IsZero() || pay.Backstop != "" || len(pay.AccrualEntries) != 1 ||
		!pay.ReserveAvailable.Equal(bondDec("400000.00")) {
		t.Errorf("payment: %+v", pay)
	}
	if again, err := p.PayBond(ctx, funding.BondPaymentRequest{Bond: b.Code, DueDate: bondDate("2021-07-01"), Actor: "bureau"}); err != nil ||
		!again.Replayed || again.FinancialEntry != pay.FinancialEntry {
		t.Errorf("payment again: %+v %v", again, err)
	}
	bondBalance(t, p, "bond:2020-SD-ZX-01:reserve", "50000.00")
	bondBalance(t, p, "bond:2020-SD-ZX-01:interest_payable", "0.00")
	bondBalance(t, p, "bond:2020-SD-ZX-01:interest_expense", "350000.00")
	bondBalance(t, p, "budget:bond:2020-SD-ZX-01:interest_paid", "350000.00")
	bondBalance(t, p, "budget:bond:2020-SD-ZX-01:reserve", "50000.00")

	// Accrue the 2022 interest, not paid.
	acc, err := p.AccrueBondInterest(ctx, b.Code, bondDate("2022-12-31"), "bureau")
	if err != nil || len(acc) != 1 || !acc[0].DueDate.Equal(bondDate("2022-07-01")) || !acc[0].Interest.Equal(bondDec("350000.00")) {
		t.Fatalf("accrual: %+v %v", acc, err)
	}
	if acc, err := p.AccrueBondInterest(ctx, b.Code, bondDate("2022-12-31"), "bureau"); err != nil || len(acc) != 0 {
		t.Errorf("accrual again: %+v %v", acc, err)
	}
	bondBalance(t, p, "bond:2020-SD-ZX-01:interest_payable", "350000.00")

	// Plans: P1 700,000.00 parking a year, P2 300,000.00 rent a year, 2021–2030.
	lines := append(yearlyPlan("WH-B-P1", "parking", "700000.00", 2021, 2030), yearlyPlan("WH-B-P2", "rent", "300000.00", 2021, 2030)...)
	if _, err := p.ImportBondRevenuePlans(ctx, "plans.json", lines, bondDate("2020-06-30"), "bureau"); err != nil {
		t.Fatal(err)
	}

	// The report as of 2022-12-31, by hand:
	//   principal 10,000,000.00 issued, nothing repaid; interest accrued
	//   700,000.00, paid 350,000.00; the 2022-07-01 interest is overdue; next
	//   date 2023-07-01 with 350,000.00; reserve 50,000.00.
	//   Remaining interest 3,500,000.00 − 350,000.00 = 3,150,000.00.
	//   Expected revenue to date: 2 years × (700,000 + 300,000) = 2,000,000.00;
	//   actual 400,000.00.
	//   Remaining expected revenue to maturity 2030-07-01 (day 182 of 365):
	//   P1 7 × 700,000 + 700,000 × 182/365 (349,041.0958… → 349,041.10) =
	//   5,249,041.10; P2 2,100,000 + 149,589.04 = 2,249,589.04; in all
	//   7,498,630.14.
	//   Coverage (7,498,630.14 + 50,000.00) ÷ (10,000,000.00 + 3,150,000.00)
	//   = 0.57404… → 0.5740, below 1.2; the overdue 350,000.00 exceeds the
	//   reserve at the end of 2022: first shortfall year 2022.
	//   Per project (by allocation 6:4): P1 reserve 30,000.00, principal
	//   6,000,000.00, interest 1,890,000.00: (5,249,041.10 + 30,000) ÷
	//   7,890,000 = 0.66907… → 0.6690; P2 (2,249,589.04 + 20,000) ÷ 5,260,000
	//   = 0.43148… → 0.4314.
	r, err := p.BondReport(ctx, funding.BondReportOptions{AsOf: bondDate("2022-12-31")})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Bonds) != 1 || len(r.Projects) != 2 || len(r.Districts) != 1 || !r.Threshold.Equal(bondDec("1.2")) {
		t.Fatalf("report shape: %d bonds, %d projects, %d districts", len(r.Bonds), len(r.Projects), len(r.Districts))
	}
	bp := r.Bonds[0]
	eq(t, "issued", bp.Issued, "10000000.00")
	eq(t, "repaid", bp.Repaid, "0")
	eq(t, "outstanding", bp.Outstanding, "10000000.00")
	eq(t, "interest accrued", bp.InterestAccrued, "700000.00")
	eq(t, "interest paid", bp.InterestPaid, "350000.00")
	eq(t, "interest payable", bp.InterestPayable, "350000.00")
	eq(t, "overdue", bp.Overdue, "350000.00")
	eq(t, "next interest", bp.NextInterest, "350000.00")
	eq(t, "next principal", bp.NextPrincipal, "0")
	if !bp.NextDueDate.Equal(bondDate("2023-07-01")) {
		t.Errorf("next due %s", bp.NextDueDate)
	}
	eq(t, "actual revenue", bp.ActualRevenue, "400000.00")
	eq(t, "expected revenue", bp.ExpectedRevenue, "2000000.00")
	c := bp.Coverage
	eq(t, "reserve", c.Reserve, "50000.00")
	eq(t, "remaining revenue", c.RemainingRevenue, "7498630.14")
	eq(t, "remaining principal", c.RemainingPrincipal, "10000000.00")
	eq(t, "remaining interest", c.RemainingInterest, "3150000.00")
	if !c.Ratio.Valid || !c.Ratio.Decimal.Equal(bondDec("0.5740")) || !c.Below || c.FirstShortfallYear != 2022 {
		t.Errorf("bond coverage: %+v", c)
	}
	p1, p2r := r.Projects[0], r.Projects[1]
	if p1.Code != "WH-B-P1" || !p1.Coverage.Ratio.Decimal.Equal(bondDec("0.6690")) || !p1.Coverage.Reserve.Equal(bondDec("30000.00")) ||
		!p1.Coverage.RemainingInterest.Equal(bondDec("1890000.00")) || !p1.ActualRevenue.Equal(bondDec("300000.00")) ||
		!p1.ExpectedRevenue.Equal(bondDec("1400000.00")) || p1.PlanVersion != 1 {
		t.Errorf("P1: %+v", p1)
	}
	if p2r.Code != "WH-B-P2" || !p2r.Coverage.Ratio.Decimal.Equal(bondDec("0.4314")) || !p2r.Allocated.Equal(bondDec("4000000.00")) {
		t.Errorf("P2: %+v", p2r)
	}
	d := r.Districts[0]
	if d.Code != "huancui" || !d.Coverage.Ratio.Decimal.Equal(bondDec("0.5740")) || !d.Allocated.Equal(bondDec("10000000.00")) {
		t.Errorf("district: %+v", d)
	}
	if !r.Total.Coverage.Ratio.Decimal.Equal(bondDec("0.5740")) {
		t.Errorf("total: %+v", r.Total)
	}
	// As of the day before the issue the bond is not in the report.
	if early, err := p.BondReport(ctx, funding.BondReportOptions{AsOf: bondDate("2020-06-30")}); err != nil || len(early.Bonds) != 0 {
		t.Errorf("before the issue: %+v %v", early.Bonds, err)
	}

	// The database keeps the register append-only, and refuses at commit a
	// schedule version whose repayments do not add up to the principal.
	db := p.Ledger().DB()
	_, err = db.ExecContext(ctx, `UPDATE bonds SET coupon_rate_pct = 1 WHERE code = $1`, b.Code)
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("update of the register: %v", err)
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, q := range []string{
		`INSERT INTO bond_schedules (bond, version, effective_on, repayment, rounding, total_interest, reason, created_by)
		 VALUES ($1, 9, '2023-01-01', 'custom', 'raw', 350000.00, 'raw SQL', 'intruder')`,
		`INSERT INTO bond_schedule_lines VALUES ($1, 9, 1, '2020-07-01', '2021-07-01', 10000000.00, 350000.00, 9999999.99)`,
	} {
		if _, err := tx.ExecContext(ctx, q, b.Code); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err == nil || !strings.Contains(err.Error(), "principal repayments add up to 9999999.99, not to the principal 10000000.00") {
		t.Errorf("incomplete schedule committed: %v", err)
	}
}

// TestBondBackstop: a 30-year bond of 100,000,000.00 at 3.76% with semi-
// annual interest (1,880,000.00 each half year). The reserve holds
// 1,500,000.00 on the first due date: the payment is refused, then paid
// with the district budget topping up exactly the 380,000.00 shortfall, in
// a separate entry that says so. The report as of 2021-03-31 falls between
// the due dates 2021-01-01 and 2021-07-01.
func TestBondBackstop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newBondProgramme(t)
	bondProject(t, p, "WH-B-BIG", "文登区", "200000000.00") // bond commitment 100,000,000.00
	b, err := p.RegisterBond(ctx, funding.BondInput{Code: "2020-SD-ZX-30Y", Name: "30年期专项债券", IssueDate: bondDate("2020-07-01"),
		Principal: bondDec("100000000.00"), CouponRatePct: bondDec("3.76"), TermYears: 30, Frequency: "semi-annual", Repayment: "bullet",
		ReserveBankAccount: bondBank}, "bureau")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.IssueBond(ctx, funding.BondIssueRequest{Bond: b.Code, Actor: "bureau"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.AllocateBond(ctx, funding.BondAllocationRequest{Bond: b.Code, Project: "WH-B-BIG", Amount: bondDec("100000000.00"),
		AllocatedOn: bondDate("2020-07-02"), IdempotencyKey: "alloc-big", Actor: "bureau"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.RecordBondRevenue(ctx, funding.BondRevenueRequest{Project: "WH-B-BIG", Kind: "charging", Amount: bondDec("1500000.00"),
		ReceivedOn: bondDate("2020-12-15"), IdempotencyKey: "rev-big-1", Actor: "officer"}); err != nil {
		t.Fatal(err)
	}
	// Revenue arriving after the due date cannot pay it.
	if _, err := p.RecordBondRevenue(ctx, funding.BondRevenueRequest{Project: "WH-B-BIG", Kind: "parking", Amount: bondDec("100000.00"),
		ReceivedOn: bondDate("2021-01-05"), IdempotencyKey: "rev-big-2", Actor: "officer"}); err != nil {
		t.Fatal(err)
	}
	req := funding.BondPaymentRequest{Bond: b.Code, DueDate: bondDate("2021-01-01"), Actor: "bureau"}
	_, err = p.PayBond(ctx, req)
	wantErr(t, "payment above the reserve", err, funding.ErrReserveShortfall,
		"interest 1880000.00 + principal 0.00 = 1880000.00 exceeds the repayment reserve of 1500000.00 available on 2021-01-01 by 380000.00")
	bondBalance(t, p, "bond:2020-SD-ZX-30Y:interest_payable", "0.00") // the refused payment accrued nothing either
	req.Backstop = "lottery"
	_, err = p.PayBond(ctx, req)
	wantErr(t, "unknown backstop", err, funding.ErrInvalid, `backstop source "lottery"`)
	req.Backstop, req.Reference = "区市财政", "文登区财政局-2021-001"
	pay, err := p.PayBond(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if pay.Backstop != funding.BackstopDistrictBudget || !pay.BackstopAmount.Equal(bondDec("380000.00")) || !pay.ReserveAvailable.Equal(bondDec("1500000.00")) ||
		pay.BackstopFinancialEntry == 0 || pay.BackstopFinancialEntry == pay.FinancialEntry {
		t.Errorf("payment with backstop: %+v", pay)
	}
	top, err := p.Ledger().Entry(ctx, pay.BackstopFinancialEntry)
	if err != nil {
		t.Fatal(err)
	}
	if top.Metadata["kind"] != "bond_backstop" || top.Metadata["backstop_source"] != "district_budget" || top.Metadata["shortfall"] != "380000.00" ||
		top.Metadata["reference"] != "文登区财政局-2021-001" || len(top.Postings) != 2 || top.Postings[0].AccountCode != "bond:2020-SD-ZX-30Y:reserve" {
		t.Errorf("top-up entry: %+v", top)
	}
	bondBalance(t, p, "bond:2020-SD-ZX-30Y:backstop:district_budget", "380000.00")
	bondBalance(t, p, "budget:bond:2020-SD-ZX-30Y:backstop", "380000.00")
	bondBalance(t, p, "bond:2020-SD-ZX-30Y:reserve", "100000.00") // the 2021-01-05 revenue
	if ps, err := p.BondPayments(ctx, b.Code); err != nil || len(ps) != 1 || ps[0].Backstop != "district_budget" || !ps[0].BackstopAmount.Equal(bondDec("380000.00")) {
		t.Errorf("payments: %+v %v", ps, err)
	}

	// As of 2021-03-31: one coupon accrued and paid, the next on 2021-07-01.
	r, err := p.BondReport(ctx, funding.BondReportOptions{AsOf: bondDate("2021-03-31")})
	if err != nil {
		t.Fatal(err)
	}
	bp := r.Bonds[0]
	eq(t, "accrued", bp.InterestAccrued, "1880000.00")
	eq(t, "paid", bp.InterestPaid, "1880000.00")
	eq(t, "overdue", bp.Overdue, "0")
	eq(t, "backstop", bp.Backstop, "380000.00")
	eq(t, "next interest", bp.NextInterest, "1880000.00")
	eq(t, "actual revenue", bp.ActualRevenue, "1600000.00")
	eq(t, "remaining interest", bp.Coverage.RemainingInterest, "110920000.00") // 59 × 1,880,000.00
	if !bp.NextDueDate.Equal(bondDate("2021-07-01")) || !bp.Maturity.Equal(bondDate("2050-07-01")) {
		t.Errorf("next due %s, maturity %s", bp.NextDueDate, bp.Maturity)
	}
	// No plan: nothing expected, coverage = reserve ÷ debt service, and the
	// reserve runs out in 2021.
	if !bp.Coverage.Below || bp.Coverage.FirstShortfallYear != 2021 || !bp.Coverage.Ratio.Decimal.Equal(bondDec("0.0004")) {
		t.Errorf("coverage: %+v", bp.Coverage)
	}
	if len(r.Districts) != 1 || r.Districts[0].Code != "wendeng" {
		t.Errorf("districts: %+v", r.Districts)
	}
}

// TestBondCoverageThreshold: three 3-year bullet bonds of 1,000,000.00 at
// 5% (50,000.00 a year, principal on 2023-12-31), each funding one project
// in full. As of 2020-12-31 the debt service left is 3 × 50,000.00 +
// 1,000,000.00 = 1,150,000.00 per bond, × 1.2 = 1,380,000.00.
//
//	A: plan 460,000.00 + 460,000.00 + 460,000.01 = 1,380,000.01: ratio
//	   1.20000000869… → 1.2000, not flagged; the projected reserve stays
//	   positive (410,000.00, 820,000.00, 230,000.01).
//	B: the same with 459,999.99 in 2023: 1,379,999.99, ratio 1.19999999…
//	   → 1.1999, flagged.
//	C: (文登区) 2,000,000.00 in 2023 only: ratio 1.7391, not flagged, but
//	   the 2021 interest finds an empty reserve: first shortfall year 2021.
//
// 环翠区 (A + B): 2,760,000.00 ÷ 2,300,000.00 = 1.2 exactly, not flagged.
func TestBondCoverageThreshold(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newBondProgramme(t)
	plans := map[string][]string{"A": {"460000.00", "460000.00", "460000.01"}, "B": {"460000.00", "460000.00", "459999.99"}, "C": {"0", "0", "2000000.00"}}
	var lines []funding.BondRevenuePlanLine
	for _, x := range []string{"A", "B", "C"} {
		district := "环翠区"
		if x == "C" {
			district = "文登区"
		}
		project, code := "WH-COV-"+x, "BOND-COV-"+x
		bondProject(t, p, project, district, "2000000.00")
		if _, err := p.RegisterBond(ctx, funding.BondInput{Code: code, Name: "coverage " + x, IssueDate: bondDate("2020-12-31"),
			Principal: bondDec("1000000.00"), CouponRatePct: bondDec("5"), TermYears: 3, Frequency: "annual", Repayment: "bullet"}, "bureau"); err != nil {
			t.Fatal(err)
		}
		if _, err := p.IssueBond(ctx, funding.BondIssueRequest{Bond: code, Actor: "bureau"}); err != nil {
			t.Fatal(err)
		}
		if _, err := p.AllocateBond(ctx, funding.BondAllocationRequest{Bond: code, Project: project, Amount: bondDec("1000000.00"),
			AllocatedOn: bondDate("2020-12-31"), IdempotencyKey: "alloc-" + x, Actor: "bureau"}); err != nil {
			t.Fatal(err)
		}
		for i, amt := range plans[x] {
			lines = append(lines, funding.BondRevenuePlanLine{Project: project, Year: 2021 + i, Kind: "parking", Amount: bondDec(amt), Row: len(lines) + 1})
		}
	}
	if _, err := p.ImportBondRevenuePlans(ctx, "coverage.csv", lines, bondDate("2020-12-01"), "bureau"); err != nil {
		t.Fatal(err)
	}
	r, err := p.BondReport(ctx, funding.BondReportOptions{AsOf: bondDate("2020-12-31")})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		ratio     string
		below     bool
		shortfall int
	}{"BOND-COV-A": {"1.2000", false, 0}, "BOND-COV-B": {"1.1999", true, 0}, "BOND-COV-C": {"1.7391", false, 2021}}
	for _, bp := range r.Bonds {
		w := want[bp.Bond.Code]
		c := bp.Coverage
		if !c.Ratio.Valid || !c.Ratio.Decimal.Equal(bondDec(w.ratio)) || c.Below != w.below || c.FirstShortfallYear != w.shortfall {
			t.Errorf("%s: ratio %s below %v shortfall %d; want %s %v %d", bp.Bond.Code, c.Ratio.Decimal, c.Below, c.FirstShortfallYear, w.ratio, w.below, w.shortfall)
		}
		eq(t, bp.Bond.Code+" debt service", c.RemainingDebtService(), "1150000.00")
	}
	if len(r.Districts) != 2 || r.Districts[0].Code != "huancui" || !r.Districts[0].Coverage.Ratio.Decimal.Equal(bondDec("1.2000")) ||
		r.Districts[0].Coverage.Below || r.Districts[1].Code != "wendeng" {
		t.Errorf("districts: %+v", r.Districts)
	}
	eq(t, "huancui remaining revenue", r.Districts[0].Coverage.RemainingRevenue, "2760000.00")
	// A stricter threshold flags everything but C.
	strict, err := p.BondReport(ctx, funding.BondReportOptions{AsOf: bondDate("2020-12-31"), Threshold: bondDec("1.3")})
	if err != nil {
		t.Fatal(err)
	}
	for _, bp := range strict.Bonds {
		if bp.Coverage.Below != (bp.Bond.Code != "BOND-COV-C") {
			t.Errorf("threshold 1.3: %s below = %v", bp.Bond.Code, bp.Coverage.Below)
		}
	}
	_, err = p.BondReport(ctx, funding.BondReportOptions{AsOf: bondDate("2020-12-31"), Threshold: bondDec("1.23456")})
	wantErr(t, "threshold with five decimals", err, funding.ErrInvalid, "threshold 1.23456")
}

// TestBondAmortisingPayments pays the first two dates of the amortising
// bond of TestBondScheduleAmortising (10,000,000.00 at 3.47%, semi-annual,
// 3 years) and revises its schedule. After two payments: principal repaid
// 2 × 1,666,666.66 = 3,333,333.32, outstanding 6,666,666.68; interest paid
// 173,500.00 + 144,583.33 = 318,083.33, remaining 607,250.00 − 318,083.33 =
// 289,166.67; next date 2022-09-15: 115,666.67 interest, 1,666,666.66
// principal.
func TestBondAmortisingPayments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newBondProgramme(t)
	bondProject(t, p, "WH-AM-1", "高区", "20000000.00")
	b, err := p.RegisterBond(ctx, funding.BondInput{Code: "BOND-AM", Name: "amortising", IssueDate: bondDate("2021-03-15"),
		Principal: bondDec("10000000.00"), CouponRatePct: bondDec("3.47"), TermYears: 3, Frequency: "semi_annual", Repayment: "amortising"}, "bureau")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.IssueBond(ctx, funding.BondIssueRequest{Bond: b.Code, Actor: "bureau"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.AllocateBond(ctx, funding.BondAllocationRequest{Bond: b.Code, Project: "WH-AM-1", Amount: bondDec("10000000.00"),
		AllocatedOn: bondDate("2021-03-16"), IdempotencyKey: "alloc-am", Actor: "bureau"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.RecordBondRevenue(ctx, funding.BondRevenueRequest{Project: "WH-AM-1", Kind: "elevator", Amount: bondDec("4000000.00"),
		ReceivedOn: bondDate("2021-09-01"), IdempotencyKey: "rev-am", Actor: "officer"}); err != nil {
		t.Fatal(err)
	}
	for _, due := range []string{"2021-09-15", "2022-03-15"} {
		if _, err := p.PayBond(ctx, funding.BondPaymentRequest{Bond: b.Code, DueDate: bondDate(due), Actor: "bureau"}); err != nil {
			t.Fatal(err)
		}
	}
	// 4,000,000.00 − 1,840,166.66 − 1,811,249.99 = 348,583.35 left.
	bondBalance(t, p, "bond:BOND-AM:reserve", "348583.35")
	bondBalance(t, p, "bond:BOND-AM:principal", "6666666.68")
	bondBalance(t, p, "budget:bond:BOND-AM:principal_repaid", "3333333.32")
	r, err := p.BondReport(ctx, funding.BondReportOptions{AsOf: bondDate("2022-06-30")})
	if err != nil {
		t.Fatal(err)
	}
	bp := r.Bonds[0]
	eq(t, "repaid", bp.Repaid, "3333333.32")
	eq(t, "outstanding", bp.Outstanding, "6666666.68")
	eq(t, "interest paid", bp.InterestPaid, "318083.33")
	eq(t, "remaining interest", bp.Coverage.RemainingInterest, "289166.67")
	eq(t, "remaining principal", bp.Coverage.RemainingPrincipal, "6666666.68")
	eq(t, "next interest", bp.NextInterest, "115666.67")
	eq(t, "next principal", bp.NextPrincipal, "1666666.66")
	if !bp.NextDueDate.Equal(bondDate("2022-09-15")) {
		t.Errorf("next due %s", bp.NextDueDate)
	}

	// A revision may not change what was paid …
	_, err = p.ReviseBondSchedule(ctx, funding.BondRevisionRequest{Bond: b.Code, EffectiveOn: bondDate("2022-06-30"), Repayment: "bullet",
		Reason: "重新安排 rescheduled", Actor: "bureau"})
	wantErr(t, "revision changing a paid period", err, funding.ErrStatus, "the period due on 2021-09-15 was already accrued or paid")
	// … but may move the rest: the same two repayments, then all that is
	// left (6,666,666.68) at maturity. Interest on 6,666,666.68 × 1.735% =
	// 115,666.67 for each of the 4 remaining periods.
	rev, err := p.ReviseBondSchedule(ctx, funding.BondRevisionRequest{Bond: b.Code, EffectiveOn: bondDate("2022-06-30"), Repayment: "custom",
		Custom: []funding.BondPrincipalInput{{Date: bondDate("2021-09-15"), Amount: bondDec("1666666.66")}, {Date: bondDate("2022-03-15"), Amount: bondDec("1666666.66")},
			{Date: bondDate("2024-03-15"), Amount: bondDec("6666666.68")}},
		Reason: "项目收益延后 revenue later than planned", Actor: "bureau"})
	if err != nil {
		t.Fatal(err)
	}
	if rev.Version != 2 || len(rev.Lines) != 6 || !rev.Lines[5].Principal.Equal(bondDec("6666666.68")) || !rev.Lines[3].Interest.Equal(bondDec("115666.67")) {
		t.Errorf("revision: %+v", rev)
	}
	// The report before the revision's date still uses version 1.
	if old, err := p.BondReport(ctx, funding.BondReportOptions{AsOf: bondDate("2022-06-29")}); err != nil || old.Bonds[0].ScheduleVersion != 1 {
		t.Errorf("report before the revision: %v", err)
	}
	r2, err := p.BondReport(ctx, funding.BondReportOptions{AsOf: bondDate("2022-06-30")})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Bonds[0].ScheduleVersion != 2 || !r2.Bonds[0].NextPrincipal.IsZero() {
		t.Errorf("report after the revision: %+v", r2.Bonds[0])
	}
	eq(t, "remaining interest after revision", r2.Bonds[0].Coverage.RemainingInterest, "462666.68") // 4 × 115,666.67
}

// TestBondRevenueSplitAndPlans: revenue of a project funded by two bonds
// (allocations 2,000,000.00 and 1,000,000.00) is split 2:1 by the largest
// remainder: 100.00 → 66.666… and 33.333… → 66.66 + 33.33, the spare fen
// to the larger remainder → 66.67 and 33.33. Plans are read from CSV
// (UTF-8 and GBK) and JSON to the same content, stored once, and a changed
// plan is a new version.
func TestBondRevenueSplitAndPlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newBondProgramme(t)
	bondProject(t, p, "WH-B-P1", "经区", "6000000.00")
	bondProject(t, p, "WH-B-P2", "经区", "1000000.00")
	for i, code := range []string{"BOND-S1", "BOND-S2"} {
		amt := []string{"2000000.00", "1000000.00"}[i]
		if _, err := p.RegisterBond(ctx, funding.BondInput{Code: code, Name: code, IssueDate: bondDate("2021-01-01"), Principal: bondDec(amt),
			CouponRatePct: bondDec("3"), TermYears: 5, Frequency: "annual", Repayment: "bullet"}, "bureau"); err != nil {
			t.Fatal(err)
		}
		if _, err := p.IssueBond(ctx, funding.BondIssueRequest{Bond: code, Actor: "bureau"}); err != nil {
			t.Fatal(err)
		}
		if _, err := p.AllocateBond(ctx, funding.BondAllocationRequest{Bond: code, Project: "WH-B-P1", Amount: bondDec(amt),
			AllocatedOn: bondDate("2021-01-02"), IdempotencyKey: "alloc-" + code, Actor: "bureau"}); err != nil {
			t.Fatal(err)
		}
	}
	rv, err := p.RecordBondRevenue(ctx, funding.BondRevenueRequest{Project: "WH-B-P1", Kind: "advertising", Amount: bondDec("100.00"),
		ReceivedOn: bondDate("2021-02-01"), IdempotencyKey: "rev-split", Actor: "officer"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rv.Split) != 2 || !rv.Split[0].Amount.Equal(bondDec("66.67")) || !rv.Split[1].Amount.Equal(bondDec("33.33")) {
		t.Errorf("split: %+v", rv.Split)
	}
	bondBalance(t, p, "bond:BOND-S1:revenue:WH-B-P1:advertising", "66.67")
	bondBalance(t, p, "bond:BOND-S2:reserve", "33.33")
	if again, err := p.RecordBondRevenue(ctx, funding.BondRevenueRequest{Project: "WH-B-P1", Kind: "广告", Amount: bondDec("100.00"),
		ReceivedOn: bondDate("2021-02-01"), IdempotencyKey: "rev-split", Actor: "officer"}); err != nil || !again.Replayed {
		t.Errorf("revenue again: %+v %v", again, err)
	}

	read := func(name string) []funding.BondRevenuePlanLine {
		t.Helper()
		data, err := os.ReadFile("testdata/bonds/" + name)
		if err != nil {
			t.Fatal(err)
		}
		ls, err := funding.ParseBondRevenuePlan(name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return ls
	}
	csvLines, gbkLines, jsonLines := read("plan.csv"), read("plan-gbk.csv"), read("plan.json")
	if len(csvLines) != 5 || csvLines[0].Kind != "parking" || !csvLines[0].Amount.Equal(bondDec("100000.00")) || csvLines[0].Row != 2 {
		t.Errorf("csv: %+v", csvLines)
	}
	if fmt.Sprint(csvLines) != fmt.Sprint(gbkLines) {
		t.Errorf("GBK differs from UTF-8:\n%v\n%v", gbkLines, csvLines)
	}
	first, err := p.ImportBondRevenuePlans(ctx, "plan.csv", csvLines, bondDate("2021-01-01"), "bureau")
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 2 || first[0].Version != 1 || first[0].Unchanged || !first[0].Total.Equal(bondDec("240000.00")) {
		t.Errorf("first import: %+v", first)
	}
	same, err := p.ImportBondRevenuePlans(ctx, "plan.json", jsonLines, bondDate("2021-06-01"), "bureau")
	if err != nil {
		t.Fatal(err)
	}
	if !same[0].Unchanged || !same[1].Unchanged || same[0].ID != first[0].ID {
		t.Errorf("the same plans from JSON: %+v", same)
	}
	changed := append(yearlyPlan("WH-B-P1", "parking", "1.00", 2023, 2023), csvLines...)
	next, err := p.ImportBondRevenuePlans(ctx, "plan2.csv", changed, bondDate("2022-01-01"), "bureau")
	if err != nil {
		t.Fatal(err)
	}
	if next[0].Project != "WH-B-P1" || next[0].Version != 2 || !next[1].Unchanged {
		t.Errorf("changed plan: %+v", next)
	}
	if plan, err := p.BondRevenuePlan(ctx, "WH-B-P1", bondDate("2021-12-31")); err != nil || plan.Version != 1 || len(plan.Lines) != 4 {
		t.Errorf("plan in force on 2021-12-31: %+v %v", plan, err)
	}
	if plan, err := p.BondRevenuePlan(ctx, "WH-B-P1", time.Time{}); err != nil || plan.Version != 2 {
		t.Errorf("newest plan: %+v %v", plan, err)
	}

	data, err := os.ReadFile("testdata/bonds/plan-bad.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, err = funding.ParseBondRevenuePlan("plan-bad.csv", data)
	for _, msg := range []string{"row 3, year: \"20x1\" is not a year"} {
		wantErr(t, "bad plan (first pass)", err, funding.ErrInvalid, msg)
	}
	good := strings.Replace(string(data), "20x1", "2024", 1)
	_, err = funding.ParseBondRevenuePlan("plan-bad.csv", []byte(good))
	for _, msg := range []string{"row 2: amount 100.005", `row 4: kind "lottery"`, "row 6: project WH-B-P1, 2023, parking repeats row 5"} {
		wantErr(t, "bad plan", err, funding.ErrInvalid, msg)
	}
	_, err = p.ImportBondRevenuePlans(ctx, "x.csv", yearlyPlan("NO-SUCH", "parking", "1.00", 2021, 2021), bondDate("2021-01-01"), "bureau")
	wantErr(t, "plan of an unknown project", err, funding.ErrNotFound, "NO-SUCH")
}
