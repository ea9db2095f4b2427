package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// step posts an officer step's form: action "preview" or "post".
func (b *browserUser) step(path, key, action string, fields map[string]string) resp {
	b.t.Helper()
	form := url.Values{"csrf": {b.csrf}, "key": {key}, "action": {action}}
	for k, v := range fields {
		form.Set(k, v)
	}
	return b.post(path, form)
}

// previewAndPost opens a step page, previews the fields and posts them,
// wanting 200 both times; it returns the posted page.
func (b *browserUser) previewAndPost(path string, fields map[string]string) resp {
	b.t.Helper()
	key := b.stepKey(path)
	r := b.step(path, key, "preview", fields)
	wantStatus(b.t, path+" preview", r, http.StatusOK)
	r = b.step(path, key, "post", fields)
	wantStatus(b.t, path+" post", r, http.StatusOK)
	return r
}

// stepKey opens a step page and returns its form key.
func (b *browserUser) stepKey(path string) string {
	b.t.Helper()
	r := b.get(path)
	wantStatus(b.t, path, r, http.StatusOK)
	m := keyRE.FindSubmatch(r.body)
	if m == nil {
		b.t.Fatalf("%s: no form key", path)
	}
	return string(m[1])
}

// TestOfficerStepPreviewStoresNothing: a preview shows the entries and
// stores none; the confirm posts them once, with the same key; a second
// confirm posts nothing more.
func TestOfficerStepPreviewStoresNothing(t *testing.T) {
	t.Parallel()
	f := withPasswords(newFixture(t))
	b := f.loggedIn("officer")
	key := b.stepKey("/projects/HC-1/receive")
	before := f.entries()
	fields := map[string]string{"source": "central", "amount": "300000.00", "date": "2020-07-01", "bank_account": "BOC-HC"}
	r := b.step("/projects/HC-1/receive", key, "preview", fields)
	wantStatus(t, "preview", r, http.StatusOK)
	// The receipt: Dr the project's central cash, Cr its revenue; and the budget entry.
	wantBody(t, "preview", r, "将要过账的分录", "财务账 · ", "cash:huancui:HC-1:central", "300,000.00", `id="step-post"`)
	if n := f.entries(); n != before {
		t.Fatalf("a preview stored %d entries", n-before)
	}
	r = b.step("/projects/HC-1/receive", key, "post", fields)
	wantStatus(t, "post", r, http.StatusOK)
	wantBody(t, "post", r, `id="step-done"`, "已过账")
	if n := f.entries(); n != before+2 {
		t.Fatalf("posted %d entries, want 2", n-before)
	}
	r = b.step("/projects/HC-1/receive", key, "post", fields)
	wantBody(t, "again", r, "未重复过账")
	if n := f.entries(); n != before+2 {
		t.Fatalf("a second confirm posted %d entries more", n-before-2)
	}
	// No bank account chosen: refused at the field, nothing preselected.
	key = b.stepKey("/projects/HC-1/receive")
	delete(fields, "bank_account")
	r = b.step("/projects/HC-1/receive", key, "preview", fields)
	wantStatus(t, "no bank", r, http.StatusUnprocessableEntity)
	wantBody(t, "no bank", r, `id="f-bank_account" required aria-invalid="true"`, `id="err-bank_account"`, "请填写“收款账户”")
	// Another district's project: 403.
	r = b.get("/projects/WD-1/pay")
	wantStatus(t, "other district", r, http.StatusForbidden)
}

