package recon

// Reading and validating statement files. Pure: bytes in, a Statement or
// every row error out; no database.

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/width"

	"fundledger/amount"
	"fundledger/ledger"
)

// Limits on one statement file.
const (
	MaxStatementFileSize = 64 << 20
	MaxStatementLines    = 200000 // a month of the busiest account is far below this
	MaxRowErrors         = 50     // errors collected before reading stops
	maxHeaderSearchRows  = 30     // the header row is looked for in the first rows
)

// Line is one statement line.
type Line struct {
	Row                 int // 1-based row in the file (the header is a row too)
	Date                time.Time
	Direction           string // In or Out
	Amount              decimal.Decimal
	Balance             decimal.NullDecimal // running balance after the line, when listed
	Counterparty        string
	CounterpartyAccount string
	Reference           string
	Memo                string
	Serial              string
	Occurrence          int // 1 for the first line of the file with the same date, direction, amount, reference and counterparty, 2 for the second…
	Fingerprint         [32]byte
}

// Signed is the amount with its direction: positive in, negative out.
func (l Line) Signed() decimal.Decimal {
	if l.Direction == Out {
		return l.Amount.Neg()
	}
	return l.Amount
}

// Statement is a validated statement file, its lines in date order.
type Statement struct {
	File        string
	SHA256      string
	Profile     string
	BankAccount string
	Lines       []Line
	// Opening and Closing are the balances before the first and after the
	// last line, when the file lists running balances.
	Opening, Closing decimal.NullDecimal
	Descending       bool // the file listed the newest line first
	// Skipped are the rows under the header that are not lines: totals,
	// page footers and headers, notices (at most MaxSkippedListed listed;
	// SkippedRows counts them all).
	Skipped     []SkippedRow
	SkippedRows int
}

// SkippedRow is a row under the header that is not a statement line.
type SkippedRow struct {
	Row  int    `json:"row"`
	Kind string `json:"kind"` // total, page, header, notice
	Text string `json:"text"` // its first cell
}

// MaxSkippedListed bounds the skipped rows a Statement lists.
const MaxSkippedListed = 100

// RowError is one problem in a statement file: Reason says it in English
// (for the command line and logs); Err names the kind of problem and the
// other fields hold its figures, for a message in the reader's language.
type RowError struct {
	File   string
	Row    int    // 0 when not about a row
	Field  string // the column's header text, or "header", "date", "balance"
	Reason string
	Err    error  // ErrStatementDate, ErrStatementAmount, ... (nil: ErrStatementFile)
	Value  string // the cell's text (date, amount, direction, balance); the line's date (date order)
	Other  string // the other filled amount (two amounts); the previous line's date (date order)
	Limit  int    // the bound exceeded: bytes, lines, errors or header rows searched
	// A running balance that breaks (ErrStatementBalanceBreak): the
	// balance of the row before (OtherRow), this line's signed amount,
	// the balance they make and the one the file states.
	OtherRow                           int
	Previous, Amount, Computed, Stated decimal.NullDecimal
}

