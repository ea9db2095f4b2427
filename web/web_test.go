package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	"golang.org/x/crypto/bcrypt"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/internal/pgtest"
	"fundledger/ledger"
	"fundledger/web"
)

func TestMain(m *testing.M) {
	access.BcryptCost = bcrypt.MinCost
	pgtest.Main(m)
}

// syncBuffer collects the server's log lines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type fixture struct {
	t      *testing.T
	db     *sqlx.DB
	srv    *httptest.Server
	log    *syncBuffer
	tokens map[string]string // user → token
	store  *access.Store
}

func date(s string) time.Time {
	t, err := ledger.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

func project(code, district string) funding.ProjectInput {
	return funding.ProjectInput{Code: code, Name: "测试小区 " + code, District: district, Address: "某路1号",
		CompletedOn: date("1998-05-01"), StateOwnedLand: true, Households: 200, FloorAreaM2: decimal.RequireFromString("15000.00"),
		Buildings: 8, PlanYear: 2020, RegisteredOn: date("2020-03-01")}
}

// newFixture: projects HC-1, HC-2, HC-3 in 环翠区 (huancui) and WD-1 in 文登区
// (wendeng), HC-1 and WD-1 with approved budgets (central 500,000.00 of
// basic); users bureau (finance_bureau), officer (district_officer, huancui
// granted), audit (auditor), each with a token.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, p := booksWithRules(t, "../funding/testdata/rules/test-citywide.yaml")
	for _, pr := range []funding.ProjectInput{project("HC-1", "环翠区"), project("HC-2", "环翠区"), project("HC-3", "环翠区"), project("WD-1", "文登区")} {
		if _, err := p.RegisterProject(ctx, pr, "setup"); err != nil {
			t.Fatal(err)
		}
	}
	for _, code := range []string{"HC-1", "WD-1"} {
		if _, err := p.Approve(ctx, funding.ApprovalRequest{Project: code, ApprovedOn: date("2020-06-15"), Actor: "setup",
			Lines: []funding.BudgetLineInput{{Category: "basic", Description: "roads", Amount: decimal.RequireFromString("1000000.00")}}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range []funding.BankAccount{{Code: "BOC-HC", Name: "环翠专户", Bank: "中国银行", District: "环翠区"}, {Code: "BOC-WD", Name: "文登专户", Bank: "中国银行", District: "文登区"}} {
		if err := p.AddBankAccount(ctx, b, "setup"); err != nil {
			t.Fatal(err)
		}
	}
	return serveFixture(t, db, map[string]access.Role{"bureau": access.FinanceBureau, "officer": access.DistrictOfficer, "audit": access.Auditor,
		"nogrants": access.DistrictOfficer}, map[string]string{"officer": "huancui"})
}

// mustLoadRules loads a rule file through the API, as the finance bureau.
func (f *fixture) mustLoadRules(name, yaml string) {
	f.t.Helper()
	if r := f.raw("bureau", "POST", "/api/rule-sets?name="+name, "rs", "application/yaml", yaml); r.status != 201 {
		f.t.Fatalf("rule set %s: %d %s", name, r.status, r.body)
	}
}

// booksWithRules is a fresh database with the rule set of the file loaded.
func booksWithRules(t *testing.T, rules string) (*sqlx.DB, *funding.Programme) {
	t.Helper()
	db := pgtest.DB(t)
	p := funding.New(ledger.New(db))
	if _, _, err := p.LoadRuleSet(context.Background(), rules, "setup"); err != nil {
		t.Fatal(err)
	}
	return db, p
}

// serveFixture serves the books of db to the users (each with an API
// token), each officer granted the district named in grants.
func serveFixture(t *testing.T, db *sqlx.DB, users map[string]access.Role, grants map[string]string) *fixture {
	t.Helper()
	ctx := context.Background()
	st := access.New(db)
	f := &fixture{t: t, db: db, log: &syncBuffer{}, tokens: map[string]string{}, store: st}
	for name, role := range users {
		if err := st.AddUser(ctx, name, role, "", "setup"); err != nil {
			t.Fatal(err)
		}
		_, tok, err := st.IssueToken(ctx, name, access.KindAPIToken, "test", 0, "setup")
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[name] = tok
	}
	for user, district := range grants {
		if err := st.Grant(ctx, user, district, true, "", "setup"); err != nil {
			t.Fatal(err)
		}
	}
	f.srv = httptest.NewServer(web.New(db, slog.New(slog.NewJSONHandler(f.log, nil))).Handler())
	t.Cleanup(f.srv.Close)
	return f
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

// replayed: the answer is a replay of a write already recorded under the
// same idempotency key (200, Idempotent-Replayed: true).
func (r resp) replayed() bool {
	return r.status == 200 && r.header.Get("Idempotent-Replayed") == "true"
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("%v in %s", err, r.body)
	}
	return m
}

func (r resp) errCode(t *testing.T) (code, field string) {
	t.Helper()
	e := r.json(t) // RFC 9457 problem+json with the extensions code and field
	if _, ok := e["code"].(string); !ok {
		t.Fatalf("no error body: %s", r.body)
	}
	if d, _ := e["detail"].(string); d == "" || e["status"] != float64(r.status) {
		t.Errorf("error without detail or status: %s", r.body)
	}
	field, _ = e["field"].(string)
	return e["code"].(string), field
}

// do sends a request as user ("" none) with an optional idempotency key
// and a JSON body, and insists on a JSON answer.
func (f *fixture) do(user, method, path, key, body string) resp {
	f.t.Helper()
	ctype := ""
	if body != "" {
		ctype = "application/json"
	}
	r := f.raw(user, method, path, key, ctype, body)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") && !(r.status >= 400 && ct == "application/problem+json") {
		f.t.Errorf("%s %s: content type %q", method, path, ct)
	}
	return r
}

func (f *fixture) entries() int {
	f.t.Helper()
	var n int
	if err := f.db.Get(&n, `SELECT count(*) FROM entries`); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func receipt(project, amount string) string {
	return `{"project": "` + project + `", "source": "central", "amount": "` + amount + `", "received_on": "2020-07-01", "bank_account": "BOC-` + project[:2] + `", "reference": "国库-1"}`
}

func payment(project, amount string) string {
	return `{"project": "` + project + `", "source": "central", "category": "basic", "amount": "` + amount + `", "paid_on": "2020-08-01", "payee": "某建设公司", "bank_account": "BOC-` + project[:2] + `"}`
}

// TestRoleMatrix: each role against each kind of resource — allowed,
// denied (403) and not found (404). An officer is refused another
// district's existing project with 403 (not 404): project codes and
// districts are not secret inside the city's administration, and a 403
// tells the officer (and the log) that the request was refused rather than
// mistyped; a project that does not exist is 404 for everyone.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	type c struct {
		user, method, path, body string
		want                     int
	}
	n := 0
	key := func() string {
		n++
		return "k" + strings.Repeat("x", n%3) + string(rune('a'+n%26)) + time.Now().Format("150405.000000")
	}
	cases := []c{
		// districts
		{"bureau", "GET", "/api/districts", "", 200},
		{"officer", "GET", "/api/districts", "", 200},
		{"audit", "GET", "/api/districts", "", 200},
		// project listing
		{"bureau", "GET", "/api/projects?district=wendeng", "", 200},
		{"audit", "GET", "/api/projects?district=文登区", "", 200},
		{"officer", "GET", "/api/projects?district=huancui", "", 200},
		{"officer", "GET", "/api/projects?district=wendeng", "", 403},
		{"bureau", "GET", "/api/projects?district=atlantis", "", 404},
		{"officer", "GET", "/api/projects?district=atlantis", "", 404},
		// one project
		{"bureau", "GET", "/api/projects/WD-1", "", 200},
		{"audit", "GET", "/api/projects/WD-1", "", 200},
		{"officer", "GET", "/api/projects/HC-1", "", 200},
		{"officer", "GET", "/api/projects/WD-1", "", 403},
		{"nogrants", "GET", "/api/projects/HC-1", "", 403},
		{"bureau", "GET", "/api/projects/NOPE", "", 404},
		{"officer", "GET", "/api/projects/NOPE", "", 404},
		{"audit", "GET", "/api/projects/NOPE", "", 404},
		// project report
		{"bureau", "GET", "/api/projects/WD-1/report", "", 200},
		{"audit", "GET", "/api/projects/HC-1/report?as_of=2020-12-31", "", 200},
		{"officer", "GET", "/api/projects/HC-1/report", "", 200},
		{"officer", "GET", "/api/projects/WD-1/report", "", 403},
		{"officer", "GET", "/api/projects/NOPE/report", "", 404},
		{"audit", "GET", "/api/projects/NOPE/report", "", 404},
		// district report
		{"bureau", "GET", "/api/reports/district", "", 200},
		{"audit", "GET", "/api/reports/district?district=wendeng", "", 200},
		{"officer", "GET", "/api/reports/district?district=huancui", "", 200},
		{"officer", "GET", "/api/reports/district?district=wendeng", "", 403},
		{"officer", "GET", "/api/reports/district?district=atlantis", "", 404},
		// receipts
		{"bureau", "POST", "/api/receipts", receipt("WD-1", "100.00"), 201},
		{"officer", "POST", "/api/receipts", receipt("HC-1", "100.00"), 201},
		{"officer", "POST", "/api/receipts", receipt("WD-1", "100.00"), 403},
		{"nogrants", "POST", "/api/receipts", receipt("HC-1", "100.00"), 403},
		{"audit", "POST", "/api/receipts", receipt("HC-1", "100.00"), 403},
		{"bureau", "POST", "/api/receipts", receipt("NOPE", "100.00"), 404},
		{"officer", "POST", "/api/receipts", receipt("NOPE", "100.00"), 404},
		// disbursements
		{"bureau", "POST", "/api/disbursements", payment("WD-1", "40.00"), 201},
		{"officer", "POST", "/api/disbursements", payment("HC-1", "40.00"), 201},
		{"officer", "POST", "/api/disbursements", payment("WD-1", "10.00"), 403},
		{"audit", "POST", "/api/disbursements", payment("WD-1", "10.00"), 403},
		{"bureau", "POST", "/api/disbursements", payment("NOPE", "10.00"), 404},
		{"officer", "POST", "/api/disbursements", payment("NOPE", "10.00"), 404},
		// no such endpoint
		{"bureau", "GET", "/api/nothing", "", 404},
	}
	for _, x := range cases {
		k := ""
		if x.method == "POST" {
			k = key()
		}
		before := f.entries()
		r := f.do(x.user, x.method, x.path, k, x.body)
		if r.status != x.want {
			t.Errorf("%s %s %s: %d, want %d: %s", x.user, x.method, x.path, r.status, x.want, r.body)
			continue
		}
		after := f.entries()
		if x.want == 201 && after != before+2 {
			t.Errorf("%s %s %s: %d entries posted, want 2", x.user, x.method, x.path, after-before)
		}
		if x.want >= 400 {
			if after != before {
				t.Errorf("%s %s %s: refused but %d entries posted", x.user, x.method, x.path, after-before)
			}
			code, _ := r.errCode(t)
			want := map[int]string{403: "forbidden", 404: "not_found"}[x.want]
			if code != want {
				t.Errorf("%s %s %s: code %q, want %q", x.user, x.method, x.path, code, want)
			}
		}
		if x.want == 403 && !strings.Contains(f.log.String(), `"path":"`+strings.SplitN(x.path, "?", 2)[0]+`"`) {
			t.Errorf("%s %s %s: denial not logged", x.user, x.method, x.path)
		}
	}
	// Every write records the acting user.
	var actors []string
	if err := f.db.Select(&actors, `SELECT DISTINCT actor FROM entries WHERE idempotency_key LIKE 'api/%' ORDER BY actor`); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(actors, []string{"bureau", "officer"}) {
		t.Errorf("actors of API writes: %v", actors)
	}
	// A denial log line is structured and names user, role and reason.
	var denial map[string]any
	for line := range strings.SplitSeq(f.log.String(), "\n") {
		if strings.Contains(line, "request denied") && strings.Contains(line, `"user":"audit"`) {
			if err := json.Unmarshal([]byte(line), &denial); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if denial["role"] != "auditor" || denial["status"] != float64(403) || !strings.Contains(denial["reason"].(string), "may not write") {
		t.Errorf("denial log: %v", denial)
	}
}

func TestListingsAreFilteredAndPaged(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	codes := func(r resp) ([]string, string) {
		t.Helper()
		var p struct {
			Items []struct {
				Code string `json:"code"`
			} `json:"items"`
			Next string `json:"next"`
		}
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range p.Items {
			out = append(out, x.Code)
		}
		return out, p.Next
	}
	if got, next := codes(f.do("bureau", "GET", "/api/projects", "", "")); !slices.Equal(got, []string{"HC-1", "HC-2", "HC-3", "WD-1"}) || next != "" {
		t.Errorf("bureau: %v %q", got, next)
	}
	if got, _ := codes(f.do("officer", "GET", "/api/projects", "", "")); !slices.Equal(got, []string{"HC-1", "HC-2", "HC-3"}) {
		t.Errorf("officer sees %v", got)
	}
	if got, _ := codes(f.do("nogrants", "GET", "/api/projects", "", "")); len(got) != 0 {
		t.Errorf("officer without grants sees %v", got)
	}
	got, next := codes(f.do("audit", "GET", "/api/projects?limit=2", "", ""))
	if !slices.Equal(got, []string{"HC-1", "HC-2"}) || next != "HC-2" {
		t.Errorf("page 1: %v %q", got, next)
	}
	got, next = codes(f.do("audit", "GET", "/api/projects?limit=2&after="+next, "", ""))
	if !slices.Equal(got, []string{"HC-3", "WD-1"}) || next != "" {
		t.Errorf("page 2: %v %q", got, next)
	}
	for _, q := range []string{"limit=0", "limit=501", "limit=x", "year=x"} {
		r := f.do("bureau", "GET", "/api/projects?"+q, "", "")
		if code, field := r.errCode(t); r.status != 400 || code != "bad_parameter" || field != strings.SplitN(q, "=", 2)[0] {
			t.Errorf("%s: %d %s %s", q, r.status, code, field)
		}
	}
	var ds struct {
		Items []funding.District `json:"items"`
	}
	_ = json.Unmarshal(f.do("officer", "GET", "/api/districts", "", "").body, &ds)
	if len(ds.Items) != 1 || ds.Items[0].Code != "huancui" {
		t.Errorf("officer's districts: %+v", ds.Items)
	}
	_ = json.Unmarshal(f.do("audit", "GET", "/api/districts", "", "").body, &ds)
	if len(ds.Items) != 6 {
		t.Errorf("auditor's districts: %d", len(ds.Items))
	}

	// The district report shows officers only their districts; amounts are strings.
	f.do("bureau", "POST", "/api/receipts", "wd", receipt("WD-1", "300000.00"))
	f.do("bureau", "POST", "/api/receipts", "hc", receipt("HC-1", "1234.50"))
	var rep struct {
		Sources []map[string]any `json:"sources"`
	}
	_ = json.Unmarshal(f.do("officer", "GET", "/api/reports/district", "", "").body, &rep)
	if len(rep.Sources) == 0 {
		t.Fatal("officer's district report is empty")
	}
	for _, s := range rep.Sources {
		if s["district"] != "huancui" {
			t.Errorf("officer sees %v", s)
		}
		if s["source"] == "central" && s["received"] != "1234.50" {
			t.Errorf("huancui central received %v", s["received"])
		}
	}
	_ = json.Unmarshal(f.do("audit", "GET", "/api/reports/district", "", "").body, &rep)
	seen := map[any]bool{}
	for _, s := range rep.Sources {
		seen[s["district"]] = true
	}
	if !seen["huancui"] || !seen["wendeng"] {
		t.Errorf("auditor's district report: %v", seen)
	}
	pr := f.do("officer", "GET", "/api/projects/HC-1/report", "", "").json(t)
	total := pr["total"].(map[string]any)
	if total["received"] != "1234.50" || total["committed"] != "1000000.00" || pr["project"].(map[string]any)["completed_on"] != "1998-05-01" {
		t.Errorf("project report: %v", pr)
	}
}

func TestWritesNeedKeysAndReplay(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	before := f.entries()
	r := f.do("officer", "POST", "/api/receipts", "", receipt("HC-1", "500.00"))
	if code, field := r.errCode(t); r.status != 400 || code != "idempotency_key_required" || field != "Idempotency-Key" {
		t.Errorf("write without key: %d %s", r.status, r.body)
	}
	r = f.do("officer", "POST", "/api/receipts", "has space", receipt("HC-1", "500.00"))
	if r.status != 400 {
		t.Errorf("bad key: %d %s", r.status, r.body)
	}
	if f.entries() != before {
		t.Fatal("a refused write posted")
	}

	first := f.do("officer", "POST", "/api/receipts", "rc-1", receipt("HC-1", "500.00"))
	second := f.do("officer", "POST", "/api/receipts", "rc-1", receipt("HC-1", "500.00"))
	if first.status != 201 || second.status != 201 || !bytes.Equal(first.body, second.body) {
		t.Errorf("replay: %d %s / %d %s", first.status, first.body, second.status, second.body)
	}
	if first.header.Get("Idempotent-Replayed") != "" || second.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay header: %q %q", first.header.Get("Idempotent-Replayed"), second.header.Get("Idempotent-Replayed"))
	}
	if n := f.entries() - before; n != 2 {
		t.Errorf("posted %d entries for one receipt sent twice", n)
	}
	m := first.json(t)
	if m["actor"] != "officer" || m["idempotency_key"] != "rc-1" || m["financial_entry"].(float64) == 0 {
		t.Errorf("movement: %v", m)
	}
	// The same key with another body is a conflict.
	r = f.do("officer", "POST", "/api/receipts", "rc-1", receipt("HC-1", "501.00"))
	if code, _ := r.errCode(t); r.status != 409 || code != "idempotency_conflict" {
		t.Errorf("same key, other body: %d %s", r.status, r.body)
	}
	// Keys are per user: the bureau's rc-1 is its own receipt.
	if r := f.do("bureau", "POST", "/api/receipts", "rc-1", receipt("HC-1", "500.00")); r.status != 201 || r.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("other user's key: %d %s", r.status, r.body)
	}
	if n := f.entries() - before; n != 4 {
		t.Errorf("entries: %d", n)
	}
	// Disbursement replay too.
	p1 := f.do("officer", "POST", "/api/disbursements", "pay-1", payment("HC-1", "100.00"))
	p2 := f.do("officer", "POST", "/api/disbursements", "pay-1", payment("HC-1", "100.00"))
	if p1.status != 201 || !bytes.Equal(p1.body, p2.body) || f.entries()-before != 6 {
		t.Errorf("payment replay: %s / %s", p1.body, p2.body)
	}
	var actor string
	if err := f.db.Get(&actor, `SELECT actor FROM entries WHERE idempotency_key = 'api/officer/pay-1/financial'`); err != nil || actor != "officer" {
		t.Errorf("actor %q %v", actor, err)
	}
}

func TestErrorsAreMapped(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if r := f.do("officer", "POST", "/api/receipts", "r1", receipt("HC-1", "1000.00")); r.status != 201 {
		t.Fatalf("receipt: %s", r.body)
	}
	before := f.entries()
	cases := []struct {
		name, path, body string
		status           int
		code, field      string
	}{
		{"overdraft", "/api/disbursements", payment("HC-1", "1000.01"), 422, "overdraft", ""},
		{"not earmarked", "/api/receipts", strings.Replace(receipt("HC-1", "1.00"), "central", "employer", 1), 422, "not_earmarked", ""},
		{"exceeds commitment", "/api/receipts", receipt("HC-1", "499000.01"), 422, "exceeds_commitment", ""},
		{"three decimals", "/api/receipts", receipt("HC-1", "1.005"), 422, "invalid", "amount"},
		{"negative", "/api/receipts", receipt("HC-1", "-1.00"), 422, "invalid", "amount"},
		{"exponent", "/api/receipts", receipt("HC-1", "1e3"), 422, "invalid", "amount"},
		{"bad date", "/api/receipts", strings.Replace(receipt("HC-1", "1.00"), "2020-07-01", "2020-13-01", 1), 422, "invalid", "received_on"},
		{"missing", "/api/receipts", strings.Replace(receipt("HC-1", "1.00"), `"source": "central",`, "", 1), 422, "invalid", "source"},
		{"blank", "/api/receipts", strings.Replace(receipt("HC-1", "1.00"), `"source": "central"`, `"source": ""`, 1), 422, "invalid", "source"},
		{"bad category", "/api/disbursements", strings.Replace(payment("HC-1", "1.00"), "basic", "luxury", 1), 422, "invalid", "category"},
		{"amount as number", "/api/receipts", strings.Replace(receipt("HC-1", "1.00"), `"1.00"`, "1.5", 1), 400, "bad_json", "amount"},
		{"unknown field (actor is not the caller's to set)", "/api/receipts", strings.Replace(receipt("HC-1", "1.00"), `"project"`, `"actor": "someone", "project"`, 1), 400, "bad_json", "actor"},
		{"not JSON", "/api/receipts", `project=HC-1`, 400, "bad_json", ""},
		{"unknown bank", "/api/receipts", strings.Replace(receipt("HC-1", "1.00"), "BOC-HC", "NOPE", 1), 404, "not_found", ""},
		{"too large", "/api/receipts", `{"memo": "` + strings.Repeat("x", web.MaxBodyBytes) + `"}`, 413, "too_large", ""},
	}
	for i, c := range cases {
		r := f.do("officer", "POST", c.path, "e"+string(rune('a'+i)), c.body)
		code, field := r.errCode(t)
		if r.status != c.status || code != c.code || field != c.field {
			t.Errorf("%s: %d %s %q, want %d %s %q: %s", c.name, r.status, code, field, c.status, c.code, c.field, r.body)
		}
	}
	if f.entries() != before {
		t.Errorf("failed writes posted %d entries", f.entries()-before)
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if r := f.do("", "GET", "/api/projects", "", ""); r.status != 401 || r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d", r.status)
	}
	f.tokens["forger"] = access.TokenPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	if r := f.do("forger", "GET", "/api/projects", "", ""); r.status != 401 {
		t.Errorf("unknown token: %d", r.status)
	}
	f.tokens["garbage"] = "garbage"
	if r := f.do("garbage", "GET", "/api/projects", "", ""); r.status != 401 {
		t.Errorf("garbage token: %d", r.status)
	}
	// A revoked token is 401 and its writes change nothing.
	if r := f.do("officer", "GET", "/api/projects/HC-1", "", ""); r.status != 200 {
		t.Fatalf("before revocation: %d", r.status)
	}
	toks, err := f.store.Tokens(context.Background(), "officer")
	if err != nil || len(toks) != 1 {
		t.Fatal(toks, err)
	}
	if err := f.store.Revoke(context.Background(), toks[0].ID, "lost laptop", "bureau"); err != nil {
		t.Fatal(err)
	}
	before := f.entries()
	if r := f.do("officer", "GET", "/api/projects/HC-1", "", ""); r.status != 401 {
		t.Errorf("revoked token read: %d", r.status)
	}
	r := f.do("officer", "POST", "/api/receipts", "rv", receipt("HC-1", "1.00"))
	if code, _ := r.errCode(t); r.status != 401 || code != "unauthenticated" || f.entries() != before {
		t.Errorf("revoked token write: %d %s", r.status, r.body)
	}
	if !strings.Contains(f.log.String(), "is revoked") {
		t.Error("revoked token not logged")
	}
	// The OpenAPI document is public and lists exactly the served endpoints.
	r = f.do("", "GET", "/api/openapi.json", "", "")
	if r.status != 200 {
		t.Fatalf("openapi: %d", r.status)
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi: %v %q", err, doc.OpenAPI)
	}
	var got []string
	for p, ops := range doc.Paths {
		for m := range ops {
			got = append(got, strings.ToUpper(m)+" "+p)
		}
	}
	slices.Sort(got)
	want := []string{"GET /api/districts", "GET /api/openapi.json", "GET /api/projects", "GET /api/projects/{code}",
		"GET /api/projects/{code}/report", "GET /api/reports/district", "POST /api/disbursements", "POST /api/receipts"}
	want = append(want, moreOperations...)   // periods_recon_test.go
	want = append(want, writeOperations...)  // projects_bonds_test.go
	want = append(want, write2Operations...) // grants_test.go
	want = append(want, ledgerOperations...) // entries_test.go
	want = append(want, loanOperations...)   // loans_test.go
	want = append(want, budgetOperations...) // budgets_test.go
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("openapi operations %v, want %v", got, want)
	}
	for _, op := range want {
		m, p, _ := strings.Cut(op, " ")
		path := strings.ReplaceAll(p, "{code}", "HC-1")
		if r := f.do("", m, path, "", ""); r.status == 404 {
			t.Errorf("%s is in the document but not served", op)
		}
	}
}

