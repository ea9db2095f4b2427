package web

// The officer's grant steps, in the shape of ui_officer.go's steps (a form
// struct, one funding call; each previewed as a dry run, then posted with
// the same key): elevator applications through approval, acceptance,
// payment and the households' contributions; utility facilities (register,
// commit, correct the cost, transfer, pay the award, the utility's
// contribution); property scores (score, correct) and rewards (pay). Every
// step is on a project's page (/projects/{code}/<step>); an application or
// facility named in the form must be of that project.

import (
	"fmt"
	"reflect"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
)

func grantSteps() []officerStep {
	return []officerStep{
		formStep("elevator-apply", elevatorApplyRun),
		formStep("elevator-approve", elevatorApproveRun),
		formStep("elevator-accept", elevatorAcceptRun),
		formStep("elevator-pay", elevatorPayRun),
		formStep("elevator-contribution", contributionRun),
		formStep("facility-register", facilityRegisterRun),
		formStep("facility-commit", facilityCommitRun),
		formStep("facility-correct", facilityCorrectRun),
		formStep("facility-transfer", facilityTransferRun),
		formStep("facility-pay", facilityPayRun),
		formStep("facility-contribution", facilityContributionRun),
		formStep("score", scoreRun),
		formStep("score-correct", scoreCorrectRun),
		formStep("reward-pay", rewardPayRun),
	}
}

// ofProject: an application or facility named in the form must be of the
// page's project.
func ofProject(field, project string, sc stepScope, err error) error {
	if err != nil {
		return &fieldError{field, err}
	}
	if project != sc.Project.Code {
		return &fieldError{field, fmt.Errorf("%w: not of project %s", funding.ErrNotFound, sc.Project.Code)}
	}
	return nil
}

// ofThisProject checks that the applications and facilities a decoded
// form names (its fields tagged of:"application" or of:"facility") are of
// the page's project.
func (c stepCall) ofThisProject(form any) error {
	v := reflect.ValueOf(form).Elem()
	for _, ft := range formTags(v.Type()) {
		code := v.Field(ft.index).String()
		var project string
		var err error
		switch ft.of {
		case "application":
			var app funding.ElevatorApplication
			app, err = c.prog.ElevatorApplication(c.ctx, code)
			project = app.Project
		case "facility":
			var f funding.Facility
			f, err = c.prog.Facility(c.ctx, code)
			project = f.Project
		default:
			continue
		}
		if err := ofProject(ft.name, project, c.scope, err); err != nil {
			return err
		}
	}
	return nil
}

func (c stepCall) saved() string { return msg(c.lang, "gs.saved") }

// savedWith: saved, and a figure (its label a message key).
func (c stepCall) savedWith(label string, d decimal.Decimal) string {
	return c.saved() + " · " + msg(c.lang, label) + " " + amtText(d)
}

func (c stepCall) grantDone(g funding.GrantPayment) string {
	id := g.FinancialEntryID
	if id == 0 {
		id = g.EntryID
	}
	return movementDone(c.ctx, c.Server, c.lang, funding.Movement{FinancialEntry: id}) + " · " + msg(c.lang, "col.total") + " " + amtText(g.Total)
}

func amtText(d decimal.Decimal) string { return d.StringFixed(2) }

// Elevators.

type elevatorApplyForm struct {
	Code                string          `form:"code" label:"gs.application" required:"true"`
	Building            string          `form:"building" label:"gs.building" required:"true"`
	Unit                string          `form:"unit" label:"gs.unit" required:"true"`
	HouseholdsPerFloor  []int           `form:"households_per_floor" label:"gs.per_floor" required:"true"`
	Elevators           int             `form:"elevators" label:"reg.elevators"`
	EstimatedCost       decimal.Decimal `form:"estimated_cost" label:"gs.est_cost" required:"true"`
	EstimatedPipeCost   decimal.Decimal `form:"estimated_pipe_cost" label:"gs.est_pipe" kind:"decimal"`
	OtherContributions  decimal.Decimal `form:"other_contributions" label:"gs.other" kind:"decimal"`
	OwnersTotal         int             `form:"owners_total" label:"gs.owners_total" required:"true"`
	OwnersParticipating int             `form:"owners_participating" label:"gs.owners_part"`
	OwnersApproving     int             `form:"owners_approving" label:"gs.owners_appr"`
	AreaTotalM2         decimal.Decimal `form:"area_total_m2" label:"gs.area_total" kind:"decimal"`
	AreaParticipatingM2 decimal.Decimal `form:"area_participating_m2" label:"gs.area_part" kind:"decimal"`
	AreaApprovingM2     decimal.Decimal `form:"area_approving_m2" label:"gs.area_appr" kind:"decimal"`
	AppliedOn           time.Time       `form:"applied_on" label:"gs.applied_on" required:"true" default:"today"`
}