// TestOfficerStepRefusals: over the budget line and against 专款专用, read
// in Chinese next to the amount and the source, with the line's figures.
// HC-2 approved here: basic 1,000.00 and improvement 1,000.00 under
// test-citywide (basic: central 50%, provincial 20%, district 30%;
// improvement: district 50%, residents 50% capped at 100 × 200 households):
// central commits 500.00, district 300.00 + 500.00 = 800.00.
func TestOfficerStepRefusals(t *testing.T) {
	t.Parallel()
	f := withPasswords(newFixture(t))
	b := f.loggedIn("officer")
	post := b.previewAndPost
	r := post("/projects/HC-2/approve", map[string]string{"approved_on": "2020-06-15", "basic": "1000.00", "improvement": "1000.00"})
	wantBody(t, "approval", r, "已批复预算", "2,000.00")
	r = b.get("/projects/HC-2/approve")
	wantBody(t, "explanation", r, `id="check-explain"`, "test-citywide")
	post("/projects/HC-2/receive", map[string]string{"source": "central", "amount": "500.00", "date": "2020-07-01", "bank_account": "BOC-HC"})
	post("/projects/HC-2/receive", map[string]string{"source": "district", "amount": "800.00", "date": "2020-07-01", "bank_account": "BOC-HC"})
	r = post("/projects/HC-2/pay", map[string]string{"source": "central", "category": "basic", "amount": "500.00", "date": "2020-08-01",
		"payee": "威海某建设公司", "bank_account": "BOC-HC"})
	// Basic line: 1,000.00 − 500.00 = 500.00 remaining.
	wantBody(t, "after paying", r, `<td id="line-basic">500.00</td>`, `<td id="cash-central">0.00</td>`)

	before := f.entries()
	key := b.stepKey("/projects/HC-2/pay")
	// District pays 600.00 of basic: within its cash of 800.00, over the line by 100.00.
	r = b.step("/projects/HC-2/pay", key, "preview", map[string]string{"source": "district", "category": "basic", "amount": "600.00",
		"date": "2020-08-02", "payee": "威海某建设公司", "bank_account": "BOC-HC"})
	wantStatus(t, "over the line", r, http.StatusUnprocessableEntity)
	wantBody(t, "over the line", r, `id="err-amount"`, "无预算不支出", "1,000.00", "500.00", "600.00", "100.00")
	// Central may not pay improvement works (专款专用).
	r = b.step("/projects/HC-2/pay", key, "preview", map[string]string{"source": "central", "category": "improvement", "amount": "10.00",
		"date": "2020-08-02", "payee": "威海某建设公司", "bank_account": "BOC-HC"})
	wantStatus(t, "not earmarked", r, http.StatusUnprocessableEntity)
	wantBody(t, "not earmarked", r, `id="err-source"`, "专款专用")
	if n := f.entries(); n != before {
		t.Fatalf("refusals stored %d entries", n-before)
	}
}

