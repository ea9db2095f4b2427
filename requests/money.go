package requests

import "fundledger/funding"

// The bodies of money received and paid: receipts, disbursements, and a
// bond's issue, allocation, revenue and payments.

// Receipt records money received for a project from a source (funding.Receive).
type Receipt struct {
	Project     string `json:"project" minLength:"1"`
	Source      string `json:"source" minLength:"1"`
	Amount      Amount `json:"amount" minLength:"1" doc:"yuan, a decimal string with at most two decimals"`
	ReceivedOn  Date   `json:"received_on" minLength:"1" doc:"YYYY-MM-DD"`
	BankAccount string `json:"bank_account" minLength:"1"`
	Reference   string `json:"reference,omitempty"`
	Memo        string `json:"memo,omitempty"`
}

// Request is the receipt.
func (b Receipt) Request(c Caller) funding.ReceiptRequest {
	return funding.ReceiptRequest{Project: b.Project, Source: b.Source, Amount: b.Amount.Dec(), ReceivedOn: b.ReceivedOn.Time(),
		BankAccount: b.BankAccount, Reference: b.Reference, Memo: b.Memo, IdempotencyKey: c.Key, Actor: c.Actor}
}

// Disbursement pays out of a project's source for a category (funding.Disburse).
type Disbursement struct {
	Project     string `json:"project" minLength:"1"`
	Source      string `json:"source" minLength:"1"`
	Category    string `json:"category" enum:"basic,improvement,upgrade"`
	WorkItem    string `json:"work_item,omitempty"`
	Amount      Amount `json:"amount" minLength:"1" doc:"yuan, a decimal string with at most two decimals"`
	PaidOn      Date   `json:"paid_on" minLength:"1" doc:"YYYY-MM-DD"`
	Payee       string `json:"payee" minLength:"1"`
	BankAccount string `json:"bank_account" minLength:"1"`
	Reference   string `json:"reference,omitempty"`
	Memo        string `json:"memo,omitempty"`
}

// Request is the disbursement.
func (b Disbursement) Request(c Caller) funding.DisbursementRequest {
	return funding.DisbursementRequest{Project: b.Project, Source: b.Source, Category: b.Category, WorkItem: b.WorkItem,
		Amount: b.Amount.Dec(), PaidOn: b.PaidOn.Time(), Payee: b.Payee, BankAccount: b.BankAccount, Reference: b.Reference, Memo: b.Memo,
		IdempotencyKey: c.Key, Actor: c.Actor}
}

// BondIssue records a bond's issue (funding.IssueBond); every field may be absent.
type BondIssue struct {
	IssuedOn    Date   `json:"issued_on,omitempty"`
	BankAccount string `json:"bank_account,omitempty"`
	Reference   string `json:"reference,omitempty"`
}

// Request is the issue of the bond c.Code (b may be nil: no body).
func (b *BondIssue) Request(c Caller) funding.BondIssueRequest {
	req := funding.BondIssueRequest{Bond: c.Code, Actor: c.Actor}
	if b != nil {
		req.IssuedOn, req.BankAccount, req.Reference = b.IssuedOn.Time(), b.BankAccount, b.Reference
	}
	return req
}

// BondAllocation allocates bond money to a project (funding.AllocateBond).
type BondAllocation struct {
	Project     string `json:"project" minLength:"1"`
	Amount      Amount `json:"amount" minLength:"1"`
	AllocatedOn Date   `json:"allocated_on" minLength:"1"`
	Reference   string `json:"reference,omitempty"`
	Memo        string `json:"memo,omitempty"`
}

// Request is the allocation of the bond c.Code.
func (b BondAllocation) Request(c Caller) funding.BondAllocationRequest {
	return funding.BondAllocationRequest{Bond: c.Code, Project: b.Project, Amount: b.Amount.Dec(), AllocatedOn: b.AllocatedOn.Time(),
		Reference: b.Reference, Memo: b.Memo, IdempotencyKey: c.Key, Actor: c.Actor}
}

// BondPayment pays a bond's interest and principal of a due date (funding.PayBond).
type BondPayment struct {
	DueDate   Date   `json:"due_date" minLength:"1"`
	PaidOn    Date   `json:"paid_on,omitempty"`
	Backstop  string `json:"backstop,omitempty" doc:"the source that tops up a short reserve"`
	Reference string `json:"reference,omitempty"`
}

// Request is the payment of the bond c.Code.
func (b BondPayment) Request(c Caller) funding.BondPaymentRequest {
	return funding.BondPaymentRequest{Bond: c.Code, DueDate: b.DueDate.Time(), PaidOn: b.PaidOn.Time(), Backstop: b.Backstop,
		Reference: b.Reference, Actor: c.Actor}
}

// BondRevenue records a project's revenue that repays its bonds
// (funding.RecordBondRevenue).
type BondRevenue struct {
	Project     string `json:"project" minLength:"1"`
	Bond        string `json:"bond,omitempty"`
	Kind        string `json:"kind" minLength:"1"`
	Amount      Amount `json:"amount" minLength:"1"`
	ReceivedOn  Date   `json:"received_on" minLength:"1"`
	BankAccount string `json:"bank_account,omitempty"`
	Reference   string `json:"reference,omitempty"`
	Memo        string `json:"memo,omitempty"`
}

// Request is the revenue.
func (b BondRevenue) Request(c Caller) funding.BondRevenueRequest {
	return funding.BondRevenueRequest{Project: b.Project, Bond: b.Bond, Kind: b.Kind, Amount: b.Amount.Dec(), ReceivedOn: b.ReceivedOn.Time(),
		BankAccount: b.BankAccount, Reference: b.Reference, Memo: b.Memo, IdempotencyKey: c.Key, Actor: c.Actor}
}

// BondAccruals accrues the bonds' interest due on or before a day
// (funding.AccrueBondInterest).
type BondAccruals struct {
	Bonds   []string `json:"bonds,omitempty" doc:"every issued bond when empty"`
	Through Date     `json:"through" minLength:"1"`
}
