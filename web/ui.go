package web

// The server-rendered browser UI: html/template pages and one stylesheet,
// all embedded in the binary (no CDN, no script). Pages:
//
//	GET  /                          → the first district the user may read
//	GET  /districts/{code}          dashboard: money by source (table and an inline SVG chart),
//	                                by category, plan progress, projects, report downloads
//	GET  /projects/{code}           project: money by source and category, recent entries, receipt form
//	POST /projects/{code}/receipts  record a receipt (CSRF token, idempotency key in the form)
//	GET  /reports/district.xlsx     district report download (also .csv); ?district= narrows it
//
// Language: ?lang=zh|en, remembered in a cookie; names of districts,
// sources and categories are shown in the language alone.

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/report"
)

//go:embed templates/*.html static/*
var uiFiles embed.FS

// RecentEntries is how many entries a project page lists.
const RecentEntries = 20

func (s *Server) uiRoutes() []route {
	return []route{
		{"GET", "/static/", true, s.static},
		{"GET", "/login", true, s.loginPage},
		{"POST", "/login", true, s.login},
		{"POST", "/logout", false, s.logout},
		{"GET", "/{$}", false, s.home},
		{"GET", "/districts/{code}", false, s.districtPage},
		{"GET", "/projects/{code}", false, s.projectPage},
		{"POST", "/projects/{code}/receipts", false, s.receiptForm},
		{"GET", "/reports/district.xlsx", false, s.districtDownload},
		{"GET", "/reports/district.csv", false, s.districtDownload},
	}
}

// registerUI adds the browser routes (session auth) to the mux.
func (s *Server) registerUI() {
	s.pages = parsePages()
	for _, r := range s.uiRoutes() {
		h := r.handler
		if !r.public {
			h = s.browser(h)
		}
		s.mux.Handle(r.method+" "+r.path, s.htmlHeaders(h))
	}
	s.registerMoreUI()
	s.mux.Handle("/", s.htmlHeaders(func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, http.StatusNotFound, "err.notfound")
	}))
}

func (s *Server) htmlHeaders(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next(w, r)
	}
}

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	sub, _ := fs.Sub(uiFiles, "static")
	http.StripPrefix("/static/", http.FileServerFS(sub)).ServeHTTP(w, r)
}

// route is one page of the browser UI.
type route struct {
	method, path string
	public       bool
	handler      http.HandlerFunc
}

// Languages.

func langOf(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == report.LangEn || l == report.LangZh {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == report.LangEn || c.Value == report.LangZh) {
		return c.Value
	}
	return report.LangZh
}

// Templates.

// pageData is what every page template gets.
type pageData struct {
	Title     string // message key
	TitleText string // appended to the title as is (a name)
	Lang      string
	Path      string // the page's path, for the language switch
	User      access.Principal
	Districts []funding.District // the user's districts, for the navigation
	CSRF      string
	Data      any
}

func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"amt":    func(d decimal.Decimal) string { return report.Amount(d) },
		"day":    func(t time.Time) string { return day(t) },
		"pct":    func(d *decimal.Decimal) string { return pctText(d) },
		"t":      func(lang, key string) string { return msg(lang, key) },
		"code":   codeName,
		"dname":  districtName,
		"dnamez": districtNamed,
		"sname":  sourceName,
		"cname":  categoryName,
		"fkname": facilityKindName,
		"add":    func(a, b int) int { return a + b },
		"memo":   memoText,
		"aname":  accountName,
		"inote":  issueNote,
	}
	pages := map[string]*template.Template{}
	names, err := fs.Glob(uiFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" {
			continue
		}
		pages[base] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(uiFiles, "templates/layout.html", n))
	}
	return pages
}

func pctText(d *decimal.Decimal) string {
	if d == nil {
		return "—"
	}
	return d.StringFixed(2) + "%"
}

// districtName is a district's name in the language: the English name in
// English when it has one, else the Chinese name.
func districtName(lang string, d funding.District) string {
	if d.NameEn == "" {
		return d.NameZh
	}
	return inLanguage(lang, d.NameZh, d.NameEn)
}

// districtNamed is the district of Chinese name zh among ds in the
// language; zh itself when ds does not hold it.
func districtNamed(lang, zh string, ds []funding.District) string {
	for _, d := range ds {
		if d.NameZh == zh {
			return districtName(lang, d)
		}
	}
	return zh
}

// sourceName and categoryName are the template's names of a funding
// source and a retrofit category, in the language alone.
func sourceName(lang, code string) string { return sourceWord(lang, code) }

func categoryName(lang, code string) string { return categoryWord(lang, code) }

// sendFile sends a report file (CSV or XLSX) as a download named name.format.
func sendFile(w http.ResponseWriter, name, format string, body []byte) {
	ct := "text/csv; charset=utf-8"
	if format == report.FormatXLSX {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+"."+format+`"`)
	_, _ = w.Write(body)
}

