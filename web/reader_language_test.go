package web_test

import (
	"bytes"
	"net/http"
	"regexp"
	"testing"
)

// wantNotBody: none of sub is in the body.
func wantNotBody(t *testing.T, what string, r resp, sub ...string) {
	t.Helper()
	for _, s := range sub {
		if bytes.Contains(r.body, []byte(s)) {
			t.Errorf("%s: body has %q", what, s)
		}
	}
}

var fieldErrorRE = regexp.MustCompile(`<p class="error field-error" id="err-[a-z_]+" role="alert">([^<]*)</p>`)

// fieldError is the text of a step page's field error.
func fieldError(r resp) string {
	if m := fieldErrorRE.FindSubmatch(r.body); m != nil {
		return string(m[1])
	}
	return ""
}

var doneVoucherRE = regexp.MustCompile(`凭证 (\d{4}-\d{2} 财-\d{4})`)

// TestReaderLanguageBooks (issue 14): the memos the programme writes, the
// account names and the 专款专用 refusal read in the reader's language
// alone, with voucher numbers, never entry ids, idempotency keys or codes.
// HC-2 under test-citywide (basic: central 50%): approved basic 1,000.00
// and improvement 1,000.00; central receives 500.00 and pays 500.00 of
// basic to 威海某建设公司; the payment is reversed.
func TestReaderLanguageBooks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.setPasswords()
	b := f.browser()
	b.mustLogin("officer")
	post := func(path string, fields map[string]string) resp {
		t.Helper()
		key := b.stepKey(path)
		r := b.step(path, key, "preview", fields)
		wantStatus(t, path+" preview", r, http.StatusOK)
		r = b.step(path, key, "post", fields)
		wantStatus(t, path+" post", r, http.StatusOK)
		return r
	}
	post("/projects/HC-2/approve", map[string]string{"approved_on": "2020-06-15", "basic": "1000.00", "improvement": "1000.00"})
	post("/projects/HC-2/receive", map[string]string{"source": "central", "amount": "500.00", "date": "2020-07-01", "bank_account": "BOC-HC"})
	pay := map[string]string{"source": "central", "category": "basic", "amount": "500.00", "date": "2020-08-01",
		"payee": "威海某建设公司", "bank_account": "BOC-HC"}
	// The preview writes the payment's memo in the reader's language.
	key := b.stepKey("/projects/HC-2/pay")
	r := b.step("/projects/HC-2/pay?lang=zh", key, "preview", pay)
	wantStatus(t, "preview zh", r, http.StatusOK)
	wantBody(t, "preview zh", r, "拨付：HC-2 基础类工程款付给威海某建设公司，资金来源中央补助", "cash:huancui:HC-2:central 中央补助专户资金")
	wantNotBody(t, "preview zh", r, "paid to", "Paid for", "earmarked cash")
	r = b.step("/projects/HC-2/pay?lang=en", key, "preview", pay)
	wantStatus(t, "preview en", r, http.StatusOK)
	wantBody(t, "preview en", r, "Paid for HC-2, basic (safety and basic living) works, to 威海某建设公司 from central government subsidy",
		"cash:huancui:HC-2:central central government subsidy earmarked cash")
	wantNotBody(t, "preview en", r, "拨付：", "专户资金", "资金来源")
	r = b.step("/projects/HC-2/pay?lang=zh", key, "post", pay)
	wantStatus(t, "pay", r, http.StatusOK)
	m := doneVoucherRE.FindSubmatch(r.body)
	if m == nil {
		t.Fatalf("no voucher in %s", r.body)
	}
	voucher := string(m[1])
	post("/projects/HC-2/reverse", map[string]string{"entry": voucher, "reason": "收款单位账户有误", "date": "2020-08-02"})

	r = b.get("/entries?project=HC-2&lang=zh")
	wantStatus(t, "entries zh", r, http.StatusOK)
	wantBody(t, "entries zh", r, "资金到位：HC-2 收到中央补助资金", "拨付：HC-2 基础类工程款付给威海某建设公司，资金来源中央补助",
		"冲销 "+voucher+"：收款单位账户有误")
	wantNotBody(t, "entries zh", r, "Received for", "Paid for", "Reversal of", "reversal of entry", "reverses", "received for", "paid to")
	r = b.get("/entries?project=HC-2&lang=en")
	wantStatus(t, "entries en", r, http.StatusOK)
	wantBody(t, "entries en", r, "Received for HC-2 from central government subsidy",
		"Paid for HC-2, basic (safety and basic living) works, to 威海某建设公司 from central government subsidy",
		"Reversal of voucher "+voucher+": 收款单位账户有误")
	wantNotBody(t, "entries en", r, "资金到位", "拨付：", "冲销", "reversal of entry", "reversal-of:", "web/officer")
	if regexp.MustCompile(`#\d+\)`).Match(r.body) {
		t.Errorf("entries en: an entry id is shown")
	}

	// The register of the project's central cash: the account's name and the memos.
	r = b.get("/ledger/accounts/cash:huancui:HC-2:central?lang=zh")
	wantStatus(t, "register zh", r, http.StatusOK)
	wantBody(t, "register zh", r, "<small>中央补助专户资金 · ", "资金到位：HC-2 收到中央补助资金", "冲销 "+voucher+"：收款单位账户有误")
	wantNotBody(t, "register zh", r, "earmarked cash", "Received for", "Reversal of")
	r = b.get("/ledger/accounts/cash:huancui:HC-2:central?lang=en")
	wantStatus(t, "register en", r, http.StatusOK)
	wantBody(t, "register en", r, "<small>central government subsidy earmarked cash · ", "Received for HC-2 from central government subsidy",
		"Reversal of voucher "+voucher+": 收款单位账户有误")
	wantNotBody(t, "register en", r, "专户资金", "资金到位", "冲销")

	// 专款专用: central money may not pay improvement works, named in the language.
	earmark := map[string]string{"source": "central", "category": "improvement", "amount": "10.00", "date": "2020-08-03",
		"payee": "威海某建设公司", "bank_account": "BOC-HC"}
	key = b.stepKey("/projects/HC-2/pay")
	r = b.step("/projects/HC-2/pay?lang=zh", key, "preview", earmark)
	wantStatus(t, "earmark zh", r, http.StatusUnprocessableEntity)
	if got := fieldError(r); got != "专款专用：中央补助资金不能用于完善类，只能用于项目规则集允许的类别。" {
		t.Errorf("earmark zh: %q", got)
	}
	r = b.step("/projects/HC-2/pay?lang=en", key, "preview", earmark)
	wantStatus(t, "earmark en", r, http.StatusUnprocessableEntity)
	if got := fieldError(r); got != "Earmarked money: central government subsidy money may not pay for improvement (convenience); it may pay only the categories the project&#39;s rule set allows." {
		t.Errorf("earmark en: %q", got)
	}
}
