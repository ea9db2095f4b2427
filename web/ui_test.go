package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fundledger/access"
	"fundledger/ledger"
	"fundledger/rules"
)

const testPassword = "correct horse battery"

// browserUser is an HTTP client with a cookie jar that does not follow
// redirects, as a browser session of one user.
type browserUser struct {
	t    *testing.T
	f    *fixture
	c    *http.Client
	csrf string // the last CSRF token seen in a page
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
var keyRE = regexp.MustCompile(`name="key" value="([^"]+)"`)

func (f *fixture) browser() *browserUser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return &browserUser{t: f.t, f: f, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// loggedIn is a browser session of the user, logged in.
func (f *fixture) loggedIn(user string) *browserUser {
	f.t.Helper()
	b := f.browser()
	b.mustLogin(user)
	return b
}

// withPasswords is the fixture with every user's password set (testPassword).
func withPasswords(f *fixture) *fixture {
	f.setPasswords()
	return f
}

func (f *fixture) setPasswords() {
	f.t.Helper()
	for _, u := range []string{"bureau", "officer", "audit"} {
		if err := f.store.SetPassword(context.Background(), u, testPassword); err != nil {
			f.t.Fatal(err)
		}
	}
}

func (b *browserUser) send(req *http.Request) resp {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp{res.StatusCode, res.Header, body}
}

// page gets a page that must be served (200), what naming it in the failure.
func (b *browserUser) page(t *testing.T, what, path string) resp {
	t.Helper()
	r := b.get(path)
	wantStatus(t, what, r, http.StatusOK)
	return r
}

func (b *browserUser) get(path string) resp {
	b.t.Helper()
	req, err := http.NewRequest("GET", b.f.srv.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.send(req)
}

func (b *browserUser) post(path string, form url.Values) resp {
	b.t.Helper()
	req, err := http.NewRequest("POST", b.f.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}

// login fetches the login form and posts it.
func (b *browserUser) login(user, password string) resp {
	b.t.Helper()
	if r := b.get("/login"); r.status != http.StatusOK {
		b.t.Fatalf("GET /login: %d", r.status)
	}
	return b.post("/login", url.Values{"csrf": {b.csrf}, "user": {user}, "password": {password}, "next": {"/"}})
}

func (b *browserUser) mustLogin(user string) {
	b.t.Helper()
	if r := b.login(user, testPassword); r.status != http.StatusSeeOther {
		b.t.Fatalf("login %s: %d %s", user, r.status, r.body)
	}
}

func wantStatus(t *testing.T, what string, r resp, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; body:\n%.600s", what, r.status, status, r.body)
	}
}

func wantBody(t *testing.T, what string, r resp, sub ...string) {
	t.Helper()
	for _, s := range sub {
		if !bytes.Contains(r.body, []byte(s)) {
			t.Errorf("%s: body lacks %q:\n%.800s", what, s, r.body)
		}
	}
}

func TestBrowserLoginSessionLogout(t *testing.T) {
	f := withPasswords(newFixture(t))
	b := f.browser()

	r := b.get("/districts/huancui")
	wantStatus(t, "no session", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/login?next=%2Fdistricts%2Fhuancui" {
		t.Errorf("redirect to %q", loc)
	}
	wantStatus(t, "wrong password", b.login("officer", "not the password"), http.StatusUnauthorized)

	r = b.login("officer", testPassword)
	wantStatus(t, "login", r, http.StatusSeeOther)
	var set string
	for _, c := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "fl_session=") {
			set = c
		}
	}
	for _, attr := range []string{"Path=/", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(set, attr) {
			t.Errorf("session cookie %q lacks %s", set, attr)
		}
	}
	if strings.Contains(set, "Secure") {
		t.Errorf("session cookie over plain HTTP without --secure-cookies: %q", set)
	}
	wantStatus(t, "home", b.get("/"), http.StatusSeeOther)
	r = b.page(t, "dashboard", "/districts/huancui")
	wantBody(t, "dashboard", r, "环翠区", "区市资金看板", `id="chart"`, "officer (区县经办人)")
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	var secret string
	u, _ := url.Parse(f.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "fl_session" {
			secret = c.Value
		}
	}

	// Logout needs the CSRF token; then the session is revoked.
	wantStatus(t, "logout without token", b.post("/logout", url.Values{}), http.StatusForbidden)
	r = b.post("/logout", url.Values{"csrf": {b.csrf}})
	wantStatus(t, "logout", r, http.StatusSeeOther)
	wantStatus(t, "after logout", b.get("/districts/huancui"), http.StatusSeeOther)
	if _, err := f.store.Authenticate(context.Background(), secret, access.KindSession); err == nil {
		t.Error("session still valid after logout")
	}
	// The session secret is not an API token.
	req, _ := http.NewRequest("GET", f.srv.URL+"/api/districts", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	wantStatus(t, "session as bearer", b.send(req), http.StatusUnauthorized)
}

func TestBrowserLanguageSwitch(t *testing.T) {
	f := withPasswords(newFixture(t))
	b := f.loggedIn("bureau")
	r := b.page(t, "english", "/districts/huancui?lang=en")
	wantBody(t, "english", r, "District dashboard", "Huancui District", `lang="en"`)
	r = b.get("/districts/wendeng") // remembered in the cookie
	wantBody(t, "english again", r, "District dashboard", "Wendeng District")
	r = b.get("/projects/HC-1?lang=zh")
	wantBody(t, "chinese", r, "登记资金到位", "中央")
	if bytes.Contains(r.body, []byte("Record a receipt")) {
		t.Error("English on the Chinese page")
	}
}

func TestBrowserCSRF(t *testing.T) {
	f := withPasswords(newFixture(t))

	// Login: the form's token must match the login cookie.
	b := f.browser()
	wantStatus(t, "login without token", b.post("/login", url.Values{"user": {"officer"}, "password": {testPassword}}), http.StatusForbidden)
	b.get("/login")
	wantStatus(t, "login with a wrong token", b.post("/login", url.Values{"csrf": {"forged"}, "user": {"officer"}, "password": {testPassword}}), http.StatusForbidden)

	b.mustLogin("officer")
	r := b.page(t, "project", "/projects/HC-1")
	key := string(keyRE.FindSubmatch(r.body)[1])
	before := f.entries()
	form := url.Values{"key": {key}, "source": {"central"}, "amount": {"100.00"}, "received_on": {"2020-07-01"}, "bank_account": {"BOC-HC"}}
	wantStatus(t, "receipt without token", b.post("/projects/HC-1/receipts", form), http.StatusForbidden)
	form.Set("csrf", forgedToken(b.csrf))
	r = b.post("/projects/HC-1/receipts", form)
	wantStatus(t, "receipt with a wrong token", r, http.StatusForbidden)
	wantBody(t, "csrf page", r, "表单已失效")
	if n := f.entries(); n != before {
		t.Errorf("refused forms posted %d entries", n-before)
	}
	if !strings.Contains(f.log.String(), "CSRF") {
		t.Error("CSRF refusal not logged")
	}
	// Another user's token does not fit this session.
	other := f.loggedIn("bureau")
	other.get("/projects/HC-1")
	form.Set("csrf", other.csrf)
	wantStatus(t, "another session's token", b.post("/projects/HC-1/receipts", form), http.StatusForbidden)
}

func TestBrowserLoginRateLimit(t *testing.T) {
	t.Run("per user", func(t *testing.T) {
		f := withPasswords(newFixture(t))
		b := f.browser()
		for i := range 5 {
			wantStatus(t, "failure "+string(rune('1'+i)), b.login("officer", "wrong password!"), http.StatusUnauthorized)
		}
		r := b.login("officer", testPassword)
		wantStatus(t, "right password after 5 failures", r, http.StatusTooManyRequests)
		wantBody(t, "429 page", r, "登录失败次数过多")
		if r.header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
	})
	t.Run("a locked user does not lock the office", func(t *testing.T) {
		f := withPasswords(newFixture(t))
		b := f.browser()
		for range 6 {
			b.login("officer", "wrong password!")
		}
		wantStatus(t, "officer locked", b.login("officer", testPassword), http.StatusTooManyRequests)
		if !strings.Contains(f.log.String(), "login rate-limited") {
			t.Error("not logged")
		}
		for _, u := range []string{"x1", "x2", "x3", "x4", "x5"} {
			wantStatus(t, "failure "+u, b.login(u, "wrong password!"), http.StatusUnauthorized)
		}
		// A colleague behind the same address signs in.
		wantStatus(t, "bureau from the same address", f.browser().login("bureau", testPassword), http.StatusSeeOther)
	})
}

func TestBrowserOfficerSeesOnlyHisDistricts(t *testing.T) {
	f := withPasswords(newFixture(t))
	b := f.loggedIn("officer")
	r := b.get("/")
	if loc := r.header.Get("Location"); loc != "/districts/huancui" {
		t.Errorf("home → %q", loc)
	}
	r = b.page(t, "own district", "/districts/huancui")
	if bytes.Contains(r.body, []byte("文登区")) {
		t.Error("the navigation shows a district not granted")
	}
	r = b.get("/districts/wendeng")
	wantStatus(t, "other district", r, http.StatusForbidden)
	wantBody(t, "403 page", r, "您无权访问")
	wantStatus(t, "other district by Chinese name", b.get("/districts/"+url.PathEscape("文登区")), http.StatusForbidden)
	wantStatus(t, "other district's project", b.get("/projects/WD-1"), http.StatusForbidden)
	wantStatus(t, "no such district", b.get("/districts/nowhere"), http.StatusNotFound)
	wantStatus(t, "no such project", b.get("/projects/NOPE"), http.StatusNotFound)
	wantStatus(t, "other district's report", b.get("/reports/district.csv?district=wendeng"), http.StatusForbidden)
	r = b.page(t, "own report", "/reports/district.csv")
	wantBody(t, "own report", r, "环翠区")
	if bytes.Contains(r.body, []byte("文登区")) {
		t.Error("the report shows a district not granted")
	}

	b.get("/projects/HC-1")
	before := f.entries()
	r = b.post("/projects/WD-1/receipts", url.Values{"csrf": {b.csrf}, "key": {"0123456789abcdefXYZ"}, "source": {"central"},
		"amount": {"100.00"}, "received_on": {"2020-07-01"}, "bank_account": {"BOC-WD"}})
	wantStatus(t, "receipt into another district", r, http.StatusForbidden)
	if f.entries() != before {
		t.Error("a denied receipt posted")
	}
	if !strings.Contains(f.log.String(), "may not change district wendeng") {
		t.Errorf("denial not logged:\n%s", f.log.String())
	}

	// The auditor reads everything and has no receipt form.
	a := f.loggedIn("audit")
	r = a.page(t, "auditor", "/projects/WD-1")
	if bytes.Contains(r.body, []byte("receipt-form")) {
		t.Error("auditor gets a receipt form")
	}
	a.get("/projects/WD-1")
	wantStatus(t, "auditor posts", a.post("/projects/WD-1/receipts", url.Values{"csrf": {a.csrf}, "key": {"0123456789abcdefXYZ"},
		"source": {"central"}, "amount": {"1.00"}, "received_on": {"2020-07-01"}, "bank_account": {"BOC-WD"}}), http.StatusForbidden)
}

func TestBrowserReceiptForm(t *testing.T) {
	f := withPasswords(newFixture(t))
	b := f.loggedIn("officer")
	r := b.page(t, "project", "/projects/HC-1")
	key := string(keyRE.FindSubmatch(r.body)[1])
	before := f.entries()
	form := url.Values{"csrf": {b.csrf}, "key": {key}, "source": {"central"}, "amount": {"12.345"}, "received_on": {"2020-07-01"},
		"bank_account": {"BOC-HC"}, "reference": {"国库-9"}}
	r = b.post("/projects/HC-1/receipts", form)
	wantStatus(t, "three decimals", r, http.StatusUnprocessableEntity)
	wantBody(t, "refused form", r, "最多两位小数", `id="rc-amount" aria-invalid="true"`, `value="12.345"`, `value="`+key+`"`)

	form.Set("amount", "2500.50")
	r = b.post("/projects/HC-1/receipts", form)
	wantStatus(t, "receipt", r, http.StatusSeeOther)
	if f.entries() != before+2 {
		t.Fatalf("posted %d entries, want 2", f.entries()-before)
	}
	loc := r.header.Get("Location")
	r = b.get(loc)
	wantBody(t, "after the receipt", r, `id="receipt-done"`, `<td id="received-central">2,500.50</td>`, "officer</td>")

	// A double submit (same form key) posts nothing more.
	r = b.post("/projects/HC-1/receipts", form)
	wantStatus(t, "double submit", r, http.StatusSeeOther)
	if !strings.Contains(r.header.Get("Location"), "replayed=1") {
		t.Errorf("double submit → %q", r.header.Get("Location"))
	}
	if f.entries() != before+2 {
		t.Errorf("double submit posted again")
	}
	var actor string
	if err := f.db.Get(&actor, `SELECT actor FROM entries ORDER BY id DESC LIMIT 1`); err != nil || actor != "officer" {
		t.Errorf("actor %q, %v", actor, err)
	}
	r = b.get("/districts/huancui")
	wantBody(t, "dashboard", r, `<td id="total-received">2,500.50</td>`)

	// The XLSX download.
	r = b.page(t, "xlsx", "/reports/district.xlsx?district=huancui")
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="district-report-huancui-`) || !strings.HasSuffix(cd, `.xlsx"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if got := xlsxReceived(t, r.body, "central"); got != "2500.5" && got != "2500.50" {
		t.Errorf("xlsx received %q", got)
	}
}

// xlsxReceived finds the district report row of a source in the first
// sheet and returns its received cell, raw.
func xlsxReceived(t *testing.T, body []byte, source string) string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	zh := source
	if s, ok := rules.LookupSource(source); ok {
		zh = s.NameZH
	}
	sheet := x.GetSheetList()[0]
	rows, err := x.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		// Both languages ("中央补助 central") or the sheet's language alone.
		if len(row) > 3 && row[0] == "环翠区" && (strings.HasSuffix(row[1], " "+source) || row[1] == zh) {
			return row[3]
		}
	}
	t.Fatalf("no row for %s in %v", source, rows)
	return ""
}

