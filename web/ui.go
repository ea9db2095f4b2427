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
// Language: ?lang=zh|en, remembered in a cookie; Chinese names of
// districts and sources are shown in both.

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/report"
	"fundledger/rules"
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
		"amt":   func(d decimal.Decimal) string { return report.Amount(d) },
		"day":   func(t time.Time) string { return day(t) },
		"pct":   func(d *decimal.Decimal) string { return pctText(d) },
		"t":     func(lang, key string) string { return msg(lang, key) },
		"dname": districtName,
		"sname": sourceName,
		"cname": categoryName,
		"add":   func(a, b int) int { return a + b },
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

// districtName: always the Chinese name, with the English one in English.
func districtName(lang string, d funding.District) string {
	if lang == report.LangEn && d.NameEn != "" {
		return d.NameZh + " " + d.NameEn
	}
	return d.NameZh
}

func sourceName(lang, code string) string {
	src, ok := rules.LookupSource(code)
	if !ok {
		return code
	}
	if lang == report.LangEn {
		return src.NameZH + " " + src.NameEN
	}
	return src.NameZH
}

func categoryName(lang, code string) string {
	c, ok := rules.LookupCategory(code)
	if !ok {
		return code
	}
	if lang == report.LangEn {
		return c.NameZH + " " + c.NameEN
	}
	return c.NameZH
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

// Pages.

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	ds, err := s.readableDistricts(r)
	if err != nil {
		s.page500(w, r, err)
		return
	}
	if len(ds) == 0 {
		s.errorPage(w, r, http.StatusForbidden, "err.nodistricts")
		return
	}
	http.Redirect(w, r, "/districts/"+ds[0].Code, http.StatusSeeOther)
}

// bar is one source's bars in the chart (heights in px of a 160 px plot).
type bar struct {
	Source                       string
	X                            int
	Committed, Received, Paid    int
	CommittedY, ReceivedY, PaidY int
}

type chart struct {
	Width, Height int
	Bars          []bar
	Max           decimal.Decimal
}

const chartPlot = 160

func newChart(ss []funding.SourcePosition) chart {
	c := chart{Height: chartPlot + 60, Max: decimal.Zero}
	for _, s := range ss {
		c.Max = decimal.Max(c.Max, s.Committed, s.Received, s.Disbursed)
	}
	scale := func(d decimal.Decimal) int {
		if !c.Max.IsPositive() {
			return 0
		}
		return int(d.Mul(decimal.NewFromInt(chartPlot)).Div(c.Max).Round(0).IntPart())
	}
	for i, s := range ss {
		b := bar{Source: s.Source, X: 50 + i*90, Committed: scale(s.Committed), Received: scale(s.Received), Paid: scale(s.Disbursed)}
		b.CommittedY, b.ReceivedY, b.PaidY = 10+chartPlot-b.Committed, 10+chartPlot-b.Received, 10+chartPlot-b.Paid
		c.Bars = append(c.Bars, b)
	}
	c.Width = max(300, 60+len(ss)*90)
	return c
}

type dashboardData struct {
	District   funding.District
	Sources    []funding.SourcePosition
	Total      funding.SourcePosition
	Categories []funding.CategoryPosition
	Chart      chart
	Plan       []funding.PlanProgressRow
	Milestones []funding.PlanMilestoneProgress
	NoPlan     bool
	Projects   []funding.Project
	CanWrite   bool
}

