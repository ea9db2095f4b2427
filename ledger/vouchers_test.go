package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"fundledger/ledger"
	"fundledger/migrations"
)

const (
	emptyBank = bank2 // no overdraft, never funded here
	budgetDr  = "budget:receivable:P1:central"
	budgetCr  = "budget:appropriation:P1:central"
)

// budgetEntry is a two-posting budget-book entry.
func budgetEntry(key, date, amount string) ledger.Entry {
	e := transfer(key, date, budgetCr, budgetDr, amount)
	e.Book = ledger.BookBudget
	return e
}

// vouchersOf reads every entry back and returns its voucher by key.
func vouchersOf(t *testing.T, l *ledger.Ledger) map[string]string {
	t.Helper()
	es, err := l.Entries(context.Background(), ledger.EntryFilter{Limit: ledger.MaxPage})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range es {
		out[e.IdempotencyKey] = e.Voucher
	}
	return out
}

func wantVerifyOK(t *testing.T, l *ledger.Ledger) {
	t.Helper()
	rep, err := l.Verify(context.Background())
	if err != nil || !rep.OK {
		t.Fatalf("verify: %v %+v", err, rep)
	}
}

func TestVoucherString(t *testing.T) {
	t.Parallel()
	cases := []struct {
		v    ledger.Voucher
		want string
	}{
		{ledger.Voucher{Book: ledger.BookFinancial, Month: ledger.Date(2021, 3, 1), Seq: 1}, "2021-03 财-0001"},
		{ledger.Voucher{Book: ledger.BookBudget, Month: ledger.Date(2021, 12, 1), Seq: 42}, "2021-12 预-0042"},
		{ledger.Voucher{Book: ledger.BookFinancial, Month: ledger.Date(2022, 1, 1), Seq: 12345}, "2022-01 财-12345"},
		{ledger.Voucher{}, ""},
	}
	for _, c := range cases {
		if got := c.v.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.v, got, c.want)
		}
		if c.want == "" {
			continue
		}
		back, err := ledger.ParseVoucher(c.want)
		if err != nil || back != c.v {
			t.Errorf("ParseVoucher(%q) = %+v, %v; want %+v", c.want, back, err, c.v)
		}
	}
	for _, bad := range []string{"", "2021-03", "2021-03 财", "2021-03 财-0", "2021-03 记-0001", "2021-13 财-0001", "2021-03 财-x1", "2021-03 财--1"} {
		if _, err := ledger.ParseVoucher(bad); !errors.Is(err, ledger.ErrInvalid) {
			t.Errorf("ParseVoucher(%q): %v, want ErrInvalid", bad, err)
		}
	}
}