func elevatorApplyRun(c stepCall, f elevatorApplyForm) (string, error) {
	in := funding.ElevatorApplicationInput{Project: c.scope.Project.Code, Code: f.Code, Building: f.Building, Unit: f.Unit,
		HouseholdsPerFloor: f.HouseholdsPerFloor, Elevators: f.Elevators, EstimatedCost: f.EstimatedCost, EstimatedPipeCost: f.EstimatedPipeCost,
		OtherContributions: f.OtherContributions, OwnersTotal: f.OwnersTotal, OwnersParticipating: f.OwnersParticipating,
		OwnersApproving: f.OwnersApproving, AreaTotalM2: f.AreaTotalM2, AreaParticipatingM2: f.AreaParticipatingM2,
		AreaApprovingM2: f.AreaApprovingM2, AppliedOn: f.AppliedOn}
	_, err := c.prog.ApplyElevator(c.ctx, in, c.actor)
	return c.saved(), err
}

// applicationDated is an application and a date.
type applicationDated struct {
	Application string    `form:"application" label:"gs.application" required:"true" of:"application"`
	Date        time.Time `form:"date" label:"col.date" required:"true" default:"today"`
}

// elevatorApproveRun approves under the rule set in force; a refused
// consent is recorded (and, in a preview, rolled back with the rest).
func elevatorApproveRun(c stepCall, f applicationDated) (string, error) {
	g, err := c.prog.ApproveElevator(c.ctx, f.Application, f.Date, c.actor)
	if err != nil {
		return "", err
	}
	return c.savedWith("col.total", g.Grant.Amount), nil
}

type elevatorAcceptForm struct {
	Application   string          `form:"application" label:"gs.application" required:"true" of:"application"`
	FinalCost     decimal.Decimal `form:"final_cost" label:"gs.final_cost" required:"true"`
	FinalPipeCost decimal.Decimal `form:"final_pipe_cost" label:"gs.final_pipe" kind:"decimal"`
	Date          time.Time       `form:"date" label:"col.date" required:"true" default:"today"`
}

func elevatorAcceptRun(c stepCall, f elevatorAcceptForm) (string, error) {
	g, err := c.prog.AcceptElevator(c.ctx, f.Application, f.FinalCost, f.FinalPipeCost, f.Date, c.actor)
	if err != nil {
		return "", err
	}
	return c.savedWith("col.total", g.Grant.Amount), nil
}

type elevatorPayForm struct {
	Application string    `form:"application" label:"gs.application" required:"true" of:"application"`
	Date        time.Time `form:"date" label:"pay.date" required:"true" default:"today"`
	Payee       string    `form:"payee" label:"pay.payee" required:"true"`
	Reference   string    `form:"reference" label:"rcpt.reference"`
	BankAccount string    `form:"bank_account" label:"pay.bank" options:"banks" required:"true"`
}

func elevatorPayRun(c stepCall, f elevatorPayForm) (string, error) {
	g, err := c.prog.PayElevatorGrant(c.ctx, funding.ElevatorPaymentRequest{Application: f.Application, PaidOn: f.Date, Payee: f.Payee,
		BankAccount: f.BankAccount, Reference: f.Reference, Actor: c.actor})
	if err != nil {
		return "", err
	}
	return c.grantDone(g), nil
}

