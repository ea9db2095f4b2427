package web

// Grants: elevator applications (加装电梯), utility facilities (专营设施,
// 以奖代补), property-management scores and rewards (物业服务考核奖励),
// district evaluations and the municipal pool. Elevator grants, facilities
// and property rewards are the project's district's: officers only in their
// granted districts. Evaluations and the pool are the finance bureau's.

import (
	"context"
	"net/http"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/requests"
	"fundledger/rules"
)

func (s *Server) registerGrants() {
	const tag = apiTag("grants")
	register(s, tag.read("/api/elevator-applications/{code}", "An elevator application with its households' shares, paid and outstanding"), s.elevatorApplication)
	register(s, tag.create("/api/elevator-applications", "Apply for an elevator grant (funding.ApplyElevator)"), s.postElevatorApplication)
	register(s, tag.create("/api/elevator-applications/{code}/approve", "Approve the grant on the estimated cost (funding.ApproveElevator)"), s.postElevatorApprove)
	register(s, tag.create("/api/elevator-applications/{code}/accept", "Record the acceptance with the final cost (funding.AcceptElevator)"), s.postElevatorAccept)
	register(s, tag.create("/api/elevator-applications/{code}/pay", "Pay the grant after acceptance (funding.PayElevatorGrant)"), s.postElevatorPay)
	register(s, tag.create("/api/elevator-applications/{code}/contributions", "Record a household's payment of its share (funding.ReceiveContribution)"), s.postElevatorContribution)
	register(s, tag.create("/api/utility-facilities", "Register a utility facility and its owner (funding.RegisterFacility)"), s.postFacility)
	register(s, tag.create("/api/utility-facilities/{code}/commit", "Commit the utility's contribution and the award (funding.CommitFacility)"), s.postFacilityCommit)
	register(s, tag.create("/api/utility-facilities/{code}/transfer", "Record the transfer of ownership to the utility (funding.TransferOwnership)"), s.postFacilityTransfer)
	register(s, tag.create("/api/utility-facilities/{code}/pay", "Pay the award once the utility owns the facility (funding.PayAward)"), s.postFacilityPay)
	register(s, tag.create("/api/property-scores", "Record a property-management score and commit its reward (funding.ScoreProperty)"), s.postPropertyScore)
	register(s, tag.create("/api/property-rewards/pay", "Pay a committed property reward (funding.PayReward)"), s.postPropertyRewardPay)
	register(s, tag.bureauCreate("/api/evaluations", "record evaluations", "Record a district's evaluation score for a year (funding.RecordEvaluation)"), s.postEvaluation)
	register(s, tag.bureauCreate("/api/pool-allocations", "allocate the pool", "Allocate the year's municipal pool among the districts; dry_run first (funding.AllocatePool)"), s.postPoolAllocation)
}

// Elevator grants.

type elevatorJSON struct {
	Application funding.ElevatorApplication `json:"application"`
	Households  []funding.HouseholdPosition `json:"households"`
}

func (s *Server) elevatorApplication(ctx context.Context, in *CodePath) (*bodyOut[elevatorJSON], error) {
	app, err := s.prog.ElevatorApplication(ctx, in.Code)
	if err != nil {
		return nil, err
	}
	if err := principalOf(ctx).CheckRead(app.District); err != nil {
		return nil, err
	}
	hs, err := s.prog.ElevatorHouseholds(ctx, in.Code)
	if err != nil {
		return nil, err
	}
	if hs == nil {
		hs = []funding.HouseholdPosition{}
	}
	return ok(elevatorJSON{Application: app, Households: hs}), nil
}

// postElevatorApplication: the same application again answers 200 with
// Idempotent-Replayed: true, another with the same code 409.
func (s *Server) postElevatorApplication(ctx context.Context, in *writeIn[requests.ElevatorApplication]) (*writeOut[funding.ElevatorApplication], error) {
	ai, err := input(in.Body.Input())
	if err != nil {
		return nil, err
	}
	return created(right(s.writableProject(ctx, ai.Project)), func() error { return right(s.prog.ElevatorApplication(ctx, ai.Code)) },
		func() (funding.ElevatorApplication, error) {
			return s.prog.ApplyElevator(ctx, ai, principalOf(ctx).User)
		}, as)
}

