package web

// The officer's grant steps, in the shape of ui_officer.go's steps (each
// previewed as a dry run, then posted with the same key): elevator
// applications through approval, acceptance, payment and the households'
// contributions; utility facilities (register, commit, correct the cost,
// transfer, pay the award, the utility's contribution); property scores
// (score, correct) and rewards (pay). Every step is on a project's page
// (/projects/{code}/<step>); an application or facility named in the form
// must be of that project.

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"fundledger/funding"
)

func grantSteps() []officerStep {
	return []officerStep{
		{name: "elevator-apply", fields: fieldsOf(elevatorApplyFields), run: elevatorApplyRun},
		// A refused consent is recorded outside the ledger's transaction.
		{name: "elevator-approve", fields: fieldsOf(appDateFields), run: elevatorApproveRun, direct: true},
		{name: "elevator-accept", fields: fieldsOf(elevatorAcceptFields), run: elevatorAcceptRun},
		{name: "elevator-pay", fields: withBanks(elevatorPayFields), run: elevatorPayRun},
		{name: "elevator-contribution", fields: fieldsOf(contributionFields), run: contributionRun},
		{name: "facility-register", fields: fieldsOf(facilityFields), run: facilityRegisterRun},
		{name: "facility-commit", fields: fieldsOf(facilityDateFields), run: facilityCommitRun},
		{name: "facility-correct", fields: fieldsOf(facilityCorrectFields), run: facilityCorrectRun},
		{name: "facility-transfer", fields: fieldsOf(facilityTransferFields), run: facilityTransferRun, direct: true},
		{name: "facility-pay", fields: withBanks(facilityPayFields), run: facilityPayRun},
		{name: "facility-contribution", fields: withBanks(facilityContributionFields), run: facilityContributionRun},
		{name: "score", fields: fieldsOf(scoreFields), run: scoreRun},
		{name: "score-correct", fields: fieldsOf(scoreCorrectFields), run: scoreCorrectRun},
		{name: "reward-pay", fields: withBanks(rewardPayFields), run: rewardPayRun},
	}
}

func fieldsOf(fs []stepField) func(*Server, context.Context, string, stepScope) ([]stepField, error) {
	return func(*Server, context.Context, string, stepScope) ([]stepField, error) {
		out := append([]stepField(nil), fs...)
		for i := range out {
			if out[i].Kind == "date" && out[i].Value == "" {
				out[i].Value = today()
			}
		}
		return out, nil
	}
}

// withBanks adds the bank account choice (the district's and the city's,
// nothing preselected) to fields.
func withBanks(fs []stepField) func(*Server, context.Context, string, stepScope) ([]stepField, error) {
	return func(s *Server, ctx context.Context, lang string, sc stepScope) ([]stepField, error) {
		out, _ := fieldsOf(fs)(s, ctx, lang, sc)
		banks, err := s.bankOptions(ctx, sc.District.Code)
		if err != nil {
			return nil, err
		}
		return append(out, stepField{Name: "bank_account", Label: "pay.bank", Kind: "select", Options: banks}), nil
	}
}

