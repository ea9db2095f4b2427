package funding

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// weihaiPlanCSV is a verbatim copy of the annex plan table (shared/data;
// TestPlanCopyIsVerbatim checks it),
// relative to this package directory (/work/main/funding).
const weihaiPlanCSV = "../internal/demo/data/weihai-plan-2020-2025.csv"

// weihaiPlanGBK is the same table in GBK, produced with
// `iconv -f UTF-8 -t GBK` from weihaiPlanCSV (TestReadPlanGBK checks it
// still equals the GBK encoding of weihaiPlanCSV).
const weihaiPlanGBK = "testdata/plan/weihai-gbk.csv"

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// The expected numbers below were computed outside Go, with awk on the CSV:
//
//	awk -F, 'NR>1 && $1!="总计"{n++; c+=$3; h+=$4; a+=$5}
//	         END{printf "%d rows c=%d h=%d a=%.2f\n",n,c,h,a}'
//	→ 36 rows c=548 h=263233 a=30779890.99   (as DOMAIN.md says)
//
// and the area again in integer fen (split on ".", pad to 2 decimals) to rule
// out float rounding. Per year (same awk, grouped by $2) the district sums
// are equal, column by column and to the fen, to the 总计 rows 38..43:
//
//	2020  95 51751  4718884
//	2021 120 60590 11785861.24
//	2022 136 51727  5051971.68
//	2023  87 44621  4227192.62
//	2024  71 35132  3142970.13
//	2025  39 19412  1853011.32
//
// So the 总计 rows raise no warning: in particular the 2021 total already
// contains 文登区's inflated 6923321 m² (11785861.24 - 6923321 + 692332.1 would
// be the corrected total), so the total check cannot catch that error; only
// the per-household ratio does.
//
// Floor area per household (awk '$4>0 {print $5/$4}' over the 33 district
// rows with households > 0; 经区 2023–2025 are all zero and excluded), sorted:
// the 17th of 33 is 环翠区 2020, 1262412/13371 = 94.414180 m²/household.
// Bounds 3× = 283.24 and 1/3 = 31.47. Next highest after 文登区 2021 is
// 荣成市 2024 at 136.68, lowest 乳山市 2021 at 78.79: only 文登区 2021 is out,
// 6923321/7052 = 981.752836 = 10.398× the median (→ "10.4×"), nearest power
// of ten 10¹, so the hint divides by 10: 692332.1 m², 98.175 m²/household.
//
// Households per community (awk '$3>0 {print $4/$3}', 33 rows): median
// (17th) is 高区 2021, 11092/28 = 396.142857; bounds 1188.43 and 132.05.
// Above: 荣成市 2023, 9541/6 = 1590.166667 (4.014× → "4.0×"); 荣成市 2020
// at 5636/5 = 1127.2 stays below. Below: 荣成市 2025, 218/4 = 54.5
// (396.142857/54.5 = 7.2687 → "1/7.3"); the next lowest, 文登区 2024 at
// 276.33, stays above.
//
// No row has a zero in some columns but not the others (awk: only 经区
// 2023–2025 have zeros, and they are zero in all three columns).
var weihaiWarnings = []PlanWarning{
	{File: weihaiPlanCSV, Row: 9, Field: "建筑面积/户数",
		Message: "文登区 2021: 6923321 m² for 7052 households = 981.8 m²/household; median of district rows 94.4 m²/household (10.4× the median); a digit too many in 建筑面积? (692332.1 m² would give 98.2 m²/household)"},
	{File: weihaiPlanCSV, Row: 17, Field: "户数/小区个数",
		Message: "荣成市 2023: 9541 households in 6 communities = 1590.2 households/community; median of district rows 396.1 households/community (4.0× the median); unusually large communities: check 户数 and 小区个数"},
	{File: weihaiPlanCSV, Row: 19, Field: "户数/小区个数",
		Message: "荣成市 2025: 218 households in 4 communities = 54.5 households/community; median of district rows 396.1 households/community (1/7.3 of the median); unusually small communities: check 户数 and 小区个数"},
}

// weihaiContentSHA256 is PlanContentSHA256 of the Weihai table.
const weihaiContentSHA256 = "44fcfedc25457c7cb355893d04c06f0c34c1aeed9cfc9f22e476d0bc5626a60b"

