package funding_test

import (
	"context"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/internal/pgtest"
	"fundledger/ledger"
)

// newLoanProgramme is a fresh database with the test rule set that gives
// source policy_bank a share (testdata/loans/rules-loan.yaml: basic 60%
// policy_bank, 40% central; the province subsidises 50% of a policy-bank
// loan's interest, at most 150.00 a year) and one project whose basic
// budget of 20,000.00 commits 12,000.00 of policy-bank money.
func newLoanProgramme(t *testing.T) *funding.Programme {
	t.Helper()
	ctx := context.Background()
	p := funding.New(ledger.New(pgtest.DB(t)))
	if _, _, err := p.LoadRuleSet(ctx, "testdata/loans/rules-loan.yaml", "bureau"); err != nil {
		t.Fatal(err)
	}
	bondProject(t, p, "WH-L-P1", "环翠区", "20000.00")
	return p
}

func loanInput(code string) funding.LoanInput {
	return funding.LoanInput{Code: code, Name: "国开行老旧小区改造贷款 " + code, Lender: "国家开发银行山东省分行", LenderKind: funding.LenderPolicyBank,
		District: "环翠区", Projects: []string{"WH-L-P1"}, Amount: loanDec("12000.00"), RateKind: funding.RateFixed, RatePct: loanDec("6"),
		Start: loanDate("2021-01-15"), TermMonths: 12, Frequency: funding.LoanQuarterly, Repayment: funding.LoanEqualPrincipal}
}

