package ledger_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"fundledger/internal/cputime"
	"fundledger/internal/pgcopy"
	"fundledger/internal/pgtest"
	"fundledger/ledger"
)

// scaleEntries is the size of every batch of BenchmarkBatchAccountsScale:
// 30,000 two-posting entries (60,000 postings), whatever the accounts.
const scaleEntries = 30000

// scaleLedger makes pairs funded no_overdraft cash accounts and as many
// expense accounts (2 × pairs distinct accounts), funded from one revenue
// account; it returns the accounts' ids by code.
func scaleLedger(b *testing.B, pairs int) (*ledger.Ledger, *sqlx.DB, map[string]int64) {
	b.Helper()
	db := pgtest.DB(b)
	l := ledger.New(db)
	ctx := context.Background()
	accts := []ledger.Account{{Code: "revenue:fund", Type: ledger.Revenue}}
	var fund []ledger.Entry
	for i := range pairs {
		accts = append(accts,
			ledger.Account{Code: fmt.Sprintf("cash:s%d", i), Type: ledger.Asset, NoOverdraft: true},
			ledger.Account{Code: fmt.Sprintf("expense:s%d", i), Type: ledger.Expense})
		fund = append(fund, transfer(fmt.Sprintf("fund%d", i), "2020-01-01", "revenue:fund", fmt.Sprintf("cash:s%d", i), "900000000.00"))
	}
	for lo := 0; lo < len(accts); lo += 10000 {
		if err := l.CreateAccounts(ctx, accts[lo:min(lo+10000, len(accts))], "bench"); err != nil {
			b.Fatal(err)
		}
	}
	for lo := 0; lo < len(fund); lo += scaleEntries {
		if _, err := l.PostBatch(ctx, fund[lo:min(lo+scaleEntries, len(fund))]); err != nil {
			b.Fatal(err)
		}
	}
	ids := map[string]int64{}
	rows, err := db.Query(`SELECT code, id FROM accounts`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var id int64
		if err := rows.Scan(&code, &id); err != nil {
			b.Fatal(err)
		}
		ids[code] = id
	}
	if _, err := db.Exec(`CREATE TABLE bench_raw_entries (id bigint, book text, effective_date date, memo text, actor text,
		idempotency_key text, reverses_entry_id bigint, corrects_entry_id bigint, metadata jsonb, hash_version smallint, content_hash bytea);
		CREATE TABLE bench_raw_postings (entry_id bigint, line int, account_id bigint, side char(1), amount numeric, effective_date date, book text)`); err != nil {
		b.Fatal(err)
	}
	return l, db, ids
}