// TestProjectRegistrationFile: a CSV upload is all or nothing, every
// refused row listed; a good file registers every row.
func TestProjectRegistrationFile(t *testing.T) {
	t.Parallel()
	f := withPasswords(newFixture(t))
	b := f.loggedIn("officer")
	upload := func(key, action, csv string) resp {
		t.Helper()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range map[string]string{"csrf": b.csrf, "key": key, "action": action} {
			_ = mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("file", "projects.csv")
		_, _ = fw.Write([]byte(csv))
		_ = mw.Close()
		req, _ := http.NewRequest("POST", f.srv.URL+"/districts/huancui/register", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return b.send(req)
	}
	var n0 int
	if err := f.db.Get(&n0, `SELECT count(*) FROM projects`); err != nil {
		t.Fatal(err)
	}
	const head = "code,name,address,completed_on,state_owned_land,households,floor_area_m2,buildings,plan_year\n"
	bad := head + "HC-10,甲小区,一路1号,1995-01-01,true,120,8000,4,2021\nHC-11,乙小区,二路2号,1996-01-01,true,0,9000,5,2021\nHC-12,丙小区,三路3号,2099-01-01,true,10,900,1,2021\n"
	key := b.stepKey("/districts/huancui/register")
	r := upload(key, "preview", bad)
	wantStatus(t, "bad file", r, http.StatusUnprocessableEntity)
	wantBody(t, "bad file", r, `id="step-refused"`, "HC-11")
	var n int
	if err := f.db.Get(&n, `SELECT count(*) FROM projects`); err != nil || n != n0 {
		t.Fatalf("projects %d, want %d (%v)", n, n0, err)
	}
	good := head + "HC-10,甲小区,一路1号,1995-01-01,true,120,8000,4,2021\nHC-11,乙小区,二路2号,1996-01-01,true,80,9000,5,2021\n"
	r = upload(key, "preview", good)
	wantStatus(t, "good preview", r, http.StatusOK)
	if err := f.db.Get(&n, `SELECT count(*) FROM projects`); err != nil || n != n0 {
		t.Fatalf("a preview registered: projects %d, want %d (%v)", n, n0, err)
	}
	r = upload(key, "post", good)
	wantStatus(t, "good post", r, http.StatusOK)
	wantBody(t, "good post", r, "已登记 2 个项目", "HC-10、HC-11")
	if err := f.db.Get(&n, `SELECT count(*) FROM projects`); err != nil || n != n0+2 {
		t.Fatalf("projects %d, want %d (%v)", n, n0+2, err)
	}
}

// TestOfficerLists: the entries and projects lists are scoped to the
// officer's districts, searched and paged.
func TestOfficerLists(t *testing.T) {
	t.Parallel()
	f := withPasswords(newFixture(t))
	for i, body := range []string{receipt("HC-1", "1000.00"), receipt("WD-1", "2000.00"), payment("HC-1", "300.00"), payment("WD-1", "400.00")} {
		path := "/api/receipts"
		if i >= 2 {
			path = "/api/disbursements"
		}
		wantStatus(t, path, f.do("bureau", "POST", path, "k"+string(rune('a'+i)), body), http.StatusCreated)
	}
	b := f.loggedIn("officer")
	r := b.page(t, "entries", "/entries")
	// Newest first: the HC-1 payment (cash out, −300.00), then the receipt (+1,000.00); no WD-1 row.
	wantBody(t, "entries", r, "-300.00", "+1,000.00", "某建设公司", "付", "收")
	if bytes.Contains(r.body, []byte("WD-1")) || bytes.Contains(r.body, []byte("2,000.00")) {
		t.Errorf("an officer sees another district's entries")
	}
	if i, j := bytes.Index(r.body, []byte("-300.00")), bytes.Index(r.body, []byte("+1,000.00")); i > j {
		t.Errorf("not newest first")
	}
	// Asking for the other district by name is refused.
	wantStatus(t, "other district", b.get("/entries?district=wendeng"), http.StatusForbidden)
	// Paging: one row a page, the next page holds the other.
	r = b.get("/entries?size=1")
	wantBody(t, "page 1", r, "-300.00", `id="entries-next"`)
	next := regexp.MustCompile(`href="/entries\?([^"]+)" id="entries-next"`).FindSubmatch(r.body)
	if next == nil {
		t.Fatal("no next link")
	}
	r = b.get("/entries?" + strings.ReplaceAll(string(next[1]), "&amp;", "&"))
	wantBody(t, "page 2", r, "+1,000.00")
	if bytes.Contains(r.body, []byte("-300.00")) {
		t.Errorf("page 2 repeats page 1")
	}
	// Search and filter.
	r = b.get("/entries?q=" + url.QueryEscape("建设公司"))
	wantBody(t, "search", r, "-300.00")
	if bytes.Contains(r.body, []byte("+1,000.00")) {
		t.Errorf("search matched the receipt")
	}
	r = b.get("/entries?category=basic&source=central&from=2020-08-01&to=2020-08-31")
	wantBody(t, "filter", r, "-300.00")
	// Projects: HC-1..3 only, searchable, paged.
	r = b.get("/projects")
	wantBody(t, "projects", r, `id="project-HC-1"`, `id="project-HC-3"`)
	if bytes.Contains(r.body, []byte(`id="project-WD-1"`)) {
		t.Errorf("an officer sees another district's projects")
	}
	r = b.get("/projects?size=2")
	wantBody(t, "projects page", r, `id="project-HC-2"`, `id="projects-next"`)
	if bytes.Contains(r.body, []byte(`id="project-HC-3"`)) {
		t.Errorf("size=2 shows a third project")
	}
	r = b.get("/projects?status=approved")
	wantBody(t, "approved", r, `id="project-HC-1"`)
	if bytes.Contains(r.body, []byte(`id="project-HC-2"`)) {
		t.Errorf("status filter lets a planned project through")
	}
}

// TestOfficerFacilitySteps: a utility facility registered and committed
// through the browser forms, each previewed first. Under grantRules a
// 500,000.00 power facility not owned by the utility earns 30% =
// 150,000.00 from the district (as TestUtilityFacilityWritesAPI).
func TestOfficerFacilitySteps(t *testing.T) {
	t.Parallel()
	f := withPasswords(newFixture(t))
	f.mustLoadRules("hc-grants.yaml", grantRules(t))
	wantStatus(t, "WD facility", f.do("bureau", "POST", "/api/utility-facilities", "wd", newFacility("WD-1-POWER", "WD-1")), http.StatusCreated)
	b := f.loggedIn("officer")
	reg := map[string]string{"code": "HC-3-POWER", "kind": "power", "description": "配电线路", "cost": "500000.00",
		"utility": "国网威海供电公司", "owner": "原产权单位", "date": "2020-06-20"}
	key := b.stepKey("/projects/HC-3/facility-register")
	wantStatus(t, "register preview", b.step("/projects/HC-3/facility-register", key, "preview", reg), http.StatusOK)
	var n int
	if err := f.db.Get(&n, `SELECT count(*) FROM utility_facilities WHERE code = 'HC-3-POWER'`); err != nil || n != 0 {
		t.Fatalf("a preview registered the facility: %d %v", n, err)
	}
	r := b.step("/projects/HC-3/facility-register", key, "post", reg)
	wantBody(t, "register", r, `id="step-done"`, "已保存")

	before := f.entries()
	key = b.stepKey("/projects/HC-3/facility-commit")
	commit := map[string]string{"facility": "HC-3-POWER", "date": "2020-07-01"}
	r = b.step("/projects/HC-3/facility-commit", key, "preview", commit)
	wantStatus(t, "commit preview", r, http.StatusOK)
	wantBody(t, "commit preview", r, "将要过账的分录", "150,000.00", "500,000.00")
	if f.entries() != before {
		t.Fatalf("a preview posted")
	}
	r = b.step("/projects/HC-3/facility-commit", key, "post", commit)
	wantBody(t, "commit", r, `id="step-done"`)
	if f.entries() == before {
		t.Fatalf("the commitment posted nothing")
	}
	// Another district's facility, named on this project's page: refused at the field.
	r = b.step("/projects/HC-3/facility-commit", b.stepKey("/projects/HC-3/facility-commit"), "preview", map[string]string{"facility": "WD-1-POWER", "date": "2020-07-01"})
	wantStatus(t, "other facility", r, http.StatusUnprocessableEntity)
	wantBody(t, "other facility", r, `id="err-facility"`)
}

// TestOfficerApprovalLines: an approval of work-item lines and a source
// line, previewed (nothing stored) and posted. Under test-citywide (basic:
// central 50%, provincial 20%, district 30%; improvement: district 50%,
// residents 50%): 道路 600.00 and 管网 400.00 of basic split central
// 300.00 + 200.00 = 500.00, provincial 120.00 + 80.00 = 200.00, district
// 180.00 + 120.00 = 300.00; 照明 1,000.00 of improvement splits district
// 500.00, residents 500.00. Commitments: central 500.00, provincial 200.00,
// district 800.00, residents 500.00; the source line lets the district pay
// at most 250.00 of basic.
func TestOfficerApprovalLines(t *testing.T) {
	t.Parallel()
	f := withPasswords(newFixture(t))
	b := f.loggedIn("officer")
	path := "/projects/HC-2/approve"
	r := b.get(path)
	wantBody(t, "form", r, `id="f-lines.1.work_item"`, `id="f-source_lines.1.source"`, "工程子项预算 第 1 行 · 工程子项")
	fields := map[string]string{"approved_on": "2020-06-15",
		"lines.1.category": "basic", "lines.1.work_item": "道路", "lines.1.amount": "600.00",
		"lines.2.category": "basic", "lines.2.work_item": "管网", "lines.2.amount": "400.00",
		"lines.3.category": "improvement", "lines.3.work_item": "照明", "lines.3.description": "楼道照明", "lines.3.amount": "1000.00",
		"source_lines.1.category": "basic", "source_lines.1.source": "district", "source_lines.1.amount": "250.00"}
	before := f.entries()
	var approvals0 int
	if err := f.db.Get(&approvals0, `SELECT count(*) FROM budget_approvals`); err != nil {
		t.Fatal(err)
	}
	key := b.stepKey(path)
	r = b.step(path, key, "preview", fields)
	wantStatus(t, "preview", r, http.StatusOK)
	// The commitments by source and the lines, as the split gives them.
	wantBody(t, "preview", r, "将要过账的分录", "800.00", "500.00", "200.00", "1,000.00", "250.00", `id="step-post"`)
	var approvals int
	if err := f.db.Get(&approvals, `SELECT count(*) FROM budget_approvals`); err != nil || approvals != approvals0 || f.entries() != before {
		t.Fatalf("a preview stored: approvals %d→%d, entries %d→%d (%v)", approvals0, approvals, before, f.entries(), err)
	}
	r = b.step(path, key, "post", fields)
	wantBody(t, "post", r, `id="step-done"`, "已批复预算", "2,000.00")
	// The commitments by source, and the lines, as stored.
	var shares []struct {
		Source string
		Amount decimal.Decimal
	}
	if err := f.db.Select(&shares, `SELECT s.source, sum(s.amount) AS amount FROM budget_shares s JOIN budget_approvals a ON a.id = s.approval_id
		WHERE a.project = 'HC-2' GROUP BY s.source ORDER BY s.source`); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range shares {
		got = append(got, s.Source+" "+s.Amount.StringFixed(2))
	}
	if strings.Join(got, ", ") != "central 500.00, district 800.00, provincial 200.00, resident:direct 500.00" {
		t.Errorf("commitments by source: %v", got)
	}
	var items []string
	if err := f.db.Select(&items, `SELECT l.category || '/' || l.work_item || '/' || l.amount FROM budget_lines l JOIN budget_approvals a ON a.id = l.approval_id
		WHERE a.project = 'HC-2' ORDER BY l.line_no`); err != nil {
		t.Fatal(err)
	}
	if strings.Join(items, " ") != "basic/道路/600.00 basic/管网/400.00 improvement/照明/1000.00" {
		t.Errorf("lines %v", items)
	}
	// The district's basic line is limited to 250.00: paying 300.00 of basic from it is refused.
	r = b.get("/projects/HC-2/pay")
	wantBody(t, "source line", r, `id="line-basic-district">250.00<`)
	// A row begun but not finished is refused at its field, with its row.
	r = b.step(path, b.stepKey(path), "preview", map[string]string{"approved_on": "2020-06-16", "basic": "100.00", "lines.2.work_item": "绿化"})
	wantStatus(t, "half a row", r, http.StatusUnprocessableEntity)
	wantBody(t, "half a row", r, `id="err-lines.2.category"`, "第 2 行：请填写“类别”")
}
