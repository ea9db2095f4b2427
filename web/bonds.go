package web

// Special-purpose bonds (专项债券): the register and schedules (the city's,
// read by every role), and the finance bureau's writes: register, issue,
// allocate, pay, accrue, financing balance plans. Bond revenue is the
// project's: its district's officer may record it.

import (
	"context"
	"net/http"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/requests"
)

func (s *Server) registerBonds() {
	const tag = apiTag("bonds")
	register(s, tag.read("/api/bonds", "The bond register"), s.listBonds)
	register(s, tag.read("/api/bonds/{code}/schedule", "A bond's repayment schedule (?version=, the newest when absent)"), s.bondSchedule)
	register(s, tag.bureauCreate("/api/bonds", "register bonds", "Register a bond (funding.RegisterBond)"), s.postBond)
	register(s, tag.bureauCreate("/api/bonds/{code}/issue", "issue bonds", "Record a bond's issue (funding.IssueBond)"), s.postBondIssue)
	register(s, tag.bureauCreate("/api/bonds/{code}/allocations", "allocate bonds", "Allocate issued proceeds to a project (funding.AllocateBond)"), s.postBondAllocation)
	register(s, tag.bureauCreate("/api/bonds/{code}/payments", "pay bonds", "Pay a due date out of the reserve, topped up from a named backstop (funding.PayBond)"), s.postBondPayment)
	register(s, tag.create("/api/bond-revenue", "Record project revenue into the repayment reserve (funding.RecordBondRevenue)"), s.postBondRevenue)
	register(s, tag.bureauCreate("/api/bonds/accruals", "accrue bond interest", "Accrue the interest due on or before a date (funding.AccrueBondInterest)"), s.postBondAccruals)
	register(s, tag.bureauCreate("/api/bond-plans", "import financing balance plans", "Import financing balance plans (预期收益与融资平衡方案), JSON or CSV (funding.ImportBondRevenuePlans)"), s.postBondPlans)
}

type bondJSON struct {
	Code               string    `json:"code"`
	Name               string    `json:"name"`
	IssueDate          string    `json:"issue_date"`
	InterestStart      string    `json:"interest_start"`
	Maturity           string    `json:"maturity"`
	Principal          moneyJSON `json:"principal"`
	CouponRatePct      string    `json:"coupon_rate_pct"`
	TermYears          int       `json:"term_years"`
	Frequency          string    `json:"frequency"`
	Repayment          string    `json:"repayment"`
	GraceYears         int       `json:"grace_years"`
	ReserveBankAccount string    `json:"reserve_bank_account,omitempty"`
	Issued             bool      `json:"issued"`
	IssuedOn           string    `json:"issued_on,omitempty"`
}

func bondOut(b funding.Bond) bondJSON {
	return bondJSON{Code: b.Code, Name: b.Name, IssueDate: day(b.IssueDate), InterestStart: day(b.InterestStart), Maturity: day(b.Maturity()),
		Principal: money(b.Principal), CouponRatePct: b.CouponRatePct.String(), TermYears: b.TermYears, Frequency: b.Frequency,
		Repayment: b.Repayment, GraceYears: b.GraceYears, ReserveBankAccount: b.ReserveBankAccount, Issued: b.Issued, IssuedOn: day(b.IssuedOn)}
}

func (s *Server) listBonds(ctx context.Context, _ *struct{}) (*bodyOut[page[bondJSON]], error) {
	bs, err := s.prog.Bonds(ctx)
	if err != nil {
		return nil, err
	}
	out := page[bondJSON]{Items: []bondJSON{}}
	for _, b := range bs {
		out.Items = append(out.Items, bondOut(b))
	}
	return ok(out), nil
}

type scheduleLineJSON struct {
	Seq              int       `json:"seq"`
	PeriodStart      string    `json:"period_start"`
	DueDate          string    `json:"due_date"`
	OpeningPrincipal moneyJSON `json:"opening_principal"`
	Interest         moneyJSON `json:"interest"`
	Principal        moneyJSON `json:"principal"`
	Total            moneyJSON `json:"total"`
}

