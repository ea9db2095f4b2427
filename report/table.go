// Package report owns the read models that finance officers look at and
// their renderers: a report is built as a Table (columns with Chinese and
// English headers, rows of cells) and rendered as an aligned text table, CSV
// that Excel opens, or JSON with stable field names and amounts as strings.
package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/shopspring/decimal"
	"golang.org/x/text/width"
)

// Column describes one column: Key names it in JSON; Zh and En head it in
// tables and CSV; Numeric right-aligns it.
type Column struct {
	Key     string
	Zh, En  string
	Numeric bool
	// Bilingual cells read "中文 English"; Coded cells hold a code with a
	// Chinese label (see lang.go). A language picks its part of them.
	Bilingual, Coded bool
}

// Table is a rendered report: a title, columns, rows and notes (such as
// "totals agree") printed under it.
type Table struct {
	Title   string
	Columns []Column
	Rows    [][]string
	Notes   []string
}

// Formats a Table can be rendered in.
const (
	FormatTable = "table"
	FormatCSV   = "csv"
	FormatJSON  = "json"
)

// Lang picks header labels.
const (
	LangZh = "zh"
	LangEn = "en"
)

func (c Column) header(lang string) string {
	switch {
	case lang == LangEn && c.En != "":
		return c.En
	case lang == LangZh && c.Zh != "":
		return c.Zh
	case c.Zh != "" && c.En != "":
		return c.Zh + " " + c.En
	}
	return c.Key
}

// Render writes t in the format, with headers in lang ("" = both).
func Render(w io.Writer, t Table, format, lang string) error {
	switch format {
	case FormatTable, "":
		return renderText(w, t, lang)
	case FormatCSV:
		return renderCSV(w, t, lang)
	case FormatJSON:
		return renderJSON(w, t)
	}
	return fmt.Errorf("unknown format %q: want table, csv or json", format)
}

// displayWidth counts East Asian wide characters as two columns, so that
// tables with Chinese names line up in a terminal.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

func pad(s string, w int, right bool) string {
	gap := w - displayWidth(s)
	if gap <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", gap) + s
	}
	return s + strings.Repeat(" ", gap)
}

func renderText(w io.Writer, t Table, lang string) error {
	t = t.InLang(lang)
	widths := make([]int, len(t.Columns))
	heads := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		heads[i] = c.header(lang)
		widths[i] = displayWidth(heads[i])
	}
	for _, r := range t.Rows {
		for i := range t.Columns {
			if i < len(r) {
				widths[i] = max(widths[i], displayWidth(r[i]))
			}
		}
	}
	var b strings.Builder
	if t.Title != "" {
		b.WriteString(t.Title + "\n")
	}
	line := func(cells []string) {
		var ln strings.Builder
		for i, c := range t.Columns {
			if i > 0 {
				ln.WriteString("  ")
			}
			v := ""
			if i < len(cells) {
				v = cells[i]
			}
			ln.WriteString(pad(v, widths[i], c.Numeric))
		}
		b.WriteString(strings.TrimRight(ln.String(), " "))
		b.WriteString("\n")
	}
	line(heads)
	rule := make([]string, len(widths))
	for i, n := range widths {
		rule[i] = strings.Repeat("-", n)
	}
	line(rule)
	for _, r := range t.Rows {
		line(r)
	}
	for _, n := range t.Notes {
		b.WriteString(n + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// csvSafe defuses cells that Excel would read as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		if _, err := decimal.NewFromString(s); err == nil && (s[0] == '-' || s[0] == '+') {
			return s // a signed number stays a number
		}
		return "'" + s
	}
	return s
}

func renderCSV(w io.Writer, t Table, lang string) error {
	return renderCSVWith(w, t, lang, RenderOptions{})
}

// renderCSVWith writes one table as one CSV: a BOM at byte 0 (so that
// Excel opens UTF-8 Chinese text correctly), with CSVHeader the title and
// provenance as '#' comment lines, then the header row and the rows.
func renderCSVWith(w io.Writer, t Table, lang string, o RenderOptions) error {
	t = t.InLang(lang)
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	if o.CSVHeader {
		lines := []string{}
		if t.Title != "" {
			lines = append(lines, t.Title)
		}
		lines = append(lines, o.Provenance.lines()...)
		for _, l := range lines {
			if _, err := io.WriteString(w, "# "+strings.NewReplacer("\r", " ", "\n", " ").Replace(l)+"\n"); err != nil {
				return err
			}
		}
	}
	cw := csv.NewWriter(w)
	heads := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		heads[i] = csvSafe(c.header(lang))
	}
	if err := cw.Write(heads); err != nil {
		return err
	}
	for _, r := range t.Rows {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = csvSafe(v)
		}
		if err := cw.Write(cells); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Provenance says what a report was made from, for the person who reads
