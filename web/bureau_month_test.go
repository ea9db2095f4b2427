package web_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/recon"
)

// TestChromiumBureauMonthEnd plays the finance bureau's month end in a real
// headless Chromium, on books posted through funding: 环翠区 received
// 12,345.67 (GK-1) on 1 July 2020, two receipts of 800.00 without a
// reference on 10 July, and paid 2,345.67 (FK-1) on 20 July, all through
// BOC-HC. The bureau closes July for 环翠区, uploads the bank's statement
// (the 12,345.67, one 800.00 on 12 July, the 2,345.67 on 21 July, a bank
// fee of 15.00 on 31 July), runs the reconciliation (the 800.00 line has
// two equal candidates: left for a person), matches it by hand with the
// keyboard, and reads the 余额调节表. By hand:
//
//	book balance  12,345.67 + 800 + 800 − 2,345.67 = 11,600.00
//	bank balance  12,345.67 + 800 − 2,345.67 − 15  = 10,785.00
//	bank paid, not booked (the fee)                =     15.00
//	booked received, not at the bank (one 800.00)  =    800.00
//	adjusted book 11,600.00 − 15.00                = 11,585.00
//	adjusted bank 10,785.00 + 800.00               = 11,585.00
//
// The auditor then reads the same pages and finds no write control.
func TestChromiumBureauMonthEnd(t *testing.T) {
	if _, err := os.Stat(ChromiumPath); err != nil {
		t.Skipf("browser test skipped: %s not found (apt-get install -y chromium; `make test` installs it)", ChromiumPath)
	}
	f := newFixture(t)
	f.setPasswords()
	bureauBooks(t, f)
	ctx0 := context.Background()
	p := funding.New(ledger.New(f.db))
	for _, key := range []string{"setup-800a", "setup-800b"} {
		if _, err := p.Receive(ctx0, funding.ReceiptRequest{Project: "HC-1", Source: "central", Amount: decimal.RequireFromString("800.00"),
			ReceivedOn: date("2020-07-10"), BankAccount: "BOC-HC", IdempotencyKey: key, Actor: "setup"}); err != nil {
			t.Fatal(err)
		}
	}
	dir := os.Getenv("FUNDLEDGER_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	stmt := filepath.Join(t.TempDir(), "boc-hc-2020-07.csv")
	if err := os.WriteFile(stmt, []byte("交易日期,收入金额,支出金额,余额,对方户名,摘要,凭证号\n"+
		"2020-07-01,12345.67,,12345.67,威海市财政局,中央补助资金,GK-1\n"+
		"2020-07-12,800.00,,13145.67,威海市财政局,补助,\n"+
		"2020-07-21,,2345.67,10800.00,威海建工,工程款,FK-1\n"+
		"2020-07-31,,15.00,10785.00,中国银行,手续费,\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer bcancel()
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(id string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID(id)))
		if err != nil {
			t.Fatalf("text of #%s: %v", id, err)
		}
		return strings.TrimSpace(v)
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s (%d bytes)", file, len(png))
	}
	html := func() string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.OuterHTML(chromedp.CSS("html")))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	base := f.srv.URL
	login := func(user string) {
		t.Helper()
		do("log in as "+user,
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(chromedp.ID("login-form")),
			chromedp.SendKeys(chromedp.ID("user"), user),
			chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"), // Enter submits
			chromedp.WaitVisible(chromedp.ID("who")),
		)
	}
	login("bureau")

	// 1. Close July for 环翠区, with the keyboard.
	do("close the month",
		chromedp.Navigate(base+"/periods"),
		chromedp.WaitVisible(chromedp.ID("close-form")),
		chromedp.SendKeys(chromedp.ID("close-month"), "2020-07"),
		chromedp.SetValue(chromedp.ID("close-scope"), "huancui"),
		chromedp.SendKeys(chromedp.ID("close-reason"), "七月月结\r"),
		chromedp.WaitVisible(chromedp.ID("period-done")),
	)
	if done := text("period-done"); !strings.Contains(done, "2020-07") || !strings.Contains(done, "环翠区") {
		t.Errorf("close: %q", done)
	}
	hist, err := ledger.New(f.db).PeriodHistory(ctx0)
	if err != nil || len(hist) != 1 || hist[0].HeadHash == "" {
		t.Fatalf("history %+v %v", hist, err)
	}
	if h := text("period-history"); !strings.Contains(h, hist[0].HeadHash) || !strings.Contains(h, "七月月结") {
		t.Errorf("history shows %q; want the head %s", h, hist[0].HeadHash)
	}
	if m := text("month-2020-07"); !strings.Contains(m, "已结账") {
		t.Errorf("month row %q", m)
	}
	shot("bureau-periods.png")

	// 2. Upload the statement (layout detected).
	do("upload the statement",
		chromedp.Navigate(base+"/recon/BOC-HC?period=2020-07"),
		chromedp.WaitVisible(chromedp.ID("upload-form")),
		chromedp.SetUploadFiles(chromedp.ID("upload-file"), []string{stmt}),
		chromedp.Click(chromedp.ID("upload-submit")),
		chromedp.WaitVisible(chromedp.ID("upload-done")),
	)
	if n := text("upload-added"); n != "4" {
		t.Errorf("lines added %q, want 4", n)
	}

	// 3. Run the reconciliation (window 3 days).
	do("run",
		chromedp.SetValue(chromedp.ID("run-window"), "3"),
		chromedp.Click(chromedp.ID("run-submit")),
		chromedp.WaitVisible(chromedp.ID("run-done")),
	)
	if ran := text("run-done"); !strings.HasSuffix(ran, ": 2") {
		t.Errorf("run: %q, want the two referenced pairs matched", ran)
	}
	// The 800.00 line is left: two equal receipts could be it.
	if lines, posts := text("recon-lines"), text("recon-postings"); !strings.Contains(lines, "800.00") || strings.Count(posts, "800.00") != 2 {
		t.Errorf("left for a person: lines %q, postings %q", lines, posts)
	}
	shot("bureau-worklist.png")

	// 4. Match the ambiguous 800.00 by hand: the line and the first of the
	// two equal receipts.
	var lineID int64
	if err := f.db.Get(&lineID, `SELECT id FROM recon_statement_lines WHERE bank_account = 'BOC-HC' AND amount = 800`); err != nil {
		t.Fatal(err)
	}
	rep, err := recon.New(f.db).Report(ctx0, recon.ReportRequest{BankAccount: "BOC-HC", Period: mustPeriod(t, "2020-07")})
	if err != nil {
		t.Fatal(err)
	}
	var posting string
	for _, it := range rep.BookIn.Items {
		if it.Amount.Equal(decimal.RequireFromString("800")) && it.Posting != nil {
			posting = it.Posting.String()
			break
		}
	}
	if posting == "" || len(rep.BookIn.Items) != 2 {
		t.Fatalf("book-side items before the manual match: %+v", rep.BookIn.Items)
	}
	lineSel := chromedp.CSS(`[id="line-` + strconv.FormatInt(lineID, 10) + `"]`)
	do("manual match",
		chromedp.Click(lineSel),
		chromedp.Click(chromedp.CSS(`[id="posting-`+posting+`"]`)),
		chromedp.SendKeys(chromedp.ID("match-reason"), "同日同额两笔，按国库拨款单核对\r"),
		chromedp.WaitVisible(chromedp.ID("match-done")),
	)
	if sum := text("difference"); sum != "0.00" {
		t.Errorf("difference after the match: %q", sum)
	}

	// 5. The 余额调节表, figures by hand.
	do("reconciliation statement",
		chromedp.Click(chromedp.ID("to-statement")),
		chromedp.WaitVisible(chromedp.ID("recon-statement")),
	)
	for id, want := range map[string]string{"st-book": "11,600.00", "st-bank": "10,785.00", "st-bankin": "0.00", "st-bankout": "15.00",
		"st-bookin": "800.00", "st-bookout": "0.00", "st-adjbook": "11,585.00", "st-adjbank": "11,585.00", "statement-date": "2020-07-31"} {
		if got := text(id); got != want {
			t.Errorf("余额调节表 %s = %q, want %s", id, got, want)
		}
	}
	if ok := text("st-agrees"); !strings.Contains(ok, "相符") {
		t.Errorf("agreement: %q", ok)
	}
	if title := text("statement-title"); !strings.Contains(title, "银行存款余额调节表") {
		t.Errorf("title %q", title)
	}
	shot("bureau-recon-statement.png")

	// 6. The auditor reads it all and finds no write control.
	do("sign out", chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login-form")))
	login("audit")
	postForm := regexp.MustCompile(`(?i)<form[^>]*method="post"[^>]*>`)
	for _, page := range []string{"/periods", "/recon/BOC-HC?period=2020-07", "/recon/BOC-HC/statement?period=2020-07", "/recon/BOC-HC/imports",
		"/ledger", "/ledger?book=financial&type=asset&district=huancui", "/districts/huancui", "/projects/HC-1", "/reports"} {
		do("auditor "+page, chromedp.Navigate(base+page), chromedp.WaitVisible(chromedp.CSS("main")))
		h := html()
		for _, form := range postForm.FindAllString(h, -1) {
			if !strings.Contains(form, `action="/logout"`) {
				t.Errorf("auditor, %s: write form %s", page, form)
			}
		}
		if strings.Contains(h, `type="checkbox"`) || strings.Contains(h, `type="file"`) {
			t.Errorf("auditor, %s: an input that writes", page)
		}
		switch page {
		case "/periods":
			if !strings.Contains(h, hist[0].HeadHash) {
				t.Error("the auditor does not see the recorded head")
			}
		case "/recon/BOC-HC/statement?period=2020-07":
			if got := text("st-adjbank"); got != "11,585.00" {
				t.Errorf("auditor reads adjusted bank %q", got)
			}
			shot("auditor-recon-statement.png")
		}
	}
}

func mustPeriod(t *testing.T, s string) recon.Period {
	t.Helper()
	p, err := recon.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
