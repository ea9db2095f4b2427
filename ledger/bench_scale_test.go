package ledger_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

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

// BenchmarkBatchAccountsScale: batches of 30,000 two-posting entries that
// touch 150, 1,500, 15,000 or 60,000 distinct accounts (half of them
// no_overdraft cash accounts being paid out of), every invariant on, each
// batch on the next day so that the accounts' histories grow; and, in the
// same run, alternating with it, a raw COPY of the same rows into plain
// tables. Reported: postings/s of both and the ratio batched/raw.
func BenchmarkBatchAccountsScale(b *testing.B) {
	for _, accounts := range []int{150, 1500, 15000, 60000} {
		b.Run(fmt.Sprintf("accounts=%d", accounts), func(b *testing.B) {
			pairs := accounts / 2
			l, db, ids := scaleLedger(b, pairs)
			ctx := context.Background()
			var posted, raw time.Duration
			postings := 0
			b.ResetTimer()
			for n := range b.N {
				day := ledger.Date(2021, 1, 1).AddDate(0, 0, n).Format(ledger.DateLayout)
				batch := make([]ledger.Entry, scaleEntries)
				for i := range batch {
					a := i % pairs
					batch[i] = transfer(fmt.Sprintf("b%d-%d", n, i), day, fmt.Sprintf("cash:s%d", a), fmt.Sprintf("expense:s%d", a), "1.00")
				}
				postings += 2 * scaleEntries
				start := time.Now()
				rawCopy(b, db, ids, batch, int64(n*scaleEntries))
				raw += time.Since(start)
				start = time.Now()
				if _, err := l.PostBatch(ctx, batch); err != nil {
					b.Fatal(err)
				}
				posted += time.Since(start)
			}
			b.ReportMetric(float64(postings)/posted.Seconds(), "postings/s")
			b.ReportMetric(float64(postings)/raw.Seconds(), "raw-postings/s")
			b.ReportMetric(raw.Seconds()/posted.Seconds(), "batched/raw")
		})
	}
}