type scheduleJSON struct {
	Bond          bondJSON           `json:"bond"`
	Version       int                `json:"version"`
	EffectiveOn   string             `json:"effective_on"`
	Repayment     string             `json:"repayment"`
	Rounding      string             `json:"rounding"`
	Reason        string             `json:"reason,omitempty"`
	TotalInterest moneyJSON          `json:"total_interest"`
	CreatedBy     string             `json:"created_by"`
	Lines         []scheduleLineJSON `json:"lines"`
}

type scheduleIn struct {
	CodePath
	Version int `query:"version" minimum:"0" doc:"schedule version; the newest when absent"`
}

func (s *Server) bondSchedule(ctx context.Context, in *scheduleIn) (*bodyOut[scheduleJSON], error) {
	b, err := s.prog.Bond(ctx, in.Code)
	if err != nil {
		return nil, err
	}
	sc, err := s.prog.BondSchedule(ctx, b.Code, in.Version)
	if err != nil {
		return nil, err
	}
	out := scheduleJSON{Bond: bondOut(b), Version: sc.Version, EffectiveOn: day(sc.EffectiveOn), Repayment: sc.Repayment, Rounding: sc.Rounding,
		Reason: sc.Reason, TotalInterest: money(sc.TotalInterest), CreatedBy: sc.CreatedBy, Lines: []scheduleLineJSON{}}
	for _, l := range sc.Lines {
		out.Lines = append(out.Lines, scheduleLineJSON{Seq: l.Seq, PeriodStart: day(l.PeriodStart), DueDate: day(l.DueDate),
			OpeningPrincipal: money(l.OpeningPrincipal), Interest: money(l.Interest), Principal: money(l.Principal), Total: money(l.Total())})
	}
	return ok(out), nil
}

func (s *Server) postBond(ctx context.Context, in *writeIn[requests.Bond]) (*writeOut[bondJSON], error) {
	bi, err := input(in.Body.Input())
	return created(err, func() error { return right(s.prog.Bond(ctx, bi.Code)) },
		func() (funding.Bond, error) { return s.prog.RegisterBond(ctx, bi, principalOf(ctx).User) }, bondOut)
}

type bondIssueJSON struct {
	Bond     string    `json:"bond"`
	IssuedOn string    `json:"issued_on"`
	Amount   moneyJSON `json:"amount"`
	PostedJSON
}

func bondIssueOut(_ context.Context, q funding.BondIssueRequest, iss funding.BondIssue) (bondIssueJSON, bool) {
	return bondIssueJSON{Bond: iss.Bond, IssuedOn: day(iss.IssuedOn), Amount: money(iss.Amount), PostedJSON: posted(iss.FinancialEntry, iss.BudgetEntry, q.Actor)}, iss.Replayed
}

// postBondIssue records the issue (the body is optional); the same
// request again returns the recorded issue.
func (s *Server) postBondIssue(ctx context.Context, in *codeWriteIn[*requests.BondIssue]) (*writeOut[bondIssueJSON], error) {
	return write(ctx, nil, s.prog.IssueBond, in.Body.Request(caller(ctx, in.Code)), bondIssueOut)
}

type bondAllocationJSON struct {
	ID          int64     `json:"id"`
	Bond        string    `json:"bond"`
	Project     string    `json:"project"`
	Amount      moneyJSON `json:"amount"`
	AllocatedOn string    `json:"allocated_on"`
	PostedJSON
}

func bondAllocationOut(_ context.Context, q funding.BondAllocationRequest, a funding.BondAllocation) (bondAllocationJSON, bool) {
	return bondAllocationJSON{ID: a.ID, Bond: a.Bond, Project: a.Project, Amount: money(a.Amount), AllocatedOn: day(a.AllocatedOn),
		PostedJSON: posted(a.FinancialEntry, a.BudgetEntry, q.Actor)}, a.Replayed
}