func TestReadPlanFileWeihai(t *testing.T) {
	tab, err := ReadPlanFile(weihaiPlanCSV)
	if err != nil {
		t.Fatal(err)
	}
	if tab.File != weihaiPlanCSV {
		t.Errorf("File = %q", tab.File)
	}
	// The identity is the parsed content (PlanContentSHA256), not the
	// bytes (sha256sum gives ef8af9e9…): the GBK copy has the same one.
	if want := weihaiContentSHA256; tab.SHA256 != want {
		t.Errorf("SHA256 = %s, want %s", tab.SHA256, want)
	}
	// 43 lines = header + 6 districts × 6 years + 6 总计 rows.
	if len(tab.Rows) != 36 || len(tab.Totals) != 6 {
		t.Fatalf("got %d rows, %d totals; want 36, 6", len(tab.Rows), len(tab.Totals))
	}
	// First and last district rows, checked against the file by eye.
	if got, want := tab.Rows[0], (PlanRow{Row: 2, District: "环翠区", Year: 2020, Communities: 17, Households: 13371, FloorAreaM2: dec("1262412")}); !planRowEqual(got, want) {
		t.Errorf("Rows[0] = %+v, want %+v", got, want)
	}
	if got, want := tab.Rows[35], (PlanRow{Row: 37, District: "经区", Year: 2025}); !planRowEqual(got, want) {
		t.Errorf("Rows[35] = %+v, want %+v", got, want)
	}
	s := tab.Sum()
	if s.Rows != 36 || s.Communities != 548 || s.Households != 263233 || !s.FloorAreaM2.Equal(dec("30779890.99")) {
		t.Errorf("Sum() = %+v, want 36 rows, 548, 263233, 30779890.99", s)
	}
	wantYear := map[int]PlanSum{
		2020: {6, 95, 51751, dec("4718884")},
		2021: {6, 120, 60590, dec("11785861.24")},
		2022: {6, 136, 51727, dec("5051971.68")},
		2023: {6, 87, 44621, dec("4227192.62")},
		2024: {6, 71, 35132, dec("3142970.13")},
		2025: {6, 39, 19412, dec("1853011.32")},
	}
	byYear := tab.SumByYear()
	if len(byYear) != len(wantYear) {
		t.Errorf("SumByYear has %d years", len(byYear))
	}
	for y, w := range wantYear {
		for name, got := range map[string]PlanSum{"SumByYear": byYear[y], "SumYear": tab.SumYear(y)} {
			if got.Rows != w.Rows || got.Communities != w.Communities || got.Households != w.Households || !got.FloorAreaM2.Equal(w.FloorAreaM2) {
				t.Errorf("%s %d = %+v, want %+v", name, y, got, w)
			}
		}
		tot, ok := tab.Total(y)
		if !ok || tot.Row != 38+y-2020 || tot.District != "总计" || tot.Communities != w.Communities || tot.Households != w.Households || !tot.FloorAreaM2.Equal(w.FloorAreaM2) {
			t.Errorf("Total(%d) = %+v, %v", y, tot, ok)
		}
	}
	if !reflect.DeepEqual(tab.Warnings, weihaiWarnings) {
		t.Errorf("warnings:\n%s\nwant:\n%s", fmtWarnings(tab.Warnings), fmtWarnings(weihaiWarnings))
	}
}

func planRowEqual(a, b PlanRow) bool {
	return a.Row == b.Row && a.District == b.District && a.Year == b.Year &&
		a.Communities == b.Communities && a.Households == b.Households && a.FloorAreaM2.Equal(b.FloorAreaM2)
}

func fmtWarnings(ws []PlanWarning) string {
	var b strings.Builder
	for _, w := range ws {
		fmt.Fprintf(&b, "\t%#v\n", w)
	}
	return b.String()
}

// assertSameTable checks that got holds the same rows, totals and warnings
// as want (File and SHA256 differ by construction).
func assertSameTable(t *testing.T, got, want *PlanTable) {
	t.Helper()
	rowsEqual := func(a, b []PlanRow) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if !planRowEqual(a[i], b[i]) {
				return false
			}
		}
		return true
	}
	if !rowsEqual(got.Rows, want.Rows) {
		t.Errorf("rows differ:\n got %+v\nwant %+v", got.Rows, want.Rows)
	}
	if !rowsEqual(got.Totals, want.Totals) {
		t.Errorf("totals differ:\n got %+v\nwant %+v", got.Totals, want.Totals)
	}
	if len(got.Warnings) != len(want.Warnings) {
		t.Fatalf("warnings:\n%s\nwant:\n%s", fmtWarnings(got.Warnings), fmtWarnings(want.Warnings))
	}
	for i := range got.Warnings {
		g, w := got.Warnings[i], want.Warnings[i]
		if g.File != got.File {
			t.Errorf("warning %d names file %q, want %q", i, g.File, got.File)
		}
		g.File, w.File = "", ""
		if g != w {
			t.Errorf("warning %d = %#v, want %#v", i, g, w)
		}
	}
}

