package web

// Budget adjustment (调整预算) and the rule what-if in the browser:
//
//	GET  /budget             the two forms, and the last adjustment or what-if
//	POST /budget/adjust      set a budget line to a new amount (funding.AdjustBudget)
//	POST /budget/whatif      upload a rule file: per project and source the
//	                         current and the new split, with totals; nothing posted
//
// An adjustment is the finance bureau's or the project's district
// officer's; the what-if writes nothing and is open to every reader (an
// officer sees his districts only); the auditor gets neither form.

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"fundledger/access"
	"fundledger/amount"
	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/rules"
)

// maxRuleUpload bounds a what-if upload.
const maxRuleUpload = 1 << 20

var budgetMessages = map[string][2]string{
	"nav.budget":         {"预算调整", "Budget"},
	"bud.title":          {"预算调整与规则试算", "Budget adjustment and rule what-if"},
	"bud.adjust":         {"调整预算", "Adjust a budget line"},
	"bud.project":        {"项目编号", "Project code"},
	"bud.category":       {"类别", "Category"},
	"bud.source":         {"资金来源（可不选：整个类别）", "Source (none: the whole category)"},
	"bud.source.none":    {"整个类别", "The whole category"},
	"bud.amount":         {"新预算金额（元）", "New budget (yuan)"},
	"bud.on":             {"生效日期", "Effective on"},
	"bud.reason":         {"调整理由", "Reason"},
	"bud.approver":       {"批准人", "Approved by"},
	"bud.submit":         {"调整预算", "Adjust"},
	"bud.done":           {"已调整预算", "Budget adjusted"},
	"bud.unchanged":      {"预算未变：该行已是这个金额。", "Unchanged: the line has that budget already."},
	"bud.previous":       {"原预算", "Previous budget"},
	"bud.new":            {"新预算", "New budget"},
	"bud.whatif":         {"规则试算（不记账）", "Rule what-if (nothing posted)"},
	"bud.rulefile":       {"规则文件（YAML）", "Rule file (YAML)"},
	"bud.district":       {"区市（可不选：全部）", "District (none: all)"},
	"bud.all":            {"全部", "All"},
	"bud.whatif.submit":  {"试算", "Compute"},
	"bud.current":        {"现行规则", "Current rules"},
	"bud.newrules":       {"新规则", "New rules"},
	"bud.diff":           {"差额", "Difference"},
	"bud.projects":       {"涉及项目", "Projects"},
	"bud.bydistrict":     {"按区市合计", "By district"},
	"bud.bysource":       {"按资金来源合计", "By source"},
	"bud.lines":          {"按项目和资金来源", "By project and source"},
	"bud.problems":       {"无法按新规则拆分的项目", "Projects the new rules cannot split"},
	"bud.nothingposted":  {"试算结果，未记账。", "A what-if: nothing was posted."},
	"bud.rulefile.none":  {"请选择规则文件。", "Choose a rule file."},
	"bud.rulefile.large": {"规则文件太大（最多 1 MB）。", "The rule file is too large (1 MB at most)."},
	"bud.ruleset":        {"规则集", "Rule set"},
	"v.amount_nonneg":    {"请填写不小于零的金额，最多两位小数。", "Want an amount of zero or more, at most two decimals."},
	"v.date_required":    {"请填写日期（年-月-日）。", "Want a date (YYYY-MM-DD)."},
	"v.approver":         {"请填写批准人。", "Who approved it is required."},
	"v.project":          {"没有这个项目，或您无权调整它。", "No such project, or not yours to adjust."},
	"v.source":           {"没有这个资金来源。", "No such source."},
}

type budgetData struct {
	CanAdjust  bool
	Categories []rules.Category
	Sources    []rules.Source
	// The adjustment form.
	Form                                          string // "adjust" or "whatif": which form the error is about
	Field, Error                                  string
	Project, Category, Source, Amount, On, Reason string
	Approver                                      string
	Change                                        *funding.BudgetLineChange
	// The what-if.
	District string
	WhatIf   *funding.WhatIf
}

func (s *Server) budgetPage(w http.ResponseWriter, r *http.Request) {
	s.showBudget(w, r, http.StatusOK, budgetData{})
}

func (s *Server) showBudget(w http.ResponseWriter, r *http.Request, status int, d budgetData) {
	p := principal(r)
	d.CanAdjust = p.CanWriteAny()
	d.Categories, d.Sources = rules.Categories(), rules.Sources()
	s.render(w, r, status, "budget.html", pageData{Title: "bud.title", Data: d})
}

