package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/lib/pq"

	"fundledger/ledger"
)

// TestBatchAcrossClosedMonthRefused: a batch (or one SQL statement) whose
// entries fall in an open and a closed month is refused whole, wherever
// the closed month falls among the batch's months: last (2021-03 with
// 2021-04), first (2021-04 with 2021-05), or in the middle. A check that
// looks at only one of a statement's months lets one of these through.
func TestBatchAcrossClosedMonthRefused(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	ctx := context.Background()
	mustPost(t, l, transfer("seed", "2021-03-01", grant, bank, "100.00"))
	if err := l.ClosePeriod(ctx, ledger.Date(2021, 4, 1), "bureau", "month end"); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		var n int
		if err := db.Get(&n, `SELECT count(*) FROM entries`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	for _, c := range []struct {
		name  string
		dates []string
	}{
		{"open then closed", []string{"2021-03-10", "2021-04-10"}},
		{"closed then open", []string{"2021-04-10", "2021-05-10"}},
		{"closed in the middle", []string{"2021-03-10", "2021-04-10", "2021-05-10"}},
		{"closed listed first", []string{"2021-04-10", "2021-03-10"}},
	} {
		t.Run("PostBatch "+c.name, func(t *testing.T) {
			var batch []ledger.Entry
			for i, dt := range c.dates {
				batch = append(batch, transfer(fmt.Sprintf("%s/%d", c.name, i), dt, grant, bank, "1.00"))
			}
			_, err := l.PostBatch(ctx, batch)
			wantErr(t, err, ledger.ErrPeriodClosed)
			if !strings.Contains(err.Error(), "closed period 2021-04") {
				t.Errorf("message does not name the closed month: %v", err)
			}
		})
		t.Run("SQL "+c.name, func(t *testing.T) {
			var rows []string
			for i, dt := range c.dates {
				rows = append(rows, fmt.Sprintf(`('financial', '%s', 'psql', 'raw %s/%d', sha256(''))`, dt, c.name, i))
			}
			// One statement: the statement trigger sees all its months at once.
			_, err := db.Exec(`INSERT INTO entries (book, effective_date, actor, idempotency_key, content_hash) VALUES ` + strings.Join(rows, ", "))
			var pe *pq.Error
			if !errors.As(err, &pe) || pe.Code != "FL003" || !strings.Contains(pe.Message, "closed period 2021-04") {
				t.Errorf("got %v, want FL003 naming closed period 2021-04", err)
			}
		})
	}
	// The careful path (a batch with a key already used goes through it).
	_, err := l.PostBatch(ctx, []ledger.Entry{
		transfer("seed", "2021-03-01", grant, bank, "100.00"),
		transfer("careful/1", "2021-03-20", grant, bank, "1.00"),
		transfer("careful/2", "2021-04-20", grant, bank, "1.00"),
	})
	wantErr(t, err, ledger.ErrPeriodClosed)
	if n := count(); n != before {
		t.Errorf("refused batches left %d entries, want %d", n, before)
	}
	wantBalance(t, l, bank, "", "100.00")
	// The open months alone are accepted: the refusal was for the closed one.
	if _, err := l.PostBatch(ctx, []ledger.Entry{
		transfer("open/1", "2021-03-10", grant, bank, "1.00"),
		transfer("open/2", "2021-05-10", grant, bank, "2.00"),
	}); err != nil {
		t.Fatal(err)
	}
	wantBalance(t, l, bank, "", "103.00")
}
