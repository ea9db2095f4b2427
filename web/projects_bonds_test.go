package web_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// writeOperations are the endpoints of project, bond and elevator writes, which the OpenAPI
// document must list too (TestAuthentication compares it with the routes).
var writeOperations = []string{
	"POST /api/projects", "POST /api/projects/{code}/status",
	"POST /api/bonds", "POST /api/bonds/{code}/issue", "POST /api/bonds/{code}/allocations",
	"POST /api/bonds/{code}/payments", "POST /api/bond-revenue",
	"POST /api/elevator-applications", "POST /api/elevator-applications/{code}/approve",
	"POST /api/elevator-applications/{code}/accept", "POST /api/elevator-applications/{code}/pay",
	"POST /api/elevator-applications/{code}/contributions",
	"POST /api/evaluations", "POST /api/pool-allocations",
}

// noKey checks that a write without an Idempotency-Key is refused with 400
// and records nothing.
// refusesOthers checks the guards of an officer's action on a record of a
// collection: the officer on a record of another district (other) and the
// auditor on the officer's own record are forbidden, an unknown record (when
// unknown) is not found, and the own record without an idempotency key is
// refused; none of them posts anything.
func (f *fixture) refusesOthers(t *testing.T, collection, own, other, action, body string, unknown bool) {
	t.Helper()
	cases := []moreCase{
		{"officer", "POST", collection + "/" + other + "/" + action, jsonCT, body, 403},
		{"audit", "POST", collection + "/" + own + "/" + action, jsonCT, body, 403},
	}
	if unknown {
		cases = append(cases, moreCase{"officer", "POST", collection + "/NOPE/" + action, jsonCT, body, 404})
	}
	f.check(t, cases)
	f.noKey(t, "officer", collection+"/"+own+"/"+action, body)
}

func (f *fixture) noKey(t *testing.T, user, path, body string) {
	t.Helper()
	before := f.entries()
	r := f.raw(user, "POST", path, "", jsonCT, body)
	if r.status != 400 {
		t.Errorf("%s without key: %d %s", path, r.status, r.body)
		return
	}
	if code, _ := r.errCode(t); code != "idempotency_key_required" || f.entries() != before {
		t.Errorf("%s without key: %s", path, r.body)
	}
}

func newProject(code, district string) string {
	return `{"code": "` + code + `", "name": "新小区 ` + code + `", "district": "` + district + `", "address": "某路9号",
		"completed_on": "1998-05-01", "state_owned_land": true, "households": 120, "floor_area_m2": "9600.50",
		"buildings": 4, "elevators": 0, "plan_year": 2021, "registered_on": "2021-02-01"}`
}

func TestProjectWritesAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.check(t, []moreCase{
		{"officer", "POST", "/api/projects", jsonCT, newProject("WD-9", "文登区"), 403},
		{"audit", "POST", "/api/projects", jsonCT, newProject("HC-9", "环翠区"), 403},
		{"nogrants", "POST", "/api/projects", jsonCT, newProject("HC-9", "环翠区"), 403},
		{"officer", "POST", "/api/projects", jsonCT, `{"code": "HC-9", "bogus": 1}`, 400},
		{"officer", "POST", "/api/projects/WD-1/status", jsonCT, `{"status": "under_way", "on": "2020-07-01"}`, 403},
		{"audit", "POST", "/api/projects/HC-1/status", jsonCT, `{"status": "under_way", "on": "2020-07-01"}`, 403},
		{"officer", "POST", "/api/projects/NOPE/status", jsonCT, `{"status": "under_way"}`, 404},
	})
	f.noKey(t, "officer", "/api/projects", newProject("HC-9", "环翠区"))
	f.noKey(t, "officer", "/api/projects/HC-1/status", `{"status": "under_way"}`)

	r := f.do("officer", "POST", "/api/projects", "p1", newProject("HC-9", "环翠区"))
	if r.status != 201 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	var pr struct {
		Code, District, Status, FloorAreaM2 string
		StatusOn                            string `json:"status_on"`
		Households, PlanYear                int
		Priority                            bool
	}
	if err := json.Unmarshal(r.body, &pr); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	_ = json.Unmarshal(r.body, &raw)
	if pr.Code != "HC-9" || pr.District != "huancui" || pr.Status != "planned" || raw["floor_area_m2"] != "9600.50" ||
		raw["status_on"] != "2021-02-01" || pr.Households != 120 || raw["plan_year"] != float64(2021) || !pr.Priority {
		t.Errorf("registered: %s", r.body)
	}
	// The same project again: a replay; different data: a conflict.
	if r := f.do("officer", "POST", "/api/projects", "p2", newProject("HC-9", "环翠区")); !r.replayed() {
		t.Errorf("register again: %d %s", r.status, r.body)
	}
	// Ineligible: built after 2005.
	late := `{"code": "HC-10", "name": "x", "district": "环翠区", "completed_on": "2008-01-01", "state_owned_land": true,
		"households": 10, "floor_area_m2": "100.00", "buildings": 1, "plan_year": 2021}`
	if r := f.do("officer", "POST", "/api/projects", "p3", late); r.status != 422 {
		t.Errorf("ineligible: %d %s", r.status, r.body)
	} else if code, _ := r.errCode(t); code != "ineligible" {
		t.Errorf("ineligible: %s", code)
	}

	r = f.do("officer", "POST", "/api/projects/HC-9/status", "s1", `{"status": "approved", "on": "2021-03-01", "note": "批复"}`)
	if m := r.json(t); r.status != 200 || m["status"] != "approved" || m["status_on"] != "2021-03-01" {
		t.Errorf("status: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/projects/HC-9/status", "s2", `{"status": "planned", "on": "2021-03-02"}`); r.status != 422 {
		t.Errorf("status back: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/projects/HC-9/status", "s3", `{"status": "done"}`); r.status != 422 {
		t.Errorf("unknown status: %d %s", r.status, r.body)
	}
	if r := f.do("bureau", "POST", "/api/projects/WD-1/status", "s4", `{"status": "under_way", "on": "2020-07-01"}`); r.status != 200 || r.json(t)["status"] != "under_way" {
		t.Errorf("bureau status: %d %s", r.status, r.body)
	}
}

// ruleFile is a rule file of a district (or the city's: "") in force from
// a date, with its categories' YAML.
func ruleFile(name, version, district, from, categories string) string {
	return "name: " + name + "\nversion: \"" + version + "\"\ndistrict: " + district +
		"\neffective_from: " + from + "\ncategories:\n" + categories
}

// improvementAndUpgrade are the improvement and upgrade shares of the test
// rule files: the district pays improvement, social capital the upgrade.
const improvementAndUpgrade = `  improvement:
    shares:
      - {source: district, pct: 100}
  upgrade:
    shares:
      - {source: social_capital, pct: 100}
`

var bondRules = ruleFile("test-huancui-bonds", "1", "环翠区", "2020-01-01", `  basic:
    shares:
      - {source: bond, pct: 50}
      - {source: central, pct: 30}
      - {source: district, pct: 20}
`+improvementAndUpgrade)

const newBond = `{"code": "B-2020-1", "name": "2020年老旧小区改造专项债券", "issue_date": "2020-07-01", "principal": "1000000.00",
	"coupon_rate_pct": "3.00", "term_years": 5, "frequency": "annual", "repayment": "bullet"}`

func TestBondWritesAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// HC-2 gets a bond commitment under a huancui rule set with a bond share.
	f.mustLoadRules("hc-bonds.yaml", bondRules)
	if r := f.do("officer", "POST", "/api/projects/HC-2/approvals", "ap", `{"approved_on": "2020-06-15", "lines": [{"category": "basic", "description": "roads", "amount": "1000000.00"}]}`); r.status != 201 {
		t.Fatalf("approve HC-2: %d %s", r.status, r.body)
	}
	alloc := `{"project": "HC-2", "amount": "200000.00", "allocated_on": "2020-07-15", "reference": "财预-1"}`
	revenue := func(project string) string {
		return `{"project": "` + project + `", "kind": "parking", "amount": "10000.00", "received_on": "2020-12-31", "reference": "停车-1"}`
	}
	pay := `{"due_date": "2021-07-01", "backstop": "district_budget", "reference": "付息-1"}`
	f.check(t, []moreCase{
		{"officer", "POST", "/api/bonds", jsonCT, newBond, 403},
		{"audit", "POST", "/api/bonds", jsonCT, newBond, 403},
	})
	f.noKey(t, "bureau", "/api/bonds", newBond)
	r := f.do("bureau", "POST", "/api/bonds", "b1", newBond)
	if m := r.json(t); r.status != 201 || m["principal"] != "1000000.00" || m["coupon_rate_pct"] != "3" || m["maturity"] != "2025-07-01" || m["issued"] != false {
		t.Fatalf("register bond: %d %s", r.status, r.body)
	}
	if r := f.do("bureau", "POST", "/api/bonds", "b2", newBond); !r.replayed() {
		t.Errorf("register bond again: %d %s", r.status, r.body)
	}

	f.check(t, []moreCase{
		{"officer", "POST", "/api/bonds/B-2020-1/issue", "", "", 403},
		{"audit", "POST", "/api/bonds/B-2020-1/issue", "", "", 403},
		// Not issued yet: nothing to allocate.
		{"bureau", "POST", "/api/bonds/B-2020-1/allocations", jsonCT, alloc, 422},
	})
	f.noKey(t, "bureau", "/api/bonds/B-2020-1/issue", `{}`)
	r = f.do("bureau", "POST", "/api/bonds/B-2020-1/issue", "i1", `{"reference": "财政部-2020-0701"}`)
	iss := r.json(t)
	if r.status != 201 || iss["amount"] != "1000000.00" || iss["issued_on"] != "2020-07-01" || iss["actor"] != "bureau" || iss["financial_entry"] == float64(0) {
		t.Fatalf("issue: %d %s", r.status, r.body)
	}
	if r := f.do("bureau", "POST", "/api/bonds/B-2020-1/issue", "i2", ""); r.status != 200 || r.json(t)["financial_entry"] != iss["financial_entry"] {
		t.Errorf("issue again: %d %s", r.status, r.body)
	}

	f.check(t, []moreCase{
		{"officer", "POST", "/api/bonds/B-2020-1/allocations", jsonCT, alloc, 403},
		{"audit", "POST", "/api/bonds/B-2020-1/allocations", jsonCT, alloc, 403},
		// HC-1 was approved under the city-wide set: no bond commitment.
		{"bureau", "POST", "/api/bonds/B-2020-1/allocations", jsonCT, `{"project": "HC-1", "amount": "1.00", "allocated_on": "2020-07-15"}`, 422},
		{"bureau", "POST", "/api/bonds/NOPE/allocations", jsonCT, alloc, 404},
	})
	f.noKey(t, "bureau", "/api/bonds/B-2020-1/allocations", alloc)
	r = f.do("bureau", "POST", "/api/bonds/B-2020-1/allocations", "a1", alloc)
	al := r.json(t)
	if r.status != 201 || al["amount"] != "200000.00" || al["project"] != "HC-2" || al["allocated_on"] != "2020-07-15" || al["actor"] != "bureau" {
		t.Fatalf("allocate: %d %s", r.status, r.body)
	}
	if r := f.do("bureau", "POST", "/api/bonds/B-2020-1/allocations", "a1", alloc); !r.replayed() || r.json(t)["id"] != al["id"] {
		t.Errorf("allocate replay: %d %s", r.status, r.body)
	}
	// The project now has 200,000.00 of bond money received.
	var rep struct {
		Sources []struct{ Source, Received string }
	}
	_ = json.Unmarshal(f.do("officer", "GET", "/api/projects/HC-2/report", "", "").body, &rep)
	got := ""
	for _, s := range rep.Sources {
		if s.Source == "bond" {
			got = s.Received
		}
	}
	if got != "200000.00" {
		t.Errorf("HC-2 bond received %q: %+v", got, rep)
	}

	f.check(t, []moreCase{
		{"officer", "POST", "/api/bond-revenue", jsonCT, revenue("WD-1"), 403},
		{"audit", "POST", "/api/bond-revenue", jsonCT, revenue("HC-2"), 403},
	})
	f.noKey(t, "officer", "/api/bond-revenue", revenue("HC-2"))
	r = f.do("officer", "POST", "/api/bond-revenue", "r1", revenue("HC-2"))
	var rv struct {
		Split []struct{ Bond, Amount string }
		Actor string
	}
	_ = json.Unmarshal(r.body, &rv)
	if r.status != 201 || len(rv.Split) != 1 || rv.Split[0].Bond != "B-2020-1" || rv.Split[0].Amount != "10000.00" || rv.Actor != "officer" {
		t.Fatalf("revenue: %d %s", r.status, r.body)
	}

	f.check(t, []moreCase{
		{"officer", "POST", "/api/bonds/B-2020-1/payments", jsonCT, pay, 403},
		{"audit", "POST", "/api/bonds/B-2020-1/payments", jsonCT, pay, 403},
		// The reserve (10,000.00) is short of the interest (30,000.00) and no backstop is named.
		{"bureau", "POST", "/api/bonds/B-2020-1/payments", jsonCT, `{"due_date": "2021-07-01"}`, 422},
		// More than is left of the project's bond commitment (300,000.00) and of the proceeds (800,000.00).
		{"bureau", "POST", "/api/bonds/B-2020-1/allocations", jsonCT, `{"project": "HC-2", "amount": "800000.01", "allocated_on": "2020-07-16"}`, 422},
	})
	f.noKey(t, "bureau", "/api/bonds/B-2020-1/payments", pay)
	r = f.do("bureau", "POST", "/api/bonds/B-2020-1/payments", "pay1", pay)
	pm := r.json(t)
	if r.status != 201 || pm["interest"] != "30000.00" || pm["principal"] != "0.00" || pm["total"] != "30000.00" ||
		pm["reserve_available"] != "10000.00" || pm["backstop_amount"] != "20000.00" || pm["backstop"] != "district_budget" || pm["seq"] != float64(1) {
		t.Errorf("pay: %d %s", r.status, r.body)
	}
}