// TestVoucherNumbers: single posts, a refusal, a replay, a batch across
// books and months, a batch with a replay in it and a rolled-back
// transaction. The numbers, worked out by hand: per book and month in the
// order of commit, and within one transaction in the order of the entries.
func TestVoucherNumbers(t *testing.T) {
	t.Parallel()
	l, _ := newLedger(t)
	ctx := context.Background()
	a := mustPost(t, l, transfer("a", "2021-03-10", grant, bank, "100.00"))
	if a.Voucher != "" {
		t.Errorf("a post's result carries voucher %q; it is given at commit and read back", a.Voucher)
	}
	if _, err := l.Post(ctx, transfer("refused", "2021-03-11", emptyBank, works, "1.00")); !errors.Is(err, ledger.ErrOverdraft) {
		t.Fatalf("overdraft: %v", err)
	}
	if again := mustPost(t, l, transfer("a", "2021-03-10", grant, bank, "100.00")); !again.Replayed {
		t.Fatal("replay not recognised")
	}
	batch, err := l.PostBatch(ctx, []ledger.Entry{
		transfer("b1", "2021-03-05", grant, bank, "1.00"),
		budgetEntry("b2", "2021-03-01", "2.00"),
		transfer("b3", "2021-04-02", grant, bank, "3.00"),
		transfer("b4", "2021-03-01", grant, bank, "4.00"),
		budgetEntry("b5", "2021-03-09", "5.00"),
	})
	if err != nil {
		t.Fatal(err)
	}
	// A replay beside a new entry takes the batch's careful path.
	if _, err := l.PostBatch(ctx, []ledger.Entry{transfer("b1", "2021-03-05", grant, bank, "1.00"), transfer("c1", "2021-03-31", bank, works, "0.50")}); err != nil {
		t.Fatal(err)
	}
	// A transaction that posts and then fails gives nothing away.
	fail := errors.New("caller gives up")
	err = l.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := ledger.PostInTx(ctx, tx, []ledger.Entry{transfer("rolled-back", "2021-03-12", grant, bank, "1.00")}); err != nil {
			return err
		}
		return fail
	})
	if !errors.Is(err, fail) {
		t.Fatalf("rolled back transaction: %v", err)
	}
	d1 := mustPost(t, l, transfer("d1", "2021-03-02", bank, works, "0.25"))
	// One transaction, entries inserted by two statements: all numbered at
	// commit, in id order.
	err = l.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := ledger.PostInTx(ctx, tx, []ledger.Entry{transfer("t1", "2021-03-28", grant, bank, "1.00")}); err != nil {
			return err
		}
		_, err := ledger.PostInTx(ctx, tx, []ledger.Entry{budgetEntry("t2", "2021-03-28", "1.00"), transfer("t3", "2021-03-01", bank, works, "1.00")})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a":  "2021-03 财-0001",
		"b1": "2021-03 财-0002", "b2": "2021-03 预-0001", "b3": "2021-04 财-0001", "b4": "2021-03 财-0003", "b5": "2021-03 预-0002",
		"c1": "2021-03 财-0004",
		"d1": "2021-03 财-0005",
		"t1": "2021-03 财-0006", "t2": "2021-03 预-0003", "t3": "2021-03 财-0007",
	}
	got := vouchersOf(t, l)
	if len(got) != len(want) {
		t.Errorf("%d entries stored, want %d: %v", len(got), len(want), got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("entry %s: voucher %q, want %q", k, got[k], v)
		}
	}
	// The same numbers through the other read paths.
	if err := l.FillVouchers(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for _, e := range batch {
		if e.Voucher != want[e.IdempotencyKey] {
			t.Errorf("FillVouchers: %s has %q, want %q", e.IdempotencyKey, e.Voucher, want[e.IdempotencyKey])
		}
	}
	if e, err := l.Entry(ctx, d1.ID); err != nil || e.Voucher != want["d1"] {
		t.Errorf("Entry(%d): %q, %v", d1.ID, e.Voucher, err)
	}
	v, err := ledger.ParseVoucher("2021-03 财-3")
	if err != nil {
		t.Fatal(err)
	}
	if e, err := l.EntryByVoucher(ctx, v); err != nil || e.IdempotencyKey != "b4" {
		t.Errorf("EntryByVoucher(2021-03 财-3) = %q, %v; want b4", e.IdempotencyKey, err)
	}
	if _, err := l.EntryByVoucher(ctx, ledger.Voucher{Book: ledger.BookFinancial, Month: ledger.Date(2021, 3, 1), Seq: 8}); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("EntryByVoucher of a number not given yet: %v", err)
	}
	lines, err := l.Register(ctx, bank, ledger.RegisterFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// The register is in date order, then id: b4 (03-01), t3 (03-01), d1 (03-02), b1 (03-05), a (03-10), t1 (03-28),
	// c1 (03-31), b3 (04-02).
	wantReg := []string{"2021-03 财-0003", "2021-03 财-0007", "2021-03 财-0005", "2021-03 财-0002", "2021-03 财-0001", "2021-03 财-0006",
		"2021-03 财-0004", "2021-04 财-0001"}
	var gotReg []string
	for _, r := range lines {
		gotReg = append(gotReg, r.Voucher)
	}
	if strings.Join(gotReg, ",") != strings.Join(wantReg, ",") {
		t.Errorf("register vouchers %v, want %v", gotReg, wantReg)
	}
	wantVerifyOK(t, l)
}

