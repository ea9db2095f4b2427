package ledger_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fundledger/internal/pgtest"
	"fundledger/ledger"
)

// BenchmarkDistrictTotalsCost measures what keeping the district totals
// (migration 00017) costs the posting path: batches of 10,000 two-posting
// entries over 1,500 accounts in 50 districts (cash per source, expense
// per category and source), dated over 90 days, and single posts, each
// alternately with the totals' trigger on and off (ALTER TABLE … DISABLE
// TRIGGER postings_roll_up_totals, as the owner) in the same run.
func BenchmarkDistrictTotalsCost(b *testing.B) {
	db := pgtest.DB(b)
	l := ledger.New(db)
	ctx := context.Background()
	var accts []ledger.Account
	var fund []ledger.Entry
	const districts, pairs = 50, 750
	accts = append(accts, ledger.Account{Code: "revenue:fund", Type: ledger.Revenue})
	for i := range pairs {
		dims := ledger.Dimensions{District: fmt.Sprintf("d%d", i%districts), Source: []string{"central", "municipal", "district"}[i%3]}
		cash := ledger.Account{Code: fmt.Sprintf("cash:%s:%d", dims.District, i), Type: ledger.Asset, NoOverdraft: true, Dimensions: dims}
		dims.Category = []string{"basic", "improvement", "upgrade"}[i%3]
		exp := ledger.Account{Code: fmt.Sprintf("expense:%s:%d", dims.District, i), Type: ledger.Expense, Dimensions: dims}
		accts = append(accts, cash, exp)
		fund = append(fund, transfer(fmt.Sprintf("fund%d", i), "2020-01-01", "revenue:fund", cash.Code, "900000000.00"))
	}
	if err := l.CreateAccounts(ctx, accts, "bench"); err != nil {
		b.Fatal(err)
	}
	if _, err := l.PostBatch(ctx, fund); err != nil {
		b.Fatal(err)
	}
	trigger := func(on bool) {
		verb := "DISABLE"
		if on {
			verb = "ENABLE"
		}
		if _, err := db.ExecContext(ctx, `ALTER TABLE postings `+verb+` TRIGGER postings_roll_up_totals`); err != nil {
			b.Fatal(err)
		}
	}
	defer trigger(true)
	const entries = 10000
	var elapsed [2]time.Duration // [off, on]
	var singles [2]time.Duration
	var nSingles [2]int
	n := 0
	for b.Loop() {
		for _, on := range []bool{false, true} {
			trigger(on)
			k := 0
			if on {
				k = 1
			}
			var batch []ledger.Entry
			for range entries {
				n++
				a := (n * 7919) % pairs
				day := ledger.Date(2021, 1, 1).AddDate(0, 0, (n*31)%90).Format(ledger.DateLayout)
				batch = append(batch, transfer(fmt.Sprintf("b%d", n), day, fmt.Sprintf("cash:d%d:%d", a%districts, a),
					fmt.Sprintf("expense:d%d:%d", a%districts, a), "1.23"))
			}
			start := time.Now()
			if _, err := l.PostBatch(ctx, batch); err != nil {
				b.Fatal(err)
			}
			elapsed[k] += time.Since(start)
			start = time.Now()
			for range 100 {
				n++
				a := n % pairs
				if _, err := l.Post(ctx, transfer(fmt.Sprintf("s%d", n), "2021-04-01", fmt.Sprintf("cash:d%d:%d", a%districts, a),
					fmt.Sprintf("expense:d%d:%d", a%districts, a), "1.23")); err != nil {
					b.Fatal(err)
				}
				nSingles[k]++
			}
			singles[k] += time.Since(start)
		}
	}
	rounds := float64(b.N)
	b.ReportMetric(2*entries*rounds/elapsed[0].Seconds(), "postings/s-without")
	b.ReportMetric(2*entries*rounds/elapsed[1].Seconds(), "postings/s-with")
	b.ReportMetric(float64(nSingles[0])/singles[0].Seconds(), "posts/s-without")
	b.ReportMetric(float64(nSingles[1])/singles[1].Seconds(), "posts/s-with")
}
