package web

// Loans (政策性银行贷款 and commercial loans) and what goes with them:
// implementing companies, capital injections, investment subsidies, and
// the loan, capital and district-debt reports. A loan is its borrower's
// district's (the district, or the implementing company's district): the
// officers of that district read and write it, the finance bureau every
// loan, the auditor reads. Each write is one call into package funding.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/requests"
)

func (s *Server) registerLoans() {
	const tag = apiTag("loans")
	register(s, tag.read("/api/loans", "The loans of the districts the caller reads (?district=, ?lender=, ?status=undrawn|outstanding|repaid), paged"), s.listLoans)
	register(s, tag.read("/api/loans/{code}", "A loan: terms, position, the schedule in force, its versions and the loan's records"), s.getLoan)
	register(s, tag.read("/api/loans/{code}/schedule", "A loan's repayment schedule (?version=, the newest when absent)"), s.loanSchedule)
	register(s, tag.create("/api/loans", "Register a loan (funding.RegisterLoan)"), s.postLoan)
	register(s, tag.create("/api/loans/{code}/drawdowns", "Draw on a loan for one of its projects (funding.DrawLoan)"), s.postLoanDrawdown)
	register(s, tag.create("/api/loans/{code}/prepayments", "Repay principal early (funding.PrepayLoan)"), s.postLoanPrepayment)
	register(s, tag.create("/api/loans/{code}/rate-resets", "Reset a floating loan's rate on a reset date (funding.ResetLoanRate)"), s.postLoanRateReset)
	register(s, tag.create("/api/loans/{code}/accruals", "Accrue the interest due on or before a date (funding.AccrueLoanInterest)"), s.postLoanAccruals)
	register(s, tag.create("/api/loans/{code}/payments", "Pay the interest and principal of a due date (funding.PayLoan)"), s.postLoanPayment)
	register(s, tag.create("/api/loans/{code}/subsidies", "Commit the interest subsidies (贴息) of a due date (funding.CommitLoanSubsidies)"), s.postLoanSubsidies)
	register(s, tag.create("/api/loans/{code}/subsidy-payments", "Pay a committed interest subsidy once the period's interest is paid (funding.PayLoanSubsidy)"), s.postLoanSubsidyPayment)
	register(s, tag.create("/api/companies", "Register an implementing company (funding.RegisterCompany)"), s.postCompany)
	register(s, tag.create("/api/capital-injections", "Inject capital into an implementing company for a project (funding.InjectCapital)"), s.postCapitalInjection)
	register(s, tag.create("/api/capital-uses", "Spend injected capital on a project (funding.UseCapital)"), s.postCapitalUse)
	register(s, tag.bureauCreate("/api/investment-subsidies", "approve investment subsidies", "Approve an investment subsidy of a project (funding.ApproveInvestmentSubsidy)"), s.postInvestmentSubsidy)
	register(s, tag.bureauCreate("/api/investment-subsidies/payments", "pay investment subsidies", "Pay an investment subsidy against the investment completed (funding.PayInvestmentSubsidy)"), s.postInvestmentSubsidyPayment)
	register(s, apiTag("reports").read("/api/reports/loans", "Each loan, each project's share and each district's debt as of a day (funding.LoanReport)"), s.loansReport)
	register(s, apiTag("reports").read("/api/reports/capital", "Capital injections and investment subsidies: approved, received, used (funding.CapitalReport)"), s.capitalReport)
	register(s, apiTag("reports").read("/api/reports/district-debt", "Each district's debt, bonds and loans together, as of a day"), s.districtDebtReport)
}

type loanJSON struct {
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Lender      string    `json:"lender"`
	LenderKind  string    `json:"lender_kind"`
	District    string    `json:"district"`
	Company     string    `json:"company,omitempty"`
	Source      string    `json:"source"`
	Projects    []string  `json:"projects"`
	Amount      moneyJSON `json:"amount"`
	RateKind    string    `json:"rate_kind"`
	SpreadBP    int       `json:"spread_bp,omitempty"`
	ResetMonths int       `json:"reset_months,omitempty"`
	Start       string    `json:"start"`
	Maturity    string    `json:"maturity"`
	TermMonths  int       `json:"term_months"`
	Frequency   string    `json:"frequency"`
	GraceMonths int       `json:"grace_months"`
	Repayment   string    `json:"repayment"`
	CreatedBy   string    `json:"created_by"`
}

func loanOut(l funding.Loan) loanJSON {
	projects := l.Projects
	if projects == nil {
		projects = []string{}
	}
	return loanJSON{Code: l.Code, Name: l.Name, Lender: l.Lender, LenderKind: l.LenderKind, District: l.District, Company: l.Company,
		Source: l.Source, Projects: projects, Amount: money(l.Amount), RateKind: l.RateKind, SpreadBP: l.SpreadBP, ResetMonths: l.ResetMonths,
		Start: day(l.Start), Maturity: day(l.Maturity()), TermMonths: l.TermMonths, Frequency: l.Frequency, GraceMonths: l.GraceMonths,
		Repayment: l.Repayment, CreatedBy: l.CreatedBy}
}

