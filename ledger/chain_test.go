package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"fundledger/ledger"
)

// behindTriggers runs statements in one transaction with the named tables'
// triggers switched off, as an administrator (the tables' owner) could.
func behindTriggers(t *testing.T, db *sqlx.DB, tables []string, stmts ...string) {
	t.Helper()
	tx, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	var all []string
	for _, tb := range tables {
		all = append(all, `ALTER TABLE `+tb+` DISABLE TRIGGER USER`)
	}
	all = append(all, stmts...)
	for _, tb := range tables {
		all = append(all, `ALTER TABLE `+tb+` ENABLE TRIGGER USER`)
	}
	for _, s := range all {
		if _, err := tx.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func problems(rep ledger.VerifyReport) string { return strings.Join(rep.Problems, "\n") }

// rebuildDayBalances makes account_day_balances and district_totals agree
// with the postings again, as a forger who knows the schema would.
const rebuildDayBalances = `
	DELETE FROM account_day_balances;
	INSERT INTO account_day_balances (account_id, day, debit, credit)
	SELECT account_id, effective_date, coalesce(sum(amount) FILTER (WHERE side = 'D'), 0), coalesce(sum(amount) FILTER (WHERE side = 'C'), 0)
	  FROM postings GROUP BY 1, 2;
	DELETE FROM district_totals;
	INSERT INTO district_totals
	SELECT t.detail, t.grain, t.start, t.district, t.book, t.type, t.role, t.source, t.category, sum(t.debit), sum(t.credit)
	  FROM account_day_balances b JOIN accounts a ON a.id = b.account_id,
	       fl_district_totals_of(a.district, a.book, a.type, a.code, a.source, a.category, b.day, b.debit, b.credit) t
	 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;`

// TestHashCoversRecordedAt: hole 1 of issue 13. Moving an entry in time is
// seen now (hash version 2), through each path that stores entries, while an
// entry hashed with version 1 keeps its version and still verifies.
func TestHashCoversRecordedAt(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	ctx := context.Background()
	one := mustPost(t, l, transfer("one", "2021-05-03", grant, bank, "10.00")) // one statement
	batch, err := l.PostBatch(ctx, []ledger.Entry{                             // COPY
		transfer("b1", "2021-05-04", grant, bank, "1.00"), transfer("b2", "2021-05-04", grant, bank, "2.00")})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	inTx, err := ledger.PostInTx(ctx, tx, []ledger.Entry{transfer("tx", "2021-05-05", grant, bank, "3.00")}) // INSERT … unnest
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	// An entry hashed before 00009: version 1, its hash the fingerprint of
	// its content alone, written through the triggers as psql could.
	old := transfer("v1", "2021-05-06", grant, bank, "4.00")
	v1 := ledger.StoredHashForTest(old, 1, time.Time{})
	var bankID, grantID int64
	if err := db.Get(&bankID, `SELECT id FROM accounts WHERE code = $1`, bank); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&grantID, `SELECT id FROM accounts WHERE code = $1`, grant); err != nil {
		t.Fatal(err)
	}
	tx, err = db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	var oldID int64
	if err := tx.Get(&oldID, `INSERT INTO entries (book, effective_date, memo, actor, idempotency_key, hash_version, content_hash)
		VALUES ('financial', '2021-05-06', 'v1', 'tester', 'v1', 1, decode($1, 'hex')) RETURNING id`, v1); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
		VALUES ($1, 1, $2, 'D', 4.00, '2021-05-06', 'financial'), ($1, 2, $3, 'C', 4.00, '2021-05-06', 'financial')`, oldID, bankID, grantID); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	var versions []int
	if err := db.Select(&versions, `SELECT hash_version FROM entries ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(versions) != "[2 2 2 2 1]" {
		t.Fatalf("hash versions %v, want [2 2 2 2 1]", versions)
	}
	// Each path stored the hash a forger would compute from the content and
	// recorded_at: SQL (one statement) and Go (the others) agree.
	for _, e := range []ledger.Entry{one, batch[0], batch[1], inTx[0]} {
		got, err := l.Entry(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.HashVersion != 2 || e.HashVersion != 2 {
			t.Errorf("entry %d: hash version %d stored, %d returned", e.ID, got.HashVersion, e.HashVersion)
		}
		if want := ledger.StoredHashForTest(got, 2, got.RecordedAt); got.ContentHash != want || e.ContentHash != want {
			t.Errorf("entry %d: stored %s, returned %s, want %s", e.ID, got.ContentHash, e.ContentHash, want)
		}
	}
	if _, err := l.Seal(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := l.Verify(ctx)
	if err != nil || !rep.OK || rep.Entries != 5 || rep.UnsealedEntries != 0 {
		t.Fatalf("clean verify with a version 1 entry: %+v %v", rep, err)
	}
	// Replaying a request still answers with the original entry.
	if e := mustPost(t, l, transfer("one", "2021-05-03", grant, bank, "10.00")); !e.Replayed || e.ID != one.ID || e.ContentHash != one.ContentHash {
		t.Errorf("replay: %+v", e)
	}

	for _, c := range []struct {
		name string
		id   int64
	}{{"one statement", one.ID}, {"batch", batch[1].ID}, {"in a transaction", inTx[0].ID}} {
		behindTriggers(t, db, []string{"entries"}, fmt.Sprintf(`UPDATE entries SET recorded_at = recorded_at - interval '40 days' WHERE id = %d`, c.id))
		rep, err := l.Verify(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK || !strings.Contains(problems(rep), fmt.Sprintf("entry %d (key", c.id)) {
			t.Errorf("%s: moved recorded_at not seen: %+v", c.name, rep)
		}
		behindTriggers(t, db, []string{"entries"}, fmt.Sprintf(`UPDATE entries SET recorded_at = recorded_at + interval '40 days' WHERE id = %d`, c.id))
	}
	if rep, _ := l.Verify(ctx); !rep.OK {
		t.Errorf("after putting the times back: %v", rep.Problems)
	}
}

// TestAnchoredChain: hole 2 of issue 13. Rewriting the whole last block
// (amounts, content hashes, day balances, block hash) leaves a chain that
// is sound in itself; the head a close recorded, or a hash written down
// outside, exposes it.
func TestAnchoredChain(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	ctx := context.Background()
	for i := range 3 {
		mustPost(t, l, transfer(fmt.Sprintf("feb%d", i), "2021-02-10", grant, bank, "5.00"))
	}
	if _, err := l.Seal(ctx); err != nil {
		t.Fatal(err)
	}
	var march []ledger.Entry
	for i := range 3 {
		march = append(march, mustPost(t, l, transfer(fmt.Sprintf("mar%d", i), "2021-03-10", grant, bank, fmt.Sprintf("%d.00", 10+i))))
	}
	// The close seals what waits (the March entries: block 2) and records
	// the head it made.
	if err := l.ClosePeriod(ctx, ledger.Date(2021, 3, 1), "bureau", "month end"); err != nil {
		t.Fatal(err)
	}
	head, err := l.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hist, err := l.PeriodHistory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || hist[0].HeadHash != head.Hash || hist[0].HeadBlockID != 2 || head.BlockID != 2 ||
		hist[0].HeadEntryID != march[2].ID || head.LastEntryID != march[2].ID {
		t.Fatalf("close event %+v, head %+v: want block 2 ending at entry %d", hist, head, march[2].ID)
	}
	written := head.Hash // what an auditor writes down

	check := func(name string, opts ledger.VerifyOptions, wantOK bool, wantText string) ledger.VerifyReport {
		t.Helper()
		rep, err := l.VerifyAgainst(ctx, opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if rep.OK != wantOK || !strings.Contains(problems(rep), wantText) {
			t.Errorf("%s: ok=%v, want %v with %q: %v", name, rep.OK, wantOK, wantText, rep.Problems)
		}
		return rep
	}
	rep := check("expected head", ledger.VerifyOptions{Expect: strings.ToUpper(written)}, true, "")
	if rep.Anchor == nil || !rep.Anchor.Found || rep.Anchor.BlockID != 2 || rep.Anchors != 1 {
		t.Errorf("anchor: %+v, %d recorded", rep.Anchor, rep.Anchors)
	}
	rep = check("close's head", ledger.VerifyOptions{AsOfClose: ledger.Date(2021, 3, 1)}, true, "")
	if rep.Anchor == nil || rep.Anchor.Hash != written || rep.Anchor.Source != "close of 2021-03" {
		t.Errorf("as of close: %+v", rep.Anchor)
	}
	check("a hash of another ledger", ledger.VerifyOptions{Expect: strings.Repeat("ab", 32)}, false, "is not a block of the chain")
	for _, bad := range []ledger.VerifyOptions{{Expect: "abc"}, {Expect: written, AsOfClose: ledger.Date(2021, 3, 1)}} {
		if _, err := l.VerifyAgainst(ctx, bad); !errors.Is(err, ledger.ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := l.VerifyAgainst(ctx, ledger.VerifyOptions{AsOfClose: ledger.Date(2021, 2, 1)}); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("a month never closed: %v, want ErrNotFound", err)
	}

	// The forger rewrites every entry of the last block: amounts, content
	// hashes (recorded_at kept), the day balances and the block's hash.
	var stmts []string
	var ids []int64
	var hashes []string
	for _, e := range march {
		stmts = append(stmts, fmt.Sprintf(`UPDATE postings SET amount = amount * 100 WHERE entry_id = %d`, e.ID))
		forged := e
		forged.Postings = nil
		for _, p := range e.Postings {
			p.Amount = p.Amount.Mul(d("100"))
			forged.Postings = append(forged.Postings, p)
		}
		h := ledger.StoredHashForTest(forged, 2, e.RecordedAt)
		stmts = append(stmts, fmt.Sprintf(`UPDATE entries SET content_hash = decode('%s', 'hex') WHERE id = %d`, h, e.ID))
		ids, hashes = append(ids, e.ID), append(hashes, h)
	}
	var prev string
	if err := db.Get(&prev, `SELECT prev_hash FROM chain_blocks WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	newHead := ledger.BlockHashForTest(prev, ids, hashes)
	stmts = append(stmts, rebuildDayBalances, fmt.Sprintf(`UPDATE chain_blocks SET hash = '%s' WHERE id = 2`, newHead))
	behindTriggers(t, db, []string{"postings", "entries", "account_day_balances", "district_totals", "chain_blocks"}, stmts...)
	wantBalance(t, l, bank, "", fmt.Sprintf("%d.00", 15+1000+1100+1200))

	// The chain is sound in itself; the close's recorded head gives it away.
	rep = check("plain verify after the rewrite", ledger.VerifyOptions{}, false, "the close of 2021-03 (period event 1) recorded head "+written)
	if rep.HeadHash != newHead || rep.FirstBadEntry != 0 {
		t.Errorf("head %s, first bad %d: the rewrite should leave every entry and block consistent", rep.HeadHash, rep.FirstBadEntry)
	}
	check("as of the close", ledger.VerifyOptions{AsOfClose: ledger.Date(2021, 3, 1)}, false, "close of 2021-03 head hash "+written+" is not a block")
	check("expected", ledger.VerifyOptions{Expect: written}, false, "expected head hash "+written+" is not a block")

	// A forger who also rewrites the period log passes plain verify (the
	// hole as the issue found it), but not a hash written down outside.
	behindTriggers(t, db, []string{"period_events"}, fmt.Sprintf(`UPDATE period_events SET head_hash = '%s'`, newHead))
	check("plain verify, period log rewritten too", ledger.VerifyOptions{}, true, "")
	check("expected, period log rewritten too", ledger.VerifyOptions{Expect: written}, false, "expected head hash "+written+" is not a block")
}

// TestSealHoldsForgedEntries: hole 3 of issue 13. An entry written behind
// the triggers with a correct content hash and its own seal-queue row is
// not sealed (by Seal, nor by anything that seals: a close, the CLI's
// verify) but reported, while sound entries around it are sealed.
func TestSealHoldsForgedEntries(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	ctx := context.Background()
	genuine := mustPost(t, l, transfer("genuine", "2021-06-01", grant, bank, "50.00"))
	mustPost(t, l, transfer("april", "2021-04-01", grant, bank, "1.00"))
	if err := l.ClosePeriod(ctx, ledger.Date(2021, 4, 1), "bureau", "month end"); err != nil {
		t.Fatal(err)
	}
	if err := l.CloseDistrictPeriod(ctx, ledger.Date(2021, 5, 1), "环翠区", "环翠区财政局", "month end"); err != nil {
		t.Fatal(err)
	}
	var bankID, grantID int64
	if err := db.Get(&bankID, `SELECT id FROM accounts WHERE code = $1`, bank); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&grantID, `SELECT id FROM accounts WHERE code = $1`, grant); err != nil {
		t.Fatal(err)
	}
	tables := []string{"entries", "postings", "tx_entries", "account_day_balances", "district_totals"}
	// forge writes entry key dated date, with a content hash true to its
	// rows, its postings, its day balances and a queue row, behind the
	// triggers. txid and recordedAt are SQL expressions.
	forge := func(key, date, txid, recordedAt string) {
		e := transfer(key, date, grant, bank, "7.00")
		var at time.Time
		if err := db.Get(&at, `SELECT `+recordedAt); err != nil {
			t.Fatal(err)
		}
		h := ledger.StoredHashForTest(e, 2, at)
		behindTriggers(t, db, tables,
			fmt.Sprintf(`INSERT INTO entries (book, effective_date, memo, actor, idempotency_key, recorded_at, created_txid, hash_version, content_hash)
				VALUES ('financial', '%s', '%s', 'tester', '%s', '%s', %s, 2, decode('%s', 'hex'))`, date, key, key, at.Format(time.RFC3339Nano), txid, h),
			fmt.Sprintf(`INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
				VALUES (currval('entries_id_seq'), 1, %d, 'D', 7.00, '%s', 'financial'), (currval('entries_id_seq'), 2, %d, 'C', 7.00, '%s', 'financial')`,
				bankID, date, grantID, date),
			rebuildDayBalances,
			fmt.Sprintf(`INSERT INTO tx_entries (txid, min_id, max_id) VALUES (%s, currval('entries_id_seq'), currval('entries_id_seq'))`, txid))
	}
	keyID := func(key string) int64 {
		var id int64
		if err := db.Get(&id, `SELECT id FROM entries WHERE idempotency_key = $1`, key); err != nil {
			t.Fatal(err)
		}
		return id
	}
	// 1. Made to look old: it names the transaction (and time) of the
	//    genuine entry, which is already sealed.
	forge("old-looking", "2021-06-02", fmt.Sprintf(`(SELECT created_txid FROM entries WHERE id = %d)`, genuine.ID),
		fmt.Sprintf(`(SELECT recorded_at FROM entries WHERE id = %d)`, genuine.ID))
	// 2. Under its own transaction and time, but dated in April, which was
	//    closed after all of April was sealed.
	forge("in-closed-april", "2021-04-20", `pg_current_xact_id()`, `now()`)
	// 2b. Likewise in May, which the bank's district closed.
	forge("in-district-may", "2021-05-20", `pg_current_xact_id()`, `now()`)
	// 3. A genuine entry still waiting, then rewritten (amount and hash).
	late := mustPost(t, l, transfer("late", "2021-06-03", grant, bank, "2.00"))
	rewritten := late
	rewritten.Postings = []ledger.Posting{
		{AccountCode: bank, Side: ledger.Debit, Amount: d("200.00")}, {AccountCode: grant, Side: ledger.Credit, Amount: d("200.00")}}
	behindTriggers(t, db, tables,
		fmt.Sprintf(`UPDATE postings SET amount = 200 WHERE entry_id = %d`, late.ID),
		fmt.Sprintf(`UPDATE entries SET content_hash = decode('%s', 'hex') WHERE id = %d`, ledger.StoredHashForTest(rewritten, 2, late.RecordedAt), late.ID),
		rebuildDayBalances)
	// 4. And a sound entry posted after all of them.
	sound := mustPost(t, l, transfer("sound", "2021-06-04", grant, bank, "3.00"))

	want := map[int64]string{
		keyID("old-looking"):     "its row was not written by the transaction it names",
		keyID("in-closed-april"): "it is dated in 2021-04, closed after every entry of that month was sealed",
		keyID("in-district-may"): "it posts to a district whose month 2021-05 was closed after every entry of that month was sealed",
		late.ID:                  "its row was not written by the transaction it names",
	}
	res, err := l.Seal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Entries != 1 || len(res.Held) != 4 {
		t.Fatalf("seal: %+v, want the sound entry sealed and four held", res)
	}
	for _, h := range res.Held {
		if !strings.Contains(h.Reason, want[h.EntryID]) || want[h.EntryID] == "" {
			t.Errorf("held entry %d: %q, want %q", h.EntryID, h.Reason, want[h.EntryID])
		}
	}
	var sealed []int64
	if err := db.Select(&sealed, `SELECT entry_id FROM chain_block_entries WHERE block_id = (SELECT max(id) FROM chain_blocks)`); err != nil {
		t.Fatal(err)
	}
	if len(sealed) != 1 || sealed[0] != sound.ID {
		t.Errorf("last block sealed %v, want [%d]", sealed, sound.ID)
	}
	// Every later seal holds them again; verify reports each.
	if res, err := l.Seal(ctx); err != nil || res.Entries != 0 || len(res.Held) != 4 {
		t.Errorf("second seal: %+v %v", res, err)
	}
	rep, err := l.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || len(rep.Unaccounted) != 4 || rep.UnsealedEntries != 4 {
		t.Errorf("verify: %+v", rep)
	}
	for id := range want {
		if !strings.Contains(problems(rep), fmt.Sprintf("entry %d (key", id)) {
			t.Errorf("entry %d not reported: %v", id, rep.Problems)
		}
	}
	// Nor can a reopen launder the forged April entry (after a reopen it
	// would pass for one posted then): April stays closed while it waits.
	err = l.ReopenPeriod(ctx, ledger.Date(2021, 4, 1), "bureau", "audit")
	if !errors.Is(err, ledger.ErrUnsealed) || !strings.Contains(err.Error(), fmt.Sprintf("entry %d", keyID("in-closed-april"))) {
		t.Errorf("reopen over a held entry: %v", err)
	}
	// A close, which seals first, cannot seal the held June entries.
	err = l.ClosePeriod(ctx, ledger.Date(2021, 6, 1), "bureau", "month end")
	if !errors.Is(err, ledger.ErrUnsealed) || !strings.Contains(err.Error(), fmt.Sprintf("entry %d", keyID("old-looking"))) {
		t.Errorf("close over a held entry: %v", err)
	}
}
