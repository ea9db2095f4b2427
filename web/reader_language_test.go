package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/recon"
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

// explainList is the step page's list of the rule set's explanation.
func explainList(t *testing.T, r resp) []byte {
	t.Helper()
	i := bytes.Index(r.body, []byte(`<ol id="check-explain">`))
	if i < 0 {
		t.Fatalf("no explanation in %s", r.body)
	}
	list := r.body[i:]
	return list[:bytes.Index(list, []byte("</ol>"))]
}

// wantNotIn: none of sub is in text.
func wantNotIn(t *testing.T, what string, text []byte, sub ...string) {
	t.Helper()
	for _, s := range sub {
		if bytes.Contains(text, []byte(s)) {
			t.Errorf("%s has %q", what, s)
		}
	}
}

var fieldErrorRE = regexp.MustCompile(`<p class="error field-error"[^>]*>([^<]*)</p>`)

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
	post := b.previewAndPost
	post("/projects/HC-2/approve", map[string]string{"approved_on": "2020-06-15", "basic": "1000.00", "improvement": "1000.00"})
	// The rule set's explanation: the sources and categories named, no codes.
	r := b.get("/projects/HC-2/approve?lang=zh")
	wantStatus(t, "explanation zh", r, http.StatusOK)
	wantBody(t, "explanation zh", r, "<li>规则集 test-citywide（版本 1）；项目 HC-2：200 户，建筑面积 15,000.00 平方米，电梯 0 部；预算明细 2 条，合计 2,000.00 元</li>",
		"<li>基础类：预算明细第 1 条，金额 1,000.00 元</li>",
		"<li>基础类：1,000.00 元 × 50% = 500.00 元，由中央补助承担</li>",
		"<li>基础类：结果（合计 1,000.00 元）：中央补助 500.00，省级补助 200.00，区市财政 300.00</li>",
		"<li>完善类：居民出资 500.00 元，未超过上限 20,000.00 元</li>")
	wantNotIn(t, "explanation zh", explainList(t, r), "resident:direct", "categories.", "budget lines", "result", "within its cap", "#0")
	r = b.get("/projects/HC-2/approve?lang=en")
	wantStatus(t, "explanation en", r, http.StatusOK)
	wantBody(t, "explanation en", r, "<li>Rule set test-citywide (version 1); project HC-2: 200 households, 15,000.00 m², 0 elevators; 2 budget lines, total 2,000.00</li>",
		"<li>basic (safety and basic living): budget lines 1, cost 1,000.00</li>",
		"<li>basic (safety and basic living): 1,000.00 × 50% = 500.00, paid by central government subsidy</li>",
		"<li>improvement (convenience): result (sum 1,000.00): district budget 500.00, residents, direct contribution 500.00</li>",
		"<li>improvement (convenience): residents, direct contribution: 500.00, within its cap of 20,000.00</li>")
	wantNotIn(t, "explanation en", explainList(t, r), "resident:direct", "categories.", "基础类", "中央补助", "#1", "元")
	post("/projects/HC-2/receive", map[string]string{"source": "central", "amount": "500.00", "date": "2020-07-01", "bank_account": "BOC-HC"})
	pay := map[string]string{"source": "central", "category": "basic", "amount": "500.00", "date": "2020-08-01",
		"payee": "威海某建设公司", "bank_account": "BOC-HC"}
	// The preview writes the payment's memo in the reader's language.
	key := b.stepKey("/projects/HC-2/pay")
	r = b.step("/projects/HC-2/pay?lang=zh", key, "preview", pay)
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

	// The trial balance's accounts of the project, named in the language.
	r = b.get("/ledger?book=financial&type=asset&district=huancui&project=HC-2&lang=zh")
	wantStatus(t, "trial balance zh", r, http.StatusOK)
	wantBody(t, "trial balance zh", r, `class="drill">cash:huancui:HC-2:central 中央补助专户资金</a>`)
	wantNotBody(t, "trial balance zh", r, "earmarked cash")
	r = b.get("/ledger?book=financial&type=asset&district=huancui&project=HC-2&lang=en")
	wantStatus(t, "trial balance en", r, http.StatusOK)
	wantBody(t, "trial balance en", r, `class="drill">cash:huancui:HC-2:central central government subsidy earmarked cash</a>`)
	wantNotBody(t, "trial balance en", r, "专户资金")

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

