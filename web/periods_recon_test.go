package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
)

// raw sends a request with any content type and does not insist on a JSON answer.
func (f *fixture) raw(user, method, path, key, ctype, body string) resp {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}
}

type moreCase struct {
	user, method, path, ctype, body string
	want                            int
}

var keySeq atomic.Int64

// check runs the cases, each write with a fresh key, and checks refused
// requests change no entry and carry the stable error code.
func (f *fixture) check(t *testing.T, cases []moreCase) {
	t.Helper()
	for _, x := range cases {
		k := ""
		if x.method == "POST" {
			k = "m-" + strconv.FormatInt(keySeq.Add(1), 10)
		}
		before := f.entries()
		r := f.raw(x.user, x.method, x.path, k, x.ctype, x.body)
		if r.status != x.want {
			t.Errorf("%s %s %s: %d, want %d: %s", x.user, x.method, x.path, r.status, x.want, r.body)
			continue
		}
		if x.want >= 400 {
			if f.entries() != before {
				t.Errorf("%s %s %s: refused but posted", x.user, x.method, x.path)
			}
			code, _ := r.errCode(t)
			if want := map[int]string{403: "forbidden", 404: "not_found"}[x.want]; want != "" && code != want {
				t.Errorf("%s %s %s: code %q, want %q", x.user, x.method, x.path, code, want)
			}
		}
		if x.want == 403 && !strings.Contains(f.log.String(), `"path":"`+strings.SplitN(x.path, "?", 2)[0]+`"`) {
			t.Errorf("%s %s %s: denial not logged", x.user, x.method, x.path)
		}
	}
}

const jsonCT = "application/json"

func TestPeriodsAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.check(t, []moreCase{
		{"bureau", "GET", "/api/periods", "", "", 200},
		{"officer", "GET", "/api/periods", "", "", 200},
		{"audit", "GET", "/api/periods", "", "", 200},
		{"officer", "POST", "/api/periods/2020-07/close", "", "", 403},
		{"audit", "POST", "/api/periods/2020-07/close", "", "", 403},
		{"nogrants", "POST", "/api/periods/2020-07/close", "", "", 403},
		{"bureau", "POST", "/api/periods/2020-13/close", "", "", 400},
		{"bureau", "POST", "/api/periods/2020-07/reopen", jsonCT, `{}`, 422},
		{"bureau", "POST", "/api/periods/2020-07/close", "", "", 200},
		{"officer", "POST", "/api/periods/2020-07/reopen", jsonCT, `{"reason": "x"}`, 403},
		{"audit", "POST", "/api/periods/2020-07/reopen", jsonCT, `{"reason": "x"}`, 403},
	})
	// Without a key: 400, nothing recorded.
	if r := f.raw("bureau", "POST", "/api/periods/2020-08/close", "", "", ""); r.status != 400 {
		t.Errorf("close without key: %d %s", r.status, r.body)
	}
	// Closing again is a replay (idempotent by state), not a second event.
	r := f.raw("bureau", "POST", "/api/periods/2020-07/close", "again", "", "")
	if !r.replayed() {
		t.Errorf("close replay: %d %v %s", r.status, r.header, r.body)
	}
	// A closed month refuses a receipt dated in it.
	if r := f.do("officer", "POST", "/api/receipts", "in-closed", receipt("HC-1", "10.00")); r.status != 422 {
		t.Errorf("receipt into closed month: %d %s", r.status, r.body)
	} else if code, _ := r.errCode(t); code != "period_closed" {
		t.Errorf("receipt into closed month: %s", code)
	}
	var ps struct {
		Items []struct {
			Period string `json:"period"`
			Closed bool   `json:"closed"`
		} `json:"items"`
		History []map[string]any `json:"history"`
	}
	_ = json.Unmarshal(f.do("audit", "GET", "/api/periods", "", "").body, &ps)
	closed := map[string]bool{}
	for _, p := range ps.Items {
		closed[p.Period] = p.Closed
	}
	if !closed["2020-07"] || len(ps.History) != 1 || ps.History[0]["actor"] != "bureau" || ps.History[0]["action"] != "close" {
		t.Errorf("periods: %+v", ps)
	}
	// Reopen with a reason; the receipt then goes through.
	if r := f.do("bureau", "POST", "/api/periods/2020-07/reopen", "ro", `{"reason": "late treasury advice"}`); r.status != 200 {
		t.Fatalf("reopen: %d %s", r.status, r.body)
	}
	if r := f.do("bureau", "POST", "/api/periods/2020-07/reopen", "ro2", `{"reason": "late treasury advice"}`); !r.replayed() {
		t.Errorf("reopen replay: %d %s", r.status, r.body)
	}
	if r := f.do("officer", "POST", "/api/receipts", "in-open", receipt("HC-1", "10.00")); r.status != 201 {
		t.Errorf("receipt after reopen: %d %s", r.status, r.body)
	}
	_ = json.Unmarshal(f.do("audit", "GET", "/api/periods", "", "").body, &ps)
	if len(ps.History) != 2 || ps.History[1]["reason"] != "late treasury advice" {
		t.Errorf("history: %+v", ps.History)
	}
}

