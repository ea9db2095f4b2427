package web

// The JSON API's remaining writes: project registration and status, bonds
// (register, issue, allocate, pay, revenue). Each handler calls the package
// function the CLI command of the same name calls (cmd/fundledger).
//
// Every write requires an Idempotency-Key header (scoped to the user);
// the actor of every write is the authenticated user. Elevator grants are
// the district's: officers only in their granted districts. Evaluation
// scores and the pool allocation they drive are the finance bureau's. Bonds are city-wide:
// only the finance bureau registers, issues, allocates and pays them; bond
// revenue is the project's and its district's officer may record it.

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/rules"
)

func (s *Server) writeRoutes() []route {
	return []route{
		{"POST", "/api/projects", false, s.postProject},
		{"POST", "/api/projects/{code}/status", false, s.postProjectStatus},
		{"POST", "/api/bonds", false, s.postBond},
		{"POST", "/api/bonds/{code}/issue", false, s.postBondIssue},
		{"POST", "/api/bonds/{code}/allocations", false, s.postBondAllocation},
		{"POST", "/api/bonds/{code}/payments", false, s.postBondPayment},
		{"POST", "/api/bond-revenue", false, s.postBondRevenue},
		{"POST", "/api/elevator-applications", false, s.postElevatorApplication},
		{"POST", "/api/elevator-applications/{code}/approve", false, s.postElevatorApprove},
		{"POST", "/api/elevator-applications/{code}/accept", false, s.postElevatorAccept},
		{"POST", "/api/elevator-applications/{code}/pay", false, s.postElevatorPay},
		{"POST", "/api/elevator-applications/{code}/contributions", false, s.postElevatorContribution},
		{"POST", "/api/evaluations", false, s.postEvaluation},
		{"POST", "/api/pool-allocations", false, s.postPoolAllocation},
	}
}

// registerWriteAPI adds writeRoutes to the server's mux, behind authentication.
func (s *Server) registerWriteAPI() {
	for _, r := range s.writeRoutes() {
		h := r.handler
		if !r.public {
			h = s.authenticated(h)
		}
		s.mux.Handle(r.method+" "+r.path, h)
	}
}

// optionalDay parses a date that may be empty (zero time).
func optionalDay(field, v string) (time.Time, error) {
	if strings.TrimSpace(v) == "" {
		return time.Time{}, nil
	}
	return parseDay(field, v)
}

// parseDecimal is a decimal string field ("12.50"); it may be zero or negative.
func parseDecimal(field, v string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(v)
	if err != nil || strings.ContainsAny(v, "eE") {
		return d, invalid(field, field+": want a decimal string such as \"3.25\"")
	}
	return d, nil
}

// Projects.

type projectBody struct {
	Code                string            `json:"code"`
	Name                string            `json:"name"`
	District            string            `json:"district"`
	Address             string            `json:"address"`
	CompletedOn         string            `json:"completed_on"`
	StateOwnedLand      bool              `json:"state_owned_land"`
	SlatedForDemolition bool              `json:"slated_for_demolition"`
	Households          int               `json:"households"`
	FloorAreaM2         string            `json:"floor_area_m2"`
	Buildings           int               `json:"buildings"`
	Elevators           int               `json:"elevators"`
	PlanYear            int               `json:"plan_year"`
	RegisteredOn        string            `json:"registered_on"`
	Parties             map[string]string `json:"parties"`
}

