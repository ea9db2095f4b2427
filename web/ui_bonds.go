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
	"fundledger/amount"
	"fundledger/funding"
	"fundledger/ledger"
)

// MaxBondsPage bounds a page of the bonds list.
const MaxBondsPage = 200

func init() {
	mergeMessages(bondMessages)
}

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
	"v.bd.int":         {"请填写整数。", "Want a whole number."},
	"v.bd.rate":        {"请填写利率（%），如 3.76。", "Want a rate in per cent, e.g. 3.76."},
	"v.bd.amount":      {"请填写大于零的金额，最多两位小数。", "Want an amount above zero, at most two decimals."},
	"v.bd.date":        {"请填写日期（年-月-日）。", "Want a date (YYYY-MM-DD)."},
	"v.bd.required":    {"必填。", "Required."},
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
	Kinds          []funding.BondRevenueKind
	Backstops      []funding.BackstopSource
	Key            string // idempotency key of this page's forms
	Form           string // the form the outcome is about
	Field, Error   string
	Done           string
	Values         url.Values
}

func (d bondsData) V(k string) string { return d.Values.Get(k) }

func newFormKey(user string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "web/" + user + "/" + base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) bondsPage(w http.ResponseWriter, r *http.Request) {
	s.showBonds(w, r, http.StatusOK, bondsData{Done: r.URL.Query().Get("done")})
}

func (s *Server) showBonds(w http.ResponseWriter, r *http.Request, status int, d bondsData) {
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
	d.Kinds, d.Backstops = funding.BondRevenueKinds(), funding.BackstopSources()
	d.Key = newFormKey(p.User)
	if d.Values == nil {
		d.Values = url.Values{}
	}
	s.render(w, r, status, "bonds.html", pageData{Title: "bd.title", Data: d})
}

// bondFieldError is a refusal of one field of a bond form.
type bondFieldError struct{ field, key string }

func (e bondFieldError) Error() string { return e.field + ": " + e.key }

// bondForm runs one of the bond forms.
func (s *Server) bondForm(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	action := r.PathValue("action")
	lang := langOf(r)
	if !slices.Contains([]string{"register", "issue", "allocate", "revenue", "accrue", "pay"}, action) {
		s.errorPage(w, r, http.StatusNotFound, "err.notfound")
		return
	}
	_ = r.ParseForm()
	d := bondsData{Form: action, Values: r.PostForm}
	get := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	var fe *bondFieldError
	need := func(k string) string {
		v := get(k)
		if v == "" && fe == nil {
			fe = &bondFieldError{k, "v.bd.required"}
		}
		return v
	}
	money := func(k string) decimal.Decimal {
		v, err := amount.ParsePositive(get(k))
		if err != nil && fe == nil {
			fe = &bondFieldError{k, "v.bd.amount"}
		}
		return v
	}
	day := func(k string, optional bool) time.Time {
		v := get(k)
		if v == "" && optional {
			return time.Time{}
		}
		t, err := ledger.ParseDate(v)
		if err != nil && fe == nil {
			fe = &bondFieldError{k, "v.bd.date"}
		}
		return t
	}
	integer := func(k string) int {
		n, err := strconv.Atoi(get(k))
		if err != nil && fe == nil {
			fe = &bondFieldError{k, "v.bd.int"}
		}
		return n
	}
	if p.Role != access.FinanceBureau {
		allowed := false
		if action == "revenue" {
			if pr, err := s.prog.Project(r.Context(), get("project")); err == nil && p.CanWrite(pr.District) {
				allowed = true
			}
		}
		if !allowed {
			s.pageFail(w, r, access.ErrDenied)
			return
		}
	}
	var done string
	var err error
	switch action {
	case "register":
		in := funding.BondInput{Code: need("code"), Name: need("name"), IssueDate: day("issue_date", false), Principal: money("principal"),
			TermYears: integer("term"), Frequency: need("frequency"), Repayment: need("repayment"), ReserveBankAccount: get("reserve")}
		if rate, e := decimal.NewFromString(get("rate")); e == nil && rate.IsPositive() {
			in.CouponRatePct = rate
		} else if fe == nil {
			fe = &bondFieldError{"rate", "v.bd.rate"}
		}
		if g := get("grace"); g != "" {
			in.GraceYears = integer("grace")
		}
		if fe == nil {
			var b funding.Bond
			b, err = s.prog.RegisterBond(r.Context(), in, p.User)
			done = b.Code
		}
	case "issue":
		req := funding.BondIssueRequest{Bond: need("bond"), IssuedOn: day("issued_on", true), BankAccount: get("bank"), Reference: get("reference"), Actor: p.User}
		if fe == nil {
			var res funding.BondIssue
			res, err = s.prog.IssueBond(r.Context(), req)
			done = res.Bond + " " + res.Amount.StringFixed(2)
		}
	case "allocate":
		req := funding.BondAllocationRequest{Bond: need("bond"), Project: need("project"), Amount: money("amount"), AllocatedOn: day("on", false),
			Reference: get("reference"), IdempotencyKey: need("key"), Actor: p.User}
		if fe == nil {
			var res funding.BondAllocation
			res, err = s.prog.AllocateBond(r.Context(), req)
			done = res.Bond + " → " + res.Project + " " + res.Amount.StringFixed(2)
		}
	case "revenue":
		req := funding.BondRevenueRequest{Project: need("project"), Bond: get("bond"), Kind: need("kind"), Amount: money("amount"), ReceivedOn: day("on", false),
			BankAccount: get("bank"), Reference: get("reference"), IdempotencyKey: need("key"), Actor: p.User}
		if fe == nil {
			_, err = s.prog.RecordBondRevenue(r.Context(), req)
			done = req.Project + " " + req.Amount.StringFixed(2)
		}
	case "accrue":
		bond, through := need("bond"), day("through", false)
		if fe == nil {
			var acc []funding.BondAccrual
			acc, err = s.prog.AccrueBondInterest(r.Context(), bond, through, p.User)
			done = bond + " " + strconv.Itoa(len(acc))
		}
	case "pay":
		req := funding.BondPaymentRequest{Bond: need("bond"), DueDate: day("due", false), PaidOn: day("paid_on", true), Backstop: get("backstop"),
			Reference: get("reference"), Actor: p.User}
		if fe == nil {
			var res funding.BondPayment
			res, err = s.prog.PayBond(r.Context(), req)
			done = res.Bond + " " + res.DueDate.Format("2006-01-02")
		}
	}
	if fe != nil {
		d.Field, d.Error = fe.field, msg(lang, fe.key)
		s.showBonds(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	if err != nil {
		status, m := userMessage(lang, err)
		if status >= 500 {
			s.page500(w, r, err)
			return
		}
		if status == http.StatusForbidden {
			s.pageFail(w, r, err)
			return
		}
		d.Field, d.Error = "", m
		s.log.Info("bond form refused", "user", p.User, "action", action, "reason", err.Error())
		s.showBonds(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	s.log.Info("bond "+action, "user", p.User, "what", done)
	http.Redirect(w, r, "/bonds?"+url.Values{"done": {msg(lang, "bd.done."+action) + " " + done}}.Encode(), http.StatusSeeOther)
}

func (s *Server) registerBondsUI() {
	s.handlePages(
		route{"GET", "/bonds", false, s.browser(s.bondsPage)},
		route{"POST", "/bonds/{action}", false, s.browser(s.bondForm)},
	)
}
