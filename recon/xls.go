package recon

// Reading legacy Excel workbooks (.xls, BIFF8 in an OLE2 compound file),
// as ABC's 企业网银 and the rural commercial banks deliver their account
// details. The compound file is opened with github.com/richardlehane/mscfb
// (Apache-2.0; excelize's own dependency, which checks the sector chains
// for cycles); the cell records of the first worksheet are read here.
//
// Why not an .xls library: github.com/shakinm/xlsReader is GPL-3.0, and
// github.com/extrame/xls (Apache-2.0, unchanged since 2017) calls
// log.Fatal on a broken sector chain, loops on a cyclic one and turns a
// date cell stored as RK into "2006.01" (the day lost).
//
// Cells come out as XLSX cells read raw do: text as text, numbers in the
// shortest decimal that reads back as the stored double, date and
// date-time cells as their Excel serials (parseDate reads those). A
// formula gives its cached result. Whatever the bytes, the reader returns
// an error and does not panic: every read is bounds-checked, and a
// recover at the boundary turns a missed case into ErrStatementFile.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf16"

	"github.com/richardlehane/mscfb"
)

// BIFF record types read here.
const (
	biffBOF        = 0x0809
	biffEOF        = 0x000A
	biffBoundSheet = 0x0085
	biffSST        = 0x00FC
	biffContinue   = 0x003C
	biffLabelSST   = 0x00FD
	biffLabel      = 0x0204
	biffNumber     = 0x0203
	biffRK         = 0x027E
	biffMulRK      = 0x00BD
	biffFormula    = 0x0006
	biffString     = 0x0207
	biffBoolErr    = 0x0205
	biffFilePass   = 0x002F
	xlsMaxColumns  = 256 // BIFF8's column limit
	// xlsMaxCells bounds the cells kept from one sheet (a row is kept up
	// to its last filled column): 200,000 lines of 20 columns.
	xlsMaxCells = MaxStatementLines * 20
)

// errXLSDamaged is the reason given for a workbook whose records do not
// hold together.
var errXLSDamaged = errors.New("the .xls workbook is damaged or truncated")

// xlsRecords reads the first worksheet of a BIFF8 workbook into records.
// A panic in the reader (a case the bounds checks missed) is recovered
// and reported as a damaged workbook.
func xlsRecords(data []byte) (recs []record, err error) {
	defer func() {
		if p := recover(); p != nil {
			recs, err = nil, fmt.Errorf("%w (%v)", errXLSDamaged, p)
		}
	}()
	stream, err := xlsWorkbookStream(data)
	if err != nil {
		return nil, err
	}
	return xlsSheetRecords(stream)
}

// xlsWorkbookStream returns the Workbook stream of the compound file.
func xlsWorkbookStream(data []byte) ([]byte, error) {
	doc, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errXLSDamaged, err)
	}
	for {
		f, err := doc.Next()
		if err == io.EOF {
			return nil, errors.New("no Workbook stream: not an Excel workbook (or an encrypted one); save it as .xlsx or .csv")
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errXLSDamaged, err)
		}
		switch f.Name {
		case "Workbook":
			if f.Size > MaxStatementFileSize || f.Size < 0 {
				return nil, fmt.Errorf("%w: stream size %d", errXLSDamaged, f.Size)
			}
			buf := make([]byte, f.Size)
			if _, err := io.ReadFull(f, buf); err != nil {
				return nil, fmt.Errorf("%w: %v", errXLSDamaged, err)
			}
			return buf, nil
		case "Book":
			return nil, errors.New("an Excel 5.0/95 workbook (BIFF5) is not read; save it as .xlsx or .csv")
		}
	}
}

// biffRecord is one record of the stream.
type biffRecord struct {
	typ  uint16
	data []byte
}

// biffReader walks the records of a stream.
type biffReader struct {
	stream []byte
	pos    int
}

func (r *biffReader) next() (biffRecord, bool, error) {
	if r.pos >= len(r.stream) {
		return biffRecord{}, false, nil
	}
	if r.pos+4 > len(r.stream) {
		return biffRecord{}, false, fmt.Errorf("%w: record header cut at byte %d", errXLSDamaged, r.pos)
	}
	typ := binary.LittleEndian.Uint16(r.stream[r.pos:])
	size := int(binary.LittleEndian.Uint16(r.stream[r.pos+2:]))
	start := r.pos + 4
	if start+size > len(r.stream) {
		return biffRecord{}, false, fmt.Errorf("%w: record 0x%04X at byte %d runs past the end", errXLSDamaged, typ, r.pos)
	}
	r.pos = start + size
	return biffRecord{typ, r.stream[start:r.pos]}, true, nil
}