// TestPeriodClosedReadsInChinese: the example. A receipt into a
// closed month, in the Chinese UI, reads as the catalogue's Chinese message,
// without the ledger's English, the idempotency key or an entry id; the API
// says the same in the language asked for.
func TestPeriodClosedReadsInChinese(t *testing.T) {
	t.Parallel()
	f := withPasswords(newFixture(t))
	if err := ledger.New(f.db).ClosePeriod(context.Background(), date("2020-07-01"), "bureau", "月结"); err != nil {
		t.Fatal(err)
	}
	b := f.loggedIn("officer")
	r := b.get("/projects/HC-1")
	key := string(keyRE.FindSubmatch(r.body)[1])
	before := f.entries()
	r = b.post("/projects/HC-1/receipts", url.Values{"csrf": {b.csrf}, "key": {key}, "source": {"central"}, "amount": {"100.00"},
		"received_on": {"2020-07-15"}, "bank_account": {"BOC-HC"}})
	wantStatus(t, "closed month", r, http.StatusUnprocessableEntity)
	wantBody(t, "closed month", r, "该月份已结账，不能再记账")
	for _, leak := range []string{"period is closed", "web/officer/", "entry ", "post batch"} {
		if bytes.Contains(r.body, []byte(leak)) {
			t.Errorf("the page shows %q", leak)
		}
	}
	if f.entries() != before {
		t.Error("a refused receipt posted")
	}
	for lang, want := range map[string]string{"zh-CN,zh;q=0.9": "该月份已结账", "en-GB,en;q=0.8": "That month is closed"} {
		req, _ := http.NewRequest("POST", f.srv.URL+"/api/receipts", strings.NewReader(strings.Replace(receipt("HC-1", "1.00"), "2020-07-01", "2020-07-15", 1)))
		req.Header.Set("Authorization", "Bearer "+f.tokens["officer"])
		req.Header.Set("Idempotency-Key", "closed-"+lang[:2])
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", lang)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p struct{ Code, Detail string }
		_ = json.NewDecoder(res.Body).Decode(&p)
		res.Body.Close()
		if res.StatusCode != 422 || p.Code != "period_closed" || !strings.Contains(p.Detail, want) || strings.Contains(p.Detail, "closed-") {
			t.Errorf("%s: %d %+v", lang, res.StatusCode, p)
		}
	}
}

