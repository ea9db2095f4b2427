package recon_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fundledger/recon"
)

// ccbRow is one line of a CCB-style account detail export.
type ccbRow struct {
	at           time.Time // 交易时间, written as an Excel date-time cell
	out, in      float64   // 借方发生额（支取）, 贷方发生额（收入）: numeric cells, as the bank writes them
	balance      float64
	name, acct   string
	memo, serial string
}

// ccbXLSX builds a workbook laid out as CCB's 企业网银 export: a merged
// title row, an account row, the header, lines with 交易时间 as real
// date-time cells (serials with a fraction), a 合计 row and a print stamp.
func ccbXLSX(t *testing.T, rows []ccbRow) []byte {
	t.Helper()
	x := excelize.NewFile()
	sh := x.GetSheetName(0)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(x.SetCellValue(sh, "A1", "中国建设银行单位客户账户明细信息"))
	must(x.MergeCell(sh, "A1", "Q1"))
	must(x.SetCellValue(sh, "A2", "账号：37050100000000000001"))
	must(x.MergeCell(sh, "A2", "Q2"))
	head := []string{"账号", "账户名称", "交易时间", "借方发生额（支取）", "贷方发生额（收入）", "余额", "币种", "对方户名", "对方账号",
		"对方开户机构", "记账日期", "摘要", "备注", "账户明细编号-交易流水号", "企业流水号", "凭证种类", "凭证号"}
	for j, h := range head {
		c, _ := excelize.CoordinatesToCellName(j+1, 3)
		must(x.SetCellValue(sh, c, h))
	}
	style, err := x.NewStyle(&excelize.Style{NumFmt: 22}) // m/d/yy h:mm
	must(err)
	r := 4
	for _, l := range rows {
		set := func(col int, v any) {
			c, _ := excelize.CoordinatesToCellName(col, r)
			must(x.SetCellValue(sh, c, v))
		}
		set(1, "37050100000000000001")
		set(2, "威海市环翠区老旧小区改造资金专户")
		set(3, l.at)
		c, _ := excelize.CoordinatesToCellName(3, r)
		must(x.SetCellStyle(sh, c, c, style))
		if l.out != 0 {
			set(4, l.out)
		}
		if l.in != 0 {
			set(5, l.in)
		}
		set(6, l.balance)
		set(7, "人民币")
		set(8, l.name)
		set(9, l.acct)
		set(10, "某行")
		set(11, l.at.Format("20060102"))
		set(12, l.memo)
		set(14, l.serial)
		r++
	}
	c, _ := excelize.CoordinatesToCellName(1, r)
	must(x.SetCellValue(sh, c, "合计"))
	c, _ = excelize.CoordinatesToCellName(1, r+1)
	must(x.SetCellValue(sh, c, "打印日期：2020-09-01"))
	buf, err := x.WriteToBuffer()
	must(err)
	return buf.Bytes()
}

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return t
}

// augustRows are the four lines every layout file in testdata lists:
// opening 1,000,000.00; in 500,000.00; out 139,179.60 twice (power and
// water, the same day) and 21,640.80; closing 1,200,000.00.
var augustRows = []ccbRow{
	{at("2020-08-03 09:12:01"), 0, 500000, 1500000, "威海市环翠区财政局", "3700001", "中央补助资金", "C0803001"},
	{at("2020-08-05 10:25:49"), 139179.60, 0, 1360820.40, "国网威海供电公司", "3700002", "电力改造分摊", "C0805001"},
	{at("2020-08-05 14:00:00"), 139179.60, 0, 1221640.80, "威海市水务集团有限公司", "3700003", "供水改造分摊", "C0805002"},
	{at("2020-08-10 16:45:10"), 21640.80, 0, 1200000, "威海某建筑工程有限公司", "3700004", "工程款", "C0810001"},
}

