package funding_test

import (
	"context"
	"errors"
	"testing"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
)

// TestTrialBalanceRollup checks each level of the rolled-up trial balance
// against the flat trial balance summed in Go by the accounts' districts
// and the regions placed here by hand.
func TestTrialBalanceRollup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newProgramme(t)
	db := p.Ledger().DB()
	fundedProject(t, p, "P1") // 环翠区 (huancui): Weihai, Shandong by the migration
	if err := funding.AddDistrict(ctx, db, funding.District{Code: "testd", NameZh: "测试区"}, "bureau"); err != nil {
		t.Fatal(err)
	}
	if err := funding.PlaceDistrict(ctx, db, funding.Region{District: "testd", City: "测试市", Province: "测试省"}, "bureau"); err != nil {
		t.Fatal(err)
	}
	// Placing it again in the same city changes nothing; elsewhere it is refused.
	if err := funding.PlaceDistrict(ctx, db, funding.Region{District: "testd", City: "测试市", Province: "测试省"}, "bureau"); err != nil {
		t.Errorf("placing again: %v", err)
	}
	if err := funding.PlaceDistrict(ctx, db, funding.Region{District: "testd", City: "别市", Province: "测试省"}, "bureau"); !errors.Is(err, funding.ErrExists) {
		t.Errorf("moving a district: %v, want ErrExists", err)
	}
	in := sampleProject("P2")
	in.District = "测试区"
	if _, err := p.RegisterProject(ctx, in, "officer"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Approve(ctx, funding.ApprovalRequest{Project: "P2", ApprovedOn: date("2020-07-01"), Actor: "officer",
		Lines: []funding.BudgetLineInput{{Category: "basic", Amount: d("300000.00")}}}); err != nil {
		t.Fatal(err)
	}
	region := map[string][2]string{"huancui": {"山东省", "威海市"}, "testd": {"测试省", "测试市"}}
	for _, book := range []ledger.Book{ledger.BookFinancial, ledger.BookBudget} {
		flat, err := p.Ledger().TrialBalance(ctx, book, ledger.Date(2030, 1, 1))
		if err != nil {
			t.Fatal(err)
		}
		// Independent sums: each (district, class) net of the flat trial
		// balance's lines, put on its side, then summed per province, per
		// city, per district and per class.
		type cell struct{ prov, city, dist, class string }
		nets := map[cell]decimal.Decimal{}
		for _, l := range flat.Lines {
			c := cell{funding.Unplaced, funding.Unplaced, funding.Unplaced, string(l.Account.Type)}
			if l.Account.District != "" {
				c.dist = l.Account.District
				if r, ok := region[c.dist]; ok {
					c.prov, c.city = r[0], r[1]
				}
			}
			nets[c] = nets[c].Add(l.Debit).Sub(l.Credit)
		}
		type side struct{ d, c decimal.Decimal }
		sums := map[string]side{}
		for c, net := range nets {
			for _, k := range []string{"p/" + c.prov, "c/" + c.prov + "/" + c.city, "d/" + c.prov + "/" + c.city + "/" + c.dist,
				"k/" + c.prov + "/" + c.city + "/" + c.dist + "/" + c.class} {
				s := sums[k]
				if net.IsNegative() {
					s.c = s.c.Sub(net)
				} else {
					s.d = s.d.Add(net)
				}
				sums[k] = s
			}
		}
		check := func(req funding.RollupRequest, level string, key func(funding.RollupRow) string) {
			t.Helper()
			req.Book, req.AsOf = book, ledger.Date(2030, 1, 1)
			got, err := p.TrialBalanceRollup(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if got.Level != level || len(got.Rows) == 0 {
				t.Fatalf("%s %+v: level %s with %d rows, want level %s", book, req, got.Level, len(got.Rows), level)
			}
			for _, r := range got.Rows {
				w := sums[key(r)]
				if !r.Debit.Equal(w.d) || !r.Credit.Equal(w.c) {
					t.Errorf("%s %s: debit %s credit %s, want %s %s", book, key(r), r.Debit, r.Credit, w.d, w.c)
				}
			}
			if req.Province == "" && (!got.TotalDebit.Equal(got.TotalCredit) || got.TotalDebit.IsZero()) {
				t.Errorf("%s: totals %s/%s, want equal (the book balances)", book, got.TotalDebit, got.TotalCredit)
			}
		}
		check(funding.RollupRequest{}, funding.LevelProvince, func(r funding.RollupRow) string { return "p/" + r.Province })
		// P2 (测试区) has only its approval, in the budget book.
		prov, city, dist := "测试省", "测试市", "testd"
		if book == ledger.BookFinancial {
			prov, city, dist = "山东省", "威海市", "huancui"
		}
		check(funding.RollupRequest{Province: prov}, funding.LevelCity, func(r funding.RollupRow) string { return "c/" + r.Province + "/" + r.City })
		check(funding.RollupRequest{Province: "山东省", City: "威海市"}, funding.LevelDistrict,
			func(r funding.RollupRow) string { return "d/" + r.Province + "/" + r.City + "/" + r.District })
		check(funding.RollupRequest{Province: prov, City: city, District: dist}, funding.LevelClass,
			func(r funding.RollupRow) string {
				return "k/" + r.Province + "/" + r.City + "/" + r.District + "/" + r.Class
			})
	}
	if _, err := p.TrialBalanceRollup(ctx, funding.RollupRequest{Book: ledger.BookBudget, City: "测试市"}); !errors.Is(err, funding.ErrInvalid) {
		t.Errorf("a city without its province: %v, want ErrInvalid", err)
	}
}