// postProject registers a project (funding.RegisterProject): officers only in
// their granted districts. Registering the same project again with the same
// data answers 200 with Idempotent-Replayed: true.
func (s *Server) postProject(w http.ResponseWriter, r *http.Request) {
	var b projectBody
	if err := readWrite(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"code", b.Code}, [2]string{"name", b.Name}, [2]string{"district", b.District},
		[2]string{"completed_on", b.CompletedOn}, [2]string{"floor_area_m2", b.FloorAreaM2}); err != nil {
		s.fail(w, r, err)
		return
	}
	in := funding.ProjectInput{Code: b.Code, Name: b.Name, Address: b.Address, StateOwnedLand: b.StateOwnedLand,
		SlatedForDemolition: b.SlatedForDemolition, Households: b.Households, Buildings: b.Buildings, Elevators: b.Elevators,
		PlanYear: b.PlanYear, Parties: b.Parties}
	var err error
	if in.CompletedOn, err = parseDay("completed_on", b.CompletedOn); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.RegisteredOn, err = optionalDay("registered_on", b.RegisteredOn); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.FloorAreaM2, err = parseAmount("floor_area_m2", b.FloorAreaM2); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := funding.LookupDistrict(r.Context(), s.db, b.District)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := principal(r).CheckWrite(d.Code); err != nil {
		s.fail(w, r, err)
		return
	}
	in.District = d.Code
	_, existed := s.prog.Project(r.Context(), b.Code)
	pr, err := s.prog.RegisterProject(r.Context(), in, principal(r).User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusCreated
	if existed == nil {
		status = http.StatusOK
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, status, projectOut(pr))
}

type statusBody struct {
	Status string `json:"status"`
	On     string `json:"on"`
	Note   string `json:"note"`
}

// postProjectStatus moves a project forward (funding.SetStatus); the status
// it already has changes nothing.
func (s *Server) postProjectStatus(w http.ResponseWriter, r *http.Request) {
	var b statusBody
	if err := readWrite(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"status", b.Status}); err != nil {
		s.fail(w, r, err)
		return
	}
	on, err := optionalDay("on", b.On)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if on.IsZero() {
		y, m, d := time.Now().Date()
		on = ledger.Date(y, m, d)
	}
	code := r.PathValue("code")
	if err := s.writableProject(r, code); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.prog.SetStatus(r.Context(), code, b.Status, on, principal(r).User, b.Note); err != nil {
		s.fail(w, r, err)
		return
	}
	pr, err := s.prog.Project(r.Context(), code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, projectOut(pr))
}

// Bonds.

type bondPrincipalBody struct {
	Date   string `json:"date"`
	Amount string `json:"amount"`
}

type bondBody struct {
	Code               string              `json:"code"`
	Name               string              `json:"name"`
	IssueDate          string              `json:"issue_date"`
	InterestStart      string              `json:"interest_start"`
	Principal          string              `json:"principal"`
	CouponRatePct      string              `json:"coupon_rate_pct"`
	TermYears          int                 `json:"term_years"`
	Frequency          string              `json:"frequency"`
	Repayment          string              `json:"repayment"`
	GraceYears         int                 `json:"grace_years"`
	Custom             []bondPrincipalBody `json:"custom_schedule"`
	ReserveBankAccount string              `json:"reserve_bank_account"`
}

// postBond registers a bond (funding.RegisterBond): the finance bureau only.
func (s *Server) postBond(w http.ResponseWriter, r *http.Request) {
	if _, err := bureauWrite(r, "register bonds"); err != nil {
		s.fail(w, r, err)
		return
	}
	var b bondBody
	if err := decode(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"code", b.Code}, [2]string{"name", b.Name}, [2]string{"issue_date", b.IssueDate},
		[2]string{"principal", b.Principal}, [2]string{"coupon_rate_pct", b.CouponRatePct}); err != nil {
		s.fail(w, r, err)
		return
	}
	in := funding.BondInput{Code: b.Code, Name: b.Name, TermYears: b.TermYears, Frequency: b.Frequency, Repayment: b.Repayment,
		GraceYears: b.GraceYears, ReserveBankAccount: b.ReserveBankAccount}
	var err error
	if in.IssueDate, err = parseDay("issue_date", b.IssueDate); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.InterestStart, err = optionalDay("interest_start", b.InterestStart); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.Principal, err = parseAmount("principal", b.Principal); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.CouponRatePct, err = parseDecimal("coupon_rate_pct", b.CouponRatePct); err != nil {
		s.fail(w, r, err)
		return
	}
	for i, c := range b.Custom {
		field := fmt.Sprintf("custom_schedule[%d]", i)
		var x funding.BondPrincipalInput
		if x.Date, err = parseDay(field+".date", c.Date); err != nil {
			s.fail(w, r, err)
			return
		}
		if x.Amount, err = parseAmount(field+".amount", c.Amount); err != nil {
			s.fail(w, r, err)
			return
		}
		in.Custom = append(in.Custom, x)
	}
	_, existed := s.prog.Bond(r.Context(), b.Code)
	bond, err := s.prog.RegisterBond(r.Context(), in, principal(r).User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusCreated
	if existed == nil {
		status = http.StatusOK
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, status, bondOut(bond))
}