type contributionForm struct {
	Application string          `form:"application" label:"gs.application" required:"true" of:"application"`
	Household   string          `form:"household" label:"gs.household" required:"true"`
	Amount      decimal.Decimal `form:"amount" label:"rcpt.amount" required:"true"`
	Date        time.Time       `form:"date" label:"rcpt.date" required:"true" default:"today"`
}

func contributionRun(c stepCall, f contributionForm) (string, error) {
	m, err := c.prog.ReceiveContribution(c.ctx, funding.ContributionRequest{Application: f.Application, Household: f.Household,
		Amount: f.Amount, ReceivedOn: f.Date, IdempotencyKey: c.key, Actor: c.actor})
	if err != nil {
		return "", err
	}
	return movementDone(c.ctx, c.Server, c.lang, m), nil
}

// Utility facilities.

// facilityKinds are the kinds of utility facility, in both languages.
var facilityKinds = []struct{ code, zh, en string }{
	{"power", "供电", "power"}, {"water", "供水", "water"}, {"gas", "燃气", "gas"}, {"heating", "供热", "heating"},
	{"telecom", "通信", "telecom"}, {"cabletv", "有线电视", "cable TV"},
}

func facilityKindOptions(lang string) []stepOption {
	out := []stepOption{{"", "—"}}
	for _, k := range facilityKinds {
		out = append(out, stepOption{k.code, facilityKindName(lang, k.code)})
	}
	return out
}

// facilityKindName is a utility facility's kind in the language.
func facilityKindName(lang, code string) string {
	for _, k := range facilityKinds {
		if k.code == code {
			return inLanguage(lang, k.zh, k.en)
		}
	}
	return code
}

type facilityForm struct {
	Code           string          `form:"code" label:"gs.facility" required:"true"`
	Kind           string          `form:"kind" label:"col.kind" options:"facility_kinds" required:"true"`
	Description    string          `form:"description" label:"gs.description"`
	Cost           decimal.Decimal `form:"cost" label:"gs.cost" required:"true"`
	Utility        string          `form:"utility" label:"gs.utility" required:"true"`
	Owner          string          `form:"owner" label:"gs.owner" required:"true"`
	OwnedByUtility bool            `form:"owned_by_utility" label:"gs.owned_by_utility"`
	Date           time.Time       `form:"date" label:"col.date" required:"true" default:"today"`
}

func facilityRegisterRun(c stepCall, f facilityForm) (string, error) {
	in := funding.FacilityInput{Project: c.scope.Project.Code, Code: f.Code, Kind: f.Kind, Description: f.Description, Cost: f.Cost,
		Utility: f.Utility, Owner: f.Owner, OwnedByUtility: f.OwnedByUtility, RegisteredOn: f.Date}
	_, err := c.prog.RegisterFacility(c.ctx, in, c.actor)
	return c.saved(), err
}

// facilityDated is a facility and a date.
type facilityDated struct {
	Facility string    `form:"facility" label:"gs.facility" required:"true" of:"facility"`
	Date     time.Time `form:"date" label:"col.date" required:"true" default:"today"`
}

func facilityCommitRun(c stepCall, f facilityDated) (string, error) {
	_, err := c.prog.CommitFacility(c.ctx, f.Facility, f.Date, c.actor)
	return c.saved(), err
}

type facilityCorrectForm struct {
	Facility string          `form:"facility" label:"gs.facility" required:"true" of:"facility"`
	Cost     decimal.Decimal `form:"cost" label:"gs.cost" required:"true"`
	Reason   string          `form:"reason" label:"col.reason" required:"true"`
	Date     time.Time       `form:"date" label:"col.date" required:"true" default:"today"`
}

func facilityCorrectRun(c stepCall, f facilityCorrectForm) (string, error) {
	in := funding.FacilityCorrection{Facility: f.Facility, Cost: f.Cost, Reason: f.Reason, CorrectedOn: f.Date, Actor: c.actor}
	_, err := c.prog.CorrectFacilityCost(c.ctx, in)
	return c.saved(), err
}

