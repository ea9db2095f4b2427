package web

// The loan pages: the list of the loans the user reads (search, filters,
// pages of at most MaxLoanPage), and a loan's page — terms, figures, the
// schedule in force and its earlier versions, drawdowns, accruals,
// payments, prepayments, rates, subsidies — with the forms of the loan's
// work (draw, accrue, pay, prepay, reset the rate, commit and pay the
// subsidy) for the finance bureau and the officers of the borrower's
// district. A refusal is shown in the page's language next to the field
// at fault, the form as filled in.
//
//	GET  /loans                    the list (?q= ?district= ?lender= ?status= ?after=)
//	GET  /loans/{code}             a loan (?version= shows an earlier schedule)
//	POST /loans/{code}/{action}    one of the forms (CSRF token, idempotency key in the form)

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
)

// MaxLoanPage bounds a page of the loan list.
const MaxLoanPage = 200

func (s *Server) registerLoansUI() {
	s.handlePages(
		route{"GET", "/loans", false, s.browser(s.loansPage)},
		route{"GET", "/loans/{code}", false, s.browser(s.loanPage)},
		route{"POST", "/loans/{code}/{action}", false, s.browser(s.loanFormPost)},
	)
}

// loanMessages are the loan pages' words.
var loanMessages = map[string][2]string{
	"nav.loans":                   {"贷款", "Loans"},
	"loans.title":                 {"贷款", "Loans"},
	"loans.search":                {"查找", "Search"},
	"loans.q":                     {"编号或名称", "Code or name"},
	"loans.district":              {"区市", "District"},
	"loans.lender":                {"贷款银行", "Lender"},
	"loans.status":                {"状态", "Status"},
	"loans.any":                   {"全部", "Any"},
	"loans.st.undrawn":            {"未提款", "Undrawn"},
	"loans.st.outstanding":        {"有余额", "Outstanding"},
	"loans.st.repaid":             {"已还清", "Repaid"},
	"loans.none":                  {"没有符合条件的贷款。", "No loan matches."},
	"loans.next":                  {"下一页", "Next page"},
	"loan.title":                  {"贷款", "Loan"},
	"loan.kind":                   {"贷款类型", "Lender kind"},
	"loan.kind.policy_bank":       {"政策性银行", "Policy bank"},
	"loan.kind.commercial":        {"商业银行", "Commercial bank"},
	"loan.rate":                   {"利率", "Rate"},
	"loan.rate.fixed":             {"固定利率", "Fixed"},
	"loan.rate.floating":          {"浮动利率（LPR加点）", "Floating (LPR + spread)"},
	"loan.start":                  {"起息日", "Start"},
	"loan.maturity":               {"到期日", "Maturity"},
	"loan.term":                   {"期限（月）", "Term (months)"},
	"loan.frequency":              {"还款频率", "Frequency"},
	"loan.grace":                  {"宽限期（月）", "Grace (months)"},
	"loan.repayment":              {"还款方式", "Repayment"},
	"loan.projects":               {"项目", "Projects"},
	"loan.company":                {"实施主体", "Implementing company"},
	"loan.figures":                {"贷款余额", "Position"},
	"loan.amount":                 {"贷款金额", "Loan amount"},
	"loan.drawn":                  {"已提款", "Drawn"},
	"loan.repaid":                 {"已还本金", "Principal repaid"},
	"loan.outstanding":            {"本金余额", "Principal outstanding"},
	"loan.interestpaid":           {"已付利息", "Interest paid"},
	"loan.subsidypaid":            {"已拨贴息", "Subsidy paid"},
	"loan.schedule":               {"还款计划", "Repayment schedule"},
	"loan.noschedule":             {"首次提款后生成还款计划。", "The schedule is made at the first drawdown."},
	"loan.version":                {"版本", "Version"},
	"loan.inforce":                {"现行版本", "in force"},
	"loan.versions":               {"还款计划历次版本", "Schedule versions"},
	"loan.effective":              {"生效日", "Effective"},
	"loan.reason":                 {"原因", "Reason"},
	"loan.totalinterest":          {"利息合计", "Total interest"},
	"loan.seq":                    {"期次", "No."},
	"loan.period":                 {"计息期", "Period"},
	"loan.due":                    {"还款日", "Due date"},
	"loan.ratepct":                {"年利率%", "Rate %"},
	"loan.opening":                {"期初本金", "Opening principal"},
	"loan.col.drawn":              {"提款", "Drawn"},
	"loan.col.prepaid":            {"提前还款", "Prepaid"},
	"loan.interest":               {"利息", "Interest"},
	"loan.principal":              {"本金", "Principal"},
	"loan.closing":                {"期末本金", "Closing principal"},
	"loan.drawdowns":              {"提款记录", "Drawdowns"},
	"loan.accruals":               {"利息计提", "Interest accruals"},
	"loan.payments":               {"还本付息", "Payments"},
	"loan.prepayments":            {"提前还款", "Prepayments"},
	"loan.rates":                  {"利率调整", "Rates"},
	"loan.subsidies":              {"贴息下达", "Subsidies committed"},
	"loan.subsidypayments":        {"贴息拨付", "Subsidies paid"},
	"loan.level":                  {"补助层级", "Level"},
	"loan.project":                {"项目", "Project"},
	"loan.reference":              {"凭证号", "Reference"},
	"loan.none":                   {"暂无记录。", "None yet."},
	"loan.done":                   {"已记录。", "Recorded."},
	"loan.replayed":               {"该表单已提交过，未重复记录。", "This form was already submitted; nothing was recorded twice."},
	"loan.forms":                  {"办理", "Record"},
	"lf.drawdowns":                {"提款", "Draw"},
	"lf.accruals":                 {"计提利息", "Accrue interest"},
	"lf.payments":                 {"还本付息", "Pay a due date"},
	"lf.prepayments":              {"提前还款", "Prepay"},
	"lf.rate-resets":              {"调整利率（LPR）", "Reset the rate (LPR)"},
	"lf.subsidies":                {"下达贴息", "Commit the subsidy"},
	"lf.subsidy-payments":         {"拨付贴息", "Pay the subsidy"},
	"lf.amount":                   {"金额（元）", "Amount (yuan)"},
	"lf.drawn_on":                 {"提款日期", "Drawn on"},
	"lf.through":                  {"计提至", "Through"},
	"lf.due_date":                 {"还款日", "Due date"},
	"lf.paid_on":                  {"支付日期", "Paid on"},
	"lf.on":                       {"调整日（重定价日）", "Reset date"},
	"lf.lpr_pct":                  {"LPR（%）", "LPR (%)"},
	"lf.reason":                   {"原因", "Reason"},
	"lf.level":                    {"补助层级", "Level"},
	"lf.paid_to":                  {"拨付对象", "Paid to"},
	"lf.paid_to.borrower":         {"借款人", "Borrower"},
	"lf.paid_to.lender":           {"贷款银行", "Lender"},
	"loan.freq.monthly":           {"按月", "Monthly"},
	"loan.freq.quarterly":         {"按季", "Quarterly"},
	"loan.freq.semi-annual":       {"按半年", "Semi-annual"},
	"loan.freq.annual":            {"按年", "Annual"},
	"loan.repay.equal_principal":  {"等额本金", "Equal principal"},
	"loan.repay.equal_instalment": {"等额本息", "Equal instalment"},
	"loan.repay.bullet":           {"到期一次还本", "Bullet"},
	"loan.repay.custom":           {"自定义还本计划", "Custom"},
	"level.central":               {"中央", "Central"},
	"level.provincial":            {"省级", "Provincial"},
	"level.municipal":             {"市级", "Municipal"},
	"level.district":              {"区级", "District"},
}

