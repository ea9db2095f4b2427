package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// TestRawSQLCannotBreakTheBooks attacks each invariant with plain SQL, as a
// person with psql would, and expects PostgreSQL itself to refuse.
func TestRawSQLCannotBreakTheBooks(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	ctx := context.Background()
	e := mustPost(t, l, transfer("seed", "2021-03-01", grant, bank, "100.00"))
	if err := l.ClosePeriod(ctx, ledger.Date(2021, 1, 1), "bureau", "year start"); err != nil {
		t.Fatal(err)
	}
	// A close seals first: this entry is left in the chain queue.
	mustPost(t, l, transfer("queued", "2021-03-01", grant, works, "1.00"))
	ids := map[string]int64{}
	for _, c := range []string{bank, grant, works} {
		a, err := l.Account(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		ids[c] = a.ID
	}
	newEntry := func(key, date string) string {
		return fmt.Sprintf(`INSERT INTO entries (book, effective_date, actor, idempotency_key, content_hash)
			VALUES ('financial', '%s', 'psql', '%s', sha256(''));`, date, key)
	}
	posting := func(acct int64, side, amount string) string {
		return fmt.Sprintf(`INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
			SELECT id, (SELECT count(*) + 1 FROM postings WHERE entry_id = e.id), %d, '%s', %s, effective_date, book
			  FROM entries e WHERE id = currval('entries_id_seq');`, acct, side, amount)
	}
	// pair inserts a balanced debit and credit into the entry that keyed
	// finds, in one statement, dated like the entry.
	pair := func(key string, line int, amount string) string {
		return fmt.Sprintf(`INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
			SELECT e.id, %d + v.l, v.a, v.s, %s, e.effective_date, e.book
			  FROM entries e, (VALUES (0, %d, 'D'), (1, %d, 'C')) AS v(l, a, s) WHERE e.idempotency_key = '%s';`,
			line, amount, ids[bank], ids[grant], key)
	}
	cases := []struct {
		name  string
		sql   string
		state string // SQLSTATE expected
		msg   string
	}{
		{"unbalanced entry", newEntry("raw1", "2021-03-02") + posting(ids[bank], "D", "10") + posting(ids[grant], "C", "9.99"),
			"FL001", "unbalanced: 2 postings, debits 10, credits 9.99"},
		{"entry without postings", newEntry("raw2", "2021-03-02"), "FL001", "unbalanced: 0 postings"},
		{"update a posting", fmt.Sprintf(`UPDATE postings SET amount = 1 WHERE entry_id = %d`, e.ID), "FL004", "append-only"},
		{"delete an entry", fmt.Sprintf(`DELETE FROM entries WHERE id = %d`, e.ID), "FL004", "append-only"},
		{"update an entry memo", `UPDATE entries SET memo = 'x'`, "FL004", "append-only"},
		{"truncate postings", `TRUNCATE postings CASCADE`, "FL004", "append-only"},
		{"zero amount", newEntry("raw3", "2021-03-02") + posting(ids[bank], "D", "0") + posting(ids[grant], "C", "0"), "23514", "postings_amount_fen"},
		{"negative amount", newEntry("raw4", "2021-03-02") + posting(ids[bank], "D", "-1") + posting(ids[grant], "C", "-1"), "23514", "postings_amount_fen"},
		{"three decimals", newEntry("raw5", "2021-03-02") + posting(ids[bank], "D", "1.005") + posting(ids[grant], "C", "1.005"), "23514", "postings_amount_fen"},
		{"duplicate idempotency key", newEntry("seed", "2021-03-02"), "23505", "entries_idempotency_key_key"},
		{"overdraft", newEntry("raw6", "2021-03-02") + posting(ids[works], "D", "100.01") + posting(ids[bank], "C", "100.01"),
			"FL002", "would overdraw by 0.01"},
		{"closed period", newEntry("raw7", "2021-01-15"), "FL003", "closed period 2021-01"},
		{"posting into a committed entry", fmt.Sprintf(`INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book) VALUES (%d, 8, %d, 'D', 5, '2021-03-01', 'financial'), (%d, 9, %d, 'C', 5, '2021-03-01', 'financial')`,
			e.ID, ids[works], e.ID, ids[grant]), "FL004", "only in the transaction that creates the entry"},
		{"forge a day balance", `UPDATE account_day_balances SET debit = debit + 1000`, "FL006", "maintained by the ledger"},
		{"reopen a period without the log", `UPDATE periods SET closed = false`, "FL006", "maintained by the ledger"},
		{"reopen without a reason", `INSERT INTO period_events (period, action, actor) VALUES ('2021-01-01', 'reopen', 'psql')`, "23514", "period_events_reopen_reason"},
		{"rewrite the period log", `DELETE FROM period_events`, "FL004", "append-only"},
		{"change an account's type", fmt.Sprintf(`UPDATE accounts SET type = 'liability', normal_side = 'C' WHERE id = %d`, ids[bank]), "FL004", "only the name"},
		{"drop the overdraft guard", fmt.Sprintf(`UPDATE accounts SET no_overdraft = false WHERE id = %d`, ids[bank]), "FL004", "only the name"},
		{"delete an account", fmt.Sprintf(`DELETE FROM accounts WHERE id = %d`, ids[works]), "FL004", "append-only"},
		{"drop an entry from the chain queue", `DELETE FROM tx_entries`, "FL006", "not sealed yet"},
		{"entry claiming another transaction", `INSERT INTO entries (book, effective_date, actor, idempotency_key, content_hash, created_txid)
			VALUES ('financial', '2021-03-02', 'psql', 'raw13', sha256(''), '1');`, "FL004", "created_txid and recorded_at cannot be set"},
		{"back-dated recording time", `INSERT INTO entries (book, effective_date, actor, idempotency_key, content_hash, recorded_at)
			VALUES ('financial', '2021-03-02', 'psql', 'raw14', sha256(''), '2020-01-01');`, "FL004", "recorded_at cannot be set"},
		{"back-dated period close", `INSERT INTO period_events (period, action, actor, at) VALUES ('2021-02-01', 'close', 'psql', '2021-03-01')`,
			"FL004", `"at" cannot be set`},
		{"hide an unbalanced entry by dropping its balance check", newEntry("raw12", "2021-03-02") + posting(ids[bank], "D", "5") +
			`DELETE FROM tx_entries WHERE txid = pg_current_xact_id();`, "FL006", "not committed yet"},
		{"second entry of a transaction unbalanced", newEntry("raw8", "2021-03-02") + posting(ids[bank], "D", "1") + posting(ids[grant], "C", "1") +
			newEntry("raw9", "2021-03-03") + posting(ids[bank], "D", "2") + posting(ids[grant], "C", "1"),
			"FL001", "(key raw9) is unbalanced: 2 postings, debits 2, credits 1"},
		{"posting dated unlike its entry", newEntry("raw10", "2021-03-02") + `INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
			VALUES (currval('entries_id_seq'), 1, ` + fmt.Sprint(ids[bank]) + `, 'D', 1, '2021-03-03', 'financial');`, "23514", "date and book must be the entry's"},
		{"posting to a budget account from a financial entry", newEntry("raw11", "2021-03-02") + `INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
			SELECT currval('entries_id_seq'), 1, id, 'D', 1, '2021-03-02', 'financial' FROM accounts WHERE code = 'budget:receivable:P1:central';`,
			"FL005", "cannot post to account budget:receivable:P1:central"},
		{"reversal of a missing entry", `INSERT INTO entries (book, effective_date, actor, idempotency_key, content_hash, reverses_entry_id)
			VALUES ('financial', '2021-03-02', 'psql', 'raw22', sha256(''), 999999);`, "23503", "refers to entry 999999, which does not exist"},
		{"correction of a missing entry", `INSERT INTO entries (book, effective_date, actor, idempotency_key, content_hash, corrects_entry_id)
			VALUES ('financial', '2021-03-02', 'psql', 'raw23', sha256(''), 999998);`, "23503", "refers to entry 999998, which does not exist"},
		{"unbalanced entry in one statement", newEntry("raw27", "2021-03-02") + fmt.Sprintf(`INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
			VALUES (currval('entries_id_seq'), 1, %d, 'D', 10, '2021-03-02', 'financial'), (currval('entries_id_seq'), 2, %d, 'C', 9.99, '2021-03-02', 'financial');`,
			ids[bank], ids[grant]), "FL001", "(key raw27) is unbalanced: 2 postings, debits 10, credits 9.99"},
		{"entry with a single posting", newEntry("raw28", "2021-03-02") + posting(ids[bank], "D", "10"), "FL001", "(key raw28) is unbalanced: 1 postings"},
		{"an entry finished, then unbalanced by a later statement", newEntry("raw24", "2021-03-02") + pair("raw24", 1, "1") +
			posting(ids[bank], "D", "1"), "FL001", "(key raw24) is unbalanced: 3 postings, debits 2, credits 1"},
		{"an entry without postings hidden by posting twice into another", newEntry("raw25", "2021-03-02") + pair("raw25", 1, "1") +
			newEntry("raw26", "2021-03-02") + pair("raw25", 3, "2"), "FL001", "(key raw26) is unbalanced: 0 postings"},
		{"posting into a missing entry", fmt.Sprintf(`INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
			VALUES (999999, 1, %d, 'D', 1, '2021-03-02', 'financial'), (999999, 2, %d, 'C', 1, '2021-03-02', 'financial')`, ids[bank], ids[grant]),
			"23503", "entry 999999 does not exist"},
		{"posting to a missing account", newEntry("raw15", "2021-03-02") + posting(999999, "D", "1") + posting(ids[grant], "C", "1"),
			"23503", "account 999999 does not exist"},
		{"postings of one entry dated apart", newEntry("raw16", "2021-03-02") + fmt.Sprintf(`INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
			VALUES (currval('entries_id_seq'), 1, %d, 'D', 1, '2021-03-02', 'financial'), (currval('entries_id_seq'), 2, %d, 'C', 1, '2021-03-03', 'financial');`,
			ids[bank], ids[grant]), "23514", "date and book must be the entry's"},
		{"budget entry posting to a financial account", `INSERT INTO entries (book, effective_date, actor, idempotency_key, content_hash)
			VALUES ('budget', '2021-03-02', 'psql', 'raw17', sha256(''));` + fmt.Sprintf(`INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
			VALUES (currval('entries_id_seq'), 1, %d, 'D', 1, '2021-03-02', 'budget');`, ids[bank]),
			"FL005", "a budget book entry cannot post to account cash:huancui:P1:central, which is in the financial book"},
		{"second entry of a transaction without postings", newEntry("raw18", "2021-03-02") + posting(ids[bank], "D", "1") + posting(ids[grant], "C", "1") +
			newEntry("raw19", "2021-03-03"), "FL001", "(key raw19) is unbalanced: 0 postings"},
		{"overdraft of a credit-normal account", `INSERT INTO accounts (code, book, type, normal_side, no_overdraft)
			VALUES ('payable:escrow', 'financial', 'liability', 'C', true);` +
			newEntry("raw20", "2021-03-02") + posting(ids[bank], "D", "5") + `INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
			SELECT currval('entries_id_seq'), 2, id, 'C', 5, '2021-03-02', 'financial' FROM accounts WHERE code = 'payable:escrow';` +
			newEntry("raw21", "2021-03-03") + posting(ids[bank], "C", "6") + `INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
			SELECT currval('entries_id_seq'), 2, id, 'D', 6, '2021-03-03', 'financial' FROM accounts WHERE code = 'payable:escrow';`,
			"FL002", "account payable:escrow would overdraw by 1 on 2021-03-03"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx, err := db.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback() //nolint:errcheck
			_, err = tx.Exec(c.sql)
			if err == nil {
				err = tx.Commit() // deferred checks fire here
			}
			var pe *pq.Error
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want SQLSTATE %s", err, c.state)
			}
			if string(pe.Code) != c.state || !strings.Contains(pe.Message+" "+pe.Constraint, c.msg) {
				t.Errorf("got %s %q (constraint %q), want %s containing %q", pe.Code, pe.Message, pe.Constraint, c.state, c.msg)
			}
		})
	}
	// After all attacks the books are as before.
	wantBalance(t, l, bank, "", "100.00")
	rep, err := l.Verify(ctx)
	if err != nil || !rep.OK {
		t.Errorf("verify after attacks: %+v %v", rep, err)
	}
}