// decimalField is a decimal that may be empty (zero) or zero.
func decimalField(r *http.Request, name string) (decimal.Decimal, error) {
	v := formValue(r, name)
	if v == "" {
		return decimal.Zero, nil
	}
	d, err := parseDecimal(name, v)
	if err != nil {
		return d, &fieldError{name, err}
	}
	return d, nil
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

func (s *Server) stepApplication(ctx context.Context, r *http.Request, sc stepScope) (string, error) {
	code, err := requiredField(r, langOf(r), "application", "gs.application")
	if err != nil {
		return "", err
	}
	app, err := s.prog.ElevatorApplication(ctx, code)
	return code, ofProject("application", app.Project, sc, err)
}

func (s *Server) stepFacility(ctx context.Context, r *http.Request, sc stepScope) (string, error) {
	code, err := requiredField(r, langOf(r), "facility", "gs.facility")
	if err != nil {
		return "", err
	}
	f, err := s.prog.Facility(ctx, code)
	return code, ofProject("facility", f.Project, sc, err)
}

func saved(r *http.Request) string { return msg(langOf(r), "gs.saved") }

func (s *Server) grantDone(ctx context.Context, r *http.Request, g funding.GrantPayment) string {
	id := g.FinancialEntryID
	if id == 0 {
		id = g.EntryID
	}
	return movementDone(ctx, s, langOf(r), funding.Movement{FinancialEntry: id}) + " · " + msg(langOf(r), "col.total") + " " + amtText(g.Total)
}

func amtText(d decimal.Decimal) string { return d.StringFixed(2) }

// Elevators.

var elevatorApplyFields = []stepField{
	{Name: "code", Label: "gs.application", Kind: "text", Required: true},
	{Name: "building", Label: "gs.building", Kind: "text", Required: true},
	{Name: "unit", Label: "gs.unit", Kind: "text", Required: true},
	{Name: "households_per_floor", Label: "gs.per_floor", Kind: "text", Required: true},
	{Name: "elevators", Label: "reg.elevators", Kind: "number"},
	{Name: "estimated_cost", Label: "gs.est_cost", Kind: "amount", Required: true},
	{Name: "estimated_pipe_cost", Label: "gs.est_pipe", Kind: "amount"},
	{Name: "other_contributions", Label: "gs.other", Kind: "amount"},
	{Name: "owners_total", Label: "gs.owners_total", Kind: "number", Required: true},
	{Name: "owners_participating", Label: "gs.owners_part", Kind: "number"},
	{Name: "owners_approving", Label: "gs.owners_appr", Kind: "number"},
	{Name: "area_total_m2", Label: "gs.area_total", Kind: "amount"},
	{Name: "area_participating_m2", Label: "gs.area_part", Kind: "amount"},
	{Name: "area_approving_m2", Label: "gs.area_appr", Kind: "amount"},
	{Name: "applied_on", Label: "gs.applied_on", Kind: "date", Required: true},
}

func elevatorApplyRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	lang := langOf(r)
	in := funding.ElevatorApplicationInput{Project: sc.Project.Code}
	var err error
	if in.Code, err = requiredField(r, lang, "code", "gs.application"); err != nil {
		return "", err
	}
	if in.Building, err = requiredField(r, lang, "building", "gs.building"); err != nil {
		return "", err
	}
	if in.Unit, err = requiredField(r, lang, "unit", "gs.unit"); err != nil {
		return "", err
	}
	floors, err := requiredField(r, lang, "households_per_floor", "gs.per_floor")
	if err != nil {
		return "", err
	}
	for _, f := range strings.FieldsFunc(floors, func(c rune) bool { return c == ',' || c == '，' || c == ' ' }) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return "", &fieldError{"households_per_floor", invalid("households_per_floor", "v.integer", msg(lang, "gs.per_floor"))}
		}
		in.HouseholdsPerFloor = append(in.HouseholdsPerFloor, n)
	}
	for _, x := range []struct {
		name string
		to   *int
	}{{"elevators", &in.Elevators}, {"owners_total", &in.OwnersTotal}, {"owners_participating", &in.OwnersParticipating}, {"owners_approving", &in.OwnersApproving}} {
		if *x.to, err = intField(r, x.name); err != nil {
			return "", err
		}
	}
	for _, x := range []struct {
		name string
		to   *decimal.Decimal
	}{{"estimated_cost", &in.EstimatedCost}, {"estimated_pipe_cost", &in.EstimatedPipeCost}, {"other_contributions", &in.OtherContributions},
		{"area_total_m2", &in.AreaTotalM2}, {"area_participating_m2", &in.AreaParticipatingM2}, {"area_approving_m2", &in.AreaApprovingM2}} {
		if *x.to, err = decimalField(r, x.name); err != nil {
			return "", err
		}
	}
	if in.AppliedOn, err = dayField(r, "applied_on"); err != nil {
		return "", err
	}
	if _, err := s.prog.ApplyElevator(ctx, in, principal(r).User); err != nil {
		return "", err
	}
	return saved(r), nil
}

var appDateFields = []stepField{
	{Name: "application", Label: "gs.application", Kind: "text", Required: true},
	{Name: "date", Label: "col.date", Kind: "date", Required: true},
}

func elevatorApproveRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	code, err := s.stepApplication(ctx, r, sc)
	if err != nil {
		return "", err
	}
	on, err := dayField(r, "date")
	if err != nil {
		return "", err
	}
	g, err := s.prog.ApproveElevator(ctx, code, on, principal(r).User)
	if err != nil {
		return "", err
	}
	return saved(r) + " · " + msg(langOf(r), "col.total") + " " + amtText(g.Grant.Amount), nil
}

