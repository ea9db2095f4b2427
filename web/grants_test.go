package web_test

import (
	"encoding/json"
	"testing"
)

// write2Operations are the endpoints of the grants and accruals (grants.go, bonds.go), which the OpenAPI
// document must list too (TestAuthentication compares it with the routes).
var write2Operations = []string{
	"POST /api/utility-facilities", "POST /api/utility-facilities/{code}/commit",
	"POST /api/utility-facilities/{code}/transfer", "POST /api/utility-facilities/{code}/pay",
	"POST /api/property-scores", "POST /api/property-rewards/pay",
	"POST /api/bonds/accruals",
}

func newFacility(code, project string) string {
	return `{"code": "` + code + `", "project": "` + project + `", "kind": "power", "description": "配电线路", "cost": "500000.00",
		"utility": "国网威海供电公司", "owner": "原产权单位", "owned_by_utility": false, "registered_on": "2020-06-20"}`
}

// TestUtilityFacilityWritesAPI follows funding's TestUtilityFacilityAward
// through the API: a 500,000.00 power facility not owned by the utility
// earns an award of 30% = 150,000.00 from the district, paid after the
// ownership passed to the utility on completion.
func TestUtilityFacilityWritesAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustLoadRules("hc-grants.yaml", grantRules(t))
	const fc, wd = "HC-3-POWER", "WD-1-POWER"
	f.check(t, []moreCase{
		{"officer", "POST", "/api/utility-facilities", jsonCT, newFacility(wd, "WD-1"), 403},
		{"audit", "POST", "/api/utility-facilities", jsonCT, newFacility(fc, "HC-3"), 403},
		{"officer", "POST", "/api/utility-facilities", jsonCT, `{"code": "X", "bogus": 1}`, 400},
		{"bureau", "POST", "/api/utility-facilities", jsonCT, newFacility(wd, "WD-1"), 201},
	})
	f.noKey(t, "officer", "/api/utility-facilities", newFacility(fc, "HC-3"))
	r := f.do("officer", "POST", "/api/utility-facilities", "f1", newFacility(fc, "HC-3"))
	if m := r.json(t); r.status != 201 || m["district"] != "huancui" || m["cost"] != "500000.00" || m["owner"] != "原产权单位" ||
		m["owned_by_utility"] != false || m["committed"] != false || m["actor"] != "officer" {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/utility-facilities", "f2", newFacility(fc, "HC-3")); !r.replayed() {
		t.Errorf("register again: %d %s", r.status, r.body)
	}

	commit := `{"on": "2020-07-01"}`
	f.refusesOthers(t, "/api/utility-facilities", fc, wd, "commit", commit, true)
	before := f.entries()
	r = f.do("officer", "POST", "/api/utility-facilities/"+fc+"/commit", "c1", commit)
	if m := r.json(t); r.status != 201 || m["award"] != "150000.00" || m["award_source"] != "district" || m["contribution"] != "500000.00" ||
		m["utility_source"] != "utility:power" || m["entry_id"] == float64(0) || m["actor"] != "officer" || f.entries() == before {
		t.Fatalf("commit: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/utility-facilities/"+fc+"/commit", "c2", `{"on": "2020-07-02"}`); !r.replayed() {
		t.Errorf("commit again: %d %s", r.status, r.body)
	}

	pay := `{"paid_on": "2021-04-01", "bank_account": "BOC-HC", "reference": "凭证 1"}`
	transfer := `{"to": "国网威海供电公司", "on": "2021-03-15", "note": "移交协议"}`
	// Before the transfer the award is not paid; before completion there is no transfer.
	if r := f.do("officer", "POST", "/api/utility-facilities/"+fc+"/pay", "p0", pay); r.status != 422 {
		t.Errorf("pay before the transfer: %d %s", r.status, r.body)
	} else if code, _ := r.errCode(t); code != "out_of_order" {
		t.Errorf("pay before the transfer: %s", code)
	}
	if r := f.do("officer", "POST", "/api/utility-facilities/"+fc+"/transfer", "t0", transfer); r.status != 422 {
		t.Errorf("transfer before completion: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/projects/HC-3/status", "st", `{"status": "completed", "on": "2021-03-01"}`); r.status != 200 {
		t.Fatalf("complete HC-3: %d %s", r.status, r.body)
	}
	f.refusesOthers(t, "/api/utility-facilities", fc, wd, "transfer", transfer, false)
	r = f.do("officer", "POST", "/api/utility-facilities/"+fc+"/transfer", "t1", transfer)
	if m := r.json(t); r.status != 201 || m["owner"] != "国网威海供电公司" || m["owned_by_utility"] != true || m["owner_since"] != "2021-03-15" {
		t.Fatalf("transfer: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/utility-facilities/"+fc+"/transfer", "t2", transfer); !r.replayed() {
		t.Errorf("transfer again: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/utility-facilities/"+fc+"/transfer", "t3", `{"to": "someone", "on": "2021-03-16"}`); r.status != 422 {
		t.Errorf("second transfer: %d %s", r.status, r.body)
	}

	f.check(t, []moreCase{
		{"officer", "POST", "/api/utility-facilities/" + wd + "/pay", jsonCT, `{"paid_on": "2021-04-01", "bank_account": "BOC-WD"}`, 403},
		{"audit", "POST", "/api/utility-facilities/" + fc + "/pay", jsonCT, pay, 403},
	})
	f.noKey(t, "officer", "/api/utility-facilities/"+fc+"/pay", pay)
	r = f.do("officer", "POST", "/api/utility-facilities/"+fc+"/pay", "p1", pay)
	var pm struct {
		Facility, Total, Actor string
		Amounts                []struct{ Source, Amount string }
		EntryID                int64 `json:"entry_id"`
	}
	if err := json.Unmarshal(r.body, &pm); err != nil || r.status != 201 || pm.Total != "150000.00" || pm.Facility != fc || len(pm.Amounts) != 1 ||
		pm.Amounts[0].Source != "district" || pm.Amounts[0].Amount != "150000.00" || pm.Actor != "officer" || pm.EntryID == 0 {
		t.Fatalf("pay: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/utility-facilities/"+fc+"/pay", "p2", pay); !r.replayed() {
		t.Errorf("pay again: %d %s", r.status, r.body)
	}
}

// TestPropertyRewardWritesAPI: the table gives 30,000.00 for a score of 85
// and nothing below 70.
func TestPropertyRewardWritesAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustLoadRules("hc-grants.yaml", grantRules(t))
	score := func(project, period, score string) string {
		return `{"project": "` + project + `", "period": "` + period + `", "score": "` + score + `", "evaluator": "住建局", "scored_on": "2022-01-15"}`
	}
	f.check(t, []moreCase{
		{"officer", "POST", "/api/property-scores", jsonCT, score("WD-1", "2021", "85"), 403},
		{"audit", "POST", "/api/property-scores", jsonCT, score("HC-3", "2021", "85"), 403},
		{"officer", "POST", "/api/property-scores", jsonCT, score("HC-3", "2021", "101"), 422},
		{"officer", "POST", "/api/property-scores", jsonCT, score("NOPE", "2021", "85"), 404},
	})
	f.noKey(t, "officer", "/api/property-scores", score("HC-3", "2021", "85"))
	before := f.entries()
	r := f.do("officer", "POST", "/api/property-scores", "s1", score("HC-3", "2021", "85"))
	if m := r.json(t); r.status != 201 || m["reward"] != "30000.00" || m["score"] != "85.00" || m["source"] != "district" || m["period"] != "2021" ||
		m["explanation"] == "" || m["entry_id"] == nil || m["actor"] != "officer" || f.entries() != before+1 {
		t.Fatalf("score: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/property-scores", "s2", score("HC-3", "2021", "85")); !r.replayed() {
		t.Errorf("score again: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/property-scores", "s3", score("HC-3", "2021", "86")); r.status != 409 {
		t.Errorf("another score for the period: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/property-scores", "s4", score("HC-3", "2022-H1", "69.99")); r.status != 201 || r.json(t)["reward"] != "0.00" {
		t.Errorf("score below the table: %d %s", r.status, r.body)
	}

	pay := `{"project": "HC-3", "period": "2021", "paid_on": "2022-02-01", "bank_account": "BOC-HC", "reference": "奖励-2021"}`
	f.check(t, []moreCase{
		{"officer", "POST", "/api/property-rewards/pay", jsonCT, `{"project": "WD-1", "period": "2021", "paid_on": "2022-02-01", "bank_account": "BOC-WD"}`, 403},
		{"audit", "POST", "/api/property-rewards/pay", jsonCT, pay, 403},
		{"officer", "POST", "/api/property-rewards/pay", jsonCT, `{"project": "HC-3", "period": "2022-H1", "paid_on": "2022-08-01", "bank_account": "BOC-HC"}`, 422},
	})
	f.noKey(t, "officer", "/api/property-rewards/pay", pay)
	r = f.do("officer", "POST", "/api/property-rewards/pay", "p1", pay)
	if m := r.json(t); r.status != 201 || m["total"] != "30000.00" || m["project"] != "HC-3" || m["period"] != "2021" || m["actor"] != "officer" ||
		len(m["amounts"].([]any)) != 1 {
		t.Fatalf("pay: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/property-rewards/pay", "p2", pay); !r.replayed() {
		t.Errorf("pay again: %d %s", r.status, r.body)
	}
}

// TestBondAccrualsAPI: a 1,000,000.00 bond at 3% paid annually from
// 2020-07-01 accrues 30,000.00 for the period due 2021-07-01, once.
func TestBondAccrualsAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if r := f.do("bureau", "POST", "/api/bonds", "b1", newBond); r.status != 201 {
		t.Fatalf("register bond: %d %s", r.status, r.body)
	}
	accrue := `{"bonds": ["B-2020-1"], "through": "2021-07-01"}`
	// Not issued yet.
	if r := f.do("bureau", "POST", "/api/bonds/accruals", "a0", accrue); r.status != 422 {
		t.Errorf("accrue before the issue: %d %s", r.status, r.body)
	}
	if r := f.do("bureau", "POST", "/api/bonds/B-2020-1/issue", "i1", ""); r.status != 201 {
		t.Fatalf("issue: %d %s", r.status, r.body)
	}
	f.check(t, []moreCase{
		{"officer", "POST", "/api/bonds/accruals", jsonCT, accrue, 403},
		{"audit", "POST", "/api/bonds/accruals", jsonCT, accrue, 403},
		{"bureau", "POST", "/api/bonds/accruals", jsonCT, `{"bonds": ["NOPE"], "through": "2021-07-01"}`, 404},
		{"bureau", "POST", "/api/bonds/accruals", jsonCT, `{"through": "2021-07-01", "bogus": true}`, 400},
		// Nothing due yet.
		{"bureau", "POST", "/api/bonds/accruals", jsonCT, `{"through": "2021-06-30"}`, 200},
	})
	f.noKey(t, "bureau", "/api/bonds/accruals", accrue)
	before := f.entries()
	r := f.do("bureau", "POST", "/api/bonds/accruals", "a1", accrue)
	var res struct {
		Through  string
		Bonds    []string
		Accruals []struct {
			Bond     string
			DueDate  string `json:"due_date"`
			Seq      int
			Interest string
			EntryID  int64 `json:"entry_id"`
		}
		Actor string
	}
	if err := json.Unmarshal(r.body, &res); err != nil || r.status != 201 || len(res.Accruals) != 1 || res.Accruals[0].Interest != "30000.00" ||
		res.Accruals[0].DueDate != "2021-07-01" || res.Accruals[0].Seq != 1 || res.Accruals[0].EntryID == 0 || res.Actor != "bureau" ||
		f.entries() != before+1 {
		t.Fatalf("accrue: %d %s", r.status, r.body)
	}
	// Every issued bond, already accrued: nothing more.
	r = f.do("bureau", "POST", "/api/bonds/accruals", "a2", `{"through": "2021-07-01"}`)
	res.Accruals = nil
	if err := json.Unmarshal(r.body, &res); err != nil || r.status != 200 || len(res.Accruals) != 0 || len(res.Bonds) != 1 || f.entries() != before+1 {
		t.Errorf("accrue again: %d %s", r.status, r.body)
	}
}
