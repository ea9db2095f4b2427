package web_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// budgetOperations are the operations of budgets.go (TestAuthentication).
var budgetOperations = []string{"POST /api/projects/{code}/budget-adjustments", "POST /api/rule-sets/what-if"}

// The finance controls through the API: a budget line adjusted with a
// reason and an approver, a payment beyond it refused with its figures in
// Chinese, a rule what-if that stores nothing, and a district closing its
// own month while another district still posts. HC-1's basic line is
// 1,000,000.00; under the test rules central owes 50% = 500,000.00.
func TestBudgetControlsAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, w := range []struct{ path, key, body string }{
		{"/api/receipts", "b1", receipt("HC-1", "300000.00")},
		{"/api/disbursements", "b2", payment("HC-1", "200000.00")},
	} {
		if r := f.do("bureau", "POST", w.path, w.key, w.body); r.status != 201 {
			t.Fatalf("%s: %d %s", w.path, r.status, r.body)
		}
	}
	adjust := func(user, key, project, budget string) resp {
		return f.do(user, "POST", "/api/projects/"+project+"/budget-adjustments", key,
			`{"category": "basic", "budget": "`+budget+`", "on": "2020-08-05", "reason": "方案调整", "approver": "区财政局 王科长"}`)
	}
	if r := adjust("officer", "a1", "HC-1", "150000.00"); r.status != 422 {
		t.Errorf("below what is paid: %d %s", r.status, r.body)
	} else if code, _ := r.errCode(t); code != "budget_below_paid" {
		t.Errorf("below what is paid: %s", code)
	}
	if r := adjust("officer", "a2", "HC-1", "210000.00"); r.status != 201 || r.json(t)["approver"] != "区财政局 王科长" {
		t.Fatalf("adjust: %d %s", r.status, r.body)
	}
	if r := adjust("officer", "a2", "HC-1", "210000.00"); !r.replayed() {
		t.Errorf("adjust again: %d %s", r.status, r.body)
	}
	if r := adjust("officer", "a3", "WD-1", "1.00"); r.status != 403 {
		t.Errorf("another district's line: %d %s", r.status, r.body)
	}
	// 210,000.00 − 200,000.00 paid = 10,000.00 left; 20,000.00 exceeds it by 10,000.00.
	before := f.entries()
	r := f.do("bureau", "POST", "/api/disbursements", "b3", payment("HC-1", "20000.00"))
	want := "无预算不支出：项目 HC-1 的基础类预算 210,000.00 元，已支付 200,000.00 元，尚余 10,000.00 元；这笔 20,000.00 元的支付超出 10,000.00 元。请先调整预算。"
	if code, _ := r.errCode(t); r.status != 422 || code != "budget_line_exceeded" || r.json(t)["detail"] != want {
		t.Errorf("beyond the line: %d %s\nwant %s", r.status, r.body, want)
	}
	if f.entries() != before {
		t.Errorf("a refused payment stored entries")
	}

	// What-if: central 60% instead of 50% of basic. HC-1 (1,000,000.00):
	// central 500,000.00 → 600,000.00 (+100,000.00); the officer sees 环翠区
	// only, the bureau both approved projects.
	rules := ruleFile("test-whatif", "2", `""`, "2021-01-01", `  basic:
    shares:
      - {source: central, pct: 60}
      - {source: provincial, pct: 10}
      - {source: district, pct: 30}
`)
	before = f.entries()
	for user, projects := range map[string]int{"officer": 1, "bureau": 2} {
		r := f.raw(user, "POST", "/api/rule-sets/what-if?name=whatif.yaml", "w-"+user, "application/yaml", rules)
		var w struct {
			Projects int
			Lines    []struct {
				Project, Source          string
				Current, New, Difference decimal.Decimal
			}
		}
		if r.status != 200 || json.Unmarshal(r.body, &w) != nil || w.Projects != projects {
			t.Fatalf("%s what-if: %d %s", user, r.status, r.body)
		}
		found := false
		for _, l := range w.Lines {
			if l.Project == "WD-1" && user == "officer" {
				t.Errorf("the officer's what-if shows 文登区: %+v", l)
			}
			if l.Project == "HC-1" && l.Source == "central" {
				found = l.Current.Equal(decimal.RequireFromString("500000")) && l.New.Equal(decimal.RequireFromString("600000")) &&
					l.Difference.Equal(decimal.RequireFromString("100000"))
			}
		}
		if !found {
			t.Errorf("%s what-if: HC-1 central not 500,000.00 → 600,000.00: %s", user, r.body)
		}
	}
	if f.entries() != before {
		t.Errorf("the what-if stored entries")
	}

	// 环翠区 closes September; 文登区 still posts in it; the city is the bureau's.
	if r := f.do("officer", "POST", "/api/periods/2020-09/close", "c1", `{"district": "环翠区"}`); r.status != 200 || r.json(t)["district"] != "huancui" {
		t.Fatalf("district close: %d %s", r.status, r.body)
	}
	for i, c := range []struct{ body string }{{`{}`}, {`{"district": "文登区"}`}} {
		if r := f.do("officer", "POST", "/api/periods/2020-09/close", "c2-"+string(rune('a'+i)), c.body); r.status != 403 {
			t.Errorf("officer closing %s: %d %s", c.body, r.status, r.body)
		}
	}
	late := func(project string) string {
		return strings.Replace(receipt(project, "1.00"), "2020-07-01", "2020-09-10", 1)
	}
	if r := f.do("bureau", "POST", "/api/receipts", "l1", late("HC-1")); r.status != 422 {
		t.Errorf("receipt into 环翠区's closed month: %d %s", r.status, r.body)
	} else if code, _ := r.errCode(t); code != "period_closed" {
		t.Errorf("receipt into 环翠区's closed month: %s", code)
	}
	if r := f.do("bureau", "POST", "/api/receipts", "l2", late("WD-1")); r.status != 201 {
		t.Errorf("文登区 in September: %d %s", r.status, r.body)
	}
	r = f.do("audit", "GET", "/api/periods", "", "")
	if !regexp.MustCompile(`"district":"huancui","action":"close","actor":"officer","at":"[^"]+","head_hash":"[0-9a-f]{64}"`).Match(r.body) {
		t.Errorf("the district's close and its head hash: %s", r.body)
	}
}
