package web_test

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"fundledger/funding"
	"fundledger/ledger"
)

// ChromiumPath is Debian's chromium (apt-get install -y chromium
// fonts-wqy-microhei; `make test` installs both).
const ChromiumPath = "/usr/bin/chromium"

// Screenshots of the month test go to $FUNDLEDGER_SCREENSHOTS (a relative
// directory is taken from the repository's root), or to a temporary
// directory that is removed when the test passes and kept (its path
// printed) when it fails. `FUNDLEDGER_SCREENSHOTS=docs/screenshots` remakes
// the README's pictures.
const screenshotsEnv = "FUNDLEDGER_SCREENSHOTS"

// maxShotHeight bounds a screenshot's height in pixels (the page's top).
const maxShotHeight = 1400

// browserTab is one headless Chromium tab signed in as one user at a time,
// with the steps a person takes: open a page, fill fields by their names,
// press the buttons, read what the page says.
type browserTab struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string // where screenshots go
	// compact: screenshots are kept (in the README), so they are made
	// smaller (compactPNG).
	compact bool
	n       int // screenshots taken
}

// newBrowserTab starts Chromium (or skips the test when it is not
// installed) for at most timeout; it stops when the test ends. Set its
// base (the server's URL) before use.
func newBrowserTab(t *testing.T, timeout time.Duration) *browserTab {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		t.Skipf("browser test skipped: %s not found (apt-get install -y chromium fonts-wqy-microhei; `make test` installs it)", ChromiumPath)
	}
	dir := os.Getenv(screenshotsEnv)
	compact := dir != ""
	switch {
	case dir == "":
		// A temporary directory, kept when the test fails.
		tmp, err := os.MkdirTemp("", "fundledger-screenshots-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("screenshots kept in %s", tmp)
			} else if err := os.RemoveAll(tmp); err != nil {
				t.Error(err)
			}
		})
		dir = tmp
	case !filepath.IsAbs(dir):
		dir = filepath.Join("..", dir) // go test runs in web/
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", abs)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(ChromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(bcancel)
	return &browserTab{t: t, ctx: bctx, shots: abs, compact: compact}
}

func (b *browserTab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// open navigates to path and waits for the element with id wait.
func (b *browserTab) open(path, wait string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.ID(wait)))
}

// text is the visible text of the element with this id.
func (b *browserTab) text(id string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.ID(id)))
	if err != nil {
		b.t.Fatalf("text of #%s: %v", id, err)
	}
	return strings.TrimSpace(v)
}

// eval runs a JavaScript expression in the page.
func eval[T any](b *browserTab, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("evaluate %.60s: %v", js, err)
	}
	return v
}

// mainText is the visible text of the page's main part.
func (b *browserTab) mainText() string {
	b.t.Helper()
	return eval[string](b, `document.querySelector("main").innerText`)
}

// formField is an input of the form with id form (or of
// any form when form is ""), by its name.
func formField(form, name string) chromedp.CSS {
	if form == "" {
		return chromedp.CSS(`form [name="` + name + `"]`)
	}
	return chromedp.CSS(`#` + form + ` [name="` + name + `"]`)
}

// fill sets fields by name (name, value pairs).
func (b *browserTab) fill(what, form string, pairs ...string) {
	b.t.Helper()
	var steps []chromedp.Action[chromedp.Void]
	for i := 0; i+1 < len(pairs); i += 2 {
		steps = append(steps, chromedp.SetValue(formField(form, pairs[i]), pairs[i+1]))
	}
	b.do(what, steps...)
}

// press clicks the submit button that sends action=value (the officer's
// steps: preview, post) and waits for the element with id wait.
func (b *browserTab) press(value, wait string) {
	b.t.Helper()
	b.do(value+" → #"+wait, chromedp.Click(chromedp.CSS(`button[name="action"][value="`+value+`"]`)), chromedp.WaitVisible(chromedp.ID(wait)))
}

