package recon_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

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

// layoutFile is one statement file as a bank's customer gets it.
type layoutFile struct {
	name string
	data []byte
}

// layoutFiles are the statement files of the layout tests: each file of
// testdata as it is and in the other encoding (a GBK file read as UTF-8
// and the reverse: a bank's CSV is either), the banks' XLSX exports built
// from the same rows (ABC and the rural commercial banks deliver .xls,
// which a user saves as .xlsx; BoCom's and the treasury's lists are read
// from workbooks too), CCB's XLSX with date-time cells, and the treasury
// list under the names of the provincial payment-voucher table (交易方向).
func layoutFiles(t *testing.T) []layoutFile {
	t.Helper()
	var out []layoutFile
	for _, name := range []string{"icbc.csv", "abc.csv", "boc.csv", "boc.txt", "bocom.csv", "rcb.csv", "treasury.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		text, other, enc := utf8Text(t, data)
		out = append(out, layoutFile{name, data}, layoutFile{name + " as " + enc, other})
		switch name {
		case "abc.csv", "bocom.csv", "rcb.csv", "treasury.csv":
			out = append(out, layoutFile{strings.TrimSuffix(name, ".csv") + ".xlsx", csvXLSX(t, text)})
		}
	}
	// ABC's and the rural commercial bank's legacy workbooks as delivered,
	// written by xlwt (testdata/make_xls.py).
	for _, name := range []string{"abc.xls", "rcb.xls"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, layoutFile{name, data})
	}
	out = append(out, layoutFile{"ccb.xlsx", ccbXLSX(t, augustRows)},
		layoutFile{"treasury-pfa.csv", []byte("省财政支付凭证明细\n" +
			"支付令日期,支付令编号,收款人全称,收款人账号,收款人开户银行,交易方向,支付金额,用途\n" +
			"2020-08-05,ZFL-0101,国网威海供电公司,3700002,中国银行威海分行,O,\"139,179.60\",电力改造分摊\n" +
			"2020-08-05,ZFL-0102,威海市水务集团有限公司,3700003,中国建设银行威海分行,O,\"139,179.60\",供水改造分摊\n" +
			"2020-08-12,ZFL-0103,威海市水务集团有限公司,3700003,中国建设银行威海分行,R,\"1,000.00\",退回多付\n" +
			"合计,,,,,,,\n")})
	return out
}

// utf8Text returns a CSV file's text and the file in the other encoding
// (GBK for a UTF-8 file, UTF-8 for a GBK one), naming that encoding.
func utf8Text(t *testing.T, data []byte) (text string, other []byte, enc string) {
	t.Helper()
	if plain := bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")); utf8.Valid(plain) {
		gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(plain)
		if err != nil {
			t.Fatal(err)
		}
		return string(plain), gbk, "GBK"
	}
	u, err := simplifiedchinese.GBK.NewDecoder().Bytes(data)
	if err != nil {
		t.Fatal(err)
	}
	return string(u), u, "UTF-8"
}

