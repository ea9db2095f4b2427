package ledger_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

const (
	bank    = "cash:huancui:P1:central"
	bank2   = "cash:huancui:P1:district"
	grant   = "revenue:grants:central"
	grant2  = "revenue:grants:district"
	works   = "expense:works:P1:basic"
	payable = "payable:contractor"
)

func TestEntryCheck(t *testing.T) {
	base := func() ledger.Entry { return transfer("k", "2021-03-01", grant, bank, "10.00") }
	cases := []struct {
		name   string
		mutate func(*ledger.Entry)
		target error
		msg    string
	}{
		{"OK", func(*ledger.Entry) {}, nil, ""},
		{"ErrUnbalanced", func(e *ledger.Entry) { e.Postings[1].Amount = d("9.99") }, ledger.ErrUnbalanced, "debits 10.00, credits 9.99"},
		{"ErrOnePosting", func(e *ledger.Entry) { e.Postings = e.Postings[:1] }, ledger.ErrUnbalanced, "has 1 postings"},
		{"ErrThreeDecimals", func(e *ledger.Entry) { e.Postings[0].Amount = d("1.005"); e.Postings[1].Amount = d("1.005") }, ledger.ErrInvalid, "more than two decimals"},
		{"ErrZero", func(e *ledger.Entry) { e.Postings[0].Amount = d("0"); e.Postings[1].Amount = d("0") }, ledger.ErrInvalid, "greater than zero"},
		{"ErrNegative", func(e *ledger.Entry) { e.Postings[0].Amount = d("-5"); e.Postings[1].Amount = d("-5") }, ledger.ErrInvalid, "greater than zero"},
		{"ErrNoKey", func(e *ledger.Entry) { e.IdempotencyKey = "" }, ledger.ErrInvalid, "idempotency key"},
		{"ErrNoActor", func(e *ledger.Entry) { e.Actor = "" }, ledger.ErrInvalid, "actor"},
		{"ErrBadBook", func(e *ledger.Entry) { e.Book = "cash" }, ledger.ErrInvalid, "book"},
		{"ErrBadSide", func(e *ledger.Entry) { e.Postings[0].Side = "X" }, ledger.ErrInvalid, "side"},
		// JSON would store U+FFFD for the 0xff byte and the entry would no
		// longer match its hash; PostgreSQL refuses it in text columns.
		{"ErrMetadataNotUTF8", func(e *ledger.Entry) { e.Metadata = map[string]string{"voucher": "记\xff12"} }, ledger.ErrInvalid, `metadata "voucher" is not valid UTF-8`},
		{"ErrMemoNotUTF8", func(e *ledger.Entry) { e.Memo = "\xe8\xae" }, ledger.ErrInvalid, "memo is not valid UTF-8"},
		{"ErrAccountNotUTF8", func(e *ledger.Entry) { e.Postings[1].AccountCode = "cash:\xff" }, ledger.ErrInvalid, "posting 2: account"},
		{"OKChinese", func(e *ledger.Entry) { e.Memo, e.Metadata = "拨付 环翠区", map[string]string{"凭证": "记-12"} }, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := base()
			c.mutate(&e)
			err := e.Check()
			if c.target == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			wantErr(t, err, c.target)
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("message %q does not contain %q", err, c.msg)
			}
		})
	}
}