// handlePages adds pages (their handlers wrapped as they need: browser(),
// bureauOnly(), limitBody()) with the HTML headers.
func (s *Server) handlePages(routes ...route) {
	for _, r := range routes {
		s.mux.Handle(r.method+" "+r.path, s.htmlHeaders(r.handler))
	}
}

// bureauOnly refuses (403, logged) a user who is not of the finance bureau.
func (s *Server) bureauOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if principal(r).Role != access.FinanceBureau {
			s.pageFail(w, r, access.ErrDenied)
			return
		}
		next(w, r)
	}
}

// render executes a page into a buffer first, so that a template error
// becomes a 500 and not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, d pageData) {
	d.Lang = langOf(r)
	if v := r.URL.Query().Get("lang"); v == d.Lang {
		s.setCookie(w, r, langCookie, v, 365*24*3600)
	}
	d.Path = r.URL.Path
	if d.User.User == "" {
		d.User = principal(r)
	}
	if d.CSRF == "" {
		d.CSRF = sessionOf(r).csrf
	}
	if d.User.User != "" && d.Districts == nil {
		d.Districts, _ = s.readableDistricts(r)
	}
	var buf bytes.Buffer
	if err := s.pages[page].Execute(&buf, d); err != nil {
		s.log.Error("template", "page", page, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

type errorData struct {
	Status  int
	Message string // message key
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	s.render(w, r, status, "error.html", pageData{Title: "err.title", Data: errorData{Status: status, Message: key}})
}

func (s *Server) page500(w http.ResponseWriter, r *http.Request, err error) {
	p := principal(r)
	s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", 500, "user", p.User, "remote", r.RemoteAddr, "error", err.Error())
	s.errorPage(w, r, http.StatusInternalServerError, "err.internal")
}

// pageFail shows the error page for an error of the packages: 403 (logged
// as a denial), 404 or 500.
func (s *Server) pageFail(w http.ResponseWriter, r *http.Request, err error) {
	status, _ := classify(err)
	switch status {
	case http.StatusForbidden:
		p := principal(r)
		s.log.Warn("request denied", "method", r.Method, "path", r.URL.Path, "status", 403, "user", p.User,
			"role", string(p.Role), "remote", r.RemoteAddr, "reason", err.Error())
		s.errorPage(w, r, http.StatusForbidden, "err.forbidden")
	case http.StatusNotFound:
		s.errorPage(w, r, http.StatusNotFound, "err.notfound")
	default:
		s.page500(w, r, err)
	}
}

func (s *Server) readableDistricts(r *http.Request) ([]funding.District, error) {
	ds, err := funding.Districts(r.Context(), s.db)
	if err != nil {
		return nil, err
	}
	p := principal(r)
	out := []funding.District{}
	for _, d := range ds {
		if p.CanRead(d.Code) {
			out = append(out, d)
		}
	}
	return out, nil
}

func (s *Server) registerMoreUI() {
	// The bond coverage panel of the dashboard: district.html has an empty
	// "bondpanel" block; this fills it (templates can be redefined before
	// their first execution).
	t := template.Must(s.pages["district.html"].Clone())
	t.Funcs(template.FuncMap{"bondpanel": s.bondPanelFor})
	template.Must(t.New("bondpanel").Parse(bondPanelTemplate))
	// The bank account panel: links to each account's reconciliation
	// worklist (the page already checks the user may read the district).
	t.Funcs(template.FuncMap{"bankpanel": s.bankPanelFor})
	template.Must(t.New("bankpanel").Parse(bankPanelTemplate))
	s.pages["district.html"] = t
	s.registerGrantsUI() // the grants panel of the project page (ui_grants.go)
	s.registerLoansUI()  // the loan list and pages (ui_loans.go)

	// The officer's steps and lists (ui_officer.go, ui_entries.go).
	s.registerOfficerUI()
	s.registerBureauUI()      // statements, runs, 余额调节表 (ui_recon_statements.go)
	s.registerBudgetUI()      // 调整预算 and the rule what-if (ui_budget.go)
	s.registerPlanUI()        // plan imports (ui_plan.go)
	s.registerBondsUI()       // special bonds (ui_bonds.go)
	s.registerEvaluationsUI() // evaluations and the pool (ui_evaluations.go)
	s.handlePages(
		route{"GET", "/recon/{bank}", false, s.browser(s.reconPage)},
		route{"POST", "/recon/{bank}/match", false, s.browser(s.reconMatchForm)},
		route{"POST", "/recon/{bank}/unmatch", false, s.browser(s.reconUnmatchForm)},
		route{"GET", "/reports", false, s.browser(s.reportsPage)},
		route{"GET", "/reports/{name}", false, s.browser(s.reportPage)},
		route{"GET", "/periods", false, s.browser(s.periodsPage)},
		route{"POST", "/periods/close", false, s.browser(s.bureauOnly(s.closePeriodForm))},
		route{"POST", "/periods/reopen", false, s.browser(s.bureauOnly(s.reopenPeriodForm))},
		route{"GET", "/ledger", false, s.browser(s.trialBalancePage)},
		route{"GET", "/ledger/accounts/{code}", false, s.browser(s.accountRegisterPage)},
	)
}
