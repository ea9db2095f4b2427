package scale_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/internal/pgtest"
	"fundledger/internal/scale"
	"fundledger/internal/soak"
	"fundledger/ledger"
	"fundledger/web"
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
// fresh test database with $FUNDLEDGER_SCALE_COMMUNITIES (default 2,000).
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
	}
	if s := os.Getenv("FUNDLEDGER_SCALE_COMMUNITIES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
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

// BenchmarkAPIAtScale runs 32 API clients against the web server (as
// `serve` runs it) on the fixture for $FUNDLEDGER_SCALE_SOAK (default
// 60s): each sends nine reads — district reports of one district and of
// all, project reports, a project, the project, account and entry lists —
// then one entry (internal/soak), and the benchmark reports the reads' and
// the writes' p50 and p99 latencies. Every acknowledged write must be in
// the books once.
func BenchmarkAPIAtScale(b *testing.B) {
	db := scaleDB(b)
	ctx := context.Background()
	d := 60 * time.Second
	if s := os.Getenv("FUNDLEDGER_SCALE_SOAK"); s != "" {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			b.Fatal(err)
		}
	}
	st := access.New(db)
	user := "scalebench"
	if err := st.AddUser(ctx, user, access.FinanceBureau, "", "bench"); err != nil && !errors.Is(err, access.ErrExists) {
		b.Fatal(err)
	}
	_, token, err := st.IssueToken(ctx, user, access.KindAPIToken, "bench", time.Hour, "bench")
	if err != nil {
		b.Fatal(err)
	}
	l := ledger.New(db)
	var pairs [][2]string
	var accts []ledger.Account
	for i := range 8 {
		cash, rev := fmt.Sprintf("cash:soak:%d", i), fmt.Sprintf("revenue:soak:%d", i)
		accts = append(accts, ledger.Account{Code: cash, Type: ledger.Asset}, ledger.Account{Code: rev, Type: ledger.Revenue})
		pairs = append(pairs, [2]string{cash, rev})
	}
	if err := l.CreateAccounts(ctx, accts, "bench"); err != nil {
		b.Fatal(err)
	}
	var projects []struct {
		Code     string `db:"code"`
		District string `db:"district"`
	}
	if err := db.SelectContext(ctx, &projects, `SELECT code, district FROM projects WHERE code LIKE 'N%'
		ORDER BY md5(code) LIMIT 8`); err != nil {
		b.Fatal(err)
	}
	reads := []string{"/api/reports/district", "/api/projects?limit=100", "/api/entries?limit=100"}
	for i, p := range projects {
		reads = append(reads, "/api/projects/"+p.Code+"/report", "/api/reports/district?district="+p.District)
		if i%2 == 0 {
			reads = append(reads, "/api/projects/"+p.Code, "/api/accounts?prefix=cash:"+p.District+":"+p.Code)
		}
	}
	srv := httptest.NewServer(web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	defer srv.Close()
	// Each read alone first, one client: what the queue is made of.
	for _, path := range reads {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		t0 := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		b.Logf("alone: %-70s %d %7d bytes %s", path, resp.StatusCode, n, time.Since(t0).Round(time.Millisecond))
	}
	for b.Loop() {
		res, err := soak.Run(ctx, soak.Config{BaseURL: srv.URL, Token: token, Clients: 32, Duration: d, Accounts: pairs,
			Reads: reads, ReadsPerWrite: 9})
		if err != nil {
			b.Fatal(err)
		}
		f, err := soak.Check(ctx, db, user, res)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%d requests in %s (%d reads, %d read errors; %d writes acknowledged), by status %v", res.Requests,
			res.Elapsed.Round(time.Second), res.ReadRequests, res.ReadErrors, len(res.Acked), res.ByStatus)
		b.Logf("reads p50 %s p99 %s; writes p50 %s p99 %s; all p50 %s p99 %s max %s", res.ReadP50, res.ReadP99,
			res.WriteP50, res.WriteP99, res.P50, res.P99, res.Max)
		if !f.OK() || res.ReadErrors > 0 {
			b.Errorf("lost %v, duplicated %v, read errors %d", f.Lost, f.Duplicates, res.ReadErrors)
		}
		b.ReportMetric(float64(res.ReadP50.Milliseconds()), "read-p50-ms")
		b.ReportMetric(float64(res.ReadP99.Milliseconds()), "read-p99-ms")
		b.ReportMetric(float64(res.WriteP99.Milliseconds()), "write-p99-ms")
	}
}