// readableLoan loads a loan the caller may read (404, then 403).
func (s *Server) readableLoan(ctx context.Context, code string) (funding.Loan, error) {
	l, err := s.prog.Loan(ctx, code)
	if err != nil {
		return funding.Loan{}, err
	}
	return l, principalOf(ctx).CheckRead(l.District)
}

// writableLoan loads a loan the caller may change.
func (s *Server) writableLoan(ctx context.Context, code string) (funding.Loan, error) {
	l, err := s.prog.Loan(ctx, code)
	if err != nil {
		return funding.Loan{}, err
	}
	return l, principalOf(ctx).CheckWrite(l.District)
}

type loansIn struct {
	PageQuery
	District string `query:"district" doc:"district code or Chinese name"`
	Lender   string `query:"lender" maxLength:"200" doc:"part of the lender's name, or policy_bank / commercial"`
	Status   string `query:"status" enum:"undrawn,outstanding,repaid," doc:"undrawn, outstanding (principal owed) or repaid"`
	Q        string `query:"q" maxLength:"100" doc:"part of the code or name"`
}

func (s *Server) listLoans(ctx context.Context, in *loansIn) (*bodyOut[page[loanJSON]], error) {
	district, err := s.districtParam(ctx, in.District)
	if err != nil {
		return nil, err
	}
	limit := in.Limit
	if limit <= 0 {
		limit = DefaultPageSize
	}
	codes, more, err := funding.LoanCodes(ctx, s.db, funding.LoanFilter{Scope: readScope(ctx), District: district, Lender: strings.TrimSpace(in.Lender),
		Status: in.Status, Query: strings.TrimSpace(in.Q), After: in.After, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := page[loanJSON]{Items: []loanJSON{}}
	for _, c := range codes {
		l, err := s.prog.Loan(ctx, c)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, loanOut(l))
	}
	if more && len(codes) > 0 {
		out.Next = codes[len(codes)-1]
	}
	return ok(out), nil
}

type loanLineJSON struct {
	Seq              int       `json:"seq"`
	PeriodStart      string    `json:"period_start"`
	DueDate          string    `json:"due_date"`
	RatePct          string    `json:"rate_pct"`
	OpeningPrincipal moneyJSON `json:"opening_principal"`
	Drawn            moneyJSON `json:"drawn"`
	Prepaid          moneyJSON `json:"prepaid"`
	Interest         moneyJSON `json:"interest"`
	Principal        moneyJSON `json:"principal"`
	Total            moneyJSON `json:"total"`
	Closing          moneyJSON `json:"closing_principal"`
}

type loanScheduleJSON struct {
	Loan          string         `json:"loan"`
	Version       int            `json:"version"`
	EffectiveOn   string         `json:"effective_on"`
	Repayment     string         `json:"repayment"`
	Rounding      string         `json:"rounding"`
	Reason        string         `json:"reason,omitempty"`
	TotalInterest moneyJSON      `json:"total_interest"`
	CreatedBy     string         `json:"created_by"`
	Lines         []loanLineJSON `json:"lines"`
}

func loanScheduleOut(sc funding.LoanSchedule) loanScheduleJSON {
	out := loanScheduleJSON{Loan: sc.Loan, Version: sc.Version, EffectiveOn: day(sc.EffectiveOn), Repayment: sc.Repayment, Rounding: sc.Rounding,
		Reason: sc.Reason, TotalInterest: money(sc.TotalInterest), CreatedBy: sc.CreatedBy, Lines: []loanLineJSON{}}
	for _, l := range sc.Lines {
		out.Lines = append(out.Lines, loanLineJSON{Seq: l.Seq, PeriodStart: day(l.PeriodStart), DueDate: day(l.DueDate), RatePct: l.RatePct.String(),
			OpeningPrincipal: money(l.OpeningPrincipal), Drawn: money(l.Drawn), Prepaid: money(l.Prepaid), Interest: money(l.Interest),
			Principal: money(l.Principal), Total: money(l.Total()), Closing: money(l.Closing())})
	}
	return out
}

func (s *Server) loanSchedule(ctx context.Context, in *scheduleIn) (*bodyOut[loanScheduleJSON], error) {
	if _, err := s.readableLoan(ctx, in.Code); err != nil {
		return nil, err
	}
	sc, err := s.prog.LoanSchedule(ctx, in.Code, in.Version)
	if err != nil {
		return nil, err
	}
	return ok(loanScheduleOut(sc)), nil
}

// The loan's records, as the loan page shows them.

type loanVersionJSON struct {
	Version       int       `json:"version" db:"version"`
	EffectiveOn   string    `json:"effective_on" db:"-"`
	Reason        string    `json:"reason" db:"reason"`
	TotalInterest moneyJSON `json:"total_interest" db:"-"`
	CreatedBy     string    `json:"created_by" db:"created_by"`
}

type loanEventJSON struct {
	On        string    `json:"on"`
	Project   string    `json:"project,omitempty"`
	DueDate   string    `json:"due_date,omitempty"`
	Level     string    `json:"level,omitempty"`
	Amount    moneyJSON `json:"amount"`
	Interest  moneyJSON `json:"interest,omitempty"`
	Principal moneyJSON `json:"principal,omitempty"`
	Detail    string    `json:"detail,omitempty"`
	Actor     string    `json:"actor"`
}

type loanRecordsJSON struct {
	Versions         []loanVersionJSON `json:"schedule_versions"`
	Drawdowns        []loanEventJSON   `json:"drawdowns"`
	Accruals         []loanEventJSON   `json:"accruals"`
	Payments         []loanEventJSON   `json:"payments"`
	Prepayments      []loanEventJSON   `json:"prepayments"`
	Rates            []loanEventJSON   `json:"rates"`
	Subsidies        []loanEventJSON   `json:"subsidies"`
	SubsidyPayments  []loanEventJSON   `json:"subsidy_payments"`
	ScheduleInForce  *loanScheduleJSON `json:"schedule,omitempty"`
	DrawnTotal       moneyJSON         `json:"drawn"`
	RepaidTotal      moneyJSON         `json:"principal_repaid"`
	OutstandingTotal moneyJSON         `json:"principal_outstanding"`
	InterestPaid     moneyJSON         `json:"interest_paid"`
	SubsidyPaid      moneyJSON         `json:"subsidy_paid"`
}

type loanDetailJSON struct {
	loanJSON
	loanRecordsJSON
}

// loanRecords reads a loan's records (funding.ReadLoanRecords): schedule
// versions, drawdowns, accruals, payments, prepayments, rates and subsidies.
func loanRecords(ctx context.Context, db sqlx.QueryerContext, code string) (loanRecordsJSON, error) {
	rec, err := funding.ReadLoanRecords(ctx, db, code)
	if err != nil {
		return loanRecordsJSON{}, err
	}
	out := loanRecordsJSON{Versions: []loanVersionJSON{}, Drawdowns: loanEventsOut(rec.Drawdowns, false), Accruals: loanEventsOut(rec.Accruals, false),
		Payments: loanEventsOut(rec.Payments, false), Prepayments: loanEventsOut(rec.Prepayments, false), Rates: loanEventsOut(rec.Rates, true),
		Subsidies: loanEventsOut(rec.Subsidies, false), SubsidyPayments: loanEventsOut(rec.SubsidyPaid, false), DrawnTotal: money(rec.Drawn),
		RepaidTotal: money(rec.Repaid), OutstandingTotal: money(rec.Outstanding), InterestPaid: money(rec.InterestPaid),
		SubsidyPaid: money(rec.SubsidyPaidTotal)}
	for _, v := range rec.Versions {
		out.Versions = append(out.Versions, loanVersionJSON{Version: v.Version, EffectiveOn: day(v.EffectiveOn), Reason: v.Reason,
			TotalInterest: money(v.TotalInterest), CreatedBy: v.CreatedBy})
	}
	return out, nil
}

// loanEventsOut is a list of a loan's records; a rate is per cent, not
// money: as stored.
func loanEventsOut(es []funding.LoanEvent, rate bool) []loanEventJSON {
	out := []loanEventJSON{}
	for _, r := range es {
		e := loanEventJSON{On: day(r.On), Project: r.Project, Level: r.Level, Amount: money(r.Amount), Detail: r.Detail, Actor: r.Actor}
		if rate {
			e.Amount = r.Amount.String()
		}
		if r.DueDate.Valid {
			e.DueDate = day(r.DueDate.Time)
		}
		if !r.Interest.IsZero() || !r.Principal.IsZero() {
			e.Interest, e.Principal = money(r.Interest), money(r.Principal)
		}
		out = append(out, e)
	}
	return out
}

// loanDetail is a loan with its records and the schedule in force.
func (s *Server) loanDetail(ctx context.Context, l funding.Loan) (loanDetailJSON, error) {
	rec, err := loanRecords(ctx, s.db, l.Code)
	if err != nil {
		return loanDetailJSON{}, err
	}
	if len(rec.Versions) > 0 {
		sc, err := s.prog.LoanSchedule(ctx, l.Code, 0)
		if err != nil {
			return loanDetailJSON{}, err
		}
		j := loanScheduleOut(sc)
		rec.ScheduleInForce = &j
	}
	return loanDetailJSON{loanJSON: loanOut(l), loanRecordsJSON: rec}, nil
}

func (s *Server) getLoan(ctx context.Context, in *CodePath) (*bodyOut[loanDetailJSON], error) {
	l, err := s.readableLoan(ctx, in.Code)
	if err != nil {
		return nil, err
	}
	d, err := s.loanDetail(ctx, l)
	if err != nil {
		return nil, err
	}
	return ok(d), nil
}

// Writes.

// loanDistrict is the district a loan input borrows for: its district, or
// its company's.
func (s *Server) loanDistrict(ctx context.Context, district, company string) (string, error) {
	if strings.TrimSpace(district) != "" {
		d, err := funding.LookupDistrict(ctx, s.db, district)
		if err != nil {
			return "", err
		}
		return d.Code, nil
	}
	if strings.TrimSpace(company) == "" {
		return "", invalid("district", "v.required", "district")
	}
	co, err := s.prog.Company(ctx, company)
	if err != nil {
		return "", err
	}
	return co.District, nil
}

func (s *Server) postLoan(ctx context.Context, in *writeIn[requests.Loan]) (*writeOut[loanJSON], error) {
	li, err := input(in.Body.Input())
	if err != nil {
		return nil, err
	}
	district, err := s.loanDistrict(ctx, li.District, li.Company)
	return created(firstErr(err, principalOf(ctx).CheckWrite(district)), func() error { return right(s.prog.Loan(ctx, li.Code)) },
		func() (funding.Loan, error) { return s.prog.RegisterLoan(ctx, li, principalOf(ctx).User) }, loanOut)
}

type loanDrawdownJSON struct {
	ID              int64     `json:"id"`
	Loan            string    `json:"loan"`
	Project         string    `json:"project"`
	Amount          moneyJSON `json:"amount"`
	DrawnOn         string    `json:"drawn_on"`
	ScheduleVersion int       `json:"schedule_version"`
	PostedJSON
}

func loanDrawdownOut(_ context.Context, q funding.LoanDrawdownRequest, d funding.LoanDrawdown) (loanDrawdownJSON, bool) {
	return loanDrawdownJSON{ID: d.ID, Loan: d.Loan, Project: d.Project, Amount: money(d.Amount), DrawnOn: day(d.DrawnOn),
		ScheduleVersion: d.ScheduleVersion, PostedJSON: posted(d.FinancialEntry, d.BudgetEntry, q.Actor)}, d.Replayed
}

func (s *Server) postLoanDrawdown(ctx context.Context, in *codeWriteIn[requests.LoanDrawdown]) (*writeOut[loanDrawdownJSON], error) {
	return write(ctx, right(s.writableLoan(ctx, in.Code)), s.prog.DrawLoan, in.Body.Request(caller(ctx, in.Code)), loanDrawdownOut)
}

type loanPrepaymentJSON struct {
	ID              int64     `json:"id"`
	Loan            string    `json:"loan"`
	Amount          moneyJSON `json:"amount"`
	PaidOn          string    `json:"paid_on"`
	ScheduleVersion int       `json:"schedule_version"`
	PostedJSON
}

func loanPrepaymentOut(_ context.Context, q funding.LoanPrepaymentRequest, x funding.LoanPrepayment) (loanPrepaymentJSON, bool) {
	return loanPrepaymentJSON{ID: x.ID, Loan: x.Loan, Amount: money(x.Amount), PaidOn: day(x.PaidOn), ScheduleVersion: x.ScheduleVersion,
		PostedJSON: posted(x.FinancialEntry, x.BudgetEntry, q.Actor)}, x.Replayed
}

func (s *Server) postLoanPrepayment(ctx context.Context, in *codeWriteIn[requests.LoanPrepayment]) (*writeOut[loanPrepaymentJSON], error) {
	return write(ctx, right(s.writableLoan(ctx, in.Code)), s.prog.PrepayLoan, in.Body.Request(caller(ctx, in.Code)), loanPrepaymentOut)
}

// postLoanRateReset: the same reset again makes no new version (200,
// Idempotent-Replayed: true).
func (s *Server) postLoanRateReset(ctx context.Context, in *codeWriteIn[requests.LoanRateReset]) (*writeOut[loanScheduleJSON], error) {
	before := 0
	if sc, err := s.prog.LoanSchedule(ctx, in.Code, 0); err == nil {
		before = sc.Version
	}
	again := func(_ context.Context, _ funding.LoanRateResetRequest, sc funding.LoanSchedule) (loanScheduleJSON, bool) {
		return loanScheduleOut(sc), sc.Version == before
	}
	return write(ctx, right(s.writableLoan(ctx, in.Code)), s.prog.ResetLoanRate, in.Body.Request(caller(ctx, in.Code)), again)
}

type loanAccrualJSON struct {
	DueDate  string    `json:"due_date"`
	Seq      int       `json:"seq"`
	Interest moneyJSON `json:"interest"`
	EntryID  int64     `json:"entry_id"`
}

type loanAccrualsJSON struct {
	Loan     string            `json:"loan"`
	Through  string            `json:"through"`
	Accruals []loanAccrualJSON `json:"accruals"`
	Actor    string            `json:"actor"`
}

// postLoanAccruals: 201 when something was accrued; 200 with no accruals
// when everything due was accrued already.
func (s *Server) postLoanAccruals(ctx context.Context, in *codeWriteIn[requests.LoanAccruals]) (*writeOut[loanAccrualsJSON], error) {
	if _, err := s.writableLoan(ctx, in.Code); err != nil {
		return nil, err
	}
	through := in.Body.Through.Time()
	acc, err := s.prog.AccrueLoanInterest(ctx, in.Code, through, principalOf(ctx).User)
	if err != nil {
		return nil, err
	}
	out := loanAccrualsJSON{Loan: in.Code, Through: day(through), Accruals: []loanAccrualJSON{}, Actor: principalOf(ctx).User}
	for _, x := range acc {
		out.Accruals = append(out.Accruals, loanAccrualJSON{DueDate: day(x.DueDate), Seq: x.Seq, Interest: money(x.Interest), EntryID: x.EntryID})
	}
	return accrued(out, len(out.Accruals))
}

// accrued answers an accrual: 201 when something was accrued, 200 when
// everything due was accrued already.
func accrued[O any](out O, n int) (*writeOut[O], error) {
	if n == 0 {
		return status(http.StatusOK, out, false), nil
	}
	return status(http.StatusCreated, out, false), nil
}

type loanPaymentJSON struct {
	Loan            string    `json:"loan"`
	DueDate         string    `json:"due_date"`
	PaidOn          string    `json:"paid_on"`
	Seq             int       `json:"seq"`
	ScheduleVersion int       `json:"schedule_version"`
	Interest        moneyJSON `json:"interest"`
	Principal       moneyJSON `json:"principal"`
	Total           moneyJSON `json:"total"`
	PostedJSON
}

func loanPaymentOut(_ context.Context, q funding.LoanPaymentRequest, x funding.LoanPayment) (loanPaymentJSON, bool) {
	return loanPaymentJSON{Loan: x.Loan, DueDate: day(x.DueDate), PaidOn: day(x.PaidOn), Seq: x.Seq, ScheduleVersion: x.ScheduleVersion,
		Interest: money(x.Interest), Principal: money(x.Principal), Total: money(x.Interest.Add(x.Principal)), PostedJSON: posted(x.FinancialEntry, x.BudgetEntry, q.Actor)}, x.Replayed
}

func (s *Server) postLoanPayment(ctx context.Context, in *codeWriteIn[requests.LoanPayment]) (*writeOut[loanPaymentJSON], error) {
	return write(ctx, right(s.writableLoan(ctx, in.Code)), s.prog.PayLoan, in.Body.Request(caller(ctx, in.Code)), loanPaymentOut)
}

type loanSubsidyJSON struct {
	Loan        string    `json:"loan"`
	DueDate     string    `json:"due_date"`
	Level       string    `json:"level"`
	RuleSetID   int64     `json:"rule_set_id"`
	Interest    moneyJSON `json:"interest"`
	Amount      moneyJSON `json:"amount"`
	LimitedBy   string    `json:"limited_by,omitempty"`
	BudgetEntry int64     `json:"budget_entry"`
}

type loanSubsidiesJSON struct {
	Loan      string            `json:"loan"`
	DueDate   string            `json:"due_date"`
	Subsidies []loanSubsidyJSON `json:"subsidies"`
	Actor     string            `json:"actor"`
}

// postLoanSubsidies: 201 when a subsidy was committed; 200 with
// Idempotent-Replayed when every one had been.
func (s *Server) postLoanSubsidies(ctx context.Context, in *codeWriteIn[requests.LoanSubsidies]) (*writeOut[loanSubsidiesJSON], error) {
	if _, err := s.writableLoan(ctx, in.Code); err != nil {
		return nil, err
	}
	q := in.Body.Request(caller(ctx, in.Code))
	subs, err := s.prog.CommitLoanSubsidies(ctx, q)
	if err != nil {
		return nil, err
	}
	out := loanSubsidiesJSON{Loan: in.Code, DueDate: day(q.DueDate), Subsidies: []loanSubsidyJSON{}, Actor: q.Actor}
	replayed := len(subs) > 0
	for _, x := range subs {
		replayed = replayed && x.Replayed
		out.Subsidies = append(out.Subsidies, loanSubsidyJSON{Loan: x.Loan, DueDate: day(x.DueDate), Level: x.Level, RuleSetID: x.RuleSetID,
			Interest: money(x.Interest), Amount: money(x.Amount), LimitedBy: x.LimitedBy, BudgetEntry: x.BudgetEntry})
	}
	if len(subs) == 0 {
		return status(http.StatusOK, out, false), nil
	}
	return written(out, replayed), nil
}

type loanSubsidyPaymentJSON struct {
	Loan         string    `json:"loan"`
	DueDate      string    `json:"due_date"`
	Level        string    `json:"level"`
	PaidOn       string    `json:"paid_on"`
	Amount       moneyJSON `json:"amount"`
	InterestPaid moneyJSON `json:"interest_paid"`
	PostedJSON
}

func loanSubsidyPaymentOut(_ context.Context, q funding.LoanSubsidyPaymentRequest, x funding.LoanSubsidyPayment) (loanSubsidyPaymentJSON, bool) {
	return loanSubsidyPaymentJSON{Loan: x.Loan, DueDate: day(x.DueDate), Level: x.Level, PaidOn: day(x.PaidOn), Amount: money(x.Amount),
		InterestPaid: money(x.InterestPaid), PostedJSON: posted(x.FinancialEntry, x.BudgetEntry, q.Actor)}, x.Replayed
}

func (s *Server) postLoanSubsidyPayment(ctx context.Context, in *codeWriteIn[requests.LoanSubsidyPayment]) (*writeOut[loanSubsidyPaymentJSON], error) {
	return write(ctx, right(s.writableLoan(ctx, in.Code)), s.prog.PayLoanSubsidy, in.Body.Request(caller(ctx, in.Code)), loanSubsidyPaymentOut)
}

// Companies, capital and investment subsidies.

type companyJSON struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	District string `json:"district"`
}