func grantRules(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../funding/testdata/grants/grants-citywide.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(strings.Replace(string(b), `district: ""`, "district: 环翠区", 1), "name: test-grants", "name: test-grants-huancui", 1)
}

// sevenFloors is funding's test unit: 7 floors of 2 households, whose
// consent just meets the thresholds.
func sevenFloors(code, project string) string {
	return `{"code": "` + code + `", "project": "` + project + `", "building": "3", "unit": "2", "households_per_floor": [2, 2, 2, 2, 2, 2, 2],
		"estimated_cost": "500000.00", "owners_total": 12, "owners_participating": 8, "owners_approving": 6,
		"area_total_m2": "1000.00", "area_participating_m2": "666.67", "area_approving_m2": "500.01", "applied_on": "2020-06-20"}`
}

// TestElevatorWritesAPI follows funding's TestElevatorGrantLifecycle
// through the API: grant 40% capped at 250,000.00, municipal and district
// halves; residents' shares by floor coefficients.
func TestElevatorWritesAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustLoadRules("hc-grants.yaml", grantRules(t))
	const app, wd = "HC-3-3-2", "WD-1-1-1"
	f.check(t, []moreCase{
		{"officer", "POST", "/api/elevator-applications", jsonCT, sevenFloors(wd, "WD-1"), 403},
		{"audit", "POST", "/api/elevator-applications", jsonCT, sevenFloors(app, "HC-3"), 403},
		{"bureau", "POST", "/api/elevator-applications", jsonCT, sevenFloors(wd, "WD-1"), 201},
	})
	f.noKey(t, "officer", "/api/elevator-applications", sevenFloors(app, "HC-3"))
	r := f.do("officer", "POST", "/api/elevator-applications", "e1", sevenFloors(app, "HC-3"))
	if m := r.json(t); r.status != 201 || m["status"] != "applied" || m["district"] != "huancui" || m["created_by"] != "officer" {
		t.Fatalf("apply: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/elevator-applications", "e2", sevenFloors(app, "HC-3")); !r.replayed() {
		t.Errorf("apply again: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/elevator-applications", "e3", strings.Replace(sevenFloors(app, "HC-3"), `"unit": "2"`, `"unit": "3"`, 1)); r.status != 409 {
		t.Errorf("another application, same code: %d %s", r.status, r.body)
	}

	approve := `{"on": "2020-07-01"}`
	f.refusesOthers(t, "/api/elevator-applications", app, wd, "approve", approve, true)
	r = f.do("officer", "POST", "/api/elevator-applications/"+app+"/approve", "ap1", approve)
	var g struct {
		Grant          string `json:"grant"`
		Capped         bool   `json:"capped"`
		ResidentsShare string `json:"residents_share"`
		Sources        []struct{ Source, Amount string }
		Households     []struct{ Household, Share string }
		Actor          string `json:"actor"`
	}
	if err := json.Unmarshal(r.body, &g); err != nil || r.status != 201 {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	shares := map[string]string{}
	for _, h := range g.Households {
		shares[h.Household] = h.Share
	}
	if g.Grant != "200000.00" || g.Capped || g.ResidentsShare != "300000.00" || len(g.Sources) != 2 || g.Sources[0].Amount != "100000.00" ||
		shares["101"] != "0.00" || shares["201"] != "9523.81" || shares["701"] != "38095.24" || g.Actor != "officer" {
		t.Errorf("approve: %s", r.body)
	}
	if r := f.do("officer", "POST", "/api/elevator-applications/"+app+"/approve", "ap2", approve); !r.replayed() {
		t.Errorf("approve again: %d %s", r.status, r.body)
	}

	pay := `{"paid_on": "2021-05-10", "payee": "某电梯公司", "bank_account": "BOC-HC"}`
	// The grant is paid only after acceptance.
	if r := f.do("officer", "POST", "/api/elevator-applications/"+app+"/pay", "pay0", pay); r.status != 422 {
		t.Errorf("pay before acceptance: %d %s", r.status, r.body)
	} else if code, _ := r.errCode(t); code != "condition_not_met" {
		t.Errorf("pay before acceptance: %s", code)
	}

	contrib := `{"household": "701", "amount": "38095.24", "received_on": "2020-08-01"}`
	f.refusesOthers(t, "/api/elevator-applications", app, wd, "contributions", contrib, false)
	r = f.do("officer", "POST", "/api/elevator-applications/"+app+"/contributions", "c1", contrib)
	if m := r.json(t); r.status != 201 || m["amount"] != "38095.24" || m["household"] != "701" || m["financial_entry"] == float64(0) {
		t.Errorf("contribution: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/elevator-applications/"+app+"/contributions", "c1", contrib); !r.replayed() {
		t.Errorf("contribution replay: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/elevator-applications/"+app+"/contributions", "c2", `{"household": "701", "amount": "0.01", "received_on": "2020-08-02"}`); r.status != 422 {
		t.Errorf("overpayment: %d %s", r.status, r.body)
	}

	accept := `{"on": "2021-05-01", "final_cost": "700000.00"}`
	f.refusesOthers(t, "/api/elevator-applications", app, wd, "accept", accept, false)
	r = f.do("officer", "POST", "/api/elevator-applications/"+app+"/accept", "acc1", accept)
	g.Households = nil
	if err := json.Unmarshal(r.body, &g); err != nil || r.status != 201 || g.Grant != "250000.00" || !g.Capped || g.ResidentsShare != "450000.00" {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	for _, h := range g.Households {
		if h.Household == "701" && h.Share != "57142.86" {
			t.Errorf("accept: 701 share %s", h.Share)
		}
	}

	f.check(t, []moreCase{
		{"officer", "POST", "/api/elevator-applications/" + wd + "/pay", jsonCT, strings.Replace(pay, "BOC-HC", "BOC-WD", 1), 403},
		{"audit", "POST", "/api/elevator-applications/" + app + "/pay", jsonCT, pay, 403},
	})
	f.noKey(t, "officer", "/api/elevator-applications/"+app+"/pay", pay)
	r = f.do("officer", "POST", "/api/elevator-applications/"+app+"/pay", "pay1", pay)
	if m := r.json(t); r.status != 201 || m["total"] != "250000.00" || len(m["amounts"].([]any)) != 2 {
		t.Errorf("pay: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/elevator-applications/"+app+"/pay", "pay2", pay); !r.replayed() {
		t.Errorf("pay again: %d %s", r.status, r.body)
	}
	if m := f.do("audit", "GET", "/api/elevator-applications/"+app, "", "").json(t); m["application"].(map[string]any)["status"] != "paid" {
		t.Errorf("status after payment: %v", m)
	}
}

func TestEvaluationAndPoolAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// A new version of the city-wide set, from 2021, with an evaluation_allocation section.
	rs := strings.NewReplacer("district: 环翠区", `district: ""`, "effective_from: 2020-01-01", "effective_from: 2021-01-01",
		"name: test-grants-huancui", "name: test-citywide", `version: "1"`, `version: "2"`).Replace(grantRules(t))
	f.mustLoadRules("grants-2021.yaml", rs)
	eval := func(district, score string) string {
		return `{"district": "` + district + `", "year": 2020, "score": "` + score + `", "evaluator": "市住建局", "scored_on": "2020-12-20"}`
	}
	f.check(t, []moreCase{
		{"officer", "POST", "/api/evaluations", jsonCT, eval("环翠区", "90"), 403},
		{"officer", "POST", "/api/evaluations", jsonCT, eval("文登区", "90"), 403},
		{"audit", "POST", "/api/evaluations", jsonCT, eval("环翠区", "90"), 403},
		{"bureau", "POST", "/api/evaluations", jsonCT, eval("环翠区", "101"), 422},
	})
	f.noKey(t, "bureau", "/api/evaluations", eval("环翠区", "90"))
	r := f.do("bureau", "POST", "/api/evaluations", "ev1", eval("环翠区", "90"))
	if m := r.json(t); r.status != 201 || m["district"] != "huancui" || m["score"] != "90.00" || m["scored_on"] != "2020-12-20" || m["year"] != float64(2020) {
		t.Fatalf("evaluation: %d %s", r.status, r.body)
	}
	if r := f.do("bureau", "POST", "/api/evaluations", "ev2", eval("环翠区", "90")); !r.replayed() {
		t.Errorf("evaluation again: %d %s", r.status, r.body)
	}

	pool := `{"year": 2021, "pool": "1000000.00", "dry_run": true}`
	// Wendeng has a project of 2020 but no score yet.
	if r := f.do("bureau", "POST", "/api/pool-allocations", "p0", pool); r.status != 422 {
		t.Errorf("pool without all scores: %d %s", r.status, r.body)
	}
	if r := f.do("bureau", "POST", "/api/evaluations", "ev3", eval("文登区", "80")); r.status != 201 {
		t.Fatalf("evaluation wendeng: %d %s", r.status, r.body)
	}
	f.check(t, []moreCase{
		{"officer", "POST", "/api/pool-allocations", jsonCT, pool, 403},
		{"audit", "POST", "/api/pool-allocations", jsonCT, pool, 403},
	})
	f.noKey(t, "bureau", "/api/pool-allocations", pool)
	before := f.entries()
	r = f.do("bureau", "POST", "/api/pool-allocations", "p1", pool)
	var res struct {
		Pool    string `json:"pool"`
		DryRun  bool   `json:"dry_run"`
		EntryID int64  `json:"entry_id"`
		Lines   []struct {
			District, Amount string
			Communities      int
		}
	}
	if err := json.Unmarshal(r.body, &res); err != nil || r.status != 200 || !res.DryRun || f.entries() != before {
		t.Fatalf("dry run: %d %s", r.status, r.body)
	}
	amounts := map[string]string{}
	for _, l := range res.Lines {
		if l.Amount != "0.00" {
			amounts[l.District] = l.Amount
		}
	}
	// By hand: huancui has 3 of the 4 projects of 2020 (3/4 of every
	// quantity) and score 90 (coefficient 1.2), wendeng 1/4 and 80 (1.0):
	// 0.9 : 0.25 of 1,000,000.00 = 782,608.70 and 217,391.30.
	if len(amounts) != 2 || amounts["huancui"] != "782608.70" || amounts["wendeng"] != "217391.30" {
		t.Errorf("dry run: %v", amounts)
	}
	r = f.do("bureau", "POST", "/api/pool-allocations", "p2", `{"year": 2021, "pool": "1000000.00"}`)
	res.Lines = nil
	if err := json.Unmarshal(r.body, &res); err != nil || r.status != 201 || res.DryRun || res.EntryID == 0 || f.entries() != before+1 {
		t.Fatalf("allocate: %d %s", r.status, r.body)
	}
	for _, l := range res.Lines {
		if l.Amount != "0.00" && amounts[l.District] != l.Amount {
			t.Errorf("allocate %s: %s, dry run said %s", l.District, l.Amount, amounts[l.District])
		}
	}
	if r := f.do("bureau", "POST", "/api/pool-allocations", "p3", `{"year": 2021, "pool": "1000000.00"}`); !r.replayed() {
		t.Errorf("allocate again: %d %s", r.status, r.body)
	}
}