// xlsSheetRecords reads the workbook globals (the shared strings and the
// sheets) and then the first worksheet's cells.
func xlsSheetRecords(stream []byte) ([]record, error) {
	r := &biffReader{stream: stream}
	first, ok, err := r.next()
	if err != nil {
		return nil, err
	}
	if !ok || first.typ != biffBOF || len(first.data) < 4 {
		return nil, fmt.Errorf("%w: no BIFF header", errXLSDamaged)
	}
	if v := binary.LittleEndian.Uint16(first.data); v != 0x0600 {
		return nil, fmt.Errorf("BIFF version 0x%04X is not Excel 97–2003 (BIFF8); save it as .xlsx or .csv", v)
	}
	var sst []string
	sheetPos := -1
	for {
		rec, ok, err := r.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%w: workbook globals have no end", errXLSDamaged)
		}
		if rec.typ == biffEOF {
			break
		}
		switch rec.typ {
		case biffFilePass:
			return nil, errors.New("the .xls workbook is password-protected; save it unprotected as .xlsx or .csv")
		case biffBoundSheet:
			// lbPlyPos (4), hsState (1), dt (1): 0 is a worksheet.
			if sheetPos < 0 && len(rec.data) >= 6 && rec.data[5] == 0 {
				sheetPos = int(binary.LittleEndian.Uint32(rec.data))
			}
		case biffSST:
			parts := [][]byte{rec.data}
			for r.pos+4 <= len(r.stream) && binary.LittleEndian.Uint16(r.stream[r.pos:]) == biffContinue {
				c, _, err := r.next()
				if err != nil {
					return nil, err
				}
				parts = append(parts, c.data)
			}
			if sst, err = readSST(parts); err != nil {
				return nil, err
			}
		}
	}
	if sheetPos < 0 || sheetPos >= len(stream) {
		return nil, errors.New("workbook has no worksheet")
	}
	return xlsCells(&biffReader{stream: stream, pos: sheetPos}, sst)
}

