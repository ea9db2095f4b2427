package funding

// Reader and validator for the annex plan table of the renovation plan
// (区市,年度,小区个数,户数,建筑面积). Pure: it reads bytes and returns a
// PlanTable or a list of errors; it never touches a database.

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"fundledger/amount"
)

// Years covered by the plan. A row with a year outside
// [PlanFirstYear, PlanLastYear] is an error.
const (
	PlanFirstYear = 2020
	PlanLastYear  = 2025
)

// PlanTotalLabel is the 区市 value of the per-year total rows.
const PlanTotalLabel = "总计"

// PlanOutlierFactor: a row whose floor area per household (or households
// per community) is more than PlanOutlierFactor times, or less than
// 1/PlanOutlierFactor of, the median over the district rows is warned about.
const PlanOutlierFactor = 3

// MaxPlanErrors is the number of errors collected before reading stops.
const MaxPlanErrors = 100

// MaxPlanFileSize bounds the bytes read from a plan file.
const MaxPlanFileSize = 32 << 20

// Plan file formats accepted by ReadPlan.
const (
	PlanFormatCSV  = "csv"
	PlanFormatXLSX = "xlsx"
)

// Column names of the plan table, in order.
const (
	PlanColDistrict    = "区市"
	PlanColYear        = "年度"
	PlanColCommunities = "小区个数"
	PlanColHouseholds  = "户数"
	PlanColFloorArea   = "建筑面积"
)

// PlanColumns is the exact header of a plan file.
var PlanColumns = []string{PlanColDistrict, PlanColYear, PlanColCommunities, PlanColHouseholds, PlanColFloorArea}

// PlanRow is one row of the plan table.
type PlanRow struct {
	Row         int // 1-based row in the file; the header is row 1
	District    string
	Year        int
	Communities int
	Households  int
	FloorAreaM2 decimal.Decimal
}

// PlanWarning marks a number that looks implausible. The file is still
// accepted; the warning says where to look.
type PlanWarning struct {
	File    string
	Row     int    // 0 when the warning is about a year, not a row
	Field   string // column name(s) concerned
	Message string
}

func (w PlanWarning) String() string {
	if w.Row == 0 {
		return fmt.Sprintf("%s: %s: %s", w.File, w.Field, w.Message)
	}
	return fmt.Sprintf("%s: row %d, %s: %s", w.File, w.Row, w.Field, w.Message)
}

// PlanTable is a validated plan file.
type PlanTable struct {
	File string
	// SHA256 is the identity of the table: the hex SHA-256 of its parsed
	// content (PlanContentSHA256), not of the file's bytes, so the same
	// table with a BOM, CRLF line ends, in GBK or as XLSX is the same
	// import.
	SHA256   string
	Rows     []PlanRow // district rows, in file order
	Totals   []PlanRow // 总计 rows, in file order
	Warnings []PlanWarning
	// ControlTotalMismatches lists every 总计 figure that disagrees with
	// the sum of its district rows. A table with any is returned only when
	// the reader was given a reason to accept it (AcceptedMismatch).
	ControlTotalMismatches []PlanError
	AcceptedMismatch       string
}

