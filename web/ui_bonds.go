package web

// Special bonds (专项债券) in the browser, the finance bureau's:
//
//	GET  /bonds                 the bonds: search, filter (issued or not), sort, paging (≤ 200)
//	POST /bonds/{action}        register, issue, allocate, revenue, accrue, pay
//
// Each form calls the funding function the API calls (RegisterBond,
// IssueBond, AllocateBond, RecordBondRevenue, AccrueBondInterest, PayBond);
// a payment larger than the reserve needs a named backstop. Everyone reads
// the list; only the bureau sees the forms (project revenue may also be
// recorded by the project's district officer).

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/access"
	"fundledger/funding"
)

// MaxBondsPage bounds a page of the bonds list.
const MaxBondsPage = 200

var bondMessages = map[string][2]string{
	"nav.bonds":        {"专项债券", "Bonds"},
	"bd.title":         {"专项债券", "Special bonds"},
	"bd.list":          {"债券", "Bonds"},
	"bd.code":          {"债券代码", "Bond code"},
	"bd.name":          {"名称", "Name"},
	"bd.issue_date":    {"发行日期", "Issue date"},
	"bd.principal":     {"本金（元）", "Principal (yuan)"},
	"bd.rate":          {"票面利率（%）", "Coupon (%)"},
	"bd.term":          {"期限（年）", "Term (years)"},
	"bd.freq":          {"付息频率", "Interest paid"},
	"bd.annual":        {"每年", "Yearly"},
	"bd.semi":          {"每半年", "Half-yearly"},
	"bd.repay":         {"还本方式", "Repayment"},
	"bd.bullet":        {"到期一次还本", "At maturity"},
	"bd.amort":         {"分期还本", "In instalments"},
	"bd.grace":         {"宽限期（年）", "Grace (years)"},
	"bd.reserve":       {"偿债准备金账户", "Reserve bank account"},
	"bd.status":        {"状态", "Status"},
	"bd.issued":        {"已发行", "Issued"},
	"bd.notissued":     {"未发行", "Not issued"},
	"bd.all":           {"全部", "All"},
	"bd.register":      {"登记债券", "Register a bond"},
	"bd.issue":         {"发行（资金到账）", "Issue (proceeds arrive)"},
	"bd.issued_on":     {"到账日期", "Proceeds on"},
	"bd.bank":          {"收款账户", "Bank account"},
	"bd.reference":     {"凭证号", "Reference"},
	"bd.allocate":      {"分配给项目", "Allocate to a project"},
	"bd.project":       {"项目编号", "Project code"},
	"bd.amount":        {"金额（元）", "Amount (yuan)"},
	"bd.on":            {"日期", "Date"},
	"bd.revenue":       {"项目收益入账", "Project revenue"},
	"bd.kind":          {"收益类型", "Kind"},
	"bd.anybond":       {"按分配比例拆分", "Split by allocation"},
	"bd.accrue":        {"计提利息", "Accrue interest"},
	"bd.through":       {"计提至", "Through"},
	"bd.pay":           {"还本付息", "Pay interest and principal"},
	"bd.due":           {"应付日", "Due date"},
	"bd.paid_on":       {"支付日期（可不填：应付日）", "Paid on (blank: the due date)"},
	"bd.backstop":      {"准备金不足时的兜底来源", "Backstop when the reserve is short"},
	"bd.nobackstop":    {"无（不足则拒绝）", "None (refuse when short)"},
	"bd.done":          {"已完成：", "Done: "},
	"bd.search":        {"按代码或名称查找", "Find by code or name"},
	"bd.sort":          {"排序", "Sort"},
	"bd.sort.code":     {"按代码", "By code"},
	"bd.sort.date":     {"按发行日期", "By issue date"},
	"bd.sort.amount":   {"按本金（大到小）", "By principal (largest first)"},
	"bd.limit":         {"每页最多 200 行。", "At most 200 rows a page."},
	"bd.none":          {"没有债券。", "No bonds."},
	"v.bd.rate":        {"请填写利率（%），如 3.76。", "Want a rate in per cent, e.g. 3.76."},
	"bd.done.register": {"已登记债券", "Bond registered"},
	"bd.done.issue":    {"已发行", "Issued"},
	"bd.done.allocate": {"已分配", "Allocated"},
	"bd.done.revenue":  {"已入账收益", "Revenue recorded"},
	"bd.done.accrue":   {"已计提利息，期数", "Interest accrued, instalments"},
	"bd.done.pay":      {"已还本付息", "Paid"},
}

type bondsData struct {
	CanWrite       bool
	Bonds          []funding.Bond
	Search, Status string
	Sort           string
	Page           int
	Prev, Next     string
	Key            string // idempotency key of this page's forms
	Done           string
	Forms          []pageFormView
}

func newFormKey(user string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "web/" + user + "/" + base64.RawURLEncoding.EncodeToString(b)
}

// The bond forms, declared (see decodeForm); a form whose idempotency
// key the page carries says keyed.

