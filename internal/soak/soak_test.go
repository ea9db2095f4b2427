package soak

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/internal/pgtest"
	"fundledger/ledger"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestCheckFindsLostAndDuplicated stores known entries and hands Check
// acknowledgements that are right, missing from the books, acknowledged
// as another entry or amount; and one write stored twice. Check must name
// each, and nothing else.
func TestCheckFindsLostAndDuplicated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.DB(t)
	l := ledger.New(db)
	for _, a := range []ledger.Account{{Code: "cash:s", Type: ledger.Asset}, {Code: "revenue:s", Type: ledger.Revenue}} {
		if _, err := l.CreateAccount(ctx, a, "test"); err != nil {
			t.Fatal(err)
		}
	}
	post := func(key, memo, amount string, actor ...string) int64 {
		t.Helper()
		amt := decimal.RequireFromString(amount)
		who := "soak"
		if len(actor) > 0 {
			who = actor[0]
		}
		e, err := l.Post(ctx, ledger.Entry{Book: ledger.BookFinancial, EffectiveDate: time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC),
			Memo: memo, Actor: who, IdempotencyKey: key,
			Postings: []ledger.Posting{{AccountCode: "cash:s", Side: ledger.Debit, Amount: amt}, {AccountCode: "revenue:s", Side: ledger.Credit, Amount: amt}}})
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	ok1 := post("api/soak/soak-0-1", "soak-0-1", "12.34")
	ok2 := post("api/soak/soak-0-2", "soak-0-2", "0.01")
	wrongAmount := post("api/soak/soak-0-3", "soak-0-3", "5.00")
	dup := post("api/soak/soak-1-1", "soak-1-1", "1.00")
	post("api/soak/soak-1-1-again", "soak-1-1", "1.00") // the same write under a second key
	post("api/soak/soak-2-1", "soak-2-1", "3.00")       // stored, never acknowledged
	post("other", "soak-9-9", "3.00", "someone-else")   // another user's: not the soak's
	res := Result{Acked: []Ack{
		{Key: "soak-0-1", EntryID: ok1, Fen: 1234},
		{Key: "soak-0-2", EntryID: ok2, Fen: 1},
		{Key: "soak-0-3", EntryID: wrongAmount, Fen: 501},
		{Key: "soak-1-1", EntryID: dup, Fen: 100},
		{Key: "soak-3-1", EntryID: 999, Fen: 100}, // acknowledged, not in the books
	}}
	f, err := Check(ctx, db, "soak", res)
	if err != nil {
		t.Fatal(err)
	}
	if f.Acknowledged != 5 || f.Stored != 6 || f.Unacknowledged != 1 {
		t.Errorf("acknowledged %d, stored %d, unacknowledged %d; want 5, 6, 1", f.Acknowledged, f.Stored, f.Unacknowledged)
	}
	if len(f.Lost) != 2 || !strings.HasPrefix(f.Lost[0], "soak-0-3 acknowledged as entry") ||
		!strings.Contains(f.Lost[0], "of 5.01, stored as entry") || !strings.HasPrefix(f.Lost[1], "soak-3-1 (entry 999") {
		t.Errorf("lost = %q", f.Lost)
	}
	if len(f.Duplicates) != 1 || f.Duplicates[0] != "soak-1-1 stored 2 times" {
		t.Errorf("duplicates = %q", f.Duplicates)
	}
	if f.OK() {
		t.Error("OK() with lost and duplicated writes")
	}
	if ok := (Findings{Acknowledged: 2, Stored: 2}).OK(); !ok {
		t.Error("OK() false with nothing lost or duplicated")
	}
}