// rawCopy writes the batch's entries and postings with COPY into plain
// tables without keys, indexes or triggers: the server's floor for the
// same rows.
func rawCopy(b *testing.B, db *sqlx.DB, ids map[string]int64, batch []ledger.Entry, first int64) {
	b.Helper()
	ctx := context.Background()
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	err = pgcopy.Rows(ctx, tx, "bench_raw_entries", []string{"id", "book", "effective_date", "memo", "actor", "idempotency_key",
		"reverses_entry_id", "corrects_entry_id", "metadata", "hash_version", "content_hash"}, func(put func(...any) error) error {
		for i, e := range batch {
			h := sha256.Sum256([]byte(e.IdempotencyKey))
			if err := put(first+int64(i), string(e.Book), e.EffectiveDate.Format(ledger.DateLayout), e.Memo, e.Actor, e.IdempotencyKey,
				nil, nil, "{}", 2, `\x`+hex.EncodeToString(h[:])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	err = pgcopy.Rows(ctx, tx, "bench_raw_postings", []string{"entry_id", "line", "account_id", "side", "amount", "effective_date", "book"},
		func(put func(...any) error) error {
			for i, e := range batch {
				for line, p := range e.Postings {
					if err := put(first+int64(i), int64(line+1), ids[p.AccountCode], string(p.Side), p.Amount.StringFixed(2),
						e.EffectiveDate.Format(ledger.DateLayout), string(e.Book)); err != nil {
						return err
					}
				}
			}
			return nil
		})
	if err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// scaleHistory is how many entries are in the books before the timed
// batches of BenchmarkBatchAccountsScale: $FUNDLEDGER_BENCH_HISTORY, or
// 2,000,000 (4,000,000 postings).
func scaleHistory() int {
	if s := os.Getenv("FUNDLEDGER_BENCH_HISTORY"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 50_000_000 {
			return n
		}
	}
	return 2_000_000
}

// loadHistory puts n two-posting entries into the books before the timed
// batches: entry g pays 0.01 out of cash:s(g mod pairs) into its expense
// account, dated on one of 364 days of 2020, so that every cash account has
// a long day history. Through the triggers this would take longer than the
// benchmark itself on this machine, so the rows are written with triggers
// off (ALTER TABLE … DISABLE TRIGGER USER, by the tables' owner, in the
// loading transaction) together with what the triggers derive from them: day totals,
// running totals of the no_overdraft accounts, months and voucher numbers.
// Their content hashes are not the ledger's (the benchmark never verifies
// the chain).
func loadHistory(b *testing.B, db *sqlx.DB, pairs, n int) {
	b.Helper()
	if n == 0 {
		return
	}
	ctx := context.Background()
	conn, err := db.Connx(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	exec := func(q string, args ...any) {
		b.Helper()
		if _, err := conn.ExecContext(ctx, q, args...); err != nil {
			b.Fatalf("%v\n%s", err, q)
		}
	}
	var base int64
	if err := conn.GetContext(ctx, &base, `SELECT nextval('entries_id_seq')`); err != nil {
		b.Fatal(err)
	}
	exec(`SELECT setval('entries_id_seq', $1::bigint)`, base+int64(n))
	derived := []string{"entries", "postings", "periods", "account_day_balances", "account_balances", "entry_vouchers", "voucher_counters"}
	exec(`BEGIN`)
	for _, t := range derived {
		exec(`ALTER TABLE ` + t + ` DISABLE TRIGGER USER`)
	}
	exec(`CREATE TEMP TABLE bench_pairs ON COMMIT DROP AS
		SELECT substr(c.code, 7)::int AS i, c.id AS cash, x.id AS expense
		  FROM accounts c JOIN accounts x ON x.code = 'expense:' || substr(c.code, 6)
		 WHERE c.code LIKE 'cash:s%'`)
	exec(`INSERT INTO entries (id, book, effective_date, actor, idempotency_key, hash_version, content_hash)
		SELECT $1::bigint + g, 'financial', DATE '2020-01-02' + (g % 364), 'history', 'h' || g, 2, sha256(('h' || g)::text::bytea)
		  FROM generate_series(0, $2::int - 1) g`, base, n)
	exec(`INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
		SELECT $1::bigint + g, l.line, CASE l.line WHEN 1 THEN p.expense ELSE p.cash END, l.side, 0.01,
		       DATE '2020-01-02' + (g % 364), 'financial'
		  FROM generate_series(0, $2::int - 1) g JOIN bench_pairs p ON p.i = g % $3::int
		 CROSS JOIN (VALUES (1::smallint, 'D'), (2::smallint, 'C')) l(line, side)`, base, n, pairs)
	exec(`INSERT INTO periods (period) SELECT generate_series(DATE '2020-01-01', DATE '2020-12-01', interval '1 month')::date
		ON CONFLICT DO NOTHING`)
	exec(`CREATE TEMP TABLE bench_days ON COMMIT DROP AS
		SELECT account_id, effective_date AS day, coalesce(sum(amount) FILTER (WHERE side = 'D'), 0) AS debit,
		       coalesce(sum(amount) FILTER (WHERE side = 'C'), 0) AS credit
		  FROM postings WHERE entry_id BETWEEN $1::bigint AND $1::bigint + $2::int - 1 GROUP BY 1, 2`, base, n)
	exec(`INSERT INTO account_day_balances (account_id, day, debit, credit) SELECT account_id, day, debit, credit FROM bench_days`)
	exec(`UPDATE account_balances t SET debit = t.debit + x.debit, credit = t.credit + x.credit
		  FROM (SELECT account_id, sum(debit) AS debit, sum(credit) AS credit FROM bench_days GROUP BY 1) x
		 WHERE t.account_id = x.account_id`)
	var lastDay bool
	if err := conn.GetContext(ctx, &lastDay, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_name = 'account_balances' AND column_name = 'last_day')`); err != nil {
		b.Fatal(err)
	}
	if lastDay { // migration 00016 keeps the last day posted
		exec(`UPDATE account_balances t SET last_day = greatest(t.last_day, x.day)
			  FROM (SELECT account_id, max(day) AS day FROM bench_days GROUP BY 1) x WHERE t.account_id = x.account_id`)
	}
	exec(`INSERT INTO entry_vouchers (entry_id, book, month, seq)
		SELECT id, 'financial', date_trunc('month', effective_date)::date,
		       coalesce((SELECT last_seq FROM voucher_counters c WHERE c.book = 'financial' AND c.month = date_trunc('month', effective_date)::date), 0)
		       + row_number() OVER (PARTITION BY date_trunc('month', effective_date) ORDER BY id)
		  FROM entries WHERE id BETWEEN $1::bigint AND $1::bigint + $2::int - 1`, base, n)
	exec(`INSERT INTO voucher_counters (book, month, last_seq) SELECT book, month, max(seq) FROM entry_vouchers GROUP BY 1, 2
		ON CONFLICT (book, month) DO UPDATE SET last_seq = EXCLUDED.last_seq`)
	for _, t := range derived {
		exec(`ALTER TABLE ` + t + ` ENABLE TRIGGER USER`)
	}
	exec(`COMMIT`)
	exec(`ANALYZE`)
}

// scaleBatches is how many batches one operation of
// BenchmarkBatchAccountsScale posts ($FUNDLEDGER_BENCH_BATCHES, or 3): its
// set-up is long, so run it with -benchtime 1x.
func scaleBatches() int {
	if s := os.Getenv("FUNDLEDGER_BENCH_BATCHES"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 && n <= 100 {
			return n
		}
	}
	return 3
}

// BenchmarkBatchAccountsScale: batches of 30,000 two-posting entries that
// touch 150, 1,500, 15,000 or 60,000 distinct accounts (half of them
// no_overdraft cash accounts being paid out of), every invariant on, each
// batch on the next day so that the accounts' histories grow, after
// scaleHistory() entries of history; and, in the same run, alternating
// with it, a raw COPY of the same rows into plain tables. Reported:
// postings/s of both and the ratio batched/raw, in wall time and in CPU
// time (the server's processes and this one), which the machine's load
// changes less. With FUNDLEDGER_BENCH_MILLION=1, a fifth case: 1,000,000
// accounts in the books, each batch touching the next 60,000 of them (a
// batch touches at most 2 × 30,000).
func BenchmarkBatchAccountsScale(b *testing.B) {
	cases := []int{150, 1500, 15000, 60000}
	if os.Getenv("FUNDLEDGER_BENCH_MILLION") == "1" {
		cases = append(cases, 1000000)
	}
	for _, accounts := range cases {
		b.Run(fmt.Sprintf("accounts=%d", accounts), func(b *testing.B) {
			pairs := accounts / 2
			l, db, ids := scaleLedger(b, pairs)
			db.SetMaxOpenConns(1) // one backend: its CPU is the server's work
			loadHistory(b, db, pairs, scaleHistory())
			ctx := context.Background()
			var posted, raw, postedCPU, rawCPU time.Duration
			postings := 0
			b.ResetTimer()
			batches := b.N * scaleBatches()
			for n := range batches {
				day := ledger.Date(2021, 1, 1).AddDate(0, 0, n).Format(ledger.DateLayout)
				batch := make([]ledger.Entry, scaleEntries)
				for i := range batch {
					a := (n*scaleEntries + i) % pairs
					batch[i] = transfer(fmt.Sprintf("b%d-%d", n, i), day, fmt.Sprintf("cash:s%d", a), fmt.Sprintf("expense:s%d", a), "1.00")
				}
				postings += 2 * scaleEntries
				cpu0 := cputime.Server(ctx, db) + cputime.Client()
				start := time.Now()
				rawCopy(b, db, ids, batch, int64(n*scaleEntries))
				raw += time.Since(start)
				cpu1 := cputime.Server(ctx, db) + cputime.Client()
				start = time.Now()
				if _, err := l.PostBatch(ctx, batch); err != nil {
					b.Fatal(err)
				}
				posted += time.Since(start)
				cpu2 := cputime.Server(ctx, db) + cputime.Client()
				rawCPU, postedCPU = rawCPU+cpu1-cpu0, postedCPU+cpu2-cpu1
			}
			b.ReportMetric(float64(postings)/posted.Seconds(), "postings/s")
			b.ReportMetric(float64(postings)/raw.Seconds(), "raw-postings/s")
			b.ReportMetric(raw.Seconds()/posted.Seconds(), "batched/raw")
			if postedCPU > 0 {
				b.ReportMetric(rawCPU.Seconds()/postedCPU.Seconds(), "cpu-batched/raw")
			}
			b.Logf("history %d entries; CPU per batch: posted %s, raw %s; load average %s", scaleHistory(),
				(postedCPU / time.Duration(batches)).Round(time.Millisecond), (rawCPU / time.Duration(batches)).Round(time.Millisecond), cputime.LoadAverage())
		})
	}
}
