package ledger_test

import (
	"context"
	"errors"
	"testing"

	"fundledger/ledger"
)

// TestCreateAccountsFindsExisting: a batch that names existing accounts
// with the same attributes creates only the new ones; one that names an
// existing account with other attributes is refused, whichever place it
// has in the batch, and creates none of the batch's new accounts.
func TestCreateAccountsFindsExisting(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	ctx := context.Background()
	same := ledger.Account{Code: "cash:huancui:P1:central", Type: ledger.Asset, NoOverdraft: true,
		Dimensions: ledger.Dimensions{District: "环翠区", Project: "P1", Source: "central"}}
	fresh := ledger.Account{Code: "cash:huancui:P2:central", Type: ledger.Asset, NoOverdraft: true,
		Dimensions: ledger.Dimensions{District: "环翠区", Project: "P2", Source: "central"}}
	if err := l.CreateAccounts(ctx, []ledger.Account{same, fresh}, "test"); err != nil {
		t.Fatalf("existing account with the same attributes and a new one: %v", err)
	}
	count := func() int {
		var n int
		if err := db.Get(&n, `SELECT count(*) FROM accounts`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 9 { // newLedger's eight and P2's cash
		t.Fatalf("%d accounts, want 9", n)
	}
	other := same
	other.NoOverdraft = false
	newer := ledger.Account{Code: "cash:huancui:P3:central", Type: ledger.Asset, Dimensions: ledger.Dimensions{Project: "P3"}}
	for _, batch := range [][]ledger.Account{{other, newer}, {newer, fresh, other}} {
		if err := l.CreateAccounts(ctx, batch, "test"); !errors.Is(err, ledger.ErrAccountExists) {
			t.Errorf("batch naming %s without its no-overdraft rule: err %v, want ErrAccountExists", other.Code, err)
		}
		// All or nothing: P3's account, new in each refused batch, is not left created.
		if n := count(); n != 9 {
			t.Errorf("after a refused batch of %d: %d accounts, want still 9", len(batch), n)
		}
	}
}
