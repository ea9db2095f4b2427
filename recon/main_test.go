package recon_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/internal/pgtest"
	"fundledger/ledger"
	"fundledger/recon"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func date(s string) time.Time {
	t, err := ledger.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

// testRules is a rule set for tests only (not real standards): central
// money pays basic works.
const testRules = `name: recon-test
version: "1"
district: ""
effective_from: 2020-01-01
categories:
  basic:
    shares:
      - {source: central, pct: 50}
      - {source: provincial, pct: 20}
      - {source: district, pct: 30}
  improvement:
    shares:
      - {source: district, pct: 100}
  upgrade:
    shares:
      - {source: social_capital, pct: 100}
`

// fixture is one test's books: a project with central money committed
// (5,000,000.00), and bank accounts that receive and pay it.
type fixture struct {
	t   *testing.T
	ctx context.Context
	p   *funding.Programme
	r   *recon.Recon
	n   int
}

const project = "WH-HC-R-001"

func newFixture(t *testing.T, banks ...string) *fixture {
	t.Helper()
	db := pgtest.DB(t)
	f := &fixture{t: t, ctx: context.Background(), p: funding.New(ledger.New(db)), r: recon.New(db)}
	_, err := f.p.RegisterProject(f.ctx, funding.ProjectInput{
		Code: project, Name: "对账测试小区", District: "环翠区", Address: "环翠区某路2号",
		CompletedOn: date("1996-05-01"), StateOwnedLand: true, Households: 300, FloorAreaM2: d("20000.00"),
		Buildings: 10, PlanYear: 2021, RegisteredOn: date("2021-01-10"),
	}, "officer")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.p.LoadRuleSetBytes(f.ctx, "recon-test.yaml", []byte(testRules), "bureau"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.p.Approve(f.ctx, funding.ApprovalRequest{Project: project, ApprovedOn: date("2021-02-01"), Actor: "officer",
		Lines: []funding.BudgetLineInput{{Category: "basic", Description: "roads and pipes", Amount: d("10000000.00")}}}); err != nil {
		t.Fatal(err)
	}
	for _, b := range banks {
		if err := f.p.AddBankAccount(f.ctx, funding.BankAccount{Code: b, Name: "环翠区老旧小区改造专户 " + b, Bank: "中国银行", District: "环翠区"}, "bureau"); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) key() string {
	f.n++
	return fmt.Sprintf("%s/%d", f.t.Name(), f.n)
}

// receive records a receipt and returns its cash posting (entry/1: the
// receipt's debit to cash).
func (f *fixture) receive(bank, on, amount, ref string) recon.PostingRef {
	f.t.Helper()
	m, err := f.p.Receive(f.ctx, funding.ReceiptRequest{Project: project, Source: "central", Amount: d(amount), ReceivedOn: date(on),
		BankAccount: bank, Reference: ref, IdempotencyKey: f.key(), Actor: "officer"})
	if err != nil {
		f.t.Fatal(err)
	}
	return recon.PostingRef{EntryID: m.FinancialEntry, Line: 1}
}

// pay records a payment and returns its cash posting (entry/2: the credit
// to cash).
func (f *fixture) pay(bank, on, amount, payee, ref string) recon.PostingRef {
	f.t.Helper()
	m, err := f.p.Disburse(f.ctx, funding.DisbursementRequest{Project: project, Source: "central", Category: "basic", Amount: d(amount),
		PaidOn: date(on), Payee: payee, BankAccount: bank, Reference: ref, IdempotencyKey: f.key(), Actor: "officer"})
	if err != nil {
		f.t.Fatal(err)
	}
	return recon.PostingRef{EntryID: m.FinancialEntry, Line: 2}
}

func (f *fixture) importCSV(bank, profile, name, content string) recon.ImportResult {
	f.t.Helper()
	res, err := f.importBytes(bank, profile, name, []byte(content))
	if err != nil {
		f.t.Fatalf("import %s: %v", name, err)
	}
	return res
}

func (f *fixture) importBytes(bank, profile, name string, data []byte) (recon.ImportResult, error) {
	p, err := recon.LookupProfile(profile)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.r.Import(f.ctx, bank, p, name, data, "clerk")
}

// lines returns the account's statement line ids by reference+memo key
// "date amount direction" in date order.
func (f *fixture) lineIDs(bank string) []int64 {
	f.t.Helper()
	var ids []int64
	db := f.p.Ledger().DB()
	if err := db.SelectContext(f.ctx, &ids, `SELECT id FROM recon_statement_lines WHERE bank_account = $1 ORDER BY value_date, id`, bank); err != nil {
		f.t.Fatal(err)
	}
	return ids
}

func (f *fixture) matches(bank string, revoked bool) []recon.Match {
	f.t.Helper()
	ms, err := f.r.Matches(f.ctx, recon.MatchFilter{BankAccount: bank, IncludeRevoked: revoked})
	if err != nil {
		f.t.Fatal(err)
	}
	return ms
}

func period(s string) recon.Period {
	p, err := recon.ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}