// TestLayouts: each bank's export, as testdata holds it (GBK or UTF-8
// CSV) or as the test builds it (CCB's XLSX), is recognised by --profile
// auto as its bank's layout and reads to the same four lines, with the
// title rows, totals, page marks, repeated headers, print stamps and
// notices skipped (and counted), not refused.
func TestLayouts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, profile string
		skipped       int
		// the treasury list has its own lines (no balances)
		lines          int
		in, out        string
		opening, close string
	}{
		{"icbc.csv", "icbc", 6, 4, "500000", "300000", "1000000", "1200000"}, // GBK; 第1页, header again, 合计, 第2页, 打印日期, notice
		{"abc.csv", "abc", 2, 4, "500000", "300000", "1000000", "1200000"},   // UTF-8; 合计, 打印时间
		{"boc.csv", "boc", 0, 4, "500000", "300000", "1000000", "1200000"},   // GBK; signed amounts, payer/payee columns
		{"boc.txt", "boc", 0, 4, "500000", "300000", "1000000", "1200000"},   // GBK, '|' between fields, 中文[ English ] headers, +/- amounts, summary rows above
		{"bocom.csv", "bocom", 1, 4, "500000", "300000", "1000000", "1200000"},
		{"rcb.csv", "rcb", 5, 4, "500000", "300000", "1000000", "1200000"}, // GBK; 记账日, 本页合计 and page marks on each page
		{"treasury.csv", "treasury", 1, 3, "1000", "278359.20", "", ""},
		{"ccb.xlsx", "ccb", 2, 4, "500000", "300000", "1000000", "1200000"}, // built below: date-time cells, merged title
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var data []byte
			if tt.file == "ccb.xlsx" {
				data = ccbXLSX(t, augustRows)
			} else {
				var err error
				if data, err = os.ReadFile(filepath.Join("testdata", tt.file)); err != nil {
					t.Fatal(err)
				}
			}
			p, scores, err := recon.DetectProfile(tt.file, data)
			if err != nil {
				t.Fatalf("detect: %v (%+v)", err, scores)
			}
			if p.Name != tt.profile {
				t.Fatalf("detected %s, want %s (%+v)", p.Name, tt.profile, scores)
			}
			st, err := recon.ParseStatement(tt.file, data, p, "B1")
			if err != nil {
				t.Fatal(err)
			}
			in, out := d("0"), d("0")
			for _, l := range st.Lines {
				if l.Direction == recon.In {
					in = in.Add(l.Amount)
				} else {
					out = out.Add(l.Amount)
				}
			}
			if len(st.Lines) != tt.lines || !in.Equal(d(tt.in)) || !out.Equal(d(tt.out)) || st.SkippedRows != tt.skipped {
				t.Errorf("%d lines, in %s, out %s, %d rows skipped %+v; want %d, %s, %s, %d", len(st.Lines), in, out, st.SkippedRows, st.Skipped,
					tt.lines, tt.in, tt.out, tt.skipped)
			}
			if tt.opening != "" && (!st.Opening.Valid || !st.Opening.Decimal.Equal(d(tt.opening)) || !st.Closing.Decimal.Equal(d(tt.close))) {
				t.Errorf("opening %v closing %v, want %s %s", st.Opening, st.Closing, tt.opening, tt.close)
			}
			// The two equal payments of 08-05 are told apart by their payees.
			var payees []string
			for _, l := range st.Lines {
				if l.Date.Format("2006-01-02") == "2020-08-05" {
					payees = append(payees, l.Counterparty+"/"+l.CounterpartyAccount)
				}
			}
			if got := strings.Join(payees, " "); got != "国网威海供电公司/3700002 威海市水务集团有限公司/3700003" {
				t.Errorf("08-05 counterparties: %s", got)
			}
		})
	}
}

// TestDetectProfileTie: a header that two profiles fit equally well is
// refused, naming both; one that no profile reads is refused.
func TestDetectProfileTie(t *testing.T) {
	t.Parallel()
	// Only columns that ICBC, CCB and the generic profile all know.
	data := []byte("交易时间,借方发生额,贷方发生额,余额,对方账号,摘要,凭证号\n2020-08-03 09:00:00,,1.00,1.00,1,x,1\n")
	_, _, err := recon.DetectProfile("tie.csv", data)
	if !errors.Is(err, recon.ErrAmbiguousProfile) || !strings.Contains(err.Error(), "profiles ccb and generic and icbc equally") {
		t.Errorf("tie: %v", err)
	}
	_, _, err = recon.DetectProfile("none.csv", []byte("名称,数量\n砖,3\n"))
	if !errors.Is(err, recon.ErrInvalid) || !strings.Contains(err.Error(), "no built-in profile") {
		t.Errorf("no profile: %v", err)
	}
}