// login signs in through the login form, pressing Enter in the password.
func (b *browserTab) login(user string) {
	b.t.Helper()
	b.do("log in as "+user,
		chromedp.Navigate(b.base+"/login"),
		chromedp.WaitVisible(formField("", "user")),
		chromedp.SendKeys(formField("", "user"), user),
		chromedp.SendKeys(formField("", "password"), testPassword+kb.Enter),
		chromedp.WaitVisible(chromedp.ID("who")),
	)
	if who := b.text("who"); !strings.HasPrefix(who, user) {
		b.t.Fatalf("signed in as %q, want %s", who, user)
	}
}

func (b *browserTab) logout() {
	b.t.Helper()
	b.do("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(formField("", "user")))
}

// shot saves a screenshot of the page's top (at most maxShotHeight pixels)
// as NN-name.png.
func (b *browserTab) shot(name string) {
	b.t.Helper()
	if han := countHan(b.mainText()); han < 20 {
		b.t.Errorf("screenshot %s: %d Chinese characters on the page", name, han)
	}
	// The page's height once it is loaded, styled and its fonts drawn.
	h, err := chromedp.Run(b.ctx, chromedp.Evaluate[float64](`new Promise(done => {
  const measure = () => document.fonts.ready.then(() => requestAnimationFrame(() => done(document.documentElement.scrollHeight)));
  if (document.readyState === "complete") measure(); else addEventListener("load", measure);
})`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	h = min(max(h, 400), maxShotHeight)
	data, err := chromedp.Run(b.ctx, chromedp.Action[[]byte](func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		r, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format: page.CaptureScreenshotFormatPng, CaptureBeyondViewport: ptrTo(true), FromSurface: ptrTo(true),
			Clip: &page.Viewport{X: 0, Y: 0, Width: 1280, Height: h, Scale: 1},
		})
		return r.Data, err
	}))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if b.compact {
		if data, err = compactPNG(data); err != nil {
			b.t.Fatalf("screenshot %s: %v", name, err)
		}
	}
	b.n++
	path := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.n, name))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width > 1280 {
		b.t.Errorf("screenshot %s: %v, %d px wide", name, err, cfg.Width)
	}
	b.t.Logf("screenshot %s (%dx%d, %d KB)", path, cfg.Width, cfg.Height, len(data)/1024)
}

func ptrTo[T any](v T) *T { return &v }

// compactPNG redraws a screenshot in its 256 most frequent colours (a
// page is mostly flat colours; the rest are the edges of letters, drawn in
// the nearest) and compresses it best: about a third of the bytes.
func compactPNG(data []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	r := img.Bounds()
	counts := map[color.RGBA]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			counts[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	colours := slices.Collect(maps.Keys(counts))
	slices.SortFunc(colours, func(a, b color.RGBA) int {
		return cmp.Or(counts[b]-counts[a], cmp.Compare(a.R, b.R), cmp.Compare(a.G, b.G), cmp.Compare(a.B, b.B), cmp.Compare(a.A, b.A))
	})
	var pal color.Palette
	for _, c := range colours[:min(len(colours), 256)] {
		pal = append(pal, c)
	}
	p := image.NewPaletted(r, pal)
	draw.Draw(p, r, img, r.Min, draw.Src)
	var out bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, p); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// writeControls lists what on the page could write: a form posting
// anywhere but /logout, a submit button outside a GET form or the logout
// form, a file input or a text area.
func (b *browserTab) writeControls() []string {
	b.t.Helper()
	return eval[[]string](b, `(() => {
  const bad = [];
  const reads = f => f && ((f.getAttribute("method") || "get").toLowerCase() === "get" || f.getAttribute("action") === "/logout");
  for (const f of document.forms) if (!reads(f)) bad.push("form " + f.method + " " + f.getAttribute("action"));
  for (const c of document.querySelectorAll("button, input[type=submit], input[type=image]")) {
    if (c.tagName === "BUTTON" && (c.getAttribute("type") || "submit") !== "submit") continue;
    if (!reads(c.form) || c.hasAttribute("formmethod") || c.hasAttribute("formaction")) bad.push("button " + (c.id || c.name || c.textContent.trim()));
  }
  for (const c of document.querySelectorAll("input[type=file], textarea")) bad.push("input " + (c.id || c.name));
  return bad;
})()`)
}

// internalWording is what a person should never read: Go, SQL or ledger
// wording, codes in snake_case, idempotency keys, English error words.
var internalWording = regexp.MustCompile(`(?i)\b(error|err|sql|select|insert|update|constraint|violat\w*|pq|postgres|panic|nil|entry \d+|key|idempotency|ErrNot\w*|dry.?run)\b|[a-z]+_[a-z_]+|web/`)

func countHan(s string) int {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			n++
		}
	}
	return n
}

