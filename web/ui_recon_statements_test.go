package web_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// TestBrowserStatementUploadDetects: with the layout left on 自动识别 the
// upload finds it from the header, as recon import --profile auto does: an
// ICBC export in GBK (title rows, a page mark, the header again, 合计, a
// print stamp) stores its 4 lines under icbc with the closing balance
// 1,200,000.00; an ABC 企业网银 workbook (saved as XLSX: two title rows,
// the 19 columns, 合计 and the print stamp under the lines) stores its 2
// lines under abc. A GBK file with a date, an amount and both amounts
// filled wrong is refused whole, each row listed with its reason in
// Chinese (the cell's text quoted) and, asked for in English, in English.
func TestBrowserStatementUploadDetects(t *testing.T) {
	t.Parallel()
	f := withPasswords(newFixture(t))
	b := f.loggedIn("bureau")
	b.get("/recon/BOC-HC?period=2020-08")
	icbc, err := os.ReadFile("../recon/testdata/icbc.csv")
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"csrf": {b.csrf}, "period": {"2020-08"}, "profile": {"auto"}}
	r := b.postFile("/recon/BOC-HC/statements", form, "file", "icbc-2020-08.csv", icbc)
	wantStatus(t, "ICBC GBK", r, http.StatusOK)
	wantBody(t, "ICBC GBK", r, `id="upload-done"`, "(icbc)", `id="upload-lines">4<`, `id="upload-added">4<`, "1,200,000.00")

	x := excelize.NewFile()
	sh := x.GetSheetName(0)
	rows := [][]any{
		{"中国农业银行 账户明细"},
		{"账户：15-000000000000002  户名：威海市文登区老旧小区改造资金专户"},
		{"交易日期", "交易时间戳", "收入金额", "支出金额", "本次余额", "手续费总额", "交易方式", "交易行名", "交易类别", "对方省市", "对方账号", "对方户名",
			"交易说明", "交易摘要", "交易附言", "交易凭证号", "交易日志号", "账簿号", "账簿名称"},
		{"20200803", "20200803091201000000", 80000.5, nil, 80000.5, 0, "网银", "文登支行", "转账", "山东", "3700001", "威海市文登区财政局",
			"", "转账", "省级补助资金", "", "356060001", "1", "基本账簿"},
		{"20200806", "20200806102000000000", nil, 30000.25, 50000.25, 0, "网银", "文登支行", "转账", "山东", "3700002", "威海某建筑工程有限公司",
			"", "转账", "工程款", "00201", "356060002", "1", "基本账簿"},
		{"合计", nil, 80000.5, 30000.25},
		{"打印时间：2020-09-01"},
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow(sh, cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	b.get("/recon/BOC-WD?period=2020-08")
	r = b.postFile("/recon/BOC-WD/statements", form, "file", "abc-2020-08.xlsx", buf.Bytes())
	wantStatus(t, "ABC XLSX", r, http.StatusOK)
	wantBody(t, "ABC XLSX", r, `id="upload-done"`, "(abc)", `id="upload-lines">2<`, `id="upload-added">2<`, "50,000.25")
	var n int
	if err := f.db.Get(&n, `SELECT count(*) FROM recon_statement_lines WHERE bank_account = 'BOC-WD' AND amount IN (80000.50, 30000.25)`); err != nil || n != 2 {
		t.Fatalf("BOC-WD: %d lines (%v)", n, err)
	}

	head := "凭证号,本方账号,对方账号,交易时间,借/贷,借方发生额,贷方发生额,对方行号,摘要,用途,对方单位名称,余额,个性化信息\n"
	bad, err := simplifiedchinese.GBK.NewEncoder().String(head +
		",1614000000000000001,3700001,2020-09-31 09:12:01,贷,,\"500.00\",1,转账,补助,威海市财政局,\"1,200,500.00\",\n" +
		"10005,1614000000000000001,3700002,2020-09-05 10:20:00,借,\"12x.00\",,1,转账,工程款,威海建工,\"1,200,000.00\",\n" +
		"10006,1614000000000000001,3700003,2020-09-06 10:20:00,借,\"100.00\",\"200.00\",1,转账,工程款,威海建工,\"1,199,900.00\",\n")
	if err != nil {
		t.Fatal(err)
	}
	r = b.postFile("/recon/BOC-HC/statements", form, "file", "icbc-2020-09.csv", []byte(bad))
	wantStatus(t, "refused", r, http.StatusUnprocessableEntity)
	wantBody(t, "refused", r, `id="upload-rows"`, "对账单未导入",
		`<td>2</td><td>交易时间</td><td class="text">日期“2020-09-31 09:12:01”无法识别`,
		`<td>3</td><td>借方发生额</td><td class="text">金额“12x.00”无法识别或超出范围。`,
		`<td>4</td><td>贷方发生额</td><td class="text">收入和支出两列都有金额（200.00 和 100.00），一行只能填一列。`)
	if body := string(r.body); strings.Contains(body, "cannot") || strings.Contains(body, "is not") {
		t.Error("English reasons on the Chinese page")
	}
	if err := f.db.Get(&n, `SELECT count(*) FROM recon_statement_lines WHERE bank_account = 'BOC-HC'`); err != nil || n != 4 {
		t.Fatalf("BOC-HC: %d lines after the refused file (%v)", n, err)
	}
	r = b.postFile("/recon/BOC-HC/statements?lang=en", form, "file", "icbc-2020-09.csv", []byte(bad))
	wantStatus(t, "refused en", r, http.StatusUnprocessableEntity)
	wantBody(t, "refused en", r, "The date “2020-09-31 09:12:01” cannot be read", "The amount “12x.00” cannot be read or is out of range.",
		"Both in and out hold an amount (200.00 and 100.00)")
}
