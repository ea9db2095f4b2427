package requests

import (
	"fmt"

	"fundledger/funding"
)

// The bodies of the registers: projects, elevator applications, utility
// facilities, bonds and loans (a file of the command line holds one or a
// list of them; the API takes one a request), and budget lines.

// Project registers an old community (funding.RegisterProject).
type Project struct {
	Code                string            `json:"code" minLength:"1"`
	Name                string            `json:"name" minLength:"1"`
	District            string            `json:"district" minLength:"1" doc:"code or Chinese name"`
	Address             string            `json:"address,omitempty"`
	CompletedOn         Date              `json:"completed_on" minLength:"1" doc:"YYYY-MM-DD"`
	StateOwnedLand      bool              `json:"state_owned_land,omitempty"`
	SlatedForDemolition bool              `json:"slated_for_demolition,omitempty"`
	Households          int               `json:"households,omitempty"`
	FloorAreaM2         Amount            `json:"floor_area_m2" minLength:"1" doc:"square metres, at most two decimals"`
	Buildings           int               `json:"buildings,omitempty"`
	Elevators           int               `json:"elevators,omitempty"`
	PlanYear            int               `json:"plan_year,omitempty"`
	RegisteredOn        Date              `json:"registered_on,omitempty" doc:"YYYY-MM-DD; today when absent"`
	Parties             map[string]string `json:"parties,omitempty" doc:"source → the party that pays it (utility company, employer …)"`
}

// Label names the project in a refusal.
func (b Project) Label() string { return b.Code }

// Input is the project's funding input.
func (b Project) Input() (funding.ProjectInput, error) {
	var f fields
	in := funding.ProjectInput{Code: b.Code, Name: b.Name, District: b.District, Address: b.Address,
		CompletedOn: f.day("completed_on", b.CompletedOn), StateOwnedLand: b.StateOwnedLand, SlatedForDemolition: b.SlatedForDemolition,
		Households: b.Households, FloorAreaM2: f.amount("floor_area_m2", b.FloorAreaM2), Buildings: b.Buildings, Elevators: b.Elevators,
		PlanYear: b.PlanYear, RegisteredOn: f.date("registered_on", b.RegisteredOn), Parties: b.Parties}
	return in, f.err
}

// ElevatorApplication applies for an elevator grant (funding.ApplyElevator).
type ElevatorApplication struct {
	Code                string  `json:"code" minLength:"1"`
	Project             string  `json:"project" minLength:"1"`
	Building            string  `json:"building" minLength:"1"`
	Unit                string  `json:"unit" minLength:"1"`
	HouseholdsPerFloor  []int   `json:"households_per_floor,omitempty" maxItems:"100" doc:"ground floor first"`
	Elevators           int     `json:"elevators,omitempty" doc:"0 means 1"`
	EstimatedCost       Amount  `json:"estimated_cost" minLength:"1"`
	EstimatedPipeCost   Decimal `json:"estimated_pipe_cost,omitempty"`
	OtherContributions  Decimal `json:"other_contributions,omitempty" doc:"maintenance fund, public income …"`
	OwnersTotal         int     `json:"owners_total,omitempty"`
	OwnersParticipating int     `json:"owners_participating,omitempty"`
	OwnersApproving     int     `json:"owners_approving,omitempty"`
	AreaTotalM2         Decimal `json:"area_total_m2,omitempty"`
	AreaParticipatingM2 Decimal `json:"area_participating_m2,omitempty"`
	AreaApprovingM2     Decimal `json:"area_approving_m2,omitempty"`
	AppliedOn           Date    `json:"applied_on" minLength:"1" doc:"YYYY-MM-DD"`
}

// Label names the application in a refusal.
func (b ElevatorApplication) Label() string { return b.Code }

// Input is the application's funding input.
func (b ElevatorApplication) Input() (funding.ElevatorApplicationInput, error) {
	var f fields
	in := funding.ElevatorApplicationInput{Code: b.Code, Project: b.Project, Building: b.Building, Unit: b.Unit,
		HouseholdsPerFloor: b.HouseholdsPerFloor, Elevators: b.Elevators, EstimatedCost: f.amount("estimated_cost", b.EstimatedCost),
		EstimatedPipeCost: f.decimal("estimated_pipe_cost", b.EstimatedPipeCost), OtherContributions: f.decimal("other_contributions", b.OtherContributions),
		OwnersTotal: b.OwnersTotal, OwnersParticipating: b.OwnersParticipating, OwnersApproving: b.OwnersApproving,
		AreaTotalM2: f.decimal("area_total_m2", b.AreaTotalM2), AreaParticipatingM2: f.decimal("area_participating_m2", b.AreaParticipatingM2),
		AreaApprovingM2: f.decimal("area_approving_m2", b.AreaApprovingM2), AppliedOn: f.day("applied_on", b.AppliedOn)}
	return in, f.err
}