// TestConcurrentOverdraft: 32 goroutines each try 10 transfers of 7.00 out of
// one no_overdraft account funded with 1,000.00. Exactly floor(1000/7) = 142
// can succeed (142 × 7 = 994.00), leaving 6.00; the other 320 − 142 = 178
// must be refused as overdrafts, never lost to another error.
func TestConcurrentOverdraft(t *testing.T) {
	t.Parallel()
	l, _ := newLedger(t)
	ctx := context.Background()
	mustPost(t, l, transfer("fund", "2021-07-01", grant, bank, "1000.00"))
	const workers, each = 32, 10
	var mu sync.Mutex
	ok, refused := 0, 0
	var other []error
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				_, err := l.Post(ctx, transfer(fmt.Sprintf("pay-%d-%d", w, i), "2021-07-02", bank, works, "7.00"))
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
	if ok != 142 || refused != 178 {
		t.Errorf("succeeded %d, refused %d; want 142 and 178", ok, refused)
	}
	bal, err := l.Balance(ctx, bank, ledger.Date(2021, 7, 2))
	if err != nil {
		t.Fatal(err)
	}
	spent := decimal.NewFromInt(int64(ok) * 7)
	if !bal.Equal(d("1000.00").Sub(spent)) || !bal.Equal(d("6.00")) {
		t.Errorf("final balance %s, want 1000.00 − %s = 6.00", bal, spent)
	}
}

