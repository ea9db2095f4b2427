package ledger_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// TestDistrictTotals posts entries in and out of date order, one by one and
// in a batch, in both books, and checks the maintained district totals as of
// several days (before the first posting, on a posting day, between, at the
// turn of a month and of a year, everything) against sums made in Go from
// the movements and the chart written out by hand. Writing the totals
// directly is refused, and verify reports totals that were forged behind
// the triggers.
func TestDistrictTotals(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	ctx := context.Background()
	// The chart of newLedger, by hand: district, type, role, source, category.
	chart := map[string]ledger.DistrictTotal{
		bank:                              {District: "环翠区", Book: ledger.BookFinancial, Type: ledger.Asset, Role: "cash", Source: "central"},
		bank2:                             {District: "环翠区", Book: ledger.BookFinancial, Type: ledger.Asset, Role: "cash", Source: "district"},
		grant:                             {Book: ledger.BookFinancial, Type: ledger.Revenue, Role: "revenue", Source: "central"},
		grant2:                            {Book: ledger.BookFinancial, Type: ledger.Revenue, Role: "revenue", Source: "district"},
		works:                             {Book: ledger.BookFinancial, Type: ledger.Expense, Role: "expense", Category: "basic"},
		payable:                           {Book: ledger.BookFinancial, Type: ledger.Liability, Role: "payable"},
		"budget:receivable:P1:central":    {Book: ledger.BookBudget, Type: ledger.BudgetAsset, Role: "budget:receivable", Source: "central"},
		"budget:appropriation:P1:central": {Book: ledger.BookBudget, Type: ledger.BudgetRevenue, Role: "budget:appropriation", Source: "central"},
	}
	type move struct{ date, from, to, amount string }
	moves := []move{
		{"2021-03-05", grant, bank, "100.00"},
		{"2021-05-20", grant2, bank2, "40.00"},
		{"2021-04-10", bank, works, "30.00"}, // back-dated
		{"2021-03-05", "budget:appropriation:P1:central", "budget:receivable:P1:central", "70.00"},
	}
	for i, m := range moves {
		e := transfer(fmt.Sprintf("m%d", i), m.date, m.from, m.to, m.amount)
		if strings.HasPrefix(m.to, "budget:") {
			e.Book = ledger.BookBudget
		}
		mustPost(t, l, e)
	}
	batch := []move{{"2021-12-31", grant, bank, "5.00"}, {"2022-01-02", bank, works, "1.00"}, {"2021-03-05", works, payable, "0.50"}}
	var es []ledger.Entry
	for i, m := range batch {
		es = append(es, transfer(fmt.Sprintf("b%d", i), m.date, m.from, m.to, m.amount))
	}
	if _, err := l.PostBatch(ctx, es); err != nil {
		t.Fatal(err)
	}
	moves = append(moves, batch...)

	// want sums the movements up to asOf (zero: all) by the chart, with or
	// without the detail of role, source and category.
	want := func(asOf time.Time, detail bool) map[string]decimal.Decimal {
		out := map[string]decimal.Decimal{}
		add := func(code string, net decimal.Decimal) {
			c := chart[code]
			k := c.District + "/" + string(c.Book) + "/" + string(c.Type)
			if detail {
				k += "/" + c.Role + "/" + c.Source + "/" + c.Category
			}
			out[k] = out[k].Add(net)
		}
		for _, m := range moves {
			day, _ := ledger.ParseDate(m.date)
			if !asOf.IsZero() && day.After(asOf) {
				continue
			}
			add(m.to, d(m.amount))
			add(m.from, d(m.amount).Neg())
		}
		return out
	}
	for _, asOf := range []string{"2021-03-04", "2021-03-05", "2021-04-09", "2021-04-30", "2021-05-19", "2021-12-31", "2022-01-01", "2022-01-02", ""} {
		var at time.Time
		if asOf != "" {
			at, _ = ledger.ParseDate(asOf)
		}
		for _, detail := range []bool{false, true} {
			rows, err := l.DistrictTotals(ctx, ledger.TotalsFilter{AsOf: at, Detail: detail})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]decimal.Decimal{}
			for _, r := range rows {
				k := r.District + "/" + string(r.Book) + "/" + string(r.Type)
				if detail {
					k += "/" + r.Role + "/" + r.Source + "/" + r.Category
				}
				got[k] = got[k].Add(r.Net())
			}
			w := want(at, detail)
			for k, v := range w {
				if !got[k].Equal(v) {
					t.Errorf("as of %q, detail %v: %s net %s, want %s", asOf, detail, k, got[k], v)
				}
			}
			for k, v := range got {
				if _, ok := w[k]; !ok {
					t.Errorf("as of %q, detail %v: unexpected %s net %s", asOf, detail, k, v)
				}
			}
		}
	}
	// Narrowed to a district and a role.
	rows, err := l.DistrictTotals(ctx, ledger.TotalsFilter{Book: ledger.BookFinancial, Districts: []string{"环翠区"}, Detail: true, Roles: []string{"cash"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Source != "central" || !rows[0].Net().Equal(d("74.00")) || rows[1].Source != "district" || !rows[1].Net().Equal(d("40.00")) {
		t.Errorf("环翠区 cash by source: %+v, want central 74.00 and district 40.00", rows)
	}

	if _, err := db.ExecContext(ctx, `UPDATE district_totals SET debit = debit + 1`); err == nil || !strings.Contains(err.Error(), "maintained by the ledger") {
		t.Errorf("writing the totals directly: %v, want refused", err)
	}
	rep, err := l.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK {
		t.Fatalf("verify before tampering: %v", rep.Problems)
	}
	behindTriggers(t, db, []string{"district_totals"}, `UPDATE district_totals SET credit = credit + 1 WHERE grain = 'M' AND start = '2021-04-01' AND role = 'expense'`)
	rep, err = l.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || !strings.Contains(problems(rep), "district totals /financial/expense/expense//basic, M 2021-04-01: stored total differs") {
		t.Errorf("verify after forging a month total: %v", rep.Problems)
	}
}

// TestDistrictTotalsDoNotQueuePosters: two transactions post into the same
// district (the class total 环翠区/financial/asset, and the revenue total of
// no district) through different accounts. The second commits while the
// first is still open: with one row per key it would wait on the first's
// row lock until that one ended (migration 00019 gives each a slot). The
// totals are then the sum of both, by hand, verify finds nothing, and the
// voucher numbers follow the commits (the second first).
func TestDistrictTotalsDoNotQueuePosters(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	ctx := context.Background()
	// The month's first entry opens it (its periods row), which a
	// concurrent first entry of the same month waits for: that one is
	// committed first, and touches neither key.
	mustPost(t, l, transfer("opens March", "2021-03-01", payable, works, "1.00"))
	first, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback() //nolint:errcheck
	if _, err := ledger.PostInTx(ctx, first, []ledger.Entry{transfer("first", "2021-03-05", grant, bank, "100.00")}); err != nil {
		t.Fatal(err)
	}
	// Long enough for a loaded machine; a queued poster would wait forever.
	wait, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if _, err := l.Post(wait, transfer("second", "2021-03-05", grant2, bank2, "40.00")); err != nil {
		t.Fatalf("second poster while the first is open: %v", err)
	}
	if err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	var slots int
	var debit decimal.Decimal
	if err := db.QueryRowContext(ctx, `SELECT count(*), sum(debit) FROM district_totals
		WHERE NOT detail AND grain = 'A' AND district = '环翠区' AND book = 'financial' AND type = 'asset'`).Scan(&slots, &debit); err != nil {
		t.Fatal(err)
	}
	if slots != 2 || !debit.Equal(d("140.00")) {
		t.Errorf("环翠区 asset total: %d slots, debit %s; want 2 slots (one per open poster), 140.00", slots, debit)
	}
	rows, err := l.DistrictTotals(ctx, ledger.TotalsFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows {
		got[r.District+"/"+string(r.Type)] = r.Net().StringFixed(2)
	}
	if want := map[string]string{"环翠区/asset": "140.00", "/revenue": "-140.00", "/expense": "1.00", "/liability": "-1.00"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("district totals %v, want %v", got, want)
	}
	if got, want := vouchersOf(t, l), map[string]string{"opens March": "2021-03 财-0001", "second": "2021-03 财-0002", "first": "2021-03 财-0003"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("vouchers %v, want %v (numbered at commit)", got, want)
	}
	wantVerifyOK(t, l)
}