type loanListRow struct {
	Loan     funding.Loan
	District string
}

type loansPageData struct {
	Rows      []loanListRow
	Q         string
	District  string
	Lender    string
	Status    string
	Statuses  []string
	Districts []funding.District
	Next      string // the query of the next page, "" on the last
}

func (s *Server) loansPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	d := loansPageData{Q: strings.TrimSpace(q.Get("q")), District: strings.TrimSpace(q.Get("district")), Lender: strings.TrimSpace(q.Get("lender")),
		Status: q.Get("status"), Statuses: []string{funding.LoanUndrawn, funding.LoanOutstanding, funding.LoanRepaid}}
	switch d.Status {
	case "", funding.LoanUndrawn, funding.LoanOutstanding, funding.LoanRepaid:
	default:
		d.Status = ""
	}
	if len(d.Q) > 100 {
		d.Q = d.Q[:100]
	}
	if len(d.Lender) > 200 {
		d.Lender = d.Lender[:200]
	}
	district, err := s.districtParam(ctx, d.District)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	limit := MaxLoanPage
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 && n < MaxLoanPage {
		limit = n
	}
	codes, more, err := funding.LoanCodes(ctx, s.db, funding.LoanFilter{Scope: readScope(ctx), District: district, Lender: d.Lender, Status: d.Status,
		Query: d.Q, After: q.Get("after"), Limit: limit})
	if err != nil {
		s.page500(w, r, err)
		return
	}
	for _, c := range codes {
		l, err := s.prog.Loan(ctx, c)
		if err != nil {
			s.page500(w, r, err)
			return
		}
		d.Rows = append(d.Rows, loanListRow{Loan: l})
	}
	if d.Districts, err = s.readableDistricts(r); err != nil {
		s.page500(w, r, err)
		return
	}
	names := map[string]string{}
	for _, x := range d.Districts {
		names[x.Code] = districtName(langOf(r), x)
	}
	for i := range d.Rows {
		d.Rows[i].District = names[d.Rows[i].Loan.District]
	}
	if more && len(codes) > 0 {
		next := url.Values{"q": {d.Q}, "district": {d.District}, "lender": {d.Lender}, "status": {d.Status}, "after": {codes[len(codes)-1]}}
		if limit != MaxLoanPage {
			next.Set("limit", strconv.Itoa(limit))
		}
		d.Next = next.Encode()
	}
	s.render(w, r, http.StatusOK, "loans.html", pageData{Title: "loans.title", Data: d})
}