// xlsCells reads a worksheet's cell records into rows.
func xlsCells(r *biffReader, sst []string) ([]record, error) {
	bof, ok, err := r.next()
	if err != nil {
		return nil, err
	}
	if !ok || bof.typ != biffBOF {
		return nil, fmt.Errorf("%w: the worksheet does not start where the workbook says", errXLSDamaged)
	}
	rows := map[int][]string{}
	maxRow, nCells := -1, 0
	set := func(row, col int, v string) error {
		if col >= xlsMaxColumns {
			return fmt.Errorf("%w: column %d", errXLSDamaged, col+1)
		}
		cells, ok := rows[row]
		if !ok && len(rows) > MaxStatementLines+maxHeaderSearchRows {
			return RowError{Err: ErrStatementTooManyRows, Limit: MaxStatementLines, Reason: fmt.Sprintf("more than %d rows", MaxStatementLines)}
		}
		if grow := col + 1 - len(cells); grow > 0 {
			if nCells += grow; nCells > xlsMaxCells {
				return RowError{Row: row + 1, Err: ErrStatementTooManyRows, Limit: xlsMaxCells, Reason: fmt.Sprintf("more than %d cells", xlsMaxCells)}
			}
			cells = append(cells, make([]string, grow)...)
		}
		cells[col] = v
		rows[row] = cells
		maxRow = max(maxRow, row)
		return nil
	}
	formulaRow, formulaCol := -1, -1 // a formula whose string result follows in a STRING record
	for {
		rec, ok, err := r.next()
		if err != nil {
			return nil, err
		}
		if !ok || rec.typ == biffEOF {
			break
		}
		d := rec.data
		if rec.typ != biffString && rec.typ != biffContinue {
			formulaRow = -1
		}
		switch rec.typ {
		case biffLabelSST:
			if len(d) < 10 {
				return nil, fmt.Errorf("%w: short text cell", errXLSDamaged)
			}
			i := int(binary.LittleEndian.Uint32(d[6:]))
			if i >= len(sst) {
				return nil, fmt.Errorf("%w: text cell refers to string %d of %d", errXLSDamaged, i, len(sst))
			}
			err = set(int(binary.LittleEndian.Uint16(d)), int(binary.LittleEndian.Uint16(d[2:])), sst[i])
		case biffLabel:
			if len(d) < 8 {
				return nil, fmt.Errorf("%w: short text cell", errXLSDamaged)
			}
			var s string
			if s, err = readXLString(d[6:]); err == nil {
				err = set(int(binary.LittleEndian.Uint16(d)), int(binary.LittleEndian.Uint16(d[2:])), s)
			}
		case biffNumber:
			if len(d) < 14 {
				return nil, fmt.Errorf("%w: short number cell", errXLSDamaged)
			}
			err = set(int(binary.LittleEndian.Uint16(d)), int(binary.LittleEndian.Uint16(d[2:])),
				xlsNumber(math.Float64frombits(binary.LittleEndian.Uint64(d[6:]))))
		case biffRK:
			if len(d) < 10 {
				return nil, fmt.Errorf("%w: short number cell", errXLSDamaged)
			}
			err = set(int(binary.LittleEndian.Uint16(d)), int(binary.LittleEndian.Uint16(d[2:])), xlsNumber(rkValue(binary.LittleEndian.Uint32(d[6:]))))
		case biffMulRK:
			// row, first column, (xf, rk) per cell, last column
			if len(d) < 12 || (len(d)-6)%6 != 0 {
				return nil, fmt.Errorf("%w: short number cells", errXLSDamaged)
			}
			row, col := int(binary.LittleEndian.Uint16(d)), int(binary.LittleEndian.Uint16(d[2:]))
			for i := 0; i < (len(d)-6)/6 && err == nil; i++ {
				err = set(row, col+i, xlsNumber(rkValue(binary.LittleEndian.Uint32(d[4+6*i+2:]))))
			}
		case biffFormula:
			if len(d) < 14 {
				return nil, fmt.Errorf("%w: short formula cell", errXLSDamaged)
			}
			row, col := int(binary.LittleEndian.Uint16(d)), int(binary.LittleEndian.Uint16(d[2:]))
			res := d[6:14]
			switch {
			case res[6] != 0xFF || res[7] != 0xFF:
				err = set(row, col, xlsNumber(math.Float64frombits(binary.LittleEndian.Uint64(res))))
			case res[0] == 0: // a string: in the STRING record that follows
				formulaRow, formulaCol = row, col
			case res[0] == 1:
				err = set(row, col, strconv.FormatBool(res[2] != 0))
			}
		case biffString:
			if formulaRow >= 0 {
				var s string
				if s, err = readXLString(d); err == nil {
					err = set(formulaRow, formulaCol, s)
				}
				formulaRow = -1
			}
		case biffBoolErr:
			if len(d) >= 8 && d[7] == 0 {
				err = set(int(binary.LittleEndian.Uint16(d)), int(binary.LittleEndian.Uint16(d[2:])), strconv.FormatBool(d[6] != 0))
			}
		}
		if err != nil {
			return nil, err
		}
	}
	recs := make([]record, 0, len(rows))
	for i := 0; i <= maxRow; i++ {
		cells, ok := rows[i]
		if !ok {
			continue
		}
		for _, c := range cells {
			if cleanText(c) != "" {
				recs = append(recs, record{row: i + 1, fields: cells})
				break
			}
		}
	}
	return recs, nil
}

// rkValue decodes an RK number: a 30-bit integer or the top 30 bits of a
// double, either possibly divided by 100.
func rkValue(rk uint32) float64 {
	var v float64
	if rk&2 != 0 {
		v = float64(int32(rk) >> 2)
	} else {
		v = math.Float64frombits(uint64(rk&^3) << 32)
	}
	if rk&1 != 0 {
		v /= 100
	}
	return v
}