func TestPostBalancesAndReports(t *testing.T) {
	t.Parallel()
	l, _ := newLedger(t)
	ctx := context.Background()
	// Two receipts and a payment:
	//   2021-03-01 central grant 1,000,000.00 into bank
	//   2021-03-15 central grant   250,000.50 into bank
	//   2021-04-02 pay works       300,000.25 from bank
	// Bank: 1,250,000.50 − 300,000.25 = 950,000.25.
	mustPost(t, l, transfer("r1", "2021-03-01", grant, bank, "1000000.00"))
	mustPost(t, l, transfer("r2", "2021-03-15", grant, bank, "250000.50"))
	mustPost(t, l, transfer("p1", "2021-04-02", bank, works, "300000.25"))

	wantBalance(t, l, bank, "", "950000.25")
	wantBalance(t, l, bank, "2021-02-28", "0")
	wantBalance(t, l, bank, "2021-03-01", "1000000.00")
	wantBalance(t, l, bank, "2021-03-31", "1250000.50")
	wantBalance(t, l, bank, "2021-04-02", "950000.25")
	wantBalance(t, l, grant, "", "1250000.50") // credit-normal: shown positive
	wantBalance(t, l, works, "2021-04-01", "0")

	tb, err := l.TrialBalance(ctx, ledger.BookFinancial, ledger.Date(2021, 3, 31))
	if err != nil {
		t.Fatal(err)
	}
	if !tb.TotalDebit.Equal(d("1250000.50")) || !tb.TotalCredit.Equal(d("1250000.50")) || len(tb.Lines) != 2 {
		t.Errorf("trial balance 2021-03-31: %d lines, debit %s credit %s; want 2 lines, 1250000.50 each", len(tb.Lines), tb.TotalDebit, tb.TotalCredit)
	}
	tb, err = l.TrialBalance(ctx, ledger.BookFinancial, ledger.Date(2021, 12, 31))
	if err != nil {
		t.Fatal(err)
	}
	// Debits: bank 950,000.25 + works 300,000.25 = 1,250,000.50 = credit of grant.
	if !tb.TotalDebit.Equal(d("1250000.50")) || !tb.TotalCredit.Equal(tb.TotalDebit) || len(tb.Lines) != 3 {
		t.Errorf("trial balance 2021-12-31: %+v", tb)
	}

	reg, err := l.Register(ctx, bank, ledger.RegisterFilter{})
	if err != nil {
		t.Fatal(err)
	}
	wantRunning := []string{"1000000.00", "1250000.50", "950000.25"}
	if len(reg) != 3 {
		t.Fatalf("register has %d lines, want 3", len(reg))
	}
	for i, w := range wantRunning {
		if !reg[i].Balance.Equal(d(w)) {
			t.Errorf("register line %d balance %s, want %s", i+1, reg[i].Balance, w)
		}
	}
	// From 2021-03-10: brought forward 1,000,000.00, then +250,000.50, −300,000.25.
	reg, err = l.Register(ctx, bank, ledger.RegisterFilter{From: ledger.Date(2021, 3, 10)})
	if err != nil {
		t.Fatal(err)
	}
	if len(reg) != 2 || !reg[0].Balance.Equal(d("1250000.50")) || !reg[1].Balance.Equal(d("950000.25")) {
		t.Errorf("register from 2021-03-10: %+v", reg)
	}

	rows, err := l.Balances(ctx, ledger.BalanceFilter{
		AccountFilter: ledger.AccountFilter{Book: ledger.BookFinancial},
		GroupBy:       []string{ledger.BySource},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Source "" holds the works expense (debit 300,000.25); source central
	// holds bank (D 1,250,000.50, C 300,000.25) and grant (C 1,250,000.50).
	want := map[string][2]string{"": {"300000.25", "0"}, "central": {"1250000.50", "1550000.75"}}
	if len(rows) != 2 {
		t.Fatalf("balances by source: %d rows, want 2: %+v", len(rows), rows)
	}
	for _, r := range rows {
		w := want[r.Group[ledger.BySource]]
		if !r.Debit.Equal(d(w[0])) || !r.Credit.Equal(d(w[1])) {
			t.Errorf("source %q: debit %s credit %s, want %s %s", r.Group[ledger.BySource], r.Debit, r.Credit, w[0], w[1])
		}
	}
}

func TestEntriesJournal(t *testing.T) {
	t.Parallel()
	l, _ := newLedger(t)
	ctx := context.Background()
	a := mustPost(t, l, transfer("j1", "2021-03-01", grant, bank, "10.00"))
	b := mustPost(t, l, transfer("j2", "2021-03-05", grant2, bank2, "20.00"))
	c := mustPost(t, l, transfer("j3", "2021-04-01", bank, works, "3.00"))
	cases := []struct {
		name string
		f    ledger.EntryFilter
		want []int64
	}{
		{"all", ledger.EntryFilter{}, []int64{a.ID, b.ID, c.ID}},
		{"march", ledger.EntryFilter{From: ledger.Date(2021, 3, 1), To: ledger.Date(2021, 3, 31)}, []int64{a.ID, b.ID}},
		{"account", ledger.EntryFilter{Account: bank}, []int64{a.ID, c.ID}},
		{"page", ledger.EntryFilter{AfterID: a.ID, Limit: 1}, []int64{b.ID}},
		{"budget book", ledger.EntryFilter{Book: ledger.BookBudget}, nil},
	}
	for _, tc := range cases {
		got, err := l.Entries(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, e := range got {
			ids = append(ids, e.ID)
			if len(e.Postings) != 2 {
				t.Errorf("%s: entry %d has %d postings", tc.name, e.ID, len(e.Postings))
			}
		}
		if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
			t.Errorf("%s: entries %v, want %v", tc.name, ids, tc.want)
		}
	}
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	ctx := context.Background()
	first := mustPost(t, l, transfer("same-key", "2021-03-01", grant, bank, "100.00"))
	again := mustPost(t, l, transfer("same-key", "2021-03-01", grant, bank, "100.00"))
	if !again.Replayed || again.ID != first.ID || first.Replayed {
		t.Errorf("replay: first %d (replayed %v), again %d (replayed %v)", first.ID, first.Replayed, again.ID, again.Replayed)
	}
	_, err := l.Post(ctx, transfer("same-key", "2021-03-01", grant, bank, "100.01"))
	wantErr(t, err, ledger.ErrIdempotencyConflict)
	wantBalance(t, l, bank, "", "100.00")
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM entries`); err != nil || n != 1 {
		t.Errorf("entries = %d (%v), want 1", n, err)
	}
	// A batch with one replayed and one new entry posts only the new one.
	out, err := l.PostBatch(ctx, []ledger.Entry{
		transfer("same-key", "2021-03-01", grant, bank, "100.00"),
		transfer("new-key", "2021-03-02", grant, bank, "5.00"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !out[0].Replayed || out[1].Replayed || out[0].ID != first.ID {
		t.Errorf("batch replay flags: %+v", out)
	}
	wantBalance(t, l, bank, "", "105.00")
	// A batch whose used key comes with another request is refused whole:
	// the new entry beside it is not posted either.
	_, err = l.PostBatch(ctx, []ledger.Entry{
		transfer("newer-key", "2021-03-03", grant, bank, "7.00"),
		transfer("new-key", "2021-03-02", grant, bank, "5.01"),
	})
	wantErr(t, err, ledger.ErrIdempotencyConflict)
	wantBalance(t, l, bank, "", "105.00")
	if err := db.Get(&n, `SELECT count(*) FROM entries`); err != nil || n != 2 {
		t.Errorf("entries = %d (%v), want 2", n, err)
	}
}

func TestOverdraftRefused(t *testing.T) {
	t.Parallel()
	l, _ := newLedger(t)
	ctx := context.Background()
	mustPost(t, l, transfer("fund", "2021-03-10", grant, bank, "500.00"))
	_, err := l.Post(ctx, transfer("too-much", "2021-03-11", bank, works, "500.01"))
	wantErr(t, err, ledger.ErrOverdraft)
	if !strings.Contains(err.Error(), "cash:huancui:P1:central would overdraw by 0.01 on 2021-03-11") {
		t.Errorf("message: %v", err)
	}
	// Back-dated before the money arrived: overdrawn on 2021-03-09.
	_, err = l.Post(ctx, transfer("early", "2021-03-09", bank, works, "1.00"))
	wantErr(t, err, ledger.ErrOverdraft)
	if !strings.Contains(err.Error(), "overdraw by 1.00 on 2021-03-09") {
		t.Errorf("message: %v", err)
	}
	mustPost(t, l, transfer("exact", "2021-03-11", bank, works, "500.00"))
	wantBalance(t, l, bank, "", "0")
	// An account without the flag may go negative (a liability here).
	mustPost(t, l, transfer("owe", "2021-03-12", payable, works, "7.00"))
	wantBalance(t, l, payable, "", "7.00")
}

func TestBatchAllOrNothing(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	ctx := context.Background()
	_, err := l.PostBatch(ctx, []ledger.Entry{
		transfer("b1", "2021-05-01", grant, bank, "100.00"),
		transfer("b2", "2021-05-02", bank, works, "60.00"),
		transfer("b3", "2021-05-03", bank, works, "40.01"), // 0.01 too much
	})
	wantErr(t, err, ledger.ErrOverdraft)
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM entries`); err != nil || n != 0 {
		t.Fatalf("after refused batch: %d entries (%v), want 0", n, err)
	}
	_, err = l.PostBatch(ctx, []ledger.Entry{
		transfer("b1", "2021-05-01", grant, bank, "100.00"),
		transfer("b2", "2021-05-02", bank, works, "60.00"),
		transfer("b2", "2021-05-03", bank, works, "40.00"),
	})
	wantErr(t, err, ledger.ErrInvalid) // key repeated in the batch
	_, err = l.PostBatch(ctx, []ledger.Entry{
		transfer("b1", "2021-05-01", grant, bank, "100.00"),
		transfer("b4", "2021-05-03", bank, "no:such:account", "40.00"),
	})
	wantErr(t, err, ledger.ErrNotFound)
	budget := transfer("b5", "2021-05-03", grant, "budget:receivable:P1:central", "1.00")
	_, err = l.Post(ctx, budget)
	wantErr(t, err, ledger.ErrBookMismatch)
	wantBalance(t, l, bank, "", "0")
}

func TestPeriodClose(t *testing.T) {
	t.Parallel()
	l, _ := newLedger(t)
	ctx := context.Background()
	mustPost(t, l, transfer("march", "2021-03-31", grant, bank, "10.00"))
	if err := l.ClosePeriod(ctx, ledger.Date(2021, 3, 1), "finance-bureau", "month end"); err != nil {
		t.Fatal(err)
	}
	_, err := l.Post(ctx, transfer("late", "2021-03-15", grant, bank, "1.00"))
	wantErr(t, err, ledger.ErrPeriodClosed)
	if !strings.Contains(err.Error(), "closed period 2021-03") {
		t.Errorf("message: %v", err)
	}
	// The replay of an entry already posted in the closed month still
	// answers with the original: nothing new is written.
	if e := mustPost(t, l, transfer("march", "2021-03-31", grant, bank, "10.00")); !e.Replayed {
		t.Error("replay in closed period not reported as replayed")
	}
	mustPost(t, l, transfer("april", "2021-04-01", grant, bank, "1.00"))
	wantErr(t, l.ClosePeriod(ctx, ledger.Date(2021, 3, 1), "finance-bureau", ""), ledger.ErrPeriodClosed)
	wantErr(t, l.ReopenPeriod(ctx, ledger.Date(2021, 3, 1), "finance-bureau", ""), ledger.ErrInvalid)
	if err := l.ReopenPeriod(ctx, ledger.Date(2021, 3, 1), "finance-bureau", "late invoice from contractor"); err != nil {
		t.Fatal(err)
	}
	mustPost(t, l, transfer("late", "2021-03-15", grant, bank, "1.00"))
	wantBalance(t, l, bank, "2021-03-31", "11.00")
	hist, err := l.PeriodHistory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].Action != "close" || hist[1].Action != "reopen" || hist[1].Reason != "late invoice from contractor" {
		t.Errorf("history: %+v", hist)
	}
}