// TestVoucherNumbersOfALargeBatch: 2,000 entries spread over both books and
// five months, after a few posted singly; the expected numbers come from
// counting in Go, in the order of the batch.
func TestVoucherNumbersOfALargeBatch(t *testing.T) {
	t.Parallel()
	l, _ := newLedger(t)
	ctx := context.Background()
	next := map[string]int{} // book and month → last number
	key := func(e ledger.Entry) string { return string(e.Book) + " " + e.EffectiveDate.Format("2006-01") }
	for _, e := range []ledger.Entry{transfer("s0", "2021-06-30", grant, bank, "100.00"), budgetEntry("s1", "2021-07-01", "1.00"),
		transfer("s2", "2021-06-01", grant, bank, "100.00")} {
		mustPost(t, l, e)
		next[key(e)]++
	}
	want := map[string]string{}
	var batch []ledger.Entry
	for i := range 2000 {
		date := fmt.Sprintf("2021-%02d-%02d", 4+(i*7)%5, 1+(i*13)%28)
		var e ledger.Entry
		if i%3 == 0 {
			e = budgetEntry(fmt.Sprintf("k%d", i), date, "1.00")
		} else {
			e = transfer(fmt.Sprintf("k%d", i), date, grant, bank, "1.00")
		}
		batch = append(batch, e)
		next[key(e)]++
		want[e.IdempotencyKey] = ledger.Voucher{Book: e.Book, Month: mustMonth(t, e.EffectiveDate.Format("2006-01")), Seq: next[key(e)]}.String()
	}
	if _, err := l.PostBatch(ctx, batch); err != nil {
		t.Fatal(err)
	}
	got := vouchersOf(t, l)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: voucher %q, want %q", k, got[k], v)
		}
	}
	wantVerifyOK(t, l)
}