// TestProfileExtends: a profile file extends a built-in one with one more
// name (and replaces a list); the rest is the parent's.
func TestProfileExtends(t *testing.T) {
	t.Parallel()
	p, err := recon.ParseProfile("my-icbc.json", []byte(`{"name": "my-icbc", "extends": "icbc", "date": ["入账时间"],
		"memo": ["附言"], "replace": ["memo"], "thousands_separator": ""}`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.Date, ",") != "入账时间,交易时间,交易日期" || strings.Join(p.Memo, ",") != "附言" ||
		strings.Join(p.Out, ",") != "借方发生额,转出金额" || p.ThousandsSeparator != "," {
		t.Errorf("merged: date %v memo %v out %v sep %q", p.Date, p.Memo, p.Out, p.ThousandsSeparator)
	}
	data := []byte("凭证号,入账时间,借方发生额,贷方发生额,余额,对方单位名称,附言\n1,2020-08-03 09:00:00,,\"1,000.00\",\"1,000.00\",财政局,拨款\n")
	st, err := recon.ParseStatement("mine.csv", data, p, "B1")
	if err != nil {
		t.Fatal(err)
	}
	if l := st.Lines[0]; l.Date.Format("2006-01-02") != "2020-08-03" || !l.Amount.Equal(d("1000")) || l.Memo != "拨款" || l.Counterparty != "财政局" {
		t.Errorf("line: %+v", l)
	}
	for _, bad := range []string{
		`{"name": "x", "extends": "nope"}`,
		`{"name": "x", "extends": "icbc", "replace": ["colour"]}`,
	} {
		if _, err := recon.ParseProfile("x.json", []byte(bad)); !errors.Is(err, recon.ErrInvalid) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// TestStatementDateTimeCells: date-time cells read as dates, from XLSX
// serials with a fraction (44044.43460648148 is 2020-08-01 10:25:49) and
// from text with a time of day, in the generic profile under 交易时间 and
// 记账日.
func TestStatementDateTimeCells(t *testing.T) {
	t.Parallel()
	p, _ := recon.LookupProfile("generic")
	for _, tt := range []struct{ head, cell, want string }{
		{"交易时间", "44044.43460648148", "2020-08-01"},
		{"交易时间", "44044", "2020-08-01"},
		{"记账日", "2020-08-03 10:25:49", "2020-08-03"},
		{"记账日", "20200803 10:25:49", "2020-08-03"},
		{"交易时间", "2020-08-03-10.25.49.123456", "2020-08-03"},
	} {
		data := []byte(tt.head + ",收入金额,支出金额\n" + tt.cell + ",1.00,\n")
		st, err := recon.ParseStatement("dt.csv", data, p, "B1")
		if err != nil {
			t.Errorf("%s %s: %v", tt.head, tt.cell, err)
			continue
		}
		if got := st.Lines[0].Date.Format("2006-01-02"); got != tt.want {
			t.Errorf("%s %s: %s, want %s", tt.head, tt.cell, got, tt.want)
		}
	}
}

// TestStatementFooters: rows under the header that are not lines are
// skipped and listed by kind; a row that has a date but is not a line is
// still refused.
func TestStatementFooters(t *testing.T) {
	t.Parallel()
	p, _ := recon.LookupProfile("generic")
	data := "账户明细\n交易日期,收入金额,支出金额,余额\n" +
		"2021-03-01,100.00,,100.00\n" +
		"第1页 共2页\n" +
		"交易日期,收入金额,支出金额,余额\n" +
		"2021-03-02,,40.00,60.00\n" +
		"本页合计,100.00,40.00,\n" +
		"打印日期：2021-04-01,,,\n" +
		"\"温馨提示：本明细仅供参考\",,,\n"
	st, err := recon.ParseStatement("f.csv", []byte(data), p, "B1")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, s := range st.Skipped {
		kinds = append(kinds, s.Kind)
	}
	if len(st.Lines) != 2 || strings.Join(kinds, ",") != "page,header,total,total,total" {
		t.Errorf("%d lines, skipped %v", len(st.Lines), st.Skipped)
	}
	_, err = recon.ParseStatement("f.csv", []byte("交易日期,收入金额,支出金额\n2021-03-01,,\n"), p, "B1")
	if !errors.Is(err, recon.ErrInvalid) {
		t.Errorf("dated row without an amount: %v", err)
	}
}