var elevatorAcceptFields = []stepField{
	{Name: "application", Label: "gs.application", Kind: "text", Required: true},
	{Name: "final_cost", Label: "gs.final_cost", Kind: "amount", Required: true},
	{Name: "final_pipe_cost", Label: "gs.final_pipe", Kind: "amount"},
	{Name: "date", Label: "col.date", Kind: "date", Required: true},
}

func elevatorAcceptRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	code, err := s.stepApplication(ctx, r, sc)
	if err != nil {
		return "", err
	}
	cost, err := amountField(r, "final_cost")
	if err != nil {
		return "", err
	}
	pipe, err := decimalField(r, "final_pipe_cost")
	if err != nil {
		return "", err
	}
	on, err := dayField(r, "date")
	if err != nil {
		return "", err
	}
	g, err := s.prog.AcceptElevator(ctx, code, cost, pipe, on, principal(r).User)
	if err != nil {
		return "", err
	}
	return saved(r) + " · " + msg(langOf(r), "col.total") + " " + amtText(g.Grant.Amount), nil
}

var elevatorPayFields = []stepField{
	{Name: "application", Label: "gs.application", Kind: "text", Required: true},
	{Name: "date", Label: "pay.date", Kind: "date", Required: true},
	{Name: "payee", Label: "pay.payee", Kind: "text", Required: true},
	{Name: "reference", Label: "rcpt.reference", Kind: "text"},
}

func elevatorPayRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	lang := langOf(r)
	code, err := s.stepApplication(ctx, r, sc)
	if err != nil {
		return "", err
	}
	req := funding.ElevatorPaymentRequest{Application: code, Reference: formValue(r, "reference"), Actor: principal(r).User}
	if req.PaidOn, err = dayField(r, "date"); err != nil {
		return "", err
	}
	if req.Payee, err = requiredField(r, lang, "payee", "pay.payee"); err != nil {
		return "", err
	}
	if req.BankAccount, err = requiredField(r, lang, "bank_account", "pay.bank"); err != nil {
		return "", err
	}
	g, err := s.prog.PayElevatorGrant(ctx, req)
	if err != nil {
		return "", err
	}
	return s.grantDone(ctx, r, g), nil
}

var contributionFields = []stepField{
	{Name: "application", Label: "gs.application", Kind: "text", Required: true},
	{Name: "household", Label: "gs.household", Kind: "text", Required: true},
	{Name: "amount", Label: "rcpt.amount", Kind: "amount", Required: true},
	{Name: "date", Label: "rcpt.date", Kind: "date", Required: true},
}

func contributionRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	code, err := s.stepApplication(ctx, r, sc)
	if err != nil {
		return "", err
	}
	req := funding.ContributionRequest{Application: code, IdempotencyKey: key, Actor: principal(r).User}
	if req.Household, err = requiredField(r, langOf(r), "household", "gs.household"); err != nil {
		return "", err
	}
	if req.Amount, err = amountField(r, "amount"); err != nil {
		return "", err
	}
	if req.ReceivedOn, err = dayField(r, "date"); err != nil {
		return "", err
	}
	m, err := s.prog.ReceiveContribution(ctx, req)
	if err != nil {
		return "", err
	}
	return movementDone(ctx, s, langOf(r), m), nil
}

// Utility facilities.

var facilityFields = []stepField{
	{Name: "code", Label: "gs.facility", Kind: "text", Required: true},
	{Name: "kind", Label: "col.kind", Kind: "select", Required: true, Options: []stepOption{{"", "—"}, {"power", "供电 power"},
		{"water", "供水 water"}, {"gas", "燃气 gas"}, {"heating", "供热 heating"}, {"telecom", "通信 telecom"}, {"cabletv", "有线电视 cable TV"}}},
	{Name: "description", Label: "gs.description", Kind: "text"},
	{Name: "cost", Label: "gs.cost", Kind: "amount", Required: true},
	{Name: "utility", Label: "gs.utility", Kind: "text", Required: true},
	{Name: "owner", Label: "gs.owner", Kind: "text", Required: true},
	{Name: "owned_by_utility", Label: "gs.owned_by_utility", Kind: "checkbox"},
	{Name: "date", Label: "col.date", Kind: "date", Required: true},
}

func facilityRegisterRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	lang := langOf(r)
	in := funding.FacilityInput{Project: sc.Project.Code, Description: formValue(r, "description"), OwnedByUtility: r.PostFormValue("owned_by_utility") != ""}
	var err error
	if in.Code, err = requiredField(r, lang, "code", "gs.facility"); err != nil {
		return "", err
	}
	if in.Kind, err = requiredField(r, lang, "kind", "col.kind"); err != nil {
		return "", err
	}
	if in.Cost, err = amountField(r, "cost"); err != nil {
		return "", err
	}
	if in.Utility, err = requiredField(r, lang, "utility", "gs.utility"); err != nil {
		return "", err
	}
	if in.Owner, err = requiredField(r, lang, "owner", "gs.owner"); err != nil {
		return "", err
	}
	if in.RegisteredOn, err = dayField(r, "date"); err != nil {
		return "", err
	}
	if _, err := s.prog.RegisterFacility(ctx, in, principal(r).User); err != nil {
		return "", err
	}
	return saved(r), nil
}

var facilityDateFields = []stepField{
	{Name: "facility", Label: "gs.facility", Kind: "text", Required: true},
	{Name: "date", Label: "col.date", Kind: "date", Required: true},
}

func facilityCommitRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	code, err := s.stepFacility(ctx, r, sc)
	if err != nil {
		return "", err
	}
	on, err := dayField(r, "date")
	if err != nil {
		return "", err
	}
	if _, err := s.prog.CommitFacility(ctx, code, on, principal(r).User); err != nil {
		return "", err
	}
	return saved(r), nil
}

var facilityCorrectFields = []stepField{
	{Name: "facility", Label: "gs.facility", Kind: "text", Required: true},
	{Name: "cost", Label: "gs.cost", Kind: "amount", Required: true},
	{Name: "reason", Label: "col.reason", Kind: "text", Required: true},
	{Name: "date", Label: "col.date", Kind: "date", Required: true},
}

func facilityCorrectRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	code, err := s.stepFacility(ctx, r, sc)
	if err != nil {
		return "", err
	}
	in := funding.FacilityCorrection{Facility: code, Actor: principal(r).User}
	if in.Cost, err = amountField(r, "cost"); err != nil {
		return "", err
	}
	if in.Reason, err = requiredField(r, langOf(r), "reason", "col.reason"); err != nil {
		return "", err
	}
	if in.CorrectedOn, err = dayField(r, "date"); err != nil {
		return "", err
	}
	if _, err := s.prog.CorrectFacilityCost(ctx, in); err != nil {
		return "", err
	}
	return saved(r), nil
}

var facilityTransferFields = []stepField{
	{Name: "facility", Label: "gs.facility", Kind: "text", Required: true},
	{Name: "owner", Label: "gs.new_owner", Kind: "text", Required: true},
	{Name: "date", Label: "col.date", Kind: "date", Required: true},
	{Name: "note", Label: "col.note", Kind: "text"},
}

func facilityTransferRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	code, err := s.stepFacility(ctx, r, sc)
	if err != nil {
		return "", err
	}
	owner, err := requiredField(r, langOf(r), "owner", "gs.new_owner")
	if err != nil {
		return "", err
	}
	on, err := dayField(r, "date")
	if err != nil {
		return "", err
	}
	if _, err := s.prog.TransferOwnership(ctx, code, owner, on, principal(r).User, formValue(r, "note")); err != nil {
		return "", err
	}
	return saved(r), nil
}

var facilityPayFields = []stepField{
	{Name: "facility", Label: "gs.facility", Kind: "text", Required: true},
	{Name: "date", Label: "pay.date", Kind: "date", Required: true},
	{Name: "reference", Label: "rcpt.reference", Kind: "text"},
}

func facilityPayRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	code, err := s.stepFacility(ctx, r, sc)
	if err != nil {
		return "", err
	}
	on, err := dayField(r, "date")
	if err != nil {
		return "", err
	}
	bank, err := requiredField(r, langOf(r), "bank_account", "pay.bank")
	if err != nil {
		return "", err
	}
	g, err := s.prog.PayAward(ctx, code, on, bank, formValue(r, "reference"), principal(r).User)
	if err != nil {
		return "", err
	}
	return s.grantDone(ctx, r, g), nil
}

var facilityContributionFields = []stepField{
	{Name: "facility", Label: "gs.facility", Kind: "text", Required: true},
	{Name: "date", Label: "rcpt.date", Kind: "date", Required: true},
	{Name: "in_kind", Label: "gs.in_kind", Kind: "checkbox"},
	{Name: "reference", Label: "rcpt.reference", Kind: "text"},
}

func facilityContributionRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	code, err := s.stepFacility(ctx, r, sc)
	if err != nil {
		return "", err
	}
	req := funding.FacilityContributionRequest{Facility: code, InKind: r.PostFormValue("in_kind") != "", BankAccount: formValue(r, "bank_account"),
		Reference: formValue(r, "reference"), Actor: principal(r).User}
	if req.On, err = dayField(r, "date"); err != nil {
		return "", err
	}
	if !req.InKind && req.BankAccount == "" {
		return "", &fieldError{"bank_account", invalid("bank_account", "v.required", msg(langOf(r), "pay.bank"))}
	}
	g, err := s.prog.RecordFacilityContribution(ctx, req)
	if err != nil {
		return "", err
	}
	return s.grantDone(ctx, r, g), nil
}

// Property scores and rewards.

var scoreFields = []stepField{
	{Name: "period", Label: "gs.period", Kind: "text", Required: true},
	{Name: "score", Label: "gs.score", Kind: "amount", Required: true},
	{Name: "evaluator", Label: "gs.evaluator", Kind: "text"},
	{Name: "date", Label: "col.date", Kind: "date", Required: true},
}

func scoreRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	in := funding.PropertyScoreInput{Project: sc.Project.Code, Evaluator: formValue(r, "evaluator")}
	var err error
	if in.Period, err = requiredField(r, langOf(r), "period", "gs.period"); err != nil {
		return "", err
	}
	if in.Score, err = decimalField(r, "score"); err != nil {
		return "", err
	}
	if in.ScoredOn, err = dayField(r, "date"); err != nil {
		return "", err
	}
	pr, err := s.prog.ScoreProperty(ctx, in, principal(r).User)
	if err != nil {
		return "", err
	}
	return saved(r) + " · " + msg(langOf(r), "gs.reward") + " " + amtText(pr.Reward), nil
}

var scoreCorrectFields = []stepField{
	{Name: "period", Label: "gs.period", Kind: "text", Required: true},
	{Name: "score", Label: "gs.score", Kind: "amount", Required: true},
	{Name: "reason", Label: "col.reason", Kind: "text", Required: true},
	{Name: "evaluator", Label: "gs.evaluator", Kind: "text"},
	{Name: "date", Label: "col.date", Kind: "date", Required: true},
}

func scoreCorrectRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	in := funding.PropertyScoreCorrection{Project: sc.Project.Code, Evaluator: formValue(r, "evaluator")}
	var err error
	if in.Period, err = requiredField(r, langOf(r), "period", "gs.period"); err != nil {
		return "", err
	}
	if in.Score, err = decimalField(r, "score"); err != nil {
		return "", err
	}
	if in.Reason, err = requiredField(r, langOf(r), "reason", "col.reason"); err != nil {
		return "", err
	}
	if in.CorrectedOn, err = dayField(r, "date"); err != nil {
		return "", err
	}
	pr, err := s.prog.CorrectPropertyScore(ctx, in, principal(r).User)
	if err != nil {
		return "", err
	}
	return saved(r) + " · " + msg(langOf(r), "gs.reward") + " " + amtText(pr.Reward), nil
}

var rewardPayFields = []stepField{
	{Name: "period", Label: "gs.period", Kind: "text", Required: true},
	{Name: "date", Label: "pay.date", Kind: "date", Required: true},
	{Name: "reference", Label: "rcpt.reference", Kind: "text"},
}

func rewardPayRun(s *Server, ctx context.Context, r *http.Request, sc stepScope, key string) (string, error) {
	period, err := requiredField(r, langOf(r), "period", "gs.period")
	if err != nil {
		return "", err
	}
	on, err := dayField(r, "date")
	if err != nil {
		return "", err
	}
	bank, err := requiredField(r, langOf(r), "bank_account", "pay.bank")
	if err != nil {
		return "", err
	}
	g, err := s.prog.PayReward(ctx, sc.Project.Code, period, on, bank, formValue(r, "reference"), principal(r).User)
	if err != nil {
		return "", err
	}
	return s.grantDone(ctx, r, g), nil
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

func init() {
	for k, v := range grantStepMessages {
		if _, taken := messages[k]; !taken {
			messages[k] = v
		}
	}
}