// TestVoucherNumbersUnderConcurrentWriters: 32 writers post at once into
// both books and three months, single posts and batches, with refusals
// (overdraft, closed period, a reference to a missing entry, an idempotency
// conflict, a batch with one bad entry, a caller that rolls back, a raw
// transaction refused at commit after its numbers were given) and replays
// mixed in, while another closes one of the months. Each writer counts what
// it stored; afterwards, per book and month, the stored entries must be as
// many as counted and their numbers exactly 1..n.
func TestVoucherNumbersUnderConcurrentWriters(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	ctx := context.Background()
	mustPost(t, l, transfer("fund", "2021-02-01", grant, bank, "1000000.00"))
	if err := l.ClosePeriod(ctx, ledger.Date(2021, 1, 1), "bureau", "closed before the test"); err != nil {
		t.Fatal(err)
	}
	type bookMonth struct {
		book  ledger.Book
		month string
	}
	stored := map[bookMonth]int{{ledger.BookFinancial, "2021-02"}: 1}
	var mu sync.Mutex
	var unexpected []error
	count := func(es ...ledger.Entry) {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range es {
			if !e.Replayed {
				stored[bookMonth{e.Book, e.EffectiveDate.Format("2006-01")}]++
			}
		}
	}
	expect := func(what string, err, want error) {
		if want == nil && err == nil || want != nil && errors.Is(err, want) {
			return
		}
		mu.Lock()
		unexpected = append(unexpected, fmt.Errorf("%s: got %v, want %v", what, err, want))
		mu.Unlock()
	}
	months := []string{"2021-03", "2021-04", "2021-05"}
	const writers, rounds = 32, 12
	var wg sync.WaitGroup
	closed, done := make(chan struct{}), make(chan struct{})
	go func() { // closes May while the writers post into it
		defer close(closed)
		for {
			mu.Lock()
			n := stored[bookMonth{ledger.BookFinancial, "2021-05"}]
			mu.Unlock()
			if n >= 5 {
				break
			}
			select {
			case <-done:
				expect("close May", errors.New("the writers stored fewer than 5 entries in May"), nil)
				return
			case <-time.After(time.Millisecond):
			}
		}
		if err := l.ClosePeriod(ctx, ledger.Date(2021, 5, 1), "bureau", "month end"); err != nil {
			expect("close May", err, nil)
		}
	}()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				key := fmt.Sprintf("w%d-r%d", w, r)
				date := fmt.Sprintf("%s-%02d", months[(w+r)%3], 1+(w*7+r)%28)
				var err error
				switch (w + r) % 11 {
				case 0, 1: // a receipt
					var e ledger.Entry
					if e, err = l.Post(ctx, transfer(key, date, grant, bank, "10.00")); err == nil {
						count(e)
					} else if errors.Is(err, ledger.ErrPeriodClosed) && strings.HasPrefix(date, "2021-05") {
						err = nil // May was closed meanwhile
					}
					expect(key, err, nil)
				case 2: // a budget entry
					var e ledger.Entry
					if e, err = l.Post(ctx, budgetEntry(key, date, "3.00")); err == nil {
						count(e)
					} else if errors.Is(err, ledger.ErrPeriodClosed) && strings.HasPrefix(date, "2021-05") {
						err = nil
					}
					expect(key, err, nil)
				case 3: // overdraft
					_, err = l.Post(ctx, transfer(key, date, emptyBank, works, "1.00"))
					if errors.Is(err, ledger.ErrPeriodClosed) {
						err = ledger.ErrOverdraft
					}
					expect(key, err, ledger.ErrOverdraft)
				case 4: // closed period
					_, err = l.Post(ctx, transfer(key, "2021-01-15", grant, bank, "1.00"))
					expect(key, err, ledger.ErrPeriodClosed)
				case 5: // bad input that reaches the database: a reversal of a missing entry
					e := transfer(key, date, grant, bank, "1.00")
					e.Reverses = 999999999
					_, err = l.Post(ctx, e)
					if errors.Is(err, ledger.ErrPeriodClosed) {
						err = ledger.ErrNotFound
					}
					expect(key, err, ledger.ErrNotFound)
				case 6: // a batch over both books and two months, then its replay, then a conflict
					b := []ledger.Entry{transfer(key+"a", "2021-03-20", grant, bank, "1.00"), budgetEntry(key+"b", "2021-04-03", "1.00"),
						transfer(key+"c", "2021-04-04", bank, works, "0.50")}
					var out []ledger.Entry
					if out, err = l.PostBatch(ctx, b); err == nil {
						count(out...)
					}
					expect(key, err, nil)
					out, err = l.PostBatch(ctx, b)
					expect(key+" replay", err, nil)
					for _, e := range out {
						if !e.Replayed {
							expect(key+" replay", fmt.Errorf("%s not replayed", e.IdempotencyKey), nil)
						}
					}
					_, err = l.Post(ctx, transfer(key+"a", "2021-03-20", grant, bank, "2.00"))
					expect(key+" conflict", err, ledger.ErrIdempotencyConflict)
				case 7: // a batch with one overdraft in it: nothing stored
					_, err = l.PostBatch(ctx, []ledger.Entry{transfer(key+"a", "2021-03-21", grant, bank, "1.00"),
						transfer(key+"b", "2021-03-21", emptyBank, works, "1.00"), budgetEntry(key+"c", "2021-03-21", "1.00")})
					expect(key, err, ledger.ErrOverdraft)
				case 8: // the caller rolls back after posting
					fail := errors.New("caller gives up")
					err = l.InTx(ctx, func(tx *sqlx.Tx) error {
						if _, err := ledger.PostInTx(ctx, tx, []ledger.Entry{transfer(key, "2021-04-10", grant, bank, "1.00")}); err != nil {
							return err
						}
						return fail
					})
					expect(key, err, fail)
				case 9: // a replay of this writer's first receipt, or a new one
					var e ledger.Entry
					if e, err = l.Post(ctx, transfer(key, "2021-03-15", grant, bank, "10.00")); err == nil {
						count(e)
					}
					expect(key, err, nil)
					if e, err = l.Post(ctx, transfer(key, "2021-03-15", grant, bank, "10.00")); err == nil && !e.Replayed {
						err = errors.New("not replayed")
					}
					expect(key+" replay", err, nil)
				case 10: // raw SQL numbered at once, then refused at commit as unbalanced
					err = rawUnbalanced(ctx, db, key)
					var pe *pq.Error
					if errors.As(err, &pe) && pe.Code == "FL001" {
						err = nil
					}
					expect(key, err, nil)
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	<-closed
	if len(unexpected) > 0 {
		t.Fatalf("%d unexpected results, first: %v", len(unexpected), unexpected[0])
	}

	// What the database holds, counted independently of the vouchers.
	var rows []struct {
		Book  ledger.Book `db:"book"`
		Month string      `db:"month"`
		N     int         `db:"n"`
	}
	if err := db.Select(&rows, `SELECT book, to_char(effective_date, 'YYYY-MM') AS month, count(*) AS n FROM entries GROUP BY 1, 2 ORDER BY 1, 2`); err != nil {
		t.Fatal(err)
	}
	inDB := map[bookMonth]int{}
	total := 0
	for _, r := range rows {
		inDB[bookMonth{r.Book, r.Month}] = r.N
		total += r.N
	}
	if fmt.Sprint(inDB) != fmt.Sprint(stored) {
		t.Errorf("entries per book and month in the database %v, counted by the writers %v", inDB, stored)
	}
	// The refusals and replays consumed ids: the ids have gaps, the vouchers none.
	var span int
	if err := db.Get(&span, `SELECT max(id) - min(id) + 1 FROM entries`); err != nil {
		t.Fatal(err)
	}
	if span <= total {
		t.Errorf("ids span %d for %d entries: the test did not make any gap in the ids", span, total)
	}
	es, err := l.Entries(ctx, ledger.EntryFilter{Limit: ledger.MaxPage})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != total {
		t.Fatalf("read %d entries, want %d", len(es), total)
	}
	got := map[bookMonth][]string{}
	for _, e := range es {
		k := bookMonth{e.Book, e.EffectiveDate.Format("2006-01")}
		got[k] = append(got[k], e.Voucher)
	}
	for k, n := range stored {
		vs := got[k]
		sort.Strings(vs)
		var want []string
		for i := 1; i <= n; i++ {
			want = append(want, ledger.Voucher{Book: k.book, Month: mustMonth(t, k.month), Seq: i}.String())
		}
		if strings.Join(vs, ",") != strings.Join(want, ",") {
			t.Errorf("%s book %s: vouchers %v, want 1..%d", k.book, k.month, vs, n)
		}
	}
	t.Logf("%d entries over %d ids; per book and month %v", total, span, stored)
	wantVerifyOK(t, l)
}

// rawUnbalanced is a psql session that numbers its entry at once (SET
// CONSTRAINTS … IMMEDIATE) and is then refused at commit: the number must
// go back with it.
func rawUnbalanced(ctx context.Context, db *sqlx.DB, key string) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO entries (book, effective_date, actor, idempotency_key, content_hash) VALUES ('financial', '2021-03-03', 'psql', $1, sha256(''))`, key); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `SET CONSTRAINTS tx_entries_vouchers IMMEDIATE`); err != nil {
		return err
	}
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM entry_vouchers v JOIN entries e ON e.id = v.entry_id WHERE e.idempotency_key = $1`, key); err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("entry %s not numbered before commit (%d)", key, n)
	}
	return tx.Commit()
}

