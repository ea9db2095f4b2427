package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/recon"
)

// reconSetup: a receipt of 1,000.00 into HC-1 on 2021-03-01 through BOC-HC
// and a statement line of BOC-HC for it on 2021-03-03 with another
// reference; returns the line id and the posting (ENTRY/1).
func reconSetup(t *testing.T, f *fixture) (int64, string) {
	t.Helper()
	ctx := context.Background()
	p := funding.New(ledger.New(f.db))
	m, err := p.Receive(ctx, funding.ReceiptRequest{Project: "HC-1", Source: "central", Amount: decimal.RequireFromString("1000.00"),
		ReceivedOn: date("2021-03-01"), BankAccount: "BOC-HC", Reference: "GK-1", IdempotencyKey: "recon-setup", Actor: "setup"})
	if err != nil {
		t.Fatal(err)
	}
	prof, err := recon.LookupProfile("generic")
	if err != nil {
		t.Fatal(err)
	}
	csv := "交易日期,收入金额,支出金额,余额,对方户名,摘要,凭证号\n2021-03-03,1000.00,,1000.00,威海市财政局,中央补助资金,BANK-77\n"
	if _, err := recon.New(f.db).Import(ctx, "BOC-HC", prof, "march.csv", []byte(csv), "setup"); err != nil {
		t.Fatal(err)
	}
	var line int64
	if err := f.db.Get(&line, `SELECT id FROM recon_statement_lines WHERE bank_account = 'BOC-HC'`); err != nil {
		t.Fatal(err)
	}
	return line, fmt.Sprintf("%d/1", m.FinancialEntry)
}