type bondIssueBody struct {
	IssuedOn    string `json:"issued_on"`
	BankAccount string `json:"bank_account"`
	Reference   string `json:"reference"`
}

type bondIssueJSON struct {
	Bond           string    `json:"bond"`
	IssuedOn       string    `json:"issued_on"`
	Amount         moneyJSON `json:"amount"`
	FinancialEntry int64     `json:"financial_entry"`
	BudgetEntry    int64     `json:"budget_entry"`
	Actor          string    `json:"actor"`
}

// replayed sets the header and answers 200 for a replay, else 201.
func replayed(w http.ResponseWriter, again bool) int {
	if again {
		w.Header().Set("Idempotent-Replayed", "true")
		return http.StatusOK
	}
	return http.StatusCreated
}

// postBondIssue records the issue (funding.IssueBond); the same request
// again returns the recorded issue.
func (s *Server) postBondIssue(w http.ResponseWriter, r *http.Request) {
	if _, err := bureauWrite(r, "issue bonds"); err != nil {
		s.fail(w, r, err)
		return
	}
	var b bondIssueBody
	if err := decodeOptional(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	on, err := optionalDay("issued_on", b.IssuedOn)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	iss, err := s.prog.IssueBond(r.Context(), funding.BondIssueRequest{Bond: r.PathValue("code"), IssuedOn: on, BankAccount: b.BankAccount,
		Reference: b.Reference, Actor: principal(r).User})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, replayed(w, iss.Replayed), bondIssueJSON{Bond: iss.Bond, IssuedOn: day(iss.IssuedOn), Amount: money(iss.Amount),
		FinancialEntry: iss.FinancialEntry, BudgetEntry: iss.BudgetEntry, Actor: principal(r).User})
}

type bondAllocationBody struct {
	Project     string `json:"project"`
	Amount      string `json:"amount"`
	AllocatedOn string `json:"allocated_on"`
	Reference   string `json:"reference"`
	Memo        string `json:"memo"`
}

type bondAllocationJSON struct {
	ID             int64     `json:"id"`
	Bond           string    `json:"bond"`
	Project        string    `json:"project"`
	Amount         moneyJSON `json:"amount"`
	AllocatedOn    string    `json:"allocated_on"`
	FinancialEntry int64     `json:"financial_entry"`
	BudgetEntry    int64     `json:"budget_entry"`
	Actor          string    `json:"actor"`
}

// postBondAllocation allocates issued proceeds to a project
// (funding.AllocateBond): the finance bureau, and the project's district is
// checked too.
func (s *Server) postBondAllocation(w http.ResponseWriter, r *http.Request) {
	key, err := bureauWrite(r, "allocate bonds")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b bondAllocationBody
	if err := decode(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"project", b.Project}, [2]string{"amount", b.Amount}, [2]string{"allocated_on", b.AllocatedOn}); err != nil {
		s.fail(w, r, err)
		return
	}
	req := funding.BondAllocationRequest{Bond: r.PathValue("code"), Project: b.Project, Reference: b.Reference, Memo: b.Memo,
		IdempotencyKey: key, Actor: principal(r).User}
	if req.Amount, err = parseAmount("amount", b.Amount); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.AllocatedOn, err = parseDay("allocated_on", b.AllocatedOn); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.writableProject(r, b.Project); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.prog.AllocateBond(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, replayed(w, a.Replayed), bondAllocationJSON{ID: a.ID, Bond: a.Bond, Project: a.Project, Amount: money(a.Amount),
		AllocatedOn: day(a.AllocatedOn), FinancialEntry: a.FinancialEntry, BudgetEntry: a.BudgetEntry, Actor: principal(r).User})
}

