package requests

import "fundledger/funding"

// The bodies of the grants' steps: elevator approvals, acceptances,
// payments and contributions, utility facilities, property-management
// rewards, district evaluations and the municipal pool.

// On is a step taken on a day: an elevator's approval, a facility's
// commitment.
type On struct {
	On Date `json:"on" minLength:"1" doc:"YYYY-MM-DD"`
}

// ElevatorAcceptance accepts an elevator's works at their final cost
// (funding.AcceptElevator).
type ElevatorAcceptance struct {
	On            Date    `json:"on" minLength:"1"`
	FinalCost     Amount  `json:"final_cost" minLength:"1"`
	FinalPipeCost Decimal `json:"final_pipe_cost,omitempty"`
}

// ElevatorPayment pays an elevator's grant (funding.PayElevatorGrant).
type ElevatorPayment struct {
	PaidOn      Date   `json:"paid_on" minLength:"1"`
	Payee       string `json:"payee" minLength:"1"`
	BankAccount string `json:"bank_account" minLength:"1"`
	Reference   string `json:"reference,omitempty"`
}

// Request is the payment of the application c.Code.
func (b ElevatorPayment) Request(c Caller) funding.ElevatorPaymentRequest {
	return funding.ElevatorPaymentRequest{Application: c.Code, PaidOn: b.PaidOn.Time(), Payee: b.Payee, BankAccount: b.BankAccount,
		Reference: b.Reference, Actor: c.Actor}
}

// Contribution receives a household's contribution to an elevator
// (funding.ReceiveContribution).
type Contribution struct {
	Household  string `json:"household" minLength:"1"`
	Amount     Amount `json:"amount" minLength:"1"`
	ReceivedOn Date   `json:"received_on" minLength:"1"`
}

// Request is the contribution to the application c.Code.
func (b Contribution) Request(c Caller) funding.ContributionRequest {
	return funding.ContributionRequest{Application: c.Code, Household: b.Household, Amount: b.Amount.Dec(), ReceivedOn: b.ReceivedOn.Time(),
		IdempotencyKey: c.Key, Actor: c.Actor}
}

// FacilityTransfer transfers a facility to its new owner (funding.TransferOwnership).
type FacilityTransfer struct {
	To   string `json:"to" minLength:"1"`
	On   Date   `json:"on" minLength:"1"`
	Note string `json:"note,omitempty"`
}

// AwardPayment pays a facility's award (funding.PayAward).
type AwardPayment struct {
	PaidOn      Date   `json:"paid_on" minLength:"1"`
	BankAccount string `json:"bank_account" minLength:"1"`
	Reference   string `json:"reference,omitempty"`
}

// PropertyScore scores a project's property management for a period
// (funding.ScoreProperty).
type PropertyScore struct {
	Project   string  `json:"project" minLength:"1"`
	Period    string  `json:"period" minLength:"1"`
	Score     Decimal `json:"score" minLength:"1"`
	Evaluator string  `json:"evaluator,omitempty"`
	ScoredOn  Date    `json:"scored_on" minLength:"1"`
}

// Input is the score's funding input.
func (b PropertyScore) Input() funding.PropertyScoreInput {
	return funding.PropertyScoreInput{Project: b.Project, Period: b.Period, Evaluator: b.Evaluator, Score: b.Score.Dec(), ScoredOn: b.ScoredOn.Time()}
}

// RewardPayment pays a period's property-management reward (funding.PayReward).
type RewardPayment struct {
	Project     string `json:"project" minLength:"1"`
	Period      string `json:"period" minLength:"1"`
	PaidOn      Date   `json:"paid_on" minLength:"1"`
	BankAccount string `json:"bank_account" minLength:"1"`
	Reference   string `json:"reference,omitempty"`
}

// Evaluation records a district's yearly evaluation (funding.RecordEvaluation).
type Evaluation struct {
	District  string  `json:"district" minLength:"1"`
	Year      int     `json:"year,omitempty"`
	Score     Decimal `json:"score" minLength:"1"`
	Evaluator string  `json:"evaluator,omitempty"`
	ScoredOn  Date    `json:"scored_on" minLength:"1"`
	Note      string  `json:"note,omitempty"`
}

// Input is the evaluation's funding input.
func (b Evaluation) Input() funding.EvaluationInput {
	return funding.EvaluationInput{District: b.District, Year: b.Year, Score: b.Score.Dec(), Evaluator: b.Evaluator, ScoredOn: b.ScoredOn.Time(),
		Note: b.Note}
}

// Pool allocates the municipal pool among the districts (funding.AllocatePool).
type Pool struct {
	Year   int    `json:"year,omitempty"`
	Pool   Amount `json:"pool" minLength:"1"`
	On     Date   `json:"on,omitempty"`
	DryRun bool   `json:"dry_run,omitempty"`
}

// Request is the allocation.
func (b Pool) Request(c Caller) funding.PoolRequest {
	return funding.PoolRequest{Year: b.Year, Pool: b.Pool.Dec(), On: b.On.Time(), DryRun: b.DryRun, Actor: c.Actor}
}