var wendengRules = ruleFile("test-wendeng", "1", "文登区", "2030-01-01", `  basic:
    shares:
      - {source: central, pct: 60}
      - {source: district, pct: 40}
`+improvementAndUpgrade)

func TestRuleSetsAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const yaml = "application/yaml"
	f.check(t, []moreCase{
		{"bureau", "GET", "/api/rule-sets", "", "", 200},
		{"officer", "GET", "/api/rule-sets", "", "", 200},
		{"audit", "GET", "/api/rule-sets", "", "", 200},
		{"audit", "GET", "/api/rule-sets/999999", "", "", 404},
		{"officer", "GET", "/api/rule-sets/x", "", "", 404},
		{"officer", "POST", "/api/rule-sets?name=w.yaml", yaml, wendengRules, 403},
		{"audit", "POST", "/api/rule-sets?name=w.yaml", yaml, wendengRules, 403},
		{"bureau", "POST", "/api/rule-sets?name=bad.yaml", yaml, "name: [", 422},
		{"bureau", "POST", "/api/rule-sets?name=w.yaml", jsonCT, `{}`, 415},
	})
	var list struct {
		Items []map[string]any `json:"items"`
	}
	_ = json.Unmarshal(f.do("officer", "GET", "/api/rule-sets", "", "").body, &list)
	if len(list.Items) != 1 || list.Items[0]["name"] != "test-citywide" {
		t.Fatalf("rule sets: %+v", list.Items)
	}
	id := int64(list.Items[0]["id"].(float64))
	want, err := os.ReadFile("../funding/testdata/rules/test-citywide.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got := f.do("audit", "GET", "/api/rule-sets/"+jsonNum(id), "", "").json(t)
	if got["text"] != string(want) || got["id"].(float64) != float64(id) {
		t.Errorf("rule set text as loaded: %v", got)
	}
	// Load: 201, the same file again is a replay (200, same id).
	if r := f.raw("bureau", "POST", "/api/rule-sets", "", yaml, wendengRules); r.status != 400 {
		t.Errorf("load without key: %d", r.status)
	}
	first := f.raw("bureau", "POST", "/api/rule-sets?name=wendeng.yaml", "r1", yaml, wendengRules)
	second := f.raw("bureau", "POST", "/api/rule-sets?name=wendeng.yaml", "r2", yaml, wendengRules)
	a, b := first.json(t), second.json(t)
	if first.status != 201 || a["loaded"] != true || a["district"] != "wendeng" || a["loaded_by"] != "bureau" {
		t.Errorf("load: %d %s", first.status, first.body)
	}
	if second.status != 200 || b["loaded"] != false || b["id"] != a["id"] || second.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("reload: %d %s", second.status, second.body)
	}
	_ = json.Unmarshal(f.do("audit", "GET", "/api/rule-sets", "", "").body, &list)
	if len(list.Items) != 2 {
		t.Errorf("rule sets after load: %d", len(list.Items))
	}
	// An officer of huancui sees the city-wide set, not wendeng's own.
	_ = json.Unmarshal(f.do("officer", "GET", "/api/rule-sets", "", "").body, &list)
	if len(list.Items) != 1 || list.Items[0]["district"] != "" {
		t.Errorf("officer's rule sets: %+v", list.Items)
	}
	wd := jsonNum(int64(a["id"].(float64)))
	f.check(t, []moreCase{
		{"officer", "GET", "/api/rule-sets/" + wd, "", "", 403},
		{"audit", "GET", "/api/rule-sets/" + wd, "", "", 200},
	})
}