func (s *Server) postBondAllocation(ctx context.Context, in *codeWriteIn[requests.BondAllocation]) (*writeOut[bondAllocationJSON], error) {
	return write(ctx, right(s.writableProject(ctx, in.Body.Project)), s.prog.AllocateBond, in.Body.Request(caller(ctx, in.Code)), bondAllocationOut)
}

type bondPaymentJSON struct {
	Bond             string    `json:"bond"`
	DueDate          string    `json:"due_date"`
	PaidOn           string    `json:"paid_on"`
	Seq              int       `json:"seq"`
	ScheduleVersion  int       `json:"schedule_version"`
	Interest         moneyJSON `json:"interest"`
	Principal        moneyJSON `json:"principal"`
	Total            moneyJSON `json:"total"`
	ReserveAvailable moneyJSON `json:"reserve_available"`
	Backstop         string    `json:"backstop,omitempty"`
	BackstopAmount   moneyJSON `json:"backstop_amount"`
	PostedJSON
}

func bondPaymentOut(_ context.Context, q funding.BondPaymentRequest, x funding.BondPayment) (bondPaymentJSON, bool) {
	return bondPaymentJSON{Bond: x.Bond, DueDate: day(x.DueDate), PaidOn: day(x.PaidOn), Seq: x.Seq,
		ScheduleVersion: x.ScheduleVersion, Interest: money(x.Interest), Principal: money(x.Principal), Total: money(x.Total()),
		ReserveAvailable: money(x.ReserveAvailable), Backstop: x.Backstop, BackstopAmount: money(x.BackstopAmount),
		PostedJSON: posted(x.FinancialEntry, x.BudgetEntry, q.Actor)}, x.Replayed
}

func (s *Server) postBondPayment(ctx context.Context, in *codeWriteIn[requests.BondPayment]) (*writeOut[bondPaymentJSON], error) {
	return write(ctx, nil, s.prog.PayBond, in.Body.Request(caller(ctx, in.Code)), bondPaymentOut)
}

type bondAmountJSON struct {
	Bond   string    `json:"bond"`
	Amount moneyJSON `json:"amount"`
}

type bondRevenueJSON struct {
	Project        string           `json:"project"`
	FinancialEntry int64            `json:"financial_entry"`
	BudgetEntry    int64            `json:"budget_entry"`
	Split          []bondAmountJSON `json:"split"`
	Actor          string           `json:"actor"`
}

func bondRevenueOut(_ context.Context, q funding.BondRevenueRequest, rv funding.BondRevenue) (bondRevenueJSON, bool) {
	out := bondRevenueJSON{Project: q.Project, FinancialEntry: rv.FinancialEntry, BudgetEntry: rv.BudgetEntry, Split: []bondAmountJSON{},
		Actor: q.Actor}
	for _, x := range rv.Split {
		out.Split = append(out.Split, bondAmountJSON{Bond: x.Bond, Amount: money(x.Amount)})
	}
	return out, rv.Replayed
}

func (s *Server) postBondRevenue(ctx context.Context, in *writeIn[requests.BondRevenue]) (*writeOut[bondRevenueJSON], error) {
	return write(ctx, right(s.writableProject(ctx, in.Body.Project)), s.prog.RecordBondRevenue, in.Body.Request(caller(ctx, "")), bondRevenueOut)
}

// maxAccrualBonds bounds the bonds of one accrual request.
const maxAccrualBonds = 100

type accrualJSON struct {
	Bond     string    `json:"bond"`
	DueDate  string    `json:"due_date"`
	Seq      int       `json:"seq"`
	Interest moneyJSON `json:"interest"`
	EntryID  int64     `json:"entry_id"`
}

type accrualsJSON struct {
	Through  string        `json:"through"`
	Bonds    []string      `json:"bonds"`
	Accruals []accrualJSON `json:"accruals"`
	Actor    string        `json:"actor"`
}

