package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"fundledger/funding"
	"fundledger/internal/demo"
	"fundledger/internal/pgtest"
	"fundledger/ledger"
	"fundledger/report"
)

var update = flag.Bool("update", false, "rewrite report/testdata/golden/*.csv from the demo data")

// TestDemoStatements runs the demo programme once and checks every
// statement against its golden CSV, the XLSX of all of them, and the
// hledger export against the trial balances.
func TestDemoStatements(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo programme takes a while")
	}
	ctx := context.Background()
	l := ledger.New(pgtest.DB(t))
	p := funding.New(l)
	if _, err := demo.Run(ctx, p, nil); err != nil {
		t.Fatal(err)
	}
	for _, st := range report.Statements {
		t.Run("golden/"+st.Name, func(t *testing.T) {
			o := report.Options{}
			if st.Name == "trial-balances" {
				// The whole programme's trial balances (11,000 accounts) are
				// cross-checked by hledger below; the golden file keeps the
				// smallest district's.
				o.District = "高区"
			}
			ts, err := st.Build(ctx, p, o)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := report.RenderAll(&buf, ts, report.FormatCSV, ""); err != nil {
				t.Fatal(err)
			}
			golden(t, st.Name+".csv", buf.Bytes())
		})
	}
	t.Run("golden/district", func(t *testing.T) {
		var buf bytes.Buffer
		var all []report.Table
		for _, name := range []string{"balance-sheet", "budget-vs-actual", "sources", "earmark"} {
			st, _ := report.LookupStatement(name)
			ts, err := st.Build(ctx, p, report.Options{District: "环翠区", AsOf: ledger.Date(2020, 12, 31), Lang: report.LangEn})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, ts...)
		}
		// One CSV is one table: every statement's tables as sections.
		if err := report.RenderAll(&buf, all, report.FormatCSV, report.LangEn); err != nil {
			t.Fatal(err)
		}
		golden(t, "huancui-2020.csv", buf.Bytes())
	})
	t.Run("earmark-none", func(t *testing.T) {
		r, err := p.EarmarkCompliance(ctx, "", ledger.Date(2099, 1, 1))
		if err != nil {
			t.Fatal(err)
		}
		if r.Checked == 0 || len(r.Exceptions) != 0 {
			t.Errorf("checked %d disbursements, %d exceptions (%+v); want some, none", r.Checked, len(r.Exceptions), r.Exceptions)
		}
	})
	t.Run("xlsx", func(t *testing.T) {
		var all []report.Table
		for _, st := range report.Statements {
			ts, err := st.Build(ctx, p, report.Options{})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, ts...)
		}
		var buf bytes.Buffer
		if err := report.WriteXLSX(&buf, all, report.LangZh); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got := len(f.GetSheetList()); got != len(all) {
			t.Fatalf("%d sheets for %d tables", got, len(all))
		}
		// The balance sheet's total assets cell holds the exact amount.
		bs, _ := report.LookupStatement("balance-sheet")
		ts, _ := bs.Build(ctx, p, report.Options{})
		for i, row := range ts[0].Rows {
			if strings.HasPrefix(row[0], "资产合计") {
				sheet := f.GetSheetList()[2]
				v, err := f.GetCellValue(sheet, "D"+itoa(i+3), excelize.Options{RawCellValue: true})
				if err != nil || v != row[3] {
					t.Errorf("sheet %s D%d = %q (%v), want %s", sheet, i+3, v, err, row[3])
				}
			}
		}
	})
	t.Run("hledger", func(t *testing.T) {
		hledgerCrossCheck(t, ctx, l)
	})
}

func itoa(i int) string { return decimal.NewFromInt(int64(i)).String() }

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report/ -run TestDemoStatements -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs from the golden file at line %d:\n got: %s\nwant: %s\n(run with -update only if the change is intended)", path, i+1, g, w)
			}
		}
	}
}

// hledgerCrossCheck exports the journal, has hledger compute every
// account's balance, and compares it with the trial balances of both books.
func hledgerCrossCheck(t *testing.T, ctx context.Context, l *ledger.Ledger) {
	bin, err := exec.LookPath("hledger")
	if err != nil {
		t.Skip("hledger is not installed (apt-get install hledger): the export is not cross-checked")
	}
	path := filepath.Join(t.TempDir(), "export.journal")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := report.WriteHledger(ctx, f, l, ledger.Date(2099, 12, 31))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no entries exported")
	}
	out, err := exec.CommandContext(ctx, bin, "-f", path, "balance", "--flat", "--no-total", "-E", "-O", "csv").Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("hledger: %v\n%s", err, stderr)
	}
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("hledger output: %v\n%s", err, out)
	}
	got := map[string]decimal.Decimal{}
	for i, r := range recs {
		if i == 0 && r[0] == "account" {
			continue
		}
		if len(r) != 2 {
			t.Fatalf("hledger row %q", r)
		}
		amt := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r[1]), report.HledgerCommodity))
		if amt == "0" || amt == "" {
			got[r[0]] = decimal.Zero
			continue
		}
		d, err := decimal.NewFromString(amt)
		if err != nil {
			t.Fatalf("hledger amount %q of %s: %v", r[1], r[0], err)
		}
		got[r[0]] = d
	}
	checked := 0
	for _, b := range []ledger.Book{ledger.BookFinancial, ledger.BookBudget} {
		tb, err := l.TrialBalance(ctx, b, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range tb.Lines {
			name := report.HledgerAccount(line.Account.Code)
			want := line.Debit.Sub(line.Credit)
			h, ok := got[name]
			if !ok && !want.IsZero() {
				t.Errorf("%s: hledger has no balance, trial balance %s", line.Account.Code, want.StringFixed(2))
				continue
			}
			if !h.Equal(want) {
				t.Errorf("%s: hledger %s, trial balance %s", line.Account.Code, h.StringFixed(2), want.StringFixed(2))
			}
			delete(got, name)
			checked++
		}
	}
	for name, v := range got {
		if !v.IsZero() {
			t.Errorf("hledger has %s = %s, not in the trial balances", name, v)
		}
	}
	if checked == 0 {
		t.Fatal("no accounts compared")
	}
	t.Logf("hledger agrees with the trial balances on %d accounts (%d entries)", checked, n)
}