type facilityTransferForm struct {
	Facility string    `form:"facility" label:"gs.facility" required:"true" of:"facility"`
	Owner    string    `form:"owner" label:"gs.new_owner" required:"true"`
	Date     time.Time `form:"date" label:"col.date" required:"true" default:"today"`
	Note     string    `form:"note" label:"col.note"`
}

func facilityTransferRun(c stepCall, f facilityTransferForm) (string, error) {
	_, err := c.prog.TransferOwnership(c.ctx, f.Facility, f.Owner, f.Date, c.actor, f.Note)
	return c.saved(), err
}

type facilityPayForm struct {
	Facility    string    `form:"facility" label:"gs.facility" required:"true" of:"facility"`
	Date        time.Time `form:"date" label:"pay.date" required:"true" default:"today"`
	Reference   string    `form:"reference" label:"rcpt.reference"`
	BankAccount string    `form:"bank_account" label:"pay.bank" options:"banks" required:"true"`
}

func facilityPayRun(c stepCall, f facilityPayForm) (string, error) {
	g, err := c.prog.PayAward(c.ctx, f.Facility, f.Date, f.BankAccount, f.Reference, c.actor)
	if err != nil {
		return "", err
	}
	return c.grantDone(g), nil
}

type facilityContributionForm struct {
	Facility    string    `form:"facility" label:"gs.facility" required:"true" of:"facility"`
	Date        time.Time `form:"date" label:"rcpt.date" required:"true" default:"today"`
	InKind      bool      `form:"in_kind" label:"gs.in_kind"`
	Reference   string    `form:"reference" label:"rcpt.reference"`
	BankAccount string    `form:"bank_account" label:"pay.bank" options:"banks"` // required unless in kind
}

func facilityContributionRun(c stepCall, f facilityContributionForm) (string, error) {
	if !f.InKind && f.BankAccount == "" {
		return "", &formError{Field: "bank_account", Label: "pay.bank", Key: "v.required"}
	}
	g, err := c.prog.RecordFacilityContribution(c.ctx, funding.FacilityContributionRequest{Facility: f.Facility, InKind: f.InKind,
		BankAccount: f.BankAccount, Reference: f.Reference, On: f.Date, Actor: c.actor})
	if err != nil {
		return "", err
	}
	return c.grantDone(g), nil
}

// Property scores and rewards.

type scoreForm struct {
	Period    string          `form:"period" label:"gs.period" required:"true"`
	Score     decimal.Decimal `form:"score" label:"gs.score" kind:"decimal" required:"true"`
	Evaluator string          `form:"evaluator" label:"gs.evaluator"`
	Date      time.Time       `form:"date" label:"col.date" required:"true" default:"today"`
}

func scoreRun(c stepCall, f scoreForm) (string, error) {
	pr, err := c.prog.ScoreProperty(c.ctx, funding.PropertyScoreInput{Project: c.scope.Project.Code, Period: f.Period, Score: f.Score,
		Evaluator: f.Evaluator, ScoredOn: f.Date}, c.actor)
	if err != nil {
		return "", err
	}
	return c.savedWith("gs.reward", pr.Reward), nil
}

type scoreCorrectForm struct {
	Period    string          `form:"period" label:"gs.period" required:"true"`
	Score     decimal.Decimal `form:"score" label:"gs.score" kind:"decimal" required:"true"`
	Reason    string          `form:"reason" label:"col.reason" required:"true"`
	Evaluator string          `form:"evaluator" label:"gs.evaluator"`
	Date      time.Time       `form:"date" label:"col.date" required:"true" default:"today"`
}

func scoreCorrectRun(c stepCall, f scoreCorrectForm) (string, error) {
	pr, err := c.prog.CorrectPropertyScore(c.ctx, funding.PropertyScoreCorrection{Project: c.scope.Project.Code, Period: f.Period,
		Score: f.Score, Reason: f.Reason, Evaluator: f.Evaluator, CorrectedOn: f.Date}, c.actor)
	if err != nil {
		return "", err
	}
	return c.savedWith("gs.reward", pr.Reward), nil
}