// TestVerifyFindsTampering alters rows behind the triggers' back (with the tables' triggers disabled) and expects verify
// to name the entry.
func TestVerifyFindsTampering(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	ctx := context.Background()
	var ids []int64
	for i := range 5 {
		e := mustPost(t, l, transfer(fmt.Sprintf("e%d", i), "2021-08-01", grant, bank, fmt.Sprintf("%d.00", 10+i)))
		ids = append(ids, e.ID)
	}
	if _, err := l.Seal(ctx); err != nil {
		t.Fatal(err)
	}
	late := mustPost(t, l, transfer("unsealed", "2021-08-02", grant, bank, "1.00"))
	rep, err := l.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Entries != 6 || rep.Blocks != 1 || rep.UnsealedEntries != 1 {
		t.Fatalf("clean verify: %+v", rep)
	}
	head := rep.HeadHash

	// The table owner (our test role) can switch off its own triggers, as a
	// careless or malicious administrator could.
	tamper := func(table, sql string) {
		t.Helper()
		for _, s := range []string{`ALTER TABLE ` + table + ` DISABLE TRIGGER USER`, sql, `ALTER TABLE ` + table + ` ENABLE TRIGGER USER`} {
			if _, err := db.ExecContext(ctx, s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
	}
	// 1. Change an amount of the third entry (both sides, so it still balances).
	tamper("postings", fmt.Sprintf(`UPDATE postings SET amount = 99 WHERE entry_id = %d`, ids[2]))
	rep, err = l.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || rep.FirstBadEntry != ids[2] {
		t.Fatalf("after amount change: first bad entry %d, want %d: %+v", rep.FirstBadEntry, ids[2], rep)
	}
	if !strings.Contains(strings.Join(rep.Problems, "\n"), "stored day balance differs") {
		t.Errorf("derived balances drift not reported: %v", rep.Problems)
	}
	// 2. A cleverer forger also rewrites the content hash: the block catches it.
	var forged string
	if err := db.Get(&forged, `SELECT content_hash FROM entries WHERE id = $1`, ids[2]); err != nil {
		t.Fatal(err)
	}
	tamper("entries", fmt.Sprintf(`UPDATE entries SET content_hash = sha256('forged') WHERE id = %d`, ids[3]))
	rep, _ = l.Verify(ctx)
	if rep.OK || !strings.Contains(strings.Join(rep.Problems, "\n"), "block 1") {
		t.Errorf("rewritten content hash not caught by the block: %+v", rep)
	}
	// 3. The unsealed entry is still covered by its own content hash.
	tamper("entries", fmt.Sprintf(`UPDATE entries SET memo = 'edited' WHERE id = %d`, late.ID))
	rep, _ = l.Verify(ctx)
	if !strings.Contains(strings.Join(rep.Problems, "\n"), fmt.Sprintf("entry %d (key \"unsealed\")", late.ID)) {
		t.Errorf("edited unsealed entry not named: %v", rep.Problems)
	}
	if rep.HeadHash != head {
		t.Errorf("head hash changed without a new seal")
	}
}