// wantPlainChinese fails unless s is a message in Chinese without internal
// wording.
func wantPlainChinese(t *testing.T, what, s string) {
	t.Helper()
	if countHan(s) < 4 {
		t.Errorf("%s: not Chinese: %q", what, s)
	}
	if m := internalWording.FindString(s); m != "" {
		t.Errorf("%s: internal wording %q in %q", what, m, s)
	}
}

// TestChromiumMonth plays one month of 2020 in a real headless Chromium,
// the three roles in turn, every write through a page.
//
// The district officer (环翠区) registers HC-M1 (120 households), approves
// its budget and reads the rule set's split, records two receipt
// instalments of central money (the first with the keyboard alone) and the
// district's share, pays twice, is refused a payment over the budget line
// and one that breaks 专款专用 and reads both refusals in Chinese, and
// reverses the second payment (the bank returned it). The finance bureau
// closes July for 环翠区, uploads BOC-HC's statement, runs the
// reconciliation, matches by hand the receipt the engine could not tell
// apart, and reads the 余额调节表. The auditor reads all of it and finds no
// control that writes. Screenshots at each step (see screenshotsEnv).
//
// By hand, under test-citywide (basic: central 50%, provincial 20%,
// district 30%; improvement: district 50%, residents 50% capped at 100 a
// household, the rest to social capital):
//
//	budget   basic 1,200,000.00 → central 600,000.00, provincial 240,000.00, district 360,000.00
//	         improvement 50,000.00 → district 25,000.00, residents 25,000.00 capped at
//	         12,000.00 (120 × 100), social capital 13,000.00; total 1,250,000.00
//	receipts central 250,000.00 (10 Jul) + 250,000.00 (13 Jul) = 500,000.00;
//	         district 200,000.00 (3 Jul, 区财-2020-031); received 700,000.00
//	payments central 400,000.00 basic (20 Jul, FK-2020-0701): basic line 800,000.00 left
//	         district 30,000.00 improvement (20 Jul): improvement line 20,000.00 left
//	refused  district 35,000.00 improvement: over the line by 15,000.00
//	         central 10,000.00 improvement: central may not pay improvement (专款专用)
//	reversal of the 30,000.00 (24 Jul): improvement line 50,000.00 left, district cash 200,000.00
//	cash     central 500,000 − 400,000 = 100,000.00; disbursed 400,000.00
//
// BOC-HC in July: book 200,000 + 250,000 + 250,000 − 400,000 − 30,000 +
// 30,000 = 300,000.00. The statement: +200,000.00 (3 Jul, 区财-2020-031),
// +250,000.00 (12 Jul, no reference: two receipts of 250,000.00 lie within
// 3 days of it, so the engine leaves it for a person), −400,000.00 (21 Jul,
// FK-2020-0701), −30,000.00 (21 Jul), +30,000.00 (24 Jul, returned), −15.00
// (31 Jul, bank fee): bank 49,985.00. The run matches four pairs (two by
// reference, two by amount and date); the bureau matches the 250,000.00 to
// the receipt of 10 July. Left: the bank's fee (paid by the bank, not in
// the books) 15.00 and the receipt of 13 July (in the books, not at the
// bank) 250,000.00:
//
//	adjusted book 300,000.00 − 15.00     = 299,985.00
//	adjusted bank  49,985.00 + 250,000.00 = 299,985.00
func TestChromiumMonth(t *testing.T) {
	b := newBrowserTab(t, 8*time.Minute) // a few seconds a page when the machine is very busy
	f := newFixture(t)
	b.base = f.srv.URL
	f.setPasswords()
	// The city's plan, for the dashboard's progress and milestones.
	if _, err := funding.New(ledger.New(f.db)).ImportPlan(context.Background(), "../internal/demo/data/weihai-plan-2020-2025.csv", "setup"); err != nil {
		t.Fatal(err)
	}
	before := f.entries()
	start := time.Now()
	officerMonth(t, f, b)
	t.Logf("the officer's month: %s", time.Since(start).Round(time.Second))
	if n := f.entries() - before; n != 1+3*2+2*2+2 {
		t.Errorf("the officer posted %d entries, want 13 (an approval, three receipts and two payments of two each, a reversal of two)", n)
	}
	b.logout()
	head := bureauMonthEnd(t, f, b)
	t.Logf("the bureau's month end: %s", time.Since(start).Round(time.Second))
	b.logout()
	auditorReadsTheMonth(t, b, head)
	t.Logf("the auditor: %s", time.Since(start).Round(time.Second))
}