// TestCrossOriginFormsRefused: a form post with a valid session cookie and
// CSRF token is still refused when the browser says it came from another
// site (Origin, or Sec-Fetch-Site without Origin); from this site it passes.
func TestCrossOriginFormsRefused(t *testing.T) {
	t.Parallel()
	f := withPasswords(newFixture(t))
	b := f.loggedIn("officer")
	r := b.get("/projects/HC-1")
	key := string(keyRE.FindSubmatch(r.body)[1])
	form := url.Values{"csrf": {b.csrf}, "key": {key}, "source": {"central"}, "amount": {"10.00"}, "received_on": {"2020-07-01"},
		"bank_account": {"BOC-HC"}}
	before := f.entries()
	post := func(h map[string]string) resp {
		req, _ := http.NewRequest("POST", f.srv.URL+"/projects/HC-1/receipts", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		return b.send(req)
	}
	for name, h := range map[string]map[string]string{
		"another origin":               {"Origin": "http://evil.example"},
		"same host, other scheme":      {"Origin": strings.Replace(f.srv.URL, "http://", "https://", 1)},
		"cross-site without Origin":    {"Sec-Fetch-Site": "cross-site"},
		"same-site without Origin":     {"Sec-Fetch-Site": "same-site"},
		"origin null (sandboxed/file)": {"Origin": "null"},
	} {
		wantStatus(t, name, post(h), http.StatusForbidden)
	}
	if f.entries() != before {
		t.Fatal("a cross-origin form posted")
	}
	if !strings.Contains(f.log.String(), "Origin http://evil.example") {
		t.Error("cross-origin denial not logged")
	}
	wantStatus(t, "same origin", post(map[string]string{"Origin": f.srv.URL, "Sec-Fetch-Site": "same-origin"}), http.StatusSeeOther)
	if f.entries() != before+2 {
		t.Errorf("same-origin receipt posted %d entries", f.entries()-before)
	}
	// The login form too.
	b2 := f.browser()
	b2.get("/login")
	req, _ := http.NewRequest("POST", f.srv.URL+"/login", strings.NewReader(url.Values{"csrf": {b2.csrf}, "user": {"bureau"},
		"password": {testPassword}, "next": {"/"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	wantStatus(t, "cross-origin login", b2.send(req), http.StatusForbidden)
}

// forgedToken is a token that differs from tok in its first character (a
// fixed replacement would equal tok one time in 64).
func forgedToken(tok string) string {
	if strings.HasPrefix(tok, "A") {
		return "B" + tok[1:]
	}
	return "A" + tok[1:]
}