// formField is one labelled input of a loan form.
type formField struct {
	Name, Label, Type, Value string
	Required                 bool
	Options                  [][2]string // value, label (a select)
	Error                    string      // the refusal, next to the field
}

// loanFormView is one form of the loan page, as shown.
type loanFormView struct {
	Action, Title, Key string
	Fields             []formField
	Error              string // a refusal about no one field
}

type loanPageData struct {
	Loan     loanDetailJSON
	Schedule *loanScheduleJSON // the version shown
	InForce  int
	District funding.District
	CanWrite bool
	Forms    []loanFormView
	Done     string
	Replayed bool
	Records  []loanRecordSection
}

// loanRecordSection is one list of the loan's records.
type loanRecordSection struct {
	Title, ID string
	Events    []loanEventJSON
}

// loanAction is a form of the loan page: its fields in order.
type loanAction struct {
	action string
	fields []string
}

var loanActions = []loanAction{
	{"drawdowns", []string{"project", "amount", "drawn_on", "reference"}},
	{"accruals", []string{"through"}},
	{"payments", []string{"due_date", "paid_on", "reference"}},
	{"prepayments", []string{"amount", "paid_on", "reference"}},
	{"rate-resets", []string{"on", "lpr_pct", "reason"}},
	{"subsidies", []string{"due_date"}},
	{"subsidy-payments", []string{"due_date", "level", "paid_on", "paid_to", "reference"}},
}

// loanFormInput is a form as posted (or empty), and its refusal.
type loanFormInput struct {
	Action string
	Values url.Values
	Field  string
	Error  string
}

func (s *Server) loanPage(w http.ResponseWriter, r *http.Request) {
	s.showLoan(w, r, http.StatusOK, r.PathValue("code"), loanFormInput{})
}

func (s *Server) showLoan(w http.ResponseWriter, r *http.Request, status int, code string, in loanFormInput) {
	ctx := r.Context()
	l, err := s.readableLoan(ctx, code)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	det, err := s.loanDetail(ctx, l)
	if err != nil {
		s.page500(w, r, err)
		return
	}
	dist, err := funding.LookupDistrict(ctx, s.db, l.District)
	if err != nil {
		s.page500(w, r, err)
		return
	}
	lang := langOf(r)
	pd := loanPageData{Loan: det, Schedule: det.ScheduleInForce, District: dist, CanWrite: principal(r).CanWrite(l.District),
		Done: r.URL.Query().Get("done"), Replayed: r.URL.Query().Get("replayed") == "1"}
	if det.ScheduleInForce != nil {
		pd.InForce = det.ScheduleInForce.Version
	}
	if v, err := strconv.Atoi(r.URL.Query().Get("version")); err == nil && v > 0 && v != pd.InForce {
		sc, err := s.prog.LoanSchedule(ctx, code, v)
		if err != nil {
			s.pageFail(w, r, err)
			return
		}
		j := loanScheduleOut(sc)
		pd.Schedule = &j
	}
	pd.Records = []loanRecordSection{{"loan.drawdowns", "drawdowns", det.Drawdowns}, {"loan.accruals", "accruals", det.Accruals},
		{"loan.payments", "payments", det.Payments}, {"loan.prepayments", "prepayments", det.Prepayments}, {"loan.rates", "rates", det.Rates},
		{"loan.subsidies", "subsidies", det.Subsidies}, {"loan.subsidypayments", "subsidy-payments", det.SubsidyPayments}}
	if pd.CanWrite {
		pd.Forms = loanForms(lang, l, det, in)
	}
	s.render(w, r, status, "loan.html", pageData{Title: "loan.title", TitleText: l.Code + " " + l.Name, Data: pd})
}