type bondRegisterForm struct {
	Code      string          `form:"code" label:"bd.code" required:"true"`
	Name      string          `form:"name" label:"bd.name" required:"true"`
	IssueDate time.Time       `form:"issue_date" label:"bd.issue_date" required:"true"`
	Principal decimal.Decimal `form:"principal" label:"bd.principal" required:"true"`
	Rate      decimal.Decimal `form:"rate" label:"bd.rate" kind:"decimal" required:"true"`
	Term      int             `form:"term" label:"bd.term" required:"true"`
	Frequency string          `form:"frequency" label:"bd.freq" options:"bond_frequencies"`
	Repayment string          `form:"repayment" label:"bd.repay" options:"bond_repayments"`
	Grace     int             `form:"grace" label:"bd.grace"`
	Reserve   string          `form:"reserve" label:"bd.reserve"`
}

type bondIssueForm struct {
	Bond      string    `form:"bond" label:"bd.code" required:"true"`
	IssuedOn  time.Time `form:"issued_on" label:"bd.issued_on"`
	Bank      string    `form:"bank" label:"bd.bank"`
	Reference string    `form:"reference" label:"bd.reference"`
}

type bondAllocateForm struct {
	Bond      string          `form:"bond" label:"bd.code" required:"true"`
	Project   string          `form:"project" label:"bd.project" required:"true"`
	Amount    decimal.Decimal `form:"amount" label:"bd.amount" required:"true"`
	On        time.Time       `form:"on" label:"bd.on" required:"true"`
	Reference string          `form:"reference" label:"bd.reference"`
}

type bondRevenueForm struct {
	Project   string          `form:"project" label:"bd.project" required:"true"`
	Bond      string          `form:"bond" label:"bd.code"`
	Kind      string          `form:"kind" label:"bd.kind" options:"bond_revenue_kinds" required:"true"`
	Amount    decimal.Decimal `form:"amount" label:"bd.amount" required:"true"`
	On        time.Time       `form:"on" label:"bd.on" required:"true"`
	Bank      string          `form:"bank" label:"bd.bank"`
	Reference string          `form:"reference" label:"bd.reference"`
}

type bondAccrueForm struct {
	Bond    string    `form:"bond" label:"bd.code" required:"true"`
	Through time.Time `form:"through" label:"bd.through" required:"true"`
}

type bondPayForm struct {
	Bond      string    `form:"bond" label:"bd.code" required:"true"`
	Due       time.Time `form:"due" label:"bd.due" required:"true"`
	PaidOn    time.Time `form:"paid_on" label:"bd.paid_on"`
	Backstop  string    `form:"backstop" label:"bd.backstop" options:"backstops"`
	Reference string    `form:"reference" label:"bd.reference"`
}

// bondForms are the bond forms, in the page's order; each runs the
// funding call the API makes.
func (s *Server) bondForms() []pageForm {
	return []pageForm{
		declaredForm("register", "bd.register", func(r *http.Request, f bondRegisterForm) (string, error) {
			if !f.Rate.IsPositive() {
				return "", &formError{Field: "rate", Label: "bd.rate", Key: "v.bd.rate"}
			}
			b, err := s.prog.RegisterBond(r.Context(), funding.BondInput{Code: f.Code, Name: f.Name, IssueDate: f.IssueDate, Principal: f.Principal,
				CouponRatePct: f.Rate, TermYears: f.Term, Frequency: f.Frequency, Repayment: f.Repayment, GraceYears: f.Grace,
				ReserveBankAccount: f.Reserve}, principal(r).User)
			return b.Code, err
		}),
		declaredForm("issue", "bd.issue", func(r *http.Request, f bondIssueForm) (string, error) {
			res, err := s.prog.IssueBond(r.Context(), funding.BondIssueRequest{Bond: f.Bond, IssuedOn: f.IssuedOn, BankAccount: f.Bank,
				Reference: f.Reference, Actor: principal(r).User})
			return res.Bond + " " + res.Amount.StringFixed(2), err
		}),
		declaredForm("allocate", "bd.allocate", func(r *http.Request, f bondAllocateForm) (string, error) {
			res, err := s.prog.AllocateBond(r.Context(), funding.BondAllocationRequest{Bond: f.Bond, Project: f.Project, Amount: f.Amount,
				AllocatedOn: f.On, Reference: f.Reference, IdempotencyKey: r.PostFormValue("key"), Actor: principal(r).User})
			return res.Bond + " → " + res.Project + " " + res.Amount.StringFixed(2), err
		}).withKey(),
		declaredForm("revenue", "bd.revenue", func(r *http.Request, f bondRevenueForm) (string, error) {
			_, err := s.prog.RecordBondRevenue(r.Context(), funding.BondRevenueRequest{Project: f.Project, Bond: f.Bond, Kind: f.Kind, Amount: f.Amount,
				ReceivedOn: f.On, BankAccount: f.Bank, Reference: f.Reference, IdempotencyKey: r.PostFormValue("key"), Actor: principal(r).User})
			return f.Project + " " + f.Amount.StringFixed(2), err
		}).withKey(),
		declaredForm("accrue", "bd.accrue", func(r *http.Request, f bondAccrueForm) (string, error) {
			acc, err := s.prog.AccrueBondInterest(r.Context(), f.Bond, f.Through, principal(r).User)
			return f.Bond + " " + strconv.Itoa(len(acc)), err
		}),
		declaredForm("pay", "bd.pay", func(r *http.Request, f bondPayForm) (string, error) {
			res, err := s.prog.PayBond(r.Context(), funding.BondPaymentRequest{Bond: f.Bond, DueDate: f.Due, PaidOn: f.PaidOn, Backstop: f.Backstop,
				Reference: f.Reference, Actor: principal(r).User})
			return res.Bond + " " + day(res.DueDate), err
		}),
	}
}

