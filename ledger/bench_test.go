package ledger_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"fundledger/internal/pgtest"
	"fundledger/ledger"
)

// benchLedger makes a chart of n funded no_overdraft bank accounts, n
// revenue and n expense accounts, so that the invariants are all exercised.
func benchLedger(b *testing.B, n int) *ledger.Ledger {
	b.Helper()
	l := ledger.New(pgtest.DB(b))
	ctx := context.Background()
	var fund []ledger.Entry
	for i := range n {
		for _, a := range []ledger.Account{
			{Code: fmt.Sprintf("cash:b%d", i), Type: ledger.Asset, NoOverdraft: true},
			{Code: fmt.Sprintf("revenue:b%d", i), Type: ledger.Revenue},
			{Code: fmt.Sprintf("expense:b%d", i), Type: ledger.Expense},
		} {
			if _, err := l.CreateAccount(ctx, a, "bench"); err != nil {
				b.Fatal(err)
			}
		}
		fund = append(fund, transfer(fmt.Sprintf("fund%d", i), "2020-01-01", fmt.Sprintf("revenue:b%d", i), fmt.Sprintf("cash:b%d", i), "900000000.00"))
	}
	if _, err := l.PostBatch(ctx, fund); err != nil {
		b.Fatal(err)
	}
	return l
}