// budgetAdjustForm adjusts one budget line (CSRF and Origin checked by
// browser()).
func (s *Server) budgetAdjustForm(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if !p.CanWriteAny() {
		s.pageFail(w, r, access.ErrDenied)
		return
	}
	lang := langOf(r)
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	d := budgetData{Form: "adjust", Project: f("project"), Category: f("category"), Source: f("source"), Amount: f("amount"),
		On: f("on"), Reason: f("reason"), Approver: f("approver")}
	refuse := func(field, key string) {
		d.Field, d.Error = field, key
		s.log.Info("budget adjustment refused", "user", p.User, "project", d.Project, "field", field)
		s.showBudget(w, r, http.StatusUnprocessableEntity, d)
	}
	pr, err := s.prog.Project(r.Context(), d.Project)
	if err != nil || !p.CanWrite(pr.District) {
		refuse("project", msg(lang, "v.project"))
		return
	}
	if _, ok := rules.LookupCategory(d.Category); !ok {
		refuse("category", msg(lang, "v.category"))
		return
	}
	if d.Source != "" {
		if _, ok := rules.LookupSource(d.Source); !ok {
			refuse("source", msg(lang, "v.source"))
			return
		}
	}
	budget, err := amount.Parse(d.Amount)
	if err != nil || budget.IsNegative() {
		refuse("amount", msg(lang, "v.amount_nonneg"))
		return
	}
	on, err := ledger.ParseDate(d.On)
	if err != nil {
		refuse("on", msg(lang, "v.date_required"))
		return
	}
	if d.Reason == "" {
		refuse("reason", msg(lang, "v.reason_required"))
		return
	}
	if d.Approver == "" {
		refuse("approver", msg(lang, "v.approver"))
		return
	}
	c, err := s.prog.AdjustBudget(r.Context(), funding.BudgetAdjustment{Project: pr.Code, Category: d.Category, Source: d.Source,
		Budget: budget, On: on, Reason: d.Reason, Approver: d.Approver, Actor: p.User})
	if err != nil {
		status, m := userMessage(lang, err)
		if status >= 500 {
			s.page500(w, r, err)
			return
		}
		field := "amount"
		if errors.Is(err, ledger.ErrPeriodClosed) {
			field = "on"
		}
		refuse(field, m)
		return
	}
	s.log.Info("budget adjusted", "user", p.User, "project", pr.Code, "category", d.Category, "source", d.Source, "budget", budget.StringFixed(2))
	d.Change = &c
	s.showBudget(w, r, http.StatusOK, d)
}

// budgetWhatIfForm computes a rule file's effect; nothing is posted.
func (s *Server) budgetWhatIfForm(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	p := principal(r)
	d := budgetData{Form: "whatif", District: strings.TrimSpace(r.FormValue("district"))}
	refuse := func(field, m string) {
		d.Field, d.Error = field, m
		s.showBudget(w, r, http.StatusUnprocessableEntity, d)
	}
	if d.District != "" && !p.CanRead(d.District) {
		s.pageFail(w, r, access.ErrDenied)
		return
	}
	if d.District == "" && !p.AllDistricts() {
		ds, err := s.readableDistricts(r)
		if err != nil || len(ds) == 0 {
			s.pageFail(w, r, access.ErrDenied)
			return
		}
		d.District = ds[0].Code
	}
	file, hdr, err := r.FormFile("rules")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			refuse("rules", msg(lang, "bud.rulefile.large"))
		} else {
			refuse("rules", msg(lang, "bud.rulefile.none"))
		}
		return
	}
	data, err := io.ReadAll(io.LimitReader(file, maxRuleUpload+1))
	_ = file.Close()
	if err != nil || len(data) > maxRuleUpload {
		refuse("rules", msg(lang, "bud.rulefile.large"))
		return
	}
	wi, err := s.prog.WhatIf(r.Context(), hdr.Filename, data, d.District)
	if err != nil {
		status, m := userMessage(lang, err)
		if status >= 500 {
			s.page500(w, r, err)
			return
		}
		refuse("rules", m)
		return
	}
	d.WhatIf = &wi
	s.showBudget(w, r, http.StatusOK, d)
}

func (s *Server) registerBudgetUI() {
	s.handlePages(
		route{"GET", "/budget", false, s.browser(s.budgetPage)},
		route{"POST", "/budget/adjust", false, s.browser(s.budgetAdjustForm)},
		route{"POST", "/budget/whatif", false, limitBody(maxRuleUpload+1<<16, s.browser(s.budgetWhatIfForm))},
	)
}
