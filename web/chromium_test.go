package web_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/recon"
)

// ChromiumPath is Debian's chromium (apt-get install -y chromium; `make
// test` installs it).
const ChromiumPath = "/usr/bin/chromium"

// TestChromium drives the UI in a real headless Chromium: log in, open the
// district dashboard, record a receipt through the project page's form, see
// the balance change on the dashboard, download the XLSX report with the
// session cookie and read it back, save a screenshot of the dashboard in
// $FUNDLEDGER_ARTIFACTS (or the test's temporary directory), open the
// reports page and one report as HTML, and open BOC-HC's reconciliation
// worklist from the dashboard's bank account link (screenshot next to the
// first).
func TestChromium(t *testing.T) {
	if _, err := os.Stat(ChromiumPath); err != nil {
		t.Skipf("browser test skipped: %s not found (apt-get install -y chromium; `make test` installs it)", ChromiumPath)
	}
	f := newFixture(t)
	f.setPasswords()
	p := funding.New(ledger.New(f.db))
	if _, err := p.ImportPlan(context.Background(), "../internal/demo/data/weihai-plan-2020-2025.csv", "setup"); err != nil {
		t.Fatal(err)
	}
	// A statement line of BOC-HC (环翠区) dated today, so that this month's
	// worklist, linked from the dashboard, has a row.
	today := time.Now().Format("2006-01-02")
	prof, err := recon.LookupProfile("generic")
	if err != nil {
		t.Fatal(err)
	}
	stmt := "交易日期,收入金额,支出金额,余额,对方户名,摘要,凭证号\n" + today + ",500.00,,500.00,威海市财政局,中央补助资金,BANK-NOW\n"
	if _, err := recon.New(f.db).Import(context.Background(), "BOC-HC", prof, "now.csv", []byte(stmt), "setup"); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
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
	base := f.srv.URL

	do("log in",
		chromedp.Navigate(base+"/districts/huancui"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("user"), "officer"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("district-name")),
	)
	before := text("total-received")
	if who := text("who"); !strings.HasPrefix(who, "officer") {
		t.Errorf("signed in as %q", who)
	}

	do("record a receipt",
		chromedp.Click(chromedp.ID("project-HC-1")),
		chromedp.WaitVisible(chromedp.ID("receipt-form")),
		chromedp.SetValue(chromedp.ID("rc-amount"), "12345.67"),
		chromedp.SetValue(chromedp.ID("rc-date"), "2020-07-01"),
		chromedp.SendKeys(chromedp.ID("rc-reference"), "国库-2020-001"),
		chromedp.Click(chromedp.ID("rc-submit")),
		chromedp.WaitVisible(chromedp.ID("receipt-done")),
	)
	if received := text("received-central"); received != "12,345.67" {
		t.Errorf("project page: received %q", received)
	}

	do("dashboard after the receipt",
		chromedp.Navigate(base+"/districts/huancui"),
		chromedp.WaitVisible(chromedp.ID("chart")),
	)
	if after := text("total-received"); before != "0.00" || after != "12,345.67" {
		t.Errorf("dashboard total received %q → %q, want 0.00 → 12,345.67", before, after)
	}
	if ms := text("milestones"); strings.Contains(ms, "ms.") || !strings.Contains(ms, "2025-12-31") {
		t.Errorf("milestones table: %q", ms)
	}
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("FUNDLEDGER_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "dashboard-huancui.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the dashboard: %s (%d bytes)", shot, len(png))

	// The XLSX report, fetched with the browser's session cookie.
	got, err := chromedp.Call(bctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base}})
	if err != nil {
		t.Fatalf("cookies: %v", err)
	}
	cookies := got.Cookies
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/reports/district.xlsx?district=huancui", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies {
		if c.Name == "fl_session" {
			if !c.HTTPOnly || c.SameSite != network.CookieSameSiteStrict {
				t.Errorf("session cookie in the browser: HttpOnly %v SameSite %q", c.HTTPOnly, c.SameSite)
			}
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("xlsx: %d %v", res.StatusCode, err)
	}
	if got := xlsxReceived(t, body, "central"); got != "12345.67" {
		t.Errorf("xlsx: received %q, want 12345.67", got)
	}

	// The reports page, and one report as HTML.
	do("reports page",
		chromedp.Navigate(base+"/reports"),
		chromedp.WaitVisible(chromedp.ID("reports")),
	)
	if reps := text("reports"); !strings.Contains(reps, "区市资金报表") || !strings.Contains(reps, "资产负债表") {
		t.Errorf("reports page: %q", reps)
	}
	do("district report as HTML",
		chromedp.Click(chromedp.ID("view-district")),
		chromedp.WaitVisible(chromedp.ID("report-title")),
		chromedp.WaitVisible(chromedp.ID("table-0")),
	)
	if title := text("report-title"); title != "区市资金报表" {
		t.Errorf("report title %q", title)
	}
	if tbl := text("table-0"); !strings.Contains(tbl, "12,345.67") {
		t.Errorf("district report: no 12,345.67 received in %q", tbl)
	}

	// The reconciliation worklist of BOC-HC, from the dashboard's link.
	do("worklist from the dashboard",
		chromedp.Navigate(base+"/districts/huancui"),
		chromedp.WaitVisible(chromedp.ID("bank-accounts")),
		chromedp.Click(chromedp.ID("recon-BOC-HC")),
		chromedp.WaitVisible(chromedp.ID("recon-name")),
		chromedp.WaitVisible(chromedp.ID("recon-lines")),
	)
	if name := text("recon-name"); !strings.Contains(name, "BOC-HC") || !strings.Contains(name, "环翠专户") {
		t.Errorf("worklist heading %q", name)
	}
	if lines := text("recon-lines"); !strings.Contains(lines, today) || !strings.Contains(lines, "500.00") || !strings.Contains(lines, "BANK-NOW") {
		t.Errorf("worklist lines: %q", lines)
	}
	if sum := text("recon-summary"); !strings.Contains(sum, "500.00") {
		t.Errorf("worklist summary: %q", sum)
	}
	png, err = chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	shot = filepath.Join(dir, "recon-BOC-HC.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the worklist: %s (%d bytes)", shot, len(png))
}