func (s *Server) postCompany(ctx context.Context, in *writeIn[requests.Company]) (*writeOut[companyJSON], error) {
	ci := in.Body.Input()
	d, err := funding.LookupDistrict(ctx, s.db, ci.District)
	return created(firstErr(err, principalOf(ctx).CheckWrite(d.Code)), func() error { return right(s.prog.Company(ctx, ci.Code)) },
		func() (funding.Company, error) { return s.prog.RegisterCompany(ctx, ci, principalOf(ctx).User) },
		func(co funding.Company) companyJSON {
			return companyJSON{Code: co.Code, Name: co.Name, District: co.District}
		})
}

type capitalJSON struct {
	ID       int64     `json:"id"`
	Company  string    `json:"company"`
	Project  string    `json:"project"`
	Level    string    `json:"level,omitempty"`
	Category string    `json:"category,omitempty"`
	Amount   moneyJSON `json:"amount"`
	On       string    `json:"on"`
	PostedJSON
}

func capitalInjectionOut(_ context.Context, q funding.CapitalInjectionRequest, x funding.CapitalInjection) (capitalJSON, bool) {
	return capitalJSON{ID: x.ID, Company: x.Company, Project: x.Project, Level: x.Level, Amount: money(x.Amount), On: day(x.InjectedOn),
		PostedJSON: posted(x.FinancialEntry, x.BudgetEntry, q.Actor)}, x.Replayed
}

