package recon_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"fundledger/recon"
)

const genericHeader = "交易日期,收入金额,支出金额,余额,对方户名,摘要,凭证号\n"

// TestImportDuplicates: the same file again adds nothing; an overlapping
// file adds only its new lines; two identical lines that the bank really
// lists on one day are both kept (occurrences 1 and 2), and a later file
// that lists that day again adds neither.
func TestImportDuplicates(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "BOC-D")
	a := genericHeader +
		"2021-03-01,1000.00,,1000.00,威海市财政局,拨款,GK-1\n" +
		"2021-03-02,,100.00,900.00,某公司,手续费,\n" +
		"2021-03-02,,100.00,800.00,某公司,手续费,\n"
	res := f.importCSV("BOC-D", "generic", "march-a.csv", a)
	if res.Lines != 3 || res.Added != 3 || res.Duplicates != 0 || !res.Opening.Decimal.IsZero() || !res.Closing.Decimal.Equal(d("800")) {
		t.Fatalf("first import: %+v", res)
	}
	again := f.importCSV("BOC-D", "generic", "march-a-copy.csv", a)
	if !again.AlreadyImported || again.ImportID != res.ImportID || again.Added != 0 || again.File != "march-a.csv" {
		t.Errorf("same file again: %+v", again)
	}
	// Overlap: 03-02 listed again (both identical lines), plus 03-03.
	b := genericHeader +
		"2021-03-02,,100.00,900.00,某公司,手续费,\n" +
		"2021-03-02,,100.00,800.00,某公司,手续费,\n" +
		"2021-03-03,,50.00,750.00,某公司,手续费,\n"
	res = f.importCSV("BOC-D", "generic", "march-b.csv", b)
	if res.AlreadyImported || res.Lines != 3 || res.Added != 1 || res.Duplicates != 2 {
		t.Errorf("overlapping file: %+v", res)
	}
	// A file that lists three identical lines on 03-02 adds the third.
	c := genericHeader +
		"2021-03-02,,100.00,900.00,某公司,手续费,\n" +
		"2021-03-02,,100.00,800.00,某公司,手续费,\n" +
		"2021-03-02,,100.00,700.00,某公司,手续费,\n"
	res = f.importCSV("BOC-D", "generic", "march-c.csv", c)
	if res.Added != 1 || res.Duplicates != 2 {
		t.Errorf("third identical line: %+v", res)
	}
	if n := len(f.lineIDs("BOC-D")); n != 5 {
		t.Errorf("%d lines stored, want 5", n)
	}
	// Statement lines are append-only.
	_, err := f.p.Ledger().DB().ExecContext(f.ctx, `DELETE FROM recon_statement_lines`)
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("delete of statement lines: %v", err)
	}
	if _, err := f.importBytes("NOPE", "generic", "x.csv", []byte(a)); !errors.Is(err, recon.ErrNotFound) {
		t.Errorf("unknown bank account: %v", err)
	}
}

