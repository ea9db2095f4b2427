package soak

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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

// TestRunReadsBetweenWrites drives a stand-in server that answers writes
// with an entry id and reads with 200 (404 for one path): each client sends
// ReadsPerWrite reads, cycling through the paths, then one write, so the
// reads are three times the writes (up to each client's last unfinished
// round), every path is read, and only the missing one counts as an error.
func TestRunReadsBetweenWrites(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	reads := map[string]int{}
	var id int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodPost {
			id++
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"id": %d}`, id)
			return
		}
		reads[r.URL.RequestURI()]++
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	const clients, perWrite = 3, 3
	res, err := Run(context.Background(), Config{BaseURL: srv.URL, Token: "t", Clients: clients, Duration: 300 * time.Millisecond,
		Accounts: [][2]string{{"cash:s", "revenue:s"}}, Reads: []string{"/a", "/b?x=1", "/missing"}, ReadsPerWrite: perWrite})
	if err != nil {
		t.Fatal(err)
	}
	writes := len(res.Acked)
	if writes == 0 || res.ReadRequests < perWrite*writes || res.ReadRequests > perWrite*(writes+clients) {
		t.Errorf("%d reads for %d writes, want %d per write", res.ReadRequests, writes, perWrite)
	}
	if res.Requests != res.ReadRequests+writes {
		t.Errorf("requests %d, want reads %d + writes %d", res.Requests, res.ReadRequests, writes)
	}
	if reads["/a"] == 0 || reads["/b?x=1"] == 0 || reads["/missing"] == 0 || res.ReadErrors != reads["/missing"] {
		t.Errorf("reads by path %v, read errors %d (want those of /missing)", reads, res.ReadErrors)
	}
	if res.ReadP50 <= 0 || res.ReadP99 < res.ReadP50 || res.WriteP50 <= 0 {
		t.Errorf("read p50 %s p99 %s, write p50 %s", res.ReadP50, res.ReadP99, res.WriteP50)
	}
}
