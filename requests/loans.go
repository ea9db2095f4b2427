package requests

import "fundledger/funding"

// The bodies of a loan's writes and of the capital of implementing
// companies. Huma checks their scalars when it decodes a request, so each
// converts itself to funding's request with the caller (Caller) directly.

// Caller is who sends a write and what its path names: the {code} of
// /api/loans/{code}/…, the request's Idempotency-Key (scoped to the user)
// and the user.
type Caller struct {
	Code, Key, Actor string
}

// LoanDrawdown draws on a loan for one of its projects (funding.DrawLoan).
type LoanDrawdown struct {
	Project   string `json:"project" minLength:"1"`
	Amount    Amount `json:"amount" minLength:"1"`
	DrawnOn   Date   `json:"drawn_on" minLength:"1"`
	Reference string `json:"reference,omitempty" maxLength:"200"`
}

// Request is the drawdown of the loan c.Code.
func (b LoanDrawdown) Request(c Caller) funding.LoanDrawdownRequest {
	return funding.LoanDrawdownRequest{Loan: c.Code, Project: b.Project, Amount: b.Amount.Dec(), DrawnOn: b.DrawnOn.Time(),
		Reference: b.Reference, IdempotencyKey: c.Key, Actor: c.Actor}
}

// LoanPrepayment repays principal early (funding.PrepayLoan).
type LoanPrepayment struct {
	Amount    Amount `json:"amount" minLength:"1"`
	PaidOn    Date   `json:"paid_on" minLength:"1"`
	Reference string `json:"reference,omitempty" maxLength:"200"`
}

// Request is the prepayment of the loan c.Code.
func (b LoanPrepayment) Request(c Caller) funding.LoanPrepaymentRequest {
	return funding.LoanPrepaymentRequest{Loan: c.Code, Amount: b.Amount.Dec(), PaidOn: b.PaidOn.Time(), Reference: b.Reference,
		IdempotencyKey: c.Key, Actor: c.Actor}
}

// LoanRateReset resets a floating loan's rate (funding.ResetLoanRate).
type LoanRateReset struct {
	On     Date    `json:"on" minLength:"1" doc:"a reset date of the loan"`
	LPRPct Decimal `json:"lpr_pct" minLength:"1" doc:"the LPR in force, per cent"`
	Reason string  `json:"reason,omitempty" maxLength:"500"`
}

// Request is the rate reset of the loan c.Code.
func (b LoanRateReset) Request(c Caller) funding.LoanRateResetRequest {
	return funding.LoanRateResetRequest{Loan: c.Code, On: b.On.Time(), LPRPct: b.LPRPct.Dec(), Reason: b.Reason, Actor: c.Actor}
}

// LoanAccruals accrues a loan's interest due on or before a day
// (funding.AccrueLoanInterest).
type LoanAccruals struct {
	Through Date `json:"through" minLength:"1"`
}

// LoanPayment pays the interest and principal of a due date (funding.PayLoan).
type LoanPayment struct {
	DueDate   Date   `json:"due_date" minLength:"1"`
	PaidOn    Date   `json:"paid_on,omitempty" doc:"the due date when absent; never before it"`
	Reference string `json:"reference,omitempty" maxLength:"200"`
}

// Request is the payment of the loan c.Code.
func (b LoanPayment) Request(c Caller) funding.LoanPaymentRequest {
	return funding.LoanPaymentRequest{Loan: c.Code, DueDate: b.DueDate.Time(), PaidOn: b.PaidOn.Time(), Reference: b.Reference, Actor: c.Actor}
}

// LoanSubsidies commits the interest subsidies of a due date
// (funding.CommitLoanSubsidies).
type LoanSubsidies struct {
	DueDate Date `json:"due_date" minLength:"1"`
}

// Request is the commitment of the loan c.Code's subsidies.
func (b LoanSubsidies) Request(c Caller) funding.LoanSubsidyCommitRequest {
	return funding.LoanSubsidyCommitRequest{Loan: c.Code, DueDate: b.DueDate.Time(), Actor: c.Actor}
}

// LoanSubsidyPayment pays a committed interest subsidy (funding.PayLoanSubsidy).
type LoanSubsidyPayment struct {
	DueDate   Date   `json:"due_date" minLength:"1"`
	Level     string `json:"level" enum:"central,provincial,municipal,district"`
	PaidOn    Date   `json:"paid_on" minLength:"1"`
	PaidTo    string `json:"paid_to,omitempty" enum:"borrower,lender," doc:"borrower when absent"`
	Reference string `json:"reference,omitempty" maxLength:"200"`
}