func (f *fixture) count(table string) int {
	f.t.Helper()
	var n int
	if err := f.db.Get(&n, `SELECT count(*) FROM `+table); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func TestBrowserReconWorklist(t *testing.T) {
	f := withPasswords(newFixture(t))
	line, posting := reconSetup(t, f)
	lineID := fmt.Sprint(line)

	b := f.loggedIn("officer")
	r := b.get("/recon/BOC-WD?period=2021-03")
	wantStatus(t, "another district's bank account", r, http.StatusForbidden)
	wantBody(t, "403 page", r, "您无权访问")
	wantStatus(t, "no such bank account", b.get("/recon/NOPE?period=2021-03"), http.StatusNotFound)
	wantStatus(t, "bad period", b.get("/recon/BOC-HC?period=March"), http.StatusUnprocessableEntity)

	r = b.page(t, "worklist", "/recon/BOC-HC?period=2021-03&lang=en")
	wantBody(t, "worklist", r, "Bank reconciliation", `id="line-`+lineID+`"`, `id="posting-`+posting+`"`, "BANK-77", "GK-1", "match-form")
	// The run form offers the default window of ±3 days, not 0.
	wantBody(t, "run form", r, `id="run-window" type="number" min="0" max="31" value="3"`)
	// The role reads as words, not its stored code.
	wantBody(t, "worklist in Chinese", b.get("/recon/BOC-HC?period=2021-03&lang=zh"), "(区县经办人)")

	form := url.Values{"period": {"2021-03"}, "line": {lineID}, "posting": {posting}, "reason": {"same receipt, bank wrote its own reference"}}
	wantStatus(t, "match without token", b.post("/recon/BOC-HC/match", form), http.StatusForbidden)
	if n := f.count("recon_matches"); n != 0 {
		t.Fatalf("a refused form matched: %d matches", n)
	}
	// An officer of another district cannot match on its account.
	form.Set("csrf", b.csrf)
	wantStatus(t, "match on another district's account", b.post("/recon/BOC-WD/match", form), http.StatusForbidden)
	// Without a reason: refused, shown on the page with the boxes still checked.
	noReason := url.Values{"csrf": {b.csrf}, "period": {"2021-03"}, "line": {lineID}, "posting": {posting}}
	r = b.post("/recon/BOC-HC/match", noReason)
	wantStatus(t, "match without reason", r, http.StatusUnprocessableEntity)
	wantBody(t, "refused match", r, `id="recon-error">请填写理由：手工匹配和撤销匹配都要说明原因。<`, `value="`+lineID+`" id="line-`+lineID+`" checked`)
	// The same line ticked twice: named, in the reader's language.
	twice := url.Values{"csrf": {b.csrf}, "period": {"2021-03"}, "line": {lineID, lineID}, "posting": {posting}, "reason": {"x"}}
	r = b.post("/recon/BOC-HC/match", twice)
	wantStatus(t, "line twice", r, http.StatusUnprocessableEntity)
	wantBody(t, "line twice", r, `id="recon-error">同一行对账单或同一条账面记录被选了两次，请每项只选一次。<`)
	r = b.post("/recon/BOC-HC/match?lang=en", twice)
	wantBody(t, "line twice, English", r, `id="recon-error">The same statement line or posting is chosen twice; choose each only once.<`)
	b.get("/recon/BOC-HC?period=2021-03&lang=zh") // the language chosen stays: back to Chinese

	r = b.post("/recon/BOC-HC/match", form)
	wantStatus(t, "match", r, http.StatusSeeOther)
	var actor, reason string
	if err := f.db.QueryRow(`SELECT actor, reason FROM recon_matches`).Scan(&actor, &reason); err != nil || actor != "officer" || reason != form.Get("reason") {
		t.Fatalf("match stored as %q %q, %v", actor, reason, err)
	}
	r = b.page(t, "after the match", r.header.Get("Location"))
	wantBody(t, "after the match", r, `id="match-done"`, "unmatch-")
	if bytes.Contains(r.body, []byte(`id="line-`+lineID+`"`)) {
		t.Error("the matched line is still in the worklist")
	}
	var matchID int64
	if err := f.db.Get(&matchID, `SELECT id FROM recon_matches`); err != nil {
		t.Fatal(err)
	}

	// The auditor reads the worklist, has no form and cannot post.
	a := f.loggedIn("audit")
	r = a.page(t, "auditor reads", "/recon/BOC-HC?period=2021-03")
	if bytes.Contains(r.body, []byte("match-submit")) || bytes.Contains(r.body, []byte("unmatch-")) {
		t.Error("auditor gets a match or unmatch form")
	}
	wantStatus(t, "auditor unmatches", a.post("/recon/BOC-HC/unmatch", url.Values{"csrf": {a.csrf}, "period": {"2021-03"},
		"match": {fmt.Sprint(matchID)}, "reason": {"no"}}), http.StatusForbidden)
	wantStatus(t, "auditor matches", a.post("/recon/BOC-HC/match", url.Values{"csrf": {a.csrf}, "period": {"2021-03"},
		"line": {lineID}, "posting": {posting}, "reason": {"x"}}), http.StatusForbidden)
	if n := f.count("recon_unmatches"); n != 0 {
		t.Fatalf("auditor unmatched")
	}

	// Unmatch: needs a reason, then the items are back in the worklist.
	unmatch := url.Values{"csrf": {b.csrf}, "period": {"2021-03"}, "match": {fmt.Sprint(matchID)}}
	r = b.post("/recon/BOC-HC/unmatch", unmatch)
	wantStatus(t, "unmatch without reason", r, http.StatusUnprocessableEntity)
	wantBody(t, "unmatch without reason", r, `id="recon-error">请填写理由：手工匹配和撤销匹配都要说明原因。<`)
	wantStatus(t, "unmatch through another account", b.post("/recon/BOC-WD/unmatch", unmatch), http.StatusForbidden)
	unmatch.Set("reason", "wrong line")
	r = b.post("/recon/BOC-HC/unmatch", unmatch)
	wantStatus(t, "unmatch", r, http.StatusSeeOther)
	var by string
	if err := f.db.Get(&by, `SELECT actor FROM recon_unmatches WHERE match_id = $1`, matchID); err != nil || by != "officer" {
		t.Fatalf("unmatch by %q, %v", by, err)
	}
	r = b.get(r.header.Get("Location"))
	wantBody(t, "after unmatch", r, `id="unmatch-done"`, `id="line-`+lineID+`"`)
}

func TestBrowserReconNoDistrictAccount(t *testing.T) {
	f := withPasswords(newFixture(t))
	p := funding.New(ledger.New(f.db))
	if err := p.AddBankAccount(context.Background(), funding.BankAccount{Code: "CITY", Name: "市级专户", Bank: "中国银行"}, "setup"); err != nil {
		t.Fatal(err)
	}
	b := f.loggedIn("officer")
	wantStatus(t, "officer, account without district", b.get("/recon/CITY?period=2021-03"), http.StatusForbidden)
	bu := f.loggedIn("bureau")
	r := bu.page(t, "bureau", "/recon/CITY?period=2021-03")
	wantBody(t, "bureau", r, "市级专户", "match-submit")
	a := f.loggedIn("audit")
	r = a.page(t, "auditor", "/recon/CITY?period=2021-03")
	if bytes.Contains(r.body, []byte("match-submit")) {
		t.Error("auditor gets the match form")
	}
}

func TestBrowserReports(t *testing.T) {
	f := withPasswords(newFixture(t))
	b := f.loggedIn("bureau")
	r := b.page(t, "reports", "/reports?lang=en")
	for _, n := range []string{"district", "plan-progress", "bonds", "grants", "trial-balances", "balance-sheet", "budget-vs-actual", "sources", "earmark"} {
		wantBody(t, "reports", r, `id="view-`+n+`"`, `href="/reports/`+n+`.csv"`, `href="/reports/`+n+`.xlsx"`)
	}

	r = b.page(t, "report page", "/reports/budget-vs-actual?district=huancui")
	wantBody(t, "report page", r, "<table", "1,000,000.00", "HC-1")
	if bytes.Contains(r.body, []byte("WD-1")) {
		t.Error("district report page shows another district's project")
	}
	for _, n := range []string{"district", "plan-progress", "bonds", "grants", "trial-balances", "balance-sheet", "sources", "earmark"} {
		wantStatus(t, "report "+n, b.get("/reports/"+n+"?as_of=2021-12-31"), http.StatusOK)
	}
	wantStatus(t, "no such report", b.get("/reports/nope"), http.StatusNotFound)
	wantStatus(t, "bad date", b.get("/reports/sources?as_of=yesterday"), http.StatusUnprocessableEntity)

	r = b.page(t, "csv", "/reports/budget-vs-actual.csv?district=huancui&as_of=2021-12-31")
	if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="budget-vs-actual-huancui-20211231.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
	}
	if !bytes.Contains(r.body, []byte("HC-1")) || !bytes.Contains(r.body, []byte("1000000.00")) {
		t.Errorf("csv lacks HC-1's budget of 1000000.00:\n%s", r.body)
	}
	r = b.page(t, "xlsx", "/reports/sources.xlsx")
	if !bytes.HasPrefix(r.body, []byte("PK")) {
		t.Error("xlsx is not a zip")
	}

	// An officer's reports are narrowed to his district.
	o := f.loggedIn("officer")
	r = o.page(t, "officer csv", "/reports/budget-vs-actual.csv")
	if !bytes.Contains(r.body, []byte("HC-1")) || bytes.Contains(r.body, []byte("WD-1")) {
		t.Errorf("officer csv:\n%s", r.body)
	}
	wantStatus(t, "officer, other district", o.get("/reports/budget-vs-actual?district=wendeng"), http.StatusForbidden)
	wantStatus(t, "officer, other district csv", o.get("/reports/sources.csv?district=wendeng"), http.StatusForbidden)
	r = o.page(t, "officer reports", "/reports")
	if bytes.Contains(r.body, []byte("文登区")) {
		t.Error("officer's reports page offers another district")
	}
}