func (s *Server) postCapitalInjection(ctx context.Context, in *writeIn[requests.CapitalInjection]) (*writeOut[capitalJSON], error) {
	return write(ctx, right(s.writableProject(ctx, in.Body.Project)), s.prog.InjectCapital, in.Body.Request(caller(ctx, "")), capitalInjectionOut)
}

// capitalUseOut: a use answers what was asked (funding.CapitalUse holds
// the amount and entries only).
func capitalUseOut(_ context.Context, q funding.CapitalUseRequest, x funding.CapitalUse) (capitalJSON, bool) {
	return capitalJSON{ID: x.ID, Company: q.Company, Project: q.Project, Category: q.Category, Amount: money(x.Amount), On: day(q.PaidOn),
		PostedJSON: posted(x.FinancialEntry, x.BudgetEntry, q.Actor)}, x.Replayed
}

func (s *Server) postCapitalUse(ctx context.Context, in *writeIn[requests.CapitalUse]) (*writeOut[capitalJSON], error) {
	return write(ctx, right(s.writableProject(ctx, in.Body.Project)), s.prog.UseCapital, in.Body.Request(caller(ctx, "")), capitalUseOut)
}

type investmentSubsidyJSON struct {
	Project             string    `json:"project"`
	Level               string    `json:"level"`
	SharePct            string    `json:"share_pct"`
	ApprovedInvestment  moneyJSON `json:"approved_investment"`
	Cap                 moneyJSON `json:"cap"`
	ApprovedOn          string    `json:"approved_on"`
	Paid                moneyJSON `json:"paid"`
	CompletedInvestment moneyJSON `json:"completed_investment"`
	BudgetEntry         int64     `json:"budget_entry"`
}