// csvXLSX writes a CSV text's rows into a workbook as a bank's export
// has them: amounts and other numbers as number cells (the digits as
// written, without thousands separators), text as text cells.
func csvXLSX(t *testing.T, text string) []byte {
	t.Helper()
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	if strings.Count(strings.SplitN(text, "\n", 2)[0], "|") > 0 {
		cr.Comma = '|'
	}
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	x := excelize.NewFile()
	sh := x.GetSheetName(0)
	number := regexp.MustCompile(`^-?[0-9][0-9,]*(\.[0-9]+)?$`)
	for i, r := range rows {
		for j, v := range r {
			c, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if number.MatchString(v) && len(v) < 16 {
				err = x.SetCellDefault(sh, c, strings.ReplaceAll(v, ",", ""))
			} else {
				err = x.SetCellStr(sh, c, v)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestLayouts: each bank's export (see layoutFiles) is recognised by
// --profile auto as its bank's layout and reads to the same four lines
// (the treasury's lists to their three), with the title rows, totals,
// page marks, repeated headers, print stamps and notices skipped (and
// counted), not refused. The sums of money in and out are the testdata's,
// added by hand: in 500,000.00; out 139,179.60 + 139,179.60 + 21,640.80 =
// 300,000.00; the treasury pays 139,179.60 twice (278,359.20) and gets
// 1,000.00 back.
func TestLayouts(t *testing.T) {
	t.Parallel()
	type want struct {
		profile        string
		skipped, lines int
		in, out        string
		opening, close string
	}
	bank := func(profile string, skipped int) want {
		return want{profile, skipped, 4, "500000", "300000", "1000000", "1200000"}
	}
	treasury := want{"treasury", 1, 3, "1000", "278359.20", "", ""}
	wants := map[string]want{
		"icbc.csv":     bank("icbc", 6),  // GBK; 第1页, header again, 合计, 第2页, 打印日期, notice
		"abc.csv":      bank("abc", 2),   // 合计, 打印时间
		"abc.xlsx":     bank("abc", 2),   // the .xls saved as .xlsx: numbers as number cells
		"abc.xls":      bank("abc", 2),   // as the bank delivers it: BIFF8, two title rows, 合计 and 打印时间 under the lines
		"boc.csv":      bank("boc", 0),   // GBK; signed amounts, payer/payee columns
		"boc.txt":      bank("boc", 0),   // GBK, '|' between fields, 中文[ English ] headers, +/- amounts, summary rows above
		"bocom.csv":    bank("bocom", 1), // summary rows above the header (开户机构, 年份, 月份), 合计
		"bocom.xlsx":   bank("bocom", 1),
		"rcb.csv":      bank("rcb", 5), // GBK; 本页合计 and a page mark on each page, the header again
		"rcb.xlsx":     bank("rcb", 5),
		"rcb.xls":      bank("rcb", 5), // BIFF8, 交易日期 as date-time cells (serials with a fraction)
		"ccb.xlsx":     bank("ccb", 2), // date-time cells, merged title, 合计, 打印日期
		"treasury.csv": treasury, "treasury.xlsx": treasury,
		"treasury-pfa.csv": treasury, // 交易方向 R: a refund, money in
	}
	files := layoutFiles(t)
	seen := map[string]bool{}
	for _, f := range files {
		base, _, _ := strings.Cut(f.name, " as ")
		tt, ok := wants[base]
		if !ok {
			t.Fatalf("no expectation for %s", f.name)
		}
		seen[base] = true
		t.Run(f.name, func(t *testing.T) {
			p, scores, err := recon.DetectProfile(f.name, f.data)
			if err != nil {
				t.Fatalf("detect: %v (%+v)", err, scores)
			}
			if p.Name != tt.profile {
				t.Fatalf("detected %s, want %s (%+v)", p.Name, tt.profile, scores)
			}
			st, err := recon.ParseStatement(f.name, f.data, p, "B1")
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
	if len(seen) != len(wants) {
		t.Errorf("files tested %v, expectations %d", seen, len(wants))
	}
}

// TestImportEveryLayoutAuto: each layout imports through the import path
// with the profile found from its header (recon import --profile auto),
// storing its lines; the same statement again in the other encoding, as
// the bank's workbook (.xlsx, or the legacy .xls of ABC and the rural
// commercial bank, imported after their CSV) or (BOC) as its text export
// adds nothing (its lines are recognised as stored).
func TestImportEveryLayoutAuto(t *testing.T) {
	t.Parallel()
	account := func(f layoutFile) string {
		base, _, _ := strings.Cut(f.name, " as ")
		return "L-" + strings.NewReplacer(".csv", "", ".txt", "", ".xlsx", "", ".xls", "").Replace(base)
	}
	files := layoutFiles(t)
	var banks []string
	for _, f := range files {
		if a := account(f); !slices.Contains(banks, a) {
			banks = append(banks, a)
		}
	}
	fx := newFixture(t, banks...)
	first := map[string]recon.ImportResult{}
	for _, f := range files {
		bank := account(f)
		res, err := fx.r.ImportStatement(fx.ctx, recon.ImportRequest{BankAccount: bank, File: f.name, Data: f.data, Actor: "clerk"})
		if err != nil {
			t.Errorf("%s: %v", f.name, err)
			continue
		}
		prev, seen := first[bank]
		switch {
		case !seen:
			first[bank] = res
			if res.Added != res.Lines || res.Lines < 3 || res.Profile == "generic" {
				t.Errorf("%s: %+v", f.name, res)
			}
		case res.Profile != prev.Profile || res.Lines != prev.Lines || res.Added != 0 || res.Duplicates != res.Lines:
			t.Errorf("%s again (first as %s, %d lines): %+v", f.name, prev.Profile, prev.Lines, res)
		}
	}
	if len(first) != 8 { // boc.txt goes to boc.csv's account: BOC's text export of the same lines adds nothing
		t.Errorf("%d accounts imported: %v", len(first), banks)
	}
}

// TestStatementXLSDamaged: a legacy workbook cut short, or with its
// shared-string count or its bytes corrupted, or an OLE2 file that holds
// no workbook, is refused with ErrStatementFile naming the file and
// saying why (in the UI: err.recon.ErrStatementFile); it never panics.
func TestStatementXLSDamaged(t *testing.T) {
	t.Parallel()
	good, err := os.ReadFile(filepath.Join("testdata", "abc.xls"))
	if err != nil {
		t.Fatal(err)
	}
	sst := bytes.Index(good, []byte{0xFC, 0x00}) // the SST record: type, size, total, unique count
	if sst < 0 {
		t.Fatal("no SST record in abc.xls")
	}
	hugeSST := bytes.Clone(good)
	copy(hugeSST[sst+8:], []byte{0xF0, 0xFF, 0xFF, 0x7F})
	flipped := bytes.Clone(good)
	for i := 512; i < len(flipped); i += 7 {
		flipped[i] ^= 0xA5
	}
	p, _ := recon.LookupProfile("abc")
	for _, tc := range []struct {
		name, reason string
		data         []byte
	}{
		{"截断.xls", "damaged or truncated", good[:len(good)/2]},
		{"截断头.xls", "damaged or truncated", good[:600]},
		{"字符串表.xls", "damaged or truncated", hugeSST},
		{"空.xls", "damaged or truncated", append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 504)...)},
		{"乱码.xls", "", flipped},
	} {
		_, err := recon.ParseStatement(tc.name, tc.data, p, "B1")
		var re recon.RowErrors
		if tc.reason == "" { // bytes flipped anywhere: refused somehow, never a panic
			if !errors.Is(err, recon.ErrInvalid) {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if !errors.As(err, &re) || len(re) != 1 || !errors.Is(re[0], recon.ErrStatementFile) || re[0].File != tc.name ||
			!strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: %v", tc.name, err)
		}
		if _, _, err := recon.DetectProfile(tc.name, tc.data); !errors.As(err, &re) || !errors.Is(re[0], recon.ErrStatementFile) {
			t.Errorf("%s, auto: %v", tc.name, err)
		}
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