func (s *Server) districtPage(w http.ResponseWriter, r *http.Request) {
	d, err := funding.LookupDistrict(r.Context(), s.db, r.PathValue("code"))
	if err == nil {
		err = principal(r).CheckRead(d.Code)
	}
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	rep, err := s.prog.DistrictReport(r.Context(), d.Code, time.Time{})
	if err != nil {
		s.page500(w, r, err)
		return
	}
	dd := dashboardData{District: d, CanWrite: principal(r).CanWrite(d.Code)}
	for _, x := range rep.Sources {
		dd.Sources = append(dd.Sources, x.SourcePosition)
		addPosition(&dd.Total, x.SourcePosition)
	}
	for _, x := range rep.Categories {
		dd.Categories = append(dd.Categories, x.CategoryPosition)
	}
	dd.Chart = newChart(dd.Sources)
	pp, err := s.prog.PlanProgress(r.Context(), time.Time{})
	switch {
	case errors.Is(err, funding.ErrNotFound):
		dd.NoPlan = true
	case err != nil:
		s.page500(w, r, err)
		return
	default:
		for _, row := range pp.Rows {
			if row.DistrictCode == d.Code {
				dd.Plan = append(dd.Plan, row)
			}
		}
		dd.Milestones = pp.Milestones
	}
	if dd.Projects, err = s.prog.Projects(r.Context(), funding.ProjectFilter{District: d.Code, Limit: 500}); err != nil {
		s.page500(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "district.html", pageData{Title: "dash.title", TitleText: d.NameZh, Data: dd})
}

func addPosition(dst *funding.SourcePosition, x funding.SourcePosition) {
	dst.Committed = dst.Committed.Add(x.Committed)
	dst.Received = dst.Received.Add(x.Received)
	dst.Disbursed = dst.Disbursed.Add(x.Disbursed)
	dst.Available = dst.Available.Add(x.Available)
	dst.Outstanding = dst.Outstanding.Add(x.Outstanding)
}

type entryRow struct {
	ID     int64
	Date   time.Time
	Book   string
	Memo   string
	Actor  string
	Amount decimal.Decimal
}

type bankChoice struct{ Code, Name string }

// receiptInput is the receipt form as filled in.
type receiptInput struct {
	Source, Amount, ReceivedOn, BankAccount, Reference, Memo, Key string
}

type projectData struct {
	Project  funding.Project
	District funding.District
	Report   funding.ProjectReport
	Entries  []entryRow
	CanWrite bool
	Banks    []bankChoice
	Form     receiptInput
	Error    string // a message (already in words)
	Done     string // entry id of a receipt just recorded
	Replayed bool
}

func (s *Server) projectPage(w http.ResponseWriter, r *http.Request) {
	s.showProject(w, r, http.StatusOK, r.PathValue("code"), receiptInput{}, "")
}

// showProject renders the project page; form and problem re-show a
// refused receipt form.
func (s *Server) showProject(w http.ResponseWriter, r *http.Request, status int, code string, form receiptInput, problem string) {
	pr, err := s.prog.Project(r.Context(), code)
	if err == nil {
		err = principal(r).CheckRead(pr.District)
	}
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	rep, err := s.prog.ProjectReport(r.Context(), code, time.Time{})
	if err != nil {
		s.page500(w, r, err)
		return
	}
	d, err := funding.LookupDistrict(r.Context(), s.db, pr.District)
	if err != nil {
		s.page500(w, r, err)
		return
	}
	pd := projectData{Project: pr, District: d, Report: rep, CanWrite: principal(r).CanWrite(pr.District) && len(rep.Sources) > 0,
		Form: form, Error: problem, Done: r.URL.Query().Get("entry"), Replayed: r.URL.Query().Get("replayed") == "1"}
	if pd.Entries, err = s.recentEntries(r, pr, rep); err != nil {
		s.page500(w, r, err)
		return
	}
	if err := s.db.SelectContext(r.Context(), &pd.Banks, `SELECT code AS "code", name AS "name" FROM bank_accounts
		WHERE district = $1 OR district IS NULL ORDER BY code LIMIT 200`, pr.District); err != nil {
		s.page500(w, r, err)
		return
	}
	if pd.Form.Key == "" {
		pd.Form.Key = randomToken()
	}
	if pd.Form.ReceivedOn == "" {
		pd.Form.ReceivedOn = time.Now().Format(ledger.DateLayout)
	}
	s.render(w, r, status, "project.html", pageData{Title: "proj.title", TitleText: pr.Code + " " + pr.Name, Data: pd})
}

// recentEntries: the last RecentEntries financial-book entries touching
// the project's cash accounts (one per source), newest first.
func (s *Server) recentEntries(r *http.Request, pr funding.Project, rep funding.ProjectReport) ([]entryRow, error) {
	l := ledger.New(s.db)
	byID := map[int64]entryRow{}
	for _, src := range rep.Sources {
		acct := "cash:" + pr.District + ":" + pr.Code + ":" + src.Source
		var after int64
		for range 100 { // at most 100 pages of 1000
			es, err := l.Entries(r.Context(), ledger.EntryFilter{Book: ledger.BookFinancial, Account: acct, AfterID: after, Limit: 1000})
			if err != nil {
				return nil, err
			}
			for _, e := range es {
				var amt decimal.Decimal
				for _, p := range e.Postings {
					if p.Side == ledger.Debit {
						amt = amt.Add(p.Amount)
					}
				}
				byID[e.ID] = entryRow{ID: e.ID, Date: e.EffectiveDate, Book: string(e.Book), Memo: e.Memo, Actor: e.Actor, Amount: amt}
				after = e.ID
			}
			if len(es) < 1000 {
				break
			}
		}
	}
	out := make([]entryRow, 0, len(byID))
	for _, e := range byID {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b entryRow) int { return int(b.ID - a.ID) })
	if len(out) > RecentEntries {
		out = out[:RecentEntries]
	}
	return out, nil
}

var formKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// receiptForm records a receipt from the project page's form (behind
// browser(): the CSRF token is checked). The form's hidden key makes a
// double submit post once; success redirects back (303) to the page.
func (s *Server) receiptForm(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	p := principal(r)
	in := receiptInput{Source: r.PostFormValue("source"), Amount: strings.TrimSpace(r.PostFormValue("amount")),
		ReceivedOn: r.PostFormValue("received_on"), BankAccount: r.PostFormValue("bank_account"),
		Reference: strings.TrimSpace(r.PostFormValue("reference")), Memo: strings.TrimSpace(r.PostFormValue("memo")),
		Key: r.PostFormValue("key")}
	pr, err := s.prog.Project(r.Context(), code)
	if err == nil {
		err = p.CheckWrite(pr.District)
	}
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	if !formKeyRE.MatchString(in.Key) {
		s.errorPage(w, r, http.StatusBadRequest, "err.csrf")
		return
	}
	req := funding.ReceiptRequest{Project: code, Source: in.Source, BankAccount: in.BankAccount, Reference: in.Reference,
		Memo: in.Memo, IdempotencyKey: "web/" + p.User + "/" + in.Key, Actor: p.User}
	var problem string
	lang := langOf(r)
	if req.Amount, err = parseAmount("amount", in.Amount); err != nil {
		_, problem = userMessage(lang, err)
	} else if req.ReceivedOn, err = parseDay("received_on", in.ReceivedOn); err != nil {
		_, problem = userMessage(lang, err)
	} else if err = notBlank([2]string{msg(lang, "rcpt.source"), in.Source}, [2]string{msg(lang, "rcpt.bank"), in.BankAccount}); err != nil {
		_, problem = userMessage(lang, err)
	}
	if problem == "" {
		m, err := s.prog.Receive(r.Context(), req)
		if err == nil {
			q := fmt.Sprintf("?entry=%d", m.FinancialEntry)
			if m.Replayed {
				q += "&replayed=1"
			}
			http.Redirect(w, r, "/projects/"+code+q, http.StatusSeeOther)
			return
		}
		status, text := userMessage(lang, err)
		if status >= 500 {
			s.page500(w, r, err)
			return
		}
		problem = text
		s.log.Info("receipt refused", "user", p.User, "project", code, "status", status, "reason", err.Error())
	}
	s.showProject(w, r, http.StatusUnprocessableEntity, code, in, problem)
}

// districtDownload serves the district report as XLSX or CSV; without
// ?district= it covers every district the user may read.
func (s *Server) districtDownload(w http.ResponseWriter, r *http.Request) {
	format := report.FormatCSV
	if strings.HasSuffix(r.URL.Path, ".xlsx") {
		format = report.FormatXLSX
	}
	p := principal(r)
	district := ""
	if v := strings.TrimSpace(r.URL.Query().Get("district")); v != "" {
		d, err := funding.LookupDistrict(r.Context(), s.db, v)
		if err == nil {
			err = p.CheckRead(d.Code)
		}
		if err != nil {
			s.pageFail(w, r, err)
			return
		}
		district = d.Code
	}
	scope := readScope(r.Context())
	if district != "" {
		scope = []string{district}
	}
	rep, err := s.prog.DistrictsReport(r.Context(), scope, time.Time{})
	if err != nil {
		s.page500(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := report.RenderAll(&buf, report.DistrictReport(rep, report.Plain), format, langOf(r)); err != nil {
		s.page500(w, r, err)
		return
	}
	name := "district-report"
	if district != "" {
		name += "-" + district
	}
	name += "-" + time.Now().Format("20060102") + "." + format
	ct := "text/csv; charset=utf-8"
	if format == report.FormatXLSX {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, _ = w.Write(buf.Bytes())
}
