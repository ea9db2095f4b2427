package report

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf16"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// FormatXLSX names the Excel workbook format; RenderAll dispatches it to
// WriteXLSX. A workbook is binary: commands write it to a file, never to a
// terminal.
const FormatXLSX = "xlsx"

// Sheet layout: the title in row 1, the header in row 2 (both frozen, so the
// header stays in view), data from row 3, notes under the data after a blank
// row.
const (
	xlsxTitleRow  = 1
	xlsxHeaderRow = 2
	xlsxFirstData = 3
	xlsxMaxWidth  = 80.0
	// Number formats: amounts with two decimals and thousands separators,
	// counts without decimals, percentages with two decimals.
	xlsxAmountFormat  = "#,##0.00"
	xlsxIntegerFormat = "#,##0"
	xlsxPercentFormat = "0.00%"
)

var (
	xlsxNumber  = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	xlsxPercent = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?%$`)
)

// xlsxCell is how one cell of a numeric column goes into a sheet: the exact
// decimal text of the number (so that Excel stores exactly what the ledger
// holds, to the fen, with no float64 on the way) and its number format.
type xlsxCell struct {
	number string // "" when the cell is text
	format string
}

// numericCell reads a numeric column's cell as Amount, Plain, an integer or a
// percentage (12.34% → 0.1234 formatted 0.00%) renders it. Anything else
// (empty, a note, a date) stays text.
func numericCell(s string) xlsxCell {
	v := strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	switch {
	case xlsxNumber.MatchString(v):
		d, err := decimal.NewFromString(v)
		if err != nil {
			return xlsxCell{}
		}
		if !strings.Contains(v, ".") {
			return xlsxCell{number: d.String(), format: xlsxIntegerFormat}
		}
		// Keep at least two decimals in the stored text: 1234.5 → 1234.50.
		places := int32(len(v) - strings.IndexByte(v, '.') - 1)
		return xlsxCell{number: d.StringFixed(max(places, 2)), format: xlsxAmountFormat}
	case xlsxPercent.MatchString(v):
		d, err := decimal.NewFromString(strings.TrimSuffix(v, "%"))
		if err != nil {
			return xlsxCell{}
		}
		return xlsxCell{number: d.Shift(-2).String(), format: xlsxPercentFormat}
	}
	return xlsxCell{}
}

// isTotalRow reports whether a row is a totals or subtotals row (shown bold).
func isTotalRow(r []string) bool {
	if len(r) == 0 {
		return false
	}
	first := strings.TrimSpace(r[0])
	return strings.Contains(first, "合计") || strings.HasPrefix(strings.ToLower(first), "total") ||
		strings.Contains(first, "小计") || strings.Contains(strings.ToLower(first), "subtotal")
}

var sheetNameBad = strings.NewReplacer(":", " ", "\\", " ", "/", " ", "?", " ", "*", " ", "[", "(", "]", ")")

// sheetName derives a valid, unique sheet name (at most 31 UTF-16 units, no
// : \ / ? * [ ], not starting or ending with ') from a table's title; used
// holds the names taken so far, lower-cased, as Excel compares them without
// case.
func sheetName(title string, i int, used map[string]bool) string {
	base := strings.Join(strings.Fields(sheetNameBad.Replace(title)), " ")
	// The part before a long dash or ", as of" is the report's name.
	for _, cut := range []string{" — ", ", as of", "，"} {
		if k := strings.Index(base, cut); k > 0 {
			base = base[:k]
		}
	}
	base = strings.Trim(base, "' ")
	if base == "" {
		base = fmt.Sprintf("Sheet%d", i+1)
	}
	for n := 1; ; n++ {
		suffix := ""
		if n > 1 {
			suffix = fmt.Sprintf(" (%d)", n)
		}
		name := strings.TrimRight(truncUTF16(base, excelize.MaxSheetNameLength-len(suffix)), "' ") + suffix
		if !used[strings.ToLower(name)] {
			used[strings.ToLower(name)] = true
			return name
		}
	}
}

// truncUTF16 cuts s to at most n UTF-16 code units, on a rune boundary.
func truncUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		k := len(utf16.Encode([]rune{r}))
		if units+k > n {
			return s[:i]
		}
		units += k
	}
	return s
}

type xlsxStyles struct {
	title, header, headerNum, bold int
	num, boldNum                   map[string]int // by number format
}

func newXLSXStyles(f *excelize.File) (*xlsxStyles, error) {
	st := &xlsxStyles{num: map[string]int{}, boldNum: map[string]int{}}
	var err error
	mk := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(s)
		return id
	}
	bold := &excelize.Font{Bold: true}
	st.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}})
	border := []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}}
	st.header = mk(&excelize.Style{Font: bold, Border: border, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	st.headerNum = mk(&excelize.Style{Font: bold, Border: border, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "right"}})
	st.bold = mk(&excelize.Style{Font: bold})
	for _, nf := range []string{xlsxAmountFormat, xlsxIntegerFormat, xlsxPercentFormat} {
		f := nf
		st.num[nf] = mk(&excelize.Style{CustomNumFmt: &f})
		st.boldNum[nf] = mk(&excelize.Style{CustomNumFmt: &f, Font: bold})
	}
	return st, err
}

// WriteXLSX writes the tables as one workbook, one sheet per table: the
// title in row 1, the header in row 2 (frozen with the title), numeric
// columns as numbers (amounts #,##0.00, counts #,##0, percentages 0.00%),
// totals and subtotals rows in bold, notes under the data, and column widths
// that fit the text (East Asian wide characters count as two).
//
// Amounts are stored as the exact decimal text of the cell (an XLSX number
// cell holds its value as text): no float64 is involved, so a cell holds
// the ledger's amount to the fen.
func WriteXLSX(w io.Writer, ts []Table, lang string) error {
	return WriteXLSXWith(w, ts, lang, Provenance{})
}

// WriteXLSXWith is WriteXLSX with the provenance (as-of day, ledger head
// hash) after the title in each sheet's title row.
func WriteXLSXWith(w io.Writer, ts []Table, lang string, prov Provenance) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newXLSXStyles(f)
	if err != nil {
		return fmt.Errorf("xlsx: styles: %w", err)
	}
	used := map[string]bool{}
	if len(ts) == 0 {
		ts = []Table{{Title: "Empty"}}
	}
	for i, t := range ts {
		t = t.InLang(lang)
		name := sheetName(t.Title, i, used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return fmt.Errorf("xlsx: sheet %q: %w", name, err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("xlsx: sheet %q: %w", name, err)
		}
		if ls := prov.lines(); len(ls) > 0 {
			t.Title = strings.TrimSpace(t.Title + "（" + strings.Join(ls, "；") + "）")
		}
		if err := writeSheet(f, name, t, lang, st); err != nil {
			return fmt.Errorf("xlsx: sheet %q: %w", name, err)
		}
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

func cellName(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}

func writeSheet(f *excelize.File, sheet string, t Table, lang string, st *xlsxStyles) error {
	ncol := max(len(t.Columns), 1)
	widths := make([]int, ncol)
	if t.Title != "" {
		if err := f.SetCellStr(sheet, cellName(1, xlsxTitleRow), t.Title); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, cellName(1, xlsxTitleRow), cellName(1, xlsxTitleRow), st.title); err != nil {
			return err
		}
	}
	for i, c := range t.Columns {
		h := c.header(lang)
		widths[i] = displayWidth(h)
		cell := cellName(i+1, xlsxHeaderRow)
		if err := f.SetCellStr(sheet, cell, h); err != nil {
			return err
		}
		style := st.header
		if c.Numeric {
			style = st.headerNum
		}
		if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
			return err
		}
	}
	for ri, r := range t.Rows {
		row := xlsxFirstData + ri
		total := isTotalRow(r)
		for i, v := range r {
			if i >= len(t.Columns) {
				break
			}
			cell := cellName(i+1, row)
			style := 0
			if total {
				style = st.bold
			}
			var xc xlsxCell
			if t.Columns[i].Numeric {
				xc = numericCell(v)
			}
			if xc.number != "" {
				// SetCellDefault stores a numeric text as a number cell,
				// digit for digit.
				if err := f.SetCellDefault(sheet, cell, xc.number); err != nil {
					return err
				}
				style = st.num[xc.format]
				if total {
					style = st.boldNum[xc.format]
				}
				widths[i] = max(widths[i], displayWidth(v), len(Amount(decimal.RequireFromString(xc.number))))
			} else {
				if v != "" {
					if err := f.SetCellStr(sheet, cell, v); err != nil {
						return err
					}
				}
				widths[i] = max(widths[i], displayWidth(v))
			}
			if style != 0 {
				if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
					return err
				}
			}
		}
	}
	noteRow := xlsxFirstData + len(t.Rows) + 1
	for i, n := range t.Notes {
		if err := f.SetCellStr(sheet, cellName(1, noteRow+i), n); err != nil {
			return err
		}
	}
	for i, wd := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, min(float64(wd)+2, xlsxMaxWidth)); err != nil {
			return err
		}
	}
	// The used range, true: excelize leaves <dimension ref="A1"/> on a new
	// sheet whatever is written to it.
	lastRow := xlsxHeaderRow + len(t.Rows)
	if len(t.Notes) > 0 {
		lastRow = noteRow + len(t.Notes) - 1
	}
	if err := f.SetSheetDimension(sheet, cellName(1, xlsxTitleRow)+":"+cellName(ncol, lastRow)); err != nil {
		return err
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: xlsxHeaderRow, TopLeftCell: cellName(1, xlsxFirstData), ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: cellName(1, xlsxFirstData), ActiveCell: cellName(1, xlsxFirstData), Pane: "bottomLeft"}}})
}