func mustReadWeihai(t *testing.T) *PlanTable {
	t.Helper()
	tab, err := ReadPlanFile(weihaiPlanCSV)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestReadPlanGBK(t *testing.T) {
	want := mustReadWeihai(t)
	utf, err := os.ReadFile(weihaiPlanCSV)
	if err != nil {
		t.Fatal(err)
	}
	gbk, err := os.ReadFile(weihaiPlanGBK)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := simplifiedchinese.GBK.NewEncoder().Bytes(utf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, gbk) {
		t.Fatalf("%s is not the GBK encoding of %s; regenerate it with iconv -f UTF-8 -t GBK", weihaiPlanGBK, weihaiPlanCSV)
	}
	if utf8.Valid(gbk) {
		t.Fatalf("%s is valid UTF-8: it does not exercise GBK detection", weihaiPlanGBK)
	}
	got, err := ReadPlanFile(weihaiPlanGBK)
	if err != nil {
		t.Fatal(err)
	}
	if got.File != weihaiPlanGBK {
		t.Errorf("File = %q", got.File)
	}
	// Same content as the UTF-8 file, so the same identity (sha256sum of
	// the bytes is af2486b1…).
	if want := weihaiContentSHA256; got.SHA256 != want {
		t.Errorf("SHA256 = %s, want %s", got.SHA256, want)
	}
	assertSameTable(t, got, want)
}

func TestReadPlanUTF8BOMAndCRLF(t *testing.T) {
	want := mustReadWeihai(t)
	utf, err := os.ReadFile(weihaiPlanCSV)
	if err != nil {
		t.Fatal(err)
	}
	variants := map[string][]byte{
		"bom.csv":      append([]byte("\xEF\xBB\xBF"), utf...),
		"crlf.csv":     bytes.ReplaceAll(utf, []byte("\n"), []byte("\r\n")),
		"spaces.txt":   bytes.ReplaceAll(utf, []byte(","), []byte(" , ")),
		"gbk-crlf.csv": must(simplifiedchinese.GBK.NewEncoder().Bytes(bytes.ReplaceAll(utf, []byte("\n"), []byte("\r\n")))),
	}
	for name, data := range variants {
		t.Run(name, func(t *testing.T) {
			got, err := ReadPlan(name, bytes.NewReader(data), "")
			if err != nil {
				t.Fatal(err)
			}
			assertSameTable(t, got, want)
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// writePlanXLSX writes the CSV records to the first sheet of a new workbook:
// text stays text, integers become numeric cells, decimals numeric cells
// with the given float format precision (-1 = shortest; 17 mimics the
// long representation Excel itself stores, e.g. 852952.93000000005).
func writePlanXLSX(t *testing.T, path string, records [][]string, prec int) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, rec := range records {
		for j, v := range rec {
			cell, err := excelize.CoordinatesToCellName(j+1, i+1)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := strconv.Atoi(v); err == nil && i > 0 {
				err = f.SetCellInt(sheet, cell, int64(n))
			} else if x, err := strconv.ParseFloat(v, 64); err == nil && i > 0 {
				err = f.SetCellFloat(sheet, cell, x, prec, 64)
			} else {
				err = f.SetCellStr(sheet, cell, v)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	// A second sheet that must be ignored.
	if _, err := f.NewSheet("notes"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStr("notes", "A1", "not the plan"); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func readCSVRecords(t *testing.T, path string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestReadPlanXLSX(t *testing.T) {
	want := mustReadWeihai(t)
	recs := readCSVRecords(t, weihaiPlanCSV)
	dir := t.TempDir()
	for _, prec := range []int{-1, 17} {
		t.Run(fmt.Sprintf("prec%d", prec), func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("weihai-%d.xlsx", prec))
			writePlanXLSX(t, path, recs, prec)
			// Row 3 (环翠区 2021) has area 744439.96; with prec 17 the cell
			// holds a long float representation that ReadPlan must undo.
			raw := xlsxRawCell(t, path, "E3")
			if (prec == 17) == (raw == "744439.96") {
				t.Fatalf("prec %d: raw E3 = %q", prec, raw)
			}
			got, err := ReadPlanFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got.File != path || len(got.SHA256) != 64 {
				t.Errorf("File = %q, SHA256 = %q", got.File, got.SHA256)
			}
			assertSameTable(t, got, want)

			// Same bytes through ReadPlan, with the format declared and a
			// name that says nothing.
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got2, err := ReadPlan("upload", bytes.NewReader(data), "xlsx")
			if err != nil {
				t.Fatal(err)
			}
			assertSameTable(t, got2, want)
		})
	}
}

func xlsxRawCell(t *testing.T, path, cell string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, err := f.GetCellValue(f.GetSheetName(0), cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestReadPlanXLSXErrors(t *testing.T) {
	recs := readCSVRecords(t, weihaiPlanCSV)
	recs[4] = append([]string(nil), recs[4]...)
	recs[4][3] = "8588户" // row 5: 环翠区 2023
	recs[9] = append([]string(nil), recs[9]...)
	recs[9][4] = "6923.321" // row 10 (文登区 2022), prec -1 keeps 3 decimals
	path := filepath.Join(t.TempDir(), "bad.xlsx")
	writePlanXLSX(t, path, recs, -1)
	tab, err := ReadPlanFile(path)
	want := PlanErrors{
		{File: path, Row: 5, Column: 4, Field: "户数", Reason: `not a non-negative integer: "8588户"`},
		{File: path, Row: 10, Column: 5, Field: "建筑面积", Reason: "more than 2 decimals: 6923.321"},
	}
	assertPlanErrors(t, tab, err, want)
}

func assertPlanErrors(t *testing.T, tab *PlanTable, err error, want PlanErrors) {
	t.Helper()
	if tab != nil {
		t.Errorf("table returned despite errors: %+v", tab)
	}
	var got PlanErrors
	if !errors.As(err, &got) {
		t.Fatalf("error %v (%T) is not PlanErrors", err, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", fmtErrors(got), fmtErrors(want))
	}
}

func fmtErrors(es PlanErrors) string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "\t%#v\n", e)
	}
	return b.String()
}

const planHeader = "区市,年度,小区个数,户数,建筑面积\n"

func TestReadPlanBadFiles(t *testing.T) {
	const f = "bad.csv"
	tests := []struct {
		name    string
		data    string
		format  string
		want    PlanErrors
		wantMsg string // Error() of the whole list, when given
	}{
		{
			name: "wrong header",
			data: "区市,年份,小区个数,户数,建筑面积\n环翠区,2020,17,13371,1262412\n",
			want: PlanErrors{{File: f, Row: 1, Column: 2, Field: "年度",
				Reason: `header is "年份", want "年度" (header must be 区市,年度,小区个数,户数,建筑面积)`}},
			wantMsg: `bad.csv: row 1, column 2 (年度): header is "年份", want "年度" (header must be 区市,年度,小区个数,户数,建筑面积)`,
		},
		{
			name: "missing header column",
			data: "区市,年度,小区个数,建筑面积\n",
			want: PlanErrors{
				{File: f, Row: 1, Column: 4, Field: "户数", Reason: `header is "建筑面积", want "户数" (header must be 区市,年度,小区个数,户数,建筑面积)`},
				{File: f, Row: 1, Column: 5, Field: "建筑面积", Reason: `header column "建筑面积" is missing (header must be 区市,年度,小区个数,户数,建筑面积)`},
			},
		},
		{
			name: "extra header column",
			data: "区市,年度,小区个数,户数,建筑面积,备注\n",
			want: PlanErrors{{File: f, Row: 1, Column: 6, Field: "备注", Reason: `unexpected header column "备注" (header must be 区市,年度,小区个数,户数,建筑面积)`}},
		},
		{
			name: "empty file",
			data: "",
			want: PlanErrors{{File: f, Row: 1, Reason: "empty file: no header 区市,年度,小区个数,户数,建筑面积"}},
		},
		{
			name: "header only",
			data: planHeader,
			want: PlanErrors{{File: f, Reason: "no district rows"}},
		},
		{
			name:    "non-numeric households at row 3",
			data:    planHeader + "环翠区,2020,17,13371,1262412\n环翠区,2021,13,九二五九,744439.96\n",
			want:    PlanErrors{{File: f, Row: 3, Column: 4, Field: "户数", Reason: `not a non-negative integer: "九二五九"`}},
			wantMsg: `bad.csv: row 3, column 4 (户数): not a non-negative integer: "九二五九"`,
		},
		{
			name: "negative area",
			data: planHeader + "环翠区,2020,17,13371,-1262412\n",
			want: PlanErrors{{File: f, Row: 2, Column: 5, Field: "建筑面积", Reason: "negative: -1262412"}},
		},
		{
			name:    "three-decimal area",
			data:    planHeader + "环翠区,2020,17,13371,1262412\n环翠区,2021,13,9259,744439.961\n",
			want:    PlanErrors{{File: f, Row: 3, Column: 5, Field: "建筑面积", Reason: "more than 2 decimals: 744439.961"}},
			wantMsg: "bad.csv: row 3, column 5 (建筑面积): more than 2 decimals: 744439.961",
		},
		{
			name:    "duplicate row",
			data:    planHeader + "环翠区,2020,17,13371,1262412\n文登区,2020,35,12595,1210759\n环翠区,2020,17,13371,1262412\n",
			want:    PlanErrors{{File: f, Row: 4, Field: "区市,年度", Reason: "duplicate row for 环翠区 2020 (first at row 2)"}},
			wantMsg: "bad.csv: row 4, 区市,年度: duplicate row for 环翠区 2020 (first at row 2)",
		},
		{
			name: "duplicate total row",
			data: planHeader + "环翠区,2020,17,13371,1262412\n总计,2020,17,13371,1262412\n总计,2020,17,13371,1262412\n",
			want: PlanErrors{{File: f, Row: 4, Field: "区市,年度", Reason: "duplicate row for 总计 2020 (first at row 3)"}},
		},
		{
			name: "year out of range",
			data: planHeader + "环翠区,2019,17,13371,1262412\n环翠区,2026,17,13371,1262412\n环翠区,二〇二〇,17,13371,1262412\n",
			want: PlanErrors{
				{File: f, Row: 2, Column: 2, Field: "年度", Reason: "year 2019 outside 2020..2025"},
				{File: f, Row: 3, Column: 2, Field: "年度", Reason: "year 2026 outside 2020..2025"},
				{File: f, Row: 4, Column: 2, Field: "年度", Reason: `not a non-negative integer: "二〇二〇"`},
			},
			wantMsg: "3 errors:\n" +
				"\tbad.csv: row 2, column 2 (年度): year 2019 outside 2020..2025\n" +
				"\tbad.csv: row 3, column 2 (年度): year 2026 outside 2020..2025\n" +
				"\tbad.csv: row 4, column 2 (年度): not a non-negative integer: \"二〇二〇\"",
		},
		{
			name: "all errors of all rows collected",
			data: planHeader +
				",2020,1.5,-3,1e3\n" + // row 2: four bad fields
				"环翠区,2020,17,13371\n" + // row 3: field count
				"环翠区,2021,13,9259,744439.96\n" + // row 4: fine
				"环翠区,2022,,9638,abc\n", // row 5
			want: PlanErrors{
				{File: f, Row: 2, Column: 1, Field: "区市", Reason: "empty"},
				{File: f, Row: 2, Column: 3, Field: "小区个数", Reason: `not a non-negative integer: "1.5"`},
				{File: f, Row: 2, Column: 4, Field: "户数", Reason: "negative: -3"},
				{File: f, Row: 2, Column: 5, Field: "建筑面积", Reason: `not a decimal number: "1e3": an exponent is not allowed: write the number in full (e.g. 1000, not 1e3)`},
				{File: f, Row: 3, Reason: "has 4 fields, want 5 (区市,年度,小区个数,户数,建筑面积)"},
				{File: f, Row: 5, Column: 3, Field: "小区个数", Reason: "empty"},
				{File: f, Row: 5, Column: 5, Field: "建筑面积", Reason: `not a decimal number: "abc": only digits, one point and a leading '-' are allowed (such as 1234.56)`},
			},
		},
		{
			name: "huge integer",
			data: planHeader + "环翠区,2020,17,99999999999999999999,1\n",
			want: PlanErrors{{File: f, Row: 2, Column: 4, Field: "户数", Reason: "integer out of range: 99999999999999999999"}},
		},
		{
			name: "blank lines keep physical row numbers",
			data: planHeader + "环翠区,2020,17,13371,1262412\n\n环翠区,2021,13,x,744439.96\n",
			want: PlanErrors{{File: f, Row: 4, Column: 4, Field: "户数", Reason: `not a non-negative integer: "x"`}},
		},
		{
			name: "CSV syntax",
			data: planHeader + "环翠区,2020,17,\"13371,1262412\n",
			want: PlanErrors{{File: f, Row: 2, Reason: "CSV syntax: extraneous or missing \" in quoted-field"}},
		},
		{
			name: "neither UTF-8 nor GBK",
			data: planHeader + "环翠区,2020,17,13371,1262412\n\xff\xff,2021,1,1,1\n",
			want: PlanErrors{{File: f, Row: 3, Reason: "text is neither UTF-8 nor GBK (first invalid UTF-8 on row 3, invalid GBK on row 1)"}},
		},
		{
			name: "GBK broken on row 3",
			data: string(must(simplifiedchinese.GBK.NewEncoder().Bytes([]byte(planHeader+"环翠区,2020,17,13371,1262412\n")))) + "\x81\x20,2021,1,1,1\n",
			want: PlanErrors{{File: f, Row: 3, Reason: "text is neither UTF-8 nor GBK (first invalid UTF-8 on row 1, invalid GBK on row 3)"}},
		},
		{
			name: "legacy xls",
			data: "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest",
			want: PlanErrors{{File: f, Reason: "legacy .xls (or encrypted) workbook is not supported; save it as .xlsx or .csv"}},
		},
		{
			name:   "declared xlsx, content csv",
			data:   planHeader,
			format: "xlsx",
			want:   PlanErrors{{File: f, Reason: "declared xlsx but the content is not a zip archive"}},
		},
		{
			name:   "declared csv, content zip",
			data:   "PK\x03\x04rest",
			format: "csv",
			want:   PlanErrors{{File: f, Reason: "declared csv but the content is a zip archive (xlsx?)"}},
		},
		{
			name:   "unknown format",
			data:   planHeader,
			format: "ods",
			want:   PlanErrors{{File: f, Reason: `unknown format "ods" (want "csv" or "xlsx")`}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := ReadPlan(f, strings.NewReader(tc.data), tc.format)
			assertPlanErrors(t, tab, err, tc.want)
			if tc.wantMsg != "" && err != nil && err.Error() != tc.wantMsg {
				t.Errorf("Error() = %q, want %q", err.Error(), tc.wantMsg)
			}
		})
	}
}

func TestReadPlanFileErrors(t *testing.T) {
	dir := t.TempDir()
	// Wrong header in a real file: the error names the path.
	path := filepath.Join(dir, "plan.csv")
	if err := os.WriteFile(path, []byte("区市,年度,小区数,户数,建筑面积\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tab, err := ReadPlanFile(path)
	assertPlanErrors(t, tab, err, PlanErrors{{File: path, Row: 1, Column: 3, Field: "小区个数",
		Reason: `header is "小区数", want "小区个数" (header must be 区市,年度,小区个数,户数,建筑面积)`}})
	if !strings.HasPrefix(err.Error(), path+": row 1, column 3 (小区个数): ") {
		t.Errorf("Error() = %q", err)
	}

	// errors.As reaches the single PlanError inside the list.
	var one PlanError
	if !errors.As(err, &one) || one.Row != 1 || one.Field != "小区个数" {
		t.Errorf("errors.As PlanError: %#v", one)
	}

	// A zip that is not a workbook.
	tab, err = ReadPlan("broken.xlsx", strings.NewReader("PK\x03\x04 not really a zip"), "")
	var es PlanErrors
	if tab != nil || !errors.As(err, &es) || len(es) != 1 || es[0].File != "broken.xlsx" || !strings.HasPrefix(es[0].Reason, "cannot open xlsx: ") {
		t.Errorf("broken xlsx: %v", err)
	}

	// An .xlsx name whose content is not a zip.
	xpath := filepath.Join(dir, "plan.xlsx")
	if err := os.WriteFile(xpath, []byte(planHeader), 0o644); err != nil {
		t.Fatal(err)
	}
	tab, err = ReadPlanFile(xpath)
	assertPlanErrors(t, tab, err, PlanErrors{{File: xpath, Reason: "extension says xlsx but the content is not a zip archive"}})

	// Missing file: an I/O error, not PlanErrors.
	_, err = ReadPlanFile(filepath.Join(dir, "missing.csv"))
	var pe PlanErrors
	if err == nil || errors.As(err, &pe) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v", err)
	}
}

func TestReadPlanErrorLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString(planHeader)
	for i := 0; i < 150; i++ {
		b.WriteString("环翠区,2020,x,1,1\n") // rows 2..151; also duplicates from row 3 on
	}
	tab, err := ReadPlan("many.csv", strings.NewReader(b.String()), "csv")
	var es PlanErrors
	if tab != nil || !errors.As(err, &es) {
		t.Fatalf("tab = %v, err = %v", tab, err)
	}
	if len(es) != MaxPlanErrors+1 {
		t.Fatalf("%d errors, want %d", len(es), MaxPlanErrors+1)
	}
	// Row 2: one error; rows 3..: two each (小区个数, duplicate). The 100th
	// error is the 小区个数 error of row 2+50 = 52; the duplicate error of
	// row 52 would be the 101st.
	if e := es[0]; e != (PlanError{File: "many.csv", Row: 2, Column: 3, Field: "小区个数", Reason: `not a non-negative integer: "x"`}) {
		t.Errorf("first error %#v", e)
	}
	if e := es[1]; e != (PlanError{File: "many.csv", Row: 3, Column: 3, Field: "小区个数", Reason: `not a non-negative integer: "x"`}) {
		t.Errorf("second error %#v", e)
	}
	if e := es[2]; e != (PlanError{File: "many.csv", Row: 3, Field: "区市,年度", Reason: "duplicate row for 环翠区 2020 (first at row 2)"}) {
		t.Errorf("third error %#v", e)
	}
	if e := es[MaxPlanErrors-1]; e.Row != 52 || e.Field != "小区个数" {
		t.Errorf("100th error %#v", e)
	}
	if e := es[MaxPlanErrors]; e != (PlanError{File: "many.csv", Row: 52, Reason: "more than 100 errors; rows from here on were not checked"}) {
		t.Errorf("last error %#v", e)
	}
}

func TestPlanWarningsSynthetic(t *testing.T) {
	// Numbers chosen so every ratio is round:
	//   m²/household: A,B 2020 = 100, C 2020 = 10, E 2020 = 100,
	//   A,B 2021 = 100 → median 100; C 2020 is 1/10 of it.
	//   households/community: A,B,C 2020 = 100, E 2020 = 1000, A 2021 = 100
	//   → median 100; E 2020 is 10×. (B 2021 has no communities, C 2021 no
	//   households: excluded from the ratios, warned as mixed zeros.)
	//   D 2022 is zero throughout: fine, no warning.
	//   2020 district sums: 31 communities, 4000 households, 310000 m²;
	//   the 总计 row says 31, 4001, 310001.5.
	//   2021 has no 总计 row (sums 20, 2000, 200000); 2022's total matches;
	//   2023–2025 have no rows at all.
	data := planHeader +
		"A,2020,10,1000,100000\n" + // row 2
		"B,2020,10,1000,100000\n" + // row 3
		"C,2020,10,1000,10000\n" + // row 4
		"E,2020,1,1000,100000\n" + // row 5
		"A,2021,10,1000,100000\n" + // row 6
		"B,2021,0,1000,100000\n" + // row 7
		"C,2021,10,0,0\n" + // row 8
		"D,2022,0,0,0\n" + // row 9
		"总计,2020,31,4001,310001.5\n" + // row 10
		"总计,2022,0,0,0.00\n" // row 11
	// The 总计 row disagrees: refused whole, each figure named.
	const f = "syn.csv"
	_, err := ReadPlan("syn.csv", strings.NewReader(data), "")
	const refused = "; a table whose total disagrees with its rows is refused whole unless accepted with a reason"
	wantErrs := PlanErrors{
		{File: f, Row: 10, Column: 4, Field: "户数", Reason: "总计 2020 户数: stated 4001, sum of 4 district rows 4000, difference 1" + refused, Err: ErrControlTotalMismatch,
			Stated: decimal.NewNullDecimal(decimal.RequireFromString("4001")), Computed: decimal.NewNullDecimal(decimal.RequireFromString("4000")), SummedRows: 4},
		{File: f, Row: 10, Column: 5, Field: "建筑面积", Reason: "总计 2020 建筑面积: stated 310001.5, sum of 4 district rows 310000, difference 1.5" + refused, Err: ErrControlTotalMismatch,
			Stated: decimal.NewNullDecimal(decimal.RequireFromString("310001.5")), Computed: decimal.NewNullDecimal(decimal.RequireFromString("310000")), SummedRows: 4},
	}
	var gotErrs PlanErrors
	if !errors.As(err, &gotErrs) || !samePlanErrors(gotErrs, wantErrs) || !errors.Is(err, ErrControlTotalMismatch) {
		t.Fatalf("got %#v, want %#v", err, wantErrs)
	}
	// Accepted with a reason: read, the disagreements kept as warnings.
	tab, err := ReadPlanWith("syn.csv", strings.NewReader(data), PlanReadOptions{AcceptControlTotalMismatch: " typo in the bureau's copy "})
	if err != nil {
		t.Fatal(err)
	}
	if tab.AcceptedMismatch != "typo in the bureau's copy" || !samePlanErrors(tab.ControlTotalMismatches, wantErrs) {
		t.Errorf("accepted %q, mismatches %v", tab.AcceptedMismatch, tab.ControlTotalMismatches)
	}
	const accepted = refused + " (accepted: typo in the bureau's copy)"
	want := []PlanWarning{
		{f, 4, "建筑面积/户数", "C 2020: 10000 m² for 1000 households = 10.0 m²/household; median of district rows 100.0 m²/household (1/10.0 of the median); a digit missing in 建筑面积? (100000 m² would give 100.0 m²/household)"},
		{f, 5, "户数/小区个数", "E 2020: 1000 households in 1 communities = 1000.0 households/community; median of district rows 100.0 households/community (10.0× the median); unusually large communities: check 户数 and 小区个数"},
		{f, 7, "小区个数", "B 2021: 小区个数 is 0 but 户数 = 1000, 建筑面积 = 100000; a row is either all zero (nothing planned) or all non-zero"},
		{f, 8, "户数,建筑面积", "C 2021: 户数 and 建筑面积 are 0 but 小区个数 = 10; a row is either all zero (nothing planned) or all non-zero"},
		{f, 0, "年度", "year 2021: no 总计 row; the 3 district rows (20 communities, 2000 households, 200000 m²) cannot be checked against a stated total"},
		{f, 0, "年度", "year 2023: no rows at all (the plan covers 2020–2025)"},
		{f, 0, "年度", "year 2024: no rows at all (the plan covers 2020–2025)"},
		{f, 0, "年度", "year 2025: no rows at all (the plan covers 2020–2025)"},
		{f, 10, "户数", "总计 2020 户数: stated 4001, sum of 4 district rows 4000, difference 1" + accepted},
		{f, 10, "建筑面积", "总计 2020 建筑面积: stated 310001.5, sum of 4 district rows 310000, difference 1.5" + accepted},
	}
	if !reflect.DeepEqual(tab.Warnings, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", fmtWarnings(tab.Warnings), fmtWarnings(want))
	}
	if got := tab.Warnings[8].String(); got != "syn.csv: row 10, 户数: 总计 2020 户数: stated 4001, sum of 4 district rows 4000, difference 1"+accepted {
		t.Errorf("String() = %q", got)
	}
	if got := tab.Warnings[5].String(); got != "syn.csv: 年度: year 2023: no rows at all (the plan covers 2020–2025)" {
		t.Errorf("String() = %q", got)
	}
	if len(tab.Rows) != 8 || len(tab.Totals) != 2 {
		t.Errorf("%d rows, %d totals", len(tab.Rows), len(tab.Totals))
	}
	if s := tab.Sum(); s.Rows != 8 || s.Communities != 51 || s.Households != 6000 || !s.FloorAreaM2.Equal(dec("510000")) {
		t.Errorf("Sum() = %+v", s)
	}
	if s := tab.SumYear(2023); s.Rows != 0 || s.Communities != 0 || !s.FloorAreaM2.IsZero() {
		t.Errorf("SumYear(2023) = %+v", s)
	}
	if _, ok := tab.Total(2021); ok {
		t.Error("Total(2021) found")
	}
}

// TestPlanCopyIsVerbatim: the repository's copy of the plan table (used by
// the tests and embedded in the demo) is byte for byte the shared one, when
// the shared folder is beside the repository (as on the team's machines and
// in CI).
func TestPlanCopyIsVerbatim(t *testing.T) {
	shared, err := os.ReadFile("../../shared/data/weihai-plan-2020-2025.csv")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("shared/ is not beside the repository")
	}
	if err != nil {
		t.Fatal(err)
	}
	copyBytes, err := os.ReadFile(weihaiPlanCSV)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(shared, copyBytes) {
		t.Errorf("%s differs from shared/data/weihai-plan-2020-2025.csv", weihaiPlanCSV)
	}
}

// samePlanErrors compares plan errors field by field, the figures of a
// control total by value (310000 and 310000.0 are the same figure).
func samePlanErrors(got, want []PlanError) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Stated.Valid != w.Stated.Valid || !g.Stated.Decimal.Equal(w.Stated.Decimal) ||
			g.Computed.Valid != w.Computed.Valid || !g.Computed.Decimal.Equal(w.Computed.Decimal) {
			return false
		}
		g.Stated, g.Computed, w.Stated, w.Computed = decimal.NullDecimal{}, decimal.NullDecimal{}, decimal.NullDecimal{}, decimal.NullDecimal{}
		if !reflect.DeepEqual(g, w) {
			return false
		}
	}
	return true
}