func TestReverse(t *testing.T) {
	t.Parallel()
	l, _ := newLedger(t)
	ctx := context.Background()
	orig := mustPost(t, l, transfer("r1", "2021-06-01", grant, bank, "1234.56"))
	pay := mustPost(t, l, transfer("p1", "2021-06-02", bank, works, "1000.00"))
	// Reversing the receipt would take the bank below zero: refused.
	_, err := l.Reverse(ctx, orig.ID, ledger.ReverseRequest{Reason: "wrong project", Actor: "officer"})
	wantErr(t, err, ledger.ErrOverdraft)
	rev, err := l.Reverse(ctx, pay.ID, ledger.ReverseRequest{Reason: "duplicate payment", Actor: "officer", Date: ledger.Date(2021, 6, 5)})
	if err != nil {
		t.Fatal(err)
	}
	if rev.Reverses != pay.ID || rev.Postings[0].Side != ledger.Credit || rev.Postings[0].AccountCode != works {
		t.Errorf("reversal: %+v", rev)
	}
	wantBalance(t, l, bank, "2021-06-04", "234.56")
	wantBalance(t, l, bank, "", "1234.56")
	wantBalance(t, l, works, "", "0")
	again, err := l.Reverse(ctx, pay.ID, ledger.ReverseRequest{Reason: "duplicate payment", Actor: "officer", Date: ledger.Date(2021, 6, 5)})
	if err != nil || !again.Replayed || again.ID != rev.ID {
		t.Errorf("repeated reversal: %+v, %v", again, err)
	}
	_, err = l.Reverse(ctx, pay.ID, ledger.ReverseRequest{Reason: "again", Actor: "officer", IdempotencyKey: "other"})
	wantErr(t, err, ledger.ErrAlreadyReversed)
	_, err = l.Reverse(ctx, 999999, ledger.ReverseRequest{Reason: "x", Actor: "officer"})
	wantErr(t, err, ledger.ErrNotFound)
	wantBalance(t, l, works, "", "0")
	_ = decimal.Zero
}