// Facility registers a utility facility and its owner (funding.RegisterFacility).
type Facility struct {
	Code           string `json:"code" minLength:"1"`
	Project        string `json:"project" minLength:"1"`
	Kind           string `json:"kind" minLength:"1" doc:"power, water, gas, heating, telecom or cabletv"`
	Description    string `json:"description,omitempty"`
	Cost           Amount `json:"cost" minLength:"1" doc:"the approved cost of the works"`
	Utility        string `json:"utility" minLength:"1"`
	Owner          string `json:"owner" minLength:"1"`
	OwnedByUtility bool   `json:"owned_by_utility,omitempty"`
	RegisteredOn   Date   `json:"registered_on" minLength:"1" doc:"YYYY-MM-DD"`
}

// Label names the facility in a refusal.
func (b Facility) Label() string { return b.Code }

// Input is the facility's funding input.
func (b Facility) Input() (funding.FacilityInput, error) {
	var f fields
	in := funding.FacilityInput{Code: b.Code, Project: b.Project, Kind: b.Kind, Description: b.Description, Cost: f.amount("cost", b.Cost),
		Utility: b.Utility, Owner: b.Owner, OwnedByUtility: b.OwnedByUtility, RegisteredOn: f.day("registered_on", b.RegisteredOn)}
	return in, f.err
}

// Repayment is one principal repayment of a custom schedule.
type Repayment struct {
	Date   Date   `json:"date" minLength:"1" doc:"YYYY-MM-DD"`
	Amount Amount `json:"amount" minLength:"1"`
}

// repayments converts a custom schedule; each refusal names its item.
func repayments(f *fields, list string, rs []Repayment) (dates []funding.BondPrincipalInput) {
	for i, r := range rs {
		at := fmt.Sprintf("%s[%d].", list, i)
		dates = append(dates, funding.BondPrincipalInput{Date: f.day(at+"date", r.Date), Amount: f.amount(at+"amount", r.Amount)})
	}
	return dates
}

// Repayments is a custom schedule on its own (bond revise -f).
type Repayments []Repayment

// Input is the schedule's funding input.
func (rs Repayments) Input() ([]funding.BondPrincipalInput, error) {
	var f fields
	out := repayments(&f, "custom_schedule", rs)
	return out, f.err
}

// Bond registers a special-purpose bond (funding.RegisterBond).
type Bond struct {
	Code               string      `json:"code" minLength:"1"`
	Name               string      `json:"name" minLength:"1"`
	IssueDate          Date        `json:"issue_date" minLength:"1" doc:"YYYY-MM-DD"`
	InterestStart      Date        `json:"interest_start,omitempty" doc:"起息日, YYYY-MM-DD; the issue date when absent"`
	Principal          Amount      `json:"principal" minLength:"1"`
	CouponRatePct      Decimal     `json:"coupon_rate_pct" minLength:"1" doc:"per cent a year: 3.76 is 3.76%"`
	TermYears          int         `json:"term_years,omitempty"`
	Frequency          string      `json:"frequency,omitempty" doc:"annual or semi-annual"`
	Repayment          string      `json:"repayment,omitempty" doc:"bullet, amortising or custom"`
	GraceYears         int         `json:"grace_years,omitempty"`
	Custom             []Repayment `json:"custom_schedule,omitempty" maxItems:"1000" doc:"custom: the dates are interest due dates, the amounts add up to the principal"`
	ReserveBankAccount string      `json:"reserve_bank_account,omitempty"`
}

// Label names the bond in a refusal.
func (b Bond) Label() string { return b.Code }

// Input is the bond's funding input.
func (b Bond) Input() (funding.BondInput, error) {
	var f fields
	in := funding.BondInput{Code: b.Code, Name: b.Name, IssueDate: f.day("issue_date", b.IssueDate),
		InterestStart: f.date("interest_start", b.InterestStart), Principal: f.amount("principal", b.Principal),
		CouponRatePct: f.decimal("coupon_rate_pct", b.CouponRatePct), TermYears: b.TermYears, Frequency: b.Frequency, Repayment: b.Repayment,
		GraceYears: b.GraceYears, Custom: repayments(&f, "custom_schedule", b.Custom), ReserveBankAccount: b.ReserveBankAccount}
	return in, f.err
}

