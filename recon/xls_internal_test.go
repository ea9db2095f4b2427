package recon

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"
)

// TestXLSSharedStringsAcrossRecords: a shared string whose characters go
// on in a CONTINUE record is read whole, the continuation's own flags byte
// saying its characters are compressed while the first part's were
// UTF-16; a string table cut short is refused.
func TestXLSSharedStringsAcrossRecords(t *testing.T) {
	head := []byte{4, 0, 0, 0, 2, 0, 0, 0}          // total 4, unique 2
	abc := []byte{3, 0, 0, 'a', 'b', 'c'}           // 3 compressed characters
	wide := []byte{4, 0, 1, 0x2D, 0x4E, 0x87, 0x65} // 4 UTF-16 characters: 中文 here…
	rest := []byte{0, 'x', 'y'}                     // …then, compressed, xy
	got, err := readSST([][]byte{slices.Concat(head, abc, wide), rest})
	if err != nil || !slices.Equal(got, []string{"abc", "中文xy"}) {
		t.Errorf("got %q, %v", got, err)
	}
	if _, err := readSST([][]byte{slices.Concat(head, abc, wide)}); !errors.Is(err, errXLSDamaged) {
		t.Errorf("cut short: %v", err)
	}
}

// TestXLSCellBound: a sheet whose rows reach the last column is refused
// once it would keep more than xlsMaxCells cells, before using the
// memory (each row kept is 256 cells).
func TestXLSCellBound(t *testing.T) {
	rec := func(typ uint16, data []byte) []byte {
		b := binary.LittleEndian.AppendUint16(nil, typ)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(data)))
		return append(b, data...)
	}
	stream := rec(biffBOF, []byte{0, 6, 0x10, 0})
	rows := xlsMaxCells/xlsMaxColumns + 1
	for r := range rows {
		d := binary.LittleEndian.AppendUint16(nil, uint16(r))
		d = binary.LittleEndian.AppendUint16(d, xlsMaxColumns-1)
		d = append(d, 0, 0, 0x02, 0, 0, 0) // xf 0, RK integer 0
		stream = append(stream, rec(biffRK, d)...)
	}
	_, err := xlsCells(&biffReader{stream: stream}, nil)
	var re RowError
	if !errors.As(err, &re) || re.Err != ErrStatementTooManyRows || re.Limit != xlsMaxCells || re.Row != rows {
		t.Errorf("%d rows of 256 cells: %v", rows, err)
	}
	// One row fewer is read.
	stream = stream[:len(stream)-14]
	if recs, err := xlsCells(&biffReader{stream: stream}, nil); err != nil || len(recs) != rows-1 {
		t.Errorf("%d rows: %d records, %v", rows-1, len(recs), err)
	}
}
