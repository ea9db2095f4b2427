package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fundledger/report"
)

func TestWriteXLSX(t *testing.T) {
	long := "区市资金 Districts by source and by category with a very long title — as of 2020-12-31"
	tables := []report.Table{
		{
			Title: "试算平衡表 Trial balance — 财务会计 financial book, as of 2020-12-31",
			Columns: []report.Column{
				{Key: "account", Zh: "科目", En: "Account"}, {Key: "name", Zh: "名称", En: "Name"},
				{Key: "debit", Zh: "借方余额", En: "Debit", Numeric: true}, {Key: "credit", Zh: "贷方余额", En: "Credit", Numeric: true},
				{Key: "pct", Zh: "进度", En: "Pct", Numeric: true}, {Key: "n", Zh: "个数", En: "Count", Numeric: true},
			},
			Rows: [][]string{
				{"cash:huancui:WH-HC-2020-001:central", "中央补助专户资金 earmarked cash", "12,345,678.91", "0.00", "33.33%", "7"},
				{"revenue:huancui:WH-HC-2020-001:central", "=HYPERLINK(\"x\")", "", "12345678.91", "", ""},
				{"合计 Total", "", "12,345,678.91", "12345678.91", "100.00%", "7"},
			},
			Notes: []string{"借贷平衡 Debits equal credits."},
		},
		{Title: long, Columns: []report.Column{{Key: "a", Zh: "甲", En: "A"}}, Rows: [][]string{{"x"}}},
		{Title: long, Columns: []report.Column{{Key: "a", Zh: "甲", En: "A"}}, Rows: [][]string{{"y"}}},
		{Title: "a/b:c?[d]*", Columns: []report.Column{{Key: "a", Zh: "甲", En: "A"}}},
	}
	var buf bytes.Buffer
	if err := report.WriteXLSX(&buf, tables, report.LangZh); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 4 {
		t.Fatalf("sheets %q, want 4", sheets)
	}
	seen := map[string]bool{}
	for _, s := range sheets {
		if n := len([]rune(s)); n > 31 {
			t.Errorf("sheet name %q has %d characters", s, n)
		}
		if strings.ContainsAny(s, ":\\/?*[]") {
			t.Errorf("sheet name %q has a forbidden character", s)
		}
		if seen[strings.ToLower(s)] {
			t.Errorf("sheet name %q twice", s)
		}
		seen[strings.ToLower(s)] = true
	}
	if sheets[0] != "试算平衡表 Trial balance" {
		t.Errorf("first sheet %q", sheets[0])
	}
	sh := sheets[0]
	cell := func(ref string) string {
		v, err := f.GetCellValue(sh, ref, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	typ := func(ref string) excelize.CellType {
		ty, err := f.GetCellType(sh, ref)
		if err != nil {
			t.Fatal(err)
		}
		return ty
	}
	if got := cell("A1"); !strings.HasPrefix(got, "试算平衡表") {
		t.Errorf("A1 (title) = %q", got)
	}
	for ref, want := range map[string]string{"A2": "科目", "C2": "借方余额", "A3": "cash:huancui:WH-HC-2020-001:central",
		"B4": "=HYPERLINK(\"x\")", "A5": "合计 Total", "A7": "借贷平衡 Debits equal credits."} {
		if got := cell(ref); got != want {
			t.Errorf("%s = %q, want %q", ref, got, want)
		}
	}
	// Amounts are numbers, exact to the fen, stored as their decimal text.
	for ref, want := range map[string]string{"C3": "12345678.91", "D3": "0.00", "D4": "12345678.91", "C5": "12345678.91", "E3": "0.3333", "F3": "7"} {
		if got := cell(ref); got != want {
			t.Errorf("%s = %q, want %q", ref, got, want)
		}
		if ty := typ(ref); ty != excelize.CellTypeUnset && ty != excelize.CellTypeNumber {
			t.Errorf("%s has type %v, want a number", ref, ty)
		}
	}
	if f, err := f.GetCellFormula(sh, "B4"); err != nil || f != "" {
		t.Errorf("B4 became a formula %q (%v)", f, err)
	}
	if got := cell("C4"); got != "" {
		t.Errorf("empty amount C4 = %q", got)
	}
	// Displayed with thousands separators and two decimals.
	if got, _ := f.GetCellValue(sh, "C3"); got != "12,345,678.91" {
		t.Errorf("C3 shown as %q", got)
	}
	// Number format and bold totals.
	styleOf := func(ref string) *excelize.Style {
		id, err := f.GetCellStyle(sh, ref)
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := styleOf("C3"); s.CustomNumFmt == nil || *s.CustomNumFmt != "#,##0.00" {
		t.Errorf("C3 number format %v", s.CustomNumFmt)
	}
	if s := styleOf("C3"); s.Font != nil && s.Font.Bold {
		t.Errorf("C3 bold")
	}
	for _, ref := range []string{"A5", "C5", "D5"} {
		if s := styleOf(ref); s.Font == nil || !s.Font.Bold {
			t.Errorf("totals cell %s not bold", ref)
		}
	}
	// Header frozen.
	p, err := f.GetPanes(sh)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Freeze || p.YSplit != 2 || p.TopLeftCell != "A3" {
		t.Errorf("panes %+v: want the title and header rows frozen", p)
	}
	// Widths fit Chinese text: the name column is at least its display width.
	wd, err := f.GetColWidth(sh, "B")
	if err != nil {
		t.Fatal(err)
	}
	if wd < float64(len("中央补助专户资金 earmarked cash")-8*3+8*2) {
		t.Errorf("column B width %v too narrow", wd)
	}
}