// writableApplication loads an application the caller may change.
func (s *Server) writableApplication(ctx context.Context, code string) (funding.ElevatorApplication, error) {
	app, err := s.prog.ElevatorApplication(ctx, code)
	if err != nil {
		return app, err
	}
	return app, principalOf(ctx).CheckWrite(app.District)
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

// grantOut answers an elevator grant's approval or acceptance.
func grantOut(ctx context.Context) func(funding.ElevatorGrant) (grantJSON, bool) {
	return func(g funding.ElevatorGrant) (grantJSON, bool) { return grantBody(ctx, g), g.Unchanged }
}

func grantBody(ctx context.Context, g funding.ElevatorGrant) grantJSON {
	out := grantJSON{Application: g.Application, Event: g.Event, On: day(g.On), RuleSetID: g.RuleSetID, Consent: g.Consent,
		Cost: money(g.Cost), PipeCost: money(g.PipeCost), Grant: money(g.Grant.Total), Capped: g.Grant.Capped,
		Sources: []sourceAmountJSON{}, ResidentsShare: money(g.ResidentsShare), Households: []householdShareJSON{},
		EntryID: g.EntryID, FinancialEntryID: g.FinancialEntryID, Actor: principalOf(ctx).User}
	for _, t := range g.Grant.Totals {
		out.Sources = append(out.Sources, sourceAmountJSON{Source: t.Source, Amount: money(t.Amount)})
	}
	for _, h := range g.Households {
		out.Households = append(out.Households, householdShareJSON{Household: h.Household, Floor: h.Floor, Share: money(h.Amount)})
	}
	return out
}

// postElevatorApprove: a consent below the thresholds is 422 consent.
func (s *Server) postElevatorApprove(ctx context.Context, in *codeWriteIn[requests.On]) (*writeOut[grantJSON], error) {
	return wrote(right(s.writableApplication(ctx, in.Code)), func() (funding.ElevatorGrant, error) {
		return s.prog.ApproveElevator(ctx, in.Code, in.Body.On.Time(), principalOf(ctx).User)
	}, grantOut(ctx))
}

func (s *Server) postElevatorAccept(ctx context.Context, in *codeWriteIn[requests.ElevatorAcceptance]) (*writeOut[grantJSON], error) {
	b := in.Body
	return wrote(right(s.writableApplication(ctx, in.Code)), func() (funding.ElevatorGrant, error) {
		return s.prog.AcceptElevator(ctx, in.Code, b.FinalCost.Dec(), b.FinalPipeCost.Dec(), b.On.Time(), principalOf(ctx).User)
	}, grantOut(ctx))
}

type grantPaymentJSON struct {
	Facility         string             `json:"facility,omitempty"`
	Application      string             `json:"application,omitempty"`
	Project          string             `json:"project,omitempty"`
	Period           string             `json:"period,omitempty"`
	Amounts          []sourceAmountJSON `json:"amounts"`
	Total            moneyJSON          `json:"total"`
	EntryID          int64              `json:"entry_id"`
	FinancialEntryID int64              `json:"financial_entry_id"`
	Actor            string             `json:"actor"`
}

// paymentOut answers a grant's payment: out names what was paid.
func paymentOut(ctx context.Context, out grantPaymentJSON) func(funding.GrantPayment) (grantPaymentJSON, bool) {
	return func(pm funding.GrantPayment) (grantPaymentJSON, bool) { return paymentBody(ctx, out, pm), pm.Replayed }
}

func elevatorPaymentOut(ctx context.Context, q funding.ElevatorPaymentRequest, pm funding.GrantPayment) (grantPaymentJSON, bool) {
	return paymentBody(ctx, grantPaymentJSON{Application: q.Application}, pm), pm.Replayed
}

func paymentBody(ctx context.Context, out grantPaymentJSON, pm funding.GrantPayment) grantPaymentJSON {
	out.Amounts, out.Total, out.EntryID, out.FinancialEntryID, out.Actor = []sourceAmountJSON{}, money(pm.Total), pm.EntryID,
		pm.FinancialEntryID, principalOf(ctx).User
	for _, a := range pm.Amounts {
		out.Amounts = append(out.Amounts, sourceAmountJSON{Source: a.Source, Amount: money(a.Amount)})
	}
	return out
}

func (s *Server) postElevatorPay(ctx context.Context, in *codeWriteIn[requests.ElevatorPayment]) (*writeOut[grantPaymentJSON], error) {
	guard := firstErr(right(s.writableApplication(ctx, in.Code)), s.checkBankAccount(ctx, in.Body.BankAccount, true))
	return write(ctx, guard, s.prog.PayElevatorGrant, in.Body.Request(caller(ctx, in.Code)), elevatorPaymentOut)
}

type contributionJSON struct {
	Application string    `json:"application"`
	Household   string    `json:"household"`
	Amount      moneyJSON `json:"amount"`
	PostedJSON
}

func contributionOut(_ context.Context, q funding.ContributionRequest, m funding.Movement) (contributionJSON, bool) {
	return contributionJSON{Application: q.Application, Household: q.Household, Amount: money(q.Amount),
		PostedJSON: posted(m.FinancialEntry, m.BudgetEntry, q.Actor)}, m.Replayed
}

func (s *Server) postElevatorContribution(ctx context.Context, in *codeWriteIn[requests.Contribution]) (*writeOut[contributionJSON], error) {
	return write(ctx, right(s.writableApplication(ctx, in.Code)), s.prog.ReceiveContribution, in.Body.Request(caller(ctx, in.Code)), contributionOut)
}

// Utility facilities.

type facilityOutJSON struct {
	Code           string    `json:"code"`
	Project        string    `json:"project"`
	District       string    `json:"district"`
	Kind           string    `json:"kind"`
	Description    string    `json:"description"`
	Cost           moneyJSON `json:"cost"`
	Utility        string    `json:"utility"`
	RegisteredOn   string    `json:"registered_on"`
	Owner          string    `json:"owner"`
	OwnedByUtility bool      `json:"owned_by_utility"`
	OwnerSince     string    `json:"owner_since"`
	Committed      bool      `json:"committed"`
	Award          moneyJSON `json:"award"`
	Contribution   moneyJSON `json:"contribution"`
	AwardPaid      bool      `json:"award_paid"`
	Actor          string    `json:"actor"`
}

func facilityOut(ctx context.Context, f funding.Facility) facilityOutJSON {
	return facilityOutJSON{Code: f.Code, Project: f.Project, District: f.District, Kind: f.Kind, Description: f.Description,
		Cost: money(f.Cost), Utility: f.Utility, RegisteredOn: day(f.RegisteredOn), Owner: f.Owner, OwnedByUtility: f.OwnedByUtility,
		OwnerSince: day(f.OwnerSince), Committed: f.Committed, Award: money(f.Award), Contribution: money(f.Contribution),
		AwardPaid: f.AwardPaid, Actor: principalOf(ctx).User}
}

// writableFacility loads a facility the caller may change (its project's district).
func (s *Server) writableFacility(ctx context.Context, code string) (funding.Facility, error) {
	f, err := s.prog.Facility(ctx, code)
	if err != nil {
		return f, err
	}
	return f, principalOf(ctx).CheckWrite(f.District)
}

func (s *Server) postFacility(ctx context.Context, in *writeIn[requests.Facility]) (*writeOut[facilityOutJSON], error) {
	fi, err := input(in.Body.Input())
	if err != nil {
		return nil, err
	}
	return created(right(s.writableProject(ctx, fi.Project)), func() error { return right(s.prog.Facility(ctx, fi.Code)) },
		func() (funding.Facility, error) { return s.prog.RegisterFacility(ctx, fi, principalOf(ctx).User) },
		func(f funding.Facility) facilityOutJSON { return facilityOut(ctx, f) })
}

type facilityCommitJSON struct {
	Facility      string    `json:"facility"`
	Award         moneyJSON `json:"award"`
	AwardSource   string    `json:"award_source,omitempty"`
	Contribution  moneyJSON `json:"contribution"`
	UtilitySource string    `json:"utility_source"`
	Explanation   string    `json:"explanation"`
	RuleSetID     int64     `json:"rule_set_id,omitempty"`
	EntryID       int64     `json:"entry_id"`
	Actor         string    `json:"actor"`
}

func (s *Server) postFacilityCommit(ctx context.Context, in *codeWriteIn[requests.On]) (*writeOut[facilityCommitJSON], error) {
	return wrote(right(s.writableFacility(ctx, in.Code)), func() (funding.FacilityCommitment, error) {
		return s.prog.CommitFacility(ctx, in.Code, in.Body.On.Time(), principalOf(ctx).User)
	}, func(c funding.FacilityCommitment) (facilityCommitJSON, bool) {
		return facilityCommitJSON{Facility: c.Facility, Award: money(c.Award), AwardSource: c.AwardSource, Contribution: money(c.Contribution),
			UtilitySource: c.Utility, Explanation: c.Explanation, RuleSetID: c.RuleSetID, EntryID: c.EntryID, Actor: principalOf(ctx).User}, c.Unchanged
	})
}

// postFacilityTransfer: the transfer already recorded, to the same owner
// on the same date, answers 200 with Idempotent-Replayed: true.
func (s *Server) postFacilityTransfer(ctx context.Context, in *codeWriteIn[requests.FacilityTransfer]) (*writeOut[facilityOutJSON], error) {
	on := in.Body.On.Time()
	f, err := s.writableFacility(ctx, in.Code)
	if err != nil {
		return nil, err
	}
	var same int
	if err := s.db.GetContext(ctx, &same, `SELECT count(*) FROM utility_facility_events
		WHERE facility = $1 AND kind = 'transferred' AND owner = $2 AND effective_on = $3`, f.Code, in.Body.To, on.Format(ledger.DateLayout)); err != nil {
		return nil, err
	}
	if same > 0 {
		return written(facilityOut(ctx, f), true), nil
	}
	f, err = s.prog.TransferOwnership(ctx, f.Code, in.Body.To, on, principalOf(ctx).User, in.Body.Note)
	if err != nil {
		return nil, err
	}
	return written(facilityOut(ctx, f), false), nil
}

func (s *Server) postFacilityPay(ctx context.Context, in *codeWriteIn[requests.AwardPayment]) (*writeOut[grantPaymentJSON], error) {
	b := in.Body
	f, err := s.writableFacility(ctx, in.Code)
	return wrote(firstErr(err, s.checkBankAccount(ctx, b.BankAccount, true)), func() (funding.GrantPayment, error) {
		return s.prog.PayAward(ctx, in.Code, b.PaidOn.Time(), b.BankAccount, b.Reference, principalOf(ctx).User)
	}, paymentOut(ctx, grantPaymentJSON{Facility: in.Code, Project: f.Project}))
}

// Property-management rewards.

type propertyRewardJSON struct {
	Project     string    `json:"project"`
	Period      string    `json:"period"`
	Score       string    `json:"score"`
	Reward      moneyJSON `json:"reward"`
	Source      string    `json:"source"`
	Explanation string    `json:"explanation"`
	RuleSetID   int64     `json:"rule_set_id"`
	EntryID     int64     `json:"entry_id,omitempty"`
	Actor       string    `json:"actor"`
}

// postPropertyScore: the same score again answers 200 with
// Idempotent-Replayed: true; another for the period 409.
func (s *Server) postPropertyScore(ctx context.Context, in *writeIn[requests.PropertyScore]) (*writeOut[propertyRewardJSON], error) {
	b := in.Body
	return wrote(right(s.writableProject(ctx, b.Project)), func() (funding.PropertyReward, error) {
		return s.prog.ScoreProperty(ctx, b.Input(), principalOf(ctx).User)
	}, func(x funding.PropertyReward) (propertyRewardJSON, bool) {
		return propertyRewardJSON{Project: x.Project, Period: x.Period, Score: x.Score.StringFixed(2), Reward: money(x.Reward), Source: x.Source,
			Explanation: x.Explanation, RuleSetID: x.RuleSetID, EntryID: x.EntryID.Int64, Actor: principalOf(ctx).User}, x.Unchanged
	})
}

func (s *Server) postPropertyRewardPay(ctx context.Context, in *writeIn[requests.RewardPayment]) (*writeOut[grantPaymentJSON], error) {
	b := in.Body
	return wrote(firstErr(right(s.writableProject(ctx, b.Project)), s.checkBankAccount(ctx, b.BankAccount, true)), func() (funding.GrantPayment, error) {
		return s.prog.PayReward(ctx, b.Project, b.Period, b.PaidOn.Time(), b.BankAccount, b.Reference, principalOf(ctx).User)
	}, paymentOut(ctx, grantPaymentJSON{Project: b.Project, Period: b.Period}))
}

// Evaluations and the municipal pool.

type evaluationJSON struct {
	District     string `json:"district"`
	DistrictName string `json:"district_name"`
	Year         int    `json:"year"`
	Score        string `json:"score"`
	Evaluator    string `json:"evaluator"`
	ScoredOn     string `json:"scored_on"`
	Actor        string `json:"actor"`
}

// postEvaluation: the same score again changes nothing.
func (s *Server) postEvaluation(ctx context.Context, in *writeIn[requests.Evaluation]) (*writeOut[evaluationJSON], error) {
	ei := in.Body.Input()
	before, err := s.prog.EvaluationScores(ctx, ei.Year)
	if err != nil {
		return nil, err
	}
	e, err := s.prog.RecordEvaluation(ctx, ei, principalOf(ctx).User)
	if err != nil {
		return nil, err
	}
	again := false
	for _, x := range before {
		if x.District == e.District && x.Score.Equal(e.Score) && x.Evaluator == e.Evaluator && x.ScoredOn.Equal(e.ScoredOn) {
			again = true
		}
	}
	return written(evaluationJSON{District: e.District, DistrictName: e.DistrictName, Year: e.Year, Score: e.Score.StringFixed(2),
		Evaluator: e.Evaluator, ScoredOn: day(e.ScoredOn), Actor: principalOf(ctx).User}, again), nil
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

// postPoolAllocation: dry_run computes without recording (200); the same
// pool and amounts again change nothing (200, Idempotent-Replayed: true).
func (s *Server) postPoolAllocation(ctx context.Context, in *writeIn[requests.Pool]) (*writeOut[poolJSON], error) {
	res, err := s.prog.AllocatePool(ctx, in.Body.Request(caller(ctx, "")))
	if err != nil {
		return nil, err
	}
	out := poolJSON{Year: res.Year, EvaluationYear: res.EvaluationYear, Pool: money(res.Pool), Source: res.Source, On: day(res.On),
		RuleSetID: res.RuleSetID, RuleSet: res.RuleSet, Lines: []poolLineJSON{}, Steps: res.Steps, DryRun: res.DryRun, Version: res.Version,
		EntryID: res.EntryID, Unchanged: res.Unchanged, Actor: principalOf(ctx).User}
	if out.Steps == nil {
		out.Steps = []string{}
	}
	for _, l := range res.Lines {
		out.Lines = append(out.Lines, poolLineJSON{District: l.District, DistrictName: l.DistrictName, AreaM2: l.AreaM2.StringFixed(2),
			Households: l.Households, Buildings: l.Buildings, Communities: l.Communities, Score: l.Score.StringFixed(2), Scored: l.Scored,
			Coefficient: l.Coefficient.String(), Share: l.Share.String(), Amount: money(l.Amount), Previous: money(l.Previous), Explanation: l.Explanation})
	}
	switch {
	case res.Unchanged:
		return written(out, true), nil
	case res.DryRun:
		return status(http.StatusOK, out, false), nil
	}
	return written(out, false), nil
}
