package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestAmount(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"0", "0.00"}, {"1.5", "1.50"}, {"999.99", "999.99"}, {"1000", "1,000.00"},
		{"1234567.891", "1,234,567.89"}, {"-1234.5", "-1,234.50"}, {"100000000", "100,000,000.00"},
	} {
		if got := Amount(decimal.RequireFromString(c.in)); got != c.want {
			t.Errorf("Amount(%s) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCSVIsExcelSafe(t *testing.T) {
	tbl := Table{
		Columns: []Column{{Key: "memo", Zh: "摘要", En: "Memo"}, {Key: "amount", Zh: "金额", En: "Amount", Numeric: true}},
		Rows: [][]string{
			{"=HYPERLINK(\"http://x\")", "-12.50"},
			{"+cmd|' /C calc'!A0", "+3"},
			{"@SUM(A1)", "1.00"},
			{"-x", "0.00"},
			{"区级资金 ordinary", "10.00"},
		},
	}
	var buf bytes.Buffer
	if err := Render(&buf, tbl, FormatCSV, LangZh); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\ufeff")) {
		t.Fatal("CSV does not start with a UTF-8 BOM")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"摘要", "金额"},
		{"'=HYPERLINK(\"http://x\")", "-12.50"},
		{"'+cmd|' /C calc'!A0", "+3"},
		{"'@SUM(A1)", "1.00"},
		{"'-x", "0.00"},
		{"区级资金 ordinary", "10.00"},
	}
	for i := range want {
		for j := range want[i] {
			if rows[i][j] != want[i][j] {
				t.Errorf("row %d col %d = %q, want %q", i, j, rows[i][j], want[i][j])
			}
		}
	}
}

func TestTextTableAlignsChinese(t *testing.T) {
	tbl := Table{Columns: []Column{{Key: "d", En: "District"}, {Key: "n", En: "N", Numeric: true}},
		Rows: [][]string{{"环翠区", "1"}, {"Gaoqu", "22"}}}
	var buf bytes.Buffer
	if err := Render(&buf, tbl, FormatTable, LangEn); err != nil {
		t.Fatal(err)
	}
	// 环翠区 is three wide characters = 6 columns; "District" is 8.
	want := "District   N\n--------  --\n环翠区     1\nGaoqu     22\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}
