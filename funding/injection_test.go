package funding_test

import (
	"context"
	"strings"
	"testing"

	"fundledger/funding"
)

// TestCapitalInjection: 5,000.00 of municipal capital injected into an
// implementing company for project WH-L-P1 is the government's equity
// (net assets), not the project's revenue; the company uses 3,000.00 on
// basic works; a use of 2,000.01 more is refused (2,000.00 left).
func TestCapitalInjection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newLoanProgramme(t)
	if _, err := p.RegisterCompany(ctx, funding.CompanyInput{Code: "HC-CITY-RENEW", Name: "环翠城市更新公司", District: "环翠区"}, "officer"); err != nil {
		t.Fatal(err)
	}
	// The company can borrow too: the loan is its district's debt.
	lin := loanInput("PB-CO")
	lin.District, lin.Company = "", "HC-CITY-RENEW"
	l, err := p.RegisterLoan(ctx, lin, "officer")
	if err != nil || l.District != "huancui" || l.Company != "HC-CITY-RENEW" {
		t.Fatalf("company loan: %+v, %v", l, err)
	}
	in := funding.CapitalInjectionRequest{Company: "HC-CITY-RENEW", Project: "WH-L-P1", Level: "municipal", Amount: loanDec("5000.00"),
		InjectedOn: loanDate("2021-03-01"), IdempotencyKey: "inj-1", Actor: "bureau"}
	inj, err := p.InjectCapital(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := p.InjectCapital(ctx, in); err != nil || !again.Replayed || again.ID != inj.ID {
		t.Errorf("same injection again: %+v, %v", again, err)
	}
	if _, err := p.UseCapital(ctx, funding.CapitalUseRequest{Company: "HC-CITY-RENEW", Project: "WH-L-P1", Category: "basic",
		Amount: loanDec("3000.00"), PaidOn: loanDate("2021-03-10"), IdempotencyKey: "use-1", Actor: "company"}); err != nil {
		t.Fatal(err)
	}
	_, err = p.UseCapital(ctx, funding.CapitalUseRequest{Company: "HC-CITY-RENEW", Project: "WH-L-P1", Category: "basic",
		Amount: loanDec("2000.01"), PaidOn: loanDate("2021-03-11"), IdempotencyKey: "use-2", Actor: "company"})
	wantErr(t, "use beyond the capital", err, funding.ErrExceedsCapital, "more than the 2000.00 of capital injected and not yet used")
	bondBalance(t, p, "capital_paid_in:HC-CITY-RENEW:WH-L-P1:municipal", "5000.00")
	bondBalance(t, p, "capital_cash:HC-CITY-RENEW:WH-L-P1", "2000.00")
	bondBalance(t, p, "capital_used:HC-CITY-RENEW:WH-L-P1:basic", "3000.00")
	acct, err := p.Ledger().Account(ctx, "capital_paid_in:HC-CITY-RENEW:WH-L-P1:municipal")
	if err != nil || acct.Type != "net_assets" {
		t.Errorf("paid-in capital account: %+v, %v; want type net_assets (equity, not revenue)", acct, err)
	}
	// The project's sources are untouched: nothing was received from any source.
	rep, err := p.ProjectReport(ctx, "WH-L-P1", loanDate("2021-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Total.Received.IsZero() {
		t.Errorf("project received %s from its sources, want 0 (capital is not project revenue)", rep.Total.Received)
	}
	caps, err := p.CapitalReport(ctx, "", loanDate("2021-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 1 || caps[0].Kind != funding.KindCapitalInjection || !caps[0].Received.Equal(loanDec("5000.00")) || !caps[0].Used.Equal(loanDec("3000.00")) {
		t.Errorf("capital report %+v, want one injection line of 5000.00 received, 3000.00 used", caps)
	}
}

// TestInvestmentSubsidy: 30% of an approved investment of 20,000.00 (the
// project's budget) is 6,000.00, capped at 5,000.00. On progress of
// 10,000.00, 3,000.00 may be paid; on 19,000.00, 5,700.00 in all but the
// cap leaves 2,000.00; a payment beyond it, or progress going down, is
// refused; raw SQL cannot pay beyond the share either.
func TestInvestmentSubsidy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newLoanProgramme(t)
	s, err := p.ApproveInvestmentSubsidy(ctx, funding.InvestmentSubsidyApproval{Project: "WH-L-P1", Level: "provincial", SharePct: loanDec("30"),
		Cap: loanDec("5000.00"), ApprovedOn: loanDate("2021-02-01"), Actor: "bureau"})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "approved investment", s.ApprovedInvestment, "20000.00")
	pay := func(key, progress, amount string) (funding.InvestmentSubsidyPayment, error) {
		return p.PayInvestmentSubsidy(ctx, funding.InvestmentSubsidyPaymentRequest{Project: "WH-L-P1", Level: "provincial",
			CompletedInvestment: loanDec(progress), Amount: loanDec(amount), PaidOn: loanDate("2021-06-01"), IdempotencyKey: key, Actor: "bureau"})
	}
	_, err = pay("is-0", "10000.00", "3000.01")
	wantErr(t, "above the share", err, funding.ErrInvestmentSubsidyExceeded, "so 3000.00 may be paid now, not 3000.01")
	x, err := pay("is-1", "10000.00", "0")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "first payment", x.Amount, "3000.00")
	_, err = pay("is-2", "9000.00", "0")
	wantErr(t, "progress down", err, funding.ErrInvalid, "want between the 10000.00 reported before")
	x, err = pay("is-3", "19000.00", "0")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "second payment (cap)", x.Amount, "2000.00")
	bondBalance(t, p, "invsub_received:huancui:WH-L-P1:provincial", "5000.00")
	bondBalance(t, p, "budget:invsub_receivable:huancui:WH-L-P1:provincial", "0.00")

	db := p.Ledger().DB()
	var entry int64
	if err := db.GetContext(ctx, &entry, `SELECT max(id) FROM entries`); err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO investment_subsidy_payments (project, source, completed_investment, amount, paid_on, idempotency_key,
		financial_entry_id, budget_entry_id, actor) VALUES ('WH-L-P1', 'provincial', 20000.00, 0.01, '2021-07-01', 'raw', $1, $1, 'intruder')`, entry)
	if err == nil || !strings.Contains(err.Error(), "5000.01 paid in all") {
		t.Errorf("raw SQL payment beyond the cap: %v", err)
	}
}