// loanForms builds the forms of the loan page, the one posted as filled in
// with its refusal; defaults: today, the next due date not yet paid.
func loanForms(lang string, l funding.Loan, det loanDetailJSON, in loanFormInput) []loanFormView {
	today := time.Now().Format(ledger.DateLayout)
	nextDue := ""
	if det.ScheduleInForce != nil {
		paid := map[string]bool{}
		for _, p := range det.Payments {
			paid[p.DueDate] = true
		}
		for _, x := range det.ScheduleInForce.Lines {
			if !paid[x.DueDate] {
				nextDue = x.DueDate
				break
			}
		}
	}
	var projects [][2]string
	for _, p := range l.Projects {
		projects = append(projects, [2]string{p, p})
	}
	var levels [][2]string
	for _, lv := range []string{"central", "provincial", "municipal", "district"} {
		levels = append(levels, [2]string{lv, text(lang, "level."+lv)})
	}
	out := []loanFormView{}
	for _, a := range loanActions {
		if a.action == "rate-resets" && l.RateKind != funding.RateFloating {
			continue
		}
		f := loanFormView{Action: a.action, Title: text(lang, "lf."+a.action), Key: randomToken()}
		posted := in.Action == a.action
		if posted {
			if k := in.Values.Get("key"); formKeyRE.MatchString(k) {
				f.Key = k
			}
		}
		for _, name := range a.fields {
			ff := formField{Name: name, Label: text(lang, "lf."+name), Type: "text"}
			switch name {
			case "project":
				ff.Label, ff.Options, ff.Required = text(lang, "loan.project"), projects, true
			case "amount":
				ff.Required = true
			case "drawn_on", "through", "paid_on":
				ff.Type, ff.Value, ff.Required = "date", today, a.action != "payments"
				if a.action == "subsidy-payments" {
					ff.Value = nextDue
				}
				if a.action == "payments" {
					ff.Value = ""
				}
			case "due_date", "on":
				ff.Type, ff.Value, ff.Required = "date", nextDue, true
			case "lpr_pct":
				ff.Required = true
			case "level":
				ff.Options, ff.Required = levels, true
			case "paid_to":
				ff.Options = [][2]string{{"borrower", text(lang, "lf.paid_to.borrower")}, {"lender", text(lang, "lf.paid_to.lender")}}
			case "reference":
				ff.Label = text(lang, "loan.reference")
			}
			if posted {
				ff.Value = in.Values.Get(name)
				if in.Field == name {
					ff.Error = in.Error
				}
			}
			f.Fields = append(f.Fields, ff)
		}
		if posted && in.Field == "" {
			f.Error = in.Error
		}
		out = append(out, f)
	}
	return out
}

// loanRefusalField is the form field a named error of the loan work is
// about ("" when none is).
func loanRefusalField(action string, err error) string {
	switch {
	case errors.Is(err, funding.ErrExceedsFacility):
		return "amount"
	case errors.Is(err, funding.ErrInterestNotPaid), errors.Is(err, funding.ErrSubsidyExceedsInterest):
		return "due_date"
	case errors.Is(err, funding.ErrStatus) && action == "prepayments":
		return "paid_on" // a prepayment into a period already accrued or paid
	case errors.Is(err, funding.ErrNotFound) && action != "drawdowns":
		for _, a := range loanActions {
			if a.action == action {
				return a.fields[0]
			}
		}
	}
	return ""
}