func (e RowError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Row > 0 {
		fmt.Fprintf(&b, ": row %d", e.Row)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ", %s", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns the named error of the problem.
func (e RowError) Unwrap() error {
	if e.Err == nil {
		return ErrStatementFile
	}
	return e.Err
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e RowError) Is(target error) bool { return target == ErrInvalid }

// RowErrors is every error found in a file (at most MaxRowErrors, then one
// closing entry). A file with any error is refused whole. It wraps
// ErrInvalid.
type RowErrors []RowError

func (es RowErrors) Error() string {
	if len(es) == 1 {
		return es[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d errors, the file is refused:", len(es))
	for _, e := range es {
		b.WriteString("\n\t")
		b.WriteString(e.Error())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInvalid) true.
func (es RowErrors) Is(target error) bool { return target == ErrInvalid }

type rowErrs struct {
	file string
	errs RowErrors
	full bool
}

// add records e (its File set here) with its reason in English.
func (r *rowErrs) add(e RowError, format string, args ...any) {
	if r.full {
		return
	}
	e.File = r.file
	if len(r.errs) == MaxRowErrors {
		r.errs = append(r.errs, RowError{File: r.file, Row: e.Row, Err: ErrStatementTooManyRows, Limit: MaxRowErrors,
			Reason: fmt.Sprintf("more than %d errors; reading stopped here", MaxRowErrors)})
		r.full = true
		return
	}
	e.Reason = fmt.Sprintf(format, args...)
	r.errs = append(r.errs, e)
}

// record is one non-empty row of the file.
type record struct {
	row    int
	fields []string
}

// ParseStatement reads and validates a statement file (CSV in UTF-8 or
// GBK, XLSX, or legacy .xls: a zip is XLSX, an OLE2 compound file .xls) for a bank account under a profile. On any
// error it returns nil and RowErrors (or another error wrapping
// ErrInvalid).
func ParseStatement(name string, data []byte, p *Profile, bankAccount string) (*Statement, error) {
	recs, err := fileRecords(name, data)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	st := &Statement{File: name, SHA256: hex.EncodeToString(sum[:]), Profile: p.Name, BankAccount: bankAccount}
	errs := &rowErrs{file: name}
	st.Lines, st.Skipped, st.SkippedRows = parseRecords(recs, p, errs)
	if len(errs.errs) == 0 {
		st.order()
		st.checkBalances(errs)
	}
	if len(errs.errs) > 0 {
		return nil, errs.errs
	}
	st.fingerprint()
	return st, nil
}

// fileRecords splits a statement file into its non-empty rows.
func fileRecords(name string, data []byte) ([]record, error) {
	if len(data) > MaxStatementFileSize {
		return nil, RowErrors{{File: name, Err: ErrStatementTooLarge, Limit: MaxStatementFileSize,
			Reason: fmt.Sprintf("file larger than %d bytes", MaxStatementFileSize)}}
	}
	var recs []record
	var err error
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		recs, err = xlsxRecords(data)
	} else if bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
		recs, err = xlsRecords(data)
	} else if ext := strings.ToLower(filepath.Ext(name)); ext == ".xlsx" || ext == ".xlsm" {
		err = errors.New("extension says xlsx but the content is not a zip archive")
	} else {
		recs, err = csvRecords(data)
	}
	if err != nil {
		var re RowError
		if errors.As(err, &re) {
			re.File = name
			return nil, RowErrors{re}
		}
		return nil, RowErrors{{File: name, Err: ErrStatementFile, Reason: err.Error()}}
	}
	return recs, nil
}

// csvRecords decodes UTF-8 (with or without BOM) or GBK text and splits it
// into records, like funding's plan reader: bytes that are not valid UTF-8
// are read as GBK, and a file that is neither is refused with the row where
// the decoding broke.
func csvRecords(data []byte) ([]record, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	text := string(data)
	if !utf8.Valid(data) {
		dec, err := simplifiedchinese.GBK.NewDecoder().Bytes(data)
		if err != nil {
			return nil, fmt.Errorf("text is neither UTF-8 nor GBK: %v", err)
		}
		if i := bytes.IndexRune(dec, utf8.RuneError); i >= 0 {
			// Report the row where the encoding that got further broke:
			// most likely the encoding the file was meant to be in.
			gbkRow := 1 + bytes.Count(dec[:i], []byte("\n"))
			bad := 0
			for bad < len(data) {
				r, size := utf8.DecodeRune(data[bad:])
				if r == utf8.RuneError && size <= 1 {
					break
				}
				bad += size
			}
			utfRow := 1 + bytes.Count(data[:bad], []byte("\n"))
			return nil, RowError{Row: max(gbkRow, utfRow), Err: ErrStatementFile, Reason: fmt.Sprintf(
				"text is neither UTF-8 nor GBK (first invalid UTF-8 on row %d, invalid GBK on row %d)", utfRow, gbkRow)}
		}
		text = string(dec)
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = delimiter(text)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var recs []record
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, RowError{Row: pe.Line, Err: ErrStatementFile, Reason: "CSV syntax: " + pe.Err.Error()}
			}
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(recs) > MaxStatementLines+maxHeaderSearchRows {
			return nil, RowError{Row: line, Err: ErrStatementTooManyRows, Limit: MaxStatementLines, Reason: fmt.Sprintf("more than %d rows", MaxStatementLines)}
		}
		recs = append(recs, record{row: line, fields: fields})
	}
}

// delimiter is the field separator of a text export: '|' when a line
// among the first maxHeaderSearchRows holds more of them than any holds
// commas (Bank of China's 交易明细 text export separates its fields with
// '|' and writes 1,081,178.53 in its summary rows), else ','.
func delimiter(text string) rune {
	pipes, commas := 0, 0
	for i, line := range strings.SplitN(text, "\n", maxHeaderSearchRows+1) {
		if i == maxHeaderSearchRows {
			break
		}
		pipes, commas = max(pipes, strings.Count(line, "|")), max(commas, strings.Count(line, ","))
	}
	if pipes > commas {
		return '|'
	}
	return ','
}

func xlsxRecords(data []byte) ([]record, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 256 << 20})
	if err != nil {
		return nil, fmt.Errorf("cannot open xlsx: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errors.New("workbook has no sheet")
	}
	rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("cannot read sheet %q: %v", sheets[0], err)
	}
	if len(rows) > MaxStatementLines+maxHeaderSearchRows {
		return nil, RowError{Err: ErrStatementTooManyRows, Limit: MaxStatementLines, Reason: fmt.Sprintf("more than %d rows", MaxStatementLines)}
	}
	var recs []record
	for i, cells := range rows {
		empty := true
		for j, c := range cells {
			cells[j] = xlsxNumber(c)
			if strings.TrimSpace(c) != "" {
				empty = false
			}
		}
		if !empty {
			recs = append(recs, record{row: i + 1, fields: cells})
		}
	}
	return recs, nil
}