// postBondAccruals: 201 when something was accrued; 200 with no accruals
// when everything due was accrued already. The bonds are checked before
// any is accrued.
func (s *Server) postBondAccruals(ctx context.Context, in *writeIn[requests.BondAccruals]) (*writeOut[accrualsJSON], error) {
	through := in.Body.Through.Time()
	if len(in.Body.Bonds) > maxAccrualBonds {
		return nil, invalid("bonds", "v.max_items", maxAccrualBonds)
	}
	codes := in.Body.Bonds
	if len(codes) == 0 {
		bs, err := s.prog.Bonds(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range bs {
			if x.Issued {
				codes = append(codes, x.Code)
			}
		}
	} else {
		seen := map[string]bool{}
		for i, code := range codes {
			if seen[code] {
				return nil, invalid(fieldAt("bonds", i, ""), "v.twice", code)
			}
			seen[code] = true
			x, err := s.prog.Bond(ctx, code)
			if err != nil {
				return nil, err
			}
			if !x.Issued {
				p := &problem{Status: http.StatusUnprocessableEntity, Code: "status", key: "v.not_issued", args: []any{code}}
				return nil, p
			}
		}
	}
	out := accrualsJSON{Through: day(through), Bonds: []string{}, Accruals: []accrualJSON{}, Actor: principalOf(ctx).User}
	out.Bonds = append(out.Bonds, codes...)
	for _, code := range codes {
		acc, err := s.prog.AccrueBondInterest(ctx, code, through, principalOf(ctx).User)
		if err != nil {
			return nil, err
		}
		for _, x := range acc {
			out.Accruals = append(out.Accruals, accrualJSON{Bond: code, DueDate: day(x.DueDate), Seq: x.Seq, Interest: money(x.Interest),
				EntryID: x.EntryID})
		}
	}
	return accrued(out, len(out.Accruals))
}

type bondPlanJSON struct {
	Project     string    `json:"project"`
	Version     int       `json:"version"`
	EffectiveOn string    `json:"effective_on"`
	FileName    string    `json:"file_name"`
	Lines       int       `json:"lines"`
	Total       moneyJSON `json:"total"`
	Unchanged   bool      `json:"unchanged"`
}

type bondPlansJSON struct {
	Plans []bondPlanJSON `json:"plans"`
	Actor string         `json:"actor"`
}

type bondPlansIn struct {
	UploadIn
	Effective string `query:"effective" doc:"YYYY-MM-DD the plans take effect (required)"`
}

// postBondPlans: 201 when a new version was stored; 200 with
// Idempotent-Replayed: true when every plan was unchanged.
func (s *Server) postBondPlans(ctx context.Context, in *bondPlansIn) (*writeOut[bondPlansJSON], error) {
	if in.Effective == "" {
		return nil, badParam("effective", "v.required", "effective")
	}
	on, err := ledger.ParseDate(in.Effective)
	if err != nil {
		return nil, badParam("effective", "v.date")
	}
	name, err := upload(in.Name, in.RawBody, "")
	if err != nil {
		return nil, err
	}
	lines, err := funding.ParseBondRevenuePlan(name, in.RawBody)
	if err != nil {
		return nil, err
	}
	plans, err := s.prog.ImportBondRevenuePlans(ctx, name, lines, on, principalOf(ctx).User)
	if err != nil {
		return nil, err
	}
	out := bondPlansJSON{Plans: []bondPlanJSON{}, Actor: principalOf(ctx).User}
	unchanged := true
	for _, p := range plans {
		unchanged = unchanged && p.Unchanged
		out.Plans = append(out.Plans, bondPlanJSON{Project: p.Project, Version: p.Version, EffectiveOn: day(p.EffectiveOn), FileName: p.FileName,
			Lines: len(p.Lines), Total: money(p.Total), Unchanged: p.Unchanged})
	}
	return written(out, unchanged), nil
}
