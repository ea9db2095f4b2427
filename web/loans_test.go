package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"fundledger/access"
	"fundledger/funding"
)

// loanOperations are the endpoints of loans.go, which the OpenAPI document
// must list too (TestAuthentication compares it with the routes).
var loanOperations = []string{
	"GET /api/loans", "GET /api/loans/{code}", "GET /api/loans/{code}/schedule", "POST /api/loans",
	"POST /api/loans/{code}/drawdowns", "POST /api/loans/{code}/prepayments", "POST /api/loans/{code}/rate-resets",
	"POST /api/loans/{code}/accruals", "POST /api/loans/{code}/payments", "POST /api/loans/{code}/subsidies",
	"POST /api/loans/{code}/subsidy-payments", "POST /api/companies", "POST /api/capital-injections", "POST /api/capital-uses",
	"POST /api/investment-subsidies", "POST /api/investment-subsidies/payments",
	"GET /api/reports/loans", "GET /api/reports/capital", "GET /api/reports/district-debt",
}

// loanFixture is a fresh database with the loan rule set of the funding
// tests (../funding/testdata/loans/rules-loan.yaml: basic 60% policy_bank;
// the province subsidises 50% of a policy-bank loan's interest, at most
// 150.00 a year), project LP-1 in 环翠区 whose basic budget of 20,000.00
// commits 12,000.00 of policy-bank money, and the users of newFixture
// (officer: huancui) and wdofficer (文登区 only), each with a token.
func loanFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, p := booksWithRules(t, "../funding/testdata/loans/rules-loan.yaml")
	if _, err := p.RegisterProject(ctx, project("LP-1", "环翠区"), "setup"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Approve(ctx, funding.ApprovalRequest{Project: "LP-1", ApprovedOn: date("2020-06-15"), Actor: "setup",
		Lines: []funding.BudgetLineInput{{Category: "basic", Description: "roads", Amount: decimal.RequireFromString("20000.00")}}}); err != nil {
		t.Fatal(err)
	}
	return serveFixture(t, db, map[string]access.Role{"bureau": access.FinanceBureau, "officer": access.DistrictOfficer, "audit": access.Auditor,
		"nogrants": access.DistrictOfficer, "wdofficer": access.DistrictOfficer}, map[string]string{"officer": "huancui", "wdofficer": "wendeng"})
}

// The loan of TestLoanEndToEnd (funding/loan_test.go): 12,000.00 from a
// policy bank at 6% fixed, quarterly, equal principal over a year from
// 2021-01-15.
const policyBankLoan = `{"code": "PB-1", "name": "国开行老旧小区改造贷款", "lender": "国家开发银行山东省分行", "lender_kind": "policy_bank",
	"district": "环翠区", "projects": ["LP-1"], "amount": "12000.00", "rate_kind": "fixed", "rate_pct": "6", "start": "2021-01-15",
	"term_months": 12, "frequency": "quarterly", "repayment": "equal_principal"}`

type loanLineWant struct{ opening, interest, principal string }

func (f *fixture) loanScheduleIs(t *testing.T, user string, version int, want []loanLineWant) {
	t.Helper()
	r := f.do(user, "GET", "/api/loans/PB-1/schedule", "", "")
	if r.status != 200 {
		t.Fatalf("schedule: %d %s", r.status, r.body)
	}
	var sc struct {
		Version int `json:"version"`
		Lines   []struct {
			Opening   string `json:"opening_principal"`
			Interest  string `json:"interest"`
			Principal string `json:"principal"`
		} `json:"lines"`
	}
	if err := json.Unmarshal(r.body, &sc); err != nil {
		t.Fatal(err)
	}
	if sc.Version != version {
		t.Errorf("schedule version %d, want %d", sc.Version, version)
	}
	if len(sc.Lines) != len(want) {
		t.Fatalf("schedule has %d lines, want %d: %s", len(sc.Lines), len(want), r.body)
	}
	for i, w := range want {
		got := loanLineWant{sc.Lines[i].Opening, sc.Lines[i].Interest, sc.Lines[i].Principal}
		if got != w {
			t.Errorf("line %d: %+v, want %+v", i+1, got, w)
		}
	}
}