// xlsNumber writes a number cell as xlsxNumber writes an XLSX one: the
// shortest decimal that reads back as the same double.
func xlsNumber(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// readXLString reads an XLUnicodeString (a LABEL cell, a formula's STRING
// result): character count, flags, the characters.
func readXLString(d []byte) (string, error) {
	if len(d) < 3 {
		return "", fmt.Errorf("%w: short string", errXLSDamaged)
	}
	n := int(binary.LittleEndian.Uint16(d))
	wide := d[2]&1 != 0
	d = d[3:]
	size := n
	if wide {
		size = 2 * n
	}
	if size > len(d) {
		return "", fmt.Errorf("%w: string runs past its record", errXLSDamaged)
	}
	return decodeBIFFChars(d[:size], wide), nil
}

func decodeBIFFChars(b []byte, wide bool) string {
	if !wide {
		// Compressed: the high byte of each UTF-16 unit is zero (Latin-1).
		u := make([]rune, len(b))
		for i, c := range b {
			u[i] = rune(c)
		}
		return string(u)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// sstReader reads the shared string table across its SST and CONTINUE
// records. A string's characters may be split between records; the
// continuation then starts with a flags byte saying whether the
// characters after it are compressed.
type sstReader struct {
	parts [][]byte
	part  int
	pos   int
}

func (s *sstReader) ensure() bool {
	for s.part < len(s.parts) && s.pos >= len(s.parts[s.part]) {
		s.part++
		s.pos = 0
	}
	return s.part < len(s.parts)
}

// bytes reads n bytes that may span records (no flags byte in between).
func (s *sstReader) bytes(n int) ([]byte, error) {
	out := make([]byte, 0, min(n, 1<<16))
	for len(out) < n {
		if !s.ensure() {
			return nil, fmt.Errorf("%w: shared strings cut short", errXLSDamaged)
		}
		take := min(n-len(out), len(s.parts[s.part])-s.pos)
		out = append(out, s.parts[s.part][s.pos:s.pos+take]...)
		s.pos += take
	}
	return out, nil
}

func (s *sstReader) skip(n int) error {
	for n > 0 {
		if !s.ensure() {
			return fmt.Errorf("%w: shared strings cut short", errXLSDamaged)
		}
		take := min(n, len(s.parts[s.part])-s.pos)
		s.pos += take
		n -= take
	}
	return nil
}

// chars reads n characters, starting compressed or not, re-reading the
// flags byte at each record boundary.
func (s *sstReader) chars(n int, wide bool) (string, error) {
	var out []byte
	var b bytes.Buffer
	for n > 0 {
		if s.part >= len(s.parts) {
			return "", fmt.Errorf("%w: shared strings cut short", errXLSDamaged)
		}
		if s.pos >= len(s.parts[s.part]) {
			s.part++
			s.pos = 0
			if s.part >= len(s.parts) || len(s.parts[s.part]) == 0 {
				return "", fmt.Errorf("%w: shared strings cut short", errXLSDamaged)
			}
			b.WriteString(decodeBIFFChars(out, wide))
			out = out[:0]
			wide = s.parts[s.part][0]&1 != 0
			s.pos = 1
			continue
		}
		width := 1
		if wide {
			width = 2
		}
		avail := (len(s.parts[s.part]) - s.pos) / width
		if avail == 0 {
			return "", fmt.Errorf("%w: a character split between records", errXLSDamaged)
		}
		take := min(n, avail)
		out = append(out, s.parts[s.part][s.pos:s.pos+take*width]...)
		s.pos += take * width
		n -= take
	}
	b.WriteString(decodeBIFFChars(out, wide))
	return b.String(), nil
}

// readSST reads the shared strings: a total and a unique count, then each
// string as character count, flags, [rich-text runs], [extension size],
// characters, runs, extension.
func readSST(parts [][]byte) ([]string, error) {
	s := &sstReader{parts: parts}
	head, err := s.bytes(8)
	if err != nil {
		return nil, err
	}
	unique := int(binary.LittleEndian.Uint32(head[4:]))
	total := 0
	for _, p := range parts {
		total += len(p)
	}
	if unique < 0 || unique > total/3 { // each string takes at least 3 bytes
		return nil, fmt.Errorf("%w: %d shared strings in %d bytes", errXLSDamaged, unique, total)
	}
	out := make([]string, 0, unique)
	for range unique {
		h, err := s.bytes(3)
		if err != nil {
			return nil, err
		}
		n, flags := int(binary.LittleEndian.Uint16(h)), h[2]
		runs, ext := 0, 0
		if flags&0x08 != 0 {
			b, err := s.bytes(2)
			if err != nil {
				return nil, err
			}
			runs = int(binary.LittleEndian.Uint16(b))
		}
		if flags&0x04 != 0 {
			b, err := s.bytes(4)
			if err != nil {
				return nil, err
			}
			ext = int(binary.LittleEndian.Uint32(b))
			if ext > total {
				return nil, fmt.Errorf("%w: string extension of %d bytes", errXLSDamaged, ext)
			}
		}
		str, err := s.chars(n, flags&0x01 != 0)
		if err != nil {
			return nil, err
		}
		if err := s.skip(4*runs + ext); err != nil {
			return nil, err
		}
		out = append(out, str)
	}
	return out, nil
}
