package web

// More browser pages (same rules as ui.go: html/template, embedded, no
// script, session auth with CSRF on every form):
//
//	GET  /recon/{bank}?period=2021-03   reconciliation worklist: unmatched statement lines and
//	                                    ledger postings, open issues of a dry run, matches of the period
//	POST /recon/{bank}/match            manual match (checked lines and postings, reason)
//	POST /recon/{bank}/unmatch          revoke a match (match id, reason)
//	GET  /reports                       the reports, with as-of and district inputs
//	GET  /reports/{name}                a report as HTML tables; {name}.csv or {name}.xlsx downloads it
//
// A bank account with a district is read by whoever reads the district and
// changed by whoever changes it; one without a district only by the finance
// bureau (auditors read it). Reports are narrowed to one district for a
// district officer (the first granted when none is asked for).

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/recon"
	"fundledger/report"
)

func init() {
	for k, v := range map[string][2]string{
		"nav.reports":        {"报表", "Reports"},
		"recon.title":        {"银行对账", "Bank reconciliation"},
		"recon.period":       {"期间", "Period"},
		"recon.show":         {"查看", "Show"},
		"recon.summary":      {"本期概况", "The period"},
		"recon.lines":        {"对账单未匹配", "Unmatched statement lines"},
		"recon.postings":     {"账面未匹配", "Unmatched ledger postings"},
		"recon.issues":       {"待人工处理", "Left for a person"},
		"recon.noissues":     {"没有待人工处理的事项。", "Nothing is left for a person."},
		"recon.none":         {"无。", "None."},
		"recon.match":        {"人工匹配", "Match by hand"},
		"recon.reason":       {"理由", "Reason"},
		"recon.submit":       {"匹配所选项", "Match the checked items"},
		"recon.matches":      {"本期匹配", "Matches of the period"},
		"recon.unmatch":      {"撤销", "Revoke"},
		"recon.matched":      {"已匹配，编号", "Matched, match"},
		"recon.unmatched":    {"已撤销匹配", "Revoked match"},
		"recon.book":         {"账面余额", "Book balance"},
		"recon.bank":         {"银行余额", "Bank balance"},
		"recon.difference":   {"差额", "Difference"},
		"recon.transit":      {"已匹配期后项目", "matched to a later item"},
		"recon.pass":         {"方式", "How"},
		"recon.byhand":       {"人工", "by hand"},
		"recon.revoked":      {"已撤销", "revoked"},
		"col.direction":      {"收/付", "In/out"},
		"col.reference":      {"凭证号", "Reference"},
		"col.counterparty":   {"对方", "Counterparty"},
		"col.line":           {"行", "Line"},
		"col.posting":        {"分录/行", "Entry/line"},
		"col.kind":           {"类型", "Kind"},
		"col.note":           {"说明", "Note"},
		"col.items":          {"项目", "Items"},
		"col.match":          {"匹配", "Match"},
		"col.reason":         {"理由", "Reason"},
		"col.coverage":       {"偿债覆盖率", "Coverage"},
		"col.flag":           {"标记", "Flag"},
		"col.allocated":      {"分配债券资金", "Allocated"},
		"rep.title":          {"报表", "Reports"},
		"rep.asof":           {"截至日期", "As of"},
		"rep.district":       {"区市", "District"},
		"rep.all":            {"全部", "All"},
		"rep.view":           {"查看", "View"},
		"rep.statement":      {"报表", "Report"},
		"rep.empty":          {"无数据。", "No rows."},
		"rep.district-rep":   {"区市资金报表", "District funding report"},
		"rep.plan-progress":  {"改造计划进度", "Plan progress"},
		"rep.bonds":          {"专项债券偿债能力", "Bond repayment and coverage"},
		"rep.grants":         {"加装电梯补助", "Elevator grants"},
		"rep.trial-balances": {"试算平衡表", "Trial balances"},
		"rep.balance-sheet":  {"资产负债表", "Balance sheet"},
		"rep.budget-vs-act":  {"预算执行", "Budget vs actual"},
		"rep.sources":        {"资金来源", "Sources"},
		"rep.earmark":        {"专款专用", "Earmark compliance"},
		"bond.title":         {"专项债券偿债能力", "Bond coverage"},
		"bond.none":          {"本区市无专项债券资金。", "No bond money in this district."},
		"bond.below":         {"低于阈值", "below threshold"},
		"bond.ok":            {"达标", "ok"},
		"bond.repaid":        {"已清偿", "repaid"},
		"bond.allocated":     {"分配债券资金", "Allocated"},
		"bond.outstanding":   {"未还本金", "Principal outstanding"},
		"bond.reserve":       {"偿债准备金", "Reserve"},
		"bond.revenue":       {"剩余预期收益", "Remaining expected revenue"},
		"bond.debt":          {"剩余应付本息", "Remaining debt service"},
		"bond.threshold":     {"阈值", "Threshold"},
		"err.invalid":        {"输入有误。", "Invalid input."},
		"bank.title":         {"银行账户", "Bank accounts"},
		"bank.none":          {"本区市无银行账户。", "No bank accounts in this district."},
		"bank.recon":         {"对账", "Reconcile"},
		"col.bank":           {"开户行", "Bank"},
		"grant.title":        {"补助资金", "Grants"},
		"grant.elevators":    {"加装电梯申请", "Elevator applications"},
		"grant.facilities":   {"管线设施", "Utility facilities"},
		"grant.unit":         {"楼/单元", "Building/unit"},
		"grant.committed":    {"已承诺补助", "Grant committed"},
		"grant.paid":         {"已拨付补助", "Grant paid"},
		"grant.residents":    {"居民应缴未缴", "Residents' share outstanding"},
		"grant.owner":        {"产权人", "Owner"},
		"grant.award":        {"奖补金额", "Award"},
		"grant.none":         {"本项目无补助。", "No grants for this project."},
		"gapp.applied":       {"已申请", "applied"},
		"gapp.refused":       {"未批准", "refused"},
		"gapp.approved":      {"已批准", "approved"},
		"gapp.accepted":      {"已验收", "accepted"},
		"gapp.paid":          {"已拨付", "paid"},
		"gfac.registered":    {"已登记", "registered"},
		"gfac.committed":     {"已承诺", "committed"},
		"gfac.transferred":   {"已移交", "transferred"},
		"gfac.paid":          {"已拨付", "paid"},
	} {
		messages[k] = v
	}
}

