package recon_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"fundledger/internal/cputime"
	"fundledger/internal/pgtest"
	"fundledger/recon"
)

// BenchmarkMatch1M matches 1,000,000 statement lines against 1,000,000
// cash postings of one bank account over a year (period 2021, window ±3
// days): one recon.Run, from loading both sides to committing the matches.
// The data is written straight into the tables with SQL (not through the
// ledger's Post, to keep the set-up bounded; every trigger still runs) and
// is not timed. Per block of 100 slots:
//
//	70 a line and a posting with the same reference              → pass 1
//	26 a line and a posting of the same amount, 0–3 days apart   → pass 2
//	 1 a line paid as two postings (split)                       → pass 3
//	 1 a posting paid as two lines (merged)                      → pass 3
//	 1 a line with no posting, 1 a posting with no line          → unmatched
//
// Amounts are pseudo-random fen (1,000.00 to 10,000,000.00), so a few
// pairs collide and are listed as ambiguous, as in life.
// FUNDLEDGER_BENCH_LINES sets another size (for a quick look).
func BenchmarkMatch1M(b *testing.B) {
	n := 1000000
	if s := os.Getenv("FUNDLEDGER_BENCH_LINES"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 100 {
			b.Fatalf("FUNDLEDGER_BENCH_LINES=%q", s)
		}
		n = v / 100 * 100
	}
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := pgtest.DB(b)
		setup := time.Now()
		lines, posts := benchData(b, ctx, db, n)
		b.Logf("set-up: %d lines, %d postings in %s", lines, posts, time.Since(setup).Round(time.Millisecond))
		r := recon.New(db)
		req := recon.RunRequest{BankAccount: "BENCH", Period: period("2021"), WindowDays: 3, Actor: "bench"}
		srv0, cli0 := cputime.Server(ctx, db), cputime.Client()
		b.StartTimer()
		start := time.Now()
		res, err := r.Run(ctx, req)
		el := time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		srv, cli := cputime.Server(ctx, db)-srv0, cputime.Client()-cli0
		b.ReportMetric(float64(lines)/el.Seconds(), "lines/s")
		b.ReportMetric(srv.Seconds(), "server-cpu-s")
		b.ReportMetric(cli.Seconds(), "client-cpu-s")
		b.Logf("CPU of the run: server %s, this process %s; load average %s", srv.Round(time.Millisecond), cli.Round(time.Millisecond), cputime.LoadAverage())
		b.Logf("run: %d lines, %d postings looked at; %d matches (pass 1 %d, pass 2 %d, pass 3 %d); %d issues; %s (load %s, match %s, write %s)",
			res.Lines, res.Postings, res.Matched, res.Passes[0].Matches, res.Passes[1].Matches, res.Passes[2].Matches, res.IssueCount,
			el.Round(time.Millisecond), res.LoadTime.Round(time.Millisecond), res.MatchTime.Round(time.Millisecond), res.WriteTime.Round(time.Millisecond))
		if res.Passes[0].Matches < n*69/100 || res.Passes[1].Matches < n*25/100 || res.Passes[2].Matches < n/100 {
			b.Errorf("fewer matches than the data holds: %+v", res.Passes)
		}
		again := time.Now()
		res, err = r.Run(ctx, req)
		if err != nil || res.Matched != 0 {
			b.Fatalf("second run: %+v %v", res.Passes, err)
		}
		b.Logf("second run: nothing new to match, %s", time.Since(again).Round(time.Millisecond))
		b.StartTimer()
	}
}

// splitmix64 is a small deterministic pseudo-random function.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func fenText(f int64) string { return fmt.Sprintf("%d.%02d", f/100, f%100) }

