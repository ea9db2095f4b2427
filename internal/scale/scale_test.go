package scale_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/internal/pgtest"
	"fundledger/internal/scale"
	"fundledger/ledger"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestFixture builds a small fixture and checks it against figures made
// from its formulas in Go: every entry balances, the district totals and
// day totals agree with the postings (verify's recomputation), and the
// district report's totals are the budgets (19,600 yuan a household),
// received in full and 70% paid per category.
func TestFixture(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	const n = 60
	f, err := scale.Build(ctx, db, scale.Options{Communities: n, Cities: 2})
	if err != nil {
		t.Fatal(err)
	}
	if f.Projects != n || f.Districts != 6+2*scale.DistrictsPerCity || f.Entries != 13*n || f.Postings != 42*n || f.Accounts != 27*n {
		t.Errorf("figures %+v", f)
	}
	var unbalanced int
	if err := db.Get(&unbalanced, `SELECT count(*) FROM (SELECT entry_id FROM postings GROUP BY entry_id
		HAVING sum(amount) FILTER (WHERE side = 'D') <> sum(amount) FILTER (WHERE side = 'C')) x`); err != nil {
		t.Fatal(err)
	}
	if unbalanced != 0 {
		t.Errorf("%d unbalanced entries", unbalanced)
	}
	rep, err := ledger.New(db).Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems {
		if strings.Contains(p, "district totals") || strings.Contains(p, "day balance") || strings.Contains(p, "unbalanced") {
			t.Errorf("verify: %s", p)
		}
	}
	// The formulas of the fixture, in Go.
	var budget, paid decimal.Decimal
	for i := range n {
		h := int64(40 + (i*13)%400)
		basic, improvement := h*19600*60/100, h*19600*25/100
		upgrade := h*19600 - basic - improvement
		budget = budget.Add(decimal.NewFromInt(h * 19600))
		for _, b := range []int64{basic, improvement, upgrade} {
			paid = paid.Add(decimal.NewFromInt(b).Mul(decimal.RequireFromString("0.7")).Round(2))
		}
	}
	p := funding.New(ledger.New(db))
	dr, err := p.DistrictReport(ctx, "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var committed, received, disbursed, catBudget decimal.Decimal
	for _, s := range dr.Sources {
		committed, received, disbursed = committed.Add(s.Committed), received.Add(s.Received), disbursed.Add(s.Disbursed)
	}
	for _, c := range dr.Categories {
		catBudget = catBudget.Add(c.Budget)
	}
	if !committed.Equal(budget) || !received.Equal(budget) || !disbursed.Equal(paid) || !catBudget.Equal(budget) {
		t.Errorf("district report: committed %s received %s disbursed %s budgets %s; want %s, %s, %s, %s",
			committed, received, disbursed, catBudget, budget, budget, paid, budget)
	}
}

// scaleDB is the benchmarks' database: $FUNDLEDGER_SCALE_URL (built there
// with $FUNDLEDGER_SCALE_COMMUNITIES communities, default 220,000, unless
// it holds a fixture already; the role must own the tables), or else a
// fresh test database with 2,000 communities.
func scaleDB(b *testing.B) *sqlx.DB {
	b.Helper()
	ctx := context.Background()
	url := os.Getenv("FUNDLEDGER_SCALE_URL")
	n := 2000
	var db *sqlx.DB
	if url == "" {
		db = pgtest.DB(b)
	} else {
		var err error
		if db, err = sqlx.Open("postgres", url); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		n = 220000
		if s := os.Getenv("FUNDLEDGER_SCALE_COMMUNITIES"); s != "" {
			if n, err = strconv.Atoi(s); err != nil {
				b.Fatal(err)
			}
		}
	}
	built, err := scale.Built(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	if !built {
		start := time.Now()
		f, err := scale.Build(ctx, db, scale.Options{Communities: n, Progress: os.Stderr})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("fixture built in %s: %+v", time.Since(start).Round(time.Second), f)
	}
	return db
}

// BenchmarkReportsAtScale times each report on the fixture: the rolled-up
// trial balance at each level (everything and as of a date), the district
// report, plan progress, a project report, an account's balance as of a
// date and a district's flat trial balance.
func BenchmarkReportsAtScale(b *testing.B) {
	db := scaleDB(b)
	ctx := context.Background()
	f, err := scale.Count(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("fixture: %d provinces, %d cities, %d districts, %d projects, %d accounts, %d entries, %d postings, %d district totals, %d MB",
		f.Provinces, f.Cities, f.Districts, f.Projects, f.Accounts, f.Entries, f.Postings, f.DistrictTotals, f.DatabaseBytes>>20)
	p := funding.New(ledger.New(db))
	var prov, city, dist, project, account string
	if err := db.QueryRowx(`SELECT r.province, r.city, r.district, p.code FROM district_regions r JOIN projects p ON p.district = r.district
		WHERE p.code LIKE 'N%' ORDER BY p.code DESC LIMIT 1`).Scan(&prov, &city, &dist, &project); err != nil {
		b.Fatal(err)
	}
	if err := db.Get(&account, `SELECT code FROM accounts WHERE project = $1 AND code LIKE 'cash:%' ORDER BY code LIMIT 1`, project); err != nil {
		b.Fatal(err)
	}
	asOf := ledger.Date(2023, 6, 30)
	run := func(name string, fn func() error) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	rollup := func(r funding.RollupRequest) func() error {
		return func() error { _, err := p.TrialBalanceRollup(ctx, r); return err }
	}
	for _, book := range []ledger.Book{ledger.BookFinancial, ledger.BookBudget} {
		run(fmt.Sprintf("rollup/%s/provinces", book), rollup(funding.RollupRequest{Book: book}))
		run(fmt.Sprintf("rollup/%s/provinces-as-of", book), rollup(funding.RollupRequest{Book: book, AsOf: asOf}))
	}
	run("rollup/budget/cities", rollup(funding.RollupRequest{Book: ledger.BookBudget, Province: prov}))
	run("rollup/budget/districts", rollup(funding.RollupRequest{Book: ledger.BookBudget, Province: prov, City: city}))
	run("rollup/budget/classes-as-of", rollup(funding.RollupRequest{Book: ledger.BookBudget, Province: prov, City: city, District: dist, AsOf: asOf}))
	run("district-report/all", func() error { _, err := p.DistrictReport(ctx, "", time.Time{}); return err })
	run("district-report/all-as-of", func() error { _, err := p.DistrictReport(ctx, "", asOf); return err })
	run("district-report/one", func() error { _, err := p.DistrictReport(ctx, dist, time.Time{}); return err })
	run("plan-progress", func() error { _, err := p.PlanProgress(ctx, ledger.Date(2026, 1, 31)); return err })
	run("project-report", func() error { _, err := p.ProjectReport(ctx, project, time.Time{}); return err })
	run("balance-as-of", func() error { _, err := p.Ledger().Balance(ctx, account, asOf); return err })
	run("trial-balance/district", func() error {
		_, err := p.Ledger().Balances(ctx, ledger.BalanceFilter{AccountFilter: ledger.AccountFilter{Dimensions: ledger.Dimensions{District: dist}},
			GroupBy: []string{ledger.ByAccount}})
		return err
	})
}