// Request is the subsidy payment of the loan c.Code.
func (b LoanSubsidyPayment) Request(c Caller) funding.LoanSubsidyPaymentRequest {
	return funding.LoanSubsidyPaymentRequest{Loan: c.Code, DueDate: b.DueDate.Time(), Level: b.Level, PaidOn: b.PaidOn.Time(), PaidTo: b.PaidTo,
		Reference: b.Reference, Actor: c.Actor}
}

// Company registers an implementing company (funding.RegisterCompany).
type Company struct {
	Code     string `json:"code" minLength:"1" maxLength:"64"`
	Name     string `json:"name" minLength:"1" maxLength:"200"`
	District string `json:"district" minLength:"1" maxLength:"100"`
}

// Input is the company's funding input.
func (b Company) Input() funding.CompanyInput {
	return funding.CompanyInput{Code: b.Code, Name: b.Name, District: b.District}
}

// CapitalMove is what a capital injection and a capital use both name:
// the implementing company, the project, the amount and a reference.
type CapitalMove struct {
	Company   string `json:"company" minLength:"1"`
	Project   string `json:"project" minLength:"1"`
	Amount    Amount `json:"amount" minLength:"1"`
	Reference string `json:"reference,omitempty" maxLength:"200"`
}

// CapitalInjection injects capital into an implementing company for a
// project (funding.InjectCapital).
type CapitalInjection struct {
	CapitalMove
	Level      string `json:"level" enum:"central,provincial,municipal,district"`
	InjectedOn Date   `json:"injected_on" minLength:"1"`
}

// Request is the injection.
func (b CapitalInjection) Request(c Caller) funding.CapitalInjectionRequest {
	return funding.CapitalInjectionRequest{Company: b.Company, Project: b.Project, Level: b.Level, Amount: b.Amount.Dec(),
		InjectedOn: b.InjectedOn.Time(), Reference: b.Reference, IdempotencyKey: c.Key, Actor: c.Actor}
}

// CapitalUse spends injected capital on a project (funding.UseCapital).
type CapitalUse struct {
	CapitalMove
	Category string `json:"category" minLength:"1"`
	PaidOn   Date   `json:"paid_on" minLength:"1"`
}

// Request is the use.
func (b CapitalUse) Request(c Caller) funding.CapitalUseRequest {
	return funding.CapitalUseRequest{Company: b.Company, Project: b.Project, Category: b.Category, Amount: b.Amount.Dec(),
		PaidOn: b.PaidOn.Time(), Reference: b.Reference, IdempotencyKey: c.Key, Actor: c.Actor}
}

// InvestmentSubsidy approves an investment subsidy of a project
// (funding.ApproveInvestmentSubsidy).
type InvestmentSubsidy struct {
	Project            string  `json:"project" minLength:"1"`
	Level              string  `json:"level" enum:"central,provincial,municipal,district"`
	SharePct           Decimal `json:"share_pct" minLength:"1"`
	ApprovedInvestment Decimal `json:"approved_investment,omitempty" doc:"the project's approved budget when absent"`
	Cap                Decimal `json:"cap,omitempty" doc:"at most this much in all; none when absent"`
	ApprovedOn         Date    `json:"approved_on" minLength:"1"`
}

// Request is the approval.
func (b InvestmentSubsidy) Request(c Caller) funding.InvestmentSubsidyApproval {
	return funding.InvestmentSubsidyApproval{Project: b.Project, Level: b.Level, SharePct: b.SharePct.Dec(),
		ApprovedInvestment: b.ApprovedInvestment.Dec(), Cap: b.Cap.Dec(), ApprovedOn: b.ApprovedOn.Time(), Actor: c.Actor}
}

// InvestmentSubsidyPayment pays an investment subsidy against the
// investment completed (funding.PayInvestmentSubsidy).
type InvestmentSubsidyPayment struct {
	Project             string  `json:"project" minLength:"1"`
	Level               string  `json:"level" enum:"central,provincial,municipal,district"`
	CompletedInvestment Amount  `json:"completed_investment" minLength:"1"`
	Amount              Decimal `json:"amount,omitempty" doc:"all that may be paid now when absent or 0"`
	PaidOn              Date    `json:"paid_on" minLength:"1"`
	Reference           string  `json:"reference,omitempty" maxLength:"200"`
}

// Request is the payment.
func (b InvestmentSubsidyPayment) Request(c Caller) funding.InvestmentSubsidyPaymentRequest {
	return funding.InvestmentSubsidyPaymentRequest{Project: b.Project, Level: b.Level, CompletedInvestment: b.CompletedInvestment.Dec(),
		Amount: b.Amount.Dec(), PaidOn: b.PaidOn.Time(), Reference: b.Reference, IdempotencyKey: c.Key, Actor: c.Actor}
}
