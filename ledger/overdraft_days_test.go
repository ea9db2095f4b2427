package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"fundledger/ledger"
)

// TestConcurrentOverdraftAcrossDays: 16 goroutines each try 4 payments of
// 10.00 out of one no_overdraft account funded with 100.00, each payment on
// a day of its own (2021-08-02 to 2021-08-31, then again), so no two
// writers meet on the same day's total. Exactly 10 can succeed (10 × 10.00
// = 100.00); the other 54 must be refused as overdrafts. Only the lock on
// the account makes a writer wait for another's payment on another day.
func TestConcurrentOverdraftAcrossDays(t *testing.T) {
	t.Parallel()
	l, _ := newLedger(t)
	ctx := context.Background()
	mustPost(t, l, transfer("fund", "2021-08-01", grant, bank, "100.00"))
	const workers, each = 16, 4
	var mu sync.Mutex
	ok, refused := 0, 0
	var other []error
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				day := 2 + (w*each+i)%30
				_, err := l.Post(ctx, transfer(fmt.Sprintf("pay-%d-%d", w, i), fmt.Sprintf("2021-08-%02d", day), bank, works, "10.00"))
				mu.Lock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, ledger.ErrOverdraft):
					refused++
				default:
					other = append(other, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(other) > 0 {
		t.Fatalf("%d unexpected errors, first: %v", len(other), other[0])
	}
	if ok != 10 || refused != workers*each-10 {
		t.Errorf("succeeded %d, refused %d; want 10 and %d", ok, refused, workers*each-10)
	}
	wantBalance(t, l, bank, "", "0.00")
}

// TestRawSQLOverdraftWaitsForTheAccount: two psql sessions each pay 60.00
// out of an account holding 100.00, on different days, so they share no
// day total. The second waits for the first to commit (the postings
// trigger locks the account) and is then refused; without that lock each
// would check the balance without the other's payment and both would pass.
func TestRawSQLOverdraftWaitsForTheAccount(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	ctx := context.Background()
	mustPost(t, l, transfer("fund", "2021-08-01", grant, bank, "100.00"))
	from, err := l.Account(ctx, bank)
	if err != nil {
		t.Fatal(err)
	}
	to, err := l.Account(ctx, works)
	if err != nil {
		t.Fatal(err)
	}
	pay := func(key, date string) string {
		return fmt.Sprintf(`INSERT INTO entries (book, effective_date, actor, idempotency_key, content_hash) VALUES ('financial', '%[2]s', 'psql', '%[1]s', sha256(''));
			INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
			VALUES (currval('entries_id_seq'), 1, %[3]d, 'D', 60, '%[2]s', 'financial'), (currval('entries_id_seq'), 2, %[4]d, 'C', 60, '%[2]s', 'financial');`,
			key, date, to.ID, from.ID)
	}
	first, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback() //nolint:errcheck
	if _, err := first.Exec(pay("raw-a", "2021-08-02")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		second, err := db.Begin()
		if err != nil {
			done <- err
			return
		}
		if _, err = second.Exec(pay("raw-b", "2021-08-03")); err == nil {
			err = second.Commit()
		} else {
			second.Rollback() //nolint:errcheck
		}
		done <- err
	}()
	// Commit the first once the second waits for a lock (or has finished:
	// then it did not wait, and the test fails below).
	var err2 error
	finished := false
	deadline := time.Now().Add(2 * time.Minute)
	for !finished {
		if time.Now().After(deadline) {
			t.Fatal("the second payment neither waited for a lock nor finished")
		}
		select {
		case err2 = <-done:
			finished = true
		case <-time.After(20 * time.Millisecond):
			var waiting int
			if err := db.Get(&waiting, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
				t.Fatal(err)
			}
			if waiting > 0 {
				if err := first.Commit(); err != nil {
					t.Fatal(err)
				}
				err2 = <-done
				finished = true
			}
		}
	}
	first.Commit() //nolint:errcheck // when the second did not wait
	var pe *pq.Error
	if !errors.As(err2, &pe) || pe.Code != "FL002" {
		t.Errorf("second payment: %v, want FL002 (overdraft)", err2)
	}
	wantBalance(t, l, bank, "", "40.00")
}