// registerMoreUI adds the pages of this file (called from registerUI,
// after s.pages is parsed).
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
	for _, r := range []route{
		{"GET", "/recon/{bank}", false, s.reconPage},
		{"POST", "/recon/{bank}/match", false, s.reconMatchForm},
		{"POST", "/recon/{bank}/unmatch", false, s.reconUnmatchForm},
		{"GET", "/reports", false, s.reportsPage},
		{"GET", "/reports/{name}", false, s.reportPage},
	} {
		s.mux.Handle(r.method+" "+r.path, s.htmlHeaders(s.browser(r.handler)))
	}
}

// uiFail is pageFail that also knows the errors of package recon and the
// invalid-input errors (shown as 422 with the message).
func (s *Server) uiFail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, recon.ErrNotFound):
		s.errorPage(w, r, http.StatusNotFound, "err.notfound")
	case errors.Is(err, recon.ErrInvalid), errors.Is(err, recon.ErrUnbalanced), errors.Is(err, recon.ErrAlreadyMatched),
		errors.Is(err, recon.ErrRevoked), errors.Is(err, funding.ErrInvalid), errors.Is(err, ledger.ErrInvalid):
		s.render(w, r, http.StatusUnprocessableEntity, "error.html", pageData{Title: "err.title",
			Data: errorData{Status: http.StatusUnprocessableEntity, Message: "err.invalid"}})
	default:
		s.pageFail(w, r, err)
	}
}

// Reconciliation worklist.

type bankAccount struct {
	Code     string         `db:"code"`
	Name     string         `db:"name"`
	Bank     string         `db:"bank"`
	District sql.NullString `db:"district"`
}

