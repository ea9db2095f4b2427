package ledger_test

import (
	"context"
	"strings"
	"testing"

	"fundledger/ledger"
)

// TestOverdraftOnEveryDayAfterBackDating: the balance check reads only the
// days from the first one a statement lowers an account, starting from the
// account's running total. A payment back-dated between two days must still
// be refused when it overdraws a later day, and the totals must equal the
// day totals summed (counted here in SQL, independently of the trigger).
func TestOverdraftOnEveryDayAfterBackDating(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	ctx := context.Background()
	// By hand: +100 on 03-01, -80 on 03-05 → balances 100 (03-01..03-04), 20 (03-05..).
	mustPost(t, l, transfer("in", "2021-03-01", grant, bank, "100.00"))
	mustPost(t, l, transfer("out", "2021-03-05", bank, works, "80.00"))
	cases := []struct {
		name, date, amount, want string
	}{
		// 03-03: 100-30 = 70 then, but 03-05: 20-30 = -10.
		{"back-dated, overdraws a later day", "2021-03-03", "30.00", "would overdraw by 10.00 on 2021-03-05"},
		// Before the money arrived.
		{"before the first day", "2021-02-28", "0.01", "would overdraw by 0.01 on 2021-02-28"},
		// Today: 20-20.01.
		{"on the last day", "2021-03-05", "20.01", "would overdraw by 0.01 on 2021-03-05"},
		// After: 20-25.
		{"after the last day", "2021-03-09", "25.00", "would overdraw by 5.00 on 2021-03-09"},
	}
	for _, c := range cases {
		_, err := l.Post(ctx, transfer("refused-"+c.date, c.date, bank, works, c.amount))
		wantErr(t, err, ledger.ErrOverdraft)
		if err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	// Back-dated but fitting every later day: 03-03 -20 → 80, 03-05 → 0.
	mustPost(t, l, transfer("fits", "2021-03-03", bank, works, "20.00"))
	wantBalance(t, l, bank, "", "0")
	// A batch that first raises and then lowers the account on a later day
	// passes; one that lowers it before raising it does not.
	if _, err := l.PostBatch(ctx, []ledger.Entry{
		transfer("raise", "2021-03-10", grant, bank, "50.00"),
		transfer("lower", "2021-03-11", bank, works, "50.00"),
	}); err != nil {
		t.Fatal(err)
	}
	_, err := l.PostBatch(ctx, []ledger.Entry{
		transfer("lower-first", "2021-03-12", bank, works, "5.00"),
		transfer("raise-later", "2021-03-13", grant, bank, "5.00"),
	})
	wantErr(t, err, ledger.ErrOverdraft)
	var mismatched int
	if err := db.Get(&mismatched, `SELECT count(*) FROM account_balances t
		JOIN (SELECT account_id, sum(debit) AS d, sum(credit) AS c, max(day) AS last FROM account_day_balances GROUP BY account_id) s USING (account_id)
		WHERE t.debit <> s.d OR t.credit <> s.c OR t.last_day IS DISTINCT FROM s.last`); err != nil {
		t.Fatal(err)
	}
	var missing int
	if err := db.Get(&missing, `SELECT count(*) FROM accounts a WHERE a.no_overdraft
		AND EXISTS (SELECT 1 FROM account_day_balances b WHERE b.account_id = a.id)
		AND NOT EXISTS (SELECT 1 FROM account_balances t WHERE t.account_id = a.id)`); err != nil {
		t.Fatal(err)
	}
	if mismatched != 0 || missing != 0 {
		t.Errorf("running totals: %d differ from the day totals (or their last day), %d missing", mismatched, missing)
	}
	// The totals are the ledger's own: raw SQL cannot set them.
	for _, q := range []string{
		`UPDATE account_balances SET credit = credit + 1000`,
		`INSERT INTO account_balances (account_id, debit, credit) VALUES (999999, 0, 0)`,
		`DELETE FROM account_balances`,
	} {
		if _, err := db.Exec(q); err == nil || !strings.Contains(err.Error(), "maintained by the ledger") {
			t.Errorf("%s: %v, want it refused", q, err)
		}
	}
}
