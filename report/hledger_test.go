package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/internal/pgtest"
	"fundledger/ledger"
	"fundledger/report"
)

// TestVoucherNumbersInJournalAndExport: the journal, the register and the
// hledger export show each entry's voucher number; hledger reads it back as
// the transaction's code.
func TestVoucherNumbersInJournalAndExport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := ledger.New(pgtest.DB(t))
	for _, a := range []ledger.Account{
		{Code: "cash:bank", Type: ledger.Asset, NoOverdraft: true}, {Code: "revenue:grant", Type: ledger.Revenue},
		{Code: "budget:receivable", Type: ledger.BudgetAsset}, {Code: "budget:committed", Type: ledger.BudgetRevenue},
	} {
		if _, err := l.CreateAccount(ctx, a, "test"); err != nil {
			t.Fatal(err)
		}
	}
	entry := func(key, date string, book ledger.Book, dr, cr string) ledger.Entry {
		dt, err := ledger.ParseDate(date)
		if err != nil {
			t.Fatal(err)
		}
		amt := decimal.RequireFromString("1.50")
		return ledger.Entry{Book: book, EffectiveDate: dt, Actor: "tester", IdempotencyKey: key, Memo: "memo " + key,
			Postings: []ledger.Posting{{AccountCode: dr, Side: ledger.Debit, Amount: amt}, {AccountCode: cr, Side: ledger.Credit, Amount: amt}}}
	}
	// Keys in the order posted; the voucher each must get, by hand.
	posts := []struct {
		e    ledger.Entry
		want string
	}{
		{entry("r1", "2021-03-20", ledger.BookFinancial, "cash:bank", "revenue:grant"), "2021-03 财-0001"},
		{entry("c1", "2021-03-01", ledger.BookBudget, "budget:receivable", "budget:committed"), "2021-03 预-0001"},
		{entry("r2", "2021-03-05", ledger.BookFinancial, "cash:bank", "revenue:grant"), "2021-03 财-0002"},
		{entry("r3", "2021-04-01", ledger.BookFinancial, "cash:bank", "revenue:grant"), "2021-04 财-0001"},
	}
	want := map[string]string{}
	for _, p := range posts {
		if _, err := l.Post(ctx, p.e); err != nil {
			t.Fatal(err)
		}
		want[p.e.IdempotencyKey] = p.want
	}

	es, err := l.Entries(ctx, ledger.EntryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	j := report.Journal(es, report.Plain, false)
	if j.Columns[0].Key != "voucher" {
		t.Fatalf("journal columns %v", j.Columns)
	}
	keyCol := len(j.Columns) - 1
	for _, r := range j.Rows {
		if r[0] != want[r[keyCol]] {
			t.Errorf("journal row of %s: voucher %q, want %q", r[keyCol], r[0], want[r[keyCol]])
		}
	}
	lines, err := l.Register(ctx, "cash:bank", ledger.RegisterFilter{})
	if err != nil {
		t.Fatal(err)
	}
	reg := report.Register("cash:bank", lines, report.Plain)
	var regVouchers []string
	for _, r := range reg.Rows {
		regVouchers = append(regVouchers, r[1])
	}
	// Date order: r2 (03-05), r1 (03-20), r3 (04-01).
	if got := strings.Join(regVouchers, ","); got != "2021-03 财-0002,2021-03 财-0001,2021-04 财-0001" {
		t.Errorf("register vouchers %s", got)
	}

	var buf bytes.Buffer
	if _, err := report.WriteHledger(ctx, &buf, l, time.Time{}); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"2021-03-20 (2021-03 财-0001) memo r1", "2021-03-01 (2021-03 预-0001) memo c1",
		"2021-03-05 (2021-03 财-0002) memo r2", "2021-04-01 (2021-04 财-0001) memo r3"} {
		if !strings.Contains(buf.String(), line+"\n") {
			t.Errorf("export lacks %q:\n%s", line, buf.String())
		}
	}
	bin, err := exec.LookPath("hledger")
	if err != nil {
		t.Skip("hledger is not installed: its reading of the codes is not checked")
	}
	path := filepath.Join(t.TempDir(), "export.journal")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, bin, "-f", path, "print", "-O", "csv").Output()
	if err != nil {
		t.Fatalf("hledger print: %v", err)
	}
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("hledger csv: %v\n%s", err, out)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	got := map[string]string{}
	for _, r := range rows[1:] {
		got[strings.TrimPrefix(r[col["description"]], "memo ")] = r[col["code"]]
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("hledger reads the code of %s as %q, want %q", k, got[k], v)
		}
	}
}