func investmentSubsidyOut(_ context.Context, _ funding.InvestmentSubsidyApproval, x funding.InvestmentSubsidy) (investmentSubsidyJSON, bool) {
	return investmentSubsidyJSON{Project: x.Project, Level: x.Level, SharePct: x.SharePct.String(), ApprovedInvestment: money(x.ApprovedInvestment),
		Cap: money(x.Cap), ApprovedOn: day(x.ApprovedOn), Paid: money(x.Paid), CompletedInvestment: money(x.CompletedInvestment),
		BudgetEntry: x.BudgetEntry}, false
}

func (s *Server) postInvestmentSubsidy(ctx context.Context, in *writeIn[requests.InvestmentSubsidy]) (*writeOut[investmentSubsidyJSON], error) {
	return write(ctx, nil, s.prog.ApproveInvestmentSubsidy, in.Body.Request(caller(ctx, "")), investmentSubsidyOut)
}

type investmentSubsidyPaymentJSON struct {
	ID      int64     `json:"id"`
	Project string    `json:"project"`
	Level   string    `json:"level"`
	Amount  moneyJSON `json:"amount"`
	Allowed moneyJSON `json:"allowed"`
	PostedJSON
}

func investmentSubsidyPaymentOut(_ context.Context, q funding.InvestmentSubsidyPaymentRequest,
	x funding.InvestmentSubsidyPayment) (investmentSubsidyPaymentJSON, bool) {
	return investmentSubsidyPaymentJSON{ID: x.ID, Project: q.Project, Level: q.Level, Amount: money(x.Amount), Allowed: money(x.Allowed),
		PostedJSON: posted(x.FinancialEntry, x.BudgetEntry, q.Actor)}, x.Replayed
}

