package web_test

import (
	"encoding/json"
	"testing"
)

// ledgerOperations are the endpoints of accounts, entries and uploads, which the OpenAPI
// document must list too (TestAuthentication compares it with the routes).
var ledgerOperations = []string{
	"GET /api/accounts", "POST /api/accounts", "GET /api/entries", "POST /api/entries",
	"POST /api/entries/{id}/reverse", "GET /api/verify", "POST /api/plan-imports", "POST /api/bond-plans",
}

// TestLedgerAPI: the bureau creates two accounts, posts 1,234.50 from one to
// the other, lists it and reverses it; the ledger still verifies.
func TestLedgerAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cash := `{"code": "cash:api-test", "name": "测试现金", "type": "asset"}`
	rev := `{"code": "revenue:api-test", "name": "测试收入", "type": "revenue"}`
	f.check(t, []moreCase{
		{"officer", "POST", "/api/accounts", jsonCT, cash, 403},
		{"audit", "POST", "/api/accounts", jsonCT, cash, 403},
		{"bureau", "POST", "/api/accounts", jsonCT, `{"code": "x:y", "type": "asset", "bogus": 1}`, 400},
		{"bureau", "POST", "/api/accounts", jsonCT, `{"code": "x:y", "type": "nonsense"}`, 422},
	})
	f.noKey(t, "bureau", "/api/accounts", cash)
	r := f.do("bureau", "POST", "/api/accounts", "a1", cash)
	if m := r.json(t); r.status != 201 || m["code"] != "cash:api-test" || m["book"] != "financial" || m["normal_side"] != "D" {
		t.Fatalf("create account: %d %s", r.status, r.body)
	}
	if r := f.do("bureau", "POST", "/api/accounts", "a2", cash); !r.replayed() {
		t.Errorf("create again: %d %s", r.status, r.body)
	}
	if r := f.do("bureau", "POST", "/api/accounts", "a3", rev); r.status != 201 || r.json(t)["normal_side"] != "C" {
		t.Fatalf("create revenue account: %d %s", r.status, r.body)
	}
	// An account without a district is the city's: the officer does not read it.
	for u, want := range map[string]int{"bureau": 1, "officer": 0, "audit": 1} {
		r := f.do(u, "GET", "/api/accounts?prefix=cash:api-test&book=financial", "", "")
		var pg struct{ Items []struct{ Code, Name string } }
		if err := json.Unmarshal(r.body, &pg); err != nil || r.status != 200 || len(pg.Items) != want || (want == 1 && pg.Items[0].Name != "测试现金") {
			t.Errorf("%s accounts: %d %s", u, r.status, r.body)
		}
	}
	if r := f.do("bureau", "GET", "/api/accounts?book=nope", "", ""); r.status != 400 {
		t.Errorf("bad book: %d %s", r.status, r.body)
	}

	entry := `{"book": "financial", "effective_date": "2021-03-01", "memo": "测试", "metadata": {"voucher": "记-12"},
		"postings": [{"account": "cash:api-test", "side": "D", "amount": "1234.50"}, {"account": "revenue:api-test", "side": "C", "amount": "1234.50"}]}`
	f.check(t, []moreCase{
		{"officer", "POST", "/api/entries", jsonCT, entry, 403},
		{"audit", "POST", "/api/entries", jsonCT, entry, 403},
		{"bureau", "POST", "/api/entries", jsonCT, `{"book": "financial", "effective_date": "2021-03-01", "postings": [{"account": "cash:api-test", "side": "D", "amount": "1.00"}, {"account": "revenue:api-test", "side": "C", "amount": "2.00"}]}`, 422},
	})
	f.noKey(t, "bureau", "/api/entries", entry)
	before := f.entries()
	r = f.do("bureau", "POST", "/api/entries", "e1", entry)
	var e struct {
		ID             int64
		Book, Actor    string
		EffectiveDate  string `json:"effective_date"`
		IdempotencyKey string `json:"idempotency_key"`
		Reverses       int64
		Postings       []struct{ Account, Side, Amount string }
	}
	if err := json.Unmarshal(r.body, &e); err != nil || r.status != 201 || e.ID == 0 || e.Actor != "bureau" || e.IdempotencyKey != "api/bureau/e1" ||
		e.EffectiveDate != "2021-03-01" || len(e.Postings) != 2 || e.Postings[0].Amount != "1234.50" || f.entries() != before+1 {
		t.Fatalf("post: %d %s", r.status, r.body)
	}
	id := e.ID
	if r := f.do("bureau", "POST", "/api/entries", "e1", entry); !r.replayed() || f.entries() != before+1 {
		t.Errorf("post again: %d %s", r.status, r.body)
	}
	for u, want := range map[string]int{"bureau": 1, "officer": 0, "audit": 1} {
		r := f.do(u, "GET", "/api/entries?account=cash:api-test&from=2021-01-01&to=2021-12-31&book=financial&limit=10", "", "")
		var pg struct {
			Items []struct {
				ID       int64
				Postings []struct{ Amount string }
			}
		}
		if err := json.Unmarshal(r.body, &pg); err != nil || r.status != 200 || len(pg.Items) != want || (want == 1 && pg.Items[0].ID != id) {
			t.Errorf("%s entries: %d %s", u, r.status, r.body)
		}
	}
	if r := f.do("bureau", "GET", "/api/entries?limit=1", "", ""); r.status != 200 || r.json(t)["next"] == nil {
		t.Errorf("first page: %d %s", r.status, r.body)
	}

	reverse := `{"reason": "录入错误", "date": "2021-03-02"}`
	path := "/api/entries/" + itoa(id) + "/reverse"
	f.check(t, []moreCase{
		{"officer", "POST", path, jsonCT, reverse, 403},
		{"audit", "POST", path, jsonCT, reverse, 403},
		{"bureau", "POST", "/api/entries/999999/reverse", jsonCT, reverse, 404},
		{"bureau", "POST", path, jsonCT, `{"date": "2021-03-02"}`, 422},
	})
	f.noKey(t, "bureau", path, reverse)
	r = f.do("bureau", "POST", path, "r1", reverse)
	e.Postings = nil
	if err := json.Unmarshal(r.body, &e); err != nil || r.status != 201 || e.Reverses != id || e.EffectiveDate != "2021-03-02" ||
		e.Postings[0].Side != "C" || e.Postings[0].Amount != "1234.50" {
		t.Fatalf("reverse: %d %s", r.status, r.body)
	}
	if r := f.do("bureau", "POST", path, "r2", reverse); r.status != 409 {
		t.Errorf("reverse twice: %d %s", r.status, r.body)
	}

	for u, want := range map[string]int{"bureau": 200, "audit": 200, "officer": 403} {
		r := f.do(u, "GET", "/api/verify", "", "")
		if r.status != want || (want == 200 && r.json(t)["ok"] != true) {
			t.Errorf("%s verify: %d %s", u, r.status, r.body)
		}
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

const planCSV = "区市,年度,小区个数,户数,建筑面积\n环翠区,2020,17,13371,1262412\n环翠区,2021,13,9259,744439.96\n文登区,2020,35,12595,1210759\n"

func TestPlanImportAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.check(t, []moreCase{
		{"officer", "POST", "/api/plan-imports?name=plan.csv", "text/csv", planCSV, 403},
		{"audit", "POST", "/api/plan-imports?name=plan.csv", "text/csv", planCSV, 403},
		{"bureau", "POST", "/api/plan-imports?name=../plan.csv", "text/csv", planCSV, 400},
		{"bureau", "POST", "/api/plan-imports?name=bad.csv", "text/csv", "区市,年度\n环翠区,x\n", 422},
	})
	if r := f.raw("bureau", "POST", "/api/plan-imports?name=plan.csv", "", "text/csv", planCSV); r.status != 400 {
		t.Errorf("without key: %d %s", r.status, r.body)
	}
	r := f.raw("bureau", "POST", "/api/plan-imports?name=plan.csv", "p1", "text/csv", planCSV)
	var res struct {
		File            string
		DistrictRows    int    `json:"district_rows"`
		ImportedBy      string `json:"imported_by"`
		AlreadyImported bool   `json:"already_imported"`
	}
	if err := json.Unmarshal(r.body, &res); err != nil || r.status != 201 || res.DistrictRows != 3 || res.ImportedBy != "bureau" || res.File != "plan.csv" {
		t.Fatalf("plan import: %d %s", r.status, r.body)
	}
	if r := f.raw("bureau", "POST", "/api/plan-imports?name=again.csv", "p2", "text/csv", planCSV); !r.replayed() {
		t.Errorf("plan import again: %d %s", r.status, r.body)
	}
}