type bondPaymentBody struct {
	DueDate   string `json:"due_date"`
	PaidOn    string `json:"paid_on"`
	Backstop  string `json:"backstop"`
	Reference string `json:"reference"`
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
	FinancialEntry   int64     `json:"financial_entry"`
	BudgetEntry      int64     `json:"budget_entry"`
	Actor            string    `json:"actor"`
}

// postBondPayment pays a due date of a bond's schedule out of its reserve
// (funding.PayBond), topped up from backstop when given and short.
func (s *Server) postBondPayment(w http.ResponseWriter, r *http.Request) {
	if _, err := bureauWrite(r, "pay bonds"); err != nil {
		s.fail(w, r, err)
		return
	}
	var b bondPaymentBody
	if err := decode(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"due_date", b.DueDate}); err != nil {
		s.fail(w, r, err)
		return
	}
	req := funding.BondPaymentRequest{Bond: r.PathValue("code"), Backstop: b.Backstop, Reference: b.Reference, Actor: principal(r).User}
	var err error
	if req.DueDate, err = parseDay("due_date", b.DueDate); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.PaidOn, err = optionalDay("paid_on", b.PaidOn); err != nil {
		s.fail(w, r, err)
		return
	}
	x, err := s.prog.PayBond(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, replayed(w, x.Replayed), bondPaymentJSON{Bond: x.Bond, DueDate: day(x.DueDate), PaidOn: day(x.PaidOn), Seq: x.Seq,
		ScheduleVersion: x.ScheduleVersion, Interest: money(x.Interest), Principal: money(x.Principal), Total: money(x.Total()),
		ReserveAvailable: money(x.ReserveAvailable), Backstop: x.Backstop, BackstopAmount: money(x.BackstopAmount),
		FinancialEntry: x.FinancialEntry, BudgetEntry: x.BudgetEntry, Actor: principal(r).User})
}