func (s *Server) postInvestmentSubsidyPayment(ctx context.Context,
	in *writeIn[requests.InvestmentSubsidyPayment]) (*writeOut[investmentSubsidyPaymentJSON], error) {
	return write(ctx, nil, s.prog.PayInvestmentSubsidy, in.Body.Request(caller(ctx, "")), investmentSubsidyPaymentOut)
}

// Reports.

type loanReportIn struct {
	AsOfQuery
	District string `query:"district" doc:"district code or Chinese name; a district officer with more than one district must name one"`
}

// reportDistrict is the district of a report: the one asked for, or the
// only one an officer reads ("" for a role that reads every district).
func (s *Server) reportDistrict(ctx context.Context, v string) (string, error) {
	district, err := s.districtParam(ctx, v)
	if err != nil || district != "" {
		return district, err
	}
	p := principalOf(ctx)
	if p.AllDistricts() {
		return "", nil
	}
	scope := readScope(ctx)
	if len(scope) != 1 {
		err := fmt.Errorf("%w: %s (%s) must name one of the granted districts (?district=)", access.ErrDenied, p.User, p.Role)
		return "", &problem{Status: http.StatusForbidden, Code: "forbidden", key: "v.one_district", cause: err}
	}
	return scope[0], nil
}

func reportDay(v string) (time.Time, error) {
	on, err := dateParam("as_of", v)
	if err != nil {
		return on, err
	}
	if on.IsZero() {
		on = ledger.Civil(time.Now())
	}
	return on, nil
}