// BenchmarkPost: one entry of two postings per transaction, one client.
func BenchmarkPost(b *testing.B) {
	l := benchLedger(b, 10)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		a := i % 10
		if _, err := l.Post(ctx, transfer(fmt.Sprintf("p%d", i), "2021-01-02", fmt.Sprintf("cash:b%d", a), fmt.Sprintf("expense:b%d", a), "1.23")); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkPostConcurrent: single-entry transactions from many clients,
// transfers between 100 account pairs, to compare with pgledger's published
// concurrent transfer rate.
func BenchmarkPostConcurrent(b *testing.B) {
	l := benchLedger(b, 100)
	ctx := context.Background()
	var seq atomic.Int64
	b.SetParallelism(16) // 16 × GOMAXPROCS clients
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := seq.Add(1)
			a := i % 100
			if _, err := l.Post(ctx, transfer(fmt.Sprintf("c%d", i), "2021-01-02", fmt.Sprintf("cash:b%d", a), fmt.Sprintf("expense:b%d", a), "1.23")); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkPostBatch: batches of 10,000 entries of 2 to 4 postings each
// (30,000 postings a batch), every invariant on.
func BenchmarkPostBatch(b *testing.B) {
	const entries, accounts = 10000, 50
	l := benchLedger(b, accounts)
	ctx := context.Background()
	postings := 0
	var elapsed time.Duration
	for n := range b.N {
		batch := make([]ledger.Entry, entries)
		postings = 0
		for i := range batch {
			a := i % accounts
			e := transfer(fmt.Sprintf("b%d-%d", n, i), fmt.Sprintf("2021-%02d-%02d", 1+i%12, 1+i%28),
				fmt.Sprintf("cash:b%d", a), fmt.Sprintf("expense:b%d", a), "10.00")
			switch i % 3 { // 2, 3 or 4 postings
			case 1:
				e.Postings[0].Amount = d("6.00")
				e.Postings = append(e.Postings, ledger.Posting{AccountCode: fmt.Sprintf("expense:b%d", (a+1)%accounts), Side: ledger.Debit, Amount: d("4.00")})
			case 2:
				e.Postings[0].Amount = d("5.00")
				e.Postings = append(e.Postings,
					ledger.Posting{AccountCode: fmt.Sprintf("expense:b%d", (a+1)%accounts), Side: ledger.Debit, Amount: d("3.00")},
					ledger.Posting{AccountCode: fmt.Sprintf("expense:b%d", (a+2)%accounts), Side: ledger.Debit, Amount: d("2.00")})
			}
			postings += len(e.Postings)
			batch[i] = e
		}
		start := time.Now()
		if _, err := l.PostBatch(ctx, batch); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(postings*b.N)/elapsed.Seconds(), "postings/s")
}

// BenchmarkPostBatchAfterSinglePosts: batches on a connection that has first
// served single posts on a small database. PL/pgSQL keeps a generic plan
// after five calls; one made for small tables once scanned them whole for
// every later batch (each batch slower than the one before). The trigger
// functions now run with sequential scans disabled, so their plans read
// through indexes whatever the tables' size; this keeps the case in sight.
func BenchmarkPostBatchAfterSinglePosts(b *testing.B) {
	const entries, accounts = 10000, 50
	l := benchLedger(b, accounts)
	l.DB().SetMaxOpenConns(1) // the single posts and the batches share one backend
	ctx := context.Background()
	single := func(key string, i int) {
		a := i % accounts
		if _, err := l.Post(ctx, transfer(key, "2021-01-02", fmt.Sprintf("cash:b%d", a), fmt.Sprintf("expense:b%d", a), "1.23")); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 30 {
		single(fmt.Sprintf("s%d", i), i)
	}
	postings := 0
	var elapsed time.Duration
	for n := range b.N {
		batch := make([]ledger.Entry, entries)
		for i := range batch {
			a := i % accounts
			batch[i] = transfer(fmt.Sprintf("b%d-%d", n, i), fmt.Sprintf("2021-%02d-%02d", 1+i%12, 1+i%28),
				fmt.Sprintf("cash:b%d", a), fmt.Sprintf("expense:b%d", a), "10.00")
			postings += 2
		}
		start := time.Now()
		if _, err := l.PostBatch(ctx, batch); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		for i := range 10 {
			single(fmt.Sprintf("s%d-%d", n, i), i)
		}
	}
	b.ReportMetric(float64(postings)/elapsed.Seconds(), "postings/s")
}

// BenchmarkPostBatchDistrictClosed: BenchmarkPostBatch's batches on
// accounts of five districts, while a sixth district has closed one of the
// months they post into, so that the per-district check of every batch
// takes its slow path (the join that looks for a closed district's
// postings) instead of the probe that finds no closed district.
func BenchmarkPostBatchDistrictClosed(b *testing.B) {
	const entries, accounts = 10000, 50
	l := ledger.New(pgtest.DB(b))
	ctx := context.Background()
	var all []ledger.Account
	var fund []ledger.Entry
	for i := range accounts + 1 {
		dims := ledger.Dimensions{District: fmt.Sprintf("D%d", i%5)}
		if i == accounts {
			dims.District = "closed"
		}
		all = append(all,
			ledger.Account{Code: fmt.Sprintf("cash:b%d", i), Type: ledger.Asset, NoOverdraft: true, Dimensions: dims},
			ledger.Account{Code: fmt.Sprintf("revenue:b%d", i), Type: ledger.Revenue, Dimensions: dims},
			ledger.Account{Code: fmt.Sprintf("expense:b%d", i), Type: ledger.Expense, Dimensions: dims})
		fund = append(fund, transfer(fmt.Sprintf("fund%d", i), "2020-01-01", fmt.Sprintf("revenue:b%d", i), fmt.Sprintf("cash:b%d", i), "900000000.00"))
	}
	if err := l.CreateAccounts(ctx, all, "bench"); err != nil {
		b.Fatal(err)
	}
	if _, err := l.PostBatch(ctx, fund); err != nil {
		b.Fatal(err)
	}
	if err := l.CloseDistrictPeriod(ctx, ledger.Date(2021, 3, 1), "closed", "bench", "month end"); err != nil {
		b.Fatal(err)
	}
	postings := 0
	var elapsed time.Duration
	for n := range b.N {
		batch := make([]ledger.Entry, entries)
		for i := range batch {
			a := i % accounts
			e := transfer(fmt.Sprintf("b%d-%d", n, i), fmt.Sprintf("2021-%02d-%02d", 1+i%12, 1+i%28),
				fmt.Sprintf("cash:b%d", a), fmt.Sprintf("expense:b%d", a), "10.00")
			if i%3 == 1 {
				e.Postings[0].Amount = d("6.00")
				e.Postings = append(e.Postings, ledger.Posting{AccountCode: fmt.Sprintf("expense:b%d", (a+1)%accounts), Side: ledger.Debit, Amount: d("4.00")})
			}
			postings += len(e.Postings)
			batch[i] = e
		}
		start := time.Now()
		if _, err := l.PostBatch(ctx, batch); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(postings)/elapsed.Seconds(), "postings/s")
}