// it: the day it is as of ("" for everything) and the ledger's head hash
// (the hash chain sealed up to the books the report read; write it down and
// a later rewrite of history shows).
type Provenance struct {
	AsOf     string
	HeadHash string
}

func (p Provenance) lines() []string {
	var out []string
	if p.AsOf != "" {
		out = append(out, "截至 As of: "+p.AsOf)
	}
	if p.HeadHash != "" {
		out = append(out, "账本链头哈希 Ledger head hash: "+p.HeadHash)
	}
	return out
}

// RenderOptions are the choices of RenderAllWith.
type RenderOptions struct {
	Provenance Provenance
	// CSVHeader writes the title and the provenance as '#' comment lines
	// above the CSV header row (off by default: the first line of a CSV is
	// then its header).
	CSVHeader bool
}

// RenderAll writes several tables: one after another as text, as one CSV
// table (several tables get a leading section column), as one JSON array
// of tables (one table: the table's object alone), or as one XLSX
// workbook with a sheet per table.
func RenderAll(w io.Writer, ts []Table, format, lang string) error {
	return RenderAllWith(w, ts, format, lang, RenderOptions{})
}

// RenderAllWith is RenderAll with the provenance shown where a person
// reads: above the text tables, in each XLSX sheet's title row, and with
// CSVHeader as comment lines of the CSV.
func RenderAllWith(w io.Writer, ts []Table, format, lang string, o RenderOptions) error {
	if format == FormatXLSX {
		return WriteXLSXWith(w, ts, lang, o.Provenance)
	}
	if format == FormatCSV {
		if len(ts) == 1 {
			return renderCSVWith(w, ts[0], lang, o)
		}
		return renderCSVWith(w, Sections(ts), lang, o)
	}
	if format == FormatTable || format == "" {
		if ls := o.Provenance.lines(); len(ls) > 0 {
			if _, err := io.WriteString(w, strings.Join(ls, "\n")+"\n\n"); err != nil {
				return err
			}
		}
	}
	if format == FormatJSON && len(ts) == 1 {
		return renderJSON(w, ts[0])
	}
	if format == FormatJSON {
		docs := make([]jsonTable, len(ts))
		for i, t := range ts {
			docs[i] = t.jsonDoc()
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(docs)
	}
	for i, t := range ts {
		if i > 0 && format != FormatCSV {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		if err := Render(w, t, format, lang); err != nil {
			return err
		}
	}
	return nil
}

// Sections makes one table of several, so that one CSV is one table: a
// leading column 表 Table holds each row's table title (key "table", which
// no report's own column uses: a balance sheet has a column "section"), and the columns
// are the union of the tables' columns (by key, in order of first
// appearance); a row leaves the columns of other tables empty. Notes are
// kept, each prefixed with its table's title.
func Sections(ts []Table) Table {
	out := Table{Columns: []Column{{Key: "table", Zh: "表", En: "Table"}}}
	idx := map[string]int{}
	var titles []string
	for _, t := range ts {
		titles = append(titles, t.Title)
		for _, c := range t.Columns {
			if _, ok := idx[c.Key]; !ok {
				idx[c.Key] = len(out.Columns)
				out.Columns = append(out.Columns, c)
			}
		}
	}
	out.Title = strings.Join(titles, " / ")
	for _, t := range ts {
		for _, r := range t.Rows {
			row := make([]string, len(out.Columns))
			row[0] = t.Title
			for i, c := range t.Columns {
				if i < len(r) {
					row[idx[c.Key]] = r[i]
				}
			}
			out.Rows = append(out.Rows, row)
		}
		for _, n := range t.Notes {
			out.Notes = append(out.Notes, t.Title+": "+n)
		}
	}
	return out
}

type jsonTable struct {
	Title string              `json:"title"`
	Rows  []map[string]string `json:"rows"`
	Notes []string            `json:"notes,omitempty"`
}

func (t Table) jsonDoc() jsonTable {
	rows := make([]map[string]string, 0, len(t.Rows))
	for _, r := range t.Rows {
		m := make(map[string]string, len(t.Columns))
		for i, c := range t.Columns {
			if i < len(r) {
				m[c.Key] = r[i]
			}
		}
		rows = append(rows, m)
	}
	return jsonTable{t.Title, rows, t.Notes}
}

func renderJSON(w io.Writer, t Table) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(t.jsonDoc())
}