var xlsxFloat = regexp.MustCompile(`^-?[0-9]+\.[0-9]+([eE][-+]?[0-9]+)?$|^-?[0-9]+[eE][-+]?[0-9]+$`)

// xlsxNumber rewrites a numeric cell that Excel stored in binary floating
// point ("1234.5600000000001") as the shortest decimal that reads back as
// the same double ("1234.56"): that is the number as typed. The double is
// what the file holds; it is turned into a decimal string here and never
// used in arithmetic.
func xlsxNumber(s string) string {
	if !xlsxFloat.MatchString(s) {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func cell(fields []string, i int) string {
	if i < 0 || i >= len(fields) {
		return ""
	}
	return cleanText(fields[i])
}

// cleanText trims a cell and collapses runs of white space.
func cleanText(s string) string {
	s = strings.TrimPrefix(s, "\uFEFF")
	return strings.Join(strings.Fields(s), " ")
}

func parseRecords(recs []record, p *Profile, errs *rowErrs) (lines []Line, skipped []SkippedRow, nSkipped int) {
	hi := -1
	var cols columns
	for i := 0; i < len(recs) && i < maxHeaderSearchRows; i++ {
		if c, ok := p.resolve(recs[i].fields); ok {
			hi, cols = i, c
			break
		}
	}
	if hi < 0 {
		need := "an amount column (" + strings.Join(p.Amount, "/") + ")"
		if len(p.In) > 0 {
			need += " or in and out columns (" + strings.Join(p.In, "/") + "; " + strings.Join(p.Out, "/") + ")"
		}
		errs.add(RowError{Field: "header", Err: ErrStatementHeader, Limit: maxHeaderSearchRows},
			"no header row in the first %d rows with a date column (%s) and %s for profile %s",
			maxHeaderSearchRows, strings.Join(p.Date, "/"), need, p.Name)
		return nil, nil, 0
	}
	head := recs[hi].fields
	colName := func(i int) string { return cell(head, i) }
	for _, r := range recs[hi+1:] {
		if kind := p.notALine(r.fields, head, cols); kind != "" {
			nSkipped++
			if len(skipped) < MaxSkippedListed {
				skipped = append(skipped, SkippedRow{Row: r.row, Kind: kind, Text: firstCell(r.fields)})
			}
			continue
		}
		if len(lines) == MaxStatementLines {
			errs.add(RowError{Row: r.row, Err: ErrStatementTooManyRows, Limit: MaxStatementLines}, "more than %d lines in one file; split it", MaxStatementLines)
			return nil, nil, 0
		}
		ln := Line{Row: r.row}
		ok := true
		bad := func(col int, e RowError, format string, args ...any) {
			e.Row, e.Field = r.row, colName(col)
			errs.add(e, format, args...)
			ok = false
		}
		for i, f := range r.fields {
			if !utf8.ValidString(f) {
				bad(i, RowError{Err: ErrStatementText}, "column %d: text is not valid UTF-8", i+1)
			}
		}
		if !ok {
			continue
		}
		ds := cell(r.fields, cols.date)
		if ds == "" {
			bad(cols.date, RowError{Err: ErrStatementDate}, "date is empty")
		} else if d, err := parseDate(ds, p.dateFormats()); err != nil {
			bad(cols.date, RowError{Err: ErrStatementDate, Value: ds}, "%v", err)
		} else {
			ln.Date = d
		}
		if cols.in >= 0 {
			in, out := cell(r.fields, cols.in), cell(r.fields, cols.out)
			switch {
			case in != "" && out != "" && !p.isZero(in) && !p.isZero(out):
				bad(cols.in, RowError{Err: ErrStatementTwoAmounts, Value: in, Other: out}, "both %s (%s) and %s (%s) are filled", colName(cols.in), in, colName(cols.out), out)
			case in != "" && !p.isZero(in):
				ln.Direction = In
				ln.Amount, ok = p.amountCell(in, cols.in, bad, ok)
			case out != "" && !p.isZero(out):
				ln.Direction = Out
				ln.Amount, ok = p.amountCell(out, cols.out, bad, ok)
			default:
				bad(cols.in, RowError{Err: ErrStatementNoAmount}, "no amount: %s and %s are both empty or zero", colName(cols.in), colName(cols.out))
			}
			if ok && ln.Amount.IsNegative() {
				// A negative in is money out (a bank correction), and the reverse.
				ln.Amount = ln.Amount.Neg()
				ln.Direction = opposite(ln.Direction)
			}
		} else {
			as := cell(r.fields, cols.amount)
			var a decimal.Decimal
			a, ok = p.amountCell(as, cols.amount, bad, ok)
			if ok && a.IsZero() {
				bad(cols.amount, RowError{Err: ErrStatementNoAmount, Value: as}, "amount is zero")
			}
			if ok {
				switch {
				case cols.direction >= 0:
					v := cell(r.fields, cols.direction)
					dir, known := p.DirectionValues[v]
					if !known {
						bad(cols.direction, RowError{Err: ErrStatementDirection, Value: v}, "direction %q is not one of the profile's values", v)
					}
					ln.Direction = dir
				case p.FixedDirection != "":
					ln.Direction = p.FixedDirection
				default:
					ln.Direction = In
					if a.IsNegative() {
						ln.Direction = Out
					}
				}
				if a.IsNegative() {
					a = a.Neg()
					if cols.direction >= 0 || p.FixedDirection != "" {
						ln.Direction = opposite(ln.Direction)
					}
				}
				ln.Amount = a
			}
		}
		if cols.balance >= 0 {
			if bs := cell(r.fields, cols.balance); bs != "" {
				b, err := p.parseAmount(bs)
				if err != nil {
					bad(cols.balance, RowError{Err: ErrStatementBalance, Value: bs}, "balance: %v", err)
				} else {
					ln.Balance = decimal.NullDecimal{Decimal: b, Valid: true}
				}
			}
		}
		ln.Counterparty = cell(r.fields, cols.counterparty)
		ln.CounterpartyAccount = cell(r.fields, cols.counterpartyAccount)
		cpCol, cpaCol := cols.counterpartyIn, cols.counterpartyAccountIn
		if ln.Direction == Out {
			cpCol, cpaCol = cols.counterpartyOut, cols.counterpartyAccountOut
		}
		if cpCol >= 0 {
			ln.Counterparty = cell(r.fields, cpCol)
		}
		if cpaCol >= 0 {
			ln.CounterpartyAccount = cell(r.fields, cpaCol)
		}
		ln.Reference = cell(r.fields, cols.reference)
		ln.Memo = cell(r.fields, cols.memo)
		ln.Serial = cell(r.fields, cols.serial)
		for _, f := range []struct {
			col, max int
			v        string
		}{{cols.counterparty, 500, ln.Counterparty}, {cols.counterpartyAccount, 100, ln.CounterpartyAccount},
			{cols.reference, 200, ln.Reference}, {cols.memo, 1000, ln.Memo}, {cols.serial, 100, ln.Serial}} {
			if len(f.v) > f.max {
				bad(f.col, RowError{Err: ErrStatementTooLong, Limit: f.max}, "longer than %d bytes", f.max)
			}
		}
		if ok {
			lines = append(lines, ln)
		}
	}
	if len(lines) == 0 && len(errs.errs) == 0 {
		errs.add(RowError{Row: recs[hi].row, Err: ErrStatementNoLines}, "no statement lines under the header")
	}
	return lines, skipped, nSkipped
}

func opposite(dir string) string {
	if dir == In {
		return Out
	}
	return In
}

func (p *Profile) amountCell(s string, col int, bad func(int, RowError, string, ...any), ok bool) (decimal.Decimal, bool) {
	if s == "" {
		bad(col, RowError{Err: ErrStatementNoAmount}, "amount is empty")
		return decimal.Zero, false
	}
	a, err := p.parseAmount(s)
	if err != nil {
		bad(col, RowError{Err: ErrStatementAmount, Value: s}, "%v", err)
		return decimal.Zero, false
	}
	if a.Abs().GreaterThanOrEqual(decimal.New(1, 15)) {
		bad(col, RowError{Err: ErrStatementAmount, Value: s}, "amount %s is too large", s)
		return decimal.Zero, false
	}
	return a, ok
}

// FooterPrefixes start the rows under the header that every profile
// knows are not lines: totals, carried-forward rows, print stamps and
// notices (compared with the row's first non-empty cell, case folded).
var FooterPrefixes = []string{"合计", "小计", "总计", "本页", "累计", "本日合计", "本月合计", "承前页", "过次页", "打印", "注：", "注:",
	"说明：", "说明:", "温馨提示", "提示：", "提示:", "特别提示", "重要提示", "备注：", "备注:", "制表", "经办", "复核",
	"total", "subtotal", "page total", "printed"}

// pageMark matches a page number row: 第1页 共2页, 第 1 页/共 2 页, 共2页, Page 1 of 2.
var pageMark = regexp.MustCompile(`^(第\s*[0-9]+\s*页|共\s*[0-9]+\s*页|page\s*[0-9]+)`)

// notALine says why a row under the header is not a statement line ("" when
// it is one): a row starting with one of the profile's SkipPrefixes; or,
// when its date cell holds no date, a total or footer (FooterPrefixes), a
// page number, the header repeated at the top of a page, or a notice (text
// in one cell only). Anything else is read as a line and refused if it is
// not one.
func (p *Profile) notALine(fields, head []string, cols columns) string {
	first := strings.ToLower(firstCell(fields))
	if first == "" {
		return "empty"
	}
	for _, pre := range p.SkipPrefixes {
		if strings.HasPrefix(first, strings.ToLower(pre)) {
			return "total"
		}
	}
	if _, err := parseDate(cell(fields, cols.date), p.dateFormats()); err == nil {
		return "" // a row with a date is a line
	}
	for _, pre := range FooterPrefixes {
		if strings.HasPrefix(first, strings.ToLower(pre)) {
			return "total"
		}
	}
	if pageMark.MatchString(first) {
		return "page"
	}
	if dc := headerKey(cell(fields, cols.date)); dc != "" && dc == headerKey(cell(head, cols.date)) {
		return "header"
	}
	filled := 0
	for _, f := range fields {
		if cleanText(f) != "" {
			filled++
		}
	}
	if filled == 1 {
		return "notice"
	}
	return ""
}

// firstCell is a row's first non-empty cell.
func firstCell(fields []string) string {
	for _, f := range fields {
		if f = cleanText(f); f != "" {
			return f
		}
	}
	return ""
}

func (p *Profile) isZero(s string) bool {
	a, err := p.parseAmount(s)
	return err == nil && a.IsZero()
}

// parseAmount reads an amount in yuan as the profile's files write it:
// full-width digits, a currency sign (¥, RMB, CNY), a trailing 元, spaces
// a leading '+' (PlusSign profiles) and accounting parentheses for negatives are accepted around the number;
// the number itself is read by package amount (plain decimal, at most two
// places after trailing zeros, thousands separators only when the profile
// declares one; no exponent, no '+').
func (p *Profile) parseAmount(s string) (decimal.Decimal, error) {
	orig := s
	s = width.Narrow.String(s) // full-width digits and signs
	s = strings.NewReplacer(" ", "", "¥", "", "￥", "", "元", "", "RMB", "", "CNY", "").Replace(s)
	neg := false
	if t, ok := strings.CutPrefix(s, "+"); ok && p.PlusSign && t != "" && t[0] >= '0' && t[0] <= '9' {
		s = t
	}
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, s[1:len(s)-1]
	}
	a, err := p.amountFormat().Parse(s)
	if err != nil {
		var ae *amount.Error
		if errors.As(err, &ae) {
			return decimal.Zero, fmt.Errorf("amount %q: %s", orig, ae.Reason)
		}
		return decimal.Zero, fmt.Errorf("amount %q: %w", orig, err)
	}
	if neg {
		if a.IsNegative() {
			return decimal.Zero, fmt.Errorf("amount %q: a sign inside parentheses", orig)
		}
		a = a.Neg()
	}
	return a, nil
}

// parseDate reads a date in one of the layouts, with an optional time of
// day after it, or an Excel serial day number (XLSX date cells read raw).
func parseDate(s string, layouts []string) (time.Time, error) {
	s = width.Narrow.String(strings.TrimSpace(s))
	if whole, frac, _ := strings.Cut(s, "."); len(whole) == 5 && isDigits(whole) && (frac == "" || isDigits(frac)) {
		// Excel serial: days since 1899-12-30, a fraction the time of day
		// (a date-time cell, read raw). The day is the whole part.
		n, _ := strconv.Atoi(whole)
		if n > 20000 && n < 80000 {
			return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n), nil
		}
	}
	day := s
	if i := strings.IndexAny(s, " T"); i > 0 {
		day = s[:i]
	}
	for _, l := range layouts {
		t, err := time.ParseInLocation(l, day, time.UTC)
		if err != nil && len(day) > 10 && (day[10] == '-' || day[10] == ':') {
			t, err = time.ParseInLocation(l, day[:10], time.UTC) // 2020-08-03-10.25.49.123456
		}
		if err == nil {
			if t.Year() < 1990 || t.Year() > 2100 {
				return time.Time{}, fmt.Errorf("date %q is out of range", s)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q: want one of %s", s, strings.Join(layouts, ", "))
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// order puts the lines in date order. Banks list either the oldest or the
// newest line first; a file whose last date is before its first is read
// backwards (the order of lines within a day matters for the running
// balance). A file of one day whose balances only chain backwards is read
// backwards too.
func (st *Statement) order() {
	n := len(st.Lines)
	if n < 2 {
		return
	}
	first, last := st.Lines[0].Date, st.Lines[n-1].Date
	desc := last.Before(first)
	if first.Equal(last) && balanceBreaks(st.Lines) > 0 {
		rev := reversed(st.Lines)
		if balanceBreaks(rev) == 0 {
			desc = true
		}
	}
	if desc {
		st.Lines = reversed(st.Lines)
		st.Descending = true
	}
}

func reversed(ls []Line) []Line {
	out := make([]Line, len(ls))
	for i, l := range ls {
		out[len(ls)-1-i] = l
	}
	return out
}

func balanceBreaks(ls []Line) int {
	n := 0
	var run decimal.NullDecimal
	for _, l := range ls {
		if run.Valid {
			run.Decimal = run.Decimal.Add(l.Signed())
		}
		if l.Balance.Valid {
			if run.Valid && !run.Decimal.Equal(l.Balance.Decimal) {
				n++
			}
			run = l.Balance
		}
	}
	return n
}

// checkBalances walks the lines in date order and reports every row where
// the running balance breaks: the previous balance plus this line's amount
// must be this line's balance. Lines without a balance carry the running
// sum forward. It sets the opening and closing balances.
func (st *Statement) checkBalances(errs *rowErrs) {
	var run decimal.NullDecimal
	prevRow := 0
	for i, l := range st.Lines {
		if i > 0 && l.Date.Before(st.Lines[i-1].Date) {
			day, prev := l.Date.Format(ledger.DateLayout), st.Lines[i-1].Date.Format(ledger.DateLayout)
			errs.add(RowError{Row: l.Row, Field: "date", Err: ErrStatementDateOrder, Value: day, Other: prev, OtherRow: st.Lines[i-1].Row},
				"date %s is before the previous line's %s: lines must be in date order (oldest or newest first)", day, prev)
		}
		if run.Valid {
			run.Decimal = run.Decimal.Add(l.Signed())
		}
		if l.Balance.Valid {
			if !st.Opening.Valid && !run.Valid {
				// Balance before the first line with a balance, through the lines before it.
				open := l.Balance.Decimal
				for _, e := range st.Lines[:i+1] {
					open = open.Sub(e.Signed())
				}
				st.Opening = decimal.NullDecimal{Decimal: open, Valid: true}
			}
			if run.Valid && !run.Decimal.Equal(l.Balance.Decimal) {
				before := run.Decimal.Sub(l.Signed())
				errs.add(RowError{Row: l.Row, Field: "balance", Err: ErrStatementBalanceBreak, OtherRow: prevRow,
					Previous: decimal.NewNullDecimal(before), Amount: decimal.NewNullDecimal(l.Signed()), Computed: run, Stated: l.Balance},
					"running balance breaks: %s after row %d, %s %s, makes %s, but the file says %s (difference %s)",
					before.StringFixed(2), prevRow, l.Direction, l.Amount.StringFixed(2),
					run.Decimal.StringFixed(2), l.Balance.Decimal.StringFixed(2), l.Balance.Decimal.Sub(run.Decimal).StringFixed(2))
			}
			run = l.Balance
			prevRow = l.Row
		}
	}
	if run.Valid {
		st.Closing = run
	}
}

// fingerprint numbers identical lines of a day and computes each line's
// Fingerprint.
func (st *Statement) fingerprint() {
	seen := map[string]int{}
	for i := range st.Lines {
		l := &st.Lines[i]
		k := occurrenceKey(*l)
		seen[k]++
		l.Occurrence = seen[k]
		l.Fingerprint = Fingerprint(st.BankAccount, *l)
	}
}

func occurrenceKey(l Line) string {
	return strings.Join([]string{l.Date.Format(ledger.DateLayout), l.Direction, l.Amount.StringFixed(2),
		foldText(l.Reference), foldText(l.Counterparty)}, "\x00")
}

// foldText is the form of a text field that a fingerprint uses: full-width
// letters and digits folded to ASCII, white space collapsed, so that two
// exports of the same line that differ only in this still agree.
func foldText(s string) string { return cleanText(width.Fold.String(s)) }

// Fingerprint identifies a statement line across files, so that importing
// a file twice, or two files that overlap, adds each line once.
//
// When the bank gives its own serial number for the line (the profile's
// serial column, 交易流水号), the fingerprint is SHA-256 of the bank
// account, the date and the serial. Otherwise it is SHA-256 of the bank
// account, date, direction, amount (to the fen), reference and
// counterparty, and the line's occurrence index: 1 for the first line of
// the file with those same values, 2 for the second, and so on. Two lines
// that a bank really lists twice on one day (two identical transfers) are
// both kept, as occurrences 1 and 2; a later file that lists the same day
// again finds both and adds neither, and a later file that lists three adds
// the third. This assumes that a file holds every line of each day it
// covers (bank exports are by whole days); balance and memo are left out
// because banks reword them between exports.
func Fingerprint(bankAccount string, l Line) [32]byte {
	h := sha256.New()
	put := func(s string) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	if l.Serial != "" {
		put("fundledger-recon-line-serial-v1")
		put(bankAccount)
		put(l.Date.Format(ledger.DateLayout))
		put(foldText(l.Serial))
	} else {
		put("fundledger-recon-line-v1")
		put(bankAccount)
		put(l.Date.Format(ledger.DateLayout))
		put(l.Direction)
		put(l.Amount.StringFixed(2))
		put(foldText(l.Reference))
		put(foldText(l.Counterparty))
		put(strconv.Itoa(l.Occurrence))
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}