type loanPositionJSON struct {
	Loan             string    `json:"loan"`
	Name             string    `json:"name,omitempty"`
	District         string    `json:"district,omitempty"`
	Lender           string    `json:"lender,omitempty"`
	Maturity         string    `json:"maturity,omitempty"`
	ScheduleVersion  int       `json:"schedule_version"`
	Drawn            moneyJSON `json:"drawn"`
	Undrawn          moneyJSON `json:"undrawn"`
	Repaid           moneyJSON `json:"principal_repaid"`
	Prepaid          moneyJSON `json:"prepaid"`
	Outstanding      moneyJSON `json:"principal_outstanding"`
	InterestAccrued  moneyJSON `json:"interest_accrued"`
	InterestPaid     moneyJSON `json:"interest_paid"`
	SubsidyCommitted moneyJSON `json:"subsidy_committed"`
	SubsidyPaid      moneyJSON `json:"subsidy_paid"`
	NetInterestCost  moneyJSON `json:"net_interest_cost"`
	Overdue          moneyJSON `json:"overdue"`
	NextDueDate      string    `json:"next_due_date,omitempty"`
	NextInterest     moneyJSON `json:"next_interest"`
	NextPrincipal    moneyJSON `json:"next_principal"`
}

func loanPositionOut(x funding.LoanPosition) loanPositionJSON {
	return loanPositionJSON{Loan: x.Loan.Code, Name: x.Loan.Name, District: x.Loan.District, Lender: x.Loan.Lender, Maturity: day(x.Maturity),
		ScheduleVersion: x.ScheduleVersion, Drawn: money(x.Drawn), Undrawn: money(x.Undrawn), Repaid: money(x.Repaid), Prepaid: money(x.Prepaid),
		Outstanding: money(x.Outstanding), InterestAccrued: money(x.InterestAccrued), InterestPaid: money(x.InterestPaid),
		SubsidyCommitted: money(x.SubsidyCommitted), SubsidyPaid: money(x.SubsidyPaid), NetInterestCost: money(x.NetInterestCost),
		Overdue: money(x.Overdue), NextDueDate: day(x.NextDueDate), NextInterest: money(x.NextInterest), NextPrincipal: money(x.NextPrincipal)}
}

type loanProjectJSON struct {
	Loan            string    `json:"loan"`
	Project         string    `json:"project"`
	District        string    `json:"district"`
	Drawn           moneyJSON `json:"drawn"`
	InterestPaid    moneyJSON `json:"interest_paid"`
	SubsidyPaid     moneyJSON `json:"subsidy_paid"`
	NetInterestCost moneyJSON `json:"net_interest_cost"`
}