type bondRevenueBody struct {
	Project     string `json:"project"`
	Bond        string `json:"bond"`
	Kind        string `json:"kind"`
	Amount      string `json:"amount"`
	ReceivedOn  string `json:"received_on"`
	BankAccount string `json:"bank_account"`
	Reference   string `json:"reference"`
	Memo        string `json:"memo"`
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

// postBondRevenue records project revenue into the repayment reserve
// (funding.RecordBondRevenue): an officer of the project's district may.
func (s *Server) postBondRevenue(w http.ResponseWriter, r *http.Request) {
	key, err := writeKey(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b bondRevenueBody
	if err := decode(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"project", b.Project}, [2]string{"kind", b.Kind}, [2]string{"amount", b.Amount},
		[2]string{"received_on", b.ReceivedOn}); err != nil {
		s.fail(w, r, err)
		return
	}
	req := funding.BondRevenueRequest{Project: b.Project, Bond: b.Bond, Kind: b.Kind, BankAccount: b.BankAccount, Reference: b.Reference,
		Memo: b.Memo, IdempotencyKey: key, Actor: principal(r).User}
	if req.Amount, err = parseAmount("amount", b.Amount); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.ReceivedOn, err = parseDay("received_on", b.ReceivedOn); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.writableProject(r, b.Project); err != nil {
		s.fail(w, r, err)
		return
	}
	rv, err := s.prog.RecordBondRevenue(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := bondRevenueJSON{Project: b.Project, FinancialEntry: rv.FinancialEntry, BudgetEntry: rv.BudgetEntry, Split: []bondAmountJSON{},
		Actor: principal(r).User}
	for _, x := range rv.Split {
		out.Split = append(out.Split, bondAmountJSON{Bond: x.Bond, Amount: money(x.Amount)})
	}
	writeJSON(w, replayed(w, rv.Replayed), out)
}

// Elevator grants (加装电梯).

type elevatorApplicationBody struct {
	Code                string `json:"code"`
	Project             string `json:"project"`
	Building            string `json:"building"`
	Unit                string `json:"unit"`
	HouseholdsPerFloor  []int  `json:"households_per_floor"`
	Elevators           int    `json:"elevators"`
	EstimatedCost       string `json:"estimated_cost"`
	EstimatedPipeCost   string `json:"estimated_pipe_cost"`
	OtherContributions  string `json:"other_contributions"`
	OwnersTotal         int    `json:"owners_total"`
	OwnersParticipating int    `json:"owners_participating"`
	OwnersApproving     int    `json:"owners_approving"`
	AreaTotalM2         string `json:"area_total_m2"`
	AreaParticipatingM2 string `json:"area_participating_m2"`
	AreaApprovingM2     string `json:"area_approving_m2"`
	AppliedOn           string `json:"applied_on"`
}

// optionalDecimal is a decimal string field that may be empty (zero).
func optionalDecimal(field, v string) (decimal.Decimal, error) {
	if strings.TrimSpace(v) == "" {
		return decimal.Zero, nil
	}
	return parseDecimal(field, v)
}

// postElevatorApplication records an application (funding.ApplyElevator);
// the same application again answers 200 with Idempotent-Replayed: true,
// another with the same code 409.
func (s *Server) postElevatorApplication(w http.ResponseWriter, r *http.Request) {
	var b elevatorApplicationBody
	if err := readWrite(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"code", b.Code}, [2]string{"project", b.Project}, [2]string{"building", b.Building},
		[2]string{"unit", b.Unit}, [2]string{"estimated_cost", b.EstimatedCost}, [2]string{"applied_on", b.AppliedOn}); err != nil {
		s.fail(w, r, err)
		return
	}
	in := funding.ElevatorApplicationInput{Code: b.Code, Project: b.Project, Building: b.Building, Unit: b.Unit,
		HouseholdsPerFloor: b.HouseholdsPerFloor, Elevators: b.Elevators, OwnersTotal: b.OwnersTotal,
		OwnersParticipating: b.OwnersParticipating, OwnersApproving: b.OwnersApproving}
	var err error
	if in.EstimatedCost, err = parseAmount("estimated_cost", b.EstimatedCost); err != nil {
		s.fail(w, r, err)
		return
	}
	for _, x := range []struct {
		field, v string
		to       *decimal.Decimal
	}{{"estimated_pipe_cost", b.EstimatedPipeCost, &in.EstimatedPipeCost}, {"other_contributions", b.OtherContributions, &in.OtherContributions},
		{"area_total_m2", b.AreaTotalM2, &in.AreaTotalM2}, {"area_participating_m2", b.AreaParticipatingM2, &in.AreaParticipatingM2},
		{"area_approving_m2", b.AreaApprovingM2, &in.AreaApprovingM2}} {
		if *x.to, err = optionalDecimal(x.field, x.v); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if in.AppliedOn, err = parseDay("applied_on", b.AppliedOn); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.writableProject(r, b.Project); err != nil {
		s.fail(w, r, err)
		return
	}
	_, existed := s.prog.ElevatorApplication(r.Context(), b.Code)
	app, err := s.prog.ApplyElevator(r.Context(), in, principal(r).User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, replayed(w, existed == nil), app)
}

// writableApplication loads an application and checks the caller may change it.
func (s *Server) writableApplication(r *http.Request) (funding.ElevatorApplication, error) {
	app, err := s.prog.ElevatorApplication(r.Context(), r.PathValue("code"))
	if err != nil {
		return app, err
	}
	return app, principal(r).CheckWrite(app.District)
}

type householdShareJSON struct {
	Household string    `json:"household"`
	Floor     int       `json:"floor"`
	Share     moneyJSON `json:"share"`
}

type grantJSON struct {
	Application      string               `json:"application"`
	Event            string               `json:"event"`
	On               string               `json:"on"`
	RuleSetID        int64                `json:"rule_set_id"`
	Consent          rules.ConsentResult  `json:"consent"`
	Cost             moneyJSON            `json:"cost"`
	PipeCost         moneyJSON            `json:"pipe_cost"`
	Grant            moneyJSON            `json:"grant"`
	Capped           bool                 `json:"capped"`
	Sources          []sourceAmountJSON   `json:"sources"`
	ResidentsShare   moneyJSON            `json:"residents_share"`
	Households       []householdShareJSON `json:"households"`
	EntryID          int64                `json:"entry_id,omitempty"`
	FinancialEntryID int64                `json:"financial_entry_id,omitempty"`
	Actor            string               `json:"actor"`
}

func (s *Server) writeGrant(w http.ResponseWriter, r *http.Request, g funding.ElevatorGrant) {
	out := grantJSON{Application: g.Application, Event: g.Event, On: day(g.On), RuleSetID: g.RuleSetID, Consent: g.Consent,
		Cost: money(g.Cost), PipeCost: money(g.PipeCost), Grant: money(g.Grant.Total), Capped: g.Grant.Capped,
		Sources: []sourceAmountJSON{}, ResidentsShare: money(g.ResidentsShare), Households: []householdShareJSON{},
		EntryID: g.EntryID, FinancialEntryID: g.FinancialEntryID, Actor: principal(r).User}
	for _, t := range g.Grant.Totals {
		out.Sources = append(out.Sources, sourceAmountJSON{Source: t.Source, Amount: money(t.Amount)})
	}
	for _, h := range g.Households {
		out.Households = append(out.Households, householdShareJSON{Household: h.Household, Floor: h.Floor, Share: money(h.Amount)})
	}
	writeJSON(w, replayed(w, g.Unchanged), out)
}

type onBody struct {
	On string `json:"on"`
}

// postElevatorApprove approves the grant on the estimated cost
// (funding.ApproveElevator); a consent below the thresholds is 422 consent.
func (s *Server) postElevatorApprove(w http.ResponseWriter, r *http.Request) {
	var b onBody
	if err := readWrite(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	on, err := requiredDay("on", b.On)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	app, err := s.writableApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	g, err := s.prog.ApproveElevator(r.Context(), app.Code, on, principal(r).User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeGrant(w, r, g)
}

type acceptBody struct {
	On            string `json:"on"`
	FinalCost     string `json:"final_cost"`
	FinalPipeCost string `json:"final_pipe_cost"`
}

// postElevatorAccept records the acceptance with the final cost
// (funding.AcceptElevator).
func (s *Server) postElevatorAccept(w http.ResponseWriter, r *http.Request) {
	var b acceptBody
	if err := readWrite(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"on", b.On}, [2]string{"final_cost", b.FinalCost}); err != nil {
		s.fail(w, r, err)
		return
	}
	on, err := parseDay("on", b.On)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cost, err := parseAmount("final_cost", b.FinalCost)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pipe, err := optionalDecimal("final_pipe_cost", b.FinalPipeCost)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	app, err := s.writableApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	g, err := s.prog.AcceptElevator(r.Context(), app.Code, cost, pipe, on, principal(r).User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeGrant(w, r, g)
}

type elevatorPayBody struct {
	PaidOn      string `json:"paid_on"`
	Payee       string `json:"payee"`
	BankAccount string `json:"bank_account"`
	Reference   string `json:"reference"`
}

type grantPaymentJSON struct {
	Application      string             `json:"application"`
	Amounts          []sourceAmountJSON `json:"amounts"`
	Total            moneyJSON          `json:"total"`
	EntryID          int64              `json:"entry_id"`
	FinancialEntryID int64              `json:"financial_entry_id"`
	Actor            string             `json:"actor"`
}

// postElevatorPay pays the grant after acceptance (funding.PayElevatorGrant).
func (s *Server) postElevatorPay(w http.ResponseWriter, r *http.Request) {
	var b elevatorPayBody
	if err := readWrite(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"paid_on", b.PaidOn}, [2]string{"payee", b.Payee}, [2]string{"bank_account", b.BankAccount}); err != nil {
		s.fail(w, r, err)
		return
	}
	on, err := parseDay("paid_on", b.PaidOn)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	app, err := s.writableApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.checkBankAccount(r, b.BankAccount, true); err != nil {
		s.fail(w, r, err)
		return
	}
	pm, err := s.prog.PayElevatorGrant(r.Context(), funding.ElevatorPaymentRequest{Application: app.Code, PaidOn: on, Payee: b.Payee,
		BankAccount: b.BankAccount, Reference: b.Reference, Actor: principal(r).User})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := grantPaymentJSON{Application: app.Code, Amounts: []sourceAmountJSON{}, Total: money(pm.Total), EntryID: pm.EntryID,
		FinancialEntryID: pm.FinancialEntryID, Actor: principal(r).User}
	for _, a := range pm.Amounts {
		out.Amounts = append(out.Amounts, sourceAmountJSON{Source: a.Source, Amount: money(a.Amount)})
	}
	writeJSON(w, replayed(w, pm.Replayed), out)
}

type contributionBody struct {
	Household  string `json:"household"`
	Amount     string `json:"amount"`
	ReceivedOn string `json:"received_on"`
}

type contributionJSON struct {
	Application    string    `json:"application"`
	Household      string    `json:"household"`
	Amount         moneyJSON `json:"amount"`
	FinancialEntry int64     `json:"financial_entry"`
	BudgetEntry    int64     `json:"budget_entry"`
	Actor          string    `json:"actor"`
}

// postElevatorContribution records a household's payment of its share
// (funding.ReceiveContribution).
func (s *Server) postElevatorContribution(w http.ResponseWriter, r *http.Request) {
	key, err := writeKey(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b contributionBody
	if err := decode(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"household", b.Household}, [2]string{"amount", b.Amount}, [2]string{"received_on", b.ReceivedOn}); err != nil {
		s.fail(w, r, err)
		return
	}
	req := funding.ContributionRequest{Household: b.Household, IdempotencyKey: key, Actor: principal(r).User}
	if req.Amount, err = parseAmount("amount", b.Amount); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.ReceivedOn, err = parseDay("received_on", b.ReceivedOn); err != nil {
		s.fail(w, r, err)
		return
	}
	app, err := s.writableApplication(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	req.Application = app.Code
	m, err := s.prog.ReceiveContribution(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, replayed(w, m.Replayed), contributionJSON{Application: app.Code, Household: b.Household, Amount: money(req.Amount),
		FinancialEntry: m.FinancialEntry, BudgetEntry: m.BudgetEntry, Actor: principal(r).User})
}

// Evaluations and the municipal pool.

type evaluationBody struct {
	District  string `json:"district"`
	Year      int    `json:"year"`
	Score     string `json:"score"`
	Evaluator string `json:"evaluator"`
	ScoredOn  string `json:"scored_on"`
	Note      string `json:"note"`
}

type evaluationJSON struct {
	District     string `json:"district"`
	DistrictName string `json:"district_name"`
	Year         int    `json:"year"`
	Score        string `json:"score"`
	Evaluator    string `json:"evaluator"`
	ScoredOn     string `json:"scored_on"`
	Actor        string `json:"actor"`
}

// postEvaluation records a district's evaluation score for a year
// (funding.RecordEvaluation): the finance bureau only, since the scores
// weigh the districts' shares of the pool. The same score again changes
// nothing.
func (s *Server) postEvaluation(w http.ResponseWriter, r *http.Request) {
	if _, err := bureauWrite(r, "record evaluations"); err != nil {
		s.fail(w, r, err)
		return
	}
	var b evaluationBody
	if err := decode(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"district", b.District}, [2]string{"score", b.Score}, [2]string{"scored_on", b.ScoredOn}); err != nil {
		s.fail(w, r, err)
		return
	}
	in := funding.EvaluationInput{District: b.District, Year: b.Year, Evaluator: b.Evaluator, Note: b.Note}
	var err error
	if in.Score, err = parseDecimal("score", b.Score); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.ScoredOn, err = parseDay("scored_on", b.ScoredOn); err != nil {
		s.fail(w, r, err)
		return
	}
	before, err := s.prog.EvaluationScores(r.Context(), b.Year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e, err := s.prog.RecordEvaluation(r.Context(), in, principal(r).User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	again := false
	for _, x := range before {
		if x.District == e.District && x.Score.Equal(e.Score) && x.Evaluator == e.Evaluator && x.ScoredOn.Equal(e.ScoredOn) {
			again = true
		}
	}
	writeJSON(w, replayed(w, again), evaluationJSON{District: e.District, DistrictName: e.DistrictName, Year: e.Year, Score: e.Score.StringFixed(2),
		Evaluator: e.Evaluator, ScoredOn: day(e.ScoredOn), Actor: principal(r).User})
}

type poolBody struct {
	Year   int    `json:"year"`
	Pool   string `json:"pool"`
	On     string `json:"on"`
	DryRun bool   `json:"dry_run"`
}

type poolLineJSON struct {
	District     string    `json:"district"`
	DistrictName string    `json:"district_name"`
	AreaM2       string    `json:"area_m2"`
	Households   int       `json:"households"`
	Buildings    int       `json:"buildings"`
	Communities  int       `json:"communities"`
	Score        string    `json:"score"`
	Scored       bool      `json:"scored"`
	Coefficient  string    `json:"coefficient"`
	Share        string    `json:"share"`
	Amount       moneyJSON `json:"amount"`
	Previous     moneyJSON `json:"previous"`
	Explanation  string    `json:"explanation"`
}

type poolJSON struct {
	Year           int            `json:"year"`
	EvaluationYear int            `json:"evaluation_year"`
	Pool           moneyJSON      `json:"pool"`
	Source         string         `json:"source"`
	On             string         `json:"on"`
	RuleSetID      int64          `json:"rule_set_id"`
	RuleSet        string         `json:"rule_set"`
	Lines          []poolLineJSON `json:"lines"`
	Steps          []string       `json:"steps"`
	DryRun         bool           `json:"dry_run"`
	Version        int            `json:"version,omitempty"`
	EntryID        int64          `json:"entry_id,omitempty"`
	Unchanged      bool           `json:"unchanged,omitempty"`
	Actor          string         `json:"actor"`
}

// postPoolAllocation allocates the year's municipal pool among the districts
// by quantities and evaluation scores (funding.AllocatePool): the finance
// bureau only. dry_run computes without recording (200); the same pool and
// amounts again change nothing (200, Idempotent-Replayed: true).
func (s *Server) postPoolAllocation(w http.ResponseWriter, r *http.Request) {
	if _, err := bureauWrite(r, "allocate the pool"); err != nil {
		s.fail(w, r, err)
		return
	}
	var b poolBody
	if err := decode(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"pool", b.Pool}); err != nil {
		s.fail(w, r, err)
		return
	}
	req := funding.PoolRequest{Year: b.Year, DryRun: b.DryRun, Actor: principal(r).User}
	var err error
	if req.Pool, err = parseAmount("pool", b.Pool); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.On, err = optionalDay("on", b.On); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.prog.AllocatePool(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := poolJSON{Year: res.Year, EvaluationYear: res.EvaluationYear, Pool: money(res.Pool), Source: res.Source, On: day(res.On),
		RuleSetID: res.RuleSetID, RuleSet: res.RuleSet, Lines: []poolLineJSON{}, Steps: res.Steps, DryRun: res.DryRun, Version: res.Version,
		EntryID: res.EntryID, Unchanged: res.Unchanged, Actor: principal(r).User}
	if out.Steps == nil {
		out.Steps = []string{}
	}
	for _, l := range res.Lines {
		out.Lines = append(out.Lines, poolLineJSON{District: l.District, DistrictName: l.DistrictName, AreaM2: l.AreaM2.StringFixed(2),
			Households: l.Households, Buildings: l.Buildings, Communities: l.Communities, Score: l.Score.StringFixed(2), Scored: l.Scored,
			Coefficient: l.Coefficient.String(), Share: l.Share.String(), Amount: money(l.Amount), Previous: money(l.Previous), Explanation: l.Explanation})
	}
	status := http.StatusCreated
	switch {
	case res.Unchanged:
		status = replayed(w, true)
	case res.DryRun:
		status = http.StatusOK
	}
	writeJSON(w, status, out)
}
