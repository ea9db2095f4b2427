package funding

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// FuzzReadPlan: whatever the bytes (CSV in UTF-8 or GBK, or an XLSX),
// ReadPlan never panics; what it accepts has every 总计 agreeing with its
// district rows (no reason was given to accept otherwise), non-negative
// figures, and an identity that does not depend on a BOM or line ends.
func FuzzReadPlan(f *testing.F) {
	if data, err := os.ReadFile("../internal/demo/data/weihai-plan-2020-2025.csv"); err == nil {
		f.Add(data)
	}
	if data, err := os.ReadFile("testdata/plan/weihai-gbk.csv"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(planHeaderFuzz + "A,2020,1,10,100.5\n总计,2020,1,10,100.50\n"))
	f.Add([]byte(planHeaderFuzz + "A,2020,1,10,1e3\n总计,2020,1,11,100\n"))
	f.Add([]byte("\xEF\xBB\xBF" + planHeaderFuzz + "A,2020,1,10,100\r\n"))
	x := excelize.NewFile()
	for i, row := range [][]any{{"区市", "年度", "小区个数", "户数", "建筑面积"}, {"A", 2020, 1, 10, 852952.93}, {"总计", 2020, 1, 10, 852952.93}} {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			_ = x.SetCellValue("Sheet1", cell, v)
		}
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err == nil {
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ReadPlan("f.csv", bytes.NewReader(data), "")
		if err != nil {
			var es PlanErrors
			if !errors.As(err, &es) {
				t.Fatalf("error %v is not PlanErrors", err)
			}
			return
		}
		if len(tab.ControlTotalMismatches) > 0 {
			t.Fatalf("accepted %d control-total mismatches without a reason", len(tab.ControlTotalMismatches))
		}
		for _, r := range append(append([]PlanRow{}, tab.Rows...), tab.Totals...) {
			if r.Communities < 0 || r.Households < 0 || r.FloorAreaM2.IsNegative() || !r.FloorAreaM2.Equal(r.FloorAreaM2.Truncate(2)) {
				t.Fatalf("row %d: %+v", r.Row, r)
			}
		}
		if bytes.HasPrefix(data, []byte("PK")) || !bytes.Contains(data, []byte("\n")) {
			return
		}
		again, err := ReadPlan("g.csv", bytes.NewReader([]byte("\xEF\xBB\xBF"+strings.ReplaceAll(string(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))), "\r\n", "\n"))), "csv")
		if err == nil && again.SHA256 != tab.SHA256 {
			t.Fatalf("identity changed with a BOM and LF line ends: %s vs %s", tab.SHA256, again.SHA256)
		}
	})
}

const planHeaderFuzz = "区市,年度,小区个数,户数,建筑面积\n"