func scheduleIs(t *testing.T, p *funding.Programme, loan string, version int, want []wantLine) {
	t.Helper()
	s, err := p.LoanSchedule(context.Background(), loan, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != version {
		t.Errorf("schedule version %d, want %d", s.Version, version)
	}
	checkLines(t, s.Lines, want)
}

// TestLoanEndToEnd: a 12,000.00 policy-bank loan at 6% fixed, quarterly,
// equal principal over a year, drawn at once; a subsidy refused before the
// interest is paid, then paid; a prepayment of 2,000.00 mid-period making
// schedule version 2 (figures of TestLoanScheduleByHand); the year's cap of
// 150.00 binding on the third period; and raw SQL refused.
func TestLoanEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newLoanProgramme(t)
	l, err := p.RegisterLoan(ctx, loanInput("PB-1"), "officer")
	if err != nil {
		t.Fatal(err)
	}
	if l.District != "huancui" || l.Source != "policy_bank" || len(l.Projects) != 1 {
		t.Fatalf("registered %+v, want district huancui, source policy_bank, one project", l)
	}
	if _, err := p.RegisterLoan(ctx, loanInput("PB-1"), "officer"); err != nil {
		t.Fatalf("same loan again: %v", err)
	}
	other := loanInput("PB-1")
	other.Amount = loanDec("13000.00")
	_, err = p.RegisterLoan(ctx, other, "officer")
	wantErr(t, "other terms", err, funding.ErrExists, "registered with other terms")
	_, err = p.LoanSchedule(ctx, "PB-1", 0)
	wantErr(t, "schedule before drawdown", err, funding.ErrNotFound, "first drawdown")

	draw := funding.LoanDrawdownRequest{Loan: "PB-1", Project: "WH-L-P1", Amount: loanDec("12000.00"), DrawnOn: loanDate("2021-01-15"),
		IdempotencyKey: "pb1-d1", Actor: "officer"}
	d, err := p.DrawLoan(ctx, draw)
	if err != nil {
		t.Fatal(err)
	}
	if d.ScheduleVersion != 1 {
		t.Errorf("drawdown made schedule version %d, want 1", d.ScheduleVersion)
	}
	if again, err := p.DrawLoan(ctx, draw); err != nil || !again.Replayed || again.ID != d.ID {
		t.Errorf("same drawdown again: %+v, %v", again, err)
	}
	// 12000 × 6% ÷ 4 = 180; 9000 → 135; 6000 → 90; 3000 → 45.
	scheduleIs(t, p, "PB-1", 1, []wantLine{{"0", "180.00", "3000.00"}, {"9000.00", "135.00", "3000.00"}, {"6000.00", "90.00", "3000.00"},
		{"3000.00", "45.00", "3000.00"}})
	_, err = p.DrawLoan(ctx, funding.LoanDrawdownRequest{Loan: "PB-1", Project: "WH-L-P1", Amount: loanDec("0.01"), DrawnOn: loanDate("2021-02-01"),
		IdempotencyKey: "pb1-d2", Actor: "officer"})
	wantErr(t, "beyond the loan", err, funding.ErrExceedsFacility, "0.00 of the loan's 12000.00 not yet drawn")
	// The drawdown is the project's receipt for source policy_bank.
	bondBalance(t, p, "cash:huancui:WH-L-P1:policy_bank", "12000.00")
	bondBalance(t, p, "budget:receivable:huancui:WH-L-P1:policy_bank", "0.00")
	bondBalance(t, p, "loan:PB-1:principal", "12000.00")

	// 贴息 committed for the first period: 50% of 180.00 = 90.00; paying it
	// before the interest is paid is refused.
	subs, err := p.CommitLoanSubsidies(ctx, funding.LoanSubsidyCommitRequest{Loan: "PB-1", DueDate: loanDate("2021-04-15"), Actor: "bureau"})
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].Level != "provincial" || !subs[0].Amount.Equal(loanDec("90.00")) {
		t.Fatalf("subsidies %+v, want provincial 90.00", subs)
	}
	paySub := funding.LoanSubsidyPaymentRequest{Loan: "PB-1", DueDate: loanDate("2021-04-15"), Level: "provincial", PaidOn: loanDate("2021-04-20"), Actor: "bureau"}
	_, err = p.PayLoanSubsidy(ctx, paySub)
	wantErr(t, "subsidy before interest", err, funding.ErrInterestNotPaid, "no interest is recorded as paid for the period due 2021-04-15")

	pay, err := p.PayLoan(ctx, funding.LoanPaymentRequest{Loan: "PB-1", DueDate: loanDate("2021-04-15"), Actor: "officer"})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "interest paid", pay.Interest, "180.00")
	eq(t, "principal paid", pay.Principal, "3000.00")
	if len(pay.AccrualEntries) != 1 {
		t.Errorf("payment accrued %d periods, want 1", len(pay.AccrualEntries))
	}
	sp, err := p.PayLoanSubsidy(ctx, paySub)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "subsidy paid", sp.Amount, "90.00")

	// A prepayment dated in a period already paid would change it: refused.
	_, err = p.PrepayLoan(ctx, funding.LoanPrepaymentRequest{Loan: "PB-1", Amount: loanDec("2000.00"), PaidOn: loanDate("2021-03-01"),
		IdempotencyKey: "pb1-p0", Actor: "officer"})
	wantErr(t, "prepay in a paid period", err, funding.ErrStatus, "2021-01-15 to 2021-04-15 was already accrued, paid or had its subsidy committed")
	pp, err := p.PrepayLoan(ctx, funding.LoanPrepaymentRequest{Loan: "PB-1", Amount: loanDec("2000.00"), PaidOn: loanDate("2021-05-25"),
		IdempotencyKey: "pb1-p1", Actor: "officer"})
	if err != nil {
		t.Fatal(err)
	}
	if pp.ScheduleVersion != 2 {
		t.Errorf("prepayment made version %d, want 2", pp.ScheduleVersion)
	}
	scheduleIs(t, p, "PB-1", 2, []wantLine{{"0", "180.00", "3000.00"}, {"9000.00", "118.33", "2333.33"}, {"4666.67", "70.00", "2333.33"},
		{"2333.34", "35.00", "2333.34"}})

	for _, due := range []string{"2021-07-15", "2021-10-15"} {
		if _, err := p.PayLoan(ctx, funding.LoanPaymentRequest{Loan: "PB-1", DueDate: loanDate(due), Actor: "officer"}); err != nil {
			t.Fatal(err)
		}
	}
	// 50% of 118.33 = 59.165 → 59.17 (90.00 + 59.17 = 149.17 this year);
	// 50% of 70.00 = 35.00, but only 150 − 149.17 = 0.83 is left of the year's cap.
	for _, c := range []struct{ due, amount, why string }{{"2021-07-15", "59.17", ""}, {"2021-10-15", "0.83", "cap_per_year"}} {
		subs, err := p.CommitLoanSubsidies(ctx, funding.LoanSubsidyCommitRequest{Loan: "PB-1", DueDate: loanDate(c.due), Actor: "bureau"})
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) != 1 || !subs[0].Amount.Equal(loanDec(c.amount)) || subs[0].LimitedBy != c.why {
			t.Fatalf("subsidy due %s: %+v, want %s limited by %q", c.due, subs, c.amount, c.why)
		}
		if _, err := p.PayLoanSubsidy(ctx, funding.LoanSubsidyPaymentRequest{Loan: "PB-1", DueDate: loanDate(c.due), Level: "provincial",
			PaidOn: loanDate(c.due), Actor: "bureau"}); err != nil {
			t.Fatal(err)
		}
	}
	// A new year: 50% of 35.00 = 17.50, committed, not paid (interest unpaid).
	subs, err = p.CommitLoanSubsidies(ctx, funding.LoanSubsidyCommitRequest{Loan: "PB-1", DueDate: loanDate("2022-01-15"), Actor: "bureau"})
	if err != nil || len(subs) != 1 || !subs[0].Amount.Equal(loanDec("17.50")) {
		t.Fatalf("subsidy due 2022-01-15: %+v, %v; want 17.50", subs, err)
	}

	bondBalance(t, p, "loan:PB-1:principal", "2333.34") // 12000 − 3000 − 2000 − 2333.33 − 2333.33
	bondBalance(t, p, "loan:PB-1:interest_payable", "0.00")
	bondBalance(t, p, "loan:PB-1:interest_expense", "368.33") // 180 + 118.33 + 70
	bondBalance(t, p, "loan:PB-1:subsidy_income:provincial", "150.00")
	bondBalance(t, p, "budget:loan:PB-1:subsidy_receivable:provincial", "17.50")
	bondBalance(t, p, "budget:loan:PB-1:principal_repaid", "9666.66")

	// Raw SQL: the database guards what Go checks.
	db := p.Ledger().DB()
	var entry int64
	if err := db.GetContext(ctx, &entry, `SELECT max(id) FROM entries`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, q, msg string }{
		{"subsidy with no interest paid", `INSERT INTO loan_subsidy_payments (loan, due_date, level, paid_on, amount, financial_entry_id, budget_entry_id, actor)
			VALUES ('PB-1', '2022-01-15', 'provincial', '2022-01-20', 17.50, $1, $1, 'intruder')`, "no interest is paid for the period due 2022-01-15"},
		{"update a payment", `UPDATE loan_payments SET interest = 1 WHERE loan = 'PB-1' AND $1 > 0`, "append-only"},
		{"draw beyond the loan", `INSERT INTO loan_drawdowns (loan, project, amount, drawn_on, idempotency_key, financial_entry_id, budget_entry_id, actor)
			VALUES ('PB-1', 'WH-L-P1', 0.01, '2021-06-01', 'raw', $1, $1, 'intruder')`, "more than the loan amount 12000.00"},
	} {
		if _, err := db.ExecContext(ctx, c.q, entry); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.msg)
		}
	}
	// A schedule version whose principal does not add up is refused at commit.
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, q := range []string{
		`INSERT INTO loan_schedules (loan, version, effective_on, repayment, rounding, total_interest, reason, created_by)
		 VALUES ('PB-1', 9, '2021-06-01', 'bullet', 'raw', 100.00, 'raw SQL', 'intruder')`,
		`INSERT INTO loan_schedule_lines VALUES ('PB-1', 9, 1, '2021-01-15', '2022-01-15', 6, 0, 12000.00, 2000.00, 100.00, 9999.99)`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err == nil || !strings.Contains(err.Error(), "principal repaid 9999.99 + prepaid 2000.00 is not what was drawn 12000.00") {
		t.Errorf("incomplete schedule committed: %v", err)
	}
}