func mustMonth(t *testing.T, s string) time.Time {
	t.Helper()
	p, err := ledger.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestVoucherNumbersRawSQL: a psql user can neither write nor change a
// voucher number or a counter; entries inserted by raw SQL in several
// statements, even with the numbering made immediate, are numbered all.
func TestVoucherNumbersRawSQL(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	e := mustPost(t, l, transfer("seed", "2021-03-01", grant, bank, "100.00"))
	cases := []struct {
		name, sql, state, msg string
	}{
		{"insert a voucher", fmt.Sprintf(`INSERT INTO entry_vouchers VALUES (%d, 'financial', '2021-03-01', 2)`, e.ID), "FL006", "maintained by the ledger"},
		{"renumber a voucher", `UPDATE entry_vouchers SET seq = 7`, "FL004", "append-only"},
		{"move a voucher to another month", `UPDATE entry_vouchers SET month = '2021-04-01'`, "FL004", "append-only"},
		{"delete a voucher", `DELETE FROM entry_vouchers`, "FL004", "append-only"},
		{"truncate the vouchers", `TRUNCATE entry_vouchers`, "FL004", "append-only"},
		{"raise a counter", `UPDATE voucher_counters SET last_seq = last_seq + 1`, "FL006", "maintained by the ledger"},
		{"start a counter", `INSERT INTO voucher_counters VALUES ('budget', '2021-03-01', 5)`, "FL006", "maintained by the ledger"},
		{"reset a counter", `DELETE FROM voucher_counters`, "FL004", "append-only"},
		{"truncate the counters", `TRUNCATE voucher_counters`, "FL004", "append-only"},
		{"skip the numbering", `INSERT INTO entries (book, effective_date, actor, idempotency_key, content_hash) VALUES ('financial', '2021-03-02', 'psql', 'raw', sha256(''));
			SET CONSTRAINTS tx_entries_vouchers IMMEDIATE; SET CONSTRAINTS tx_entries_vouchers DEFERRED;
			DELETE FROM entry_vouchers WHERE entry_id = currval('entries_id_seq');`, "FL004", "append-only"},
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
				err = tx.Commit()
			}
			var pe *pq.Error
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want SQLSTATE %s", err, c.state)
			}
			if string(pe.Code) != c.state || !strings.Contains(pe.Message, c.msg) {
				t.Errorf("got %s %q, want %s containing %q", pe.Code, pe.Message, c.state, c.msg)
			}
		})
	}
	// Entries of raw SQL in three statements, balanced, numbered at once
	// after the first: every one of them gets its number.
	var ids [2]int64
	for i, c := range []string{grant, bank} {
		if err := db.Get(&ids[i], `SELECT id FROM accounts WHERE code = $1`, c); err != nil {
			t.Fatal(err)
		}
	}
	entry := func(key, date string) string {
		return fmt.Sprintf(`WITH e AS (INSERT INTO entries (book, effective_date, actor, idempotency_key, content_hash)
			VALUES ('financial', '%s', 'psql', '%s', sha256('')) RETURNING id, effective_date, book)
			INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
			SELECT e.id, v.l, v.a, v.s, 1, e.effective_date, e.book FROM e, (VALUES (1, %d, 'D'), (2, %d, 'C')) AS v(l, a, s);`,
			date, key, ids[1], ids[0])
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{entry("raw1", "2021-03-05"), `SET CONSTRAINTS ALL IMMEDIATE`, entry("raw2", "2021-04-05"), entry("raw3", "2021-03-06")} {
		if _, err := tx.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	got := vouchersOf(t, l)
	want := map[string]string{"seed": "2021-03 财-0001", "raw1": "2021-03 财-0002", "raw2": "2021-04 财-0001", "raw3": "2021-03 财-0003"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("vouchers %v, want %v", got, want)
	}
}

// TestVerifyFindsVoucherGaps: with the guards switched off (as the owner or
// a superuser can), numbers are removed, moved or the counter is changed;
// verify names each break.
func TestVerifyFindsVoucherGaps(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		sql   string
		wants []string
	}{
		{"a voucher deleted", `DELETE FROM entry_vouchers WHERE book = 'financial' AND seq = 2`,
			[]string{"(key \"e1\", financial book, 2021-03-02) has no voucher number", "voucher 2021-03 财-0002 is missing: the financial book of 2021-03 jumps from 1 to 3"}},
		{"a voucher renumbered", `UPDATE entry_vouchers SET seq = 6 WHERE book = 'financial' AND seq = 4`,
			[]string{"vouchers 2021-03 财-0004 to 2021-03 财-0005 are missing: the financial book of 2021-03 jumps from 3 to 6",
				"the voucher counter of the financial book of 2021-03 stands at 4, but the last voucher given is 6"}},
		{"a number given twice", `ALTER TABLE entry_vouchers DROP CONSTRAINT entry_vouchers_seq_key; UPDATE entry_vouchers SET seq = 3 WHERE book = 'financial' AND seq = 4`,
			[]string{"voucher 2021-03 财-0003 is given twice", "the voucher counter of the financial book of 2021-03 stands at 4, but the last voucher given is 3"}},
		{"a voucher moved to another month", `UPDATE entry_vouchers SET month = '2021-04-01', seq = 1 WHERE book = 'financial' AND seq = 1`,
			[]string{"voucher 2021-04 财-0001 of entry", "is not of the entry's book and month (financial book, 2021-03-01)",
				"voucher 2021-03 财-0001 is missing", "the financial book of 2021-04 has vouchers up to 1 but no voucher counter"}},
		{"a counter moved on", `UPDATE voucher_counters SET last_seq = 2 WHERE book = 'budget'`,
			[]string{"the voucher counter of the budget book of 2021-03 stands at 2, but the last voucher given is 1"}},
		{"a counter without vouchers", `INSERT INTO voucher_counters VALUES ('budget', '2021-06-01', 3)`,
			[]string{"the voucher counter of the budget book of 2021-06 stands at 3, but no voucher of that month exists"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l, db := newLedger(t)
			ctx := context.Background()
			for i := range 4 {
				mustPost(t, l, transfer(fmt.Sprintf("e%d", i), fmt.Sprintf("2021-03-%02d", 1+i), grant, bank, "1.00"))
			}
			mustPost(t, l, budgetEntry("b0", "2021-03-01", "1.00"))
			wantVerifyOK(t, l)
			for _, s := range []string{`ALTER TABLE entry_vouchers DISABLE TRIGGER USER`, `ALTER TABLE voucher_counters DISABLE TRIGGER USER`, c.sql,
				`ALTER TABLE entry_vouchers ENABLE TRIGGER USER`, `ALTER TABLE voucher_counters ENABLE TRIGGER USER`} {
				if _, err := db.ExecContext(ctx, s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			rep, err := l.Verify(ctx)
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(rep.Problems, "\n")
			if rep.OK {
				t.Fatalf("verify passed after %s", c.name)
			}
			for _, w := range c.wants {
				if !strings.Contains(all, w) {
					t.Errorf("problems do not say %q:\n%s", w, all)
				}
			}
		})
	}
}

// TestVoucherNumbersOnUpgrade: a database with entries from before
// migration 00010 (rebuilt here by removing what 00010 made) gets them
// numbered by date, then id, within book and month; later posts continue.
func TestVoucherNumbersOnUpgrade(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	ctx := context.Background()
	for _, s := range []string{`DROP TRIGGER tx_entries_vouchers ON tx_entries`, `DROP FUNCTION fl_entries_numbered()`,
		`DROP TABLE entry_vouchers, voucher_counters`} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	// Posted in this order (ids ascending), with a refusal consuming an id.
	for _, e := range []ledger.Entry{
		transfer("m10", "2021-03-10", grant, bank, "10.00"),
		transfer("m02", "2021-03-02", grant, bank, "2.00"),
		budgetEntry("bud20", "2021-03-20", "1.00"),
		transfer("a01", "2021-04-01", bank, works, "1.00"),
		transfer("m02b", "2021-03-02", grant, bank, "3.00"),
		budgetEntry("bud05", "2021-03-05", "1.00"),
		transfer("feb", "2021-02-28", grant, bank, "1.00"),
	} {
		mustPost(t, l, e)
		if e.IdempotencyKey == "m02" {
			if _, err := l.Post(ctx, transfer("refused", "2021-03-03", emptyBank, works, "1.00")); !errors.Is(err, ledger.ErrOverdraft) {
				t.Fatalf("overdraft: %v", err)
			}
		}
	}
	up := migrationFile(t, "00010_")
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, up); err != nil {
		t.Fatalf("migration 00010: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	mustPost(t, l, transfer("new", "2021-03-01", grant, bank, "5.00"))
	mustPost(t, l, budgetEntry("newbud", "2021-04-30", "1.00"))
	want := map[string]string{
		"m02": "2021-03 财-0001", "m02b": "2021-03 财-0002", "m10": "2021-03 财-0003", "new": "2021-03 财-0004",
		"bud05": "2021-03 预-0001", "bud20": "2021-03 预-0002", "newbud": "2021-04 预-0001",
		"a01": "2021-04 财-0001", "feb": "2021-02 财-0001",
	}
	if got := vouchersOf(t, l); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("vouchers %v\nwant %v", got, want)
	}
	wantVerifyOK(t, l)
}

// migrationFile returns the text of the one migration whose name starts
// with prefix.
func migrationFile(t *testing.T, prefix string) string {
	t.Helper()
	names, err := fs.Glob(migrations.FS(), prefix+"*.sql")
	if err != nil || len(names) != 1 {
		t.Fatalf("migration %s*: %v %v", prefix, names, err)
	}
	b, err := fs.ReadFile(migrations.FS(), names[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