func TestServerTimeouts(t *testing.T) {
	s := web.New(nil, nil).HTTPServer("127.0.0.1:0")
	if s.ReadHeaderTimeout == 0 || s.ReadTimeout == 0 || s.WriteTimeout == 0 || s.IdleTimeout == 0 || s.MaxHeaderBytes == 0 {
		t.Errorf("server without limits: %+v", s)
	}
}

// TestWritesNeedJSON: an API write's body must be sent as
// application/json: without a Content-Type, or with another, it is 415 and
// changes nothing.
func TestWritesNeedJSON(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	before := f.entries()
	for i, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "text/csv"} {
		r := f.raw("officer", "POST", "/api/receipts", "ct-"+string(rune('a'+i)), ct, receipt("HC-1", "1.00"))
		if r.status != http.StatusUnsupportedMediaType {
			t.Errorf("Content-Type %q: %d %s", ct, r.status, r.body)
			continue
		}
		if code, _ := r.errCode(t); code != "unsupported_media_type" {
			t.Errorf("Content-Type %q: code %s", ct, code)
		}
	}
	// A required body that is missing is refused the same way.
	if r := f.raw("officer", "POST", "/api/receipts", "ct-empty", "", ""); r.status != http.StatusUnsupportedMediaType {
		t.Errorf("no body, no Content-Type: %d %s", r.status, r.body)
	}
	if f.entries() != before {
		t.Fatal("a refused write posted")
	}
	if r := f.raw("officer", "POST", "/api/receipts", "ct-ok", "application/json; charset=utf-8", receipt("HC-1", "1.00")); r.status != 201 {
		t.Errorf("application/json; charset=utf-8: %d %s", r.status, r.body)
	}
	// A close with no body at all needs none.
	if r := f.raw("bureau", "POST", "/api/periods/2020-01/close", "close", "", ""); r.status != 200 {
		t.Errorf("close without a body: %d %s", r.status, r.body)
	}
}