// loanFormPost records one form of the loan page (behind browser(): the
// CSRF token is checked) and redirects back (303); a refusal re-shows the
// page (422) with the form as filled in.
func (s *Server) loanFormPost(w http.ResponseWriter, r *http.Request) {
	code, action := r.PathValue("code"), r.PathValue("action")
	known := false
	for _, a := range loanActions {
		known = known || a.action == action
	}
	if !known {
		s.errorPage(w, r, http.StatusNotFound, "err.notfound")
		return
	}
	ctx := r.Context()
	p := principal(r)
	if _, err := s.writableLoan(ctx, code); err != nil {
		s.pageFail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "err.csrf")
		return
	}
	in := loanFormInput{Action: action, Values: url.Values{}}
	for k, v := range r.PostForm {
		if k != "csrf" && len(v) > 0 {
			in.Values.Set(k, strings.TrimSpace(v[0]))
		}
	}
	key := in.Values.Get("key")
	if !formKeyRE.MatchString(key) {
		s.errorPage(w, r, http.StatusBadRequest, "err.csrf")
		return
	}
	lang := langOf(r)
	v := in.Values.Get
	var fieldErr error
	var field string
	day := func(name string, required bool) time.Time {
		if fieldErr != nil {
			return time.Time{}
		}
		if !required && v(name) == "" {
			return time.Time{}
		}
		t, err := parseDay(name, v(name))
		if err != nil {
			fieldErr, field = err, name
		}
		return t
	}
	amountOf := func(name string) decimal.Decimal {
		if fieldErr != nil {
			return decimal.Zero
		}
		d, err := parseAmount(name, v(name))
		if err != nil {
			fieldErr, field = err, name
		}
		return d
	}
	actor := p.User
	replayed := false
	var err error
	switch action {
	case "drawdowns":
		amt, on := amountOf("amount"), day("drawn_on", true)
		if fieldErr == nil {
			var x funding.LoanDrawdown
			x, err = s.prog.DrawLoan(ctx, funding.LoanDrawdownRequest{Loan: code, Project: v("project"), Amount: amt, DrawnOn: on,
				Reference: v("reference"), IdempotencyKey: "web/" + actor + "/" + key, Actor: actor})
			replayed = x.Replayed
		}
	case "accruals":
		through := day("through", true)
		if fieldErr == nil {
			_, err = s.prog.AccrueLoanInterest(ctx, code, through, actor)
		}
	case "payments":
		due, paid := day("due_date", true), day("paid_on", false)
		if fieldErr == nil {
			var x funding.LoanPayment
			x, err = s.prog.PayLoan(ctx, funding.LoanPaymentRequest{Loan: code, DueDate: due, PaidOn: paid, Reference: v("reference"), Actor: actor})
			replayed = x.Replayed
		}
	case "prepayments":
		amt, on := amountOf("amount"), day("paid_on", true)
		if fieldErr == nil {
			var x funding.LoanPrepayment
			x, err = s.prog.PrepayLoan(ctx, funding.LoanPrepaymentRequest{Loan: code, Amount: amt, PaidOn: on, Reference: v("reference"),
				IdempotencyKey: "web/" + actor + "/" + key, Actor: actor})
			replayed = x.Replayed
		}
	case "rate-resets":
		on := day("on", true)
		if fieldErr == nil {
			lpr, perr := parseDecimal("lpr_pct", v("lpr_pct"))
			if perr != nil {
				fieldErr, field = perr, "lpr_pct"
			} else {
				_, err = s.prog.ResetLoanRate(ctx, funding.LoanRateResetRequest{Loan: code, On: on, LPRPct: lpr, Reason: v("reason"), Actor: actor})
			}
		}
	case "subsidies":
		due := day("due_date", true)
		if fieldErr == nil {
			_, err = s.prog.CommitLoanSubsidies(ctx, funding.LoanSubsidyCommitRequest{Loan: code, DueDate: due, Actor: actor})
		}
	case "subsidy-payments":
		due, paid := day("due_date", true), day("paid_on", true)
		if fieldErr == nil {
			var x funding.LoanSubsidyPayment
			x, err = s.prog.PayLoanSubsidy(ctx, funding.LoanSubsidyPaymentRequest{Loan: code, DueDate: due, Level: v("level"), PaidOn: paid,
				PaidTo: v("paid_to"), Reference: v("reference"), Actor: actor})
			replayed = x.Replayed
		}
	}
	if fieldErr != nil {
		_, in.Error = userMessage(lang, fieldErr)
		in.Field = field
		s.showLoan(w, r, http.StatusUnprocessableEntity, code, in)
		return
	}
	if err != nil {
		status, words := userMessage(lang, err)
		if status >= 500 {
			s.page500(w, r, err)
			return
		}
		s.log.Info("loan form refused", "user", actor, "loan", code, "action", action, "status", status, "reason", err.Error())
		in.Error, in.Field = words, loanRefusalField(action, err)
		s.showLoan(w, r, http.StatusUnprocessableEntity, code, in)
		return
	}
	q := "?done=" + url.QueryEscape(action)
	if replayed {
		q += "&replayed=1"
	}
	http.Redirect(w, r, "/loans/"+url.PathEscape(code)+q, http.StatusSeeOther)
}
