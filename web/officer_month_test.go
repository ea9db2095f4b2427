package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestOfficerMonth plays a district officer's month in a real headless
// Chromium, every step through its preview: register a project, approve
// its budget, record two receipt instalments (one submitted with the
// keyboard alone), pay, try a payment over the budget line and one that
// breaks 专款专用 and read both refusals, reverse the payment with a
// reason. Screenshots go to $FUNDLEDGER_ARTIFACTS (or the test's temporary
// directory).
//
// By hand, under test-citywide: basic 1,000.00 → central 50% = 500.00,
// provincial 20% = 200.00, district 30% = 300.00; improvement 1,000.00 →
// district 50% = 500.00, residents 50% capped at 100 × 40 households =
// 4,000.00 (not reached: 500.00). Receipts central 300.00 + 200.00 = 500.00,
// district 800.00: received 1,300.00. Central pays 500.00 of basic: the
// basic line has 500.00 left; district 600.00 of basic, within its cash of
// 800.00, exceeds the line by 100.00. After reversing the payment the
// basic line has 1,000.00 left and central's cash is 500.00 again.
func TestOfficerMonth(t *testing.T) {
	if _, err := os.Stat(ChromiumPath); err != nil {
		t.Skipf("browser test skipped: %s not found (apt-get install -y chromium; `make test` installs it)", ChromiumPath)
	}
	f := newFixture(t)
	f.setPasswords()

	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
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
	dir := os.Getenv("FUNDLEDGER_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s (%d bytes)", path, len(png))
	}
	base := f.srv.URL
	// fill sets the step form's fields by name.
	fill := func(fields [][2]string) []chromedp.Action[chromedp.Void] {
		var out []chromedp.Action[chromedp.Void]
		for _, kv := range fields {
			out = append(out, chromedp.SetValue(chromedp.ID("f-"+kv[0]), kv[1]))
		}
		return out
	}
	// step opens a step page, fills it, previews, checks the preview and
	// confirms; it returns the confirmation.
	step := func(what, path string, fields [][2]string, extra ...chromedp.Action[chromedp.Void]) string {
		t.Helper()
		do(what+": open", chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.ID("step-form")))
		do(what+": fill", append(fill(fields), extra...)...)
		do(what+": preview", chromedp.Click(chromedp.ID("step-preview")), chromedp.WaitVisible(chromedp.ID("step-preview-entries")))
		if p := text("step-preview-entries"); !strings.Contains(p, "将要过账的分录") {
			t.Errorf("%s: preview %q", what, p)
		}
		do(what+": post", chromedp.Click(chromedp.ID("step-post")), chromedp.WaitVisible(chromedp.ID("step-done")))
		return text("step-done")
	}

	do("log in",
		chromedp.Navigate(base+"/projects"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("user"), "officer"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("project-list")),
	)
	before := f.entries()

	done := step("register", "/districts/huancui/register", [][2]string{{"code", "HC-M1"}, {"name", "月度测试小区"}, {"address", "环翠区月度路1号"},
		{"completed_on", "1996-05-01"}, {"households", "40"}, {"floor_area_m2", "3000"}, {"buildings", "2"}, {"plan_year", "2020"}},
		chromedp.Click(chromedp.ID("f-state_owned_land")))
	if done != "已登记 1 个项目：HC-M1" {
		t.Errorf("register: %q", done)
	}
	if n := f.entries(); n != before {
		t.Errorf("registration posted %d entries", n-before)
	}
	done = step("approve", "/projects/HC-M1/approve", [][2]string{{"approved_on", "2020-06-15"}, {"basic", "1000.00"}, {"improvement", "1000.00"}})
	if !strings.Contains(done, "已批复预算") || !strings.Contains(done, "2,000.00") {
		t.Errorf("approve: %q", done)
	}
	if ex := text("check-explain"); !strings.Contains(ex, "test-citywide") {
		t.Errorf("the rule set's explanation: %q", ex)
	}

	// The first instalment, with the keyboard alone: Enter in the amount
	// field previews (the form's first button), then the confirm button
	// is focused and pressed with Enter.
	do("receipt 1: open", chromedp.Navigate(base+"/projects/HC-M1/receive"), chromedp.WaitVisible(chromedp.ID("step-form")))
	do("receipt 1: fill", fill([][2]string{{"source", "central"}, {"date", "2020-07-01"}, {"bank_account", "BOC-HC"}, {"reference", "国库-01"}})...)
	do("receipt 1: keyboard preview",
		chromedp.SendKeys(chromedp.ID("f-amount"), "300.00"+kb.Enter),
		chromedp.WaitVisible(chromedp.ID("step-preview-entries")))
	do("receipt 1: keyboard post",
		chromedp.Focus(chromedp.ID("step-post")),
		chromedp.SendKeys(chromedp.ID("step-post"), kb.Enter),
		chromedp.WaitVisible(chromedp.ID("step-done")))
	if d := text("step-done"); !strings.Contains(d, "已过账") {
		t.Errorf("receipt 1: %q", d)
	}
	step("receipt 2", "/projects/HC-M1/receive", [][2]string{{"source", "central"}, {"amount", "200.00"}, {"date", "2020-07-20"}, {"bank_account", "BOC-HC"}})
	step("receipt district", "/projects/HC-M1/receive", [][2]string{{"source", "district"}, {"amount", "800.00"}, {"date", "2020-07-20"}, {"bank_account", "BOC-HC"}})

	done = step("pay", "/projects/HC-M1/pay", [][2]string{{"source", "central"}, {"category", "basic"}, {"work_item", "道路"}, {"amount", "500.00"},
		{"date", "2020-08-01"}, {"payee", "威海某建设公司"}, {"bank_account", "BOC-HC"}})
	voucher := strings.TrimSpace(strings.TrimPrefix(done, "已过账，凭证"))
	if voucher == "" || voucher == done {
		t.Fatalf("pay: %q", done)
	}
	if l := text("line-basic"); l != "500.00" {
		t.Errorf("basic line remaining %q, want 500.00", l)
	}

	// Over the line: refused at the amount, with the line's figures.
	do("over the line",
		chromedp.Navigate(base+"/projects/HC-M1/pay"), chromedp.WaitVisible(chromedp.ID("step-form")))
	do("over the line: fill", fill([][2]string{{"source", "district"}, {"category", "basic"}, {"amount", "600.00"}, {"date", "2020-08-02"},
		{"payee", "威海某建设公司"}, {"bank_account", "BOC-HC"}})...)
	do("over the line: preview", chromedp.Click(chromedp.ID("step-preview")), chromedp.WaitVisible(chromedp.ID("err-amount")))
	const overLine = "无预算不支出：项目 HC-M1 的基础类预算 1000.00 元，已支付 500.00 元，尚余 500.00 元；这笔 600.00 元的支付超出 100.00 元。请先调整预算。"
	if e := text("err-amount"); e != overLine {
		t.Errorf("over the line: %q\nwant %q", e, overLine)
	}
	shot("officer-over-budget.png")

	// 专款专用: central may not pay improvement works.
	do("not earmarked: fill", fill([][2]string{{"source", "central"}, {"category", "improvement"}, {"amount", "10.00"}})...)
	do("not earmarked: preview", chromedp.Click(chromedp.ID("step-preview")), chromedp.WaitVisible(chromedp.ID("err-source")))
	if e := text("err-source"); !strings.Contains(e, "专款专用") {
		t.Errorf("not earmarked: %q", e)
	}

	done = step("reverse", "/projects/HC-M1/reverse", [][2]string{{"entry", voucher}, {"reason", "付款单位填错，冲销重付"}})
	if !strings.Contains(done, "已过账") {
		t.Errorf("reverse: %q", done)
	}
	do("pay page after the reversal", chromedp.Navigate(base+"/projects/HC-M1/pay"), chromedp.WaitVisible(chromedp.ID("check-lines")))
	if l, c := text("line-basic"), text("cash-central"); l != "1,000.00" || c != "500.00" {
		t.Errorf("after the reversal: basic line %q (want 1,000.00), central cash %q (want 500.00)", l, c)
	}
	do("project page", chromedp.Navigate(base+"/projects/HC-M1"), chromedp.WaitVisible(chromedp.ID("sources")))
	if r, c := text("total-received"), text("received-central"); r != "1,300.00" || c != "500.00" {
		t.Errorf("project page: received %q (want 1,300.00), central %q (want 500.00)", r, c)
	}
	if es := text("entries"); !strings.Contains(es, "威海某建设公司") || !strings.Contains(es, "-500.00") || !strings.Contains(es, "+300.00") {
		t.Errorf("project page's entries: %q", es)
	}
	do("entries list", chromedp.Navigate(base+"/entries?project=HC-M1"), chromedp.WaitVisible(chromedp.ID("entry-list")))
	list := text("entry-list")
	// Voucher numbers count what was posted, not what was previewed or
	// refused: July's three receipts are 财-0001..0003, August's payment
	// 财-0001 and its reversal 财-0002.
	for _, want := range []string{"威海某建设公司", "-500.00", "+500.00", "+300.00", "+200.00", "+800.00", "付", "收", "中央补助",
		"2020-07 财-0001", "2020-07 财-0003", "2020-08 财-0001", "2020-08 财-0002"} {
		if !strings.Contains(list, want) {
			t.Errorf("entries list lacks %q:\n%s", want, list)
		}
	}
	shot("officer-entries.png")
	// Two receipts of central, one of district (2 entries each), one
	// approval (1), one payment (2), its reversal (2, as the payment).
	if n := f.entries() - before; n != 2*3+1+2+2 {
		t.Errorf("the month posted %d entries, want 11", n)
	}
}