// officerMonth: the district officer's part of TestChromiumMonth.
func officerMonth(t *testing.T, f *fixture, b *browserTab) {
	b.login("officer")
	// step opens a step page, fills it, previews (the preview must list
	// entries unless none), confirms and returns what the page says.
	step := func(what, path string, pairs ...string) string {
		t.Helper()
		b.open(path, "step-form")
		b.fill(what, "", pairs...)
		b.press("preview", "step-preview-entries")
		b.press("post", "step-done")
		return b.text("step-done")
	}

	b.open("/districts/huancui/register", "step-form")
	b.fill("register", "", "code", "HC-M1", "name", "青年路小区", "address", "环翠区青年路18号", "completed_on", "1996-05-01",
		"households", "120", "floor_area_m2", "8600", "buildings", "4", "plan_year", "2020")
	b.do("state-owned land", chromedp.Click(formField("", "state_owned_land")))
	b.press("preview", "step-preview-entries")
	b.press("post", "step-done")
	if done := b.text("step-done"); done != "已登记 1 个项目：HC-M1" {
		t.Errorf("register: %q", done)
	}

	b.open("/projects/HC-M1/approve", "step-form")
	b.fill("approve", "", "approved_on", "2020-07-01", "basic", "1200000.00", "improvement", "50000.00")
	b.press("preview", "step-preview-entries")
	// The commitments by source, each a debit and a credit.
	if p := b.text("step-preview-entries"); !strings.Contains(p, "将要过账的分录") || strings.Count(p, "600,000.00") != 2 || strings.Count(p, "240,000.00") != 2 ||
		strings.Count(p, "385,000.00") != 2 || strings.Count(p, "12,000.00") != 2 || strings.Count(p, "13,000.00") != 2 {
		t.Errorf("approval preview: %q", p)
	}
	b.press("post", "step-done")
	if done := b.text("step-done"); !strings.Contains(done, "已批复预算") || !strings.Contains(done, "1,250,000.00") {
		t.Errorf("approve: %q", done)
	}
	ex := b.text("check-explain")
	for _, want := range []string{"600000.00", "240000.00", "360000.00", "25000.00", "12000.00", "13000.00"} {
		if !strings.Contains(strings.ReplaceAll(ex, ",", ""), want) {
			t.Errorf("the rule set's explanation lacks %s: %q", want, ex)
		}
	}
	b.shot("officer-approve")

	// The first instalment with the keyboard alone: Enter in the amount
	// previews (the form's first button), then Enter on the focused
	// confirm button posts.
	b.open("/projects/HC-M1/receive", "step-form")
	b.fill("instalment 1", "", "source", "central", "date", "2020-07-10", "bank_account", "BOC-HC", "memo", "中央补助第一笔")
	b.do("instalment 1: Enter previews",
		chromedp.SendKeys(formField("", "amount"), "250000.00"+kb.Enter),
		chromedp.WaitVisible(chromedp.ID("step-preview-entries")))
	b.do("instalment 1: Enter posts",
		chromedp.Focus(chromedp.CSS(`button[value="post"]`)),
		chromedp.SendKeys(chromedp.CSS(`button[value="post"]`), kb.Enter),
		chromedp.WaitVisible(chromedp.ID("step-done")))
	if d := b.text("step-done"); d != "已过账，凭证 2020-07 财-0001" {
		t.Errorf("instalment 1: %q", d)
	}
	step("instalment 2", "/projects/HC-M1/receive", "source", "central", "amount", "250000.00", "date", "2020-07-13",
		"bank_account", "BOC-HC", "memo", "中央补助第二笔")
	step("district share", "/projects/HC-M1/receive", "source", "district", "amount", "200000.00", "date", "2020-07-03",
		"bank_account", "BOC-HC", "reference", "区财-2020-031")

	// The first payment, shown before it is posted.
	b.open("/projects/HC-M1/pay", "step-form")
	b.fill("pay", "", "source", "central", "category", "basic", "work_item", "道路及管网", "amount", "400000.00",
		"date", "2020-07-20", "payee", "威海某建设公司", "bank_account", "BOC-HC", "reference", "FK-2020-0701")
	b.press("preview", "step-preview-entries")
	if p := b.text("step-preview-entries"); strings.Count(p, "400,000.00") < 4 { // two postings in each book
		t.Errorf("payment preview: %q", p)
	}
	b.shot("officer-pay-preview")
	b.press("post", "step-done")
	if d := b.text("step-done"); d != "已过账，凭证 2020-07 财-0004" {
		t.Errorf("pay: %q", d)
	}
	if l := b.text("line-basic"); l != "800,000.00" {
		t.Errorf("basic line remaining %q, want 800,000.00", l)
	}
	done := step("second payment", "/projects/HC-M1/pay", "source", "district", "category", "improvement", "work_item", "监理",
		"amount", "30000.00", "date", "2020-07-20", "payee", "威海某监理公司", "bank_account", "BOC-HC")
	voucher := strings.TrimPrefix(done, "已过账，凭证 ")
	if voucher != "2020-07 财-0005" {
		t.Fatalf("second payment: %q", done)
	}
	if l := b.text("line-improvement"); l != "20,000.00" {
		t.Errorf("improvement line remaining %q, want 20,000.00", l)
	}

	// Over the line: refused at the amount, with the line's figures.
	b.open("/projects/HC-M1/pay", "step-form")
	b.fill("over the line", "", "source", "district", "category", "improvement", "amount", "35000.00", "date", "2020-07-22",
		"payee", "威海某监理公司", "bank_account", "BOC-HC")
	b.press("preview", "err-amount")
	over := b.text("err-amount")
	wantPlainChinese(t, "over the line", over)
	for _, want := range []string{"无预算不支出", "HC-M1", "50,000.00", "30,000.00", "20,000.00", "35,000.00", "15,000.00"} {
		if !strings.Contains(over, want) {
			t.Errorf("over the line: %q lacks %q", over, want)
		}
	}
	if c := b.text("cash-district"); c != "170,000.00" {
		t.Errorf("district cash %q, want 170,000.00 (the refusal is the line's, not the cash's)", c)
	}
	b.shot("officer-over-budget")

	// 专款专用: central money may not pay improvement works.
	b.fill("not earmarked", "", "source", "central", "amount", "10000.00")
	b.press("preview", "err-source")
	earmark := b.text("err-source")
	wantPlainChinese(t, "专款专用", earmark)
	if !strings.Contains(earmark, "专款专用") {
		t.Errorf("专款专用: %q", earmark)
	}
	b.shot("officer-earmark")

	done = step("reverse", "/projects/HC-M1/reverse", "entry", voucher, "reason", "收款单位账户有误，银行退汇", "date", "2020-07-24")
	if !strings.HasPrefix(done, "已过账") {
		t.Errorf("reverse: %q", done)
	}
	b.open("/projects/HC-M1/pay", "check-lines")
	for id, want := range map[string]string{"line-basic": "800,000.00", "line-improvement": "50,000.00", "cash-central": "100,000.00", "cash-district": "200,000.00"} {
		if got := b.text(id); got != want {
			t.Errorf("after the reversal: %s = %q, want %s", id, got, want)
		}
	}

	// The month in the lists: every entry with its voucher, payee or
	// payer, direction and signed amount.
	b.open("/entries?project=HC-M1", "entry-list")
	list := b.text("entry-list")
	for _, want := range []string{"2020-07 财-0001", "2020-07 财-0006", "威海某建设公司", "威海某监理公司", "-400,000.00", "-30,000.00", "+30,000.00",
		"+250,000.00", "+200,000.00", "中央补助", "付", "收"} {
		if !strings.Contains(list, want) {
			t.Errorf("entries list lacks %q:\n%s", want, list)
		}
	}
	if n := strings.Count(list, "+250,000.00"); n != 2 {
		t.Errorf("entries list: %d receipts of 250,000.00, want 2", n)
	}
	b.shot("officer-entries")
	b.open("/districts/huancui", "chart")
	for id, want := range map[string]string{"received-central": "500,000.00", "received-district": "200,000.00", "total-received": "700,000.00",
		"total-disbursed": "400,000.00"} {
		if got := b.text(id); got != want {
			t.Errorf("dashboard %s = %q, want %s", id, got, want)
		}
	}
	if ms := b.text("milestones"); strings.Contains(ms, "ms.") || !strings.Contains(ms, "2025-12-31") {
		t.Errorf("milestones table: %q", ms)
	}
	b.shot("officer-dashboard")
	// The dashboard's XLSX, fetched with the browser's session cookie.
	got, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base}})
	if err != nil {
		t.Fatalf("cookies: %v", err)
	}
	req, err := http.NewRequestWithContext(b.ctx, "GET", b.base+"/reports/district.xlsx?district=huancui", nil)
	if err != nil {
		t.Fatal(err)
	}
	session := false
	for _, c := range got.Cookies {
		if c.Name == "fl_session" {
			session = true
			if !c.HTTPOnly || c.SameSite != network.CookieSameSiteStrict {
				t.Errorf("session cookie in the browser: HttpOnly %v SameSite %q", c.HTTPOnly, c.SameSite)
			}
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	if !session {
		t.Fatalf("no session cookie in the browser: %+v", got.Cookies)
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
	if got := xlsxReceived(t, body, "central"); got != "500000" && got != "500000.00" {
		t.Errorf("xlsx: central received %q, want 500000", got)
	}
}

// bureauMonthEnd: the finance bureau's part of TestChromiumMonth; it
// returns the chain head the month close recorded.
func bureauMonthEnd(t *testing.T, f *fixture, b *browserTab) string {
	stmt := filepath.Join(t.TempDir(), "boc-hc-2020-07.csv")
	if err := os.WriteFile(stmt, []byte("交易日期,收入金额,支出金额,余额,对方户名,摘要,凭证号\n"+
		"2020-07-03,200000.00,,200000.00,环翠区财政局,区级配套资金,区财-2020-031\n"+
		"2020-07-12,250000.00,,450000.00,威海市财政局,中央补助资金,\n"+
		"2020-07-21,,400000.00,50000.00,威海某建设公司,工程款,FK-2020-0701\n"+
		"2020-07-21,,30000.00,20000.00,威海某监理公司,监理费,\n"+
		"2020-07-24,30000.00,,50000.00,威海某监理公司,退汇,\n"+
		"2020-07-31,,15.00,49985.00,中国银行,手续费,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.login("bureau")

	// 1. Close July for 环翠区, pressing Enter in the reason.
	b.open("/periods", "close-form")
	b.fill("close the month", "close-form", "month", "2020-07", "scope", "huancui")
	b.do("close: Enter", chromedp.SendKeys(formField("close-form", "reason"), "七月月结"+kb.Enter), chromedp.WaitVisible(chromedp.ID("period-done")))
	if done := b.text("period-done"); !strings.Contains(done, "2020-07") || !strings.Contains(done, "环翠区") {
		t.Errorf("close: %q", done)
	}
	hist, err := ledger.New(f.db).PeriodHistory(context.Background())
	if err != nil || len(hist) != 1 || hist[0].HeadHash == "" || hist[0].District != "huancui" {
		t.Fatalf("history %+v %v", hist, err)
	}
	if h := b.text("period-history"); !strings.Contains(h, hist[0].HeadHash) || !strings.Contains(h, "七月月结") {
		t.Errorf("history shows %q; want the head %s", h, hist[0].HeadHash)
	}
	if m := b.text("month-2020-07"); !strings.Contains(m, "已结账") {
		t.Errorf("month row %q", m)
	}
	b.shot("bureau-close-month")

	// 2. Upload the statement (layout detected), 3. run (window 3 days).
	// The worklist from the district's dashboard, then July.
	b.open("/districts/huancui", "bank-panel")
	b.do("worklist from the dashboard", chromedp.Click(chromedp.ID("recon-BOC-HC")), chromedp.WaitVisible(chromedp.ID("upload-form")))
	b.do("July", chromedp.SetValue(formField("period-form", "period"), "2020-07"), chromedp.SendKeys(formField("period-form", "period"), kb.Enter),
		chromedp.WaitVisible(`//h2[contains(., "2020-07")]`))
	if name := b.text("recon-name"); !strings.Contains(name, "BOC-HC") || !strings.Contains(name, "环翠专户") {
		t.Errorf("worklist heading %q", name)
	}
	b.do("upload the statement",
		chromedp.SetUploadFiles(formField("upload-form", "file"), []string{stmt}),
		chromedp.Click(chromedp.CSS(`#upload-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("upload-done")))
	if n := b.text("upload-added"); n != "6" {
		t.Errorf("lines added %q, want 6", n)
	}
	b.fill("window", "run-form", "window", "3")
	b.do("run", chromedp.Click(chromedp.CSS(`#run-form button[type="submit"]`)), chromedp.WaitVisible(chromedp.ID("run-done")))
	if ran := b.text("run-done"); !strings.HasSuffix(ran, ": 4") {
		t.Errorf("run: %q, want four pairs matched", ran)
	}
	// Left for a person: the 250,000.00 line and both receipts.
	lines, posts := b.text("recon-lines"), b.text("recon-postings")
	if !strings.Contains(lines, "250,000.00") || strings.Count(posts, "250,000.00") != 2 {
		t.Errorf("left for a person: lines %q, postings %q", lines, posts)
	}
	b.shot("bureau-worklist")

	// 4. Match by hand: the line of 250,000.00 and the receipt of 10 July,
	// chosen by what their rows show; Enter in the reason.
	row := func(table, date string) string {
		return `//table[@id="` + table + `"]//tr[td[normalize-space()="` + date + `"] and td[normalize-space()="250,000.00"]]//input[@type="checkbox"]`
	}
	b.do("manual match",
		chromedp.Click(row("recon-lines", "2020-07-12")),
		chromedp.Click(row("recon-postings", "2020-07-10")),
		chromedp.SendKeys(formField("match-form", "reason"), "同额两笔，按国库拨款单核对为7月10日第一笔"+kb.Enter),
		chromedp.WaitVisible(chromedp.ID("match-done")))
	if d := b.text("difference"); d != "0.00" {
		t.Errorf("difference after the match: %q", d)
	}
	if m := b.text("recon-matches"); !strings.Contains(m, "按国库拨款单核对") {
		t.Errorf("matches: %q", m)
	}

	// 5. The 余额调节表.
	b.do("reconciliation statement", chromedp.Click(chromedp.CSS(`a[href*="/statement?"]`)), chromedp.WaitVisible(chromedp.ID("recon-statement")))
	wantStatement(t, b)
	b.shot("bureau-recon-statement")
	return hist[0].HeadHash
}

// wantStatement checks the 余额调节表 against the figures by hand.
func wantStatement(t *testing.T, b *browserTab) {
	t.Helper()
	if title := b.text("statement-title"); !strings.Contains(title, "银行存款余额调节表") {
		t.Errorf("title %q", title)
	}
	for id, want := range map[string]string{"statement-date": "2020-07-31", "st-book": "300,000.00", "st-bank": "49,985.00", "st-bankin": "0.00",
		"st-bankout": "15.00", "st-bookin": "250,000.00", "st-bookout": "0.00", "st-adjbook": "299,985.00", "st-adjbank": "299,985.00"} {
		if got := b.text(id); got != want {
			t.Errorf("余额调节表 %s = %q, want %s", id, got, want)
		}
	}
	if ok := b.text("st-agrees"); !strings.Contains(ok, "相符") {
		t.Errorf("agreement: %q", ok)
	}
	if in := b.text("items-bookin"); !strings.Contains(in, "2020-07-13") || !strings.Contains(in, "250,000.00") {
		t.Errorf("booked, not at the bank: %q", in)
	}
}

// auditorReadsTheMonth: the auditor's part of TestChromiumMonth.
func auditorReadsTheMonth(t *testing.T, b *browserTab, head string) {
	b.login("audit")
	pages := []struct{ path, wait string }{
		{"/projects/HC-M1", "sources"},
		{"/entries?project=HC-M1", "entry-list"},
		{"/periods", "period-history"},
		{"/recon/BOC-HC?period=2020-07", "recon-lines"},
		{"/recon/BOC-HC/statement?period=2020-07", "recon-statement"},
		{"/reports", "reports"},
		{"/projects/HC-M1/pay", "main"}, // refused
	}
	for _, p := range pages {
		if p.wait == "main" {
			b.do("auditor "+p.path, chromedp.Navigate(b.base+p.path), chromedp.WaitVisible(chromedp.CSS("main")))
		} else {
			b.open(p.path, p.wait)
		}
		if w := b.writeControls(); len(w) > 0 {
			t.Errorf("auditor, %s: write controls %v", p.path, w)
		}
		txt := b.mainText()
		switch p.path {
		case "/projects/HC-M1":
			for id, want := range map[string]string{"total-received": "700,000.00", "received-central": "500,000.00"} {
				if got := b.text(id); got != want {
					t.Errorf("auditor, project page: %s = %q, want %s", id, got, want)
				}
			}
			if !strings.Contains(txt, "青年路小区") {
				t.Errorf("auditor, project page: no name in %q", txt)
			}
		case "/entries?project=HC-M1":
			for _, want := range []string{"2020-07 财-0001", "2020-07 财-0006", "-400,000.00", "+200,000.00"} {
				if !strings.Contains(txt, want) {
					t.Errorf("auditor, entries: no %q", want)
				}
			}
		case "/periods":
			if !strings.Contains(txt, head) {
				t.Errorf("auditor, periods: the recorded head %s is not shown", head)
			}
		case "/recon/BOC-HC?period=2020-07":
			if !strings.Contains(txt, "按国库拨款单核对") {
				t.Errorf("auditor, worklist: the manual match's reason is not shown")
			}
			b.shot("auditor-worklist")
		case "/recon/BOC-HC/statement?period=2020-07":
			wantStatement(t, b)
		case "/reports":
			// One report as HTML.
			b.do("district report", chromedp.Click(chromedp.ID("view-district")), chromedp.WaitVisible(chromedp.ID("table-0")))
			if tbl := b.text("table-0"); !strings.Contains(tbl, "700,000.00") {
				t.Errorf("district report: no 700,000.00 received in %q", tbl)
			}
		case "/projects/HC-M1/pay":
			wantPlainChinese(t, "auditor refused a step", txt)
		}
	}
}
