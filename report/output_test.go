package report

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"regexp"
	"strings"
	"testing"
)

func outputTables() []Table {
	return []Table{
		{Title: "试算平衡表 Trial balance — financial", Columns: []Column{{Key: "account", Zh: "科目", En: "Account"}, {Key: "debit", Zh: "借方", En: "Debit", Numeric: true}},
			Rows: [][]string{{"cash", "100.00"}, {"合计 Total", "100.00"}}, Notes: []string{"balanced"}},
		{Title: "试算平衡表 Trial balance — budget", Columns: []Column{{Key: "account", Zh: "科目", En: "Account"}, {Key: "credit", Zh: "贷方", En: "Credit", Numeric: true}},
			Rows: [][]string{{"budget:committed", "-5.00"}, {"=cmd", "7"}, {"合计 Total", "5.00"}}},
	}
}

// TestCSVIsOneTable: a report of several tables concatenated them, each
// with its own BOM, so a program met U+FEFF and a second header in the
// middle of the file. Now one CSV is one table: a BOM at byte 0 only, one
// header with a section column, every row the same width.
func TestCSVIsOneTable(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderAll(&buf, outputTables(), FormatCSV, ""); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) || bytes.Count(data, []byte("\xEF\xBB\xBF")) != 1 {
		t.Fatalf("BOMs: %d, at byte 0: %v", bytes.Count(data, []byte("\xEF\xBB\xBF")), bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")))
	}
	recs, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"表 Table", "科目 Account", "借方 Debit", "贷方 Credit"},
		{"试算平衡表 Trial balance — financial", "cash", "100.00", ""},
		{"试算平衡表 Trial balance — financial", "合计 Total", "100.00", ""},
		{"试算平衡表 Trial balance — budget", "budget:committed", "", "-5.00"},
		{"试算平衡表 Trial balance — budget", "'=cmd", "", "7"},
		{"试算平衡表 Trial balance — budget", "合计 Total", "", "5.00"},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d: %q", len(recs), len(want), recs)
	}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("record %d = %q, want %q", i, recs[i], want[i])
		}
	}
	// A single table is unchanged: no section column.
	buf.Reset()
	if err := RenderAll(&buf, outputTables()[:1], FormatCSV, LangEn); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "\ufeffAccount,Debit\ncash,100.00\n合计 Total,100.00\n" {
		t.Errorf("one table: %q", got)
	}
}

// TestProvenance: the title, as-of day and ledger head hash are shown
// where a person reads: above the text tables, as '#' lines of a CSV with
// CSVHeader (documented), in each XLSX title row.
func TestProvenance(t *testing.T) {
	const hash = "3f1c0e6b9d2a47f58a1e0c2d4b6f8a9e0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f"
	o := RenderOptions{Provenance: Provenance{AsOf: "2020-12-31", HeadHash: hash}, CSVHeader: true}
	var buf bytes.Buffer
	if err := RenderAllWith(&buf, outputTables(), FormatTable, "", o); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "截至 As of: 2020-12-31\n账本链头哈希 Ledger head hash: "+hash+"\n\n试算平衡表") {
		t.Errorf("table output starts %q", buf.String()[:120])
	}
	buf.Reset()
	if err := RenderAllWith(&buf, outputTables(), FormatCSV, LangEn, o); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	if lines[0] != "\ufeff# 试算平衡表 Trial balance — financial / 试算平衡表 Trial balance — budget" || lines[1] != "# 截至 As of: 2020-12-31" ||
		lines[2] != "# 账本链头哈希 Ledger head hash: "+hash || lines[3] != "Table,Account,Debit,Credit" {
		t.Errorf("CSV header lines %q", lines[:4])
	}
	buf.Reset()
	if err := RenderAllWith(&buf, outputTables(), FormatXLSX, "", o); err != nil {
		t.Fatal(err)
	}
	sheet := sheetXML(t, buf.Bytes(), "xl/sharedStrings.xml")
	if !strings.Contains(sheet, "试算平衡表 Trial balance — budget（截至 As of: 2020-12-31；账本链头哈希 Ledger head hash: "+hash+"）") {
		t.Errorf("no provenance in the title rows: %s", sheet)
	}
}

// TestXLSXDimension: every sheet declared <dimension ref="A1"/> whatever
// its size; now the used range, from the title row to the last note.
func TestXLSXDimension(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, outputTables(), ""); err != nil {
		t.Fatal(err)
	}
	dim := regexp.MustCompile(`<dimension ref="([^"]+)"`)
	// Sheet 1: title row 1, header 2, 2 rows (3–4), a blank row, 1 note at 6; 2 columns.
	// Sheet 2: title, header, 3 rows (3–5), no notes; 2 columns.
	for i, want := range []string{"A1:B6", "A1:B5"} {
		x := sheetXML(t, buf.Bytes(), "xl/worksheets/sheet"+string(rune('1'+i))+".xml")
		m := dim.FindStringSubmatch(x)
		if m == nil || m[1] != want {
			t.Errorf("sheet %d: dimension %v, want %s", i+1, m, want)
		}
	}
}

func sheetXML(t *testing.T, xlsx []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("%s not in the workbook", name)
	return ""
}
