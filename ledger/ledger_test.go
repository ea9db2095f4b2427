package ledger_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/internal/pgtest"
	"fundledger/ledger"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// newLedger returns a ledger on a fresh database with a small chart:
// bank (asset, no overdraft), grant revenue, works expense, payable, and a
// budget-book pair.
func newLedger(t *testing.T) (*ledger.Ledger, *sqlx.DB) {
	t.Helper()
	db := pgtest.DB(t)
	l := ledger.New(db)
	ctx := context.Background()
	for _, a := range []ledger.Account{
		{Code: "cash:huancui:P1:central", Type: ledger.Asset, NoOverdraft: true,
			Dimensions: ledger.Dimensions{District: "环翠区", Project: "P1", Source: "central"}},
		{Code: "cash:huancui:P1:district", Type: ledger.Asset, NoOverdraft: true,
			Dimensions: ledger.Dimensions{District: "环翠区", Project: "P1", Source: "district"}},
		{Code: "revenue:grants:central", Type: ledger.Revenue, Dimensions: ledger.Dimensions{Source: "central"}},
		{Code: "revenue:grants:district", Type: ledger.Revenue, Dimensions: ledger.Dimensions{Source: "district"}},
		{Code: "expense:works:P1:basic", Type: ledger.Expense, Dimensions: ledger.Dimensions{Project: "P1", Category: "basic"}},
		{Code: "payable:contractor", Type: ledger.Liability},
		{Code: "budget:receivable:P1:central", Type: ledger.BudgetAsset, Dimensions: ledger.Dimensions{Project: "P1", Source: "central"}},
		{Code: "budget:appropriation:P1:central", Type: ledger.BudgetRevenue, Dimensions: ledger.Dimensions{Project: "P1", Source: "central"}},
	} {
		if _, err := l.CreateAccount(ctx, a, "test"); err != nil {
			t.Fatalf("create %s: %v", a.Code, err)
		}
	}
	return l, db
}

// transfer builds a two-posting entry: debit `to`, credit `from`.
func transfer(key, date, from, to, amount string) ledger.Entry {
	dt, err := ledger.ParseDate(date)
	if err != nil {
		panic(err)
	}
	return ledger.Entry{
		Book: ledger.BookFinancial, EffectiveDate: dt, Actor: "tester", IdempotencyKey: key, Memo: key,
		Postings: []ledger.Posting{
			{AccountCode: to, Side: ledger.Debit, Amount: d(amount)},
			{AccountCode: from, Side: ledger.Credit, Amount: d(amount)},
		},
	}
}

func mustPost(t *testing.T, l *ledger.Ledger, e ledger.Entry) ledger.Entry {
	t.Helper()
	out, err := l.Post(context.Background(), e)
	if err != nil {
		t.Fatalf("post %s: %v", e.IdempotencyKey, err)
	}
	return out
}

func wantBalance(t *testing.T, l *ledger.Ledger, code, asOf, want string) {
	t.Helper()
	var at time.Time // zero: everything posted
	if asOf != "" {
		var err error
		if at, err = ledger.ParseDate(asOf); err != nil {
			t.Fatal(err)
		}
	}
	got, err := l.Balance(context.Background(), code, at)
	if err != nil {
		t.Fatalf("balance %s: %v", code, err)
	}
	if !got.Equal(d(want)) {
		t.Errorf("balance of %s as of %q = %s, want %s", code, asOf, got, want)
	}
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}