// TestAccountPrefixIsLiteral: "_" in a code prefix is a character, not a
// wildcard (source codes such as social_capital contain it); the codes
// whose next byte sorts just before or just after ':' (the bounds of the
// byte-order range of migration 00023) are not below the prefix, deeper
// codes are.
func TestAccountPrefixIsLiteral(t *testing.T) {
	t.Parallel()
	l, _ := newLedger(t)
	ctx := context.Background()
	for _, c := range []string{"x:social_capital", "x:social_capital:p1", "x:socialXcapital:p1", "x:social_capitalist",
		"x:social_capital9", "x:social_capital;p1", "x:social_capital:p1:q"} {
		if _, err := l.CreateAccount(ctx, ledger.Account{Code: c, Type: ledger.Asset}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	got, err := l.Accounts(ctx, ledger.AccountFilter{CodePrefix: "x:social_capital"})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, a := range got {
		codes = append(codes, a.Code)
	}
	if strings.Join(codes, ",") != "x:social_capital,x:social_capital:p1,x:social_capital:p1:q" {
		t.Errorf("prefix x:social_capital matched %v", codes)
	}
}

// TestBatchRoundTripsText: the bulk path streams rows as COPY text, where
// tab, newline and backslash are syntax; whatever a memo or metadata holds
// must come back byte for byte, hash to the same content hash, and verify.
func TestBatchRoundTripsText(t *testing.T) {
	t.Parallel()
	l, _ := newLedger(t)
	ctx := context.Background()
	first := mustPost(t, l, transfer("rt0", "2021-03-01", grant, bank, "100.00"))
	memo := "tab\there\nnewline\r\\ backslash \\N not null 中文 \"quoted\" 'single'"
	meta := map[string]string{"note": "a\tb\\c\"d\ne", "中文": "值", "empty": ""}
	e1 := transfer("rt1", "2021-03-02", bank, works, "12.34")
	e1.Memo, e1.Metadata = memo, meta
	rev := transfer("rt2", "2021-03-03", bank, grant, "100.00") // refers to rt0: reverses_entry_id goes through COPY too
	rev.Memo, rev.Reverses = "冲销 rt0", first.ID
	rev.Postings[0].Amount, rev.Postings[1].Amount = d("87.66"), d("87.66") // what is left after rt1
	out, err := l.PostBatch(ctx, []ledger.Entry{e1, rev})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []ledger.Entry{e1, rev} {
		got, err := l.Entry(ctx, out[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Memo != want.Memo || got.Reverses != want.Reverses || got.ContentHash != out[i].ContentHash ||
			!got.RecordedAt.Equal(out[i].RecordedAt) || len(got.Postings) != 2 {
			t.Errorf("entry %d came back as %+v, want memo %q, reverses %d, hash %s, recorded %v",
				i, got, want.Memo, want.Reverses, out[i].ContentHash, out[i].RecordedAt)
		}
		if len(got.Metadata) != len(want.Metadata) {
			t.Errorf("entry %d metadata %v, want %v", i, got.Metadata, want.Metadata)
		}
		for k, v := range want.Metadata {
			if got.Metadata[k] != v {
				t.Errorf("entry %d metadata[%q] = %q, want %q", i, k, got.Metadata[k], v)
			}
		}
	}
	wantBalance(t, l, bank, "", "0.00") // 100.00 - 12.34 - 87.66
	if _, err := l.Seal(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := l.Verify(ctx)
	if err != nil || !rep.OK || rep.Entries != 3 {
		t.Errorf("verify after the bulk path: %+v (%v)", rep, err)
	}
	// The same batch again is a replay of both entries.
	again, err := l.PostBatch(ctx, []ledger.Entry{e1, rev})
	if err != nil || !again[0].Replayed || !again[1].Replayed || again[0].ID != out[0].ID || again[1].ID != out[1].ID {
		t.Errorf("replay of the batch: %+v (%v)", again, err)
	}
}