// bankFor loads a bank account and checks the user may read it (write:
// change it).
func (s *Server) bankFor(r *http.Request, write bool) (bankAccount, error) {
	var b bankAccount
	err := s.db.GetContext(r.Context(), &b, `SELECT code, name, bank, district FROM bank_accounts WHERE code = $1`, r.PathValue("bank"))
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("bank account %q: %w", r.PathValue("bank"), recon.ErrNotFound)
	}
	if err != nil {
		return b, err
	}
	p := principal(r)
	switch {
	case b.District.Valid && write:
		return b, p.CheckWrite(b.District.String)
	case b.District.Valid:
		return b, p.CheckRead(b.District.String)
	case write && p.Role != access.FinanceBureau, !write && !p.AllDistricts():
		return b, fmt.Errorf("%w: %s (%s) may not use bank account %s (no district)", access.ErrDenied, p.User, p.Role, b.Code)
	}
	return b, nil
}

type reconItem struct {
	recon.ReportItem
	Key string // checkbox value: line id or ENTRY/LINE
}

type reconData struct {
	Bank         bankAccount
	Period       string
	Report       recon.Report
	Lines        []reconItem
	Postings     []reconItem
	Matches      []recon.Match
	CanWrite     bool
	Error        string
	Reason       string
	Checked      map[string]bool
	Done, Undone string
}

func (d reconData) IsChecked(key string) bool { return d.Checked[key] }

func periodOf(r *http.Request) (recon.Period, string, error) {
	v := strings.TrimSpace(r.FormValue("period"))
	if v == "" {
		v = time.Now().AddDate(0, -1, 0).Format("2006-01")
	}
	p, err := recon.ParsePeriod(v)
	return p, v, err
}

func (s *Server) reconPage(w http.ResponseWriter, r *http.Request) {
	s.showRecon(w, r, http.StatusOK, "", nil)
}

func (s *Server) showRecon(w http.ResponseWriter, r *http.Request, status int, problem string, checked map[string]bool) {
	b, err := s.bankFor(r, false)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	per, perText, err := periodOf(r)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	rc := recon.New(s.db)
	rep, err := rc.Report(r.Context(), recon.ReportRequest{BankAccount: b.Code, Period: per})
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	d := reconData{Bank: b, Period: perText, Report: rep, Error: problem, Checked: checked, Reason: r.PostFormValue("reason"),
		Done: r.URL.Query().Get("matched"), Undone: r.URL.Query().Get("unmatched")}
	p := principal(r)
	d.CanWrite = (b.District.Valid && p.CanWrite(b.District.String)) || (!b.District.Valid && p.Role == access.FinanceBureau)
	for _, it := range slices.Concat(rep.BankIn.Items, rep.BankOut.Items) {
		d.Lines = append(d.Lines, reconItem{it, strconv.FormatInt(it.LineID, 10)})
	}
	for _, it := range slices.Concat(rep.BookIn.Items, rep.BookOut.Items) {
		key := ""
		if it.Posting != nil {
			key = it.Posting.String()
		}
		d.Postings = append(d.Postings, reconItem{it, key})
	}
	byDate := func(a, b reconItem) int { return a.Date.Compare(b.Date) }
	slices.SortStableFunc(d.Lines, byDate)
	slices.SortStableFunc(d.Postings, byDate)
	if d.Matches, err = rc.Matches(r.Context(), recon.MatchFilter{BankAccount: b.Code, Period: per, IncludeRevoked: true, Limit: 500}); err != nil {
		s.uiFail(w, r, err)
		return
	}
	s.render(w, r, status, "recon.html", pageData{Title: "recon.title", TitleText: b.Code, Data: d})
}