func field(t *testing.T, r resp, name string) string {
	t.Helper()
	v, ok := r.json(t)[name]
	if !ok {
		t.Fatalf("no %s in %s", name, r.body)
	}
	return fmt.Sprint(v)
}

// TestLoanThroughTheAPI: a policy-bank loan end to end through the API —
// registered, drawn twice, accrued, its interest paid, prepaid early, its
// subsidy committed and paid (refused before the interest is paid) — with
// the figures worked out by hand in funding/loan_test.go; an officer of
// another district is refused and lists nothing; the auditor writes nothing.
func TestLoanThroughTheAPI(t *testing.T) {
	t.Parallel()
	f := loanFixture(t)
	f.noKey(t, "officer", "/api/loans", policyBankLoan)
	f.check(t, []moreCase{
		{"wdofficer", "POST", "/api/loans", jsonCT, policyBankLoan, 403},
		{"audit", "POST", "/api/loans", jsonCT, policyBankLoan, 403},
		{"officer", "POST", "/api/loans", jsonCT, strings.Replace(policyBankLoan, `"rate_kind": "fixed"`, `"rate_kind": "fixd"`, 1), 422},
	})
	r := f.do("officer", "POST", "/api/loans", "l1", policyBankLoan)
	if r.status != 201 || field(t, r, "district") != "huancui" || field(t, r, "maturity") != "2022-01-15" {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/loans", "l1", policyBankLoan); !r.replayed() {
		t.Errorf("register again: %d %s", r.status, r.body)
	}

	// Two drawdowns of 6,000.00 on the start: the schedule of one 12,000.00.
	for i, key := range []string{"d1", "d2"} {
		body := `{"project": "LP-1", "amount": "6000.00", "drawn_on": "2021-01-15", "reference": "提款` + key + `"}`
		r := f.do("officer", "POST", "/api/loans/PB-1/drawdowns", key, body)
		if r.status != 201 || field(t, r, "amount") != "6000.00" {
			t.Fatalf("drawdown %d: %d %s", i+1, r.status, r.body)
		}
		if again := f.do("officer", "POST", "/api/loans/PB-1/drawdowns", key, body); again.status != 200 || field(t, again, "id") != field(t, r, "id") {
			t.Errorf("drawdown %d again: %d %s", i+1, again.status, again.body)
		}
	}
	r = f.do("officer", "POST", "/api/loans/PB-1/drawdowns", "d3", `{"project": "LP-1", "amount": "0.01", "drawn_on": "2021-02-01"}`)
	if code, _ := r.errCode(t); r.status != 422 || code != "exceeds_facility" {
		t.Errorf("drawdown beyond the loan: %d %s", r.status, r.body)
	}
	// 12000 × 6% ÷ 4 = 180; 9000 → 135; 6000 → 90; 3000 → 45.
	sched1 := []loanLineWant{{"0.00", "180.00", "3000.00"}, {"9000.00", "135.00", "3000.00"}, {"6000.00", "90.00", "3000.00"}, {"3000.00", "45.00", "3000.00"}}
	r = f.do("officer", "GET", "/api/loans/PB-1/schedule", "", "")
	v1 := 0
	fmt.Sscan(field(t, r, "version"), &v1)
	f.loanScheduleIs(t, "officer", v1, sched1)

	// 贴息 committed for the first period: 50% of 180.00 = 90.00.
	r = f.do("bureau", "POST", "/api/loans/PB-1/subsidies", "s1", `{"due_date": "2021-04-15"}`)
	if r.status != 201 || !strings.Contains(string(r.body), `"level":"provincial"`) || !strings.Contains(string(r.body), `"amount":"90.00"`) {
		t.Fatalf("commit subsidy: %d %s", r.status, r.body)
	}
	// Paying it before the interest is paid is refused, in Chinese by default.
	paySub := `{"due_date": "2021-04-15", "level": "provincial", "paid_on": "2021-04-20"}`
	before := f.entries()
	r = f.do("bureau", "POST", "/api/loans/PB-1/subsidy-payments", "sp1", paySub)
	if code, _ := r.errCode(t); r.status != 422 || code != "interest_not_paid" || !strings.Contains(field(t, r, "detail"), "该期利息尚未支付") {
		t.Errorf("subsidy before the interest: %d %s", r.status, r.body)
	}
	if f.entries() != before {
		t.Errorf("a refused subsidy payment recorded entries")
	}

	// Accrue through the first due date: 180.00.
	r = f.do("officer", "POST", "/api/loans/PB-1/accruals", "a1", `{"through": "2021-04-15"}`)
	if r.status != 201 || !strings.Contains(string(r.body), `"interest":"180.00"`) || strings.Count(string(r.body), `"due_date"`) != 1 {
		t.Fatalf("accrue: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/loans/PB-1/accruals", "a2", `{"through": "2021-04-15"}`); r.status != 200 || strings.Contains(string(r.body), `"interest"`) {
		t.Errorf("accrue again: %d %s", r.status, r.body)
	}
	r = f.do("officer", "POST", "/api/loans/PB-1/payments", "p1", `{"due_date": "2021-04-15", "reference": "还款1"}`)
	if r.status != 201 || field(t, r, "interest") != "180.00" || field(t, r, "principal") != "3000.00" || field(t, r, "total") != "3180.00" {
		t.Fatalf("pay: %d %s", r.status, r.body)
	}
	r = f.do("bureau", "POST", "/api/loans/PB-1/subsidy-payments", "sp2", paySub)
	if r.status != 201 || field(t, r, "amount") != "90.00" || field(t, r, "interest_paid") != "180.00" {
		t.Fatalf("subsidy: %d %s", r.status, r.body)
	}

	// Prepay 2,000.00 on 2021-05-25 (30E/360: 40 days at 9000, 50 at 7000):
	// (9000×40 + 7000×50) × 6 ÷ 36000 = 118.33; then 7000 ÷ 3 = 2333.33,
	// 4666.67 × 1.5% = 70.00, 2333.34 × 1.5% = 35.00.
	r = f.do("officer", "POST", "/api/loans/PB-1/prepayments", "pp1", `{"amount": "2000.00", "paid_on": "2021-05-25"}`)
	if r.status != 201 || field(t, r, "schedule_version") != fmt.Sprint(v1+1) {
		t.Fatalf("prepay: %d %s", r.status, r.body)
	}
	f.loanScheduleIs(t, "audit", v1+1, []loanLineWant{{"0.00", "180.00", "3000.00"}, {"9000.00", "118.33", "2333.33"},
		{"4666.67", "70.00", "2333.33"}, {"2333.34", "35.00", "2333.34"}})

	// The loan page's figures: drawn 12000, repaid 3000 + 2000, owed 7000.
	r = f.do("audit", "GET", "/api/loans/PB-1", "", "")
	if r.status != 200 {
		t.Fatalf("get: %d %s", r.status, r.body)
	}
	var d struct {
		Drawn, Repaid, Outstanding, InterestPaid, SubsidyPaid string
		Drawdowns, Payments, Prepayments, Subsidies           []any
		Versions                                              []any `json:"schedule_versions"`
	}
	m := r.json(t)
	d.Drawn, d.Repaid, d.Outstanding = fmt.Sprint(m["drawn"]), fmt.Sprint(m["principal_repaid"]), fmt.Sprint(m["principal_outstanding"])
	d.InterestPaid, d.SubsidyPaid = fmt.Sprint(m["interest_paid"]), fmt.Sprint(m["subsidy_paid"])
	if d.Drawn != "12000.00" || d.Repaid != "5000.00" || d.Outstanding != "7000.00" || d.InterestPaid != "180.00" || d.SubsidyPaid != "90.00" {
		t.Errorf("loan figures %+v, want drawn 12000.00, repaid 5000.00, outstanding 7000.00, interest 180.00, subsidy 90.00", d)
	}
	for name, n := range map[string]int{"drawdowns": 2, "payments": 1, "prepayments": 1, "subsidies": 1, "subsidy_payments": 1, "accruals": 1} {
		if got, _ := m[name].([]any); len(got) != n {
			t.Errorf("%s: %d records, want %d", name, len(got), n)
		}
	}
	if got, _ := m["schedule_versions"].([]any); len(got) != v1+1 {
		t.Errorf("schedule versions %d, want %d", len(got), v1+1)
	}

	// The report as of 2021-06-30: the same figures, net interest 180 − 90.
	r = f.do("officer", "GET", "/api/reports/loans?as_of=2021-06-30", "", "")
	if r.status != 200 {
		t.Fatalf("report: %d %s", r.status, r.body)
	}
	var rep struct {
		Loans []struct {
			Loan, Drawn, Outstanding, Net string
			Repaid                        string `json:"principal_repaid"`
		} `json:"loans"`
		Total struct {
			Outstanding string `json:"principal_outstanding"`
			Interest    string `json:"interest_paid"`
			Subsidy     string `json:"subsidy_paid"`
			Net         string `json:"net_interest_cost"`
		} `json:"total"`
		Debt []struct {
			District string `json:"district"`
			Loan     string `json:"loan_outstanding"`
		} `json:"district_debt"`
	}
	if err := json.Unmarshal(r.body, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Loans) != 1 || rep.Loans[0].Drawn != "12000.00" || rep.Loans[0].Repaid != "5000.00" ||
		rep.Total.Outstanding != "7000.00" || rep.Total.Interest != "180.00" || rep.Total.Subsidy != "90.00" || rep.Total.Net != "90.00" {
		t.Errorf("loan report: %s", r.body)
	}
	if len(rep.Debt) != 1 || rep.Debt[0].District != "huancui" || rep.Debt[0].Loan != "7000.00" {
		t.Errorf("district debt: %s", r.body)
	}

	// Another district's officer: refused the loan, lists nothing.
	f.check(t, []moreCase{
		{"wdofficer", "GET", "/api/loans/PB-1", "", "", 403},
		{"wdofficer", "GET", "/api/loans/PB-1/schedule", "", "", 403},
		{"wdofficer", "POST", "/api/loans/PB-1/payments", jsonCT, `{"due_date": "2021-07-15"}`, 403},
		{"wdofficer", "GET", "/api/reports/loans?district=huancui", "", "", 403},
		{"audit", "POST", "/api/loans/PB-1/payments", jsonCT, `{"due_date": "2021-07-15"}`, 403},
		{"officer", "GET", "/api/loans/NOPE", "", "", 404},
	})
	for user, n := range map[string]int{"wdofficer": 0, "officer": 1, "audit": 1, "nogrants": 0} {
		r := f.do(user, "GET", "/api/loans", "", "")
		if got, _ := r.json(t)["items"].([]any); r.status != 200 || len(got) != n {
			t.Errorf("%s lists %d loans, want %d: %s", user, len(got), n, r.body)
		}
	}
	for q, n := range map[string]int{"status=outstanding": 1, "status=repaid": 0, "status=undrawn": 0, "lender=国家开发银行": 1,
		"lender=commercial": 0, "district=文登区": 0, "q=PB": 1} {
		r := f.do("bureau", "GET", "/api/loans?"+q, "", "")
		if got, _ := r.json(t)["items"].([]any); r.status != 200 || len(got) != n {
			t.Errorf("?%s lists %d loans, want %d: %s", q, len(got), n, r.body)
		}
	}
}

// TestCapitalAndRatesThroughTheAPI: an implementing company borrows (the
// loan is its district's), capital injected and used (figures of
// funding/injection_test.go), an investment subsidy of 30% capped at
// 5,000.00 paid on progress, and a floating loan's rate reset (figures of
// TestLoanRateReset); officers of other districts and the auditor refused.
func TestCapitalAndRatesThroughTheAPI(t *testing.T) {
	t.Parallel()
	f := loanFixture(t)
	company := `{"code": "HC-CITY-RENEW", "name": "环翠城市更新公司", "district": "环翠区"}`
	f.check(t, []moreCase{
		{"wdofficer", "POST", "/api/companies", jsonCT, company, 403},
		{"audit", "POST", "/api/companies", jsonCT, company, 403},
	})
	if r := f.do("officer", "POST", "/api/companies", "c1", company); r.status != 201 || field(t, r, "district") != "huancui" {
		t.Fatalf("company: %d %s", r.status, r.body)
	}
	coLoan := strings.Replace(strings.Replace(policyBankLoan, `"district": "环翠区"`, `"company": "HC-CITY-RENEW"`, 1), `"PB-1"`, `"PB-CO"`, 1)
	if r := f.do("wdofficer", "POST", "/api/loans", "x", coLoan); r.status != 403 {
		t.Errorf("another district's officer registers the company's loan: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/loans", "l1", coLoan); r.status != 201 || field(t, r, "district") != "huancui" || field(t, r, "company") != "HC-CITY-RENEW" {
		t.Fatalf("company loan: %d %s", r.status, r.body)
	}

	inj := `{"company": "HC-CITY-RENEW", "project": "LP-1", "level": "municipal", "amount": "5000.00", "injected_on": "2021-03-01"}`
	f.check(t, []moreCase{{"wdofficer", "POST", "/api/capital-injections", jsonCT, inj, 403}})
	r := f.do("bureau", "POST", "/api/capital-injections", "i1", inj)
	if r.status != 201 || field(t, r, "amount") != "5000.00" {
		t.Fatalf("inject: %d %s", r.status, r.body)
	}
	if again := f.do("bureau", "POST", "/api/capital-injections", "i1", inj); again.status != 200 || field(t, again, "id") != field(t, r, "id") {
		t.Errorf("inject again: %d %s", again.status, again.body)
	}
	use := func(key, amount string) resp {
		return f.do("officer", "POST", "/api/capital-uses", key, `{"company": "HC-CITY-RENEW", "project": "LP-1", "category": "basic", "amount": "`+
			amount+`", "paid_on": "2021-03-10"}`)
	}
	if r := use("u1", "3000.00"); r.status != 201 {
		t.Fatalf("use: %d %s", r.status, r.body)
	}
	// 5000 − 3000 = 2000 left: 2000.01 is refused.
	if r := use("u2", "2000.01"); r.status != 422 {
		t.Errorf("use beyond the capital: %d %s", r.status, r.body)
	} else if code, _ := r.errCode(t); code != "exceeds_capital" {
		t.Errorf("use beyond the capital: %s", r.body)
	}

	// 30% of the approved 20,000.00 is 6,000.00, capped at 5,000.00: on
	// 10,000.00 done, 3,000.00; on 19,000.00, the cap leaves 2,000.00.
	approve := `{"project": "LP-1", "level": "provincial", "share_pct": "30", "cap": "5000.00", "approved_on": "2021-02-01"}`
	f.check(t, []moreCase{{"officer", "POST", "/api/investment-subsidies", jsonCT, approve, 403}})
	if r := f.do("bureau", "POST", "/api/investment-subsidies", "is0", approve); r.status != 201 || field(t, r, "approved_investment") != "20000.00" {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	for _, c := range []struct{ key, progress, amount, want string }{{"is1", "10000.00", "", "3000.00"}, {"is2", "19000.00", "0", "2000.00"}} {
		body := `{"project": "LP-1", "level": "provincial", "completed_investment": "` + c.progress + `", "paid_on": "2021-06-01"`
		if c.amount != "" {
			body += `, "amount": "` + c.amount + `"`
		}
		if r := f.do("bureau", "POST", "/api/investment-subsidies/payments", c.key, body+`}`); r.status != 201 || field(t, r, "amount") != c.want {
			t.Errorf("investment subsidy on %s: %d %s, want %s", c.progress, r.status, r.body, c.want)
		}
	}
	r = f.do("officer", "GET", "/api/reports/capital?as_of=2021-12-31", "", "")
	if r.status != 200 || !strings.Contains(string(r.body), `"received":"5000.00","used":"3000.00","available":"2000.00"`) {
		t.Errorf("capital report: %d %s", r.status, r.body)
	}
	if r := f.do("wdofficer", "GET", "/api/reports/capital?as_of=2021-12-31", "", ""); r.status != 200 || strings.Contains(string(r.body), "LP-1") {
		t.Errorf("another district's capital report shows LP-1: %d %s", r.status, r.body)
	}

	// A floating loan at LPR 3.85% + 215 bp = 6%, reset every 6 months; the
	// LPR 1.85% from 2021-07-15 makes 4%: 6000 × 4% ÷ 4 = 60, 3000 → 30.
	floating := strings.Replace(strings.Replace(policyBankLoan, `"rate_kind": "fixed", "rate_pct": "6"`,
		`"rate_kind": "floating", "lpr_pct": "3.85", "spread_bp": 215, "reset_months": 6`, 1), `"PB-1"`, `"PB-F"`, 1)
	if r := f.do("officer", "POST", "/api/loans", "lf", floating); r.status != 201 {
		t.Fatalf("floating loan: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/loans/PB-F/drawdowns", "fd", `{"project": "LP-1", "amount": "8000.00", "drawn_on": "2021-01-15"}`); r.status != 201 {
		t.Fatalf("draw: %d %s", r.status, r.body)
	}
	r = f.do("officer", "POST", "/api/loans/PB-F/rate-resets", "rr0", `{"on": "2021-04-15", "lpr_pct": "1.85"}`)
	if code, _ := r.errCode(t); r.status != 422 || code != "invalid" {
		t.Errorf("reset on a date that is not a reset date: %d %s", r.status, r.body)
	}
	r = f.do("officer", "POST", "/api/loans/PB-F/rate-resets", "rr1", `{"on": "2021-07-15", "lpr_pct": "1.85", "reason": "LPR 调整"}`)
	if r.status != 201 {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	if again := f.do("officer", "POST", "/api/loans/PB-F/rate-resets", "rr2", `{"on": "2021-07-15", "lpr_pct": "1.85", "reason": "LPR 调整"}`); again.status != 200 ||
		again.header.Get("Idempotent-Replayed") != "true" || field(t, again, "version") != field(t, r, "version") {
		t.Errorf("the same reset again: %d %s", again.status, again.body)
	}
	if d := f.do("audit", "GET", "/api/loans/PB-F", "", ""); !strings.Contains(string(d.body), `"amount":"6"`) || !strings.Contains(string(d.body), `"amount":"4"`) {
		t.Errorf("the loan's rates (6%%, then 4%%): %s", d.body)
	}
	// 8000 drawn (not 12000): 8000 × 6% ÷ 4 = 120; 6000 → 90; then 4%: 4000 → 40, 2000 → 20.
	var sc struct {
		Lines []struct {
			Rate     string `json:"rate_pct"`
			Interest string `json:"interest"`
		} `json:"lines"`
	}
	if err := json.Unmarshal(r.body, &sc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range sc.Lines {
		got = append(got, l.Rate+"%:"+l.Interest)
	}
	if strings.Join(got, " ") != "6%:120.00 6%:90.00 4%:40.00 4%:20.00" {
		t.Errorf("schedule after the reset: %v, want 6%%:120.00 6%%:90.00 4%%:40.00 4%%:20.00", got)
	}

	// Pages of one: PB-CO (undrawn), then PB-F, then none.
	for _, c := range []struct{ query, items, next string }{{"limit=1", "PB-CO", "PB-CO"}, {"limit=1&after=PB-CO", "PB-F", ""},
		{"status=undrawn", "PB-CO", ""}, {"status=outstanding", "PB-F", ""}} {
		r := f.do("officer", "GET", "/api/loans?"+c.query, "", "")
		var pg struct {
			Items []struct{ Code string } `json:"items"`
			Next  string                  `json:"next"`
		}
		if err := json.Unmarshal(r.body, &pg); err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, x := range pg.Items {
			codes = append(codes, x.Code)
		}
		if strings.Join(codes, ",") != c.items || pg.Next != c.next {
			t.Errorf("?%s: %v next %q, want %s next %q", c.query, codes, pg.Next, c.items, c.next)
		}
	}
}
