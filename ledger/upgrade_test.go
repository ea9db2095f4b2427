package ledger_test

import (
	"context"
	"testing"
	"time"

	"fundledger/internal/pgtest"
	"fundledger/ledger"
)

// TestRunningTotalsUpgrade applies 00001–00015 in a schema of its own,
// posts there, applies 00016 and checks the last day it gives each
// no_overdraft account and that the overdraft check still refuses what it
// must. By hand: bank +100.00 on 03-01, −30.00 on 03-05 → last day 03-05,
// balance 100.00 (03-01..03-04), 70.00 (03-05..). Then −80.00 dated 03-03
// leaves 20.00 on 03-03 but −10.00 on 03-05: refused; −70.00 dated 03-05
// fits exactly; then the balance is 0.00 and the last day still 03-05.
func TestRunningTotalsUpgrade(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, gp := pgtest.Legacy(t, 15)
	l := ledger.New(db)
	for _, a := range []ledger.Account{
		{Code: bank, Type: ledger.Asset, NoOverdraft: true},
		{Code: grant, Type: ledger.Revenue},
		{Code: works, Type: ledger.Expense},
	} {
		if _, err := l.CreateAccount(ctx, a, "test"); err != nil {
			t.Fatal(err)
		}
	}
	mustPost(t, l, transfer("in", "2021-03-01", grant, bank, "100.00"))
	mustPost(t, l, transfer("out", "2021-03-05", bank, works, "30.00"))
	if _, err := gp.Up(ctx); err != nil {
		t.Fatal(err)
	}
	lastDay := func() string {
		t.Helper()
		var day time.Time
		if err := db.Get(&day, `SELECT t.last_day FROM account_balances t JOIN accounts a ON a.id = t.account_id WHERE a.code = $1`, bank); err != nil {
			t.Fatal(err)
		}
		return day.Format(ledger.DateLayout)
	}
	if got := lastDay(); got != "2021-03-05" {
		t.Errorf("last day after the upgrade: %s, want 2021-03-05", got)
	}
	_, err := l.Post(ctx, transfer("back-dated", "2021-03-03", bank, works, "80.00"))
	wantErr(t, err, ledger.ErrOverdraft)
	mustPost(t, l, transfer("fits", "2021-03-05", bank, works, "70.00"))
	wantBalance(t, l, bank, "", "0")
	wantBalance(t, l, bank, "2021-03-04", "100.00")
	if got := lastDay(); got != "2021-03-05" {
		t.Errorf("last day after posting on it: %s, want 2021-03-05", got)
	}
}
