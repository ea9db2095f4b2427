package ledger_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/lib/pq"
)

// TestPostingsCannotBeDeleted: DELETE of postings, all of them or one
// entry's, is refused by the database as append-only; the balance and the
// chain are as before. (TRUNCATE and UPDATE of postings and DELETE of
// entries are attacked in TestRawSQLCannotBreakTheBooks.)
func TestPostingsCannotBeDeleted(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	e := mustPost(t, l, transfer("seed", "2021-03-01", grant, bank, "100.00"))
	mustPost(t, l, transfer("pay", "2021-03-02", bank, works, "30.00"))
	for _, c := range []struct{ name, sql string }{
		{"all postings", `DELETE FROM postings`},
		{"one entry's postings", fmt.Sprintf(`DELETE FROM postings WHERE entry_id = %d`, e.ID)},
		{"one posting", fmt.Sprintf(`DELETE FROM postings WHERE entry_id = %d AND line = 2`, e.ID)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := db.Exec(c.sql)
			var pe *pq.Error
			if !errors.As(err, &pe) || pe.Code != "FL004" || !strings.Contains(pe.Message, "append-only") {
				t.Fatalf("got %v, want FL004 append-only", err)
			}
		})
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM postings`); err != nil || n != 4 {
		t.Errorf("postings after the attacks: %d (%v), want 4", n, err)
	}
	wantBalance(t, l, bank, "", "70.00")
	rep, err := l.Verify(t.Context())
	if err != nil || !rep.OK {
		t.Errorf("verify: %+v %v", rep, err)
	}
}