// TestLoanSubsidyAboveInterestRefusedBySQL: a subsidy row above what was
// committed (and so above the interest paid) is refused by the database.
func TestLoanSubsidyAboveInterestRefusedBySQL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newLoanProgramme(t)
	if _, err := p.RegisterLoan(ctx, loanInput("PB-2"), "officer"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.DrawLoan(ctx, funding.LoanDrawdownRequest{Loan: "PB-2", Project: "WH-L-P1", Amount: loanDec("12000.00"),
		DrawnOn: loanDate("2021-01-15"), IdempotencyKey: "pb2-d1", Actor: "officer"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.PayLoan(ctx, funding.LoanPaymentRequest{Loan: "PB-2", DueDate: loanDate("2021-04-15"), Actor: "officer"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.CommitLoanSubsidies(ctx, funding.LoanSubsidyCommitRequest{Loan: "PB-2", DueDate: loanDate("2021-04-15"), Actor: "bureau"}); err != nil {
		t.Fatal(err)
	}
	// A second loan for the same project: its policy-bank commitment
	// (12,000.00) is all drawn, so the project's budget refuses more.
	in := loanInput("PB-3")
	in.Amount = loanDec("15000.00")
	if _, err := p.RegisterLoan(ctx, in, "officer"); err != nil {
		t.Fatal(err)
	}
	_, err := p.DrawLoan(ctx, funding.LoanDrawdownRequest{Loan: "PB-3", Project: "WH-L-P1", Amount: loanDec("0.01"),
		DrawnOn: loanDate("2021-02-01"), IdempotencyKey: "pb3-d1", Actor: "officer"})
	wantErr(t, "beyond the project's commitment", err, funding.ErrExceedsCommitment, "outstanding policy_bank commitment of 0.00")
	db := p.Ledger().DB()
	var entry int64
	if err := db.GetContext(ctx, &entry, `SELECT max(id) FROM entries`); err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO loan_subsidy_payments (loan, due_date, level, paid_on, amount, financial_entry_id, budget_entry_id, actor)
		VALUES ('PB-2', '2021-04-15', 'provincial', '2021-04-20', 180.01, $1, $1, 'intruder')`, entry)
	if err == nil || !strings.Contains(err.Error(), "exceeds the 90.00 committed") {
		t.Errorf("subsidy above the commitment: %v", err)
	}
}

// TestLoanRateReset: a floating loan at LPR 3.85% + 215 bp = 6.00%,
// reset every 6 months; on 2021-07-15 the LPR is 1.85%, so 4.00%. The
// first period is paid before the reset and stays as it was; the schedule
// is then that of TestLoanScheduleByHand's reset case.
func TestLoanRateReset(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newLoanProgramme(t)
	in := loanInput("PB-F")
	in.RateKind, in.RatePct, in.LPRPct, in.SpreadBP, in.ResetMonths = funding.RateFloating, decimal.Zero, loanDec("3.85"), 215, 6
	if _, err := p.RegisterLoan(ctx, in, "officer"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.DrawLoan(ctx, funding.LoanDrawdownRequest{Loan: "PB-F", Project: "WH-L-P1", Amount: loanDec("12000.00"),
		DrawnOn: loanDate("2021-01-15"), IdempotencyKey: "pbf-d1", Actor: "officer"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.PayLoan(ctx, funding.LoanPaymentRequest{Loan: "PB-F", DueDate: loanDate("2021-04-15"), Actor: "officer"}); err != nil {
		t.Fatal(err)
	}
	_, err := p.ResetLoanRate(ctx, funding.LoanRateResetRequest{Loan: "PB-F", On: loanDate("2021-04-15"), LPRPct: loanDec("1.85"), Actor: "officer"})
	wantErr(t, "not a reset date", err, funding.ErrInvalid, "not a reset date (every 6 months from 2021-01-15")
	s, err := p.ResetLoanRate(ctx, funding.LoanRateResetRequest{Loan: "PB-F", On: loanDate("2021-07-15"), LPRPct: loanDec("1.85"), Actor: "officer"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != 2 || !strings.Contains(s.Reason, "LPR 1.85% + 215 bp") {
		t.Errorf("reset made version %d (%q), want 2", s.Version, s.Reason)
	}
	checkLines(t, s.Lines, []wantLine{{"0", "180.00", "3000.00"}, {"9000.00", "135.00", "3000.00"}, {"6000.00", "60.00", "3000.00"},
		{"3000.00", "30.00", "3000.00"}})
	if !s.Lines[2].RatePct.Equal(loanDec("4")) {
		t.Errorf("rate of period 3: %s, want 4", s.Lines[2].RatePct)
	}
	// The same reset again changes nothing.
	if again, err := p.ResetLoanRate(ctx, funding.LoanRateResetRequest{Loan: "PB-F", On: loanDate("2021-07-15"), LPRPct: loanDec("1.85"),
		Actor: "officer"}); err != nil || again.Version != 2 {
		t.Errorf("same reset again: version %d, %v", again.Version, err)
	}
}

// TestLoanReport: the loan of TestLoanEndToEnd's first half (drawn, first
// period paid with its 90.00 subsidy, 2,000.00 prepaid on 2021-05-25) and a
// 10,000.00 bond of which 4,000.00 funds the same project, as of
// 2021-06-30: repaid 3,000 + 2,000, outstanding 7,000.00; next due
// 2021-07-15 with 118.33 interest and 2,333.33 principal (version 2); the
// district's debt 4,000.00 of bonds + 7,000.00 of loans = 11,000.00. As of
// 2021-03-31 nothing is repaid and the next due is version 1's first line.
func TestLoanReport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newLoanProgramme(t)
	if _, err := p.RegisterLoan(ctx, loanInput("PB-R"), "officer"); err != nil {
		t.Fatal(err)
	}
	steps := []func() error{
		func() error {
			_, err := p.DrawLoan(ctx, funding.LoanDrawdownRequest{Loan: "PB-R", Project: "WH-L-P1", Amount: loanDec("12000.00"),
				DrawnOn: loanDate("2021-01-15"), IdempotencyKey: "pbr-d1", Actor: "officer"})
			return err
		},
		func() error {
			_, err := p.PayLoan(ctx, funding.LoanPaymentRequest{Loan: "PB-R", DueDate: loanDate("2021-04-15"), Actor: "officer"})
			return err
		},
		func() error {
			_, err := p.CommitLoanSubsidies(ctx, funding.LoanSubsidyCommitRequest{Loan: "PB-R", DueDate: loanDate("2021-04-15"), Actor: "bureau"})
			return err
		},
		func() error {
			_, err := p.PayLoanSubsidy(ctx, funding.LoanSubsidyPaymentRequest{Loan: "PB-R", DueDate: loanDate("2021-04-15"), Level: "provincial",
				PaidOn: loanDate("2021-04-20"), Actor: "bureau"})
			return err
		},
		func() error {
			_, err := p.PrepayLoan(ctx, funding.LoanPrepaymentRequest{Loan: "PB-R", Amount: loanDec("2000.00"), PaidOn: loanDate("2021-05-25"),
				IdempotencyKey: "pbr-p1", Actor: "officer"})
			return err
		},
		func() error {
			_, err := p.RegisterBond(ctx, funding.BondInput{Code: "BOND-L", Name: "测试债券", IssueDate: loanDate("2021-01-10"), Principal: loanDec("10000.00"),
				CouponRatePct: loanDec("3"), TermYears: 5, Frequency: funding.BondAnnual, Repayment: funding.BondBullet}, "bureau")
			return err
		},
		func() error {
			_, err := p.IssueBond(ctx, funding.BondIssueRequest{Bond: "BOND-L", Actor: "bureau"})
			return err
		},
		func() error {
			_, err := p.AllocateBond(ctx, funding.BondAllocationRequest{Bond: "BOND-L", Project: "WH-L-P1", Amount: loanDec("4000.00"),
				AllocatedOn: loanDate("2021-02-01"), IdempotencyKey: "bond-l-a1", Actor: "bureau"})
			return err
		},
	}
	for i, s := range steps {
		if err := s(); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	rep, err := p.LoanReport(ctx, funding.LoanReportOptions{AsOf: loanDate("2021-06-30")})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Loans) != 1 {
		t.Fatalf("%d loans", len(rep.Loans))
	}
	l := rep.Loans[0]
	for _, c := range []struct {
		what string
		got  decimal.Decimal
		want string
	}{
		{"drawn", l.Drawn, "12000.00"}, {"repaid", l.Repaid, "5000.00"}, {"prepaid", l.Prepaid, "2000.00"}, {"outstanding", l.Outstanding, "7000.00"},
		{"interest accrued", l.InterestAccrued, "180.00"}, {"interest paid", l.InterestPaid, "180.00"}, {"subsidy committed", l.SubsidyCommitted, "90.00"},
		{"subsidy paid", l.SubsidyPaid, "90.00"}, {"net interest cost", l.NetInterestCost, "90.00"}, {"next interest", l.NextInterest, "118.33"},
		{"next principal", l.NextPrincipal, "2333.33"},
	} {
		eq(t, c.what, c.got, c.want)
	}
	if !l.NextDueDate.Equal(loanDate("2021-07-15")) || l.ScheduleVersion != 2 {
		t.Errorf("next due %s under version %d, want 2021-07-15 under 2", l.NextDueDate, l.ScheduleVersion)
	}
	if len(rep.Projects) != 1 || !rep.Projects[0].NetInterestCost.Equal(loanDec("90.00")) {
		t.Errorf("project shares %+v", rep.Projects)
	}
	if len(rep.Debt) != 1 || rep.Debt[0].District != "huancui" {
		t.Fatalf("district debt %+v", rep.Debt)
	}
	eq(t, "bond debt", rep.Debt[0].BondOutstanding, "4000.00")
	eq(t, "loan debt", rep.Debt[0].LoanOutstanding, "7000.00")
	eq(t, "total debt", rep.Debt[0].Total, "11000.00")
	eq(t, "district net interest cost", rep.Debt[0].LoanNetCost, "90.00")
	eq(t, "overdue", l.Overdue, "0")
	// As of 2021-07-20 the period due 07-15 (118.33 + 2,333.33) is unpaid: overdue.
	late, err := p.LoanReport(ctx, funding.LoanReportOptions{AsOf: loanDate("2021-07-20")})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "overdue on 2021-07-20", late.Loans[0].Overdue, "2451.66")

	early, err := p.LoanReport(ctx, funding.LoanReportOptions{AsOf: loanDate("2021-03-31"), District: "环翠区"})
	if err != nil {
		t.Fatal(err)
	}
	e := early.Loans[0]
	eq(t, "repaid by March", e.Repaid, "0")
	eq(t, "next interest by March", e.NextInterest, "180.00")
	if e.ScheduleVersion != 1 || !e.NextDueDate.Equal(loanDate("2021-04-15")) {
		t.Errorf("as of March: version %d, next due %s; want 1, 2021-04-15", e.ScheduleVersion, e.NextDueDate)
	}
	other, err := p.LoanReport(ctx, funding.LoanReportOptions{AsOf: loanDate("2021-06-30"), District: "文登区"})
	if err != nil || len(other.Loans) != 0 || len(other.Debt) != 0 {
		t.Errorf("文登区: %+v, %v; want no loans and no debt", other, err)
	}
}