// TestImportGBK reads a GBK file as a bank exports it: title rows before
// the header, the newest line first, Chinese counterparties, a total row.
func TestImportGBK(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "BOC-G")
	text := "账户明细查询\n" +
		"账号,6217000012345678,户名,环翠区老旧小区改造专户\n" +
		"\n" +
		"交易日期,借贷标志,交易金额,账户余额,对方户名,对方账号,摘要,交易流水号\n" +
		"20210305,借,\"12,000.00\",\"988,000.00\",威海市环翠区某建筑工程有限公司,3700001,工程款,SN0003\n" +
		"20210303,借,\"100,000.00\",\"1,000,000.00\",山东某电力安装有限公司,3700002,管线改造,SN0002\n" +
		"20210301,贷,\"1,100,000.00\",\"1,100,000.00\",威海市环翠区财政局,3700003,中央补助资金,SN0001\n" +
		"合计,,,,,,,\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.importBytes("BOC-G", "generic", "boc-202103.csv", []byte(gbk))
	if err != nil {
		t.Fatal(err)
	}
	if res.Lines != 3 || res.Added != 3 || !res.Descending || !res.Opening.Decimal.IsZero() || !res.Closing.Decimal.Equal(d("988000")) ||
		res.FirstDate != date("2021-03-01") || res.LastDate != date("2021-03-05") {
		t.Fatalf("import: %+v", res)
	}
	var got []struct {
		Row          int    `db:"source_row"`
		Direction    string `db:"direction"`
		Amount       string `db:"amount"`
		Counterparty string `db:"counterparty"`
		Serial       string `db:"serial"`
	}
	if err := f.p.Ledger().DB().SelectContext(f.ctx, &got, `SELECT source_row, direction, amount::text AS amount, counterparty, serial
		FROM recon_statement_lines WHERE bank_account = 'BOC-G' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	want := []string{"7 in 1100000.00 威海市环翠区财政局 SN0001", "6 out 100000.00 山东某电力安装有限公司 SN0002", "5 out 12000.00 威海市环翠区某建筑工程有限公司 SN0003"}
	for i, g := range got {
		if s := strings.Join([]string{strconv.Itoa(g.Row), g.Direction, g.Amount, g.Counterparty, g.Serial}, " "); i >= len(want) || s != want[i] {
			t.Errorf("line %d: %s", i, s)
		}
	}
	// With serial numbers, the same lines in another layout are duplicates.
	utf := "交易日期,借贷标志,交易金额,账户余额,对方户名,摘要,交易流水号\n" +
		"2021-03-01,贷,1100000.00,1100000.00,威海市环翠区财政局（中央）,中央补助,SN0001\n"
	res = f.importCSV("BOC-G", "generic", "other.csv", utf)
	if res.Added != 0 || res.Duplicates != 1 {
		t.Errorf("same serial: %+v", res)
	}
}

// TestImportRefused: a file with a broken running balance, a bad date and
// an amount below the fen is refused whole, with every row, and nothing is
// stored.
func TestImportRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "BOC-B")
	bad := genericHeader +
		"2021-03-01,1000.00,,1000.00,甲,,\n" +
		"2021-03-02,,100.00,900.00,乙,,\n" +
		"2021-03-03,,100.00,850.00,丙,,\n" + // 900 − 100 = 800, not 850
		"2021-03-04,,50.00,800.00,丁,,\n" + // from 850: 800 agrees again
		"2021-03-32,,1.00,799.00,戊,,\n" +
		"2021-03-05,,1.005,797.995,己,,\n" +
		"2021-03-06,5.00,6.00,,庚,,\n"
	_, err := f.importBytes("BOC-B", "generic", "bad.csv", []byte(bad))
	var re recon.RowErrors
	if !errors.As(err, &re) || !errors.Is(err, recon.ErrInvalid) {
		t.Fatalf("bad file: %v", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"bad.csv: row 6, 交易日期: date \"2021-03-32\"",
		"bad.csv: row 7, 支出金额: amount \"1.005\": more than two decimals",
		"bad.csv: row 7, 余额: balance: amount \"797.995\": more than two decimals",
		"bad.csv: row 8, 收入金额: both 收入金额 (5.00) and 支出金额 (6.00) are filled",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	// The balance is checked once the rows parse: fix the other rows.
	brk := strings.Join(strings.Split(bad, "\n")[:5], "\n") + "\n"
	_, err = f.importBytes("BOC-B", "generic", "break.csv", []byte(brk))
	want := "break.csv: row 4, balance: running balance breaks: 900.00 after row 3, out 100.00, makes 800.00, but the file says 850.00 (difference 50.00)"
	if err == nil || err.Error() != want {
		t.Errorf("broken balance:\n got %v\nwant %s", err, want)
	}
	if n := len(f.lineIDs("BOC-B")); n != 0 {
		t.Errorf("%d lines stored from refused files", n)
	}
	if _, err := f.importBytes("BOC-B", "generic", "nohead.csv", []byte("a,b,c\n1,2,3\n")); err == nil || !strings.Contains(err.Error(), "no header row") {
		t.Errorf("no header: %v", err)
	}
}

// TestImportTreasuryXLSX reads a treasury payment list (国库集中支付) as
// XLSX: numbers and dates as Excel stores them, a refund as a negative
// amount.
func TestImportTreasuryXLSX(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "TREASURY-HC")
	x := excelize.NewFile()
	sh := x.GetSheetName(0)
	rows := [][]string{
		{"支付凭证号", "支付日期", "收款人全称", "收款人账号", "支付金额(元)", "用途"},
		{"ZF-2021-0001", "44260", "威海市某建设工程有限公司", "6222001", "200000.10", "基础类改造工程款"}, // 2021-03-05
		{"ZF-2021-0002", "2021-03-08", "威海某监理公司", "6222002", "15000", "监理费"},
		{"ZF-2021-0001-R", "2021-03-09", "威海市某建设工程有限公司", "6222001", "-1500.50", "退回多付工程款"},
		{"合计", "", "", "", "213499.60", ""},
	}
	for i, r := range rows {
		for j, v := range r {
			c, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := x.SetCellDefault(sh, c, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.importBytes("TREASURY-HC", "treasury", "gk-202103.xlsx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if res.Lines != 3 || res.Opening.Valid || res.FirstDate != date("2021-03-05") {
		t.Fatalf("treasury import: %+v", res)
	}
	var got []string
	if err := f.p.Ledger().DB().SelectContext(f.ctx, &got, `SELECT value_date || ' ' || direction || ' ' || amount || ' ' || reference
		FROM recon_statement_lines WHERE bank_account = 'TREASURY-HC' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	want := "2021-03-05 out 200000.10 ZF-2021-0001|2021-03-08 out 15000.00 ZF-2021-0002|2021-03-09 in 1500.50 ZF-2021-0001-R"
	if strings.Join(got, "|") != want {
		t.Errorf("lines:\n got %s\nwant %s", strings.Join(got, "|"), want)
	}
}

// TestProfiles: the shipped profiles parse; a custom one is checked.
func TestProfiles(t *testing.T) {
	t.Parallel()
	var names []string
	for _, p := range recon.Profiles() {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, " "); got != "abc boc bocom ccb generic icbc rcb treasury" {
		t.Errorf("profiles: %s", got)
	}
	if _, err := recon.LookupProfile("nope"); !errors.Is(err, recon.ErrInvalid) {
		t.Errorf("unknown profile: %v", err)
	}
	if _, err := recon.ParseProfile("x.json", []byte(`{"name": "x", "date": ["日期"]}`)); err == nil || !strings.Contains(err.Error(), "amount column") {
		t.Errorf("profile without amounts: %v", err)
	}
	if _, err := recon.ParseProfile("x.json", []byte(`{"name": "x", "date": ["日期"], "amount": ["金额"], "colour": 1}`)); err == nil {
		t.Error("unknown field accepted")
	}
}