// PlanContentSHA256 is the hex SHA-256 of a plan's content: every row
// (district rows and 总计 rows) as district, year and the three figures,
// areas as numbers (1.5 = 1.50), in (year, district) order with the 总计
// row last. Bytes, encoding, line ends and row order do not change it.
func PlanContentSHA256(rows, totals []PlanRow) string {
	type line struct {
		year     int
		total    bool
		district string
		text     string
	}
	ls := make([]line, 0, len(rows)+len(totals))
	add := func(r PlanRow, total bool) {
		ls = append(ls, line{r.Year, total, r.District, fmt.Sprintf("%t\x1f%s\x1f%d\x1f%d\x1f%d\x1f%s\n",
			total, r.District, r.Year, r.Communities, r.Households, r.FloorAreaM2.String())})
	}
	for _, r := range rows {
		add(r, false)
	}
	for _, r := range totals {
		add(r, true)
	}
	sort.Slice(ls, func(i, j int) bool {
		a, b := ls[i], ls[j]
		if a.year != b.year {
			return a.year < b.year
		}
		if a.total != b.total {
			return !a.total
		}
		return a.district < b.district
	})
	h := sha256.New()
	io.WriteString(h, "fundledger plan table v1\n")
	for _, l := range ls {
		io.WriteString(h, l.text)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ErrControlTotalMismatch is wrapped by the PlanError of every 总计 figure
// that disagrees with its district rows.
var ErrControlTotalMismatch = errors.New("control total disagrees with its rows")

// PlanSum holds column sums of district rows.
type PlanSum struct {
	Rows        int // number of district rows summed
	Communities int
	Households  int
	FloorAreaM2 decimal.Decimal
}

func (s *PlanSum) add(r PlanRow) {
	s.Rows++
	s.Communities += r.Communities
	s.Households += r.Households
	s.FloorAreaM2 = s.FloorAreaM2.Add(r.FloorAreaM2)
}

// Sum sums all district rows (总计 rows excluded).
func (t *PlanTable) Sum() PlanSum {
	var s PlanSum
	for _, r := range t.Rows {
		s.add(r)
	}
	return s
}

// SumYear sums the district rows of one year.
func (t *PlanTable) SumYear(year int) PlanSum {
	var s PlanSum
	for _, r := range t.Rows {
		if r.Year == year {
			s.add(r)
		}
	}
	return s
}

// SumByYear sums the district rows per year.
func (t *PlanTable) SumByYear() map[int]PlanSum {
	m := make(map[int]PlanSum)
	for _, r := range t.Rows {
		s := m[r.Year]
		s.add(r)
		m[r.Year] = s
	}
	return m
}

// Total returns the 总计 row of a year.
func (t *PlanTable) Total(year int) (PlanRow, bool) {
	for _, r := range t.Totals {
		if r.Year == year {
			return r, true
		}
	}
	return PlanRow{}, false
}

// PlanError is one problem that makes a plan file unacceptable.
type PlanError struct {
	File   string
	Row    int    // 1-based; header = row 1; 0 if not about a row
	Column int    // 1-based; 0 if not about a column
	Field  string // column name
	Reason string
	Err    error // a named error callers tell apart (ErrControlTotalMismatch), or nil
	// Of a control total that disagrees (Err is ErrControlTotalMismatch),
	// for callers that show the figures in their own words: the figure
	// the 总计 row states, the sum of its year's district rows, and how
	// many rows were summed. Not valid for other errors.
	Stated, Computed decimal.NullDecimal
	SummedRows       int
}

// Unwrap returns the named error, if any.
func (e PlanError) Unwrap() error { return e.Err }

func (e PlanError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Row > 0 {
		fmt.Fprintf(&b, ": row %d", e.Row)
	}
	switch {
	case e.Column > 0 && e.Field != "":
		fmt.Fprintf(&b, ", column %d (%s)", e.Column, e.Field)
	case e.Column > 0:
		fmt.Fprintf(&b, ", column %d", e.Column)
	case e.Field != "":
		fmt.Fprintf(&b, ", %s", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// PlanErrors is every error found in a plan file (at most MaxPlanErrors,
// plus one closing entry when reading stopped early). A file with any error
// is refused whole.
type PlanErrors []PlanError

func (es PlanErrors) Error() string {
	switch len(es) {
	case 0:
		return "no errors"
	case 1:
		return es[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d errors:", len(es))
	for _, e := range es {
		b.WriteString("\n\t")
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap lets errors.As find a single PlanError.
func (es PlanErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// ReadPlanFile reads and validates a plan file (CSV in UTF-8 or GBK, or
// XLSX). The format is detected from the content and the extension.
func ReadPlanFile(path string) (*PlanTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read plan file: %w", err)
	}
	defer f.Close()
	return ReadPlan(path, f, "")
}

// ReadPlan reads and validates a plan table from r. name is used in
// errors and warnings. format is PlanFormatCSV, PlanFormatXLSX, or "" to
// detect it from the content (a zip is XLSX) and the extension of name.
// On any validation error it returns nil and a PlanErrors.
func ReadPlan(name string, r io.Reader, format string) (*PlanTable, error) {
	return ReadPlanWith(name, r, PlanReadOptions{Format: format})
}

// PlanReadOptions are the choices of ReadPlanWith.
type PlanReadOptions struct {
	Format string // PlanFormatCSV, PlanFormatXLSX or "" (detect)
	// AcceptControlTotalMismatch is the reason a person gives for
	// accepting a table whose 总计 rows disagree with its district rows.
	// Empty (the default): such a table is refused whole, every
	// disagreement listed with its row, column, stated and computed figure.
	AcceptControlTotalMismatch string
}

// ReadPlanWith is ReadPlan with options.
func ReadPlanWith(name string, r io.Reader, o PlanReadOptions) (*PlanTable, error) {
	format := o.Format
	data, err := io.ReadAll(io.LimitReader(r, MaxPlanFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read plan file %s: %w", name, err)
	}
	fail := func(reason string) (*PlanTable, error) {
		return nil, PlanErrors{{File: name, Reason: reason}}
	}
	if len(data) > MaxPlanFileSize {
		return fail(fmt.Sprintf("file larger than %d bytes", MaxPlanFileSize))
	}
	format, err = detectPlanFormat(name, data, format)
	if err != nil {
		return fail(err.Error())
	}
	var recs []planRecord
	var perr *PlanError
	if format == PlanFormatXLSX {
		recs, perr = xlsxPlanRecords(name, data)
	} else {
		recs, perr = csvPlanRecords(name, data)
	}
	if perr != nil {
		return nil, PlanErrors{*perr}
	}
	t, errs := parsePlanRecords(name, recs)
	if len(errs) > 0 {
		return nil, errs
	}
	t.SHA256 = PlanContentSHA256(t.Rows, t.Totals)
	t.Warnings = planWarnings(t)
	t.ControlTotalMismatches = planControlTotals(t)
	if len(t.ControlTotalMismatches) > 0 {
		reason := strings.TrimSpace(o.AcceptControlTotalMismatch)
		if reason == "" {
			return nil, PlanErrors(t.ControlTotalMismatches)
		}
		if !utf8.ValidString(reason) || len(reason) > MaxPlanAcceptReason {
			return nil, PlanErrors{{File: name, Reason: fmt.Sprintf("the reason for accepting the control totals must be UTF-8 text of at most %d bytes", MaxPlanAcceptReason)}}
		}
		t.AcceptedMismatch = reason
		for _, e := range t.ControlTotalMismatches {
			t.Warnings = append(t.Warnings, PlanWarning{File: name, Row: e.Row, Field: e.Field, Message: e.Reason + " (accepted: " + reason + ")"})
		}
	}
	return t, nil
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
)

func detectPlanFormat(name string, data []byte, format string) (string, error) {
	isZip := bytes.HasPrefix(data, zipMagic)
	if bytes.HasPrefix(data, oleMagic) {
		return "", errors.New("legacy .xls (or encrypted) workbook is not supported; save it as .xlsx or .csv")
	}
	switch strings.ToLower(format) {
	case PlanFormatXLSX:
		if !isZip {
			return "", errors.New("declared xlsx but the content is not a zip archive")
		}
		return PlanFormatXLSX, nil
	case PlanFormatCSV:
		if isZip {
			return "", errors.New("declared csv but the content is a zip archive (xlsx?)")
		}
		return PlanFormatCSV, nil
	case "":
	default:
		return "", fmt.Errorf("unknown format %q (want %q or %q)", format, PlanFormatCSV, PlanFormatXLSX)
	}
	if isZip {
		return PlanFormatXLSX, nil
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		return "", errors.New("extension says xlsx but the content is not a zip archive")
	}
	return PlanFormatCSV, nil
}

// planRecord is one non-empty line of the file.
type planRecord struct {
	row    int
	fields []string
}

func csvPlanRecords(name string, data []byte) ([]planRecord, *PlanError) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	text := string(data)
	if !utf8.Valid(data) {
		// The GBK decoder turns bytes that are not GBK into U+FFFD.
		dec, err := simplifiedchinese.GBK.NewDecoder().Bytes(data)
		if err != nil {
			return nil, &PlanError{File: name, Reason: "text is neither UTF-8 nor GBK: " + err.Error()}
		}
		if i := bytes.IndexRune(dec, utf8.RuneError); i >= 0 {
			// Report the row where the encoding that got further broke:
			// that is most likely the encoding the file was meant to be in.
			gbkRow := 1 + bytes.Count(dec[:i], []byte("\n"))
			utfRow := 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte("\n"))
			return nil, &PlanError{File: name, Row: max(gbkRow, utfRow), Reason: fmt.Sprintf(
				"text is neither UTF-8 nor GBK (first invalid UTF-8 on row %d, invalid GBK on row %d)", utfRow, gbkRow)}
		}
		text = string(dec)
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	var recs []planRecord
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &PlanError{File: name, Row: pe.Line, Reason: "CSV syntax: " + pe.Err.Error()}
			}
			return nil, &PlanError{File: name, Reason: err.Error()}
		}
		line, _ := cr.FieldPos(0)
		recs = append(recs, planRecord{row: line, fields: fields})
	}
}

// firstInvalidUTF8 returns the offset of the first byte that is not part
// of a valid UTF-8 sequence, or len(b).
func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func xlsxPlanRecords(name string, data []byte) ([]planRecord, *PlanError) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 256 << 20})
	if err != nil {
		return nil, &PlanError{File: name, Reason: "cannot open xlsx: " + err.Error()}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, &PlanError{File: name, Reason: "workbook has no sheet"}
	}
	rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, &PlanError{File: name, Reason: fmt.Sprintf("cannot read sheet %q: %v", sheets[0], err)}
	}
	var recs []planRecord
	for i, cells := range rows {
		empty := true
		for j, c := range cells {
			cells[j] = normalizeXLSXNumber(c)
			if strings.TrimSpace(c) != "" {
				empty = false
			}
		}
		if empty {
			continue // like encoding/csv, skip empty lines
		}
		recs = append(recs, planRecord{row: i + 1, fields: cells})
	}
	return recs, nil
}

var xlsxFloat = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// normalizeXLSXNumber rewrites a numeric cell stored in floating-point
// notation (Excel writes e.g. "852952.93000000003" or "1.2E+6") as the
// shortest decimal that round-trips, so that 852952.93 is read as typed.
// Integers written without '.' or exponent are left untouched (exact).
func normalizeXLSXNumber(s string) string {
	if !strings.ContainsAny(s, ".eE") || !xlsxFloat.MatchString(s) {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func cleanCell(s string) string {
	return strings.TrimSpace(strings.TrimPrefix(s, "\uFEFF"))
}

func parsePlanRecords(name string, recs []planRecord) (*PlanTable, PlanErrors) {
	var errs PlanErrors
	full := false
	add := func(e PlanError) {
		if full {
			return
		}
		if len(errs) == MaxPlanErrors {
			errs = append(errs, PlanError{File: name, Row: e.Row,
				Reason: fmt.Sprintf("more than %d errors; rows from here on were not checked", MaxPlanErrors)})
			full = true
			return
		}
		e.File = name
		errs = append(errs, e)
	}
	if len(recs) == 0 {
		add(PlanError{Row: 1, Reason: "empty file: no header " + strings.Join(PlanColumns, ",")})
		return nil, errs
	}
	head := recs[0]
	for i, want := range PlanColumns {
		if i >= len(head.fields) {
			add(PlanError{Row: head.row, Column: i + 1, Field: want,
				Reason: fmt.Sprintf("header column %q is missing (header must be %s)", want, strings.Join(PlanColumns, ","))})
			continue
		}
		if got := cleanCell(head.fields[i]); got != want {
			add(PlanError{Row: head.row, Column: i + 1, Field: want,
				Reason: fmt.Sprintf("header is %q, want %q (header must be %s)", got, want, strings.Join(PlanColumns, ","))})
		}
	}
	for i := len(PlanColumns); i < len(head.fields); i++ {
		add(PlanError{Row: head.row, Column: i + 1, Field: cleanCell(head.fields[i]),
			Reason: fmt.Sprintf("unexpected header column %q (header must be %s)", cleanCell(head.fields[i]), strings.Join(PlanColumns, ","))})
	}
	if len(errs) > 0 {
		return nil, errs // without the right header the rows mean nothing
	}

	t := &PlanTable{File: name}
	type key struct {
		district string
		year     int
	}
	seen := make(map[key]int)
	for _, rec := range recs[1:] {
		if full {
			break
		}
		if len(rec.fields) != len(PlanColumns) {
			add(PlanError{Row: rec.row, Reason: fmt.Sprintf("has %d fields, want %d (%s)", len(rec.fields), len(PlanColumns), strings.Join(PlanColumns, ","))})
			continue
		}
		pr := PlanRow{Row: rec.row}
		ok := true
		bad := func(col int, reason string) {
			add(PlanError{Row: rec.row, Column: col + 1, Field: PlanColumns[col], Reason: reason})
			ok = false
		}
		for col, cell := range rec.fields {
			if !utf8.ValidString(cell) { // an XLSX cell; CSV text is decoded whole
				bad(col, "text is not valid UTF-8")
			}
		}
		if !ok {
			continue
		}
		f := func(col int) string { return cleanCell(rec.fields[col]) }

		if pr.District = f(0); pr.District == "" {
			bad(0, "empty")
		}
		if y, reason := parsePlanInt(f(1)); reason != "" {
			bad(1, reason)
		} else if y < PlanFirstYear || y > PlanLastYear {
			bad(1, fmt.Sprintf("year %d outside %d..%d", y, PlanFirstYear, PlanLastYear))
		} else {
			pr.Year = y
		}
		if n, reason := parsePlanInt(f(2)); reason != "" {
			bad(2, reason)
		} else {
			pr.Communities = n
		}
		if n, reason := parsePlanInt(f(3)); reason != "" {
			bad(3, reason)
		} else {
			pr.Households = n
		}
		if d, reason := parsePlanArea(f(4)); reason != "" {
			bad(4, reason)
		} else {
			pr.FloorAreaM2 = d
		}
		if pr.District == "" || pr.Year == 0 {
			continue // no key to check for duplicates
		}
		k := key{pr.District, pr.Year}
		if first, dup := seen[k]; dup {
			add(PlanError{Row: rec.row, Field: PlanColDistrict + "," + PlanColYear,
				Reason: fmt.Sprintf("duplicate row for %s %d (first at row %d)", pr.District, pr.Year, first)})
			continue
		}
		seen[k] = rec.row
		if !ok {
			continue
		}
		if pr.District == PlanTotalLabel {
			t.Totals = append(t.Totals, pr)
		} else {
			t.Rows = append(t.Rows, pr)
		}
	}
	if len(errs) == 0 && len(t.Rows) == 0 {
		add(PlanError{Reason: "no district rows"})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return t, nil
}

// parsePlanInt parses a non-negative decimal integer (digits only).
func parsePlanInt(s string) (int, string) {
	if s == "" {
		return 0, "empty"
	}
	if strings.HasPrefix(s, "-") {
		if _, err := strconv.Atoi(s); err == nil {
			return 0, fmt.Sprintf("negative: %s", s)
		}
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, fmt.Sprintf("not a non-negative integer: %q", s)
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Sprintf("integer out of range: %s", s)
	}
	return n, ""
}

// planAreaFormat: an area is a plain decimal with at most 2 decimals
// (trailing zeros beyond that are allowed: 1.50 and 1.500 are 1.5).
var planAreaFormat = amount.Format{Places: 2, Negative: true, TrailingZeros: true}

// parsePlanArea parses a non-negative decimal with at most 2 decimals.
func parsePlanArea(s string) (decimal.Decimal, string) {
	if s == "" {
		return decimal.Decimal{}, "empty"
	}
	d, err := planAreaFormat.Parse(s)
	switch {
	case errors.Is(err, amount.ErrPlaces):
		return decimal.Decimal{}, fmt.Sprintf("more than 2 decimals: %s", s)
	case err != nil:
		return decimal.Decimal{}, fmt.Sprintf("not a decimal number: %v", err)
	case d.IsNegative():
		return decimal.Decimal{}, fmt.Sprintf("negative: %s", s)
	}
	return d, ""
}

// planWarnings computes the warnings of a valid table, in this order:
// row checks in row order (zero consistency, floor area per household,
// households per community), then for each year of the plan the 总计 row
// against the district rows.
func planWarnings(t *PlanTable) []PlanWarning {
	var ws []PlanWarning
	warn := func(row int, field, format string, args ...any) {
		ws = append(ws, PlanWarning{File: t.File, Row: row, Field: field, Message: fmt.Sprintf(format, args...)})
	}

	// Ratios are only meaningful where both numbers are positive. Rows with
	// a zero in one column but not the others get their own warning below;
	// rows that are zero in every column (e.g. 经区 2023–2025: nothing
	// planned that year) are fine and get no warning at all.
	areaPerHH := make(map[int]decimal.Decimal)
	hhPerComm := make(map[int]decimal.Decimal)
	var areaRatios, hhRatios []decimal.Decimal
	for i, r := range t.Rows {
		if r.Households > 0 && r.FloorAreaM2.IsPositive() {
			q := r.FloorAreaM2.Div(decimal.NewFromInt(int64(r.Households)))
			areaPerHH[i] = q
			areaRatios = append(areaRatios, q)
		}
		if r.Communities > 0 && r.Households > 0 {
			q := decimal.NewFromInt(int64(r.Households)).Div(decimal.NewFromInt(int64(r.Communities)))
			hhPerComm[i] = q
			hhRatios = append(hhRatios, q)
		}
	}
	areaMedian := medianDecimal(areaRatios)
	hhMedian := medianDecimal(hhRatios)
	factor := decimal.NewFromInt(PlanOutlierFactor)

	for i, r := range t.Rows {
		// 1. zero consistency: all zero or none zero.
		var zero, nonzero []string
		check := func(col string, isZero bool, val string) {
			if isZero {
				zero = append(zero, col)
			} else {
				nonzero = append(nonzero, col+" = "+val)
			}
		}
		check(PlanColCommunities, r.Communities == 0, strconv.Itoa(r.Communities))
		check(PlanColHouseholds, r.Households == 0, strconv.Itoa(r.Households))
		check(PlanColFloorArea, r.FloorAreaM2.IsZero(), r.FloorAreaM2.String())
		if len(zero) > 0 && len(nonzero) > 0 {
			verb := "is"
			if len(zero) > 1 {
				verb = "are"
			}
			warn(r.Row, strings.Join(zero, ","), "%s %d: %s %s 0 but %s; a row is either all zero (nothing planned) or all non-zero",
				r.District, r.Year, strings.Join(zero, " and "), verb, strings.Join(nonzero, ", "))
		}

		// 2. floor area per household.
		if q, ok := areaPerHH[i]; ok {
			if rel, high, out := outlier(q, areaMedian, factor); out {
				hint := "check 建筑面积 and 户数"
				if k := digitShift(rel); k != 0 {
					scale := decimal.New(1, int32(k))
					if high {
						hint = fmt.Sprintf("%s in 建筑面积? (%s m² would give %s m²/household)",
							digits(k, "too many"), r.FloorAreaM2.Div(scale).String(), q.Div(scale).StringFixed(1))
					} else {
						hint = fmt.Sprintf("%s in 建筑面积? (%s m² would give %s m²/household)",
							digits(k, "missing"), r.FloorAreaM2.Mul(scale).String(), q.Mul(scale).StringFixed(1))
					}
				}
				warn(r.Row, PlanColFloorArea+"/"+PlanColHouseholds,
					"%s %d: %s m² for %d households = %s m²/household; median of district rows %s m²/household (%s); %s",
					r.District, r.Year, r.FloorAreaM2.String(), r.Households, q.StringFixed(1), areaMedian.StringFixed(1), relText(rel, high), hint)
			}
		}

		// 3. households per community.
		if q, ok := hhPerComm[i]; ok {
			if rel, high, out := outlier(q, hhMedian, factor); out {
				hint := "unusually large communities: check 户数 and 小区个数"
				if !high {
					hint = "unusually small communities: check 户数 and 小区个数"
				}
				warn(r.Row, PlanColHouseholds+"/"+PlanColCommunities,
					"%s %d: %d households in %d communities = %s households/community; median of district rows %s households/community (%s); %s",
					r.District, r.Year, r.Households, r.Communities, q.StringFixed(1), hhMedian.StringFixed(1), relText(rel, high), hint)
			}
		}
	}

	// 4. 总计 rows against the district rows, per year and column.
	sums := t.SumByYear()
	years := make(map[int]bool)
	for y := PlanFirstYear; y <= PlanLastYear; y++ {
		years[y] = true
	}
	for y := range sums {
		years[y] = true
	}
	var ys []int
	for y := range years {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	for _, y := range ys {
		s, hasRows := sums[y]
		_, hasTotal := t.Total(y) // a 总计 row that disagrees is an error (planControlTotals), not a warning
		switch {
		case !hasRows && !hasTotal:
			warn(0, PlanColYear, "year %d: no rows at all (the plan covers %d–%d)", y, PlanFirstYear, PlanLastYear)
			continue
		case !hasTotal:
			warn(0, PlanColYear, "year %d: no %s row; the %d district rows (%d communities, %d households, %s m²) cannot be checked against a stated total",
				y, PlanTotalLabel, s.Rows, s.Communities, s.Households, s.FloorAreaM2.String())
		}
	}
	return ws
}

// MaxPlanAcceptReason bounds the reason given for accepting a table whose
// control totals disagree.
const MaxPlanAcceptReason = 1000

// planControlTotals compares every 总计 row with the sum of its year's
// district rows, column by column: one PlanError (wrapping
// ErrControlTotalMismatch) per figure that disagrees, in row order.
func planControlTotals(t *PlanTable) []PlanError {
	sums := t.SumByYear()
	var errs []PlanError
	for _, tot := range t.Totals {
		s := sums[tot.Year]
		cmp := func(col int, stated, computed decimal.Decimal) {
			if d := stated.Sub(computed); !d.IsZero() {
				errs = append(errs, PlanError{File: t.File, Row: tot.Row, Column: col + 1, Field: PlanColumns[col], Err: ErrControlTotalMismatch,
					Stated: decimal.NewNullDecimal(stated), Computed: decimal.NewNullDecimal(computed), SummedRows: s.Rows,
					Reason: fmt.Sprintf("%s %d %s: stated %s, sum of %d district rows %s, difference %s; a table whose total disagrees with its rows is refused whole unless accepted with a reason",
						PlanTotalLabel, tot.Year, PlanColumns[col], stated.String(), s.Rows, computed.String(), d.String())})
			}
		}
		cmp(2, decimal.NewFromInt(int64(tot.Communities)), decimal.NewFromInt(int64(s.Communities)))
		cmp(3, decimal.NewFromInt(int64(tot.Households)), decimal.NewFromInt(int64(s.Households)))
		cmp(4, tot.FloorAreaM2, s.FloorAreaM2)
	}
	return errs
}

// medianDecimal returns the median (mean of the two middle values for an
// even count); zero for an empty list.
func medianDecimal(xs []decimal.Decimal) decimal.Decimal {
	if len(xs) == 0 {
		return decimal.Zero
	}
	s := append([]decimal.Decimal(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i].LessThan(s[j]) })
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return s[n/2-1].Add(s[n/2]).Div(decimal.NewFromInt(2))
}

// outlier reports whether q is more than factor times, or less than
// 1/factor of, the median. rel is q/median when high, median/q when low.
func outlier(q, median, factor decimal.Decimal) (rel decimal.Decimal, high, out bool) {
	if !median.IsPositive() || !q.IsPositive() {
		return decimal.Zero, false, false
	}
	if q.GreaterThan(median.Mul(factor)) {
		return q.Div(median), true, true
	}
	if q.Mul(factor).LessThan(median) {
		return median.Div(q), false, true
	}
	return decimal.Zero, false, false
}

func relText(rel decimal.Decimal, high bool) string {
	if high {
		return rel.StringFixed(1) + "× the median"
	}
	return "1/" + rel.StringFixed(1) + " of the median"
}

// digitShift returns the power of ten nearest to rel (≥ 1), e.g. 10.4 → 1.
func digitShift(rel decimal.Decimal) int {
	f, _ := rel.Float64()
	if f <= 0 {
		return 0
	}
	return int(math.Round(math.Log10(f)))
}

func digits(k int, what string) string {
	if k == 1 {
		return "a digit " + what
	}
	return fmt.Sprintf("%d digits %s", k, what)
}