// benchData writes n statement lines and n cash postings (in n entries)
// for bank account BENCH, over 2021.
func benchData(b *testing.B, ctx context.Context, db *sqlx.DB, n int) (int, int) {
	b.Helper()
	must := func(_ any, err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(db.ExecContext(ctx, `INSERT INTO bank_accounts (code, name, created_by) VALUES ('BENCH', 'benchmark account', 'bench')`))
	must(db.ExecContext(ctx, `INSERT INTO accounts (code, book, type, normal_side) VALUES
		('cash:bench:P:central', 'financial', 'asset', 'D'), ('revenue:bench:P:central', 'financial', 'revenue', 'C')`))
	var cash, other int64
	must(nil, db.GetContext(ctx, &cash, `SELECT id FROM accounts WHERE code = 'cash:bench:P:central'`))
	must(nil, db.GetContext(ctx, &other, `SELECT id FROM accounts WHERE code = 'revenue:bench:P:central'`))

	type side struct {
		day  []string
		ref  []string
		in   []bool
		amts []string
	}
	var L, P side
	add := func(s *side, day int, ref string, in bool, fen int64) {
		s.day = append(s.day, time.Date(2021, 1, 1+day, 0, 0, 0, 0, time.UTC).Format("2006-01-02"))
		s.ref, s.in, s.amts = append(s.ref, ref), append(s.in, in), append(s.amts, fenText(fen))
	}
	amount := func(i, k int) int64 { return 100000 + int64(splitmix64(uint64(i)*4+uint64(k))%999900000) }
	for i := 0; i < n; i++ {
		day := i * 365 / n
		in := splitmix64(uint64(i)^0x5555)%2 == 0
		k := i % 100
		switch {
		case k < 70:
			a := amount(i, 0)
			ref := "GK-" + strconv.Itoa(i)
			add(&P, day, ref, in, a)
			add(&L, day+i%3, ref, in, a)
		case k < 96:
			a := amount(i, 0)
			add(&P, day, "V-"+strconv.Itoa(i), in, a)
			add(&L, day+i%4, "", in, a)
		case k == 96: // split: one line, two postings
			a, c := amount(i, 1), amount(i, 2)
			add(&P, day, "", in, a)
			add(&P, day+1, "", in, c)
			add(&L, day+1, "", in, a+c)
		case k == 97: // merged: one posting, two lines
			a, c := amount(i, 1), amount(i, 2)
			add(&P, day, "", in, a+c)
			add(&L, day, "", in, a)
			add(&L, day+2, "", in, c)
		case k == 98:
			add(&L, day, "", true, 100+int64(i%10000)) // interest: not in the books
		default:
			add(&P, day, "", false, amount(i, 3)) // not yet at the bank
		}
	}
	const batch = 200000
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	for s := 0; s < len(P.day); s += batch {
		e := min(s+batch, len(P.day))
		must(tx.ExecContext(ctx, `
			WITH u AS (SELECT * FROM unnest($1::date[], $2::text[], $3::bool[], $4::numeric[]) WITH ORDINALITY AS u(d, ref, is_in, amt, ord)),
			e AS (INSERT INTO entries (id, book, effective_date, memo, actor, idempotency_key, metadata, content_hash)
			      SELECT $5 + ord, 'financial', d, 'bench', 'bench', 'bench-' || ($5 + ord),
			             jsonb_build_object('bank_account', 'BENCH', 'reference', ref, 'kind', CASE WHEN is_in THEN 'receipt' ELSE 'disbursement' END),
			             sha256(($5 + ord)::text::bytea)
			        FROM u RETURNING id)
			SELECT count(*) FROM e`,
			pq.StringArray(P.day[s:e]), pq.StringArray(P.ref[s:e]), pq.BoolArray(P.in[s:e]), pq.StringArray(P.amts[s:e]), s))
		must(tx.ExecContext(ctx, `
			INSERT INTO postings (entry_id, line, account_id, side, effective_date, book, amount)
			SELECT $5::bigint + ord, 1, $6::bigint, CASE WHEN is_in THEN 'D' ELSE 'C' END, d, 'financial', amt
			  FROM unnest($1::date[], $2::text[], $3::bool[], $4::numeric[]) WITH ORDINALITY AS u(d, ref, is_in, amt, ord)
			UNION ALL
			SELECT $5::bigint + ord, 2, $7::bigint, CASE WHEN is_in THEN 'C' ELSE 'D' END, d, 'financial', amt
			  FROM unnest($1::date[], $2::text[], $3::bool[], $4::numeric[]) WITH ORDINALITY AS u(d, ref, is_in, amt, ord)`,
			pq.StringArray(P.day[s:e]), pq.StringArray(P.ref[s:e]), pq.BoolArray(P.in[s:e]), pq.StringArray(P.amts[s:e]), s, cash, other))
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	must(db.ExecContext(ctx, `SELECT setval('entries_id_seq', $1)`, len(P.day)))
	var imp int64
	must(nil, db.GetContext(ctx, &imp, `INSERT INTO recon_imports (bank_account, profile, file_name, sha256, lines_read, lines_added, imported_by)
		VALUES ('BENCH', 'generic', 'bench', repeat('0', 64), $1, $1, 'bench') RETURNING id`, len(L.day)))
	for s := 0; s < len(L.day); s += batch {
		e := min(s+batch, len(L.day))
		must(db.ExecContext(ctx, `
			INSERT INTO recon_statement_lines (import_id, bank_account, source_row, value_date, direction, amount, reference, occurrence, fingerprint)
			SELECT $5, 'BENCH', $6 + ord, d, CASE WHEN is_in THEN 'in' ELSE 'out' END, amt, ref, 1, sha256(($6 + ord)::text::bytea)
			  FROM unnest($1::date[], $2::text[], $3::bool[], $4::numeric[]) WITH ORDINALITY AS u(d, ref, is_in, amt, ord)`,
			pq.StringArray(L.day[s:e]), pq.StringArray(L.ref[s:e]), pq.BoolArray(L.in[s:e]), pq.StringArray(L.amts[s:e]), imp, s))
	}
	must(db.ExecContext(ctx, `ANALYZE`))
	return len(L.day), len(P.day)
}
