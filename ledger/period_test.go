package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"fundledger/ledger"
)

// TestDistrictClose: issue 12 item 9. A district closes its own month and
// its entries are refused (through the ledger and by raw SQL, a batch that
// spans districts whole), while another district still posts; the city
// closes after, and closes everyone; reopening needs a reason; every
// event is in the log with the chain head it was made at.
func TestDistrictClose(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	ctx := context.Background()
	const (
		huancui = "环翠区" // district A: the bank account of newLedger
		wendeng = "文登区" // district B
		bankB   = "cash:wendeng:P2:central"
	)
	if _, err := l.CreateAccount(ctx, ledger.Account{Code: bankB, Type: ledger.Asset, NoOverdraft: true,
		Dimensions: ledger.Dimensions{District: wendeng, Project: "P2", Source: "central"}}, "test"); err != nil {
		t.Fatal(err)
	}
	mustPost(t, l, transfer("a-mar", "2021-03-05", grant, bank, "100.00"))
	mustPost(t, l, transfer("b-mar", "2021-03-05", grant, bankB, "200.00"))

	march := ledger.Date(2021, 3, 1)
	if err := l.CloseDistrictPeriod(ctx, march, huancui, "环翠区财政局", "month end"); err != nil {
		t.Fatal(err)
	}
	// District B still posts into March; A does not, in March; A posts in April.
	mustPost(t, l, transfer("b-mar-2", "2021-03-20", grant, bankB, "20.00"))
	_, err := l.Post(ctx, transfer("a-mar-2", "2021-03-20", grant, bank, "10.00"))
	wantErr(t, err, ledger.ErrPeriodClosed)
	if msg := err.Error(); !strings.Contains(msg, "account "+bank+" of district 环翠区, whose period 2021-03 is closed") {
		t.Errorf("message: %s", msg)
	}
	mustPost(t, l, transfer("a-apr", "2021-04-01", grant, bank, "1.00"))
	// A transfer between the districts touches A: refused.
	_, err = l.Post(ctx, transfer("b-to-a", "2021-03-21", bankB, bank, "5.00"))
	wantErr(t, err, ledger.ErrPeriodClosed)

	// A batch spanning both districts is refused whole, as is one spanning
	// an open month (April) and the closed one.
	for name, batch := range map[string][]ledger.Entry{
		"districts": {transfer("batch-b", "2021-03-22", grant, bankB, "7.00"), transfer("batch-a", "2021-03-22", grant, bank, "7.00")},
		"months":    {transfer("batch-apr", "2021-04-22", grant, bank, "7.00"), transfer("batch-mar", "2021-03-22", grant, bank, "7.00")},
	} {
		_, err := l.PostBatch(ctx, batch)
		wantErr(t, err, ledger.ErrPeriodClosed)
		for _, e := range batch {
			var n int
			if err := db.Get(&n, `SELECT count(*) FROM entries WHERE idempotency_key = $1`, e.IdempotencyKey); err != nil || n != 0 {
				t.Errorf("batch spanning %s: entry %s stored (%d, %v)", name, e.IdempotencyKey, n, err)
			}
		}
	}
	wantBalance(t, l, bank, "", "101.00")  // 100 + 1 (April)
	wantBalance(t, l, bankB, "", "220.00") // 200 + 20

	// Raw SQL meets the same refusal, in one statement or two.
	var bankID, grantID int64
	if err := db.Get(&bankID, `SELECT id FROM accounts WHERE code = $1`, bank); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&grantID, `SELECT id FROM accounts WHERE code = $1`, grant); err != nil {
		t.Fatal(err)
	}
	for name, sql := range map[string]string{
		"two statements": fmt.Sprintf(`INSERT INTO entries (book, effective_date, actor, idempotency_key, content_hash) VALUES ('financial', '2021-03-25', 'psql', 'raw-a', sha256(''));
			INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
			VALUES (currval('entries_id_seq'), 1, %d, 'D', 3, '2021-03-25', 'financial'), (currval('entries_id_seq'), 2, %d, 'C', 3, '2021-03-25', 'financial');`, bankID, grantID),
		"one statement": fmt.Sprintf(`WITH e AS (INSERT INTO entries (book, effective_date, actor, idempotency_key, content_hash)
			VALUES ('financial', '2021-03-25', 'psql', 'raw-a1', sha256('')) RETURNING id)
			INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
			SELECT e.id, v.line, v.acc, v.side, 3, '2021-03-25', 'financial' FROM e, (VALUES (1, %d, 'D'), (2, %d, 'C')) AS v(line, acc, side)`, bankID, grantID),
	} {
		_, err := db.Exec(sql)
		var pe *pq.Error
		if !errors.As(err, &pe) || pe.Code != "FL003" || !strings.Contains(pe.Message, "of district 环翠区, whose period 2021-03 is closed") {
			t.Errorf("raw SQL, %s: %v", name, err)
		}
	}

	// The state as listed.
	dps, err := l.DistrictPeriods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(dps) != 1 || dps[0].District != huancui || !dps[0].Closed || !dps[0].Start.Equal(march) {
		t.Errorf("district periods: %+v", dps)
	}

	// Refusals of the close itself.
	for name, c := range map[string]struct {
		err  error
		want error
	}{
		"closed twice":          {l.CloseDistrictPeriod(ctx, march, huancui, "x", ""), ledger.ErrPeriodClosed},
		"unknown district":      {l.CloseDistrictPeriod(ctx, march, "荣成", "x", ""), ledger.ErrNotFound},
		"no district":           {l.CloseDistrictPeriod(ctx, march, " ", "x", ""), ledger.ErrInvalid},
		"reopen without reason": {l.ReopenDistrictPeriod(ctx, march, huancui, "x", " "), ledger.ErrInvalid},
		"reopen what is open":   {l.ReopenDistrictPeriod(ctx, march, wendeng, "x", "why"), ledger.ErrPeriodClosed},
	} {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: %v, want %v", name, c.err, c.want)
		}
	}

	// The city closes March after its districts, also for B, which had not.
	if err := l.ClosePeriod(ctx, march, "市财政局", "month end"); err != nil {
		t.Fatal(err)
	}
	_, err = l.Post(ctx, transfer("b-mar-3", "2021-03-28", grant, bankB, "1.00"))
	wantErr(t, err, ledger.ErrPeriodClosed)
	_, err = l.PostBatch(ctx, []ledger.Entry{transfer("b-apr-x", "2021-04-02", grant, bankB, "1.00"), transfer("b-mar-x", "2021-03-29", grant, bankB, "1.00")})
	wantErr(t, err, ledger.ErrPeriodClosed)
	wantBalance(t, l, bankB, "", "220.00")
	err = l.CloseDistrictPeriod(ctx, march, wendeng, "文登区财政局", "")
	wantErr(t, err, ledger.ErrPeriodClosed)
	if !strings.Contains(err.Error(), "closed city-wide") {
		t.Errorf("message: %v", err)
	}
	// The city reopens: B posts again; A's own close still stands until A
	// reopens it, with a reason.
	if err := l.ReopenPeriod(ctx, march, "市财政局", "audit adjustment"); err != nil {
		t.Fatal(err)
	}
	mustPost(t, l, transfer("b-mar-3", "2021-03-28", grant, bankB, "1.00"))
	_, err = l.Post(ctx, transfer("a-mar-3", "2021-03-28", grant, bank, "2.00"))
	wantErr(t, err, ledger.ErrPeriodClosed)
	if err := l.ReopenDistrictPeriod(ctx, march, huancui, "环翠区财政局", "late invoice"); err != nil {
		t.Fatal(err)
	}
	mustPost(t, l, transfer("a-mar-3", "2021-03-28", grant, bank, "2.00"))
	wantBalance(t, l, bank, "2021-03-31", "102.00")
	wantBalance(t, l, bankB, "2021-03-31", "221.00")

	// The log: each event, its scope, and a head that verify finds.
	hist, err := l.PeriodHistory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hist {
		got = append(got, h.Action+" "+h.District+" "+h.Reason)
		if len(h.HeadHash) != 64 || h.HeadBlockID == 0 {
			t.Errorf("event %d has no head: %+v", h.ID, h)
		}
	}
	want := []string{"close 环翠区 month end", "close  month end", "reopen  audit adjustment", "reopen 环翠区 late invoice"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("history %q, want %q", got, want)
	}
	rep, err := l.VerifyAgainst(ctx, ledger.VerifyOptions{AsOfClose: march, District: huancui})
	if err != nil || !rep.OK || rep.Anchors != 4 || rep.Anchor.Hash != hist[0].HeadHash {
		t.Errorf("verify as of A's close: %+v %v", rep, err)
	}
}

// TestDistrictCloseWaitsForPosters: a close waits for a transaction that
// is posting into the month, then seals its entry, so the head the close
// records covers it.
func TestDistrictCloseWaitsForPosters(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	ctx := context.Background()
	tx, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	posted, err := ledger.PostInTx(ctx, tx, []ledger.Entry{transfer("in-flight", "2021-03-30", grant, bank, "9.00")})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- l.CloseDistrictPeriod(ctx, ledger.Date(2021, 3, 1), "环翠区", "环翠区财政局", "month end")
	}()
	select {
	case err := <-done:
		t.Fatalf("the close did not wait for the poster: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	hist, err := l.PeriodHistory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || hist[0].HeadEntryID != posted[0].ID || hist[0].HeadBlockID != 1 {
		t.Errorf("the close's head does not cover the entry %d it waited for: %+v", posted[0].ID, hist)
	}
	_, err = l.Post(ctx, transfer("after", "2021-03-31", grant, bank, "1.00"))
	wantErr(t, err, ledger.ErrPeriodClosed)
}