// reconMatchForm records a manual match (CSRF checked by browser()).
func (s *Server) reconMatchForm(w http.ResponseWriter, r *http.Request) {
	b, err := s.bankFor(r, true)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	_, perText, err := periodOf(r)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	req := recon.MatchRequest{BankAccount: b.Code, Reason: strings.TrimSpace(r.PostFormValue("reason")), Actor: principal(r).User}
	checked := map[string]bool{}
	var problem string
	for _, v := range r.PostForm["line"] {
		checked[v] = true
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			problem = fmt.Sprintf("statement line %q: not a line id", v)
			continue
		}
		req.Lines = append(req.Lines, id)
	}
	for _, v := range r.PostForm["posting"] {
		checked["p"+v] = true
		ref, err := recon.ParsePostingRef(v)
		if err != nil {
			problem = err.Error()
			continue
		}
		req.Postings = append(req.Postings, ref)
	}
	if problem == "" {
		id, err := recon.New(s.db).Match(r.Context(), req)
		if err == nil {
			s.log.Info("manual match", "user", req.Actor, "bank_account", b.Code, "match", id)
			http.Redirect(w, r, fmt.Sprintf("/recon/%s?period=%s&matched=%d", url.PathEscape(b.Code), url.QueryEscape(perText), id), http.StatusSeeOther)
			return
		}
		if !isUserError(err) {
			s.uiFail(w, r, err)
			return
		}
		problem = err.Error()
	}
	s.log.Info("manual match refused", "user", req.Actor, "bank_account", b.Code, "reason", problem)
	s.showRecon(w, r, http.StatusUnprocessableEntity, problem, checked)
}

