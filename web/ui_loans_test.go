package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestBrowserLoanPage: the loan list and page of a drawn policy-bank loan
// (figures of TestLoanThroughTheAPI): the schedule in force, its versions;
// the officer's forms, a subsidy refused in Chinese next to its field
// before the interest is paid, then paid; no forms for the auditor; another
// district's officer refused and shown no loan.
func TestBrowserLoanPage(t *testing.T) {
	t.Parallel()
	f := withPasswords(loanFixture(t))
	if err := f.store.SetPassword(context.Background(), "wdofficer", testPassword); err != nil {
		t.Fatal(err)
	}
	if r := f.do("officer", "POST", "/api/loans", "l1", policyBankLoan); r.status != 201 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/loans/PB-1/drawdowns", "d1", `{"project": "LP-1", "amount": "12000.00", "drawn_on": "2021-01-15"}`); r.status != 201 {
		t.Fatalf("draw: %d %s", r.status, r.body)
	}

	b := f.loggedIn("officer")
	r := b.get("/loans")
	wantStatus(t, "loan list", r, 200)
	wantBody(t, "loan list", r, `href="/loans/PB-1"`, "国开行老旧小区改造贷款", `id="nav-loans"`)
	r = b.get("/loans?status=repaid")
	wantBody(t, "loan list, repaid", r, `id="loans-none"`)

	r = b.get("/loans/PB-1")
	wantStatus(t, "loan page", r, 200)
	// 12000 × 6% ÷ 4 = 180; 9000 → 135; 6000 → 90; 3000 → 45; 3000 a quarter.
	wantBody(t, "loan page", r, `id="schedule"`, "<td>2021-04-15</td><td>6</td><td>0.00</td><td>12000.00</td><td>0.00</td><td>180.00</td><td>3000.00</td><td>3180.00</td><td>9000.00</td>",
		"<td>135.00</td>", "<td>90.00</td>", "<td>45.00</td>", `id="fig-drawn">12000.00<`, `id="fig-outstanding">12000.00<`,
		`id="form-drawdowns"`, `id="form-subsidy-payments"`, `<label>还款日`, `id="schedule-versions"`, "还款频率: 按季", "还款方式: 等额本金")
	if strings.Contains(string(r.body), `id="form-rate-resets"`) {
		t.Errorf("a fixed-rate loan shows the rate reset form")
	}

	post := func(action string, values url.Values) (resp, string) {
		t.Helper()
		page := b.get("/loans/PB-1")
		m := regexpKey(action).FindSubmatch(page.body)
		if m == nil {
			t.Fatalf("no key in the %s form", action)
		}
		values.Set("csrf", b.csrf)
		values.Set("key", string(m[1]))
		return b.post("/loans/PB-1/"+action, values), string(m[1])
	}
	r, _ = post("subsidies", url.Values{"due_date": {"2021-04-15"}})
	wantStatus(t, "commit subsidy", r, 303)
	r, _ = post("subsidy-payments", url.Values{"due_date": {"2021-04-15"}, "level": {"provincial"}, "paid_on": {"2021-04-20"}})
	wantStatus(t, "subsidy before the interest", r, 422)
	wantBody(t, "subsidy before the interest", r, `id="subsidy-payments-due_date" type="date" maxlength="200" required aria-invalid="true" aria-describedby="error-subsidy-payments-due_date"`,
		`<p class="error" id="error-subsidy-payments-due_date" role="alert">该期利息尚未支付，不能拨付贴息。</p>`, `value="2021-04-20"`)

	r, _ = post("payments", url.Values{"due_date": {"2021-04-15"}})
	wantStatus(t, "pay", r, 303)
	r, _ = post("subsidy-payments", url.Values{"due_date": {"2021-04-15"}, "level": {"provincial"}, "paid_on": {"2021-04-20"}})
	wantStatus(t, "pay the subsidy", r, 303)
	r, _ = post("drawdowns", url.Values{"project": {"LP-1"}, "amount": {"0.01"}, "drawn_on": {"2021-02-01"}})
	wantStatus(t, "draw beyond the loan", r, 422)
	wantBody(t, "draw beyond the loan", r, `<p class="error" id="error-drawdowns-amount" role="alert">提款超过贷款未提额度。</p>`)
	r, _ = post("prepayments", url.Values{"amount": {"12.345"}, "paid_on": {"2021-05-25"}})
	wantStatus(t, "prepay a bad amount", r, 422)
	wantBody(t, "prepay a bad amount", r, `id="error-prepayments-amount"`, `value="12.345"`)

	// Into the first period, already paid: refused next to the date.
	r, _ = post("prepayments", url.Values{"amount": {"2000.00"}, "paid_on": {"2021-03-01"}})
	wantStatus(t, "prepay into a paid period", r, 422)
	wantBody(t, "prepay into a paid period", r, `id="error-prepayments-paid_on"`)

	// A prepayment makes a new schedule version (118.33, worked out in
	// TestLoanThroughTheAPI); the first stays readable by its link.
	r, _ = post("prepayments", url.Values{"amount": {"2000.00"}, "paid_on": {"2021-05-25"}})
	wantStatus(t, "prepay", r, 303)
	r = b.get("/loans/PB-1")
	wantBody(t, "after the prepayment", r, "<td>118.33</td><td>2333.33</td>", `href="/loans/PB-1?version=1"`, `id="fig-repaid">5000.00<`)
	r = b.get("/loans/PB-1?version=1")
	wantStatus(t, "version 1", r, 200)
	wantBody(t, "version 1", r, "版本 1</h2>", "<td>135.00</td><td>3000.00</td>")
	if strings.Contains(string(r.body), "118.33") {
		t.Errorf("version 1 shows version 2's interest")
	}

	r = b.get("/loans/PB-1?lang=en")
	wantBody(t, "after paying", r, `id="fig-repaid">5000.00<`, `id="fig-interest">180.00<`, `id="fig-subsidy">90.00<`, "Subsidies paid", "Provincial")

	a := f.loggedIn("audit")
	r = a.get("/loans/PB-1")
	wantStatus(t, "auditor", r, 200)
	if strings.Contains(string(r.body), "<form method=\"post\" action=\"/loans/") {
		t.Errorf("the auditor is shown the loan forms")
	}
	r = a.post("/loans/PB-1/payments", url.Values{"csrf": {a.csrf}, "key": {"0123456789abcdef0123"}, "due_date": {"2021-07-15"}})
	wantStatus(t, "auditor posts", r, 403)

	w := f.loggedIn("wdofficer")
	wantStatus(t, "other district's officer", w.get("/loans/PB-1"), 403)
	wantBody(t, "other district's list", w.get("/loans"), `id="loans-none"`)
}

// regexpKey finds the idempotency key of one loan form.
func regexpKey(action string) *regexp.Regexp {
	return regexp.MustCompile(`id="form-` + regexp.QuoteMeta(action) + `"[^>]*>\s*<h3>[^<]*</h3>\s*<input type="hidden" name="csrf" value="[^"]*">\s*<input type="hidden" name="key" value="([^"]+)">`)
}