type rewardPayForm struct {
	Period      string    `form:"period" label:"gs.period" required:"true"`
	Date        time.Time `form:"date" label:"pay.date" required:"true" default:"today"`
	Reference   string    `form:"reference" label:"rcpt.reference"`
	BankAccount string    `form:"bank_account" label:"pay.bank" options:"banks" required:"true"`
}

func rewardPayRun(c stepCall, f rewardPayForm) (string, error) {
	g, err := c.prog.PayReward(c.ctx, c.scope.Project.Code, f.Period, f.Date, f.BankAccount, f.Reference, c.actor)
	if err != nil {
		return "", err
	}
	return c.grantDone(g), nil
}

var grantStepMessages = map[string][2]string{
	"step.elevator-apply":        {"加装电梯申请", "Apply for an elevator grant"},
	"step.elevator-approve":      {"批准电梯补助", "Approve an elevator grant"},
	"step.elevator-accept":       {"电梯竣工验收", "Accept an elevator"},
	"step.elevator-pay":          {"支付电梯补助", "Pay an elevator grant"},
	"step.elevator-contribution": {"登记住户分摊款", "Record a household's share"},
	"step.facility-register":     {"登记专营设施", "Register a utility facility"},
	"step.facility-commit":       {"确认设施出资与奖补", "Commit a facility's contribution and award"},
	"step.facility-correct":      {"更正设施造价", "Correct a facility's cost"},
	"step.facility-transfer":     {"设施移交专营单位", "Transfer a facility to the utility"},
	"step.facility-pay":          {"支付设施奖补", "Pay a facility award"},
	"step.facility-contribution": {"登记专营单位出资", "Record the utility's contribution"},
	"step.score":                 {"物业考核评分", "Score property management"},
	"step.score-correct":         {"更正考核评分", "Correct a property score"},
	"step.reward-pay":            {"支付物业奖励", "Pay a property reward"},
	"gs.application":             {"电梯申请编号", "Application code"},
	"gs.building":                {"楼号", "Building"},
	"gs.unit":                    {"单元", "Unit"},
	"gs.per_floor":               {"各层户数（自一层起，逗号分隔）", "Households per floor (ground floor first, comma-separated)"},
	"gs.est_cost":                {"估算造价（元）", "Estimated cost (yuan)"},
	"gs.est_pipe":                {"管线迁改估算（元）", "Estimated pipe works (yuan)"},
	"gs.other":                   {"其他出资（元）", "Other contributions (yuan)"},
	"gs.owners_total":            {"业主总数", "Owners in all"},
	"gs.owners_part":             {"参与表决业主", "Owners voting"},
	"gs.owners_appr":             {"同意业主", "Owners approving"},
	"gs.area_total":              {"专有面积合计（平方米）", "Floor area in all (m²)"},
	"gs.area_part":               {"参与表决面积", "Area voting (m²)"},
	"gs.area_appr":               {"同意面积", "Area approving (m²)"},
	"gs.applied_on":              {"申请日期", "Applied on"},
	"gs.final_cost":              {"决算造价（元）", "Final cost (yuan)"},
	"gs.final_pipe":              {"管线迁改决算（元）", "Final pipe works (yuan)"},
	"gs.household":               {"住户（房号）", "Household (flat)"},
	"gs.facility":                {"设施编号", "Facility code"},
	"gs.description":             {"说明", "Description"},
	"gs.cost":                    {"核定造价（元）", "Approved cost (yuan)"},
	"gs.utility":                 {"专营单位", "Utility company"},
	"gs.owner":                   {"现产权人", "Current owner"},
	"gs.new_owner":               {"新产权人", "New owner"},
	"gs.owned_by_utility":        {"已归专营单位所有", "Owned by the utility"},
	"gs.in_kind":                 {"以实物（工程）出资", "In kind (works)"},
	"gs.period":                  {"考核期（如 2021、2021-H1、2021-Q3）", "Period (e.g. 2021, 2021-H1, 2021-Q3)"},
	"gs.score":                   {"得分", "Score"},
	"gs.evaluator":               {"考核单位", "Evaluator"},
	"gs.reward":                  {"奖励", "Reward"},
	"gs.saved":                   {"已保存。", "Saved."},
}