const bondPlanCSV = "project,year,kind,amount\nHC-1,2022,parking,120000.00\nHC-1,2022,charging,30000.50\n"

func TestBondPlansAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const path = "/api/bond-plans?name=plan.csv&effective=2022-01-01"
	f.check(t, []moreCase{
		{"officer", "POST", path, "text/csv", bondPlanCSV, 403},
		{"audit", "POST", path, "text/csv", bondPlanCSV, 403},
		{"bureau", "POST", "/api/bond-plans?name=plan.csv", "text/csv", bondPlanCSV, 400},
	})
	if r := f.raw("bureau", "POST", path, "", "text/csv", bondPlanCSV); r.status != 400 {
		t.Errorf("without key: %d %s", r.status, r.body)
	}
	r := f.raw("bureau", "POST", path, "b1", "text/csv", bondPlanCSV)
	var res struct {
		Plans []struct {
			Project, Total string
			Version, Lines int
			Unchanged      bool
		}
		Actor string
	}
	if err := json.Unmarshal(r.body, &res); err != nil || r.status != 201 || len(res.Plans) != 1 || res.Plans[0].Project != "HC-1" ||
		res.Plans[0].Total != "150000.50" || res.Plans[0].Lines != 2 || res.Plans[0].Version != 1 || res.Actor != "bureau" {
		t.Fatalf("bond plans: %d %s", r.status, r.body)
	}
	if r := f.raw("bureau", "POST", path, "b2", "text/csv", bondPlanCSV); !r.replayed() {
		t.Errorf("bond plans again: %d %s", r.status, r.body)
	}
}