func isUserError(err error) bool {
	for _, e := range []error{recon.ErrInvalid, recon.ErrUnbalanced, recon.ErrAlreadyMatched, recon.ErrRevoked, recon.ErrNotFound} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// reconUnmatchForm revokes a match of this bank account.
func (s *Server) reconUnmatchForm(w http.ResponseWriter, r *http.Request) {
	b, err := s.bankFor(r, true)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	_, perText, err := periodOf(r)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PostFormValue("match"), 10, 64)
	if err != nil || id <= 0 {
		s.showRecon(w, r, http.StatusUnprocessableEntity, "match: not a match id", nil)
		return
	}
	var acct string
	err = s.db.GetContext(r.Context(), &acct, `SELECT bank_account FROM recon_matches WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && acct != b.Code) {
		s.errorPage(w, r, http.StatusNotFound, "err.notfound")
		return
	}
	if err != nil {
		s.page500(w, r, err)
		return
	}
	actor := principal(r).User
	if err := recon.New(s.db).Unmatch(r.Context(), id, strings.TrimSpace(r.PostFormValue("reason")), actor); err != nil {
		if !isUserError(err) {
			s.uiFail(w, r, err)
			return
		}
		s.showRecon(w, r, http.StatusUnprocessableEntity, err.Error(), nil)
		return
	}
	s.log.Info("unmatch", "user", actor, "bank_account", b.Code, "match", id)
	http.Redirect(w, r, fmt.Sprintf("/recon/%s?period=%s&unmatched=%d", url.PathEscape(b.Code), url.QueryEscape(perText), id), http.StatusSeeOther)
}

// Reports.

// reportDef is a report of the reports page.
type reportDef struct {
	Name  string
	Title string // message key
	build func(ctx context.Context, s *Server, p access.Principal, district string, asOf time.Time, amt func(decimal.Decimal) string) ([]report.Table, error)
}

func statementDef(name, title string) reportDef {
	return reportDef{Name: name, Title: title, build: func(ctx context.Context, s *Server, _ access.Principal, district string, asOf time.Time, amt func(decimal.Decimal) string) ([]report.Table, error) {
		st, ok := report.LookupStatement(name)
		if !ok {
			return nil, fmt.Errorf("report %s: %w", name, funding.ErrNotFound)
		}
		return st.Build(ctx, s.prog, report.Options{AsOf: asOf, District: district, Amount: amt})
	}}
}

var reportDefs = []reportDef{
	{Name: "district", Title: "rep.district-rep", build: func(ctx context.Context, s *Server, p access.Principal, district string, asOf time.Time, amt func(decimal.Decimal) string) ([]report.Table, error) {
		rep, err := s.prog.DistrictReport(ctx, district, asOf)
		if err != nil {
			return nil, err
		}
		rep.Sources = slices.DeleteFunc(rep.Sources, func(x funding.DistrictSourcePosition) bool { return !p.CanRead(x.District) })
		rep.Categories = slices.DeleteFunc(rep.Categories, func(x funding.DistrictCategoryPosition) bool { return !p.CanRead(x.District) })
		return report.DistrictReport(rep, amt), nil
	}},
	{Name: "plan-progress", Title: "rep.plan-progress", build: func(ctx context.Context, s *Server, p access.Principal, district string, asOf time.Time, amt func(decimal.Decimal) string) ([]report.Table, error) {
		pp, err := s.prog.PlanProgress(ctx, asOf)
		if errors.Is(err, funding.ErrNotFound) {
			return []report.Table{{Title: "改造计划进度 Plan progress", Notes: []string{"尚未导入改造计划。 No plan has been imported."}}}, nil
		}
		if err != nil {
			return nil, err
		}
		if district != "" {
			keep := func(x funding.PlanProgressRow) bool { return x.DistrictCode != district }
			pp.Rows = slices.DeleteFunc(pp.Rows, keep)
			pp.Unplanned = slices.DeleteFunc(pp.Unplanned, keep)
		}
		return report.PlanProgressTables(pp), nil
	}},
	{Name: "bonds", Title: "rep.bonds", build: func(ctx context.Context, s *Server, p access.Principal, district string, asOf time.Time, amt func(decimal.Decimal) string) ([]report.Table, error) {
		rep, err := s.bondReport(ctx, asOf)
		if err != nil {
			return nil, err
		}
		if district != "" {
			rep.Projects = slices.DeleteFunc(rep.Projects, func(u funding.BondUnitPosition) bool { return u.District != district })
			rep.Districts = slices.DeleteFunc(rep.Districts, func(u funding.BondUnitPosition) bool { return u.Code != district })
			if !p.AllDistricts() { // the city-wide bonds and total are not the officer's
				rep.Bonds = nil
				rep.Total = funding.BondUnitPosition{Name: "—"}
				if len(rep.Districts) == 1 {
					rep.Total = rep.Districts[0]
					rep.Districts = nil
				}
			}
		}
		ts := report.BondReport(rep, amt)
		if district != "" && !p.AllDistricts() {
			for i := range ts[:2] {
				ts[i].Notes = []string{"债券明细仅对财政局和审计人员显示。 Bond details are shown to the finance bureau and auditors only."}
			}
		}
		return ts, nil
	}},
	{Name: "grants", Title: "rep.grants", build: func(ctx context.Context, s *Server, _ access.Principal, district string, asOf time.Time, amt func(decimal.Decimal) string) ([]report.Table, error) {
		rep, err := s.prog.GrantsReport(ctx, district, asOf)
		if err != nil {
			return nil, err
		}
		return report.GrantsReport(rep, amt), nil
	}},
	statementDef("trial-balances", "rep.trial-balances"),
	statementDef("balance-sheet", "rep.balance-sheet"),
	statementDef("budget-vs-actual", "rep.budget-vs-act"),
	statementDef("sources", "rep.sources"),
	statementDef("earmark", "rep.earmark"),
}

func (s *Server) bondReport(ctx context.Context, asOf time.Time) (funding.BondReport, error) {
	if asOf.IsZero() {
		asOf = ledger.Date(time.Now().Year(), time.Now().Month(), time.Now().Day())
	}
	return s.prog.BondReport(ctx, funding.BondReportOptions{AsOf: asOf})
}

func lookupReport(name string) (reportDef, bool) {
	for _, d := range reportDefs {
		if d.Name == name {
			return d, true
		}
	}
	return reportDef{}, false
}

// reportParams reads ?as_of= and ?district=; a district officer gets his
// first district when he names none.
func (s *Server) reportParams(r *http.Request) (district string, asOf time.Time, asOfText string, err error) {
	q := r.URL.Query()
	if asOfText = strings.TrimSpace(q.Get("as_of")); asOfText != "" {
		if asOf, err = ledger.ParseDate(asOfText); err != nil {
			return "", asOf, asOfText, fmt.Errorf("%w: as_of %q: want YYYY-MM-DD", funding.ErrInvalid, asOfText)
		}
	}
	p := principal(r)
	if v := strings.TrimSpace(q.Get("district")); v != "" {
		d, err := funding.LookupDistrict(r.Context(), s.db, v)
		if err == nil {
			err = p.CheckRead(d.Code)
		}
		return d.Code, asOf, asOfText, err
	}
	if p.AllDistricts() {
		return "", asOf, asOfText, nil
	}
	ds, err := s.readableDistricts(r)
	if err != nil {
		return "", asOf, asOfText, err
	}
	if len(ds) == 0 {
		return "", asOf, asOfText, fmt.Errorf("%w: %s has no district", access.ErrDenied, p.User)
	}
	return ds[0].Code, asOf, asOfText, nil
}

type reportsData struct {
	Reports    []reportDef
	District   string
	AsOf       string
	AllAllowed bool
	Query      string // district and as_of, for the links
}

func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request) {
	district, _, asOfText, err := s.reportParams(r)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	d := reportsData{Reports: reportDefs, District: district, AsOf: asOfText, AllAllowed: principal(r).AllDistricts(),
		Query: reportQuery(district, asOfText)}
	s.render(w, r, http.StatusOK, "reports.html", pageData{Title: "rep.title", Data: d})
}

func reportQuery(district, asOf string) string {
	v := url.Values{}
	if district != "" {
		v.Set("district", district)
	}
	if asOf != "" {
		v.Set("as_of", asOf)
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// htmlTable is a report.Table with its headers in one language.
type htmlTable struct {
	Title   string
	Headers []string
	Numeric []bool
	Rows    [][]string
	Notes   []string
}

type reportData struct {
	Report   reportDef
	Tables   []htmlTable
	District string
	AsOf     string
	Query    string
	AllAllow bool
}

func header(c report.Column, lang string) string {
	switch {
	case lang == report.LangEn && c.En != "":
		return c.En
	case c.Zh != "":
		return c.Zh
	}
	return c.Key
}

// reportPage shows a report (GET /reports/{name}) or downloads it
// ({name}.csv, {name}.xlsx).
func (s *Server) reportPage(w http.ResponseWriter, r *http.Request) {
	name, format := r.PathValue("name"), ""
	for _, f := range []string{report.FormatCSV, report.FormatXLSX} {
		if n, ok := strings.CutSuffix(name, "."+f); ok {
			name, format = n, f
		}
	}
	def, ok := lookupReport(name)
	if !ok {
		s.errorPage(w, r, http.StatusNotFound, "err.notfound")
		return
	}
	district, asOf, asOfText, err := s.reportParams(r)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	p := principal(r)
	amt := report.Amount // grouped for reading, plain for files
	if format != "" {
		amt = report.Plain
	}
	ts, err := def.build(r.Context(), s, p, district, asOf, amt)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	lang := langOf(r)
	if format != "" {
		var buf bytes.Buffer
		if err := report.RenderAll(&buf, ts, format, lang); err != nil {
			s.page500(w, r, err)
			return
		}
		file := name
		if district != "" {
			file += "-" + district
		}
		if asOfText != "" {
			file += "-" + strings.ReplaceAll(asOfText, "-", "")
		}
		file += "." + format
		ct := "text/csv; charset=utf-8"
		if format == report.FormatXLSX {
			ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
		_, _ = w.Write(buf.Bytes())
		return
	}
	d := reportData{Report: def, District: district, AsOf: asOfText, Query: reportQuery(district, asOfText), AllAllow: p.AllDistricts()}
	for _, t := range ts {
		ht := htmlTable{Title: t.Title, Rows: t.Rows, Notes: t.Notes}
		for _, c := range t.Columns {
			ht.Headers = append(ht.Headers, header(c, lang))
			ht.Numeric = append(ht.Numeric, c.Numeric)
		}
		d.Tables = append(d.Tables, ht)
	}
	s.render(w, r, http.StatusOK, "report.html", pageData{Title: def.Title, Data: d})
}

// Bond coverage panel of the district dashboard.

type bondPanel struct {
	Row       funding.BondUnitPosition
	Found     bool
	Ratio     string
	Flag      string // ok, below, repaid
	Threshold decimal.Decimal
	AsOf      time.Time
}

const bondPanelTemplate = `{{$l := .Lang}}{{with bondpanel .Data.District.Code}}
<section class="card" id="bond-panel">
<h2>{{t $l "bond.title"}}</h2>
{{if .Found}}{{with .Row}}
<table class="money" id="bond-coverage">
<thead><tr><th>{{t $l "bond.allocated"}}</th><th>{{t $l "bond.outstanding"}}</th><th>{{t $l "bond.reserve"}}</th><th>{{t $l "bond.revenue"}}</th><th>{{t $l "bond.debt"}}</th><th>{{t $l "col.coverage"}}</th><th>{{t $l "col.flag"}}</th></tr></thead>
<tbody><tr><td>{{amt .Allocated}}</td><td>{{amt .Outstanding}}</td><td>{{amt .Coverage.Reserve}}</td><td>{{amt .Coverage.RemainingRevenue}}</td><td>{{amt .Coverage.RemainingDebtService}}</td>{{end}}
<td id="bond-ratio">{{.Ratio}}</td><td id="bond-flag" class="bond-{{.Flag}}">{{t $l (print "bond." .Flag)}}</td></tr></tbody>
</table>
{{else}}<p id="bond-none">{{t $l "bond.none"}}</p>{{end}}
<p class="note">{{t $l "bond.threshold"}} {{.Threshold}} · {{t $l "rep.asof"}} {{day .AsOf}} · <a href="/reports/bonds?district={{$.Data.District.Code}}">{{t $l "rep.view"}}</a></p>
</section>
{{end}}`

// bondPanelFor is the district's roll-up row of the bond report as of
// today; nil when the report cannot be made (it never fails the page).
// Called from the template, so without the request's context: bounded by
// its own timeout.
func (s *Server) bondPanelFor(district string) *bondPanel {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := s.bondReport(ctx, time.Time{})
	if err != nil {
		s.log.Warn("bond panel", "district", district, "error", err.Error())
		return nil
	}
	bp := &bondPanel{Threshold: rep.Threshold, AsOf: rep.AsOf}
	for _, u := range rep.Districts {
		if u.Code == district {
			bp.Row, bp.Found = u, true
		}
	}
	c := bp.Row.Coverage
	switch {
	case !c.Ratio.Valid:
		bp.Ratio, bp.Flag = "—", "repaid"
	case c.Below:
		bp.Ratio, bp.Flag = c.Ratio.Decimal.StringFixed(funding.BondRatioPlaces), "below"
	default:
		bp.Ratio, bp.Flag = c.Ratio.Decimal.StringFixed(funding.BondRatioPlaces), "ok"
	}
	return bp
}

// Bank account panel of the district dashboard.

type bankPanel struct {
	Accounts []bankAccount
	Period   string // the current month, YYYY-MM
}

const bankPanelTemplate = `{{$l := .Lang}}{{with bankpanel .Data.District.Code}}{{$p := .Period}}
<section class="card" id="bank-panel">
<h2>{{t $l "bank.title"}}</h2>
{{if .Accounts}}
<table id="bank-accounts">
<thead><tr><th>{{t $l "col.code"}}</th><th>{{t $l "col.name"}}</th><th>{{t $l "col.bank"}}</th><th>{{t $l "recon.title"}}</th></tr></thead>
<tbody>{{range .Accounts}}<tr><td>{{.Code}}</td><td>{{.Name}}</td><td>{{.Bank}}</td><td><a href="/recon/{{.Code}}?period={{$p}}" id="recon-{{.Code}}">{{t $l "bank.recon"}} {{$p}}</a></td></tr>
{{end}}</tbody>
</table>
{{else}}<p id="bank-none">{{t $l "bank.none"}}</p>{{end}}
</section>
{{end}}`

// bankPanelFor lists the district's bank accounts; nil when they cannot be
// read (it never fails the page). Called from the template, so without the
// request's context: bounded by its own timeout.
func (s *Server) bankPanelFor(district string) *bankPanel {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bp := &bankPanel{Period: time.Now().Format("2006-01")}
	if err := s.db.SelectContext(ctx, &bp.Accounts, `SELECT code, name, bank, district FROM bank_accounts WHERE district = $1 ORDER BY code`, district); err != nil {
		s.log.Warn("bank panel", "district", district, "error", err.Error())
		return nil
	}
	return bp
}