func TestBrowserBondPanel(t *testing.T) {
	f := withPasswords(newFixture(t))
	b := f.loggedIn("officer")
	r := b.page(t, "dashboard", "/districts/huancui?lang=en")
	wantBody(t, "dashboard", r, `id="bond-panel"`, "Bond coverage", `id="bond-none"`, `href="/reports/bonds?district=huancui"`)
	r = b.page(t, "officer's bond report", "/reports/bonds?district=huancui")
}

// TestBrowserBondPanelCoverage: a 10-year bullet bond of 1,000,000.00 at
// 3.5% allocated 600,000.00 to a 环翠区 project, with no revenue plan: the
// district's coverage is 0.0000, flagged below the threshold.
func TestBrowserBondPanelCoverage(t *testing.T) {
	f := withPasswords(newFixture(t))
	ctx := context.Background()
	p := funding.New(ledger.New(f.db))
	dec := decimal.RequireFromString
	rules, err := os.ReadFile("../funding/testdata/bonds/rules-bond.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rules = bytes.Replace(bytes.Replace(rules, []byte("name: test-bonds"), []byte("name: test-bonds-huancui"), 1), []byte(`district: ""`), []byte("district: 环翠区"), 1)
	if _, _, err := p.LoadRuleSetBytes(ctx, "rules-bond-huancui.yaml", rules, "setup"); err != nil {
		t.Fatal(err)
	}
	if err := p.AddBankAccount(ctx, funding.BankAccount{Code: "RESERVE", Name: "偿债准备金专户", Bank: "中国银行"}, "setup"); err != nil {
		t.Fatal(err)
	}
	in := project("HC-B", "环翠区")
	if _, err := p.RegisterProject(ctx, in, "setup"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Approve(ctx, funding.ApprovalRequest{Project: "HC-B", ApprovedOn: date("2020-06-15"), Actor: "setup",
		Lines: []funding.BudgetLineInput{{Category: "basic", Description: "roads", Amount: dec("2000000.00")}}}); err != nil {
		t.Fatal(err)
	}
	bond, err := p.RegisterBond(ctx, funding.BondInput{Code: "B-1", Name: "测试专项债券", IssueDate: date("2020-07-01"), Principal: dec("1000000.00"),
		CouponRatePct: dec("3.5"), TermYears: 10, Frequency: "annual", Repayment: "bullet", ReserveBankAccount: "RESERVE"}, "setup")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.IssueBond(ctx, funding.BondIssueRequest{Bond: bond.Code, Actor: "setup"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.AllocateBond(ctx, funding.BondAllocationRequest{Bond: bond.Code, Project: "HC-B", Amount: dec("600000.00"),
		AllocatedOn: date("2020-07-10"), IdempotencyKey: "alloc", Actor: "setup"}); err != nil {
		t.Fatal(err)
	}
	u := f.loggedIn("officer")
	r := u.page(t, "dashboard", "/districts/huancui?lang=en")
	wantBody(t, "dashboard", r, `id="bond-coverage"`, "<td>600,000.00</td>", `<td id="bond-ratio">0.0000</td>`,
		`<td id="bond-flag" class="bond-below">below threshold</td>`)
	r = u.page(t, "officer's bond csv", "/reports/bonds.csv?district=huancui")
	if !bytes.Contains(r.body, []byte("HC-B")) || bytes.Contains(r.body, []byte("B-1,测试专项债券")) {
		t.Errorf("officer's bond csv:\n%s", r.body)
	}
}

// TestBrowserBankPanel: the dashboard lists the district's bank accounts
// (and no other district's) with a link to this month's worklist.
func TestBrowserBankPanel(t *testing.T) {
	f := withPasswords(newFixture(t))
	b := f.loggedIn("officer")
	month := time.Now().Format("2006-01")
	r := b.page(t, "dashboard", "/districts/huancui?lang=en")
	wantBody(t, "dashboard", r, `id="bank-panel"`, "Bank accounts", "环翠专户", `id="recon-BOC-HC"`,
		`href="/recon/BOC-HC?period=`+month+`"`, "Reconcile")
	if bytes.Contains(r.body, []byte("BOC-WD")) {
		t.Error("dashboard lists another district's bank account")
	}
	r = b.get("/districts/huancui?lang=zh")
	wantBody(t, "dashboard zh", r, "银行账户", "开户行")
	wantStatus(t, "worklist from the link", b.get("/recon/BOC-HC?period="+month), http.StatusOK)

	a := f.loggedIn("audit")
	r = a.page(t, "auditor's dashboard", "/districts/wendeng?lang=en")
	wantBody(t, "auditor's dashboard", r, `id="recon-BOC-WD"`)
	if bytes.Contains(r.body, []byte("BOC-HC")) {
		t.Error("wendeng dashboard lists BOC-HC")
	}
}