func jsonNum(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestApprovalsAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	body := func(amount string) string {
		return `{"approved_on": "2020-09-01", "lines": [{"category": "basic", "description": "roads", "amount": "` + amount + `"}, {"category": "improvement", "description": "lifts", "amount": "10000.00"}]}`
	}
	f.check(t, []moreCase{
		{"officer", "POST", "/api/projects/WD-1/approvals", jsonCT, body("100.00"), 403},
		{"nogrants", "POST", "/api/projects/HC-2/approvals", jsonCT, body("100.00"), 403},
		{"audit", "POST", "/api/projects/HC-2/approvals", jsonCT, body("100.00"), 403},
		{"bureau", "POST", "/api/projects/NOPE/approvals", jsonCT, body("100.00"), 404},
		{"officer", "POST", "/api/projects/NOPE/approvals", jsonCT, body("100.00"), 404},
		{"officer", "POST", "/api/projects/HC-2/approvals", jsonCT, body("1.005"), 422},
		{"bureau", "GET", "/api/projects/WD-1/approval", "", "", 200},
		{"audit", "GET", "/api/projects/HC-1/approval", "", "", 200},
		{"officer", "GET", "/api/projects/HC-1/approval", "", "", 200},
		{"officer", "GET", "/api/projects/WD-1/approval", "", "", 403},
		{"officer", "GET", "/api/projects/NOPE/approval", "", "", 404},
		{"audit", "GET", "/api/projects/HC-3/approval", "", "", 404},
	})
	if r := f.do("officer", "POST", "/api/projects/HC-2/approvals", "", body("200000.00")); r.status != 400 {
		t.Errorf("approval without key: %d", r.status)
	}
	before := f.entries()
	first := f.do("officer", "POST", "/api/projects/HC-2/approvals", "ap-1", body("200000.00"))
	if first.status != 201 {
		t.Fatalf("approve: %d %s", first.status, first.body)
	}
	if f.entries() == before {
		t.Error("approval posted no entry")
	}
	var ap struct {
		Version int    `json:"version"`
		Total   string `json:"total"`
		Sources []struct {
			Source string `json:"source"`
			Amount string `json:"amount"`
		} `json:"sources"`
		Steps     []string `json:"steps"`
		Unchanged bool     `json:"unchanged"`
	}
	if err := json.Unmarshal(first.body, &ap); err != nil {
		t.Fatal(err)
	}
	// basic 200,000.00: central 50%, provincial 20%, district 30%; improvement
	// 10,000.00 (200 households, cap 100 each on residents' 50%): district
	// 5,000.00 and residents 5,000.00.
	wantSrc := map[string]string{"central": "100000.00", "provincial": "40000.00", "district": "65000.00", "resident:direct": "5000.00"}
	gotSrc := map[string]string{}
	for _, s := range ap.Sources {
		gotSrc[s.Source] = s.Amount
	}
	if ap.Version != 1 || ap.Total != "210000.00" || len(ap.Steps) == 0 || len(gotSrc) != len(wantSrc) {
		t.Errorf("approval: %s", first.body)
	}
	for k, v := range wantSrc {
		if gotSrc[k] != v {
			t.Errorf("source %s: %s, want %s", k, gotSrc[k], v)
		}
	}
	// The same lines again change nothing, whatever the key.
	n := f.entries()
	second := f.do("officer", "POST", "/api/projects/HC-2/approvals", "ap-2", body("200000.00"))
	if !second.replayed() || f.entries() != n {
		t.Errorf("re-approve: %d %s", second.status, second.body)
	}
	got := f.do("audit", "GET", "/api/projects/HC-2/approval", "", "").json(t)
	if got["total"] != "210000.00" || got["version"].(float64) != 1 {
		t.Errorf("latest approval: %v", got)
	}
	// The project report now shows the commitment.
	rep := f.do("officer", "GET", "/api/projects/HC-2/report", "", "").json(t)
	if c := rep["total"].(map[string]any)["committed"]; c != "210000.00" {
		t.Errorf("committed after approval: %v", c)
	}
}

func TestStatementsAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.do("bureau", "POST", "/api/receipts", "wd", receipt("WD-1", "300000.00"))
	f.do("bureau", "POST", "/api/receipts", "hc", receipt("HC-1", "1234.50"))
	f.check(t, []moreCase{
		{"bureau", "GET", "/api/reports/trial-balances", "", "", 200},
		{"audit", "GET", "/api/reports/balance-sheet?district=wendeng", "", "", 200},
		{"officer", "GET", "/api/reports/sources", "", "", 200},
		{"officer", "GET", "/api/reports/budget-vs-actual?district=huancui", "", "", 200},
		{"officer", "GET", "/api/reports/earmark?district=wendeng", "", "", 403},
		{"nogrants", "GET", "/api/reports/sources", "", "", 403},
		{"officer", "GET", "/api/reports/sources?district=atlantis", "", "", 404},
		{"audit", "GET", "/api/reports/no-such-report", "", "", 404},
		{"audit", "GET", "/api/reports/sources?format=pdf", "", "", 400},
		{"audit", "GET", "/api/reports/sources?as_of=2020-02-30", "", "", 400},
	})
	r := f.raw("officer", "GET", "/api/reports/sources?format=json&lang=en", "", "", "")
	if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Errorf("json content type %q", r.header.Get("Content-Type"))
	}
	if !bytes.Contains(r.body, []byte("1234.50")) || bytes.Contains(r.body, []byte("文登")) {
		t.Errorf("officer's sources statement: %s", r.body)
	}
	r = f.raw("audit", "GET", "/api/reports/sources?format=csv&lang=en", "", "", "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(r.header.Get("Content-Disposition"), `sources.csv`) || !bytes.Contains(r.body, []byte("300000.00")) || !bytes.Contains(r.body, []byte("文登")) {
		t.Errorf("csv: %d %v %s", r.status, r.header, r.body)
	}
	r = f.raw("bureau", "GET", "/api/reports/trial-balances?format=xlsx&as_of=2020-12-31&district=huancui", "", "", "")
	if r.status != 200 || !bytes.HasPrefix(r.body, []byte("PK")) ||
		r.header.Get("Content-Disposition") != `attachment; filename="trial-balances-huancui-2020-12-31.xlsx"` {
		t.Errorf("xlsx: %d %v", r.status, r.header)
	}
}

// moreOperations are the endpoints of periods, rule sets, approvals, reports, recon and bond reads, which the OpenAPI
// document must list too (TestAuthentication compares it with the routes).
var moreOperations = []string{
	"GET /api/periods", "POST /api/periods/{month}/close", "POST /api/periods/{month}/reopen",
	"GET /api/rule-sets", "GET /api/rule-sets/{id}", "POST /api/rule-sets",
	"POST /api/projects/{code}/approvals", "GET /api/projects/{code}/approval",
	"GET /api/reports/{name}",
	"POST /api/bank-accounts/{code}/statements", "POST /api/bank-accounts/{code}/recon-runs",
	"GET /api/bank-accounts/{code}/matches", "POST /api/bank-accounts/{code}/matches", "POST /api/matches/{id}/unmatch",
	"GET /api/bonds", "GET /api/bonds/{code}/schedule", "GET /api/elevator-applications/{code}",
}

func TestReconAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rc := f.do("officer", "POST", "/api/receipts", "rc", receipt("HC-1", "1234.50")).json(t)
	if f.do("bureau", "POST", "/api/receipts", "rw", receipt("WD-1", "500.00")).status != 201 {
		t.Fatal("wendeng receipt")
	}
	const csvCT = "text/csv"
	stmt := "交易日期,收入金额,支出金额,余额,对方户名,摘要,凭证号\n" +
		"2020-07-01,1234.50,,1234.50,威海市财政局,拨款,国库-1\n" +
		"2020-07-03,,10.00,1224.50,某银行,手续费,\n"
	wdStmt := "交易日期,收入金额,支出金额,余额,对方户名,摘要,凭证号\n2020-07-01,500.00,,500.00,威海市财政局,拨款,国库-1\n"
	run := `{"period": "2020-07"}`
	f.check(t, []moreCase{
		{"officer", "POST", "/api/bank-accounts/BOC-WD/statements?name=wd.csv", csvCT, wdStmt, 403},
		{"nogrants", "POST", "/api/bank-accounts/BOC-HC/statements", csvCT, stmt, 403},
		{"audit", "POST", "/api/bank-accounts/BOC-HC/statements", csvCT, stmt, 403},
		{"bureau", "POST", "/api/bank-accounts/NOPE/statements", csvCT, stmt, 404},
		{"bureau", "POST", "/api/bank-accounts/BOC-HC/statements?profile=nope", csvCT, stmt, 400},
		{"bureau", "POST", "/api/bank-accounts/BOC-HC/statements", csvCT, "交易日期,收入金额,支出金额,余额,对方户名,摘要,凭证号\n2020-07-01,12.345,,,x,y,\n", 422},
		{"bureau", "POST", "/api/bank-accounts/BOC-WD/statements?name=wd.csv", csvCT, wdStmt, 201},
		{"officer", "POST", "/api/bank-accounts/BOC-WD/recon-runs", jsonCT, run, 403},
		{"audit", "POST", "/api/bank-accounts/BOC-HC/recon-runs", jsonCT, run, 403},
		{"officer", "POST", "/api/bank-accounts/NOPE/recon-runs", jsonCT, run, 404},
		{"bureau", "POST", "/api/bank-accounts/BOC-HC/recon-runs", jsonCT, `{"period": "July"}`, 422},
		{"bureau", "POST", "/api/bank-accounts/BOC-WD/recon-runs", jsonCT, run, 201},
		{"audit", "GET", "/api/bank-accounts/BOC-WD/matches", "", "", 200},
		{"officer", "GET", "/api/bank-accounts/BOC-HC/matches", "", "", 200},
		{"officer", "GET", "/api/bank-accounts/BOC-WD/matches", "", "", 403},
		{"officer", "GET", "/api/bank-accounts/NOPE/matches", "", "", 404},
		{"audit", "POST", "/api/bank-accounts/BOC-HC/matches", jsonCT, `{"lines": [1], "postings": ["1"], "reason": "x"}`, 403},
		{"officer", "POST", "/api/bank-accounts/BOC-WD/matches", jsonCT, `{"lines": [1], "postings": ["1"], "reason": "x"}`, 403},
		{"officer", "POST", "/api/matches/999999/unmatch", jsonCT, `{"reason": "x"}`, 404},
		{"audit", "POST", "/api/matches/999999/unmatch", jsonCT, `{"reason": "x"}`, 403},
	})
	// The officer's own account: import, replay, run.
	imp := f.raw("officer", "POST", "/api/bank-accounts/BOC-HC/statements?name=july.csv", "s1", csvCT, stmt)
	again := f.raw("officer", "POST", "/api/bank-accounts/BOC-HC/statements?name=july.csv", "s2", csvCT, stmt)
	if imp.status != 201 || imp.json(t)["added"].(float64) != 2 {
		t.Fatalf("import: %d %s", imp.status, imp.body)
	}
	if again.status != 200 || again.json(t)["added"].(float64) != 0 || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("import again: %d %s", again.status, again.body)
	}
	r := f.do("officer", "POST", "/api/bank-accounts/BOC-HC/recon-runs", "run1", run)
	if r.status != 201 || r.json(t)["matched"].(float64) != 1 {
		t.Fatalf("run: %d %s", r.status, r.body)
	}
	var ms struct {
		Items []struct {
			ID       int64 `json:"id"`
			Pass     int   `json:"pass"`
			Lines    []int64
			Postings []struct {
				EntryID int64 `json:"entry_id"`
			} `json:"postings"`
		} `json:"items"`
	}
	_ = json.Unmarshal(f.do("officer", "GET", "/api/bank-accounts/BOC-HC/matches?period=2020-07", "", "").body, &ms)
	if len(ms.Items) != 1 || ms.Items[0].Pass != 1 || ms.Items[0].Postings[0].EntryID != int64(rc["financial_entry"].(float64)) {
		t.Fatalf("matches: %+v", ms)
	}
	id := jsonNum(ms.Items[0].ID)
	line := jsonNum(ms.Items[0].Lines[0])
	// Unmatch: no key 400; auditor and an officer without the district 403; then replay.
	if r := f.do("officer", "POST", "/api/matches/"+id+"/unmatch", "", `{"reason": "wrong"}`); r.status != 400 {
		t.Errorf("unmatch without key: %d", r.status)
	}
	if r := f.do("nogrants", "POST", "/api/matches/"+id+"/unmatch", "u0", `{"reason": "wrong"}`); r.status != 403 {
		t.Errorf("unmatch by officer without grant: %d", r.status)
	}
	if r := f.do("officer", "POST", "/api/matches/"+id+"/unmatch", "u1", `{"reason": ""}`); r.status != 422 {
		t.Errorf("unmatch without reason: %d %s", r.status, r.body)
	}
	u1 := f.do("officer", "POST", "/api/matches/"+id+"/unmatch", "u1", `{"reason": "wrong bank line"}`)
	u2 := f.do("officer", "POST", "/api/matches/"+id+"/unmatch", "u2", `{"reason": "wrong bank line"}`)
	if u1.status != 200 || u1.json(t)["revoked"] != true || !u2.replayed() {
		t.Errorf("unmatch: %d %s / %d %s", u1.status, u1.body, u2.status, u2.body)
	}
	if r := f.do("bureau", "POST", "/api/matches/"+id+"/unmatch", "u3", `{"reason": "other"}`); r.status != 409 {
		t.Errorf("unmatch of a revoked match by another: %d %s", r.status, r.body)
	}
	// Manual match of the same line and posting; sent again it is the same match.
	body := `{"lines": [` + line + `], "postings": ["` + jsonNum(int64(rc["financial_entry"].(float64))) + `"], "reason": "treasury advice 7/1"}`
	m1 := f.do("officer", "POST", "/api/bank-accounts/BOC-HC/matches", "m1", body)
	m2 := f.do("officer", "POST", "/api/bank-accounts/BOC-HC/matches", "m2", body)
	if m1.status != 201 || m1.json(t)["actor"] != "officer" || !m2.replayed() ||
		m1.json(t)["id"] != m2.json(t)["id"] {
		t.Errorf("manual match: %d %s / %d %s", m1.status, m1.body, m2.status, m2.body)
	}
	// Unbalanced: the fee line against the receipt.
	var fee int64
	if err := f.db.Get(&fee, `SELECT id FROM recon_statement_lines WHERE bank_account = 'BOC-HC' AND id <> $1`, ms.Items[0].Lines[0]); err != nil {
		t.Fatal(err)
	}
	bad := `{"lines": [` + jsonNum(fee) + `], "postings": ["` + jsonNum(int64(rc["financial_entry"].(float64))) + `"], "reason": "x"}`
	if r := f.do("officer", "POST", "/api/bank-accounts/BOC-HC/matches", "m3", bad); r.status != 409 && r.status != 422 {
		t.Errorf("bad match: %d %s", r.status, r.body)
	}
	all := f.do("audit", "GET", "/api/bank-accounts/BOC-HC/matches?all=true", "", "").json(t)
	if n := len(all["items"].([]any)); n != 2 {
		t.Errorf("matches with revoked: %d", n)
	}
}

func TestBondsGrantsAndMoreReportsAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := funding.New(ledger.New(f.db))
	if _, err := p.RegisterBond(context.Background(), funding.BondInput{Code: "ZX-01", Name: "专项债券（一期）", IssueDate: date("2020-07-01"),
		Principal: decimal.RequireFromString("10000000.00"), CouponRatePct: decimal.RequireFromString("3.5"), TermYears: 10,
		Frequency: "annual", Repayment: "bullet", ReserveBankAccount: "BOC-HC"}, "setup"); err != nil {
		t.Fatal(err)
	}
	if r := f.raw("bureau", "GET", "/api/reports/plan", "", "", ""); r.status != 404 {
		t.Errorf("plan report before a plan is imported: %d %s", r.status, r.body)
	}
	if _, err := p.ImportPlan(context.Background(), "../funding/testdata/plan/weihai-gbk.csv", "setup"); err != nil {
		t.Fatal(err)
	}
	f.check(t, []moreCase{
		{"bureau", "GET", "/api/bonds", "", "", 200},
		{"officer", "GET", "/api/bonds", "", "", 200},
		{"audit", "GET", "/api/bonds/ZX-01/schedule", "", "", 200},
		{"officer", "GET", "/api/bonds/NOPE/schedule", "", "", 404},
		{"audit", "GET", "/api/bonds/ZX-01/schedule?version=x", "", "", 400},
		{"bureau", "GET", "/api/elevator-applications/NOPE", "", "", 404},
		{"officer", "GET", "/api/elevator-applications/NOPE", "", "", 404},
		{"audit", "GET", "/api/reports/bonds?as_of=2021-12-31", "", "", 200},
		{"bureau", "GET", "/api/reports/plan?format=csv", "", "", 200},
		{"officer", "GET", "/api/reports/bonds", "", "", 403},
		{"officer", "GET", "/api/reports/plan", "", "", 403},
		{"officer", "GET", "/api/reports/grants", "", "", 200},
		{"officer", "GET", "/api/reports/grants?district=wendeng", "", "", 403},
		{"audit", "GET", "/api/reports/grants?district=wendeng&format=xlsx", "", "", 200},
	})
	var bs struct {
		Items []map[string]any `json:"items"`
	}
	_ = json.Unmarshal(f.do("officer", "GET", "/api/bonds", "", "").body, &bs)
	if len(bs.Items) != 1 || bs.Items[0]["principal"] != "10000000.00" || bs.Items[0]["maturity"] != "2030-07-01" {
		t.Errorf("bonds: %+v", bs.Items)
	}
	var sc struct {
		Version       int    `json:"version"`
		TotalInterest string `json:"total_interest"`
		Lines         []struct {
			DueDate   string `json:"due_date"`
			Interest  string `json:"interest"`
			Principal string `json:"principal"`
		} `json:"lines"`
	}
	_ = json.Unmarshal(f.do("audit", "GET", "/api/bonds/ZX-01/schedule", "", "").body, &sc)
	if sc.Version != 1 || sc.TotalInterest != "3500000.00" || len(sc.Lines) != 10 || sc.Lines[0].Interest != "350000.00" ||
		sc.Lines[9].Principal != "10000000.00" || sc.Lines[9].DueDate != "2030-07-01" {
		t.Errorf("schedule: %+v", sc)
	}
}