type districtDebtJSON struct {
	District        string    `json:"district"`
	DistrictName    string    `json:"district_name"`
	BondOutstanding moneyJSON `json:"bond_outstanding"`
	LoanOutstanding moneyJSON `json:"loan_outstanding"`
	Total           moneyJSON `json:"total"`
	LoanInterest    moneyJSON `json:"loan_interest_paid"`
	LoanSubsidy     moneyJSON `json:"loan_subsidy_paid"`
	LoanNetCost     moneyJSON `json:"loan_net_interest_cost"`
}

func districtDebtOut(d funding.DistrictDebt) districtDebtJSON {
	return districtDebtJSON{District: d.District, DistrictName: d.DistrictName, BondOutstanding: money(d.BondOutstanding),
		LoanOutstanding: money(d.LoanOutstanding), Total: money(d.Total), LoanInterest: money(d.LoanInterest), LoanSubsidy: money(d.LoanSubsidy),
		LoanNetCost: money(d.LoanNetCost)}
}

type loanReportJSON struct {
	AsOf     string             `json:"as_of"`
	District string             `json:"district,omitempty"`
	Loans    []loanPositionJSON `json:"loans"`
	Projects []loanProjectJSON  `json:"projects"`
	Debt     []districtDebtJSON `json:"district_debt"`
	Total    loanPositionJSON   `json:"total"`
}

func (s *Server) loanReport(ctx context.Context, in *loanReportIn) (loanReportJSON, error) {
	on, err := reportDay(in.AsOf)
	if err != nil {
		return loanReportJSON{}, err
	}
	district, err := s.reportDistrict(ctx, in.District)
	if err != nil {
		return loanReportJSON{}, err
	}
	rep, err := s.prog.LoanReport(ctx, funding.LoanReportOptions{AsOf: on, District: district})
	if err != nil {
		return loanReportJSON{}, err
	}
	out := loanReportJSON{AsOf: day(rep.AsOf), District: district, Loans: []loanPositionJSON{}, Projects: []loanProjectJSON{},
		Debt: []districtDebtJSON{}, Total: loanPositionOut(rep.Total)}
	for _, x := range rep.Loans {
		out.Loans = append(out.Loans, loanPositionOut(x))
	}
	for _, x := range rep.Projects {
		out.Projects = append(out.Projects, loanProjectJSON{Loan: x.Loan, Project: x.Project, District: x.District, Drawn: money(x.Drawn),
			InterestPaid: money(x.InterestPaid), SubsidyPaid: money(x.SubsidyPaid), NetInterestCost: money(x.NetInterestCost)})
	}
	for _, d := range rep.Debt {
		out.Debt = append(out.Debt, districtDebtOut(d))
	}
	return out, nil
}

func (s *Server) loansReport(ctx context.Context, in *loanReportIn) (*bodyOut[loanReportJSON], error) {
	out, err := s.loanReport(ctx, in)
	if err != nil {
		return nil, err
	}
	return ok(out), nil
}

type districtDebtReportJSON struct {
	AsOf string             `json:"as_of"`
	Debt []districtDebtJSON `json:"district_debt"`
}

func (s *Server) districtDebtReport(ctx context.Context, in *loanReportIn) (*bodyOut[districtDebtReportJSON], error) {
	rep, err := s.loanReport(ctx, in)
	if err != nil {
		return nil, err
	}
	return ok(districtDebtReportJSON{AsOf: rep.AsOf, Debt: rep.Debt}), nil
}

type capitalLineJSON struct {
	Kind      string    `json:"kind"`
	District  string    `json:"district"`
	Project   string    `json:"project"`
	Company   string    `json:"company,omitempty"`
	Level     string    `json:"level"`
	Approved  moneyJSON `json:"approved"`
	Received  moneyJSON `json:"received"`
	Used      moneyJSON `json:"used"`
	Available moneyJSON `json:"available"`
}

type capitalReportJSON struct {
	AsOf     string            `json:"as_of"`
	District string            `json:"district,omitempty"`
	Lines    []capitalLineJSON `json:"lines"`
}

func (s *Server) capitalReport(ctx context.Context, in *loanReportIn) (*bodyOut[capitalReportJSON], error) {
	on, err := reportDay(in.AsOf)
	if err != nil {
		return nil, err
	}
	district, err := s.reportDistrict(ctx, in.District)
	if err != nil {
		return nil, err
	}
	lines, err := s.prog.CapitalReport(ctx, district, on)
	if err != nil {
		return nil, err
	}
	out := capitalReportJSON{AsOf: day(on), District: district, Lines: []capitalLineJSON{}}
	for _, c := range lines {
		out.Lines = append(out.Lines, capitalLineJSON{Kind: c.Kind, District: c.District, Project: c.Project, Company: c.Company, Level: c.Level,
			Approved: money(c.Approved), Received: money(c.Received), Used: money(c.Used), Available: money(c.Available())})
	}
	return ok(out), nil
}