func (s *Server) bondsPage(w http.ResponseWriter, r *http.Request) {
	s.showBonds(w, r, http.StatusOK, bondsData{Done: r.URL.Query().Get("done")}, pageOutcome{})
}

func (s *Server) showBonds(w http.ResponseWriter, r *http.Request, status int, d bondsData, out pageOutcome) {
	q := r.URL.Query()
	all, err := s.prog.Bonds(r.Context())
	if err != nil {
		s.page500(w, r, err)
		return
	}
	d.Search, d.Status, d.Sort = strings.TrimSpace(q.Get("q")), q.Get("status"), q.Get("sort")
	for _, b := range all {
		if d.Search != "" && !strings.Contains(strings.ToLower(b.Code+" "+b.Name), strings.ToLower(d.Search)) {
			continue
		}
		if (d.Status == "issued" && !b.Issued) || (d.Status == "open" && b.Issued) {
			continue
		}
		d.Bonds = append(d.Bonds, b)
	}
	switch d.Sort {
	case "date":
		slices.SortStableFunc(d.Bonds, func(a, b funding.Bond) int { return a.IssueDate.Compare(b.IssueDate) })
	case "amount":
		slices.SortStableFunc(d.Bonds, func(a, b funding.Bond) int { return b.Principal.Cmp(a.Principal) })
	default:
		d.Sort = "code"
	}
	d.Page, _ = strconv.Atoi(q.Get("page"))
	pages := max(1, (len(d.Bonds)+MaxBondsPage-1)/MaxBondsPage)
	d.Page = min(max(d.Page, 1), pages)
	link := func(n int) string {
		v := url.Values{"q": {d.Search}, "status": {d.Status}, "sort": {d.Sort}, "page": {strconv.Itoa(n)}}
		return "/bonds?" + v.Encode()
	}
	if d.Page > 1 {
		d.Prev = link(d.Page - 1)
	}
	if d.Page < pages {
		d.Next = link(d.Page + 1)
	}
	d.Bonds = d.Bonds[(d.Page-1)*MaxBondsPage : min(len(d.Bonds), d.Page*MaxBondsPage)]
	p := principal(r)
	d.CanWrite = p.Role == access.FinanceBureau
	d.Key = newFormKey(p.User)
	if d.CanWrite {
		if d.Forms, err = s.pageForms(r, s.bondForms(), out, func(name string) (string, string) { return name, "bond-" + name + "-error" }); err != nil {
			s.page500(w, r, err)
			return
		}
	}
	s.render(w, r, status, "bonds.html", pageData{Title: "bd.title", Data: d})
}

// bondForm runs one of the bond forms: the finance bureau's, and a
// project's revenue also its district officer's.
func (s *Server) bondForm(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	action := r.PathValue("action")
	i := slices.IndexFunc(s.bondForms(), func(f pageForm) bool { return f.name == action })
	if i < 0 {
		s.errorPage(w, r, http.StatusNotFound, "err.notfound")
		return
	}
	_ = r.ParseForm()
	if p.Role != access.FinanceBureau {
		pr, err := s.prog.Project(r.Context(), strings.TrimSpace(r.PostFormValue("project")))
		if action != "revenue" || err != nil || !p.CanWrite(pr.District) {
			s.pageFail(w, r, access.ErrDenied)
			return
		}
	}
	out := s.runPageForm(r, s.bondForms()[i])
	switch {
	case out.status >= 500:
		s.page500(w, r, out.err)
	case out.status == http.StatusForbidden:
		s.pageFail(w, r, out.err)
	case out.err != nil:
		s.log.Info("bond form refused", "user", p.User, "action", action, "reason", out.err.Error())
		s.showBonds(w, r, http.StatusUnprocessableEntity, bondsData{}, out)
	default:
		s.log.Info("bond "+action, "user", p.User, "what", out.done)
		http.Redirect(w, r, "/bonds?"+url.Values{"done": {msg(langOf(r), "bd.done."+action) + " " + out.done}}.Encode(), http.StatusSeeOther)
	}
}

func (s *Server) registerBondsUI() {
	s.handlePages(
		route{"GET", "/bonds", false, s.browser(s.bondsPage)},
		route{"POST", "/bonds/{action}", false, s.browser(s.bondForm)},
	)
}