// Loan registers a policy-bank or commercial loan (funding.RegisterLoan).
type Loan struct {
	Code        string      `json:"code" minLength:"1" maxLength:"64"`
	Name        string      `json:"name" minLength:"1" maxLength:"200"`
	Lender      string      `json:"lender" minLength:"1" maxLength:"200"`
	LenderKind  string      `json:"lender_kind" enum:"policy_bank,commercial"`
	District    string      `json:"district,omitempty" maxLength:"100" doc:"the borrowing district (code or Chinese name); the company's when a company borrows"`
	Company     string      `json:"company,omitempty" maxLength:"64"`
	Source      string      `json:"source,omitempty" maxLength:"64" doc:"the projects' funding source of the drawdowns; policy_bank when absent"`
	Projects    []string    `json:"projects" minItems:"1" maxItems:"500"`
	Amount      Amount      `json:"amount" minLength:"1"`
	RateKind    string      `json:"rate_kind" enum:"fixed,floating"`
	RatePct     Decimal     `json:"rate_pct,omitempty" doc:"a fixed loan's yearly rate, per cent"`
	LPRPct      Decimal     `json:"lpr_pct,omitempty" doc:"a floating loan's LPR at the start, per cent"`
	SpreadBP    int         `json:"spread_bp,omitempty"`
	ResetMonths int         `json:"reset_months,omitempty"`
	Start       Date        `json:"start" minLength:"1" doc:"YYYY-MM-DD, day 1 to 28"`
	TermMonths  int         `json:"term_months"`
	Frequency   string      `json:"frequency" enum:"monthly,quarterly,semi-annual,annual"`
	GraceMonths int         `json:"grace_months,omitempty"`
	Repayment   string      `json:"repayment" enum:"equal_principal,equal_instalment,bullet,custom"`
	Custom      []Repayment `json:"custom_schedule,omitempty" maxItems:"360"`
}

// Label names the loan in a refusal.
func (b Loan) Label() string { return b.Code }

// Input is the loan's funding input.
func (b Loan) Input() (funding.LoanInput, error) {
	var f fields
	in := funding.LoanInput{Code: b.Code, Name: b.Name, Lender: b.Lender, LenderKind: b.LenderKind, District: b.District, Company: b.Company,
		Source: b.Source, Projects: b.Projects, Amount: f.amount("amount", b.Amount), RateKind: b.RateKind,
		RatePct: f.decimal("rate_pct", b.RatePct), LPRPct: f.decimal("lpr_pct", b.LPRPct), SpreadBP: b.SpreadBP, ResetMonths: b.ResetMonths,
		Start: f.day("start", b.Start), TermMonths: b.TermMonths, Frequency: b.Frequency, GraceMonths: b.GraceMonths, Repayment: b.Repayment}
	for _, r := range repayments(&f, "custom_schedule", b.Custom) {
		in.Custom = append(in.Custom, funding.LoanMove{Date: r.Date, Amount: r.Amount})
	}
	return in, f.err
}

// BudgetLine is one line of a budget approval (funding.Approve).
type BudgetLine struct {
	Category    string `json:"category" enum:"basic,improvement,upgrade"`
	WorkItem    string `json:"work_item,omitempty"`
	Description string `json:"description,omitempty"`
	Amount      Amount `json:"amount" minLength:"1"`
}

// Label names the line in a refusal.
func (b BudgetLine) Label() string { return b.Category }

// Input is the line's funding input.
func (b BudgetLine) Input() (funding.BudgetLineInput, error) {
	var f fields
	in := funding.BudgetLineInput{Category: b.Category, WorkItem: b.WorkItem, Description: b.Description, Amount: f.amount("amount", b.Amount)}
	return in, f.err
}

// Inputs converts a list of bodies, listing every refusal with its item
// (1-based, as a person counts) before anything is stored.
func Inputs[B interface {
	Input() (I, error)
	Label() string
}, I any](noun string, bs []B) ([]I, []string) {
	ins := make([]I, len(bs))
	var refused []string
	for i, b := range bs {
		in, err := b.Input()
		if err != nil {
			refused = append(refused, fmt.Sprintf("%s %d (%s): %v", noun, i+1, b.Label(), err))
		}
		ins[i] = in
	}
	return ins, refused
}