// TestReaderLanguageReconWorklist (issue 14): the worklist's issue notes
// read in the reader's language with their figures; the summary's headers
// say what their columns hold; an automatic match shows 自动匹配 /
// Automatic and its pass as the reason. HC-1 receives 1,000.00 (GK-1) and
// 500.00 (GK-2) through BOC-HC; the statement has GK-1 for 1,000.00 (pass
// 1 matches it) and GK-2 for 499.00 (same reference, amounts differ).
func TestReaderLanguageReconWorklist(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.setPasswords()
	ctx := context.Background()
	p := funding.New(ledger.New(f.db))
	for i, amt := range []string{"1000.00", "500.00"} {
		ref := fmt.Sprintf("GK-%d", i+1)
		if _, err := p.Receive(ctx, funding.ReceiptRequest{Project: "HC-1", Source: "central", Amount: decimal.RequireFromString(amt),
			ReceivedOn: date("2021-03-01"), BankAccount: "BOC-HC", Reference: ref, IdempotencyKey: "lang-" + ref, Actor: "setup"}); err != nil {
			t.Fatal(err)
		}
	}
	prof, err := recon.LookupProfile("generic")
	if err != nil {
		t.Fatal(err)
	}
	csv := "交易日期,收入金额,支出金额,余额,对方户名,摘要,凭证号\n" +
		"2021-03-02,1000.00,,1000.00,威海市财政局,中央补助资金,GK-1\n" +
		"2021-03-02,499.00,,1499.00,威海市财政局,中央补助资金,GK-2\n"
	rc := recon.New(f.db)
	if _, err := rc.Import(ctx, "BOC-HC", prof, "march.csv", []byte(csv), "setup"); err != nil {
		t.Fatal(err)
	}
	per, err := recon.ParsePeriod("2021-03")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Run(ctx, recon.RunRequest{BankAccount: "BOC-HC", Period: per, WindowDays: 3, Actor: "bureau"}); err != nil {
		t.Fatal(err)
	}
	b := f.browser()
	b.mustLogin("officer")
	r := b.get("/recon/BOC-HC?period=2021-03&lang=zh")
	wantStatus(t, "worklist zh", r, http.StatusOK)
	wantBody(t, "worklist zh", r, `<th>明细</th><th>笔数</th><th>其中已匹配</th>`,
		`<td id="sum-lines">2</td><td id="sum-lines-matched">1</td>`,
		`<td class="text">参考号 GK-2：银行流水合计 499.00 元，账目合计 500.00 元，金额不一致。</td>`,
		`<td>自动匹配</td><td class="text">自动：参考号</td>`)
	wantNotBody(t, "worklist zh", r, "已批复", "reference \"GK-2\"", "Automatic", "<td>bureau</td>")
	r = b.get("/recon/BOC-HC?period=2021-03&lang=en")
	wantStatus(t, "worklist en", r, http.StatusOK)
	wantBody(t, "worklist en", r, `<th>Items</th><th>Count</th><th>Of which matched</th>`,
		`<td id="sum-postings">2</td><td id="sum-postings-matched">1</td>`,
		`<td class="text">Reference GK-2: statement lines total 499.00, postings total 500.00; the amounts differ.</td>`,
		`<td>Automatic</td><td class="text">Automatic: reference</td>`)
	wantNotBody(t, "worklist en", r, "Approved", "reference \"GK-2\"", "自动匹配", "参考号 GK-2", "<td>bureau</td>")
	r = b.get("/recon/BOC-HC/matches?period=2021-03&lang=en")
	wantStatus(t, "matches en", r, http.StatusOK)
	wantBody(t, "matches en", r, `<td>Automatic</td><td class="text">Automatic: reference</td>`)
}
